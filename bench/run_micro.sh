#!/usr/bin/env bash
# Runs the micro-benchmarks (bench/micro/README.md) with repetitions: candor-micro-bench, then
# candor-micro-redis-bench against a Redis of its own started here (and shut down afterwards).
# Leaves Google Benchmark's JSON in bench/results/<date>/ (git-ignored) and prints, per binary,
# the median and min-max over the repetitions, and how much CPU other processes used meanwhile
# (figures from a run with other load are not comparable).
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"  # also sets repo_root

usage() {
  cat <<EOF
Usage: $(basename "$0") [options]

Options:
  --build-dir DIR     build tree holding the binaries   (${repo_root}/build/release)
  --redis-port N      port of the Redis started here    (6691; refused when in use)
  --repetitions N     repetitions of every benchmark    (10)
  --results DIR       where the JSON goes               (${repo_root}/bench/results)
  --only NAME         run only 'cpu' or 'redis'
  --help              print this help
Extra Google Benchmark flags go after '--' (e.g. -- --benchmark_filter=Score).
EOF
}

build_dir=${repo_root}/build/release
redis_port=6691
repetitions=10
results_dir=${repo_root}/bench/results
only=""
parse_options --build-dir=build_dir --redis-port=redis_port --repetitions=repetitions \
  --results=results_dir --only=only operands -- "$@"
[[ -z ${only} || ${only} == cpu || ${only} == redis ]] || die "--only takes 'cpu' or 'redis'"

out_dir=${results_dir}/$(date +%F)
mkdir -p "${out_dir}"
stamp=$(date +%H%M%S)
common=(--benchmark_repetitions="${repetitions}" --benchmark_enable_random_interleaving=true
  --benchmark_min_warmup_time=0.2 --benchmark_display_aggregates_only=true
  --benchmark_out_format=json)

busy_seconds() { awk -v hz="$(getconf CLK_TCK)" '/^cpu /{print ($2+$3+$4+$7+$8)/hz}' /proc/stat; }
redis_seconds() {
  if [[ -n ${redis_pid:-} ]]; then
    redis-cli -p "${redis_port}" info cpu | awk -F: '/^used_cpu_(user|sys):/{s+=$2} END{print s+0}'
  else
    echo 0
  fi
}

# run NAME BINARY ARGS...: one binary, its JSON, then the summary and the other processes' load.
run() {
  local name=$1 bin=$2 prefix="${out_dir}/${stamp}-micro-$1"
  local json=${prefix}.json
  shift 2
  [[ -x ${bin} ]] || die "${bin} not built (cmake --build ${build_dir} --target $(basename "${bin}"))"
  log "${name}: $(basename "${bin}") -> ${prefix}.{json,txt}"
  local b0 r0 t0 b1 r1 t1 own_user own_sys
  b0=$(busy_seconds) r0=$(redis_seconds) t0=$(date +%s.%N)
  local TIMEFORMAT='%U %S'  # bash's `time`: the benchmark's own user and system CPU
  { time "${bin}" "${common[@]}" --benchmark_out="${json}" "$@" >"${prefix}.txt" 2>&1; } \
    2>"${prefix}.time"
  b1=$(busy_seconds) r1=$(redis_seconds) t1=$(date +%s.%N)
  read -r own_user own_sys <"${prefix}.time"
  rm -f "${prefix}.time"
  if grep -q 'ERROR OCCURRED' "${prefix}.txt"; then
    grep 'ERROR OCCURRED' "${prefix}.txt" >&2
    die "${name}: a benchmark failed (${prefix}.txt)"
  fi
  python3 - "${json}" "${b0}" "${b1}" "${r0}" "${r1}" "${t0}" "${t1}" "${own_user}" "${own_sys}" <<'PY'
import collections, json, statistics, sys
path, b0, b1, r0, r1, t0, t1, u, s = sys.argv[1], *map(float, sys.argv[2:])
data = json.load(open(path))
runs = collections.OrderedDict()
for b in data["benchmarks"]:
    if b.get("run_type") == "iteration" and not b.get("error_occurred"):
        runs.setdefault(b["run_name"], []).append(b)
def num(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"
def spread(rows, key):
    v = [r[key] for r in rows]
    return f"{num(statistics.median(v))} ({num(min(v))}-{num(max(v))})"
for name, rows in sorted(runs.items()):
    cols = [f"real {spread(rows, 'real_time')} {rows[0]['time_unit']}",
            f"cpu {spread(rows, 'cpu_time')}"]
    for key in ("items_per_second", "redis_cpu_us"):
        if key in rows[0]:
            cols.append(f"{key} {spread(rows, key)}")
    print(f"{name:42s} n={len(rows)}  " + "  ".join(cols))
wall = t1 - t0
other = max(0.0, (b1 - b0) - (u + s) - (r1 - r0)) / wall
print(f"median (min-max) of {path}; other processes used {other:.2f} cores over {wall:.0f} s"
      f" (load average then: {data['context'].get('load_avg')})")
PY
}

redis_pid=""
stop_redis() {
  if [[ -n ${redis_pid} ]]; then
    redis-cli -p "${redis_port}" shutdown nosave >/dev/null 2>&1 || true
  fi
}
trap stop_redis EXIT

if [[ ${only} != redis ]]; then
  run cpu "${build_dir}/bench/candor-micro-bench" "${operands[@]}"
fi
if [[ ${only} != cpu ]]; then
  ! redis-cli -p "${redis_port}" ping >/dev/null 2>&1 || die "port ${redis_port} is in use"
  redis-server --port "${redis_port}" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --dir /tmp --pidfile "/tmp/candor-micro-redis-${redis_port}.pid" >/dev/null
  for _ in $(seq 50); do redis-cli -p "${redis_port}" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis_pid=$(cat "/tmp/candor-micro-redis-${redis_port}.pid")
  CANDOR_REDIS_ADDR=127.0.0.1:${redis_port} \
    run redis "${build_dir}/bench/candor-micro-redis-bench" "${operands[@]}"
fi
