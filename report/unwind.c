// SPDX-License-Identifier: MIT
/*
 * The libdwfl unwinder, with our own Dwfl_Thread_Callbacks: initial
 * registers come from the sample, memory from the stack snapshot and, for
 * read-only file mappings, from the mapped files.  Where CFI runs out, a
 * frame-pointer step checked by capstone (the instruction before a return
 * address must be a call) lets the walk go on; the walk then restarts in
 * libdwfl from the recovered registers.
 *
 * Files are found once per (path, build-id) and never used when their
 * build-id differs from the recorded one.
 */
#include <capstone/capstone.h>
#include <dwarf.h>
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
#include "unwind.h"

/* perf register indices (x86_64) */
enum { P_AX, P_BX, P_CX, P_DX, P_SI, P_DI, P_BP, P_SP, P_IP, P_FLAGS, P_CS, P_SS,
       P_R8 = 16 };
/* DWARF register numbers (x86_64) */
enum { D_RBP = 6, D_RSP = 7, D_RIP = 16, D_NREGS = 17 };
/* DWARF number -> perf index */
static const int dwarf_to_perf[D_NREGS] = {
	P_AX, P_DX, P_CX, P_BX, P_SI, P_DI, P_BP, P_SP,
	P_R8, P_R8 + 1, P_R8 + 2, P_R8 + 3, P_R8 + 4, P_R8 + 5, P_R8 + 6, P_R8 + 7, P_IP,
};

#define MAX_PHDRS 16

/* A file found for a recorded (path, build-id). */
struct file {
	const char *path;		/* interned recorded path */
	uint8_t bid[20];
	uint8_t bid_len;
	const char *found;		/* interned path used, NULL if none */
	int fd;				/* a local file with the same build-id, for code bytes */
	bool mismatch;			/* a candidate existed with another build-id */
	bool archived;			/* found is the recording's archive copy */
	uint64_t unnamed;		/* frames left without a name */
	/* Functions that move execution to another stack (Go's systemstack, asmcgocall...). */
	struct { uint64_t lo, hi; } switchers[8];
	size_t nr_switchers;
	struct { uint64_t off, vaddr, filesz; uint32_t flags; } loads[MAX_PHDRS];
	size_t nr_loads;
	struct file *next;
};

static struct {
	struct lookup_opts opts;
	char *debuginfo_path;
	Dwfl_Callbacks callbacks;
	struct file *files[1024];
	struct archived { uint8_t bid[20]; uint8_t len; bool vdso; const char *path; } *archived;
	size_t nr_archived;
	csh cs;
	bool cs_ok;
	csh csd;		/* with instruction details, for prologues */
	bool csd_ok;
} g;

/* The state of one unwind call. */
struct ctx {
	struct aspace *as;
	uint32_t tid;
	const uint8_t *stack;
	uint64_t stack_lo, stack_len;
	uint64_t init[D_NREGS];
	uint32_t init_valid;		/* bit per DWARF register */
	bool truncated;
	bool full;			/* the snapshot is as large as asked: the stack may go on */
	bool switched;			/* the walk reached a stack-switching function */
	size_t failed_at;		/* res->nr when a read outside the snapshot failed, +1 */
	uint64_t needed;
	struct unwind_result *res;
	bool restart;			/* this pass starts from a recovered frame */
	bool restart_first;		/* frame_cb is at that recovered frame */
	uint64_t last_pc, last_sp, last_bp;
	bool last_sp_ok, last_bp_ok, last_signal, last_cfi;
	bool last_exact;		/* last_pc is where the frame stopped, not a return address - 1 */
	size_t pass_frames;
};

/* What the CFI says of a pc, cached: most stacks repeat the same few pcs. */
#define CFI_CACHE 1024
struct cfi_slot {
	uint64_t pc;
	uint8_t known, cfi, signal;
};

/*
 * The unwind rule of a pc when it is one of the common simple ones (CFA =
 * rsp or rbp + offset, return address and rbp saved at CFA + offset or rbp
 * unchanged), cached per pc: most samples repeat the same stacks, and these
 * rules let the fast path walk them without libdwfl's general machinery.
 */
enum rule_kind { RULE_UNKNOWN, RULE_SIMPLE, RULE_END, RULE_OTHER };

struct rule {
	uint64_t pc;
	uint8_t kind;			/* enum rule_kind */
	uint8_t cfa_reg;		/* D_RSP or D_RBP */
	uint8_t bp_saved;		/* rbp restored from CFA + bp_off, else unchanged */
	int32_t cfa_off, ra_off, bp_off;
};

#define RULE_CACHE 4096

struct uw_space {
	Dwfl *dwfl;
	uint64_t version;
	bool attached;
	struct ctx *ctx;		/* the current call's context */
	struct cfi_slot cfi[CFI_CACHE];
	struct rule rules[RULE_CACHE];
};

int
unwind_init(const struct lookup_opts *opts)
{
	size_t len;

	if (opts)
		g.opts = *opts;
	len = 64 + (g.opts.debug_dirs ? strlen(g.opts.debug_dirs) : 0) +
	      (g.opts.symfs ? 2 * strlen(g.opts.symfs) + 64 : 0) +
	      (g.opts.archive_dir ? strlen(g.opts.archive_dir) : 0);
	g.debuginfo_path = malloc(len);
	if (!g.debuginfo_path)
		return -ENOMEM;
	/* "-" first: do not check CRCs of debuglink files (build-ids decide). */
	snprintf(g.debuginfo_path, len, "-%s%s:.debug:/usr/lib/debug%s%s%s%s%s",
		 g.opts.archive_dir ? ":" : "", g.opts.archive_dir ? g.opts.archive_dir : "",
		 g.opts.debug_dirs ? ":" : "", g.opts.debug_dirs ? g.opts.debug_dirs : "",
		 g.opts.symfs ? ":" : "", g.opts.symfs ? g.opts.symfs : "",
		 g.opts.symfs ? "/usr/lib/debug" : "");
	g.callbacks.find_elf = dwfl_build_id_find_elf;
	g.callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	g.callbacks.section_address = dwfl_offline_section_address;
	g.callbacks.debuginfo_path = &g.debuginfo_path;
	g.cs_ok = cs_open(CS_ARCH_X86, CS_MODE_64, &g.cs) == CS_ERR_OK;
	g.csd_ok = cs_open(CS_ARCH_X86, CS_MODE_64, &g.csd) == CS_ERR_OK &&
		   cs_option(g.csd, CS_OPT_DETAIL, CS_OPT_ON) == CS_ERR_OK;
	return 0;
}

void
unwind_fini(void)
{
	size_t i;

	for (i = 0; i < sizeof(g.files) / sizeof(g.files[0]); i++) {
		struct file *f = g.files[i], *next;

		for (; f; f = next) {
			next = f->next;
			if (f->fd >= 0)
				close(f->fd);
			free(f);
		}
		g.files[i] = NULL;
	}
	free(g.archived);
	g.archived = NULL;
	g.nr_archived = 0;
	if (g.cs_ok)
		cs_close(&g.cs);
	if (g.csd_ok)
		cs_close(&g.csd);
	free(g.debuginfo_path);
	g.debuginfo_path = NULL;
}

/* Functions after which a stack continues on another stack that no snapshot holds. */
static const char *const stack_switchers[] = {
	"runtime.asmcgocall", "runtime.asmcgocall.abi0", "runtime.systemstack",
	"runtime.systemstack.abi0", "runtime.mcall", "runtime.mcall.abi0", "runtime.morestack",
	"runtime.morestack.abi0", "runtime.sigtramp", "runtime.sigtramp.abi0",
	"runtime.cgocallback", "runtime.cgocallback.abi0", NULL,
};

/* Note where f's stack-switching functions are, from its .symtab. */
static void
read_switchers(struct file *f, Elf *elf)
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
		for (i = 0; i < n && f->nr_switchers < 8; i++) {
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
					f->switchers[f->nr_switchers].lo = sym.st_value;
					f->switchers[f->nr_switchers].hi = sym.st_value + sym.st_size;
					f->nr_switchers++;
				}
		}
	}
}

/* Read the PT_LOAD headers of the open file f. */
static void
read_loads(struct file *f)
{
	Elf *elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	size_t n, i;

	if (!elf)
		return;
	read_switchers(f, elf);
	if (elf_getphdrnum(elf, &n) == 0) {
		for (i = 0; i < n && f->nr_loads < MAX_PHDRS; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
				f->loads[f->nr_loads].off = ph.p_offset;
				f->loads[f->nr_loads].vaddr = ph.p_vaddr;
				f->loads[f->nr_loads].filesz = ph.p_filesz;
				f->loads[f->nr_loads].flags = ph.p_flags;
				f->nr_loads++;
			}
		}
	}
	elf_end(elf);
}

static bool
try_candidate(struct file *f, const char *cand)
{
	uint8_t id[20];
	size_t len;
	struct stat st;

	if (stat(cand, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (f->bid_len) {
		if (screc_read_build_id(cand, id, &len) != 0 || len != f->bid_len ||
		    memcmp(id, f->bid, len) != 0) {
			f->mismatch = true;
			return false;
		}
	}
	f->fd = open(cand, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return false;
	f->mismatch = false;
	f->found = intern(cand);
	read_loads(f);
	return true;
}

void
unwind_add_archived(const uint8_t *bid, size_t len, const char *path, bool vdso)
{
	struct archived *n = realloc(g.archived, (g.nr_archived + 1) * sizeof(*n));

	if (!n || len > 20)
		return;
	g.archived = n;
	memcpy(n[g.nr_archived].bid, bid, len);
	n[g.nr_archived].len = (uint8_t)len;
	n[g.nr_archived].vdso = vdso;
	n[g.nr_archived].path = intern(path);
	g.nr_archived++;
}

/* The archived copy for a build-id, or NULL. */
static const char *
archived_path(const struct map *m)
{
	size_t i;

	for (i = 0; i < g.nr_archived; i++)
		if (m->build_id_len && g.archived[i].len == m->build_id_len &&
		    memcmp(g.archived[i].bid, m->build_id, m->build_id_len) == 0)
			return g.archived[i].path;
	return NULL;
}

/* Open an archived copy for its program headers (never for code bytes). */
static void
use_archived(struct file *f, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	f->archived = true;
	f->mismatch = false;
	f->found = path;
	f->fd = fd;
	read_loads(f);
	close(fd);
	f->fd = -1;
}

/*
 * The binary itself under a debug directory's .build-id tree
 * (DIR/.build-id/xx/rest, as debuginfod clients and some distributions lay
 * them out), for --debug-dir and /usr/lib/debug.
 */
static void
by_build_id(struct file *f)
{
	char hex[41], buf[4096];
	const char *dirs = g.opts.debug_dirs;

	if (f->bid_len < 2)
		return;
	screc_hex(f->bid, f->bid_len, hex);
	while (dirs && *dirs) {
		const char *end = strchr(dirs, ':');
		int n = end ? (int)(end - dirs) : (int)strlen(dirs);

		if (snprintf(buf, sizeof(buf), "%.*s/.build-id/%.2s/%s", n, dirs, hex, hex + 2) <
			    (int)sizeof(buf) && try_candidate(f, buf))
			return;
		dirs = end ? end + 1 : NULL;
	}
	snprintf(buf, sizeof(buf), "/usr/lib/debug/.build-id/%.2s/%s", hex, hex + 2);
	try_candidate(f, buf);
}

/* The file for a map, found once. */
static struct file *
file_for(const struct map *m)
{
	size_t h = ((uintptr_t)m->path >> 4) % (sizeof(g.files) / sizeof(g.files[0]));
	struct file *f;
	const char *ap;
	char buf[4096];

	for (f = g.files[h]; f; f = f->next)
		if (f->path == m->path && f->bid_len == m->build_id_len &&
		    memcmp(f->bid, m->build_id, f->bid_len) == 0)
			return f;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->path = m->path;
	f->fd = -1;
	f->bid_len = m->build_id_len;
	memcpy(f->bid, m->build_id, m->build_id_len);
	f->next = g.files[h];
	g.files[h] = f;
	/*
	 * A local file with the recorded build-id is the same file as the
	 * archived copy, with more in it (code bytes, all sections, its own debug
	 * files): use it when there is one, else the archive.
	 */
	if (m->path[0] == '/') {
		if (g.opts.symfs) {
			snprintf(buf, sizeof(buf), "%s%s", g.opts.symfs, m->path);
			if (try_candidate(f, buf))
				return f;
		}
		if (try_candidate(f, m->path))
			return f;
	}
	ap = archived_path(m);
	if (ap) {
		use_archived(f, ap);
		return f;
	}
	by_build_id(f);
	return f;
}

void
unwind_note_unnamed(const struct map *m)
{
	struct file *f = m->path ? file_for(m) : NULL;

	if (f)
		f->unnamed++;
}

void
unwind_print_missing(FILE *out, const char *recording)
{
	size_t i;
	bool header = false;

	for (i = 0; i < sizeof(g.files) / sizeof(g.files[0]); i++) {
		struct file *f;

		for (f = g.files[i]; f; f = f->next) {
			char hex[41] = "(none)";
			const char *fix;

			if (!f->unnamed)
				continue;
			if (!header) {
				fprintf(out, "screc: frames left unnamed, by binary:\n");
				header = true;
			}
			if (f->bid_len)
				screc_hex(f->bid, f->bid_len, hex);
			if (f->archived)
				fix = "archived without symbols: archive with --level symbols or full";
			else if (f->mismatch)
				fix = "the file here is another build: run 'screc archive' on the "
				      "recording host, or pass its files with --symfs DIR";
			else if (!f->found && f->path[0] != '/')
				fix = "not a file (JIT or anonymous code)";
			else if (!f->found)
				fix = "missing here: run 'screc archive' on the recording host, or "
				      "pass its files with --symfs DIR";
			else if (strncmp(f->path, "/usr/", 5) == 0 || strncmp(f->path, "/lib", 4) == 0)
				fix = "no symbols: install its debug package (the -dbg/-dbgsym of "
				      "'dpkg -S' of the path) or set DEBUGINFOD_URLS";
			else
				fix = "no symbols: pass its debug file with --debug-dir DIR, or "
				      "record with --archive=full";
			fprintf(out, "  %s  %s  %llu frames  %s\n", hex, f->path,
				(unsigned long long)f->unnamed, fix);
		}
	}
	(void)recording;
}

const char *
unwind_file_found(const struct map *m, bool *mismatch, bool *archived)
{
	struct file *f = m->path ? file_for(m) : NULL;

	*mismatch = f && !f->found && f->mismatch;
	*archived = f && f->archived;
	return f ? f->found : NULL;
}

bool
unwind_build_id_mismatch(const struct map *m)
{
	struct file *f = m->path ? file_for(m) : NULL;

	return f && !f->found && f->mismatch;
}

/*
 * The load bias of map m in file f: address - (ELF vaddr).  The segment is
 * the one the kernel mapped at pgoff: its offset rounded down to a page is
 * pgoff (LLD packs segments so that several share a page), with the same
 * execute permission; failing that, the one whose file range holds pgoff.
 */
static bool
map_bias(const struct file *f, const struct map *m, uint64_t *bias)
{
	const bool exec = m->prot & PROT_EXEC;
	int pass;
	size_t i;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < f->nr_loads; i++) {
			uint64_t off = f->loads[i].off, page_off = off & ~0xfffull;
			bool x = f->loads[i].flags & PF_X;
			bool hit = pass == 0 ? page_off == m->pgoff && x == exec :
					       m->pgoff >= page_off && m->pgoff < off + f->loads[i].filesz;

			if (hit) {
				*bias = m->start - (f->loads[i].vaddr - (off - m->pgoff));
				return true;
			}
		}
	return false;
}

static void
space_free(struct uw_space *u)
{
	if (!u)
		return;
	if (u->dwfl)
		dwfl_end(u->dwfl);
	free(u);
}

void
unwind_free_space(struct aspace *as)
{
	space_free(as->unwind);
	as->unwind = NULL;
}

/* --- thread callbacks --- */

static pid_t
cb_next_thread(Dwfl *dwfl, void *dwfl_arg, void **thread_argp)
{
	(void)dwfl;
	(void)dwfl_arg;
	(void)thread_argp;
	return 0;	/* we only ever ask for one thread, through get_thread */
}

static bool
cb_get_thread(Dwfl *dwfl, pid_t tid, void *dwfl_arg, void **thread_argp)
{
	(void)dwfl;
	(void)tid;
	*thread_argp = dwfl_arg;
	return true;
}

/* Read 8 bytes at addr from a read-only file mapping. */
static bool
read_mapped(struct aspace *as, uint64_t addr, void *out, size_t len)
{
	const struct map *m = aspace_find(as, addr);
	struct file *f;

	if (!m || (m->prot & PROT_WRITE) || !m->path || len > m->end - addr)
		return false;
	f = file_for(m);
	if (!f || f->fd < 0)
		return false;
	return pread(f->fd, out, len, (off_t)(m->pgoff + (addr - m->start))) == (ssize_t)len;
}

static bool
read_word(struct ctx *c, uint64_t addr, uint64_t *val)
{
	if (addr >= c->stack_lo && addr - c->stack_lo <= c->stack_len &&
	    c->stack_len - (addr - c->stack_lo) >= 8) {
		memcpy(val, c->stack + (addr - c->stack_lo), 8);
		return true;
	}
	/* Just above a full snapshot, where the rest of the stack would be: truncation. */
	if (c->full && addr >= c->stack_lo + c->stack_len && addr - c->stack_lo < (64ull << 20)) {
		c->truncated = true;
		if (addr + 8 - c->stack_lo > c->needed)
			c->needed = addr + 8 - c->stack_lo;
		c->failed_at = c->res->nr + 1;
		return false;
	}
	if (read_mapped(c->as, addr, val, 8))
		return true;
	c->failed_at = c->res->nr + 1;
	return false;
}

/* Whether pc is inside a function that switches stacks. */
static bool
in_switcher(struct aspace *as, uint64_t pc)
{
	const struct map *m = aspace_find(as, pc);
	struct file *f = m && m->path ? file_for(m) : NULL;
	uint64_t bias;
	size_t i;

	if (!f || !f->nr_switchers || !map_bias(f, m, &bias))
		return false;
	for (i = 0; i < f->nr_switchers; i++)
		if (pc - bias >= f->switchers[i].lo && pc - bias < f->switchers[i].hi)
			return true;
	return false;
}

static bool
cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct uw_space *u = arg;

	(void)dwfl;
	return read_word(u->ctx, addr, result);
}

static bool
cb_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct uw_space *u = arg;
	struct ctx *c = u->ctx;
	int r;

	for (r = 0; r < D_RIP; r++)
		if (c->init_valid & (1u << r)) {
			Dwarf_Word w = c->init[r];

			if (!dwfl_thread_state_registers(thread, r, 1, &w))
				return false;
		}
	/*
	 * A restart begins at a recovered return address: give libdwfl the call
	 * instruction (ra - 1), as it does for every caller frame, so a call at
	 * the very end of a function finds that function's CFI.
	 */
	dwfl_thread_state_register_pc(thread, c->restart ? c->init[D_RIP] - 1 : c->init[D_RIP]);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = cb_next_thread,
	.get_thread = cb_get_thread,
	.memory_read = cb_memory_read,
	.set_initial_registers = cb_set_initial_registers,
};

/* Build (or reuse) the Dwfl of as; NULL if none could be made. */
static struct uw_space *
space_get(struct aspace *as)
{
	struct uw_space *u = as->unwind;
	size_t i;

	if (u && u->version == as->version)
		return u;
	space_free(u);
	as->unwind = u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->version = as->version;
	u->dwfl = dwfl_begin(&g.callbacks);
	if (!u->dwfl)
		return u;
	dwfl_report_begin(u->dwfl);
	for (i = 0; i < as->nr_maps; i++) {
		const struct map *m = &as->maps[i];
		struct file *f;
		uint64_t bias;
		size_t j;
		bool dup = false;

		if (!(m->prot & PROT_EXEC) || !m->path || (m->path[0] != '/' && !m->build_id_len))
			continue;
		for (j = 0; j < i; j++)
			if (as->maps[j].path == m->path && (as->maps[j].prot & PROT_EXEC))
				dup = true;
		if (dup)
			continue;
		f = file_for(m);
		if (f && !f->found && !f->mismatch && m->build_id_len && m->path[0] == '/') {
			/* Not here: let libdwfl find it by build-id (debug dirs, debuginfod). */
			Dwfl_Module *mod = dwfl_report_module(u->dwfl, m->path, m->start - m->pgoff,
							      m->end);

			if (mod)
				dwfl_module_report_build_id(mod, m->build_id, m->build_id_len, 0);
			continue;
		}
		if (!f || !f->found || !map_bias(f, m, &bias))
			continue;
		if (!dwfl_report_elf(u->dwfl, m->path, f->found, -1, bias, true))
			screc_debug("%s: %s", m->path, dwfl_errmsg(-1));
	}
	dwfl_report_end(u->dwfl, NULL, NULL);
	u->attached = dwfl_attach_state(u->dwfl, NULL, (pid_t)as->pid, &thread_callbacks, u);
	if (!u->attached)
		screc_debug("pid %u: cannot attach unwinder: %s", as->pid, dwfl_errmsg(-1));
	return u;
}

struct Dwfl_Module *
unwind_module(struct aspace *as, uint64_t pc)
{
	struct uw_space *u = space_get(as);

	return u && u->dwfl ? dwfl_addrmodule(u->dwfl, pc) : NULL;
}

/* Whether CFI covers pc (an exact address), and whether it is a signal frame. */
static bool
lookup_cfi(Dwfl *dwfl, uint64_t pc, bool *signal)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
	Dwarf_Addr bias;
	Dwarf_CFI *cfi;
	Dwarf_Frame *fr;
	int k;

	*signal = false;
	if (!mod)
		return false;
	for (k = 0; k < 2; k++) {
		cfi = k == 0 ? dwfl_module_eh_cfi(mod, &bias) : dwfl_module_dwarf_cfi(mod, &bias);
		if (cfi && dwarf_cfi_addrframe(cfi, pc - bias, &fr) == 0) {
			Dwarf_Addr start, end;
			bool sig;

			if (dwarf_frame_info(fr, &start, &end, &sig) >= 0)
				*signal = sig;
			free(fr);
			return true;
		}
	}
	return false;
}

static bool
has_cfi(struct uw_space *u, uint64_t pc, bool *signal)
{
	struct cfi_slot *c = &u->cfi[(pc ^ (pc >> 12)) % CFI_CACHE];

	if (!c->known || c->pc != pc) {
		bool sig;

		c->cfi = lookup_cfi(u->dwfl, pc, &sig);
		c->signal = sig;
		c->pc = pc;
		c->known = 1;
	}
	*signal = c->signal;
	return c->cfi;
}

/* Is the instruction just before ra a call?  Checked in the mapped file's bytes. */
static bool
after_call(struct aspace *as, uint64_t ra)
{
	uint8_t code[16];
	static const size_t lens[] = { 5, 6, 2, 3, 7, 4 };
	size_t i;

	if (!g.cs_ok || ra < 8 || !read_mapped(as, ra - 8, code, 8)) {
		const struct map *m = aspace_find(as, ra);

		/* Unreadable code: accept only addresses in executable mappings. */
		return m && (m->prot & PROT_EXEC);
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		cs_insn *insn;
		size_t n = cs_disasm(g.cs, code + 8 - lens[i], lens[i], ra - lens[i], 1, &insn);
		bool ok = false;

		if (n == 1) {
			ok = insn[0].size == lens[i] && insn[0].id == X86_INS_CALL;
			cs_free(insn, n);
		}
		if (ok)
			return true;
	}
	return false;
}

static int
frame_cb(Dwfl_Frame *state, void *arg)
{
	struct uw_space *u = arg;
	struct ctx *c = u->ctx;
	struct unwind_result *res = c->res;
	Dwarf_Addr pc;
	bool act, sig = false;
	Dwarf_Word w;
	enum frame_method method;

	if (!dwfl_frame_pc(state, &pc, &act))
		return DWARF_CB_ABORT;
	c->restart_first = false;
	if (c->pass_frames == 0) {
		method = FRAME_INITIAL;
		if (c->restart) {
			/* The recovered frame was added by the fallback already (dwfl has ra - 1). */
			c->pass_frames++;
			c->restart_first = true;
			pc += 1;
			goto regs;
		}
	} else if (c->last_signal) {
		method = FRAME_SIGNAL;
	} else {
		method = c->last_cfi ? FRAME_CFI : FRAME_FP;
		if (method == FRAME_FP && !after_call(c->as, pc))
			return DWARF_CB_ABORT;	/* frame pointer led nowhere believable */
	}
	if (res->nr == UNWIND_MAX_FRAMES) {
		c->truncated = true;
		return DWARF_CB_ABORT;
	}
	res->frames[res->nr++] = (struct raw_frame){ pc, method, act };
	c->pass_frames++;
	if (res->nr > 1 && in_switcher(c->as, act ? pc : pc - 1)) {
		/* Its caller runs on another stack (a goroutine's, from g0): not recorded. */
		c->switched = true;
		return DWARF_CB_ABORT;
	}
regs:
	/* A return address is looked up one byte back, inside the call. */
	c->last_exact = act && !c->restart_first;
	c->last_pc = c->last_exact ? pc : pc - 1;
	c->last_cfi = has_cfi(u, c->last_pc, &sig);
	c->last_signal = sig;
	c->last_sp_ok = dwfl_frame_reg(state, D_RSP, &w) == 0;
	c->last_sp = w;
	c->last_bp_ok = dwfl_frame_reg(state, D_RBP, &w) == 0;
	c->last_bp = w;
	return DWARF_CB_OK;
}

/* One frame-pointer step from the last frame; true when c->init holds the caller. */
static bool
fp_step(struct ctx *c)
{
	uint64_t bp = c->last_bp, ra, next_bp;

	if (!c->last_bp_ok || bp < c->stack_lo || (c->last_sp_ok && bp < c->last_sp))
		return false;
	if (!read_word(c, bp + 8, &ra) || !read_word(c, bp, &next_bp))
		return false;
	if (!ra || !after_call(c->as, ra))
		return false;
	memset(c->init, 0, sizeof(c->init));
	c->init[D_RIP] = ra;
	c->init[D_RSP] = bp + 16;
	c->init[D_RBP] = next_bp;
	c->init_valid = (1u << D_RSP) | (1u << D_RBP);
	return true;
}

/*
 * Where no CFI covers a function and it keeps no frame pointer, decode its
 * code from the symbol's start to pc and add up what it pushed and
 * subtracted from rsp: the return address sits just above that.  True when
 * c->init holds the caller.
 */
static bool
prologue_step(struct uw_space *u, struct ctx *c)
{
	uint64_t pc = c->last_pc, start, height = 0, bp_slot = 0, ra, nbp;
	uint8_t code[4096];
	Dwfl_Module *mod;
	GElf_Off off;
	GElf_Sym sym;
	cs_insn *insn;
	size_t n, i, len;
	bool ok = true;

	if (!g.csd_ok || !c->last_sp_ok)
		return false;
	mod = dwfl_addrmodule(u->dwfl, pc);
	if (!mod || !dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL))
		return false;
	start = pc - off;
	len = off + 1;	/* through the instruction at pc (a call, for a caller's frame) */
	if (len > sizeof(code) || !read_mapped(c->as, start, code, len))
		return false;
	n = cs_disasm(g.csd, code, len, start, 0, &insn);
	for (i = 0; i < n && ok && insn[i].address <= pc; i++) {
		const cs_x86 *x = &insn[i].detail->x86;
		bool to_rsp = x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
			      x->operands[0].reg == X86_REG_RSP;
		int64_t imm = x->op_count == 2 && x->operands[1].type == X86_OP_IMM ?
			      x->operands[1].imm : 0;

		/*
		 * Only what has run counts: for the interrupted frame, what lies
		 * before pc; for a caller (pc is one byte into its call), the call too.
		 */
		if (c->last_exact ? insn[i].address >= pc : insn[i].address + insn[i].size > pc + 1)
			break;
		switch (insn[i].id) {
		case X86_INS_PUSH:
			height += 8;
			if (x->op_count == 1 && x->operands[0].type == X86_OP_REG &&
			    x->operands[0].reg == X86_REG_RBP)
				bp_slot = height;
			break;
		case X86_INS_POP:
			height -= 8;
			break;
		case X86_INS_SUB:
			if (to_rsp && x->operands[1].type == X86_OP_IMM)
				height += (uint64_t)imm;
			else if (to_rsp)
				ok = false;
			break;
		case X86_INS_ADD:
			if (to_rsp && x->operands[1].type == X86_OP_IMM)
				height -= (uint64_t)imm;
			else if (to_rsp)
				ok = false;
			break;
		case X86_INS_MOV:
			/* mov rbp, rsp: a frame pointer after all; let fp_step do it. */
			if (x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
			    x->operands[0].reg == X86_REG_RBP && x->operands[1].type == X86_OP_REG &&
			    x->operands[1].reg == X86_REG_RSP)
				ok = false;
			else if (to_rsp)
				ok = false;
			break;
		case X86_INS_AND:
		case X86_INS_LEAVE:
		case X86_INS_RET:
		case X86_INS_JMP:
			if (insn[i].id != X86_INS_JMP || to_rsp)
				ok = false;
			break;
		default:
			if (to_rsp)
				ok = false;
			break;
		}
	}
	if (n)
		cs_free(insn, n);
	if (!ok || height > (1u << 20))
		return false;
	if (!read_word(c, c->last_sp + height, &ra) || !ra || !after_call(c->as, ra))
		return false;
	memset(c->init, 0, sizeof(c->init));
	c->init[D_RIP] = ra;
	c->init[D_RSP] = c->last_sp + height + 8;
	c->init_valid = 1u << D_RSP;
	if (bp_slot && read_word(c, c->last_sp + height - bp_slot, &nbp)) {
		c->init[D_RBP] = nbp;
		c->init_valid |= 1u << D_RBP;
	} else if (!bp_slot && c->last_bp_ok) {
		c->init[D_RBP] = c->last_bp;
		c->init_valid |= 1u << D_RBP;
	}
	return true;
}

/* CFA + offset from a register rule's expression, as libdw spells them. */
static bool
cfa_offset_rule(const Dwarf_Op *ops, size_t nops, int32_t *off)
{
	if (nops == 0 || ops[0].atom != DW_OP_call_frame_cfa)
		return false;
	if (nops == 1) {
		*off = 0;
		return true;
	}
	if (nops == 2 && ops[1].atom == DW_OP_plus_uconst && ops[1].number < (1u << 20)) {
		*off = (int32_t)ops[1].number;
		return true;
	}
	if (nops == 3 && (ops[1].atom == DW_OP_consts || ops[1].atom == DW_OP_constu ||
			  (ops[1].atom >= DW_OP_lit0 && ops[1].atom <= DW_OP_lit31)) &&
	    (ops[2].atom == DW_OP_plus || ops[2].atom == DW_OP_minus)) {
		int64_t v = ops[1].atom >= DW_OP_lit0 && ops[1].atom <= DW_OP_lit31 ?
				    ops[1].atom - DW_OP_lit0 : (int64_t)ops[1].number;

		if (v < -(1 << 20) || v > (1 << 20))
			return false;

		*off = (int32_t)(ops[2].atom == DW_OP_plus ? v : -v);
		return true;
	}
	return false;
}

/* Work out the rule of pc (a lookup address) from its module's CFI. */
static void
make_rule(struct uw_space *u, uint64_t pc, struct rule *r)
{
	Dwfl_Module *mod = dwfl_addrmodule(u->dwfl, pc);
	Dwarf_Op ops_mem[3], *ops;
	Dwarf_Frame *fr = NULL;
	Dwarf_CFI *cfi;
	Dwarf_Addr bias;
	size_t nops;
	int64_t off;
	bool sig;
	int k;

	r->pc = pc;
	r->kind = RULE_OTHER;
	if (!mod)
		return;
	for (k = 0; k < 2 && !fr; k++) {
		cfi = k == 0 ? dwfl_module_eh_cfi(mod, &bias) : dwfl_module_dwarf_cfi(mod, &bias);
		if (cfi && dwarf_cfi_addrframe(cfi, pc - bias, &fr) != 0)
			fr = NULL;
	}
	if (!fr)
		return;
	if (dwarf_frame_info(fr, NULL, NULL, &sig) < 0 || sig)
		goto out;
	/* The return address: undefined ends the stack (_start, thread starts). */
	if (dwarf_frame_register(fr, D_RIP, ops_mem, &ops, &nops) != 0)
		goto out;
	if (nops == 0 && ops == ops_mem) {
		r->kind = RULE_END;
		goto out;
	}
	if (!cfa_offset_rule(ops, nops, &r->ra_off))
		goto out;
	if (dwarf_frame_cfa(fr, &ops, &nops) != 0 || nops != 1)
		goto out;
	if (ops[0].atom == DW_OP_breg0 + D_RSP || ops[0].atom == DW_OP_breg0 + D_RBP) {
		r->cfa_reg = (uint8_t)(ops[0].atom - DW_OP_breg0);
		off = (int64_t)ops[0].number;
	} else if (ops[0].atom == DW_OP_bregx && (ops[0].number == D_RSP || ops[0].number == D_RBP)) {
		r->cfa_reg = (uint8_t)ops[0].number;
		off = (int64_t)ops[0].number2;
	} else {
		goto out;
	}
	/* Odd offsets are libdwfl's business, so both paths always agree. */
	if (off < -(1 << 20) || off > (1 << 20))
		goto out;
	r->cfa_off = (int32_t)off;
	if (dwarf_frame_register(fr, D_RBP, ops_mem, &ops, &nops) != 0)
		goto out;
	if (nops == 0 && ops == NULL) {
		r->bp_saved = 0;		/* same value */
	} else if (cfa_offset_rule(ops, nops, &r->bp_off)) {
		r->bp_saved = 1;
	} else {
		goto out;			/* undefined, or computed: let libdwfl do it */
	}
	r->kind = RULE_SIMPLE;
out:
	free(fr);
}

static const struct rule *
rule_for(struct uw_space *u, uint64_t pc)
{
	struct rule *r = &u->rules[(pc ^ (pc >> 13)) % RULE_CACHE];

	if (r->kind == RULE_UNKNOWN || r->pc != pc)
		make_rule(u, pc, r);
	return r;
}

/*
 * The fast path: walk the stack with cached simple rules only.  True when it
 * reached the end (res holds every frame); false when some frame needs more
 * (libdwfl, fallbacks, truncation or switch diagnosis): res is then reset.
 */
static bool
fast_unwind(struct uw_space *u, struct ctx *c, struct unwind_result *res)
{
	uint64_t pc = c->init[D_RIP], sp = c->init[D_RSP], bp = c->init[D_RBP];
	bool bp_ok = c->init_valid & (1u << D_RBP), first = true;

	if (!(c->init_valid & (1u << D_RSP)))
		return false;
	res->frames[res->nr++] = (struct raw_frame){ pc, FRAME_INITIAL, true };
	for (;;) {
		const struct rule *r = rule_for(u, first ? pc : pc - 1);
		uint64_t cfa, ra;

		first = false;
		if (r->kind == RULE_END) {
			res->end = STACK_COMPLETE;
			return true;
		}
		if (r->kind != RULE_SIMPLE || (r->cfa_reg == D_RBP && !bp_ok) ||
		    res->nr == UNWIND_MAX_FRAMES)
			break;
		cfa = (r->cfa_reg == D_RSP ? sp : bp) + (int64_t)r->cfa_off;
		if (!read_word(c, cfa + (int64_t)r->ra_off, &ra) || ra == 0)
			break;
		if (r->bp_saved && !read_word(c, cfa + (int64_t)r->bp_off, &bp))
			break;
		if (cfa <= sp)
			break;	/* no progress */
		sp = cfa;
		pc = ra;
		res->frames[res->nr++] = (struct raw_frame){ pc, FRAME_CFI, false };
		if (in_switcher(c->as, pc - 1)) {
			res->end = STACK_SWITCH;
			return true;
		}
	}
	res->nr = 0;
	c->truncated = false;
	c->needed = 0;
	c->failed_at = 0;
	return false;
}

void
unwind_sample(struct aspace *as, const struct screc_sample *s, struct unwind_result *res)
{
	struct uw_space *u;
	struct ctx c = { 0 };
	enum frame_method method;
	uint64_t v;
	int r, passes;

	res->nr = 0;
	res->needed_stack = 0;
	res->end = STACK_BROKEN;
	if (screc_sample_reg(s, P_IP, &v) != 0)
		return;
	c.as = as;
	c.tid = s->tid;
	c.res = res;
	c.stack = s->stack;
	c.stack_len = s->stack ? s->stack_size : 0;
	for (r = 0; r < D_NREGS; r++)
		if (screc_sample_reg(s, (unsigned)dwarf_to_perf[r], &c.init[r]) == 0)
			c.init_valid |= 1u << r;
	c.stack_lo = c.init[D_RSP];
	c.full = s->attr && s->attr->sample_stack_user &&
		 s->stack_size >= s->attr->sample_stack_user;

	u = as ? space_get(as) : NULL;
	if (!u || !u->attached) {
		/* No modules at all: the sample's own pc is all we know. */
		res->frames[res->nr++] = (struct raw_frame){ c.init[D_RIP], FRAME_INITIAL, true };
		return;
	}
	if (fast_unwind(u, &c, res))
		return;
	u->ctx = &c;
	for (passes = 0; passes < UNWIND_MAX_FRAMES; passes++) {
		c.pass_frames = 0;
		c.last_signal = false;
		c.failed_at = 0;
		r = dwfl_getthread_frames(u->dwfl, (pid_t)s->tid, frame_cb, u);
		if (screc_verbose)
			screc_debug("unwind pass: r=%d frames=%zu failed_at=%zu truncated=%d: %s", r, res->nr, c.failed_at, c.truncated, r ? dwfl_errmsg(-1) : "end");
		if (c.switched) {
			res->end = STACK_SWITCH;
			break;
		}
		/*
		 * libdwfl ends a walk quietly when the return address cannot be read,
		 * as for one that is undefined: complete only if no read failed while
		 * unwinding the last two frames (it reads one frame ahead).
		 */
		if (r == 0 && c.failed_at < res->nr) {
			res->end = STACK_COMPLETE;
			break;
		}
		if (r == 0 && !c.truncated) {
			res->end = STACK_SWITCH;	/* the caller's stack is elsewhere */
			break;
		}
		if (c.truncated) {
			res->end = STACK_TRUNCATED;
			break;
		}
		if (res->nr >= UNWIND_MAX_FRAMES)
			break;
		if (prologue_step(u, &c)) {
			method = FRAME_PROLOGUE;
		} else if (fp_step(&c)) {
			method = FRAME_FP;
		} else {
			if (c.truncated)
				res->end = STACK_TRUNCATED;
			break;
		}
		if (res->nr > 0 && res->frames[res->nr - 1].pc == c.init[D_RIP])
			break;	/* no progress */
		res->frames[res->nr++] = (struct raw_frame){ c.init[D_RIP], method, false };
		if (in_switcher(as, c.init[D_RIP] - 1)) {
			res->end = STACK_SWITCH;
			break;
		}
		c.restart = true;
	}
	if (c.truncated && res->end != STACK_COMPLETE)
		res->end = STACK_TRUNCATED;
	res->needed_stack = c.needed;
	u->ctx = NULL;
}
