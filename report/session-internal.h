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

	/*
	 * A parallel report runs one pass per worker over the same recording;
	 * each unwinds and emits every nr_shards-th syscall entry (all of them
	 * replay the model and the fd tables).  Events carry their place in the
	 * single pass's order (event.seq): the record whose processing emitted
	 * them, and the how-manieth then; progress says up to which place this
	 * pass has emitted everything.
	 */
	unsigned shard, nr_shards;
	uint64_t sample_index;		/* syscall entries seen, in time order */
	uint64_t processed;		/* perf records processed, in time order */
	uint64_t emitted_here;		/* events emitted while processing the current one */
	uint64_t progress;		/* atomic: every event with seq below it is emitted */

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
	char *strings[SCREC_STR_EVENTS + 1];	/* STRING records by key, NUL-terminated */
	struct report_task *tasks;
	size_t cap_tasks;
	bool have_start;

	struct run run;
	struct resolve_out resolve;
	struct lookup_opts lookup;
	struct report_session **workers;	/* a parallel report's passes (parallel.c) */
	unsigned nr_workers;
};

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

/* parallel.c: the run over the workers, merged into sink. */
int parallel_run(struct report_session *ss, const struct report_filter *f, struct sink *sink,
		 struct report_stats *st);

/* Take an INFO or STRING record into the session's metadata. */
void session_take_meta(struct report_session *s, const struct screc_rec *rec);

#endif
