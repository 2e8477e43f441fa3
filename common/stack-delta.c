// SPDX-License-Identifier: MIT
/*
 * Stack snapshots as deltas against the previous snapshot of the same
 * thread (format.h, SCREC_FEAT_STACK_DELTA).  The encoder compares 8-byte
 * words at the same addresses and stores the runs that differ; the decoder
 * checks every length against what is there before it copies.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stack-delta.h"

#define WORDS_MAX	0xffffu
#define HEAD_MAX	SCREC_DELTA_HEAD_MAX
/*
 * A head whose runs are more than this goes XORed whole: git status, every
 * syscall, changes 7 to 8 words of its 36 (time, registers) and stores
 * 170 KB XORed, 179 KB as runs; a loop that changes 1 to 3 stores less as
 * runs (connect-depth: 455 KB XORed, 369 KB as runs).
 */
#define HEAD_XOR_RUNS	6u

static size_t
pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

size_t
screc_delta_bound(size_t head_len, size_t stack_len)
{
	/* Pairs and head whole, the stack as one run. */
	return sizeof(struct screc_perf_stack_delta) +
	       pad8(SCREC_DELTA_PAIRS_MAX * sizeof(struct screc_delta_pair) + head_len) + 8 +
	       sizeof(struct screc_delta_run) + stack_len + 8;
}

static struct screc_delta_slot *
slot_of(struct screc_delta *d, uint32_t tid)
{
	return &d->slots[tid % SCREC_DELTA_SLOTS];
}

/* The slot's head and stack. */
static inline uint8_t *
slot_head(const struct screc_delta_slot *s)
{
	return s->mem;
}

static inline uint8_t *
slot_stack(const struct screc_delta_slot *s)
{
	return s->mem + HEAD_MAX;
}

/* Make slot hold len bytes of stack for tid.  Returns 0 or -ENOMEM. */
static int
slot_take(struct screc_delta_slot *s, uint32_t tid, size_t len)
{
	if (!s->mem || len > s->cap) {
		size_t cap = len < 8192 ? 8192 : len;
		uint8_t *b = realloc(s->mem, HEAD_MAX + cap);

		if (!b) {
			s->used = 0;
			return -ENOMEM;
		}
		s->mem = b;
		s->cap = cap;
	}
	s->tid = tid;
	s->len = (uint32_t)len;
	s->used = 1;
	return 0;
}

/* Word i of the stack rebuilt from base at shift: its bytes there, or zero outside. */
static inline uint64_t
base_word(const uint8_t *base, size_t base_len, int64_t shift, size_t i)
{
	int64_t off = (int64_t)(i * 8) + shift;
	uint64_t w = 0;

	if (off >= 0 && (uint64_t)off <= base_len && base_len - (uint64_t)off >= 8)
		memcpy(&w, base + off, 8);
	return w;
}

/*
 * The runs that turn base (at shift) into the n words of cur, written at out
 * and at most limit bytes.  Returns their length, or (size_t)-1 past limit.
 */
static size_t
runs_encode(const uint8_t *cur, size_t n, const uint8_t *base, size_t base_len, int64_t shift,
	    uint8_t *out, size_t limit)
{
	size_t i = 0, last = 0, p = 0;

	while (i < n) {
		struct screc_delta_run run;
		uint64_t w;
		size_t start;

		memcpy(&w, cur + i * 8, 8);
		if (w == base_word(base, base_len, shift, i)) {
			i++;
			continue;
		}
		start = i;
		for (i++; i < n; i++) {
			memcpy(&w, cur + i * 8, 8);
			if (w == base_word(base, base_len, shift, i))
				break;
		}
		if (p + sizeof(run) + (i - start) * 8 > limit)
			return (size_t)-1;
		run.skip_words = (uint16_t)(start - last);
		run.nr_words = (uint16_t)(i - start);
		memcpy(out + p, &run, sizeof(run));
		p += sizeof(run);
		memcpy(out + p, cur + start * 8, (i - start) * 8);
		p += (i - start) * 8;
		last = i;
	}
	return p;
}

/* Apply len bytes of runs to the n words at dst.  Returns 0 or -EBADMSG. */
static int
runs_apply(uint8_t *dst, size_t n, const uint8_t *runs, size_t len)
{
	size_t pos = 0, at = 0;

	while (pos < len) {
		struct screc_delta_run run;

		if (len - pos < sizeof(run))
			return -EBADMSG;
		memcpy(&run, runs + pos, sizeof(run));
		pos += sizeof(run);
		if (run.skip_words > n - at || run.nr_words > n - at - run.skip_words)
			return -EBADMSG;
		if ((size_t)run.nr_words * 8 > len - pos)
			return -EBADMSG;
		at += run.skip_words;
		memcpy(dst + at * 8, runs + pos, (size_t)run.nr_words * 8);
		pos += (size_t)run.nr_words * 8;
		at += run.nr_words;
	}
	return 0;
}

static inline uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline void
xor64(uint8_t *p, uint64_t v)
{
	uint64_t w;

	memcpy(&w, p, 8);
	w ^= v;
	memcpy(p, &w, 8);
}

/* How many runs len bytes of them hold. */
static size_t
runs_count(const uint8_t *runs, size_t len)
{
	size_t pos = 0, n = 0;

	while (pos < len) {
		struct screc_delta_run run;

		memcpy(&run, runs + pos, sizeof(run));
		pos += sizeof(run) + (size_t)run.nr_words * 8;
		n++;
	}
	return n;
}


#define PAIR_HASH	128u		/* entries; holds the last PAIR_SOURCES words */
#define PAIR_SOURCES	96u
/*
 * Smaller values (fds, lengths, flags) pair by chance with unrelated
 * registers, and a pair that comes and goes costs more than it saves: 200
 * threads' connects stored 1.7% more with every nonzero value paired.
 */
#define PAIR_MIN	256u

/*
 * The pairs of head (format.h): each 8-byte window, at every 4 bytes, that
 * equals an aligned word further on (a syscall argument and its register),
 * of PAIR_MIN or more.
 * Taken in increasing order, each window before the sources already taken,
 * with the last word of that value, so that the most windows fit.  Returns
 * their number.
 */
static uint32_t
pairs_find(const uint8_t *head, size_t head_len, struct screc_delta_pair *pairs)
{
	struct {
		uint64_t v;
		uint16_t off;		/* 0: empty */
	} tab[PAIR_HASH];
	size_t first = 8, o, min_src = head_len;
	uint32_t n = 0;

	if (head_len / 8 > PAIR_SOURCES + 1)
		first = head_len - PAIR_SOURCES * 8;
	memset(tab, 0, sizeof(tab));
	for (o = first; o < head_len; o += 8) {
		uint64_t v = load64(head + o);
		size_t h = (size_t)((v * 0x9e3779b97f4a7c15ull) >> 57);

		if (v < PAIR_MIN)
			continue;
		while (tab[h].off && tab[h].v != v)
			h = (h + 1) % PAIR_HASH;
		tab[h].v = v;
		tab[h].off = (uint16_t)o;
	}
	for (o = 8; o + 8 <= min_src && o + 16 <= head_len && n < SCREC_DELTA_PAIRS_MAX;) {
		uint64_t v = load64(head + o);
		size_t h = (size_t)((v * 0x9e3779b97f4a7c15ull) >> 57);

		if (v >= PAIR_MIN) {
			while (tab[h].off && tab[h].v != v)
				h = (h + 1) % PAIR_HASH;
			if (tab[h].off && tab[h].off >= o + 8) {
				pairs[n].dst = (uint16_t)o;
				pairs[n].src = tab[h].off;
				n++;
				if (tab[h].off < min_src)
					min_src = tab[h].off;
				o += 8;
				continue;
			}
		}
		o += 4;
	}
	return n;
}

int
screc_delta_encode(struct screc_delta *d, uint64_t frame, uint32_t tid, uint64_t sp,
		   const uint8_t *head, size_t head_len, const uint8_t *stack, size_t stack_len,
		   uint64_t dyn_size, uint8_t *out, size_t *out_len)
{
	struct screc_delta_slot *s = slot_of(d, tid);
	struct screc_perf_stack_delta h = {
		.type = SCREC_PERF_STACK_XOR,
		.tid = tid,
		.head_len = (uint32_t)head_len,
		.stack_len = (uint32_t)stack_len,
		.dyn_size = dyn_size,
	};
	size_t n = stack_len / 8, p = sizeof(h), len = (size_t)-1, i;
	bool base = s->used && s->tid == tid && s->frame == frame;
	struct screc_delta_pair pairs[SCREC_DELTA_PAIRS_MAX];
	uint8_t cur[HEAD_MAX], *oh;
	struct perf_event_header ph;
	uint32_t nr_pairs, stored;

	if (head_len % 8 || head_len < sizeof(ph) || head_len > HEAD_MAX ||
	    stack_len % 8 || n > WORDS_MAX)
		return -EINVAL;
	/* The head's perf size is stored as 0: the reader knows it. */
	memcpy(cur, head, head_len);
	memcpy(&ph, cur, sizeof(ph));
	ph.size = 0;
	memcpy(cur, &ph, sizeof(ph));
	nr_pairs = pairs_find(cur, head_len, pairs);
	/* Sources lie after every window: XOR in place. */
	for (i = 0; i < nr_pairs; i++)
		xor64(cur + pairs[i].dst, load64(cur + pairs[i].src));
	if (base && s->head_len == head_len && nr_pairs && nr_pairs == s->nr_pairs &&
	    !memcmp(pairs, s->pairs, nr_pairs * sizeof(pairs[0]))) {
		h.flags |= SCREC_DELTA_PAIRS_BASE;
		stored = 0;
	} else {
		stored = nr_pairs;
		memcpy(out + p, pairs, nr_pairs * sizeof(pairs[0]));
	}
	h.misc = (uint16_t)stored;
	oh = out + p + stored * sizeof(pairs[0]);
	if (base && s->head_len == head_len) {
		len = runs_encode(cur, head_len / 8, slot_head(s), head_len, 0, oh, head_len);
		if (len != (size_t)-1 && runs_count(oh, len) > HEAD_XOR_RUNS) {
			const uint8_t *bh = slot_head(s);

			memcpy(oh, cur, head_len);
			for (i = 0; i < head_len; i += 8)
				xor64(oh + i, load64(bh + i));
			len = head_len;
			h.flags |= SCREC_DELTA_HEAD_XOR;
		} else if (len != (size_t)-1) {
			h.flags |= SCREC_DELTA_HEAD;
		}
	}
	if (len == (size_t)-1) {
		len = head_len;
		memcpy(oh, cur, head_len);
	}
	len += stored * sizeof(pairs[0]);
	h.head_data_len = (uint32_t)len;
	memset(out + p + len, 0, pad8(len) - len);
	p += pad8(len);
	len = (size_t)-1;
	if (base) {
		h.shift = (int64_t)(sp - s->sp);
		/* No larger than the stack whole. */
		len = runs_encode(stack, n, slot_stack(s), s->len, h.shift, out + p, stack_len);
	}
	if (len == (size_t)-1) {
		struct screc_delta_run run = { 0, (uint16_t)n };

		h.flags |= SCREC_DELTA_KEY;
		h.shift = 0;
		len = 0;
		if (n) {
			memcpy(out + p, &run, sizeof(run));
			memcpy(out + p + sizeof(run), stack, stack_len);
			len = sizeof(run) + stack_len;
		}
	}
	h.runs_len = (uint32_t)len;
	p += len;
	memcpy(out, &h, sizeof(h));
	*out_len = p;
	if (slot_take(s, tid, stack_len))
		return -ENOMEM;
	if (stack_len)
		memcpy(slot_stack(s), stack, stack_len);
	memcpy(slot_head(s), cur, head_len);
	s->head_len = (uint32_t)head_len;
	s->frame = frame;
	s->sp = sp;
	s->nr_pairs = nr_pairs;
	memcpy(s->pairs, pairs, nr_pairs * sizeof(pairs[0]));
	return 0;
}

static int
bad(const char **why, const char *what)
{
	*why = what;
	return -EBADMSG;
}

/*
 * The pairs of a SCREC_PERF_STACK_XOR record, nr of them at p, checked
 * against format.h's rules for a head of head_len bytes.
 */
static int
pairs_check(const struct screc_delta_pair *pairs, uint32_t nr, size_t head_len)
{
	size_t end = 8, min_src = head_len;
	uint32_t i;

	for (i = 0; i < nr; i++) {
		if (pairs[i].dst < end || pairs[i].src > head_len - 8 || pairs[i].dst > head_len - 8)
			return -EBADMSG;
		end = (size_t)pairs[i].dst + 8;
		if (pairs[i].src < min_src)
			min_src = pairs[i].src;
	}
	return end <= min_src ? 0 : -EBADMSG;
}

int
screc_delta_decode(struct screc_delta *d, const uint8_t *rec, size_t len, uint8_t *out,
		   size_t out_cap, size_t *out_len, const char **why)
{
	struct screc_delta_pair pairs[SCREC_DELTA_PAIRS_MAX];
	struct screc_perf_stack_delta h;
	struct perf_event_header ph;
	struct screc_delta_slot *s;
	const uint8_t *data;
	size_t n, total, i, room, pairs_len = 0;
	uint32_t nr_pairs = 0;
	uint8_t *head, *stack;
	struct screc_rec rh;
	uint64_t size_field;
	bool base, xor;

	if (len < sizeof(h))
		return bad(why, "stack delta: shorter than its header");
	memcpy(&h, rec, sizeof(h));
	xor = h.type == SCREC_PERF_STACK_XOR;
	room = len - sizeof(h);
	if (h.head_len % 8 || h.head_len < sizeof(ph) || h.head_len > HEAD_MAX)
		return bad(why, "stack delta: bad head length");
	if (!xor && (h.flags & (SCREC_DELTA_HEAD_XOR | SCREC_DELTA_PAIRS_BASE)))
		return bad(why, "stack delta: format 3's flags in a format-2 delta");
	if ((h.flags & SCREC_DELTA_PAIRS_BASE) && h.misc)
		return bad(why, "stack delta: pairs stored and taken from the base");
	if ((h.flags & SCREC_DELTA_HEAD) && (h.flags & SCREC_DELTA_HEAD_XOR))
		return bad(why, "stack delta: two forms of head");
	if (xor) {
		if (h.misc > SCREC_DELTA_PAIRS_MAX)
			return bad(why, "stack delta: too many pairs");
		pairs_len = h.misc * sizeof(pairs[0]);
		if (h.head_data_len < pairs_len)
			return bad(why, "stack delta: bad head length");
	}
	if (h.head_data_len > room || pad8(h.head_data_len) > room ||
	    (!(h.flags & SCREC_DELTA_HEAD) && h.head_data_len != pairs_len + h.head_len))
		return bad(why, "stack delta: bad head length");
	room -= pad8(h.head_data_len);
	if (h.runs_len > room)
		return bad(why, "stack delta: runs past the record");
	if (h.stack_len % 8 || h.stack_len / 8 > WORDS_MAX)
		return bad(why, "stack delta: bad stack length");
	if (h.dyn_size > h.stack_len)
		return bad(why, "stack delta: valid size beyond the stack");
	total = h.head_len + 8 + (size_t)h.stack_len + 8;
	if (total > 0xffff || sizeof(rh) + total > out_cap)
		return bad(why, "stack delta: the sample would be too large");
	s = slot_of(d, h.tid);
	base = s->used && s->tid == h.tid;
	if (!(h.flags & SCREC_DELTA_KEY) && !base)
		return bad(why, "stack delta: no earlier stack of its thread");
	if ((h.flags & (SCREC_DELTA_HEAD | SCREC_DELTA_HEAD_XOR | SCREC_DELTA_PAIRS_BASE)) &&
	    (!base || s->head_len != h.head_len))
		return bad(why, "stack delta: no earlier head of its thread");

	head = out + sizeof(rh);
	data = rec + sizeof(h);
	if (h.flags & SCREC_DELTA_PAIRS_BASE) {
		/* Checked when they came; the head's length is the same. */
		nr_pairs = s->nr_pairs;
		memcpy(pairs, s->pairs, nr_pairs * sizeof(pairs[0]));
	} else if (xor) {
		nr_pairs = h.misc;
		memcpy(pairs, data, pairs_len);
		if (pairs_check(pairs, nr_pairs, h.head_len))
			return bad(why, "stack delta: bad pairs");
	}
	if (h.flags & SCREC_DELTA_HEAD) {
		memcpy(head, slot_head(s), h.head_len);
		if (runs_apply(head, h.head_len / 8, data + pairs_len, h.head_data_len - pairs_len))
			return bad(why, "stack delta: a run past the head");
	} else {
		memcpy(head, data + pairs_len, h.head_len);
		if (h.flags & SCREC_DELTA_HEAD_XOR) {
			const uint8_t *bh = slot_head(s);

			for (i = 0; i < h.head_len; i += 8)
				xor64(head + i, load64(bh + i));
		}
	}
	size_field = h.stack_len;
	memcpy(head + h.head_len, &size_field, 8);
	stack = head + h.head_len + 8;
	n = h.stack_len / 8;
	if (h.flags & SCREC_DELTA_KEY) {
		memset(stack, 0, h.stack_len);
	} else {
		for (i = 0; i < n; i++) {
			uint64_t w = base_word(slot_stack(s), s->len, h.shift, i);

			memcpy(stack + i * 8, &w, 8);
		}
	}
	if (runs_apply(stack, n, data + pad8(h.head_data_len), h.runs_len))
		return bad(why, "stack delta: a run past the stack");
	memcpy(stack + h.stack_len, &h.dyn_size, 8);
	/* The slot keeps the head as stored (paired, for format 3), then the pairs are undone. */
	if (slot_take(s, h.tid, h.stack_len))
		return -ENOMEM;
	if (h.stack_len)
		memcpy(slot_stack(s), stack, h.stack_len);
	memcpy(slot_head(s), head, h.head_len);
	s->head_len = h.head_len;
	s->nr_pairs = nr_pairs;
	memcpy(s->pairs, pairs, nr_pairs * sizeof(pairs[0]));
	for (i = 0; i < nr_pairs; i++)
		xor64(head + pairs[i].dst, load64(head + pairs[i].src));
	memcpy(&ph, head, sizeof(ph));
	if (ph.type != PERF_RECORD_SAMPLE || ph.size != 0)
		return bad(why, "stack delta: not a sample");
	ph.size = (uint16_t)total;
	memcpy(head, &ph, sizeof(ph));
	rh = (struct screc_rec){ SCREC_REC_PERF, (uint32_t)(sizeof(rh) + total) };
	memcpy(out, &rh, sizeof(rh));
	*out_len = sizeof(rh) + total;
	return 0;
}

void
screc_delta_release(struct screc_delta *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < SCREC_DELTA_SLOTS; i++) {
		if (!d->slots[i].mem && !d->slots[i].used)
			continue;
		free(d->slots[i].mem);
		d->slots[i] = (struct screc_delta_slot){ 0 };
	}
}
