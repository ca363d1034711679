#!/usr/bin/env bash
# Runs the pipeline macro-benchmarks on a stack of their own: starts Redis, PostgreSQL and the
# dev Kafka broker (tools/stack/stack.sh) in a temporary directory on their own ports, runs
# candor-aggregator-bench and candor-scorer-bench against it, stops and deletes the stack, and
# leaves the figures as JSON in bench/results/ (git-ignored). Tables go to stdout, progress to
# stderr.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"  # also sets repo_root

usage() {
  cat <<EOF
Usage: $(basename "$0") [options]

Starts a throwaway stack, runs the aggregator and fraud-scorer benchmarks, stops the stack.

Options:
  --build-dir DIR        build tree holding the binaries      (${repo_root}/build/release)
                         needs: candor-aggregator-bench candor-scorer-bench candor-dev-kafka
  --dir DIR              stack directory (must not exist yet)  (a new /tmp/candor-pipeline.XXXXXX)
  --redis-port N         Redis port                            (6794)
  --pg-port N            PostgreSQL port                       (5794)
  --kafka-port N         Kafka bootstrap port                  (9794)
  --results DIR          where the JSON goes                   (${repo_root}/bench/results)
  --quick                a smoke run: small sizes, few reviews (about 30 s)
  --aggregator-flags S   extra flags for candor-aggregator-bench (word-split)
  --scorer-flags S       extra flags for candor-scorer-bench (word-split)
  --only NAME            run only 'aggregator' or 'scorer'
  --keep-stack           leave the stack running afterwards (prints how to stop it)
  --help                 print this help

Build first (Release; figures from other build types mean little):
  cmake --preset release
  cmake --build --preset release --target candor-aggregator-bench candor-scorer-bench candor-dev-kafka
EOF
}

build_dir=${repo_root}/build/release
stack_dir=""
redis_port=6794
pg_port=5794
kafka_port=9794
results_dir=${repo_root}/bench/results
quick=0
agg_flags=""
scorer_flags=""
only=""
keep_stack=0
parse_options --quick:quick=1 --keep-stack:keep_stack=1 --build-dir=build_dir --dir=stack_dir \
  --redis-port=redis_port --pg-port=pg_port --kafka-port=kafka_port --results=results_dir \
  --aggregator-flags=agg_flags --scorer-flags=scorer_flags --only=only -- "$@"
[[ -z ${only} || ${only} == aggregator || ${only} == scorer ]] ||
  die "--only takes 'aggregator' or 'scorer', got '${only}'"

agg_bin=${build_dir}/bench/pipeline/candor-aggregator-bench
scorer_bin=${build_dir}/bench/pipeline/candor-scorer-bench
kafka_bin=${build_dir}/tools/dev-kafka/candor-dev-kafka
require_built "${agg_bin}" "${scorer_bin}" "${kafka_bin}"

# A port someone else listens on would make stack.sh fail half-way, or worse, find another
# stack's server; refuse up front and name it.
for pair in "redis-port:${redis_port}" "pg-port:${pg_port}" "kafka-port:${kafka_port}"; do
  port=${pair#*:}
  [[ ${port} =~ ^[0-9]+$ ]] || die "--${pair%%:*} must be a number, got '${port}'"
  if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
    die "port ${port} is in use; pick another with --${pair%%:*}"
  fi
done

if [[ -z ${stack_dir} ]]; then
  stack_dir=$(mktemp -d /tmp/candor-pipeline.XXXXXX)
  rmdir "${stack_dir}"  # stack.sh creates it, and refuses nothing that is not its own
elif [[ -e ${stack_dir} ]]; then
  die "${stack_dir} exists; give a new directory (it is deleted afterwards)"
fi

stack=("${repo_root}/tools/stack/stack.sh")
stack_opts=(--dir "${stack_dir}" --redis-port "${redis_port}" --pg-port "${pg_port}"
  --kafka-port "${kafka_port}" --dev-kafka "${kafka_bin}")
# shellcheck disable=SC2317 # called by the EXIT trap
stop_stack() {
  if ((keep_stack)); then
    log "stack left running; stop it with: tools/stack/stack.sh down --dir ${stack_dir} --purge"
  else
    "${stack[@]}" down --dir "${stack_dir}" --purge || log "warning: stopping the stack failed"
  fi
}
trap stop_stack EXIT

log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "starting a stack in ${stack_dir} (redis ${redis_port}, postgres ${pg_port}, kafka ${kafka_port})"
eval "$("${stack[@]}" up "${stack_opts[@]}")"

mkdir -p "${results_dir}"  # bench/results/ is git-ignored: figures are per machine and run
stamp=$(date +%Y%m%d-%H%M%S)

agg_defaults=()
scorer_defaults=()
if ((quick)); then
  agg_defaults=(--sizes "10,1000,10000" --reviews 1000 --naive-reviews 200 --naive-budget-s 2
    --peak-events 10000 --peak-consumers 1)
  scorer_defaults=(--reviews 5000 --warmup-batches 2)
else
  scorer_defaults=(--instances "1,2" --repeat 3 --reviews 20000)
fi

status=0
if [[ -z ${only} || ${only} == aggregator ]]; then
  log "candor-aggregator-bench"
  # shellcheck disable=SC2086 # the extra flags are meant to be word-split
  "${agg_bin}" "${agg_defaults[@]}" --json "${results_dir}/pipeline-${stamp}-aggregator.json" \
    ${agg_flags} || status=$?
fi
if [[ -z ${only} || ${only} == scorer ]]; then
  log "candor-scorer-bench (the service as built)"
  # shellcheck disable=SC2086
  "${scorer_bin}" "${scorer_defaults[@]}" --json "${results_dir}/pipeline-${stamp}-scorer.json" \
    ${scorer_flags} || status=$?
  # The producer as libs/kafka configures it leaves Nagle's algorithm on, which costs the
  # publish step about 40 ms per batch against the mock broker; this run shows the difference.
  log "candor-scorer-bench (producer with socket.nagle.disable=true)"
  # shellcheck disable=SC2086
  "${scorer_bin}" "${scorer_defaults[@]}" --window-modes pipelined \
    --kafka-props socket.nagle.disable=true \
    --json "${results_dir}/pipeline-${stamp}-scorer-nagle-off.json" ${scorer_flags} || status=$?
fi
log "figures in ${results_dir}/pipeline-${stamp}-*.json"
((status == 0)) || log "a benchmark failed or found a mismatch (exit ${status})"
exit "${status}"
