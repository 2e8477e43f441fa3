// SPDX-License-Identifier: MIT
/*
 * The unwinder's driver.  Initial registers come from the sample, memory
 * from the stack snapshot and read-only file mappings (aspace_read).  The
 * backends are tried in the order of the table below: the fast path walks
 * the whole stack with cached simple CFI rules or leaves it to the others;
 * libdwfl walks as far as the CFI goes; where it stops, a step backend
 * (a signal frame's saved context, prologue analysis, the frame pointer,
 * at last a scan for a return address) recovers one caller, checked by capstone (the instruction before
 * a return address must be a call, unless it enters a signal trampoline or
 * named JIT code), and libdwfl goes on from there.  A walk that reaches the
 * frame where a process, thread or context began is complete (ends.c).
 * Each frame records the backend that found it.
 */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "unwind-internal.h"

static const struct unwind_backend *const backends[UNWIND_NR_BACKENDS] = {
	[UNWIND_FAST_CFI] = &unwind_fast_cfi,
	[UNWIND_DWFL] = &unwind_dwfl,
	[UNWIND_SIGNAL] = &unwind_signal,
	[UNWIND_PROLOGUE] = &unwind_prologue,
	[UNWIND_FP] = &unwind_fp,
	[UNWIND_SCAN] = &unwind_scan,
};

struct unwinder *
unwind_new(struct finder *find)
{
	struct unwinder *uw = calloc(1, sizeof(*uw));

	if (!uw)
		return NULL;
	uw->find = find;
	/* capstone's handles are opened when a fallback first needs them (insn.c). */
	return uw;
}

void
unwind_free(struct unwinder *uw)
{
	if (!uw)
		return;
	unwind_cs_close(uw);
	free(uw);
}

const char *
unwind_backend_name(enum unwind_backend_id id)
{
	return (unsigned)id < UNWIND_NR_BACKENDS ? backends[id]->name : "?";
}

const uint64_t *
unwind_backend_frames(const struct unwinder *uw)
{
	return uw->frames;
}

bool
unwind_add(struct unwind_ctx *c, uint64_t pc, enum frame_method method, enum unwind_backend_id id,
	   bool activation)
{
	struct unwind_result *res = c->res;

	if (res->nr == UNWIND_MAX_FRAMES)
		return false;
	res->frames[res->nr++] = (struct raw_frame){ pc, method, (uint8_t)id, activation };
	return true;
}

bool
unwind_read_word(struct unwind_ctx *c, uint64_t addr, uint64_t *val)
{
	const struct mem_snapshot *sn = &c->snap;

	if (addr >= sn->lo && addr - sn->lo <= sn->len && sn->len - (addr - sn->lo) >= 8) {
		memcpy(val, sn->stack + (addr - sn->lo), 8);
		return true;
	}
	/* Just above a full snapshot, where the rest of the stack would be: truncation. */
	if (c->full && addr >= sn->lo + sn->len && addr - sn->lo < (64ull << 20)) {
		c->truncated = true;
		if (addr + 8 - sn->lo > c->needed)
			c->needed = addr + 8 - sn->lo;
		c->failed_at = c->res->nr + 1;
		return false;
	}
	if (aspace_read(c->as, NULL, addr, val, 8) == 8)
		return true;
	c->failed_at = c->res->nr + 1;
	return false;
}

bool
unwind_in_switcher(struct unwind_ctx *c, uint64_t pc)
{
	return find_stack_switcher(c->uw->find, c->as, pc);
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

bool
unwind_has_cfi(struct uw_space *u, uint64_t pc, bool *signal)
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

/* This address space's unwinder state, fresh whenever its modules changed. */
static struct uw_space *
space_get(struct unwinder *uw, struct aspace *as)
{
	struct uw_space *u = as->ext[ASPACE_EXT_UNWIND].data;
	Dwfl *dwfl;

	if (u && u->version == as->version)
		return u;
	dwfl = find_dwfl(uw->find, as);
	if (u && dwfl && u->dwfl == dwfl && u->serial == find_dwfl_serial(as)) {
		/*
		 * The same Dwfl with modules added: the rules anew.  Attached
		 * already, or now that it may have a module with an ELF (the
		 * attach fails with none).
		 */
		memset(u->cfi, 0, sizeof(u->cfi));
		memset(u->rules, 0, sizeof(u->rules));
		memset(u->pro, 0, sizeof(u->pro));
		u->version = as->version;
		if (!u->attached)
			u->attached = unwind_dwfl_attach(u, as->pid);
		return u;
	}
	u = calloc(1, sizeof(*u));
	aspace_ext_set(as, ASPACE_EXT_UNWIND, u, free);
	if (!u)
		return NULL;
	u->version = as->version;
	if (!dwfl)
		return u;
	u->dwfl = dwfl;
	u->serial = find_dwfl_serial(as);
	u->attached = unwind_dwfl_attach(u, as->pid);
	return u;
}

void
unwind_sample(struct unwinder *uw, struct aspace *as, const struct screc_sample *s,
	      struct unwind_result *res)
{
	struct unwind_ctx c = { 0 };
	enum walk_result w;
	uint64_t v;
	int r, passes, i;

	res->nr = 0;
	res->needed_stack = 0;
	res->end = STACK_BROKEN;
	if (screc_sample_reg(s, SCREC_PERF_IP, &v) != 0)
		return;
	c.uw = uw;
	c.as = as;
	c.tid = s->tid;
	c.res = res;
	for (r = 0; r < D_NREGS; r++)
		if (screc_sample_reg(s, screc_dwarf_to_perf[r], &c.init[r]) == 0)
			c.init_valid |= 1u << r;
	c.snap = (struct mem_snapshot){ s->stack, c.init[D_RSP], s->stack ? s->stack_size : 0 };
	c.full = s->attr && s->attr->sample_stack_user &&
		 s->stack_size >= s->attr->sample_stack_user;

	c.u = as ? space_get(uw, as) : NULL;
	if (!c.u || !c.u->attached) {
		/* No modules at all: the sample's own pc is all we know. */
		unwind_add(&c, c.init[D_RIP], FRAME_INITIAL, UNWIND_DWFL, true);
		goto out;
	}
	for (i = 0; i < UNWIND_NR_BACKENDS; i++)
		if (backends[i]->kind == BACKEND_WHOLE && backends[i]->walk(&c) == WALK_DONE)
			goto out;
	c.u->ctx = &c;
	for (passes = 0; passes < UNWIND_MAX_FRAMES; passes++) {
		/* Walk as far as CFI goes, from the sample or from a recovered frame. */
		w = WALK_NONE;
		for (i = 0; i < UNWIND_NR_BACKENDS && w == WALK_NONE; i++)
			if (backends[i]->kind == BACKEND_WALK)
				w = backends[i]->walk(&c);
		if (w == WALK_DONE || res->nr >= UNWIND_MAX_FRAMES)
			break;
		/* Recover the caller of the last frame some other way. */
		for (i = 0; i < UNWIND_NR_BACKENDS; i++) {
			if (backends[i]->kind != BACKEND_STEP)
				continue;
			c.step_exact = c.step_guessed = false;
			if (backends[i]->walk(&c) == WALK_STEPPED)
				break;
		}
		if (i == UNWIND_NR_BACKENDS) {
			if (c.truncated)
				res->end = STACK_TRUNCATED;
			break;
		}
		/* No progress; the same pc again is a caller only further up the stack (recursion). */
		if (res->nr > 0 && res->frames[res->nr - 1].pc == c.init[D_RIP] &&
		    !(c.last_sp_ok && (c.init_valid & (1u << D_RSP)) && c.init[D_RSP] > c.last_sp))
			break;
		if (!unwind_add(&c, c.init[D_RIP], backends[i]->method, (enum unwind_backend_id)i,
				c.step_exact))
			break;
		res->frames[res->nr - 1].guessed = c.step_guessed;
		if (unwind_in_switcher(&c, c.step_exact ? c.init[D_RIP] : c.init[D_RIP] - 1)) {
			res->end = STACK_SWITCH;
			break;
		}
		c.restart = true;
		c.restart_exact = c.step_exact;
	}
	if (c.truncated && res->end != STACK_COMPLETE)
		res->end = STACK_TRUNCATED;
	res->needed_stack = c.needed;
	c.u->ctx = NULL;
out:
	for (i = 0; (size_t)i < res->nr; i++)
		uw->frames[res->frames[i].backend]++;
}
