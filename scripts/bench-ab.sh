#!/usr/bin/env bash
# A/B helper for docs/performance.md: starts BIN on a fresh SQLite database with the settings
# that page lists, runs the idle run and two chat runs against it, and writes the reports to
# $OUT/LABEL.txt. Run it once per build, one build after the other, on an otherwise idle machine.
#
#   cargo build --release && cp target/release/uniqchat /tmp/uniqchat-a
#   scripts/bench-ab.sh /tmp/uniqchat-a a && scripts/bench-ab.sh /tmp/uniqchat-b b
set -euo pipefail
BIN=$1
LABEL=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/uniqchat-ab}
PORT=${PORT:-18082}
DIR=$OUT/$LABEL
rm -rf "$DIR" && mkdir -p "$DIR/data"
cd "$DIR"

# shellcheck source=scripts/bench-server.sh
source "$ROOT/scripts/bench-server.sh"
start_bench_server "$BIN" "$DIR" "sqlite://$DIR/data/bench.db?mode=rwc" "$PORT"
{
  echo "## idle"
  "${RUN[@]}" idle --visitors 9000 --connect-rate 1000 --duration 40
  sleep 3
  echo "## chat 2000/s"
  "${RUN[@]}" chat --visitors 200 --agents 2 --rate 2000 --duration 15
  sleep 2
  echo "## chat max"
  "${RUN[@]}" chat --visitors 200 --agents 2 --max --window 8 --duration 15
} >"$OUT/$LABEL.txt" 2>&1
echo "report: $OUT/$LABEL.txt"
