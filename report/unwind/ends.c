// SPDX-License-Identifier: MIT
/*
 * The frames that need more than "is the instruction before it a call":
 * where a stack really begins (the executable's or the dynamic loader's
 * entry, a thread's clone, a makecontext context's entry), signal
 * trampolines (the handler returns into rt_sigreturn, which no call
 * precedes), and return addresses into JIT code, whose bytes are in no file
 * but which a perf map names.  Code is recognized by its CFI, its symbol,
 * or its bytes, so that stripped libraries are recognized too.
 */
#include <gelf.h>
#include <string.h>

#include "unwind-internal.h"

/* glibc's and musl's __restore_rt: mov $15 (rt_sigreturn), %rax; syscall. */
static const uint8_t restore_rt[] = { 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
/* glibc's x86-64 __start_context: mov %rbx, %rsp; mov (%rsp), %rdi; test %rdi, %rdi. */
static const uint8_t start_context[] = { 0x48, 0x89, 0xdc, 0x48, 0x8b, 0x3c, 0x24, 0x48, 0x85, 0xff };

/* Functions a return address inside which ends the stack. */
static const char *const outermost[] = {
	"_start",		/* the executable's entry (crt1), ld.so's entry */
	"_dl_start_user",	/* ld.so after _dl_start: runs the constructors, jumps to _start */
	"clone", "__clone",	/* the child side of a thread's clone: calls the thread's start */
	"clone3", "__clone3",
	"__start_context",	/* where a makecontext context's function returns to */
	NULL,
};

static bool
code_is(struct unwind_ctx *c, uint64_t pc, const uint8_t *bytes, size_t len)
{
	uint8_t buf[16];

	return len <= sizeof(buf) && aspace_read(c->as, NULL, pc, buf, len) == len &&
	       memcmp(buf, bytes, len) == 0;
}

/* The symbol holding addr, and its start; NULL without one. */
static const char *
symbol_at(struct unwind_ctx *c, Dwfl_Module *mod, uint64_t addr, uint64_t *start)
{
	GElf_Off off;
	GElf_Sym sym;
	const char *name = mod ? dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL) :
				 NULL;

	(void)c;
	if (name)
		*start = addr - off;
	return name;
}

/* Whether addr is in the first bytes of its module's ELF entry point's code. */
static bool
at_entry_point(Dwfl_Module *mod, uint64_t addr, const char *name, uint64_t sym_start)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	GElf_Ehdr eh;
	uint64_t entry;

	if (!elf || !gelf_getehdr(elf, &eh) || !eh.e_entry)
		return false;
	entry = eh.e_entry + bias;
	if (addr < entry || addr - entry >= 64)
		return false;
	/* Not when a later function holds addr. */
	return !name || sym_start <= entry;
}

enum frame_kind
unwind_frame_kind(struct unwind_ctx *c, uint64_t pc, bool exact, bool *at_entry)
{
	uint64_t lookup = exact ? pc : pc - 1, start = 0;
	Dwfl_Module *mod;
	const char *name;
	bool sig;
	size_t i;

	*at_entry = false;
	if (!c->u || !c->u->dwfl || pc < 16)
		return FRAME_KIND_NORMAL;
	/* A signal trampoline: the kernel made its address the handler's return address. */
	if ((unwind_has_cfi(c->u, lookup, &sig) && sig) ||
	    code_is(c, pc, restore_rt, sizeof(restore_rt)))
		return FRAME_KIND_TRAMPOLINE;
	mod = dwfl_addrmodule(c->u->dwfl, pc);
	if (!mod)
		return FRAME_KIND_NORMAL;
	/* makecontext pushes __start_context's own address: no call precedes it. */
	if (!exact) {
		name = symbol_at(c, mod, pc, &start);
		if ((name && start == pc && strcmp(name, "__start_context") == 0) ||
		    code_is(c, pc, start_context, sizeof(start_context))) {
			*at_entry = true;
			return FRAME_KIND_OUTERMOST;
		}
	}
	name = symbol_at(c, mod, lookup, &start);
	for (i = 0; name && outermost[i]; i++)
		if (strcmp(name, outermost[i]) == 0) {
			/* In the parent, clone only makes the syscall: no return address there. */
			if (exact && strstr(name, "clone"))
				break;
			return FRAME_KIND_OUTERMOST;
		}
	if (!exact && at_entry_point(mod, lookup, name, start))
		return FRAME_KIND_OUTERMOST;
	return FRAME_KIND_NORMAL;
}

bool
unwind_believable_ra(struct unwind_ctx *c, uint64_t ra, bool unchecked_ok)
{
	enum frame_kind k;
	bool at_entry;

	if (!ra)
		return false;
	if (unwind_after_call(c, ra, unchecked_ok))
		return true;
	k = unwind_frame_kind(c, ra, false, &at_entry);
	if (k == FRAME_KIND_TRAMPOLINE || (k == FRAME_KIND_OUTERMOST && at_entry))
		return true;
	/* JIT code: in no module, its bytes in no file; a perf map may name it. */
	return c->as && c->u && c->u->dwfl && !dwfl_addrmodule(c->u->dwfl, ra - 1) &&
	       find_perfmap_lookup(c->uw->find, c->as->pid, ra - 1, NULL) != NULL;
}
