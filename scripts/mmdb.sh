#!/usr/bin/env bash
# Installs mmdb-writer (from PyPI) into a venv under target/ and prints the path of its python.
# tests/visitors_live.rs uses it to build a small GeoIP2 City database (.mmdb) so the GeoIP
# lookup is tested against a real MaxMind-format file. Reused while the pinned version matches.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=0.2.7
target=${CARGO_TARGET_DIR:-$root/target}
venv=$target/mmdb-venv
if [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("mmdb-writer"))' 2>/dev/null || true)" != "$version" ]; then
  echo "mmdb.sh: installing mmdb-writer $version into $venv" >&2
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "mmdb-writer==$version" >&2
fi
echo "$venv/bin/python"
