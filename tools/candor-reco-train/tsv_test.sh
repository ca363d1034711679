#!/bin/sh
# candor_reco_train_tsv: the trainer end to end on a small TSV this script writes, then the model
# file through candor-reco-eval's plain-C++ two-tower model.
# Usage: tsv_test.sh CANDOR_RECO_TRAIN CANDOR_RECO_EVAL
set -eu
train=$1
eval=$2
. "$(dirname "$0")/../testing/reco_test_lib.sh"
reco_test_dir candor-reco-train

# 150 users over 40 items: each reviews 7 consecutive items (mod 40) from a start of its own,
# one a day, so the next item always follows the newest one.
reco_sequences "$dir/r.tsv" 150 40 7

"$train" --tsv "$dir/r.tsv" --out "$dir/model.bin" --report "$dir/report.json" --dim 16 \
  --hidden 32 --history 5 --batch 64 --lr 0.01 --temperature 0.1 --epochs 12 --seed 3 \
  > "$dir/train.txt"
cat "$dir/train.txt"
grep -q '"protocol": "leave-one-out, full ranking, history masked"' "$dir/report.json"
grep -q '"checksum": "fnv1a64:' "$dir/report.json"
grep -q '"seed": 3' "$dir/report.json"
head -1 "$dir/model.bin" | grep -qx 'candor-two-tower 1'

# The next item is learnt: test HR@10 far above the 10/33 a blind guess gets.
hr=$(awk -F' [|] ' '$3 == "test" { print $5 }' "$dir/train.txt")
awk -v hr="$hr" 'BEGIN { exit !(hr > 0.8) }' || { echo "test HR@10 $hr <= 0.8" >&2; exit 1; }

# candor-reco-eval runs the file without libtorch and finds the trainer's figures.
"$eval" --tsv "$dir/r.tsv" --models twotower --twotower-model "$dir/model.bin" --split test \
  > "$dir/eval.txt"
cat "$dir/eval.txt"
want=$(awk -F' [|] ' '$3 == "test" { print $4, $5, $6, $7, $8 }' "$dir/train.txt")
got=$(awk -F' [|] ' '$1 == "| twotower" { print $4, $5, $6, $7, $8 }' "$dir/eval.txt")
[ "$want" = "$got" ] || { echo "eval '$got' != train '$want'" >&2; exit 1; }

# --split-mode time: the users active across each cutoff (days 108 and 130) are held out; the
# report names the split and candor-reco-eval, given the same split, finds the same test figures.
"$train" --tsv "$dir/r.tsv" --out "$dir/time.bin" --report "$dir/time.json" --dim 16 --hidden 32 \
  --history 5 --batch 64 --lr 0.01 --temperature 0.1 --epochs 4 --seed 3 --split-mode time \
  --time-quantiles 0.7,0.85 > "$dir/train.txt" 2> "$dir/err.txt"
grep -q '"protocol": "time split (q0.7 / q0.85), full ranking, history masked"' "$dir/time.json"
grep -q 'train = the 735 events before 9331200, 6 validation users' "$dir/err.txt"
"$eval" --tsv "$dir/r.tsv" --models twotower --twotower-model "$dir/time.bin" --split-mode time \
  --time-quantiles 0.7,0.85 > "$dir/eval.txt" 2> /dev/null
want=$(awk -F' [|] ' '$3 == "test" { print $2, $4, $5, $6, $7, $8 }' "$dir/train.txt")
got=$(awk -F' [|] ' '$1 == "| twotower" { print $2, $4, $5, $6, $7, $8 }' "$dir/eval.txt")
[ "$want" = "$got" ] || { echo "time split: eval '$got' != train '$want'" >&2; exit 1; }

# The same seed trains the same model, byte for byte (one thread).
"$train" --tsv "$dir/r.tsv" --out "$dir/again.bin" --dim 16 --hidden 32 --history 5 --batch 64 \
  --lr 0.01 --temperature 0.1 --epochs 2 --seed 3 --no-test 2> /dev/null
"$train" --tsv "$dir/r.tsv" --out "$dir/again2.bin" --dim 16 --hidden 32 --history 5 \
  --batch 64 --lr 0.01 --temperature 0.1 --epochs 2 --seed 3 --no-test 2> /dev/null
# The metadata line holds the training seconds, so only the weights after it must match.
tail -n +3 "$dir/again.bin" > "$dir/a.w"
tail -n +3 "$dir/again2.bin" > "$dir/b.w"
cmp "$dir/a.w" "$dir/b.w" || { echo "the same seed gave different weights" >&2; exit 1; }

# Item text feeds the item tower: every item of the data is described, one line names an item
# the data lacks.
printf 'item\ttext\n' > "$dir/items.tsv"
i=0
while [ $i -lt 40 ]; do
  printf 'i%d\tShade %d, group g%d\n' $i $i $((i / 5)) >> "$dir/items.tsv"
  i=$((i + 1))
done
printf 'elsewhere\tnot in the data\n' >> "$dir/items.tsv"
"$train" --tsv "$dir/r.tsv" --item-content "$dir/items.tsv" --content-buckets 512 \
  --out "$dir/content.bin" --report "$dir/content.json" --dim 16 --hidden 32 --history 5 \
  --batch 64 --lr 0.01 --epochs 2 --seed 3 > /dev/null 2> "$dir/content.err"
grep -q 'content: .*: 40 of 40 items have tokens (512 buckets); 1 lines name items not in the data' \
  "$dir/content.err"
grep -q '"items_with_content": 40' "$dir/content.json"
grep -q '"content_buckets": 512' "$dir/content.json"

# Bad input: a bad line fails with file:line; no --out is a usage error.
printf 'u1\ti1\t5\t1\nu1 i2 5 2\n' > "$dir/bad.tsv"
expect_exit 1 "$train" --tsv "$dir/bad.tsv" --out "$dir/bad.bin"
grep -q "bad.tsv:2: expected 4 tab-separated fields" "$dir/err.txt"
expect_exit 2 "$train" --tsv "$dir/r.tsv"
echo "ok"
