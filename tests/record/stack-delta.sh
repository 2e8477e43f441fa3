#!/bin/sh
# SPDX-License-Identifier: MIT
# Stack deltas (format version 3; 2 added them): a recording made with whole stacks
# (SCREC_NO_STACK_DELTA=1) and the same recording re-encoded with the
# recorder's delta encoder report the same, byte for byte, in the listing,
# JSON and the tree; a recording made with deltas is version 3 and complete;
# a version-1 recording still reads; one that needs a newer reader is refused
# with a message that says so.
# Extra arguments: the test-stack-delta program, a version-1 recording.
. "$(dirname "$0")/lib.sh"
require_perf
ENCODE=$(readlink -f "$1")
V1=$(readlink -f "$2")

whole=$T/whole.screc
SCREC_NO_STACK_DELTA=1 "$SCREC" record -e connect -o "$whole" -- \
	"$TARGETS/connect-threads" 4 300 2>"$T/err"
expect_eq $? 0 "screc exits 0 (whole stacks)"
expect_eq "$(od -An -tu4 -j8 -N8 "$whole" | tr -s ' ')" " 3 1" "version 3, readable by version 1"
check "re-encoded with deltas" "$ENCODE" --encode "$whole" "$T/delta.screc"
expect_eq "$(od -An -tu4 -j8 -N8 "$T/delta.screc" | tr -s ' ')" " 3 3" "version 3, needs version 3"
for fmt in "" "--format json" "--tree"; do
	# shellcheck disable=SC2086 # fmt is options
	"$SCREC" report $fmt "$whole" >"$T/whole.out" 2>"$T/whole.err"
	expect_eq $? 0 "report $fmt of whole stacks"
	# shellcheck disable=SC2086
	"$SCREC" report $fmt "$T/delta.screc" >"$T/delta.out" 2>"$T/delta.err"
	expect_eq $? 0 "report $fmt of deltas"
	expect_ge "$(wc -l <"$T/whole.out")" 5 "report $fmt says something"
	check "report $fmt: the same output" cmp "$T/whole.out" "$T/delta.out"
	check "report $fmt: the same summary" cmp "$T/whole.err" "$T/delta.err"
done

f=$T/rec.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-threads" 4 300 2>"$T/err"
expect_eq $? 0 "screc exits 0 (deltas)"
expect_eq "$(od -An -tu8 -j24 -N8 "$f" | tr -d ' ')" 13 "features: trimmed stacks, deltas, paired heads"
expect_ge "$(stat -c %s "$whole")" "$(stat -c %s "$f")" "smaller than with whole stacks"
"$SCREC" report "$f" >"$T/out" 2>"$T/rep.err"
expect_eq $? 0 "report of deltas"
check "1200 events, all unwound" grep -q "^screc: 1200 events, 1200 unwound fully" "$T/rep.err"
expect_eq "$(grep -c '^ > .*(thread_main+' "$T/out")" 1200 "every event's stack has its thread's frames"

"$SCREC" report "$V1" >"$T/v1.out" 2>"$T/v1.err"
expect_eq $? 0 "a version-1 recording reads"
check "all its events" grep -q "^screc: [1-9][0-9]* events" "$T/v1.err"

# min_version 4: a file this screc cannot read.
cp "$f" "$T/v4.screc"
printf '\004' | dd of="$T/v4.screc" bs=1 seek=12 conv=notrunc 2>/dev/null
"$SCREC" report "$T/v4.screc" >/dev/null 2>"$T/v4.err"
expect_eq $? 1 "a recording that needs a newer reader is refused"
check "saying so" grep -q "recorded by a newer screc" "$T/v4.err"
finish
