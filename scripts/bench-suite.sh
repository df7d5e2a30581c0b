#!/usr/bin/env bash
# The runs behind the results table of docs/performance.md, on one backend, against a fresh
# database: BIN serves with the settings that page lists, BIN's own bench drives it.
#
#   scripts/bench-suite.sh target/release/uniqchat sqlite
#   scripts/bench-suite.sh target/release/uniqchat postgres   # needs $PG_URL's server; drops and creates uqbench
#
# Reports go to $OUT/BACKEND.txt (default /tmp/uniqchat-suite).
set -euo pipefail
BIN=$(realpath "$1")
BACKEND=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/uniqchat-suite}
PORT=${PORT:-18082}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DIR=$OUT/$BACKEND
rm -rf "$DIR" && mkdir -p "$DIR/data"
cd "$DIR"

case $BACKEND in
  sqlite) DB="sqlite://$DIR/data/bench.db?mode=rwc" ;;
  postgres)
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS uqbench" -c "CREATE DATABASE uqbench"
    DB="$PG_URL/uqbench" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
# shellcheck source=scripts/bench-server.sh
source "$ROOT/scripts/bench-server.sh"
start_bench_server "$BIN" "$DIR" "$DB" "$PORT"
if [ "$BACKEND" = postgres ]; then
  # PostgreSQL's backends of this database work for the server: their CPU is counted with it.
  for pid in $(pgrep -f 'postgres: .* uqbench' || true); do RUN+=(--pid "$pid"); done
fi
run() {
  echo "## $*"
  # A run that finds delivery faults exits 3; the suite goes on and the report shows it.
  "${RUN[@]}" "$@" || echo "## exit code $?"
  sleep 3
}
{
  run idle --visitors 9000 --connect-rate 1000 --duration 40
  run chat --visitors 200 --agents 2 --rate 1000 --duration 15
  run chat --visitors 200 --agents 2 --rate 2000 --duration 15
  run chat --visitors 200 --agents 2 --rate 5000 --duration 15
  run chat --visitors 200 --agents 2 --max --window 8 --duration 15
  run chat --visitors 1000 --agents 10 --max --window 8 --duration 15
  run chat --visitors 1000 --agents 10 --rate 10000 --duration 15
  run http --visitors 32 --duration 10
  run storm --visitors 1000 --connect-rate 2000 --duration 10
  run storm --visitors 1000 --connect-rate 5000 --duration 10
  run storm --visitors 1000 --connect-rate 6000 --duration 10
} >"$OUT/$BACKEND.txt" 2>&1
echo "report: $OUT/$BACKEND.txt"
