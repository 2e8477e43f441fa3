// SPDX-License-Identifier: MIT
/*
 * --format=folded: one line per call path, "comm;root;...;leaf;syscall N",
 * the input of flamegraph.pl and inferno, which speedscope and Firefox
 * Profiler read too.  N is the number of calls, or with --weight=latency
 * their total duration in ns.  The comm comes first, as stackcollapse-perf
 * puts it; a stack that is not complete starts (after the comm) with its end
 * marker, "[truncated]", so that it never passes for a whole one; inlined
 * frames carry the "_[i]" suffix; the syscall is the leaf, by name (its
 * errno would split the flame graph's leaves).  Frames never contain ';'
 * (it becomes ':') nor a line break.
 *
 * Events go into a stack trie; the lines are written at the end, paths in
 * the order of their labels, so that equal input gives equal output.  With
 * several recordings, the same paths of every host add up into one line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "report/agg/trie.h"
#include "sink.h"

struct folded {
	struct trie *trie;
	uint32_t *ids;		/* scratch: one event's path */
	size_t cap_ids;
	char **labels;		/* by identity, made when written */
	size_t nr_labels;
	struct screc_buf line;
	FILE *out;
	unsigned value;		/* which of the trie's sums is written */
	int err;
};

static void
folded_free(struct sink *s)
{
	struct folded *fo = s->priv;
	size_t i;

	if (!fo)
		return;
	for (i = 0; i < fo->nr_labels; i++)
		free(fo->labels[i]);
	free(fo->labels);
	free(fo->ids);
	trie_free(fo->trie);
	screc_buf_release(&fo->line);
	free(fo);
	s->priv = NULL;
}

static int
folded_begin(struct sink *s, const struct report_meta *meta)
{
	struct folded *fo = s->priv;

	(void)meta;
	if (fo)
		return 0;	/* the next recording of several */
	fo = calloc(1, sizeof(*fo));
	if (!fo)
		return -ENOMEM;
	s->priv = fo;
	fo->trie = trie_new_keyed(false, TRIE_KEY_NO_ERRNO, 2);
	if (!fo->trie) {
		folded_free(s);
		return -ENOMEM;
	}
	return 0;
}

static int
folded_event(struct sink *s, const struct event *ev)
{
	struct folded *fo = s->priv;
	struct trie_frame comm = { .kind = TRIE_TASK, .name = ev->comm ? ev->comm : "[unknown]" };
	uint64_t values[2] = { 1, ev->duration_ns };
	size_t len = trie_event_len(ev) + 1, n, i;
	int err;

	if (screc_grow(&fo->ids, &fo->cap_ids, 2 * len, sizeof(*fo->ids), 64))
		return -ENOMEM;
	/* Bottom-up into the second half, then root first into the first. */
	err = trie_event_ids(fo->trie, ev, fo->ids + len, len, &n);
	if (!err)
		err = trie_intern(fo->trie, &comm, &fo->ids[0]);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		fo->ids[1 + i] = fo->ids[len + n - 1 - i];
	return trie_add_path(fo->trie, TRIE_ROOT, fo->ids, n + 1, values, 2, NULL);
}

/* The label of an identity as a folded frame, made once. */
static const char *
label(struct folded *fo, uint32_t id)
{
	const struct trie_frame *f = trie_id_frame(fo->trie, id);
	struct screc_buf b = { 0 };
	char *p;

	if (id >= fo->nr_labels) {
		size_t n = trie_nr_ids(fo->trie);
		char **l = realloc(fo->labels, n * sizeof(*l));

		if (!l) {
			fo->err = -ENOMEM;
			return "";
		}
		memset(l + fo->nr_labels, 0, (n - fo->nr_labels) * sizeof(*l));
		fo->labels = l;
		fo->nr_labels = n;
	}
	if (fo->labels[id])
		return fo->labels[id];
	export_label(&b, f, false);
	if (f->kind == TRIE_FRAME && (f->flags & TRIE_INLINED))
		screc_buf_str(&b, "_[i]");
	if (b.err || !b.s) {
		fo->err = b.err ? b.err : -ENOMEM;
		screc_buf_release(&b);
		return "";
	}
	for (p = b.s; *p; p++)
		if (*p == ';')
			*p = ':';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	fo->labels[id] = b.s;
	return b.s;
}

struct kid {
	const char *label;
	uint32_t node;
};

static int
kid_cmp(const void *a, const void *b)
{
	const struct kid *x = a, *y = b;
	int c = strcmp(x->label, y->label);

	return c ? c : (x->node > y->node) - (x->node < y->node);
}

/* Write the lines of node's subtree; the line so far (its path) is in fo->line. */
static int
write_node(struct folded *fo, uint32_t node)
{
	size_t keep = fo->line.len, nr = 0, i;
	struct kid *kids = NULL;
	uint64_t self;
	uint32_t c;
	int err = 0;

	if (node != TRIE_ROOT) {
		if (keep)
			screc_buf_char(&fo->line, ';');
		screc_buf_str(&fo->line, label(fo, trie_node_id(fo->trie, node)));
		self = trie_self_value(fo->trie, node, fo->value);
		if (self) {
			size_t path = fo->line.len;

			screc_buf_printf(&fo->line, " %" PRIu64 "\n", self);
			err = export_write(fo->out, &fo->line);
			fo->line.len = path;
		}
	}
	for (c = trie_first_child(fo->trie, node); c; c = trie_next_sibling(fo->trie, c))
		nr++;
	if (nr && !err) {
		kids = malloc(nr * sizeof(*kids));
		if (!kids)
			err = -ENOMEM;
	}
	for (i = 0, c = trie_first_child(fo->trie, node); kids && c;
	     c = trie_next_sibling(fo->trie, c), i++)
		kids[i] = (struct kid){ label(fo, trie_node_id(fo->trie, c)), c };
	if (kids)
		if (nr > 1)
			qsort(kids, nr, sizeof(*kids), kid_cmp);
	for (i = 0; kids && i < nr && !err; i++)
		err = write_node(fo, kids[i].node);
	free(kids);
	fo->line.len = keep;
	if (fo->line.s)
		fo->line.s[keep] = '\0';
	return err ? err : fo->err;
}

static int
folded_end(struct sink *s, const struct report_stats *st)
{
	struct folded *fo = s->priv;
	int err;

	(void)st;
	fo->out = s->opts.out;
	fo->value = s->opts.weight == SINK_WEIGHT_LATENCY ? 1 : 0;
	err = write_node(fo, TRIE_ROOT);
	if (!err)
		err = fo->line.err;
	if (!err && (fflush(fo->out) || ferror(fo->out)))
		err = -EIO;
	return err;
}

const struct sink_ops sink_folded = {
	.name = "folded",
	.help = "folded stacks \"comm;...;syscall N\" for flamegraph.pl, inferno, speedscope "
		"(--weight=count|latency)",
	.each_recording = true,
	.begin = folded_begin,
	.event = folded_event,
	.end = folded_end,
	.free = folded_free,
};
