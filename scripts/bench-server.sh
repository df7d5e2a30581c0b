# Sourced by bench-ab.sh and bench-suite.sh: starts BIN serving DB_URL on PORT with the
# settings docs/performance.md lists, from a fresh tenant, in directory DIR; sets PID and RUN
# (the bench command aimed at it) and stops the server when the script exits.
#
#   start_bench_server BIN DIR DB_URL PORT
# Also sourced by bench-cluster.sh and bench-rolling.sh for `bench_env` alone.

# The server settings of every bench (docs/performance.md "Machine and settings"): production
# profile, limits out of the way, the database DB_URL; and the bench's account.
#
#   bench_env DB_URL
bench_env() {
  export UNIQCHAT_PROFILE=prod UNIQCHAT__AUTH__JWT_SECRET=bench-secret-0123456789abcdef0123456789 \
    UNIQCHAT__AUTH__SECRET_KEY=bench-sealing-key-0123456789abcdef0123456789 \
    UNIQCHAT__LOG__LEVEL=warn UNIQCHAT__LOG__FILE=false UNIQCHAT__RATE_LIMIT__ENABLED=false \
    UNIQCHAT__REALTIME__FRAMES_PER_SECOND=100000 UNIQCHAT__REALTIME__FRAME_BURST=100000 \
    UNIQCHAT__CONNECTIONS__PER_ADDRESS=1000000 UNIQCHAT__CONNECTIONS__HANDSHAKES_PER_SECOND=1000000 \
    UNIQCHAT__CONNECTIONS__HANDSHAKE_BURST=1000000 UNIQCHAT__CONNECTIONS__VISITOR_MESSAGES_PER_SECOND=100000 \
    UNIQCHAT__CONNECTIONS__VISITOR_MESSAGE_BURST=100000 \
    UNIQCHAT__DATABASE__URL="$1"
  export UNIQCHAT_BENCH_EMAIL=bench@bench.test UNIQCHAT_BENCH_PASSWORD=Bench-Password-123
}

start_bench_server() {
  local bin=$1 dir=$2 db=$3 port=$4
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  bench_env "$db"
  local cfg=(--config-dir "$root/config")
  "$bin" "${cfg[@]}" migrate >/dev/null
  "$bin" "${cfg[@]}" init --tenant Bench --email "$UNIQCHAT_BENCH_EMAIL" --password "$UNIQCHAT_BENCH_PASSWORD" >/dev/null
  "$bin" "${cfg[@]}" serve --bind "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
  PID=$!
  trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  RUN=("$bin" bench --url "http://127.0.0.1:$port" --pid "$PID")
}
