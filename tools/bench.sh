#!/usr/bin/env bash
# make bench: import 1 000 000 generated records into a fresh node and
# compare the rate with raw LMDB MDB_APPEND of the same leaf bytes, measured
# in the same run on the same disk.
#
#   BENCH_RECORDS=1000000   how many records
#   BENCH_DIR=...           scratch directory (default: a new temporary one)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CX="$PWD/$BUILD/cxnode"
N=${BENCH_RECORDS:-1000000}
D=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/cxbench.XXXXXX")}
trap 'rm -rf "$D"' EXIT
export CXNODE_TODAY=2026-11-22

echo "== import benchmark: $N records =="
"$CX" init --home "$D/node" --id hangzhou --region 330100 --name 杭州 >/dev/null
# the generator makes about two records per subject; keep exactly N
"$CX" generate --subjects $(( N / 2 + 1000 )) --region 330100 --issuer hangzhou --seed 1 \
	--out "$D/all.jsonl" 2>/dev/null
head -n "$N" "$D/all.jsonl" > "$D/records.jsonl"
rm -f "$D/all.jsonl"
bytes=$(stat -c %s "$D/records.jsonl")
sync   # the generator's gigabyte goes to disk now, not during the import
t0=$(date +%s.%N)
set +e
"$CX" import --home "$D/node" --no-progress --batch 50000 "$D/records.jsonl" 2> "$D/import.log"
rc=$?
set -e
t1=$(date +%s.%N)
cat "$D/import.log"
if (( rc > 1 )); then
	echo "import failed" >&2
	exit 1
fi
imp=$(awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN { printf "%.0f", n / (b - a) }')
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

mkdir -p "$D/raw"
rawline=$("$BUILD/bench_lmdb" "$D/node/store" "$D/raw" 50000)
echo "$rawline"
raw=$(awk '{ print $(NF-1) }' <<<"$rawline")
echo
printf 'input:        %s records, %s bytes of JSON Lines\n' "$N" "$bytes"
printf 'cxnode import: %s records/s (%s s: parse, validate, pack, hash, index, sign)\n' "$imp" "$secs"
printf 'raw LMDB:      %s records/s (MDB_APPEND of the same leaf bytes, 50000/txn)\n' "$raw"
awk -v a="$imp" -v b="$raw" 'BEGIN { printf "ratio:         %.2f of the raw append rate\n", a / b }'
"$CX" verify --home "$D/node" --quiet && echo "store verifies"
