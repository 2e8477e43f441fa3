#!/bin/sh
# SPDX-License-Identifier: MIT
# The recorder drains in the real-time class where it may (so that hundreds
# of busy threads cannot keep it from its rings), and the command keeps its
# own scheduling: the normal class and the niceness screc was started with.
# --no-realtime keeps the recorder in the normal class.
. "$(dirname "$0")/lib.sh"
require_perf
command -v chrt >/dev/null 2>&1 || skip "needs chrt (util-linux)"

"$SCREC" record -v -e connect -o "$T/s.screc" -- sh -c 'chrt -p $$; nice' >"$T/out" 2>"$T/err"
expect_eq $? 0 "screc exits 0"
if [ "$(id -u)" = 0 ]; then
	check "the recorder is in the real-time class" grep -q "real-time class (SCHED_FIFO 1)" "$T/err"
fi
check "the command is in the normal class" grep -q "scheduling policy: SCHED_OTHER" "$T/out"
expect_eq "$(tail -n 1 "$T/out")" 0 "the command's niceness is screc's own (0)"

nice -n 7 "$SCREC" record -e connect -o "$T/s.screc" -- sh -c 'chrt -p $$; nice' >"$T/out" 2>"$T/err"
check "under nice 7: the command is in the normal class" grep -q "SCHED_OTHER" "$T/out"
expect_eq "$(tail -n 1 "$T/out")" 7 "under nice 7: the command keeps nice 7"

"$SCREC" record -v --no-realtime -e connect -o "$T/s.screc" -- true 2>"$T/err"
expect_eq $? 0 "--no-realtime: exits 0"
check "--no-realtime: not in the real-time class" sh -c "! grep -q 'real-time class' '$T/err'"
finish
