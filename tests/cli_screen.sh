#!/usr/bin/env bash
# Screening from the command line, on Hangzhou's node holding Jiaxing's log
# too (pulled over tls+tcp:// on loopback): a company listed by Jiaxing is
# found with the city, list type and measures; grades of the two cities'
# scales come out on the common one, and a grade table of another version
# shows; --prefix, --kind, --city, --from/--to and paging; a removal
# imported and synced ends the listing everywhere, and --as-of before it
# still shows it; the answer counts Jiaxing's log at its signed size; the
# same questions asked of Jiaxing's node remotely by a regulator's client;
# receipts.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
F=$T/fed
HZ=$T/hangzhou
JX=$T/jiaxing
P=$((20000 + ($$ % 60) * 100 + 60))
C=91330100MA2H12349U
DATA=$(dirname "$0")/data/query.jsonl

cx federation init "$F" --name g60 >/dev/null
cx init --home "$HZ" --id hangzhou --region 330100 --name 杭州 >/dev/null
cx init --home "$JX" --id jiaxing --region 330400 --name 嘉兴 >/dev/null
cx federation add "$F" --from-home "$HZ" --endpoint "tls+tcp://127.0.0.1:$P" >/dev/null
cx federation add "$F" --from-home "$JX" --endpoint "tls+tcp://127.0.0.1:$((P + 1))" >/dev/null
cx federation sign "$F" >/dev/null
for h in "$HZ" "$JX"; do
	ok "install the roster in ${h##*/}" cx federation install "$F/roster.pb" --home "$h" --root "$F/root.pub"
done

# Hangzhou: the hand-made history of tests/data/query.jsonl (the company's
# tax listing, removed from 2025-05-01), an evaluation on its AAA scale,
# and generated data. Jiaxing: a listing and an evaluation (优/良/中/差
# scale) of the same company, and generated data.
subj=$(head -n 1 "$DATA" | jq -c .subject)
auth='{"name":"嘉兴市生态环境局","credit_code":"11330400002603720C"}'
ev() { # id scheme grade model decided until
	jq -cn --argjson s "$subj" --argjson a "$auth" --arg id "$1" --arg sc "$2" --arg g "$3" \
		--arg m "$4" --arg d "$5" --arg u "$6" \
		'{record_id: $id, kind: "evaluation", subject: $s, authority: $a, sector: "other",
		  decision_date: $d, evaluation: {scheme: $sc, grade: $g, score: "90.0",
		  model_version: $m, valid_from: $d, valid_until: $u}}'
}
{
	cat "$DATA"
	ev hz-e-1 杭州市公共信用综合评价 AA "HZPCE v5.0" 2026-04-01 2027-03-31
} > "$T/hz.jsonl"
{
	jq -cn --argjson s "$subj" --argjson a "$auth" '{record_id: "jx-l-1", kind: "dishonest_list",
		subject: $s, authority: $a, sector: "ecology", severity: "serious",
		decision_date: "2025-08-01", list_entry: {list_type: "环境违法失信主体名单",
		reason: "超标排放", measures: ["限制参与政府采购", "限制申请财政性资金"],
		decision_no: "嘉环信〔2025〕7号"}}'
	ev jx-e-1 嘉兴市公共信用综合评价 优 "JXPCE v6.0" 2026-06-01 2027-05-31
	ev jx-e-0 嘉兴市公共信用综合评价 良 "JXPCE v5.1" 2025-06-01 2026-05-31
} > "$T/jx.jsonl"
cx generate --subjects 300 --region 330100 --issuer hangzhou --seed 31 --out "$T/hzg.jsonl" 2>/dev/null
cx generate --subjects 300 --region 330400 --issuer jiaxing --seed 32 --out "$T/jxg.jsonl" 2>/dev/null
# a company with full-width letters and brackets in its name
jq -c 'select(.kind == "penalty" and .subject.category == "legal_person")' "$T/hzg.jsonl" | head -n 1 |
	jq -c '.record_id = "hz-b-1" | .subject.name = "杭州ＡＢ示例贸易有限公司（滨江分公司）"' >> "$T/hz.jsonl"
ok "Hangzhou publishes" cx import --home "$HZ" --no-progress "$T/hz.jsonl" "$T/hzg.jsonl"
ok "Jiaxing publishes" cx import --home "$JX" --no-progress "$T/jx.jsonl" "$T/jxg.jsonl"

# a regulator's client of Jiaxing's node, asking from elsewhere
cx key generate --out "$T/reg.key" --name cl-regulator >/dev/null
ok "Jiaxing lets a regulator in" cx client add --home "$JX" --role regulator "$T/reg.key.pub"
printf '\n[serve]\nclient_listen = tcp://127.0.0.1:%d\n' $((P + 2)) >> "$JX/cxnode.conf"
"$CXNODE" serve --home "$JX" 2>>"$T/jx.log" &
bg_pid $!
pull() { local i; for ((i = 0; i < 100; i++)); do cx sync --home "$HZ" jiaxing >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
ok "Hangzhou pulls Jiaxing's log" pull

q() { cx query --home "$HZ" "$@"; }
q --code $C --json > "$T/a.json"
check "the answer covers both logs" "$(jq -e '[.data[].issuer] == ["hangzhou", "jiaxing"]' "$T/a.json" >/dev/null; echo $?)"
check "Jiaxing's listing is found from Hangzhou, active" \
	"$(jq -e '[.records[] | select(.city == "jiaxing" and .section == "joint_punishment" and .state == "active")] | length == 1' "$T/a.json" >/dev/null; echo $?)"
check "  with its list type and measures" \
	"$(jq -e '.records[] | select(.record.record_id == "jx-l-1") | .list_type == "环境违法失信主体名单" and .measures == ["限制参与政府采购", "限制申请财政性资金"]' "$T/a.json" >/dev/null; echo $?)"
check "  and its dates" "$(jq -e '.records[] | select(.record.record_id == "jx-l-1") | .record.decision_date == "2025-08-01" and .since == "2025-08-01"' "$T/a.json" >/dev/null; echo $?)"
check "the subject is listed, in Jiaxing only (Hangzhou's was removed)" \
	"$(jq -e '.subjects[0].listed and .subjects[0].listed_in == ["jiaxing"]' "$T/a.json" >/dev/null; echo $?)"
q --code $C > "$T/a.txt"
check "the table says LISTED and names the city" "$(grep -q '^LISTED.* jiaxing' "$T/a.txt"; echo $?)"
check "the table shows the list type and a measure" "$(grep -q '环境违法失信主体名单: 限制参与政府采购' "$T/a.txt"; echo $?)"

# grades on the common scale
check "Jiaxing's 优 is A" "$(jq -e '.records[] | select(.record.record_id == "jx-e-1") | .grade.canonical == "A" and .grade.original == "优" and .grade.model_version == "JXPCE v6.0" and .latest' "$T/a.json" >/dev/null; echo $?)"
check "Hangzhou's AA is B" "$(jq -e '.records[] | select(.record.record_id == "hz-e-1") | .grade.canonical == "B" and .grade.scheme == "杭州市公共信用综合评价" and .grade.mapping_version == "builtin-1"' "$T/a.json" >/dev/null; echo $?)"
check "the table shows the grade, the original and the model" \
	"$(grep -q 'A (优, 嘉兴市公共信用综合评价, model JXPCE v6.0)' "$T/a.txt"; echo $?)"
q --code $C --as-of 2026-05-01 --kind evaluation --json > "$T/e.json"
check "on an earlier date Jiaxing's earlier evaluation was the latest" \
	"$(jq -e '[.records[] | select(.latest and .city == "jiaxing") | .record.record_id] == ["jx-e-0"]' "$T/e.json" >/dev/null; echo $?)"
printf 'version = 2026-1\n[*]\n优 = B\n良 = C\nAA = A\n' > "$HZ/grades.conf"
printf '\n[query]\ngrades = grades.conf\n' >> "$HZ/cxnode.conf"
q --code $C --json > "$T/g.json"
check "another table version shows in the answer" \
	"$(jq -e '.grades.version == "2026-1" and ([.records[] | select(.grade) | .grade.mapping_version] | unique) == ["2026-1"]' "$T/g.json" >/dev/null; echo $?)"
check "  and maps as it says" "$(jq -e '.records[] | select(.record.record_id == "jx-e-1") | .grade.canonical == "B"' "$T/g.json" >/dev/null; echo $?)"
check "  with another digest" "$(jq -e --slurpfile a "$T/a.json" '.grades.digest != $a[0].grades.digest' "$T/g.json" >/dev/null; echo $?)"
printf 'version = 2026-2\n[*]\n优 = E\n' > "$HZ/grades.conf"
expect_rc 2 "a table that does not load is an error, not another table" q --code $C
grep -q 'grades.conf:3' "$T/.out"; check "  naming the file and line" $?
sed -i '/^grades = /d' "$HZ/cxnode.conf"

# filters
n() { q --code $C "$@" --json | jq -c '[.records[].record.record_id]'; }
check "--kind dishonest_list" "$([[ $(n --kind dishonest_list) == '["jx-l-1"]' ]]; echo $?)"
check "--kind joint_punishment --history" "$([[ $(n --kind joint_punishment --history) == '["jx-l-1","hz-l-1"]' ]]; echo $?)"
check "--kind penalty --kind licence (upper case too)" \
	"$([[ $(n --kind PENALTY --kind licence --as-of 2024-06-01) == '["hz-x-1","hz-p-1","hz-p-2"]' ]]; echo $?)"
check "--city jiaxing" "$([[ $(n --city jiaxing) == '["jx-e-1","jx-l-1"]' ]]; echo $?)"
check "--city 330400 (a region code)" "$([[ $(n --city 330400) == '["jx-e-1","jx-l-1"]' ]]; echo $?)"
check "--city 330000 (the province) holds both" "$([[ $(n --city 330000 | jq length) == 4 ]]; echo $?)"
check "--sector ecology" "$([[ $(n --sector ecology) == '["jx-l-1"]' ]]; echo $?)"
check "--from --to (active first, then newest first)" \
	"$([[ $(n --from 2025-01-01 --to 2026-05-01 --history) == '["hz-e-1","jx-l-1","hz-p-3","jx-e-0"]' ]]; echo $?)"
expect_rc 2 "an unknown kind is an error" q --code $C --kind gossip
grep -q 'gossip' "$T/.out"; check "  naming it" $?

# search: names full-width/half-width, prefixes, paging
nm() { q --name "$@" --json | jq -c '[.total_subjects, [.records[].record.record_id]]'; }
check "by name, half-width for full-width letters and brackets" \
	"$([[ $(nm '杭州ab示例贸易有限公司(滨江分公司)') == '[1,["hz-b-1"]]' ]]; echo $?)"
check "by name prefix, the same" "$([[ $(nm '杭州ＡＢ示例贸易有限公司(滨' --prefix) == '[1,["hz-b-1"]]' ]]; echo $?)"
check "by code, lower case and full-width" "$([[ $(q --code ９１３３０１００ma2h12349u --json | jq .total_subjects) == 1 ]]; echo $?)"
q --name 杭州示例 --prefix --json > "$T/p.json"
check "--prefix by name finds the company" "$(jq -e '[.subjects[].key] | index("杭州示例科技有限公司") != null' "$T/p.json" >/dev/null; echo $?)"
q --code 9133 --prefix --limit 200 --json > "$T/all.json"
total=$(jq .total_subjects "$T/all.json")
check "--prefix by code finds subjects of both cities" \
	"$(jq -e '([.records[].city] | unique) == ["hangzhou", "jiaxing"]' "$T/all.json" >/dev/null; echo $?)"
check "  in index order" "$(jq -e '[.subjects[].key] == ([.subjects[].key] | sort)' "$T/all.json" >/dev/null; echo $?)"
check "  more than one page of 7" "$((total > 14 ? 0 : 1))"
q --code 9133 --prefix --limit 7 --json > "$T/p1.json"
q --code 9133 --prefix --limit 7 --offset 7 --json > "$T/p2.json"
check "page 1: 7 subjects, next_offset 7" "$(jq -e '(.subjects | length) == 7 and .next_offset == 7 and .offset == 0' "$T/p1.json" >/dev/null; echo $?)"
check "pages 1 and 2 are the first 14 subjects in order" \
	"$([[ $(jq -c '[.subjects[].key]' "$T/p1.json" "$T/p2.json" | jq -sc add) == "$(jq -c '[.subjects[:14][].key]' "$T/all.json")" ]]; echo $?)"
check "each page's records belong to its subjects" \
	"$(jq -e '([.records[].subject] | unique) - [.subjects[].key] == []' "$T/p2.json" >/dev/null; echo $?)"
q --code 9133 --prefix --limit 7 > "$T/p1.txt"
check "the table says how many and where the next page starts" \
	"$(grep -q "^$total subjects whose code starts with \"9133\"; 1-7 shown; next page: --offset 7" "$T/p1.txt"; echo $?)"
q --code 9133 --prefix --kind dishonest_list --limit 200 --json > "$T/pl.json"
check "--prefix with --kind: only subjects with a listing" \
	"$(jq -e '(.subjects | length) > 0 and all(.subjects[]; .total > 0) and all(.records[]; .record.kind == "dishonest_list")' "$T/pl.json" >/dev/null; echo $?)"
check "  fewer than without" "$(($(jq .total_subjects "$T/pl.json") < total ? 0 : 1))"
expect_rc 1 "an identity-number prefix needs the personal permission" q --id-number 3301 --prefix
grep -q 'personal' "$T/.out"; check "  and says so" $?

# the view: leaves beyond Jiaxing's signed checkpoint do not count (a log
# copied without its checkpoint is simulated by a node that never signed)
size=$(jq '.data[] | select(.issuer == "jiaxing") | .size' "$T/a.json")
held=$(cx status --home "$HZ" --json | jq '.logs[] | select(.origin == "g60.cxnode/jiaxing") | .checkpoint_size')
check "the answer counts Jiaxing's log at its signed size" "$([[ $size == "$held" && $size -gt 0 ]]; echo $?)"

# the same question asked of Jiaxing's node remotely
R() { cx query --remote tcp://127.0.0.1:$((P + 2)) --key "$T/reg.key" --roster "$F/roster.pb" \
	--root "$F/root.pub" "$@"; }
R --code $C --city jiaxing --history --json 2>"$T/remote.err" | jq -c .records > "$T/remote.json"
check "a remote screening of Jiaxing's node" "$(jq -e 'length > 0' "$T/remote.json" >/dev/null; echo $?)"
check "  gives the records Jiaxing's own CLI gives" \
	"$([[ $(cx query --home "$JX" --code $C --city jiaxing --history --json | jq -c .records) == "$(cat "$T/remote.json")" ]]; echo $?)"
check "  with the listing" "$(jq -e 'any(.[]; .record.record_id == "jx-l-1" and .state == "active")' "$T/remote.json" >/dev/null; echo $?)"
ok "a remote prefix search with a filter" R --code 9133 --prefix --kind dishonest_debtor --limit 3
check "  shows subjects and a next page" "$(grep -q '^subject: ' "$T/.out" && grep -q 'next page: --offset 3' "$T/.out"; echo $?)"
ok "a remote receipt" R --code $C --receipt "$T/rr.json"
check "  signed by Jiaxing's node" "$(jq -e '.receipt | contains("\nnode jiaxing\n")' "$T/rr.json" >/dev/null; echo $?)"
expect_rc 2 "--unmask is for the local node" R --code $C --unmask

# Jiaxing removes its listing; after a sync it is active nowhere, and
# --as-of before the removal still shows it
jq -cn --argjson s "$subj" --argjson a "$auth" '{record_id: "jx-c-1", kind: "status_change",
	subject: $s, authority: $a, decision_date: "2026-09-25", change: {type: "removal",
	target: {record_id: "jx-l-1"}, effective_date: "2026-10-01", reason: "已完成信用修复"}}' > "$T/rm.jsonl"
ok "Jiaxing removes the listing" cx import --home "$JX" --no-progress "$T/rm.jsonl"
ok "Hangzhou pulls it" pull
q --code $C --json > "$T/b.json"
check "after the removal the subject is listed nowhere" \
	"$(jq -e '.subjects[0].listed == false and ([.records[] | select(.section == "joint_punishment")] | length) == 0' "$T/b.json" >/dev/null; echo $?)"
q --code $C --history --json > "$T/bh.json"
check "  the listing is removed from 2026-10-01" \
	"$(jq -e '.records[] | select(.record.record_id == "jx-l-1") | .state == "removed" and .since == "2026-10-01" and (.changes[0].record.record_id == "jx-c-1")' "$T/bh.json" >/dev/null; echo $?)"
q --code $C --as-of 2026-09-30 --json > "$T/before.json"
check "--as-of before the removal still shows it" \
	"$(jq -e '.subjects[0].listed and .subjects[0].listed_in == ["jiaxing"] and ([.records[] | select(.record.record_id == "jx-l-1" and .state == "active")] | length) == 1' "$T/before.json" >/dev/null; echo $?)"
q --code $C --as-of 2026-09-30 > "$T/before.txt"
check "  in the table too" "$(grep -q '^LISTED' "$T/before.txt" && grep -q '^active  *dishonest_list  *jiaxing' "$T/before.txt"; echo $?)"

# a receipt of the answer
ok "a receipt" q --code $C --receipt "$T/r.json"
check "  holds the answer and the checkpoints" \
	"$(jq -e '(.receipt | startswith("cxnode screening receipt v1\n")) and .answer.query.value == "'$C'" and (.checkpoints | length) == 2' "$T/r.json" >/dev/null; echo $?)"
check "  and the table was printed" "$(grep -q '^receipt: .*signed by hangzhou' "$T/.out" && grep -q '^subject: ' "$T/.out"; echo $?)"
expect_rc 2 "an existing receipt file is not overwritten" q --code $C --receipt "$T/r.json"
check "  and is left as it was" "$(jq -e .receipt "$T/r.json" >/dev/null; echo $?)"
done_testing
