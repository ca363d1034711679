#!/bin/sh
# candor_reco_eval_tsv: the tool end to end on a small TSV this script writes.
# Usage: tsv_test.sh CANDOR_RECO_EVAL
set -eu
tool=$1
. "$(dirname "$0")/../testing/reco_test_lib.sh"
reco_test_dir candor-reco-eval

# 60 users over 30 items in 3 clusters of 10: each user reviews 6 items of one cluster, in
# order, so item-kNN must beat popularity on the held-out items.
printf 'user\titem\trating\tunix_time\n' > "$dir/r.tsv"
u=0
while [ $u -lt 60 ]; do
  c=$((u % 3))
  k=0
  while [ $k -lt 6 ]; do
    printf 'u%d\ti%d\t5\t%d\n' $u $((c * 10 + (u + k) % 10)) $((1000 + u + k * 100)) >> "$dir/r.tsv"
    k=$((k + 1))
  done
  u=$((u + 1))
done

"$tool" --tsv "$dir/r.tsv" --models popularity,itemknn --split test --json "$dir/out.json" \
  > "$dir/table.txt"
cat "$dir/table.txt"
grep -q '"protocol": "leave-one-out, full ranking, history masked"' "$dir/out.json"
grep -q '"model": "popularity"' "$dir/out.json"
grep -q '"model": "itemknn(' "$dir/out.json"
grep -q '"users": 60' "$dir/out.json"
grep -q '^| itemknn(.* | leave-one-out, full ranking, history masked | test | 60 |' "$dir/table.txt"

# --split-mode time: train = the 180 events before the median time, everyone's next event after it
# is their validation item and their first one after the 0.8 quantile their test item.
"$tool" --tsv "$dir/r.tsv" --models popularity,itemknn --split-mode time --time-quantiles 0.5,0.8 \
  --json "$dir/time.json" > "$dir/table.txt" 2> "$dir/err.txt"
grep -q '"protocol": "time split (q0.5 / q0.8), full ranking, history masked"' "$dir/time.json"
grep -q 'train = the 180 events before 1300, 60 validation users (first event in \[1300, 1448)), 60 test users' "$dir/err.txt"
grep -q '^| itemknn(.* | time split (q0.5 / q0.8), full ranking, history masked | test | 60 |' "$dir/table.txt"
expect_exit 2 "$tool" --tsv "$dir/r.tsv" --split-mode random
grep -q "split-mode must be leave-one-out or time" "$dir/err.txt"

# A bad line fails with file:line and the reason, unless --lenient.
printf 'u1\ti1\t5\t1\nu1 i2 5 2\n' > "$dir/bad.tsv"
expect_exit 1 "$tool" --tsv "$dir/bad.tsv"
grep -q "bad.tsv:2: expected 4 tab-separated fields" "$dir/err.txt"

# --lenient: the good lines are evaluated, the bad one is counted and named.
cp "$dir/r.tsv" "$dir/mixed.tsv"
printf 'u0	i1	five	9
' >> "$dir/mixed.tsv"
"$tool" --tsv "$dir/mixed.tsv" --lenient --models popularity 2> "$dir/err.txt" > /dev/null
grep -q "360 interactions, 60 users, 30 items (361 lines, 1 skipped)" "$dir/err.txt"
grep -q "skipped: .*mixed.tsv:362: rating 'five' is not a finite number" "$dir/err.txt"
echo "ok"
