#!/bin/sh
# candor_reco_rank_train_tsv: the ranker trainer end to end on a small TSV this script writes: a
# two-tower model trained on it first, then the ranker over its candidates, then the funnel
# through candor-reco-eval, which must reproduce the trainer's test row.
# Usage: tsv_test.sh CANDOR_RECO_RANK_TRAIN CANDOR_RECO_TRAIN CANDOR_RECO_EVAL
set -eu
rank=$1
train=$2
eval=$3
. "$(dirname "$0")/../testing/reco_test_lib.sh"
reco_test_dir candor-reco-rank-train

# 200 users over 40 items: each reviews 7 consecutive items (mod 40) from a start of its own, one
# a day, with a rating.
reco_sequences "$dir/r.tsv" 200 40 7 rated

"$train" --tsv "$dir/r.tsv" --out "$dir/tower.tt" --dim 16 --hidden 32 --history 5 --batch 64 \
  --lr 0.01 --epochs 3 --seed 3 --no-test 2> /dev/null

"$rank" --tsv "$dir/r.tsv" --twotower-model "$dir/tower.tt" --out "$dir/ranker.json" \
  --report "$dir/report.json" --candidates 20 --rounds 30 --early-stop 10 --max-depth 3 \
  --eta 0.3 --threads 1 --seed 4 > "$dir/rank.txt" 2> "$dir/rank.err"
cat "$dir/rank.txt"
grep -q 'examples: two-tower top 20 (history excluded)' "$dir/rank.err"
grep -q 'rank-train: round 0' "$dir/rank.err"
grep -q '"format": "candor-reco-ranker 1"' "$dir/ranker.json.meta.json"
grep -q '"features_version": "reco-rank-features-1"' "$dir/ranker.json.meta.json"
grep -q '"candidates": 20' "$dir/ranker.json.meta.json"
grep -q '"tower_score"' "$dir/ranker.json.meta.json"
grep -q '"checksum": "fnv1a64:' "$dir/report.json"
grep -q '"held_out"' "$dir/report.json"
grep -q '^| funnel(twotower top 20 -> ltr) | leave-one-out, full ranking, history masked | test | 200 |' \
  "$dir/rank.txt"

# candor-reco-eval loads both files and finds the trainer's test figures for the funnel.
"$eval" --tsv "$dir/r.tsv" --models twotower,funnel --twotower-model "$dir/tower.tt" \
  --ranker "$dir/ranker.json" > "$dir/eval.txt" 2> /dev/null
cat "$dir/eval.txt"
want=$(grep '^| funnel' "$dir/rank.txt")
got=$(grep '^| funnel' "$dir/eval.txt")
[ "$want" = "$got" ] || { echo "eval '$got' != rank-train '$want'" >&2; exit 1; }

# The same seed (one thread) writes the same booster.
"$rank" --tsv "$dir/r.tsv" --twotower-model "$dir/tower.tt" --out "$dir/again.json" \
  --candidates 20 --rounds 30 --early-stop 10 --max-depth 3 --eta 0.3 --threads 1 --seed 4 \
  --no-test 2> /dev/null
cmp "$dir/ranker.json" "$dir/again.json" || { echo "the same seed gave another booster" >&2; exit 1; }

# Bad input: a ranker beside metadata that is not its own; a missing ranker; missing flags.
cp "$dir/again.json.meta.json" "$dir/x.meta.json"
sed 's/"version": "[^"]*"/"version": "other"/' "$dir/x.meta.json" > "$dir/again.json.meta.json"
expect_exit 1 "$eval" --tsv "$dir/r.tsv" --models funnel --twotower-model "$dir/tower.tt" \
  --ranker "$dir/again.json"
grep -q 'belongs to another model' "$dir/err.txt"
expect_exit 1 "$eval" --tsv "$dir/r.tsv" --models funnel --twotower-model "$dir/tower.tt" \
  --ranker "$dir/absent.json"
grep -q 'absent.json: cannot be read' "$dir/err.txt"
expect_exit 2 "$eval" --tsv "$dir/r.tsv" --models funnel --twotower-model "$dir/tower.tt"
expect_exit 2 "$rank" --tsv "$dir/r.tsv" --out "$dir/y.json"
echo "ok"
