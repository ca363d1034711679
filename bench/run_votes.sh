#!/usr/bin/env bash
# The votes targets of design.md section 7 in one run on one machine: ListReviews in an open loop
# beside the no-op RPC at the same rate (interleaved), and the votes one helpfulness-ranker applies
# per second beside a no-op consumer of the same votes (candor-ranker-bench). The data is real:
# the Musical Instruments reviews and their helpful votes, replayed by scripts/demo.sh on a stack
# of its own. Builds nothing; writes every output into bench/results/<date>/.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"  # sets repo_root
cd "${repo_root}"

usage() {
  cat <<'EOF'
Usage: bench/run_votes.sh [options]

Expects the release preset built (candor-ranker-bench besides what scripts/demo.sh runs):
  cmake --preset release && cmake --build build/release --target candor-review-gateway \
    candor-fraud-scorer candor-rating-aggregator candor-helpfulness-ranker candor-dev-kafka \
    candor-drive candor-ranker-bench
Then:
  1. scripts/demo.sh REVIEWS_FILE --keep-running on a stack of its own (a temp dir, free ports;
     the gateway with --bench-noop): the file's reviews imported, their real helpful votes
     replayed and ranked (candor-drive --votes);
  2. --rounds times, one after the other: BenchService/Noop, then ListReviews (the first page,
     50 most helpful, of a product drawn from the file), each an open loop at --rate for
     --duration-s (+2 s warm-up) (candor-drive bench REVIEWS_FILE --mix noop|list);
  3. candor-ranker-bench --rounds 2 on the same stack (the services idle);
  4. scripts/demo.sh --stop.
and prints each run's figures. About 3 minutes with the defaults.

Options:
  --build-dir DIR     binaries (default build/release)
  --out DIR           results (default bench/results/<YYYY-MM-DD>; files prefixed HHMMSS-votes-)
  --rate R            calls per second of the open loops (default 5000)
  --duration-s N      measured seconds per open-loop run (default 15)
  --rounds N          noop + list pairs (default 2)
  --settle-s N        after the demo, wait until the 1-minute load average is below 1.0 (the
                      services done with the import's backlog), at most N seconds (default 60)
  --ranker-flags S    extra flags for candor-ranker-bench (word-split), e.g. '--votes 100000'
EOF
  client_schedule_help
  cat <<'EOF'
  --reviews-file F    default ../shared/data/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz
  --help
EOF
}

build_dir=build/release
out=""
rate=5000
duration=15
rounds=2
settle=60
ranker_flags=""
client_sched=fifo
client_nice=0
reviews_file=${demo_reviews_file}
parse_options --build-dir=build_dir --out=out --rate=rate --duration-s=duration --rounds=rounds \
  --settle-s=settle --ranker-flags=ranker_flags --client-sched=client_sched \
  --client-nice=client_nice --reviews-file=reviews_file -- "$@"
[[ -r ${reviews_file} ]] || { echo "run_votes: cannot read ${reviews_file}" >&2; exit 2; }
client_schedule "${client_sched}" "${client_nice}"
drive=${build_dir}/tools/candor-drive/candor-drive
ranker_bench=${build_dir}/bench/pipeline/candor-ranker-bench
require_built "${drive}" "${ranker_bench}"
require_commands jq
out=${out:-bench/results/$(date +%F)}
mkdir -p "${out}"
prefix=${out}/$(date +%H%M%S)-votes

# A stack and a gateway port of the run's own, so a developer's stack and demo are left alone.
demo_stack_of_its_own votes "$(random_port)"

echo "run_votes: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "${prefix}-load.txt"
echo "run_votes: 1. demo.sh ${reviews_file} --keep-running (log: ${prefix}-demo.txt)"
scripts/demo.sh "${reviews_file}" --keep-running --build-dir "${build_dir}" >"${prefix}-demo.txt" 2>&1
sed -n '/^Helpful votes/,/^Most-reviewed/p' "${prefix}-demo.txt" | sed '$d'

# The import leaves work behind (Postgres writing back and vacuuming, consumers finishing their
# batches): a run started at once measures that too, so wait for the machine to settle first.
for ((waited = 0; waited < settle; waited += 5)); do
  awk '{ exit !($1 < 1.0) }' /proc/loadavg && break
  sleep 5
done
echo "run_votes: settled for ${waited} s, load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "${prefix}-load.txt"
echo "run_votes: 2. noop and list, open loop at ${rate}/s, ${duration} s each, ${rounds} rounds" \
  "(candor-drive at ${client_how})" | tee -a "${prefix}-load.txt"
for ((i = 1; i <= rounds; i++)); do
  for op in noop list; do
    echo "  $(cut -d' ' -f1-3 /proc/loadavg) before ${op}-${i}" >>"${prefix}-load.txt"
    "${client[@]}" "${drive}" bench "${reviews_file}" --mix "${op}" --rate "${rate}" --duration-s "${duration}" \
      --no-progress --json "${prefix}-${op}-${i}.json" >"${prefix}-${op}-${i}.txt" 2>&1
    jq -r --arg op "${op}" --arg i "${i}" '.ops[$op] |
      "  \($op)-\($i): \(.throughput_per_s | floor)/s sent, \(.ok_per_s | floor)/s OK, p50 \(.latency_ms.p50) ms, p99 \(.latency_ms.p99) ms, codes \(.codes)"' \
      "${prefix}-${op}-${i}.json"
  done
done

echo "run_votes: 3. candor-ranker-bench (log: ${prefix}-ranker.err)"
eval "$(tools/stack/stack.sh env)"
# shellcheck disable=SC2086 # word-split on purpose
"${ranker_bench}" --rounds 2 --pg-dsn "${CANDOR_PG_DSN}" --redis-addr "${CANDOR_REDIS_ADDR}" \
  --kafka-brokers "${CANDOR_KAFKA_BROKERS}" --json "${prefix}-ranker.json" ${ranker_flags} \
  2>"${prefix}-ranker.err" | tee "${prefix}-ranker.txt"
echo "run_votes: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "${prefix}-load.txt"
echo "run_votes: results in ${prefix}-*"
