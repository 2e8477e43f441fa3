#!/bin/sh
# SPDX-License-Identifier: MIT
# A recorder killed with SIGKILL leaves a file that reads up to its last
# flushed frame and says it is truncated: with a fast target, whose events
# fill the writer's buffer many times a second, and with a slow one, whose
# few events reach the file only because a frame is ended every second.
. "$(dirname "$0")/lib.sh"
require_perf

f=$T/k.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-spin" 60 "$T/ready" 100 2>"$T/err" &
spid=$!
bg_pids="$bg_pids $spid"
wait_for "$T/ready" || bail "the target did not start"
tpid=$(cat "$T/ready")
bg_pids="$bg_pids $tpid"
# Until a frame with at least 100 entries is on disk (bounded, not timed).
n=0
i=0
while [ "$n" -lt 100 ]; do
	i=$((i + 1))
	[ $i -gt 300 ] && bail "no frame with 100 entries reached the file"
	sleep 0.1
	raw "$f"
	n=$(count "$f.txt" '$1 == "sys_enter" && / syscall=connect /')
done
kill -9 "$spid"
wait "$spid"
expect_eq $? 137 "screc was killed"
raw "$f"
r=$f.txt
check "the header reads" grep -q '^header version=' "$r"
check "the preamble reads" grep -q '^info ' "$r"
expect_ge "$(count "$r" '$1 == "sys_enter" && / syscall=connect /')" 100 "entries up to the last frame"
case "$(tail -n 1 "$r")" in
"end truncated"*) ok "it says truncated" ;;
*) not_ok "last line: $(tail -n 1 "$r")" ;;
esac
check "no trailer" sh -c "! grep -q '^trailer ' '$r'"
check "report --raw exits non-zero on a truncated file" [ "$(cat "$f.rc")" -ne 0 ]
check "report --raw tells the user" grep -q "truncated" "$f.err"
check "the command was not harmed" running "$tpid"
kill -9 "$tpid" 2>/dev/null

# Ten calls a second: nothing fills a buffer, only the periodic frame end writes them.
f=$T/slow.screc
rm -f "$T/ready"
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-spin" 60 "$T/ready" 100000 2>"$T/err" &
spid=$!
bg_pids="$bg_pids $spid"
wait_for "$T/ready" || bail "the slow target did not start"
tpid=$(cat "$T/ready")
bg_pids="$bg_pids $tpid"
n=0
i=0
while [ "$n" -lt 3 ]; do
	i=$((i + 1))
	[ $i -gt 300 ] && bail "slow: no frame with 3 entries reached the file"
	sleep 0.1
	raw "$f"
	n=$(count "$f.txt" '$1 == "sys_enter" && / syscall=connect /')
done
kill -9 "$spid"
wait "$spid"
raw "$f"
r=$f.txt
expect_ge "$(count "$r" '$1 == "sys_enter" && / syscall=connect /')" 3 "slow: entries up to the last frame"
case "$(tail -n 1 "$r")" in
"end truncated"*) ok "slow: it says truncated" ;;
*) not_ok "slow: last line: $(tail -n 1 "$r")" ;;
esac
finish
