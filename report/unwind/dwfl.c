// SPDX-License-Identifier: MIT
/*
 * The libdwfl backend, with our own Dwfl_Thread_Callbacks (elfutils'
 * backtrace-data idea): the initial registers come from the sample or from a
 * frame another backend recovered, memory through unwind_read_word().  It
 * walks as far as the CFI (or libdwfl's own frame-pointer fallback, checked
 * here by capstone) goes and says why it stopped.
 */
#include <dwarf.h>
#include <string.h>

#include "common/log.h"
#include "unwind-internal.h"

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

static bool
cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct uw_space *u = arg;

	(void)dwfl;
	return unwind_read_word(u->ctx, addr, result);
}

static bool
cb_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct uw_space *u = arg;
	struct unwind_ctx *c = u->ctx;
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
	 * the very end of a function finds that function's CFI.  A frame a
	 * signal interrupted is exact.
	 */
	dwfl_thread_state_register_pc(thread, c->restart && !c->restart_exact ? c->init[D_RIP] - 1 :
						      c->init[D_RIP]);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = cb_next_thread,
	.get_thread = cb_get_thread,
	.memory_read = cb_memory_read,
	.set_initial_registers = cb_set_initial_registers,
};

bool
unwind_dwfl_attach(struct uw_space *u, uint32_t pid)
{
	if (dwfl_attach_state(u->dwfl, NULL, (pid_t)pid, &thread_callbacks, u))
		return true;
	screc_debug("pid %u: cannot attach unwinder: %s", pid, dwfl_errmsg(-1));
	return false;
}

static int
frame_cb(Dwfl_Frame *state, void *arg)
{
	struct uw_space *u = arg;
	struct unwind_ctx *c = u->ctx;
	struct unwind_result *res = c->res;
	Dwarf_Addr pc;
	bool act, sig = false, at_entry;
	Dwarf_Word w;
	enum frame_method method;
	enum frame_kind kind;

	if (!dwfl_frame_pc(state, &pc, &act))
		return DWARF_CB_ABORT;
	c->restart_first = false;
	if (c->pass_frames == 0) {
		method = FRAME_INITIAL;
		if (c->restart) {
			/* The recovered frame was added by the fallback already (dwfl has ra - 1). */
			c->pass_frames++;
			c->restart_first = true;
			if (!c->restart_exact)
				pc += 1;
			goto regs;
		}
	} else if (c->last_signal) {
		method = FRAME_SIGNAL;
	} else if (c->last_cfi) {
		method = FRAME_CFI;
	} else {
		/*
		 * libdwfl guessed this caller with its own frame-pointer fallback
		 * for a frame without CFI.  In a function that keeps no frame
		 * pointer, rbp still holds its caller's frame, and the guess skips
		 * that caller without a trace (the return address it finds is a
		 * real one).  Stop here: the step backends size such a frame from
		 * its prologue first, and follow rbp only when that fails.
		 */
		return DWARF_CB_ABORT;
	}
	if (!unwind_add(c, pc, method, UNWIND_DWFL, act)) {
		c->truncated = true;
		return DWARF_CB_ABORT;
	}
	c->pass_frames++;
	if (res->nr > 1 && unwind_in_switcher(c, act ? pc : pc - 1)) {
		/* Its caller runs on another stack (a goroutine's, from g0): not recorded. */
		c->switched = true;
		return DWARF_CB_ABORT;
	}
regs:
	/* A return address is looked up one byte back, inside the call. */
	c->last_exact = c->restart_first ? c->restart_exact : act;
	c->last_pc = c->last_exact ? pc : pc - 1;
	c->last_cfi = unwind_has_cfi(u, c->last_pc, &sig);
	c->last_signal = sig;
	c->last_sp_ok = dwfl_frame_reg(state, D_RSP, &w) == 0;
	c->last_sp = w;
	c->last_bp_ok = dwfl_frame_reg(state, D_RBP, &w) == 0;
	c->last_bp = w;
	if (sig)
		res->frames[res->nr - 1].trampoline = true;
	/*
	 * Where no CFI says how to go on, the frame may be where the stack
	 * begins (ld.so's _start, a context's entry): then it is complete.
	 */
	if (res->nr > 1 && (!c->last_cfi || c->restart_first)) {
		kind = unwind_frame_kind(c, pc, c->last_exact, &at_entry);
		if (kind == FRAME_KIND_TRAMPOLINE)
			res->frames[res->nr - 1].trampoline = true;
		if (kind == FRAME_KIND_OUTERMOST) {
			if (at_entry) {
				res->frames[res->nr - 1].activation = true;
				res->frames[res->nr - 1].context_entry = true;
			}
			c->outermost = true;
			return DWARF_CB_ABORT;
		}
	}
	return DWARF_CB_OK;
}

static enum walk_result
dwfl_walk(struct unwind_ctx *c)
{
	struct unwind_result *res = c->res;
	int r;

	c->pass_frames = 0;
	c->last_signal = false;
	c->failed_at = 0;
	c->outermost = false;
	r = dwfl_getthread_frames(c->u->dwfl, (pid_t)c->tid, frame_cb, c->u);
	if (screc_verbose)
		screc_debug("unwind pass: r=%d frames=%zu failed_at=%zu truncated=%d: %s", r,
			    res->nr, c->failed_at, c->truncated, r ? dwfl_errmsg(-1) : "end");
	if (c->switched) {
		res->end = STACK_SWITCH;
		return WALK_DONE;
	}
	if (c->outermost) {
		res->end = STACK_COMPLETE;
		return WALK_DONE;
	}
	/*
	 * libdwfl ends a walk quietly when the return address cannot be read,
	 * as for one that is undefined: complete only if no read failed while
	 * unwinding the last two frames (it reads one frame ahead).
	 */
	if (r == 0 && c->failed_at < res->nr) {
		res->end = STACK_COMPLETE;
		return WALK_DONE;
	}
	if (r == 0 && !c->truncated) {
		res->end = STACK_SWITCH;	/* the caller's stack is elsewhere */
		return WALK_DONE;
	}
	if (c->truncated) {
		res->end = STACK_TRUNCATED;
		return WALK_DONE;
	}
	return WALK_STOPPED;
}

const struct unwind_backend unwind_dwfl = {
	.name = "libdwfl",
	.kind = BACKEND_WALK,
	.method = FRAME_CFI,
	.walk = dwfl_walk,
};
