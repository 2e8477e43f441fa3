// SPDX-License-Identifier: MIT
/*
 * The signal step: when the last frame is a signal trampoline (the handler
 * returned into __restore_rt), the interrupted frame's registers are in the
 * ucontext the kernel put on the stack (struct rt_sigframe: the return
 * address, then struct ucontext, whose uc_mcontext holds the general
 * registers in sigcontext order).  libdwfl does the same from the
 * trampoline's CFI where libc has it; this step serves the libraries that
 * have none (musl) and the paths that reached the trampoline by frame
 * pointer.  The interrupted pc is exact: it is where the signal came, not a
 * return address.
 */
#include <string.h>

#include "unwind-internal.h"

/* Offset of uc_mcontext.gregs in struct ucontext (uc_flags, uc_link, uc_stack before it). */
#define UC_GREGS	40
#define NR_GREGS	17

/* DWARF register of each saved general register, in sigcontext order. */
static const uint8_t greg_dwarf[NR_GREGS] = {
	8, 9, 10, 11, 12, 13, 14, 15,	/* r8 .. r15 */
	5,				/* rdi */
	4,				/* rsi */
	D_RBP,
	3,				/* rbx */
	1,				/* rdx */
	0,				/* rax */
	2,				/* rcx */
	D_RSP,
	D_RIP,
};

static enum walk_result
signal_step(struct unwind_ctx *c)
{
	uint64_t pc = c->last_exact ? c->last_pc : c->last_pc + 1, regs[NR_GREGS];
	bool at_entry;
	int i;

	if (!c->last_sp_ok ||
	    unwind_frame_kind(c, pc, c->last_exact, &at_entry) != FRAME_KIND_TRAMPOLINE)
		return WALK_NONE;
	/* When the handler returned, rsp pointed just past the return address: at the ucontext. */
	for (i = 0; i < NR_GREGS; i++)
		if (!unwind_read_word(c, c->last_sp + UC_GREGS + 8 * (uint64_t)i, &regs[i]))
			return WALK_NONE;
	if (!regs[16] || !regs[15])
		return WALK_NONE;
	memset(c->init, 0, sizeof(c->init));
	c->init_valid = 0;
	for (i = 0; i < NR_GREGS; i++) {
		c->init[greg_dwarf[i]] = regs[i];
		c->init_valid |= 1u << greg_dwarf[i];
	}
	c->step_exact = true;
	return WALK_STEPPED;
}

const struct unwind_backend unwind_signal = {
	.name = "signal",
	.kind = BACKEND_STEP,
	.method = FRAME_SIGNAL,
	.walk = signal_step,
};
