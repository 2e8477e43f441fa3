// SPDX-License-Identifier: MIT
/*
 * The frame-pointer step: the caller of the last frame from the rbp chain
 * (return address at rbp + 8, the caller's rbp at rbp), accepted only when
 * the return address is believable (unwind_believable_ra(): it follows a
 * call, or enters a signal trampoline, or lies in named JIT code).
 */
#include <string.h>

#include "unwind-internal.h"

static enum walk_result
fp_step(struct unwind_ctx *c)
{
	uint64_t bp = c->last_bp, ra, next_bp;

	if (!c->last_bp_ok || bp < c->snap.lo || (c->last_sp_ok && bp < c->last_sp))
		return WALK_NONE;
	if (!unwind_read_word(c, bp + 8, &ra) || !unwind_read_word(c, bp, &next_bp))
		return WALK_NONE;
	if (!unwind_believable_ra(c, ra, true))
		return WALK_NONE;
	memset(c->init, 0, sizeof(c->init));
	c->init[D_RIP] = ra;
	c->init[D_RSP] = bp + 16;
	c->init[D_RBP] = next_bp;
	c->init_valid = (1u << D_RSP) | (1u << D_RBP);
	return WALK_STEPPED;
}

const struct unwind_backend unwind_fp = {
	.name = "frame-pointer",
	.kind = BACKEND_STEP,
	.method = FRAME_FP,
	.walk = fp_step,
};
