#!/usr/bin/env bash
# issue 14's latency target in one run on one machine: reco-api's Recommend in an open loop at
# 1,000 calls/s beside the gateway's no-op RPC (BenchService/Noop: gRPC and authentication,
# nothing else) at the same rate, alternating, with each server's CPU per call. The data is real:
# the Musical Instruments reviews replayed by scripts/demo.sh on a stack of its own, with reco-api
# following review-events, so the shoppers asking have their reviews as histories. Builds nothing;
# writes every output into bench/results/<date>/.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"  # sets repo_root
cd "${repo_root}"

usage() {
  cat <<'EOF'
Usage: bench/run_reco.sh [options]

Expects the release preset built (what scripts/demo.sh runs, reco-api, and candor-reco-train
unless --model is given):
  cmake --preset release && cmake --build build/release --target candor-review-gateway \
    candor-fraud-scorer candor-rating-aggregator candor-helpfulness-ranker candor-index-writer \
    candor-dev-kafka candor-drive candor-token candor-search candor-reco-api candor-reco-train
Then:
  1. scripts/demo.sh REVIEWS_FILE --keep-running --no-votes on a stack of its own (a temp dir, free
     ports, the gateway with --bench-noop): reco-api with --model (or a model the demo trains on
     the file, about 30 s), the file's reviews imported through the gateway and followed by
     reco-api (review-events), so every reviewer has a history;
  2. --rounds times, one after the other: BenchService/Noop on the gateway, then each of --ops on
     reco-api (recommend: Recommend for a reviewer of the file drawn by their reviews, with their
     own token, --reco-count items; similar: SimilarItems of a product of the file), each an open
     loop at --rate for --duration-s after a 5 s warm-up (candor-drive bench REVIEWS_FILE --mix
     OP), with the CPU time of the gateway and reco-api over each run (/proc/<pid>/stat);
  3. scripts/demo.sh --stop.
and prints each run's figures and whether Recommend's p99 met --target-p99-ms. About 4 minutes
with the defaults. reco-api's own settings come from the environment, as the demo starts it, e.g.
  CANDOR_RECO_INDEX=exact CANDOR_RECO_CANDIDATES=200 bench/run_reco.sh --model mi.tt
(services/reco-api/README.md lists them); the run prints the ones set.

Options:
  --build-dir DIR     binaries (default build/release)
  --out DIR           results (default bench/results/<YYYY-MM-DD>; files prefixed HHMMSS-reco-)
  --model FILE        reco-api's two-tower model (candor-reco-train --out); default: trained by
                      the demo on --reviews-file
  --rate R            calls per second of every open loop (default 1000)
  --duration-s N      measured seconds per run (default 30)
  --rounds N          noop + --ops rounds (default 2)
  --ops LIST          reco-api operations measured beside noop (default recommend; e.g.
                      recommend,similar)
  --reco-count N      items a recommend / similar call asks for (default 10)
  --target-p99-ms MS  Recommend's target (default 30, issue 14)
EOF
  client_schedule_help
  cat <<'EOF'
  --reviews-file F    default ../shared/data/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz
  --help
EOF
}

build_dir=build/release
out=""
model=""
rate=1000
duration=30
rounds=2
ops=recommend
reco_count=10
target_p99=30
client_sched=fifo
client_nice=0
reviews_file=${demo_reviews_file}
parse_options --build-dir=build_dir --out=out --model=model --rate=rate --duration-s=duration \
  --rounds=rounds --ops=ops --reco-count=reco_count --target-p99-ms=target_p99 \
  --client-sched=client_sched --client-nice=client_nice --reviews-file=reviews_file -- "$@"
[[ -r ${reviews_file} ]] || { echo "run_reco: cannot read ${reviews_file}" >&2; exit 2; }
client_schedule "${client_sched}" "${client_nice}"
[[ -z ${model} || -r ${model} ]] || { echo "run_reco: cannot read ${model}" >&2; exit 2; }
for op in ${ops//,/ }; do
  [[ ${op} == recommend || ${op} == similar ]] ||
    { echo "run_reco: --ops takes recommend and similar, not '${op}'" >&2; exit 2; }
done
drive=${build_dir}/tools/candor-drive/candor-drive
reco_bin=${build_dir}/services/reco-api/candor-reco-api
require_built "${drive}" "${reco_bin}"
if [[ -z ${model} && ! -x ${build_dir}/tools/candor-reco-train/candor-reco-train ]]; then
  echo "run_reco: no --model and candor-reco-train is not built (see --help)" >&2
  exit 2
fi
require_commands jq
out=${out:-bench/results/$(date +%F)}
mkdir -p "${out}"
prefix=${out}/$(date +%H%M%S)-reco

# A stack and ports of the run's own, so a developer's stack and demo are left alone.
demo_stack_of_its_own reco "$(random_port)"
gateway_http_port=$(random_port)
reco_port=$(random_port)
reco_http_port=$(random_port)
export CANDOR_GATEWAY_HTTP_PORT=${gateway_http_port}
export CANDOR_RECO_LISTEN=127.0.0.1:${reco_port} CANDOR_RECO_ADDR=127.0.0.1:${reco_port}
export CANDOR_RECO_HTTP_PORT=${reco_http_port}

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "run_reco: load average before: $(load) ($(nproc) CPUs; other processes' work counts against every figure)" |
  tee "${prefix}-load.txt"
# reco-api's settings from the caller's environment (the ports are the run's own).
settings=$(env | grep -E '^CANDOR_RECO_' |
  grep -vE '^CANDOR_RECO_(LISTEN|ADDR|HTTP_PORT|ADMIN_PORT)=' | sort | tr '\n' ' ' || true)
echo "run_reco: reco-api settings: ${settings:-defaults}" | tee -a "${prefix}-load.txt"
demo_args=("${reviews_file}" --keep-running --no-votes --build-dir "${build_dir}")
[[ -z ${model} ]] || demo_args+=(--reco-model "${model}")
echo "run_reco: 1. demo.sh ${demo_args[*]} (log: ${prefix}-demo.txt)"
scripts/demo.sh "${demo_args[@]}" >"${prefix}-demo.txt" 2>&1 ||
  { tail -n 30 "${prefix}-demo.txt" >&2; echo "run_reco: the demo failed" >&2; exit 1; }
pids=${stack_dir}/logs/demo.pids
gateway_pid=$(awk '$1 == "review-gateway" {print $2}' "${pids}")
reco_pid=$(awk '$1 == "reco-api" {print $2}' "${pids}")
if [[ -z ${reco_pid} ]] || ! kill -0 "${reco_pid}" 2>/dev/null; then
  grep -i 'reco' "${prefix}-demo.txt" >&2 || true
  echo "run_reco: reco-api is not running after the demo (see ${prefix}-demo.txt)" >&2
  exit 1
fi
grep -E '^(Outcomes|Throughput|Freshness)' "${prefix}-demo.txt" | sed 's/^/  /' || true
sed -n '/^== recommendations/,/^$/p' "${prefix}-demo.txt" | sed 's/^/  /'

# CPU time (user + system, every thread) of a process, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)

echo "run_reco: 2. noop and ${ops}, open loop at ${rate}/s, ${duration} s each (+5 s warm-up)," \
  "${rounds} rounds (candor-drive at ${client_how})" | tee -a "${prefix}-load.txt"
rows=${prefix}-runs.tsv
printf 'run\tserver\tok_per_s\tp50_ms\tp90_ms\tp99_ms\tp999_ms\tmax_ms\tlate\tcodes\tserver_cpu_us_per_call\tserver_cores\tloadgen_cores\tload_before\titems_per_answer\n' >"${rows}"
for ((i = 1; i <= rounds; i++)); do
  for op in noop ${ops//,/ }; do
    name=${op}-${i}
    if [[ ${op} == noop ]]; then server=gateway p=${gateway_pid}; else server=reco-api p=${reco_pid}; fi
    before_load=$(load)
    echo "  ${before_load} before ${name}" >>"${prefix}-load.txt"
    t0=$(ticks "${p}")
    w0=$(date +%s%N)
    "${client[@]}" "${drive}" bench "${reviews_file}" --mix "${op}" --rate "${rate}" \
      --duration-s "${duration}" --warmup-s 5 --reco-count "${reco_count}" --freshness-probes 0 --no-progress \
      --json "${prefix}-${name}.json" >"${prefix}-${name}.txt" 2>&1 ||
      echo "  warning: ${name} exited non-zero (${prefix}-${name}.txt)"
    t1=$(ticks "${p}")
    w1=$(date +%s%N)
    jq -r --arg op "${op}" --arg name "${name}" --arg server "${server}" --arg load "${before_load}" \
      --argjson cpu "$((t1 - t0))" --argjson tck "${tck}" --argjson wall_ns "$((w1 - w0))" '
      .ops[$op] as $o | ($cpu / $tck) as $cpu_s | (.client.calls // 0) as $calls |
      [$name, $server, ($o.ok_per_s | floor), $o.latency_ms.p50, $o.latency_ms.p90,
       $o.latency_ms.p99, $o.latency_ms.p999, $o.latency_ms.max, $o.late,
       ($o.codes | to_entries | map("\(.key) \(.value)") | join(", ")),
       (if $calls > 0 then ($cpu_s * 1e6 / $calls | round) else 0 end),
       ($cpu_s * 1e9 / $wall_ns * 100 | round / 100),
       (.client.cores // 0), $load, ($o.items.per_ok // "-")] | @tsv' \
      "${prefix}-${name}.json" >>"${rows}"
    tail -n 1 "${rows}" | awk -F'\t' '{printf "  %-12s %5s OK/s  p50 %s ms  p99 %s ms  max %s ms  %s us CPU/call (%s)  codes: %s\n", $1, $3, $4, $6, $8, $11, $2, $10}'
  done
done
echo "run_reco: load average after: $(load)" | tee -a "${prefix}-load.txt"

echo
column -t -s $'\t' "${rows}"
echo
awk -F'\t' -v target="${target_p99}" '
  $1 ~ /^recommend-/ { n++; if ($6 > worst) worst = $6; if (n == 1 || $6 < best) best = $6 }
  END {
    if (n == 0) exit
    printf "Recommend p99 over %d runs: %s to %s ms; target <= %s ms: %s\n", n, best, worst, target,
           worst <= target ? "met in every run" : (best <= target ? "met in some runs" : "not met")
  }' "${rows}"
echo "run_reco: results in ${prefix}-*"
