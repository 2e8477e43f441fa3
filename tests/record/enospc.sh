#!/bin/sh
# SPDX-License-Identifier: MIT
# Out of disk space part way: screc says so, the file reads up to the last
# whole frame and is reported truncated, and the command still runs to its
# end (screc waits for it rather than leaving it behind).
. "$(dirname "$0")/lib.sh"
require_perf
[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"

mkdir "$T/full"
mount -t tmpfs -o size=200k tmpfs "$T/full" 2>"$T/mount.err" ||
	skip "cannot mount a tmpfs: $(cat "$T/mount.err")"
on_exit="umount '$T/full'"

f=$T/full/f.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-spin" 3 "$T/ready" 0 2>"$T/err"
rc=$?
cat "$T/err"
check "screc fails (status $rc)" [ "$rc" -ne 0 ]
check "it says the disk is full" grep -q "No space left on device" "$T/err"
check "it says the file is readable up to the error" grep -q "readable" "$T/err"
tpid=$(cat "$T/ready" 2>/dev/null)
check "the command ran" [ -n "$tpid" ]
check "the command was not left running" sh -c "! kill -0 $tpid 2>/dev/null"
cp "$f" "$T/copy.screc"
raw "$T/copy.screc"
r=$T/copy.screc.txt
check "the header reads" grep -q '^header version=' "$r"
check "the preamble reads" grep -q '^attr kind=enter ' "$r"
case "$(tail -n 1 "$r")" in
"end truncated"*) ok "it is reported truncated" ;;
*) not_ok "last line: $(tail -n 1 "$r")" ;;
esac
finish
