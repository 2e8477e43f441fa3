#!/bin/sh
# SPDX-License-Identifier: MIT
# strip-frames.sh IN OUT: copy IN without .debug_frame, so that together with
# -fno-asynchronous-unwind-tables the program's own code has no CFI at all
# and only the frame-pointer unwinder can walk it.
set -eu
objcopy --remove-section=.debug_frame "$1" "$2"
