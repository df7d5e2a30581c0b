#!/usr/bin/env bash
# A/B of the message path for docs/performance.md: starts BIN on a fresh SQLite database with the
# settings that page lists (scripts/bench-server.sh), runs one chat run against it (by default the
# highest rate: 200 visitors, 2 agents, 8 messages in flight each, 15 s) and prints the report's
# main lines; the whole report is in $OUT/LABEL.txt. With PERF=1, `perf record` samples the
# server for 6 s in the middle of the run ($OUT/LABEL/perf.data). Run builds one after the other.
#
#   scripts/bench-max.sh /tmp/uniqchat-a a1 && scripts/bench-max.sh /tmp/uniqchat-b b1
#   scripts/bench-max.sh /tmp/uniqchat-b b2 --visitors 1000 --agents 10 --rate 10000 --duration 15
set -euo pipefail
BIN=$1; LABEL=$2; shift 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/uniqchat-ab}; DIR=$OUT/$LABEL; PORT=${PORT:-18090}
rm -rf "$DIR" && mkdir -p "$DIR/data"; cd "$DIR"
source "$ROOT/scripts/bench-server.sh"
start_bench_server "$BIN" "$DIR" "sqlite://$DIR/data/bench.db?mode=rwc" "$PORT"
ARGS=("$@"); [ ${#ARGS[@]} -eq 0 ] && ARGS=(--visitors 200 --agents 2 --max --window 8 --duration 15)
PERFPID=; if [ -n "${PERF:-}" ]; then (sleep 6; perf record -F 999 -g -p $PID -o $DIR/perf.data -- sleep 6 >/dev/null 2>&1) & PERFPID=$!; fi
"${RUN[@]}" chat "${ARGS[@]}" > "$OUT/$LABEL.txt" 2>&1 || true
[ -n "$PERFPID" ] && wait $PERFPID || true
grep -E "acked|server CPU|cores|delivery|p99|p50|SATUR" "$OUT/$LABEL.txt" | head -20
