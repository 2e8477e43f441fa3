#!/bin/sh
# SPDX-License-Identifier: MIT
# Which syscalls get recorded: a few by their own tracepoints, more than four
# through raw_syscalls with an id filter, and every syscall by default.  The
# target makes 20 rounds of getppid, sched_yield, getpgid, umask, connect and
# write; counts must be exact and nothing else may appear.  strace's -e
# syntax: a class, a negation, trace= and ?optional names.
. "$(dirname "$0")/lib.sh"
require_perf

n=20
rec() {
	"$SCREC" record "$@" -o "$T/ev.screc" -- "$TARGETS/syscall-mix" $n 2>"$T/err"
	expect_eq $? 0 "record $*: exits 0"
	raw "$T/ev.screc"
	r=$T/ev.screc.txt
	expect_eq "$(tail -n 1 "$r")" "end complete" "record $*: complete"
}

# enters NAME: entries of one syscall
enters() {
	count "$r" "\$1 == \"sys_enter\" && / syscall=$1 /"
}
exits() {
	count "$r" "\$1 == \"sys_exit\" && / syscall=$1 /"
}

rec -e getppid,umask
check "own tracepoints used" grep -q '^tracepoint .* name=syscalls:sys_enter_getppid ' "$r"
expect_eq "$(enters getppid)" $n "two syscalls: getppid entries"
expect_eq "$(enters umask)" $n "two syscalls: umask entries"
expect_eq "$(exits umask)" $n "two syscalls: umask exits"
expect_eq "$(count "$r" '$1 ~ /^sys_/ && !/ syscall=(getppid|umask) /')" 0 "two syscalls: nothing else"

rec -e getppid,sched_yield,getpgid,umask,connect
check "raw_syscalls used for five" grep -q '^tracepoint .* name=raw_syscalls:sys_enter ' "$r"
check "and no per-syscall tracepoint" sh -c "! grep -q '^tracepoint .* name=syscalls:' '$r'"
for s in getppid sched_yield getpgid umask connect; do
	expect_eq "$(enters $s)" $n "five syscalls: $s entries"
	expect_eq "$(exits $s)" $n "five syscalls: $s exits"
done
expect_eq "$(count "$r" '$1 ~ /^sys_/ && !/ syscall=(getppid|sched_yield|getpgid|umask|connect) /')" 0 \
	"five syscalls: nothing else (no write)"
expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=connect / && / args=0x[0-9a-f]+,0x[0-9a-f]+,0x10,/')" $n \
	"connect arguments decoded from raw_syscalls (addrlen 16)"

# strace's -e syntax: a class resolves to dozens of syscalls (raw_syscalls
# with a filter of ranges); the report's own -e %file must keep every event.
listed() {
	"$SCREC" report "$@" "$T/ev.screc" 2>/dev/null | grep -c '^\[pid'
}
rec -e %file
check "%file: raw_syscalls used" grep -q '^tracepoint .* name=raw_syscalls:sys_enter ' "$r"
expect_ge "$(enters openat)" 1 "%file: the loader's openat calls"
expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=(getppid|umask|write|connect) /')" 0 \
	"%file: no call of another class"
all=$(listed)
expect_ge "$all" 1 "%file: the report lists calls"
expect_eq "$(listed -e %file)" "$all" "%file: every call listed is in the report's %file"

rec -e '!connect'
expect_eq "$(enters connect)" 0 "!connect: no connect entries"
expect_eq "$(exits connect)" 0 "!connect: no connect exits"
for s in getppid sched_yield getpgid umask write; do
	expect_eq "$(enters $s)" $n "!connect: $s entries"
done

rec -e 'trace=?nosuch,getppid,umask'
check "trace=?nosuch,getppid,umask: own tracepoints" \
	grep -q '^tracepoint .* name=syscalls:sys_enter_getppid ' "$r"
expect_eq "$(enters getppid)" $n "trace=?nosuch,getppid,umask: getppid entries"
expect_eq "$(count "$r" '$1 ~ /^sys_/ && !/ syscall=(getppid|umask) /')" 0 \
	"trace=?nosuch,getppid,umask: nothing else"

rec
expect_eq "$(value "$r" string events)" '"all"' "default: every syscall"
expect_eq "$(enters getppid)" $n "default: getppid entries"
expect_eq "$(enters umask)" $n "default: umask entries"
expect_ge "$(enters write)" $n "default: write entries"
expect_ge "$(count "$r" '$1 == "sys_enter" && / syscall=(execve|mmap|openat|brk|close) /')" 1 \
	"default: the program's start-up syscalls after exec"
expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=\? /')" 0 "every syscall named"
finish
