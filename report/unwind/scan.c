// SPDX-License-Identifier: MIT
/*
 * The last step, when every other one failed: the first word above sp
 * that is a believable return address (unwind_believable_ra(): it follows
 * a call).  It serves frames in code that has neither CFI nor a frame
 * pointer and whose function no symbol bounds (a hidden assembly function
 * of a stripped library, as musl's libc.so has), where prologue analysis
 * has no start to decode from.  Only for such frames, or for one stopped at
 * an exact pc (the sample's own, or one a signal interrupted): a caller
 * found by a return address has a function that a scan would skip frames
 * of.  Always a guess.
 */
#include <gelf.h>
#include <string.h>

#include "unwind-internal.h"

#define SCAN_BYTES	256

/* Whether a symbol bounds the function holding pc. */
static bool
has_symbol(struct unwind_ctx *c, uint64_t pc)
{
	Dwfl_Module *mod = dwfl_addrmodule(c->u->dwfl, pc);
	GElf_Off off;
	GElf_Sym sym;

	return mod && dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL);
}

static enum walk_result
scan_step(struct unwind_ctx *c)
{
	uint64_t off, v;

	if (!c->last_sp_ok || (!c->last_exact && has_symbol(c, c->last_pc)))
		return WALK_NONE;
	for (off = 0; off < SCAN_BYTES; off += 8) {
		if (!unwind_read_word(c, c->last_sp + off, &v))
			return WALK_NONE;
		if (!unwind_believable_ra(c, v, false))
			continue;
		memset(c->init, 0, sizeof(c->init));
		c->init[D_RIP] = v;
		c->init[D_RSP] = c->last_sp + off + 8;
		c->init_valid = 1u << D_RSP;
		if (c->last_bp_ok) {
			c->init[D_RBP] = c->last_bp;
			c->init_valid |= 1u << D_RBP;
		}
		c->step_guessed = true;
		return WALK_STEPPED;
	}
	return WALK_NONE;
}

const struct unwind_backend unwind_scan = {
	.name = "scan",
	.kind = BACKEND_STEP,
	.method = FRAME_PROLOGUE,
	.walk = scan_step,
};
