// SPDX-License-Identifier: MIT
/*
 * Instruction checks with capstone: a return address is believable only
 * when the instruction before it is a call.  The code bytes come from the
 * local copy of the mapped file (aspace_read), never from the snapshot.
 *
 * libcapstone is not linked: relocating it cost every report 15-20 ms at
 * start-up, and only the fallbacks after CFI use it.  It is loaded here the
 * first time one of them needs it, once per process, and its handles are
 * opened per unwinder.  Where it cannot be loaded, the report says so once;
 * prologue analysis and the stack scan then find nothing, frame pointers
 * are followed without the call check (as for code no file holds), and
 * unwinding with CFI goes on as before.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>

#include "common/log.h"
#include "unwind-internal.h"

/* The library's name and the package that has it, from meson's dependency. */
#ifndef SCREC_CAPSTONE_SONAME
#define SCREC_CAPSTONE_SONAME "libcapstone.so.4"
#endif
#ifndef SCREC_CAPSTONE_PACKAGE
#define SCREC_CAPSTONE_PACKAGE "libcapstone4"
#endif

static struct cs_lib cs_lib;
static bool cs_loaded;
static pthread_once_t cs_once = PTHREAD_ONCE_INIT;

static void
cs_load(void)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
		{ "cs_open", offsetof(struct cs_lib, open) },
		{ "cs_option", offsetof(struct cs_lib, option) },
		{ "cs_disasm", offsetof(struct cs_lib, disasm) },
		{ "cs_disasm_iter", offsetof(struct cs_lib, disasm_iter) },
		{ "cs_malloc", offsetof(struct cs_lib, malloc) },
		{ "cs_free", offsetof(struct cs_lib, free) },
		{ "cs_close", offsetof(struct cs_lib, close) },
	};
	void *h = dlopen(SCREC_CAPSTONE_SONAME, RTLD_LAZY | RTLD_LOCAL);
	size_t i;

	if (!h) {
		screc_err("%s: cannot load it (%s): frames without CFI are found by frame "
			  "pointers only, unchecked; install %s to unwind them",
			  SCREC_CAPSTONE_SONAME, dlerror(), SCREC_CAPSTONE_PACKAGE);
		return;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		/* POSIX lets a function pointer hold what dlsym returns, stored through a void *. */
		void **slot = (void **)((char *)&cs_lib + syms[i].off);

		*slot = dlsym(h, syms[i].name);
		if (!*slot) {
			screc_err("%s: it has no %s: frames without CFI are found by frame "
				  "pointers only, unchecked; install %s to unwind them",
				  SCREC_CAPSTONE_SONAME, syms[i].name, SCREC_CAPSTONE_PACKAGE);
			dlclose(h);
			return;
		}
	}
	cs_loaded = true;
}

const struct cs_lib *
unwind_cs(struct unwinder *uw, bool detail, csh *h)
{
	uint8_t *state = detail ? &uw->csd_state : &uw->cs_state;
	csh *handle = detail ? &uw->csd : &uw->cs;

	if (*state == CS_UNTRIED) {
		*state = CS_FAILED;
		pthread_once(&cs_once, cs_load);
		if (cs_loaded && cs_lib.open(CS_ARCH_X86, CS_MODE_64, handle) == CS_ERR_OK) {
			if (!detail ||
			    cs_lib.option(*handle, CS_OPT_DETAIL, CS_OPT_ON) == CS_ERR_OK)
				*state = CS_OPEN;
			else
				cs_lib.close(handle);
		}
	}
	if (*state != CS_OPEN)
		return NULL;
	*h = *handle;
	return &cs_lib;
}

void
unwind_cs_close(struct unwinder *uw)
{
	if (uw->cs_state == CS_OPEN)
		cs_lib.close(&uw->cs);
	if (uw->csd_state == CS_OPEN)
		cs_lib.close(&uw->csd);
}

bool
unwind_after_call(struct unwind_ctx *c, uint64_t ra, bool unchecked_ok)
{
	static const size_t lens[] = { 5, 6, 2, 3, 7, 4 };
	const struct cs_lib *cs;
	uint8_t code[16];
	size_t i;
	csh h;
	bool readable = ra >= 8 && aspace_read(c->as, NULL, ra - 8, code, 8) == 8;

	if (!readable || !(cs = unwind_cs(c->uw, false, &h))) {
		const struct map *m = aspace_find(c->as, ra);

		/* Unreadable code, or (when unchecked_ok) no capstone: executable mappings. */
		return (!readable || unchecked_ok) && m && (m->prot & PROT_EXEC);
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		cs_insn *insn;
		size_t n = cs->disasm(h, code + 8 - lens[i], lens[i], ra - lens[i], 1, &insn);
		bool ok = false;

		if (n == 1) {
			ok = insn[0].size == lens[i] && insn[0].id == X86_INS_CALL;
			cs->free(insn, n);
		}
		if (ok)
			return true;
	}
	return false;
}
