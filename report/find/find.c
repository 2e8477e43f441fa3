// SPDX-License-Identifier: MIT
/*
 * The lookup chain and the modules of an address space.  Files are found
 * once per (path, build-id) and never used when their build-id differs from
 * the recorded one: a module whose file is missing or another build is
 * reported by build-id, for libdwfl to look for (debug directories,
 * debuginfod).  A module's load bias comes from the segment the kernel
 * mapped (by page offset and permission), which also holds for LLD's packed
 * layouts, and also for a binary a debuginfod server gives.
 */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buildid.h"
#include "common/log.h"
#include "find-internal.h"
#include "common/strtab.h"

#define FILE_BUCKETS 1024

/* Functions after which a stack continues on another stack that no snapshot holds. */
static const char *const stack_switchers[] = {
	"runtime.asmcgocall", "runtime.asmcgocall.abi0", "runtime.systemstack",
	"runtime.systemstack.abi0", "runtime.mcall", "runtime.mcall.abi0", "runtime.morestack",
	"runtime.morestack.abi0", "runtime.sigtramp", "runtime.sigtramp.abi0",
	"runtime.cgocallback", "runtime.cgocallback.abi0", NULL,
};

/* The modules of one address space. */
/* What find_dwfl() reported for one executable map (or tried to). */
struct mod_entry {
	const char *path;		/* the map's (interned) */
	const char *found;		/* the local file, or NULL: reported by build-id */
	uint64_t start, end, pgoff, bias;
	Dwfl_Module *mod;		/* NULL if libdwfl refused it */
};

struct modules {
	Dwfl *dwfl;
	uint64_t version;
	uint64_t serial;		/* which Dwfl (find_dwfl_serial()) */
	struct mod_entry *entries;	/* what it holds */
	size_t nr_entries;
};

struct finder *
find_new(const struct lookup_opts *opts, struct screc_strtab *strs)
{
	struct finder *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->files = calloc(FILE_BUCKETS, sizeof(*f->files));
	if (!f->files) {
		free(f);
		return NULL;
	}
	if (opts)
		f->opts = *opts;
	f->strs = strs;
	f->archive_cap = find_archive_cap();
	f->jobs = 1;
	/* libelf refuses every file until a version is set (libdwfl sets it too, later). */
	elf_version(EV_CURRENT);
	return f;
}

void
find_free(struct finder *f)
{
	struct file *fl, *next;

	if (!f)
		return;
	for (fl = f->first; fl; fl = next) {
		next = fl->order;
		if (fl->fd >= 0)
			close(fl->fd);
		if (fl->image_fd >= 0)
			close(fl->image_fd);
		free(fl);
	}
	free(f->files);
	free(f->debuginfo_path);
	find_perfmap_free(f);
	find_archive_remove(f);
	find_inflated_free(f);
	free(f);
}

void
find_set_jobs(struct finder *f, unsigned jobs)
{
	f->jobs = jobs;
}

/*
 * libdwfl's search path for debug files, made when the first Dwfl is; the
 * archive's debug files come first, through find_debuginfo().
 */
static int
make_callbacks(struct finder *f)
{
	const struct lookup_opts *o = &f->opts;
	size_t len;

	if (f->debuginfo_path)
		return 0;
	len = 64 + (o->debug_dirs ? strlen(o->debug_dirs) : 0) +
	      (o->symfs ? 2 * strlen(o->symfs) + 64 : 0);
	f->debuginfo_path = malloc(len);
	if (!f->debuginfo_path)
		return -ENOMEM;
	/* "-" first: do not check CRCs of debuglink files (build-ids decide). */
	snprintf(f->debuginfo_path, len, "-:.debug:/usr/lib/debug%s%s%s%s%s",
		 o->debug_dirs ? ":" : "", o->debug_dirs ? o->debug_dirs : "",
		 o->symfs ? ":" : "", o->symfs ? o->symfs : "", o->symfs ? "/usr/lib/debug" : "");
	f->callbacks.find_elf = dwfl_build_id_find_elf;
	f->callbacks.find_debuginfo = find_debuginfo;
	f->callbacks.section_address = dwfl_offline_section_address;
	f->callbacks.debuginfo_path = &f->debuginfo_path;
	return 0;
}

/* Note where fl's stack-switching functions are, from its .symtab. */
static void
read_switchers(struct file *fl, Elf *elf)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		n = data ? sh.sh_size / sh.sh_entsize : 0;
		for (i = 0; i < n && fl->nr_switchers < MAX_SWITCHERS; i++) {
			GElf_Sym sym;
			const char *name;
			size_t k;

			if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || strncmp(name, "runtime.", 8) != 0)
				continue;
			for (k = 0; stack_switchers[k]; k++)
				if (strcmp(name, stack_switchers[k]) == 0) {
					fl->switchers[fl->nr_switchers].lo = sym.st_value;
					fl->switchers[fl->nr_switchers].hi = sym.st_value + sym.st_size;
					fl->nr_switchers++;
				}
		}
	}
}

/* Read the PT_LOAD headers (and the stack switchers) of the file open at fd. */
static void
read_loads(struct file *fl, int fd)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	size_t n, i;

	if (!elf)
		return;
	read_switchers(fl, elf);
	if (elf_getphdrnum(elf, &n) == 0) {
		for (i = 0; i < n && fl->nr_loads < MAX_LOADS; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
				fl->loads[fl->nr_loads].off = ph.p_offset;
				fl->loads[fl->nr_loads].vaddr = ph.p_vaddr;
				fl->loads[fl->nr_loads].filesz = ph.p_filesz;
				fl->loads[fl->nr_loads].flags = ph.p_flags;
				fl->nr_loads++;
			}
		}
	}
	elf_end(elf);
}

static bool
try_candidate(struct finder *f, struct file *fl, const char *cand)
{
	uint8_t id[20];
	size_t len;
	struct stat st;

	if (stat(cand, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (fl->bid_len) {
		if (screc_read_build_id(cand, id, &len) != 0 || len != fl->bid_len ||
		    memcmp(id, fl->bid, len) != 0) {
			fl->mismatch = true;
			return false;
		}
	}
	fl->fd = open(cand, O_RDONLY | O_CLOEXEC);
	if (fl->fd < 0)
		return false;
	fl->mismatch = false;
	fl->found = screc_strtab_intern(f->strs, cand);
	read_loads(fl, fl->fd);
	return true;
}

/*
 * Open an archived copy for its program headers; its bytes only when it is
 * whole (the vdso, saved from memory), not a binary cut down to its tables.
 */
static void
use_archived(struct file *fl, const char *path, bool whole)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	fl->archived = true;
	fl->mismatch = false;
	fl->found = path;
	read_loads(fl, fd);
	if (whole)
		fl->fd = fd;
	else
		close(fd);
}

/*
 * The binary itself under a debug directory's .build-id tree
 * (DIR/.build-id/xx/rest, as debuginfod clients and some distributions lay
 * them out), for --debug-dir and /usr/lib/debug.
 */
static void
by_build_id(struct finder *f, struct file *fl)
{
	char hex[41], buf[4096];
	const char *dirs = f->opts.debug_dirs;

	if (fl->bid_len < 2)
		return;
	screc_hex(fl->bid, fl->bid_len, hex);
	while (dirs && *dirs) {
		const char *end = strchr(dirs, ':');
		int n = end ? (int)(end - dirs) : (int)strlen(dirs);

		if (snprintf(buf, sizeof(buf), "%.*s/.build-id/%.2s/%s", n, dirs, hex, hex + 2) <
			    (int)sizeof(buf) && try_candidate(f, fl, buf))
			return;
		dirs = end ? end + 1 : NULL;
	}
	snprintf(buf, sizeof(buf), "/usr/lib/debug/.build-id/%.2s/%s", hex, hex + 2);
	try_candidate(f, fl, buf);
}

/* Let find_debuginfo() know the finder of a module. */
static void
set_userdata(Dwfl_Module *mod, struct finder *f)
{
	void **userdata;

	if (mod && dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL))
		*userdata = f;
}

/*
 * Keep a copy of the ELF image libdwfl found in anonymous memory, as the
 * archive keeps its files (libdwfl gives no path for what debuginfod
 * fetched), and try it as a candidate.
 */
static void
use_image(struct finder *f, struct file *fl, Elf *elf)
{
	char path[32];
	size_t size = 0, done = 0;
	const char *raw = elf_rawfile(elf, &size);
	int fd;

	if (!raw || !size)
		return;
	fd = memfd_create("screc-debuginfod", MFD_CLOEXEC);
	if (fd < 0)
		return;
	while (done < size) {
		ssize_t n = write(fd, raw + done, size - done);

		if (n <= 0) {
			close(fd);
			return;
		}
		done += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (try_candidate(f, fl, path))
		fl->image_fd = fd;
	else
		close(fd);
}

/*
 * The binary from a debuginfod server (DEBUGINFOD_URLS), found by build-id
 * through libdwfl's own lookup in a Dwfl of its own, so that it is used
 * like a local file: reported with the load bias its program headers give
 * (start - pgoff is wrong for LLD's layouts), its code bytes read.  Tried
 * also when the recorded path holds another build.
 */
static void
by_debuginfod(struct finder *f, struct file *fl, const struct map *m)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	bool mismatch = fl->mismatch;
	Dwfl_Module *mod;
	GElf_Addr bias;
	Elf *elf;
	Dwfl *dwfl;

	if (!urls || !*urls || !fl->bid_len || m->end <= m->start || make_callbacks(f))
		return;
	dwfl = dwfl_begin(&f->callbacks);
	if (!dwfl)
		return;
	dwfl_report_begin(dwfl);
	mod = dwfl_report_module(dwfl, m->path, m->start - m->pgoff, m->end);
	if (mod && dwfl_module_report_build_id(mod, fl->bid, fl->bid_len, 0) == 0) {
		set_userdata(mod, f);
		dwfl_report_end(dwfl, NULL, NULL);
		elf = dwfl_module_getelf(mod, &bias);
		if (elf)
			use_image(f, fl, elf);
		screc_debug("%s: by build-id %s: %s", m->path, fl->build_id_hex,
			    fl->found ? "found" : elf ? "unusable" : dwfl_errmsg(-1));
	}
	if (!fl->found)
		fl->mismatch = mismatch;
	dwfl_end(dwfl);
}

struct file *
find_file(struct finder *f, const struct map *m)
{
	size_t h = ((uintptr_t)m->path >> 4) % FILE_BUCKETS;
	struct file *fl;
	const char *ap;
	char buf[4096];
	bool vdso = false;

	if (!m->path)
		return NULL;
	for (fl = f->files[h]; fl; fl = fl->next)
		if (fl->path == m->path && fl->bid_len == m->build_id_len &&
		    memcmp(fl->bid, m->build_id, fl->bid_len) == 0)
			return fl;
	fl = calloc(1, sizeof(*fl));
	if (!fl)
		return NULL;
	fl->path = m->path;
	fl->build_id_hex = m->build_id_hex;
	fl->fd = -1;
	fl->image_fd = -1;
	fl->bid_len = m->build_id_len;
	memcpy(fl->bid, m->build_id, m->build_id_len);
	fl->next = f->files[h];
	f->files[h] = fl;
	if (f->last)
		f->last->order = fl;
	else
		f->first = fl;
	f->last = fl;
	/*
	 * A local file with the recorded build-id is the same file as the
	 * archived copy, with more in it (code bytes, all sections, its own debug
	 * files): use it when there is one, else the archive.
	 */
	if (map_is_file(m)) {
		if (f->opts.symfs) {
			snprintf(buf, sizeof(buf), "%s%s", f->opts.symfs, m->path);
			if (try_candidate(f, fl, buf))
				return fl;
		}
		if (try_candidate(f, fl, m->path))
			return fl;
	}
	ap = find_archived_path(f, m->build_id, m->build_id_len, &vdso);
	if (ap) {
		use_archived(fl, ap, vdso);
		return fl;
	}
	by_build_id(f, fl);
	if (!fl->found && map_is_file(m))
		by_debuginfod(f, fl, m);
	return fl;
}

void
find_status(struct finder *f, const struct map *m, struct find_status *st)
{
	struct file *fl = find_file(f, m);

	st->found = fl ? fl->found : NULL;
	st->mismatch = fl && !fl->found && fl->mismatch;
	st->archived = fl && fl->archived;
}

void
find_note_unnamed(struct finder *f, const struct map *m)
{
	struct file *fl = find_file(f, m);

	if (fl)
		fl->unnamed++;
}

void
find_each_unnamed(struct finder *f, void (*fn)(void *arg, const struct find_unnamed *u), void *arg)
{
	struct file *fl;

	for (fl = f->first; fl; fl = fl->order) {
		struct find_unnamed u = {
			.path = fl->path,
			.build_id_hex = fl->bid_len ? fl->build_id_hex : NULL,
			.frames = fl->unnamed,
			.found = fl->found != NULL,
			.mismatch = fl->mismatch,
			.archived = fl->archived,
		};

		if (fl->unnamed)
			fn(arg, &u);
	}
}

bool
find_map_bias(const struct file *fl, const struct map *m, uint64_t *bias)
{
	const bool exec = m->prot & PROT_EXEC;
	int pass;
	size_t i;

	/*
	 * The segment is the one the kernel mapped at pgoff: its offset rounded
	 * down to a page is pgoff (LLD packs segments so that several share a
	 * page), with the same execute permission; failing that, the one whose
	 * file range holds pgoff.
	 */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < fl->nr_loads; i++) {
			uint64_t off = fl->loads[i].off, page_off = off & ~0xfffull;
			bool x = fl->loads[i].flags & PF_X;
			bool hit = pass == 0 ? page_off == m->pgoff && x == exec :
					       m->pgoff >= page_off && m->pgoff < off + fl->loads[i].filesz;

			if (hit) {
				*bias = m->start - (fl->loads[i].vaddr - (off - m->pgoff));
				return true;
			}
		}
	return false;
}

/* Read from fd at off; returns bytes read (0 on error). */
static size_t
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	return n > 0 ? (size_t)n : 0;
}

/* addr in a read-only PT_LOAD of a file as maps executable code from: .rodata, say. */
static size_t
read_segment(struct finder *f, const struct aspace *as, uint64_t addr, void *buf, size_t len)
{
	const struct file *last = NULL;
	size_t i, k;

	for (i = 0; i < as->nr_maps; i++) {
		const struct map *m = &as->maps[i];
		struct file *fl;
		uint64_t bias, rel;

		if (!(m->prot & PROT_EXEC) || !map_is_file(m))
			continue;
		fl = find_file(f, m);
		if (!fl || fl == last || fl->fd < 0 || !find_map_bias(fl, m, &bias) || addr < bias)
			continue;
		last = fl;
		rel = addr - bias;
		for (k = 0; k < fl->nr_loads; k++) {
			uint64_t v = fl->loads[k].vaddr, sz = fl->loads[k].filesz;

			if ((fl->loads[k].flags & PF_W) || rel < v || rel - v >= sz)
				continue;
			if (len > sz - (rel - v))
				len = sz - (rel - v);
			return read_at(fl->fd, buf, len, fl->loads[k].off + (rel - v));
		}
	}
	return 0;
}

size_t
find_read(void *finder, const struct aspace *as, const struct map *m, uint64_t addr, void *buf,
	  size_t len)
{
	struct file *fl;

	if (!m)
		return read_segment(finder, as, addr, buf, len);
	fl = find_file(finder, m);
	if (!fl || fl->fd < 0 || len > m->end - addr)
		return 0;
	return read_at(fl->fd, buf, len, m->pgoff + (addr - m->start));
}

bool
find_stack_switcher(struct finder *f, const struct aspace *as, uint64_t pc)
{
	const struct map *m = aspace_find(as, pc);
	struct file *fl = m && m->path ? find_file(f, m) : NULL;
	uint64_t bias;
	size_t i;

	if (!fl || !fl->nr_switchers || !find_map_bias(fl, m, &bias))
		return false;
	for (i = 0; i < fl->nr_switchers; i++)
		if (pc - bias >= fl->switchers[i].lo && pc - bias < fl->switchers[i].hi)
			return true;
	return false;
}

static void
modules_free(void *data)
{
	struct modules *mods = data;

	if (!mods)
		return;
	if (mods->dwfl)
		dwfl_end(mods->dwfl);
	free(mods->entries);
	free(mods);
}

/*
 * The modules as's executable maps make, in address order, each file once
 * (its first map): the local file with its bias, or (path, build-id) for
 * libdwfl to find.  *nr gets their number; NULL without memory.
 */
static struct mod_entry *
plan_modules(struct finder *f, const struct aspace *as, size_t *nr)
{
	struct mod_entry *e = malloc((as->nr_maps ? as->nr_maps : 1) * sizeof(*e));
	size_t i, j, n = 0;

	if (!e)
		return NULL;
	for (i = 0; i < as->nr_maps; i++) {
		const struct map *m = &as->maps[i];
		struct file *fl;
		uint64_t bias = 0;
		bool dup = false;

		if (!(m->prot & PROT_EXEC) || !m->path || (!map_is_file(m) && !m->build_id_len))
			continue;
		for (j = 0; j < i; j++)
			if (as->maps[j].path == m->path && (as->maps[j].prot & PROT_EXEC))
				dup = true;
		if (dup)
			continue;
		fl = find_file(f, m);
		if (fl && !fl->found && m->build_id_len && map_is_file(m)) {
			/*
			 * Not here, or another build is: let libdwfl find it by
			 * build-id (debug dirs, debuginfod).
			 */
			e[n++] = (struct mod_entry){ m->path, NULL, m->start, m->end, m->pgoff, 0, NULL };
			continue;
		}
		if (!fl || !fl->found || !find_map_bias(fl, m, &bias))
			continue;
		e[n++] = (struct mod_entry){ m->path, fl->found, m->start, m->end, m->pgoff, bias, NULL };
	}
	*nr = n;
	return e;
}

static bool
same_entry(const struct mod_entry *a, const struct mod_entry *b)
{
	return a->path == b->path && a->found == b->found && a->start == b->start &&
	       a->end == b->end && a->pgoff == b->pgoff && a->bias == b->bias;
}

/* Report e (for as) to the Dwfl being reported, keeping its module in e->mod. */
static void
report_entry(struct finder *f, Dwfl *dwfl, const struct aspace *as, struct mod_entry *e)
{
	const struct map *m = aspace_find(as, e->start);

	if (!e->found) {
		e->mod = dwfl_report_module(dwfl, e->path, e->start - e->pgoff, e->end);
		if (e->mod && m)
			dwfl_module_report_build_id(e->mod, m->build_id, m->build_id_len, 0);
	} else {
		e->mod = dwfl_report_elf(dwfl, e->path, e->found, -1, e->bias, true);
		if (!e->mod)
			screc_debug("%s: %s", e->path, dwfl_errmsg(-1));
	}
	set_userdata(e->mod, f);
}

/*
 * Whether the modules of plan can be had by adding to mods's Dwfl: every
 * module it holds is still planned as it was, and the new ones lie clear of
 * every old one (a fresh Dwfl would then hold the same modules).
 */
static bool
plan_extends(const struct modules *mods, const struct mod_entry *plan, size_t nr)
{
	size_t i, j, k = 0;

	for (i = 0; i < mods->nr_entries; i++) {
		while (k < nr && !same_entry(&plan[k], &mods->entries[i]))
			k++;
		if (k == nr)
			return false;
		k++;
	}
	for (j = 0; j < nr; j++) {
		bool old = false;

		for (i = 0; i < mods->nr_entries && !old; i++)
			old = same_entry(&plan[j], &mods->entries[i]);
		if (old)
			continue;
		for (i = 0; i < mods->nr_entries; i++) {
			Dwarf_Addr lo, hi;

			if (!mods->entries[i].mod)
				continue;
			dwfl_module_info(mods->entries[i].mod, NULL, &lo, &hi, NULL, NULL, NULL, NULL);
			if (plan[j].end > lo && plan[j].start - plan[j].pgoff < hi)
				return false;
		}
	}
	return true;
}

/*
 * A change of the executable maps that only adds files (a program loading
 * its libraries, one at a time) adds their modules to the Dwfl it has:
 * a new Dwfl would read every file's CFI and DWARF again (libc's debug
 * file, decompressed whole by libdw, costs tens of ms each time).
 */
Dwfl *
find_dwfl(struct finder *f, struct aspace *as)
{
	struct modules *mods = as->ext[ASPACE_EXT_MODULES].data;
	struct mod_entry *plan;
	size_t i, j, nr = 0;

	if (mods && mods->version == as->version)
		return mods->dwfl;
	plan = make_callbacks(f) ? NULL : plan_modules(f, as, &nr);
	if (plan && mods && mods->dwfl && plan_extends(mods, plan, nr)) {
		dwfl_report_begin_add(mods->dwfl);
		for (i = 0, j = 0; i < nr; i++) {
			if (j < mods->nr_entries && same_entry(&plan[i], &mods->entries[j])) {
				plan[i].mod = mods->entries[j++].mod;
				continue;
			}
			report_entry(f, mods->dwfl, as, &plan[i]);
		}
		dwfl_report_end(mods->dwfl, NULL, NULL);
		free(mods->entries);
		mods->entries = plan;
		mods->nr_entries = nr;
		mods->version = as->version;
		return mods->dwfl;
	}
	mods = calloc(1, sizeof(*mods));
	aspace_ext_set(as, ASPACE_EXT_MODULES, mods, modules_free);
	if (!mods || !plan) {
		free(plan);
		return NULL;
	}
	mods->version = as->version;
	mods->serial = ++f->dwfl_serial;
	mods->entries = plan;
	mods->nr_entries = nr;
	mods->dwfl = dwfl_begin(&f->callbacks);
	if (!mods->dwfl)
		return NULL;
	dwfl_report_begin(mods->dwfl);
	for (i = 0; i < nr; i++)
		report_entry(f, mods->dwfl, as, &plan[i]);
	dwfl_report_end(mods->dwfl, NULL, NULL);
	return mods->dwfl;
}

uint64_t
find_dwfl_serial(const struct aspace *as)
{
	const struct modules *mods = as->ext[ASPACE_EXT_MODULES].data;

	return mods ? mods->serial : 0;
}

Dwfl_Module *
find_module(struct finder *f, struct aspace *as, uint64_t pc)
{
	Dwfl *dwfl = find_dwfl(f, as);

	return dwfl ? dwfl_addrmodule(dwfl, pc) : NULL;
}
