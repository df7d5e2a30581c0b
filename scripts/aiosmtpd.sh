#!/usr/bin/env bash
# Installs aiosmtpd (from PyPI) into a venv under target/ and prints the path of its python.
# The mail tests (tests/mail.rs) start tests/smtp/server.py with it on a free port: a real SMTP
# server that writes each message it receives to a directory. Reused while the version matches.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=1.4.6
target=${CARGO_TARGET_DIR:-$root/target}
venv=$target/aiosmtpd-venv
if [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("aiosmtpd"))' 2>/dev/null || true)" != "$version" ]; then
  echo "aiosmtpd.sh: installing aiosmtpd $version into $venv" >&2
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$version" >&2
fi
echo "$venv/bin/python"
