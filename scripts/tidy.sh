#!/usr/bin/env bash
# Runs clang-tidy (repo .clang-tidy) on the tracked .cc files of the product (libs, services,
# tools, examples; with --all also tests, fuzz targets and bench), two at a time, with every finding an
# error. Uses build/<preset>/compile_commands.json (default preset: asan, the
# tree CI builds); the generated protobuf headers must exist there (any build of it makes them).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/tidy.sh [--preset P] [--jobs J] [--all] [FILE.cc...]

Runs clang-tidy with --warnings-as-errors='*' on FILEs (default: the tracked .cc files of
libs/, services/, tools/ and examples/ that are not tests or fuzz targets and that the compilation database
of build/P lists, P default asan; --all: every tracked .cc file there, tests and bench too), J at
a time (default 2). Fails on any finding. CI runs the default set (the product's code) to stay
within its time budget.
USAGE
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
preset=asan
jobs=2
files=()
all=0
while [ $# -gt 0 ]; do
  case "$1" in
    --all) all=1; shift ;;
    --preset) preset="$2"; shift 2 ;;
    --preset=*) preset="${1#*=}"; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "tidy.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done

bdir="build/$preset"
db="$bdir/compile_commands.json"
[ -f "$db" ] || { echo "tidy.sh: no $db (configure the $preset preset first)" >&2; exit 2; }
# Generated headers (protoc) are inputs of the files that include them.
cmake --build "$bdir" --target candor_review_proto >/dev/null

if [ "${#files[@]}" -eq 0 ]; then
  # Tracked .cc files that the build compiles (the database also lists generated .pb.cc files,
  # which are not ours).
  mapfile -t files < <(python3 - "$db" "$root" "$all" <<'PY'
import json, os, re, subprocess, sys
db, root, everything = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
compiled = {os.path.realpath(e["file"]) for e in json.load(open(db))}
tracked = subprocess.run(["git", "ls-files", "*.cc"], cwd=root, capture_output=True, text=True,
                         check=True).stdout.split()
for f in tracked:
    if os.path.realpath(os.path.join(root, f)) not in compiled:
        continue
    product = re.match(r"(libs|services|tools|examples)/", f) and not re.search(r"(test|_fuzz)\.cc$", f)
    if everything or product:
        print(f)
PY
)
fi

# Headers of ours only (not protoc's output under build/, not /usr/include).
header_filter="^$root/(libs|services|tools|examples|tests|bench|fuzz)/"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
start=$(date +%s)
status=0
# gcc-only warning flags in the database (-Wno-restrict) are unknown to clang: not a finding;
# librdkafka's RD_KAFKA_V_* macros are GNU statement expressions: not ours to change.
printf '%s\n' "${files[@]}" | xargs -P "$jobs" -n 1 clang-tidy -p "$bdir" --quiet \
  --warnings-as-errors='*' --header-filter="$header_filter" \
  --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-gnu-statement-expression \
  >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  grep -E '(warning|error):' "$log" | sort -u >&2 || true
  echo "tidy: findings (above); full output: rerun scripts/tidy.sh FILE.cc" >&2
  exit 1
fi
echo "tidy: ${#files[@]} files clean in $(( $(date +%s) - start ))s" >&2
