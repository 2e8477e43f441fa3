/* SPDX-License-Identifier: MIT */
/*
 * What the export sinks (perf-script, folded, chrome, firefox, speedscope,
 * pprof, the diffs) share: the metadata of every recording of the report and
 * one time axis for all of them, thread numbers that keep two hosts' pids
 * apart, the labels of frames and calls, JSON text, and a table of threads
 * keyed by (recording, pid, tid).  Nothing here knows of one format.
 */
#ifndef SCREC_EXPORT_H
#define SCREC_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/util.h"
#include "report/agg/trie.h"
#include "report/event.h"

/*
 * The recordings of a report, by index, as begin() named them.  Time zero
 * of an export is the start of its earliest recording; when every recording
 * knows its wall-clock start, the others are placed after it by wall clock
 * (a fleet's recordings line up), else each starts at zero.
 */
struct export_recs {
	const struct report_meta **metas;	/* by meta->recording; NULL for a gap */
	size_t nr, cap;
	uint64_t *offset;			/* per recording: its start on the common axis, ns */
	uint64_t origin_ns;			/* wall clock at time zero (ns since the epoch), 0 unknown */
	bool timed;				/* offsets computed (at the first event) */
};

/* Note a recording's metadata (call from begin()).  0 or -ENOMEM. */
int export_recs_add(struct export_recs *r, const struct report_meta *meta);
/* Free what export_recs_add() took; the struct is empty again. */
void export_recs_release(struct export_recs *r);
/* A recording's metadata, or NULL. */
const struct report_meta *export_recs_meta(const struct export_recs *r, unsigned recording);
/* An event's time on the common axis: ns since time zero. */
uint64_t export_time(struct export_recs *r, const struct event *ev);
/* The wall clock at time zero, ns since the epoch (0 when unknown). */
uint64_t export_origin(struct export_recs *r);

/*
 * A pid or tid as the exports show it: the first recording's as they are;
 * recording k's moved up by k * EXPORT_PID_SPAN (Linux pids stay below 2^22),
 * so that importers that key threads by pid or tid alone keep hosts apart.
 */
#define EXPORT_PID_SPAN (1u << 22)
uint32_t export_pid(unsigned recording, uint32_t pid);

/* The file name of a path ("libc.so.6"); path itself if it has no slash, NULL for NULL. */
const char *export_basename(const char *path);

/*
 * The label of a trie identity, as the exports print it: a syscall's name
 * ("syscall_N" when unknown, " = ERRNO" after it when with_errno and it
 * failed); a function's name; "file+0xADDR" (or "file@0xPC") for a frame
 * without one; "[truncated]", "[stack switch]", "[broken]" for end markers; a
 * task's comm; a text's name.
 */
void export_label(struct screc_buf *b, const struct trie_frame *f, bool with_errno);

/*
 * An event's call as text: "connect(3, \"/etc/hosts\", ...)" from the
 * decoded arguments when the report has them, else the raw ones as the
 * listing prints them.
 */
void export_call(struct screc_buf *b, const struct event *ev);
/* Its return, without " = ": the decoded text, else "3", "-1 ENOENT (No such file or directory)", "?". */
void export_return(struct screc_buf *b, const struct event *ev);
/* The syscall's name, or "syscall_N". */
void export_syscall_name(struct screc_buf *b, const struct event *ev);

/*
 * JSON text into a buffer.  A string is escaped as the json sink does it
 * (valid UTF-8 passes, a byte that is not becomes \u00XX), NULL is null.
 * A fixed-point number v / 10^digits prints with all its digits.
 */
void export_json_str(struct screc_buf *b, const char *s);
/* The same escaping without the quotes, for a string made of several parts. */
void export_json_chars(struct screc_buf *b, const char *s);
void export_json_u64(struct screc_buf *b, uint64_t v);
void export_json_i64(struct screc_buf *b, int64_t v);
void export_json_fixed(struct screc_buf *b, uint64_t v, unsigned digits);
/* v in lowercase hex without 0x, right-aligned in width columns (the hot paths' printf). */
void export_hex(struct screc_buf *b, uint64_t v, int width);

/* screc_grow(), and the new elements zeroed.  0 or -ENOMEM. */
int export_grow_zero(void *p, size_t *cap, size_t need, size_t size);

/* Write a buffer's text to out.  0 or -EIO (or the buffer's error). */
int export_write(FILE *out, const struct screc_buf *b);

/*
 * A table of threads keyed by (recording, pid, tid): each gets the next
 * index, in order of first sight, which the caller uses for its own array.
 */
struct export_threads {
	struct export_thread_key {
		unsigned recording;
		uint32_t pid, tid;
	} *keys;			/* by index */
	size_t nr, cap;
	uint32_t *slots;		/* index + 1, 0 empty */
	size_t mask;
};

/*
 * The index of a thread, made on first sight when create is set (compare
 * t->nr before and after to tell).  0, -ENOENT when it is not there and not
 * to be made, or -ENOMEM.
 */
int export_thread(struct export_threads *t, unsigned recording, uint32_t pid, uint32_t tid,
		  bool create, size_t *index);
void export_threads_release(struct export_threads *t);

/*
 * A recording's task list as the exports name threads and processes: the
 * comm of a thread, and of the process it belongs to (its main thread's, or
 * the first of its threads when the main one is not listed); NULL if none.
 * Each looks through the list (for names at end(), not per event).
 */
const char *export_task_comm(const struct report_meta *m, uint32_t tid);
const char *export_process_comm(const struct report_meta *m, uint32_t pid);

#endif
