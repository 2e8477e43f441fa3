/* SPDX-License-Identifier: MIT */
/*
 * A finished event, as the sinks receive it: the syscall with its arguments,
 * return value and duration, and the unwound, symbolized stack.  Sinks only
 * read events; nothing in an event may be kept after the call returns except
 * by copying.  Strings are owned by the report and interned for as long as it
 * runs: two equal pointers are two equal strings until end() returns, so a
 * sink may use them as keys (equal strings may still come as two pointers).  This is
 * the one header the sinks and the aggregation share with the stages before
 * them: it carries everything they print, so that they never reach back.
 */
#ifndef SCREC_EVENT_H
#define SCREC_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/syscall-set.h"

/* How a frame was found. */
enum frame_method {
	FRAME_INITIAL = 0,	/* the sample's own ip */
	FRAME_CFI,		/* DWARF call frame information */
	FRAME_FP,		/* frame pointer chain */
	FRAME_PROLOGUE,		/* stack height from decoding the function's prologue */
	FRAME_INLINE,		/* an inlined call inside the frame before it */
	FRAME_SIGNAL,		/* through a signal frame's saved context */
};

/* Why the stack ends where it ends. */
enum stack_end {
	STACK_COMPLETE = 0,	/* reached the outermost frame (_start, thread start) */
	STACK_TRUNCATED,	/* ran out of the recorded stack snapshot */
	STACK_SWITCH,		/* continues on a stack that was not recorded */
	STACK_BROKEN,		/* no way found to unwind further */
};

struct frame {
	uint64_t pc;		/* absolute address (a caller's return address, as on the stack) */
	uint64_t rel;		/* address inside the module's ELF file (for addr2line), 0 if none */
	const char *dso;	/* mapped file path, "[vdso]", "[anon]", or NULL */
	const char *build_id;	/* hex, or NULL */
	const char *sym;	/* demangled function name, or NULL when unknown */
	uint64_t sym_off;	/* pc - function start */
	const char *file;	/* source file, or NULL */
	int line;		/* 0 if unknown */
	bool inlined;		/* an inlined call: same pc as the frame after it */
	bool bad_build_id;	/* the file on this machine differs from the recorded one */
	bool guessed;		/* the unwinder chose among several readings of the stack here */
	unsigned folded;	/* --fold: inner frames of its binary folded into this one */
	enum frame_method method;
};

struct event {
	uint32_t pid, tid;
	uint32_t cpu;
	const char *comm;
	unsigned recording;	/* which recording of the report (0 for the first) */
	const char *host;	/* the recording's host name, NULL if unknown */
	uint64_t time;		/* ns on the recording clock */
	uint64_t rel_time;	/* ns since the recording started */
	long nr;		/* syscall number */
	const char *syscall;	/* name, or NULL when unknown */
	uint64_t args[6];
	unsigned nr_args;
	unsigned arg_is_ptr;	/* bit i: args[i] is a pointer (print in hex) */
	const char *args_text;	/* the arguments decoded, strace-style ("3, \"/etc\", O_RDONLY"), or NULL */
	const char *ret_text;	/* the return decoded (" = 3</etc/hosts>"), or NULL */
	bool has_ret;		/* the matching exit was recorded */
	int64_t ret;
	int err;		/* the errno a failed call returned, else 0 */
	const char *err_name;	/* "ECONNREFUSED", NULL when err is 0 or unknown */
	const char *err_msg;	/* "Connection refused", NULL likewise */
	uint64_t duration_ns;	/* enter to exit, if has_ret */
	const struct frame *frames;	/* innermost first */
	size_t nr_frames;
	enum stack_end end;
	uint64_t stack_size;	/* snapshot bytes recorded */
	uint64_t seq;		/* its place in the report's order (ascending) */
};

/* A thread of a recording, as the sinks' metadata lists them. */
struct report_task {
	uint32_t pid, tid;
	const char *comm;	/* its last name */
};

/*
 * What the sinks learn of a recording in begin(): where and how it was
 * made.  Strings are NULL when the recording lacks them.  The tasks are
 * complete only by end(); the pointer stays valid until then.
 */
struct report_meta {
	unsigned recording;		/* its index among the report's recordings */
	const char *path;		/* the recording file */
	const char *hostname;
	const char *kernel;		/* kernel release */
	const char *machine;		/* "x86_64" */
	const char *screc_version;	/* of the recorder */
	const char *cmdline;		/* the recorder's command line, words separated by spaces */
	const char *events;		/* the -e list as given */
	uint64_t start_realtime_ns;	/* wall clock at the start (0 if unknown) */
	uint64_t start_clock_ns;	/* the same instant on the recording clock */
	uint32_t clockid;		/* the clock of every event time */
	uint32_t e_machine;		/* ELF machine of the recording host (0 if unknown) */
	uint32_t stack_size;		/* bytes of stack asked per snapshot */
	uint32_t nr_cpus;
	const struct report_task *tasks;
	size_t nr_tasks;
};

/* What a report learned, for its final line and for sinks' end(). */
struct report_stats {
	uint64_t events;
	uint64_t complete;	/* unwound to the outermost frame */
	uint64_t truncated;
	uint64_t switched;	/* ended at a stack switch */
	uint64_t broken;
	uint64_t lost;
	uint64_t frames;
	uint64_t unresolved_frames;
	uint64_t max_needed_stack;	/* largest snapshot a truncated stack would have needed (estimate) */
	uint64_t samples;	/* syscall-entry samples read, before any filter */
	uint64_t unreadable;	/* samples no attribute or tracepoint of the recording describes */
	uint64_t unread;	/* paths and sockaddrs printed as pointers: their bytes were not recorded */
	uint64_t expected;	/* entry samples the trailer counts (0 without a trailer) */
	struct screc_syscall_set seen;	/* the syscalls of the samples read */
};

#endif
