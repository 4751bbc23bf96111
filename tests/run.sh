#!/usr/bin/env bash
# Run the default test suite: every unit-test binary (cmocka, TAP output),
# every fuzz target's replay over its stored corpus, and every command-line
# scenario in tests/cli_*.sh. Prints each result, then one closing line
# "N passed, N failed"; exits non-zero if anything failed.
#
#   BUILD=build        where the binaries are
#   VALGRIND=1         run binaries under valgrind memcheck
#   ONLY=pattern       run only suites whose name matches
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
export CXNODE="$PWD/$BUILD/cxnode"
passed=0
failed=0
skipped=0
failures=()

wrap=()
if [[ ${VALGRIND:-0} == 1 ]]; then
	wrap=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
	export CXNODE_VALGRIND=1
fi

# count NAME OUTPUT RC: tally TAP lines; a non-zero exit with no failing
# line (a crash, a sanitizer report) is one failure of its own.
count() {
	local name=$1 out=$2 rc=$3 p f s
	# a TAP line marked "# SKIP" is a skip, whichever way it starts
	s=$(grep -cE '^(not )?ok .*# ?SKIP' <<<"$out")
	p=$(grep -E '^ok ' <<<"$out" | grep -cvE '# ?SKIP')
	f=$(grep -E '^not ok ' <<<"$out" | grep -cvE '# ?SKIP')
	grep -E '^not ok ' <<<"$out" | grep -vE '# ?SKIP' | sed "s/^/  $name: /"
	if ((rc != 0 && f == 0)); then
		f=1
		echo "  $name: exited $rc"
		tail -n 20 <<<"$out" | sed 's/^/    | /'
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	((f)) && failures+=("$name")
	printf '%-28s %4d passed, %d failed%s\n' "$name" "$p" "$f" "$( ((s)) && echo ", $s skipped")"
}

want() { [[ -z ${ONLY:-} || $1 == *${ONLY}* ]]; }

for t in "$BUILD"/tests/*_test; do
	[[ -x $t ]] || continue
	name=$(basename "$t")
	want "$name" || continue
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "${wrap[@]}" "$t" 2>&1)
	count "$name" "$out" $?
done

for r in "$BUILD"/fuzz/replay_*; do
	[[ -x $r ]] || continue
	name=${r##*/replay_}
	want "fuzz_$name" || continue
	dir=tests/fuzz/corpus/$name
	if [[ -d $dir ]]; then
		out=$("${wrap[@]}" "$r" "$dir"/* 2>&1)
		rc=$?
		((rc == 0)) && out+=$'\n'"ok 1 - replay $name corpus"
	else
		out="not ok 1 - no corpus for $name"; rc=1
	fi
	count "fuzz_$name" "$out" $rc
done

for s in tests/cli_*.sh; do
	[[ -f $s ]] || continue
	name=$(basename "$s" .sh)
	want "$name" || continue
	out=$(bash "$s" 2>&1)
	count "$name" "$out" $?
done

if ((${#failures[@]})); then
	echo "failing suites: ${failures[*]}"
fi
if ((skipped)); then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
((failed == 0))
