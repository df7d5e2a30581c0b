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

export UNIQCHAT_PROFILE=prod UNIQCHAT__AUTH__JWT_SECRET=bench-secret-0123456789abcdef0123456789 \
  UNIQCHAT__LOG__LEVEL=warn UNIQCHAT__LOG__FILE=false UNIQCHAT__RATE_LIMIT__ENABLED=false \
  UNIQCHAT__REALTIME__FRAMES_PER_SECOND=100000 UNIQCHAT__REALTIME__FRAME_BURST=100000 \
  UNIQCHAT__DATABASE__URL="sqlite://$DIR/data/bench.db?mode=rwc"
export UNIQCHAT_BENCH_EMAIL=bench@bench.test UNIQCHAT_BENCH_PASSWORD=Bench-Password-123
CFG=(--config-dir "$ROOT/config")
"$BIN" "${CFG[@]}" migrate >/dev/null
"$BIN" "${CFG[@]}" init --tenant Bench --email "$UNIQCHAT_BENCH_EMAIL" --password "$UNIQCHAT_BENCH_PASSWORD" >/dev/null
"$BIN" "${CFG[@]}" serve --bind "127.0.0.1:$PORT" >"$DIR/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

RUN=("$BIN" bench --url "http://127.0.0.1:$PORT" --pid "$PID")
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
