#!/usr/bin/env bash
# A corridor of three nodes on loopback over tls+tcp://, serving: they
# converge to identical checkpoints and answers, relay along a chain,
# witness each other, carry a repair from its issuer everywhere, refuse
# what breaks the rules, survive kill -9 mid-replication, and spread a
# newer roster.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
F=$T/fed
P=$((20000 + ($$ % 60) * 100))   # a port block below the ephemeral range
cx federation init "$F" --name g60 >/dev/null

# hangzhou -- jiaxing -- hefei: a chain (hangzhou and hefei pull only from jiaxing)
mk() {  # id region name port kinds
	cx init --home "$T/$1" --id "$1" --region "$2" --name "$3" >/dev/null
	cx federation add "$F" --from-home "$T/$1" --endpoint "tls+tcp://127.0.0.1:$4" \
		--publish "tls+tcp://127.0.0.1:$(($4 + 1))" --kinds "$5" >/dev/null
}
mk hangzhou 330100 杭州 $P all
mk jiaxing 330400 嘉兴 $((P + 10)) all
mk hefei 340100 合肥 $((P + 20)) penalty,licence,evaluation
ok "sign the roster" cx federation sign "$F"
for n in hangzhou jiaxing hefei; do
	ok "$n installs the roster" cx federation install "$F/roster.pb" --home "$T/$n" --root "$F/root.pub"
done
printf '\n[serve]\npeers = jiaxing\nsync_interval = 2\n' >> "$T/hefei/cxnode.conf"
printf '\n[serve]\npeers = jiaxing\nsync_interval = 2\n' >> "$T/hangzhou/cxnode.conf"
printf '\n[serve]\nsync_interval = 2\n' >> "$T/jiaxing/cxnode.conf"
expect_rc 1 "an older or equal roster is refused" cx federation install "$F/roster.pb" --home "$T/hefei"

cx generate --subjects 3400 --region 330100 --issuer hangzhou --seed 11 --out "$T/all.jsonl" 2>/dev/null
n=$(wc -l < "$T/all.jsonl")
head -n $((n - 500)) "$T/all.jsonl" > "$T/hz.jsonl"
tail -n 500 "$T/all.jsonl" > "$T/hz2.jsonl"
cx generate --subjects 1000 --region 330400 --issuer jiaxing --seed 12 --out "$T/jx.jsonl" 2>/dev/null
ok "hangzhou publishes" cx import --home "$T/hangzhou" --no-progress "$T/hz.jsonl"
ok "jiaxing publishes" cx import --home "$T/jiaxing" --no-progress "$T/jx.jsonl"

serve() {
	"$CXNODE" serve --home "$T/$1" --log-level info 2>>"$T/$1.log" &
	eval "pid_$1=$!"
	bg_pid $!
}
for n in hangzhou jiaxing hefei; do serve $n; done

# size of origin's checkpoint held at node
held() { cx status --home "$T/$1" --json | jq -r --arg o "g60.cxnode/$2" '[.logs[] | select(.origin == $o and .root != "") | .checkpoint_size] | first // "none"'; }
own() { cx status --home "$T/$1" --json | jq -r '.logs[] | select(.own) | .checkpoint_size'; }
# wait until every node holds every issuer's latest checkpoint (up to 60 s)
converge() {
	local i n o want
	for ((i = 0; i < 300; i++)); do
		local done=1
		for o in hangzhou jiaxing hefei; do
			want=$(own $o)
			for n in hangzhou jiaxing hefei; do
				[[ $(held $n $o) == "$want" ]] || done=0
			done
		done
		((done)) && return 0
		sleep 0.2
	done
	return 1
}
ok "the corridor converges" converge
check "hefei holds hangzhou's log through jiaxing (a chain)" \
	"$([[ $(held hefei hangzhou) == "$(own hangzhou)" && $(own hangzhou) -gt 0 ]]; echo $?)"
heads() { cx status --home "$T/$1" --json | jq -c '[.logs[] | {origin, checkpoint_size, root}] | sort_by(.origin)'; }
check "identical checkpoints (sizes and roots) on all three" \
	"$([[ $(heads hangzhou) == "$(heads jiaxing)" && $(heads jiaxing) == "$(heads hefei)" ]]; echo $?)"
for n in hangzhou jiaxing hefei; do
	ok "$n: verify the whole store" cx verify --home "$T/$n" --quiet
done

# the same question, the same answer, from every node
code=$(jq -r 'select(.kind == "dishonest_list" and .subject.credit_code != null) | .subject.credit_code' "$T/hz.jsonl" | head -n 1)
ans() { cx query --home "$T/$1" --code "$code" --json | jq -c "[.records[] | {id: .record.record_id, state, issuer}] | sort_by(.id)"; }
check "a Hangzhou blacklisting is found from Hefei" "$(ans hefei | jq -e 'length > 0 and any(.[]; .state == "active")' >/dev/null; echo $?)"
check "identical answers on all three" "$([[ $(ans hangzhou) == "$(ans jiaxing)" && $(ans jiaxing) == "$(ans hefei)" ]]; echo $?)"

# witnessing: every node cosigns the others' checkpoints
cosigners() { cx status --home "$T/$1" --json | jq -r --arg o "g60.cxnode/$2" '.logs[] | select(.origin == $o) | [.cosignatures[] | select(.size == .log_size) | .witness] | sort | join(",")'; }
wait_cosig() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(cosigners hangzhou hangzhou) == "hefei,jiaxing" ]] && return 0
		sleep 0.2
	done
	return 1
}
ok "Hangzhou's checkpoint is cosigned by Jiaxing and Hefei" wait_cosig

# a repair by the record's own issuer reaches every node
rec=$(jq -c "select(.kind == \"dishonest_list\" and .subject.credit_code == \"$code\")" "$T/hz.jsonl" | head -n 1)
rid=$(jq -r .record_id <<<"$rec")
jq -c --arg id "$rid" '{record_id: ("fix-" + $id), kind: "status_change", subject: .subject, authority: .authority,
	decision_date: "2026-11-20", change: {type: "removal", target: {record_id: $id},
	effective_date: "2026-11-20", reason: "移出严重失信主体名单"}}' <<<"$rec" > "$T/fix.jsonl"
ok "Hangzhou removes the entry" cx import --home "$T/hangzhou" --no-progress "$T/fix.jsonl"
state() { cx query --home "$T/$1" --code "$code" --json --history | jq -r --arg id "$rid" '.records[] | select(.record.record_id == $id) | .state'; }
wait_state() {
	local i
	for ((i = 0; i < 150; i++)); do
		[[ $(state hefei) == removed && $(state jiaxing) == removed ]] && return 0
		sleep 0.2
	done
	return 1
}
ok "the removal changes Jiaxing's and Hefei's answers within seconds" wait_state

# the same change claimed by another issuer is refused at its source
jq -c '.record_id = "claim-1"' "$T/fix.jsonl" > "$T/claim.jsonl"
expect_rc 1 "Hefei cannot remove Hangzhou's entry" cx import --home "$T/hefei" --no-progress "$T/claim.jsonl"

# a member acting outside its record classes: Hefei may not publish lists
cx generate --subjects 400 --region 340100 --issuer hefei --seed 13 --out "$T/hf.jsonl" 2>/dev/null
jq -c 'select(.kind == "dishonest_list")' "$T/hf.jsonl" | head -n 1 | jq -c '.record_id = "hf-list-1"' > "$T/hflist.jsonl"
cx import --home "$T/hefei" --no-progress "$T/hflist.jsonl" >/dev/null 2>&1
refused() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "hefei published a record that breaks the federation's rules" "$T/jiaxing.log" && return 0
		sleep 0.2
	done
	return 1
}
ok "Jiaxing refuses Hefei's list entry with a logged reason" refused
check "and holds none of it" "$(cx query --home "$T/jiaxing" --name "$(jq -r .subject.name "$T/hflist.jsonl")" --json | jq -e '[.records[] | select(.record.record_id == "hf-list-1")] | length == 0' >/dev/null; echo $?)"

# kill -9 during replication: a new node catches up from zero, is killed,
# restarts, and ends identical, nothing lost or duplicated
cx init --home "$T/wuhu" --id wuhu --region 340200 --name 芜湖 >/dev/null
cx federation add "$F" --from-home "$T/wuhu" --endpoint "tls+tcp://127.0.0.1:$((P + 30))" \
	--publish "tls+tcp://127.0.0.1:$((P + 31))" >/dev/null
ok "sign roster version 2 with Wuhu" cx federation sign "$F"
ok "Wuhu installs version 2" cx federation install "$F/roster.pb" --home "$T/wuhu" --root "$F/root.pub"
ok "Hangzhou installs version 2 (the others learn it from their peers)" cx federation install "$F/roster.pb" --home "$T/hangzhou"
roster_v() { cx status --home "$T/$1" --json | jq -r '.roster_version'; }
wait_roster() {
	local i
	for ((i = 0; i < 150; i++)); do
		[[ $(roster_v hefei) == 2 && $(roster_v jiaxing) == 2 ]] && return 0
		sleep 0.2
	done
	return 1
}
ok "roster version 2 spreads to Jiaxing and, through it, Hefei" wait_roster
"$CXNODE" sync --home "$T/wuhu" jiaxing >/dev/null 2>&1 &
sp=$!
bg_pid $sp
sleep 0.3
kill -9 $sp 2>/dev/null
wait $sp 2>/dev/null
ok "after kill -9, Wuhu's store verifies" cx verify --home "$T/wuhu" --quiet
ok "a second sync completes" cx sync --home "$T/wuhu" jiaxing
serve wuhu
wait_wuhu() {
	local i
	for ((i = 0; i < 150; i++)); do
		[[ $(held jiaxing wuhu) == "$(own wuhu)" && $(cx status --home "$T/jiaxing" --json | jq '[.logs[] | select(.origin == "g60.cxnode/wuhu")] | length') == 1 ]] && return 0
		sleep 0.2
	done
	return 1
}
ok "Jiaxing takes Wuhu's (empty) log once Wuhu serves" wait_wuhu
check "Wuhu holds Hangzhou's log whole" "$([[ $(held wuhu hangzhou) == "$(own hangzhou)" ]]; echo $?)"
check "identical checkpoints to Jiaxing" "$([[ $(heads wuhu) == "$(heads jiaxing)" || $(heads wuhu | jq length) == 4 ]]; echo $?)"
expect_rc 0 "reconcile Wuhu with Jiaxing: in sync" cx reconcile jiaxing --home "$T/wuhu"
cx reconcile jiaxing --home "$T/wuhu" --json > "$T/rec.json"
check "the JSON report says in sync" "$(jq -e '.in_sync == true and .exit == 0' "$T/rec.json" >/dev/null; echo $?)"
ok "Wuhu answers the same" test "$(ans wuhu)" == "$(ans jiaxing)"

# reconcile finds a difference and repairs it
kill $pid_jiaxing; wait $pid_jiaxing 2>/dev/null
kill $pid_hefei; wait $pid_hefei 2>/dev/null
ok "Hangzhou publishes more" cx import --home "$T/hangzhou" --no-progress "$T/hz2.jsonl"
expect_rc 1 "reconcile Jiaxing with Hangzhou: differences" cx reconcile hangzhou --home "$T/jiaxing"
expect_rc 1 "reconcile --repair fetches them (exit 1: differences were found)" cx reconcile hangzhou --home "$T/jiaxing" --repair
expect_rc 0 "then in sync" cx reconcile hangzhou --home "$T/jiaxing"
kill $pid_hangzhou; wait $pid_hangzhou 2>/dev/null
expect_rc 3 "reconcile with a stopped peer: unreachable" cx reconcile hangzhou --home "$T/jiaxing" --timeout 2
ok "serve stopped cleanly on SIGTERM" grep -q "stopping" "$T/hangzhou.log"
done_testing
