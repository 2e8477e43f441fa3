// SPDX-License-Identifier: MIT
/*
 * The --tree sink: every event merged into one call tree, printed at the end
 * with counts and shares of all events, like perf report's call graph.
 * Bottom-up (the default) starts from "syscall = ERRNO" and walks out through
 * the callers, innermost first, which answers "what code is touching that?";
 * top-down starts from the outermost frames and ends at the syscall.  A stack
 * that does not reach its outermost frame ends in a marker node
 * ("[truncated]", "[stack switch]", "[broken]") so that it is never shown as
 * if it were complete.
 *
 * The events go into a stack trie (report/agg/trie.h), keyed by frame
 * identity; memory grows with the number of distinct paths, not with the
 * number of events.  Labels are made only for the nodes printed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "report/sinks/shape.h"
#include "report/agg/trie.h"
#include "sink.h"

/* A child about to be printed: what it is sorted by, and where it is. */
struct kid {
	uint64_t count;
	const char *label;
	uint32_t node;
};

struct tree {
	struct trie *trie;
	uint64_t events;
	char **labels;		/* by identity number, made when first printed */
	size_t nr_labels;
	struct kid *kids;
	char *prefix;
	size_t prefix_cap;
	FILE *out;
	int count_width;
	int err;
};

static const char *
basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

static const char *const end_names[] = {
	[STACK_TRUNCATED] = "[truncated]",
	[STACK_SWITCH] = "[stack switch]",
	[STACK_BROKEN] = "[broken]",
};

/*
 * A node's text.  A syscall is "connect", or "connect = ECONNREFUSED" when
 * it failed.  A frame is its function, or "dso+0xrel" (file offset basis, for
 * addr2line) when there is none, or "dso@0xpc" when not even the file offset
 * is known (anonymous memory); marks and the source line follow the name.
 */
static void
make_label(const struct trie_frame *f, struct screc_buf *b)
{
	switch (f->kind) {
	case TRIE_SYSCALL:
		if (f->name)
			screc_buf_str(b, f->name);
		else
			screc_buf_printf(b, "syscall_%" PRId64, f->num);
		if (f->err && f->err_name)
			screc_buf_printf(b, " = %s", f->err_name);
		else if (f->err)
			screc_buf_printf(b, " = errno %d", f->err);
		return;
	case TRIE_END:
		screc_buf_str(b, (uint64_t)f->num < SCREC_ARRAY_SIZE(end_names) && end_names[f->num] ?
				 end_names[f->num] : "[broken]");
		return;
	}
	if (f->name)
		screc_buf_str(b, f->name);
	else
		screc_buf_printf(b, "%s%s%#" PRIx64, f->dso ? basename_of(f->dso) : "[unknown]",
				 f->flags & TRIE_ABSOLUTE ? "@" : "+", f->addr);
	if (f->flags & TRIE_INLINED)
		screc_buf_str(b, " [inlined]");
	if (f->flags & TRIE_MISMATCH)
		screc_buf_str(b, " [build-id mismatch]");
	if (f->file) {
		screc_buf_printf(b, " (%s", f->file);
		if (f->line > 0)
			screc_buf_printf(b, ":%d", f->line);
		screc_buf_char(b, ')');
	}
}

/* The label of a node, made once per identity. */
static const char *
label(struct tree *t, uint32_t node)
{
	uint32_t id = trie_node_id(t->trie, node);
	struct screc_buf b = { 0 };

	if (id >= t->nr_labels) {
		size_t n = trie_nr_ids(t->trie);
		char **l = realloc(t->labels, n * sizeof(*l));

		if (!l) {
			t->err = -ENOMEM;
			return "";
		}
		memset(l + t->nr_labels, 0, (n - t->nr_labels) * sizeof(*l));
		t->labels = l;
		t->nr_labels = n;
	}
	if (!t->labels[id]) {
		make_label(trie_id_frame(t->trie, id), &b);
		if (b.err) {
			t->err = b.err;
			screc_buf_release(&b);
			return "";
		}
		t->labels[id] = b.s ? b.s : strdup("");
	}
	return t->labels[id] ? t->labels[id] : "";
}

static void
tree_free(struct sink *s)
{
	struct tree *t = s->priv;
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nr_labels; i++)
		free(t->labels[i]);
	free(t->labels);
	trie_free(t->trie);
	free(t->kids);
	free(t->prefix);
	free(t);
	s->priv = NULL;
}

static int
tree_begin(struct sink *s, const struct report_meta *meta)
{
	struct tree *t = calloc(1, sizeof(*t));

	(void)meta;
	if (!t)
		return -ENOMEM;
	s->priv = t;
	t->trie = trie_new(s->opts.srcline);
	if (!t->trie) {
		tree_free(s);
		return -ENOMEM;
	}
	return 0;
}

static int
tree_event(struct sink *s, const struct event *ev)
{
	struct tree *t = s->priv;
	const struct sink_opts *o = &s->opts;
	static const uint64_t one = 1;

	t->events++;
	/* Depth beyond max_depth is never printed, so it is not stored either. */
	return trie_add_event(t->trie, ev, o->top_down, o->max_depth > 0 ? (size_t)o->max_depth : 0,
			      &one, 1, NULL);
}

static int
kid_cmp(const void *a, const void *b)
{
	const struct kid *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* Whether a node's share of all events reaches min_percent. */
static bool
shown(const struct tree *t, const struct sink_opts *o, uint64_t count)
{
	return o->min_percent <= 0 || 100.0 * count >= o->min_percent * t->events;
}

static int
prefix_reserve(struct tree *t, size_t len)
{
	char *p;

	if (len <= t->prefix_cap)
		return 0;
	p = realloc(t->prefix, len * 2);
	if (!p)
		return -ENOMEM;
	t->prefix = p;
	t->prefix_cap = len * 2;
	return 0;
}

/* The shown children of node into kids[top..], sorted; returns how many. */
static size_t
sorted_kids(struct tree *t, const struct sink_opts *o, uint32_t node, size_t top)
{
	size_t nr = 0;
	uint32_t c;

	for (c = trie_first_child(t->trie, node); c; c = trie_next_sibling(t->trie, c)) {
		uint64_t count = trie_value(t->trie, c, 0);

		if (!shown(t, o, count))
			continue;
		t->kids[top + nr].count = count;
		t->kids[top + nr].label = label(t, c);
		t->kids[top + nr].node = c;
		nr++;
	}
	qsort(t->kids + top, nr, sizeof(*t->kids), kid_cmp);
	return nr;
}

/* The colour a node's label is printed in ("" without colour). */
static const char *
color_of(const struct tree *t, const struct sink_opts *o, uint32_t node)
{
	const struct trie_frame *f;

	if (!o->color)
		return "";
	f = trie_id_frame(t->trie, trie_node_id(t->trie, node));
	switch (f->kind) {
	case TRIE_SYSCALL:
		return f->err ? SINK_C_ERROR : SINK_C_SYSCALL;
	case TRIE_END:
		return SINK_C_MARK;
	case TRIE_FRAME:
		return f->dso && !shape_system_library(f->dso) ? SINK_C_OWN : "";
	}
	return "";
}

/*
 * Print a node and what is below it.  The line is prefix[0..lp) + mark +
 * name; children go under prefix[0..cp).  A node with several children gives
 * each a branch mark and extends the prefix; a single child continues the
 * chain at the same indentation, as perf does, so that a deep stack does not
 * drift to the right.  kids[top..] is free scratch space for this subtree.
 */
static int
print_node(struct tree *t, const struct sink_opts *o, uint32_t node, int depth, size_t lp,
	   const char *mark, size_t cp, size_t top)
{
	uint64_t count = trie_value(t->trie, node, 0);
	size_t nr, i;
	int err;

	fprintf(t->out, "%7.2f%%  %*" PRIu64 "  %.*s%s%s%s%s\n", 100.0 * count / t->events,
		t->count_width, count, (int)lp, t->prefix, mark, color_of(t, o, node), label(t, node),
		o->color ? SINK_C_OFF : "");

	if (o->max_depth > 0 && depth >= o->max_depth)
		return 0;
	nr = sorted_kids(t, o, node, top);

	/* The children of a root always get a mark, to set them apart from it. */
	if (nr == 1 && depth > 1)
		return print_node(t, o, t->kids[top].node, depth + 1, cp, "", cp, top + 1);

	err = prefix_reserve(t, cp + 4);
	if (err)
		return err;
	for (i = 0; i < nr; i++) {
		bool last = i == nr - 1;

		memcpy(t->prefix + cp, last ? "    " : "|   ", 4);
		err = print_node(t, o, t->kids[top + i].node, depth + 1, cp, last ? "`-- " : "|-- ",
				 cp + 4, top + nr);
		if (err)
			return err;
	}
	return 0;
}

static int
tree_end(struct sink *s, const struct report_stats *st)
{
	struct tree *t = s->priv;
	const struct sink_opts *o = &s->opts;
	uint64_t v;
	size_t nr, i;
	int err = 0;

	(void)st;
	t->out = o->out;
	if (o->top_down)
		fprintf(t->out, "# %" PRIu64 " events, top-down: from the outermost frames down to "
			"each syscall\n", t->events);
	else
		fprintf(t->out, "# %" PRIu64 " events, bottom-up: each syscall (= errno if it "
			"failed), then its callers, innermost first\n", t->events);
	if (o->min_percent > 0)
		fprintf(t->out, "# hiding branches below %.2f%% of all events\n", o->min_percent);
	if (o->max_depth > 0)
		fprintf(t->out, "# hiding levels deeper than %d\n", o->max_depth);

	t->kids = malloc(trie_nr_nodes(t->trie) * sizeof(*t->kids));
	if (!t->kids)
		return -ENOMEM;
	err = prefix_reserve(t, 64);
	if (err)
		return err;
	for (t->count_width = 5, v = t->events; v >= 100000; v /= 10)
		t->count_width++;

	nr = sorted_kids(t, o, TRIE_ROOT, 0);
	for (i = 0; i < nr && !err; i++) {
		fputc('\n', t->out);
		err = print_node(t, o, t->kids[i].node, 1, 0, "", 0, nr);
	}
	if (!err)
		err = t->err;
	if (!err && (fflush(t->out) || ferror(t->out)))
		err = -EIO;
	return err;
}

const struct sink_ops sink_tree = {
	.name = "tree",
	.help = "every event merged into one call tree with counts (also --tree)",
	.begin = tree_begin,
	.event = tree_event,
	.end = tree_end,
	.free = tree_free,
};
