#!/usr/bin/env bash
# Query semantics on a hand-made history (tests/data/query.jsonl):
#   hz-p-1 penalty 2024-01-10, repaired from 2024-07-01
#   hz-p-2 penalty 2022-03-01, publicity ends 2025-03-01 (3 years)
#   hz-l-1 serious-dishonesty list 2024-05-01, removed from 2025-05-01
#   hz-p-3 penalty 2025-01-10 fine 1万, corrected to 2万 from 2025-02-01
#   hz-x-1 licence 2024-02-01..2029-01-31, withdrawn from 2025-06-01
#   hz-d-1 dishonest judgment debtor (a natural person) 2024-03-15
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
H=$T/hz
cx init --home "$H" --id hangzhou --region 330100 >/dev/null
ok "import the history" cx import --home "$H" --no-progress "$(dirname "$0")/data/query.jsonl"
C=91330100MA2H12349U

# state ID ASOF: the state of record ID on ASOF (from --history --json)
state() {
	cx query --home "$H" --code $C --as-of "$2" --history --json |
		jq -r --arg id "$1" '.records[] | select(.record.record_id == $id) | .state'
}
is() { # is ID ASOF STATE
	local got
	got=$(state "$1" "$2")
	_n=$((_n + 1))
	if [[ $got == "$3" ]]; then echo "ok $_n - $1 on $2 is $3"
	else echo "not ok $_n - $1 on $2 is $3 (got '$got')"; _bad=1; fi
}
is hz-p-1 2024-01-09 not-yet
is hz-p-1 2024-01-10 active
is hz-p-1 2024-06-30 active
is hz-p-1 2024-07-01 repaired
is hz-p-1 2026-11-22 repaired
is hz-p-2 2025-02-28 active
is hz-p-2 2025-03-01 expired
is hz-l-1 2025-04-30 active
is hz-l-1 2025-05-01 removed
is hz-x-1 2025-05-31 active
is hz-x-1 2025-06-01 withdrawn
is hz-p-3 2025-01-20 active
is hz-p-3 2026-11-22 active

fine() {
	cx query --home "$H" --code $C --as-of "$1" --json |
		jq -r '.records[] | select(.record.record_id == "hz-p-3") | .record.penalty.fine_fen'
}
check "before the correction the fine is 1万" "$([[ $(fine 2025-01-20) == 1000000 ]]; echo $?)"
check "after the correction the fine is 2万" "$([[ $(fine 2025-03-01) == 2000000 ]]; echo $?)"
orig=$(cx query --home "$H" --code $C --as-of 2025-03-01 --json |
	jq -r '.records[] | select(.record.record_id == "hz-p-3") | .original.penalty.fine_fen')
check "the corrected answer keeps the original" "$([[ $orig == 1000000 ]]; echo $?)"

n=$(cx query --home "$H" --code $C --as-of 2024-06-01 --json | jq .active)
check "on 2024-06-01 four records are active (p-1, p-2, l-1, x-1)" "$([[ $n == 4 ]]; echo $?)"
n=$(cx query --home "$H" --code $C --as-of 2026-11-22 --json | jq .active)
check "today only the corrected penalty is active" "$([[ $n == 1 ]]; echo $?)"

# the same subject by name, tolerant of full-width brackets and letters
n=$(cx query --home "$H" --name '杭州示例科技有限公司' --as-of 2024-06-01 --json | jq .active)
check "found by name" "$([[ $n == 4 ]]; echo $?)"
expect_rc 0 "an unknown subject is an empty answer, not an error" cx query --home "$H" --code 91110000802100433B
grep -q '0 active of 0' "$T/.out"; check "and says so" $?

# a natural person: masked unless the operator allows it
cx query --home "$H" --id-number 330106198503121231 --json > "$T/p.json"
check "the debtor is found by identity number" "$([[ $(jq .active "$T/p.json") == 1 ]]; echo $?)"
check "the identity number is masked in JSON" "$(jq -e '.records[0].record.subject.id_number == "330106********1231"' "$T/p.json" >/dev/null; echo $?)"
! grep -q 330106198503121231 "$T/p.json"; check "the full number appears nowhere in JSON" $?
cx query --home "$H" --id-number 330106198503121231 > "$T/p.txt"
! grep -q 330106198503121231 "$T/p.txt"; check "nor in the table" $?
expect_rc 2 "--unmask is refused by default" cx query --home "$H" --id-number 330106198503121231 --unmask
sed -i 's/^unmask = false/unmask = true/' "$H/cxnode.conf"
cx query --home "$H" --id-number 330106198503121231 --unmask --json > "$T/u.json"
check "--unmask shows the number when the node allows it" "$(grep -q 330106198503121231 "$T/u.json"; echo $?)"

# the table
cx query --home "$H" --code $C --as-of 2024-06-01 > "$T/t.txt"
check "the table names the list type" "$(grep -q '重大税收违法失信主体名单' "$T/t.txt"; echo $?)"
cx query --home "$H" --code $C --history > "$T/h.txt"
check "the history shows the repair" "$(grep -q 'repair (hz-c-1)' "$T/h.txt"; echo $?)"
# a correction that moves a penalty to another company (the wrong one was named)
M=$T/mv
cx init --home "$M" --id hangzhou --region 330100 >/dev/null
head -n 1 "$(dirname "$0")/data/query.jsonl" > "$T/mv.jsonl"
jq -c '.record_id = "mv-c" | .kind = "status_change" | .decision_date = "2024-03-01" | del(.penalty, .sector, .severity)
	| .change = {type: "correction", target: {record_id: "hz-p-1"}, effective_date: "2024-03-01", reason: "当事人认定错误",
	  replacement: (input | .subject.name = "杭州另一家公司" | .subject.credit_code = "91330100799655058B")}' \
	"$T/mv.jsonl" "$T/mv.jsonl" >> "$T/mv.jsonl"
ok "import a penalty and a correction naming another company" cx import --home "$M" --no-progress "$T/mv.jsonl"
st() { cx query --home "$M" --code "$1" --as-of "$2" --history --json | jq -r '[.active, .records[0].state] | @tsv'; }
check "before the correction the first company has it" "$([[ $(st $C 2024-02-01) == $'1\tactive' ]]; echo $?)"
check "before the correction the second does not" "$([[ $(st 91330100799655058B 2024-02-01) == $'0\tother-subject' ]]; echo $?)"
check "after it the first company no longer has it" "$([[ $(st $C 2024-03-02) == $'0\tother-subject' ]]; echo $?)"
check "after it the second company has it" "$([[ $(st 91330100799655058B 2024-03-02) == $'1\tactive' ]]; echo $?)"
cx query --home "$M" --code $C --as-of 2024-03-02 > "$T/mv.txt"
! grep -q '杭州另一家公司' "$T/mv.txt"; check "the first company's table does not show the other's name" $?
expect_rc 2 "the individual-business placeholder is not a searchable code" cx query --home "$M" --code 00000000000000000x
done_testing
