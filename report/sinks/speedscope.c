// SPDX-License-Identifier: MIT
/*
 * --format=speedscope: speedscope's own file format
 * (https://www.speedscope.app/file-format-schema.json).  One evented profile
 * per traced thread, named "comm (pid P, tid T)" (and its host), in
 * nanoseconds from the report's start: each syscall opens its frames from
 * the outermost to the syscall itself at its entry and closes them at its
 * exit, so that the time-ordered view shows every call where it happened and
 * the left-heavy view adds them up.  Frames are shared by all profiles:
 * {"name", "file"} with the binary's path, the syscall's file
 * "[kernel.kallsyms]".  A stack that is not complete starts with its end
 * marker ("[truncated]").
 *
 * The frames are the identities of a stack trie (an identity's number is its
 * index); each thread's open/close events go to a spool file as they come
 * and are copied out at the end, so memory does not grow with the events.
 * With several recordings, threads are keyed by (recording, pid, tid).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/version.h"
#include "export.h"
#include "report/agg/trie.h"
#include "sink.h"
#include "spool.h"

struct sthread {
	const char *comm;	/* of its first event */
	size_t events;		/* spool stream */
	uint64_t first, last;	/* first open, last close */
};

struct speedscope {
	struct export_recs recs;
	struct export_threads keys;
	struct sthread *threads;
	size_t cap_threads;
	struct trie *frames;
	struct spool *spool;
	uint32_t *ids;
	size_t cap_ids;
	struct screc_buf b;
};

static void
speedscope_free(struct sink *s)
{
	struct speedscope *sp = s->priv;

	if (!sp)
		return;
	export_recs_release(&sp->recs);
	export_threads_release(&sp->keys);
	free(sp->threads);
	trie_free(sp->frames);
	spool_free(sp->spool);
	free(sp->ids);
	screc_buf_release(&sp->b);
	free(sp);
	s->priv = NULL;
}

static int
speedscope_begin(struct sink *s, const struct report_meta *meta)
{
	struct speedscope *sp = s->priv;
	int err;

	if (!sp) {
		sp = calloc(1, sizeof(*sp));
		if (!sp)
			return -ENOMEM;
		s->priv = sp;
		sp->frames = trie_new_keyed(s->opts.srcline, TRIE_KEY_NO_ERRNO, 1);
		err = sp->frames ? spool_new(&sp->spool) : -ENOMEM;
		if (err) {
			speedscope_free(s);
			return err;
		}
	}
	return export_recs_add(&sp->recs, meta);
}

static int
speedscope_event(struct sink *s, const struct event *ev)
{
	struct speedscope *sp = s->priv;
	struct screc_buf *b = &sp->b;
	uint64_t at = export_time(&sp->recs, ev), end;
	size_t before = sp->keys.nr, len = trie_event_len(ev), n, i, k;
	struct sthread *th;
	int err;

	err = export_thread(&sp->keys, ev->recording, ev->pid, ev->tid, true, &k);
	if (err)
		return err;
	if (sp->keys.nr != before) {
		if (screc_grow(&sp->threads, &sp->cap_threads, sp->keys.nr, sizeof(*sp->threads),
			       16))
			return -ENOMEM;
		th = &sp->threads[k];
		memset(th, 0, sizeof(*th));
		th->comm = ev->comm;
		th->first = at;
		err = spool_open(sp->spool, &th->events);
		if (err)
			return err;
	}
	th = &sp->threads[k];
	if (screc_grow(&sp->ids, &sp->cap_ids, len, sizeof(*sp->ids), 64))
		return -ENOMEM;
	err = trie_event_ids(sp->frames, ev, sp->ids, len, &n);
	if (err)
		return err;

	/* Events of a thread must not go back in time. */
	if (at < th->last)
		at = th->last;
	end = at + (ev->has_ret ? ev->duration_ns : 0);
	th->last = end;

	screc_buf_reset(b);
	for (i = n; i-- > 0;) {
		if (spool_size(sp->spool, th->events) || i != n - 1)
			screc_buf_char(b, ',');
		screc_buf_str(b, "{\"type\":\"O\",\"frame\":");
		export_json_u64(b, sp->ids[i]);
		screc_buf_str(b, ",\"at\":");
		export_json_u64(b, at);
		screc_buf_char(b, '}');
	}
	for (i = 0; i < n; i++) {
		screc_buf_str(b, ",{\"type\":\"C\",\"frame\":");
		export_json_u64(b, sp->ids[i]);
		screc_buf_str(b, ",\"at\":");
		export_json_u64(b, end);
		screc_buf_char(b, '}');
	}
	if (b->err)
		return b->err;
	return spool_add(sp->spool, th->events, b->s, b->len);
}

static int
write_profile(struct sink *s, size_t i)
{
	struct speedscope *sp = s->priv;
	const struct export_thread_key *k = &sp->keys.keys[i];
	const struct report_meta *m = export_recs_meta(&sp->recs, k->recording);
	const char *comm = export_task_comm(m, k->tid);
	struct sthread *th = &sp->threads[i];
	struct screc_buf *b = &sp->b, name = { 0 };
	int err;

	if (!comm)
		comm = th->comm ? th->comm : "[unknown]";
	screc_buf_printf(&name, "%s (pid %" PRIu32 ", tid %" PRIu32 ")", comm, k->pid, k->tid);
	if (m && m->hostname)
		screc_buf_printf(&name, " on %s", m->hostname);
	screc_buf_reset(b);
	screc_buf_str(b, i ? ",\n{\"type\":\"evented\",\"name\":" : "\n{\"type\":\"evented\",\"name\":");
	export_json_str(b, screc_buf_text(&name));
	screc_buf_str(b, ",\"unit\":\"nanoseconds\",\"startValue\":");
	export_json_u64(b, th->first);
	screc_buf_str(b, ",\"endValue\":");
	export_json_u64(b, th->last > th->first ? th->last : th->first);
	screc_buf_str(b, ",\"events\":[");
	if (name.err)
		b->err = name.err;
	screc_buf_release(&name);
	err = export_write(s->opts.out, b);
	if (!err)
		err = spool_copy(sp->spool, th->events, s->opts.out);
	if (!err && fputs("]}", s->opts.out) == EOF)
		err = -EIO;
	return err;
}

static int
write_frames(struct sink *s)
{
	struct speedscope *sp = s->priv;
	struct screc_buf *b = &sp->b, l = { 0 };
	uint32_t id, nr = trie_nr_ids(sp->frames);
	int err = 0;

	screc_buf_reset(b);
	screc_buf_str(b, "\n],\"shared\":{\"frames\":[");
	for (id = 0; id < nr && !err; id++) {
		const struct trie_frame *f = trie_id_frame(sp->frames, id);

		screc_buf_reset(&l);
		export_label(&l, f, false);
		if (f->kind == TRIE_FRAME && (f->flags & TRIE_INLINED))
			screc_buf_str(&l, " [inlined]");
		screc_buf_str(b, id ? ",\n{\"name\":" : "\n{\"name\":");
		export_json_str(b, screc_buf_text(&l));
		if (f->kind == TRIE_SYSCALL) {
			screc_buf_str(b, ",\"file\":\"[kernel.kallsyms]\"");
		} else if (f->kind == TRIE_FRAME && f->dso) {
			screc_buf_str(b, ",\"file\":");
			export_json_str(b, f->file ? f->file : f->dso);
			if (f->file && f->line > 0)
				screc_buf_printf(b, ",\"line\":%d", f->line);
		}
		screc_buf_char(b, '}');
		if (b->len > 65536) {
			err = export_write(s->opts.out, b);
			screc_buf_reset(b);
		}
	}
	if (l.err && !err)
		err = l.err;
	screc_buf_release(&l);
	screc_buf_str(b, "]}}\n");
	return err ? err : export_write(s->opts.out, b);
}

static int
speedscope_end(struct sink *s, const struct report_stats *st)
{
	struct speedscope *sp = s->priv;
	const struct report_meta *m = export_recs_meta(&sp->recs, 0);
	struct screc_buf *b = &sp->b;
	size_t i;
	int err;

	(void)st;
	screc_buf_reset(b);
	screc_buf_str(b, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
			 "\"exporter\":\"screc " SCREC_VERSION "\",\"name\":");
	export_json_str(b, m && m->path ? export_basename(m->path) : "screc");
	screc_buf_str(b, ",\"activeProfileIndex\":0,\"profiles\":[");
	err = export_write(s->opts.out, b);
	for (i = 0; i < sp->keys.nr && !err; i++)
		err = write_profile(s, i);
	if (!err)
		err = write_frames(s);
	if (!err && (fflush(s->opts.out) || ferror(s->opts.out)))
		err = -EIO;
	return err;
}

const struct sink_ops sink_speedscope = {
	.name = "speedscope",
	.help = "speedscope's own JSON: one evented profile per thread, each syscall from entry "
		"to exit",
	.each_recording = true,
	.begin = speedscope_begin,
	.event = speedscope_event,
	.end = speedscope_end,
	.free = speedscope_free,
};
