#!/usr/bin/env bash
# make demo: one city's node on generated data, end to end.
#
#   DEMO_DIR=dir   keep the node there (default: a temporary directory,
#                  removed at the end)
#   DEMO_SUBJECTS  how many subjects to generate (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CX="$PWD/$BUILD/cxnode"
if [[ -n ${DEMO_DIR:-} ]]; then
	D=$DEMO_DIR; mkdir -p "$D"
else
	D=$(mktemp -d "${TMPDIR:-/tmp}/cxdemo.XXXXXX"); trap 'rm -rf "$D"' EXIT
fi
H=$D/hangzhou
N=${DEMO_SUBJECTS:-20000}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s#$D#\$DEMO#g; s#$CX#cxnode#g"; "$@"; }

step "1. A node for Hangzhou (杭州, 330100): key, configuration, empty signed log"
rm -rf "$H"
run "$CX" init --home "$H" --id hangzhou --region 330100 --name 杭州

step "2. Generate realistic records for $N subjects, published by Hangzhou"
run "$CX" generate --subjects "$N" --region 330100 --issuer hangzhou --seed 2026 --out "$D/hangzhou.jsonl"
echo "$(wc -l < "$D/hangzhou.jsonl") records, every class"

step "3. Import them: validated, batched, one signed checkpoint per batch"
run "$CX" import --home "$H" "$D/hangzhou.jsonl"

step "4. A 双公示 penalty file with Chinese titles, in GB18030, as local platforms export it"
gb=tests/data/shgs_penalty_gb18030.csv
iconv -f GB18030 -t UTF-8 "$gb" | head -n 2 | cut -c 1-200
echo "..."
run "$CX" import --home "$H" "$gb" || true

step "5. The signed tree head (C2SP checkpoint) and the node's public key"
run "$CX" checkpoint --home "$H"
run "$CX" key show --home "$H"

step "6. A company on a serious-dishonesty list: what is active today"
first() { jq -c -n "first(inputs | $1)" "$D/hangzhou.jsonl"; }
code=$(first 'select(.kind == "dishonest_list" and .subject.credit_code != null) | .subject.credit_code' | tr -d '"')
run "$CX" query --home "$H" --code "$code"

step "7. A credit repair: before its effective date, and after"
rep=$(first 'select(.kind == "status_change" and .change.type == "repair")')
tid=$(jq -r .change.target.record_id <<<"$rep")
eff=$(jq -r .change.effective_date <<<"$rep")
tgt=$(first "select(.record_id == \"$tid\")")
by=(--code "$(jq -r .subject.credit_code <<<"$tgt")")
[[ $(jq -r '.subject.credit_code // ""' <<<"$tgt") == "" ]] && by=(--name "$(jq -r .subject.name <<<"$tgt")")
before=$(date -d "$eff - 1 day" +%F)
echo "record $tid is repaired from $eff"
run "$CX" query --home "$H" "${by[@]}" --as-of "$before" --history
run "$CX" query --home "$H" "${by[@]}" --as-of "$eff" --history

step "8. A dishonest judgment debtor (a natural person): the identity number stays masked"
idn=$(first 'select(.kind == "dishonest_debtor" and .subject.id_number != null) | .subject.id_number' | tr -d '"')
run "$CX" query --home "$H" --id-number "$idn"

step "9. Prove a record is in the log; anyone checks it offline with the public key"
run "$CX" prove --home "$H" --record "$tid" --out "$D/proof.json"
jq '{type, origin, index, tree_size, proof: (.proof | length | tostring + " hashes")}' "$D/proof.json"
run "$CX" verify --proof "$D/proof.json" --key "$("$CX" key show --home "$H")"
jq '.leaf = ("AB" + .leaf[2:])' "$D/proof.json" > "$D/forged.json"
echo "# the same proof with two characters of the record changed:"
run "$CX" verify --proof "$D/forged.json" --key "$("$CX" key show --home "$H")" || true

step "10. Recompute every tree hash against the signed checkpoints"
run "$CX" verify --home "$H"
run "$CX" status --home "$H"
