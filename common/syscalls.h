/* SPDX-License-Identifier: MIT */
/*
 * Syscall names and numbers of the recording architecture (x86_64), from the
 * data table in syscalls-x86_64.def.
 */
#ifndef SCREC_SYSCALLS_H
#define SCREC_SYSCALLS_H

#include <stddef.h>

/* The number of a syscall name, or -1. */
int screc_syscall_nr(const char *name);
/* The name of a syscall number, or NULL. */
const char *screc_syscall_name(long nr);
/*
 * The tracepoint suffix of a syscall ("newstat" for "stat"): the kernel names
 * a few tracepoints after its internal function.  Never NULL.
 */
const char *screc_syscall_tracepoint(const char *name);
/* The syscall name of a tracepoint suffix (the inverse of the above). */
const char *screc_syscall_from_tracepoint(const char *tp);
/*
 * Fill out[] with up to max names closest to an unknown one (edit distance),
 * best first.  Returns how many.
 */
size_t screc_syscall_suggest(const char *name, const char **out, size_t max);

#endif
