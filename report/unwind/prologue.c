// SPDX-License-Identifier: MIT
/*
 * The prologue step, for code with neither CFI nor a frame pointer: the
 * stack height at the pc (bytes pushed since the function's entry) is found
 * by following the control flow that reaches the pc from the function's
 * start (branch targets, not byte order: an early "pop; ret" laid out before
 * the call site ends only its own path), adding up pushes, pops and rsp
 * adjustments on the way.  The return address sits at sp + height.  Paths
 * may disagree (code the analysis cannot follow); each height they give is
 * a candidate, and one is accepted only when the word there is a believable
 * return address (it follows a call).  A frame chosen among several
 * candidates is marked as guessed.  Functions that set up a frame pointer
 * on the way to the pc are left to the frame-pointer step.
 */
#include <stdlib.h>
#include <string.h>

#include "unwind-internal.h"

#define PRO_MAX_CODE	(64u << 10)	/* bytes of one function decoded at most */
#define H_UNKNOWN	INT32_MIN
#define BP_NONE		INT32_MIN

/* pro_slot flags */
#define PRO_CONFLICT	1	/* some path to the pc could not be followed, or was guessed */
#define PRO_FRAME	2	/* a frame pointer was set up: the fp step's business */
#define PRO_FAILED	4	/* nothing found */

/* What an instruction does to the stack height and the frame pointer. */
enum pro_kind {
	PK_NONE,
	PK_ADJ,			/* height += imm */
	PK_LOST,		/* rsp set in a way not followed (and, mov from a register) */
	PK_SET_BP,		/* mov rbp, rsp */
	PK_SP_FROM_BP,		/* mov rsp, rbp (imm 0) or lea rsp, [rbp + imm] */
	PK_LEAVE,
	PK_END,			/* ret, hlt, ud2: the path ends */
	PK_IJMP,		/* an indirect jump (a switch's jump table, a tail call) */
	PK_JMP,			/* to target only */
	PK_JCC,			/* to target and on */
};

struct pinsn {
	uint64_t addr, target;
	int32_t imm;
	uint8_t size, kind;
	bool clobbers_bp;	/* writes rbp otherwise */
	bool push_bp;		/* push rbp */
	bool pop_bp;		/* pop rbp */
};

/*
 * One path's state before an instruction.  The caller's rbp, which code
 * without a frame pointer uses as one more saved register, is where it was
 * pushed (bp_slot), or still in rbp unless the code wrote it (bp_changed).
 */
struct pstate {
	int32_t h;		/* bytes pushed since the entry */
	int32_t bp;		/* the height at which rbp = rsp was set, or BP_NONE */
	int32_t bp_slot;	/* the height just after push rbp, or BP_NONE */
	int32_t bp_changed;	/* rbp no longer the caller's (0 or 1) */
};

struct walk {
	struct pinsn *in;
	size_t nr;
	struct pstate (*seen)[PRO_ALTS];	/* per instruction */
	uint8_t *nseen;
	struct { size_t i; struct pstate st; } *work;
	size_t nwork, capwork;
	bool guessed;		/* code only a jump table reaches was given the dispatch's height */
};

static bool
reg_is(const cs_x86_op *op, x86_reg r)
{
	return op->type == X86_OP_REG && op->reg == r;
}

static bool
is_bp(const cs_x86_op *op)
{
	return op->type == X86_OP_REG &&
	       (op->reg == X86_REG_RBP || op->reg == X86_REG_EBP || op->reg == X86_REG_BP ||
		op->reg == X86_REG_BPL);
}

/* Sort one decoded instruction into what the analysis needs of it. */
static void
classify(const cs_insn *insn, struct pinsn *p)
{
	const cs_x86 *x = &insn->detail->x86;
	const cs_x86_op *o0 = x->op_count > 0 ? &x->operands[0] : NULL;
	const cs_x86_op *o1 = x->op_count > 1 ? &x->operands[1] : NULL;
	bool w0 = o0 && (o0->access & CS_AC_WRITE);
	size_t g;

	p->addr = insn->address;
	p->size = (uint8_t)insn->size;
	p->kind = PK_NONE;
	p->imm = 0;
	p->target = 0;
	p->clobbers_bp = false;
	p->push_bp = false;
	p->pop_bp = false;
	switch (insn->id) {
	case X86_INS_PUSH:
		p->kind = PK_ADJ;
		p->imm = o0 && o0->size == 2 ? 2 : 8;
		p->push_bp = o0 && reg_is(o0, X86_REG_RBP);
		return;
	case X86_INS_PUSHFQ:
		p->kind = PK_ADJ;
		p->imm = 8;
		return;
	case X86_INS_POP:
		p->kind = PK_ADJ;
		p->imm = o0 && o0->size == 2 ? -2 : -8;
		if (o0 && reg_is(o0, X86_REG_RSP))
			p->kind = PK_LOST;
		p->pop_bp = o0 && reg_is(o0, X86_REG_RBP);
		p->clobbers_bp = o0 && is_bp(o0) && !p->pop_bp;
		return;
	case X86_INS_POPFQ:
		p->kind = PK_ADJ;
		p->imm = -8;
		return;
	case X86_INS_SUB:
	case X86_INS_ADD:
		if (o0 && o1 && reg_is(o0, X86_REG_RSP)) {
			if (o1->type == X86_OP_IMM && o1->imm > -(1 << 24) && o1->imm < (1 << 24)) {
				p->kind = PK_ADJ;
				p->imm = (int32_t)(insn->id == X86_INS_SUB ? o1->imm : -o1->imm);
			} else {
				p->kind = PK_LOST;	/* alloca */
			}
			return;
		}
		break;
	case X86_INS_LEA:
		if (o0 && o1 && reg_is(o0, X86_REG_RSP)) {
			const x86_op_mem *m = &o1->mem;

			p->kind = PK_LOST;
			if (m->index == X86_REG_INVALID && m->segment == X86_REG_INVALID &&
			    m->disp > -(1 << 24) && m->disp < (1 << 24)) {
				if (m->base == X86_REG_RSP) {
					p->kind = PK_ADJ;
					p->imm = (int32_t)-m->disp;
				} else if (m->base == X86_REG_RBP) {
					p->kind = PK_SP_FROM_BP;
					p->imm = (int32_t)m->disp;
				}
			}
			return;
		}
		break;
	case X86_INS_MOV:
		if (o0 && o1 && reg_is(o0, X86_REG_RBP) && reg_is(o1, X86_REG_RSP)) {
			p->kind = PK_SET_BP;
			return;
		}
		if (o0 && o1 && reg_is(o0, X86_REG_RSP) && reg_is(o1, X86_REG_RBP)) {
			p->kind = PK_SP_FROM_BP;
			return;
		}
		break;
	case X86_INS_LEAVE:
		p->kind = PK_LEAVE;
		return;
	case X86_INS_RET:
	case X86_INS_RETF:
	case X86_INS_RETFQ:
	case X86_INS_IRET:
	case X86_INS_IRETQ:
	case X86_INS_HLT:
	case X86_INS_UD2:
	case X86_INS_INT3:
		p->kind = PK_END;
		return;
	case X86_INS_JMP:
		if (o0 && o0->type == X86_OP_IMM) {
			p->kind = PK_JMP;
			p->target = (uint64_t)o0->imm;
		} else {
			p->kind = PK_IJMP;
		}
		return;
	case X86_INS_CALL:
		return;		/* the callee pops its own return address */
	}
	for (g = 0; g < insn->detail->groups_count; g++)
		if (insn->detail->groups[g] == CS_GRP_JUMP && o0 && o0->type == X86_OP_IMM) {
			p->kind = PK_JCC;
			p->target = (uint64_t)o0->imm;
			return;
		}
	if (w0 && reg_is(o0, X86_REG_RSP))
		p->kind = PK_LOST;	/* and rsp (realignment), mov rsp, reg, xchg... */
	else if (w0 && is_bp(o0))
		p->clobbers_bp = true;
}

/* Decode code (len bytes at start) into w->in; false without memory. */
static bool
decode(const struct cs_lib *cs, csh h, const uint8_t *code, size_t len, uint64_t start,
       struct walk *w)
{
	cs_insn *insn = cs->malloc(h);
	const uint8_t *p = code;
	uint64_t addr = start;
	size_t left = len, cap = 0;

	if (!insn)
		return false;
	while (left > 0) {
		if (!cs->disasm_iter(h, &p, &left, &addr, insn)) {
			/* Not code (padding, data): go on after it. */
			p++;
			addr++;
			left--;
			continue;
		}
		if (w->nr == cap) {
			size_t ncap = cap ? 2 * cap : 256;
			struct pinsn *n = realloc(w->in, ncap * sizeof(*n));

			if (!n) {
				cs->free(insn, 1);
				return false;
			}
			w->in = n;
			cap = ncap;
		}
		classify(insn, &w->in[w->nr++]);
	}
	cs->free(insn, 1);
	return true;
}

/* The index of the instruction holding addr, or w->nr. */
static size_t
index_of(const struct walk *w, uint64_t addr)
{
	size_t lo = 0, hi = w->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->in[mid].addr + w->in[mid].size <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nr && w->in[lo].addr <= addr ? lo : w->nr;
}

/* Let state st reach instruction i (once per distinct state). */
static bool
reach(struct walk *w, size_t i, struct pstate st)
{
	uint8_t k;

	if (i >= w->nr)
		return true;	/* leaves the function (a tail call): not followed */
	for (k = 0; k < w->nseen[i]; k++)
		if (memcmp(&w->seen[i][k], &st, sizeof(st)) == 0)
			return true;
	if (w->nseen[i] == PRO_ALTS)
		return true;
	w->seen[i][w->nseen[i]++] = st;
	if (w->nwork == w->capwork) {
		size_t cap = w->capwork ? 2 * w->capwork : 256;
		void *n = realloc(w->work, cap * sizeof(*w->work));

		if (!n)
			return false;
		w->work = n;
		w->capwork = cap;
	}
	w->work[w->nwork].i = i;
	w->work[w->nwork].st = st;
	w->nwork++;
	return true;
}

/* Follow the paths of the states in the work list; false without memory. */
static bool
run(struct walk *w)
{
	while (w->nwork > 0) {
		size_t i = w->work[--w->nwork].i;
		struct pstate st = w->work[w->nwork].st;
		const struct pinsn *p = &w->in[i];
		bool next = true;

		switch (p->kind) {
		case PK_ADJ:
			if (st.h != H_UNKNOWN)
				st.h += p->imm;
			if (p->push_bp && !st.bp_changed && st.bp_slot == BP_NONE)
				st.bp_slot = st.h;
			if (p->pop_bp) {
				/* Back to the caller's rbp if this pops the slot it was pushed to. */
				st.bp_changed = !(st.bp_slot != BP_NONE && st.h + 8 == st.bp_slot);
				if (!st.bp_changed)
					st.bp_slot = BP_NONE;
				st.bp = BP_NONE;
			}
			break;
		case PK_LOST:
			st.h = H_UNKNOWN;
			break;
		case PK_SET_BP:
			st.bp = st.h;
			break;
		case PK_SP_FROM_BP:
			st.h = st.bp == BP_NONE || st.bp == H_UNKNOWN ? H_UNKNOWN : st.bp - p->imm;
			break;
		case PK_LEAVE:
			st.h = st.bp == BP_NONE || st.bp == H_UNKNOWN ? H_UNKNOWN : st.bp - 8;
			st.bp_changed = !(st.bp_slot != BP_NONE && st.bp_slot == st.bp);
			st.bp = BP_NONE;
			st.bp_slot = BP_NONE;
			break;
		case PK_END:
		case PK_IJMP:
			next = false;
			break;
		case PK_JMP:
			next = false;
			/* fall through */
		case PK_JCC:
			if (p->target >= w->in[0].addr &&
			    !reach(w, index_of(w, p->target), st))
				return false;
			break;
		}
		if (p->clobbers_bp || p->kind == PK_SET_BP) {
			if (p->kind != PK_SET_BP)
				st.bp = BP_NONE;
			st.bp_changed = 1;
		}
		if (st.h != H_UNKNOWN && (st.h < 0 || st.h > (1 << 24)))
			next = false;	/* nonsense: not a path the code takes */
		if (st.h == H_UNKNOWN && st.bp == BP_NONE)
			next = false;	/* nothing left to learn on this path */
		if (next && !reach(w, i + 1, st))
			return false;
	}
	return true;
}

/* Follow every path from the function's entry; false without memory. */
static bool
flow(struct walk *w)
{
	return reach(w, 0, (struct pstate){ 0, BP_NONE, BP_NONE, 0 }) && run(w);
}

/*
 * Code that no direct branch reaches, when the pc is there: the cases of a
 * switch, reached through a jump table.  A dispatch keeps the stack as it
 * is, so each block after a path's end gets the states of the indirect
 * jumps that were reached, and the paths go on from there: a guess.
 */
static bool
flow_unreached(struct walk *w)
{
	struct pstate seeds[PRO_ALTS];
	size_t nseeds = 0, i, j, k;

	for (i = 0; i < w->nr; i++) {
		if (w->in[i].kind != PK_IJMP)
			continue;
		for (k = 0; k < w->nseen[i]; k++) {
			for (j = 0; j < nseeds; j++)
				if (memcmp(&seeds[j], &w->seen[i][k], sizeof(seeds[j])) == 0)
					break;
			if (j == nseeds && nseeds < PRO_ALTS)
				seeds[nseeds++] = w->seen[i][k];
		}
	}
	if (!nseeds)
		return true;
	w->guessed = true;
	for (i = 1; i < w->nr; i++) {
		uint8_t prev = w->in[i - 1].kind;

		if (w->nseen[i] || (prev != PK_END && prev != PK_IJMP && prev != PK_JMP))
			continue;
		for (j = 0; j < nseeds; j++)
			if (!reach(w, i, seeds[j]))
				return false;
	}
	return run(w);
}

/* Work out (and cache) the candidate heights of the frame stopped at pc. */
static const struct pro_slot *
analyse(struct unwind_ctx *c, uint64_t pc, bool exact)
{
	struct pro_slot *s = &c->u->pro[(pc ^ (pc >> 11) ^ exact) % PRO_CACHE];
	struct walk w = { 0 };
	const struct map *m = aspace_find(c->as, pc);
	const struct cs_lib *cs;
	uint64_t start, end;
	csh h;
	Dwfl_Module *mod;
	uint8_t *code = NULL;
	GElf_Off off;
	GElf_Sym sym;
	size_t len, i, k;

	if (s->known && s->pc == pc && s->exact == exact)
		return s;
	memset(s, 0, sizeof(*s));
	s->pc = pc;
	s->exact = exact;
	s->known = 1;
	s->flags = PRO_FAILED;
	/* Without capstone, no instruction: nothing found. */
	cs = unwind_cs(c->uw, true, &h);
	mod = dwfl_addrmodule(c->u->dwfl, pc);
	if (!cs || !mod || !dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL))
		return s;
	start = pc - off;
	/* The whole function when its size is known, else through the instruction at pc. */
	end = sym.st_size > off ? start + sym.st_size : pc + 16;
	if (end - start > PRO_MAX_CODE)
		end = pc - start < PRO_MAX_CODE - 16 ? start + PRO_MAX_CODE : pc + 16;
	if (m && end > m->end)
		end = m->end;
	if (pc - start >= PRO_MAX_CODE || !m || start < m->start || end <= pc)
		return s;
	len = end - start;
	code = malloc(len);
	if (!code)
		return s;
	if (aspace_read(c->as, NULL, start, code, len) != len ||
	    !decode(cs, h, code, len, start, &w))
		goto out;
	w.seen = calloc(w.nr ? w.nr : 1, sizeof(*w.seen));
	w.nseen = calloc(w.nr ? w.nr : 1, 1);
	if (!w.seen || !w.nseen || !w.nr || !flow(&w))
		goto out;
	/* For a caller, the instruction holding pc is its call: the height before it. */
	i = index_of(&w, pc);
	if (i == w.nr || (exact && w.in[i].addr != pc))
		goto out;
	if (!w.nseen[i] && !flow_unreached(&w))
		goto out;
	s->flags = w.guessed ? PRO_CONFLICT : 0;
	for (k = 0; k < w.nseen[i]; k++) {
		struct pstate st = w.seen[i][k];
		size_t j;

		if (st.bp != BP_NONE)
			s->flags |= PRO_FRAME;
		if (st.h == H_UNKNOWN) {
			s->flags |= PRO_CONFLICT;
			continue;
		}
		for (j = 0; j < s->nr; j++)
			if (s->height[j] == st.h)
				break;
		if (j == s->nr && s->nr < PRO_ALTS) {
			s->height[s->nr] = st.h;
			s->bp_slot[s->nr] = st.bp_slot;
			if (st.bp_changed)
				s->bp_changed |= (uint8_t)(1u << s->nr);
			s->nr++;
		}
	}
	if (!s->nr)
		s->flags |= PRO_FAILED;
out:
	free(w.in);
	free(w.seen);
	free(w.nseen);
	free(w.work);
	free(code);
	return s;
}

static enum walk_result
prologue_step(struct unwind_ctx *c)
{
	const struct pro_slot *s;
	uint64_t ra = 0, sp = 0, bp;
	unsigned k, ok = 0, pick = 0;

	if (!c->last_sp_ok)
		return WALK_NONE;
	s = analyse(c, c->last_pc, c->last_exact);
	if (s->flags & (PRO_FAILED | PRO_FRAME))
		return WALK_NONE;
	/* Each candidate height, in the order the paths found them: the first believable one. */
	for (k = 0; k < s->nr; k++) {
		uint64_t at = c->last_sp + (uint64_t)s->height[k], v;

		if (unwind_read_word(c, at, &v) && unwind_believable_ra(c, v, false)) {
			if (!ok++) {
				ra = v;
				sp = at + 8;
				pick = k;
			}
		}
	}
	if (!ok)
		return WALK_NONE;
	memset(c->init, 0, sizeof(c->init));
	c->init[D_RIP] = ra;
	c->init[D_RSP] = sp;
	c->init_valid = 1u << D_RSP;
	/* The caller's rbp: where it was pushed, or still in rbp if nothing wrote it. */
	if (s->bp_slot[pick] != BP_NONE &&
	    unwind_read_word(c, sp - 8 - (uint64_t)s->bp_slot[pick], &bp)) {
		c->init[D_RBP] = bp;
		c->init_valid |= 1u << D_RBP;
	} else if (!(s->bp_changed & (1u << pick)) && c->last_bp_ok) {
		c->init[D_RBP] = c->last_bp;
		c->init_valid |= 1u << D_RBP;
	}
	c->step_guessed = s->nr > 1 || (s->flags & PRO_CONFLICT);
	return WALK_STEPPED;
}

const struct unwind_backend unwind_prologue = {
	.name = "prologue",
	.kind = BACKEND_STEP,
	.method = FRAME_PROLOGUE,
	.walk = prologue_step,
};
