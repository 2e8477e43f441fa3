// SPDX-License-Identifier: MIT
/*
 * The process model.  Address spaces are reference counted: threads of a
 * process share one; an exec or the exit of the process drops it, which also
 * drops the unwinder's Dwfl built for it.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buildid.h"
#include "idmap.h"
#include "proc.h"
#include "unwind.h"

#define COMM_LEN 16

struct task {
	uint32_t tid;
	uint32_t pid;
	bool live;		/* counted in its process's threads */
	char comm[COMM_LEN];
};

struct pidslot {
	uint32_t pid;
	uint32_t threads;	/* live threads seen */
	struct aspace *as;
};

struct proc_model {
	struct idmap tasks;	/* tid -> struct task */
	struct idmap pids;	/* pid -> struct pidslot */
	struct { const char *path; uint8_t id[20]; uint8_t len; } *bids;
	size_t nr_bids, cap_bids;
};

/* --- string interning --- */

static struct {
	char **slots;
	size_t nr, cap;
} strs;

static size_t
hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

const char *
intern(const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	if (strs.nr * 2 >= strs.cap) {
		size_t cap = strs.cap ? 2 * strs.cap : 1024, j;
		char **n = calloc(cap, sizeof(*n));

		if (!n)
			return NULL;
		for (j = 0; j < strs.cap; j++)
			if (strs.slots[j]) {
				size_t k = hash_str(strs.slots[j]) & (cap - 1);

				while (n[k])
					k = (k + 1) & (cap - 1);
				n[k] = strs.slots[j];
			}
		free(strs.slots);
		strs.slots = n;
		strs.cap = cap;
	}
	for (i = hash_str(s) & (strs.cap - 1); strs.slots[i]; i = (i + 1) & (strs.cap - 1))
		if (strcmp(strs.slots[i], s) == 0)
			return strs.slots[i];
	strs.slots[i] = strdup(s);
	if (strs.slots[i])
		strs.nr++;
	return strs.slots[i];
}

void
intern_free(void)
{
	size_t i;

	for (i = 0; i < strs.cap; i++)
		free(strs.slots[i]);
	free(strs.slots);
	memset(&strs, 0, sizeof(strs));
}

/* --- tables --- */

static struct task *
task_get(struct proc_model *pm, uint32_t tid, bool create)
{
	return idmap_get(&pm->tasks, tid, create);
}

static struct pidslot *
pid_get(struct proc_model *pm, uint32_t pid, bool create)
{
	return idmap_get(&pm->pids, pid, create);
}

static struct aspace *
aspace_new(uint32_t pid)
{
	struct aspace *as = calloc(1, sizeof(*as));

	if (as) {
		as->pid = pid;
		as->refs = 1;
	}
	return as;
}

static void
aspace_put(struct aspace *as)
{
	if (!as || --as->refs)
		return;
	unwind_free_space(as);
	free(as->maps);
	free(as);
}

struct proc_model *
proc_model_new(void)
{
	struct proc_model *pm = calloc(1, sizeof(*pm));

	if (pm) {
		pm->tasks = (struct idmap)IDMAP_INIT(struct task);
		pm->pids = (struct idmap)IDMAP_INIT(struct pidslot);
	}
	return pm;
}

void
proc_model_free(struct proc_model *pm)
{
	size_t i;

	if (!pm)
		return;
	for (i = 0; i < pm->pids.cap; i++) {
		struct pidslot *ps = idmap_slot(&pm->pids, i);

		if (ps)
			aspace_put(ps->as);
	}
	idmap_release(&pm->pids);
	idmap_release(&pm->tasks);
	free(pm->bids);
	free(pm);
}

struct aspace *
proc_aspace(struct proc_model *pm, uint32_t pid)
{
	struct pidslot *ps = pid_get(pm, pid, true);

	if (!ps)
		return NULL;
	if (!ps->as)
		ps->as = aspace_new(pid);
	return ps->as;
}

/* Count tid as a live thread of pid (once); returns its task. */
static struct task *
task_live(struct proc_model *pm, uint32_t pid, uint32_t tid)
{
	struct task *t = task_get(pm, tid, true);
	struct pidslot *ps;

	if (!t || t->live)
		return t;
	t->live = true;
	t->pid = pid;
	ps = pid_get(pm, pid, true);
	/* pid_get may have grown the pid table only; t (the task table) stays valid. */
	if (ps)
		ps->threads++;
	return t;
}

void
proc_comm(struct proc_model *pm, uint32_t pid, uint32_t tid, const char *comm, bool exec)
{
	struct task *t = task_live(pm, pid, tid);

	if (t) {
		strncpy(t->comm, comm, COMM_LEN - 1);
		t->comm[COMM_LEN - 1] = '\0';
	}
	if (exec) {
		struct pidslot *ps = pid_get(pm, pid, true);

		if (ps) {
			aspace_put(ps->as);
			ps->as = aspace_new(pid);
		}
	}
}

void
proc_fork(struct proc_model *pm, uint32_t pid, uint32_t ppid, uint32_t tid, uint32_t ptid)
{
	struct task *parent = task_get(pm, ptid, false);
	char comm[COMM_LEN] = "";
	struct task *t;

	if (parent)
		memcpy(comm, parent->comm, COMM_LEN);
	t = task_live(pm, pid, tid);
	if (t)
		memcpy(t->comm, comm, COMM_LEN);
	if (pid != ppid) {
		struct aspace *from = proc_aspace(pm, ppid);
		struct pidslot *ps = pid_get(pm, pid, true);
		struct aspace *as;

		if (!ps)
			return;
		aspace_put(ps->as);
		as = ps->as = aspace_new(pid);
		if (as && from && from->nr_maps) {
			as->maps = malloc(from->nr_maps * sizeof(*as->maps));
			if (as->maps) {
				memcpy(as->maps, from->maps, from->nr_maps * sizeof(*as->maps));
				as->nr_maps = as->cap_maps = from->nr_maps;
			}
		}
	}
}

void
proc_exit(struct proc_model *pm, uint32_t pid, uint32_t tid)
{
	struct task *t = task_get(pm, tid, false);
	struct pidslot *ps;

	if (!t || !t->live)
		return;
	t->live = false;
	ps = pid_get(pm, t->pid, false);
	(void)pid;
	if (!ps || !ps->threads || --ps->threads)
		return;
	/* The last thread is gone (a main thread that called pthread_exit is not the last). */
	if (ps->as) {
		/* Keep the slot: late samples of the process still find an empty space. */
		aspace_put(ps->as);
		ps->as = NULL;
	}
}

static const uint8_t *
known_build_id(struct proc_model *pm, const char *path, uint8_t *len)
{
	size_t i;

	for (i = 0; i < pm->nr_bids; i++)
		if (pm->bids[i].path == path) {
			*len = pm->bids[i].len;
			return pm->bids[i].id;
		}
	return NULL;
}

void
proc_build_id(struct proc_model *pm, const char *path, const uint8_t *id, size_t len)
{
	const char *p = intern(path);

	if (!p || len > 20)
		return;
	if (pm->nr_bids == pm->cap_bids) {
		size_t cap = pm->cap_bids ? 2 * pm->cap_bids : 32;
		void *n = realloc(pm->bids, cap * sizeof(*pm->bids));

		if (!n)
			return;
		pm->bids = n;
		pm->cap_bids = cap;
	}
	pm->bids[pm->nr_bids].path = p;
	memcpy(pm->bids[pm->nr_bids].id, id, len);
	pm->bids[pm->nr_bids].len = (uint8_t)len;
	pm->nr_bids++;
}

void
proc_mmap(struct proc_model *pm, uint32_t pid, const struct map *m, const char *path)
{
	struct aspace *as = proc_aspace(pm, pid);
	struct map nm = *m, *out;
	size_t i, n = 0;

	if (!as || m->end <= m->start)
		return;
	nm.path = intern(path);
	if (!nm.build_id_len) {
		const uint8_t *id = known_build_id(pm, nm.path, &nm.build_id_len);

		if (id)
			memcpy(nm.build_id, id, nm.build_id_len);
	}
	if (nm.build_id_len) {
		char hex[41];

		screc_hex(nm.build_id, nm.build_id_len, hex);
		nm.build_id_hex = intern(hex);
	}
	/* New array: old maps cut around the new one, then the new one in order. */
	out = malloc((as->nr_maps + 2) * sizeof(*out));
	if (!out)
		return;
	for (i = 0; i < as->nr_maps; i++) {
		struct map o = as->maps[i];

		if (o.end <= nm.start || o.start >= nm.end) {
			out[n++] = o;
			continue;
		}
		if (o.start < nm.start) {
			struct map left = o;

			left.end = nm.start;
			out[n++] = left;
		}
		if (o.end > nm.end) {
			struct map right = o;

			right.pgoff += nm.end - o.start;
			right.start = nm.end;
			out[n++] = right;
		}
	}
	for (i = n; i > 0 && out[i - 1].start > nm.start; i--)
		out[i] = out[i - 1];
	out[i] = nm;
	n++;
	free(as->maps);
	as->maps = out;
	as->nr_maps = as->cap_maps = n;
	/* Only what the unwinder reports rebuilds its Dwfl: not anonymous or JIT code. */
	if ((nm.prot & 4) && nm.path && (nm.path[0] == '/' || nm.build_id_len))
		as->version++;
}

const struct map *
aspace_find(const struct aspace *as, uint64_t addr)
{
	size_t lo = 0, hi = as ? as->nr_maps : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < as->maps[mid].start)
			hi = mid;
		else if (addr >= as->maps[mid].end)
			lo = mid + 1;
		else
			return &as->maps[mid];
	}
	return NULL;
}

const char *
proc_thread_comm(struct proc_model *pm, uint32_t tid)
{
	struct task *t = task_get(pm, tid, false);

	return t ? t->comm : "";
}
