#!/bin/sh
# SPDX-License-Identifier: MIT
# Split an executable into a stripped one and its separate debug file, the way
# distributions ship them: split-debug.sh IN STRIPPED DEBUG [--debuglink]
# With --debuglink the stripped file names DEBUG in .gnu_debuglink; without,
# only its build-id leads to the debug file.
set -eu
in=$1 out=$2 debug=$3
objcopy --only-keep-debug "$in" "$debug"
strip --strip-all -o "$out" "$in"
if [ "${4:-}" = --debuglink ]; then
	# objcopy records only the base name: the report looks next to $out.
	objcopy --add-gnu-debuglink="$debug" "$out"
fi
