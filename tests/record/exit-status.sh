#!/bin/sh
# SPDX-License-Identifier: MIT
# screc exits like the command it ran: its exit code, 128 + the signal that
# killed it, 127 when it cannot be found, 126 when it cannot be executed; and
# the recording is complete in every case.
. "$(dirname "$0")/lib.sh"
require_perf

run() {
	want=$1
	shift
	"$SCREC" record -e connect -o "$T/st.screc" -- "$@" >"$T/out" 2>"$T/err"
	expect_eq $? "$want" "$* -> $want"
	raw "$T/st.screc"
	expect_eq "$(tail -n 1 "$T/st.screc.txt")" "end complete" "$*: complete"
}

run 3 "$TARGETS/exit-status" exit 3
check "status 3 recorded" grep -q '^target_exit .* status=0x300$' "$T/st.screc.txt"
run 0 "$TARGETS/exit-status" exit 0
run 139 "$TARGETS/exit-status" segv
check "SIGSEGV recorded" grep -qE '^target_exit .* status=0x(8b|b)$' "$T/st.screc.txt"
run 137 "$TARGETS/exit-status" kill
run 42 sh -c 'exit 42'
# A file without #! is run with /bin/sh by execvp(), which copies argv onto the
# held child's stack first: 30,000 arguments (240 KB of pointers) must fit.
printf 'exit $(( $# / 1000 ))\n' >"$T/noshebang"
chmod +x "$T/noshebang"
# shellcheck disable=SC2046
"$SCREC" record -e connect -o "$T/ns.screc" -- "$T/noshebang" $(seq 30000) 2>"$T/err"
expect_eq $? 30 "a script without #! and 30,000 arguments runs (exit 30)"
raw "$T/ns.screc"
expect_eq "$(tail -n 1 "$T/ns.screc.txt")" "end complete" "30,000 arguments: complete"

"$SCREC" record -e connect -o "$T/nf.screc" -- "$T/no-such-command" 2>"$T/err"
expect_eq $? 127 "a command that does not exist -> 127"
check "the message names it and says why" \
	grep -q "no-such-command.*No such file or directory" "$T/err"
"$SCREC" record -e connect -o "$T/nf.screc" -- no-such-command-in-path-either 2>"$T/err"
expect_eq $? 127 "a command not in PATH -> 127"
check "the message names it" grep -q "no-such-command-in-path-either" "$T/err"

printf 'not a program\n' >"$T/not-exec"
chmod 0644 "$T/not-exec"
"$SCREC" record -e connect -o "$T/ne.screc" -- "$T/not-exec" 2>"$T/err"
expect_eq $? 126 "a file that is not executable -> 126"
check "the message says permission denied" grep -q "not-exec.*Permission denied" "$T/err"
check "no 'still running' confusion" sh -c "! grep -q 'still running' '$T/err'"
finish
