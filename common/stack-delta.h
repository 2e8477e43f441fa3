/* SPDX-License-Identifier: MIT */
/*
 * Stack snapshots stored against the previous snapshot of the same thread
 * (SCREC_FEAT_STACK_DELTA, format.h): the recorder encodes, the reader
 * rebuilds the kernel's sample.  Consecutive syscalls of a thread share most
 * of their stack at the same addresses, which zstd alone finds only in part:
 * on stacks of varying depth a delta stores a few hundred bytes, not 8 KiB.
 * Both sides keep the same table of last stacks, updated by the same records
 * in the same order.
 */
#ifndef SCREC_STACK_DELTA_H
#define SCREC_STACK_DELTA_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

/*
 * A slot is small until used: its head and stack live in one buffer taken
 * on the first sample (head first, SCREC_DELTA_HEAD_MAX bytes, then the
 * stack), so that a table nobody fills costs a few KiB to make and free.
 */
#define SCREC_DELTA_HEAD_MAX	4096u

struct screc_delta_slot {
	uint32_t tid;
	uint32_t len;			/* stack bytes held */
	uint64_t frame;			/* the recorder's frame it was written in */
	uint64_t sp;			/* the recorder's: the stack's address */
	uint8_t *mem;			/* head (SCREC_DELTA_HEAD_MAX bytes), then stack */
	size_t cap;			/* stack bytes mem has room for */
	uint32_t head_len;		/* the sample's head (before its stack) */
	int used;
	uint32_t nr_pairs;		/* format 3: the head's pairs */
	struct screc_delta_pair pairs[SCREC_DELTA_PAIRS_MAX];
};

struct screc_delta {
	struct screc_delta_slot slots[SCREC_DELTA_SLOTS];
};

/*
 * The most bytes screc_delta_encode() writes for a head of head_len bytes
 * and stack_len stack bytes.
 */
size_t screc_delta_bound(size_t head_len, size_t stack_len);

/*
 * Encode one sample of thread tid, made in the writer's zstd frame number
 * frame: head (head_len bytes, a multiple of 8: the kernel's sample before
 * its stack size field), its stack at address sp (stack_len bytes, a
 * multiple of 8) and dyn_size, as a SCREC_PERF_STACK_XOR record body
 * (format 3, SCREC_FEAT_HEAD_XOR) into out (screc_delta_bound() bytes),
 * against the thread's last stack when written in the same frame, else as
 * a KEY.  Sets *out_len; the stack
 * becomes the thread's last.  Returns 0, -EINVAL for sizes the format cannot
 * hold (the caller writes the sample as it is), or -ENOMEM.
 */
int screc_delta_encode(struct screc_delta *d, uint64_t frame, uint32_t tid, uint64_t sp,
		       const uint8_t *head, size_t head_len, const uint8_t *stack, size_t stack_len,
		       uint64_t dyn_size, uint8_t *out, size_t *out_len);

/*
 * Rebuild the kernel sample from a delta record's body (rec points at the
 * struct screc_perf_stack_delta, len bytes readable; SCREC_PERF_STACK_DELTA
 * of format 2 or SCREC_PERF_STACK_XOR of format 3) into out (out_cap bytes)
 * as a whole SCREC_REC_PERF record, its header included; sets *out_len.
 * Every length and the base are checked: -EBADMSG (with *why set) for a
 * record that does not hold what it promises or names a base that is not
 * there, -ENOMEM.
 */
int screc_delta_decode(struct screc_delta *d, const uint8_t *rec, size_t len, uint8_t *out,
		       size_t out_cap, size_t *out_len, const char **why);

/* Free the stacks held; the struct itself is the caller's.  NULL is a no-op. */
void screc_delta_release(struct screc_delta *d);

#endif
