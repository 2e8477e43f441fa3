// SPDX-License-Identifier: MIT
/*
 * The fast path: walk the stack with cached simple CFI rules only (CFA =
 * rsp or rbp + offset, the return address and rbp at CFA + offset).  Most
 * samples repeat the same stacks, and these rules walk them without
 * libdwfl's general machinery.  It finishes the whole stack or leaves
 * nothing, so that the frames never depend on which path ran.
 */
#include <dwarf.h>
#include <stdlib.h>

#include "unwind-internal.h"

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
	/*
	 * libdw spells "CFA - 8" as plus_uconst with the offset wrapped to
	 * 2^64 - 8: read it as signed, or no x86-64 frame would ever qualify.
	 */
	if (nops == 2 && ops[1].atom == DW_OP_plus_uconst &&
	    (int64_t)ops[1].number >= -(1 << 20) && (int64_t)ops[1].number <= (1 << 20)) {
		*off = (int32_t)(int64_t)ops[1].number;
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

static enum walk_result
fast_walk(struct unwind_ctx *c)
{
	struct unwind_result *res = c->res;
	uint64_t pc = c->init[D_RIP], sp = c->init[D_RSP], bp = c->init[D_RBP];
	bool bp_ok = c->init_valid & (1u << D_RBP), first = true;

	if (!(c->init_valid & (1u << D_RSP)))
		return WALK_NONE;
	unwind_add(c, pc, FRAME_INITIAL, UNWIND_FAST_CFI, true);
	for (;;) {
		const struct rule *r = rule_for(c->u, first ? pc : pc - 1);
		uint64_t cfa, ra;

		first = false;
		if (r->kind == RULE_END) {
			res->end = STACK_COMPLETE;
			return WALK_DONE;
		}
		if (r->kind != RULE_SIMPLE || (r->cfa_reg == D_RBP && !bp_ok) ||
		    res->nr == UNWIND_MAX_FRAMES)
			break;
		cfa = (r->cfa_reg == D_RSP ? sp : bp) + (int64_t)r->cfa_off;
		if (!unwind_read_word(c, cfa + (int64_t)r->ra_off, &ra) || ra == 0)
			break;
		if (r->bp_saved && !unwind_read_word(c, cfa + (int64_t)r->bp_off, &bp))
			break;
		if (cfa <= sp)
			break;	/* no progress */
		sp = cfa;
		pc = ra;
		unwind_add(c, pc, FRAME_CFI, UNWIND_FAST_CFI, false);
		if (unwind_in_switcher(c, pc - 1)) {
			res->end = STACK_SWITCH;
			return WALK_DONE;
		}
	}
	/* Some frame needs more (libdwfl, fallbacks, truncation or switch diagnosis). */
	res->nr = 0;
	c->truncated = false;
	c->needed = 0;
	c->failed_at = 0;
	return WALK_NONE;
}

const struct unwind_backend unwind_fast_cfi = {
	.name = "fast-cfi",
	.kind = BACKEND_WHOLE,
	.method = FRAME_CFI,
	.walk = fast_walk,
};
