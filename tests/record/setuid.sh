#!/bin/sh
# SPDX-License-Identifier: MIT
# A process that executes a set-user-ID (or set-group-ID) program as
# another user is dropped by the kernel at that exec (fs/exec.c:
# perf_event_exit_task for a non-dumpable process): its syscalls are not in
# the recording and no LOST record says so.  The recorder names the process
# and says why.  Here user nobody (through setpriv) runs a set-user-ID-root
# copy of connect-loop; the same copy without the bit, and run by root
# (whose exec changes no ids), is recorded whole, with no such message.
. "$(dirname "$0")/lib.sh"
require_perf
[ "$(id -u)" = 0 ] || skip "needs root to make a set-user-ID program"
command -v setpriv >/dev/null 2>&1 || skip "needs setpriv (util-linux) to become nobody"
case ",$(findmnt -n -o OPTIONS -T "$T" 2>/dev/null)," in
*,nosuid,*) skip "$T is on a nosuid mount" ;;
esac
[ "$(cat /proc/sys/fs/suid_dumpable)" = 1 ] &&
	skip "fs.suid_dumpable is 1: this kernel keeps recording set-user-ID programs"

chmod 0755 "$T"
p=$T/suid-connect
cp "$TARGETS/connect-loop" "$p"
chown root:root "$p"
nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"

# run WHAT MODE [RUNNER...]: record 5 connects of the copy, made MODE, run through RUNNER.
run() {
	chmod "$2" "$p"
	f=$T/$1.screc
	shift 2
	"$SCREC" record -e connect -o "$f" -- "$@" "$p" 5 2>"$T/err"
	rc=$?
	raw "$f"
	r=$f.txt
	pid=$(awk '$1 == "comm" && /exec=1 comm="suid-connect"/ {
		for (i = 2; i <= NF; i++) if ($i ~ /^pid=/) print substr($i, 5) }' "$r")
	refused=$(count "$r" '$1 == "sys_exit" && / syscall=connect ret=-111$/')
}

run setuid 4755 $nobody
expect_eq "$rc" 0 "setuid: screc exits as the command did"
check "setuid: its exec is recorded" [ -n "$pid" ]
expect_eq "$refused" 0 "setuid: none of its connects is recorded"
check "setuid: the kernel's EXIT record follows its exec" grep -q "^exit .* pid=$pid .*tid=$pid " "$r"
check "setuid: the recorder names it and says why" \
	grep -q "pid $pid (suid-connect): not recorded after its exec: it executed a set-user-ID program" \
	"$T/err"
check "setuid: and what to do" grep -q "attach to it with -p" "$T/err"

run setgid 2755 $nobody
check "setgid: its exec is recorded" [ -n "$pid" ]
expect_eq "$refused" 0 "setgid: none of its connects is recorded"
check "setgid: named, with the reason" \
	grep -q "pid $pid (suid-connect): not recorded after its exec: it executed a set-group-ID program" \
	"$T/err"

run plain 0755 $nobody
expect_eq "$refused" 5 "without the bit: every connect is recorded"
check "without the bit: no such message" sh -c "! grep -q 'not recorded after its exec' '$T/err'"

run root 4755
expect_eq "$refused" 5 "run by root (no change of user): every connect is recorded"
check "run by root: no such message" sh -c "! grep -q 'not recorded after its exec' '$T/err'"

# A program that makes none of the recorded calls is no such case.
"$SCREC" record -e connect -o "$T/true.screc" -- true 2>"$T/err"
check "an exec with no recorded calls: no message" sh -c "! grep -q 'not recorded' '$T/err'"
finish
