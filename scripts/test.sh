#!/usr/bin/env bash
# Candor's test command (and CI's, through .ci/run). Stages, each timed:
#   setup   install missing Debian packages (scripts/setup.sh --no-build)
#   format  clang-format drift (scripts/check-format.sh)
#   deploy  docker-compose.yml and deploy/k8s validated offline (scripts/validate-deploy.sh, ~10 s)
#   build   configure + build the preset (default asan: AddressSanitizer + UBSan)
#   tests   every CTest label these machines can run (unit, redis, pg, kafka, integration, e2e)
#           under that preset; store tests start their own stack (the `stack` fixture)
#   fuzz    build the `fuzz` preset's libFuzzer targets and fuzz each for a bounded time
#   tidy    clang-tidy on our .cc files, findings are errors (scripts/tidy.sh)
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/test.sh [--preset P] [--only STAGES] [--skip STAGES] [--fuzz-seconds N]
                       [--] [ctest args...]

Runs CI's stages in order: setup format deploy build tests fuzz tidy. Each prints its
duration; the first failing stage stops the run (exit 1).
  --preset P        preset built and tested (default asan; also env CANDOR_TEST_PRESET). The
                    asan preset runs every label, e2e included, under ASan + UBSan + LSan.
  --only S1,S2      run only these stages (e.g. --only build,tests)
  --skip S1,S2      skip these stages (e.g. --skip fuzz,tidy for a quick local run)
  --fuzz-seconds N  seconds per fuzz target (default 60; env CANDOR_FUZZ_SECONDS)
  ctest args        passed to the tests stage (e.g. -L unit, -R jwt)
Store tests run on the build tree's own stack, on free ports picked at its first start (pinned
ports: CANDOR_TEST_*_PORT in cmake/candor.cmake), so two build trees or two runs share a machine.
Builds use ccache when it is installed.
USAGE
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
preset="${CANDOR_TEST_PRESET:-asan}"
fuzz_seconds="${CANDOR_FUZZ_SECONDS:-60}"
all_stages="setup format deploy build tests fuzz tidy"
only=""
skip=""
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset="$2"; shift 2 ;;
    --preset=*) preset="${1#*=}"; shift ;;
    --only) only="$2"; shift 2 ;;
    --only=*) only="${1#*=}"; shift ;;
    --skip) skip="$2"; shift 2 ;;
    --skip=*) skip="${1#*=}"; shift ;;
    --fuzz-seconds) fuzz_seconds="$2"; shift 2 ;;
    --fuzz-seconds=*) fuzz_seconds="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; ctest_args+=("$@"); break ;;
    *) ctest_args+=("$1"); shift ;;
  esac
done
for s in ${only//,/ } ${skip//,/ }; do
  case " $all_stages " in *" $s "*) ;; *) echo "test.sh: no stage '$s' ($all_stages)" >&2; exit 2 ;; esac
done

wanted() {
  if [ -n "$only" ]; then case ",$only," in *",$1,"*) ;; *) return 1 ;; esac; fi
  case ",$skip," in *",$1,"*) return 1 ;; esac
  return 0
}

summary=()
run_stage() {
  local name="$1"
  shift
  wanted "$name" || return 0
  echo "=== test.sh: stage $name: $*" >&2
  local start
  start=$(date +%s)
  if "$@"; then
    local secs=$(( $(date +%s) - start ))
    summary+=("$(printf '%-7s %4ds' "$name" "$secs")")
    echo "=== test.sh: stage $name passed in ${secs}s" >&2
  else
    local secs=$(( $(date +%s) - start ))
    summary+=("$(printf '%-7s %4ds FAILED' "$name" "$secs")")
    echo "=== test.sh: stage $name FAILED after ${secs}s" >&2
    printf '  %s\n' "${summary[@]}" >&2
    exit 1
  fi
}

total_start=$(date +%s)
run_stage setup scripts/setup.sh --no-build
run_stage format scripts/check-format.sh
run_stage deploy scripts/validate-deploy.sh
run_stage build scripts/setup.sh --no-install --preset "$preset"
run_stage tests ctest --preset "$preset" -j 2 "${ctest_args[@]}"
run_stage fuzz scripts/fuzz.sh --seconds "$fuzz_seconds"
run_stage tidy scripts/tidy.sh --preset "$preset"
echo "=== test.sh: all stages passed in $(( $(date +%s) - total_start ))s" >&2
printf '  %s\n' "${summary[@]}" >&2
