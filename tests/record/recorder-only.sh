#!/bin/sh
# SPDX-License-Identifier: MIT
# A recording made by screc-record (the recorder alone) reads with screc.
. "$(dirname "$0")/lib.sh"
require_perf

f=$T/ro.screc
"$SCREC_RECORD" record -e connect -o "$f" -- "$TARGETS/connect-loop" 7 2>"$T/err"
expect_eq $? 0 "screc-record exits 0"
raw "$f"
expect_eq "$(count "$f.txt" '$1 == "sys_enter" && / syscall=connect /')" 7 "7 connect entries"
expect_eq "$(tail -n 1 "$f.txt")" "end complete" "complete"
finish
