/* SPDX-License-Identifier: MIT */
/*
 * A report session: one recording and all the state that reading it builds
 * (the lookup chain and its open files, the archive, the capstone and
 * libdwfl handles, the string table, the symbol and CFI caches, the process
 * model).  Nothing of it is process-wide: two sessions in one process are
 * independent, which is what merging and diffing recordings need.
 */
#ifndef SCREC_SESSION_H
#define SCREC_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/reader.h"
#include "report/event.h"
#include "report/find/find.h"
#include "report/sinks/sink.h"

struct screc_syscall_set;
struct shape_opts;

/* Which events a report keeps. */
struct report_filter {
	const char *pids;		/* comma lists, NULL = all */
	const char *tids;
	const char *comms;
	const struct screc_syscall_set *trace;	/* the syscalls kept, NULL = all */
	bool failed;			/* only calls that returned an error (strace -Z) */
	bool successful;		/* only calls that did not (strace -z) */
	const int *errnos;		/* only calls that failed with one of these */
	size_t nr_errnos;
	const char *const *paths;	/* only calls naming one of these, by a path or an fd (-P) */
	size_t nr_paths;
	const int *fds;			/* only calls on one of these fds (an fd argument) */
	size_t nr_fds;
	double time_from, time_to;	/* seconds since the start; to < 0: open */
	const struct shape_opts *shape;	/* --fold, --callers, --callees; NULL: none */
};

struct report_session;

/*
 * Open the recording at path ("-": standard input) and check its header.
 * The input is read once: a pipe or FIFO is copied into memory first.
 * Returns 0 and *out, or -errno: the open(2) error, -EISDIR a directory,
 * -EPIPE a FIFO that nobody wrote to, -EBADMSG not a recording, -ENOTSUP a
 * newer format, -ENODATA too short.
 */
int report_session_open(const char *path, const struct lookup_opts *lookup,
			struct report_session **out);
/* Close the recording and free everything (the archive's files too); NULL is a no-op. */
void report_session_free(struct report_session *s);

/*
 * Show how much of the file was read on standard error, at most 4 times a
 * second, once a run has taken half a second; the line is cleared when the
 * run ends.  The caller decides that standard error is a terminal.
 */
void report_session_set_progress(struct report_session *s, bool on);
/* Clear the progress line, if one is shown. */
void report_session_progress_end(struct report_session *s);

/* The recording's reader (for --raw), its path, and the lookup chain. */
struct screc_reader *report_session_reader(struct report_session *s);
const char *report_session_path(const struct report_session *s);
struct finder *report_session_finder(struct report_session *s);

/*
 * Unpack the recording's archive, when its header says it has one at the
 * end (a first pass over the file).  0 or -errno, with a message; the report
 * goes on without the archive.
 */
int report_session_load_archive(struct report_session *s);

/*
 * Read the recording front to back, replay the process model, unwind and
 * symbolize each kept event and hand it to sink; st gets the totals.
 * report_session_run() does it all; begin/step/finish do it one record at a
 * time (step returns 1 while there is more, 0 at the end).  Each returns 0
 * for a complete recording, -ENODATA for a truncated one (everything before
 * the cut was reported), -EBADMSG for corrupt data, or another -errno.
 */
int report_session_run(struct report_session *s, const struct report_filter *f,
		       struct sink *sink, struct report_stats *st);
int report_session_begin(struct report_session *s, const struct report_filter *f,
			 struct sink *sink, struct report_stats *st);
int report_session_step(struct report_session *s);
int report_session_finish(struct report_session *s);

/*
 * Make the next run write a resolved copy of the recording to fd (not
 * owned): frames instead of stack memory (names: with their names too).
 * Returns 0, -EALREADY for a recording that is resolved already, or -errno.
 */
int report_session_resolve(struct report_session *s, int fd, bool names);

/* How the arguments are decoded (strace's -s and -y); the default is -s 32 with fd paths. */
struct decode_opts;
void report_session_set_decode(struct report_session *s, const struct decode_opts *o);

/* Show inlined calls as frames of their own (the default), or not (--no-inline). */
void report_session_set_inline(struct report_session *s, bool show);

/* Number this session's events and metadata as the report's recording index (default 0). */
void report_session_set_index(struct report_session *s, unsigned index);

/* What the recording says of itself (complete after a run). */
const struct report_meta *report_session_meta(const struct report_session *s);
/* The recording's SCREC_FEAT_* bits (0 before it is open). */
uint64_t report_session_features(const struct report_session *s);

/*
 * Report on jobs cores: with 2 or more, the next run reads the recording
 * (decompressing, ordering by time) on a thread of its own while the calling
 * thread does the rest, in the order one thread gives.  0 or -errno.
 */
int report_session_set_jobs(struct report_session *s, unsigned jobs);

/* The files that left frames unnamed, for the report's table. */
void report_session_each_unnamed(struct report_session *s,
				 void (*fn)(void *arg, const struct find_unnamed *u), void *arg);

/* Frames each unwinding backend found (for -v): calls fn per backend. */
void report_session_backends(struct report_session *s,
			     void (*fn)(void *arg, const char *name, uint64_t frames), void *arg);

/*
 * Print every record to out (`--raw`).  Returns 0 for a complete recording,
 * -ENODATA for a truncated one (all it held is printed), or -EBADMSG.
 */
int report_dump(struct screc_reader *r, FILE *out);

/*
 * Print what the recording holds and which of its binaries this machine has
 * (`--info`).  Returns like report_dump(), or -EUCLEAN when the trailer
 * counts samples that cannot be read.
 */
int report_info(struct report_session *s, FILE *out);

#endif
