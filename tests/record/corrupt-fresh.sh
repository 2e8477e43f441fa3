#!/bin/sh
# SPDX-License-Identifier: MIT
# The corrupt-input unit tests on a recording made just now by this kernel:
# cut at every byte offset and mutated, through the reader and `--raw`.
# Usage: corrupt-fresh.sh SCREC SCREC_RECORD TARGETS TEST_CORRUPT TEST_DUMP
. "$(dirname "$0")/lib.sh"
require_perf
test_corrupt=$1
test_dump=$2

f=$T/fresh.screc
"$SCREC" record -e connect,getppid -o "$f" -- "$TARGETS/connect-loop" 5 2>"$T/err"
expect_eq $? 0 "recorded"
SCREC_FUZZ_ROUNDS=${SCREC_FUZZ_ROUNDS:-2000}
export SCREC_FUZZ_ROUNDS
"$test_corrupt" "$f" >"$T/corrupt.tap"
rc=$?
grep -v '^ok' "$T/corrupt.tap"
expect_eq $rc 0 "reader: cuts and mutations of a fresh recording"
if [ "$test_dump" != "$test_corrupt" ]; then
	"$test_dump" "$f" >"$T/dump.tap"
	rc=$?
	grep -v '^ok' "$T/dump.tap"
	expect_eq $rc 0 "--raw: cuts and mutations of a fresh recording"
fi
finish
