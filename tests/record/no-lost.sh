#!/bin/sh
# SPDX-License-Identifier: MIT
# The benchmark workload, 100,000 connect() calls, at default settings: every
# entry and exit is in the file and the kernel dropped nothing.
. "$(dirname "$0")/lib.sh"
require_perf

f=$T/lost.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-loop" 100000 2>"$T/err"
expect_eq $? 0 "screc exits 0"
check "no lost-events message" sh -c "! grep -q lost '$T/err'"
raw "$f"
r=$f.txt
expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=connect /')" 100000 "100000 entries"
expect_eq "$(count "$r" '$1 == "sys_exit" && / syscall=connect ret=-111$/')" 100000 "100000 exits"
expect_eq "$(count "$r" '$1 == "lost"')" 0 "no lost records"
check "trailer: lost=0" grep -q '^trailer .* samples=100000 exits=100000 lost=0$' "$r"
if [ "$failed" -ne 0 ]; then
	# Losses come from the recorder not being scheduled in time: show how busy the host was.
	grep '^trailer' "$r"
	cat "$T/err"
	echo "load: $(cat /proc/loadavg), CPUs: $(nproc)"
fi
expect_eq "$(tail -n 1 "$r")" "end complete" "complete"
finish
