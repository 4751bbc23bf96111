#!/usr/bin/env bash
# The log end to end: init, keys, import of generated records, checkpoints
# checked by an independent signed-note verifier (OpenSSL's command line),
# inclusion and consistency proofs checked offline, and `verify` catching
# one flipped byte in a stored leaf or tree hash.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
H=$T/hz

ok "init creates a node" cx init --home "$H" --id hangzhou --region 330100 --name 杭州
check "private key is 0600" "$([[ $(stat -c %a "$H/keys/node.key") == 600 ]]; echo $?)"
expect_rc 2 "init refuses an existing node" cx init --home "$H" --id hangzhou --region 330100
expect_rc 2 "init refuses a bad region" cx init --home "$T/x" --id x --region 12
expect_rc 2 "init refuses a bad id" cx init --home "$T/y" --id 'A B' --region 330100

V=$(cx key show --home "$H")
check "key show prints a signed-note verifier" "$([[ $V =~ ^hangzhou\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$ ]]; echo $?)"

# An independent signed-note verifier: parse the note and the verifier with
# shell tools, check the key id, and verify the Ed25519 signature with
# `openssl pkeyutl` (C2SP signed-note, key type 0x01).
note_verify_openssl() {
	local note=$1 verifier=$2 d=$T/nv name hexid keyb64
	rm -rf "$d"; mkdir -p "$d"
	IFS=+ read -r name hexid keyb64 <<<"$verifier"
	printf '%s' "$keyb64" | base64 -d > "$d/tk"
	[[ $(head -c1 "$d/tk" | od -An -tx1 | tr -d ' ') == 01 ]] || return 1
	tail -c +2 "$d/tk" > "$d/key"
	[[ $(stat -c %s "$d/key") == 32 ]] || return 1
	{ printf '%s\n' "$name"; cat "$d/tk"; } | sha256sum | cut -c1-8 > "$d/id"
	[[ $(cat "$d/id") == "$hexid" ]] || return 1
	# text: everything before the blank line, with its final newline
	awk 'BEGIN{b=0} /^$/{b=1; exit} {print}' "$note" > "$d/text"
	grep "^— $name " "$note" | head -n1 | awk '{print $3}' | base64 -d > "$d/sig"
	[[ $(head -c4 "$d/sig" | od -An -tx1 | tr -d ' \n') == "$hexid" ]] || return 1
	tail -c +5 "$d/sig" > "$d/sig64"
	{ printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00'; cat "$d/key"; } > "$d/pub.der"
	openssl pkey -pubin -inform DER -in "$d/pub.der" -out "$d/pub.pem" 2>/dev/null || return 1
	openssl pkeyutl -verify -pubin -inkey "$d/pub.pem" -rawin -in "$d/text" -sigfile "$d/sig64" >/dev/null 2>&1
}

cx checkpoint --home "$H" > "$T/cp0"
check "empty log has a checkpoint of size 0" "$([[ $(sed -n 2p "$T/cp0") == 0 ]]; echo $?)"
ok "checkpoint verifies with OpenSSL as a C2SP signed note" note_verify_openssl "$T/cp0" "$V"

cx generate --subjects 3000 --region 330100 --issuer hangzhou --seed 7 --out "$T/g.jsonl" 2>/dev/null
N=$(wc -l < "$T/g.jsonl")
head -n 2000 "$T/g.jsonl" > "$T/a.jsonl"
tail -n +2001 "$T/g.jsonl" > "$T/b.jsonl"
ok "import of generated records (first part)" cx import --home "$H" --no-progress --batch 500 "$T/a.jsonl"
cx checkpoint --home "$H" > "$T/cp1"
ok "import of generated records (second part)" cx import --home "$H" --no-progress "$T/b.jsonl"
cx checkpoint --home "$H" > "$T/cp2"
check "checkpoint size equals the records imported" "$([[ $(sed -n 2p "$T/cp2") == "$N" ]]; echo $?)"
check "checkpoint origin line" "$([[ $(sed -n 1p "$T/cp2") == g60.cxnode/hangzhou ]]; echo $?)"
ok "new checkpoint verifies with OpenSSL" note_verify_openssl "$T/cp2" "$V"
ok "verify accepts the intact store" cx verify --home "$H" --quiet
expect_rc 1 "a re-import is all duplicates (exit 1)" cx import --home "$H" --no-progress "$T/a.jsonl"
check "re-import did not grow the log" "$([[ $(cx checkpoint --home "$H" | sed -n 2p) == "$N" ]]; echo $?)"

# inclusion proofs
rid=$(sed -n 1234p "$T/g.jsonl" | grep -o '"record_id":"[^"]*"' | cut -d'"' -f4)
ok "prove a record by id" cx prove --home "$H" --record "$rid" --out "$T/p.json"
ok "the proof verifies offline with the public key" cx verify --proof "$T/p.json" --key "$V"
cx key show --home "$H" > "$T/pub.txt"
ok "the proof verifies with a key file" cx verify --proof "$T/p.json" --key "$T/pub.txt"
# a different leaf in the same proof: the path no longer leads to the root
jq '.index = (.index + 1)' "$T/p.json" > "$T/p2.json"
expect_rc 1 "a proof with a changed index fails" cx verify --proof "$T/p2.json" --key "$V"
jq '.leaf = ("AA" + .leaf[2:])' "$T/p.json" > "$T/p3.json"
expect_rc 1 "a proof with a changed leaf fails" cx verify --proof "$T/p3.json" --key "$V"
jq '.checkpoint = (.checkpoint | sub("\n[0-9]+\n"; "\n7\n"))' "$T/p.json" > "$T/p4.json"
expect_rc 1 "a proof with an altered checkpoint fails" cx verify --proof "$T/p4.json" --key "$V"
cx init --home "$T/other" --id hangzhou --region 330100 >/dev/null
expect_rc 1 "a proof checked with another key of the same name fails" \
	cx verify --proof "$T/p.json" --key "$(cx key show --home "$T/other")"
jq '.proof = .proof[1:]' "$T/p.json" > "$T/p5.json"
expect_rc 1 "a truncated proof fails" cx verify --proof "$T/p5.json" --key "$V"
ok "prove by leaf index" cx prove --home "$H" --index 0 --out "$T/p0.json"
ok "leaf 0 proof verifies" cx verify --proof "$T/p0.json" --key "$V"

# consistency proofs between two stored checkpoints
S1=$(sed -n 2p "$T/cp1")
ok "prove consistency between sizes" cx prove --home "$H" --consistency "$S1" --out "$T/c.json"
expect_rc 2 "a consistency proof from size 0 is a usage error" cx prove --home "$H" --consistency 0
ok "the consistency proof verifies offline" cx verify --proof "$T/c.json" --key "$V"
jq '.proof[0] = .proof[1]' "$T/c.json" > "$T/c2.json"
expect_rc 1 "a wrong consistency proof fails" cx verify --proof "$T/c2.json" --key "$V"

# reindex gives the same answers
code=$(jq -r 'select(.subject.credit_code != null and .subject.credit_code != "00000000000000000X")
	| .subject.credit_code' "$T/g.jsonl" | sed -n 50p)
cx query --home "$H" --code "$code" --json --history > "$T/q1.json"
ok "reindex" cx reindex --home "$H"
cx query --home "$H" --code "$code" --json --history > "$T/q2.json"
ok "queries after reindex are identical" cmp "$T/q1.json" "$T/q2.json"
check "the query found records" "$([[ $(jq .total "$T/q1.json") -ge 1 ]]; echo $?)"

# one flipped byte in a stored leaf, then in a stored tree hash
flip() { # flip DB WHICH: change one hex digit in the WHICH-th value of DB
	local db=$1 which=$2
	cp -a "$H" "$T/flip"
	mdb_dump -s "$db" "$T/flip/store" > "$T/dump"
	awk -v w="$which" '
		/^HEADER=END/ { body=1; print; next }
		body && /^ / { n++; if (n == 2*w) { c = substr($0, 10, 1); r = (c == "0") ? "1" : "0";
			$0 = substr($0, 1, 9) r substr($0, 11) } }
		{ print }' "$T/dump" > "$T/dump2"
	! cmp -s "$T/dump" "$T/dump2" || return 1
	mdb_load -s "$db" -f "$T/dump2" "$T/flip/store" 2>/dev/null
}
leafdb=$(mdb_stat -a "$H/store" 2>/dev/null | grep -o 'l/[0-9]*' | head -n1)
hashdb=${leafdb/l\//h/}
if flip "$leafdb" 700; then
	expect_rc 1 "verify reports a flipped byte in a leaf" cx verify --home "$T/flip"
	grep -q 'leaf' "$T/.out"; check "the report names the leaf" $?
else
	check "could flip a leaf byte" 1
fi
rm -rf "$T/flip"
if flip "$hashdb" 3001; then
	expect_rc 1 "verify reports a flipped byte in a tree hash" cx verify --home "$T/flip"
else
	check "could flip a hash byte" 1
fi
rm -rf "$T/flip"
done_testing
