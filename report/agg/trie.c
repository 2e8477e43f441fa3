// SPDX-License-Identifier: MIT
/*
 * The stack trie.  Identities are interned in an open-addressing table
 * (hashed by content, so a frame from any event finds its number); nodes
 * are found by hashing (parent, identity), and each keeps its first child
 * and next sibling for walking.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strtab.h"
#include "common/util.h"
#include "trie.h"

struct ident {
	struct trie_frame f;
	uint64_t hash;
};

struct node {
	uint64_t v[TRIE_VALUES];
	uint32_t id;		/* identity number */
	uint32_t parent;
	uint32_t child;		/* first child, 0 if none */
	uint32_t next;		/* next sibling, 0 if none */
};

/*
 * A front cache by pointer: the report interns every string of an event, so
 * equal pointers are equal strings while it runs (event.h), and most frames
 * are found here without hashing or comparing any text.  A miss falls back
 * to the table by content.
 */
#define PTR_CACHE 4096
struct ptr_slot {
	struct trie_frame f;
	uint32_t id;
	bool used;
};

struct trie {
	bool lines;
	struct ptr_slot *ptr_cache;
	struct screc_strtab *strs;	/* the trie's copies of names */
	struct ident *ids;
	size_t nr_ids, cap_ids;
	uint32_t *id_slots;		/* identity number + 1, 0 is empty */
	size_t id_mask;
	struct node *nodes;
	size_t nr_nodes, cap_nodes;
	uint32_t *node_slots;		/* node number, 0 is empty (the root is nobody's child) */
	size_t node_mask;
};

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

struct trie *
trie_new(bool lines)
{
	struct trie *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->lines = lines;
	t->strs = screc_strtab_new();
	t->ptr_cache = calloc(PTR_CACHE, sizeof(*t->ptr_cache));
	if (!t->strs || !t->ptr_cache || new_slots(&t->id_slots, &t->id_mask) ||
	    new_slots(&t->node_slots, &t->node_mask) ||
	    screc_grow(&t->nodes, &t->cap_nodes, 1, sizeof(*t->nodes), 1024)) {
		trie_free(t);
		return NULL;
	}
	memset(&t->nodes[0], 0, sizeof(t->nodes[0]));
	t->nr_nodes = 1;
	return t;
}

void
trie_free(struct trie *t)
{
	if (!t)
		return;
	screc_strtab_free(t->strs);
	free(t->ptr_cache);
	free(t->ids);
	free(t->id_slots);
	free(t->nodes);
	free(t->node_slots);
	free(t);
}

static uint64_t
hash_str(const char *s, uint64_t h)
{
	return s ? screc_hash_bytes(s, strlen(s), h) : screc_mix64(h ^ 0x5bd1e995);
}

static uint64_t
hash_frame(const struct trie_frame *f)
{
	uint64_t h = screc_mix64(((uint64_t)f->kind << 56) ^ ((uint64_t)f->flags << 48) ^
				 ((uint64_t)(uint32_t)f->line << 16) ^ (uint64_t)(uint32_t)f->err);

	h = screc_mix64(h ^ (uint64_t)f->num) ^ screc_mix64(f->addr + 0x9e3779b97f4a7c15ULL);
	h = hash_str(f->name, h);
	h = hash_str(f->dso, h);
	return hash_str(f->file, h);
}

static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool
frame_eq(const struct trie_frame *a, const struct trie_frame *b)
{
	return a->kind == b->kind && a->flags == b->flags && a->line == b->line &&
	       a->err == b->err && a->num == b->num && a->addr == b->addr &&
	       str_eq(a->name, b->name) && str_eq(a->dso, b->dso) && str_eq(a->file, b->file);
}

static int
rehash_ids(struct trie *t)
{
	size_t i;
	int err = new_slots(&t->id_slots, &t->id_mask);

	if (err)
		return err;
	for (i = 0; i < t->nr_ids; i++) {
		size_t j = t->ids[i].hash & t->id_mask;

		while (t->id_slots[j])
			j = (j + 1) & t->id_mask;
		t->id_slots[j] = (uint32_t)i + 1;
	}
	return 0;
}

void
trie_forget_pointers(struct trie *t)
{
	memset(t->ptr_cache, 0, PTR_CACHE * sizeof(*t->ptr_cache));
}

static bool
same_pointers(const struct trie_frame *a, const struct trie_frame *b)
{
	return a->kind == b->kind && a->flags == b->flags && a->line == b->line &&
	       a->err == b->err && a->num == b->num && a->addr == b->addr && a->name == b->name &&
	       a->dso == b->dso && a->file == b->file && a->err_name == b->err_name;
}

static int intern_by_content(struct trie *t, const struct trie_frame *f, uint32_t *id);

int
trie_intern(struct trie *t, const struct trie_frame *f, uint32_t *id)
{
	uint64_t h = screc_mix64((uintptr_t)f->name ^ ((uintptr_t)f->dso << 7) ^
				 ((uintptr_t)f->file << 13) ^ f->addr ^ ((uint64_t)f->num << 40) ^
				 ((uint64_t)f->kind << 60) ^ ((uint64_t)f->flags << 52) ^
				 ((uint64_t)(uint32_t)f->err << 20) ^ (uint64_t)(uint32_t)f->line);
	struct ptr_slot *c = &t->ptr_cache[h & (PTR_CACHE - 1)];
	int err;

	if (c->used && same_pointers(&c->f, f)) {
		*id = c->id;
		return 0;
	}
	err = intern_by_content(t, f, id);
	if (!err) {
		c->f = *f;
		c->id = *id;
		c->used = true;
	}
	return err;
}

static int
intern_by_content(struct trie *t, const struct trie_frame *f, uint32_t *id)
{
	uint64_t h = hash_frame(f);
	size_t j = h & t->id_mask;
	struct ident *n;
	uint32_t k;

	while ((k = t->id_slots[j])) {
		if (t->ids[k - 1].hash == h && frame_eq(&t->ids[k - 1].f, f)) {
			*id = k - 1;
			return 0;
		}
		j = (j + 1) & t->id_mask;
	}
	if (t->nr_ids >= UINT32_MAX - 1)
		return -EOVERFLOW;
	if (screc_grow(&t->ids, &t->cap_ids, t->nr_ids + 1, sizeof(*t->ids), 256))
		return -ENOMEM;
	n = &t->ids[t->nr_ids];
	n->f = *f;
	n->hash = h;
	n->f.name = screc_strtab_intern(t->strs, f->name);
	n->f.dso = screc_strtab_intern(t->strs, f->dso);
	n->f.file = screc_strtab_intern(t->strs, f->file);
	n->f.err_name = screc_strtab_intern(t->strs, f->err_name);
	if ((f->name && !n->f.name) || (f->dso && !n->f.dso) || (f->file && !n->f.file) ||
	    (f->err_name && !n->f.err_name))
		return -ENOMEM;
	t->id_slots[j] = (uint32_t)++t->nr_ids;
	*id = (uint32_t)t->nr_ids - 1;
	/* Keep the load at most one half, so that probes stay short. */
	if (t->nr_ids * 2 > t->id_mask + 1)
		return rehash_ids(t);
	return 0;
}

static size_t
node_slot(const struct trie *t, uint32_t parent, uint32_t id)
{
	return screc_mix64((uint64_t)parent << 32 | id) & t->node_mask;
}

static int
rehash_nodes(struct trie *t)
{
	size_t i;
	int err = new_slots(&t->node_slots, &t->node_mask);

	if (err)
		return err;
	for (i = 1; i < t->nr_nodes; i++) {
		size_t j = node_slot(t, t->nodes[i].parent, t->nodes[i].id);

		while (t->node_slots[j])
			j = (j + 1) & t->node_mask;
		t->node_slots[j] = (uint32_t)i;
	}
	return 0;
}

int
trie_child(struct trie *t, uint32_t parent, uint32_t id, uint32_t *out)
{
	size_t j = node_slot(t, parent, id);
	struct node *n;
	uint32_t k;

	while ((k = t->node_slots[j])) {
		if (t->nodes[k].parent == parent && t->nodes[k].id == id) {
			*out = k;
			return 0;
		}
		j = (j + 1) & t->node_mask;
	}
	if (t->nr_nodes >= UINT32_MAX - 1)
		return -EOVERFLOW;
	if (screc_grow(&t->nodes, &t->cap_nodes, t->nr_nodes + 1, sizeof(*t->nodes), 1024))
		return -ENOMEM;
	k = (uint32_t)t->nr_nodes++;
	n = &t->nodes[k];
	memset(n, 0, sizeof(*n));
	n->id = id;
	n->parent = parent;
	n->next = t->nodes[parent].child;
	t->nodes[parent].child = k;
	t->node_slots[j] = k;
	*out = k;
	if (t->nr_nodes * 2 > t->node_mask + 1)
		return rehash_nodes(t);
	return 0;
}

void
trie_syscall_key(const struct event *ev, struct trie_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = TRIE_SYSCALL;
	f->name = ev->syscall;
	f->num = ev->syscall ? 0 : ev->nr;
	f->err = ev->has_ret ? ev->err : 0;
	f->err_name = f->err ? ev->err_name : NULL;
}

void
trie_frame_key(const struct trie *t, const struct frame *fr, struct trie_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = TRIE_FRAME;
	f->flags = (fr->inlined ? TRIE_INLINED : 0) | (fr->bad_build_id ? TRIE_MISMATCH : 0);
	f->dso = fr->dso;
	if (fr->sym) {
		f->name = fr->sym;
	} else {
		f->addr = fr->rel ? fr->rel : fr->pc;
		f->flags |= fr->rel ? 0 : TRIE_ABSOLUTE;
	}
	if (t->lines && fr->file) {
		f->file = fr->file;
		f->line = fr->line;
	}
}

void
trie_end_key(enum stack_end end, struct trie_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = TRIE_END;
	f->num = end;
}

/* The identity of an event's i-th node counted from the syscall outwards. */
static int
path_id(struct trie *t, const struct event *ev, size_t i, uint32_t *id)
{
	struct trie_frame f;

	if (i == 0)
		trie_syscall_key(ev, &f);
	else if (i - 1 < ev->nr_frames)
		trie_frame_key(t, &ev->frames[i - 1], &f);
	else
		trie_end_key(ev->end, &f);
	return trie_intern(t, &f, id);
}

int
trie_add_event(struct trie *t, const struct event *ev, bool top_down, size_t max_depth,
	       const uint64_t *values, unsigned nr_values, uint32_t *leaf)
{
	size_t len = 1 + ev->nr_frames + (ev->end != STACK_COMPLETE);
	size_t depth = max_depth > 0 && max_depth < len ? max_depth : len, i;
	uint32_t node = TRIE_ROOT, id;
	unsigned k;
	int err;

	if (nr_values > TRIE_VALUES)
		return -EINVAL;
	for (i = 0; i < depth; i++) {
		err = path_id(t, ev, top_down ? len - 1 - i : i, &id);
		if (!err)
			err = trie_child(t, node, id, &node);
		if (err)
			return err;
		for (k = 0; k < nr_values; k++)
			t->nodes[node].v[k] += values[k];
	}
	if (leaf)
		*leaf = node;
	return 0;
}

uint32_t
trie_first_child(const struct trie *t, uint32_t node)
{
	return t->nodes[node].child;
}

uint32_t
trie_next_sibling(const struct trie *t, uint32_t node)
{
	return t->nodes[node].next;
}

uint32_t
trie_parent(const struct trie *t, uint32_t node)
{
	return t->nodes[node].parent;
}

uint32_t
trie_node_id(const struct trie *t, uint32_t node)
{
	return t->nodes[node].id;
}

const struct trie_frame *
trie_id_frame(const struct trie *t, uint32_t id)
{
	return &t->ids[id].f;
}

uint64_t
trie_value(const struct trie *t, uint32_t node, unsigned i)
{
	return i < TRIE_VALUES ? t->nodes[node].v[i] : 0;
}

uint32_t
trie_nr_nodes(const struct trie *t)
{
	return (uint32_t)t->nr_nodes;
}

uint32_t
trie_nr_ids(const struct trie *t)
{
	return (uint32_t)t->nr_ids;
}
