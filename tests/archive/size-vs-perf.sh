#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: how much --archive adds to a recording, next to the
# tarball `perf archive` makes for a `perf record --call-graph dwarf` of the
# same run.  Both record the connect calls of the same command.
#
#   tests/archive/size-vs-perf.sh [BUILD_DIR] [-- COMMAND...]
#
# BUILD_DIR defaults to build-d; COMMAND to BUILD_DIR/tests/archive/chain-alpha.
# perf's build-id cache goes to a scratch directory, not ~/.debug.
set -eu

build=build-d
if [ $# -gt 0 ] && [ "$1" != -- ]; then
	build=$1
	shift
fi
[ $# -gt 0 ] && [ "$1" = -- ] && shift
[ $# -gt 0 ] || set -- "$build/tests/archive/chain-alpha"
screc=$build/screc

for tool in "$screc" perf tar bzip2; do
	command -v "$tool" >/dev/null 2>&1 || { echo "size-vs-perf: $tool not found" >&2; exit 77; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/screc-size-vs-perf.XXXXXX")
trap 'rm -rf "$T"' EXIT

size() { stat -c %s "$1"; }

"$screc" record -e connect -o "$T/plain.screc" -- "$@" 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
base=$(size "$T/plain.screc")
printf '%-34s %10s  %s\n' 'what' 'bytes' 'notes'
printf '%-34s %10d\n' 'screc record (no archive)' "$base"
for level in unwind symbols full; do
	"$screc" record --archive=$level -e connect -o "$T/$level.screc" -- "$@" 2>"$T/err" ||
		{ cat "$T/err" >&2; exit 1; }
	said=$(sed -n 's/^screc: archived //p' "$T/err")
	printf '%-34s %+10d  %s\n' "screc --archive=$level: growth" \
		$(( $(size "$T/$level.screc") - base )) "$said"
done

# perf: its own build-id cache, so that perf archive takes only this run's files.
export PERF_BUILDID_DIR="$T/perf-debug"
if ! perf --buildid-dir "$PERF_BUILDID_DIR" record -q -e syscalls:sys_enter_connect \
		--call-graph dwarf -o "$T/perf.data" -- "$@" >"$T/err" 2>&1; then
	echo "size-vs-perf: perf record failed (perf_event_open not permitted?):" >&2
	cat "$T/err" >&2
	exit 77
fi
(cd "$T" && perf --buildid-dir "$PERF_BUILDID_DIR" archive perf.data >/dev/null 2>"$T/err") ||
	{ cat "$T/err" >&2; exit 1; }
printf '%-34s %10d\n' 'perf record --call-graph dwarf' "$(size "$T/perf.data")"
printf '%-34s %10d  %s\n' 'perf archive: tarball (bzip2)' "$(size "$T/perf.data.tar.bz2")" \
	"$(tar tjf "$T/perf.data.tar.bz2" | grep -c '^\.build-id/') build-ids: \
$(tar tjf "$T/perf.data.tar.bz2" | sed -n 's|^\(.*\)/[0-9a-f]\{40\}/elf$|/\1|p' | tr '\n' ' ')"
echo "(perf archive takes only the files with sample hits, 'perf buildid-list --with-hits';"
echo " screc takes every binary mapped by a process that has samples)"
