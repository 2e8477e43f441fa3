#!/bin/sh
# SPDX-License-Identifier: MIT
# -p: attach to running processes (single- and multi-threaded, and two at
# once) for --duration 1 or until SIGINT: their calls are recorded, their
# threads, names and mappings (with build-ids read from the files) are
# written first, and they keep running unharmed after screc detaches.
. "$(dirname "$0")/lib.sh"
require_perf

"$TARGETS/connect-spin" 120 "$T/ready1" 1000 &
tpid=$!
bg_pids="$bg_pids $tpid"
wait_for "$T/ready1" || bail "the target did not start"
f=$T/p.screc
"$SCREC" record -e connect -p "$tpid" --duration 1 -o "$f" 2>"$T/err"
expect_eq $? 0 "screc exits 0 after --duration"
raw "$f"
r=$f.txt
expect_eq "$(tail -n 1 "$r")" "end complete" "complete"
expect_eq "$(value "$r" info mode)" attach "info mode"
expect_eq "$(value "$r" info target_pid)" "$tpid" "info target pid"
check "its comm is written" grep -q "^comm .* pid=$tpid tid=$tpid exec=0 comm=\"connect-spin\"" "$r"
want=$(build_id "$TARGETS/connect-spin")
got=$(value "$r" mmap2 build_id "pid=$tpid .*prot=r-x .*path=$TARGETS/connect-spin\$")
expect_eq "$got" "$want" "its program's mapping, with the build-id readelf reads"
check "libc's mapping with a build-id" \
	grep -qE "^mmap2 .*pid=$tpid .*prot=r-x build_id=[0-9a-f]{40} path=.*libc\.so" "$r"
expect_ge "$(count "$r" '$1 == "sys_enter" && / syscall=connect / && $0 ~ " pid='"$tpid"' "')" 10 \
	"its connect entries"
expect_eq "$(count "$r" '$1 == "sys_enter" && $0 !~ " pid='"$tpid"' "')" 0 "no other process"
check "it keeps running after screc detaches" running "$tpid"
rm "$T/ready1"	# tells it to finish
wait "$tpid"
expect_eq $? 0 "and ends normally"

# A multi-threaded process: every thread is followed.
"$TARGETS/connect-threads" 3 0 120 "$T/ready2" &
tpid=$!
bg_pids="$bg_pids $tpid"
wait_for "$T/ready2" || bail "the threaded target did not start"
tids=$(cut -d' ' -f2- "$T/ready2")
f=$T/pt.screc
"$SCREC" record -e connect -p "$tpid" --duration 1 -o "$f" 2>"$T/err"
rc=$?
expect_eq $rc 0 "threads: screc exits 0"
[ $rc -ne 0 ] && cat "$T/err"
raw "$f"
r=$f.txt
expect_eq "$(tail -n 1 "$r")" "end complete" "threads: complete"
for tid in $tids; do
	expect_ge "$(count "$r" '$1 == "sys_enter" && / syscall=connect / && $0 ~ " pid='"$tpid"' tid='"$tid"' "')" 1 \
		"thread $tid: entries"
	check "thread $tid: comm written" grep -q "^comm .* pid=$tpid tid=$tid " "$r"
done
check "threads: still running after detach" running "$tpid"
rm "$T/ready2"
wait "$tpid"
expect_eq $? 0 "threads: ends normally"

# Two processes at once, stopped by SIGINT.
"$TARGETS/connect-spin" 120 "$T/ready3" 1000 &
a=$!
"$TARGETS/connect-spin" 120 "$T/ready4" 1000 &
b=$!
bg_pids="$bg_pids $a $b"
if ! wait_for "$T/ready3" || ! wait_for "$T/ready4"; then
	bail "the targets did not start"
fi
f=$T/p2.screc
env --default-signal=INT "$SCREC" record -e connect -p "$a,$b" -o "$f" 2>"$T/err" &
spid=$!
bg_pids="$bg_pids $spid"
# Until both have calls in a flushed frame (bounded, not timed).
i=0
while :; do
	i=$((i + 1))
	[ $i -gt 300 ] && bail "two pids: no frame with both reached the file"
	sleep 0.1
	raw "$f"
	[ "$(count "$f.txt" '/^sys_enter .* pid='"$a"' /')" -ge 1 ] &&
		[ "$(count "$f.txt" '/^sys_enter .* pid='"$b"' /')" -ge 1 ] && break
done
kill -INT "$spid"
wait "$spid"
expect_eq $? 0 "two pids: SIGINT ends an attached recording with 0"
raw "$f"
r=$f.txt
expect_eq "$(tail -n 1 "$r")" "end complete" "two pids: complete"
check "two pids: first comm" grep -q "^comm .* pid=$a tid=$a " "$r"
check "two pids: second comm" grep -q "^comm .* pid=$b tid=$b " "$r"
check "two pids: both still running" sh -c "kill -0 $a && kill -0 $b"
rm "$T/ready3" "$T/ready4"
wait "$a"
expect_eq $? 0 "two pids: the first ends normally"
wait "$b"
expect_eq $? 0 "two pids: the second ends normally"
finish
