# Helpers for command-line scenario tests (sourced by tests/cli_*.sh).
#
# Each scenario runs in its own temporary directory, removed on exit along
# with any process it started (register pids with `bg_pid`). Results are TAP
# lines: "ok N - what" / "not ok N - what".
set -u
: "${CXNODE:?CXNODE must name the cxnode binary}"
if [[ ${CXNODE_VALGRIND:-0} == 1 ]]; then
	cx() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$CXNODE" "$@"; }
else
	cx() { "$CXNODE" "$@"; }
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/cxtest.XXXXXX")
_pids=()
_n=0
_bad=0
bg_pid() { _pids+=("$1"); }
_cleanup() {
	local p
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[[ ${KEEP:-0} == 1 ]] && echo "# kept $T" || rm -rf "$T"
}
trap _cleanup EXIT

# ok DESCRIPTION COMMAND...: passes when COMMAND exits 0.
ok() {
	local d=$1; shift
	_n=$((_n + 1))
	if "$@" >"$T/.out" 2>&1; then
		echo "ok $_n - $d"
	else
		echo "not ok $_n - $d"; sed 's/^/# /' "$T/.out" | head -n 30; _bad=1
	fi
}
# check DESCRIPTION CONDITION-RESULT: pass/fail on a previous test expression.
check() {
	local d=$1 r=$2
	_n=$((_n + 1))
	if [[ $r == 0 ]]; then echo "ok $_n - $d"; else echo "not ok $_n - $d"; _bad=1; fi
}
# expect_rc RC DESCRIPTION COMMAND...: passes when COMMAND exits with RC.
expect_rc() {
	local want=$1 d=$2 rc; shift 2
	_n=$((_n + 1))
	"$@" >"$T/.out" 2>&1; rc=$?
	if [[ $rc == "$want" ]]; then
		echo "ok $_n - $d"
	else
		echo "not ok $_n - $d (exit $rc, want $want)"; sed 's/^/# /' "$T/.out" | head -n 30; _bad=1
	fi
}
done_testing() { echo "1..$_n"; exit $_bad; }
