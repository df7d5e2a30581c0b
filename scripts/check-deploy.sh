#!/usr/bin/env bash
# Proves that the files in deploy/ work, on a machine without Docker or systemd:
#
# 1. deploy/Dockerfile: its build stage is replayed in a scratch directory that holds exactly
#    what its COPY lines copy (honouring .dockerignore), running its RUN lines there, with
#    `cargo build --release` done as `cargo check` sharing CARGO_TARGET_DIR (cheap: the same
#    manifest, lock file and sources are read, include_str! files and the rust-embed folder must
#    be there). CHECK_DEPLOY_FULL=1 runs the RUN lines unchanged (a real release build).
#    The runtime stage: its COPY sources exist, the binary it takes is the one the build makes,
#    and its ENTRYPOINT + CMD is a command line the binary accepts.
# 2. deploy/docker-compose.yml: the build context and Dockerfile exist, the environment given to
#    uniqchat is accepted by `uniqchat config` (real keys, valid values), the volume for logs is
#    mounted where the server writes them.
# 3. deploy/uniqchat.service: ExecStart is a command line the binary accepts at the path the
#    install steps put it, its environment is accepted, it may write its working directory.
# 4. deploy/docker-compose.cluster.yml, deploy/haproxy.cfg, deploy/k8s/*.yaml: see
#    scripts/check-deploy-cluster.py (needs python3 with PyYAML, and haproxy for `haproxy -c`).
# Everywhere in deploy/ and README.md: every UNIQCHAT__SECTION__KEY named is a real setting and
# every `uniqchat --config-dir DIR COMMAND` is a real command.
#
# Usage: scripts/check-deploy.sh   (exit 1 with the reason when something does not hold)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR=never

fail() { echo "check-deploy: $*" >&2; exit 1; }
note() { echo "check-deploy: $*"; }

dockerfile=deploy/Dockerfile
compose=deploy/docker-compose.yml
unit=deploy/uniqchat.service
for f in "$dockerfile" "$compose" "$unit"; do [ -f "$f" ] || fail "$f is missing"; done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
started=$(date +%s)

# The Dockerfile as one instruction per line: comments dropped, continuations joined.
instructions() {
  sed -e '/^[[:space:]]*#/d' "$dockerfile" |
    awk '{ if (sub(/\\[[:space:]]*$/, "")) { buf = buf $0 " " } else { print buf $0; buf = "" } }' |
    sed -e '/^[[:space:]]*$/d'
}

ignored() { # path: is its first component excluded by .dockerignore?
  local first=${1%%/*}
  [ -f .dockerignore ] || return 1
  grep -v '^[[:space:]]*#' .dockerignore | sed -e 's#/$##' -e 's#^/##' | grep -qxF "$first"
}

# ---------------------------------------------------------------- 1. the image's build stage
build_stage=$(instructions | awk 'toupper($1) == "FROM" && toupper($3) == "AS" { print $4; exit }')
[ -n "$build_stage" ] || fail "$dockerfile: no named build stage (FROM … AS name)"
stage="" workdir="" runtime_workdir="" binary_src="" binary_dest="" entrypoint="" cmd=""
declare -A runtime_env=()
declare -A copied_to=() # absolute path in the runtime image -> repository path
while IFS= read -r line; do
  read -r op rest <<<"$line"
  op=${op^^}
  case "$op" in
    FROM)
      stage=$(awk '{ print (toupper($2) == "AS") ? $3 : "" }' <<<"$rest") ;;
    WORKDIR)
      if [ "$stage" = "$build_stage" ]; then
        [ -z "$workdir" ] || fail "$dockerfile: a second WORKDIR in the build stage is not handled"
        workdir=$rest
      else
        runtime_workdir=$rest
      fi ;;
    ENV)
      if [ "$stage" != "$build_stage" ]; then
        for kv in $rest; do runtime_env[${kv%%=*}]=${kv#*=}; done
      fi ;;
    COPY)
      read -r -a args <<<"$rest"
      from=""
      if [[ ${args[0]} == --from=* ]]; then from=${args[0]#--from=}; args=("${args[@]:1}"); fi
      dest=${args[-1]}
      unset 'args[-1]'
      if [ -n "$from" ]; then
        [ "$from" = "$build_stage" ] || fail "$dockerfile: COPY --from=$from: no such stage"
        binary_src=${args[0]} binary_dest=$dest
        continue
      fi
      for src in "${args[@]}"; do
        [ -e "$src" ] || fail "$dockerfile: COPY $src: no such file in the repository"
        ignored "$src" && fail "$dockerfile: COPY $src: excluded by .dockerignore"
        if [ "$stage" != "$build_stage" ]; then
          copied_to[$dest]=$src
          continue
        fi
        case "$dest" in
          /*) [[ $dest == "$workdir"* ]] || fail "$dockerfile: COPY to $dest outside WORKDIR $workdir"
              target="$scratch/${dest#"$workdir"}" ;;
          *) target="$scratch/$dest" ;;
        esac
        if [ -d "$src" ]; then
          mkdir -p "$target" && cp -a "$src/." "$target/"
        elif [[ $dest == */ ]] || [ "${#args[@]}" -gt 1 ]; then
          mkdir -p "$target" && cp -a "$src" "$target/"
        else
          mkdir -p "$(dirname "$target")" && cp -a "$src" "$target"
        fi
      done ;;
    RUN)
      [ "$stage" = "$build_stage" ] || continue
      command=$rest
      if [ "${CHECK_DEPLOY_FULL:-0}" != 1 ]; then
        command=$(sed -e 's/cargo build --release/cargo check/g' -e 's/cargo build/cargo check/g' <<<"$command")
      fi
      note "RUN (in a copy of the build context) $command"
      (cd "$scratch" && sh -ec "$command") || fail "$dockerfile: the build stage fails at: RUN $rest"
      ;;
    ENTRYPOINT) entrypoint=$rest ;;
    CMD) cmd=$rest ;;
  esac
done < <(instructions)
note "the image's build stage builds ($(( $(date +%s) - started )) s)"

# The binary the runtime stage takes is the one the build stage makes.
bin_name=$(awk '/^\[\[bin\]\]/ { inbin = 1; next } /^\[/ { inbin = 0 } inbin && $1 == "name" { gsub(/"/, "", $3); print $3; exit }' Cargo.toml)
[ -n "$bin_name" ] || bin_name=$(awk '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 } p && $1 == "name" { gsub(/"/, "", $3); print $3; exit }' Cargo.toml)
[ "$binary_src" = "$workdir/target/release/$bin_name" ] ||
  fail "$dockerfile: COPY --from=$build_stage $binary_src, but the build makes $workdir/target/release/$bin_name"

# The repository's own binary answers for the image's, the unit's and compose's command lines.
cargo build --quiet --bin "$bin_name"
bin="$CARGO_TARGET_DIR/debug/$bin_name"
secret=check-deploy-secret-0123456789abcdef0123456789

json_words() { sed -e 's/^\[//' -e 's/\]$//' -e 's/",[[:space:]]*"/\n/g' -e 's/"//g' <<<"$1"; }
mapfile -t command_line < <(json_words "$entrypoint"; json_words "$cmd")
[ "${command_line[0]}" = "$binary_dest" ] ||
  fail "$dockerfile: ENTRYPOINT runs ${command_line[0]}, the binary is copied to $binary_dest"

# A command line of deploy/ with its paths mapped to this repository: binary, then arguments.
local_args() {
  local word out=()
  for word in "$@"; do
    if [ -n "${copied_to[$word]:-}" ]; then out+=("$root/${copied_to[$word]}"); else out+=("$word"); fi
  done
  printf '%s\n' "${out[@]}"
}
mapfile -t args < <(local_args "${command_line[@]:1}")
(for k in "${!runtime_env[@]}"; do export "$k=${runtime_env[$k]}"; done
 export UNIQCHAT__AUTH__JWT_SECRET=$secret UNIQCHAT__AUTH__SECRET_KEY=$secret
 "$bin" "${args[@]}" --help >/dev/null && "$bin" "${args[@]:0:${#args[@]}-1}" config >/dev/null) ||
  fail "$dockerfile: the binary refuses ENTRYPOINT + CMD (${command_line[*]}) or its ENV"

# ---------------------------------------------------------------- 2. docker-compose.yml
context=$(awk '$1 == "context:" { print $2; exit }' "$compose")
compose_dockerfile=$(awk '$1 == "dockerfile:" { print $2; exit }' "$compose")
[ -f "deploy/$context/$compose_dockerfile" ] ||
  fail "$compose: build context $context with dockerfile $compose_dockerfile: no such file"
# The uniqchat service's environment, with ${VAR:-default} as its default, ${VAR:?…} as a value.
service_block() { awk -v s="$1" '$0 ~ "^  "s":" { on = 1; next } /^  [a-z]/ { on = 0 } /^[a-z]/ { on = 0 } on' "$compose"; }
mapfile -t compose_env < <(service_block uniqchat | awk '/^    environment:/ { on = 1; next } /^    [a-z]/ { on = 0 } on && /^      [A-Z_]+:/ {
  key = $1; sub(/:$/, "", key); $1 = ""; sub(/^ /, ""); print key "=" $0 }')
[ "${#compose_env[@]}" -gt 0 ] || fail "$compose: no environment for the uniqchat service"
resolved=()
for kv in "${compose_env[@]}"; do
  value=${kv#*=}
  value=$(sed -E -e 's/\$\{[A-Z_]+:-([^}]*)\}/\1/g' -e "s/\\$\\{[A-Z_]+:\\?[^}]*\\}/$secret/g" <<<"$value")
  resolved+=("${kv%%=*}=$value")
done
env -i PATH="$PATH" "${resolved[@]}" "$bin" --config-dir "$root/config" config >"$scratch/compose.toml" 2>"$scratch/err" ||
  fail "$compose: uniqchat refuses the environment it is given: $(cat "$scratch/err")"
log_dir=$(awk '/^\[log\]/ { on = 1; next } /^\[/ { on = 0 } on && $1 == "dir" { gsub(/"/, "", $3); print $3 }' "$scratch/compose.toml")
logs_mount=$(service_block uniqchat | awk '/^    volumes:/ { on = 1; next } /^    [a-z]/ { on = 0 } on && /^      - / { print $2 }' | grep -F ":$runtime_workdir/$log_dir" || true)
[ -n "$logs_mount" ] || fail "$compose: no volume at $runtime_workdir/$log_dir, where the image writes its logs"
grep -qF "mkdir -p $runtime_workdir/$log_dir" "$dockerfile" ||
  fail "$dockerfile: does not create $runtime_workdir/$log_dir for the logs volume"

# ---------------------------------------------------------------- 3. the systemd unit
unit_value() { sed -n -e "s/^$1=//p" "$unit"; }
read -r -a exec_start <<<"$(unit_value ExecStart)"
grep -qE "^#.*install .* target/release/$bin_name ${exec_start[0]}\$" "$unit" ||
  fail "$unit: ExecStart runs ${exec_start[0]}, which the install steps do not put there"
for dir_arg in $(printf '%s\n' "${exec_start[@]}" | grep '^/etc/' || true); do
  grep -qE "^#.*cp -r config $dir_arg( |\$)" "$unit" || fail "$unit: $dir_arg is not where the install steps copy config/"
  copied_to[$dir_arg]=config
done
mapfile -t args < <(local_args "${exec_start[@]:1}")
unit_env=()
while read -r kv; do [ -n "$kv" ] && unit_env+=("$kv"); done < <(unit_value Environment)
env -i PATH="$PATH" "${unit_env[@]}" UNIQCHAT__AUTH__JWT_SECRET=$secret UNIQCHAT__AUTH__SECRET_KEY=$secret "$bin" "${args[@]}" --help >/dev/null 2>&1 ||
  fail "$unit: the binary refuses ExecStart (${exec_start[*]})"
env -i PATH="$PATH" "${unit_env[@]}" UNIQCHAT__AUTH__JWT_SECRET=$secret UNIQCHAT__AUTH__SECRET_KEY=$secret "$bin" "${args[@]:0:${#args[@]}-1}" config >/dev/null 2>"$scratch/err" ||
  fail "$unit: uniqchat refuses its Environment=: $(cat "$scratch/err")"
user=$(unit_value User)
workdir_unit=$(unit_value WorkingDirectory)
grep -qE "^#.*useradd .*--home-dir $workdir_unit .* $user\$" "$unit" ||
  fail "$unit: the install steps do not create user $user with home $workdir_unit"
unit_value ReadWritePaths | tr ' ' '\n' | grep -qxF "$workdir_unit" ||
  fail "$unit: WorkingDirectory $workdir_unit (logs, SQLite) is not in ReadWritePaths"

# ---------------------------------------------------------------- names used in the docs
"$bin" --config-dir "$root/config" config | awk '
  /^\[/ { section = $0; gsub(/[\[\]]/, "", section); next }
  $2 == "=" && section != "" { print "UNIQCHAT__" toupper(section) "__" toupper($1) }' >"$scratch/keys"
# (UNIQCHAT__SECTION__KEY is the README's pattern, not a name.)
for name in $(grep -rohE 'UNIQCHAT__[A-Z0-9_]+' deploy README.md | grep -vx UNIQCHAT__SECTION__KEY | sort -u); do
  grep -qxF "$name" "$scratch/keys" || fail "$name (in deploy/ or README.md) is not a setting"
done
grep -rohE 'uniqchat --config-dir [^ ]+ [a-z]+' deploy README.md | sort -u | while read -r _ _ dir sub; do
  "$bin" --config-dir "$root/config" "$sub" --help >/dev/null 2>&1 ||
    fail "uniqchat --config-dir $dir $sub (in deploy/ or README.md): no such command"
done

# ---------------------------------------------------------------- 4. the cluster files
command -v haproxy >/dev/null || fail "haproxy is not installed (apt-get install haproxy): it checks deploy/haproxy.cfg"
python3 -c 'import yaml' 2>/dev/null || fail "python3 with PyYAML is needed (python3 -m pip install pyyaml)"
python3 scripts/check-deploy-cluster.py "$bin" "$root/config"

note "deploy/ holds up ($(( $(date +%s) - started )) s)"
