#!/usr/bin/env bash
# Screening receipts and dedicated credit reports end to end: Hangzhou
# answers and signs, Hefei (holding Hangzhou's log through sync) confirms
# the receipts by computing the answers again, also after it has received
# more; a node holding different data under Hangzhou's origin says so;
# reports verify offline, JSON and HTML, and one changed byte fails them.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
F=$T/fed
H=$T/hangzhou
E=$T/hefei
P=$((20000 + ($$ % 60) * 100 + 60))
cx federation init "$F" --name g60 >/dev/null
cx init --home "$H" --id hangzhou --region 330100 --name 杭州 >/dev/null
cx init --home "$E" --id hefei --region 340100 --name 合肥 >/dev/null
cx federation add "$F" --from-home "$H" --endpoint "tls+tcp://127.0.0.1:$P" \
	--publish "tls+tcp://127.0.0.1:$((P + 1))" >/dev/null
cx federation add "$F" --from-home "$E" --endpoint "tls+tcp://127.0.0.1:$((P + 10))" \
	--publish "tls+tcp://127.0.0.1:$((P + 11))" >/dev/null
cx federation sign "$F" >/dev/null
for n in "$H" "$E"; do
	ok "install the roster in ${n##*/}" cx federation install "$F/roster.pb" --home "$n" --root "$F/root.pub"
done
# a copy of Hangzhou before it publishes: the same key and origin, for a
# node that will hold different data under Hangzhou's name
cp -a "$H" "$T/forged"
R=(--roster "$F/roster.pb" --root "$F/root.pub")

cx generate --subjects 300 --region 330100 --issuer hangzhou --seed 31 --out "$T/hz.jsonl" 2>/dev/null
ok "Hangzhou publishes" cx import --home "$H" --no-progress "$T/hz.jsonl"
CODE=$(jq -r 'select(.kind == "dishonest_list" and .subject.credit_code != null) | .subject.credit_code' \
	"$T/hz.jsonl" | head -n 1)
ID=$(jq -r 'select(.subject.category == "natural_person" and .kind == "penalty") | .subject.id_number' \
	"$T/hz.jsonl" | head -n 1)
MASKED="${ID:0:6}********${ID:14:4}"
check "the data has a listed company and a natural person" "$([[ -n $CODE && ${#ID} == 18 ]]; echo $?)"

"$CXNODE" serve --home "$H" 2>>"$T/hangzhou.log" &
bg_pid $!
synced() { local i; for ((i = 0; i < 100; i++)); do cx sync --home "$E" hangzhou >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
ok "Hefei takes Hangzhou's log" synced

# ---- receipts ----------------------------------------------------------------
ok "a receipt for a listed company" cx query --home "$H" --code "$CODE" --receipt "$T/r1.json"
ok "a receipt for a company listed nowhere" cx query --home "$H" --code 91330100MA2H00000X \
	--receipt "$T/r2.json"
ok "a receipt for a person, masked" cx query --home "$H" --id-number "$ID" --receipt "$T/r3.json"
check "the person's number is masked in it" \
	"$(grep -qF -- "$MASKED" "$T/r3.json" && ! grep -qF -- "$ID" "$T/r3.json"; echo $?)"

ok "the receipt verifies with the roster" cx verify-receipt "$T/r1.json" "${R[@]}"
grep -q "^valid$" "$T/.out"; check "  and says valid" $?
ok "without --root it verifies, and says the roster was not checked" \
	cx verify-receipt "$T/r1.json" --roster "$F/roster.pb"
grep -q "not checked" "$T/.out"; check "  (said)" $?
ok "Hefei confirms it" cx verify-receipt "$T/r1.json" "${R[@]}" --home "$E"
grep -q "confirmed on this node" "$T/.out"; check "  confirmed" $?
ok "Hefei confirms the negative answer" cx verify-receipt "$T/r2.json" "${R[@]}" --home "$E"
grep -q "not listed anywhere in the corridor as of 2026-11-22" "$T/.out"; check "  not listed anywhere" $?
cx verify-receipt "$T/r2.json" "${R[@]}" --home "$E" --json > "$T/r2.out"
check "--json: valid, confirmed, negative" \
	"$(jq -e '.valid and .confirmed and .negative and .subjects == 0' "$T/r2.out" >/dev/null; echo $?)"
expect_rc 1 "the masked search cannot be recomputed without the number" \
	cx verify-receipt "$T/r3.json" "${R[@]}" --home "$E"
grep -q -- "--id-number" "$T/.out"; check "  and says what is needed" $?
ok "with the number it is confirmed" cx verify-receipt "$T/r3.json" "${R[@]}" --home "$E" --id-number "$ID"

# Hangzhou publishes more about the same company; Hefei takes it
jq -c --arg c "$CODE" 'select(.subject.credit_code == $c) | .record_id = ("more-" + .record_id)' \
	"$T/hz.jsonl" | head -n 1 > "$T/more.jsonl"
ok "Hangzhou publishes more about the company" cx import --home "$H" --no-progress "$T/more.jsonl"
ok "Hefei takes it" cx sync --home "$E" hangzhou
ok "the old receipt is still confirmed (the view is by sizes)" \
	cx verify-receipt "$T/r1.json" "${R[@]}" --home "$E"
ok "and by Hangzhou itself" cx verify-receipt "$T/r1.json" "${R[@]}" --home "$H"

# a node holding different data under Hangzhou's origin
jq -c 'if .kind == "penalty" and .penalty.fine_fen then .penalty.fine_fen += 1 else . end' \
	"$T/hz.jsonl" > "$T/forged.jsonl"
cx import --home "$T/forged" --no-progress "$T/forged.jsonl" >/dev/null 2>&1
expect_rc 1 "a node with different data cannot confirm" \
	cx verify-receipt "$T/r1.json" "${R[@]}" --home "$T/forged"
grep -q "this node holds different data: log g60.cxnode/hangzhou root at [0-9]* differs" "$T/.out"
check "  and says which log differs" $?
grep -q "valid, but NOT CONFIRMED" "$T/.out"; check "  the receipt itself is still valid" $?

# one changed byte
flip() {  # FILE PATTERN: change the byte after the first PATTERN (a fixed string)
	local off c
	off=$(grep -boF -- "$2" "$1" | head -n 1 | cut -d: -f1)
	[[ -n $off ]] || return 1
	off=$((off + ${#2}))
	c=$(dd if="$1" bs=1 skip=$off count=1 2>/dev/null)
	[[ $c == 7 ]] && c=8 || c=7
	printf '%s' "$c" | dd of="$1" bs=1 seek=$off conv=notrunc 2>/dev/null
}
jq -c . "$T/r1.json" > "$T/r1c.json"
ok "the receipt in compact form verifies too" cx verify-receipt "$T/r1c.json" "${R[@]}"
cp "$T/r1c.json" "$T/r1bad.json"
ok "change one byte of the receipt" flip "$T/r1bad.json" '"as_of":"2026-1'
expect_rc 1 "a receipt with one changed byte fails" cx verify-receipt "$T/r1bad.json" "${R[@]}"
grep -q "FAILED" "$T/.out"; check "  with the reason" $?
cp "$T/r1c.json" "$T/r1bad.json"
ok "change one byte of the node's name" flip "$T/r1bad.json" 'receipt v1\nnode hangzho'
expect_rc 1 "a receipt naming another node fails" cx verify-receipt "$T/r1bad.json" "${R[@]}"
expect_rc 2 "verify-receipt without a roster is a usage error" cx verify-receipt "$T/r1.json"

# ---- reports -------------------------------------------------------------------
ok "a report on the company, JSON and HTML" cx report --home "$H" --code "$CODE" \
	--out "$T/rep.json" --html "$T/rep.html"
ok "the JSON report verifies offline" cx verify "$T/rep.json" "${R[@]}"
grep -q "every leaf proved into its checkpoint" "$T/.out"; check "  every leaf proved" $?
ok "the HTML report verifies offline" cx verify "$T/rep.html" "${R[@]}"
ok "and Hefei confirms its answer" cx verify-receipt "$T/rep.html" "${R[@]}" --home "$E"
grep -q "confirmed on this node" "$T/.out"; check "  confirmed" $?
check "the page names the company and embeds the report" \
	"$(grep -q 'id="cxnode-report"' "$T/rep.html" && grep -q "$CODE" "$T/rep.html"; echo $?)"
check "the page loads nothing from elsewhere" "$(! grep -qE '(src|href)="?https?:' "$T/rep.html"; echo $?)"
cp "$T/rep.json" "$T/repbad.json"
ok "change one byte of the report" flip "$T/repbad.json" '"decision_date":"20'
expect_rc 1 "a JSON report with one changed byte fails" cx verify "$T/repbad.json" "${R[@]}"
grep -q "FAILED" "$T/.out"; check "  with the reason" $?
cp "$T/rep.html" "$T/repbad.html"
ok "change one byte of the page's text" flip "$T/repbad.html" '<td>20'
expect_rc 1 "a page with one changed byte in its text fails" cx verify "$T/repbad.html" "${R[@]}"
grep -q "not what its embedded report says" "$T/.out"; check "  the text is checked against the data" $?
cp "$T/rep.html" "$T/repbad.html"
ok "change one byte of the page's data" flip "$T/repbad.html" '"decision_date":"20'
expect_rc 1 "a page with one changed byte in its data fails" cx verify "$T/repbad.html" "${R[@]}"
cx federation init "$T/other" --name g60 >/dev/null
expect_rc 2 "a roster checked with another root key is refused" \
	cx verify "$T/rep.json" --roster "$F/roster.pb" --root "$T/other/root.pub"

ok "a report on the person, masked for the local operator" cx report --home "$H" --id-number "$ID" \
	--out "$T/prep.json" --html "$T/prep.html"
check "the number is never in clear" \
	"$(! grep -qF -- "$ID" "$T/prep.json" && ! grep -qF -- "$ID" "$T/prep.html"; echo $?)"
ok "it verifies, its leaves withheld" cx verify "$T/prep.json" "${R[@]}" --json
check "  withheld leaves counted" "$(jq -e '.valid and .withheld >= 1' "$T/.out" >/dev/null; echo $?)"
expect_rc 1 "nothing to report on a company listed nowhere" \
	cx report --home "$H" --code 91330100MA2H00000X --out "$T/none.json"
done_testing
