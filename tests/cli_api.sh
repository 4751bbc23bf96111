#!/usr/bin/env bash
# The regulator services by role, on every path: a node serving authorised
# clients (public, regulator, auditor, monitor) over nng and HTTP. Masking
# of identity numbers holds in answers, receipts, reports, the audit log and
# the local CLI; what a role may not do is refused with the reason; every
# call lands in the audit log.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
F=$T/fed
H=$T/hangzhou
P=$((20000 + ($$ % 60) * 100 + 40))
cx federation init "$F" --name g60 >/dev/null
cx init --home "$H" --id hangzhou --region 330100 --name 杭州 >/dev/null
cx federation add "$F" --from-home "$H" --endpoint "tls+tcp://127.0.0.1:$P" >/dev/null
cx federation sign "$F" >/dev/null
ok "install the roster" cx federation install "$F/roster.pb" --home "$H" --root "$F/root.pub"
cx generate --subjects 300 --region 330100 --issuer hangzhou --seed 21 --out "$T/hz.jsonl" 2>/dev/null
ok "import" cx import --home "$H" --no-progress "$T/hz.jsonl"
# a natural person with an active penalty: searched by identity number
ID=$(jq -r 'select(.subject.category == "natural_person" and .kind == "penalty") | .subject.id_number' \
	"$T/hz.jsonl" | head -n 1)
MASKED="${ID:0:6}********${ID:14:4}"
check "the data has a natural person" "$([[ ${#ID} == 18 ]]; echo $?)"

for r in public regulator auditor monitor; do
	cx key generate --out "$T/$r.key" --name "cl-$r" >/dev/null
	ok "register the $r client" cx client add --home "$H" --role $r "$T/$r.key.pub"
done
cx key generate --out "$T/stranger.key" --name cl-stranger >/dev/null
expect_rc 2 "a client may not be named like a member" cx client add --home "$H" --role public \
	"$H/keys/node.pub"
check "client list shows four roles" \
	"$([[ $(cx client list --home "$H" --json | jq -r '[.[].role] | sort | join(",")') == auditor,monitor,public,regulator ]]; echo $?)"
printf '\n[serve]\nclient_listen = tcp://127.0.0.1:%d\nhttp = http://127.0.0.1:%d\n' \
	$((P + 2)) $((P + 3)) >> "$H/cxnode.conf"
"$CXNODE" serve --home "$H" 2>>"$T/serve.log" &
bg_pid $!

U=tcp://127.0.0.1:$((P + 2))
R() { local who=$1; shift; cx query --remote "$U" --key "$T/$who.key" --roster "$F/roster.pb" \
	--root "$F/root.pub" "$@"; }
up() { local i; for ((i = 0; i < 100; i++)); do R regulator --id-number "$ID" --json >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
ok "the node answers clients" up

R regulator --id-number "$ID" --json > "$T/reg.json" 2>"$T/err"
check "a regulator sees the identity number" \
	"$(jq -e --arg id "$ID" '[.records[].record.subject.id_number] | index($id) != null' "$T/reg.json" >/dev/null; echo $?)"
R public --id-number "$ID" --json > "$T/pub.json" 2>"$T/err"
check "the public gets an answer" "$(jq -e '.active >= 1' "$T/pub.json" >/dev/null; echo $?)"
check "the public sees the number masked" "$(grep -qF -- "$MASKED" "$T/pub.json"; echo $?)"
check "and never in clear" "$(! grep -q -- "$ID" "$T/pub.json"; echo $?)"
expect_rc 1 "the public may not ask for history" R public --id-number "$ID" --history
grep -q "history" "$T/.out"; check "  and is told why" $?
expect_rc 1 "the public may not ask about a past date" R public --id-number "$ID" --as-of 2025-01-01
expect_rc 1 "a monitor may not query" R monitor --id-number "$ID"
grep -q "may not query" "$T/.out"; check "  and is told why" $?
expect_rc 1 "an unregistered key is refused" R stranger --id-number "$ID"
ok "a regulator may ask about a past date" R regulator --id-number "$ID" --as-of 2025-01-01 --history

# receipts and reports carry the role's masking
ok "a public receipt" R public --id-number "$ID" --receipt "$T/pub.receipt" --json
check "the receipt holds the number masked only" \
	"$(grep -qF -- "$MASKED" "$T/pub.receipt" && ! grep -q -- "$ID" "$T/pub.receipt"; echo $?)"
ok "a public report" cx report --remote "$U" --key "$T/public.key" --roster "$F/roster.pb" \
	--root "$F/root.pub" --id-number "$ID" --out "$T/pub.report.json"
check "the report never holds the number in clear" "$(! grep -q -- "$ID" "$T/pub.report.json"; echo $?)"
ok "a regulator report" cx report --remote "$U" --key "$T/regulator.key" --roster "$F/roster.pb" \
	--root "$F/root.pub" --id-number "$ID" --out "$T/reg.report.json"
check "the regulator's report holds it" "$(grep -q -- "$ID" "$T/reg.report.json"; echo $?)"

# HTTP: the same roles through bearer tokens
TK() { cx token --remote "$U" --key "$T/$1.key" --roster "$F/roster.pb" --root "$F/root.pub"; }
tpub=$(TK public) && treg=$(TK regulator)
check "tokens for public and regulator" "$([[ ${#tpub} == 64 && ${#treg} == 64 ]]; echo $?)"
expect_rc 1 "no token for a monitor" TK monitor
HU=http://127.0.0.1:$((P + 3))
body=$(jq -cn --arg v "$ID" '{by: "id_number", value: $v}')
code=$(curl -s -o "$T/h401" -w '%{http_code}' -X POST -d "$body" "$HU/v1/query")
check "HTTP without a token is 401" "$([[ $code == 401 ]]; echo $?)"
curl -s -X POST -H "Authorization: Bearer $treg" -d "$body" "$HU/v1/query" > "$T/hreg.json"
check "HTTP regulator sees the number" "$(grep -q -- "$ID" "$T/hreg.json"; echo $?)"
curl -s -X POST -H "Authorization: Bearer $tpub" -d "$body" "$HU/v1/query" > "$T/hpub.json"
check "HTTP public sees it masked only" \
	"$(grep -qF -- "$MASKED" "$T/hpub.json" && ! grep -q -- "$ID" "$T/hpub.json"; echo $?)"
code=$(curl -s -o "$T/h403" -w '%{http_code}' -X POST -H "Authorization: Bearer $tpub" \
	-d '{}' "$HU/v1/audit")
check "HTTP public may not read the audit log (403)" "$([[ $code == 403 ]]; echo $?)"

# the local operator: masked unless the node allows --unmask
cx query --home "$H" --id-number "$ID" --json > "$T/local.json"
check "the local CLI masks by default" \
	"$(grep -qF -- "$MASKED" "$T/local.json" && ! grep -q -- "$ID" "$T/local.json"; echo $?)"
expect_rc 2 "--unmask needs [query] unmask" cx query --home "$H" --id-number "$ID" --unmask

# the audit log: every call, masked, readable by the auditor only
A() { local who=$1; shift; cx audit list --remote "$U" --key "$T/$who.key" --roster "$F/roster.pb" \
	--root "$F/root.pub" "$@"; }
A auditor --json --limit 1000 > "$T/audit.json" 2>"$T/audit.err"
check "the auditor reads the audit log" $?
check "it has the regulator's query" \
	"$(jq -e '[.entries[] | select(.who == "cl-regulator" and .method == "query")] | length >= 2' "$T/audit.json" >/dev/null; echo $?)"
check "and the refused ones, with the reason" \
	"$(jq -e '[.entries[] | select(.who == "cl-monitor" and .status != 0)] | length >= 1' "$T/audit.json" >/dev/null; echo $?)"
check "and HTTP calls" "$(jq -e '[.entries[] | select(.via == "http")] | length >= 2' "$T/audit.json" >/dev/null; echo $?)"
check "and the local one" "$(jq -e '[.entries[] | select(.via == "cli")] | length >= 1' "$T/audit.json" >/dev/null; echo $?)"
check "the audit log never holds the number in clear" "$(! grep -q -- "$ID" "$T/audit.json"; echo $?)"
check "nor do its files" "$(! grep -rqa -- "$ID" "$H/audit"; echo $?)"
expect_rc 1 "the public may not read the audit log" A public
ok "the audit log verifies" cx audit verify --home "$H"
done_testing
