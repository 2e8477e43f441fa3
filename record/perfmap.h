/* SPDX-License-Identifier: MIT */
/*
 * JIT perf maps (/tmp/perf-PID.map) of the recorded processes into the
 * recording as PERFMAP records.  See perfmap.c.
 */
#ifndef SCREC_RECORD_PERFMAP_H
#define SCREC_RECORD_PERFMAP_H

#include <stdint.h>

struct session;

/*
 * Copy the perf map of pid, once per process: nothing when it has none (or
 * was copied).  Returns 0, or -errno (a file that is not the process's is
 * refused with -EPERM; a write error is also the session's).
 */
int perfmap_copy(struct session *s, uint32_t pid);

/* Copy the maps of every recorded process not copied yet (at the end). */
void perfmap_copy_all(struct session *s);

#endif
