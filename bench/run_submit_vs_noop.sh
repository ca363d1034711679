#!/usr/bin/env bash
# The reference benchmark of design.md section 7, in one run on one machine: a no-op RPC on the
# gateway's own server and auth path (BenchService/Noop, --bench-noop) against SubmitReview at the
# maximum, submit latency and freshness at 2,000/s, product summary reads at a high rate, and
# redis-benchmark for the Redis operations the gateway performs. Builds nothing; starts a stack of
# its own on its own ports, the three services, runs candor-drive bench, writes every JSON into
# bench/results/<date>/, prints the ratios and stops everything.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"  # sets repo_root
cd "${repo_root}"

usage() {
  cat <<'EOF'
Usage: bench/run_submit_vs_noop.sh [options]

Expects the release preset built:  cmake --preset release && cmake --build --preset release
Starts Redis / PostgreSQL / dev Kafka on 6791 / 5791 / 9791 (--ports) (tools/stack/stack.sh, in a temp
dir), rating-aggregator, fraud-scorer and review-gateway (--bench-noop) on 127.0.0.1:50791, then
runs, one after the other:
  1. noop-max       closed loop, BenchService/Noop at the maximum (the reference)
  2. submit-max-gw  closed loop, SubmitReview at the maximum before fraud-scorer and
                    rating-aggregator start: the submit path (gateway, Redis, Kafka) without the
                    consumers sharing the two cores, as on a deployment where they run
                    elsewhere (published to bench.gateway-only, which no consumer reads)
  3. submit-2000-gw open loop, SubmitReview at 2,000/s, also before the consumers start (same
                    topic as submit-max-gw): the submit latency without the consumers' CPU
  4. submit-2000    open loop, SubmitReview at 2,000/s, with freshness probes
  5. submit-max     closed loop, SubmitReview at the maximum, consumers running
  6. summary-max    closed loop, GetProductSummary at the maximum (after the consumers drained)
  7. summary-open   open loop, GetProductSummary at 20,000/s, or half of summary-max if lower
  8. summary-sweep  open loop, GetProductSummary at 2,500, 5,000, 10,000, 15,000 and 20,000/s,
                    10 s each: where the read latency turns up, beside the cores used
  9. redis-benchmark: the gateway's guard script (EVALSHA, 3 keys, fresh keys each call) and
     HGETALL of a rating hash, 16 connections
and prints the figures and the ratio submit-max / noop-max. About 5 minutes.

Options:
  --build-dir DIR     binaries (default build/release)
  --out DIR           results (default bench/results/<YYYY-MM-DD>; files are prefixed HHMMSS-;
                      the services' logs go to HHMMSS-logs/)
  --duration-s N      measured seconds of each load run (default 20; warm-up 3 s each)
  --concurrency N     calls in flight in the closed loops (default 128)
  --ports R,P,K,G     Redis, PostgreSQL, Kafka and gateway ports (default 6791,5791,9791,50791),
                      for two runs (or a test stack) on one machine
  --keep              leave the stack directory (logs) behind
  --perf              also record the gateway with perf during submit-max, submit-max-gw and
                      summary-max and write the hottest symbols to <run>-perf.txt (needs perf)
  --background-nice N run fraud-scorer, rating-aggregator and PostgreSQL at this niceness
                      (0-19, default 0): the consumers' batch work yields the CPU to the
                      request path, as an operator sharing one box between them would set it
  --gateway-flags S   extra flags for the gateway (word-split), e.g. "--kafka-linger-ms 20"
  --runs LIST         only these runs, comma-separated (names as above, e.g.
                      --runs submit-2000 to look at the submit tail again); the stack and all
                      services start as always. summary-open without summary-max runs at 20,000/s
  --help              this text

The load generator (candor-drive bench, "loadgen" in the CPU tables) runs on the same machine as
the services: on a 2-core box it takes a large share of the CPU, which is why only the ratio
measured in the same run is the figure that counts.
EOF
}


build_dir=build/release
out_dir=""
duration=20
concurrency=128
keep=0
perf=0
runs=""
background_nice=0
gateway_flags=""
ports=6791,5791,9791,50791
parse_options --build-dir=build_dir --out=out_dir --duration-s=duration \
  --concurrency=concurrency --ports=ports --keep:keep=1 --perf:perf=1 --runs=runs \
  --gateway-flags=gateway_flags --background-nice=background_nice -- "$@"
[[ ${duration} =~ ^[1-9][0-9]*$ ]] || die "--duration-s must be a positive integer"
[[ ${concurrency} =~ ^[1-9][0-9]*$ ]] || die "--concurrency must be a positive integer"
[[ ${background_nice} =~ ^([0-9]|1[0-9])$ ]] || die "--background-nice must be 0 to 19"
all_runs=(noop-max submit-max-gw submit-2000-gw submit-2000 submit-max summary-max summary-open
  summary-sweep redis-benchmark)
for r in ${runs//,/ }; do
  [[ " ${all_runs[*]} " == *" ${r} "* ]] || die "--runs: unknown run '${r}' (one of ${all_runs[*]})"
done
want() { [[ -z ${runs} || ",${runs}," == *",$1,"* ]]; }

set_ports "${ports}"
warmup=3

write_path_binaries "${build_dir}"
((${#missing_bins[@]} == 0)) || die "missing ${missing_bins[0]}: build the release preset first" \
  "(cmake --preset release && cmake --build --preset release)"
tools=(redis-benchmark redis-cli jq kcat psql)
((perf)) && tools+=(perf)
require_commands "${tools[@]}"

# Other work on the machine (a compiler, another benchmark) lowers every figure; say so up front
# and in the summary rather than let it pass for Candor's.
cpu_busy_pct() {
  local a b
  read -r -a a < <(head -n 1 /proc/stat)
  sleep 1
  read -r -a b < <(head -n 1 /proc/stat)
  local idle=$((b[4] + b[5] - a[4] - a[5])) total=0 i
  for ((i = 1; i < ${#a[@]}; i++)); do total=$((total + b[i] - a[i])); done
  ((total > 0)) || { echo 0; return; }
  echo $((100 * (total - idle) / total))
}
busy_before=$(cpu_busy_pct)
if ((busy_before > 15)); then
  log "warning: the CPUs are ${busy_before} % busy before the benchmark starts (other processes):" \
    "the figures will be low"
fi

stamp=$(date +%H%M%S)
out_dir=${out_dir:-bench/results/$(date +%F)}
mkdir -p "${out_dir}"
result() { echo "${out_dir}/${stamp}-$1"; }

# The stack lives in a temp dir that the postgres user can traverse (stack.sh runs PostgreSQL
# as postgres when we are root).
stack_dir=$(mktemp -d /tmp/candor-bench.XXXXXX)
chmod 755 "${stack_dir}"
log_dir=${stack_dir}/logs
mkdir -p "${log_dir}"

stack_started=0

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$? name
  trap - EXIT INT TERM
  for name in review-gateway fraud-scorer rating-aggregator; do
    [[ -n ${pid[${name}]:-} ]] || continue
    stop_service "${name}" "${pid[${name}]}"
  done
  # The services' logs (the gateway's per-second submit stats among them) stay with the results.
  if [[ -d ${log_dir} ]]; then
    mkdir -p "$(result logs)"
    cp "${log_dir}"/*.log "$(result logs)/" 2>/dev/null || true
  fi
  if ((stack_started)); then
    if ((keep)); then
      tools/stack/stack.sh down --dir "${stack_dir}" >/dev/null 2>&1 || true
      log "stack directory (logs) kept: ${stack_dir}"
    else
      tools/stack/stack.sh down --dir "${stack_dir}" --purge >/dev/null 2>&1 || true
    fi
  fi
  exit "${rc}"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# The stack and the services

log "starting the stack in ${stack_dir} (Redis ${redis_port}, PostgreSQL ${pg_port}, Kafka ${kafka_port})"
stack_started=1
tools/stack/stack.sh up --dir "${stack_dir}" --redis-port "${redis_port}" --pg-port "${pg_port}" \
  --kafka-port "${kafka_port}" --dev-kafka "${kafka_bin}" >"${stack_dir}/env" 2>"${log_dir}/stack.log" ||
  {
    tail -n 30 "${log_dir}/stack.log" >&2
    die "the stack did not start"
  }
# shellcheck disable=SC1091
source "${stack_dir}/env"
export CANDOR_REDIS_ADDR CANDOR_PG_DSN CANDOR_KAFKA_BROKERS
CANDOR_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CANDOR_JWT_SECRET
export CANDOR_GATEWAY_LISTEN=${gateway_addr}
export CANDOR_GATEWAY_HTTP_PORT=-1  # gRPC only (bench/run_rest.sh measures REST)
trust_the_driver
export CANDOR_GATEWAY_ADDR=${gateway_addr}
export CANDOR_LOG_LEVEL=warn



# The consumers start after the no-op and the gateway-only runs (start_consumers, below).
# start_gateway [flags]: the gateway may fail its start if a dependency is not ready yet right
# after the stack came up (and then crashes in its destructor instead of printing why); give it
# three tries.
start_gateway() {
  local try
  for try in 1 2 3; do
    # Its submit stats once a second: where the submit time went (Redis, Kafka), in the log.
    # shellcheck disable=SC2086 # --gateway-flags is a list of words
    start_service review-gateway "${gateway_bin}" --bench-noop --log-level info \
      --stats-interval-s 1 ${gateway_flags} "$@"
    sleep 2
    kill -0 "${pid[review-gateway]}" 2>/dev/null && break
    log "warning: the gateway exited at start (try ${try} of 3; log ${log_dir}/review-gateway.log)"
    ((try < 3)) || { tail -n 25 "${log_dir}/review-gateway.log" >&2; die "the gateway does not start"; }
  done
  check_services
  log "gateway up: ${gateway_addr} (pid ${pid[review-gateway]}) $*"
}
# For the no-op and the gateway-only runs the gateway publishes to a topic no consumer reads
# (created on first use): the dev broker keeps only 5 MB per partition (tools/dev-kafka/
# README.md), so a backlog that size left for the consumers would lose its oldest part.
start_gateway --submissions-topic bench.gateway-only
start_consumers() {
  local pm
  start_service rating-aggregator nice -n "${background_nice}" "${aggregator_bin}"
  start_service fraud-scorer nice -n "${background_nice}" "${fraud_bin}"
  if ((background_nice > 0)); then
    # The postmaster and every process it has; backends it forks later inherit its niceness.
    pm=$(head -n 1 "${stack_dir}/pg/data/postmaster.pid")
    # shellcheck disable=SC2046 # one pid per word
    renice -n "${background_nice}" -p "${pm}" $(pgrep -P "${pm}") >/dev/null
    log "fraud-scorer, rating-aggregator and PostgreSQL run at niceness ${background_nice}"
  fi
  sleep 1
  check_services
  log "consumers up: fraud-scorer (${pid[fraud-scorer]}), rating-aggregator" \
    "(${pid[rating-aggregator]})"
}

# Waits until the consumers have drained their backlog, at most 180 s: every message on
# review-submissions is a row in reviews (each carries a distinct fingerprint, so rows = messages),
# no active review is left uncounted by the aggregator, and then their CPU time stops growing
# (under 3 % of a core over a second, twice in a row). CPU alone is not enough: consumers that
# were paused sit idle while their group rebalances, with the backlog untouched.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
topic_end_offsets() { # sum over partitions of the next offset to be written
  local topic=$1 n p sum=0 off
  n=$(kcat -b "${CANDOR_KAFKA_BROKERS}" -L -t "${topic}" -J 2>/dev/null |
    jq '.topics[0].partitions | length')
  for ((p = 0; p < n; p++)); do
    off=$(kcat -b "${CANDOR_KAFKA_BROKERS}" -Q -t "${topic}:${p}:-1" 2>/dev/null |
      awk '/offset/ {print $NF}')
    sum=$((sum + ${off:-0}))
  done
  echo "${sum}"
}
pg_count() { psql "${CANDOR_PG_DSN}" -tAc "$1" 2>/dev/null || echo -1; }
wait_consumers_idle() {
  local i quiet=0 before after busy sent stored uncounted
  sent=$(topic_end_offsets review-submissions)
  for ((i = 0; i < 180; i++)); do
    stored=$(pg_count "SELECT count(*) FROM reviews")
    uncounted=$(pg_count "SELECT count(*) FROM reviews WHERE status = 'active' AND NOT counted")
    ((stored >= sent && uncounted == 0)) && break
    sleep 1
  done
  if ((i < 180)); then
    log "drained: ${sent} messages on review-submissions, ${stored} reviews stored, all counted"
  else
    log "warning: after 180 s ${stored} of ${sent} reviews stored, ${uncounted} uncounted"
  fi
  for ((i = 0; i < 90; i++)); do
    before=$(($(cpu_ticks "${pid[fraud-scorer]}") + $(cpu_ticks "${pid[rating-aggregator]}")))
    sleep 1
    after=$(($(cpu_ticks "${pid[fraud-scorer]}") + $(cpu_ticks "${pid[rating-aggregator]}")))
    busy=$((after - before))
    if ((busy <= 3)); then
      quiet=$((quiet + 1))
      ((quiet >= 2)) && return 0
    else
      quiet=0
    fi
  done
  log "warning: the consumers were still busy after 90 s"
}

# CPU time per component, from /proc/<pid>/stat (utime + stime of every thread, in clock ticks):
# where a run's CPU went, as microseconds per call. PostgreSQL is the postmaster's children
# (the services' pooled backends and the background workers).
clk_tck=$(getconf CLK_TCK)
components=(gateway fraud-scorer rating-aggregator redis kafka postgres)
component_pids() {
  case $1 in
    gateway) echo "${pid[review-gateway]}" ;;
    fraud-scorer | rating-aggregator) echo "${pid[$1]:-}" ;; # none before start_consumers
    redis) cat "${stack_dir}/redis/redis.pid" ;;
    kafka) cat "${stack_dir}/kafka/kafka.pid" ;;
    postgres) pgrep -P "$(head -n 1 "${stack_dir}/pg/data/postmaster.pid")" || true ;;
  esac
}
declare -A cpu_at=()
snapshot() { # snapshot <label>: cpu_at[<label>:<component>] = ticks, cpu_at[<label>:t] = ns
  local c p ticks
  for c in "${components[@]}"; do
    ticks=0
    for p in $(component_pids "${c}"); do
      ticks=$((ticks + $(cpu_ticks "${p}")))
    done
    cpu_at[$1:${c}]=${ticks}
  done
  cpu_at[$1:t]=$(date +%s%N)
  # Busy ticks of the whole machine (all but idle and iowait), to tell what other processes took.
  cpu_at[$1:machine]=$(awk 'NR == 1 { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
}
# Writes <run>-cpu.json: CPU seconds and microseconds per call of each component between two
# snapshots, with the load generator's own figures from its JSON.
cpu_report() {
  local name=$1 from=$2 to=$3 c json calls t0 t1 m0 m1 c0 c1 ticks="{"
  json=$(result "${name}.json")
  calls=$(jq '.warmup_calls + .total.calls' "${json}")
  t0=${cpu_at[${from}:t]}
  t1=${cpu_at[${to}:t]}
  m0=${cpu_at[${from}:machine]}
  m1=${cpu_at[${to}:machine]}
  for c in "${components[@]}"; do
    c0=${cpu_at[${from}:${c}]}
    c1=${cpu_at[${to}:${c}]}
    ticks+="\"${c}\": $((c1 - c0)), "
  done
  ticks+="\"_\": 0}"
  # "other": the machine's busy time less ours (the services, the stack, the load generator's
  # whole process): other people's compilers and benchmarks, which make a run's figures low.
  jq -n --arg run "${name}" --argjson calls "${calls}" --argjson wall_ms $(((t1 - t0) / 1000000)) \
    --argjson tck "${clk_tck}" --argjson ticks "${ticks}" --slurpfile lg "${json}" \
    --argjson machine "$((m1 - m0))" \
    '($ticks | del(._) | map_values(. / $tck)) + {loadgen: $lg[0].client.cpu_s} |
     . + {other: ([($machine / $tck) - (to_entries | map(select(.key != "loadgen") | .value) | add)
                   - $lg[0].client.process_cpu_s, 0] | max)} |
     {run: $run, calls: $calls, wall_s: ($wall_ms / 1000), cpu_s: .,
      cpu_us_per_call: map_values(if $calls > 0 then (. * 1e6 / $calls | round) else 0 end),
      cores: map_values(. * 1000 / $wall_ms * 100 | round / 100)}' >"$(result "${name}-cpu.json")"
}

# CPU second by second: cpu_seconds_start <run> samples every component (and the load generator
# and the whole machine) once a second in the background; cpu_seconds_stop <run> lines the
# samples up with the load generator's per-second timeline into <run>-seconds.txt. That is
# what each component did in the seconds where the tail came from.
sampler_pid=""
cpu_seconds_start() {
  local raw=${stack_dir}/$1.cpu-seconds.tsv c p
  # The processes are looked up once (the services' pooled PostgreSQL backends live as long as
  # they do), and one awk a second reads them all: on a busy 2-core box a sampler that forks per
  # process falls seconds behind.
  local -a files=() labels=()
  for c in "${components[@]}"; do
    for p in $(component_pids "${c}"); do
      files+=("/proc/${p}/stat")
      labels+=("${c}")
    done
  done
  (
    loadgen_pid=""
    while :; do
      [[ -n ${loadgen_pid} ]] || loadgen_pid=$(pgrep -x -n candor-drive || true)
      present=() present_labels=()
      for i in "${!files[@]}"; do
        [[ -e ${files[i]} ]] || continue
        present+=("${files[i]}")
        present_labels+=("${labels[i]}")
      done
      if [[ -n ${loadgen_pid} && -e /proc/${loadgen_pid}/stat ]]; then
        present+=("/proc/${loadgen_pid}/stat")
        present_labels+=(loadgen)
      fi
      now=${EPOCHREALTIME/./}
      awk -v now="${now:0:-3}" -v labels="${present_labels[*]}" \
        -v order="${components[*]} loadgen" '
        BEGIN { n = split(labels, l, " "); for (i = 1; i <= n; i++) label[ARGV[i]] = l[i] }
        FILENAME == "/proc/stat" { if (FNR == 1) machine = $2 + $3 + $4 + $7 + $8 + $9; next }
        { ticks[label[FILENAME]] += $14 + $15 }
        END {
          line = now; k = split(order, o, " ")
          for (i = 1; i <= k; i++) line = line "\t" (ticks[o[i]] + 0)
          print line "\t" machine
        }' "${present[@]}" /proc/stat
      sleep 1
    done
  ) >"${raw}" 2>/dev/null &
  sampler_pid=$!
}
cpu_seconds_stop() {
  local name=$1 raw=${stack_dir}/$1.cpu-seconds.tsv
  kill "${sampler_pid}" 2>/dev/null || true
  wait "${sampler_pid}" 2>/dev/null || true
  # Cores per component in each sampled second, keyed by its end (ms since the load started);
  # "other" is the machine's busy time that none of ours took. Then, for every measured second
  # of the timeline, the sample that ended nearest to it.
  local names
  names=$(printf '"%s",' "${components[@]}" loadgen machine)
  jq -R -s --argjson tck "${clk_tck}" --argjson names "[${names%,}]" \
    --slurpfile lg "$(result "${name}.json")" -r '
    ($lg[0].load_started_unix_ms) as $t0 |
    [split("\n")[] | select(length > 0) | split("\t") | map(tonumber)] as $rows |
    [range(1; $rows | length) as $i |
      {t_ms: ($rows[$i][0] - $t0), dt: (($rows[$i][0] - $rows[$i - 1][0]) / 1000),
       d: [range(1; $rows[$i] | length) as $k | $rows[$i][$k] - $rows[$i - 1][$k]]} |
      .cores = [.d[] as $x | $x / $tck / .dt]] as $cpu |
    ($lg[0].timeline | to_entries[0]) as $op |
    "\($op.key): each second of the load (t = seconds since it started; p99/max in ms) beside the cores each component used",
    ([ "t", "calls", "p99", "max"] + ($names[:-1]) + ["other"] | map(.[0:9]) | @tsv),
    ($op.value[] | select(.measured) | . as $s |
      ($cpu | min_by((.t_ms - $s.t_s * 1000) | fabs)) as $c |
      ($c.cores[-1] - ($c.cores[:-1] | add)) as $other |
      [($s.t_s * 10 | round / 10), $s.calls, $s.p99_ms, $s.max_ms] +
        ($c.cores[:-1] | map(. * 100 | round / 100)) + [([$other, 0] | max) * 100 | round / 100] |
      @tsv)' "${raw}" >"$(result "${name}-seconds.txt")" ||
    log "warning: could not line up the CPU samples of ${name}"
  log "per second: $(result "${name}-seconds.txt")"
}

# ---------------------------------------------------------------------------------------------
# The runs

load_run() {
  local name=$1
  shift
  log "run ${name}: candor-drive bench $*"
  "${drive_bin}" bench --gateway "${gateway_addr}" --json "$(result "${name}.json")" --wait-s 30 \
    --warmup-s "${warmup}" --no-progress "$@" | tee "$(result "${name}.txt")"
  check_services
}

# perf_gateway <run> <seconds>: samples the gateway's threads (call graphs) in the background;
# perf_report <run> writes the hottest symbols (self time) to <run>-perf.txt.
perf_pid=""
perf_gateway() {
  ((perf)) || return 0
  perf record -q -F 999 -g -p "${pid[review-gateway]}" -o "${stack_dir}/$1.perf.data" \
    -- sleep "$2" >/dev/null 2>&1 &
  perf_pid=$!
}
perf_report() {
  ((perf)) || return 0
  wait "${perf_pid}" || true
  local data=${stack_dir}/$1.perf.data view
  {
    for view in comm dso dso,sym; do
      echo "== self time by ${view}"
      perf report -i "${data}" --no-children -g none --sort "${view}" --stdio 2>/dev/null |
        grep -E '^ +[0-9.]+%' | head -n 25 || true # head closing the pipe early is fine
      echo
    done
  } >"$(result "$1-perf.txt")"
  log "perf: $(result "$1-perf.txt")"
}

if want noop-max; then
  snapshot noop0
  load_run noop-max --mix noop --rate 0 --concurrency "${concurrency}" --duration-s "${duration}"
  snapshot noop1
  cpu_report noop-max noop0 noop1
fi
# Submit at the maximum before the consumers run: what the submit path itself (gateway, Redis,
# Kafka) sustains when it does not share the cores with fraud scoring and aggregation, as on a
# deployment where they run elsewhere. The consumers then start and drain this backlog.
if want submit-max-gw; then
  snapshot gmax0
  perf_gateway submit-max-gw $((warmup + duration))
  load_run submit-max-gw --mix submit --rate 0 --concurrency "${concurrency}" \
    --duration-s "${duration}" --freshness-probes 0
  perf_report submit-max-gw
  snapshot gmax1
  cpu_report submit-max-gw gmax0 gmax1
fi
# The same open loop as submit-2000, without the consumers: how much of its tail is theirs.
if want submit-2000-gw; then
  snapshot g2k0
  cpu_seconds_start submit-2000-gw
  load_run submit-2000-gw --mix submit --rate 2000 --duration-s "${duration}" --freshness-probes 0
  cpu_seconds_stop submit-2000-gw
  snapshot g2k1
  cpu_report submit-2000-gw g2k0 g2k1
fi
stop_service review-gateway "${pid[review-gateway]}"
start_gateway
start_consumers
# A little traffic the consumers must store and count: proof that both have joined their groups
# before the measured runs (a group join takes seconds, which would land in submit-2000).
load_run consumers-warmup --mix submit --rate 200 --duration-s 2 --freshness-probes 0 >/dev/null
log "waiting for the consumers to join their groups and drain the warm-up"
wait_consumers_idle
if want submit-2000; then
  snapshot s2k0
  cpu_seconds_start submit-2000
  load_run submit-2000 --mix submit --rate 2000 --duration-s "${duration}" \
    --freshness-probes 2 --freshness-poll-ms 10
  cpu_seconds_stop submit-2000
  log "waiting for the consumers to drain"
  wait_consumers_idle
  snapshot s2k1
  cpu_report submit-2000 s2k0 s2k1
fi

if want submit-max; then
  snapshot smax0
  perf_gateway submit-max $((warmup + duration))
  load_run submit-max --mix submit --rate 0 --concurrency "${concurrency}" \
    --duration-s "${duration}" --freshness-probes 0
  perf_report submit-max
  log "waiting for the consumers to drain"
  wait_consumers_idle
  snapshot smax1
  cpu_report submit-max smax0 smax1
fi
summary_rate=20000
if want summary-max; then
  snapshot rmax0
  perf_gateway summary-max $((warmup + 10))
  load_run summary-max --mix summary --rate 0 --concurrency "${concurrency}" --duration-s 10
  perf_report summary-max
  snapshot rmax1
  cpu_report summary-max rmax0 rmax1
  summary_max=$(jq '.ops.summary.throughput_per_s | floor' "$(result summary-max.json)")
  # An open loop needs headroom: spread-out calls batch less (more system calls per call) than a
  # closed loop's, so a rate near the closed-loop maximum only builds a queue.
  if ((summary_max / 2 < summary_rate)); then
    summary_rate=$((summary_max / 2 / 500 * 500))
    ((summary_rate >= 500)) || summary_rate=500
    log "summary reads peak at ${summary_max}/s here, below 2 x 20,000/s: the open loop runs at" \
      "half of that, ${summary_rate}/s"
  fi
fi
if want summary-open; then
  cpu_seconds_start summary-open
  load_run summary-open --mix summary --rate "${summary_rate}" --duration-s "${duration}" \
    --concurrency 1000
  cpu_seconds_stop summary-open
fi
sweep_rates=(2500 5000 10000 15000 20000)
if want summary-sweep; then
  for rate in "${sweep_rates[@]}"; do
    snapshot "sw${rate}a"
    load_run "summary-${rate}" --mix summary --rate "${rate}" --duration-s 10 --concurrency 1000 \
      >/dev/null
    snapshot "sw${rate}b"
    cpu_report "summary-${rate}" "sw${rate}a" "sw${rate}b"
  done
fi

# ---------------------------------------------------------------------------------------------
# redis-benchmark: the gateway's Redis work without the gateway. The guard script is the
# gateway's own (the first Lua block of redis_submission_guard.cc), keys fresh on every call
# (__rand_int__) so every call takes the full admit path (2 EXISTS, ZREMRANGEBYSCORE, ZCARD,
# 2 SET, ZADD, PEXPIRE); HGETALL reads the hottest product's rating hash, as a summary read does.
redis_csv=$(result redis-benchmark.csv)
if want redis-benchmark; then
  log "redis-benchmark (16 connections)"
  guard_lua=$(awk '/R"lua\(/{f=1; next} /\)lua"/{if (f) exit} f' \
    services/review-gateway/redis_submission_guard.cc)
  [[ -n ${guard_lua} ]] || die "could not extract the guard script"
  rcli=(redis-cli -h 127.0.0.1 -p "${redis_port}")
  guard_sha=$("${rcli[@]}" SCRIPT LOAD "${guard_lua}")
  now_ms=$(($(date +%s) * 1000))
  hot_key=$("${rcli[@]}" --scan --pattern 'rating:B0CD000000' | head -n 1)
  hot_key=${hot_key:-rating:B0CD000000}
  {
    redis-benchmark -h 127.0.0.1 -p "${redis_port}" -c 16 -n 200000 -r 1000000000 --csv \
      EVALSHA "${guard_sha}" 3 'g:{u__rand_int__}:fp:__rand_int__' 'g:{u__rand_int__}:p:B0CD000001' \
      'g:{u__rand_int__}:w' "${now_ms}" 7776000000 86400000 86400000 10 'rid__rand_int__'
    redis-benchmark -h 127.0.0.1 -p "${redis_port}" -c 16 -n 400000 --csv HGETALL "${hot_key}" |
      tail -n +2
  } >"${redis_csv}"
  cat "${redis_csv}"
fi

# ---------------------------------------------------------------------------------------------
# Summary

noop=$(result noop-max.json)
smax=$(result submit-max.json)
s2k=$(result submit-2000.json)
sopen=$(result summary-open.json)
summary_txt=$(result summary.txt)
# Commit and machine from the first run that took place (all runs record the same).
meta=""
for run in "${all_runs[@]}"; do
  [[ -f $(result "${run}.json") ]] && { meta=$(result "${run}.json"); break; }
done
{
  if [[ -n ${meta} ]]; then
    echo "Candor reference benchmark, $(date -u +%FT%TZ), commit $(jq -r '.git_commit // "unknown"' "${meta}")$(jq -r 'if .git_dirty then " (dirty)" else "" end' "${meta}")"
    echo "machine: $(jq -r '"\(.machine.nproc) x \(.machine.cpu_model), \(.machine.mem_total_mb) MB, \(.machine.kernel)"' "${meta}"); load generator on the same machine"
  fi
  echo "CPU busy before the run (other processes): ${busy_before} %"
  echo
  printf '%-52s %10s %9s %9s %9s\n' "run" "calls/s" "p50 ms" "p99 ms" "p99.9 ms"
  row() { # name file op; nothing if that run was left out (--runs)
    [[ -f $2 ]] || return 0
    jq -r --arg n "$1" --arg op "$3" \
      '.ops[$op] as $o | [$n, ($o.throughput_per_s|floor), $o.latency_ms.p50, $o.latency_ms.p99, $o.latency_ms.p999] | @tsv' "$2" |
      awk -F'\t' '{printf "%-52s %10d %9.2f %9.2f %9.2f\n", $1, $2, $3, $4, $5}'
  }
  row "noop, closed loop (${concurrency} in flight)" "${noop}" noop
  row "submit, closed loop (${concurrency} in flight)" "${smax}" submit
  row "submit, closed loop, consumers not running" "$(result submit-max-gw.json)" submit
  row "submit, open loop at 2,000/s, consumers not running" "$(result submit-2000-gw.json)" submit
  row "submit, open loop at 2,000/s" "${s2k}" submit
  row "summary, closed loop (${concurrency} in flight)" "$(result summary-max.json)" summary
  row "summary, open loop at ${summary_rate}/s" "${sopen}" summary
  echo
  have() { local f; for f in "$@"; do [[ -f ${f} ]] || return 1; done; }
  have "${noop}" "${smax}" && jq -r -n --slurpfile n "${noop}" --slurpfile s "${smax}" \
    '($s[0].ops.submit.ok_per_s / $n[0].ops.noop.ok_per_s) as $r |
     "submit max / noop max (OK answers/s): \($s[0].ops.submit.ok_per_s|floor) / \($n[0].ops.noop.ok_per_s|floor) = \(($r*1000|round)/10) %   (target >= 40 %)"'
  have "${noop}" "$(result submit-max-gw.json)" &&
    jq -r -n --slurpfile n "${noop}" --slurpfile s "$(result submit-max-gw.json)" \
    '($s[0].ops.submit.ok_per_s / $n[0].ops.noop.ok_per_s) as $r |
     "  consumers not running:                \($s[0].ops.submit.ok_per_s|floor) / \($n[0].ops.noop.ok_per_s|floor) = \(($r*1000|round)/10) %"'
  have "$(result submit-2000-gw.json)" && jq -r '"submit at 2,000/s, consumers not running: p50 \(.ops.submit.latency_ms.p50) ms, p99 \(.ops.submit.latency_ms.p99) ms, late \(.schedule.late)"' "$(result submit-2000-gw.json)"
  have "${s2k}" && jq -r '"submit at 2,000/s: achieved \(.ops.submit.throughput_per_s|floor)/s, p99 \(.ops.submit.latency_ms.p99) ms (target <= 25 ms), late \(.schedule.late), never sent \(.schedule.unsent), answers: \(.ops.submit.codes|to_entries|map("\(.key) \(.value)")|join(", "))"' "${s2k}"
  have "${s2k}" && jq -r '"freshness at 2,000/s: \(.freshness.readable)/\(.freshness.probes) probes readable, p50 \(.freshness.readable_ms.p50) ms, p99 \(.freshness.readable_ms.p99) ms, max \(.freshness.readable_ms.max) ms, \(.freshness.timed_out) not within \(.freshness.timeout_s) s (target p99 <= 1000 ms)"' "${s2k}"
  have "${sopen}" && jq -r '"summary reads at \(.config.rate)/s: achieved \(.ops.summary.throughput_per_s|floor)/s, p99 \(.ops.summary.latency_ms.p99) ms (target <= 5 ms at 20,000/s), late \(.schedule.late), never sent \(.schedule.unsent)"' "${sopen}"
  if have "$(result summary-2500.json)"; then
    echo
    echo "summary reads, open loop sweep (10 s each): rate, achieved, p50, p99, cores used by the"
    echo "gateway, redis and the load generator, and by the whole machine"
    for rate in "${sweep_rates[@]}"; do
      have "$(result "summary-${rate}.json")" "$(result "summary-${rate}-cpu.json")" || continue
      jq -r -n --slurpfile r "$(result "summary-${rate}.json")" \
        --slurpfile c "$(result "summary-${rate}-cpu.json")" \
        '$r[0] as $r | $c[0].cores as $k |
         "  \($r.config.rate)/s: \($r.ops.summary.throughput_per_s|floor)/s, p50 \($r.ops.summary.latency_ms.p50) ms, p99 \($r.ops.summary.latency_ms.p99) ms; cores gateway \($k.gateway), redis \($k.redis), loadgen \($k.loadgen), all \([$k[]] | add * 100 | round / 100)"'
    done
  fi
  # CSV columns: test, rps, avg, min, p50, p95, p99, max (ms), every field quoted.
  echo
  echo "CPU per call (us), whole run incl. warm-up and the consumers' drain (loadgen: its load"
  echo "phase only); 'other' = cores other processes on the machine took meanwhile (should be ~0):"
  printf '%-15s' "run"
  for c in "${components[@]}" loadgen; do printf ' %9.9s' "${c}"; done
  printf ' %9s\n' "other"
  for run in noop-max submit-max-gw submit-2000-gw submit-2000 submit-max summary-max; do
    have "$(result "${run}-cpu.json")" || continue
    printf '%-15s' "${run}"
    jq -r '[.cpu_us_per_call.gateway, .cpu_us_per_call["fraud-scorer"], .cpu_us_per_call["rating-aggregator"],
            .cpu_us_per_call.redis, .cpu_us_per_call.kafka, .cpu_us_per_call.postgres,
            .cpu_us_per_call.loadgen, "\(.cores.other)c"] | map(" \(.)") | join("")' "$(result "${run}-cpu.json")" |
      awk '{for (i = 1; i <= NF; i++) printf " %9s", $i; print ""}'
  done
  echo
  if have "${redis_csv}"; then
    awk -F',' 'NR > 1 { for (i = 1; i <= NF; i++) gsub(/"/, "", $i)
      printf "redis-benchmark %-8s %9.0f req/s  p50 %s ms  p99 %s ms\n", ($1 ~ /^EVALSHA/ ? "guard" : "HGETALL"), $2, $5, $7 }' "${redis_csv}"
  fi
} | tee "${summary_txt}"
log "results in ${out_dir}/${stamp}-*"
