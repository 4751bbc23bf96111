#!/usr/bin/env bash
# The audit log from the command line: local queries land in it with who,
# role, method and the identity number masked; the filters, paging and one
# entry with its proof; verify, a kept checkpoint, an offline copy, a copy
# with one byte changed (fails, naming the leaf) and one cut short; and a
# running node and local commands appending to the same log at once.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
F=$T/fed
H=$T/hangzhou
P=$((20000 + ($$ % 60) * 100 + 70))
cx federation init "$F" --name g60 >/dev/null
cx init --home "$H" --id hangzhou --region 330100 --name 杭州 >/dev/null
cx federation add "$F" --from-home "$H" --endpoint "tls+tcp://127.0.0.1:$P" >/dev/null
cx federation sign "$F" >/dev/null
cx federation install "$F/roster.pb" --home "$H" --root "$F/root.pub" >/dev/null
cx generate --subjects 200 --region 330100 --issuer hangzhou --seed 5 --out "$T/hz.jsonl" 2>/dev/null
ok "import" cx import --home "$H" --no-progress "$T/hz.jsonl"
ID=$(jq -r 'select(.subject.category == "natural_person") | .subject.id_number' "$T/hz.jsonl" | head -n 1)
MASKED="${ID:0:6}********${ID:14:4}"
CODE=$(jq -r 'select(.subject.category == "legal_person") | .subject.credit_code' "$T/hz.jsonl" | head -n 1)
check "the data has a person and a company" "$([[ ${#ID} == 18 && ${#CODE} == 18 ]]; echo $?)"

# a new home's log: empty, signed, verifying
ok "an empty log verifies" cx audit verify --home "$H"
check "the audit key is private" "$([[ $(stat -c %a "$H/keys/audit.key") == 600 ]]; echo $?)"
check "its verifier is published" "$(grep -q '^hangzhou-audit+' "$H/keys/audit.pub"; echo $?)"

# local queries are audited calls
ok "a query by identity number" cx query --home "$H" --id-number "$ID" --json
ok "a query by credit code" cx query --home "$H" --code "$CODE"
ok "a query of a past date" cx query --home "$H" --code "$CODE" --as-of 2025-01-01 --history
ok "list the log" cx audit list --home "$H" --json --limit 1000
cp "$T/.out" "$T/all.json"
check "the queries are there, as the local operator" \
	"$(jq -e '[.entries[] | select(.method == "query" and .role == "operator" and .via == "cli"
		and (.who | startswith("local:")) and .status == 0)] | length == 3' "$T/all.json" >/dev/null; echo $?)"
check "the identity number is there masked" \
	"$(jq -e --arg m "$MASKED" '[.entries[] | select(.method == "query") | .query | tostring
		| contains($m)] | any' "$T/all.json" >/dev/null; echo $?)"
check "and never in clear" "$(! grep -q -- "$ID" "$T/all.json"; echo $?)"
check "nor in the log's files" "$(! grep -rqa -- "$ID" "$H/audit"; echo $?)"
check "each answer has a digest" \
	"$(jq -e '[.entries[] | select(.method == "query") | .answer_digest | length == 64] | all' "$T/all.json" >/dev/null; echo $?)"
check "times are RFC 3339 UTC with milliseconds" \
	"$(jq -e '[.entries[].time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")] | all' "$T/all.json" >/dev/null; echo $?)"
n0=$(jq '.size' "$T/all.json")
ok "reading the log is audited too" cx audit list --home "$H" --json --limit 0
check "  (one more entry, method audit)" "$(jq -e --argjson n "$n0" '.size > $n' "$T/.out" >/dev/null; echo $?)"

# filters and paging
cx audit list --home "$H" --json --method query > "$T/q.json"
check "--method" "$(jq -e '.total == 3 and ([.entries[].method] | unique == ["query"])' "$T/q.json" >/dev/null; echo $?)"
cx audit list --home "$H" --json --method query --limit 1 --offset 1 > "$T/p.json"
check "--offset and --limit" "$(jq -e --slurpfile q "$T/q.json" '.total == 3 and (.entries | length) == 1
	and .entries[0].index == $q[0].entries[1].index' "$T/p.json" >/dev/null; echo $?)"
cx audit list --home "$H" --json --reverse --limit 1 > "$T/r.json"
check "--reverse: the newest first" "$(jq -e '.entries[0].index == .size - 1' "$T/r.json" >/dev/null; echo $?)"
who=$(jq -r '.entries[0].who' "$T/q.json")
cx audit list --home "$H" --json --who "$who" --role operator --via cli > "$T/w.json"
check "--who --role --via" "$(jq -e '.total >= 4' "$T/w.json" >/dev/null; echo $?)"
cx audit list --home "$H" --json --who nobody > "$T/n.json"
check "--who nobody: none" "$(jq -e '.total == 0' "$T/n.json" >/dev/null; echo $?)"
today=$(date -u -d '+8 hours' +%F)
cx audit list --home "$H" --json --from "$today" --to "$today" --method query > "$T/d.json"
check "--from and --to today (China time)" "$(jq -e '.total == 3' "$T/d.json" >/dev/null; echo $?)"
cx audit list --home "$H" --json --to 2020-01-01 > "$T/o.json"
check "--to long ago: none" "$(jq -e '.total == 0' "$T/o.json" >/dev/null; echo $?)"
cx audit list --home "$H" --json --from "$(date -u -d '+1 hour' +%FT%TZ)" > "$T/f.json"
check "--from an RFC 3339 time to come: none" "$(jq -e '.total == 0' "$T/f.json" >/dev/null; echo $?)"
expect_rc 2 "a bad --from is an error" cx audit list --home "$H" --from yesterday
grep -q "from" "$T/.out"; check "  naming it" $?
ok "the table for people" cx audit list --home "$H" --method query
grep -qF -- "$MASKED" "$T/.out"; check "  shows the masked number" $?
expect_rc 2 "no source is a usage error" cx audit list
expect_rc 2 "two sources are a usage error" cx audit list --home "$H" --dir "$H/audit"
expect_rc 2 "a home that is not there is an error" cx audit list --home "$T/nowhere"
expect_rc 2 "so is a copy that is not there" cx audit verify --dir "$T/nowhere" --pub "$H/keys/audit.pub"

# one entry, checked against the signed checkpoint
idx=$(jq '.entries[0].index' "$T/q.json")
ok "show one entry" cx audit show "$idx" --home "$H"
grep -q "signature verified" "$T/.out"; check "  its proof checked with keys/audit.pub" $?
ok "show it as JSON" cx audit show "$idx" --home "$H" --json
check "  with leaf and proof" "$(jq -e '.entries[0] | (.leaf | length > 0) and (.proof | type == "array")' "$T/.out" >/dev/null; echo $?)"
expect_rc 1 "an entry beyond the log" cx audit show 100000 --home "$H"

# verify, kept checkpoints, copies
ok "the log verifies" cx audit verify --home "$H"
ok "keep its checkpoint" cx audit checkpoint --home "$H"
cp "$T/.out" "$T/kept.txt"
check "  a signed checkpoint of the audit origin" \
	"$(head -n 1 "$T/kept.txt" | grep -qx 'g60.cxnode/hangzhou/audit' && grep -q '^— hangzhou-audit ' "$T/kept.txt"; echo $?)"
cp -r "$H/audit" "$T/old"
ok "another query" cx query --home "$H" --id-number "$ID"
ok "the log extends the kept checkpoint" cx audit verify --home "$H" --checkpoint "$T/kept.txt"
cx audit checkpoint --home "$H" > "$T/later.txt"
ok "a copy verifies offline with the audit key" cx audit verify --dir "$T/old" --pub "$H/keys/audit.pub"
ok "and lists offline" cx audit list --dir "$T/old" --pub "$H/keys/audit.pub" --json
check "  the same entries" "$(jq -e '.size > 0 and (.entries | length) > 0' "$T/.out" >/dev/null; echo $?)"
expect_rc 1 "the older copy does not hold the later checkpoint" \
	cx audit verify --dir "$T/old" --pub "$H/keys/audit.pub" --checkpoint "$T/later.txt"
grep -q "cut short" "$T/.out"; check "  it was cut short" $?
cx key generate --out "$T/other.key" --name hangzhou-audit >/dev/null
expect_rc 1 "another key does not verify it" cx audit verify --dir "$T/old" --pub "$T/other.key.pub"

# one byte of a leaf changed in a copy: every copy of the masked number in
# the file (LMDB keeps older copies of pages too), its first digit
cp -r "$H/audit" "$T/bad"
offs=$(grep -obUaF -- "$MASKED" "$T/bad/data.mdb" | cut -d: -f1)
check "the masked number is in the file" "$([[ -n $offs ]]; echo $?)"
for off in $offs; do
	printf 'Z' | dd of="$T/bad/data.mdb" bs=1 seek="$off" conv=notrunc status=none
done
expect_rc 1 "a changed byte fails verification" cx audit verify --dir "$T/bad" --pub "$H/keys/audit.pub"
grep -q "leaf [0-9]*: bytes do not match" "$T/.out"; check "  naming the leaf" $?
expect_rc 1 "  and its proof no longer leads to the checkpoint" \
	cx audit show "$(jq '.entries[] | select(.query | tostring | contains("********")) | .index' "$T/all.json" | head -n 1)" \
	--dir "$T/bad" --pub "$H/keys/audit.pub"

# a running node and local commands append to the same log at once
printf '\n[serve]\nclient_listen = tcp://127.0.0.1:%d\n' $((P + 2)) >> "$H/cxnode.conf"
cx key generate --out "$T/auditor.key" --name cl-auditor >/dev/null
cx key generate --out "$T/regulator.key" --name cl-regulator >/dev/null
cx client add --home "$H" --role auditor "$T/auditor.key.pub" >/dev/null
cx client add --home "$H" --role regulator "$T/regulator.key.pub" >/dev/null
"$CXNODE" serve --home "$H" 2>>"$T/serve.log" &
bg_pid $!
U=tcp://127.0.0.1:$((P + 2))
R() { local who=$1; shift; cx "$@" --remote "$U" --key "$T/$who.key" --roster "$F/roster.pb" \
	--root "$F/root.pub"; }
up() { local i; for ((i = 0; i < 100; i++)); do R regulator query --code "$CODE" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
ok "the node answers" up
before=$(cx audit list --home "$H" --json --limit 0 | jq '.size')
( for i in 1 2 3 4 5 6 7 8 9 10; do R regulator query --code "$CODE" >/dev/null 2>&1 || echo fail; done ) > "$T/remote.res" &
rp=$!
for i in 1 2 3 4 5 6 7 8 9 10; do cx query --home "$H" --code "$CODE" >/dev/null 2>&1 || echo fail; done > "$T/local.res"
wait $rp
check "twenty queries answered at once" "$([[ ! -s $T/remote.res && ! -s $T/local.res ]]; echo $?)"
R auditor audit list --json --limit 1000 --from "$today" > "$T/mixed.json"
check "the auditor reads them remotely" "$(jq -e '.total > 0' "$T/mixed.json" >/dev/null; echo $?)"
check "  the regulator's over nng and the local ones" \
	"$(jq -e '([.entries[] | select(.who == "cl-regulator" and .via == "nng")] | length >= 10) and
		([.entries[] | select(.via == "cli")] | length >= 10)' "$T/mixed.json" >/dev/null; echo $?)"
check "  every one of them" "$(jq -e --argjson b "$before" '.size >= $b + 21' "$T/mixed.json" >/dev/null; echo $?)"
ok "the log verifies while the node runs" cx audit verify --home "$H" --checkpoint "$T/kept.txt"
ok "and remotely, with the kept checkpoint checked on this side" \
	R auditor audit verify --pub "$H/keys/audit.pub" --checkpoint "$T/kept.txt"
expect_rc 1 "a regulator may not read the audit log" R regulator audit list
done_testing
