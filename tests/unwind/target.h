/* SPDX-License-Identifier: MIT */
/*
 * Shared bits of the unwinder's test targets (tests/report/target.h's
 * socket helpers, with a NOINLINE that clang understands too).  Every call
 * level is its own function with a distinct name, kept out of line and out
 * of inter-procedural changes, and every call is followed by NO_TAIL so that
 * a real return address stays on the stack.
 */
#ifndef SCREC_UNWIND_TARGET_H
#define SCREC_UNWIND_TARGET_H

#include "../report/target.h"

#ifdef __clang__
/* clang has no noipa: external linkage keeps signatures, noinline the calls. */
#undef NOIPA
#define NOIPA __attribute__((noinline))
#define LEVEL
#else
#define LEVEL static
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)

#endif
