/* SPDX-License-Identifier: MIT */
/* The session's state, shared by session.c (its life) and pipeline.c (the pass over the file). */
#ifndef SCREC_SESSION_INTERNAL_H
#define SCREC_SESSION_INTERNAL_H

#include "common/perf-record.h"
#include "common/strtab.h"
#include "common/util.h"
#include "report/decode/decode.h"
#include "report/decode/tracepoint.h"
#include "report/model/idmap.h"
#include "report/model/proc.h"
#include "report/symbolize/symbolize.h"
#include "report/unwind/unwind.h"
#include "session.h"

#define MAX_FRAMES (UNWIND_MAX_FRAMES * 2)

struct queued;

/* One pass over the recording. */
struct run {
	struct sink *sink;
	const struct report_filter *f;
	struct report_stats *st;
	struct proc_model *pm;
	bool begun;			/* sink begin() called */
	bool ended;			/* the reader reached the end or an error */
	int ret;			/* what the reader said at the end */

	struct queued **heap;
	size_t nr_heap, cap_heap;
	uint64_t heap_bytes, heap_max;	/* held for reordering, and the bound */
	bool heap_overflowed;		/* said once */
	uint64_t seq, round_max, prev_round_max;

	struct idmap open;		/* tid -> struct open_ev */
	struct idmap caps;		/* tid -> struct pending_capture: its last CAPTURE record */

	bool begin_sent;		/* the reading side asked for the sink's begin() */

	struct unwind_result ur;
	struct frame frames[MAX_FRAMES];
	struct screc_buf text;		/* decoded text being built */
	struct decode_fd_effect effects[4];
	int err;
};

/* `--resolve`: the recording being written (resolve.c). */
struct resolve_out {
	bool active, names;
	struct screc_writer *w;
	struct screc_buf buf;
	uint64_t samples, exits;
	int err;
};

struct report_session {
	char *path;
	int in_fd;			/* the recording: a regular file, or a memfd copy of a pipe */
	struct screc_reader *r;
	struct screc_strtab *strs;
	struct finder *find;
	struct unwinder *uw;
	struct symbolizer *sym;
	struct screc_attrs attrs;
	struct tp_table tps;

	struct decode_opts decode;
	struct report_meta meta;
	char *strings[SCREC_STR_LAST + 1];	/* STRING records by key, NUL-terminated */
	struct report_task *tasks;
	size_t cap_tasks;
	bool have_start;

	struct run run;
	struct resolve_out resolve;
	/* The reading side's own attributes, to date the records it orders. */
	struct screc_attrs rattrs;
	unsigned jobs;			/* 2 or more: read on a thread of its own (parallel.c) */
	struct pipe *pipe;		/* between the two sides, while that runs */
	struct progress {
		bool on;		/* report_session_set_progress() */
		bool shown;		/* a line is on the terminal */
		uint64_t size;		/* of the file, 0: unknown */
		uint64_t start_ns, last_ns;
		unsigned tick;
	} progress;
};

/*
 * The share of the file read, on standard error (the reading side calls
 * this per record; it looks at the clock once in a while).
 */
void session_progress(struct report_session *s);

/* What a RESOLVED record holds beside the sample. */
struct resolve_effect {
	int op;
	bool cloexec;
	int fd, last, src_fd;
	const char *what;
};

struct resolve_parts {
	const struct unwind_result *raw;	/* the frames to symbolize later */
	const struct frame *frames;		/* symbolized, for names */
	size_t nr_frames;
	enum stack_end end;
	const char *text;			/* the decoded arguments */
	const struct resolve_effect *effects;
	size_t nr_effects;
};

/* resolve.c: the --resolve writer, fed by the pass. */
int resolve_begin(struct report_session *ss, int fd, bool names);
void resolve_record(struct report_session *ss, const struct screc_rec *rec);
void resolve_perf(struct report_session *ss, const uint8_t *p, size_t len);
void resolve_round(struct report_session *ss);
void resolve_sample(struct report_session *ss, const struct screc_sample *s, const uint8_t *p,
		    size_t len, const struct resolve_parts *parts);
int resolve_finish(struct report_session *ss);

/*
 * The pass has two sides: reading (the reader, ordering perf records by
 * time) and processing (everything else).  The reading side hands the
 * processing side operations in the order one thread would do them.
 */
enum op_kind {
	OP_RECORD,		/* a record that is not a perf record */
	OP_BEGIN,		/* the sink's begin() */
	OP_QUEUED,		/* a perf record, in time order (struct queued, freed) */
	OP_ROUND,		/* --resolve writes a ROUND */
	OP_END,			/* the reading side is done */
};
/* pipeline.c: each side's step. */
void pipeline_read(struct report_session *ss, const struct screc_rec *rec);
void pipeline_apply(struct report_session *ss, enum op_kind op, void *arg);
/* parallel.c: the reading side on a thread of its own, after report_session_begin(). */
int pipe_run(struct report_session *ss);
void pipe_push(struct report_session *ss, enum op_kind op, void *arg);
/* Hand on every perf record still waiting for its time (the end of reading). */
void report_session_flush(struct report_session *ss);

/* Take an INFO or STRING record into the session's metadata. */
void session_take_meta(struct report_session *s, const struct screc_rec *rec);

#endif
