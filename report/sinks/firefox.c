// SPDX-License-Identifier: MIT
/*
 * --format=firefox: the Gecko profile format (version 27, which the front
 * end upgrades itself) that Firefox Profiler opens.  One thread per traced
 * thread, with its name, tid, pid and process name (the process's comm and
 * its host); each syscall is both
 *  - a sample at its entry, so that the call tree and the flame graph add
 *    the calls up, the syscall as a kernel leaf frame; and
 *  - an interval marker "Syscall" from entry to exit, whose fields are the
 *    call (decoded when the report decodes it), the return value, errno,
 *    comm and host, and whose stack (a one-sample SyncProfile) is the
 *    syscall's, so that the tooltip shows the call, what it returned, how
 *    long it took and where it came from.
 * Frames are "function (in /path/binary)", which the front end turns into
 * library attribution.  Times are ms from the report's start (meta.startTime
 * is its wall clock).
 *
 * A Gecko thread carries its own frame, stack and string tables; they hold
 * only distinct frames and paths (a trie of all paths, thread first, gives
 * each new path its row; a second trie maps (thread, identity) to the
 * thread's frame or string).  The sample and marker rows, one per event, are
 * written to a spool file per thread as they come and copied out at the end:
 * memory does not grow with the events.  With several recordings, pids and
 * tids of the second and later ones are moved apart (export_pid()).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "report/agg/trie.h"
#include "sink.h"
#include "spool.h"

#define NONE UINT32_MAX

enum { CAT_OTHER, CAT_USER, CAT_KERNEL };

/* A string of a thread's table: the location of a frame identity, or its bare label. */
struct fstring {
	uint32_t id;
	bool location;
};

struct fstack {
	uint32_t prefix;	/* NONE for a root */
	uint32_t frame;
};

struct fthread {
	const char *comm;	/* of its first event */
	uint32_t lnode;		/* its node in the local trie: frames below it */
	uint32_t names;		/* its child there for the names of markers */
	size_t samples, markers;	/* spool streams */
	struct fstring *strings;
	size_t nr_strings, cap_strings;
	uint32_t *frames;	/* string of each frame's location */
	uint32_t *frame_ids;	/* identity of each frame */
	size_t nr_frames, cap_frames, cap_frame_ids;
	struct fstack *stacks;
	size_t nr_stacks, cap_stacks;
};

struct firefox {
	struct export_recs recs;
	struct export_threads keys;
	struct fthread *threads;
	size_t cap_threads;
	struct trie *paths;	/* root, thread, outermost frame ... syscall */
	uint32_t *stack_of;	/* by path node: its row in its thread's stack table */
	size_t cap_stack_of;
	struct trie *local;	/* root, thread, identity: the thread's frame or string */
	uint32_t *local_of;	/* by local node: the row */
	size_t cap_local_of;
	struct spool *spool;
	uint32_t *ids;
	size_t cap_ids;
	struct screc_buf b, t;
};

static void
firefox_free(struct sink *s)
{
	struct firefox *ff = s->priv;
	size_t i;

	if (!ff)
		return;
	for (i = 0; i < ff->keys.nr; i++) {
		free(ff->threads[i].strings);
		free(ff->threads[i].frames);
		free(ff->threads[i].frame_ids);
		free(ff->threads[i].stacks);
	}
	free(ff->threads);
	export_threads_release(&ff->keys);
	export_recs_release(&ff->recs);
	trie_free(ff->paths);
	trie_free(ff->local);
	free(ff->stack_of);
	free(ff->local_of);
	spool_free(ff->spool);
	free(ff->ids);
	screc_buf_release(&ff->b);
	screc_buf_release(&ff->t);
	free(ff);
	s->priv = NULL;
}

static int
firefox_begin(struct sink *s, const struct report_meta *meta)
{
	struct firefox *ff = s->priv;
	int err;

	if (!ff) {
		ff = calloc(1, sizeof(*ff));
		if (!ff)
			return -ENOMEM;
		s->priv = ff;
		ff->paths = trie_new_keyed(s->opts.srcline, TRIE_KEY_NO_ERRNO, 1);
		ff->local = trie_new_keyed(false, 0, 1);
		err = ff->paths && ff->local ? spool_new(&ff->spool) : -ENOMEM;
		if (err) {
			firefox_free(s);
			return err;
		}
	}
	return export_recs_add(&ff->recs, meta);
}

/* Set a value of a by-node array that grows with its trie.  0 or -ENOMEM. */
static int
set_row(uint32_t **rows, size_t *cap, uint32_t node, uint32_t row)
{
	if (screc_grow(rows, cap, (size_t)node + 1, sizeof(**rows), 1024))
		return -ENOMEM;
	(*rows)[node] = row;
	return 0;
}

/*
 * The row of identity id in thread th's tables: its frame (and the string of
 * its location), or with frame unset its name's string (a marker's name).
 */
static int
local_row(struct firefox *ff, struct fthread *th, uint32_t id, bool frame, uint32_t *row)
{
	uint32_t parent = frame ? th->lnode : th->names, before = trie_nr_nodes(ff->local), node;
	int err = trie_child(ff->local, parent, id, &node);

	if (err)
		return err;
	if (trie_nr_nodes(ff->local) == before) {
		*row = ff->local_of[node];
		return 0;
	}
	if (screc_grow(&th->strings, &th->cap_strings, th->nr_strings + 1, sizeof(*th->strings),
		       16))
		return -ENOMEM;
	th->strings[th->nr_strings] = (struct fstring){ id, frame };
	if (frame) {
		if (screc_grow(&th->frames, &th->cap_frames, th->nr_frames + 1,
			       sizeof(*th->frames), 16) ||
		    screc_grow(&th->frame_ids, &th->cap_frame_ids, th->nr_frames + 1,
			       sizeof(*th->frame_ids), 16))
			return -ENOMEM;
		th->frames[th->nr_frames] = (uint32_t)th->nr_strings;
		th->frame_ids[th->nr_frames] = id;
		*row = (uint32_t)th->nr_frames++;
	} else {
		*row = (uint32_t)th->nr_strings;
	}
	th->nr_strings++;
	return set_row(&ff->local_of, &ff->cap_local_of, node, *row);
}

/* The thread of an event, made on first sight. */
static int
thread_of(struct firefox *ff, const struct event *ev, struct fthread **out, uint32_t *pnode)
{
	struct trie_frame key = { .kind = TRIE_TASK, .num = ev->pid, .addr = ev->tid,
				  .line = (int)ev->recording };
	size_t before = ff->keys.nr, i;
	struct fthread *th;
	uint32_t id;
	int err;

	err = export_thread(&ff->keys, ev->recording, ev->pid, ev->tid, true, &i);
	if (err)
		return err;
	if (ff->keys.nr != before) {
		if (screc_grow(&ff->threads, &ff->cap_threads, ff->keys.nr, sizeof(*ff->threads),
			       16))
			return -ENOMEM;
		th = &ff->threads[i];
		memset(th, 0, sizeof(*th));
		th->comm = ev->comm;
		err = trie_child(ff->local, TRIE_ROOT, (uint32_t)i, &th->lnode);
		/* No identity has this number: a node of its own for the names. */
		if (!err)
			err = trie_child(ff->local, th->lnode, UINT32_MAX, &th->names);
		if (!err)
			err = spool_open(ff->spool, &th->samples);
		if (!err)
			err = spool_open(ff->spool, &th->markers);
		if (err)
			return err;
	}
	*out = &ff->threads[i];
	err = trie_intern(ff->paths, &key, &id);
	return err ? err : trie_child(ff->paths, TRIE_ROOT, id, pnode);
}

/* The thread's stack row of the event's path, adding the rows it lacks. */
static int
event_stack(struct firefox *ff, struct fthread *th, uint32_t node, const struct event *ev,
	    uint32_t *stack)
{
	size_t len = trie_event_len(ev), n, i;
	uint32_t prefix = NONE;
	int err;

	if (screc_grow(&ff->ids, &ff->cap_ids, len, sizeof(*ff->ids), 64))
		return -ENOMEM;
	err = trie_event_ids(ff->paths, ev, ff->ids, len, &n);
	for (i = n; i-- > 0 && !err;) {
		uint32_t before = trie_nr_nodes(ff->paths), frame;

		err = trie_child(ff->paths, node, ff->ids[i], &node);
		if (err)
			break;
		if (trie_nr_nodes(ff->paths) == before) {
			prefix = ff->stack_of[node];
			continue;
		}
		err = local_row(ff, th, ff->ids[i], true, &frame);
		if (!err && screc_grow(&th->stacks, &th->cap_stacks, th->nr_stacks + 1,
				       sizeof(*th->stacks), 16))
			err = -ENOMEM;
		if (err)
			break;
		th->stacks[th->nr_stacks] = (struct fstack){ prefix, frame };
		prefix = (uint32_t)th->nr_stacks++;
		err = set_row(&ff->stack_of, &ff->cap_stack_of, node, prefix);
	}
	*stack = prefix;
	return err;
}

static int
firefox_event(struct sink *s, const struct event *ev)
{
	struct firefox *ff = s->priv;
	struct screc_buf *b = &ff->b, *t = &ff->t;
	uint64_t start = export_time(&ff->recs, ev);
	uint64_t end = start + (ev->has_ret ? ev->duration_ns : 0);
	struct fthread *th;
	uint32_t node, stack, name_row;
	int err;

	err = thread_of(ff, ev, &th, &node);
	if (!err)
		err = event_stack(ff, th, node, ev, &stack);
	/* The marker's name is its syscall's: the leaf of the path, the first identity. */
	if (!err)
		err = local_row(ff, th, ff->ids[0], false, &name_row);
	if (err)
		return err;

	/* The sample: [stack, time, responsiveness]. */
	screc_buf_reset(b);
	screc_buf_printf(b, "%s[%" PRIu32 ",", spool_size(ff->spool, th->samples) ? "," : "", stack);
	export_json_fixed(b, start, 6);
	screc_buf_str(b, ",0]");
	if (b->err)
		return b->err;
	err = spool_add(ff->spool, th->samples, b->s, b->len);
	if (err)
		return err;

	/* The marker: [name, start, end, phase, category, data]. */
	screc_buf_reset(b);
	screc_buf_printf(b, "%s[%" PRIu32 ",", spool_size(ff->spool, th->markers) ? "," : "",
			 name_row);
	export_json_fixed(b, start, 6);
	screc_buf_char(b, ',');
	export_json_fixed(b, end, 6);
	screc_buf_printf(b, ",1,%d,{\"type\":\"Syscall\",\"call\":", CAT_KERNEL);
	screc_buf_reset(t);
	export_call(t, ev);
	export_json_str(b, screc_buf_text(t));
	screc_buf_str(b, ",\"ret\":");
	screc_buf_reset(t);
	export_return(t, ev);
	export_json_str(b, screc_buf_text(t));
	if (ev->has_ret && ev->err) {
		screc_buf_str(b, ",\"errno\":");
		export_json_str(b, ev->err_name);
	}
	screc_buf_str(b, ",\"comm\":");
	export_json_str(b, ev->comm);
	if (ev->host) {
		screc_buf_str(b, ",\"host\":");
		export_json_str(b, ev->host);
	}
	if (ev->end != STACK_COMPLETE)
		screc_buf_str(b, ",\"stackEnd\":\"incomplete\"");
	screc_buf_str(b, ",\"stack\":{\"registerTime\":null,\"unregisterTime\":null,"
			 "\"processType\":\"default\",\"tid\":");
	export_json_u64(b, export_pid(ev->recording, ev->tid));
	screc_buf_str(b, ",\"pid\":");
	export_json_u64(b, export_pid(ev->recording, ev->pid));
	screc_buf_str(b, ",\"markers\":{\"schema\":{\"name\":0,\"startTime\":1,\"endTime\":2,"
			 "\"phase\":3,\"category\":4,\"data\":5},\"data\":[]},"
			 "\"samples\":{\"schema\":{\"stack\":0,\"time\":1,\"responsiveness\":2},"
			 "\"data\":[[");
	export_json_u64(b, stack);
	screc_buf_char(b, ',');
	export_json_fixed(b, start, 6);
	screc_buf_str(b, ",0]]}}}]");
	if (b->err || t->err)
		return b->err ? b->err : t->err;
	return spool_add(ff->spool, th->markers, b->s, b->len);
}

/* A string row's text: a frame's "function (in /path/binary)", or a text. */
static void
string_text(struct firefox *ff, const struct fstring *st, struct screc_buf *out)
{
	const struct trie_frame *f = trie_id_frame(ff->paths, st->id);

	export_label(out, f, false);
	if (!st->location)
		return;
	if (f->kind == TRIE_SYSCALL)
		screc_buf_str(out, " (in [kernel.kallsyms])");
	else if (f->kind == TRIE_FRAME && f->dso)
		screc_buf_printf(out, " (in %s)", f->dso);
}

static int
frame_category(const struct trie_frame *f)
{
	return f->kind == TRIE_SYSCALL ? CAT_KERNEL : f->kind == TRIE_FRAME ? CAT_USER : CAT_OTHER;
}

/* The thread's name and its process's, from the task list when it has them. */
static void
thread_names(struct firefox *ff, size_t i, const char **name, struct screc_buf *process)
{
	const struct export_thread_key *k = &ff->keys.keys[i];
	const struct report_meta *m = export_recs_meta(&ff->recs, k->recording);
	const char *comm = export_task_comm(m, k->tid), *pcomm = export_process_comm(m, k->pid);

	*name = comm ? comm : ff->threads[i].comm ? ff->threads[i].comm : "[unknown]";
	screc_buf_str(process, pcomm ? pcomm : *name);
	if (m && m->hostname)
		screc_buf_printf(process, " (%s)", m->hostname);
}

static int
write_thread(struct sink *s, size_t i)
{
	struct firefox *ff = s->priv;
	struct fthread *th = &ff->threads[i];
	const struct export_thread_key *k = &ff->keys.keys[i];
	struct screc_buf *b = &ff->b, *t = &ff->t;
	FILE *out = s->opts.out;
	const char *name;
	size_t j;
	int err;

	screc_buf_reset(b);
	screc_buf_reset(t);
	thread_names(ff, i, &name, t);
	screc_buf_str(b, i ? ",\n{\"name\":" : "\n{\"name\":");
	export_json_str(b, name);
	screc_buf_str(b, ",\"processName\":");
	export_json_str(b, screc_buf_text(t));
	screc_buf_str(b, ",\"processType\":\"default\",\"tid\":");
	export_json_u64(b, export_pid(k->recording, k->tid));
	screc_buf_str(b, ",\"pid\":");
	export_json_u64(b, export_pid(k->recording, k->pid));
	screc_buf_str(b, ",\"registerTime\":0,\"unregisterTime\":null,"
			 "\"samples\":{\"schema\":{\"stack\":0,\"time\":1,\"responsiveness\":2},"
			 "\"data\":[");
	err = export_write(out, b);
	if (!err)
		err = spool_copy(ff->spool, th->samples, out);
	if (!err && fputs("]},\"markers\":{\"schema\":{\"name\":0,\"startTime\":1,\"endTime\":2,"
			  "\"phase\":3,\"category\":4,\"data\":5},\"data\":[", out) == EOF)
		err = -EIO;
	if (!err)
		err = spool_copy(ff->spool, th->markers, out);
	if (err)
		return err;

	screc_buf_reset(b);
	screc_buf_str(b, "]},\"frameTable\":{\"schema\":{\"location\":0,\"relevantForJS\":1,"
			 "\"innerWindowID\":2,\"implementation\":3,\"line\":4,\"column\":5,"
			 "\"category\":6,\"subcategory\":7},\"data\":[");
	for (j = 0; j < th->nr_frames; j++) {
		const struct trie_frame *f = trie_id_frame(ff->paths, th->frame_ids[j]);

		screc_buf_printf(b, "%s[%" PRIu32 ",false,0,null,", j ? "," : "", th->frames[j]);
		if (f->line > 0)
			screc_buf_printf(b, "%d", f->line);
		else
			screc_buf_str(b, "null");
		screc_buf_printf(b, ",null,%d,0]", frame_category(f));
	}
	screc_buf_str(b, "]},\"stackTable\":{\"schema\":{\"prefix\":0,\"frame\":1},\"data\":[");
	for (j = 0; j < th->nr_stacks; j++) {
		if (th->stacks[j].prefix == NONE)
			screc_buf_printf(b, "%s[null,%" PRIu32 "]", j ? "," : "", th->stacks[j].frame);
		else
			screc_buf_printf(b, "%s[%" PRIu32 ",%" PRIu32 "]", j ? "," : "",
					 th->stacks[j].prefix, th->stacks[j].frame);
	}
	screc_buf_str(b, "]},\"stringTable\":[");
	for (j = 0; j < th->nr_strings; j++) {
		if (j)
			screc_buf_char(b, ',');
		screc_buf_reset(t);
		string_text(ff, &th->strings[j], t);
		export_json_str(b, screc_buf_text(t));
		/* Write large tables out as they grow. */
		if (b->len > 65536) {
			err = export_write(out, b);
			if (err)
				return err;
			screc_buf_reset(b);
		}
	}
	screc_buf_str(b, "]}");
	if (t->err)
		return t->err;
	return export_write(out, b);
}

static const char firefox_meta[] =
	",\"interval\":1,\"processType\":0,\"product\":\"screc\",\"stackwalk\":1,\"debug\":0,"
	"\"gcpoison\":0,\"asyncstack\":1,\"shutdownTime\":null,\"presymbolicated\":true,"
	"\"platform\":\"Linux\",\"categories\":["
	"{\"name\":\"Other\",\"color\":\"grey\",\"subcategories\":[\"Other\"]},"
	"{\"name\":\"User\",\"color\":\"yellow\",\"subcategories\":[\"Other\"]},"
	"{\"name\":\"Kernel\",\"color\":\"orange\",\"subcategories\":[\"Other\"]}],"
	"\"markerSchema\":[{\"name\":\"Syscall\","
	"\"display\":[\"marker-chart\",\"marker-table\",\"timeline-overview\"],"
	"\"chartLabel\":\"{marker.data.call}\","
	"\"tooltipLabel\":\"{marker.data.call} = {marker.data.ret}\","
	"\"tableLabel\":\"{marker.data.call} = {marker.data.ret}\","
	"\"data\":["
	"{\"key\":\"call\",\"label\":\"Call\",\"format\":\"string\",\"searchable\":true},"
	"{\"key\":\"ret\",\"label\":\"Returned\",\"format\":\"string\",\"searchable\":true},"
	"{\"key\":\"errno\",\"label\":\"errno\",\"format\":\"string\",\"searchable\":true},"
	"{\"key\":\"comm\",\"label\":\"Thread\",\"format\":\"string\",\"searchable\":true},"
	"{\"key\":\"host\",\"label\":\"Host\",\"format\":\"string\",\"searchable\":true}]}]},"
	"\"libs\":[],\"pausedRanges\":[],\"processes\":[],\"threads\":[";

static int
firefox_end(struct sink *s, const struct report_stats *st)
{
	struct firefox *ff = s->priv;
	struct screc_buf *b = &ff->b;
	size_t i;
	int err;

	(void)st;
	screc_buf_reset(b);
	screc_buf_str(b, "{\"meta\":{\"version\":27,\"startTime\":");
	export_json_fixed(b, export_origin(&ff->recs), 6);
	screc_buf_str(b, firefox_meta);
	err = export_write(s->opts.out, b);
	for (i = 0; i < ff->keys.nr && !err; i++)
		err = write_thread(s, i);
	if (!err && fputs("\n]}\n", s->opts.out) == EOF)
		err = -EIO;
	if (!err && (fflush(s->opts.out) || ferror(s->opts.out)))
		err = -EIO;
	return err;
}

const struct sink_ops sink_firefox = {
	.name = "firefox",
	.help = "Firefox Profiler (Gecko JSON): samples for the call tree, markers with call, "
		"return and stack",
	.each_recording = true,
	.begin = firefox_begin,
	.event = firefox_event,
	.end = firefox_end,
	.free = firefox_free,
};
