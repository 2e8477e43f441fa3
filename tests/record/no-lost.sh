#!/bin/sh
# SPDX-License-Identifier: MIT
# The benchmark workload, 100,000 connect() calls, at default settings: every
# entry and exit is in the file and the kernel dropped nothing.  The same
# number of calls from 200 threads (more busy threads than the recorder
# could compete with in the normal scheduling class), and 300 threads
# attached with -p, lose nothing either.
. "$(dirname "$0")/lib.sh"
require_perf

# clean FILE CALLS WHAT: nothing lost, every call there.
clean() {
	raw "$1"
	r=$1.txt
	expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=connect /')" "$2" "$3: $2 entries"
	expect_eq "$(count "$r" '$1 == "sys_exit" && / syscall=connect ret=-111$/')" "$2" "$3: $2 exits"
	expect_eq "$(count "$r" '$1 == "lost"')" 0 "$3: no lost records"
	check "$3: trailer: lost=0" grep -q "^trailer .* samples=$2 exits=$2 lost=0\$" "$r"
	expect_eq "$(tail -n 1 "$r")" "end complete" "$3: complete"
	if [ "$failed" -ne 0 ]; then
		# Losses come from the recorder not being scheduled in time: show how busy the host was.
		grep '^trailer' "$r"
		cat "$T/err"
		echo "load: $(cat /proc/loadavg), CPUs: $(nproc)"
	fi
}

f=$T/lost.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-loop" 100000 2>"$T/err"
expect_eq $? 0 "screc exits 0"
check "no lost-events message (the summary says 0 lost)" sh -c "! grep -v '^screc: wrote .* (0 lost), ' '$T/err' | grep -q lost"
clean "$f" 100000 "one thread"

f=$T/threads.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-threads" 200 500 2>"$T/err"
expect_eq $? 0 "200 threads: screc exits 0"
clean "$f" 100000 "200 threads"

# Attached to 300 threads, each calling once a millisecond, for 2 seconds.
"$TARGETS/connect-threads" 300 0 120 "$T/ready" &
tpid=$!
bg_pids="$bg_pids $tpid"
wait_for "$T/ready" || bail "the threaded target did not start"
f=$T/attach.screc
"$SCREC" record -e connect -p "$tpid" --duration 2 -o "$f" 2>"$T/err"
expect_eq $? 0 "-p 300 threads: screc exits 0"
raw "$f"
expect_eq "$(value "$f.txt" trailer lost)" 0 "-p 300 threads: nothing lost"
expect_ge "$(count "$f.txt" '$1 == "sys_enter" && / syscall=connect /')" 300 "-p 300 threads: entries"
rm "$T/ready"
wait "$tpid"
finish
