#!/usr/bin/env bash
# REST/JSON against gRPC on one review-gateway in one run: GetProductSummary read over gRPC
# (candor-drive bench, the benchmarks' loader) and GET /v1/products/{asin}/summary over REST (wrk)
# in closed loops with the same number of calls in flight, alternating, against the same gateway
# process. Reports throughput, p50/p99 and the gateway's CPU time per call of each, and the
# ratios. Builds nothing; starts a stack of its own (temp dir, free ports) and the gateway only:
# summaries are read from Redis, seeded from PostgreSQL on the first read of each product.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"  # sets repo_root
cd "${repo_root}"

usage() {
  cat <<'EOF'
Usage: bench/run_rest.sh [options]

Expects review-gateway, candor-drive, candor-token and candor-dev-kafka built, e.g.
  cmake --preset release && cmake --build build/release --target candor-review-gateway \
    candor-drive candor-token candor-dev-kafka
and wrk, jq and psql installed (scripts/setup.sh installs them).

Starts Redis / PostgreSQL / dev Kafka on free ports (tools/stack/stack.sh, in a temp dir), seeds
product_ratings for the generator's products (B0CD000000.., --products), starts review-gateway
(gRPC and REST on free loopback ports, --http-threads), warms both paths for 3 s, then --rounds
times, one after the other:
  grpc-N  candor-drive bench --mix summary --rate 0 --concurrency C (4 HTTP/2 connections)
  rest-N  wrk -c C -t 1: GET /v1/products/<asin>/summary, asin uniform over the products
each --duration-s. Writes every output into bench/results/<date>/HHMMSS-rest-*, prints a table
and the ratios REST / gRPC. About 2 minutes with the defaults.

Options:
  --build-dir DIR    binaries (default build/release)
  --out DIR          results (default bench/results/<YYYY-MM-DD>)
  --duration-s N     measured seconds of each run (default 15)
  --concurrency C    calls in flight in both loops (default 128)
  --rounds N         grpc + rest pairs (default 2)
  --products N       products read (default 200, candor-drive's default catalogue)
  --http-threads N   the gateway's --http-threads (default 2)
  --perf             also sample the gateway with perf in round 1 of each protocol and write
                     the hottest symbols to <prefix>-{grpc,rest}-1-perf.txt (needs perf)
  --help             this text

Both load generators run on the same machine as the gateway: on a 2-core box they take CPU from
it (candor-drive more than wrk), so calls/s and latency are that machine's; the gateway's CPU
time per call is the figure that compares the two protocols' cost.
EOF
}

build_dir=build/release
out=""
duration=15
concurrency=128
rounds=2
products=200
http_threads=2
perf=0
parse_options --perf:perf=1 --build-dir=build_dir --out=out --duration-s=duration \
  --concurrency=concurrency --rounds=rounds --products=products --http-threads=http_threads -- "$@"
for v in duration concurrency rounds products http_threads; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "run_rest: --${v//_/-} must be a positive integer" >&2; exit 2; }
done


write_path_binaries "${build_dir}"
token_bin=${build_dir}/tools/candor-token/candor-token
require_built "${gateway_bin}" "${kafka_bin}" "${drive_bin}" "${token_bin}"
require_commands wrk jq psql curl

out=${out:-bench/results/$(date +%F)}
mkdir -p "${out}"
prefix=${out}/$(date +%H%M%S)-rest

stack_dir=$(mktemp -d /tmp/candor-rest-bench.XXXXXX)
chmod 755 "${stack_dir}"
log_dir=${stack_dir}/logs
mkdir -p "${log_dir}"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n ${pid[review-gateway]:-} ]] && stop_service review-gateway "${pid[review-gateway]}"
  cp "${log_dir}/review-gateway.log" "${prefix}-gateway.log" 2>/dev/null || true
  tools/stack/stack.sh down --dir "${stack_dir}" --purge >/dev/null 2>&1 || true
  exit "${rc}"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

{
  echo "machine: $(nproc) cores, $(uname -r)"
  echo "uptime before: $(uptime)"
} | tee "${prefix}-load.txt"

log "starting the stack in ${stack_dir}"
tools/stack/stack.sh up --dir "${stack_dir}" --redis-port auto --pg-port auto --kafka-port auto \
  --dev-kafka "${kafka_bin}" >"${stack_dir}/env" 2>"${log_dir}/stack.log" ||
  { tail -n 30 "${log_dir}/stack.log" >&2; die "the stack did not start"; }
# shellcheck disable=SC1091
source "${stack_dir}/env"
export CANDOR_REDIS_ADDR CANDOR_PG_DSN CANDOR_KAFKA_BROKERS

# Every product has a counted rating; the first read of each repairs Redis from PostgreSQL (the
# warm-up does that), every measured read is a Redis read, on both protocols alike.
psql "${CANDOR_PG_DSN}" -XAtq -c "INSERT INTO product_ratings
  (asin, review_count, rating_sum, verified_count, verified_sum, stars_4, stars_5, version)
  SELECT 'B0CD' || lpad(i::text, 6, '0'), 10, 45, 5, 23, 5, 5, 1
  FROM generate_series(0, ${products} - 1) AS i ON CONFLICT (asin) DO NOTHING" >/dev/null

free_port() {
  local p
  for ((i = 0; i < 50; i++)); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/${p}") 2>/dev/null || { echo "${p}"; return; }
  done
  die "no free port found"
}
grpc_port=$(free_port)
http_port=$(free_port)
gateway_addr=127.0.0.1:${grpc_port}
CANDOR_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CANDOR_JWT_SECRET CANDOR_LOG_LEVEL=warn

start_service review-gateway "${gateway_bin}" --listen "${gateway_addr}" --http-port "${http_port}" \
  --http-threads "${http_threads}" --admin-port 0 --stats-interval-s 0 \
  --search-index-dir "${stack_dir}/no-search-index"
for ((i = 0; i < 100; i++)); do
  check_services
  curl -fsS -o /dev/null "http://127.0.0.1:${http_port}/openapi.json" 2>/dev/null && break
  sleep 0.2
done
((i < 100)) || die "the gateway's REST port never answered (log ${log_dir}/review-gateway.log)"
gw=${pid[review-gateway]}
log "gateway up: gRPC ${gateway_addr}, REST 127.0.0.1:${http_port} (pid ${gw})"

bearer=$("${token_bin}" --sub bench-reader)
# One REST answer, for the record: what a client gets.
curl -sS -H "Authorization: Bearer ${bearer}" \
  "http://127.0.0.1:${http_port}/v1/products/B0CD000000/summary" >"${prefix}-sample.json"

# wrk: each request a uniformly chosen product, the token in the header.
wrk_script=${stack_dir}/summary.lua
cat >"${wrk_script}" <<EOF
local token = "Bearer ${bearer}"
request = function()
  local path = string.format("/v1/products/B0CD%06d/summary", math.random(0, ${products} - 1))
  return wrk.format("GET", path, { ["Authorization"] = token })
end
EOF

clk_tck=$(getconf CLK_TCK)
gw_ticks() { awk '{print $14 + $15}' "/proc/${gw}/stat"; }

# wrk's latency figures carry their unit (us, ms, s): in ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
    else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 }
    else print v }'
}

# perf_start <run> / perf_stop <run>: the gateway's threads sampled during round 1.
perf_pid=""
perf_start() {
  ((perf)) && [[ $1 == *-1 ]] || return 0
  perf record -q -F 999 -g -p "${gw}" -o "${stack_dir}/$1.perf.data" -- sleep "${duration}" \
    >/dev/null 2>&1 &
  perf_pid=$!
}
perf_stop() {
  ((perf)) && [[ $1 == *-1 ]] || return 0
  wait "${perf_pid}" || true
  perf report -i "${stack_dir}/$1.perf.data" --no-children -g none --sort dso,sym --stdio \
    2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 40 >"${prefix}-$1-perf.txt" || true
  log "perf: ${prefix}-$1-perf.txt"
}

declare -a rows=()
run_grpc() {
  local name=$1 t0 t1 calls
  t0=$(gw_ticks)
  perf_start "${name}"
  "${drive_bin}" bench --gateway "${gateway_addr}" --mix summary --rate 0 \
    --concurrency "${concurrency}" --duration-s "${duration}" --warmup-s 0 --products "${products}" \
    --no-progress --json "${prefix}-${name}.json" >"${prefix}-${name}.txt" 2>&1
  t1=$(gw_ticks)
  perf_stop "${name}"
  check_services
  calls=$(jq '.warmup_calls + .total.calls' "${prefix}-${name}.json")
  rows+=("$(jq -r --arg name "${name}" --argjson ticks $((t1 - t0)) --argjson tck "${clk_tck}" \
    --argjson calls "${calls}" '.ops.summary as $o |
    [$name, ($o.throughput_per_s | floor), $o.latency_ms.p50, $o.latency_ms.p99,
     ($ticks / $tck * 1e6 / $calls | round), ($o.codes | tostring)] | @tsv' \
    "${prefix}-${name}.json")")
}
run_rest() {
  local name=$1 t0 t1 txt calls rps p50 p99 non2xx
  txt=${prefix}-${name}.txt
  t0=$(gw_ticks)
  perf_start "${name}"
  wrk -t 1 -c "${concurrency}" -d "${duration}s" --latency -s "${wrk_script}" \
    "http://127.0.0.1:${http_port}" >"${txt}" 2>&1
  t1=$(gw_ticks)
  perf_stop "${name}"
  check_services
  calls=$(awk '/requests in/ {print $1}' "${txt}")
  rps=$(awk '/^Requests\/sec/ {printf "%d", $2}' "${txt}")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "${txt}")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "${txt}")")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "${txt}")
  rows+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s' "${name}" "${rps}" "${p50}" "${p99}" \
    "$(awk -v t=$((t1 - t0)) -v k="${clk_tck}" -v c="${calls}" 'BEGIN {printf "%d", t / k * 1e6 / c}')" \
    "{\"non-2xx\":${non2xx:-0}}")")
}

log "warm-up: 3 s of each (every product read once at least)"
"${drive_bin}" bench --gateway "${gateway_addr}" --mix summary --rate 0 --concurrency 16 \
  --duration-s 3 --warmup-s 0 --products "${products}" --no-progress >/dev/null 2>&1 ||
  die "the gRPC warm-up failed"
wrk -t 1 -c 16 -d 3s -s "${wrk_script}" "http://127.0.0.1:${http_port}" >/dev/null 2>&1 ||
  die "the REST warm-up failed"

for ((r = 1; r <= rounds; r++)); do
  log "round ${r}: gRPC (candor-drive), then REST (wrk), ${duration} s each, ${concurrency} in flight"
  echo "  $(cut -d' ' -f1-3 /proc/loadavg) before grpc-${r}" >>"${prefix}-load.txt"
  run_grpc "grpc-${r}"
  echo "  $(cut -d' ' -f1-3 /proc/loadavg) before rest-${r}" >>"${prefix}-load.txt"
  run_rest "rest-${r}"
done
echo "uptime after: $(uptime)" >>"${prefix}-load.txt"

{
  printf 'run\tcalls/s\tp50_ms\tp99_ms\tgateway_cpu_us_per_call\tcodes\n'
  printf '%s\n' "${rows[@]}"
} | tee "${prefix}-table.tsv" | column -t -s $'\t'
# The ratios, REST over gRPC, over the rounds' sums (throughput) and means (CPU per call).
awk -F'\t' 'NR > 1 {
    p = ($1 ~ /^grpc/) ? "g" : "r"; n[p]++; rps[p] += $2; cpu[p] += $5; p99[p] += $4 }
  END {
    printf "REST / gRPC: throughput %.2f, gateway CPU per call %.2f, p99 %.2f\n",
      rps["r"] / rps["g"], (cpu["r"] / n["r"]) / (cpu["g"] / n["g"]), (p99["r"] / n["r"]) / (p99["g"] / n["g"])
  }' "${prefix}-table.tsv" | tee "${prefix}-ratio.txt"
cat "${prefix}-load.txt"
log "results: ${prefix}-*"
