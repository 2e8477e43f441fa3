/* SPDX-License-Identifier: MIT */
/*
 * The process model: replays comm/fork/exit/mmap records in time order and
 * answers "which mappings did process P have now?".  An exec starts a new
 * address space; a fork starts from a copy of the parent's.  The unwinder's
 * per-address-space state hangs off the address space and dies with it.
 */
#ifndef SCREC_PROC_H
#define SCREC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct map {
	uint64_t start, end, pgoff;
	uint32_t prot;
	const char *path;		/* interned */
	uint8_t build_id[20];
	uint8_t build_id_len;		/* 0: the recording has none for it */
	const char *build_id_hex;	/* interned, NULL without a build-id */
};

struct aspace {
	uint32_t pid;
	unsigned refs;
	struct map *maps;		/* sorted by start, not overlapping */
	size_t nr_maps, cap_maps;
	uint64_t version;		/* bumped on every change */
	void *unwind;			/* the unwinder's state, freed by unwind_free_space() */
};

struct proc_model;

struct proc_model *proc_model_new(void);
/* Free everything; NULL is a no-op. */
void proc_model_free(struct proc_model *pm);

void proc_comm(struct proc_model *pm, uint32_t pid, uint32_t tid, const char *comm, bool exec);
void proc_fork(struct proc_model *pm, uint32_t pid, uint32_t ppid, uint32_t tid, uint32_t ptid);
void proc_exit(struct proc_model *pm, uint32_t pid, uint32_t tid);
/* Add a mapping (replacing what it overlaps); path is copied. */
void proc_mmap(struct proc_model *pm, uint32_t pid, const struct map *m, const char *path);
/* Remember a build-id the recorder read for a path (for maps without one). */
void proc_build_id(struct proc_model *pm, const char *path, const uint8_t *id, size_t len);

/* The address space of pid (created empty if unknown).  Valid until the next change call. */
struct aspace *proc_aspace(struct proc_model *pm, uint32_t pid);
/* The mapping containing addr, or NULL. */
const struct map *aspace_find(const struct aspace *as, uint64_t addr);
/* A thread's name, "" when unknown. */
const char *proc_thread_comm(struct proc_model *pm, uint32_t tid);

/* Intern a string: equal strings give the same pointer, valid until proc_model_free(). */
const char *intern(const char *s);
/* Free the intern table (at the end of a report). */
void intern_free(void);

#endif
