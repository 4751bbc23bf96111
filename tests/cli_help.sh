#!/usr/bin/env bash
# The manual matches the code: every command `cxnode help` lists has a
# section in docs/cxnode.1, and every long option a command's --help shows
# is in the manual too. Usage errors exit 2.
# Runs alone too: BUILD=build-x tests/cli_help.sh
: "${CXNODE:=$(cd "$(dirname "$0")/.." && pwd)/${BUILD:-build}/cxnode}"
export CXNODE
. "$(dirname "$0")/lib.sh"
MAN=$(dirname "$0")/../docs/cxnode.1
cmds=$(cx help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
check "help lists commands" "$([[ -n $cmds ]]; echo $?)"
for c in $cmds; do
	grep -q "^\.B $c\b" "$MAN"; check "the manual has a section for $c" $?
	[[ $c == help || $c == version ]] && continue
	expect_rc 0 "cxnode $c --help exits 0" cx "$c" --help
	for o in $(grep -o -- '--[a-z][a-z-]*' "$T/.out" | sort -u); do
		[[ $o == --help ]] && continue
		grep -q -- "${o//-/\\\\-}" "$MAN"; check "the manual names $c $o" $?
	done
done
expect_rc 2 "an unknown command is a usage error" cx frobnicate
expect_rc 2 "no command is a usage error" cx
expect_rc 2 "an unknown option is a usage error" cx query --frobnicate
expect_rc 0 "version" cx version
done_testing
