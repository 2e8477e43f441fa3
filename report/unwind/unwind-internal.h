/* SPDX-License-Identifier: MIT */
/*
 * What the unwinder's driver and its backends share: one walk's state, the
 * per-address-space caches, the backend table, reads of the traced memory
 * and the capstone checks.
 */
#ifndef SCREC_UNWIND_INTERNAL_H
#define SCREC_UNWIND_INTERNAL_H

#include <capstone/capstone.h>
#include <elfutils/libdwfl.h>

#include "common/arch.h"
#include "report/find/find.h"
#include "unwind.h"

#define D_RBP	SCREC_DWARF_RBP
#define D_RSP	SCREC_DWARF_RSP
#define D_RIP	SCREC_DWARF_RIP
#define D_NREGS	SCREC_DWARF_NREGS

/*
 * capstone's functions, resolved from libcapstone on first use (insn.c):
 * the report does not link it, so that a run that needs no instruction
 * check does not pay for its relocations at start-up.
 */
struct cs_lib {
	cs_err (*open)(cs_arch arch, cs_mode mode, csh *handle);
	cs_err (*option)(csh handle, cs_opt_type type, size_t value);
	size_t (*disasm)(csh handle, const uint8_t *code, size_t size, uint64_t address,
			 size_t count, cs_insn **insn);
	bool (*disasm_iter)(csh handle, const uint8_t **code, size_t *size, uint64_t *address,
			    cs_insn *insn);
	cs_insn *(*malloc)(csh handle);
	void (*free)(cs_insn *insn, size_t count);
	cs_err (*close)(csh *handle);
};

/* A capstone handle of the unwinder, opened on first use. */
enum cs_state { CS_UNTRIED, CS_OPEN, CS_FAILED };

struct unwinder {
	struct finder *find;
	csh cs;
	uint8_t cs_state;		/* enum cs_state */
	csh csd;			/* with instruction details, for prologues */
	uint8_t csd_state;
	uint64_t frames[UNWIND_NR_BACKENDS];
};

/* What the CFI says of a pc, cached: most stacks repeat the same few pcs. */
#define CFI_CACHE 1024
struct cfi_slot {
	uint64_t pc;
	uint8_t known, cfi, signal;
};

/*
 * The unwind rule of a pc when it is one of the common simple ones (CFA =
 * rsp or rbp + offset, return address and rbp saved at CFA + offset or rbp
 * unchanged), cached per pc: most samples repeat the same stacks, and these
 * rules let the fast path walk them without libdwfl's general machinery.
 */
enum rule_kind { RULE_UNKNOWN, RULE_SIMPLE, RULE_END, RULE_OTHER };

struct rule {
	uint64_t pc;
	uint8_t kind;			/* enum rule_kind */
	uint8_t cfa_reg;		/* D_RSP or D_RBP */
	uint8_t bp_saved;		/* rbp restored from CFA + bp_off, else unchanged */
	int32_t cfa_off, ra_off, bp_off;
};

#define RULE_CACHE 4096

/*
 * What prologue analysis found at a pc, cached: the stack heights (bytes
 * pushed since the function's entry) that the paths reaching it give.
 */
#define PRO_CACHE 1024
#define PRO_ALTS 4
struct pro_slot {
	uint64_t pc;
	uint8_t known, exact;
	uint8_t nr;			/* heights found */
	uint8_t flags;			/* PRO_* (prologue.c) */
	uint8_t bp_changed;		/* bit k: rbp is no longer the caller's at height[k] */
	int32_t height[PRO_ALTS];
	int32_t bp_slot[PRO_ALTS];	/* the height just after rbp was pushed, or INT32_MIN */
};

struct unwind_ctx;

/* The unwinder's state for one address space (its ASPACE_EXT_UNWIND slot). */
struct uw_space {
	Dwfl *dwfl;			/* the modules' Dwfl (owned by find), attached to us */
	uint64_t version;
	uint64_t serial;		/* find_dwfl_serial() of dwfl */
	bool attached;
	struct unwind_ctx *ctx;		/* the current call's context */
	struct cfi_slot cfi[CFI_CACHE];
	struct rule rules[RULE_CACHE];
	struct pro_slot pro[PRO_CACHE];
};

/* The state of one unwind call. */
struct unwind_ctx {
	struct unwinder *uw;
	struct uw_space *u;
	struct aspace *as;
	uint32_t tid;
	struct mem_snapshot snap;
	uint64_t init[D_NREGS];
	uint32_t init_valid;		/* bit per DWARF register */
	bool truncated;
	bool full;			/* the snapshot is as large as asked: the stack may go on */
	bool switched;			/* the walk reached a stack-switching function */
	size_t failed_at;		/* res->nr when a read outside the snapshot failed, +1 */
	uint64_t needed;
	struct unwind_result *res;
	bool restart;			/* this pass starts from a recovered frame */
	bool restart_first;		/* frame_cb is at that recovered frame */
	uint64_t last_pc, last_sp, last_bp;
	bool last_sp_ok, last_bp_ok, last_signal, last_cfi;
	bool last_exact;		/* last_pc is where the frame stopped, not a return address - 1 */
	size_t pass_frames;
	bool outermost;			/* the walk reached the process's or thread's first frame */
	bool restart_exact;		/* the recovered frame's pc is exact (a signal interrupted it) */
	/* What a step backend says of the frame it recovered. */
	bool step_exact, step_guessed;
};

/* What a backend's walk achieved. */
enum walk_result {
	WALK_NONE,		/* nothing: try the next backend */
	WALK_DONE,		/* the stack ended; res->end says how */
	WALK_STOPPED,		/* frames were added, then it could go no further */
	WALK_STEPPED,		/* one caller recovered into c->init (a step backend) */
};

enum backend_kind {
	BACKEND_WHOLE,		/* walks the whole stack or leaves nothing */
	BACKEND_WALK,		/* walks as far as it can from c->init */
	BACKEND_STEP,		/* recovers one caller of the last frame into c->init */
};

struct unwind_backend {
	const char *name;
	enum backend_kind kind;
	enum frame_method method;	/* of the frames a step backend recovers */
	enum walk_result (*walk)(struct unwind_ctx *c);
};

extern const struct unwind_backend unwind_fast_cfi;
extern const struct unwind_backend unwind_dwfl;
extern const struct unwind_backend unwind_signal;
extern const struct unwind_backend unwind_prologue;
extern const struct unwind_backend unwind_fp;
extern const struct unwind_backend unwind_scan;

/* Attach u (whose dwfl is set) to libdwfl's thread callbacks for pid (dwfl.c). */
bool unwind_dwfl_attach(struct uw_space *u, uint32_t pid);

/* Add a frame found by backend id; false when the result is full. */
bool unwind_add(struct unwind_ctx *c, uint64_t pc, enum frame_method method,
		enum unwind_backend_id id, bool activation);

/* Read the 8-byte word at addr of the traced memory, noting truncation. */
bool unwind_read_word(struct unwind_ctx *c, uint64_t addr, uint64_t *val);

/*
 * capstone's functions and the unwinder's handle (*h; with instruction
 * details when detail), loaded and opened on first call.  NULL when
 * libcapstone cannot be loaded (said once per process on stderr) or the
 * handle cannot be opened: the caller then finds no instruction.
 */
const struct cs_lib *unwind_cs(struct unwinder *uw, bool detail, csh *h);

/* Close the unwinder's capstone handles (insn.c). */
void unwind_cs_close(struct unwinder *uw);

/*
 * Is the instruction just before ra a call?  Checked in the mapped file's
 * bytes.  Where they cannot be read, an address in an executable mapping
 * passes; where capstone cannot be loaded, it passes only when unchecked_ok.
 */
bool unwind_after_call(struct unwind_ctx *c, uint64_t ra, bool unchecked_ok);

/* How a frame's pc stands among the frames that need special handling (ends.c). */
enum frame_kind {
	FRAME_KIND_NORMAL,
	FRAME_KIND_OUTERMOST,	/* _start, ld.so's entry, a thread's clone, a context's entry */
	FRAME_KIND_TRAMPOLINE,	/* a signal trampoline: the caller is in its saved context */
};

/*
 * The kind of the frame at pc: a return address (exact false) or where a
 * frame stopped.  *at_entry is set when pc is a function's first byte that
 * was pushed as a return address (makecontext's __start_context): the frame
 * is then looked up at pc itself.
 */
enum frame_kind unwind_frame_kind(struct unwind_ctx *c, uint64_t pc, bool exact, bool *at_entry);

/*
 * Whether ra is believable as a return address: it follows a call, or it
 * returns into a signal trampoline or a context's entry, or it lies in JIT
 * code a perf map names (whose bytes no file holds).  unchecked_ok: see
 * unwind_after_call() (a frame pointer chain is evidence of its own; a
 * word found by scanning the stack is not).
 */
bool unwind_believable_ra(struct unwind_ctx *c, uint64_t ra, bool unchecked_ok);

/* Whether pc lies in a function that switches stacks. */
bool unwind_in_switcher(struct unwind_ctx *c, uint64_t pc);

/* Whether CFI covers pc (an exact address), and whether it is a signal frame; cached. */
bool unwind_has_cfi(struct uw_space *u, uint64_t pc, bool *signal);

#endif
