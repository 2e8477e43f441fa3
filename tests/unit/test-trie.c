// SPDX-License-Identifier: MIT
/*
 * The stack trie on hand-built events: which frames merge (a function is its
 * name and binary, wherever its strings live; a frame without a name is its
 * binary and address; inlined and build-id-mismatch flags count; file:line
 * only when lines are kept), the order of a path bottom-up and top-down and
 * its end marker, max_depth, the sums along a path, syscall nodes by name
 * and errno, the walking functions, and a few thousand random events against
 * a reference that sorts every prefix of every path and sums them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/agg/trie.h"
#include "tap.h"

/* Checks that failed. */
static unsigned nr_bad;

static bool
note(bool passed)
{
	if (!passed)
		nr_bad++;
	return passed;
}

#define ok(...) note(tap_ok(__VA_ARGS__))
#define is(...) note(tap_is(__VA_ARGS__))


static struct frame
named(const char *sym, const char *dso)
{
	return (struct frame){ .pc = 0x1000, .rel = 0x1000, .dso = dso, .sym = sym };
}

static struct frame
unnamed(const char *dso, uint64_t pc, uint64_t rel)
{
	return (struct frame){ .pc = pc, .rel = rel, .dso = dso };
}

static struct event
event(const char *syscall, int err, const struct frame *frames, size_t nr, enum stack_end end)
{
	return (struct event){
		.nr = 42,
		.syscall = syscall,
		.has_ret = true,
		.ret = err ? -err : 0,
		.err = err,
		.err_name = err == 111 ? "ECONNREFUSED" : err ? "EOTHER" : NULL,
		.frames = frames,
		.nr_frames = nr,
		.end = end,
	};
}

static uint32_t
add(struct trie *t, const struct event *ev, bool top_down, size_t max_depth)
{
	static const uint64_t one[2] = { 1, 0 };
	uint32_t leaf = 0;

	if (trie_add_event(t, ev, top_down, max_depth, one, 2, &leaf))
		return 0;
	return leaf;
}

static unsigned
nr_children(const struct trie *t, uint32_t node)
{
	unsigned n = 0;
	uint32_t c;

	for (c = trie_first_child(t, node); c; c = trie_next_sibling(t, c))
		n++;
	return n;
}

static const struct trie_frame *
ident(const struct trie *t, uint32_t node)
{
	return trie_id_frame(t, trie_node_id(t, node));
}

static size_t
depth(const struct trie *t, uint32_t node)
{
	size_t d = 0;

	while (node != TRIE_ROOT) {
		node = trie_parent(t, node);
		d++;
	}
	return d;
}

static bool
ident_named(const struct trie_frame *f, uint8_t kind, const char *name)
{
	return f->kind == kind && f->name && strcmp(f->name, name) == 0;
}

static void
test_identity(void)
{
	struct trie *t = trie_new(false);
	struct frame fa[2], fb[2];
	struct event ea, eb;
	char *s1, *s2, *d1, *d2;
	uint32_t la, lb, sys, nodes;

	if (!ok(t != NULL, "identity: a trie"))
		return;
	is(trie_nr_nodes(t), 1, "identity: a new trie has its root only");
	is(trie_first_child(t, TRIE_ROOT), 0, "identity: ... without children");

	/* The same function name in two binaries: two functions. */
	fa[0] = named("f", "/bin/a");
	fb[0] = named("f", "/bin/b");
	ea = event("read", 0, fa, 1, STACK_COMPLETE);
	eb = event("read", 0, fb, 1, STACK_COMPLETE);
	la = add(t, &ea, false, 0);
	lb = add(t, &eb, false, 0);
	ok(la && lb && la != lb, "identity: f in /bin/a and f in /bin/b are two nodes");
	is(nr_children(t, TRIE_ROOT), 1, "identity: one syscall node for both");
	sys = trie_first_child(t, TRIE_ROOT);
	is(nr_children(t, sys), 2, "identity: the syscall has two children");
	ok(trie_parent(t, la) == sys && trie_parent(t, lb) == sys, "identity: both below read");
	is(trie_nr_nodes(t), 4, "identity: root, read and two frames");
	ok(ident_named(ident(t, la), TRIE_FRAME, "f") && strcmp(ident(t, la)->dso, "/bin/a") == 0,
	   "identity: a node's identity has its name and binary");

	/* The same strings at other addresses: the same node. */
	s1 = strdup("g");
	s2 = strdup("g");
	d1 = strdup("/lib/libx.so");
	d2 = strdup("/lib/libx.so");
	fa[0] = named(s1, d1);
	fb[0] = named(s2, d2);
	la = add(t, &ea, false, 0);
	nodes = trie_nr_nodes(t);
	lb = add(t, &eb, false, 0);
	ok(s1 != s2 && la && la == lb, "identity: equal strings at two addresses are one node");
	is(trie_nr_nodes(t), nodes, "identity: ... no node added");
	is(trie_value(t, la, 0), 2, "identity: ... counted twice");
	ok(ident(t, la)->name != s1 && ident(t, la)->name != s2,
	   "identity: the trie keeps its own copy of the name");
	free(s1);
	free(s2);
	free(d1);
	free(d2);
	ok(ident_named(ident(t, la), TRIE_FRAME, "g"), "identity: ... which outlives the caller's");

	/*
	 * A buffer that held one name and then another: two functions, once the
	 * trie is told that the pointers it saw may now hold other strings (as a
	 * report tells it between recordings; within one, they may not).
	 */
	{
		char buf[16] = "first_fn";

		fa[0] = named(buf, "/bin/a");
		la = add(t, &ea, false, 0);
		strcpy(buf, "second_fn");
		trie_forget_pointers(t);
		lb = add(t, &ea, false, 0);
		ok(la != lb && ident_named(ident(t, lb), TRIE_FRAME, "second_fn"),
		   "identity: a name's buffer reused for another name, after trie_forget_pointers(), "
		   "is another node (%s)", ident(t, lb)->name ? ident(t, lb)->name : "NULL");
	}
	trie_free(t);
	trie_free(NULL);	/* a no-op (a crash would end the test) */
}

static void
test_unnamed_and_flags(void)
{
	struct trie *t = trie_new(false);
	struct frame f[1];
	struct event ev = event("write", 0, f, 1, STACK_COMPLETE);
	uint32_t a, b, c, d;
	const struct trie_frame *id;

	f[0] = unnamed("/lib/liba.so", 0x7f0000001100, 0x1100);
	a = add(t, &ev, false, 0);
	f[0] = unnamed("/lib/liba.so", 0x7f1000001100, 0x1100);
	b = add(t, &ev, false, 0);
	ok(a && a == b, "unnamed: one address in the file, two load addresses: one node");
	id = ident(t, a);
	ok(id->kind == TRIE_FRAME && !id->name && id->addr == 0x1100 &&
		   !(id->flags & TRIE_ABSOLUTE),
	   "unnamed: keyed by rel (%#llx), not absolute", (unsigned long long)id->addr);
	f[0] = unnamed("/lib/libb.so", 0x7f0000001100, 0x1100);
	c = add(t, &ev, false, 0);
	ok(c && c != a, "unnamed: the same rel in another binary is another node");
	f[0] = unnamed("/lib/liba.so", 0x7f0000001104, 0x1104);
	c = add(t, &ev, false, 0);
	ok(c && c != a, "unnamed: another rel in the same binary is another node");

	f[0] = unnamed("[anon]", 0x1100, 0);
	c = add(t, &ev, false, 0);
	id = ident(t, c);
	ok(c && id->addr == 0x1100 && (id->flags & TRIE_ABSOLUTE),
	   "unnamed: rel 0 is keyed by pc, marked absolute");
	f[0] = unnamed("[anon]", 0x1100, 0x1100);
	d = add(t, &ev, false, 0);
	ok(d && d != c, "unnamed: rel 0x1100 and absolute pc 0x1100 are two nodes");
	f[0] = unnamed(NULL, 0x1100, 0);
	d = add(t, &ev, false, 0);
	ok(d && d != c && !ident(t, d)->dso, "unnamed: a frame without a binary is its own node");

	f[0] = named("h", "/bin/a");
	a = add(t, &ev, false, 0);
	f[0].inlined = true;
	b = add(t, &ev, false, 0);
	ok(a && b && a != b, "flags: an inlined h is not the h that was called");
	ok(ident(t, b)->flags & TRIE_INLINED, "flags: ... and says so");
	f[0].inlined = false;
	f[0].bad_build_id = true;
	c = add(t, &ev, false, 0);
	ok(c && c != a && c != b && (ident(t, c)->flags & TRIE_MISMATCH),
	   "flags: h from a file with another build-id is a node of its own");
	f[0].bad_build_id = false;
	f[0].pc = 0x2000;
	f[0].rel = 0x2000;
	f[0].sym_off = 0x40;
	d = add(t, &ev, false, 0);
	ok(d == a, "identity: a named frame at another address or offset is the same function");
	f[0].build_id = "0011";
	f[0].method = FRAME_FP;
	d = add(t, &ev, false, 0);
	ok(d == a, "identity: nor do its build-id string or unwind method split it");
	trie_free(t);
}

static void
test_lines(void)
{
	struct trie *with = trie_new(true), *without = trie_new(false);
	struct frame f[1];
	struct event ev = event("read", 0, f, 1, STACK_COMPLETE);
	uint32_t a, b, c;

	f[0] = named("k", "/bin/a");
	f[0].file = "k.c";
	f[0].line = 10;
	a = add(with, &ev, false, 0);
	f[0].line = 11;
	b = add(with, &ev, false, 0);
	ok(a && b && a != b, "lines kept: k.c:10 and k.c:11 are two nodes");
	ok(ident(with, a)->file && strcmp(ident(with, a)->file, "k.c") == 0 &&
		   ident(with, a)->line == 10,
	   "lines kept: the identity has file:line");
	f[0].file = "other.c";
	f[0].line = 10;
	c = add(with, &ev, false, 0);
	ok(c && c != a, "lines kept: another file, same line: another node");
	f[0].file = NULL;
	f[0].line = 10;
	c = add(with, &ev, false, 0);
	ok(c && c != a && ident(with, c)->line == 0,
	   "lines kept: a line without a file is not kept");

	f[0].file = "k.c";
	f[0].line = 10;
	a = add(without, &ev, false, 0);
	f[0].line = 11;
	b = add(without, &ev, false, 0);
	f[0].file = "other.c";
	c = add(without, &ev, false, 0);
	ok(a && a == b && b == c, "lines not kept: one node for every file:line of k");
	ok(!ident(without, a)->file && ident(without, a)->line == 0,
	   "lines not kept: the identity has no file:line");
	trie_free(with);
	trie_free(without);
}

static void
test_order(void)
{
	struct trie *t = trie_new(false);
	struct frame f[3] = { named("inner", "/bin/a"), named("middle", "/bin/a"),
			      named("outer", "/bin/a") };
	struct event ev = event("connect", 111, f, 3, STACK_COMPLETE);
	static const char *const bottom_up[] = { "connect", "inner", "middle", "outer" };
	static const char *const top_down[] = { "outer", "middle", "inner", "connect" };
	uint32_t leaf, n;
	unsigned bad = 0;
	int i;

	leaf = add(t, &ev, false, 0);
	is((long long)depth(t, leaf), 4, "bottom-up: a complete stack has no end marker");
	for (n = leaf, i = 3; n != TRIE_ROOT; n = trie_parent(t, n), i--)
		if (i < 0 || !ident(t, n)->name || strcmp(ident(t, n)->name, bottom_up[i]) != 0)
			bad++;
	is(bad, 0, "bottom-up: connect, inner, middle, outer");
	ok(ident(t, trie_first_child(t, TRIE_ROOT))->kind == TRIE_SYSCALL,
	   "bottom-up: the syscall is at the root");

	ev.end = STACK_TRUNCATED;
	leaf = add(t, &ev, false, 0);
	ok(depth(t, leaf) == 5 && ident(t, leaf)->kind == TRIE_END &&
		   ident(t, leaf)->num == STACK_TRUNCATED,
	   "bottom-up: a truncated stack ends with its marker");
	ok(ident_named(ident(t, trie_parent(t, leaf)), TRIE_FRAME, "outer"),
	   "bottom-up: ... after the outermost frame");
	ev.end = STACK_BROKEN;
	n = add(t, &ev, false, 0);
	ok(n != leaf && ident(t, n)->kind == TRIE_END && ident(t, n)->num == STACK_BROKEN &&
		   trie_parent(t, n) == trie_parent(t, leaf),
	   "bottom-up: another end is a sibling marker");

	ev.end = STACK_COMPLETE;
	leaf = add(t, &ev, true, 0);
	bad = 0;
	for (n = leaf, i = 3; n != TRIE_ROOT; n = trie_parent(t, n), i--)
		if (i < 0 || !ident(t, n)->name || strcmp(ident(t, n)->name, top_down[i]) != 0)
			bad++;
	is(bad, 0, "top-down: outer, middle, inner, connect");
	ok(ident(t, leaf)->kind == TRIE_SYSCALL, "top-down: the syscall is the leaf");
	ev.end = STACK_SWITCH;
	leaf = add(t, &ev, true, 0);
	n = leaf;
	while (trie_parent(t, n) != TRIE_ROOT)
		n = trie_parent(t, n);
	ok(ident(t, n)->kind == TRIE_END && ident(t, n)->num == STACK_SWITCH && depth(t, leaf) == 5,
	   "top-down: an incomplete stack starts with its marker");

	/* max_depth */
	ev.end = STACK_TRUNCATED;
	leaf = add(t, &ev, false, 2);
	ok(depth(t, leaf) == 2 && ident_named(ident(t, leaf), TRIE_FRAME, "inner"),
	   "max_depth 2 bottom-up: connect, inner");
	leaf = add(t, &ev, true, 1);
	ok(depth(t, leaf) == 1 && ident(t, leaf)->kind == TRIE_END,
	   "max_depth 1 top-down: the end marker only");
	leaf = add(t, &ev, false, 99);
	is((long long)depth(t, leaf), 5, "max_depth beyond the path: the whole path");

	/* A stack with no frames. */
	ev.nr_frames = 0;
	ev.end = STACK_COMPLETE;
	leaf = add(t, &ev, false, 0);
	ok(depth(t, leaf) == 1 && ident(t, leaf)->kind == TRIE_SYSCALL,
	   "no frames, complete: the syscall alone");
	ev.end = STACK_BROKEN;
	leaf = add(t, &ev, true, 0);
	ok(depth(t, leaf) == 2 && ident(t, leaf)->kind == TRIE_SYSCALL &&
		   ident(t, trie_parent(t, leaf))->kind == TRIE_END,
	   "no frames, broken, top-down: the marker, then the syscall");
	trie_free(t);
}

static void
test_values_and_syscalls(void)
{
	struct trie *t = trie_new(false);
	struct frame f[2] = { named("a", "/x"), named("b", "/x") };
	struct event ev = event("connect", 111, f, 2, STACK_COMPLETE);
	uint64_t v1[2] = { 1, 1000 }, v2[2] = { 1, 500 }, v3[3] = { 1, 2, 3 };
	uint32_t leaf = 0, leaf2 = 0, sys, n;
	const struct trie_frame *id;

	is(trie_add_event(t, &ev, false, 0, v1, 2, &leaf), 0, "values: add 1, 1000");
	f[1] = named("c", "/x");
	is(trie_add_event(t, &ev, false, 0, v2, 2, &leaf2), 0,
	   "values: add 1, 500 on a sibling path");
	sys = trie_first_child(t, TRIE_ROOT);
	ok(trie_value(t, sys, 0) == 2 && trie_value(t, sys, 1) == 1500,
	   "values: the shared syscall node sums both (%llu, %llu)",
	   (unsigned long long)trie_value(t, sys, 0), (unsigned long long)trie_value(t, sys, 1));
	n = trie_parent(t, leaf);
	ok(n == trie_parent(t, leaf2) && trie_value(t, n, 1) == 1500,
	   "values: the shared frame a too");
	ok(trie_value(t, leaf, 0) == 1 && trie_value(t, leaf, 1) == 1000 &&
		   trie_value(t, leaf2, 1) == 500,
	   "values: each leaf has its own");
	is(trie_value(t, leaf, 2), 0, "values: a value past TRIE_VALUES reads 0");
	is(trie_add_event(t, &ev, false, 0, v3, 3, &leaf), -EINVAL,
	   "values: more than TRIE_VALUES values: -EINVAL");
	ok(trie_value(t, sys, 0) == 2, "values: ... and nothing was added");
	is(trie_add_event(t, &ev, false, 0, v1, 1, NULL), 0, "values: one value, no leaf pointer");
	ok(trie_value(t, sys, 0) == 3 && trie_value(t, sys, 1) == 1500,
	   "values: only the first value was added");

	/* Syscall nodes: by name and errno, not by the errno's name. */
	id = ident(t, sys);
	ok(ident_named(id, TRIE_SYSCALL, "connect") && id->err == 111 &&
		   id->err_name && strcmp(id->err_name, "ECONNREFUSED") == 0,
	   "syscall: name, errno and its name");
	ev = event("connect", 0, f, 2, STACK_COMPLETE);
	n = add(t, &ev, false, 1);
	ok(n != sys && nr_children(t, TRIE_ROOT) == 2,
	   "syscall: connect that succeeded is another node");
	ev = event("connect", 111, f, 2, STACK_COMPLETE);
	ev.err_name = "SOMETHING_ELSE";
	is((long long)add(t, &ev, false, 1), (long long)sys,
	   "syscall: the errno's name is not part of the key");
	ev.has_ret = false;
	leaf = add(t, &ev, false, 1);
	ok(leaf == n && ident(t, leaf)->err == 0,
	   "syscall: without a return value the errno does not count (it joins the success)");
	ev = event(NULL, 0, f, 2, STACK_COMPLETE);
	ev.nr = 999;
	leaf = add(t, &ev, false, 1);
	ok(!ident(t, leaf)->name && ident(t, leaf)->num == 999,
	   "syscall: one without a name is keyed by its number");
	ev.nr = 998;
	ok(add(t, &ev, false, 1) != leaf, "syscall: ... two numbers, two nodes");
	ev = event("accept", 111, f, 2, STACK_COMPLETE);
	ok(add(t, &ev, false, 1) != sys, "syscall: another name, same errno: another node");

	/* Walking: the children of the root are all syscalls, each with the root as parent. */
	{
		unsigned bad = 0, kids = 0;

		for (n = trie_first_child(t, TRIE_ROOT); n; n = trie_next_sibling(t, n)) {
			kids++;
			if (trie_parent(t, n) != TRIE_ROOT || ident(t, n)->kind != TRIE_SYSCALL)
				bad++;
		}
		ok(kids == 5 && bad == 0, "walk: five syscall nodes below the root (%u)", kids);
		is(trie_nr_ids(t), 8, "walk: eight identities: five syscalls, frames a, b, c");
		is(trie_nr_nodes(t), 1 + 5 + 1 + 2, "walk: nodes: root, five syscalls, a, b and c");
	}
	trie_free(t);
}

/* --- random events against a reference --- */

#define POOL_FRAMES 900
#define POOL_SYSCALLS 6
#define MAX_PATH 10

struct pool_frame {
	struct frame f;
	int cls;		/* frames with equal cls must merge */
};

static struct pool_frame pool[POOL_FRAMES];
static char pool_names[40][16];
static const char *const dsos[] = { "/bin/app", "/lib/libc.so.6", "/lib/libz.so", NULL };

static void
make_pool(uint64_t *seed)
{
	int i;

	for (i = 0; i < 40; i++)
		snprintf(pool_names[i], sizeof(pool_names[0]), "fn_%d", i);
	for (i = 0; i < POOL_FRAMES; i++) {
		struct pool_frame *p = &pool[i];
		unsigned r = (unsigned)(tap_rand(seed) % 10);

		memset(p, 0, sizeof(*p));
		if (i < 160) {
			/* Named: 40 names times 4 binaries, each also inlined or not. */
			p->f = named(pool_names[i % 40], dsos[(i / 40) % 4]);
			p->cls = i;
		} else if (i < 320) {
			/* The same 160 again with heap copies and other pcs and lines. */
			p->f = pool[i - 160].f;
			p->f.sym = strdup(pool[i - 160].f.sym);
			p->f.dso = pool[i - 160].f.dso ? strdup(pool[i - 160].f.dso) : NULL;
			p->f.pc = 0x5000 + (uint64_t)i;
			p->f.rel = p->f.pc;
			p->f.file = "x.c";
			p->f.line = (int)r;
			p->cls = i - 160;
		} else if (i < 340) {
			p->f = pool[i - 320].f;
			p->f.inlined = true;
			p->cls = i;
		} else {
			/* Unnamed, enough of them to make the trie rehash. */
			p->f = unnamed(dsos[i % 3], 0x7f0000000000 + 16 * (uint64_t)i,
				       16 * (uint64_t)i);
			p->cls = i;
		}
	}
}

static void
free_pool(void)
{
	int i;

	for (i = 160; i < 320; i++) {
		free((char *)pool[i].f.sym);
		free((char *)pool[i].f.dso);
	}
}

static const char *const sys_names[POOL_SYSCALLS] = { "read", "write", "openat",
						      "connect", "close", NULL };

/* Tokens: syscall s with err e: 1 + 2 * s + e; frame class c: 100 + c; end marker x: 50 + x. */
struct prefix {
	int tok[MAX_PATH];
	unsigned len;
	uint64_t count, latency;
};

static int
cmp_prefix(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;
	unsigned i, n = x->len < y->len ? x->len : y->len;

	for (i = 0; i < n; i++)
		if (x->tok[i] != y->tok[i])
			return x->tok[i] < y->tok[i] ? -1 : 1;
	return x->len < y->len ? -1 : x->len > y->len;
}

static bool
same_key(const struct trie_frame *a, const struct trie_frame *b)
{
	return a->kind == b->kind && a->flags == b->flags && a->line == b->line &&
	       a->err == b->err && a->num == b->num && a->addr == b->addr &&
	       (a->name == b->name || (a->name && b->name && !strcmp(a->name, b->name))) &&
	       (a->dso == b->dso || (a->dso && b->dso && !strcmp(a->dso, b->dso))) &&
	       (a->file == b->file || (a->file && b->file && !strcmp(a->file, b->file)));
}

/* The token of a node's identity, found among the pool's keys; -1 if none. */
static int
token_of(const struct trie *t, const struct trie_frame *id)
{
	struct trie_frame k;
	int i;

	if (id->kind == TRIE_END)
		return 50 + (int)id->num;
	if (id->kind == TRIE_SYSCALL) {
		for (i = 0; i < POOL_SYSCALLS; i++) {
			struct event ev = event(sys_names[i], 0, NULL, 0, STACK_COMPLETE);

			ev.nr = 300 + i;
			ev.err = id->err;
			trie_syscall_key(&ev, &k);
			if (same_key(&k, id))
				return 1 + 2 * i + (id->err != 0);
		}
		return -1;
	}
	for (i = 0; i < POOL_FRAMES; i++) {
		trie_frame_key(t, &pool[i].f, &k);
		if (same_key(&k, id))
			return 100 + pool[i].cls;
	}
	return -1;
}

static void
test_random(bool top_down)
{
	const char *mode = top_down ? "top-down" : "bottom-up";
	struct trie *t = trie_new(false);
	size_t nr_pre = 0, cap_pre = 4000 * 11, i, distinct = 0;
	struct prefix *pre = calloc(cap_pre, sizeof(*pre));
	uint64_t seed = top_down ? 7 : 3;
	unsigned e, bad_add = 0, bad_node = 0, bad_tok = 0;
	uint32_t n;

	if (!pre || !t)
		return;
	for (e = 0; e < 4000; e++) {
		struct frame frames[MAX_PATH];
		int cls[MAX_PATH], path[MAX_PATH + 2], s = (int)(tap_rand(&seed) % POOL_SYSCALLS);
		int err = tap_rand(&seed) % 3 == 0 ? 111 : 0;
		size_t nf = (size_t)(tap_rand(&seed) % 8), len = 0, maxd, k;
		enum stack_end end = (enum stack_end)(tap_rand(&seed) % 4);
		uint64_t vals[2] = { 1, tap_rand(&seed) % 100000 };
		struct event ev;
		uint32_t leaf;

		for (k = 0; k < nf; k++) {
			/* Mostly a few hot frames, so that paths share prefixes. */
			int p = tap_rand(&seed) % 4 ? (int)(tap_rand(&seed) % 340) :
						      (int)(tap_rand(&seed) % POOL_FRAMES);

			frames[k] = pool[p].f;
			cls[k] = pool[p].cls;
		}
		ev = event(sys_names[s], err, frames, nf, end);
		ev.nr = 300 + s;
		path[len++] = 1 + 2 * s + (err != 0);
		for (k = 0; k < nf; k++)
			path[len++] = 100 + cls[k];
		if (end != STACK_COMPLETE)
			path[len++] = 50 + (int)end;
		maxd = tap_rand(&seed) % 4 == 0 ? 1 + tap_rand(&seed) % 6 : 0;
		if (trie_add_event(t, &ev, top_down, maxd, vals, 2, &leaf))
			bad_add++;
		if (maxd == 0 || maxd > len)
			maxd = len;
		for (k = 1; k <= maxd; k++) {
			struct prefix *p = &pre[nr_pre++];
			size_t j;

			for (j = 0; j < k; j++)
				p->tok[j] = top_down ? path[len - 1 - j] : path[j];
			p->len = (unsigned)k;
			p->count = 1;
			p->latency = vals[1];
		}
		if (depth(t, leaf) != maxd)
			bad_add++;
	}
	/* The reference: every prefix once, with its sums. */
	qsort(pre, nr_pre, sizeof(*pre), cmp_prefix);
	for (i = 0; i < nr_pre; i++) {
		if (distinct && cmp_prefix(&pre[distinct - 1], &pre[i]) == 0) {
			pre[distinct - 1].count += pre[i].count;
			pre[distinct - 1].latency += pre[i].latency;
		} else {
			pre[distinct++] = pre[i];
		}
	}
	is(bad_add, 0, "random %s: 4000 events added, each leaf at its depth", mode);
	is((long long)trie_nr_nodes(t), (long long)distinct + 1,
	   "random %s: one node per distinct path prefix (%zu)", mode, distinct);
	for (n = 1; n < trie_nr_nodes(t); n++) {
		struct prefix key = { .len = (unsigned)depth(t, n) };
		struct prefix *found;
		uint32_t m = n;
		int j;

		if (key.len > MAX_PATH) {
			bad_node++;
			continue;
		}
		for (j = (int)key.len - 1; j >= 0; j--, m = trie_parent(t, m))
			if ((key.tok[j] = token_of(t, ident(t, m))) < 0)
				bad_tok++;
		found = bsearch(&key, pre, distinct, sizeof(*pre), cmp_prefix);
		if (!found || found->count != trie_value(t, n, 0) ||
		    found->latency != trie_value(t, n, 1))
			bad_node++;
	}
	is(bad_tok, 0, "random %s: every node's identity is a known frame or syscall", mode);
	is(bad_node, 0, "random %s: every node's count and latency match the reference", mode);
	free(pre);
	trie_free(t);
}

int
main(void)
{
	uint64_t seed = 99;

	test_identity();
	test_unnamed_and_flags();
	test_lines();
	test_order();
	test_values_and_syscalls();
	make_pool(&seed);
	test_random(false);
	test_random(true);
	free_pool();
	tap_done();
	return nr_bad ? 1 : 0;
}
