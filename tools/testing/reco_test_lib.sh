# Sourced (`. "$(dirname "$0")/../testing/reco_test_lib.sh"`) by the shell tests of
# candor-reco-eval, candor-reco-train and candor-reco-rank-train: the prologue and checks each
# would otherwise write again. POSIX sh; the sourcing script runs with `set -eu`.

# reco_test_dir NAME: a fresh folder in $dir, removed when the test exits.
reco_test_dir() {
  dir=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  trap 'rm -rf "$dir"' EXIT
}

# reco_sequences FILE USERS ITEMS LENGTH [rated]: a TSV (with its header) in which user u reviews
# LENGTH consecutive items (mod ITEMS) from item 7u on, one a day from day u, so that the next
# item always follows the newest one. Every rating is 5, or 1 + (u + k) % 5 with `rated`.
reco_sequences() {
  printf 'user\titem\trating\tunix_time\n' > "$1"
  u=0
  while [ $u -lt "$2" ]; do
    k=0
    while [ $k -lt "$4" ]; do
      rating=5
      [ "${5:-}" = rated ] && rating=$((1 + (u + k) % 5))
      printf 'u%d\ti%d\t%d\t%d\n' $u $(((u * 7 + k) % $3)) $rating $((86400 * (u + k))) >> "$1"
      k=$((k + 1))
    done
    u=$((u + 1))
  done
}

# expect_exit CODE COMMAND...: runs COMMAND with its stdout dropped and its stderr in
# $dir/err.txt; the test fails unless it exits CODE.
expect_exit() {
  want=$1
  shift
  set +e
  "$@" > /dev/null 2> "$dir/err.txt"
  rc=$?
  set -e
  [ $rc -eq "$want" ] || { echo "exit $rc, want $want: $*" >&2; exit 1; }
}
