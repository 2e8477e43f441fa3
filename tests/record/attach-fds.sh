#!/bin/sh
# SPDX-License-Identifier: MIT
# -p: the fds a process opened before screc attached are recorded (an FDS
# record: fd, what /proc/PID/fd says, close-on-exec), so the report's -y
# names them: read(4</etc/hosts>...), connect(3<socket:[...]>...), though
# the recording never saw them opened.
. "$(dirname "$0")/lib.sh"
require_perf

file=$T/hosts-copy
cp /etc/hosts "$file"
"$TARGETS/fd-reader" "$file" "$T/ready" 120 &
tpid=$!
bg_pids="$bg_pids $tpid"
wait_for "$T/ready" || bail "the target did not start"
read -r _ sock fd <"$T/ready"
f=$T/p.screc
"$SCREC" record -e pread64,connect -p "$tpid" --duration 1 -o "$f" 2>"$T/err"
expect_eq $? 0 "screc exits 0 after --duration"
rm "$T/ready"
wait "$tpid"

raw "$f"
r=$f.txt
expect_eq "$(tail -n 1 "$r")" "end complete" "complete"
expect_eq "$(count "$r" '$1 == "fds" && $2 == "pid='"$tpid"'"')" 1 "one FDS record for the process"
expect_eq "$(count "$r" '$1 == "fd" && $2 == "pid='"$tpid"'" && $3 == "fd='"$fd"'" && $4 == "cloexec=1" &&
	$5 == "path='"$file"'"')" 1 "the file's fd, close-on-exec, with its path"
expect_eq "$(count "$r" '$1 == "fd" && $3 == "fd='"$sock"'" && $4 == "cloexec=0" && $5 ~ /^path=socket:\[[0-9]+\]$/')" 1 \
	"the socket's fd, inheritable, as socket:[inode]"
expect_eq "$(count "$r" '$1 == "sys_enter" && / syscall=(openat|socket) /')" 0 \
	"the opens themselves were not recorded"

"$SCREC" report -y "$f" >"$T/list" 2>"$T/list.err"
expect_eq $? 0 "report -y exits 0"
n=$(grep -c '^\[pid' "$T/list")
expect_ge "$n" 10 "report -y lists the calls"
expect_eq "$(grep -c "^\[pid *$tpid\] pread64($fd<$file>, " "$T/list")" \
	"$(grep -c '^\[pid.*pread64(' "$T/list")" "every pread64 names the file opened before the attach"
expect_ge "$(grep -c "^\[pid *$tpid\] connect($sock<socket:\[[0-9]*\]>, " "$T/list")" 1 \
	"connect names the socket opened before the attach"
finish
