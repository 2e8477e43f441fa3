// SPDX-License-Identifier: MIT
/*
 * Parsing perf sample layouts.  The field order is the kernel's (see
 * perf_output_sample()); every field read goes through take(), which checks
 * the remaining length first.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "perf-record.h"

struct cursor {
	const uint8_t *p;
	size_t left;
};

static bool
take(struct cursor *c, size_t n, const uint8_t **out)
{
	if (n > c->left)
		return false;
	if (out)
		*out = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static bool
take_u64(struct cursor *c, uint64_t *v)
{
	const uint8_t *p;

	if (!take(c, 8, &p))
		return false;
	memcpy(v, p, 8);
	return true;
}

static int
cmp_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
screc_attrs_add(struct screc_attrs *a, const struct screc_rec *rec)
{
	struct screc_rec_attr ra;
	struct screc_attr *na;
	const uint8_t *ids;
	size_t i;
	void *ni;

	if (rec->size < sizeof(ra))
		return -EBADMSG;
	memcpy(&ra, rec, sizeof(ra));
	if (ra.nr_ids > (rec->size - sizeof(ra)) / 8)
		return -EBADMSG;
	na = realloc(a->attrs, (a->nr_attrs + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	a->attrs = na;
	/* Never realloc to 0 bytes: that frees the table and returns NULL. */
	if (ra.nr_ids) {
		ni = realloc(a->ids, (a->nr_ids + ra.nr_ids) * sizeof(*a->ids));
		if (!ni)
			return -ENOMEM;
		a->ids = ni;
	}
	na[a->nr_attrs] = (struct screc_attr){
		.kind = ra.kind,
		.tp_id = ra.tp_id,
		.sample_type = ra.sample_type,
		.sample_regs_user = ra.sample_regs_user,
		.sample_stack_user = ra.sample_stack_user,
	};
	ids = (const uint8_t *)rec + sizeof(ra);
	for (i = 0; i < ra.nr_ids; i++) {
		memcpy(&a->ids[a->nr_ids + i].id, ids + 8 * i, 8);
		a->ids[a->nr_ids + i].idx = (uint32_t)a->nr_attrs;
	}
	a->nr_attrs++;
	a->nr_ids += ra.nr_ids;
	if (ra.nr_ids)	/* a->ids may still be NULL otherwise, which qsort must not see */
		qsort(a->ids, a->nr_ids, sizeof(*a->ids), cmp_id);
	return 0;
}

const struct screc_attr *
screc_attrs_find(const struct screc_attrs *a, uint64_t id)
{
	size_t lo = 0, hi = a->nr_ids;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->ids[mid].id == id)
			return &a->attrs[a->ids[mid].idx];
		if (a->ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void
screc_attrs_release(struct screc_attrs *a)
{
	free(a->attrs);
	free(a->ids);
	memset(a, 0, sizeof(*a));
}

int
screc_sample_parse(const struct screc_attrs *a, const void *hdr, size_t len,
		   struct screc_sample *s)
{
	struct perf_event_header h;
	struct cursor c;
	const uint8_t *p;
	uint64_t t, v;

	memset(s, 0, sizeof(*s));
	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, hdr, sizeof(h));
	if (h.size < sizeof(h) || h.size > len)
		return -EBADMSG;
	c = (struct cursor){ (const uint8_t *)hdr + sizeof(h), h.size - sizeof(h) };
	if (!take_u64(&c, &s->id))
		return -EBADMSG;
	s->attr = screc_attrs_find(a, s->id);
	if (!s->attr)
		return -ENOENT;
	t = s->attr->sample_type;
	if (!(t & PERF_SAMPLE_IDENTIFIER))
		return -EBADMSG;
	if ((t & PERF_SAMPLE_IP) && !take_u64(&c, &s->ip))
		return -EBADMSG;
	if (t & PERF_SAMPLE_TID) {
		if (!take(&c, 8, &p))
			return -EBADMSG;
		memcpy(&s->pid, p, 4);
		memcpy(&s->tid, p + 4, 4);
	}
	if ((t & PERF_SAMPLE_TIME) && !take_u64(&c, &s->time))
		return -EBADMSG;
	if ((t & PERF_SAMPLE_ADDR) && !take(&c, 8, NULL))
		return -EBADMSG;
	if ((t & PERF_SAMPLE_ID) && !take(&c, 8, NULL))
		return -EBADMSG;
	if ((t & PERF_SAMPLE_STREAM_ID) && !take(&c, 8, NULL))
		return -EBADMSG;
	if (t & PERF_SAMPLE_CPU) {
		if (!take(&c, 8, &p))
			return -EBADMSG;
		memcpy(&s->cpu, p, 4);
	}
	if ((t & PERF_SAMPLE_PERIOD) && !take_u64(&c, &s->period))
		return -EBADMSG;
	if (t & (PERF_SAMPLE_READ | PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_BRANCH_STACK))
		return -EBADMSG;	/* never asked for by the recorder */
	if (t & PERF_SAMPLE_RAW) {
		uint32_t sz;

		if (!take(&c, 4, &p))
			return -EBADMSG;
		memcpy(&sz, p, 4);
		if (!take(&c, sz, &s->raw))
			return -EBADMSG;
		s->raw_size = sz;
	}
	if (t & PERF_SAMPLE_REGS_USER) {
		if (!take_u64(&c, &s->regs_abi))
			return -EBADMSG;
		if (s->regs_abi) {
			s->nr_regs = (uint32_t)__builtin_popcountll(s->attr->sample_regs_user);
			if (!take(&c, 8u * s->nr_regs, &p))
				return -EBADMSG;
			s->regs = p;
		}
	}
	if (t & PERF_SAMPLE_STACK_USER) {
		if (!take_u64(&c, &v))
			return -EBADMSG;
		if (v) {
			if (!take(&c, v, &s->stack) || !take_u64(&c, &s->stack_dyn_size))
				return -EBADMSG;
			s->stack_size = v;
			if (s->stack_dyn_size < s->stack_size)
				s->stack_size = s->stack_dyn_size;
		}
	}
	return 0;
}

int
screc_sample_id_parse(const struct screc_attrs *a, const void *hdr, size_t len,
		      struct screc_sample *s)
{
	struct perf_event_header h;
	struct cursor c;
	const uint8_t *end, *p;
	size_t need = 8;
	uint64_t t;

	memset(s, 0, sizeof(*s));
	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, hdr, sizeof(h));
	if (h.size < sizeof(h) + 8 || h.size > len)
		return -EBADMSG;
	end = (const uint8_t *)hdr + h.size;
	memcpy(&s->id, end - 8, 8);
	s->attr = screc_attrs_find(a, s->id);
	if (!s->attr)
		return -ENOENT;
	t = s->attr->sample_type;
	need = 8u * (unsigned)(!!(t & PERF_SAMPLE_TID) + !!(t & PERF_SAMPLE_TIME) +
			       !!(t & PERF_SAMPLE_ID) + !!(t & PERF_SAMPLE_STREAM_ID) +
			       !!(t & PERF_SAMPLE_CPU) + !!(t & PERF_SAMPLE_IDENTIFIER));
	if (need > h.size - sizeof(h))
		return -EBADMSG;
	c = (struct cursor){ end - need, need };
	/* need was checked above, so these takes cannot fail. */
	if ((t & PERF_SAMPLE_TID) && take(&c, 8, &p)) {
		memcpy(&s->pid, p, 4);
		memcpy(&s->tid, p + 4, 4);
	}
	if (t & PERF_SAMPLE_TIME)
		take_u64(&c, &s->time);
	if (t & PERF_SAMPLE_ID)
		take(&c, 8, NULL);
	if (t & PERF_SAMPLE_STREAM_ID)
		take(&c, 8, NULL);
	if ((t & PERF_SAMPLE_CPU) && take(&c, 8, &p))
		memcpy(&s->cpu, p, 4);
	return 0;
}

int
screc_sample_reg(const struct screc_sample *s, unsigned reg, uint64_t *val)
{
	uint64_t mask;
	unsigned idx;

	if (!s->regs || reg >= 64)
		return -ENOENT;
	mask = s->attr->sample_regs_user;
	if (!(mask & (1ull << reg)))
		return -ENOENT;
	idx = (unsigned)__builtin_popcountll(mask & ((1ull << reg) - 1));
	memcpy(val, (const uint8_t *)s->regs + 8u * idx, 8);
	return 0;
}

int
screc_mmap2_parse(const void *hdr, size_t len, struct screc_mmap2 *m)
{
	/* The kernel's layout after the header: pid, tid, addr, len, pgoff, 24 bytes of
	 * maj/min/ino/generation or build-id, prot, flags, then the file name. */
	const uint8_t *p = hdr;
	struct perf_event_header h;
	uint8_t bid_size;
	size_t n;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, p, sizeof(h));
	if (h.type != PERF_RECORD_MMAP2 || h.size > len || h.size < sizeof(h) + 64 + 1)
		return -EBADMSG;
	memset(m, 0, sizeof(*m));
	p += sizeof(h);
	memcpy(&m->pid, p, 4);
	memcpy(&m->tid, p + 4, 4);
	memcpy(&m->addr, p + 8, 8);
	memcpy(&m->len, p + 16, 8);
	memcpy(&m->pgoff, p + 24, 8);
	memcpy(&bid_size, p + 32, 1);
	memcpy(&m->prot, p + 56, 4);
	memcpy(&m->flags, p + 60, 4);
	if ((h.misc & PERF_RECORD_MISC_MMAP_BUILD_ID) && bid_size <= 20) {
		memcpy(m->build_id, p + 36, bid_size);
		m->build_id_len = bid_size;
	}
	n = strnlen((const char *)p + 64, h.size - sizeof(h) - 64);
	if (n == h.size - sizeof(h) - 64)
		return -EBADMSG;	/* not terminated */
	m->path = (const char *)p + 64;
	m->path_len = n;
	return 0;
}

int
screc_lost_parse(const void *hdr, size_t len, uint64_t *count)
{
	struct perf_event_header h;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, hdr, sizeof(h));
	if (h.size > len)
		return -EBADMSG;
	if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
		memcpy(count, (const uint8_t *)hdr + sizeof(h) + 8, 8);
		return 0;
	}
	if (h.type == PERF_RECORD_LOST_SAMPLES && h.size >= sizeof(h) + 8) {
		memcpy(count, (const uint8_t *)hdr + sizeof(h), 8);
		return 0;
	}
	return h.type == PERF_RECORD_LOST || h.type == PERF_RECORD_LOST_SAMPLES ? -EBADMSG : -ENOENT;
}

int
screc_rec_perf(const struct screc_rec *rec, const uint8_t **perf, struct perf_event_header *h)
{
	size_t len = rec->size - sizeof(*rec);

	*perf = (const uint8_t *)rec + sizeof(*rec);
	if (rec->size < sizeof(*rec) || len < sizeof(*h))
		return -EBADMSG;
	memcpy(h, *perf, sizeof(*h));
	if (h->size > len || h->size < sizeof(*h))
		return -EBADMSG;
	return 0;
}

const char *
screc_perf_type_name(uint32_t type)
{
	static const char *const names[] = {
		[PERF_RECORD_MMAP] = "MMAP",
		[PERF_RECORD_LOST] = "LOST",
		[PERF_RECORD_COMM] = "COMM",
		[PERF_RECORD_EXIT] = "EXIT",
		[PERF_RECORD_THROTTLE] = "THROTTLE",
		[PERF_RECORD_UNTHROTTLE] = "UNTHROTTLE",
		[PERF_RECORD_FORK] = "FORK",
		[PERF_RECORD_READ] = "READ",
		[PERF_RECORD_SAMPLE] = "SAMPLE",
		[PERF_RECORD_MMAP2] = "MMAP2",
		[PERF_RECORD_AUX] = "AUX",
		[PERF_RECORD_ITRACE_START] = "ITRACE_START",
		[PERF_RECORD_LOST_SAMPLES] = "LOST_SAMPLES",
		[PERF_RECORD_SWITCH] = "SWITCH",
		[PERF_RECORD_SWITCH_CPU_WIDE] = "SWITCH_CPU_WIDE",
		[PERF_RECORD_NAMESPACES] = "NAMESPACES",
		[PERF_RECORD_KSYMBOL] = "KSYMBOL",
		[PERF_RECORD_BPF_EVENT] = "BPF_EVENT",
		[PERF_RECORD_CGROUP] = "CGROUP",
		[PERF_RECORD_TEXT_POKE] = "TEXT_POKE",
	};

	if (type < sizeof(names) / sizeof(names[0]))
		return names[type];
	return NULL;
}
