#!/bin/sh
# candor_reco_eval_beauty: the tool on the real Beauty sequences when ../shared/data is beside
# the repo. Exit 77 (CTest: skipped) with a message when it is not.
# Usage: beauty_test.sh CANDOR_RECO_EVAL BEAUTY_DIR
set -eu
tool=$1
data=$2
if [ ! -f "$data/Beauty_item_org_rank.txt" ]; then
  echo "skipped: $data/Beauty_item_org_rank.txt is absent (the shared data folder is not here)"
  exit 77
fi
out=$(mktemp "${TMPDIR:-/tmp}/candor-reco-beauty.XXXXXX")
trap 'rm -f "$out"' EXIT
"$tool" --beauty "$data" --models popularity,itemknn --no-tune --knn-k 0 --knn-decay 0.7 \
  --split test --json "$out"
grep -q '"interactions": 198502' "$out"
grep -q '"users": 22363' "$out"
grep -q '"items": 12101' "$out"
echo "ok"
