#!/bin/sh
# SPDX-License-Identifier: MIT
# cc-nocfi.sh OBJCOPY OUT CC ARGS...: compile with CC ARGS into OUT, then
# remove .debug_frame, so that with -fno-asynchronous-unwind-tables the
# program's own code has no CFI at all.
set -eu
objcopy=$1 out=$2
shift 2
"$@" -o "$out.tmp"
"$objcopy" --remove-section=.debug_frame "$out.tmp" "$out"
rm -f "$out.tmp"
