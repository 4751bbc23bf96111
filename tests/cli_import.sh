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
has 17 'only that authority'
has 18 "target's kind"
check "good lines are not reported" "$(! grep -E 'mixed\.jsonl:(1|12|15): ' "$T/mixed.err" >/dev/null; echo $?)"
grep -q '18 rows: 3 accepted, 15 rejected' "$T/mixed.err"; check "the summary counts 3 accepted, 15 rejected" $?
size=$(cx checkpoint --home "$H" | sed -n 2p)
check "exactly the 3 good rows are in the log" "$([[ $size == 3 ]]; echo $?)"
ok "the store verifies" cx verify --home "$H" --quiet
cx import --home "$H" --no-progress --json "$D/mixed.jsonl" > "$T/sum.json" 2>/dev/null
check "--json summary counts the re-import (all duplicates or bad)" \
	"$(jq -e '.accepted == 0 and .rejected == 18 and (.rejects | length) == 18' "$T/sum.json" >/dev/null; echo $?)"

# a repair made the penalty inactive from its effective date
n=$(cx query --home "$H" --code 91330100MA2H5678XG --as-of 2025-05-31 --json | jq .active)
check "before the repair the penalty is active" "$([[ $n -ge 1 ]]; echo $?)"

# 双公示 CSV: the samples are a penalty file with Chinese titles in GB18030
# (CRLF, quoted commas and newlines) and a licence file with XK_ field codes
# in UTF-8 with a BOM. Each is also imported in the other encodings; every
# variant must publish the same records.
accepted() { jq .accepted "$1"; }
variant() { # variant NAME FILE: import FILE into a fresh node, JSON summary in $T/NAME.json
	cx init --home "$T/n_$1" --id hangzhou --region 330100 >/dev/null
	cx import --home "$T/n_$1" --no-progress --json "$2" > "$T/$1.json" 2>/dev/null
}
gb=$D/shgs_penalty_gb18030.csv
iconv -f GB18030 -t UTF-8 "$gb" > "$T/pen.utf8.csv"
{ printf '\xef\xbb\xbf'; cat "$T/pen.utf8.csv"; } > "$T/pen.bom.csv"
variant pen_gb "$gb"
variant pen_utf8 "$T/pen.utf8.csv"
variant pen_bom "$T/pen.bom.csv"
n=$(accepted "$T/pen_gb.json")
check "GB18030 penalty CSV with Chinese titles: all $n rows accepted" \
	"$(jq -e '.rejected == 0 and .accepted > 0' "$T/pen_gb.json" >/dev/null; echo $?)"
check "the same file in UTF-8 publishes the same rows" "$([[ $(accepted "$T/pen_utf8.json") == "$n" ]]; echo $?)"
check "and in UTF-8 with a BOM" "$([[ $(accepted "$T/pen_bom.json") == "$n" ]]; echo $?)"
code=$(grep -o '9[0-9A-HJ-NP-RT-UW-Y]\{17\}' "$T/pen.utf8.csv" | head -n1)
for v in pen_gb pen_utf8 pen_bom; do
	cx query --home "$T/n_$v" --code "$code" --history --json | jq -S '[.records[].record | del(.issued_at)]' > "$T/$v.q"
done
ok "GB18030 and UTF-8 imports give identical records" cmp "$T/pen_gb.q" "$T/pen_utf8.q"
ok "BOM and plain UTF-8 imports give identical records" cmp "$T/pen_bom.q" "$T/pen_utf8.q"
name=$(jq -r '.[0].subject.name' "$T/pen_gb.q")
check "Chinese names decode from GB18030 to the UTF-8 of the source ($name)" \
	"$(grep -qF "$name" "$T/pen.utf8.csv" && LC_ALL=C grep -q $'[\x80-\xff]' <<<"$name"; echo $?)"

lic=$D/shgs_licence_codes.csv
tail -c +4 "$lic" > "$T/lic.plain.csv"
iconv -f UTF-8 -t GB18030 "$T/lic.plain.csv" > "$T/lic.gb.csv"
variant lic_bom "$lic"
variant lic_plain "$T/lic.plain.csv"
variant lic_gb "$T/lic.gb.csv"
n=$(accepted "$T/lic_bom.json")
check "licence CSV with field codes and a BOM: all $n rows accepted" \
	"$(jq -e '.rejected == 0 and .accepted > 0' "$T/lic_bom.json" >/dev/null; echo $?)"
check "the same without BOM" "$([[ $(accepted "$T/lic_plain.json") == "$n" ]]; echo $?)"
check "the same in GB18030" "$([[ $(accepted "$T/lic_gb.json") == "$n" ]]; echo $?)"

# a CSV with a bad row among good ones: exit 1, the row named by its line
{ head -n 2 "$T/lic.plain.csv"; head -n 2 "$T/lic.plain.csv" | tail -n 1 | sed 's/,20240312,20240312,/,20240230,20240312,/; s/0156号/0999号/'; } > "$T/lic.bad.csv"
cx init --home "$T/n_bad" --id hangzhou --region 330100 >/dev/null
expect_rc 1 "a CSV with a bad date: exit 1" cx import --home "$T/n_bad" --no-progress "$T/lic.bad.csv"
grep -q 'lic.bad.csv:3: .*2024-02-30\|lic.bad.csv:3: .*20240230' "$T/.out"; check "the bad CSV row is named by file and line" $?

# the parallel parse gives exactly the sequential result: same rejections,
# in the same order, same records in the same leaves
cx generate --subjects 3000 --seed 4 --out "$T/g.jsonl" 2>/dev/null   # all nine cities
cat "$D/mixed.jsonl" "$T/g.jsonl" > "$T/mix2.jsonl"
for th in 1 4; do
	cx init --home "$T/th$th" --id hangzhou --region 330100 >/dev/null
	CXNODE_IMPORT_THREADS=$th cx import --home "$T/th$th" --no-progress --json --batch 700 \
		"$T/mix2.jsonl" 2>/dev/null | jq -c '[.accepted, .rejected, .rejects]' > "$T/th$th.json"
done
ok "one and four parsing threads reject the same rows the same way" cmp "$T/th1.json" "$T/th4.json"
check "and many rows were rejected (other cities' records)" "$(jq -e '.[1] > 1000' "$T/th1.json" >/dev/null; echo $?)"
check "one and four parsing threads publish the same records" \
	"$([[ $(cx checkpoint --home "$T/th1" | sed -n 2p) == $(cx checkpoint --home "$T/th4" | sed -n 2p) ]]; echo $?)"

# a record id too long to index is a rejected row, not a duplicate later
long=$(printf 'x%.0s' $(seq 300))
head -n 1 "$D/mixed.jsonl" | jq -c --arg id "$long" '.record_id = $id' > "$T/long.jsonl"
cx init --home "$T/long" --id hangzhou --region 330100 >/dev/null
expect_rc 1 "a 300-byte record id is rejected" cx import --home "$T/long" --no-progress "$T/long.jsonl"
grep -q 'longer than 256' "$T/.out"; check "with the limit named" $?

expect_rc 2 "a missing file is a fatal error" cx import --home "$H" --no-progress "$T/nope.jsonl"
expect_rc 2 "no files is a usage error" cx import --home "$H"
done_testing
