#!/usr/bin/env bash
# A rolling restart under load (issue 18, docs/performance.md "Rolling restart under 1,000
# msg/s"): three nodes of BIN on one PostgreSQL database and one Redis, HAProxy in front, and
# `uniqchat bench chat` through HAProxy while node 1, then 2, then 3 is restarted (SIGTERM, wait
# for it to exit, start it again, wait for its /readyz, pause). The bench's clients reconnect
# through HAProxy, resume and send again what was not acked; the run must end with
# sent = acked = delivered and no error.
#
#   scripts/bench-rolling.sh BIN POSTGRES_ADMIN_URL [REDIS_URL]
#   e.g. scripts/bench-rolling.sh target/release/uniqchat postgres://postgres@127.0.0.1:5432/test
#
# Settings (environment): RATE (1000), VISITORS (500), AGENTS (6), DURATION (60), SETUP (15:
# seconds the bench has to set up before its measured phase, --start-at), FIRST (5: seconds
# into the phase of the first restart), PAUSE (5: after a node is ready again), DRAIN (2: the
# nodes' server.drain_secs; HAProxy checks every 0.5 s and takes a node out after 2 failures),
# OUT (where the report and the logs go; default a temp dir).
# Exits with the bench's exit code (3: delivery faults).
set -euo pipefail
bin=$(realpath "$1")
admin_url=$2
redis_url=${3:-redis://127.0.0.1:6379}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$(mktemp -d)}
RATE=${RATE:-1000} VISITORS=${VISITORS:-500} AGENTS=${AGENTS:-6} DURATION=${DURATION:-60}
SETUP=${SETUP:-15} FIRST=${FIRST:-5} PAUSE=${PAUSE:-5} DRAIN=${DRAIN:-2}
db="uct_benchrolling_$$"
psql "$admin_url" -qc "create database $db" >/dev/null
db_url="${admin_url%/*}/$db"
prefix="benchrolling$$"

# The settings of every bench (scripts/bench-server.sh), clustered, with the drain and the
# balancer's addresses.
# shellcheck source=scripts/bench-server.sh
source "$root/scripts/bench-server.sh"
bench_env "$db_url"
export UNIQCHAT__CLUSTER__REDIS_URL="$redis_url" UNIQCHAT__CLUSTER__PREFIX="$prefix" \
  UNIQCHAT__SERVER__DRAIN_SECS="$DRAIN" UNIQCHAT__SERVER__TRUST_PROXY=true
cfg=(--config-dir "$root/config")
"$bin" "${cfg[@]}" migrate >/dev/null
"$bin" "${cfg[@]}" init --tenant Bench --email "$UNIQCHAT_BENCH_EMAIL" --password "$UNIQCHAT_BENCH_PASSWORD" >/dev/null

ports=(18311 18312 18313)
proxy_port=18310
pids=()
proxy_pid=
bench_pid=
ready() { curl -sf "http://127.0.0.1:$1/readyz" >/dev/null; }
start_node() { # index
  UNIQCHAT__DATABASE__AUTO_MIGRATE=false "$bin" "${cfg[@]}" serve --bind "127.0.0.1:${ports[$1]}" >>"$out/node$1.log" 2>&1 &
  pids[$1]=$!
  for _ in $(seq 200); do ready "${ports[$1]}" && return; sleep 0.05; done
  echo "node $((1 + $1)) did not become ready" >&2; exit 1
}
cleanup() {
  for p in "${pids[@]}" $proxy_pid $bench_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null || true
}
trap cleanup EXIT
for i in 0 1 2; do start_node "$i"; done

# deploy/haproxy.cfg on 127.0.0.1, with the nodes' addresses and a faster health check.
cat >"$out/haproxy.cfg" <<EOF
global
    maxconn 8000
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    timeout client-fin 5s
    timeout http-request 10s
    retries 3
    option redispatch
frontend web
    bind 127.0.0.1:$proxy_port
    option forwardfor
    default_backend uniqchat
backend uniqchat
    balance leastconn
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
    server node1 127.0.0.1:${ports[0]} check
    server node2 127.0.0.1:${ports[1]} check
    server node3 127.0.0.1:${ports[2]} check
EOF
haproxy -db -f "$out/haproxy.cfg" >"$out/haproxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 100); do ready "$proxy_port" && break; sleep 0.1; done

start_at=$(( $(date +%s) + SETUP ))
"$bin" bench chat --url "http://127.0.0.1:$proxy_port" --rate "$RATE" --visitors "$VISITORS" \
  --agents "$AGENTS" --duration "$DURATION" --start-at "$start_at" --json \
  >"$out/report.json" 2>"$out/bench.log" &
bench_pid=$!
since() { echo $(( $(date +%s) - start_at )); }
wait_s=$(( start_at + FIRST - $(date +%s) ))
[ "$wait_s" -gt 0 ] && sleep "$wait_s"
for i in 0 1 2; do
  echo "$(since) s: SIGTERM node $((i + 1))"
  kill -TERM "${pids[$i]}"
  status=0; wait "${pids[$i]}" || status=$?
  echo "$(since) s: node $((i + 1)) exited with $status; starting it again"
  start_node "$i"
  echo "$(since) s: node $((i + 1)) ready"
  sleep "$PAUSE"
done
code=0; wait "$bench_pid" || code=$?
bench_pid=

python3 - "$out/report.json" "$code" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m, l, b, d = r["messages"], r["latency"], r.get("reconnects", {}), r["delivery"]
print(f"bench exit {sys.argv[2]}, {r['seconds']:.1f} s measured, acked/s {m['acked_per_sec']:.0f}")
print(f"sent {m['sent']}  acked {m['acked']}  delivered {m['delivered']}  "
      f"(after the phase: acked {m['acked_after_phase']}, delivered {m['delivered_after_phase']})")
print(f"errors {r['errors'] or 'none'}")
print(f"reconnects visitors {b.get('visitors')}  agents {b.get('agents')}  resent {b.get('resent')} "
      f"({b.get('resent_stored')} stored already)  replayed copies {b.get('replayed')}")
for k in ("send_to_ack", "send_to_delivery"):
    x = l.get(k)
    if x:
        print(f"{k:<17} p50 {x['p50_ms']:.2f} ms  p99 {x['p99_ms']:.2f} ms  max {x['max_ms']:.2f} ms  ({x['count']})")
faults = {f"{s} {k}": v for s in ("agent", "visitor_echo", "acks", "readback")
          for k, v in (d.get(s) or {}).items()
          if isinstance(v, int) and v > 0 and k not in ("delivered", "conversations", "messages")}
print(f"delivery ok {d['ok']}  faults {faults or 'none'}")
PY
echo "report and logs in $out"
exit "$code"
