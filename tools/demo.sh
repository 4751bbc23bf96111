#!/usr/bin/env bash
# make demo: the G60 corridor on this machine's loopback. Nine cities, one
# federation, nine nodes serving over tls+tcp://, each publishing its own
# generated records; they converge, a Hangzhou blacklisting is answered by
# Hefei's node, a removal by Hangzhou reaches Hefei within seconds, and
# Hefei reconciles its copy of Hangzhou's log with Hangzhou.
#
#   DEMO_DIR=dir    keep everything there (default: a temporary directory,
#                   removed at the end)
#   DEMO_SUBJECTS   subjects generated per city, about 2.3 records each
#                   (default 5000; the demo then takes 15-20 s on 2 cores)
#   DEMO_TIMEOUT    seconds to wait for the corridor to converge
#                   (default 60 + DEMO_SUBJECTS / 200)
set -euo pipefail
[[ -n ${DEMO_DIR:-} ]] && DEMO_DIR=$(realpath -m "$DEMO_DIR")
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CX="$PWD/$BUILD/cxnode"
N=${DEMO_SUBJECTS:-5000}
TIMEOUT=${DEMO_TIMEOUT:-$((60 + N / 200))}
[[ -x $CX ]] || { echo "demo: $CX not built (make BUILD=$BUILD)" >&2; exit 2; }
command -v jq >/dev/null || { echo "demo: needs jq" >&2; exit 2; }

# id, GB/T 2260 code, name: along the corridor from Shanghai to Hefei
CITIES=(
	"songjiang 310117 松江"
	"jiaxing 330400 嘉兴"
	"hangzhou 330100 杭州"
	"jinhua 330700 金华"
	"suzhou 320500 苏州"
	"huzhou 330500 湖州"
	"xuancheng 341800 宣城"
	"wuhu 340200 芜湖"
	"hefei 340100 合肥"
)
IDS=()
for c in "${CITIES[@]}"; do IDS+=("${c%% *}"); done

# daemons started here, stopped on any exit
declare -A PID=()
cleanup() {
	local n p rc=$?
	trap - EXIT INT TERM
	for n in "${!PID[@]}"; do kill -TERM "${PID[$n]}" 2>/dev/null || true; done
	for n in "${!PID[@]}"; do
		p=${PID[$n]}
		for _ in {1..50}; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [[ -z ${DEMO_DIR:-} ]]; then
		rm -rf "$D"
	elif ((rc != 0)); then
		echo "demo: the nodes and their logs are kept in $D" >&2
	fi
	exit $rc
}
if [[ -n ${DEMO_DIR:-} ]]; then
	D=$DEMO_DIR
	mkdir -p "$D"
	rm -rf "$D/fed" "$D/logs" "$D/records" "${IDS[@]/#/$D/}"
else
	D=$(mktemp -d "${TMPDIR:-/tmp}/cxdemo.XXXXXX")
fi
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$D/logs" "$D/records"
# shellcheck disable=SC2034 # read by the pipelines runsh evaluates
DEMO=$D

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*" | sed "s#$D#\$DEMO#g; s#$CX#cxnode#g"; }
# a command, shown, its output (and errors) with $DEMO for the directory
run() { show "$*"; "$@" 2>&1 | sed "s#$D#\$DEMO#g"; }
runq() { show "$*"; "$@" >/dev/null; }
# a pipeline, written with cxnode and $DEMO (as an argument or on standard
# input), shown as written
cxnode() { "$CX" "$@"; }
runsh() { local c; c=${1:-$(cat)}; printf '$ %s\n' "$c"; eval "$c"; }
fail() { echo "demo: $*" >&2; exit 1; }
# seconds since $1 (from now_ns), to 0.1 s
now_ns() { date +%s%N; }
since() { local t=$(( ($(now_ns) - $1) / 100000000 )); echo "$((t / 10)).$((t % 10))"; }

# a free block of ports: city i listens on P+10i, publishes on P+10i+1.
# Below the kernel's ephemeral range, where the nodes' own outgoing
# connections could take a port before its node binds it.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
lo=32768
[[ -r /proc/sys/net/ipv4/ip_local_port_range ]] && read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range
span=$(((lo - 20000 - 100) / 10))
((span >= 100)) || span=4000   # no room below it: 20000-60000
for _ in {1..20}; do
	P=$((20000 + RANDOM % span * 10))
	free=1
	for ((i = 0; i < ${#IDS[@]} * 10; i += 10)); do
		listening $((P + i)) || listening $((P + i + 1)) && { free=0; break; }
	done
	((free)) && break
done
((free)) || fail "no free block of ports found on 127.0.0.1"

step "1. The G60 federation: a root key, nine member nodes, a signed roster"
run "$CX" federation init "$D/fed" --name g60
i=0
for c in "${CITIES[@]}"; do
	read -r id code name <<<"$c"
	runq "$CX" init --home "$D/$id" --id "$id" --region "$code" --name "$name"
	runq "$CX" federation add "$D/fed" --from-home "$D/$id" \
		--endpoint "tls+tcp://127.0.0.1:$((P + i))" --publish "tls+tcp://127.0.0.1:$((P + i + 1))"
	i=$((i + 10))
done
run "$CX" federation sign "$D/fed"
for id in "${IDS[@]}"; do
	runq "$CX" federation install "$D/fed/roster.pb" --home "$D/$id" --root "$D/fed/root.pub"
done
runsh <<'EOF'
cxnode federation show $DEMO/fed/roster.pb --root $DEMO/fed/root.pub --json |
  jq -r '.members[] | [.id, .region, .name, .endpoints[0], .publish[0]] | @tsv' |
  awk -F'\t' '{ printf "  %-10s %s %s  %s  publish %s\n", $1, $2, $3, $4, $5 }'
EOF
# every node pulls from every other; announcements make it immediate,
# the interval is the fallback
for id in "${IDS[@]}"; do printf '\n[serve]\nsync_interval = 5\n' >> "$D/$id/cxnode.conf"; done
# Hefei also serves a regulator's clerk: a client key with the regulator role,
# a client listener and the HTTP API with its console
CL=tcp://127.0.0.1:$((P + 82))
runq "$CX" key generate --out "$D/regulator.key" --name hf-regulator
run "$CX" client add --home "$D/hefei" --role regulator "$D/regulator.key.pub"
printf 'client_listen = %s\nhttp = http://127.0.0.1:%d\n' "$CL" $((P + 83)) >> "$D/hefei/cxnode.conf"

step "2. Each city publishes its own records ($N subjects each), then serves"
seed=1
for c in "${CITIES[@]}"; do
	read -r id code name <<<"$c"
	runq "$CX" generate --subjects "$N" --region "$code" --issuer "$id" --seed $((2026 + seed)) \
		--no-progress --out "$D/records/$id.jsonl" 2>/dev/null
	run "$CX" import --home "$D/$id" --no-progress "$D/records/$id.jsonl"
	seed=$((seed + 1))
done
for id in "${IDS[@]}"; do
	show "cxnode serve --home $D/$id 2> $D/logs/$id.log &"
	"$CX" serve --home "$D/$id" 2>"$D/logs/$id.log" &
	PID[$id]=$!
done
up() { grep -q 'listening on' "$D/logs/$1.log" 2>/dev/null; }
for id in "${IDS[@]}"; do
	for ((t = 0; t < 100; t++)); do up "$id" && break; kill -0 "${PID[$id]}" 2>/dev/null || break; sleep 0.1; done
	up "$id" || { sed 's/^/  /' "$D/logs/$id.log" >&2; fail "$id's node did not start (log above)"; }
done
echo "nine nodes serving; the first lines of Hefei's log:"
run head -n 6 "$D/logs/hefei.log"

step "3. Convergence: every node pulls, verifies and cosigns every other city's log"
# "origin size" of every log's latest checkpoint at a node
heads() { "$CX" status --home "$D/$1" --json | jq -r '.logs[] | "\(.origin) \(.checkpoint_size)"' | LC_ALL=C sort; }
# cosigned: every log's checkpoint at a node has all eight other cosigners
cosigned() {
	"$CX" status --home "$D/$1" --json | jq -e --argjson n $((${#IDS[@]} - 1)) \
		'all(.logs[]; ([.cosignatures[] | select(.size == .log_size)] | length) >= $n)' >/dev/null
}
want=$(for id in "${IDS[@]}"; do heads "$id" | grep "/$id "; done | LC_ALL=C sort)
# what a node lacks: "issuer (held of latest)"
lacks() {
	LC_ALL=C join -a 1 -e none -o 1.1,1.2,2.2 <(echo "$want") <(heads "$1") |
		awk '$2 != $3 { sub(".*/", "", $1); printf " %s (%s of %s)", $1, $3, $2 }'
}
echo "waiting (at most ${TIMEOUT} s) until each of the nine nodes holds all nine latest checkpoints..."
t0=$(now_ns)
while :; do
	behind=()
	for id in "${IDS[@]}"; do [[ $(heads "$id") == "$want" ]] || behind+=("$id"); done
	((${#behind[@]} == 0)) && cosigned hefei && break
	if (($(now_ns) - t0 > TIMEOUT * 1000000000)); then
		for id in "${behind[@]}"; do echo "  $id lacks$(lacks "$id")" >&2; done
		if ((${#behind[@]} == 0)); then
			echo "  some of Hefei's checkpoints are not cosigned by all eight others:" >&2
			"$CX" status --home "$D/hefei" >&2 || true
		else
			echo "  the last lines of ${behind[0]}'s log:" >&2
			tail -n 5 "$D/logs/${behind[0]}.log" | sed 's/^/    /' >&2
		fi
		fail "the corridor did not converge within ${TIMEOUT} s (DEMO_TIMEOUT)"
	fi
	sleep 0.5
done
echo "converged in $(since "$t0") s: nine nodes, nine logs, $(awk '{s += $2} END {print s}' <<<"$want") records on each"
run grep pulled "$D/logs/hefei.log"
runsh <<'EOF'
cxnode status --home $DEMO/hefei --json |
  jq -r '.logs[] | [.issuer, .checkpoint_size, ([.cosignatures[] | select(.size == .log_size) | .witness] | join(" "))] | @tsv' |
  awk -F'\t' 'BEGIN { printf "%-10s %6s  %s\n", "ISSUER", "SIZE", "COSIGNED AT THAT SIZE BY" }
               { printf "%-10s %6d  %s\n", $1, $2, $3 }'
EOF

step "4. A company on Hangzhou's serious-dishonesty list, asked at Hefei's node"
# the first blacklisted company still active today (the node's today, China
# Standard Time), with no later change in the data
targets=$(jq -r 'select(.kind == "status_change") | .change.target.record_id' "$D/records/hangzhou.jsonl" | sort -u)
code="" rid="" today=""
while read -r c r; do
	grep -qxF "$r" <<<"$targets" && continue
	a=$("$CX" query --home "$D/hangzhou" --code "$c" --json)
	if jq -e --arg r "$r" 'any(.records[]; .record.record_id == $r and .state == "active")' <<<"$a" >/dev/null; then
		code=$c rid=$r today=$(jq -r .query.as_of <<<"$a")
		break
	fi
done < <(jq -r 'select(.kind == "dishonest_list" and .subject.credit_code != null) | "\(.subject.credit_code) \(.record_id)"' \
	"$D/records/hangzhou.jsonl")
[[ -n $code ]] || fail "no active Hangzhou list entry in the generated records"
run "$CX" query --home "$D/hefei" --code "$code"
echo "the same question from a regulator's desk, over an authenticated session, with a signed receipt:"
REG=(--remote "$CL" --key "$D/regulator.key" --roster "$D/fed/roster.pb" --root "$D/fed/root.pub")
run "$CX" query "${REG[@]}" --code "$code" --receipt "$D/receipt-listed.json"
run "$CX" verify-receipt "$D/receipt-listed.json" --roster "$D/fed/roster.pb" --root "$D/fed/root.pub" \
	--home "$D/hefei"

step "5. Hangzhou removes the entry; Hefei's answer follows"
jq -c --arg id "$rid" --arg d "$today" 'select(.record_id == $id) |
	{record_id: ("removal-" + $id), kind: "status_change", subject: .subject, authority: .authority,
	 decision_date: $d, change: {type: "removal", target: {record_id: $id},
	 effective_date: $d, reason: "信用修复，移出严重失信主体名单"}}' \
	"$D/records/hangzhou.jsonl" > "$D/records/removal.jsonl"
run cat "$D/records/removal.jsonl"
state() {
	"$CX" query --home "$D/hefei" --code "$code" --history --json |
		jq -r --arg id "$rid" '.records[] | select(.record.record_id == $id) | .state'
}
t0=$(now_ns)
run "$CX" import --home "$D/hangzhou" --no-progress "$D/records/removal.jsonl"
until [[ $(state) == removed ]]; do
	(($(now_ns) - t0 < 30000000000)) || fail "Hefei still answers $(state) for $rid after 30 s"
	sleep 0.1
done
echo "Hefei's node answers differently $(since "$t0") s after Hangzhou's import began"
for _ in {1..20}; do (($(grep -c 'hangzhou: pulled' "$D/logs/hefei.log") > 1)) && break; sleep 0.1; done
# shellcheck disable=SC2016 # shown as written, then evaluated
runsh 'grep "hangzhou: pulled" $DEMO/logs/hefei.log | tail -n 1'
run "$CX" query --home "$D/hefei" --code "$code" --history
echo "the receipt of the earlier answer still verifies: it names the log sizes it was computed on"
run "$CX" verify-receipt "$D/receipt-listed.json" --roster "$D/fed/roster.pb" --root "$D/fed/root.pub" \
	--home "$D/hefei"
echo "a dedicated credit report, checked offline with nothing but the roster:"
run "$CX" report "${REG[@]}" --code "$code" --out "$D/report.json" --html "$D/report.html"
run "$CX" verify "$D/report.json" --roster "$D/fed/roster.pb" --root "$D/fed/root.pub"
echo "and every one of these questions is in Hefei's audit log:"
run "$CX" audit list --home "$D/hefei" --reverse --limit 6

step "6. Hefei reconciles its copy of every log with Hangzhou's node"
rc=0
run "$CX" reconcile hangzhou --home "$D/hefei" || rc=$?
echo "exit $rc (0 in sync, 1 differences, 2 fork evidence, 3 unreachable)"
((rc == 0)) || fail "Hefei and Hangzhou do not agree"
runsh <<'EOF'
cxnode reconcile hangzhou --home $DEMO/hefei --json |
  jq -c '{peer, in_sync, exit, differences, forks, roster, logs: [.logs[] | {(.issuer): .state}] | add}'
EOF

step "7. Stop the nine nodes (SIGTERM)"
pids=()
for id in "${IDS[@]}"; do pids+=("${PID[$id]}"); done
run kill -TERM "${pids[@]}"
for id in "${IDS[@]}"; do
	rc=0
	wait "${PID[$id]}" || rc=$?
	unset "PID[$id]"
	printf '%-10s exit %d, its log ends: %s\n' "$id" $rc "$(tail -n 1 "$D/logs/$id.log")"
done
