#!/usr/bin/env bash
# Installs moto's S3-compatible server (from PyPI) into a venv under target/ and prints the path
# of its `moto_server` command. The file tests (tests/files.rs) start it on a free port to test
# S3 storage against a real S3 API. Reused while the pinned version matches.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=5.1.18
target=${CARGO_TARGET_DIR:-$root/target}
venv=$target/moto-venv
if [ "$("$venv/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null || true)" != "$version" ]; then
  echo "moto.sh: installing moto[server] $version into $venv" >&2
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$version" >&2
fi
echo "$venv/bin/moto_server"
