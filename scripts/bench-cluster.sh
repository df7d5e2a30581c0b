#!/usr/bin/env bash
# The cluster figures of docs/performance.md: three nodes of BIN on one PostgreSQL database and
# one Redis, on this machine.
#
#   scripts/bench-cluster.sh BIN POSTGRES_ADMIN_URL [REDIS_URL]
#   e.g. scripts/bench-cluster.sh target/release/uniqchat postgres://postgres@127.0.0.1:5432/test
#
# 1. chat with visitors and agents on node 1 (same node) and visitors on node 1, agents on
#    node 2 (cross node), at --rate 1000 and 5000: send→ack and send→delivery p50/p99.
# 2. Redis commands per message: INFO commandstats before and after a cross-node run.
# Writes every report to $OUT (default: a temp dir) and prints a summary.
set -euo pipefail
bin=$(realpath "$1")
admin_url=$2
redis_url=${3:-redis://127.0.0.1:6379}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$(mktemp -d)}
db="uct_benchcluster_$$"
psql "$admin_url" -qc "create database $db" >/dev/null
db_url="${admin_url%/*}/$db"
prefix="benchcluster$$"
VISITORS=${VISITORS:-500} AGENTS=${AGENTS:-6} DURATION=${DURATION:-15}  # RATES="1000 5000" by default

# The settings of every bench (scripts/bench-server.sh), clustered.
# shellcheck source=scripts/bench-server.sh
source "$root/scripts/bench-server.sh"
bench_env "$db_url"
export UNIQCHAT__CLUSTER__REDIS_URL="$redis_url" UNIQCHAT__CLUSTER__PREFIX="$prefix"
cfg=(--config-dir "$root/config")
"$bin" "${cfg[@]}" migrate >/dev/null
"$bin" "${cfg[@]}" init --tenant Bench --email "$UNIQCHAT_BENCH_EMAIL" --password "$UNIQCHAT_BENCH_PASSWORD" >/dev/null

ports=(18301 18302 18303)
pids=()
start_node() { # index
  UNIQCHAT__DATABASE__AUTO_MIGRATE=false "$bin" "${cfg[@]}" serve --bind "127.0.0.1:${ports[$1]}" >>"$out/node$1.log" 2>&1 &
  pids[$1]=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:${ports[$1]}/readyz" >/dev/null && return; sleep 0.05; done
  echo "node $1 did not become ready" >&2; exit 1
}
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null || true
}
trap cleanup EXIT
for i in 0 1 2; do start_node "$i"; done
url() { echo "http://127.0.0.1:${ports[$1]}"; }
common=(--visitors "$VISITORS" --agents "$AGENTS" --duration "$DURATION" --json)

summary() { # report file: the line of figures
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m, l = r["messages"], r["latency"]
print(f"acked/s {m['acked_per_sec']:.0f}  ack p50 {l['send_to_ack']['p50_ms']:.2f} p99 {l['send_to_ack']['p99_ms']:.2f}  "
      f"delivery p50 {l['send_to_delivery']['p50_ms']:.2f} p99 {l['send_to_delivery']['p99_ms']:.2f}  "
      f"sent {m['sent']} acked {m['acked']} delivered {m['delivered']}  ok {r['delivery']['ok']}  errors {r['errors']}")
PY
}
redis_calls() { # total commands so far; each command's count in $out/commandstats.<label>
  redis-cli -u "$redis_url" INFO commandstats | tr -d '\r' | awk -F'[:=,]' '/^cmdstat_/ { print $1, $3 }' >"$out/commandstats.$1"
  awk '{ n += $2 } END { print n }' "$out/commandstats.$1"
}
by_command() { # label-before label-after: the commands between them, by name
  join -a 2 -e 0 -o 2.1,1.2,2.2 <(sort "$out/commandstats.$1") <(sort "$out/commandstats.$2") |
    awk '$3 - $2 > 0 { printf "%s %d  ", substr($1, 9), $3 - $2 } END { print "" }'
}

for rate in ${RATES:-1000 5000}; do
  "$bin" bench chat --url "$(url 0)" --pid "${pids[0]}" --rate "$rate" "${common[@]}" >"$out/same-$rate.json" || true
  echo "same node   rate $rate: $(summary "$out/same-$rate.json")"
  before=$(redis_calls "before-$rate")
  "$bin" bench chat --url "$(url 0)" --url "$(url 1)" --spread split --pid "${pids[0]}" --pid "${pids[1]}" \
    --rate "$rate" "${common[@]}" >"$out/cross-$rate.json" || true
  after=$(redis_calls "after-$rate")
  acked=$(python3 -c "import json; print(json.load(open('$out/cross-$rate.json'))['messages']['acked'])")
  echo "cross node  rate $rate: $(summary "$out/cross-$rate.json")"
  echo "            Redis commands: $((after - before)) for $acked messages (all nodes' heartbeats included): $(by_command "before-$rate" "after-$rate")"
done

# Redis commands when nothing is sent, over the same time: what the heartbeats cost.
before=$(redis_calls idle-before); sleep "$DURATION"; after=$(redis_calls idle-after)
echo "idle cluster: $((after - before)) Redis commands in $DURATION s: $(by_command idle-before idle-after)"

echo "reports in $out"
