// SPDX-License-Identifier: MIT
/*
 * The process model.  Address spaces are reference counted: threads of a
 * process share one; an exec or the exit of the process drops it, which also
 * drops what later stages attached to it (the Dwfl, the unwinder's caches).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/buildid.h"
#include "common/util.h"
#include "idmap.h"
#include "proc.h"
#include "common/strtab.h"

#define COMM_LEN 16

struct task {
	uint32_t tid;
	uint32_t pid;
	bool live;		/* counted in its process's threads */
	char comm[COMM_LEN];
};

/* An open file descriptor as the recorded calls made it (key fd + 1: 0 is no key). */
struct fdslot {
	uint32_t key;
	bool cloexec;
	const char *what;	/* interned path or description, NULL if unknown */
};

struct pidslot {
	uint32_t pid;
	uint32_t threads;	/* live threads seen */
	struct aspace *as;
	struct idmap *fds;	/* fd + 1 -> struct fdslot; NULL until one is known */
};

struct proc_model {
	struct screc_strtab *strs;
	struct idmap tasks;	/* tid -> struct task */
	struct idmap pids;	/* pid -> struct pidslot */
	struct { const char *path; uint8_t id[20]; uint8_t len; } *bids;
	size_t nr_bids, cap_bids;
	file_read_fn read_file;
	void *read_arg;
};

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
aspace_new(struct proc_model *pm, uint32_t pid)
{
	struct aspace *as = calloc(1, sizeof(*as));

	if (as) {
		as->pid = pid;
		as->refs = 1;
		as->pm = pm;
	}
	return as;
}

void
aspace_ext_set(struct aspace *as, enum aspace_ext_slot slot, void *data,
	       void (*free_fn)(void *data))
{
	struct aspace_ext *e = &as->ext[slot];

	if (e->data && e->free && e->data != data)
		e->free(e->data);
	e->data = data;
	e->free = free_fn;
}

static void
fds_free(struct idmap *fds)
{
	if (fds) {
		idmap_release(fds);
		free(fds);
	}
}

/* A copy of a process's fd table for its child (a fork shares nothing after). */
static struct idmap *
fds_copy(const struct idmap *from)
{
	struct idmap *to;
	size_t i;

	if (!from || !from->nr)
		return NULL;
	to = calloc(1, sizeof(*to));
	if (!to)
		return NULL;
	*to = (struct idmap)IDMAP_INIT(struct fdslot);
	for (i = 0; i < from->cap; i++) {
		const struct fdslot *f = idmap_slot(from, i);
		struct fdslot *n = f ? idmap_get(to, f->key, true) : NULL;

		if (n)
			*n = *f;
	}
	return to;
}

/* Close every close-on-exec descriptor (an exec). */
static void
fds_exec(struct idmap *fds)
{
	size_t i;

	if (!fds)
		return;
	for (i = 0; i < fds->cap;) {
		struct fdslot *f = idmap_slot(fds, i);

		/* A delete moves later entries of the probe run back: look at this slot again. */
		if (f && f->cloexec)
			idmap_del(fds, f);
		else
			i++;
	}
}

static void
aspace_put(struct aspace *as)
{
	int i;

	if (!as || --as->refs)
		return;
	/* Later stages' state first: it may refer to the maps. */
	for (i = ASPACE_EXT_MAX - 1; i >= 0; i--)
		aspace_ext_set(as, (enum aspace_ext_slot)i, NULL, NULL);
	free(as->maps);
	free(as);
}

struct proc_model *
proc_model_new(struct screc_strtab *strs)
{
	struct proc_model *pm = calloc(1, sizeof(*pm));

	if (pm) {
		pm->strs = strs;
		pm->tasks = (struct idmap)IDMAP_INIT(struct task);
		pm->pids = (struct idmap)IDMAP_INIT(struct pidslot);
	}
	return pm;
}

void
proc_set_file_reader(struct proc_model *pm, file_read_fn fn, void *arg)
{
	pm->read_file = fn;
	pm->read_arg = arg;
}

void
proc_model_free(struct proc_model *pm)
{
	size_t i;

	if (!pm)
		return;
	for (i = 0; i < pm->pids.cap; i++) {
		struct pidslot *ps = idmap_slot(&pm->pids, i);

		if (ps) {
			aspace_put(ps->as);
			fds_free(ps->fds);
		}
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
		ps->as = aspace_new(pm, pid);
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
			ps->as = aspace_new(pm, pid);
			fds_exec(ps->fds);
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
		as = ps->as = aspace_new(pm, pid);
		fds_free(ps->fds);
		ps->fds = fds_copy(pid_get(pm, ppid, false) ? pid_get(pm, ppid, false)->fds : NULL);
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
	const char *p = screc_strtab_intern(pm->strs, path);

	if (!p || len > 20 || screc_grow(&pm->bids, &pm->cap_bids, pm->nr_bids + 1,
					  sizeof(*pm->bids), 32))
		return;
	pm->bids[pm->nr_bids].path = p;
	memcpy(pm->bids[pm->nr_bids].id, id, len);
	pm->bids[pm->nr_bids].len = (uint8_t)len;
	pm->nr_bids++;
}

bool
map_is_file(const struct map *m)
{
	return m->path && m->path[0] == '/' && strcmp(m->path, "//anon") != 0;
}

/* Whether a map holds a file's code (what the unwinder reports as a module). */
static bool
file_code(const struct map *m)
{
	return map_is_file(m) || (m->path && m->build_id_len);
}

void
proc_mmap(struct proc_model *pm, uint32_t pid, const struct map *m, const char *path)
{
	struct aspace *as = proc_aspace(pm, pid);
	struct map nm = *m, *out;
	bool covered_code = false;
	size_t i, n = 0;

	if (!as || m->end <= m->start)
		return;
	nm.path = screc_strtab_intern(pm->strs, path);
	if (!nm.build_id_len) {
		const uint8_t *id = known_build_id(pm, nm.path, &nm.build_id_len);

		if (id)
			memcpy(nm.build_id, id, nm.build_id_len);
	}
	if (nm.build_id_len) {
		char hex[41];

		screc_hex(nm.build_id, nm.build_id_len, hex);
		nm.build_id_hex = screc_strtab_intern(pm->strs, hex);
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
		if ((o.prot & PROT_EXEC) && file_code(&o))
			covered_code = true;
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
	/*
	 * Only what the unwinder reports rebuilds its Dwfl: a file's code, new or
	 * covered by this map; not anonymous or JIT code ("//anon" is the
	 * kernel's name for anonymous memory).
	 */
	if (((nm.prot & PROT_EXEC) && file_code(&nm)) || covered_code)
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

size_t
aspace_read(const struct aspace *as, const struct mem_snapshot *snap, uint64_t addr, void *buf,
	    size_t len)
{
	const struct map *m;
	size_t n;

	if (snap && snap->stack && addr >= snap->lo && addr - snap->lo < snap->len) {
		n = snap->len - (addr - snap->lo);
		n = n < len ? n : len;
		memcpy(buf, snap->stack + (addr - snap->lo), n);
		return n;
	}
	if (!as || !as->pm->read_file)
		return 0;
	m = aspace_find(as, addr);
	if (!m)
		return as->pm->read_file(as->pm->read_arg, as, NULL, addr, buf, len);
	if ((m->prot & PROT_WRITE) || !m->path)
		return 0;
	n = m->end - addr < len ? (size_t)(m->end - addr) : len;
	return as->pm->read_file(as->pm->read_arg, as, m, addr, buf, n);
}

void
proc_each_task(struct proc_model *pm, void (*fn)(void *arg, const struct proc_task *t), void *arg)
{
	size_t i;

	for (i = 0; i < pm->tasks.cap; i++) {
		struct task *t = idmap_slot(&pm->tasks, i);

		if (t) {
			struct proc_task pt = { t->pid, t->tid, t->comm };

			fn(arg, &pt);
		}
	}
}

/* The fd table of pid, made when create; NULL if none. */
static struct idmap *
fds_of(struct proc_model *pm, uint32_t pid, bool create)
{
	struct pidslot *ps = pid_get(pm, pid, create);

	if (!ps)
		return NULL;
	if (!ps->fds && create) {
		ps->fds = calloc(1, sizeof(*ps->fds));
		if (ps->fds)
			*ps->fds = (struct idmap)IDMAP_INIT(struct fdslot);
	}
	return ps->fds;
}

void
proc_fd_open(struct proc_model *pm, uint32_t pid, int fd, const char *what, bool cloexec)
{
	struct idmap *fds;
	struct fdslot *f;

	if (fd < 0 || fd == INT32_MAX)
		return;
	fds = fds_of(pm, pid, true);
	f = fds ? idmap_get(fds, (uint32_t)fd + 1, true) : NULL;
	if (!f)
		return;
	f->cloexec = cloexec;
	f->what = screc_strtab_intern(pm->strs, what);
}

void
proc_fd_close(struct proc_model *pm, uint32_t pid, int first, int last)
{
	struct idmap *fds = fds_of(pm, pid, false);
	size_t i;

	if (!fds || first < 0 || last < first)
		return;
	if ((size_t)(last - first) < 64) {
		for (int fd = first; fd <= last; fd++) {
			struct fdslot *f = idmap_get(fds, (uint32_t)fd + 1, false);

			if (f)
				idmap_del(fds, f);
		}
		return;
	}
	for (i = 0; i < fds->cap;) {
		struct fdslot *f = idmap_slot(fds, i);

		if (f && (int)(f->key - 1) >= first && (int)(f->key - 1) <= last)
			idmap_del(fds, f);
		else
			i++;
	}
}

void
proc_fd_cloexec(struct proc_model *pm, uint32_t pid, int first, int last, bool cloexec)
{
	struct idmap *fds = fds_of(pm, pid, false);
	size_t i;

	if (!fds)
		return;
	for (i = 0; i < fds->cap; i++) {
		struct fdslot *f = idmap_slot(fds, i);

		if (f && (int)(f->key - 1) >= first && (int)(f->key - 1) <= last)
			f->cloexec = cloexec;
	}
}

void
proc_fd_exec(struct proc_model *pm, uint32_t pid)
{
	fds_exec(fds_of(pm, pid, false));
}

const char *
proc_fd_what(struct proc_model *pm, uint32_t pid, int fd)
{
	struct idmap *fds = fd >= 0 && fd != INT32_MAX ? fds_of(pm, pid, false) : NULL;
	struct fdslot *f = fds ? idmap_get(fds, (uint32_t)fd + 1, false) : NULL;

	return f ? f->what : NULL;
}
