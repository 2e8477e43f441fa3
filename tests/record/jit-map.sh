#!/bin/sh
# SPDX-License-Identifier: MIT
# JIT perf maps: a program that runs code from an anonymous executable page
# and names it in /tmp/perf-PID.map (as node --perf-basic-prof, python -X
# perf and perf-map-agent do).  The recorder copies the map into the
# recording (PERFMAP records, in pieces, when the process exits), so the
# report names the JIT frame after the file is gone; without a recorded map
# the report falls back to this host's file, and -v says which it used.
# The maps go to directories of the test's own (SCREC_PERF_MAP_DIR, and the
# target's DIR argument), not /tmp, where other tests take perf maps away.
. "$(dirname "$0")/lib.sh"
require_perf

n=5
mkdir "$T/maps" "$T/empty" "$T/local" "$T/links" "$T/out"
f=$T/jit.screc
SCREC_PERF_MAP_DIR=$T/maps "$SCREC" record -e getppid -o "$f" -- "$TARGETS/jit-perfmap" $n 20000 \
	"$T/maps" 2>"$T/err"
expect_eq $? 0 "record exits 0"
raw "$f"
r=$f.txt
pid=$(value "$r" info target_pid)
map=$T/maps/perf-$pid.map
check "the program wrote its map" [ -s "$map" ]
size=$(stat -c %s "$map")
expect_ge "$(count "$r" '$1 == "perfmap" && $2 == "pid='"$pid"'"')" 2 "a map of $size bytes in several pieces"
expect_eq "$(awk -v p="pid=$pid" '$1 == "perfmap" && $2 == p {
		split($3, o, "="); split($4, l, "=");
		if (o[2] != next_off) bad++; next_off = o[2] + l[2] }
	END { print (bad + 0) "/" next_off }' next_off=0 "$r")" "0/$size" \
	"the pieces follow each other and hold the whole map"
rm -f "$map"

SCREC_PERF_MAP_DIR=$T/maps "$SCREC" report -v "$f" >"$T/list" 2>"$T/list.err"
expect_eq $? 0 "report exits 0 (the map file is gone)"
expect_eq "$(grep -c '^ > //anon(jit_getppid_stub+0x7) ' "$T/list")" $n \
	"every getppid's first frame is named from the recorded map"
# Out of the JIT code (no CFI) the unwinder guesses: call_jit may be skipped, main is there.
expect_eq "$(grep -c 'jit-perfmap(main+' "$T/list")" $n "and the stack goes on to main"
check "-v says the names came from the recording" \
	grep -q "pid $pid: JIT names from the recording's perf map" "$T/list.err"

# No map copied (the recorder looks elsewhere): this host's file is used, and -v says so.
f=$T/local.screc
SCREC_PERF_MAP_DIR=$T/empty "$SCREC" record -e getppid -o "$f" -- "$TARGETS/jit-perfmap" $n 0 \
	"$T/local" 2>"$T/err"
expect_eq $? 0 "record without copying the map exits 0"
raw "$f"
r=$f.txt
pid=$(value "$r" info target_pid)
expect_eq "$(count "$r" '$1 == "perfmap"')" 0 "no map in the recording"
SCREC_PERF_MAP_DIR=$T/local "$SCREC" report -v "$f" >"$T/list" 2>"$T/list.err"
expect_eq "$(grep -c '^ > //anon(jit_getppid_stub+0x7) ' "$T/list")" $n \
	"the frames are named from this host's perf-$pid.map"
check "-v says the names came from this host's file" \
	grep -q "pid $pid: JIT names from this host's $T/local/perf-$pid.map" "$T/list.err"
SCREC_PERF_MAP_DIR=$T/empty "$SCREC" report -v "$f" >"$T/list" 2>"$T/list.err"
expect_eq "$(grep -c 'jit_getppid_stub' "$T/list")" 0 "without either, no name"
check "-v says there was no map" grep -q "pid $pid: no perf map" "$T/list.err"

# A map that is a link to another file is not copied (the recorder may be root).
echo "secret" >"$T/secret"
# The traced shell links its own pid's map to the secret, then execs the program.
f=$T/link.screc
SCREC_PERF_MAP_DIR=$T/links "$SCREC" record -e getppid -o "$f" -- sh -c '
	ln -s "$1" "$2/perf-$$.map"; exec "$3" 1 0 "$4"' sh "$T/secret" "$T/links" \
	"$TARGETS/jit-perfmap" "$T/out" 2>"$T/err"
expect_eq $? 0 "record with a linked map exits 0"
raw "$f"
check "the link was there" sh -c "ls '$T/links' | grep -q '^perf-[0-9]*\.map$'"
expect_eq "$(count "$f.txt" '$1 == "perfmap"')" 0 "a map that is a symbolic link is not copied"
finish
