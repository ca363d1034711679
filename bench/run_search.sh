#!/usr/bin/env bash
# Review search benchmarks (design.md 7, issue 12), each beside its reference in the same run:
#   index   indexing docs/s through XapianSearchIndex beside a bare Xapian loop on the same
#           documents (candor-micro-bench BM_IndexCandor / BM_IndexBareXapian, via run_micro.sh)
#   search  search latency over --reviews reviews at --rate queries/s, open loop: SearchReviews'
#           path (XapianReaderPool) beside bare Xapian's top 10 (candor-search-bench)
#   grpc    the same search load through the gateway (SearchReviews over gRPC on the index the
#           search part built, candor-drive bench --mix search, open loop) beside the no-op RPC at
#           the same rate on the same server (BenchService/Noop: gRPC, authentication, nothing else)
#   fresh   submit OK -> searchable beside submit OK -> counted, on the same probe reviews, while
#           candor-drive submits at --submit-rate through the whole local stack
#           (scripts/demo.sh --keep-running, then candor-drive bench and candor-search-freshness)
# Output lands in bench/results/<date>/ (git-ignored) and on stdout.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"  # also sets repo_root

usage() {
  cat <<EOF
Usage: $(basename "$0") [options]

Options:
  --build-dir DIR     build tree holding the binaries     (${repo_root}/build/release)
  --results DIR       where the output goes               (${repo_root}/bench/results)
  --only LIST         some of index,search,grpc,fresh     (all four)
  --reviews N         documents in the search index       (1000000)
  --index-dir DIR     where that index is built or reused (/tmp/candor-search-bench-index)
  --rate R            queries per second, open loop        (500)
  --duration-s S      measured seconds of each run         (60)
  --submit-rate R     submissions per second under fresh   (2000)
EOF
  client_schedule_help
  cat <<EOF
  --help              print this help
EOF
}

build_dir=${repo_root}/build/release
results_dir=${repo_root}/bench/results
only=index,search,grpc,fresh
reviews=1000000
index_dir=/tmp/candor-search-bench-index
rate=500
duration_s=60
submit_rate=2000
client_sched=fifo
client_nice=0
parse_options --build-dir=build_dir --results=results_dir --only=only --reviews=reviews \
  --index-dir=index_dir --rate=rate --duration-s=duration_s --submit-rate=submit_rate \
  --client-sched=client_sched --client-nice=client_nice -- "$@"
client_schedule "${client_sched}" "${client_nice}"
wants() { [[ ,${only}, == *,$1,* ]]; }

out_dir=${results_dir}/$(date +%F)
mkdir -p "${out_dir}"
stamp=$(date +%H%M%S)
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other engineers' work counts against every figure)"

if wants index; then
  log "index: BM_IndexCandor beside BM_IndexBareXapian (bench/run_micro.sh)"
  "${repo_root}/bench/run_micro.sh" --build-dir "${build_dir}" --results "${results_dir}" \
    --only cpu --repetitions 5 -- --benchmark_filter='BM_Index'
fi

if wants search; then
  bin=${build_dir}/bench/search/candor-search-bench
  [[ -x ${bin} ]] || die "${bin} not built (cmake --build ${build_dir} --target candor-search-bench)"
  out=${out_dir}/${stamp}-search-${reviews}.txt
  log "search: ${reviews} reviews at ${rate}/s for ${duration_s} s -> ${out}"
  "${bin}" --reviews "${reviews}" --index-dir "${index_dir}" --rate "${rate}" \
    --duration-s "${duration_s}" --warmup-s 10 | tee "${out}"
fi

if wants grpc; then
  drive=${build_dir}/tools/candor-drive/candor-drive
  write_path_binaries "${build_dir}"
  [[ -d ${index_dir} ]] || die "no index in ${index_dir}: run the search part first"
  export CANDOR_STACK_DIR=/tmp/candor-search-grpc-stack
  export CANDOR_REDIS_PORT=${CANDOR_REDIS_PORT:-16490} CANDOR_PG_PORT=${CANDOR_PG_PORT:-15540}
  export CANDOR_KAFKA_PORT=${CANDOR_KAFKA_PORT:-19193}
  grpc_addr=127.0.0.1:15152
  CANDOR_JWT_SECRET=${CANDOR_JWT_SECRET:-$(openssl rand -hex 32)}
  export CANDOR_JWT_SECRET
  log "grpc: a stack in ${CANDOR_STACK_DIR} and a gateway on ${grpc_addr} reading ${index_dir}"
  "${repo_root}/tools/stack/stack.sh" up --dev-kafka "${kafka_bin}" >/dev/null
  eval "$("${repo_root}/tools/stack/stack.sh" env)"
  # The gateway only reads the index (a second reader of the search part's directory).
  "${gateway_bin}" --listen "${grpc_addr}" --search-index-dir "${index_dir}" --bench-noop \
    --log-level warn >"${out_dir}/${stamp}-grpc-gateway.log" 2>&1 &
  gw_pid=$!
  trap 'kill "${gw_pid}" 2>/dev/null || true; "${repo_root}/tools/stack/stack.sh" down >/dev/null 2>&1 || true' EXIT
  for mix in search noop; do
    out=${out_dir}/${stamp}-grpc-${mix}-${rate}.txt
    log "grpc: ${mix} at ${rate}/s for ${duration_s} s, candor-drive at ${client_how} -> ${out}"
    "${client[@]}" "${drive}" bench "${demo_reviews_file}" --gateway "${grpc_addr}" --mix "${mix}" --rate "${rate}" \
      --duration-s "${duration_s}" --warmup-s 5 --freshness-probes 0 --progress=false --wait-s 10 \
      >"${out}" 2>&1 || log "warning: the ${mix} run failed (${out})"
    grep -E "^(op|${mix}) " "${out}" || true
  done
  kill "${gw_pid}" 2>/dev/null || true
  wait "${gw_pid}" 2>/dev/null || true
  "${repo_root}/tools/stack/stack.sh" down >/dev/null 2>&1 || true
  trap - EXIT
  unset CANDOR_STACK_DIR
fi

if wants fresh; then
  drive=${build_dir}/tools/candor-drive/candor-drive
  probe=${build_dir}/bench/search/candor-search-freshness
  [[ -x ${probe} ]] || die "${probe} not built (cmake --build ${build_dir} --target candor-search-freshness)"
  # A stack and services of their own (ports apart from a developer's stack), one secret for
  # the gateway and both clients.
  # Its own stack directory, fresh each run unless CANDOR_STACK_DIR names one: the fraud
  # windows of an earlier run (rejected load from the same addresses) would judge this one.
  if [[ -z ${CANDOR_STACK_DIR:-} ]]; then
    export CANDOR_STACK_DIR=/tmp/candor-search-fresh-stack
    "${repo_root}/tools/stack/stack.sh" down >/dev/null 2>&1 || true
    rm -rf "${CANDOR_STACK_DIR}"
  fi
  export CANDOR_REDIS_PORT=${CANDOR_REDIS_PORT:-16490} CANDOR_PG_PORT=${CANDOR_PG_PORT:-15540}
  export CANDOR_KAFKA_PORT=${CANDOR_KAFKA_PORT:-19193}
  export CANDOR_GATEWAY_LISTEN=${CANDOR_GATEWAY_LISTEN:-127.0.0.1:15151}
  export CANDOR_GATEWAY_HTTP_PORT=-1  # gRPC only
  CANDOR_JWT_SECRET=${CANDOR_JWT_SECRET:-$(openssl rand -hex 32)}
  export CANDOR_JWT_SECRET
  out=${out_dir}/${stamp}-fresh-${submit_rate}.txt
  log "fresh: starting the stack and services (scripts/demo.sh --keep-running, 100 warm-up reviews)"
  "${repo_root}/scripts/demo.sh" --build-dir "${build_dir}" --count 100 --keep-running \
    >"${out_dir}/${stamp}-fresh-demo.txt" 2>&1 ||
    die "the stack did not start (${out_dir}/${stamp}-fresh-demo.txt)"
  trap '"${repo_root}/scripts/demo.sh" --stop >/dev/null 2>&1 || true' EXIT
  log "fresh: ${submit_rate} submissions/s for ${duration_s} s with 4 probes/s beside -> ${out}"
  "${drive}" bench --gateway "${CANDOR_GATEWAY_LISTEN}" --mix submit --rate "${submit_rate}" \
    --duration-s "$((duration_s + 5))" --warmup-s 0 --freshness-probes 0 --progress=false \
    >"${out_dir}/${stamp}-fresh-load.txt" 2>&1 &
  load_pid=$!
  sleep 3  # the load at its rate first
  "${probe}" --gateway "${CANDOR_GATEWAY_LISTEN}" --per-second 4 --duration-s "${duration_s}" |
    tee "${out}" || true
  wait "${load_pid}" || log "warning: the load run failed (${out_dir}/${stamp}-fresh-load.txt)"
  grep -E 'Submit|Throughput|latency|Outcome' "${out_dir}/${stamp}-fresh-load.txt" | head -8 || true
fi
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
