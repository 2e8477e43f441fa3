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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/arch.h"
#include "common/log.h"
#include "common/records.h"
#include "common/syscall-set.h"
#include "common/syscalls.h"
#include "report/sinks/shape.h"
#include "report/decode/errno-names.h"
#include "session-internal.h"

struct queued {
	uint64_t time, seq;
	uint32_t len;
	uint32_t type;		/* SCREC_REC_PERF: data is the perf record; RESOLVED: the whole record */
	uint8_t data[];
};

#define MAX_EFFECTS 4

/* An entered syscall waiting for its exit. */
struct open_ev {
	uint32_t tid;		/* 0 = free slot */
	bool keep;		/* passed the entry filters: unwound, decoded, goes to the sink */
	struct event ev;
	struct frame *frames;
	char *args_text;	/* decoded at entry, while the memory is there */
	/*
	 * A call with outputs in a recording with capture: the entry's memory,
	 * to decode the arguments again at exit with what the kernel wrote.
	 */
	uint8_t *stack;
	uint64_t stack_lo, stack_len;
	struct screc_rec *entry_cap;
	/* What the call does to the fd table if it succeeds (OPEN's fd is its return). */
	struct pending_effect {
		enum decode_fd_op op;
		int fd, last, src_fd;
		bool cloexec;
		const char *what;
	} effects[MAX_EFFECTS];
	unsigned nr_effects;
};

/* A thread's last CAPTURE record, until its sample comes. */
struct pending_capture {
	uint32_t tid;
	uint32_t size;
	struct screc_rec *rec;		/* a copy, checked when it was queued */
};

/* --- the traced memory and fds, for the decoder --- */

struct entry_mem {
	const struct aspace *as;
	struct mem_snapshot snap;
	const struct screc_capture_view *cap;	/* bytes copied at record time, or NULL */
};

static size_t
read_entry(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct entry_mem *m = arg;
	unsigned i;

	/* Captured bytes first: they are what the call saw, wherever they lived. */
	for (i = 0; m->cap && i < m->cap->nr_regions; i++) {
		uint64_t lo = m->cap->regions[i].addr;
		uint32_t n = m->cap->regions[i].len;

		if (addr >= lo && addr - lo < n) {
			size_t k = n - (addr - lo) < len ? n - (addr - lo) : len;

			memcpy(buf, m->cap->regions[i].data + (addr - lo), k);
			return k;
		}
	}
	return aspace_read(m->as, &m->snap, addr, buf, len);
}

/* Memory the kernel wrote, as captured at exit: only the capture's regions. */
static size_t
read_exit(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct entry_mem m = { NULL, { NULL, 0, 0 }, arg };

	return read_entry((void *)&m, addr, buf, len);
}

/*
 * The capture that belongs to a sample of thread tid and syscall nr at time:
 * its last one, for the same syscall and not later.  Taken out of the table;
 * the caller frees it (free(rec)).  NULL if none.
 */
static struct screc_rec *
take_capture(struct run *run, uint32_t tid, long nr, uint64_t time, uint8_t when,
	     struct screc_capture_view *v)
{
	struct pending_capture *pc = idmap_get(&run->caps, tid, false);
	struct screc_rec *rec;

	if (!pc)
		return NULL;
	rec = pc->rec;
	idmap_del(&run->caps, pc);
	if (screc_get_capture(rec, v) || v->nr != nr || v->time > time || v->when != when) {
		free(rec);
		return NULL;
	}
	return rec;
}

struct fd_lookup {
	struct proc_model *pm;
	uint32_t pid;
};

static const char *
fd_what(void *arg, int fd)
{
	const struct fd_lookup *l = arg;

	return proc_fd_what(l->pm, l->pid, fd);
}

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
keep_enter(struct report_session *ss, const struct screc_sample *s, long nr, const char *comm)
{
	const struct report_filter *f = ss->run.f;
	double t;

	if (!f)
		return true;
	if (f->pids && !in_num_list(f->pids, s->pid))
		return false;
	if (f->tids && !in_num_list(f->tids, s->tid))
		return false;
	if (f->comms && !in_list(f->comms, comm))
		return false;
	if (f->trace && !screc_syscall_set_has(f->trace, nr))
		return false;
	t = (double)(s->time - ss->meta.start_clock_ns) / 1e9;
	if (t < f->time_from || (f->time_to >= 0 && t > f->time_to))
		return false;
	return true;
}

/* Whether the call names one of the -P paths, by a path argument or an fd argument. */
static bool
names_path(struct report_session *ss, const struct decode_call *c, uint32_t pid)
{
	const struct report_filter *f = ss->run.f;
	char buf[4096];
	unsigned i, k;

	for (i = 0; decode_path(c, i, buf, sizeof(buf), NULL); i++)
		for (k = 0; k < f->nr_paths; k++)
			if (strcmp(buf, f->paths[k]) == 0)
				return true;
	for (i = 0; i < 6; i++) {
		const char *what;

		if (!decode_arg_is_fd(c->nr, i))
			continue;
		what = proc_fd_what(ss->run.pm, pid, (int)c->args[i]);
		for (k = 0; what && k < f->nr_paths; k++)
			if (strcmp(what, f->paths[k]) == 0)
				return true;
	}
	return false;
}

/* Whether the call has one of the --fd fds as an fd argument. */
static bool
on_fd(const struct report_filter *f, const struct decode_call *c)
{
	unsigned i, k;

	for (i = 0; i < 6; i++)
		for (k = 0; decode_arg_is_fd(c->nr, i) && k < f->nr_fds; k++)
			if ((int)c->args[i] == f->fds[k])
				return true;
	return false;
}

/* The filters that need the return value. */
static bool
keep_exit(const struct report_filter *f, const struct event *ev)
{
	size_t i;

	if (!f)
		return true;
	if (f->failed && !(ev->has_ret && ev->err))
		return false;
	if (f->successful && !(ev->has_ret && !ev->err))
		return false;
	if (f->nr_errnos) {
		for (i = 0; i < f->nr_errnos; i++)
			if (ev->has_ret && ev->err == f->errnos[i])
				break;
		if (i == f->nr_errnos)
			return false;
	}
	return true;
}

/* Apply what a finished call did to its process's fd table. */
static void
apply_effects(struct report_session *ss, struct open_ev *o)
{
	struct proc_model *pm = ss->run.pm;
	uint32_t pid = o->ev.pid;
	unsigned i;

	if (!o->ev.has_ret || o->ev.err)
		return;
	for (i = 0; i < o->nr_effects; i++) {
		switch (o->effects[i].op) {
		case DECODE_FD_OPEN: {
			const char *what = o->effects[i].what;

			if (!what && o->effects[i].src_fd >= 0)
				what = proc_fd_what(pm, pid, o->effects[i].src_fd);
			proc_fd_open(pm, pid, (int)o->ev.ret, what, o->effects[i].cloexec);
			break;
		}
		case DECODE_FD_CLOSE:
			proc_fd_close(pm, pid, o->effects[i].fd, o->effects[i].fd);
			break;
		case DECODE_FD_CLOSE_RANGE:
			proc_fd_close(pm, pid, o->effects[i].fd, o->effects[i].last);
			break;
		case DECODE_FD_CLOEXEC:
			proc_fd_cloexec(pm, pid, o->effects[i].fd, o->effects[i].fd,
					o->effects[i].cloexec);
			break;
		case DECODE_FD_CLOEXEC_RANGE:
			proc_fd_cloexec(pm, pid, o->effects[i].fd, o->effects[i].last,
					o->effects[i].cloexec);
			break;
		case DECODE_FD_EXEC:
			break;	/* the COMM record of the exec closes them (proc_comm) */
		}
	}
}

/* --- pending events per thread --- */

/* The return value's text, with fds annotated from the table before the call's effects. */
static void
decode_return(struct report_session *ss, struct open_ev *o)
{
	struct run *run = &ss->run;
	struct fd_lookup fl = { run->pm, o->ev.pid };
	const struct decode_fds fds = { fd_what, &fl };
	struct decode_call c = {
		.nr = o->ev.nr,
		.has_ret = o->ev.has_ret,
		.ret = o->ev.ret,
		.fds = ss->decode.fd_paths ? &fds : NULL,
	};

	memcpy(c.args, o->ev.args, sizeof(c.args));
	screc_buf_reset(&run->text);
	decode_ret(&run->text, &c, &ss->decode);
}

/* The frames before shaping, for the report's own counts. */
struct frame_counts {
	size_t frames, unresolved;
};

/*
 * Count the event's frames, then fold and focus its stack (--fold,
 * --callers, --callees); false when the focus drops it.
 */
static bool
shape(const struct report_filter *f, struct open_ev *o, struct frame_counts *c)
{
	struct event *ev = &o->ev;
	size_t i, n = ev->nr_frames;

	c->frames = n;
	c->unresolved = 0;
	for (i = 0; i < n; i++)
		if (!ev->frames[i].sym)
			c->unresolved++;
	if (!f || !shape_active(f->shape) || ev->frames != o->frames)
		return true;
	if (!shape_stack(f->shape, o->frames, &n, &ev->end))
		return false;
	ev->nr_frames = n;
	return true;
}

/* Hand an event to the sink (when kept), apply its fd effects and release its slot. */
static void
finish(struct report_session *ss, struct open_ev *o)
{
	struct run *run = &ss->run;
	struct event *ev = &o->ev;
	struct frame_counts counts;

	if (o->keep && keep_exit(run->f, ev) && shape(run->f, o, &counts)) {
		ev->args_text = o->args_text;
		/* The return's fd refers to what the call opened: apply its effects first. */
		apply_effects(ss, o);
		decode_return(ss, o);
		ev->ret_text = run->text.err ? NULL : screc_buf_text(&run->text);
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
		run->st->frames += counts.frames;
		run->st->unresolved_frames += counts.unresolved;
		if (!run->err && run->sink->ops->event)
			run->err = run->sink->ops->event(run->sink, ev);
	} else {
		apply_effects(ss, o);
	}
	free(o->frames);
	free(o->args_text);
	free(o->stack);
	free(o->entry_cap);
	idmap_del(&run->open, o);
}

/* What the call will do to the fd table, taken at entry while its memory is there. */
static void
take_effects(struct report_session *ss, struct open_ev *o, const struct decode_call *c)
{
	struct decode_call ok = *c;
	struct decode_fd_effect *e = ss->run.effects;
	size_t n, i;

	/* As if it succeeded; OPEN's fd is filled in from the real return at exit. */
	ok.has_ret = true;
	ok.ret = 0;
	n = decode_fd_effects(&ok, e, MAX_EFFECTS);
	o->nr_effects = n < MAX_EFFECTS ? (unsigned)n : MAX_EFFECTS;
	for (i = 0; i < o->nr_effects; i++) {
		o->effects[i].op = e[i].op;
		o->effects[i].fd = e[i].fd;
		o->effects[i].last = e[i].last;
		o->effects[i].src_fd = e[i].op == DECODE_FD_OPEN ? e[i].src_fd : -1;
		o->effects[i].cloexec = e[i].cloexec;
		o->effects[i].what = e[i].has_what ? screc_strtab_intern(ss->strs, e[i].what) : NULL;
	}
}

/* --resolve: the sample with its frames, decoded arguments and fd effects. */
static void
write_resolved(struct report_session *ss, const struct screc_sample *s, const uint8_t *p,
	       size_t len, const struct open_ev *o, size_t n)
{
	struct resolve_effect e[MAX_EFFECTS];
	struct resolve_parts parts = {
		.raw = &ss->run.ur,
		.frames = o->frames,
		.nr_frames = n,
		.end = o->ev.end,
		.text = o->args_text,
		.effects = e,
		.nr_effects = o->nr_effects,
	};
	unsigned i;

	for (i = 0; i < o->nr_effects; i++)
		e[i] = (struct resolve_effect){ o->effects[i].op, o->effects[i].cloexec,
						o->effects[i].fd, o->effects[i].last,
						o->effects[i].src_fd, o->effects[i].what };
	resolve_sample(ss, s, p, len, &parts);
}

/*
 * A sample of a resolved recording: its frames, arguments and fd effects
 * come with it; nothing is unwound or read from memory.
 */
static void
on_enter_resolved(struct report_session *ss, const struct screc_sample *s,
		  const struct tp_desc *d, const struct screc_resolved_view *v)
{
	struct run *run = &ss->run;
	const char *comm = proc_thread_comm(run->pm, s->tid);
	long nr = tp_syscall_nr(d, s->raw, s->raw_size);
	struct screc_resolved_frame_view fv;
	struct screc_resolved_effect_view evw;
	struct aspace *as;
	struct open_ev *o;
	size_t pos, n = 0, i;
	bool keep;

	o = idmap_get(&run->open, s->tid, false);
	if (o)
		finish(ss, o);
	as = proc_aspace(run->pm, s->pid);
	keep = keep_enter(ss, s, nr, comm);
	if (keep && (v->flags & SCREC_RESOLVED_NAMES)) {
		for (pos = 0; n < MAX_FRAMES && screc_resolved_frame_next(v, &pos, &fv); n++) {
			const struct map *m = aspace_find(as, fv.f.pc);

			run->frames[n] = (struct frame){
				.pc = fv.f.pc,
				.rel = fv.f.rel,
				.dso = fv.f.dso_len ? screc_strtab_intern_len(ss->strs, fv.dso,
									    fv.f.dso_len) : NULL,
				.build_id = m ? m->build_id_hex : NULL,
				.sym = fv.f.name_len ? screc_strtab_intern_len(ss->strs, fv.name,
									     fv.f.name_len) : NULL,
				.sym_off = fv.f.sym_off,
				.file = fv.f.file_len ? screc_strtab_intern_len(ss->strs, fv.file,
									      fv.f.file_len) : NULL,
				.line = (int)fv.f.line,
				.inlined = fv.f.flags & SCREC_RFRAME_INLINED,
				.bad_build_id = fv.f.flags & SCREC_RFRAME_MISMATCH,
				.method = (enum frame_method)fv.f.method,
			};
		}
	} else if (keep) {
		run->ur.nr = 0;
		for (pos = 0; run->ur.nr < UNWIND_MAX_FRAMES &&
			      screc_resolved_frame_next(v, &pos, &fv);)
			run->ur.frames[run->ur.nr++] = (struct raw_frame){
				fv.f.pc, (enum frame_method)fv.f.method, UNWIND_NR_BACKENDS,
				fv.f.flags & SCREC_RFRAME_ACTIVATION
			};
		n = sym_frames(ss->sym, as, &run->ur, run->frames, MAX_FRAMES);
	}
	o = idmap_get(&run->open, s->tid, true);
	if (!o || !(o->frames = malloc((n ? n : 1) * sizeof(*o->frames)))) {
		run->err = -ENOMEM;
		return;
	}
	o->keep = keep;
	memcpy(o->frames, run->frames, n * sizeof(*o->frames));
	o->ev = (struct event){
		.pid = s->pid,
		.tid = s->tid,
		.cpu = s->cpu,
		.comm = screc_strtab_intern(ss->strs, comm),
		.recording = ss->meta.recording,
		.host = ss->meta.hostname,
		.time = s->time,
		.rel_time = s->time - ss->meta.start_clock_ns,
		.nr = nr,
		.syscall = screc_syscall_name(nr),
		.frames = o->frames,
		.nr_frames = n,
		.end = (enum stack_end)v->end,
		.stack_size = v->stack_size,
	};
	o->ev.nr_args = tp_args(d, s->raw, s->raw_size, o->ev.args);
	for (i = 0; i < o->ev.nr_args; i++)
		if (d->args[i].is_pointer)
			o->ev.arg_is_ptr |= 1u << i;
	o->args_text = keep && v->text_len ? strndup(v->text, v->text_len) : NULL;
	for (pos = 0, i = 0; i < MAX_EFFECTS && screc_resolved_effect_next(v, &pos, &evw); i++)
		o->effects[i] = (struct pending_effect){
			(enum decode_fd_op)evw.e.op, evw.e.fd, evw.e.last, evw.e.src_fd,
			evw.e.cloexec,
			evw.e.what_len ? screc_strtab_intern_len(ss->strs, evw.what, evw.e.what_len)
				       : NULL
		};
	o->nr_effects = (unsigned)i;
}

/*
 * The arguments of a sample: from the entry tracepoint's fields, or for an
 * exit that took the stack (--failed) from the user registers, which keep
 * them across the call.  Returns how many.
 */
static unsigned
sample_args(const struct tp_desc *d, const struct screc_sample *s, long nr, uint64_t *args)
{
	unsigned i, n;

	if (!d->is_exit)
		return tp_args(d, s->raw, s->raw_size, args);
	n = decode_nr_args(nr);
	for (i = 0; i < 6; i++)
		if (screc_sample_reg(s, screc_syscall_arg_regs[i], &args[i]))
			args[i] = 0;
	return n;
}

static void
on_enter(struct report_session *ss, const struct screc_sample *s, const struct tp_desc *d,
	 const uint8_t *p, size_t len)
{
	struct run *run = &ss->run;
	const struct report_filter *f = run->f;
	const char *comm = proc_thread_comm(run->pm, s->tid);
	long nr = tp_syscall_nr(d, s->raw, s->raw_size);
	struct fd_lookup fl = { run->pm, s->pid };
	const struct decode_fds fds = { fd_what, &fl };
	struct entry_mem em;
	struct decode_mem mem = { read_entry, &em };
	struct decode_call c = { .nr = nr, .mem = &mem };
	struct screc_capture_view cv;
	struct screc_rec *cap;
	struct aspace *as;
	struct open_ev *o;
	uint64_t sp = 0;
	size_t n = 0, i;
	bool keep;

	o = idmap_get(&run->open, s->tid, false);
	if (o)
		finish(ss, o);	/* the previous call never returned (exit, exec) */
	as = proc_aspace(run->pm, s->pid);
	screc_sample_reg(s, SCREC_PERF_SP, &sp);
	cap = take_capture(run, s->tid, nr, s->time, SCREC_CAPTURE_ENTRY, &cv);
	em = (struct entry_mem){ as, { s->stack, sp, s->stack ? s->stack_size : 0 },
				 cap ? &cv : NULL };
	sample_args(d, s, nr, c.args);
	keep = keep_enter(ss, s, nr, comm) &&
	       (!f || !f->nr_paths || names_path(ss, &c, s->pid)) &&
	       (!f || !f->nr_fds || on_fd(f, &c));
	if (keep) {
		unwind_sample(ss->uw, as, s, &run->ur);
		n = sym_frames(ss->sym, as, &run->ur, run->frames, MAX_FRAMES);
		if (run->ur.end == STACK_TRUNCATED && run->ur.needed_stack > run->st->max_needed_stack)
			run->st->max_needed_stack = run->ur.needed_stack;
	}
	o = idmap_get(&run->open, s->tid, true);
	if (!o) {
		run->err = -ENOMEM;
		free(cap);
		return;
	}
	o->keep = keep;
	o->frames = malloc((n ? n : 1) * sizeof(*o->frames));
	if (!o->frames) {
		run->err = -ENOMEM;
		free(cap);
		return;
	}
	memcpy(o->frames, run->frames, n * sizeof(*o->frames));
	o->ev = (struct event){
		.pid = s->pid,
		.tid = s->tid,
		.cpu = s->cpu,
		.comm = screc_strtab_intern(ss->strs, comm),
		.recording = ss->meta.recording,
		.host = ss->meta.hostname,
		.time = s->time,
		.rel_time = s->time - ss->meta.start_clock_ns,
		.nr = nr,
		.syscall = screc_syscall_name(nr),
		.frames = o->frames,
		.nr_frames = n,
		.end = keep ? run->ur.end : STACK_BROKEN,
		.stack_size = s->stack_size,
	};
	o->ev.nr_args = sample_args(d, s, nr, o->ev.args);
	for (i = 0; i < o->ev.nr_args && !d->is_exit; i++)
		if (d->args[i].is_pointer)
			o->ev.arg_is_ptr |= 1u << i;
	take_effects(ss, o, &c);
	o->stack = NULL;
	o->entry_cap = NULL;
	if (keep && (report_session_features(ss) & SCREC_FEAT_CAPTURE) && !d->is_exit &&
	    decode_has_outputs(nr)) {
		o->stack_len = s->stack ? s->stack_size : 0;
		o->stack_lo = sp;
		o->stack = malloc(o->stack_len ? o->stack_len : 1);
		if (o->stack)
			memcpy(o->stack, s->stack, o->stack_len);
		o->entry_cap = cap;	/* kept: freed with the call */
		cap = NULL;
	}
	if (keep) {
		c.fds = ss->decode.fd_paths ? &fds : NULL;
		screc_buf_reset(&run->text);
		decode_args(&run->text, &c, &ss->decode);
		o->args_text = run->text.err ? NULL : strdup(screc_buf_text(&run->text));
	}
	if (ss->resolve.active)
		write_resolved(ss, s, p, len, o, n);
	free(cap);
}

/*
 * What the kernel wrote was captured at exit: decode the arguments again,
 * with the entry's memory for the inputs and the capture for the outputs,
 * and take the fd effects again (pipe's fds are outputs).
 */
static void
decode_at_exit(struct report_session *ss, struct open_ev *o, const struct screc_sample *s)
{
	struct run *run = &ss->run;
	struct screc_capture_view ecv, xcv;
	struct screc_rec *xcap = take_capture(run, s->tid, o->ev.nr, s->time, SCREC_CAPTURE_EXIT,
					      &xcv);
	struct fd_lookup fl = { run->pm, o->ev.pid };
	const struct decode_fds fds = { fd_what, &fl };
	struct entry_mem em = { proc_aspace(run->pm, o->ev.pid),
				{ o->stack, o->stack_lo, o->stack_len }, NULL };
	struct decode_mem mem = { read_entry, &em }, xmem = { read_exit, &xcv };
	struct decode_call c = { .nr = o->ev.nr, .mem = &mem, .exit_mem = &xmem,
				 .has_ret = true, .ret = o->ev.ret };

	if (!xcap)
		return;
	if (o->entry_cap && screc_get_capture(o->entry_cap, &ecv) == 0)
		em.cap = &ecv;
	memcpy(c.args, o->ev.args, sizeof(c.args));
	take_effects(ss, o, &c);
	c.fds = ss->decode.fd_paths ? &fds : NULL;
	screc_buf_reset(&run->text);
	decode_args(&run->text, &c, &ss->decode);
	if (!run->text.err) {
		char *text = strdup(screc_buf_text(&run->text));

		if (text) {
			free(o->args_text);
			o->args_text = text;
		}
	}
	free(xcap);
}

static void
on_exit_sample(struct report_session *ss, const struct screc_sample *s, const struct tp_desc *d)
{
	struct open_ev *o = idmap_get(&ss->run.open, s->tid, false);
	uint64_t v;

	if (!o)
		return;
	if (tp_syscall_nr(d, s->raw, s->raw_size) != o->ev.nr)
		return;
	if (tp_read(&d->ret, s->raw, s->raw_size, &v) == 0) {
		o->ev.has_ret = true;
		o->ev.ret = (int64_t)v;
		o->ev.err = errno_of_ret(o->ev.ret);
		o->ev.err_name = o->ev.err ? errno_name(o->ev.err) : NULL;
		o->ev.err_msg = o->ev.err ? errno_message(o->ev.err) : NULL;
		o->ev.duration_ns = s->time >= o->ev.time ? s->time - o->ev.time : 0;
	}
	if (o->stack && o->ev.has_ret)
		decode_at_exit(ss, o, s);
	finish(ss, o);
}

/* --- one perf record, in time order --- */

static void
process(struct report_session *ss, const uint8_t *p, size_t len,
	const struct screc_resolved_view *rv)
{
	struct run *run = &ss->run;
	struct perf_event_header h;
	struct screc_sample s;

	memcpy(&h, p, sizeof(h));
	if (h.type != PERF_RECORD_SAMPLE)
		resolve_perf(ss, p, len);
	switch (h.type) {
	case PERF_RECORD_SAMPLE: {
		const struct tp_desc *d = NULL;

		if (screc_sample_parse(&ss->attrs, p, len, &s) == 0)
			d = tp_table_find(&ss->tps, s.attr->tp_id);
		if (!d) {
			run->st->unreadable++;
			resolve_perf(ss, p, len);
			return;
		}
		/* --failed: an exit that carries the call's stack is its entry and its exit. */
		if (!d->is_exit || rv || (s.attr->sample_type & PERF_SAMPLE_STACK_USER)) {
			run->st->samples++;
			screc_syscall_set_add(&run->st->seen, tp_syscall_nr(d, s.raw, s.raw_size));
			if (rv)
				on_enter_resolved(ss, &s, d, rv);
			else
				on_enter(ss, &s, d, p, len);
		} else {
			resolve_perf(ss, p, len);
			ss->resolve.exits++;
		}
		if (d->is_exit)
			on_exit_sample(ss, &s, d);
		return;
	}
	case PERF_RECORD_COMM: {
		struct screc_comm c;

		if (screc_comm_parse(p, len, &c) == 0)
			proc_comm(run->pm, c.pid, c.tid, c.comm, c.exec);
		return;
	}
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT: {
		struct screc_task t;

		if (screc_task_parse(p, len, &t))
			return;
		if (t.fork) {
			proc_fork(run->pm, t.pid, t.ppid, t.tid, t.ptid);
		} else {
			/* A thread that died inside a syscall: no exit will come. */
			struct open_ev *o = idmap_get(&run->open, t.tid, false);

			if (o)
				finish(ss, o);
			proc_exit(run->pm, t.pid, t.tid);
		}
		return;
	}
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
process_queued(struct report_session *ss, struct queued *q)
{
	struct run *run = &ss->run;
	struct screc_resolved_view v;

	if (q->type == SCREC_REC_CAPTURE) {
		const struct screc_rec_capture *rc = (const struct screc_rec_capture *)q->data;
		struct pending_capture *pc = idmap_get(&run->caps, rc->tid, true);
		struct screc_rec *copy = malloc(q->len);

		if (!pc || !copy) {
			free(copy);
			run->err = -ENOMEM;
			return;
		}
		memcpy(copy, q->data, q->len);
		free(pc->rec);
		pc->rec = copy;
		pc->size = q->len;
	} else if (q->type != SCREC_REC_RESOLVED)
		process(ss, q->data, q->len, NULL);
	/* Checked when it was queued. */
	else if (screc_get_resolved((const struct screc_rec *)q->data, &v) == 0)
		process(ss, v.perf, v.perf_len, &v);
}

static void deliver(struct report_session *ss, enum op_kind op, void *arg);

static void
flush_until(struct report_session *ss, uint64_t limit, bool all)
{
	struct run *run = &ss->run;

	while (run->nr_heap && (all || run->heap[0]->time <= limit)) {
		struct queued *q = heap_pop(run);

		run->heap_bytes -= sizeof(*q) + q->len;
		deliver(ss, OP_QUEUED, q);
	}
}

/*
 * Records wait in the heap only until the next ROUND record; a recording
 * without them (damaged, or crafted) would make it grow without end.  Past
 * the bound, the oldest half is processed, in time order as far as it goes.
 */
static void
bound_heap(struct report_session *ss)
{
	struct run *run = &ss->run;

	if (run->heap_bytes <= run->heap_max)
		return;
	if (!run->heap_overflowed) {
		screc_err("%s: %llu MiB of records came without a ROUND record (the recorder "
			  "writes one after each pass over its rings): the report goes on with "
			  "what it holds; events may be out of time order", ss->path,
			  (unsigned long long)(run->heap_max >> 20));
		run->heap_overflowed = true;
	}
	while (run->nr_heap && run->heap_bytes > run->heap_max / 2) {
		struct queued *q = heap_pop(run);

		run->heap_bytes -= sizeof(*q) + q->len;
		deliver(ss, OP_QUEUED, q);
	}
}

/* A CAPTURE record waits in the heap too: it must come before its sample. */
static void
queue_capture(struct report_session *ss, const struct screc_rec *rec)
{
	struct run *run = &ss->run;
	struct screc_capture_view v;
	struct queued *q;

	/* A damaged one is skipped like any other damaged record: its call prints pointers. */
	if (screc_get_capture(rec, &v) || v.tid == 0)
		return;
	q = malloc(sizeof(*q) + rec->size);
	if (!q) {
		run->err = -ENOMEM;
		return;
	}
	q->time = v.time;
	q->seq = run->seq++;
	q->len = rec->size;
	q->type = rec->type;
	memcpy(q->data, rec, rec->size);
	if (heap_push(run, q)) {
		free(q);
		run->err = -ENOMEM;
		return;
	}
	run->heap_bytes += sizeof(*q) + rec->size;
	bound_heap(ss);
}

static void
queue_perf(struct report_session *ss, const struct screc_rec *rec)
{
	struct run *run = &ss->run;
	struct perf_event_header h;
	struct screc_resolved_view v;
	struct screc_sample s;
	const uint8_t *p, *src;
	struct queued *q;
	size_t len, size;
	int err;

	if (rec->type == SCREC_REC_RESOLVED) {
		if (screc_get_resolved(rec, &v) || v.perf_len < sizeof(h))
			return;
		p = v.perf;
		memcpy(&h, p, sizeof(h));
		if (h.size > v.perf_len || h.size < sizeof(h))
			return;
		src = (const uint8_t *)rec;
		size = rec->size;
	} else {
		if (screc_rec_perf(rec, &p, &h))
			return;
		src = p;
		size = h.size;
	}
	len = h.size;
	/* The reading side's own attributes: the processing side may be on another thread. */
	err = h.type == PERF_RECORD_SAMPLE ? screc_sample_parse(&ss->rattrs, p, len, &s) :
					    screc_sample_id_parse(&ss->rattrs, p, len, &s);
	if (err)
		s.time = run->round_max;	/* no time: keep its place in the stream */
	q = malloc(sizeof(*q) + size);
	if (!q) {
		run->err = -ENOMEM;
		return;
	}
	q->time = s.time;
	q->seq = run->seq++;
	q->len = (uint32_t)size;
	q->type = rec->type;
	memcpy(q->data, src, size);
	if (s.time > run->round_max)
		run->round_max = s.time;
	if (heap_push(run, q)) {
		free(q);
		run->err = -ENOMEM;
		return;
	}
	run->heap_bytes += sizeof(*q) + size;
	bound_heap(ss);
}

/* Call the sink's begin() once, with what the recording said of itself so far. */
static void
begin_sink(struct report_session *ss)
{
	struct run *run = &ss->run;

	if (run->begun)
		return;
	run->begun = true;
	/* Registers and stacks of another architecture would be misread: refuse. */
	if (ss->have_start && ss->meta.e_machine != SCREC_ARCH_E_MACHINE) {
		run->err = -ENOEXEC;
		return;
	}
	run->sink->meta = &ss->meta;
	if (run->sink->ops->begin && !run->err)
		run->err = run->sink->ops->begin(run->sink, &ss->meta);
}

/*
 * The processing side of a record that is not a perf record: what it tells
 * of the recording, the processes' build-ids, the archive.
 */
static void
apply_record(struct report_session *ss, const struct screc_rec *rec)
{
	struct run *run = &ss->run;

	/* What --resolve copies as it is; perf records go out in time order. */
	if (rec->type != SCREC_REC_TRAILER)
		resolve_record(ss, rec);
	switch (rec->type) {
	case SCREC_REC_INFO:
	case SCREC_REC_STRING:
		session_take_meta(ss, rec);
		break;
	case SCREC_REC_TRACEPOINT:
		tp_table_add(&ss->tps, rec, rec->size);
		break;
	case SCREC_REC_ATTR:
		screc_attrs_add(&ss->attrs, rec);
		break;
	case SCREC_REC_BUILDID: {
		struct screc_buildid_view b;
		char path[4096];

		if (screc_get_buildid(rec, &b) == 0 && b.path_len < sizeof(path)) {
			memcpy(path, b.path, b.path_len);
			path[b.path_len] = '\0';
			proc_build_id(run->pm, path, b.build_id, b.build_id_len);
		}
		break;
	}
	case SCREC_REC_FDS: {
		/* Fds open before -p attached: where the fd table (-y) starts. */
		struct screc_fds_entry_view e;
		struct screc_fds_view v;
		char path[4096];
		size_t pos = 0;

		if (screc_get_fds(rec, &v))
			break;
		while (screc_fds_next(&v, &pos, &e))
			if (e.path_len < sizeof(path)) {
				memcpy(path, e.path, e.path_len);
				path[e.path_len] = '\0';
				proc_fd_open(run->pm, v.pid, e.fd, path, e.cloexec);
			}
		break;
	}
	case SCREC_REC_BLOB: {
		struct screc_blob_view b;

		if (!find_archive_loaded(ss->find))
			find_archive_store(ss->find, rec, "the recording");
		/* The vdso has no build-id in MMAP2 records: take the saved one's. */
		if (screc_get_blob(rec, &b) == 0 && b.kind == SCREC_BLOB_VDSO && b.offset == 0)
			proc_build_id(run->pm, "[vdso]", b.build_id, b.build_id_len);
		break;
	}
	}
}

void
pipeline_apply(struct report_session *ss, enum op_kind op, void *arg)
{
	switch (op) {
	case OP_RECORD:
		apply_record(ss, arg);
		break;
	case OP_BEGIN:
		begin_sink(ss);
		break;
	case OP_QUEUED:
		process_queued(ss, arg);
		free(arg);
		break;
	case OP_ROUND:
		resolve_round(ss);
		break;
	case OP_END:
		break;
	}
}

/* Hand an operation to the processing side: at once, or through the pipe. */
static void
deliver(struct report_session *ss, enum op_kind op, void *arg)
{
	if (ss->pipe)
		pipe_push(ss, op, arg);
	else
		pipeline_apply(ss, op, arg);
}

/*
 * The reading side of one record, in the file's order: perf records wait in
 * the heap for their time; everything else goes to the processing side as
 * it comes, in the same order relative to them as a single pass would see.
 */
void
pipeline_read(struct report_session *ss, const struct screc_rec *rec)
{
	struct run *run = &ss->run;

	switch (rec->type) {
	case SCREC_REC_ATTR:
		screc_attrs_add(&ss->rattrs, rec);
		deliver(ss, OP_RECORD, (void *)rec);
		return;
	case SCREC_REC_INFO:
	case SCREC_REC_STRING:
	case SCREC_REC_TRACEPOINT:
		deliver(ss, OP_RECORD, (void *)rec);
		return;
	}
	/* The recording's description is complete before the first of these. */
	if (!run->begin_sent) {
		run->begin_sent = true;
		deliver(ss, OP_BEGIN, NULL);
	}
	switch (rec->type) {
	case SCREC_REC_PERF:
	case SCREC_REC_RESOLVED:
		queue_perf(ss, rec);
		break;
	case SCREC_REC_CAPTURE:
		queue_capture(ss, rec);
		break;
	case SCREC_REC_ROUND:
		flush_until(ss, run->prev_round_max, false);
		run->prev_round_max = run->round_max;
		deliver(ss, OP_ROUND, NULL);
		break;
	default:
		deliver(ss, OP_RECORD, (void *)rec);
		break;
	}
}

int
report_session_begin(struct report_session *ss, const struct report_filter *f, struct sink *sink,
		     struct report_stats *st)
{
	struct run *run = &ss->run;

	memset(run, 0, offsetof(struct run, ur));
	run->pm = proc_model_new(ss->strs);
	if (!run->pm)
		return -ENOMEM;
	proc_set_file_reader(run->pm, find_read, ss->find);
	run->open = (struct idmap)IDMAP_INIT(struct open_ev);
	run->caps = (struct idmap)IDMAP_INIT(struct pending_capture);
	ss->decode.unread = &st->unread;
	run->heap_max = 256ull << 20;
	if (getenv("SCREC_REORDER_MAX"))
		run->heap_max = strtoull(getenv("SCREC_REORDER_MAX"), NULL, 0);
	run->sink = sink;
	run->f = f;
	run->st = st;
	return 0;
}

int
report_session_step(struct report_session *ss)
{
	struct run *run = &ss->run;
	const struct screc_rec *rec;
	int ret;

	if (run->ended || run->err)
		return 0;
	ret = screc_reader_next(ss->r, &rec);
	if (ret != 1) {
		run->ended = true;
		run->ret = ret;
		return 0;
	}
	pipeline_read(ss, rec);
	session_progress(ss);
	return run->err ? 0 : 1;
}

void
report_session_flush(struct report_session *ss)
{
	flush_until(ss, 0, true);
}

/* The sinks' list of threads, from the process model. */
static void
add_task(void *arg, const struct proc_task *t)
{
	struct report_session *ss = arg;

	if (screc_grow(&ss->tasks, &ss->cap_tasks, ss->meta.nr_tasks + 1, sizeof(*ss->tasks), 64))
		return;
	ss->tasks[ss->meta.nr_tasks++] = (struct report_task){
		t->pid, t->tid, screc_strtab_intern(ss->strs, t->comm)
	};
	ss->meta.tasks = ss->tasks;
}

int
report_session_finish(struct report_session *ss)
{
	struct run *run = &ss->run;
	struct sink *sink = run->sink;
	int ret = run->ret;

	begin_sink(ss);
	if (run->err)
		ret = run->err;
	flush_until(ss, 0, true);	/* empty already after a pipe */
	/* Calls still open at the end: no return value was recorded. */
	/*
	 * Sweeps over the slots: finish() moves entries of a probe run back,
	 * into this slot (so look at it again) or before it (so sweep again).
	 */
	while (run->open.nr) {
		for (size_t i = 0; i < run->open.cap && run->open.nr;) {
			struct open_ev *o = idmap_slot(&run->open, i);

			if (o)
				finish(ss, o);
			else
				i++;
		}
	}
	ss->meta.nr_tasks = 0;
	proc_each_task(run->pm, add_task, ss);
	if (screc_reader_trailer(ss->r)) {
		const struct screc_rec_trailer *tr = screc_reader_trailer(ss->r);

		/* The recorder knows of losses the kernel never wrote a record for. */
		if (tr->nr_lost > run->st->lost)
			run->st->lost = tr->nr_lost;
		run->st->expected = tr->nr_samples;
	}
	if (sink->ops->end && !run->err)
		run->err = sink->ops->end(sink, run->st);
	if (ss->resolve.active) {
		int rerr = resolve_finish(ss);

		if (rerr && !run->err)
			run->err = rerr;
	}
	if (run->err && ret >= 0)
		ret = run->err;
	free(run->heap);
	run->heap = NULL;
	screc_buf_release(&run->text);
	idmap_release(&run->open);
	for (size_t i = 0; i < run->caps.cap; i++) {
		struct pending_capture *pc = idmap_slot(&run->caps, i);

		if (pc)
			free(pc->rec);
	}
	idmap_release(&run->caps);
	proc_model_free(run->pm);
	run->pm = NULL;
	return ret;
}

int
report_session_run(struct report_session *ss, const struct report_filter *f, struct sink *sink,
		   struct report_stats *st)
{
	int err;

	err = report_session_begin(ss, f, sink, st);
	if (!err && ss->jobs > 1 && !ss->resolve.active)
		return pipe_run(ss);
	if (err)
		return err;
	while (report_session_step(ss) == 1)
		;
	return report_session_finish(ss);
}
