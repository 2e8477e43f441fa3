#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Remake the unwinder's test data (test-unwind reads it; the tests never run
# this).  Builds target.c twice (cfi: CFI only, no frame pointers; fp: frame
# pointers, no CFI at all), records each one's connect(2) once with the real
# recorder, and puts each binary in a .build-id tree, where the report finds
# it with --debug-dir (report/find/find.c, by_build_id).  The programs run
# from a temporary directory that is deleted afterwards, so the paths in the
# recordings do not exist and only the build-id lookup can find the files.
#
# The recordings are named *.screc-v1 (the format version they were written
# in, and out of .gitignore's *.screc), like data/connect-3.screc-v1.
#
# Needs root (or perf_event_paranoid <= 1) and gcc.
# Usage: tests/unit/data/unwind/gen.sh [BUILD_DIR]   (default: build)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
screc=$build/screc
cc=${CC:-gcc}

[ -x "$screc" ] || { echo "gen.sh: $screc: build screc first" >&2; exit 1; }

# No libc, one static segment; sibling calls kept as calls, so that every
# level has a frame of its own.
common="-O2 -g -nostdlib -static -fno-stack-protector -fcf-protection=none
	-fno-optimize-sibling-calls -Wl,--build-id=sha1 -Wl,-z,noseparate-code
	-Wl,-z,max-page-size=4096 -Wl,-z,norelro"

tmp=$(mktemp -d /tmp/screc-unwind.XXXXXXXX)
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2086
$cc $common -fasynchronous-unwind-tables -fomit-frame-pointer \
	-o "$tmp/target-cfi" "$here/target.c"
# shellcheck disable=SC2086
$cc $common -DFRAME_POINTERS -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-o "$tmp/target-fp" "$here/target.c"
# -g still writes .debug_frame: drop it (the build-id note stays as linked).
objcopy --remove-section=.debug_frame "$tmp/target-fp"

rm -rf "$here/.build-id" "$here"/*.screc-v1
for v in cfi fp; do
	id=$(readelf -n "$tmp/target-$v" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
	[ -n "$id" ] || { echo "gen.sh: target-$v: no build-id" >&2; exit 1; }
	d=$(printf %s "$id" | cut -c1-2)
	rest=$(printf %s "$id" | cut -c3-)
	mkdir -p "$here/.build-id/$d"
	cp "$tmp/target-$v" "$here/.build-id/$d/$rest"
	# An empty environment: the stack snapshot holds no one's variables.
	(cd "$tmp" && env -i "$screc" record -e connect -o "$here/$v.screc-v1" -- "./target-$v")
	echo "$v: build-id $id"
done
