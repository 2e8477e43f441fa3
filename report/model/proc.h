/* SPDX-License-Identifier: MIT */
/*
 * The process model: replays comm/fork/exit/mmap records in time order and
 * answers "which mappings did process P have now?".  An exec starts a new
 * address space; a fork starts from a copy of the parent's.  Later stages
 * hang their per-address-space state (the module list, the unwinder's
 * caches) off an address space with a destructor, so it dies with it and
 * the model never needs to know what it is.
 *
 * aspace_read() is the one way the report reads the traced program's
 * memory: the unwinder and the decoders both go through it.
 */
#ifndef SCREC_PROC_H
#define SCREC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct screc_strtab;

struct map {
	uint64_t start, end, pgoff;
	uint32_t prot;
	const char *path;		/* interned */
	uint8_t build_id[20];
	uint8_t build_id_len;		/* 0: the recording has none for it */
	const char *build_id_hex;	/* interned, NULL without a build-id */
};

/* State that later stages keep per address space, freed with it. */
enum aspace_ext_slot {
	ASPACE_EXT_MODULES,		/* find/: the files mapped, as a Dwfl */
	ASPACE_EXT_UNWIND,		/* unwind/: rule caches */
	ASPACE_EXT_MAX,
};

struct aspace_ext {
	void *data;
	void (*free)(void *data);
};

struct proc_model;

struct aspace {
	uint32_t pid;
	unsigned refs;
	struct map *maps;		/* sorted by start, not overlapping */
	size_t nr_maps, cap_maps;
	uint64_t version;		/* bumped on every change of executable file maps */
	struct proc_model *pm;
	struct aspace_ext ext[ASPACE_EXT_MAX];
};

/*
 * Reads up to len bytes at addr from the file that backs it, into buf: m is
 * the read-only file mapping that holds addr, or NULL when no recorded
 * mapping does (the reader may then find a read-only segment of a file the
 * address space maps, such as .rodata next to a mapped .text).  Returns how
 * many bytes from addr on were read (0: none).
 */
typedef size_t (*file_read_fn)(void *arg, const struct aspace *as, const struct map *m,
			       uint64_t addr, void *buf, size_t len);

/* A model whose strings go to strs (which must outlive it); NULL without memory. */
struct proc_model *proc_model_new(struct screc_strtab *strs);
/* Free everything; NULL is a no-op. */
void proc_model_free(struct proc_model *pm);
/* Where aspace_read() gets the bytes of read-only file mappings. */
void proc_set_file_reader(struct proc_model *pm, file_read_fn fn, void *arg);

void proc_comm(struct proc_model *pm, uint32_t pid, uint32_t tid, const char *comm, bool exec);
void proc_fork(struct proc_model *pm, uint32_t pid, uint32_t ppid, uint32_t tid, uint32_t ptid);
void proc_exit(struct proc_model *pm, uint32_t pid, uint32_t tid);
/* Add a mapping (replacing what it overlaps); path is copied. */
void proc_mmap(struct proc_model *pm, uint32_t pid, const struct map *m, const char *path);
/* Remember a build-id the recorder read for a path (for maps without one). */
void proc_build_id(struct proc_model *pm, const char *path, const uint8_t *id, size_t len);

/* The address space of pid (created empty if unknown).  Valid until the next change call. */
struct aspace *proc_aspace(struct proc_model *pm, uint32_t pid);
/* Whether m maps a file by its path ("//anon", "[vdso]" and the like are not). */
bool map_is_file(const struct map *m);
/* The mapping containing addr, or NULL. */
const struct map *aspace_find(const struct aspace *as, uint64_t addr);
/* A thread's name, "" when unknown. */
const char *proc_thread_comm(struct proc_model *pm, uint32_t tid);

/* Attach a stage's state to as (replacing and freeing what was in slot). */
void aspace_ext_set(struct aspace *as, enum aspace_ext_slot slot, void *data,
		    void (*free_fn)(void *data));

/* The bytes of one sample's stack snapshot: stack[0] is at address lo. */
struct mem_snapshot {
	const uint8_t *stack;
	uint64_t lo, len;
};

/*
 * Read up to len bytes of the traced memory at addr into buf: from the
 * snapshot when it holds addr, else from a read-only file mapping of as
 * through the model's file reader.  Returns how many bytes from addr on were
 * read (0: none); never guesses.  as and snap may be NULL.
 */
size_t aspace_read(const struct aspace *as, const struct mem_snapshot *snap, uint64_t addr,
		   void *buf, size_t len);

/*
 * The file descriptors of a process as the recorded calls made them (open,
 * socket, dup... and close, close_range, exec): a fork copies its parent's,
 * threads share them, an exec closes the close-on-exec ones.  what is a
 * path or a description ("socket:[AF_INET,SOCK_STREAM]"), copied; NULL when
 * unknown.  first..last is inclusive.
 */
void proc_fd_open(struct proc_model *pm, uint32_t pid, int fd, const char *what, bool cloexec);
void proc_fd_close(struct proc_model *pm, uint32_t pid, int first, int last);
void proc_fd_cloexec(struct proc_model *pm, uint32_t pid, int first, int last, bool cloexec);
void proc_fd_exec(struct proc_model *pm, uint32_t pid);
/* What fd of pid refers to, or NULL when the recording did not show it. */
const char *proc_fd_what(struct proc_model *pm, uint32_t pid, int fd);

/* A thread the model saw, for the sinks' metadata. */
struct proc_task {
	uint32_t pid, tid;
	const char *comm;		/* its last name */
};
/* Call fn for every thread seen (in no particular order). */
void proc_each_task(struct proc_model *pm, void (*fn)(void *arg, const struct proc_task *t),
		    void *arg);

#endif
