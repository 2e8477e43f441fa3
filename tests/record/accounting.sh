#!/bin/sh
# SPDX-License-Identifier: MIT
# No event is dropped silently: on small workloads at default settings (one
# thread, and four threads), every entry and exit is in the file or counted
# lost, and the trailer's counts are those of the file.  Not a timing test:
# it holds however slow the recorder is, so the sanitizer build runs it too.
. "$(dirname "$0")/lib.sh"
require_perf

f=$T/one.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-loop" 20000 2>"$T/err"
expect_eq $? 0 "one thread: screc exits 0"
raw "$f"
expect_eq "$(tail -n 1 "$f.txt")" "end complete" "one thread: complete"
accounting "$f.txt" 20000 "one thread"
expect_eq "$(count "$f.txt" '$1 == "sys_exit" && !/ ret=-111$/')" 0 \
	"one thread: every exit returns -ECONNREFUSED"

f=$T/four.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-threads" 4 5000 2>"$T/err"
expect_eq $? 0 "four threads: screc exits 0"
raw "$f"
expect_eq "$(tail -n 1 "$f.txt")" "end complete" "four threads: complete"
accounting "$f.txt" 20000 "four threads"
if [ "$(value "$f.txt" trailer lost)" = 0 ]; then
	awk '$1 == "sys_enter" { for (i = 2; i <= NF; i++) if ($i ~ /^tid=/) print substr($i, 5) }' \
		"$f.txt" | sort | uniq -c | awk '{ print $1 }' | sort -u >"$T/per-tid"
	expect_eq "$(cat "$T/per-tid")" 5000 "four threads: 5000 entries on each"
fi
finish
