#!/bin/sh
# SPDX-License-Identifier: MIT
# What screc record says at the end: one line on stderr, "screc: wrote FILE:
# N events (M lost), S MiB, T s", with the true counts; no progress line when
# stderr is no terminal, a progress line rewritten in place when it is one.
# -f (strace's follow-forks) is accepted and changes nothing: children are
# followed anyway.  --duration ends a command with SIGTERM: status 143.
. "$(dirname "$0")/lib.sh"
require_perf

f=$T/s.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-loop" 25 2>"$T/err"
expect_eq $? 0 "record exits 0"
last=$(tail -n 1 "$T/err")
check "the last line is the summary: $last" \
	sh -c "echo '$last' | grep -qE '^screc: wrote $f: 25 events \(0 lost\), [0-9]+\.[0-9] MiB, [0-9]+\.[0-9] s$'"
expect_eq "$(grep -c 'recording:' "$T/err")" 0 "no progress line when stderr is a file"
expect_eq "$(tr -d '\r' <"$T/err" | wc -l)" 1 "nothing else said"

# -f: accepted, and children are followed as without it (fork-exec: a child, then an exec).
"$SCREC" record -f -e connect -o "$T/f.screc" -- "$TARGETS/fork-exec" "$TARGETS/connect-loop" \
	>"$T/f.out" 2>"$T/f.err"
expect_eq $? 0 "record -f exits 0"
"$SCREC" record -e connect -o "$T/nf.screc" -- "$TARGETS/fork-exec" "$TARGETS/connect-loop" \
	>/dev/null 2>"$T/nf.err"
raw "$T/f.screc"
raw "$T/nf.screc"
with=$(count "$T/f.screc.txt" '$1 == "sys_enter"')
without=$(count "$T/nf.screc.txt" '$1 == "sys_enter"')
expect_ge "$with" 1 "-f: the children's calls are recorded"
expect_eq "$with" "$without" "-f records what the default does"
expect_eq "$(count "$T/f.screc.txt" '$1 == "comm" && /exec=1/' | awk '{ print ($1 >= 2) }')" 1 \
	"-f: the exec'd child is followed"

# --duration: SIGTERM to the command, whose status (143) is screc's; the summary still comes.
"$SCREC" record -e nanosleep,clock_nanosleep --duration 0.5 -o "$T/d.screc" -- sleep 30 2>"$T/d.err"
expect_eq $? 143 "--duration: the command's status after SIGTERM"
check "--duration: the summary line" grep -qE "^screc: wrote $T/d.screc: [0-9]+ events" "$T/d.err"

# On a terminal (script(1) gives one): a progress line, rewritten with \r, then the summary.
if command -v script >/dev/null 2>&1; then
	script -qec "'$SCREC' record -e clock_nanosleep,nanosleep -o '$T/t.screc' -- sleep 1.6" \
		/dev/null >"$T/tty" 2>&1
	expect_ge "$(grep -o 'screc: recording: [0-9]* events, [0-9.]* MiB' "$T/tty" | wc -l)" 2 \
		"on a terminal: the progress line, at least twice in 1.6 s"
	expect_ge 4 "$(grep -o 'screc: recording:' "$T/tty" | wc -l)" "and at most twice a second"
	check "then the summary" grep -q "screc: wrote $T/t.screc: " "$T/tty"
else
	echo "# script(1) not found: the terminal case is not tested"
fi
finish
