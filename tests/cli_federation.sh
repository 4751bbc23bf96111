#!/usr/bin/env bash
# The federation through the command line: a root key, members added from
# their node homes, signed and versioned rosters that verify with the root
# key only, key rotation and revocation, and tampered rosters refused.
. "$(dirname "$0")/lib.sh"
F=$T/fed
ok "federation init" cx federation init "$F" --name g60
check "root key is 0600" "$([[ $(stat -c %a "$F/root.key") == 600 ]]; echo $?)"
expect_rc 2 "a second init refuses to overwrite" cx federation init "$F" --name g60
cx init --home "$T/hz" --id hangzhou --region 330100 --name 杭州 >/dev/null
cx init --home "$T/hf" --id hefei --region 340100 --name 合肥 >/dev/null
ok "add Hangzhou from its home" cx federation add "$F" --from-home "$T/hz" --endpoint tls+tcp://127.0.0.1:7001
ok "add Hefei from its home, penalties and licences only" cx federation add "$F" --from-home "$T/hf" --kinds penalty,licence
expect_rc 2 "a duplicate member is refused" cx federation add "$F" --from-home "$T/hz"
expect_rc 2 "a bad region is refused" cx federation add "$F" --id x --region 12 --name X --key "$(cx key show --home "$T/hz")"
ok "sign version 1" cx federation sign "$F"
ok "the roster verifies with the root key" cx federation show "$F/roster.pb" --root "$F/root.pub" --json
check "version 1 with two members" "$(jq -e '.version == 1 and (.members | length) == 2' "$T/.out" >/dev/null; echo $?)"
cp "$F/roster.pb" "$T/v1.pb"

# a flipped byte anywhere is refused
sz=$(stat -c %s "$F/roster.pb")
bad=0
for off in 3 $((sz / 2)) $((sz - 5)); do
	cp "$F/roster.pb" "$T/bad.pb"
	printf '\x5a' | dd of="$T/bad.pb" bs=1 seek=$off conv=notrunc 2>/dev/null
	cmp -s "$T/bad.pb" "$F/roster.pb" && continue
	cx federation show "$T/bad.pb" --root "$F/root.pub" >/dev/null 2>&1 && bad=1
done
check "a roster with a flipped byte is refused" $bad
cx federation init "$T/other" --name g60 >/dev/null
expect_rc 1 "a roster checked with another root key is refused" cx federation show "$F/roster.pb" --root "$T/other/root.pub"

# rotation and revocation
cx key generate --out "$T/hz2.key" --name hangzhou >/dev/null
ok "rotate: add a second Hangzhou key" cx federation add "$F" --id hangzhou --add-key --key "$T/hz2.key.pub" --valid-from 2026-12-01
old=$(cx key show --home "$T/hz" | cut -d+ -f2)
ok "revoke the first Hangzhou key" cx federation revoke "$F" --id hangzhou --key-id "$old"
ok "sign version 2" cx federation sign "$F"
cx federation show "$F/roster.pb" --root "$F/root.pub" --json > "$T/v2.json"
check "version 2" "$(jq -e '.version == 2' "$T/v2.json" >/dev/null; echo $?)"
check "Hangzhou has two keys, the first revoked" "$(jq -e '[.members[] | select(.id == "hangzhou") | .keys[] | .revoked] == [true, false]' "$T/v2.json" >/dev/null; echo $?)"
ok "retire Hefei" cx federation retire "$F" --id hefei
ok "sign version 3" cx federation sign "$F"
cx federation show "$F/roster.pb" --root "$F/root.pub" --json > "$T/v3.json"
check "Hefei is retired in version 3" "$(jq -e '.version == 3 and ([.members[] | select(.id == "hefei") | .retired] == [true])' "$T/v3.json" >/dev/null; echo $?)"
ok "the old version 1 still verifies on its own" cx federation show "$T/v1.pb" --root "$F/root.pub"
done_testing
