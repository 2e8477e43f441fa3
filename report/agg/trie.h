/* SPDX-License-Identifier: MIT */
/*
 * The stack trie: events merged by their paths (the syscall, its frames,
 * the marker of how the stack ended) into a tree of nodes that carry sums
 * (counts, latency...).  Nodes are keyed by frame identity, not by display
 * text: a function is its name and its binary, a frame without a name is its
 * binary and address, and file:line only when the trie was asked to keep
 * lines.  Memory grows with the distinct paths, not with the events; strings
 * are the trie's own copies.  Frames are matched by their contents; to do that
 * fast, a string pointer seen before is trusted to hold the same string until
 * trie_forget_pointers() (event.h: a report keeps its strings for as long as
 * it runs; call it before events whose strings come from elsewhere).  The tree sink uses it, and every aggregating
 * export can.
 */
#ifndef SCREC_TRIE_H
#define SCREC_TRIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/event.h"

#define TRIE_ROOT	0	/* the invisible root node */
#define TRIE_VALUES	2	/* sums a node can carry (a count and a total latency) */

enum trie_kind {
	TRIE_SYSCALL,		/* name (or nr), err */
	TRIE_FRAME,		/* a function, or a binary and address */
	TRIE_END,		/* how a stack that is not complete ended (num: enum stack_end) */
};

#define TRIE_INLINED	1u	/* an inlined call */
#define TRIE_MISMATCH	2u	/* the file here has another build-id */
#define TRIE_ABSOLUTE	4u	/* addr is the pc, not an address in the file */

/* The identity of a node. */
struct trie_frame {
	uint8_t kind;		/* enum trie_kind */
	uint8_t flags;		/* TRIE_* */
	int line;		/* 0 unless lines are kept */
	int err;		/* syscall: the errno, 0 for success */
	int64_t num;		/* syscall: nr; end: enum stack_end */
	uint64_t addr;		/* a frame without a name: its address */
	const char *name;	/* the syscall or function name, NULL if none */
	const char *dso;	/* the frame's binary, NULL if none */
	const char *file;	/* source file (with lines only) */
	const char *err_name;	/* syscall: "ECONNREFUSED" (follows from err: not part of the key) */
};

struct trie;

/* A trie whose nodes keep lines when lines is set.  NULL without memory. */
struct trie *trie_new(bool lines);
/* NULL is a no-op. */
void trie_free(struct trie *t);

/*
 * Add an event's path below the root, adding values[0..nr_values) to every
 * node on it: bottom-up (the syscall, then its frames innermost first, then
 * the end marker) or top-down (the reverse), at most max_depth nodes (0: all).
 * *leaf gets the last node.  Returns 0 or -errno.
 */
int trie_add_event(struct trie *t, const struct event *ev, bool top_down, size_t max_depth,
		   const uint64_t *values, unsigned nr_values, uint32_t *leaf);

/* The child of parent with identity id (made on first sight).  0 or -errno. */
int trie_child(struct trie *t, uint32_t parent, uint32_t id, uint32_t *node);
/* Intern an identity; *id gets its number.  0 or -errno. */
int trie_intern(struct trie *t, const struct trie_frame *f, uint32_t *id);
/* The identity of an event's syscall, of a frame, and of a stack end marker. */
void trie_syscall_key(const struct event *ev, struct trie_frame *f);
void trie_frame_key(const struct trie *t, const struct frame *fr, struct trie_frame *f);
void trie_end_key(enum stack_end end, struct trie_frame *f);

/* Forget the string pointers seen so far (matching goes on by content). */
void trie_forget_pointers(struct trie *t);

/* Walking it: 0 means none. */
uint32_t trie_first_child(const struct trie *t, uint32_t node);
uint32_t trie_next_sibling(const struct trie *t, uint32_t node);
uint32_t trie_parent(const struct trie *t, uint32_t node);
/* A node's identity (its number, and the identity itself). */
uint32_t trie_node_id(const struct trie *t, uint32_t node);
const struct trie_frame *trie_id_frame(const struct trie *t, uint32_t id);
uint64_t trie_value(const struct trie *t, uint32_t node, unsigned i);
uint32_t trie_nr_nodes(const struct trie *t);
uint32_t trie_nr_ids(const struct trie *t);

#endif
