#!/bin/sh
# SPDX-License-Identifier: MIT
# --stack-size: the size asked is what the events ask the kernel for, and no
# stack snapshot in the file is ever larger, from the smallest to the largest
# size allowed.
. "$(dirname "$0")/lib.sh"
require_perf

for size in 8 96 100 512 4096 65528; do
	want=$((size / 8 * 8))
	f=$T/s$size.screc
	"$SCREC" record -e connect --stack-size $size -o "$f" -- "$TARGETS/connect-loop" 10 2>"$T/err"
	expect_eq $? 0 "--stack-size $size: exits 0"
	raw "$f"
	r=$f.txt
	expect_eq "$(value "$r" info stack_size)" $want "--stack-size $size: info stack_size"
	expect_eq "$(value "$r" attr stack_user 'kind=enter')" $want "--stack-size $size: asked of the kernel"
	expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=connect /')" 10 "--stack-size $size: 10 entries"
	expect_eq "$(awk -v w=$want '$1 == "sys_enter" { split($NF, a, /[=\/]/); if (a[2] + 0 > w || a[2] + 0 <= 0 || a[3] + 0 != w) bad++ }
		END { print bad + 0 }' "$r")" 0 "--stack-size $size: every snapshot in (0, $want]"
	expect_eq "$(tail -n 1 "$r")" "end complete" "--stack-size $size: complete"
done
finish
