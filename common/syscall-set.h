/* SPDX-License-Identifier: MIT */
/*
 * Sets of syscalls as strace's -e trace= names them: names, numbers, %classes, /regex,
 * ?optional names, ! negation, all and none.  A set is a bitmap over x86_64 syscall
 * numbers; the classes are data (syscall-classes.in, strace's syscallent flags).  The
 * recorder uses it for -e, the report for its filters, so it links only libc.
 */
#ifndef SCREC_SYSCALL_SET_H
#define SCREC_SYSCALL_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for every x86_64 syscall number (the highest is below 512). */
#define SCREC_SYSCALL_SET_MAX	512

struct screc_syscall_set {
	uint64_t bits[SCREC_SYSCALL_SET_MAX / 64];
};

/* strace's syscall classes; a syscall has any number of them. */
enum screc_syscall_class {
	SCREC_CLASS_DESC = 1u << 0,		/* %desc: takes or returns a file descriptor */
	SCREC_CLASS_FILE = 1u << 1,		/* %file: takes a file name */
	SCREC_CLASS_IPC = 1u << 2,		/* %ipc: SysV IPC */
	SCREC_CLASS_NETWORK = 1u << 3,		/* %network, %net */
	SCREC_CLASS_PROCESS = 1u << 4,		/* %process: process lifecycle */
	SCREC_CLASS_SIGNAL = 1u << 5,		/* %signal */
	SCREC_CLASS_MEMORY = 1u << 6,		/* %memory: memory mapping */
	SCREC_CLASS_CREDS = 1u << 7,		/* %creds: user, group, capabilities */
	SCREC_CLASS_CLOCK = 1u << 8,		/* %clock: read or change clocks */
	SCREC_CLASS_STAT = 1u << 9,		/* %stat */
	SCREC_CLASS_LSTAT = 1u << 10,		/* %lstat */
	SCREC_CLASS_FSTAT = 1u << 11,		/* %fstat */
	SCREC_CLASS_STAT_LIKE = 1u << 12,	/* %%stat: every stat variant */
	SCREC_CLASS_STATFS = 1u << 13,		/* %statfs */
	SCREC_CLASS_FSTATFS = 1u << 14,		/* %fstatfs */
	SCREC_CLASS_STATFS_LIKE = 1u << 15,	/* %%statfs */
	SCREC_CLASS_PURE = 1u << 16,		/* %pure: no arguments, never fails */
	SCREC_CLASS_NEVER_FAILS = 1u << 17,	/* not a -e class: the call cannot fail */
};

/* The i-th class name -e takes ("%file", "file", ...), or NULL past the last. */
const char *screc_syscall_class_name(size_t i);

/* Every syscall of the table. */
void screc_syscall_set_fill(struct screc_syscall_set *set);
/* No syscall. */
void screc_syscall_set_clear(struct screc_syscall_set *set);
/* Add nr; numbers outside the bitmap are ignored. */
void screc_syscall_set_add(struct screc_syscall_set *set, long nr);
/* Whether nr is in the set (false outside the bitmap). */
bool screc_syscall_set_has(const struct screc_syscall_set *set, long nr);
/* How many syscalls the set holds. */
size_t screc_syscall_set_count(const struct screc_syscall_set *set);
/*
 * The lowest number in the set that is at least from, or -1: iterate with
 * for (nr = screc_syscall_set_next(s, 0); nr >= 0; nr = screc_syscall_set_next(s, nr + 1)).
 */
long screc_syscall_set_next(const struct screc_syscall_set *set, long from);

/*
 * Parse an strace -e trace= expression into set, replacing what it held (strace keeps
 * only the last -e trace= of a command line, and so should callers that take several).
 * Accepted: an optional "trace=" or "t=" prefix; leading "!" (each one inverts); "all",
 * "none"; else a comma list of names, numbers, %class (%file, %net, %%stat, ...; the legacy
 * class names file, desc, ... too), /regex (POSIX extended, over the names), each
 * optionally prefixed by "?" so that it may match nothing.  Returns 0, or -EINVAL with a
 * message in err (at most errlen bytes, NUL-terminated) that names the closest real
 * syscalls for an unknown name.  On error set is left cleared.
 */
int screc_syscall_set_parse(struct screc_syscall_set *set, const char *expr, char *err,
			    size_t errlen);

/* The classes of syscall nr (SCREC_CLASS_* bits), 0 for unknown numbers. */
unsigned screc_syscall_classes(long nr);

/* The number of arguments strace prints for nr, or -1 for unknown numbers. */
int screc_syscall_nargs(long nr);

/*
 * The class bits of a class name as -e writes it ("%file", "%net", "%%stat", "file"),
 * or 0 for names that are not classes.
 */
unsigned screc_syscall_class_bits(const char *name);

#endif
