/* SPDX-License-Identifier: MIT */
/*
 * Stacks shaped to answer one question, before any sink sees them:
 *
 * - folding (--fold): a run of consecutive frames in a folded binary (libc,
 *   ld.so, ...) becomes its outermost frame, the function the program
 *   called; a bottom-up tree then shows the program's own caller right under
 *   "getaddrinfo", not eight libc frames deep;
 * - focus (--callers FUNC, --callees FUNC): only the events whose stack
 *   passes through FUNC, cut at FUNC: --callers drops the frames between the
 *   syscall and FUNC (what leads to FUNC), --callees drops the frames outside
 *   FUNC (what FUNC leads to).
 *
 * The session shapes each finished event just before it hands it to the
 * sink (this lives with the sinks, as the last step before them): every
 * sink gets the shaped stacks, so the options compose with the tree and the
 * exports alike.  The report's own counts (unwound, truncated,
 * unresolved frames) are taken before shaping.
 */
#ifndef SCREC_SHAPE_H
#define SCREC_SHAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "report/event.h"

#define SHAPE_MAX_PATTERNS	32

struct shape_opts {
	bool fold;			/* --fold given */
	const char *fold_patterns[SHAPE_MAX_PATTERNS];	/* none with fold: the system libraries */
	size_t nr_fold;
	const char *callers[SHAPE_MAX_PATTERNS];	/* --callers FUNC (repeatable) */
	size_t nr_callers;
	const char *callees[SHAPE_MAX_PATTERNS];	/* --callees FUNC */
	size_t nr_callees;
};

/* Whether any shaping was asked for. */
bool shape_active(const struct shape_opts *o);

/*
 * Add --fold's comma list (NULL: the default, system libraries).  Returns
 * 0, or -E2BIG past SHAPE_MAX_PATTERNS.  The strings must outlive o.
 */
int shape_add_fold(struct shape_opts *o, char *list);

/* Whether a frame's function is FUNC: a glob (fnmatch), or a name that matches up to its '('. */
bool shape_func_matches(const char *pattern, const char *sym);

/* Whether a binary is one of the system's libraries (under /lib, /usr/lib...) or the vdso. */
bool shape_system_library(const char *dso);

/* Whether a binary is folded: its file name or path matches a pattern. */
bool shape_dso_folded(const struct shape_opts *o, const char *dso);

/*
 * Shape frames[0..*nr) (innermost first) in place and *end with them.
 * Returns false when the focus drops the event.
 */
bool shape_stack(const struct shape_opts *o, struct frame *frames, size_t *nr,
		 enum stack_end *end);

#endif
