// SPDX-License-Identifier: MIT
/*
 * --format=chrome: Chrome's Trace Event JSON, which Perfetto UI,
 * chrome://tracing, speedscope and Firefox Profiler open.  Each syscall is a
 * complete ("X") event on its thread's track, from its entry (ts) to its exit
 * (dur), both in microseconds from the report's start, named by the syscall.
 * Its args.data holds what a reader wants to see on the slice: the call as
 * text (decoded when the report decodes it), the return value, errno,
 * duration in ns, comm, host and the stack innermost first as readable
 * strings (Perfetto ignores the trace's own stack frames).  The same stack
 * is also an "sf" reference into the top-level "stackFrames", which
 * chrome://tracing shows.  Process and thread names come last, as metadata
 * ("M") events from the recordings' task lists; a process is labelled with
 * its host.
 *
 * Events are written as they come; only the distinct stacks are kept, in a
 * trie, for stackFrames.  With several recordings, pids and tids of the
 * second and later ones are moved apart (export_pid()) and every recording
 * is placed on one time axis by its wall-clock start.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/version.h"
#include "export.h"
#include "report/agg/trie.h"
#include "sink.h"

struct chrome {
	struct export_recs recs;
	struct trie *stacks;	/* frames outermost first: node numbers are the sf ids */
	uint32_t *ids;
	size_t cap_ids;
	struct screc_buf b;
	bool started;		/* the opening is written */
	uint64_t events;
};

static void
chrome_free(struct sink *s)
{
	struct chrome *c = s->priv;

	if (!c)
		return;
	export_recs_release(&c->recs);
	trie_free(c->stacks);
	free(c->ids);
	screc_buf_release(&c->b);
	free(c);
	s->priv = NULL;
}

static int
chrome_begin(struct sink *s, const struct report_meta *meta)
{
	struct chrome *c = s->priv;

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		s->priv = c;
		c->stacks = trie_new_keyed(false, 0, 1);
		if (!c->stacks) {
			chrome_free(s);
			return -ENOMEM;
		}
	}
	if (!c->started) {
		c->started = true;
		if (fputs("{\"traceEvents\":[", s->opts.out) == EOF)
			return -EIO;
	}
	return export_recs_add(&c->recs, meta);
}

/* A frame as the args' stack shows it: "function (binary)", or "binary+0xADDR". */
static void
stack_entry(struct screc_buf *b, struct trie *t, const struct frame *fr)
{
	struct trie_frame f;
	struct screc_buf l = { 0 };

	screc_buf_char(b, '"');
	if (fr->sym) {
		export_json_chars(b, fr->sym);
	} else {
		trie_frame_key(t, fr, &f);
		export_label(&l, &f, false);
		export_json_chars(b, screc_buf_text(&l));
		if (l.err)
			b->err = l.err;
		screc_buf_release(&l);
	}
	if (fr->inlined)
		screc_buf_str(b, " [inlined]");
	if (fr->sym && fr->dso) {
		screc_buf_str(b, " (");
		export_json_chars(b, export_basename(fr->dso));
		screc_buf_char(b, ')');
	}
	screc_buf_char(b, '"');
}

static const char *const end_names[] = {
	[STACK_COMPLETE] = "complete",
	[STACK_TRUNCATED] = "truncated",
	[STACK_SWITCH] = "stack_switch",
	[STACK_BROKEN] = "broken",
};

/* The event's stack in the trie, outermost first; *sf gets its node (0: no frames). */
static int
stack_node(struct chrome *c, const struct event *ev, uint32_t *sf)
{
	size_t len = trie_event_len(ev), n, i;
	int err;

	if (screc_grow(&c->ids, &c->cap_ids, 2 * len, sizeof(*c->ids), 64))
		return -ENOMEM;
	err = trie_event_ids(c->stacks, ev, c->ids + len, len, &n);
	if (err)
		return err;
	/* Leave out the syscall (the event itself); the end marker comes first. */
	for (i = 0; i + 1 < n; i++)
		c->ids[i] = c->ids[len + n - 1 - i];
	return trie_add_path(c->stacks, TRIE_ROOT, c->ids, n - 1, NULL, 0, sf);
}

static int
chrome_event(struct sink *s, const struct event *ev)
{
	struct chrome *c = s->priv;
	struct screc_buf *b = &c->b;
	struct screc_buf t = { 0 };
	uint64_t ts = export_time(&c->recs, ev);
	uint32_t sf;
	size_t i;
	int err;

	err = stack_node(c, ev, &sf);
	if (err)
		return err;
	screc_buf_reset(b);
	screc_buf_str(b, c->events++ ? ",\n{\"ph\":\"X\",\"cat\":\"syscall\",\"name\":" :
					"\n{\"ph\":\"X\",\"cat\":\"syscall\",\"name\":");
	export_syscall_name(&t, ev);
	export_json_str(b, screc_buf_text(&t));
	screc_buf_str(b, ",\"pid\":");
	export_json_u64(b, export_pid(ev->recording, ev->pid));
	screc_buf_str(b, ",\"tid\":");
	export_json_u64(b, export_pid(ev->recording, ev->tid));
	screc_buf_str(b, ",\"ts\":");
	export_json_fixed(b, ts, 3);
	screc_buf_str(b, ",\"dur\":");
	export_json_fixed(b, ev->has_ret ? ev->duration_ns : 0, 3);
	if (sf) {
		screc_buf_str(b, ",\"sf\":");
		export_json_u64(b, sf);
	}
	screc_buf_str(b, ",\"args\":{\"data\":{\"call\":");
	screc_buf_reset(&t);
	export_call(&t, ev);
	export_json_str(b, screc_buf_text(&t));
	screc_buf_str(b, ",\"ret\":");
	if (ev->has_ret)
		export_json_i64(b, ev->ret);
	else
		screc_buf_str(b, "null");
	screc_buf_str(b, ",\"ret_text\":");
	screc_buf_reset(&t);
	export_return(&t, ev);
	export_json_str(b, screc_buf_text(&t));
	screc_buf_str(b, ",\"errno\":");
	export_json_str(b, ev->has_ret && ev->err ? ev->err_name : NULL);
	screc_buf_str(b, ",\"duration_ns\":");
	if (ev->has_ret)
		export_json_u64(b, ev->duration_ns);
	else
		screc_buf_str(b, "null");
	screc_buf_str(b, ",\"comm\":");
	export_json_str(b, ev->comm);
	if (ev->host) {
		screc_buf_str(b, ",\"host\":");
		export_json_str(b, ev->host);
	}
	if (s->nr_recordings > 1) {
		screc_buf_str(b, ",\"recording\":");
		export_json_u64(b, ev->recording);
	}
	screc_buf_str(b, ",\"stack\":[");
	for (i = 0; i < ev->nr_frames; i++) {
		if (i)
			screc_buf_char(b, ',');
		stack_entry(b, c->stacks, &ev->frames[i]);
	}
	screc_buf_char(b, ']');
	if (ev->end != STACK_COMPLETE && (size_t)ev->end < SCREC_ARRAY_SIZE(end_names)) {
		screc_buf_str(b, ",\"stack_end\":");
		export_json_str(b, end_names[ev->end]);
	}
	screc_buf_str(b, "}}}");
	if (t.err)
		b->err = t.err;
	screc_buf_release(&t);
	return export_write(s->opts.out, b);
}

/* One metadata event: {"ph":"M","name":NAME,"pid":P,"tid":T,"ts":0,"args":{KEY:VALUE}}. */
static void
meta_event(struct chrome *c, const char *name, uint32_t pid, uint32_t tid, const char *key,
	   const char *value)
{
	struct screc_buf *b = &c->b;

	screc_buf_str(b, c->events++ ? ",\n{\"ph\":\"M\",\"name\":" : "\n{\"ph\":\"M\",\"name\":");
	export_json_str(b, name);
	screc_buf_str(b, ",\"pid\":");
	export_json_u64(b, pid);
	screc_buf_str(b, ",\"tid\":");
	export_json_u64(b, tid);
	screc_buf_str(b, ",\"ts\":0,\"args\":{");
	export_json_str(b, key);
	screc_buf_char(b, ':');
	export_json_str(b, value);
	screc_buf_str(b, "}}");
}

/* The names of one recording's processes and threads. */
static int
names(struct sink *s, const struct report_meta *m)
{
	struct chrome *c = s->priv;
	size_t i, j;

	for (i = 0; i < m->nr_tasks; i++) {
		const struct report_task *t = &m->tasks[i];
		uint32_t pid = export_pid(m->recording, t->pid);
		bool seen = false;

		screc_buf_reset(&c->b);
		/* The first thread listed of a process names it. */
		for (j = 0; j < i && !seen; j++)
			seen = m->tasks[j].pid == t->pid;
		if (!seen) {
			const char *comm = export_process_comm(m, t->pid);

			meta_event(c, "process_name", pid, pid, "name", comm ? comm : "");
			if (m->hostname)
				meta_event(c, "process_labels", pid, pid, "labels", m->hostname);
		}
		meta_event(c, "thread_name", pid, export_pid(m->recording, t->tid), "name",
			   t->comm ? t->comm : "");
		if (export_write(s->opts.out, &c->b))
			return -EIO;
	}
	return 0;
}

static void
stack_frames(struct chrome *c)
{
	struct screc_buf *b = &c->b;
	struct screc_buf l = { 0 };
	uint32_t n, nr = trie_nr_nodes(c->stacks);

	screc_buf_str(b, ",\"stackFrames\":{");
	for (n = 1; n < nr; n++) {
		const struct trie_frame *f = trie_id_frame(c->stacks, trie_node_id(c->stacks, n));
		uint32_t parent = trie_parent(c->stacks, n);

		if (n > 1)
			screc_buf_char(b, ',');
		screc_buf_printf(b, "\"%" PRIu32 "\":{\"name\":", n);
		screc_buf_reset(&l);
		export_label(&l, f, false);
		if (f->kind == TRIE_FRAME && (f->flags & TRIE_INLINED))
			screc_buf_str(&l, " [inlined]");
		export_json_str(b, screc_buf_text(&l));
		screc_buf_str(b, ",\"category\":");
		export_json_str(b, f->kind == TRIE_FRAME && f->dso ? export_basename(f->dso) :
								   "screc");
		if (parent != TRIE_ROOT)
			screc_buf_printf(b, ",\"parent\":\"%" PRIu32 "\"", parent);
		screc_buf_char(b, '}');
	}
	screc_buf_char(b, '}');
	if (l.err)
		b->err = l.err;
	screc_buf_release(&l);
}

static int
chrome_end(struct sink *s, const struct report_stats *st)
{
	struct chrome *c = s->priv;
	struct screc_buf *b = &c->b;
	size_t i;
	int err;

	(void)st;
	for (i = 0; i < c->recs.nr; i++) {
		if (c->recs.metas[i]) {
			err = names(s, c->recs.metas[i]);
			if (err)
				return err;
		}
	}
	screc_buf_reset(b);
	screc_buf_str(b, "\n],\"displayTimeUnit\":\"ns\"");
	stack_frames(c);
	screc_buf_str(b, ",\"otherData\":{\"producer\":\"screc " SCREC_VERSION "\",\"recordings\":[");
	for (i = 0; i < c->recs.nr; i++) {
		const struct report_meta *m = c->recs.metas[i];

		if (i)
			screc_buf_char(b, ',');
		if (!m) {
			screc_buf_str(b, "null");
			continue;
		}
		screc_buf_str(b, "{\"path\":");
		export_json_str(b, m->path);
		screc_buf_str(b, ",\"host\":");
		export_json_str(b, m->hostname);
		screc_buf_str(b, ",\"kernel\":");
		export_json_str(b, m->kernel);
		screc_buf_str(b, ",\"cmdline\":");
		export_json_str(b, m->cmdline);
		screc_buf_str(b, ",\"pid_offset\":");
		export_json_u64(b, export_pid((unsigned)i, 0));
		screc_buf_char(b, '}');
	}
	screc_buf_str(b, "]}}\n");
	err = export_write(s->opts.out, b);
	if (!err && (fflush(s->opts.out) || ferror(s->opts.out)))
		err = -EIO;
	return err;
}

const struct sink_ops sink_chrome = {
	.name = "chrome",
	.help = "Chrome Trace Event JSON: each syscall a slice on its thread (Perfetto UI, "
		"chrome://tracing)",
	.each_recording = true,
	.begin = chrome_begin,
	.event = chrome_event,
	.end = chrome_end,
	.free = chrome_free,
};
