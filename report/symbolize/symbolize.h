/* SPDX-License-Identifier: MIT */
/*
 * The symbolizer: program counters to function names (demangled), offsets,
 * inline frames and source lines.  Results are cached per (build-id, address
 * in the file) (the recorded path stands in for a file without a build-id),
 * which is the same for every process mapping the file; the keys are
 * contents, not pointers, so a cache could be shared by sessions.
 */
#ifndef SCREC_SYMBOLIZE_H
#define SCREC_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "report/event.h"
#include "report/model/proc.h"
#include "report/unwind/unwind.h"

struct symbolizer;
struct finder;
struct screc_strtab;

/* A symbolizer reading files through find, its names interned in strs.  NULL without memory. */
struct symbolizer *sym_new(struct finder *find, struct screc_strtab *strs);
/* NULL is a no-op. */
void sym_free(struct symbolizer *sy);

/*
 * Turn the raw frames of res (unwound in as) into symbolized frames in out
 * (capacity max; inline frames add entries).  Returns how many were written.
 */
size_t sym_frames(struct symbolizer *sy, struct aspace *as, const struct unwind_result *res,
		  struct frame *out, size_t max);

/*
 * Whether inline frames are listed (the default) or each physical frame
 * stands alone, named by the function that holds its code, with the source
 * line of the outermost call site: frame counts then compare with strace's
 * and perf --no-inline's.
 */
void sym_set_inline(struct symbolizer *sy, bool show);

/*
 * A symbol's name as shown: symbol versions, Go's ".abi0" and ".cold" parts
 * dropped, C++ and Rust (legacy and v0) demangled.  Interned in strs.
 */
const char *sym_demangle(struct screc_strtab *strs, const char *name);

#endif
