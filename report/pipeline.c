// SPDX-License-Identifier: MIT
/*
 * The report's one pass over a recording.  Perf records arrive grouped per
 * CPU; they are put back in time order with a heap that is flushed at ROUND
 * records.  Side-band records drive the process model; each syscall-entry
 * sample that passes the filters is unwound and symbolized at once (with the
 * maps of that moment), then waits for its thread's exit sample for the
 * return value, and goes to the sink.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/syscalls.h"
#include "idmap.h"
#include "report.h"
#include "symbolize.h"
#include "report/decode/tracepoint.h"

#define MAX_FRAMES (UNWIND_MAX_FRAMES * 2)

struct queued {
	uint64_t time, seq;
	uint32_t len;
	uint8_t data[];		/* the perf record */
};

/* An entered syscall waiting for its exit. */
struct open_ev {
	uint32_t tid;		/* 0 = free slot */
	struct event ev;
	struct frame *frames;
};

struct run {
	struct screc_attrs attrs;
	struct tp_table tps;
	struct proc_model *pm;
	struct sink *sink;
	const struct report_filter *f;
	struct report_stats *st;
	uint64_t start_clock;
	bool have_start;

	struct queued **heap;
	size_t nr_heap, cap_heap;
	uint64_t seq, round_max, prev_round_max;

	struct idmap open;		/* tid -> struct open_ev */

	struct unwind_result ur;
	struct frame frames[MAX_FRAMES];
	int err;
};

/* --- filters --- */

static bool
in_list(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && strncmp(p, item, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static bool
in_num_list(const char *list, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	return in_list(list, buf);
}

/* The filters that can be decided at syscall entry. */
static bool
keep_enter(struct run *run, const struct screc_sample *s, const char *syscall, const char *comm)
{
	const struct report_filter *f = run->f;
	double t;

	if (!f)
		return true;
	if (f->pids && !in_num_list(f->pids, s->pid))
		return false;
	if (f->tids && !in_num_list(f->tids, s->tid))
		return false;
	if (f->comms && !in_list(f->comms, comm))
		return false;
	if (f->syscalls && !(syscall && in_list(f->syscalls, syscall)))
		return false;
	t = (double)(s->time - run->start_clock) / 1e9;
	if (t < f->time_from || (f->time_to >= 0 && t > f->time_to))
		return false;
	return true;
}

/* --- pending events per thread --- */

/* Hand an event to the sink and release its slot. */
static void
finish(struct run *run, struct open_ev *o)
{
	const struct event *ev = &o->ev;
	size_t i;

	if (!(run->f && run->f->failed && !(ev->has_ret && ev->ret < 0 && ev->ret >= -4095))) {
		run->st->events++;
		switch (ev->end) {
		case STACK_COMPLETE:
			run->st->complete++;
			break;
		case STACK_TRUNCATED:
			run->st->truncated++;
			break;
		case STACK_SWITCH:
			run->st->switched++;
			break;
		case STACK_BROKEN:
			run->st->broken++;
			break;
		}
		run->st->frames += ev->nr_frames;
		for (i = 0; i < ev->nr_frames; i++)
			if (!ev->frames[i].sym)
				run->st->unresolved_frames++;
		if (!run->err && run->sink->ops->event)
			run->err = run->sink->ops->event(run->sink, ev);
	}
	free(o->frames);
	idmap_del(&run->open, o);
}

static void
on_enter(struct run *run, const struct screc_sample *s, const struct tp_desc *d)
{
	const char *comm = proc_thread_comm(run->pm, s->tid);
	long nr = tp_syscall_nr(d, s->raw, s->raw_size);
	const char *name = screc_syscall_name(nr);
	struct aspace *as;
	struct open_ev *o;
	size_t n, i;

	if (!keep_enter(run, s, name, comm))
		return;
	o = idmap_get(&run->open, s->tid, false);
	if (o)
		finish(run, o);	/* the previous call never returned (exit, exec) */
	as = proc_aspace(run->pm, s->pid);
	unwind_sample(as, s, &run->ur);
	n = symbolize(as, &run->ur, run->frames, MAX_FRAMES);
	if (run->ur.end == STACK_TRUNCATED && run->ur.needed_stack > run->st->max_needed_stack)
		run->st->max_needed_stack = run->ur.needed_stack;
	o = idmap_get(&run->open, s->tid, true);
	if (!o) {
		run->err = -ENOMEM;
		return;
	}
	o->frames = malloc((n ? n : 1) * sizeof(*o->frames));
	if (!o->frames) {
		run->err = -ENOMEM;
		return;
	}
	memcpy(o->frames, run->frames, n * sizeof(*o->frames));
	o->ev = (struct event){
		.pid = s->pid,
		.tid = s->tid,
		.comm = intern(comm),
		.time = s->time,
		.rel_time = s->time - run->start_clock,
		.nr = nr,
		.syscall = name,
		.frames = o->frames,
		.nr_frames = n,
		.end = run->ur.end,
		.stack_size = s->stack_size,
	};
	o->ev.nr_args = tp_args(d, s->raw, s->raw_size, o->ev.args);
	for (i = 0; i < o->ev.nr_args; i++)
		if (d->args[i].is_pointer)
			o->ev.arg_is_ptr |= 1u << i;
}

static void
on_exit_sample(struct run *run, const struct screc_sample *s, const struct tp_desc *d)
{
	struct open_ev *o = idmap_get(&run->open, s->tid, false);
	uint64_t v;

	if (!o)
		return;
	if (tp_syscall_nr(d, s->raw, s->raw_size) != o->ev.nr)
		return;
	if (tp_read(&d->ret, s->raw, s->raw_size, &v) == 0) {
		o->ev.has_ret = true;
		o->ev.ret = (int64_t)v;
		o->ev.duration_ns = s->time >= o->ev.time ? s->time - o->ev.time : 0;
	}
	finish(run, o);
}

/* --- one perf record, in time order --- */

static void
process(struct run *run, const uint8_t *p, size_t len)
{
	struct perf_event_header h;
	struct screc_sample s;

	memcpy(&h, p, sizeof(h));
	switch (h.type) {
	case PERF_RECORD_SAMPLE: {
		const struct tp_desc *d;

		if (screc_sample_parse(&run->attrs, p, len, &s) != 0)
			return;
		d = tp_table_find(&run->tps, s.attr->tp_id);
		if (!d)
			return;
		if (d->is_exit)
			on_exit_sample(run, &s, d);
		else
			on_enter(run, &s, d);
		return;
	}
	case PERF_RECORD_COMM:
		if (len >= sizeof(h) + 9) {
			uint32_t pid, tid;
			char comm[17];
			size_t n = len - sizeof(h) - 8;

			memcpy(&pid, p + sizeof(h), 4);
			memcpy(&tid, p + sizeof(h) + 4, 4);
			if (n > 16)
				n = 16;
			memcpy(comm, p + sizeof(h) + 8, n);
			comm[n] = '\0';
			proc_comm(run->pm, pid, tid, comm, h.misc & PERF_RECORD_MISC_COMM_EXEC);
		}
		return;
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
		if (len >= sizeof(h) + 16) {
			uint32_t v[4];

			memcpy(v, p + sizeof(h), 16);
			if (h.type == PERF_RECORD_FORK) {
				proc_fork(run->pm, v[0], v[1], v[2], v[3]);
			} else {
				/* A thread that died inside a syscall: no exit will come. */
				struct open_ev *o = idmap_get(&run->open, v[2], false);

				if (o)
					finish(run, o);
				proc_exit(run->pm, v[0], v[2]);
			}
		}
		return;
	case PERF_RECORD_MMAP2: {
		struct screc_mmap2 m;
		struct map mp = { 0 };

		if (screc_mmap2_parse(p, len, &m))
			return;
		mp.start = m.addr;
		mp.end = m.addr + m.len;
		mp.pgoff = m.pgoff;
		mp.prot = m.prot;
		memcpy(mp.build_id, m.build_id, m.build_id_len);
		mp.build_id_len = m.build_id_len;
		proc_mmap(run->pm, m.pid, &mp, m.path);
		return;
	}
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES: {
		uint64_t v;

		if (screc_lost_parse(p, len, &v) == 0)
			run->st->lost += v;
		return;
	}
	}
}

/* --- the time-ordering heap --- */

static bool
before(const struct queued *a, const struct queued *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static int
heap_push(struct run *run, struct queued *q)
{
	size_t i;

	if (run->nr_heap == run->cap_heap) {
		size_t cap = run->cap_heap ? 2 * run->cap_heap : 4096;
		struct queued **n = realloc(run->heap, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		run->heap = n;
		run->cap_heap = cap;
	}
	i = run->nr_heap++;
	while (i > 0 && before(q, run->heap[(i - 1) / 2])) {
		run->heap[i] = run->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	run->heap[i] = q;
	return 0;
}

static struct queued *
heap_pop(struct run *run)
{
	struct queued *top = run->heap[0], *last;
	size_t i = 0;

	last = run->heap[--run->nr_heap];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= run->nr_heap)
			break;
		if (c + 1 < run->nr_heap && before(run->heap[c + 1], run->heap[c]))
			c++;
		if (!before(run->heap[c], last))
			break;
		run->heap[i] = run->heap[c];
		i = c;
	}
	if (run->nr_heap)
		run->heap[i] = last;
	return top;
}

static void
flush_until(struct run *run, uint64_t limit, bool all)
{
	while (run->nr_heap && (all || run->heap[0]->time <= limit)) {
		struct queued *q = heap_pop(run);

		process(run, q->data, q->len);
		free(q);
	}
}

static void
queue_perf(struct run *run, const struct screc_rec *rec)
{
	struct perf_event_header h;
	struct screc_sample s;
	const uint8_t *p;
	struct queued *q;
	size_t len;
	int err;

	if (screc_rec_perf(rec, &p, &h))
		return;
	len = h.size;
	err = h.type == PERF_RECORD_SAMPLE ? screc_sample_parse(&run->attrs, p, len, &s) :
					    screc_sample_id_parse(&run->attrs, p, len, &s);
	if (err)
		s.time = run->round_max;	/* no time: keep its place in the stream */
	q = malloc(sizeof(*q) + len);
	if (!q) {
		run->err = -ENOMEM;
		return;
	}
	q->time = s.time;
	q->seq = run->seq++;
	q->len = (uint32_t)len;
	memcpy(q->data, p, len);
	if (s.time > run->round_max)
		run->round_max = s.time;
	if (heap_push(run, q)) {
		free(q);
		run->err = -ENOMEM;
	}
}

int
report_run(struct screc_reader *r, const struct report_filter *f, struct sink *sink,
	   struct report_stats *st)
{
	struct run *run = calloc(1, sizeof(*run));
	const struct screc_rec *rec;
	int ret = 0;

	if (!run)
		return -ENOMEM;
	run->pm = proc_model_new();
	if (!run->pm) {
		free(run);
		return -ENOMEM;
	}
	run->open = (struct idmap)IDMAP_INIT(struct open_ev);
	run->sink = sink;
	run->f = f;
	run->st = st;
	if (sink->ops->begin)
		run->err = sink->ops->begin(sink);

	while (!run->err && (ret = screc_reader_next(r, &rec)) == 1) {
		const uint8_t *body = (const uint8_t *)rec;

		switch (rec->type) {
		case SCREC_REC_INFO:
			if (rec->size >= sizeof(struct screc_rec_info)) {
				struct screc_rec_info in;

				memcpy(&in, rec, sizeof(in));
				run->start_clock = in.start_clock_ns;
				run->have_start = true;
			}
			break;
		case SCREC_REC_TRACEPOINT:
			tp_table_add(&run->tps, body, rec->size);
			break;
		case SCREC_REC_ATTR:
			screc_attrs_add(&run->attrs, rec);
			break;
		case SCREC_REC_BUILDID:
			if (rec->size >= sizeof(struct screc_rec_buildid)) {
				struct screc_rec_buildid rb;
				char path[4096];

				memcpy(&rb, rec, sizeof(rb));
				if (rb.path_len < sizeof(path) && rb.build_id_len <= 20 &&
				    rb.path_len <= rec->size - sizeof(rb)) {
					memcpy(path, body + sizeof(rb), rb.path_len);
					path[rb.path_len] = '\0';
					proc_build_id(run->pm, path, rb.build_id, rb.build_id_len);
				}
			}
			break;
		case SCREC_REC_PERF:
			queue_perf(run, rec);
			break;
		case SCREC_REC_BLOB:
			if (rec->size >= sizeof(struct screc_rec_blob)) {
				struct screc_rec_blob b;

				memcpy(&b, rec, sizeof(b));
				if (!archive_loaded())
					archive_store(rec, "the recording");
				/* The vdso has no build-id in MMAP2 records: take the saved one's. */
				if (b.kind == SCREC_BLOB_VDSO && b.offset == 0 && b.build_id_len <= 20)
					proc_build_id(run->pm, "[vdso]", b.build_id, b.build_id_len);
			}
			break;
		case SCREC_REC_ROUND:
			flush_until(run, run->prev_round_max, false);
			run->prev_round_max = run->round_max;
			break;
		default:
			break;
		}
	}
	if (run->err)
		ret = run->err;
	flush_until(run, 0, true);
	/* Calls still open at the end: no return value was recorded. */
	/*
	 * Sweeps over the slots: finish() moves entries of a probe run back,
	 * into this slot (so look at it again) or before it (so sweep again).
	 */
	while (run->open.nr) {
		for (size_t i = 0; i < run->open.cap && run->open.nr;) {
			struct open_ev *o = idmap_slot(&run->open, i);

			if (o)
				finish(run, o);
			else
				i++;
		}
	}
	if (sink->ops->end && !run->err)
		run->err = sink->ops->end(sink, st);
	if (run->err && ret >= 0)
		ret = run->err;
	free(run->heap);
	idmap_release(&run->open);
	screc_attrs_release(&run->attrs);
	tp_table_release(&run->tps);
	proc_model_free(run->pm);
	free(run);
	return ret;
}
