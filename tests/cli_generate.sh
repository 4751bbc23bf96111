#!/usr/bin/env bash
# The generator through the command line: deterministic output, one file
# per city with --split, output a node imports whole, devices left alone.
. "$(dirname "$0")/lib.sh"
export CXNODE_TODAY=2026-11-22
cx generate --subjects 500 --seed 9 --out "$T/a.jsonl" 2>/dev/null
cx generate --subjects 500 --seed 9 --no-progress > "$T/b.jsonl" 2>/dev/null
ok "the same seed gives the same bytes (file and stdout)" cmp "$T/a.jsonl" "$T/b.jsonl"
cx generate --subjects 500 --seed 10 --out "$T/c.jsonl" 2>/dev/null
! cmp -s "$T/a.jsonl" "$T/c.jsonl"; check "another seed gives other bytes" $?
ok "split writes one file per city" cx generate --subjects 500 --seed 9 --split "$T/split"
check "nine city files" "$([[ $(ls "$T/split"/*.jsonl | wc -l) == 9 ]]; echo $?)"
check "split holds the same records" "$([[ $(cat "$T/split"/*.jsonl | wc -l) == $(wc -l < "$T/a.jsonl") ]]; echo $?)"
cx init --home "$T/jx" --id jiaxing --region 330400 >/dev/null
expect_rc 0 "a city's file imports whole into its node" cx import --home "$T/jx" --no-progress "$T/split/330400.jsonl"
expect_rc 1 "another city's file is refused row by row" cx import --home "$T/jx" --no-progress "$T/split/330100.jsonl"
cx generate --subjects 50 --out /dev/null 2>/dev/null
check "--out /dev/null leaves the device a device" "$([[ -c /dev/null ]]; echo $?)"
expect_rc 2 "a bad region is a usage error" cx generate --subjects 5 --region 999999
done_testing
