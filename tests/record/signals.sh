#!/bin/sh
# SPDX-License-Identifier: MIT
# SIGINT, SIGTERM and SIGHUP to screc stop the recording cleanly: the signal
# goes on to the command, screc exits as the command did (128 + signal), and
# the file is complete with its trailer.  A command that ignores the signal is
# left running after a grace period, and the file is still complete.
. "$(dirname "$0")/lib.sh"
require_perf

for sig in INT:2 TERM:15 HUP:1; do
	name=${sig%%:*}
	num=${sig#*:}
	f=$T/sig$name.screc
	rm -f "$T/ready"
	# A shell starts background jobs with SIGINT ignored; give screc the default back.
	env --default-signal=INT "$SCREC" record -e connect -o "$f" -- \
		"$TARGETS/connect-spin" 60 "$T/ready" 2>"$T/err" &
	spid=$!
	bg_pids="$bg_pids $spid"
	wait_for "$T/ready" || bail "SIG$name: the target did not start"
	tpid=$(cat "$T/ready")
	bg_pids="$bg_pids $tpid"
	kill -s "$name" "$spid"
	wait "$spid"
	expect_eq $? $((128 + num)) "SIG$name: screc exits as the command did"
	raw "$f"
	r=$f.txt
	expect_eq "$(tail -n 1 "$r")" "end complete" "SIG$name: complete"
	check "SIG$name: trailer" grep -q '^trailer ' "$r"
	check "SIG$name: the command's end is recorded" \
		grep -qE "^target_exit pid=$tpid status=0x$(printf %x $num)\$" "$r"
	expect_ge "$(count "$r" '$1 == "sys_enter" && / syscall=connect /')" 1 "SIG$name: entries"
	check "SIG$name: the command is gone" sh -c "! kill -0 $tpid 2>/dev/null"
done

# --duration ends a launched command with SIGTERM.
f=$T/duration.screc
"$SCREC" record -e connect --duration 1 -o "$f" -- "$TARGETS/connect-spin" 60 "$T/ready-d" 2>"$T/err"
expect_eq $? 143 "--duration: the command was ended by SIGTERM"
raw "$f"
expect_eq "$(tail -n 1 "$f.txt")" "end complete" "--duration: complete"
check "--duration: the command's end is recorded" grep -qE '^target_exit .* status=0xf$' "$f.txt"

# A command that ignores SIGTERM keeps running; screc stops anyway.
f=$T/ignore.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/exit-status" ignore-term 60 2>"$T/err" &
spid=$!
bg_pids="$bg_pids $spid"
tpid=
i=0
while [ -z "$tpid" ] && [ $i -lt 600 ]; do
	for c in $(children_of $spid); do
		# Ready once its SIGTERM is ignored (bit 15 of SigIgn).
		ign=$(awk '/^SigIgn:/ { print $2 }' /proc/$c/status 2>/dev/null)
		[ -n "$ign" ] && [ $((0x$ign & 0x4000)) -ne 0 ] && tpid=$c
	done
	i=$((i + 1))
	sleep 0.05
done
check "the ignoring command started" [ -n "$tpid" ]
bg_pids="$bg_pids $tpid"
kill -TERM "$spid"
wait "$spid"
expect_eq $? 143 "screc exits 128 + SIGTERM"
check "it says the command is still running" grep -q "still running" "$T/err"
check "the command is still running" running "$tpid"
raw "$f"
expect_eq "$(tail -n 1 "$f.txt")" "end complete" "complete"
kill -9 "$tpid" 2>/dev/null
finish
