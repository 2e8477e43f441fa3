/* SPDX-License-Identifier: MIT */
/*
 * The unwinder: given a sample's registers and stack snapshot and the address
 * space it ran in, yields the program counters of its frames, each with how
 * it was found and by which backend, and why the walk ended.  The backends
 * (a cached-CFI fast path, libdwfl, prologue analysis, frame pointers) are a
 * small table the driver goes through (unwind-internal.h); they only walk,
 * and never print.
 */
#ifndef SCREC_UNWIND_H
#define SCREC_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/perf-record.h"
#include "report/event.h"
#include "report/model/proc.h"

#define UNWIND_MAX_FRAMES 8192

/* The backends, in the order the driver tries them. */
enum unwind_backend_id {
	UNWIND_FAST_CFI,	/* cached simple CFI rules, the whole stack or nothing */
	UNWIND_DWFL,		/* libdwfl's CFI walk */
	UNWIND_SIGNAL,		/* through a signal trampoline's saved context */
	UNWIND_PROLOGUE,	/* capstone: stack height along the code that reaches the pc */
	UNWIND_FP,		/* the frame-pointer chain */
	UNWIND_SCAN,		/* the first believable return address above sp (a guess) */
	UNWIND_NR_BACKENDS,
};

struct raw_frame {
	uint64_t pc;
	enum frame_method method;
	uint8_t backend;	/* enum unwind_backend_id that found it */
	bool activation;	/* pc is exact (frame 0, a frame a signal interrupted, a context's entry) */
	bool guessed;		/* one of several readings of the stack was chosen */
	bool trampoline;	/* a signal trampoline (returns through rt_sigreturn) */
	bool context_entry;	/* where a makecontext context's function returns to */
};

struct unwind_result {
	struct raw_frame frames[UNWIND_MAX_FRAMES];
	size_t nr;
	enum stack_end end;
	uint64_t needed_stack;	/* for a truncated stack: bytes from sp it tried to read, at least */
};

struct unwinder;
struct finder;

/* An unwinder finding files through find (which must outlive it); NULL without memory. */
struct unwinder *unwind_new(struct finder *find);
/* NULL is a no-op. */
void unwind_free(struct unwinder *uw);

/* Unwind sample s of a thread running in as.  Never fails: the result says how far it got. */
void unwind_sample(struct unwinder *uw, struct aspace *as, const struct screc_sample *s,
		   struct unwind_result *res);

/* The name of a backend ("fast-cfi"). */
const char *unwind_backend_name(enum unwind_backend_id id);
/* Frames each backend found so far (UNWIND_NR_BACKENDS counters). */
const uint64_t *unwind_backend_frames(const struct unwinder *uw);

#endif
