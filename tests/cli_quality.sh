#!/usr/bin/env bash
# The 双公示 quality report against a hand-computed fixture: Hangzhou
# imports penalty and licence files (CSV and JSON Lines) on four days, with
# rows that fail validation, under a made-up holiday calendar; it also holds
# Jiaxing's log (pulled over tls+tcp:// on loopback). Every figure of the
# report — volumes, compliant, submitted, timely, both rates, for the
# period, per month and per ISO week — is compared with the table below,
# worked out by hand. Also: importing a file again changes nothing, the
# calendar matters, filters, the table output, and the remote path by role.
. "$(dirname "$0")/lib.sh"
F=$T/fed
HZ=$T/hangzhou
JX=$T/jiaxing
D=$(cd "$(dirname "$0")/data/quality" && pwd)
P=$((20000 + ($$ % 60) * 100 + 80))

cx federation init "$F" --name g60 >/dev/null
cx init --home "$HZ" --id hangzhou --region 330100 --name 杭州 >/dev/null
cx init --home "$JX" --id jiaxing --region 330400 --name 嘉兴 >/dev/null
cx federation add "$F" --from-home "$HZ" --endpoint "tls+tcp://127.0.0.1:$P" >/dev/null
cx federation add "$F" --from-home "$JX" --endpoint "tls+tcp://127.0.0.1:$((P + 1))" >/dev/null
cx federation sign "$F" >/dev/null
for h in "$HZ" "$JX"; do
	ok "install the roster in ${h##*/}" cx federation install "$F/roster.pb" --home "$h" --root "$F/root.pub"
done
cp "$D/calendar.txt" "$HZ/calendar.txt"
printf '\n[quality]\ncalendar = calendar.txt\n' >> "$HZ/cxnode.conf"

# imp HOME DAY TIME FILE: import FILE as if at DAY TIME China time (the
# publication time follows CXNODE_NOW); exit 1 when a row is rejected.
imp() {
	CXNODE_TODAY=$2 CXNODE_NOW=$(date -d "$2 $3 +0800" +%s) cx import --home "$1" --no-progress "$D/$4"
}
# The fixture calendar: holidays Wed 04-15 .. Fri 04-17, make-up working
# Saturday 04-18, holiday Fri 05-01. "day N" below is the working day of the
# publication counted from the day after the decision (a rest day counts as
# the next working day); day <= 7 is timely. A = 杭州市市场监督管理局,
# B = 杭州市生态环境局.
#
# Mon 2026-04-13 10:00, p1.csv (penalties):
#   A decided Thu 04-02: Fri 3 (1), Mon 6 .. Fri 10 (2-6), Mon 13 (7) timely
#   A decided Wed 04-01: Thu 2 (1), Fri 3 (2), Mon 6 .. Fri 10 (3-7), Mon 13 (8) late
#   B decided Mon 04-13, published the same day: day 0, timely
#   A rejected (subject's credit code), (unknown) rejected (amount "abc")
expect_rc 1 "import p1 on 04-13" imp "$HZ" 2026-04-13 10:00 p1.csv
# Tue 2026-04-21 10:00, p2.csv (penalties):
#   A decided Fri 04-10: Mon 13 (1), Tue 14 (2), Sat 18 (3), Mon 20 (4), Tue 21 (5) timely
#   A decided Thu 04-09: Fri 10 (1), Mon 13 (2), Tue 14 (3), Sat 18 (4), Mon 20 (5), Tue 21 (6) timely
#   B decided Wed 04-08: Thu 9 (1), Fri 10 (2), Mon 13 (3), Tue 14 (4), Sat 18 (5), Mon 20 (6), Tue 21 (7) timely
#   B decided Tue 04-07: Wed 8 (1) .. Tue 14 (5), Sat 18 (6), Mon 20 (7), Tue 21 (8) late
#   B rejected (no subject name)
expect_rc 1 "import p2 on 04-21" imp "$HZ" 2026-04-21 10:00 p2.csv
# Sun 2026-04-26 09:00, l1.csv (licences), published on a Sunday = Mon 27:
#   A decided Thu 04-16 (a holiday): Sat 18 (1), Mon 20 .. Fri 24 (2-6), Mon 27 (7) timely
#   A decided Mon 04-13: Tue 14 (1), Sat 18 (2), Mon 20 .. Fri 24 (3-7), Mon 27 (8) late
#   B decided Mon 04-20: Tue 21 (1) .. Fri 24 (4), Mon 27 (5) timely
#   A rejected (subject's credit code)
expect_rc 1 "import l1 on 04-26" imp "$HZ" 2026-04-26 09:00 l1.csv
# Wed 2026-05-06 10:00, p3.csv (penalties), over the 1 May holiday:
#   A decided Mon 04-27: Tue 28 (1), Wed 29 (2), Thu 30 (3), Mon 4 (4), Tue 5 (5), Wed 6 (6) timely
#   B decided Fri 04-24: Mon 27 (1) .. Thu 30 (4), Mon 4 (5), Tue 5 (6), Wed 6 (7) timely
#   B decided Thu 04-23: Fri 24 (1), Mon 27 .. Thu 30 (2-5), Mon 4 (6), Tue 5 (7), Wed 6 (8) late
ok "import p3 on 05-06" imp "$HZ" 2026-05-06 10:00 p3.csv
# Wed 2026-05-06 10:30, j1.jsonl:
#   B licence decided Tue 04-28: Wed 29 (1), Thu 30 (2), Mon 4 (3), Tue 5 (4), Wed 6 (5) timely
#   A penalty rejected (subject's credit code)
expect_rc 1 "import j1 on 05-06" imp "$HZ" 2026-05-06 10:30 j1.jsonl
# the same files again on 05-06: every row is a duplicate or the same bad
# row, so nothing changes
expect_rc 1 "p1 again" imp "$HZ" 2026-05-06 11:00 p1.csv
grep -q '5 rows: 0 accepted, 5 rejected' "$T/.out"; check "  all its rows rejected" $?
expect_rc 1 "j1 again" imp "$HZ" 2026-05-06 11:00 j1.jsonl

# Jiaxing, Tue 2026-04-14 10:00 (its figures are judged with Hangzhou's
# calendar, the calendar of the node answering):
#   C decided Fri 04-03: Mon 6 .. Fri 10 (1-5), Mon 13 (6), Tue 14 (7) timely
#   C decided Thu 04-02: Fri 3 (1), Mon 6 .. Fri 10 (2-6), Mon 13 (7), Tue 14 (8) late
#   one row rejected at Jiaxing: not known to Hangzhou
expect_rc 1 "Jiaxing imports on 04-14" imp "$JX" 2026-04-14 10:00 jx.csv
"$CXNODE" serve --home "$JX" 2>>"$T/jx.log" &
bg_pid $!
pull() { local i; for ((i = 0; i < 100; i++)); do cx sync --home "$HZ" jiaxing >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
ok "Hangzhou pulls Jiaxing's log" pull

Q() { cx quality --home "$HZ" --from 2026-04-01 --to 2026-05-31 "$@"; }
ok "the quality report" Q --json
cp "$T/.out" "$T/q.json"

# Every row as "BUCKET ISSUER DEPARTMENT volume penalties licences timely
# late timeliness submitted compliant rejected compliance" ('*' = all, '-' =
# not known here or no denominator), and "== PERIOD FROM TO" per bucket.
rows() {
	jq -r '
	def n: if . == null then "-" else tostring end;
	def f: [.volume, .penalties, .licences, .timely, .late, .timeliness, .submitted,
		.compliant, .rejected, .compliance] | map(n) | join(" ");
	def b($l): (.departments[] | "\($l) \(.issuer) \(.department.name) " + f),
		(.issuers[] | "\($l) \(.issuer) * " + f), ("\($l) * * " + (.total | f));
	(.period | b("period")),
	((.months // [])[] | "== \(.period) \(.from) \(.to)", b(.period)),
	((.weeks // [])[] | "== \(.period) \(.from) \(.to)", b(.period))' "$1"
}
A=杭州市市场监督管理局
B=杭州市生态环境局
C=嘉兴市市场监督管理局
Z="0 0 0 0 0 - 0 0 0 -"
cat > "$T/want" <<EOF
period hangzhou (unknown) 0 0 0 0 0 - 1 0 1 0.00
period hangzhou $A 7 5 2 5 2 71.43 10 7 3 70.00
period hangzhou $B 7 5 2 5 2 71.43 8 7 1 87.50
period jiaxing $C 2 2 0 1 1 50.00 - - - -
period hangzhou * 14 10 4 10 4 71.43 19 14 5 73.68
period jiaxing * 2 2 0 1 1 50.00 - - - -
period * * 16 12 4 11 5 68.75 19 14 5 73.68
== 2026-04 2026-04-01 2026-04-30
2026-04 hangzhou (unknown) 0 0 0 0 0 - 1 0 1 0.00
2026-04 hangzhou $A 6 4 2 4 2 66.67 8 6 2 75.00
2026-04 hangzhou $B 4 3 1 3 1 75.00 5 4 1 80.00
2026-04 jiaxing $C 2 2 0 1 1 50.00 - - - -
2026-04 hangzhou * 10 7 3 7 3 70.00 14 10 4 71.43
2026-04 jiaxing * 2 2 0 1 1 50.00 - - - -
2026-04 * * 12 9 3 8 4 66.67 14 10 4 71.43
== 2026-05 2026-05-01 2026-05-31
2026-05 hangzhou $A 1 1 0 1 0 100.00 2 1 1 50.00
2026-05 hangzhou $B 3 2 1 2 1 66.67 3 3 0 100.00
2026-05 hangzhou * 4 3 1 3 1 75.00 5 4 1 80.00
2026-05 * * 4 3 1 3 1 75.00 5 4 1 80.00
== 2026-W14 2026-04-01 2026-04-05
2026-W14 * * $Z
== 2026-W15 2026-04-06 2026-04-12
2026-W15 * * $Z
== 2026-W16 2026-04-13 2026-04-19
2026-W16 hangzhou (unknown) 0 0 0 0 0 - 1 0 1 0.00
2026-W16 hangzhou $A 2 2 0 1 1 50.00 3 2 1 66.67
2026-W16 hangzhou $B 1 1 0 1 0 100.00 1 1 0 100.00
2026-W16 jiaxing $C 2 2 0 1 1 50.00 - - - -
2026-W16 hangzhou * 3 3 0 2 1 66.67 5 3 2 60.00
2026-W16 jiaxing * 2 2 0 1 1 50.00 - - - -
2026-W16 * * 5 5 0 3 2 60.00 5 3 2 60.00
== 2026-W17 2026-04-20 2026-04-26
2026-W17 hangzhou $A 4 2 2 3 1 75.00 5 4 1 80.00
2026-W17 hangzhou $B 3 2 1 2 1 66.67 4 3 1 75.00
2026-W17 hangzhou * 7 4 3 5 2 71.43 9 7 2 77.78
2026-W17 * * 7 4 3 5 2 71.43 9 7 2 77.78
== 2026-W18 2026-04-27 2026-05-03
2026-W18 * * $Z
== 2026-W19 2026-05-04 2026-05-10
2026-W19 hangzhou $A 1 1 0 1 0 100.00 2 1 1 50.00
2026-W19 hangzhou $B 3 2 1 2 1 66.67 3 3 0 100.00
2026-W19 hangzhou * 4 3 1 3 1 75.00 5 4 1 80.00
2026-W19 * * 4 3 1 3 1 75.00 5 4 1 80.00
== 2026-W20 2026-05-11 2026-05-17
2026-W20 * * $Z
== 2026-W21 2026-05-18 2026-05-24
2026-W21 * * $Z
== 2026-W22 2026-05-25 2026-05-31
2026-W22 * * $Z
EOF
rows "$T/q.json" > "$T/got"
diff "$T/want" "$T/got" > "$T/diff"
check "every figure matches the hand-computed table" $?
sed 's/^/# /' "$T/diff" | head -n 40
check "the answer names its view and rule" \
	"$(jq -e '[.data[].issuer] == ["hangzhou", "jiaxing"] and .rule.deadline_workdays == 7 and .rule.calendar_entries == 5' "$T/q.json" >/dev/null; echo $?)"

# Without the calendar (weekends only), 3 of Hangzhou's records are late
# that the holidays made timely: A 04-09 (day 8), B 04-08 (day 9), B 04-24
# (1 May is then a working day: day 8).
sed -i '/^calendar = /d' "$HZ/cxnode.conf"
Q --json --period month > "$T/nocal.json"
rows "$T/nocal.json" | grep '^period' > "$T/got"
cat > "$T/want" <<EOF
period hangzhou (unknown) 0 0 0 0 0 - 1 0 1 0.00
period hangzhou $A 7 5 2 4 3 57.14 10 7 3 70.00
period hangzhou $B 7 5 2 3 4 42.86 8 7 1 87.50
period jiaxing $C 2 2 0 1 1 50.00 - - - -
period hangzhou * 14 10 4 7 7 50.00 19 14 5 73.68
period jiaxing * 2 2 0 1 1 50.00 - - - -
period * * 16 12 4 8 8 50.00 19 14 5 73.68
EOF
diff "$T/want" "$T/got" > "$T/diff"
check "without the calendar: weekends only" $?
sed 's/^/# /' "$T/diff"
check "  and no week breakdown with --period month" "$(jq -e 'has("weeks") | not' "$T/nocal.json" >/dev/null; echo $?)"
printf 'calendar = calendar.txt\n' >> "$HZ/cxnode.conf"

# filters
Q --json --issuer jiaxing > "$T/jx.json"
check "--issuer jiaxing: its figures, compliance not known here" \
	"$(jq -e '.period.total | .volume == 2 and .timely == 1 and .compliance == null and .submitted == null' "$T/jx.json" >/dev/null; echo $?)"
Q --json --department 113301000024895242 > "$T/b.json"
check "--department by code: B only" \
	"$(jq -e '[.period.departments[].department.name] == ["杭州市生态环境局"] and .period.total.volume == 7' "$T/b.json" >/dev/null; echo $?)"
Q --json --department "$A" --period week > "$T/a.json"
check "--department by name, weeks only" \
	"$(jq -e '(.months == null) and ([.weeks[].period] | length) == 9 and .period.total.submitted == 10' "$T/a.json" >/dev/null; echo $?)"

# the table
ok "the table" Q
cp "$T/.out" "$T/table"
check "  names the period and the rule" "$(grep -q '^双公示 quality 2026-04-01 .. 2026-05-31: published within 7 working days' "$T/table"; echo $?)"
check "  a department's row" "$(grep -qE "^  hangzhou +7 +7 +10 +70\.00% +5 +71\.43%  $A 113301000024895167$" "$T/table"; echo $?)"
check "  another issuer's compliance is not known" "$(grep -qE "^  jiaxing +2 +- +- +- +1 +50\.00%  $C" "$T/table"; echo $?)"
check "  the total" "$(grep -qE '^  \* +16 +14 +19 +73\.68% +11 +68\.75%' "$T/table"; echo $?)"
check "  a week with nothing" "$(grep -A1 '^week 2026-W14' "$T/table" | grep -q 'nothing published or rejected'; echo $?)"

# errors
expect_rc 2 "--from after --to" cx quality --home "$HZ" --from 2026-05-01 --to 2026-04-01
grep -q 'after' "$T/.out"; check "  says why" $?
expect_rc 2 "a bad date" cx quality --home "$HZ" --from 2026-02-30
expect_rc 2 "a bad period" cx quality --home "$HZ" --period day
printf '2026-04-15 holiday\nsoon holiday\n' > "$HZ/calendar.txt"
expect_rc 2 "a broken calendar" cx quality --home "$HZ"
grep -q 'calendar.txt:2: bad date' "$T/.out"; check "  names the file and line" $?
cp "$D/calendar.txt" "$HZ/calendar.txt"

# the remote path: an auditor may, the public may not
for r in auditor public; do
	cx key generate --out "$T/$r.key" --name "cl-$r" >/dev/null
	ok "register the $r client" cx client add --home "$HZ" --role $r "$T/$r.key.pub"
done
printf '\n[serve]\nclient_listen = tcp://127.0.0.1:%d\n' $((P + 2)) >> "$HZ/cxnode.conf"
"$CXNODE" serve --home "$HZ" 2>>"$T/hz.log" &
bg_pid $!
R() { local who=$1; shift; cx quality --remote "tcp://127.0.0.1:$((P + 2))" --key "$T/$who.key" \
	--roster "$F/roster.pb" --root "$F/root.pub" --from 2026-04-01 --to 2026-05-31 "$@"; }
up() { local i; for ((i = 0; i < 100; i++)); do R auditor --json >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
ok "an auditor asks remotely" up
R auditor --json > "$T/r.json"
rows "$T/q.json" > "$T/want"
rows "$T/r.json" > "$T/got"
check "  and gets the same figures" "$(cmp -s "$T/want" "$T/got"; echo $?)"
expect_rc 1 "the public may not" R public
done_testing
