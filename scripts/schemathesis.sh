#!/usr/bin/env bash
# Fuzzes the HTTP API from its own OpenAPI document with schemathesis (from PyPI): a fresh server
# on SQLite, one tenant, then two runs over every operation — as the tenant's owner and without a
# token. Fails on any 5xx, any answer whose body or status the document does not describe.
#
# Usage: scripts/schemathesis.sh PATH/TO/uniqchat   (builds nothing; e.g. target/debug/uniqchat)
#
# - The venv lives in target/schemathesis-venv (reused while the pinned version matches; the
#   first run installs it, later runs start at once). Reports go to target/schemathesis/.
# - Checks: all, but positive_data_acceptance. With all checks on (SCHEMATHESIS_CHECKS=all
#   SCHEMATHESIS_EXCLUDE_CHECKS= shows it) that one alone fails, on answers that are right but that
#   the schema cannot or does not say: a control character in any string is refused (422;
#   JSON Schema has no "no control characters" short of a pattern on every string), and lengths
#   (an empty `name` or `q` is 422) are checked by the handlers without minLength/maxLength in
#   every schema. Every other check passes, including negative_data_rejection.
# - Phases: examples, coverage, fuzzing (not stateful: it would chain DELETEs and sign-outs).
# - Excluded operations, because they would end the run for the ones after them:
#   POST /api/auth/logout (revokes the owner's token in use), POST /api/auth/password (a
#   successful change ends every session of the owner), DELETE /api/admin/tenant (deletes the
#   tenant and its owner). Everything else runs; operations on ids the run does not know answer
#   404, which the document lists.
# - One worker: with two, hypothesis (under Python 3.11) intermittently fails inside its own
#   lambda-description code ("AST constructor recursion depth mismatch"), an error of the tool
#   that would fail the run.
# - Bounded: SCHEMATHESIS_MAX_EXAMPLES per operation (default 50) and a fixed seed
#   (SCHEMATHESIS_SEED), so a run is repeatable (schemathesis 3's --hypothesis-max-examples and
#   --hypothesis-seed are --max-examples and --seed in 4). Measured on a 2-core machine with other
#   builds running, both runs together: 50 examples 1 min 18 s (the default), 100: 2 min 56 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bin=${1:?usage: scripts/schemathesis.sh PATH/TO/uniqchat}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[ -x "$bin" ] || { echo "schemathesis.sh: $bin is not an executable" >&2; exit 2; }

version=4.32.5
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-50}
checks=${SCHEMATHESIS_CHECKS:-all}
exclude_checks=${SCHEMATHESIS_EXCLUDE_CHECKS-positive_data_acceptance}
seed=${SCHEMATHESIS_SEED:-20261130}
target=${CARGO_TARGET_DIR:-$root/target}
venv=$target/schemathesis-venv
reports=$target/schemathesis

if [ "$("$venv/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $version" ]; then
  echo "schemathesis.sh: installing schemathesis $version into $venv"
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
py=$venv/bin/python

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
db="sqlite://$work/data/test.db?mode=rwc"
mkdir -p "$work/data"

uniqchat() {
  (cd "$work" && env -u UNIQCHAT_CONFIG UNIQCHAT_PROFILE=test "$bin" --config-dir "$root/config" "$@")
}

# Rate limits off (the run sends hundreds of requests a second from one address), generous
# sign-in limits; the rest is the test profile (config/test.toml).
export UNIQCHAT__DATABASE__URL=$db
export UNIQCHAT__RATE_LIMIT__ENABLED=false
export UNIQCHAT__AUTH__LOGIN_PER_MINUTE_ACCOUNT=100000
export UNIQCHAT__AUTH__LOGIN_PER_MINUTE_IP=100000
# Started directly, not through the function: `exec` makes the background job the server
# itself, so the pid recorded is the one cleanup must stop (through the function it was a
# subshell, and the server outlived the run).
(cd "$work" && exec env -u UNIQCHAT_CONFIG UNIQCHAT_PROFILE=test "$bin" --config-dir "$root/config" \
  serve --bind "127.0.0.1:$port") >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "schemathesis.sh: server exited" >&2; exit 1; }
  sleep 0.25
done
curl -fsS "$base/healthz" >/dev/null

password=schemathesis-password-1
uniqchat --database-url "$db" init --json --tenant Fuzz --email owner@fuzz.test --password "$password" >"$work/init.json"
token=$(curl -fsS -H 'content-type: application/json' \
  -d "{\"email\":\"owner@fuzz.test\",\"password\":\"$password\"}" "$base/api/auth/login" |
  "$py" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

excluded=(
  --exclude-path /api/auth/logout
  --exclude-path /api/auth/password
  --exclude-path /api/admin/tenant
)

run() { # name, extra args...
  local name=$1; shift
  echo "==> schemathesis ($name)"
  # From the temp dir: schemathesis keeps a cache of past failures in .schemathesis/ of its
  # working directory and would replay them; every run starts fresh.
  (cd "$work" && "$venv/bin/schemathesis" run "$base/api/openapi.json" \
    --checks "$checks" ${exclude_checks:+--exclude-checks "$exclude_checks"} \
    --phases examples,coverage,fuzzing \
    --max-examples "$max_examples" --seed "$seed" \
    --workers 1 --request-timeout 10 --no-color --generation-database none \
    --report junit --report-junit-path "$reports/$name.xml" \
    "${excluded[@]}" "$@")
}

mkdir -p "$reports"
status=0
run owner -H "Authorization: Bearer $token" || status=1
run anonymous || status=1
if [ "$status" != 0 ]; then
  echo "schemathesis.sh: failures above (server log: last lines below)" >&2
  tail -n 40 "$work/server.log" >&2
fi
exit "$status"
