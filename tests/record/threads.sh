#!/bin/sh
# SPDX-License-Identifier: MIT
# Four threads of one process, 50 connect() calls each: the recorder follows
# the new threads; every thread has exactly its 50 entries and exits, four
# distinct thread ids, one process id.
. "$(dirname "$0")/lib.sh"
require_perf

f=$T/threads.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-threads" 4 50 2>"$T/err"
expect_eq $? 0 "screc exits 0"
raw "$f"
r=$f.txt
expect_eq "$(tail -n 1 "$r")" "end complete" "complete"
pid=$(value "$r" info target_pid)
expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=connect /')" 200 "200 entries"
expect_eq "$(count "$r" '$1 == "sys_exit" && / syscall=connect ret=-111$/')" 200 "200 exits"
expect_eq "$(count "$r" '$1 ~ /^sys_/ && $0 !~ " pid=" pid " "' -v pid="$pid")" 0 "all from the one process"
awk '$1 == "sys_enter" { for (i = 2; i <= NF; i++) if ($i ~ /^tid=/) print substr($i, 5) }' "$r" |
	sort | uniq -c | awk '{ print $1, $2 }' >"$T/per-tid"
expect_eq "$(wc -l <"$T/per-tid" | tr -d ' ')" 4 "four distinct thread ids"
expect_eq "$(awk '$1 != 50' "$T/per-tid" | wc -l | tr -d ' ')" 0 "50 entries on every thread"
expect_eq "$(awk -v p="$pid" '$2 == p' "$T/per-tid" | wc -l | tr -d ' ')" 0 \
	"no entry on the main thread"
awk '$1 == "sys_exit" { for (i = 2; i <= NF; i++) if ($i ~ /^tid=/) print substr($i, 5) }' "$r" |
	sort | uniq -c | awk '{ print $1, $2 }' >"$T/per-tid-exit"
check "exits on the same threads, 50 each" cmp -s "$T/per-tid" "$T/per-tid-exit"
for tid in $(awk '{ print $2 }' "$T/per-tid"); do
	check "thread $tid: its creation is recorded" grep -q "^fork .* pid=$pid ppid=$pid tid=$tid " "$r"
done
finish
