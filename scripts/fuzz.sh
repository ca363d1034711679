#!/usr/bin/env bash
# Builds the `fuzz` preset's libFuzzer targets (clang, ASan + UBSan) and fuzzes each for a bounded
# time, two at a time, on working copies of the seed corpora in build/fuzz/fuzz/<target>.
# fuzz/README.md: the targets, and how a crash becomes a committed corpus case.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/fuzz.sh [--seconds N] [--target NAME]... [--jobs J] [--no-build] [--list]

Builds the fuzz targets of the `fuzz` preset (build/fuzz) and runs each for N seconds (default:
$CANDOR_FUZZ_SECONDS, else 60), J at a time (default 2). Fails if any target finds a crash, a
leak or a hang, and prints the saved input and how to keep it (fuzz/README.md).
  --seconds N    fuzzing time per target
  --target NAME  only this target (repeatable), e.g. jwt_fuzz
  --jobs J       targets fuzzed at once
  --no-build     use the binaries already built
  --list         print the targets and exit
USAGE
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${CANDOR_FUZZ_SECONDS:-60}"
jobs=2
build=1
list=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --target) targets+=("$2"); shift 2 ;;
    --target=*) targets+=("${1#*=}"); shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    --no-build) build=0; shift ;;
    --list) list=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: --seconds takes a whole number" >&2; exit 2 ;; esac

bdir="$root/build/fuzz"
if [ ! -f "$bdir/CMakeCache.txt" ]; then
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  cmake --preset fuzz "${launcher[@]}" >/dev/null
fi

# Every target candor_fuzz() declared, as CTest knows them: "name<TAB>binary<TAB>corpus".
mapfile -t known < <(ctest --test-dir "$bdir" -L '^fuzz$' --show-only=json-v1 | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tests"]:
    cmd = t["command"]
    print("\t".join([t["name"], cmd[1], cmd[2], cmd[3]]))')
if [ "$list" = 1 ]; then
  printf '%s\n' "${known[@]}" | cut -f1
  exit 0
fi
selected=()
for row in "${known[@]}"; do
  name="${row%%$'\t'*}"
  if [ "${#targets[@]}" -eq 0 ] || printf '%s\n' "${targets[@]}" | grep -qx "$name"; then
    selected+=("$row")
  fi
done
for want in "${targets[@]}"; do
  printf '%s\n' "${known[@]}" | cut -f1 | grep -qx "$want" \
    || { echo "fuzz.sh: no fuzz target '$want' (--list)" >&2; exit 2; }
done

if [ "$build" = 1 ]; then
  names=()
  for row in "${selected[@]}"; do names+=("${row%%$'\t'*}"); done
  start=$(date +%s)
  cmake --build "$bdir" -j 2 --target "${names[@]}"
  echo "fuzz: built ${#names[@]} targets in $(( $(date +%s) - start ))s" >&2
fi

echo "fuzz: ${#selected[@]} targets, ${seconds}s each, $jobs at a time" >&2
start=$(date +%s)
status=0
printf '%s\n' "${selected[@]}" | CANDOR_FUZZ_SECONDS="$seconds" xargs -P "$jobs" -d '\n' -I{} \
  bash -c 'IFS=$'"'"'\t'"'"' read -r name bin seeds work <<<"$1"; exec "$0" "$bin" "$seeds" "$work"' \
  "$root/fuzz/run_fuzzer.sh" {} || status=$?
echo "fuzz: done in $(( $(date +%s) - start ))s" >&2
exit "$status"
