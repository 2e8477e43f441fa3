/* SPDX-License-Identifier: MIT */
/*
 * A hash map from 32-bit ids (pids, tids) to fixed-size entries stored in
 * place.  Each entry starts with its uint32_t key; key 0 marks a free slot,
 * so 0 cannot be stored.  Entry pointers stay valid until the next call that
 * may insert or delete.
 */
#ifndef SCREC_IDMAP_H
#define SCREC_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idmap {
	uint8_t *slots;
	uint8_t *scratch;	/* one entry, for moves */
	size_t elem;		/* entry size, set before first use */
	size_t nr, cap;
};

#define IDMAP_INIT(type) { .elem = sizeof(type) }

/* The entry for key, created zeroed (but for its key) when create; NULL if absent or no memory. */
void *idmap_get(struct idmap *m, uint32_t key, bool create);
/* Delete an entry returned by idmap_get. */
void idmap_del(struct idmap *m, void *entry);
/* The i-th slot's entry for iteration (i < m->cap), or NULL when free. */
void *idmap_slot(const struct idmap *m, size_t i);
/* Free the table. */
void idmap_release(struct idmap *m);

#endif
