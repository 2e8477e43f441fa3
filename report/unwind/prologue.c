// SPDX-License-Identifier: MIT
/*
 * The prologue step: where no CFI covers a function and it keeps no frame
 * pointer, decode its code with capstone from the symbol's start to pc and
 * add up what it pushed and subtracted from rsp; the return address sits
 * just above that, and is accepted only when it follows a call.
 */
#include <string.h>

#include "unwind-internal.h"

static enum walk_result
prologue_step(struct unwind_ctx *c)
{
	uint64_t pc = c->last_pc, start, height = 0, bp_slot = 0, ra, nbp;
	uint8_t code[4096];
	Dwfl_Module *mod;
	GElf_Off off;
	GElf_Sym sym;
	cs_insn *insn;
	size_t n, i, len;
	bool ok = true;

	if (!c->uw->csd_ok || !c->last_sp_ok)
		return WALK_NONE;
	mod = dwfl_addrmodule(c->u->dwfl, pc);
	if (!mod || !dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL))
		return WALK_NONE;
	start = pc - off;
	len = off + 1;	/* through the instruction at pc (a call, for a caller's frame) */
	if (len > sizeof(code) || aspace_read(c->as, NULL, start, code, len) != len)
		return WALK_NONE;
	n = cs_disasm(c->uw->csd, code, len, start, 0, &insn);
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
			/* mov rbp, rsp: a frame pointer after all; let the fp step do it. */
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
		return WALK_NONE;
	if (!unwind_read_word(c, c->last_sp + height, &ra) || !ra || !unwind_after_call(c, ra))
		return WALK_NONE;
	memset(c->init, 0, sizeof(c->init));
	c->init[D_RIP] = ra;
	c->init[D_RSP] = c->last_sp + height + 8;
	c->init_valid = 1u << D_RSP;
	if (bp_slot && unwind_read_word(c, c->last_sp + height - bp_slot, &nbp)) {
		c->init[D_RBP] = nbp;
		c->init_valid |= 1u << D_RBP;
	} else if (!bp_slot && c->last_bp_ok) {
		c->init[D_RBP] = c->last_bp;
		c->init_valid |= 1u << D_RBP;
	}
	return WALK_STEPPED;
}

const struct unwind_backend unwind_prologue = {
	.name = "prologue",
	.kind = BACKEND_STEP,
	.method = FRAME_PROLOGUE,
	.walk = prologue_step,
};
