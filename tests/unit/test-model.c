// SPDX-License-Identifier: MIT
/*
 * The process model on synthetic records, with no recording and no kernel:
 * fork copies the parent's maps, exec starts an empty address space and
 * drops the old one (with what later stages attached to it), threads share
 * one, a main thread that exits first does not take the maps with it, an
 * mmap cuts what it overlaps and the maps stay sorted (checked against a
 * page-by-page reference on random mappings), build-ids learned for a path
 * fill later maps, aspace_read() reads only what it may, and
 * proc_each_task() lists every thread with its last name.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/strtab.h"
#include "report/model/proc.h"
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


#define RX (PROT_READ | PROT_EXEC)
#define RW (PROT_READ | PROT_WRITE)

static void
add_map(struct proc_model *pm, uint32_t pid, uint64_t start, uint64_t end, uint64_t pgoff,
	uint32_t prot, const char *path)
{
	struct map m = { .start = start, .end = end, .pgoff = pgoff, .prot = prot };

	proc_mmap(pm, pid, &m, path);
}

/* The destructor the tests attach to address spaces: counts calls per tag. */
static unsigned freed[8];

static void
ext_free(void *data)
{
	freed[*(int *)data]++;
}

static int tags[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

static bool
maps_sorted(const struct aspace *as)
{
	size_t i;

	for (i = 0; i < as->nr_maps; i++) {
		if (as->maps[i].start >= as->maps[i].end)
			return false;
		if (i && as->maps[i - 1].end > as->maps[i].start)
			return false;
	}
	return true;
}

static void
test_fork_exec(struct screc_strtab *strs)
{
	struct proc_model *pm = proc_model_new(strs);
	struct aspace *parent, *child;
	const struct map *m;

	memset(freed, 0, sizeof(freed));
	proc_comm(pm, 100, 100, "parent", true);
	add_map(pm, 100, 0x400000, 0x401000, 0, RX, "/bin/parent");
	add_map(pm, 100, 0x600000, 0x602000, 0x2000, RW, "/bin/parent");
	parent = proc_aspace(pm, 100);
	is(parent->nr_maps, 2, "exec'd parent has its two maps");
	is(parent->pid, 100, "an address space knows its pid");

	proc_fork(pm, 200, 100, 200, 100);
	child = proc_aspace(pm, 200);
	parent = proc_aspace(pm, 100);
	ok(child != parent, "fork: the child gets an address space of its own");
	is(child->nr_maps, 2, "fork: the child starts with the parent's maps");
	m = aspace_find(child, 0x400800);
	ok(m && m->path && strcmp(m->path, "/bin/parent") == 0 && m->start == 0x400000,
	   "fork: the child finds the parent's code map");
	ok(strcmp(proc_thread_comm(pm, 200), "parent") == 0,
	   "fork: the child is named like its parent (%s)", proc_thread_comm(pm, 200));

	add_map(pm, 200, 0x7f0000000000, 0x7f0000001000, 0, RX, "/lib/libchild.so");
	child = proc_aspace(pm, 200);
	parent = proc_aspace(pm, 100);
	is(child->nr_maps, 3, "fork: the child's own mmap is in its space");
	is(parent->nr_maps, 2, "fork: ... and not in the parent's");
	ok(!aspace_find(parent, 0x7f0000000800), "fork: the parent does not find the child's map");
	add_map(pm, 100, 0x800000, 0x801000, 0, RX, "/lib/libparent.so");
	child = proc_aspace(pm, 200);
	ok(!aspace_find(child, 0x800800), "fork: a later parent mmap is not in the child");

	/* exec: an empty space; the old one goes with what was attached to it. */
	aspace_ext_set(child, ASPACE_EXT_MODULES, &tags[1], ext_free);
	aspace_ext_set(child, ASPACE_EXT_UNWIND, &tags[2], ext_free);
	aspace_ext_set(child, ASPACE_EXT_UNWIND, &tags[2], ext_free);
	is(freed[2], 0, "ext_set: setting the same data again frees nothing");
	aspace_ext_set(child, ASPACE_EXT_UNWIND, &tags[3], ext_free);
	is(freed[2], 1, "ext_set: replacing a slot's data frees the old data once");
	proc_comm(pm, 200, 200, "child", true);
	is(freed[1], 1, "exec: the old space's modules are freed once");
	is(freed[3], 1, "exec: the old space's unwinder state is freed once");
	child = proc_aspace(pm, 200);
	is(child->nr_maps, 0, "exec: the new space is empty");
	ok(!child->ext[ASPACE_EXT_MODULES].data && !child->ext[ASPACE_EXT_UNWIND].data,
	   "exec: the new space has nothing attached");
	ok(strcmp(proc_thread_comm(pm, 200), "child") == 0, "exec: the thread has its new name");
	parent = proc_aspace(pm, 100);
	is(parent->nr_maps, 3, "exec of the child leaves the parent's maps");

	/* A rename is no exec: the maps and what hangs off them stay. */
	add_map(pm, 200, 0x400000, 0x402000, 0, RX, "/bin/child");
	child = proc_aspace(pm, 200);
	aspace_ext_set(child, ASPACE_EXT_MODULES, &tags[4], ext_free);
	proc_comm(pm, 200, 200, "renamed", false);
	child = proc_aspace(pm, 200);
	is(child->nr_maps, 1, "rename: the maps stay");
	is(freed[4], 0, "rename: nothing attached is freed");
	ok(strcmp(proc_thread_comm(pm, 200), "renamed") == 0, "rename: the new name (%s)",
	   proc_thread_comm(pm, 200));

	/* The model's end drops the rest, once each. */
	parent = proc_aspace(pm, 100);
	aspace_ext_set(parent, ASPACE_EXT_MODULES, &tags[5], ext_free);
	proc_model_free(pm);
	is(freed[4], 1, "model_free: the child's attached state is freed once");
	is(freed[5], 1, "model_free: the parent's attached state is freed once");
	is(freed[1] + freed[3], 2, "model_free: nothing is freed twice");
	proc_model_free(NULL);	/* a no-op (a crash would end the test) */
}

static void
test_threads(struct screc_strtab *strs)
{
	struct proc_model *pm = proc_model_new(strs);
	struct aspace *as;

	memset(freed, 0, sizeof(freed));
	proc_comm(pm, 300, 300, "main", true);
	add_map(pm, 300, 0x400000, 0x401000, 0, RX, "/bin/threads");
	as = proc_aspace(pm, 300);
	aspace_ext_set(as, ASPACE_EXT_UNWIND, &tags[2], ext_free);
	proc_fork(pm, 300, 300, 301, 300);
	proc_fork(pm, 300, 300, 302, 300);
	ok(proc_aspace(pm, 300) == as && as->nr_maps == 1 &&
		   as->ext[ASPACE_EXT_UNWIND].data == &tags[2] && freed[2] == 0,
	   "threads: a new thread joins its process's space (same maps, same state)");
	ok(strcmp(proc_thread_comm(pm, 301), "main") == 0,
	   "threads: a new thread is named like its creator");
	proc_comm(pm, 300, 301, "worker-1", false);
	ok(strcmp(proc_thread_comm(pm, 301), "worker-1") == 0, "threads: a renamed thread (%s)",
	   proc_thread_comm(pm, 301));
	ok(strcmp(proc_thread_comm(pm, 300), "main") == 0,
	   "threads: renaming a thread leaves the main thread's name");
	ok(strcmp(proc_thread_comm(pm, 999), "") == 0, "threads: an unknown thread is \"\"");

	/* A thread's mmap is the process's. */
	add_map(pm, 300, 0x7f0000000000, 0x7f0000001000, 0, RX, "/lib/libthread.so");
	as = proc_aspace(pm, 300);
	is(as->nr_maps, 2, "threads: a map added for the process is there for all");
	aspace_ext_set(as, ASPACE_EXT_MODULES, &tags[1], ext_free);

	/* pthread_exit in main: the others still run in the same space. */
	proc_exit(pm, 300, 300);
	as = proc_aspace(pm, 300);
	is(as->nr_maps, 2, "threads: the main thread's exit keeps the maps");
	is(freed[1], 0, "threads: ... and what hangs off them");
	proc_exit(pm, 300, 301);
	as = proc_aspace(pm, 300);
	is(as->nr_maps, 2, "threads: still kept while one thread lives");
	proc_exit(pm, 300, 301);
	is(freed[1], 0, "threads: a second exit of the same thread counts once");
	proc_exit(pm, 300, 302);
	ok(freed[1] == 1 && freed[2] == 1, "threads: the last thread's exit drops the space once");
	as = proc_aspace(pm, 300);
	is(as->nr_maps, 0, "threads: a late sample of the process finds an empty space");
	proc_model_free(pm);
	is(freed[1], 1, "threads: the dropped space is not freed again");

	/* A fork of a thread (pid != ppid) from a non-main thread. */
	pm = proc_model_new(strs);
	proc_comm(pm, 400, 400, "p", true);
	add_map(pm, 400, 0x400000, 0x401000, 0, RX, "/bin/p");
	proc_fork(pm, 400, 400, 401, 400);
	proc_comm(pm, 400, 401, "t", false);
	proc_fork(pm, 500, 400, 500, 401);
	is(proc_aspace(pm, 500)->nr_maps, 1, "fork from a thread: the child has the maps");
	ok(strcmp(proc_thread_comm(pm, 500), "t") == 0,
	   "fork from a thread: the child is named like that thread");
	proc_model_free(pm);
}

static void
test_mmap_cut(struct screc_strtab *strs)
{
	struct proc_model *pm = proc_model_new(strs);
	struct aspace *as;
	uint64_t v;

	add_map(pm, 1, 0x10000, 0x50000, 0x100000, PROT_READ, "/lib/data");
	add_map(pm, 1, 0x20000, 0x30000, 0, RW, NULL);
	as = proc_aspace(pm, 1);
	if (is(as->nr_maps, 3, "cut: the middle of a map leaves two pieces")) {
		ok(as->maps[0].start == 0x10000 && as->maps[0].end == 0x20000 &&
			   as->maps[0].pgoff == 0x100000,
		   "cut: left piece [0x10000, 0x20000) keeps pgoff");
		ok(as->maps[1].start == 0x20000 && as->maps[1].end == 0x30000 && !as->maps[1].path,
		   "cut: the new map in the middle");
		ok(as->maps[2].start == 0x30000 && as->maps[2].end == 0x50000 &&
			   as->maps[2].pgoff == 0x120000,
		   "cut: right piece [0x30000, 0x50000) with pgoff advanced by 0x20000 (%#llx)",
		   (unsigned long long)as->maps[2].pgoff);
		ok(as->maps[2].path && strcmp(as->maps[2].path, "/lib/data") == 0,
		   "cut: the right piece keeps its path");
	}
	/* Overlap of the left end, and a map covering several. */
	add_map(pm, 1, 0x8000, 0x18000, 0, PROT_READ, "/lib/left");
	as = proc_aspace(pm, 1);
	ok(as->nr_maps == 4 && as->maps[0].start == 0x8000 && as->maps[1].start == 0x18000 &&
		   as->maps[1].pgoff == 0x108000,
	   "cut: overlapping a map's start moves its start and pgoff by as much");
	add_map(pm, 1, 0x0, 0x60000, 0, PROT_READ, "/lib/all");
	as = proc_aspace(pm, 1);
	ok(as->nr_maps == 1 && as->maps[0].start == 0 && as->maps[0].end == 0x60000,
	   "cut: a map over everything replaces everything");
	add_map(pm, 1, 0x100000, 0x100000, 0, PROT_READ, "/lib/empty");
	ok(proc_aspace(pm, 1)->nr_maps == 1, "an empty map is ignored");

	/* Sorted insertion, and aspace_find at the edges. */
	add_map(pm, 1, 0x90000, 0xa0000, 0, RX, "/lib/c");
	add_map(pm, 1, 0x70000, 0x80000, 0, RX, "/lib/b");
	as = proc_aspace(pm, 1);
	ok(as->nr_maps == 3 && maps_sorted(as) && as->maps[1].start == 0x70000,
	   "maps stay sorted when added out of order");
	ok(aspace_find(as, 0x70000) == &as->maps[1], "find: a map's first byte");
	ok(aspace_find(as, 0x7ffff) == &as->maps[1], "find: a map's last byte");
	ok(!aspace_find(as, 0x80000), "find: the byte after a map");
	ok(!aspace_find(as, 0x60000), "find: a hole");
	ok(!aspace_find(as, ~0ull), "find: the top of the address space");
	ok(!aspace_find(NULL, 0x70000), "find: a NULL space");

	/* version: executable file maps only. */
	v = as->version;
	add_map(pm, 1, 0xb0000, 0xc0000, 0, PROT_READ, "/lib/ro");
	is(proc_aspace(pm, 1)->version, v, "version: a read-only file map does not bump it");
	v = proc_aspace(pm, 1)->version;
	add_map(pm, 1, 0xc0000, 0xd0000, 0, RX, "//anon");
	is(proc_aspace(pm, 1)->version, v, "version: anonymous code (//anon) does not bump it");
	v = proc_aspace(pm, 1)->version;
	add_map(pm, 1, 0xd0000, 0xe0000, 0, RX, NULL);
	is(proc_aspace(pm, 1)->version, v, "version: code without a path does not bump it");
	add_map(pm, 1, 0xd0000, 0xe0000, 0, RX, "[anon:jit]");
	is(proc_aspace(pm, 1)->version, v, "version: code named [...] without a build-id does not");
	add_map(pm, 1, 0xe0000, 0xf0000, 0, RW, "/lib/rw");
	is(proc_aspace(pm, 1)->version, v, "version: a writable file map does not bump it");
	add_map(pm, 1, 0xf0000, 0x100000, 0, RX, "/lib/x");
	ok(proc_aspace(pm, 1)->version > v, "version: an executable file map bumps it");
	v = proc_aspace(pm, 1)->version;
	{
		struct map m = { .start = 0x100000, .end = 0x101000, .prot = RX,
				 .build_id = { 1, 2 }, .build_id_len = 2 };

		proc_mmap(pm, 1, &m, "[vdso]");
	}
	ok(proc_aspace(pm, 1)->version > v, "version: code with a build-id (the vdso) bumps it");
	v = proc_aspace(pm, 1)->version;
	add_map(pm, 1, 0xf0000, 0x100000, 0, RW, NULL);
	as = proc_aspace(pm, 1);
	ok(!aspace_find(as, 0xf8000) || !(aspace_find(as, 0xf8000)->prot & PROT_EXEC),
	   "version: anonymous memory mapped over a code map replaces it");
	ok(as->version > v, "version: removing an executable file map bumps it");
	proc_model_free(pm);
}

/* Random maps against a page-by-page reference of who owns each page. */
#define PAGES 64
#define PAGE 0x1000ull

static void
test_mmap_random(struct screc_strtab *strs)
{
	struct proc_model *pm = proc_model_new(strs);
	struct {
		int owner;		/* map number, -1 none */
		uint64_t fileoff;	/* the page's file offset */
	} ref[PAGES];
	uint64_t seed = 42;
	unsigned round, bad_sorted = 0, bad_find = 0, bad_off = 0;
	char path[32];
	int p;

	for (p = 0; p < PAGES; p++)
		ref[p].owner = -1;
	for (round = 0; round < 2000; round++) {
		uint64_t a = tap_rand(&seed) % PAGES, len = 1 + tap_rand(&seed) % 12;
		uint64_t pgoff = (tap_rand(&seed) % 256) * PAGE;
		const struct aspace *as;

		if (a + len > PAGES)
			len = PAGES - a;
		snprintf(path, sizeof(path), "/m/%u", round);
		add_map(pm, 7, 0x10000 + a * PAGE, 0x10000 + (a + len) * PAGE, pgoff, PROT_READ,
			path);
		for (p = (int)a; p < (int)(a + len); p++) {
			ref[p].owner = (int)round;
			ref[p].fileoff = pgoff + (p - a) * PAGE;
		}
		as = proc_aspace(pm, 7);
		if (!maps_sorted(as))
			bad_sorted++;
		for (p = 0; p < PAGES; p++) {
			const struct map *m = aspace_find(as, 0x10000 + p * PAGE + 0x10);

			snprintf(path, sizeof(path), "/m/%d", ref[p].owner);
			if (ref[p].owner < 0 ? m != NULL : !m || strcmp(m->path, path) != 0)
				bad_find++;
			else if (m && m->pgoff + (0x10000 + p * PAGE - m->start) != ref[p].fileoff)
				bad_off++;
		}
	}
	is(bad_sorted, 0, "random maps: always sorted and disjoint");
	is(bad_find, 0, "random maps: every page found in the map that last covered it");
	is(bad_off, 0, "random maps: every page at its file offset");
	proc_model_free(pm);
}

static void
test_build_id(struct screc_strtab *strs)
{
	struct proc_model *pm = proc_model_new(strs);
	static const uint8_t id[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6,
					7, 8, 9, 10, 11, 12, 13, 14, 15, 0x10 };
	static const uint8_t own[4] = { 0xaa, 0xbb, 0xcc, 0xdd };
	struct map m = { .start = 0x1000, .end = 0x2000, .prot = RX };
	const struct aspace *as;

	add_map(pm, 1, 0x1000, 0x2000, 0, RX, "/lib/nobid");
	as = proc_aspace(pm, 1);
	ok(as->maps[0].build_id_len == 0 && !as->maps[0].build_id_hex,
	   "build-id: a map without one has none and no hex");
	proc_build_id(pm, "/lib/bid", id, sizeof(id));
	add_map(pm, 1, 0x3000, 0x4000, 0, RX, "/lib/bid");
	as = proc_aspace(pm, 1);
	ok(as->maps[1].build_id_len == 20 && memcmp(as->maps[1].build_id, id, 20) == 0,
	   "build-id: a later map of the path gets the recorded one");
	ok(as->maps[1].build_id_hex &&
		   strcmp(as->maps[1].build_id_hex,
			  "deadbeef0102030405060708090a0b0c0d0e0f10") == 0,
	   "build-id: and its hex (%s)",
	   as->maps[1].build_id_hex ? as->maps[1].build_id_hex : "NULL");
	ok(as->maps[1].build_id_hex == screc_strtab_intern(strs, as->maps[1].build_id_hex),
	   "build-id: the hex is interned");
	memcpy(m.build_id, own, sizeof(own));
	m.build_id_len = sizeof(own);
	m.start = 0x5000;
	m.end = 0x6000;
	proc_mmap(pm, 1, &m, "/lib/bid");
	as = proc_aspace(pm, 1);
	ok(as->maps[2].build_id_len == 4 && memcmp(as->maps[2].build_id, own, 4) == 0 &&
		   as->maps[2].build_id_hex && strcmp(as->maps[2].build_id_hex, "aabbccdd") == 0,
	   "build-id: a map's own build-id wins over the recorded one");
	ok(as->maps[0].build_id_len == 0, "build-id: another path gets none");
	ok(as->maps[1].path == screc_strtab_intern(strs, "/lib/bid"), "paths are interned");
	proc_model_free(pm);
}

/* The file reader aspace_read() calls: bytes are the address's low byte. */
struct reader_log {
	unsigned calls;
	bool fail;
	uint64_t last_addr;
	size_t last_len;
};

static size_t
fake_read(void *arg, const struct aspace *as, const struct map *m, uint64_t addr, void *buf,
	  size_t len)
{
	struct reader_log *log = arg;
	size_t i;

	(void)as;
	if (!m)
		return 0;	/* no map: a real reader looks for a read-only segment; none here */
	log->calls++;
	log->last_addr = addr;
	log->last_len = len;
	if (log->fail)
		return 0;
	for (i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)(addr + i);
	return len;
}

static void
test_read(struct screc_strtab *strs)
{
	struct proc_model *pm = proc_model_new(strs);
	struct reader_log log = { 0 };
	uint8_t stack[32], buf[64];
	struct mem_snapshot snap = { stack, 0x7ff000, sizeof(stack) };
	const struct aspace *as;
	size_t i;

	for (i = 0; i < sizeof(stack); i++)
		stack[i] = (uint8_t)(0xa0 + i);
	add_map(pm, 1, 0x400000, 0x401000, 0, RX, "/bin/ro");
	add_map(pm, 1, 0x600000, 0x601000, 0, RW, "/bin/rw");
	add_map(pm, 1, 0x700000, 0x701000, 0, PROT_READ, NULL);
	add_map(pm, 1, 0x7fe000, 0x800000, 0, RW, "[stack]");
	as = proc_aspace(pm, 1);

	is(aspace_read(as, &snap, 0x400000, buf, 8), 0,
	   "read: no file reader installed, no bytes from a file");
	proc_set_file_reader(pm, fake_read, &log);

	memset(buf, 0, sizeof(buf));
	is(aspace_read(as, &snap, 0x7ff000, buf, 4), 4, "read: 4 bytes at the snapshot's start");
	ok(buf[0] == 0xa0 && buf[3] == 0xa3, "read: ... the snapshot's bytes");
	is(aspace_read(as, &snap, 0x7ff018, buf, 16), 8,
	   "read: 16 bytes 8 before the snapshot's end give 8");
	ok(buf[0] == 0xb8 && buf[7] == 0xbf, "read: ... the last 8 bytes of it");
	is(aspace_read(as, &snap, 0x7ff01f, buf, 8), 1, "read: the last byte alone");
	is(aspace_read(as, &snap, 0x7ff020, buf, 8), 0,
	   "read: just past the snapshot (a writable map) gives 0");
	is(aspace_read(as, &snap, 0x7feff8, buf, 16), 0,
	   "read: from below the snapshot gives 0 (it does not start there)");
	is(log.calls, 0, "read: the snapshot and the stack map never ask the file reader");

	memset(buf, 0, sizeof(buf));
	is(aspace_read(as, &snap, 0x400010, buf, 8), 8,
	   "read: a read-only file map through the reader");
	ok(log.calls == 1 && log.last_addr == 0x400010 && log.last_len == 8 && buf[0] == 0x10 &&
		   buf[7] == 0x17,
	   "read: ... which got the address and length");
	is(aspace_read(as, &snap, 0x400ffc, buf, 16), 4, "read: cut at the map's end");
	is(log.last_len, 4, "read: ... the reader is asked for what the map holds");
	log.calls = 0;
	is(aspace_read(as, &snap, 0x600000, buf, 8), 0, "read: never from a writable file map");
	is(aspace_read(as, &snap, 0x700000, buf, 8), 0, "read: never from an anonymous map");
	is(aspace_read(as, &snap, 0x500000, buf, 8), 0, "read: 0 where nothing is mapped");
	is(log.calls, 0, "read: ... the reader was not asked for any of those");
	log.fail = true;
	is(aspace_read(as, &snap, 0x400000, buf, 8), 0, "read: 0 when the file reader fails");
	log.fail = false;
	is(aspace_read(as, NULL, 0x400000, buf, 8), 8, "read: without a snapshot, still the file");
	is(aspace_read(NULL, &snap, 0x7ff000, buf, 8), 8,
	   "read: without a space, still the snapshot");
	is(aspace_read(NULL, NULL, 0x400000, buf, 8), 0, "read: with neither, nothing");
	snap.stack = NULL;
	is(aspace_read(as, &snap, 0x7ff000, buf, 8), 0,
	   "read: a snapshot without bytes holds none");
	proc_model_free(pm);
}

struct task_list {
	unsigned n;
	struct proc_task t[8];
	char comm[8][16];
};

static void
collect(void *arg, const struct proc_task *t)
{
	struct task_list *l = arg;

	if (l->n < 8) {
		l->t[l->n] = *t;
		snprintf(l->comm[l->n], sizeof(l->comm[0]), "%s", t->comm);
	}
	l->n++;
}

static void
test_each_task(struct screc_strtab *strs)
{
	struct proc_model *pm = proc_model_new(strs);
	struct task_list l = { 0 };
	unsigned i, seen = 0;

	proc_comm(pm, 10, 10, "first", true);
	proc_fork(pm, 10, 10, 11, 10);
	proc_comm(pm, 10, 11, "second", false);
	proc_fork(pm, 20, 10, 20, 11);
	proc_comm(pm, 20, 20, "a-very-long-program-name", true);
	proc_exit(pm, 10, 11);
	proc_each_task(pm, collect, &l);
	is(l.n, 3, "tasks: every thread seen, the exited one too");
	for (i = 0; i < l.n && i < 8; i++) {
		if (l.t[i].tid == 10 && l.t[i].pid == 10 && strcmp(l.comm[i], "first") == 0)
			seen |= 1;
		if (l.t[i].tid == 11 && l.t[i].pid == 10 && strcmp(l.comm[i], "second") == 0)
			seen |= 2;
		if (l.t[i].tid == 20 && l.t[i].pid == 20 &&
		    strcmp(l.comm[i], "a-very-long-pro") == 0)
			seen |= 4;
	}
	ok(seen & 1, "tasks: the main thread with its name");
	ok(seen & 2, "tasks: the renamed thread with its last name");
	ok(seen & 4, "tasks: a long name cut to 15 bytes, as the kernel does");
	proc_model_free(pm);
}

int
main(void)
{
	struct screc_strtab *strs = screc_strtab_new();

	if (!strs)
		return tap_skip_all("no memory");
	test_fork_exec(strs);
	test_threads(strs);
	test_mmap_cut(strs);
	test_mmap_random(strs);
	test_build_id(strs);
	test_read(strs);
	test_each_task(strs);
	screc_strtab_free(strs);
	tap_done();
	return nr_bad ? 1 : 0;
}
