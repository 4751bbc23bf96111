#!/usr/bin/env bash
# What the federation refuses, over plain tcp:// on loopback: an issuer that
# forks its log (detected by every honest node that sees both views, with
# evidence anyone checks offline), a relay that tampers with a leaf, an
# older roster, a revoked key; and a key rotation that keeps working.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
F=$T/fed
P=$((26000 + ($$ % 60) * 100))   # below the ephemeral range
cx federation init "$F" --name g60 >/dev/null
mk() {  # id region port
	cx init --home "$T/$1" --id "$1" --region "$2" >/dev/null
	cx federation add "$F" --from-home "$T/$1" --endpoint "tcp://127.0.0.1:$3" \
		--publish "tcp://127.0.0.1:$(($3 + 1))" >/dev/null
	printf '\n[serve]\nsync_interval = 1\n' >> "$T/$1/cxnode.conf"
}
mk hangzhou 330100 $P
mk jiaxing 330400 $((P + 10))
mk hefei 340100 $((P + 20))
mk suzhou 320500 $((P + 30))
cx federation sign "$F" >/dev/null
cp "$F/roster.pb" "$T/v1.pb"
for n in hangzhou jiaxing hefei suzhou; do
	cx federation install "$F/roster.pb" --home "$T/$n" --root "$F/root.pub" >/dev/null
done
serve() {  # home [extra args]
	"$CXNODE" serve --home "$T/$1" 2>>"$T/$1.log" &
	eval "pid_$1=$!"
	bg_pid $!
	sleep 0.3
}
stop() { local p; eval "p=\$pid_$1"; kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; }
size_of() { cx status --home "$T/$1" --json | jq -r --arg o "g60.cxnode/$2" '[.logs[] | select(.origin == $o) | .checkpoint_size] | first // 0'; }

cx generate --subjects 600 --region 330100 --issuer hangzhou --seed 21 --out "$T/all.jsonl" 2>/dev/null
sed -n '1,300p' "$T/all.jsonl" > "$T/a.jsonl"
sed -n '301,400p' "$T/all.jsonl" > "$T/b.jsonl"
sed -n '401,600p' "$T/all.jsonl" > "$T/c.jsonl"
ok "Hangzhou publishes" cx import --home "$T/hangzhou" --no-progress "$T/a.jsonl"

# -- a fork: the same key, two histories ---------------------------------------
cp -a "$T/hangzhou" "$T/hzfork"
cx import --home "$T/hangzhou" --no-progress "$T/b.jsonl" >/dev/null 2>&1
cx import --home "$T/hzfork" --no-progress "$T/c.jsonl" >/dev/null 2>&1
check "the two histories differ in size" "$([[ $(size_of hangzhou hangzhou) != "$(size_of hzfork hangzhou)" ]]; echo $?)"
printf '\n[serve]\nlisten = tcp://127.0.0.1:%d\npublish = tcp://127.0.0.1:%d\npeers = suzhou\n' $((P + 40)) $((P + 41)) >> "$T/hzfork/cxnode.conf"
serve hangzhou
serve hzfork
ok "Jiaxing takes one view from Hangzhou" cx sync --home "$T/jiaxing" hangzhou
ok "Hefei takes the other from the fork" cx sync --home "$T/hefei" "tcp://127.0.0.1:$((P + 40))"
stop hangzhou
stop hzfork
serve hefei
expect_rc 2 "reconcile Jiaxing with Hefei: fork (exit 2)" cx reconcile hefei --home "$T/jiaxing"
cx reconcile hefei --home "$T/jiaxing" --json > "$T/rec.json"
check "the JSON report names the halted log" \
	"$(jq -e '.exit == 2 and any(.logs[]; .origin == "g60.cxnode/hangzhou" and .alarm != null)' "$T/rec.json" >/dev/null; echo $?)"
expect_rc 1 "Jiaxing's status raises the alarm" cx status --home "$T/jiaxing"
check "status says why" "$(grep -q 'ALARM: fork' "$T/.out"; echo $?)"
serve jiaxing
expect_rc 2 "Hefei, syncing from Jiaxing, finds the fork too" cx sync --home "$T/hefei" jiaxing
sleep 1
expect_rc 2 "and again a second later" cx sync --home "$T/hefei" jiaxing
ok "Hefei holds evidence" cx evidence list --home "$T/hefei" --json
check "one piece (not one per look), for Hangzhou's log" "$(jq -e 'length == 1 and .[0].issuer == "hangzhou" and .[0].halted' "$T/.out" >/dev/null; echo $?)"
ok "export the evidence" cx evidence export g60.cxnode/hangzhou --home "$T/jiaxing" --out "$T/fork.ev"
ok "anyone checks it offline with the roster and the root key" \
	cx evidence verify "$T/fork.ev" --roster "$F/roster.pb" --root "$F/root.pub"
ok "and reads it" cx evidence show "$T/fork.ev"
check "it holds both checkpoints" "$(jq -e '.smaller and .larger' "$T/.out" >/dev/null; echo $?)"
# change a byte of what is signed or proven: a tree size, a signature, a root
bad=0
for what in size sig last; do
	python3 - "$T/fork.ev" "$T/bad.ev" "$what" <<'EOF'
import sys
src, dst, what = sys.argv[1], sys.argv[2], sys.argv[3]
b = bytearray(open(src, 'rb').read())
o = b'g60.cxnode/hangzhou\n'
if what == 'size':
    i = b.index(o) + len(o)
elif what == 'sig':
    m = '\u2014 hangzhou '.encode()
    i = b.index(m) + len(m) + 8
else:
    i = b.rindex(o) + len(o) + 6
b[i] = b[i] + 1 if b[i] < 0x7a else b[i] - 1
open(dst, 'wb').write(b)
EOF
	cx evidence verify "$T/bad.ev" --roster "$F/roster.pb" --root "$F/root.pub" >/dev/null 2>&1 && bad=1
done
check "evidence with a changed byte proves nothing" $bad
before=$(size_of jiaxing hangzhou)
stop hefei
serve hangzhou
cx sync --home "$T/jiaxing" hangzhou >/dev/null 2>&1
check "a halted log takes no new leaves" "$([[ $(size_of jiaxing hangzhou) == "$before" ]]; echo $?)"
ok "the operator clears the alarm" cx evidence clear g60.cxnode/hangzhou --home "$T/jiaxing"
ok "status is calm again" cx status --home "$T/jiaxing"

# -- a relay that alters a leaf ----------------------------------------------------
stop jiaxing
name=$(jq -r 'select(.subject.name != null) | .subject.name' "$T/a.jsonl" | head -n 1)
python3 - "$T/jiaxing/store/data.mdb" "$name" <<'EOF'
import sys
path, name = sys.argv[1], sys.argv[2].encode()
data = bytearray(open(path, 'rb').read())
alt = name[:-1] + bytes([name[-1] ^ 1])
n = data.count(name)
data = data.replace(name, alt)
open(path, 'wb').write(data)
print(n, file=sys.stderr)
EOF
serve jiaxing
expect_rc 1 "Suzhou refuses Hangzhou's leaves from a relay that altered one" cx sync --home "$T/suzhou" jiaxing
check "the reason names the unsigned leaves" "$(grep -q "not in hangzhou's signed tree" "$T/.out"; echo $?)"
check "and nothing of them is stored" "$([[ $(size_of suzhou hangzhou) == 0 ]]; echo $?)"
ok "Jiaxing's own log still arrives" test "$(size_of suzhou jiaxing)" == "$(size_of jiaxing jiaxing)"

# -- rosters: never backwards --------------------------------------------------------
today=$(date -u +%F)
cx key generate --out "$T/hz2.key" --name hangzhou >/dev/null
cx federation add "$F" --id hangzhou --add-key --key "$T/hz2.key.pub" --valid-from "$today" >/dev/null
ok "sign roster version 2 (a second Hangzhou key)" cx federation sign "$F"
expect_rc 1 "an older roster is refused" cx federation install "$T/v1.pb" --home "$T/hangzhou"
ok "Hangzhou installs version 2" cx federation install "$F/roster.pb" --home "$T/hangzhou"
expect_rc 1 "and then refuses version 1" cx federation install "$T/v1.pb" --home "$T/hangzhou"

# -- key rotation: the new key signs, old checkpoints still verify ---------------------
stop hangzhou
cp "$T/hz2.key" "$T/hangzhou/keys/node.key"
cp "$T/hz2.key.pub" "$T/hangzhou/keys/node.pub"
cat "$T/c.jsonl" "$T/b.jsonl" | jq -c 'select(.kind != "status_change" and .kind != "commitment_outcome") | .record_id = "r-" + .record_id' > "$T/d.jsonl"
ok "Hangzhou signs with its new key" cx import --home "$T/hangzhou" --no-progress "$T/d.jsonl"
serve hangzhou
expect_rc 1 "Suzhou, on roster version 1, refuses Hangzhou's unknown new key" cx sync --home "$T/suzhou" hangzhou
check "saying so" "$(grep -q 'not its valid key' "$T/.out"; echo $?)"
ok "Suzhou installs version 2" cx federation install "$F/roster.pb" --home "$T/suzhou"
ok "then takes Hangzhou's log, signed by both keys" cx sync --home "$T/suzhou" hangzhou
check "all of it" "$([[ $(size_of suzhou hangzhou) == "$(size_of hangzhou hangzhou)" ]]; echo $?)"
ok "Suzhou's store verifies: old checkpoints with the old key, new with the new" cx verify --home "$T/suzhou" --quiet

# -- a revoked key ---------------------------------------------------------------------
old=$(cx key show --home "$T/hefei" | cut -d+ -f2)
cx federation revoke "$F" --id hefei --key-id "$old" >/dev/null
# the others stop: version 3 can reach Hefei only through Suzhou, which refuses it
stop hangzhou
stop jiaxing
stop hefei 2>/dev/null
ok "sign roster version 3 (Hefei's key revoked)" cx federation sign "$F"
ok "Suzhou installs version 3" cx federation install "$F/roster.pb" --home "$T/suzhou"
serve suzhou
serve hefei
expect_rc 1 "Hefei, with a revoked key, is refused" cx sync --home "$T/hefei" suzhou
check "with the reason" "$(grep -q 'revoked' "$T/.out"; echo $?)"
check "Suzhou logged the refusal" "$(grep -q 'hefei.*revoked\|revoked.*hefei' "$T/suzhou.log"; echo $?)"
expect_rc 3 "reconcile from Hefei: refused (exit 3)" cx reconcile suzhou --home "$T/hefei" --timeout 3
stop hefei
ok "Hefei learns version 3" cx federation install "$F/roster.pb" --home "$T/hefei"
expect_rc 4 "and no longer signs anything with its revoked key" cx sync --home "$T/hefei" suzhou
check "saying why" "$(grep -q 'not a key roster version 3 lets hefei sign with' "$T/.out"; echo $?)"
done_testing
