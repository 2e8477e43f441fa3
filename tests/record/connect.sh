#!/bin/sh
# SPDX-License-Identifier: MIT
# 100 connect() calls of connect-loop: exactly 100 entries and 100 exits
# returning -ECONNREFUSED, all from the launched process, with registers and
# a stack snapshot no larger than asked; the program's mapping carries the
# build-id readelf sees; exit status 0; a complete file of mode 0600.
# (What -o finds at its path: output.sh.)
. "$(dirname "$0")/lib.sh"
require_perf

f=$T/connect.screc
: >"$f"
chmod 0644 "$f"
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-loop" 100 2>"$T/err"
expect_eq $? 0 "screc exits with the command's status"
expect_eq "$(stat -c %a "$f")" 600 "an existing empty 0644 file is replaced by a new one, mode 0600"
raw "$f"
r=$f.txt
expect_eq "$(cat "$f.rc")" 0 "report --raw reads it without error"
expect_eq "$(tail -n 1 "$r")" "end complete" "the recording is complete"

pid=$(value "$r" info target_pid)
check "info names the launched pid" [ -n "$pid" ]
expect_eq "$(value "$r" info mode)" command "info mode"
expect_eq "$(value "$r" info stack_size)" 16384 "info stack size (default)"
expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=connect /')" 100 "connect entries"
expect_eq "$(count "$r" '$1 == "sys_exit" && / syscall=connect ret=-111$/')" 100 \
	"connect exits returning -ECONNREFUSED"
expect_eq "$(count "$r" '$1 ~ /^sys_/ && !/ syscall=connect /')" 0 "no other syscall"
expect_eq "$(count "$r" '$1 == "sys_enter" && $0 !~ " pid=" pid " tid=" pid " "' -v pid="$pid")" 0 \
	"every entry from the launched process's only thread"
expect_eq "$(count "$r" '$1 == "sys_enter" && / ip=0x[0-9a-f]+ sp=0x[0-9a-f]+ regs=20 /')" 100 \
	"every entry has ip, sp and 20 registers"
expect_eq "$(awk '$1 == "sys_enter" { split($NF, a, /[=\/]/); if (a[2] + 0 <= 0 || a[2] + 0 > a[3] + 0 || a[3] != 16384) bad++ }
	END { print bad + 0 }' "$r")" 0 "every stack snapshot is non-empty and at most 16384 bytes"
expect_eq "$(grep -c '^target_exit .* status=0$' "$r")" 1 "target exit status recorded"
check "trailer counts 100 samples, 100 exits, nothing lost" \
	grep -q '^trailer .* samples=100 exits=100 lost=0$' "$r"
expect_eq "$(value "$r" string events)" '"connect"' "the -e list is recorded"

want=$(build_id "$TARGETS/connect-loop")
got=$(value "$r" mmap2 build_id "pid=$pid .*path=$TARGETS/connect-loop\$")
check "readelf finds a build-id in connect-loop" [ -n "$want" ]
expect_eq "$got" "$want" "connect-loop's mapping has its build-id"
check "libc's mapping has a build-id" \
	grep -qE "^mmap2 .*prot=r-x build_id=[0-9a-f]{40} path=.*libc\.so" "$r"
check "comm of the exec'd command" grep -q "^comm .* pid=$pid tid=$pid exec=1 comm=\"connect-loop\"" "$r"

# A new file, whatever the umask.
g=$T/umask.screc
(umask 0; "$SCREC" record -e connect -o "$g" -- "$TARGETS/connect-loop" 1 2>/dev/null)
expect_eq "$(stat -c %a "$g")" 600 "a new file is mode 0600 under umask 0"
finish
