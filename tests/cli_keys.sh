#!/usr/bin/env bash
# Key handling through the command line: passphrase-protected node keys,
# refusal of keys readable by others, SM2 nodes.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
cx generate --subjects 50 --region 330100 --issuer hangzhou --seed 5 --out "$T/g.jsonl" 2>/dev/null

CXNODE_PASSPHRASE='correct horse' cx init --home "$T/p" --id hangzhou --region 330100 --passphrase >/dev/null
check "an encrypted key file says so" "$(grep -q 'ENCRYPTED' "$T/p/keys/node.key"; echo $?)"
CXNODE_PASSPHRASE='wrong' expect_rc 2 "import with a wrong passphrase fails" \
	cx import --home "$T/p" --no-progress "$T/g.jsonl"
check "nothing was written" "$([[ $(cx checkpoint --home "$T/p" | sed -n 2p) == 0 ]]; echo $?)"
CXNODE_PASSPHRASE='correct horse' expect_rc 0 "import with the right passphrase" \
	cx import --home "$T/p" --no-progress "$T/g.jsonl"

cx init --home "$T/m" --id hangzhou --region 330100 >/dev/null
chmod 0644 "$T/m/keys/node.key"
expect_rc 2 "a key readable by others is refused" cx import --home "$T/m" --no-progress "$T/g.jsonl"
grep -qi 'permission' "$T/.out"; check "the refusal says why" $?
chmod 0600 "$T/m/keys/node.key"

cx init --home "$T/other" --id hangzhou --region 330100 >/dev/null
cp "$T/other/keys/node.key" "$T/m/keys/node.key"
expect_rc 2 "a key that is not the log's is refused before anything is signed" \
	cx import --home "$T/m" --no-progress "$T/g.jsonl"
grep -q 'not the key of log' "$T/.out"; check "the refusal names the reason" $?
check "nothing was written with the wrong key" "$([[ $(cx checkpoint --home "$T/m" | sed -n 2p) == 0 ]]; echo $?)"

ok "an SM2 node" cx init --home "$T/s" --id hangzhou --region 330100 --algorithm sm2
expect_rc 0 "an SM2 node imports" cx import --home "$T/s" --no-progress "$T/g.jsonl"
ok "an SM2 store verifies" cx verify --home "$T/s" --quiet
cx prove --home "$T/s" --index 3 --out "$T/sp.json"
ok "an SM2 proof verifies offline" cx verify --proof "$T/sp.json" --key "$(cx key show --home "$T/s")"
done_testing
