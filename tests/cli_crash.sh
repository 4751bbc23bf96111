#!/usr/bin/env bash
# Killing an import at any moment leaves a store that `verify` accepts and
# that holds whole batches only: each batch is one LMDB transaction that
# carries its leaves, tree hashes, indexes and signed checkpoint together.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
H=$T/hz
cx init --home "$H" --id hangzhou --region 330100 >/dev/null
cx generate --subjects 20000 --region 330100 --issuer hangzhou --seed 3 --out "$T/g.jsonl" 2>/dev/null
# a multiple of the batch size, so that even a finished import ends on a batch
head -n 30000 "$T/g.jsonl" > "$T/r.jsonl"
B=2000
size() { cx status --home "$H" --json | jq '.logs[] | select(.own) | .size'; }
prev=0
for round in 1 2 3 4 5 6; do
	# the binary itself, not the cx wrapper: under valgrind the wrapper's
	# shell would die and leave the importer running
	"$CXNODE" import --home "$H" --no-progress --batch $B "$T/r.jsonl" >/dev/null 2>&1 &
	pid=$!
	bg_pid $pid
	sleep "0.$(( (RANDOM % 9) + 1 ))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	ok "round $round: verify accepts the store after kill -9" cx verify --home "$H" --quiet
	s=$(size)
	check "round $round: size $s is whole batches" "$(( s % B ))"
	check "round $round: nothing lost (size $s >= $prev)" "$([[ $s -ge $prev ]]; echo $?)"
	prev=$s
done
# finishing the import afterwards gives exactly the file, nothing duplicated
cx import --home "$H" --no-progress --batch $B "$T/r.jsonl" >/dev/null 2>&1
check "after a final import the log holds each record once" "$([[ $(size) == 30000 ]]; echo $?)"
ok "and verifies" cx verify --home "$H" --quiet
done_testing
