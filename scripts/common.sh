# Sourced by scripts/demo.sh and the bench scripts (never run): log lines and fatal errors on
# stderr, stamped with the time and `script_name` (the sourcing script's file name without .sh);
# the command line (parse_options) and what a script needs before it starts; and starting,
# checking and stopping the services a script runs.
# shellcheck shell=bash

# The repository's root, for the sourcing script's paths (this file is <root>/scripts/common.sh).
# shellcheck disable=SC2034 # the variable is the sourcing script's
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The data sets (../shared/data beside the repository, or $CANDOR_DATA_DIR), and the reviews the
# demo-based benchmarks replay unless told otherwise.
# shellcheck disable=SC2034 # the sourcing script's
candor_data_dir=${CANDOR_DATA_DIR:-${repo_root}/../shared/data}
# shellcheck disable=SC2034 # the sourcing script's
demo_reviews_file=${candor_data_dir}/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz

# shellcheck disable=SC2034 # the sourcing script's too
script_name=$(basename "${BASH_SOURCE[1]:-candor}" .sh)

log() { printf '%s %s: %s\n' "$(date +%H:%M:%S)" "${script_name:-candor}" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# usage_error MESSAGE: a command line the script cannot take. Prints the script's `usage` and
# the message on stderr and exits 2 (a fatal error at run time is `die`, exit 1).
usage_error() {
  usage >&2
  log "error: $*"
  exit 2
}

# parse_options SPEC... -- ARG...: reads the sourcing script's command line (ARG...) by its SPECs:
#   --name=var      an option with a value (`--name V` or `--name=V`), stored in the variable var
#   --name:var=V    a switch: `--name` sets var to V
#   operands        words that are not options, and every word after a lone `--`, are taken (in
#                   the array `operands`) instead of refused
# -h / --help prints `usage` and exits 0; an unknown option, a missing value or an operand the
# script does not take is a usage_error. The variables keep their defaults unless given.
parse_options() {
  local -A po_takes=() po_sets=()
  local po_operands=0 po_spec po_name
  while (($# > 0)); do
    po_spec=$1
    shift
    case ${po_spec} in
      --) break ;;
      operands) po_operands=1 ;;
      --*:*=*) po_sets[${po_spec%%:*}]=${po_spec#*:} ;;
      --*=*) po_takes[${po_spec%%=*}]=${po_spec#*=} ;;
      *) die "parse_options: '${po_spec}' is not a SPEC" ;;
    esac
  done
  operands=()
  while (($# > 0)); do
    case $1 in
      -h | --help)
        usage
        exit 0
        ;;
      --)
        shift
        ((po_operands || $# == 0)) || usage_error "unexpected arguments after --: $*"
        operands+=("$@")
        break
        ;;
      --*=*)
        po_name=${1%%=*}
        [[ -v po_takes[${po_name}] ]] || usage_error "unknown option '$1'"
        printf -v "${po_takes[${po_name}]}" '%s' "${1#*=}"
        shift
        ;;
      -*)
        if [[ -v po_takes[$1] ]]; then
          (($# >= 2)) || usage_error "$1 needs a value"
          printf -v "${po_takes[$1]}" '%s' "$2"
          shift 2
        elif [[ -v po_sets[$1] ]]; then
          printf -v "${po_sets[$1]%%=*}" '%s' "${po_sets[$1]#*=}"
          shift
        else
          usage_error "unknown option '$1'"
        fi
        ;;
      *)
        ((po_operands)) || usage_error "unknown argument '$1'"
        operands+=("$1")
        shift
        ;;
    esac
  done
}

# require_built FILE...: dies unless every FILE is an executable (a binary the script runs);
# require_commands NAME...: dies unless every NAME is on PATH.
require_built() {
  local bin
  for bin in "$@"; do
    [[ -x ${bin} ]] || die "${bin} is not built (see --help)"
  done
}
require_commands() {
  local tool
  for tool in "$@"; do
    command -v "${tool}" >/dev/null || die "${tool} is not installed (scripts/setup.sh)"
  done
}

# write_path_binaries DIR: sets gateway_bin, fraud_bin, aggregator_bin, kafka_bin and drive_bin
# (the write path, the dev Kafka broker and the traffic tool) under the build directory DIR, and
# lists in `missing_bins` those that are not built (empty when all are).
# shellcheck disable=SC2034 # the variables are the sourcing script's
write_path_binaries() {
  gateway_bin=$1/services/review-gateway/candor-review-gateway
  fraud_bin=$1/services/fraud-scorer/candor-fraud-scorer
  aggregator_bin=$1/services/rating-aggregator/candor-rating-aggregator
  kafka_bin=$1/tools/dev-kafka/candor-dev-kafka
  drive_bin=$1/tools/candor-drive/candor-drive
  missing_bins=()
  local bin
  for bin in "${gateway_bin}" "${fraud_bin}" "${aggregator_bin}" "${kafka_bin}" "${drive_bin}"; do
    [[ -x ${bin} ]] || missing_bins+=("${bin}")
  done
}

# set_ports R,P,K,G: sets redis_port, pg_port, kafka_port and gateway_addr (127.0.0.1:G) from a
# script's --ports value; dies on anything else.
# shellcheck disable=SC2034 # the variables are the sourcing script's
set_ports() {
  [[ $1 =~ ^[0-9]+,[0-9]+,[0-9]+,[0-9]+$ ]] || die "--ports wants four numbers: R,P,K,G"
  local gateway_port
  IFS=, read -r redis_port pg_port kafka_port gateway_port <<<"$1"
  gateway_addr=127.0.0.1:${gateway_port}
}

# The services a script runs, by name (start_service fills it in); the script sets `log_dir`.
declare -A pid=()

# start_service NAME CMD...: starts CMD in its own session, output appended to LOG_DIR/NAME.log.
# candor-drive gives every synthetic shopper an address of its own and sends it as
# x-forwarded-for (tools/candor-drive/README.md), as a shop's edge proxy would; the gateway
# believes that header only from the proxies it trusts, here the driver's loopback address.
# Without it every review would come from 127.0.0.1 and the fraud model's shared-address features
# would see one machine behind all shoppers. An operator's own setting is kept.
trust_the_driver() {
  export CANDOR_GATEWAY_TRUSTED_PROXIES=${CANDOR_GATEWAY_TRUSTED_PROXIES:-127.0.0.1/32,::1/128}
}

start_service() {
  local name=$1
  shift
  # shellcheck disable=SC2154 # log_dir is the sourcing script's
  setsid "$@" </dev/null >>"${log_dir}/${name}.log" 2>&1 &
  pid[${name}]=$!
}

# stop_service NAME PID: SIGTERM (a service drains: the gateway finishes its calls and flushes
# Kafka, the consumers commit), then SIGKILL if it is still there 30 s later. Only a pid whose
# command line is candor-NAME is signalled, so a stale pid cannot hit a stranger.
stop_service() {
  local name=$1 p=$2 i
  kill -0 "${p}" 2>/dev/null || return 0
  tr '\0' ' ' <"/proc/${p}/cmdline" 2>/dev/null | grep -qF "candor-${name}" || return 0
  log "stopping ${name} (pid ${p})"
  kill -TERM "${p}" 2>/dev/null || return 0
  for ((i = 0; i < 300; i++)); do
    kill -0 "${p}" 2>/dev/null || return 0
    sleep 0.1
  done
  log "warning: ${name} did not exit 30 s after SIGTERM; sending SIGKILL"
  kill -KILL "${p}" 2>/dev/null || true
}

# Dies with the log's tail if any started service has exited.
check_services() {
  local name
  for name in "${!pid[@]}"; do
    if ! kill -0 "${pid[${name}]}" 2>/dev/null; then
      tail -n 25 "${log_dir}/${name}.log" >&2
      die "${name} exited (log above)"
    fi
  done
}

# random_port: a port from 20000-31999 at random, for a run that must not meet a developer's
# defaults (not checked: collisions are rare and fail loudly).
random_port() { echo $((20000 + RANDOM % 12000)); }

# demo_stack_of_its_own NAME GATEWAY_PORT: for a bench script that runs scripts/demo.sh, a stack
# and a gateway of the run's own, so a developer's stack and demo are left alone. Sets stack_dir
# (/tmp/candor-NAME-bench.*, made by stack.sh) and exports what demo.sh and stack.sh read: that
# directory with free (auto) store ports, the gateway on 127.0.0.1:GATEWAY_PORT with the no-op
# RPC (BenchService/Noop), admin ports picked free by each service (reco-api's at random: the
# demo polls its /readyz), a fresh token secret. On exit the demo stops and the stack is purged.
# shellcheck disable=SC2034 # stack_dir is the sourcing script's
demo_stack_of_its_own() {
  stack_dir=$(mktemp -d "/tmp/candor-$1-bench.XXXXXX")
  rmdir "${stack_dir}"  # stack.sh creates it
  export CANDOR_STACK_DIR=${stack_dir} CANDOR_REDIS_PORT=auto CANDOR_PG_PORT=auto CANDOR_KAFKA_PORT=auto
  export CANDOR_GATEWAY_LISTEN=127.0.0.1:$2 CANDOR_GATEWAY_ADDR=127.0.0.1:$2
  export CANDOR_GATEWAY_BENCH_NOOP=1
  # So that two runs, or a run beside a developer's demo, never meet on an admin port.
  export CANDOR_GATEWAY_ADMIN_PORT=0 CANDOR_FRAUD_ADMIN_PORT=0 CANDOR_AGG_ADMIN_PORT=0 \
    CANDOR_RANKER_ADMIN_PORT=0 CANDOR_INDEX_ADMIN_PORT=0
  CANDOR_RECO_ADMIN_PORT=$(random_port)
  export CANDOR_RECO_ADMIN_PORT
  CANDOR_JWT_SECRET=$(openssl rand -hex 32)
  export CANDOR_JWT_SECRET
  trap stop_demo_stack EXIT
}

stop_demo_stack() {
  "${repo_root}/scripts/demo.sh" --stop >/dev/null 2>&1 || true
  "${repo_root}/tools/stack/stack.sh" down --purge >/dev/null 2>&1 || true
}

# The load generator shares the machine's cores with the services it measures. Under the normal
# scheduler its sender waits for a core now and then (lateness up to 30 ms, p99 up to 11 ms on 2
# cores, at -10 niceness or not), and an open loop charges that lateness to every call it delays;
# under SCHED_FIFO it runs when due (lag p99 < 0.1 ms) and what is left is the server's
# (bench/README.md, "ListReviews pages kept while their ranking stands"). Closed loops at the
# maximum keep the normal scheduler: a real-time client there would take a core from the server.

# client_schedule_help: the --client-sched / --client-nice lines of a bench script's --help.
client_schedule_help() {
  cat <<'HELP'
  --client-sched S    how the load generator (candor-drive) of the open loops is scheduled: fifo
                      (default: SCHED_FIFO priority 5, by chrt; needs root, else it falls back to
                      other with a warning) or other (the normal scheduler, at --client-nice).
                      Under other, its own lateness on a busy machine (up to 30 ms on 2 cores)
                      counts in every call's latency; see bench/README.md
  --client-nice N     with --client-sched other: its niceness, -20 to 19 (default 0)
HELP
}

# client_schedule SCHED NICE: sets `client`, the command prefix that runs the load generator
# (chrt -f 5, or nice -n NICE), and `client_how` that says so in a log line; dies on a bad value.
# fifo falls back to other, with a warning, where chrt is not permitted (not root).
# shellcheck disable=SC2034 # the variables are the sourcing script's
client_schedule() {
  local sched=$1 niceness=$2
  if ! [[ ${niceness} =~ ^-?([0-9]|1[0-9]|20)$ ]] || ((niceness < -20 || niceness > 19)); then
    die "--client-nice must be -20 to 19, got '${niceness}'"
  fi
  case ${sched} in
    fifo)
      if ! chrt -f 5 true 2>/dev/null; then
        log "warning: chrt -f 5 is not permitted here (not root?): the load generator runs" \
          "under the normal scheduler"
        sched=other
      fi
      ;;
    other) ;;
    *) die "--client-sched must be fifo or other, got '${sched}'" ;;
  esac
  if [[ ${sched} == fifo ]]; then
    client=(chrt -f 5)
    client_how="SCHED_FIFO 5"
  else
    client=(nice -n "${niceness}")
    client_how="niceness ${niceness}"
  fi
}
