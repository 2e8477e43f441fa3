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
 *
 * A trie can be keyed more loosely (trie_new_keyed()): binaries by their file
 * name alone and unnamed frames without their address, so that two builds of
 * one program compare (the diff); syscalls without their errno, so that a
 * flame graph ends in one leaf per syscall.  Besides events, any path of
 * identities can be added (trie_add_path()), and identities need not be
 * frames: a thread (TRIE_TASK) or a plain label (TRIE_TEXT) can head a path,
 * or serve as a key on its own (a trie is also a map from (node, identity) to
 * a node).
 */
#ifndef SCREC_TRIE_H
#define SCREC_TRIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/event.h"

#define TRIE_ROOT	0	/* the invisible root node */
#define TRIE_VALUES	2	/* sums a node of trie_new() carries (a count and a total latency) */
#define TRIE_MAX_VALUES	4	/* sums a node can carry at most (trie_new_keyed()) */

enum trie_kind {
	TRIE_SYSCALL,		/* name (or nr), err */
	TRIE_FRAME,		/* a function, or a binary and address */
	TRIE_END,		/* how a stack that is not complete ended (num: enum stack_end) */
	TRIE_TASK,		/* a thread or process: name its comm, num its pid, addr its tid,
				 * line its recording, file its host (what is left 0 or NULL merges) */
	TRIE_TEXT,		/* a plain label: name (and file, as a second part) */
};

#define TRIE_INLINED	1u	/* an inlined call */
#define TRIE_MISMATCH	2u	/* the file here has another build-id */
#define TRIE_ABSOLUTE	4u	/* addr is the pc, not an address in the file */

/* How loosely a trie keys the nodes of events (trie_new_keyed()). */
#define TRIE_KEY_BASENAME	1u	/* a binary by its file name, not its path */
#define TRIE_KEY_NO_ADDR	2u	/* a frame without a function name by its binary alone */
#define TRIE_KEY_NO_ERRNO	4u	/* a syscall by its name (or number) alone */
#define TRIE_KEY_PORTABLE	(TRIE_KEY_BASENAME | TRIE_KEY_NO_ADDR)	/* across builds */

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
/*
 * The same, keying events' nodes as keys (TRIE_KEY_*) says, each node with
 * nr_values sums (1 to TRIE_MAX_VALUES; trie_new() has TRIE_VALUES).  NULL
 * without memory or for a bad nr_values.
 */
struct trie *trie_new_keyed(bool lines, unsigned keys, unsigned nr_values);
/* NULL is a no-op. */
void trie_free(struct trie *t);

/*
 * Add an event's path below the root, adding values[0..nr_values) (at most
 * the trie's number of sums, else -EINVAL) to every
 * node on it: bottom-up (the syscall, then its frames innermost first, then
 * the end marker) or top-down (the reverse), at most max_depth nodes (0: all).
 * *leaf gets the last node.  Returns 0 or -errno.
 */
int trie_add_event(struct trie *t, const struct event *ev, bool top_down, size_t max_depth,
		   const uint64_t *values, unsigned nr_values, uint32_t *leaf);

/*
 * The identities of an event's path, in the order trie_add_event() adds them
 * bottom-up (the syscall, its frames innermost first, the end marker of a
 * stack that is not complete), keyed as the trie keys them.  ids has room for
 * cap, which trie_event_len() gives; *n gets how many.  0 or -errno.
 */
int trie_event_ids(struct trie *t, const struct event *ev, uint32_t *ids, size_t cap, size_t *n);
size_t trie_event_len(const struct event *ev);
/*
 * Add a path of identities below parent, adding values[0..nr_values) to
 * every node on it; *leaf (may be NULL) gets the last node, parent if n is 0.
 * 0 or -errno.
 */
int trie_add_path(struct trie *t, uint32_t parent, const uint32_t *ids, size_t n,
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
/* A node's value less its children's: what the paths that end at it added. */
uint64_t trie_self_value(const struct trie *t, uint32_t node, unsigned i);
uint32_t trie_nr_nodes(const struct trie *t);
uint32_t trie_nr_ids(const struct trie *t);

#endif
