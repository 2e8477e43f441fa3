/* SPDX-License-Identifier: MIT */
/*
 * A finished event, as the sinks receive it: the syscall with its arguments,
 * return value and duration, and the unwound, symbolized stack.  Sinks only
 * read events; nothing in an event may be kept after the call returns except
 * by copying (strings are owned by the report and may be reused).
 */
#ifndef SCREC_EVENT_H
#define SCREC_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
	enum frame_method method;
};

struct event {
	uint32_t pid, tid;
	const char *comm;
	uint64_t time;		/* ns on the recording clock */
	uint64_t rel_time;	/* ns since the recording started */
	long nr;		/* syscall number */
	const char *syscall;	/* name, or NULL when unknown */
	uint64_t args[6];
	unsigned nr_args;
	unsigned arg_is_ptr;	/* bit i: args[i] is a pointer (print in hex) */
	bool has_ret;		/* the matching exit was recorded */
	int64_t ret;
	uint64_t duration_ns;	/* enter to exit, if has_ret */
	const struct frame *frames;	/* innermost first */
	size_t nr_frames;
	enum stack_end end;
	uint64_t stack_size;	/* snapshot bytes recorded */
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
};

/* Options every sink may look at. */
struct sink_opts {
	FILE *out;
	bool srcline;		/* show file:line */
	bool top_down;		/* tree: from the roots */
	double min_percent;	/* tree: hide branches below */
	int max_depth;		/* tree: 0 = unlimited */
	bool color;
};

struct sink;

/* An output format: begin once, event per event, end once.  Each returns 0 or -errno. */
struct sink_ops {
	const char *name;
	int (*begin)(struct sink *s);
	int (*event)(struct sink *s, const struct event *ev);
	int (*end)(struct sink *s, const struct report_stats *st);
	void (*free)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	struct sink_opts opts;
	void *priv;
};

extern const struct sink_ops sink_listing;	/* strace -k style */
extern const struct sink_ops sink_tree;		/* merged call tree */
extern const struct sink_ops sink_json;		/* one JSON object per line */

/* A syscall's errno name ("ECONNREFUSED") and message, or NULL for unknown values. */
const char *errno_name(int err);

#endif
