#!/usr/bin/env bash
# Runs clang-tidy (repo .clang-tidy) on the tracked .cc files of the product (libs, services,
# tools, examples; with --all also tests, fuzz targets and bench), two at a time, with every finding an
# error, skipping files whose inputs are unchanged since a clean run (scripts/tidy_run.py). Uses build/<preset>/compile_commands.json (default preset: asan, the
# tree CI builds); the generated protobuf headers must exist there (any build of it makes them).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/tidy.sh [--preset P] [--jobs J] [--all] [--no-cache] [FILE.cc...]

Runs clang-tidy with --warnings-as-errors='*' on FILEs (default: the tracked .cc files of
libs/, services/, tools/ and examples/ that are not tests or fuzz targets and that the compilation database
of build/P lists, P default asan; --all: every tracked .cc file there, tests and bench too), J at
a time (default 2). Fails on any finding. CI runs the default set (the product's code) to stay
within its time budget.
  --no-cache  lint every file again. By default a file whose inputs (preprocessed text with
              comments, compile command, .clang-tidy, clang-tidy's version) are those of an
              earlier clean run is not linted again; the cache is $CANDOR_TIDY_CACHE (default
              ~/.cache/candor-tidy; empty: off), shared by clones on this machine.
USAGE
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
preset=asan
jobs=2
cache="${CANDOR_TIDY_CACHE-${XDG_CACHE_HOME:-$HOME/.cache}/candor-tidy}"
files=()
all=0
while [ $# -gt 0 ]; do
  case "$1" in
    --all) all=1; shift ;;
    --preset) preset="$2"; shift 2 ;;
    --preset=*) preset="${1#*=}"; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    --no-cache) cache=""; shift ;;
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
# gcc-only warning flags in the database (-Wno-restrict) are unknown to clang: not a finding;
# librdkafka's RD_KAFKA_V_* macros are GNU statement expressions: not ours to change.
exec python3 "$root/scripts/tidy_run.py" --db "$db" --root "$root" --jobs "$jobs" --cache "$cache" \
  -- -p "$bdir" --quiet --warnings-as-errors='*' --header-filter="$header_filter" \
  --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-gnu-statement-expression \
  -- "${files[@]}"
