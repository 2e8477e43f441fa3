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
 * Memory grows with the number of distinct paths, not with the number of
 * events: frame names are interned once in a hash table, nodes are found by
 * hashing (parent, name), and nothing of an event is kept.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/decode/errno-names.h"
#include "event.h"

/* An interned string; tree nodes refer to it by index. */
struct name {
	uint64_t hash;
	uint32_t len;
	char s[];
};

struct node {
	uint64_t count;		/* events whose path goes through this node */
	uint32_t name;		/* index into tree.names */
	uint32_t parent;	/* index into tree.nodes; node 0 is the invisible root */
	uint32_t child;		/* first child, 0 if none */
	uint32_t next;		/* next sibling, 0 if none */
};

/* A child about to be printed: what it is sorted by, and where it is. */
struct kid {
	uint64_t count;
	const struct name *name;
	uint32_t node;
};

struct tree {
	struct name **names;
	uint32_t nr_names, names_cap;
	uint32_t *name_slots;	/* open addressing: name index + 1, 0 is empty */
	size_t name_mask;

	struct node *nodes;
	uint32_t nr_nodes, nodes_cap;
	uint32_t *node_slots;	/* open addressing: node index, 0 is empty (root is nobody's child) */
	size_t node_mask;

	uint64_t events;

	char *buf;		/* a name being built */
	size_t buf_len, buf_cap;

	/* Used by end() only. */
	struct kid *kids;
	char *prefix;
	size_t prefix_cap;
	FILE *out;
	int count_width;
};

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* A fast string hash: eight bytes a step, finished by a full mix. */
static uint64_t
hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, len);
	return mix64(h ^ w);
}

static int
grow(void **p, uint32_t *cap, size_t size)
{
	uint32_t n = *cap ? *cap * 2 : 64;
	void *q;

	if (n <= *cap)
		return -EOVERFLOW;
	q = realloc(*p, (size_t)n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* A new, empty slot table of twice the old size; the caller refills it. */
static int
new_slots(uint32_t **slots, size_t *mask)
{
	size_t n = *slots ? (*mask + 1) * 2 : 1024;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	free(*slots);
	*slots = s;
	*mask = n - 1;
	return 0;
}

static int
rehash_names(struct tree *t)
{
	uint32_t i;
	int err;

	err = new_slots(&t->name_slots, &t->name_mask);
	if (err)
		return err;
	for (i = 0; i < t->nr_names; i++) {
		size_t j = t->names[i]->hash & t->name_mask;

		while (t->name_slots[j])
			j = (j + 1) & t->name_mask;
		t->name_slots[j] = i + 1;
	}
	return 0;
}

/* The index of the interned copy of s[0..len), made on first sight. */
static int
intern(struct tree *t, const char *s, size_t len, uint32_t *id)
{
	uint64_t h = hash_bytes(s, len);
	size_t j = h & t->name_mask;
	struct name *n;
	uint32_t k;
	int err;

	while ((k = t->name_slots[j])) {
		n = t->names[k - 1];
		if (n->hash == h && n->len == len && memcmp(n->s, s, len) == 0) {
			*id = k - 1;
			return 0;
		}
		j = (j + 1) & t->name_mask;
	}

	if (len > UINT32_MAX || t->nr_names >= UINT32_MAX - 1)
		return -EOVERFLOW;
	if (t->nr_names == t->names_cap) {
		err = grow((void **)&t->names, &t->names_cap, sizeof(*t->names));
		if (err)
			return err;
	}
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return -ENOMEM;
	n->hash = h;
	n->len = len;
	memcpy(n->s, s, len);
	n->s[len] = '\0';
	t->names[t->nr_names] = n;
	t->name_slots[j] = ++t->nr_names;
	*id = t->nr_names - 1;

	/* Keep the load at most one half, so that probes stay short. */
	if ((size_t)t->nr_names * 2 > t->name_mask + 1)
		return rehash_names(t);
	return 0;
}

static size_t
node_slot(const struct tree *t, uint32_t parent, uint32_t name)
{
	return mix64((uint64_t)parent << 32 | name) & t->node_mask;
}

static int
rehash_nodes(struct tree *t)
{
	uint32_t i;
	int err;

	err = new_slots(&t->node_slots, &t->node_mask);
	if (err)
		return err;
	for (i = 1; i < t->nr_nodes; i++) {
		size_t j = node_slot(t, t->nodes[i].parent, t->nodes[i].name);

		while (t->node_slots[j])
			j = (j + 1) & t->node_mask;
		t->node_slots[j] = i;
	}
	return 0;
}

/* The child of parent called name, made on first sight. */
static int
child(struct tree *t, uint32_t parent, uint32_t name, uint32_t *out)
{
	size_t j = node_slot(t, parent, name);
	struct node *n;
	uint32_t k;
	int err;

	while ((k = t->node_slots[j])) {
		if (t->nodes[k].parent == parent && t->nodes[k].name == name) {
			*out = k;
			return 0;
		}
		j = (j + 1) & t->node_mask;
	}

	if (t->nr_nodes == t->nodes_cap) {
		err = grow((void **)&t->nodes, &t->nodes_cap, sizeof(*t->nodes));
		if (err)
			return err;
	}
	k = t->nr_nodes++;
	n = &t->nodes[k];
	n->count = 0;
	n->name = name;
	n->parent = parent;
	n->child = 0;
	n->next = t->nodes[parent].child;
	t->nodes[parent].child = k;
	t->node_slots[j] = k;
	*out = k;

	if ((size_t)t->nr_nodes * 2 > t->node_mask + 1)
		return rehash_nodes(t);
	return 0;
}

static int
buf_add(struct tree *t, const char *s, size_t len)
{
	if (len > t->buf_cap - t->buf_len) {
		size_t cap = t->buf_cap ? t->buf_cap : 256;
		char *p;

		while (len > cap - t->buf_len) {
			if (cap > SIZE_MAX / 2)
				return -EOVERFLOW;
			cap *= 2;
		}
		p = realloc(t->buf, cap);
		if (!p)
			return -ENOMEM;
		t->buf = p;
		t->buf_cap = cap;
	}
	memcpy(t->buf + t->buf_len, s, len);
	t->buf_len += len;
	return 0;
}

static int
buf_str(struct tree *t, const char *s)
{
	return buf_add(t, s, strlen(s));
}

static int
buf_hex(struct tree *t, uint64_t v)
{
	char tmp[18], *p = tmp + sizeof(tmp);

	do
		*--p = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	*--p = 'x';
	*--p = '0';
	return buf_add(t, p, tmp + sizeof(tmp) - p);
}

static int
buf_dec(struct tree *t, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	return buf_add(t, tmp, n);
}

static const char *
basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/*
 * A frame's name in the tree: its function, or "dso+0xrel" (file offset
 * basis, for addr2line) when there is none, or "dso@0xpc" when not even the
 * file offset is known (anonymous memory).  Marks follow the name.
 */
static int
frame_name(struct tree *t, const struct sink_opts *o, const struct frame *f, uint32_t *id)
{
	bool srcline = o->srcline && f->file;
	int err = 0;

	if (f->sym && !f->inlined && !f->bad_build_id && !srcline)
		return intern(t, f->sym, strlen(f->sym), id);

	t->buf_len = 0;
	if (f->sym) {
		err = buf_str(t, f->sym);
	} else {
		err = buf_str(t, f->dso ? basename_of(f->dso) : "[unknown]");
		if (!err)
			err = buf_add(t, f->rel ? "+" : "@", 1);
		if (!err)
			err = buf_hex(t, f->rel ? f->rel : f->pc);
	}
	if (!err && f->inlined)
		err = buf_str(t, " [inlined]");
	if (!err && f->bad_build_id)
		err = buf_str(t, " [build-id mismatch]");
	if (!err && srcline) {
		err = buf_str(t, " (");
		if (!err)
			err = buf_str(t, f->file);
		if (!err && f->line > 0) {
			err = buf_add(t, ":", 1);
			if (!err)
				err = buf_dec(t, f->line);
		}
		if (!err)
			err = buf_add(t, ")", 1);
	}
	if (err)
		return err;
	return intern(t, t->buf, t->buf_len, id);
}

/* "connect = ECONNREFUSED" for a failed call, "connect" otherwise. */
static int
syscall_name(struct tree *t, const struct event *ev, uint32_t *id)
{
	int e = ev->has_ret ? errno_of_ret(ev->ret) : 0;
	const char *name;
	int err;

	if (ev->syscall && !e)
		return intern(t, ev->syscall, strlen(ev->syscall), id);

	t->buf_len = 0;
	if (ev->syscall) {
		err = buf_str(t, ev->syscall);
	} else {
		err = buf_str(t, "syscall_");
		if (!err)
			err = buf_dec(t, ev->nr);
	}
	if (!err && e) {
		name = errno_name(e);
		err = buf_str(t, name ? " = " : " = errno ");
		if (!err)
			err = name ? buf_str(t, name) : buf_dec(t, e);
	}
	if (err)
		return err;
	return intern(t, t->buf, t->buf_len, id);
}

static const char *const end_names[] = {
	[STACK_TRUNCATED] = "[truncated]",
	[STACK_SWITCH] = "[stack switch]",
	[STACK_BROKEN] = "[broken]",
};

/* The name of an event's i-th node counted from the syscall outwards. */
static int
label(struct tree *t, const struct sink_opts *o, const struct event *ev, size_t i, uint32_t *id)
{
	const char *s;

	if (i == 0)
		return syscall_name(t, ev, id);
	if (i - 1 < ev->nr_frames)
		return frame_name(t, o, &ev->frames[i - 1], id);
	s = (unsigned)ev->end < sizeof(end_names) / sizeof(end_names[0]) && end_names[ev->end] ?
		end_names[ev->end] : "[broken]";
	return intern(t, s, strlen(s), id);
}

static void
tree_free(struct sink *s)
{
	struct tree *t = s->priv;
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->nr_names; i++)
		free(t->names[i]);
	free(t->names);
	free(t->name_slots);
	free(t->nodes);
	free(t->node_slots);
	free(t->buf);
	free(t->kids);
	free(t->prefix);
	free(t);
	s->priv = NULL;
}

static int
tree_begin(struct sink *s)
{
	struct tree *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	s->priv = t;
	err = new_slots(&t->name_slots, &t->name_mask);
	if (!err)
		err = new_slots(&t->node_slots, &t->node_mask);
	if (!err)
		err = grow((void **)&t->nodes, &t->nodes_cap, sizeof(*t->nodes));
	if (err) {
		tree_free(s);
		return err;
	}
	memset(&t->nodes[0], 0, sizeof(t->nodes[0]));
	t->nr_nodes = 1;
	return 0;
}

static int
tree_event(struct sink *s, const struct event *ev)
{
	struct tree *t = s->priv;
	const struct sink_opts *o = &s->opts;
	size_t len = 1 + ev->nr_frames + (ev->end != STACK_COMPLETE);
	size_t depth = o->max_depth > 0 && (size_t)o->max_depth < len ? (size_t)o->max_depth : len;
	uint32_t node = 0, id;
	size_t i;
	int err;

	/* Depth beyond max_depth is never printed, so it is not stored either. */
	for (i = 0; i < depth; i++) {
		err = label(t, o, ev, o->top_down ? len - 1 - i : i, &id);
		if (!err)
			err = child(t, node, id, &node);
		if (err)
			return err;
		t->nodes[node].count++;
	}
	t->events++;
	return 0;
}

static int
kid_cmp(const void *a, const void *b)
{
	const struct kid *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name->s, y->name->s);
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
	const struct node *n = &t->nodes[node];
	const struct name *nm = t->names[n->name];
	size_t nr = 0, i;
	uint32_t c;
	int err;

	fprintf(t->out, "%7.2f%%  %*" PRIu64 "  %.*s%s%s\n", 100.0 * n->count / t->events,
		t->count_width, n->count, (int)lp, t->prefix, mark, nm->s);

	if (o->max_depth > 0 && depth >= o->max_depth)
		return 0;
	for (c = n->child; c; c = t->nodes[c].next) {
		if (!shown(t, o, t->nodes[c].count))
			continue;
		t->kids[top + nr].count = t->nodes[c].count;
		t->kids[top + nr].name = t->names[t->nodes[c].name];
		t->kids[top + nr].node = c;
		nr++;
	}
	qsort(t->kids + top, nr, sizeof(*t->kids), kid_cmp);

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
	size_t nr = 0, i;
	uint32_t c;
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

	t->kids = malloc(t->nr_nodes * sizeof(*t->kids));
	if (!t->kids)
		return -ENOMEM;
	err = prefix_reserve(t, 64);
	if (err)
		return err;
	for (t->count_width = 5, v = t->events; v >= 100000; v /= 10)
		t->count_width++;

	for (c = t->nodes[0].child; c; c = t->nodes[c].next) {
		if (!shown(t, o, t->nodes[c].count))
			continue;
		t->kids[nr].count = t->nodes[c].count;
		t->kids[nr].name = t->names[t->nodes[c].name];
		t->kids[nr].node = c;
		nr++;
	}
	qsort(t->kids, nr, sizeof(*t->kids), kid_cmp);
	for (i = 0; i < nr && !err; i++) {
		fputc('\n', t->out);
		err = print_node(t, o, t->kids[i].node, 1, 0, "", 0, nr);
	}
	if (!err && (fflush(t->out) || ferror(t->out)))
		err = -EIO;
	return err;
}

const struct sink_ops sink_tree = {
	.name = "tree",
	.begin = tree_begin,
	.event = tree_event,
	.end = tree_end,
	.free = tree_free,
};
