#!/usr/bin/env bash
# make bench, in one run on the same disk:
#
# 1. import 1 000 000 generated records into a fresh node (hangzhou) and
#    compare the rate with raw LMDB MDB_APPEND of the same leaf bytes;
# 2. replicate that log to an empty second node (jiaxing) with
#    `cxnode sync`, once over tls+tcp:// and once over tcp:// on loopback
#    (handshake, verification against the signed checkpoint, admission,
#    indexing, storing), and compare each rate with raw nng REQ/REP bulk
#    transfer of records of the same size over the same transport and with
#    the raw LMDB append rate.
#
# 3. ask hangzhou's node screening queries as an authenticated regulator at
#    1, 8 and 32 clients, next to raw nng REQ/REP (tools/bench_api.c).
#
#   BENCH_RECORDS=1000000   how many records
#   BENCH_DIR=...           scratch directory (default: a new temporary one)
#   BENCH_QUERY_SECONDS=5   seconds per query run
#   BENCH_PORT=...          first of a block of 30 loopback ports (default:
#                           derived from the process id)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CX="$PWD/$BUILD/cxnode"
N=${BENCH_RECORDS:-1000000}
D=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/cxbench.XXXXXX")}
P=${BENCH_PORT:-$((20000 + ($$ % 300) * 100 + 50))}
serve_pid=
cleanup() {
	if [[ -n $serve_pid ]]; then
		kill "$serve_pid" 2>/dev/null || true
		wait "$serve_pid" 2>/dev/null || true
	fi
	rm -rf "$D"
}
trap cleanup EXIT
export CXNODE_TODAY=2026-11-22

echo "== import benchmark: $N records =="
"$CX" init --home "$D/node" --id hangzhou --region 330100 --name 杭州 >/dev/null
# the generator makes about two records per subject; keep exactly N
"$CX" generate --subjects $(( N / 2 + 1000 )) --region 330100 --issuer hangzhou --seed 1 \
	--out "$D/all.jsonl" 2>/dev/null
head -n "$N" "$D/all.jsonl" > "$D/records.jsonl"
rm -f "$D/all.jsonl"
bytes=$(stat -c %s "$D/records.jsonl")
sync   # the generator's gigabyte goes to disk now, not during the import
t0=$(date +%s.%N)
set +e
"$CX" import --home "$D/node" --no-progress --batch 50000 "$D/records.jsonl" 2> "$D/import.log"
rc=$?
set -e
t1=$(date +%s.%N)
cat "$D/import.log"
if (( rc > 1 )); then
	echo "import failed" >&2
	exit 1
fi
imp=$(awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN { printf "%.0f", n / (b - a) }')
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

mkdir -p "$D/raw"
rawline=$("$BUILD/bench_lmdb" "$D/node/store" "$D/raw" 50000)
echo "$rawline"
raw=$(awk '{ print $(NF-1) }' <<<"$rawline")
echo
printf 'input:        %s records, %s bytes of JSON Lines\n' "$N" "$bytes"
printf 'cxnode import: %s records/s (%s s: parse, validate, pack, hash, index, sign)\n' "$imp" "$secs"
printf 'raw LMDB:      %s records/s (MDB_APPEND of the same leaf bytes, 50000/txn)\n' "$raw"
awk -v a="$imp" -v b="$raw" 'BEGIN { printf "ratio:         %.2f of the raw append rate\n", a / b }'
"$CX" verify --home "$D/node" --quiet && echo "store verifies"

# ---- replication ------------------------------------------------------------
# hangzhou (the imported node) listens on a tls+tcp:// and a tcp:// endpoint;
# jiaxing starts empty, and a copy of it pulls over each transport.
echo
echo "== replication benchmark: $N records, hangzhou -> empty jiaxing =="
leaf=$(awk '{ printf "%.0f", $4 / $2 }' <<<"$rawline")
TLS_URL="tls+tcp://127.0.0.1:$P"
TCP_URL="tcp://127.0.0.1:$((P + 2))"
"$CX" federation init "$D/fed" --name g60 >/dev/null
"$CX" federation add "$D/fed" --from-home "$D/node" --endpoint "$TLS_URL" \
	--endpoint "$TCP_URL" --publish "tls+tcp://127.0.0.1:$((P + 1))" >/dev/null
"$CX" init --home "$D/jx" --id jiaxing --region 330400 --name 嘉兴 >/dev/null
"$CX" federation add "$D/fed" --from-home "$D/jx" --endpoint "tls+tcp://127.0.0.1:$((P + 10))" \
	--publish "tls+tcp://127.0.0.1:$((P + 11))" >/dev/null
"$CX" federation sign "$D/fed" >/dev/null
for h in node jx; do
	"$CX" federation install "$D/fed/roster.pb" --home "$D/$h" --root "$D/fed/root.pub" >/dev/null
done
# hangzhou only answers: jiaxing does not serve, so no pull rounds are wanted
printf '\n[serve]\nsync_interval = 86400\n' >> "$D/node/cxnode.conf"
cp -a "$D/jx" "$D/jx-tcp"

"$CX" serve --home "$D/node" --log-level notice 2> "$D/serve.log" &
serve_pid=$!
listening() {
	local i
	for ((i = 0; i < 300; i++)); do
		if ! kill -0 "$serve_pid" 2>/dev/null; then
			cat "$D/serve.log" >&2
			return 1
		fi
		# both endpoints accept connections
		(exec 3<>"/dev/tcp/127.0.0.1/$P") 2>/dev/null &&
			(exec 3<>"/dev/tcp/127.0.0.1/$((P + 2))") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
if ! listening; then
	echo "cxnode serve did not start" >&2
	exit 1
fi

held() {  # checkpoint size of hangzhou's log held at home $1
	"$CX" status --home "$1" --json |
		jq -r '[.logs[] | select(.origin == "g60.cxnode/hangzhou") | .checkpoint_size] | first // 0'
}
want=$(held "$D/node")
pull() {  # home url -> prints records/s and seconds
	local t0 t1 rc
	sync
	t0=$(date +%s.%N)
	set +e
	"$CX" sync --home "$1" "$2" > "$1.sync.log" 2>&1
	rc=$?
	set -e
	t1=$(date +%s.%N)
	cat "$1.sync.log" >&2
	if ((rc != 0)); then
		echo "sync over $2 failed (exit $rc)" >&2
		return 1
	fi
	if [[ $(held "$1") != "$want" ]]; then
		echo "sync over $2: jiaxing holds $(held "$1") of hangzhou's $want leaves" >&2
		return 1
	fi
	awk -v a="$t0" -v b="$t1" -v n="$want" 'BEGIN { printf "%.0f %.2f\n", n / (b - a), b - a }'
}
read -r rep_tls secs_tls < <(pull "$D/jx" "$TLS_URL")
read -r rep_tcp secs_tcp < <(pull "$D/jx-tcp" "$TCP_URL")
[[ -n $rep_tls && -n $rep_tcp ]] || exit 1
kill "$serve_pid"
wait "$serve_pid" 2>/dev/null || true
serve_pid=
for h in jx jx-tcp; do
	"$CX" verify --home "$D/$h" --quiet || { echo "jiaxing ($h) does not verify" >&2; exit 1; }
done

# raw nng: records of the same size, 16 MiB replies (the node's budget for
# one LeavesReply), the nodes' TLS identity on both ends; at least 1 000 000
# records, so that a small BENCH_RECORDS still gives a steady rate
nn=$((want > 1000000 ? want : 1000000))
nngtls=$("$BUILD/bench_nng" "tls+tcp://127.0.0.1:$((P + 20))" "$leaf" "$nn" 16 \
	"$D/node/keys/tls.crt" "$D/node/keys/tls.key" hangzhou)
nngtcp=$("$BUILD/bench_nng" "tcp://127.0.0.1:$((P + 21))" "$leaf" "$nn" 16)
echo "$nngtls"
echo "$nngtcp"
raw_tls=$(awk '{ print $(NF-3) }' <<<"$nngtls")
raw_tcp=$(awk '{ print $(NF-3) }' <<<"$nngtcp")
echo
printf 'input:        hangzhou'"'"'s log of %s records, %s bytes per leaf on average\n' "$want" "$leaf"
printf '%-14s %9s %9s %9s %11s %11s\n' "" "cxnode" "seconds" "raw nng" "of raw nng" "of raw LMDB"
for t in tls tcp; do
	if [[ $t == tls ]]; then r=$rep_tls s=$secs_tls n=$raw_tls u="tls+tcp://"; else
		r=$rep_tcp s=$secs_tcp n=$raw_tcp u="tcp://"; fi
	awk -v u="$u" -v r="$r" -v s="$s" -v n="$n" -v l="$raw" 'BEGIN {
		printf "%-14s %9d %9.2f %9d %11.2f %11.2f\n", u, r, s, n, r / n, r / l }'
done
echo "(records/s; cxnode sync: handshake, leaves, hash and check against the signed"
echo " checkpoint, admission, index, store; raw LMDB: $raw records/s above)"
echo "jiaxing holds hangzhou's $want leaves over both transports; both stores verify"

# 3. authenticated screening queries against hangzhou's node (N records),
#    by a regulator client over tcp:// on loopback, at 1, 8 and 32 clients,
#    next to raw nng REQ/REP with the same clients, workers and reply size.
echo
echo "== query benchmark: screening by credit code on a node of $N records =="
QS=${BENCH_QUERY_SECONDS:-5}
QURL=tcp://127.0.0.1:$((P + 20))
RURL=tcp://127.0.0.1:$((P + 21))
jq -r 'select(.subject.credit_code != null) | .subject.credit_code' "$D/records.jsonl" |
	awk '$0 !~ /^0+X$/ && !seen[$0]++ && n++ < 5000' > "$D/codes"
"$CX" key generate --out "$D/bench.key" --name bench-regulator >/dev/null
"$CX" client add --home "$D/node" --role regulator "$D/bench.key.pub" >/dev/null
workers=$(awk -F' *= *' '$1 == "workers" { w = $2 } END { print w ? w : 4 }' "$D/node/cxnode.conf")
printf 'client_listen = %s\n' "$QURL" >> "$D/node/cxnode.conf"
"$CX" serve --home "$D/node" --log-level warning 2> "$D/serve-q.log" &
serve_pid=$!
for ((i = 0; i < 100; i++)); do
	"$CX" query --remote "$QURL" --key "$D/bench.key" --roster "$D/fed/roster.pb" \
		--root "$D/fed/root.pub" --code "$(head -n 1 "$D/codes")" --json > "$D/q1.json" 2>/dev/null && break
	sleep 0.1
done
reply=$(jq -c . "$D/q1.json" | wc -c)
for c in 1 8 32; do
	api=$("$BUILD/bench_api" api "$QURL" $c "$QS" "$D/bench.key" "$D/fed/roster.pb" \
		"$D/fed/root.pub" "$D/codes")
	raw=$("$BUILD/bench_api" raw "$RURL" $c "$QS" "$reply" "$workers")
	echo "$api"
	echo "$raw"
	awk -v a="$api" -v r="$raw" -v c=$c 'BEGIN {
		split(a, x, " "); split(r, y, " ");
		for (i = 1; i <= length(x); i++) { if (x[i] == "req/s") at = x[i-1]; if (x[i] == "p99") ap = x[i+1] }
		for (i = 1; i <= length(y); i++) { if (y[i] == "req/s") rt = y[i-1]; if (y[i] == "p99") rp = y[i+1] }
		printf "ratio clients=%d throughput %.2f of raw, p99 %.2fx raw\n", c, at / rt, ap / rp }'
done
kill "$serve_pid"
wait "$serve_pid" 2>/dev/null || true
serve_pid=
echo "(api: handshake once per client, then per query an HMAC'd envelope, the"
echo " screening answer over every log at its signed size, JSON, the audit entry;"
echo " raw: nng REQ/REP echo of a reply of the same size, $workers server workers)"
