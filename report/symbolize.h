/* SPDX-License-Identifier: MIT */
/*
 * The symbolizer: program counters to function names (demangled), offsets,
 * inline frames and source lines, cached per (file, address) so that each
 * distinct pc is looked up once per report.
 */
#ifndef SCREC_SYMBOLIZE_H
#define SCREC_SYMBOLIZE_H

#include <stddef.h>

#include "event.h"
#include "proc.h"
#include "unwind.h"

/*
 * Turn the raw frames of res (unwound in as) into symbolized frames in out
 * (capacity max; inline frames add entries).  Returns how many were written.
 */
size_t symbolize(struct aspace *as, const struct unwind_result *res, struct frame *out, size_t max);

/* Demangle a C++ or Rust (legacy or v0) symbol; returns an interned string. */
const char *demangle(const char *name);

/* Free the caches. */
void symbolize_fini(void);

#endif
