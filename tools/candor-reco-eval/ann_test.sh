#!/bin/sh
# candor_reco_eval_ann: --ann hnsw end to end. Trains a small two-tower model on a TSV this script
# writes (candor-reco-train), then measures HNSW retrieval over its item vectors.
# Usage: ann_test.sh CANDOR_RECO_EVAL CANDOR_RECO_TRAIN
set -eu
eval=$1
train=$2
. "$(dirname "$0")/../testing/reco_test_lib.sh"
reco_test_dir candor-reco-eval-ann

# 200 users over 60 items: each reviews 6 consecutive items (mod 60), one a day.
reco_sequences "$dir/r.tsv" 200 60 6
"$train" --tsv "$dir/r.tsv" --out "$dir/model.bin" --dim 16 --hidden 32 --history 5 --batch 64 \
  --lr 0.01 --epochs 4 --seed 3 --no-test > /dev/null 2>&1

# Default HNSW options (M 32, efSearch 128 over 60 items) find every exact neighbour; with the
# default 1000 candidates (> 60 items) the candidate-restricted two-tower row equals the
# all-items row.
"$eval" --tsv "$dir/r.tsv" --models popularity --twotower-model "$dir/model.bin" --ann hnsw \
  --ann-k 20 --json "$dir/out.json" > "$dir/table.txt"
cat "$dir/table.txt"
grep -q '^| exact | 1 | 1 | 1 | ' "$dir/table.txt"
grep -q '^| hnsw(M=32,efSearch=128) | 1.0000 | 1.0000 | 1.0000 | ' "$dir/table.txt"
grep -q '| recall@20 users | recall@20 items, self included |' "$dir/table.txt"
grep -q '"recall_users": 1.0' "$dir/out.json"
grep -q '"k": 20' "$dir/out.json"
grep -q '"query_users": 200' "$dir/out.json"
grep -q '"candidates": 60' "$dir/out.json"
grep -q '"model": "twotower+hnsw(M=32,efSearch=128)top60"' "$dir/out.json"
all=$(awk -F' [|] ' '$1 == "| twotower" { print $5, $6 }' "$dir/table.txt")
cut=$(awk -F' [|] ' '$1 == "| twotower+hnsw(M=32,efSearch=128)top60" { print $5, $6 }' \
  "$dir/table.txt")
[ -n "$all" ] && [ "$all" = "$cut" ] || { echo "all items '$all' != candidates '$cut'" >&2; exit 1; }

# Two candidates: the target is mostly outside them, so HR@10 falls (ties of the rest count in
# expectation: about 8/55 of a hit).
"$eval" --tsv "$dir/r.tsv" --models popularity --twotower-model "$dir/model.bin" --ann hnsw \
  --ann-m 4 --ann-ef-search 1 --ann-k 10 --ann-candidates 2 > "$dir/small.txt"
cat "$dir/small.txt"
grep -q '^| hnsw(M=4,efSearch=1) | [01]\.[0-9]* | ' "$dir/small.txt"
grep -q 'recall@10 users' "$dir/small.txt"
all=$(awk -F' [|] ' '$1 == "| twotower" { print $5 }' "$dir/small.txt")
cut=$(awk -F' [|] ' '$1 == "| twotower+hnsw(M=4,efSearch=1)top2" { print $5 }' "$dir/small.txt")
awk -v a="$all" -v c="$cut" 'BEGIN { exit !(c < a) }' || {
  echo "HR@10 on 2 candidates ($cut) not below all items ($all)" >&2
  exit 1
}

# Usage errors (exit 2).
expect_exit 2 "$eval" --tsv "$dir/r.tsv" --ann hnsw
grep -q -- "--ann needs --twotower-model FILE" "$dir/err.txt"
expect_exit 2 "$eval" --tsv "$dir/r.tsv" --twotower-model "$dir/model.bin" --ann ivf
grep -q -- "--ann must be hnsw, not 'ivf'" "$dir/err.txt"
echo "ok"
