#!/usr/bin/env bash
# Runs one libFuzzer binary for a bounded time on a working copy of its seed corpus, so that the
# repo's corpus is never written to. Used by the `fuzz` CTest label and scripts/fuzz.sh.
#   run_fuzzer.sh BINARY SEED_CORPUS_DIR WORK_DIR
# Seconds: $CANDOR_FUZZ_SECONDS, else the configured default ($CANDOR_FUZZ_SECONDS_DEFAULT), else
# 60. On a crash it prints the saved input's path and how to keep it as a regression case.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: run_fuzzer.sh BINARY SEED_CORPUS_DIR WORK_DIR" >&2
  exit 2
fi
binary="$1" seeds="$2" work="$3"
name="$(basename "$binary")"
seconds="${CANDOR_FUZZ_SECONDS:-${CANDOR_FUZZ_SECONDS_DEFAULT:-60}}"
# The same third-party leak suppressions as every test (cmake/candor.cmake), when run by hand.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/cmake/lsan.supp:print_suppressions=0}"

# The working corpus keeps what earlier runs in this build tree found (it only grows), plus the
# seeds; artifacts (crash-*, leak-*, timeout-*, oom-*) go beside it.
mkdir -p "$work/corpus" "$work/artifacts"
cp -n "$seeds"/* "$work/corpus/" 2>/dev/null || true
rm -f "$work/artifacts"/*

status=0
# -timeout: one input running 10 s is a hang; -rss_limit_mb: libFuzzer's default, said aloud.
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/fuzz.log" 2>&1 || status=$?

stats="$(grep -E '^stat::(number_of_executed_units|new_units_added)' "$work/fuzz.log" \
  | sed 's/stat:://' | tr '\n' ' ')"
if [ "$status" -eq 0 ]; then
  echo "$name: ${seconds}s clean: $stats(corpus $(ls "$work/corpus" | wc -l) files)"
  exit 0
fi

tail -n 60 "$work/fuzz.log"
echo
echo "$name: FAILED (exit $status) after fuzzing; full log: $work/fuzz.log"
found=0
for f in "$work/artifacts"/*; do
  [ -e "$f" ] || continue
  found=1
  echo "$name: failing input: $f"
  echo "  reproduce: $binary $f"
  echo "  keep it:   cp $f $seeds/   (then fix the code; fuzz/README.md)"
done
[ "$found" = 1 ] || echo "$name: no input was saved (see the log)"
exit 1
