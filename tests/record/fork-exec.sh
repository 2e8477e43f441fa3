#!/bin/sh
# SPDX-License-Identifier: MIT
# A parent that forks a child which execs connect-loop: the child's calls
# before and after exec are recorded under its pid, its fork and exec
# (comm with exec=1) are in the file, and the exec'd binary's mapping
# carries the build-id readelf reads.  With --no-inherit, only the parent.
. "$(dirname "$0")/lib.sh"
require_perf

f=$T/fork.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/fork-exec" "$TARGETS/connect-loop" 4 \
	>"$T/out" 2>"$T/err"
expect_eq $? 0 "screc exits with the parent's status"
raw "$f"
r=$f.txt
expect_eq "$(tail -n 1 "$r")" "end complete" "complete"
pid=$(value "$r" info target_pid)
child=$(awk '{ print $2 }' "$T/out")
check "the target printed its child's pid" [ -n "$child" ]
expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=connect / && $0 ~ " pid=" pid " "' -v pid="$pid")" 2 \
	"the parent's 2 connects"
expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=connect / && $0 ~ " pid=" child " tid=" child " "' -v child="$child")" 7 \
	"the child's 3 connects before exec and 4 after"
expect_eq "$(count "$r" '$1 == "sys_exit" && / ret=-111$/')" 9 "9 exits"
check "the fork is recorded" grep -q "^fork .* pid=$child ppid=$pid tid=$child " "$r"
check "the exec is recorded (comm, exec=1)" \
	grep -q "^comm .* pid=$child tid=$child exec=1 comm=\"connect-loop\"" "$r"
want=$(build_id "$TARGETS/connect-loop")
got=$(value "$r" mmap2 build_id "pid=$child .*prot=r-x .*path=$TARGETS/connect-loop\$")
check "readelf finds a build-id" [ -n "$want" ]
expect_eq "$got" "$want" "the exec'd binary's mapping has its build-id"
want=$(build_id "$TARGETS/fork-exec")
got=$(value "$r" mmap2 build_id "pid=$pid .*prot=r-x .*path=$TARGETS/fork-exec\$")
expect_eq "$got" "$want" "the parent binary's mapping has its build-id"
check "the child's exit is recorded" grep -q "^exit .* pid=$child ppid=$pid " "$r"

g=$T/noinherit.screc
"$SCREC" record --no-inherit -e connect -o "$g" -- "$TARGETS/fork-exec" "$TARGETS/connect-loop" 4 \
	>"$T/out2" 2>"$T/err2"
expect_eq $? 0 "--no-inherit: screc exits 0"
raw "$g"
r=$g.txt
pid=$(value "$r" info target_pid)
expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=connect /')" 2 \
	"--no-inherit: only the parent's 2 connects"
expect_eq "$(count "$r" '$1 == "sys_enter" && $0 !~ " pid=" pid " "' -v pid="$pid")" 0 "--no-inherit: no child"
finish
