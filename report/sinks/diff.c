// SPDX-License-Identifier: MIT
/*
 * The diff of two recordings (`screc diff A B`, or --format=diff with two
 * files): for each syscall and each call path, the calls and their total
 * latency in A and in B, and the change.  Three views of it:
 *  - diff: a table by syscall, then one by call path, sorted by how much the
 *    calls changed; a path only in B is marked "new", one only in A "gone";
 *  - diff-tree: the merged call tree (bottom-up, or top-down with --tree=
 *    top-down) with both counts and the change on every node;
 *  - diff-folded: "outermost;...;syscall countA countB" lines, the two-count
 *    input of flamegraph.pl's differential flame graphs (difffolded.pl's
 *    output, for flamegraph.pl --negate), with --weight=latency the ns.
 * Frames are matched by function name and binary file name, never by
 * address, so that two builds of one program compare; a frame without a name
 * is its binary's file name alone ("libfoo.so+?").  A syscall is its name
 * and errno ("connect = ECONNREFUSED").
 *
 * The first recording (ev->recording 0) is A, every later one B.  Events go
 * into one stack trie with four sums per node (calls in A and B, latency in
 * A and B); memory grows with the distinct paths of both.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "report/agg/trie.h"
#include "sink.h"

enum view { VIEW_TEXT, VIEW_TREE, VIEW_FOLDED };
enum { CALLS_A, CALLS_B, LAT_A, LAT_B };

/* A call path, or a child in the tree, about to be printed. */
struct row {
	uint64_t v[4];
	const char *text;
	uint32_t node;
};

struct diff {
	enum view view;
	bool top_down;
	struct export_recs recs;
	struct trie *trie;
	char **labels;		/* by identity, made when printed */
	size_t nr_labels;
	char *prefix;		/* the tree's indentation */
	size_t prefix_cap;
	FILE *out;
	int err;
};

static void
diff_free(struct sink *s)
{
	struct diff *d = s->priv;
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nr_labels; i++)
		free(d->labels[i]);
	free(d->labels);
	free(d->prefix);
	trie_free(d->trie);
	export_recs_release(&d->recs);
	free(d);
	s->priv = NULL;
}

static int
begin_view(struct sink *s, const struct report_meta *meta, enum view view)
{
	struct diff *d = s->priv;

	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		s->priv = d;
		d->view = view;
		d->top_down = view == VIEW_TREE && s->opts.top_down;
		d->trie = trie_new_keyed(false, TRIE_KEY_PORTABLE, 4);
		if (!d->trie) {
			diff_free(s);
			return -ENOMEM;
		}
	}
	return export_recs_add(&d->recs, meta);
}

static int
diff_begin(struct sink *s, const struct report_meta *meta)
{
	return begin_view(s, meta, VIEW_TEXT);
}

static int
diff_tree_begin(struct sink *s, const struct report_meta *meta)
{
	return begin_view(s, meta, VIEW_TREE);
}

static int
diff_folded_begin(struct sink *s, const struct report_meta *meta)
{
	return begin_view(s, meta, VIEW_FOLDED);
}

static int
diff_event(struct sink *s, const struct event *ev)
{
	struct diff *d = s->priv;
	uint64_t v[4] = { 0 };
	bool b = ev->recording > 0;

	v[b ? CALLS_B : CALLS_A] = 1;
	v[b ? LAT_B : LAT_A] = ev->has_ret ? ev->duration_ns : 0;
	return trie_add_event(d->trie, ev, d->top_down, 0, v, 4, NULL);
}

/* The label of an identity, made once; ';' and control characters never appear. */
static const char *
label(struct diff *d, uint32_t id)
{
	struct screc_buf b = { 0 };
	char *p;

	if (id >= d->nr_labels) {
		size_t n = trie_nr_ids(d->trie);
		char **l = realloc(d->labels, n * sizeof(*l));

		if (!l) {
			d->err = -ENOMEM;
			return "";
		}
		memset(l + d->nr_labels, 0, (n - d->nr_labels) * sizeof(*l));
		d->labels = l;
		d->nr_labels = n;
	}
	if (d->labels[id])
		return d->labels[id];
	export_label(&b, trie_id_frame(d->trie, id), true);
	if (trie_id_frame(d->trie, id)->flags & TRIE_INLINED)
		screc_buf_str(&b, " [inlined]");
	if (b.err || !b.s) {
		d->err = b.err ? b.err : -ENOMEM;
		screc_buf_release(&b);
		return "";
	}
	for (p = b.s; *p; p++)
		if (*p == ';')
			*p = ':';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	d->labels[id] = b.s;
	return b.s;
}

static uint64_t
absdiff(const uint64_t *v, unsigned a, unsigned b)
{
	return v[a] > v[b] ? v[a] - v[b] : v[b] - v[a];
}

/* Biggest change of calls first, then of latency, then the most calls, then by text. */
static int
row_cmp(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	uint64_t ca = absdiff(a->v, CALLS_A, CALLS_B), cb = absdiff(b->v, CALLS_A, CALLS_B);

	if (ca != cb)
		return ca > cb ? -1 : 1;
	if (a->v[CALLS_A] + a->v[CALLS_B] != b->v[CALLS_A] + b->v[CALLS_B])
		return a->v[CALLS_A] + a->v[CALLS_B] > b->v[CALLS_A] + b->v[CALLS_B] ? -1 : 1;
	ca = absdiff(a->v, LAT_A, LAT_B);
	cb = absdiff(b->v, LAT_A, LAT_B);
	if (ca != cb)
		return ca > cb ? -1 : 1;
	return strcmp(a->text, b->text);
}

static int
text_cmp(const void *x, const void *y)
{
	const struct row *a = x, *b = y;

	return strcmp(a->text, b->text);
}

/* "+5", "-3", "0". */
static void
change(char *buf, size_t size, uint64_t a, uint64_t b)
{
	if (b > a)
		snprintf(buf, size, "+%" PRIu64, b - a);
	else if (a > b)
		snprintf(buf, size, "-%" PRIu64, a - b);
	else
		snprintf(buf, size, "0");
}

static const char *
mark(const uint64_t *v)
{
	if (!v[CALLS_A] && v[CALLS_B])
		return "new";
	if (v[CALLS_A] && !v[CALLS_B])
		return "gone";
	return "";
}

/* The line of numbers every row of the text view starts with. */
static void
numbers(FILE *out, const uint64_t *v)
{
	char c[32], l[32];

	change(c, sizeof(c), v[CALLS_A], v[CALLS_B]);
	change(l, sizeof(l), v[LAT_A], v[LAT_B]);
	fprintf(out, "%8" PRIu64 " %8" PRIu64 " %8s %14" PRIu64 " %14" PRIu64 " %15s  ", v[CALLS_A],
		v[CALLS_B], c, v[LAT_A], v[LAT_B], l);
}

/*
 * The paths that end at a node, with their own sums; *text gets the path's
 * labels from the first node to this one, separated by sep (to free).
 */
static int
path_text(struct diff *d, uint32_t node, const char *sep, bool reverse, char **text)
{
	struct screc_buf b = { 0 };
	uint32_t n, *nodes = NULL;
	size_t depth = 0, cap = 0, i;

	for (n = node; n != TRIE_ROOT; n = trie_parent(d->trie, n)) {
		if (screc_grow(&nodes, &cap, depth + 1, sizeof(*nodes), 32)) {
			free(nodes);
			return -ENOMEM;
		}
		nodes[depth++] = n;
	}
	/* nodes[] runs from this node up to the root's child. */
	for (i = 0; i < depth; i++) {
		uint32_t m = reverse ? nodes[i] : nodes[depth - 1 - i];

		if (i)
			screc_buf_str(&b, sep);
		screc_buf_str(&b, label(d, trie_node_id(d->trie, m)));
	}
	free(nodes);
	if (b.err || d->err) {
		screc_buf_release(&b);
		return b.err ? b.err : d->err;
	}
	*text = b.s ? b.s : strdup("");
	return *text ? 0 : -ENOMEM;
}

/* Every node where paths end, with its own sums, into *rows (to free with free_rows). */
static int
collect_paths(struct diff *d, const char *sep, bool reverse, struct row **rows, size_t *nr)
{
	uint32_t node, nodes = trie_nr_nodes(d->trie);
	size_t cap = 0;
	unsigned k;
	int err = 0;

	*rows = NULL;
	*nr = 0;
	for (node = 1; node < nodes && !err; node++) {
		struct row r = { .node = node };

		for (k = 0; k < 4; k++)
			r.v[k] = trie_self_value(d->trie, node, k);
		if (!r.v[CALLS_A] && !r.v[CALLS_B])
			continue;
		err = path_text(d, node, sep, reverse, (char **)&r.text);
		if (!err && screc_grow(rows, &cap, *nr + 1, sizeof(**rows), 64)) {
			free((char *)r.text);
			err = -ENOMEM;
		}
		if (!err)
			(*rows)[(*nr)++] = r;
	}
	return err;
}

static void
free_rows(struct row *rows, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free((char *)rows[i].text);
	free(rows);
}

/* "A: a.screc (host-a)" for the header. */
static void
name_side(FILE *out, const char *side, const struct report_meta *m)
{
	fprintf(out, "%s: %s", side, m && m->path ? m->path : "(none)");
	if (m && m->hostname)
		fprintf(out, " (%s)", m->hostname);
}

static void
header(struct diff *d, const char *what)
{
	fprintf(d->out, "# %s  ", what);
	name_side(d->out, "A", export_recs_meta(&d->recs, 0));
	fputs("  ", d->out);
	name_side(d->out, "B", export_recs_meta(&d->recs, 1));
	fputs("\n# frames match by function and binary name, not by address\n", d->out);
}

static int
text_view(struct diff *d)
{
	static const char columns[] =
		"#      A        B   change      latency A      latency B  latency change\n";
	uint64_t total[4] = { 0 };
	size_t nr, i, added = 0, gone = 0, changed = 0;
	struct row *rows;
	uint32_t c;
	unsigned k;
	int err;

	header(d, "screc diff");
	for (c = trie_first_child(d->trie, TRIE_ROOT); c; c = trie_next_sibling(d->trie, c))
		for (k = 0; k < 4; k++)
			total[k] += trie_value(d->trie, c, k);
	fputs("#\n# in all:\n", d->out);
	fputs(columns, d->out);
	numbers(d->out, total);
	fputs("all calls\n", d->out);

	/* The syscalls are the roots' children of a bottom-up trie: their sums are theirs. */
	nr = 0;
	for (c = trie_first_child(d->trie, TRIE_ROOT); c; c = trie_next_sibling(d->trie, c))
		nr++;
	rows = calloc(nr ? nr : 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (i = 0, c = trie_first_child(d->trie, TRIE_ROOT); c; c = trie_next_sibling(d->trie, c)) {
		for (k = 0; k < 4; k++)
			rows[i].v[k] = trie_value(d->trie, c, k);
		rows[i++].text = label(d, trie_node_id(d->trie, c));
	}
	if (nr > 1)
		qsort(rows, nr, sizeof(*rows), row_cmp);
	fputs("#\n# by syscall:\n", d->out);
	fputs(columns, d->out);
	for (i = 0; i < nr; i++) {
		numbers(d->out, rows[i].v);
		fprintf(d->out, "%-4s  %s\n", mark(rows[i].v), rows[i].text);
	}
	free(rows);

	err = collect_paths(d, " <- ", false, &rows, &nr);
	if (err)
		return err;
	if (nr > 1)
		qsort(rows, nr, sizeof(*rows), row_cmp);
	for (i = 0; i < nr; i++) {
		if (!rows[i].v[CALLS_A])
			added++;
		else if (!rows[i].v[CALLS_B])
			gone++;
		else if (rows[i].v[CALLS_A] != rows[i].v[CALLS_B])
			changed++;
	}
	fprintf(d->out, "#\n# by call path, innermost frame first: %zu paths, %zu new, %zu gone, "
			"%zu changed, %zu the same\n", nr, added, gone, changed,
		nr - added - gone - changed);
	fputs(columns, d->out);
	for (i = 0; i < nr; i++) {
		numbers(d->out, rows[i].v);
		fprintf(d->out, "%-4s  %s\n", mark(rows[i].v), rows[i].text);
	}
	free_rows(rows, nr);
	return d->err;
}

static int
folded_view(struct diff *d, enum sink_weight weight)
{
	unsigned a = weight == SINK_WEIGHT_LATENCY ? LAT_A : CALLS_A;
	unsigned b = weight == SINK_WEIGHT_LATENCY ? LAT_B : CALLS_B;
	struct row *rows;
	size_t nr, i;
	int err;

	err = collect_paths(d, ";", true, &rows, &nr);
	if (err)
		return err;
	if (nr > 1)
		qsort(rows, nr, sizeof(*rows), text_cmp);
	for (i = 0; i < nr; i++)
		fprintf(d->out, "%s %" PRIu64 " %" PRIu64 "\n", rows[i].text, rows[i].v[a],
			rows[i].v[b]);
	free_rows(rows, nr);
	return d->err;
}

/* Largest change first, then the most calls, then by label. */
static int
kid_cmp(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	uint64_t ca = absdiff(a->v, CALLS_A, CALLS_B), cb = absdiff(b->v, CALLS_A, CALLS_B);

	if (ca != cb)
		return ca > cb ? -1 : 1;
	if (a->v[CALLS_A] + a->v[CALLS_B] != b->v[CALLS_A] + b->v[CALLS_B])
		return a->v[CALLS_A] + a->v[CALLS_B] > b->v[CALLS_A] + b->v[CALLS_B] ? -1 : 1;
	return strcmp(a->text, b->text);
}

static int
prefix_reserve(struct diff *d, size_t len)
{
	char *p;

	if (len <= d->prefix_cap)
		return 0;
	p = realloc(d->prefix, len * 2);
	if (!p)
		return -ENOMEM;
	d->prefix = p;
	d->prefix_cap = len * 2;
	return 0;
}

/*
 * A node's line and what is below it, drawn as the tree sink draws: the line
 * is prefix[0..lp) + mark + label; children go under prefix[0..cp); a lone
 * child continues the chain at the same indentation.
 */
static int
tree_node(struct diff *d, uint32_t node, int depth, size_t lp, const char *branch, size_t cp)
{
	struct row *kids = NULL;
	size_t nr = 0, i;
	uint32_t c;
	uint64_t v[4];
	unsigned k;
	char ch[32];
	int err = 0;

	for (k = 0; k < 4; k++)
		v[k] = trie_value(d->trie, node, k);
	change(ch, sizeof(ch), v[CALLS_A], v[CALLS_B]);
	fprintf(d->out, "%8" PRIu64 " %8" PRIu64 " %8s  %.*s%s%s%s%s\n", v[CALLS_A], v[CALLS_B],
		ch, (int)lp, d->prefix, branch, label(d, trie_node_id(d->trie, node)),
		*mark(v) ? "  " : "", *mark(v) ? (!v[CALLS_A] ? "[new]" : "[gone]") : "");

	for (c = trie_first_child(d->trie, node); c; c = trie_next_sibling(d->trie, c))
		nr++;
	if (!nr)
		return 0;
	kids = calloc(nr, sizeof(*kids));
	if (!kids)
		return -ENOMEM;
	for (i = 0, c = trie_first_child(d->trie, node); c; c = trie_next_sibling(d->trie, c), i++) {
		for (k = 0; k < 4; k++)
			kids[i].v[k] = trie_value(d->trie, c, k);
		kids[i].text = label(d, trie_node_id(d->trie, c));
		kids[i].node = c;
	}
	if (nr > 1)
		qsort(kids, nr, sizeof(*kids), kid_cmp);
	if (nr == 1 && depth > 1) {
		err = tree_node(d, kids[0].node, depth + 1, cp, "", cp);
		free(kids);
		return err;
	}
	err = prefix_reserve(d, cp + 4);
	for (i = 0; i < nr && !err; i++) {
		bool last = i == nr - 1;

		memcpy(d->prefix + cp, last ? "    " : "|   ", 4);
		err = tree_node(d, kids[i].node, depth + 1, cp, last ? "`-- " : "|-- ", cp + 4);
	}
	free(kids);
	return err;
}

static int
tree_view(struct diff *d)
{
	struct row *roots;
	size_t nr = 0, i;
	uint32_t c;
	unsigned k;
	int err;

	header(d, d->top_down ? "screc diff, top-down" : "screc diff, bottom-up");
	fputs("#      A        B   change\n", d->out);
	err = prefix_reserve(d, 64);
	for (c = trie_first_child(d->trie, TRIE_ROOT); c; c = trie_next_sibling(d->trie, c))
		nr++;
	roots = calloc(nr ? nr : 1, sizeof(*roots));
	if (!roots || err) {
		free(roots);
		return -ENOMEM;
	}
	for (i = 0, c = trie_first_child(d->trie, TRIE_ROOT); c; c = trie_next_sibling(d->trie, c)) {
		for (k = 0; k < 4; k++)
			roots[i].v[k] = trie_value(d->trie, c, k);
		roots[i].text = label(d, trie_node_id(d->trie, c));
		roots[i++].node = c;
	}
	if (nr > 1)
		qsort(roots, nr, sizeof(*roots), kid_cmp);
	for (i = 0; i < nr && !err; i++) {
		fputc('\n', d->out);
		err = tree_node(d, roots[i].node, 1, 0, "", 0);
	}
	free(roots);
	return err ? err : d->err;
}

static int
diff_end(struct sink *s, const struct report_stats *st)
{
	struct diff *d = s->priv;
	int err;

	(void)st;
	d->out = s->opts.out;
	if (d->view == VIEW_TREE)
		err = tree_view(d);
	else if (d->view == VIEW_FOLDED)
		err = folded_view(d, s->opts.weight);
	else
		err = text_view(d);
	if (!err && (fflush(d->out) || ferror(d->out)))
		err = -EIO;
	return err;
}

const struct sink_ops sink_diff = {
	.name = "diff",
	.help = "two recordings compared: calls and latency per syscall and call path (screc diff)",
	.recordings = 2,
	.each_recording = true,
	.begin = diff_begin,
	.event = diff_event,
	.end = diff_end,
	.free = diff_free,
};

const struct sink_ops sink_diff_tree = {
	.name = "diff-tree",
	.help = "two recordings compared as one call tree with both counts",
	.recordings = 2,
	.each_recording = true,
	.begin = diff_tree_begin,
	.event = diff_event,
	.end = diff_end,
	.free = diff_free,
};

const struct sink_ops sink_diff_folded = {
	.name = "diff-folded",
	.help = "two recordings as \"stack countA countB\" lines (flamegraph.pl --negate)",
	.recordings = 2,
	.each_recording = true,
	.begin = diff_folded_begin,
	.event = diff_event,
	.end = diff_end,
	.free = diff_free,
};
