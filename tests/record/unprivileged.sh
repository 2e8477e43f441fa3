#!/bin/sh
# SPDX-License-Identifier: MIT
# What screc tells a user who is not root, and that its advice works.  As
# nobody (setpriv): tracefs, whose tracepoint files are root's (0440), is
# refused with the remedy (a group of the user's through tracefs's mount
# options, or root; a chmod of the top directory is not enough).  Then
# with CAP_DAC_READ_SEARCH standing in for that group (no global setting is
# changed): a few syscalls record with no capability at all (own
# tracepoints, user samples, rings grown only as far as the locked-memory limit);
# every syscall is refused with what it needs; another user's process (-p)
# needs CAP_SYS_PTRACE; and with CAP_PERFMON and CAP_IPC_LOCK, as advised,
# everything records.
. "$(dirname "$0")/lib.sh"
require_perf
[ "$(id -u)" = 0 ] || skip "needs root to become nobody"
command -v setpriv >/dev/null 2>&1 || skip "needs setpriv (util-linux)"

chmod 0755 "$T"
mkdir "$T/out"
chown nobody "$T/out"
# as CAPS CMD...: run as nobody with the ambient capabilities CAPS (- for none).
as() {
	caps=$1
	shift
	if [ "$caps" = - ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
	else
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps="$caps" \
			--ambient-caps="$caps" "$@"
	fi
}
tracefs=/sys/kernel/tracing
[ -d "$tracefs/events" ] || skip "tracefs is not at $tracefs"
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)

# 1. tracefs as it is by default.
if as - test -r "$tracefs/events/syscalls/sys_enter_getppid/id" 2>/dev/null; then
	ok "# SKIP nobody can read the tracepoint files here: tracefs was opened up"
else
	as - "$SCREC_RECORD" record -e getppid -o "$T/out/a.screc" -- true 2>"$T/err"
	expect_eq $? 1 "tracefs root's: refused"
	cat "$T/err"
	check "it advises root, or a group through tracefs's mount options" \
		grep -q "run as root, or give a group of yours the tracepoint files (as root: mount -o remount,mode=750,gid=GROUP $tracefs)" "$T/err"
	check "and the capabilities that recording then needs" \
		grep -q "setcap cap_perfmon,cap_ipc_lock=ep" "$T/err"
	check "not a chmod or mode of the top directory alone" \
		sh -c "! grep -qE 'chmod|mode=755' '$T/err'"
fi

# 2. The tracepoint files readable, as a group of nobody's would make them.
dac=+dac_read_search
if [ "$paranoid" -ne 2 ]; then
	ok "# SKIP kernel.perf_event_paranoid is $paranoid, not the default 2"
	finish
fi
as $dac "$SCREC_RECORD" record -e connect -o "$T/out/own.screc" -- "$TARGETS/connect-loop" 3 \
	2>"$T/err"
expect_eq $? 0 "no capability, one syscall: recorded"
raw "$T/out/own.screc"
expect_eq "$(count "$T/out/own.screc.txt" '$1 == "sys_enter" && / syscall=connect /')" 3 \
	"no capability, one syscall: its 3 calls"
expect_eq "$(tail -n 1 "$T/out/own.screc.txt")" "end complete" "no capability, one syscall: complete"
# The rings start small and grow once needed (3000 calls fill one a quarter):
# as far as the locked-memory limit allows, which is said.
as $dac "$SCREC_RECORD" record -e connect -o "$T/out/busy.screc" -- "$TARGETS/connect-loop" 3000 \
	2>"$T/err"
expect_eq $? 0 "no capability, 3000 calls: recorded"
check "the rings grew only to the locked-memory limit, and it says so" \
	grep -q "pages per CPU, not .*give screc CAP_IPC_LOCK" "$T/err"

as $dac "$SCREC_RECORD" record -o "$T/out/all.screc" -- "$TARGETS/connect-loop" 3 2>"$T/err"
expect_eq $? 1 "no capability, every syscall: refused"
check "it says what every syscall needs, and the way without" \
	grep -q "recording every syscall (or more than 4) needs root, or CAP_PERFMON .* or kernel.perf_event_paranoid 1 or lower (now 2); without them, name at most 4 syscalls with -e" "$T/err"

as $dac "$SCREC_RECORD" record -e connect -m 16384 -o "$T/out/m.screc" -- true 2>"$T/err"
expect_eq $? 1 "no capability, -m too large: refused"
check "it says -m is over the locked-memory limit" \
	grep -q "locked memory .*give a smaller -m, or screc CAP_IPC_LOCK" "$T/err"

sleep 60 &
root_pid=$!
bg_pids="$bg_pids $root_pid"
as $dac "$SCREC_RECORD" record -e connect -p "$root_pid" --duration 0.2 -o "$T/out/p.screc" 2>"$T/err"
expect_eq $? 1 "-p on root's process: refused"
check "it says another user's process needs CAP_SYS_PTRACE" \
	grep -q "a process of another user .*CAP_SYS_PTRACE" "$T/err"
kill "$root_pid"

as $dac,+perfmon,+ipc_lock "$SCREC_RECORD" record -o "$T/out/caps.screc" -- \
	"$TARGETS/connect-loop" 3 2>"$T/err"
expect_eq $? 0 "with CAP_PERFMON and CAP_IPC_LOCK as advised: every syscall recorded"
cat "$T/err"
raw "$T/out/caps.screc"
expect_eq "$(count "$T/out/caps.screc.txt" '$1 == "sys_enter" && / syscall=connect /')" 3 \
	"with the capabilities: the 3 connects among them"
check "with the capabilities: other syscalls too" \
	[ "$(count "$T/out/caps.screc.txt" '$1 == "sys_enter" && !/ syscall=connect /')" -gt 0 ]
check "with the capabilities: full-size rings" sh -c "! grep -q 'pages per CPU, not' '$T/err'"
finish
