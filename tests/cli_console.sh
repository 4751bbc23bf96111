#!/usr/bin/env bash
# The HTTP/JSON API and the web console end to end: two members on
# loopback, Hangzhou serving the API over http:// and clients over tcp://;
# bearer tokens from `cxnode token` for a regulator and a public client; the
# API's statuses, headers and masking checked with curl; the console loaded
# in headless Chromium, which must show a subject listed by Jiaxing, found
# from Hangzhou, with its issuing city, state and banner, identity numbers
# in full for the regulator and masked for the public, and a visible 401
# for a bad token.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
F=$T/fed
P=$((20000 + ($$ % 60) * 100 + 50))   # a port block below the ephemeral range
HTTP=$((P + 3))
URL=http://127.0.0.1:$HTTP

# skip DESCRIPTION REASON
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }

cx federation init "$F" --name g60 >/dev/null
mk() {  # id region name port
	cx init --home "$T/$1" --id "$1" --region "$2" --name "$3" >/dev/null
	cx federation add "$F" --from-home "$T/$1" --endpoint "tls+tcp://127.0.0.1:$4" \
		--publish "tls+tcp://127.0.0.1:$(($4 + 1))" >/dev/null
}
mk hangzhou 330100 杭州 $P
mk jiaxing 330400 嘉兴 $((P + 10))
ok "sign the roster" cx federation sign "$F"
for n in hangzhou jiaxing; do
	ok "$n installs the roster" cx federation install "$F/roster.pb" --home "$T/$n" --root "$F/root.pub"
done

# clients: a regulator and a public client, registered at Hangzhou
for c in reg:regulator pub:public; do
	ok "client key ${c%%:*}" cx key generate --out "$T/${c%%:*}.key" --name "zj-${c%%:*}-01"
	ok "Hangzhou registers ${c%%:*} as ${c#*:}" \
		cx client add --home "$T/hangzhou" --role "${c#*:}" "$T/${c%%:*}.key.pub"
done
printf '\n[serve]\npeers = jiaxing\nsync_interval = 1\nclient_listen = tcp://127.0.0.1:%d\nhttp = %s\n' \
	$((P + 2)) "$URL" >> "$T/hangzhou/cxnode.conf"
printf '\n[serve]\nsync_interval = 1\n' >> "$T/jiaxing/cxnode.conf"

cx generate --subjects 300 --region 330100 --issuer hangzhou --seed 21 --out "$T/hz.jsonl" 2>/dev/null
cx generate --subjects 300 --region 330400 --issuer jiaxing --seed 22 --out "$T/jx.jsonl" 2>/dev/null
ok "Hangzhou publishes" cx import --home "$T/hangzhou" --no-progress "$T/hz.jsonl"
ok "Jiaxing publishes" cx import --home "$T/jiaxing" --no-progress "$T/jx.jsonl"

# a company Jiaxing lists (active today), with its legal representative's
# identity number, and a natural person Jiaxing lists as a dishonest debtor
active_code() {
	local c
	for c in $(jq -r 'select(.kind == "dishonest_list" and .subject.credit_code != null
	    and .subject.legal_rep_id_number != null) | .subject.credit_code' "$T/jx.jsonl"); do
		cx query --home "$T/jiaxing" --code "$c" --json |
			jq -e '[.records[] | select(.state == "active" and .record.kind == "dishonest_list")] | length > 0' \
			>/dev/null && { echo "$c"; return 0; }
	done
	return 1
}
active_id() {
	local i
	for i in $(jq -r 'select(.kind == "dishonest_debtor" and .subject.id_number != null) |
	    .subject.id_number' "$T/jx.jsonl"); do
		cx query --home "$T/jiaxing" --id-number "$i" --json |
			jq -e '[.records[] | select(.state == "active")] | length > 0' >/dev/null &&
			{ echo "$i"; return 0; }
	done
	return 1
}
code=$(active_code)
idn=$(active_id)
check "Jiaxing lists a company and a debtor today" "$([[ -n $code && -n $idn ]]; echo $?)"
name=$(jq -r --arg c "$code" 'select(.subject.credit_code == $c) | .subject.name' "$T/jx.jsonl" | head -n 1)
rep_id=$(jq -r --arg c "$code" 'select(.subject.credit_code == $c) | .subject.legal_rep_id_number // empty' \
	"$T/jx.jsonl" | head -n 1)
masked=${idn:0:6}********${idn:14:4}

for n in hangzhou jiaxing; do
	"$CXNODE" serve --home "$T/$n" --log-level info 2>>"$T/$n.log" &
	bg_pid $!
done

held() { cx status --home "$T/hangzhou" --json | jq -r '[.logs[] | select(.origin == "g60.cxnode/jiaxing" and .root != "") | .checkpoint_size] | first // "none"'; }
own_jx() { cx status --home "$T/jiaxing" --json | jq -r '.logs[] | select(.own) | .checkpoint_size'; }
wait_sync() {
	local i
	for ((i = 0; i < 300; i++)); do
		[[ $(held) == "$(own_jx)" ]] && return 0
		sleep 0.2
	done
	return 1
}
ok "Hangzhou holds Jiaxing's signed checkpoint" wait_sync
wait_http() {
	local i
	for ((i = 0; i < 150; i++)); do
		curl -sf -o /dev/null "$URL/v1/openapi.json" && return 0
		sleep 0.2
	done
	return 1
}
ok "the HTTP API answers" wait_http

token() { cx token --remote "tcp://127.0.0.1:$((P + 2))" --key "$T/$1.key" --roster "$F/roster.pb" --root "$F/root.pub"; }
REG=$(token reg)
PUB=$(token pub)
check "tokens for the regulator and the public client" "$([[ ${#REG} -ge 32 && ${#PUB} -ge 32 ]]; echo $?)"

# ---- the API, with curl -----------------------------------------------------

# api METHOD PATH TOKEN [BODY]: body to $T/body, headers to $T/head; prints the status
api() {
	local m=$1 p=$2 tok=$3 args=()
	[[ -n $tok ]] && args+=(-H "Authorization: Bearer $tok")
	[[ $# -ge 4 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
	curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' -X "$m" "${args[@]}" "$URL$p"
}
hdr() { tr -d '\r' < "$T/head" | awk -v h="$(tr 'A-Z' 'a-z' <<<"$1")" -F': ' 'tolower($1) == h { print $2 }'; }

check "no token: 401" "$([[ $(api GET /v1/whoami "") == 401 ]]; echo $?)"
check "  as a JSON error with a code" "$(jq -e '.code == "unauthorized" and (.error | length > 0)' "$T/body" >/dev/null; echo $?)"
check "  and WWW-Authenticate: Bearer" "$([[ $(hdr WWW-Authenticate) == Bearer* ]]; echo $?)"
check "a bad token: 401" "$([[ $(api POST /v1/query 0123456789abcdef0123456789abcdef '{"by":"code","value":"x"}') == 401 ]]; echo $?)"
check "another scheme: 401" "$(st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $REG" "$URL/v1/whoami"); [[ $st == 401 ]]; echo $?)"

check "whoami names the regulator" "$([[ $(api GET /v1/whoami "$REG") == 200 ]] && jq -e '.role == "regulator"' "$T/body" >/dev/null; echo $?)"
check "  application/json, no-store" "$([[ $(hdr Content-Type) == application/json* && $(hdr Cache-Control) == no-store ]]; echo $?)"
check "whoami names the public client" "$([[ $(api POST /v1/whoami "$PUB" '{}') == 200 ]] && jq -e '.role == "public"' "$T/body" >/dev/null; echo $?)"

q=$(jq -nc --arg v "$code" '{by: "code", value: $v}')
check "the regulator screens the company from Hangzhou" "$([[ $(api POST /v1/query "$REG" "$q") == 200 ]]; echo $?)"
cp "$T/body" "$T/reg_post.json"
check "  Jiaxing's listing, active, is in the answer" \
	"$(jq -e '[.records[] | select(.issuer == "jiaxing" and .state == "active" and .record.kind == "dishonest_list")] | length > 0' "$T/reg_post.json" >/dev/null; echo $?)"
check "  the legal representative's identity number in full" \
	"$(grep -q -- "$rep_id" "$T/reg_post.json"; echo $?)"
check "GET with a query string gives the same records" \
	"$([[ $(api GET "/v1/query?by=code&value=$code" "$REG") == 200 ]] &&
	   [[ $(jq -c .records "$T/body") == "$(jq -c .records "$T/reg_post.json")" ]]; echo $?)"
check "the public client gets the company's answer" "$([[ $(api POST /v1/query "$PUB" "$q") == 200 ]]; echo $?)"
check "  with the legal representative's identity number masked" \
	"$(! grep -q -- "$rep_id" "$T/body" && grep -q -- "${rep_id:0:6}\*\*\*\*\*\*\*\*${rep_id:14:4}" "$T/body"; echo $?)"
check "the public client may not ask for history: 403" \
	"$([[ $(api POST /v1/query "$PUB" "$(jq -c '.history = true' <<<"$q")") == 403 ]] &&
	   jq -e '.code == "forbidden"' "$T/body" >/dev/null; echo $?)"
check "the public client may not read the audit log: 403" "$([[ $(api POST /v1/audit "$PUB" '{}') == 403 ]]; echo $?)"
check "the body must be JSON: 400" "$([[ $(api POST /v1/query "$REG" '{"by":') == 400 ]] &&
	jq -e '.code == "bad_request"' "$T/body" >/dev/null; echo $?)"
check "a name given twice in a query string: 400" "$([[ $(api GET "/v1/query?by=code&by=id&value=1" "$REG") == 400 ]]; echo $?)"
check "no such method: 404" "$([[ $(api POST /v1/nosuch "$REG" '{}') == 404 ]]; echo $?)"
check "no token over HTTP: 403" "$([[ $(api POST /v1/token "$REG" '{}') == 403 ]]; echo $?)"
check "another HTTP method: 405" "$([[ $(api DELETE /v1/query "$REG") == 405 && -n $(hdr Allow) ]]; echo $?)"
head -c $((1024 * 1024 + 10)) /dev/zero | tr '\0' ' ' > "$T/big"
check "a body over 1 MiB: 413" "$(st=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $REG" \
	-H 'Content-Type: application/json' --data-binary @"$T/big" "$URL/v1/query"); [[ $st == 413 ]]; echo $?)"
check "a receipt of the answer" "$([[ $(api POST /v1/receipt "$REG" "$q") == 200 ]] && jq -e 'type == "object"' "$T/body" >/dev/null; echo $?)"
cp "$T/body" "$T/receipt.json"
ok "  it verifies, and Hangzhou's logs give the same answer" cx verify-receipt "$T/receipt.json" \
	--roster "$F/roster.pb" --root "$F/root.pub" --home "$T/hangzhou"
check "the report, as JSON" "$([[ $(api POST /v1/report "$REG" "$q") == 200 ]] && cp "$T/body" "$T/report.json" &&
	jq -e '.report and .answer and .checkpoints' "$T/report.json" >/dev/null; echo $?)"
ok "  it verifies offline with the roster" cx verify "$T/report.json" --roster "$F/roster.pb" --root "$F/root.pub"
check "the report, as a page" "$([[ $(api GET "/v1/report?by=code&value=$code&format=html" "$REG") == 200 &&
	$(hdr Content-Type) == text/html* ]] && grep -q 'id="cxnode-report"' "$T/body" && cp "$T/body" "$T/report.html"; echo $?)"
check "  under a policy that runs no script" "$([[ $(hdr Content-Security-Policy) == *"default-src 'none'"* &&
	$(hdr Content-Security-Policy) != *script-src* ]]; echo $?)"
ok "  the page verifies offline with the roster" cx verify "$T/report.html" --roster "$F/roster.pb" --root "$F/root.pub"
check "format=html is for reports only: 400" "$([[ $(api GET "/v1/query?by=code&value=$code&format=html" "$REG") == 400 ]]; echo $?)"
check "the OpenAPI description, without a token" "$([[ $(api GET /v1/openapi.json "") == 200 ]] &&
	jq -e '.openapi and .paths["/v1/query"] and .components.securitySchemes.bearerAuth' "$T/body" >/dev/null; echo $?)"
check "the console carries its security headers" "$([[ $(api GET /console "") == 200 ]] &&
	[[ $(hdr Content-Security-Policy) == *"default-src 'self'"* && $(hdr Content-Security-Policy) == *"frame-ancestors 'none'"* &&
	   $(hdr X-Content-Type-Options) == nosniff ]]; echo $?)"
check "the console's script is served" "$([[ $(api GET /console/console.js "") == 200 && $(hdr Content-Type) == text/javascript* ]]; echo $?)"

# ---- the console, in headless Chromium -----------------------------------------

chrome=$(command -v chromium || command -v chromium-browser || true)
dom() {  # URL -> the page's DOM after its scripts ran
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-dev-shm-usage --user-data-dir="$T/chrome" --virtual-time-budget=10000 \
		--dump-dom "$1" 2>>"$T/chrome.log"
}
if [[ -z $chrome ]]; then
	why="chromium is not installed (make test installs Debian's chromium package)"
	for d in "regulator's console: the company, Jiaxing, active, listed" \
	    "regulator's console: the debtor's identity number in full" \
	    "public console: the debtor's identity number masked" \
	    "a bad token: the console shows the 401"; do
		skip "$d" "$why"
	done
else
	dom "$URL/console#token=$REG&code=$code" > "$T/dom1.html"
	check "regulator's console: the company's name" "$(grep -qF -- "$name" "$T/dom1.html"; echo $?)"
	check "  its issuing city, Jiaxing" "$(grep -q '<td class="city">jiaxing' "$T/dom1.html"; echo $?)"
	check "  the state of the listing" "$(grep -q 'class="state active bad">active<' "$T/dom1.html"; echo $?)"
	check "  the banner says listed" "$(grep -q 'class="banner listed"' "$T/dom1.html" && grep -q 'Listed' "$T/dom1.html"; echo $?)"
	check "  signed in as the regulator" "$(grep -q 'role regulator' "$T/dom1.html"; echo $?)"
	check "  the token is not left in the page" "$(! grep -qF -- "$REG" "$T/dom1.html"; echo $?)"

	dom "$URL/console#token=$REG&id=$idn" > "$T/dom2.html"
	check "regulator's console: the debtor's identity number in full" "$(grep -qF -- "$idn" "$T/dom2.html"; echo $?)"
	check "  listed" "$(grep -q 'class="banner listed"' "$T/dom2.html"; echo $?)"

	dom "$URL/console#token=$PUB&id=$idn" > "$T/dom3.html"
	check "public console: the debtor is found" "$(grep -q 'class="banner listed"' "$T/dom3.html"; echo $?)"
	check "  with the identity number masked" \
		"$(grep -qF -- "$masked" "$T/dom3.html" && ! grep -qF -- "$idn" "$T/dom3.html"; echo $?)"

	dom "$URL/console#token=0123456789abcdef&code=$code" > "$T/dom4.html"
	check "a bad token: the console shows the 401" "$(grep -q 'Not signed in (401)' "$T/dom4.html"; echo $?)"
	check "  and no answer" "$(! grep -q 'class="banner' "$T/dom4.html"; echo $?)"
fi

# ---- the audit log holds the HTTP calls ---------------------------------------

# audited WHO METHOD STATUS: an HTTP entry of WHO calling METHOD with STATUS
# (0 answered, 11 forbidden) is in Hangzhou's audit log (a server writes
# in batches: wait for it)
audited() {
	local i
	for ((i = 0; i < 100; i++)); do
		cx audit list --home "$T/hangzhou" --via http --json > "$T/audit.json" 2>/dev/null &&
			jq -e --arg w "$1" --arg m "$2" --argjson s "$3" \
			'[.entries[] | select(.who == $w and .method == $m and .status == $s)] | length > 0' \
			"$T/audit.json" >/dev/null && return 0
		sleep 0.2
	done
	return 1
}
ok "the audit log has the regulator's HTTP queries" audited zj-reg-01 query 0
ok "  and the receipt and the reports" audited zj-reg-01 report 0
ok "  and the public client's refusals" audited zj-pub-01 audit 11
ok "  and the token asked for over HTTP, refused" audited zj-reg-01 token 11
check "  identity numbers only masked there" "$(! grep -qF -- "$idn" "$T/audit.json" &&
	! grep -qF -- "$rep_id" "$T/audit.json"; echo $?)"

done_testing
