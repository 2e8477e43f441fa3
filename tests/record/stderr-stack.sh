#!/bin/sh
# SPDX-License-Identifier: MIT
# The default stack snapshot holds a write to stderr: glibc's fprintf to an
# unbuffered stream keeps an 8 KiB buffer on the stack, so every one of these
# writes is cut by an 8 KiB snapshot and whole with the default.  The 8 KiB
# run shows that the target does exercise that case.
. "$(dirname "$0")/lib.sh"
require_perf

n=20
# summary STDERR: "EVENTS COMPLETE TRUNCATED" from the report's last line.
summary() {
	sed -n 's/^screc: \([0-9]*\) events, \([0-9]*\) unwound fully, \([0-9]*\) truncated.*/\1 \2 \3/p' "$1" |
		tail -n 1
}

"$SCREC" record -e write -o "$T/d.screc" -- "$TARGETS/stderr-write" $n 2>"$T/target.err"
expect_eq $? 0 "record with the default stack size exits 0"
expect_eq "$(grep -c '^line ' "$T/target.err")" $n "the target wrote its lines"
"$SCREC" report "$T/d.screc" >"$T/d.txt" 2>"$T/d.err"
expect_eq $? 0 "report exits 0"
expect_eq "$(summary "$T/d.err")" "$n $n 0" "default size: $n events, all unwound fully, none truncated"
expect_eq "$(grep -c '(say+0x' "$T/d.txt")" $n "every write comes from say"
expect_eq "$(grep -c '(main+0x' "$T/d.txt")" $n "every stack reaches main"

"$SCREC" record -e write --stack-size 8192 -o "$T/s.screc" -- "$TARGETS/stderr-write" $n 2>/dev/null
expect_eq $? 0 "record with --stack-size 8192 exits 0"
"$SCREC" report "$T/s.screc" >"$T/s.txt" 2>"$T/s.err"
expect_eq "$(summary "$T/s.err")" "$n 0 $n" "8 KiB: every write's stack is truncated"
finish
