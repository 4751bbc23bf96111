#!/usr/bin/env bash
# Import: mixed good and bad rows give the right counts, messages and exit
# code; nothing of a rejected row is stored; 双公示 CSV in UTF-8, UTF-8 with
# BOM and GB18030, with field-code or Chinese headers.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
D=$(cd "$(dirname "$0")/data" && pwd)
H=$T/hz
cx init --home "$H" --id hangzhou --region 330100 >/dev/null

expect_rc 1 "mixed rows: exit 1" cx import --home "$H" --no-progress "$D/mixed.jsonl"
cp "$T/.out" "$T/mixed.err"
has() { # has LINE PATTERN: the report names mixed.jsonl:LINE with PATTERN
	_n=$((_n + 1))
	if grep -E "mixed\.jsonl:$1: .*$2" "$T/mixed.err" >/dev/null; then
		echo "ok $_n - line $1 rejected: $2"
	else
		echo "not ok $_n - line $1 rejected: $2"; sed 's/^/# /' "$T/mixed.err"; _bad=1
	fi
}
has 2 'check'
has 3 '2023-02-29'
has 4 'fine'
has 5 'check'
has 6 'nmae'
has 7 'hefei'
has 8 'already published'
has 9 'no-such-record'
has 10 'future|today|after'
has 11 'publicity|max'
has 13 'cannot change|removal'
has 14 'publicity|minimum|min'
has 16 'JSON|json|parse|object|syntax|invalid'
check "good lines are not reported" "$(! grep -E 'mixed\.jsonl:(1|12|15): ' "$T/mixed.err" >/dev/null; echo $?)"
grep -q '16 rows: 3 accepted, 13 rejected' "$T/mixed.err"; check "the summary counts 3 accepted, 13 rejected" $?
size=$(cx checkpoint --home "$H" | sed -n 2p)
check "exactly the 3 good rows are in the log" "$([[ $size == 3 ]]; echo $?)"
ok "the store verifies" cx verify --home "$H" --quiet
cx import --home "$H" --no-progress --json "$D/mixed.jsonl" > "$T/sum.json" 2>/dev/null
check "--json summary counts the re-import (all duplicates or bad)" \
	"$(jq -e '.accepted == 0 and .rejected == 16 and (.rejects | length) == 16' "$T/sum.json" >/dev/null; echo $?)"

# a repair made the penalty inactive from its effective date
n=$(cx query --home "$H" --code 91330100MA2H5678XG --as-of 2025-05-31 --json | jq .active)
check "before the repair the penalty is active" "$([[ $n -ge 1 ]]; echo $?)"

# 双公示 CSV: field codes, Chinese titles; UTF-8, BOM, GB18030
for f in "$D"/shgs_*.csv; do
	b=$(basename "$f" .csv)
	h=$T/csv_$b
	cx init --home "$h" --id hangzhou --region 330100 >/dev/null
	expect_rc 0 "$b.csv (UTF-8) imports" cx import --home "$h" --no-progress "$f"
	n=$(( $(grep -c . "$f") - 1 ))
	check "$b.csv: $n rows in the log" "$([[ $(cx checkpoint --home "$h" | sed -n 2p) == "$n" ]]; echo $?)"
	{ printf '\xef\xbb\xbf'; cat "$f"; } > "$T/$b.bom.csv"
	cx init --home "$h.bom" --id hangzhou --region 330100 >/dev/null
	expect_rc 0 "$b.csv with a BOM imports" cx import --home "$h.bom" --no-progress "$T/$b.bom.csv"
	iconv -f UTF-8 -t GB18030 "$f" > "$T/$b.gb.csv"
	cx init --home "$h.gb" --id hangzhou --region 330100 >/dev/null
	expect_rc 0 "$b.csv in GB18030 imports" cx import --home "$h.gb" --no-progress "$T/$b.gb.csv"
	a=$(cx checkpoint --home "$h" | sed -n 2p)
	g=$(cx checkpoint --home "$h.gb" | sed -n 2p)
	check "$b.csv: same count in GB18030" "$([[ $a == "$g" ]]; echo $?)"
	first=$(cx query --home "$h.gb" --code "$(grep -o '9[0-9A-Z]\{17\}' "$f" | head -n1)" --json --history | jq -r '.records[0].record.subject.name')
	check "$b.csv: GB18030 names decode to the same UTF-8" "$(grep -qF "$first" "$f"; echo $?)"
done

expect_rc 2 "a missing file is a fatal error" cx import --home "$H" --no-progress "$T/nope.jsonl"
expect_rc 2 "no files is a usage error" cx import --home "$H"
done_testing
