// SPDX-License-Identifier: MIT
/*
 * Parsing the kernel's perf records against the attributes a recording
 * declares: every field of a syscall-entry sample, every shorter length
 * refused, sizes inside the record that lie, a kernel record larger than the
 * screc record that holds it, side-band sample_id_all fields,
 * register lookup by perf index, and attribute records that lie about their
 * id count.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/perf-record.h"
#include "synth.h"
#include "tap.h"

#define ENTER_TYPE	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | \
			 PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW | \
			 PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER)
#define TRACK_TYPE	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
			 PERF_SAMPLE_CPU)
#define REGS_MASK	0xff0fffull

/* An ATTR record with the given ids, in a buffer the caller frees. */
static struct screc_rec *
attr_rec(uint32_t kind, uint64_t sample_type, uint32_t stack, const uint64_t *ids, uint32_t nr)
{
	struct screc_rec_attr ra = {
		.hdr = { SCREC_REC_ATTR, (uint32_t)(sizeof(ra) + 8 * nr) },
		.kind = kind,
		.tp_id = 7,
		.sample_type = sample_type,
		.sample_regs_user = stack ? REGS_MASK : 0,
		.sample_stack_user = stack,
		.nr_ids = nr,
	};
	uint8_t *buf = malloc(sizeof(ra) + 8 * nr + 8);

	memcpy(buf, &ra, sizeof(ra));
	if (nr)
		memcpy(buf + sizeof(ra), ids, 8 * nr);
	return (struct screc_rec *)buf;
}

static void
setup(struct screc_attrs *a)
{
	uint64_t enter[2] = { SYNTH_ID_ENTER, SYNTH_ID_ENTER + 1 };
	uint64_t track[1] = { SYNTH_ID_TRACKING };
	struct screc_rec *r;

	r = attr_rec(SCREC_ATTR_ENTER, ENTER_TYPE, 256, enter, 2);
	tap_is(screc_attrs_add(a, r), 0, "enter attribute added");
	free(r);
	r = attr_rec(SCREC_ATTR_TRACKING, TRACK_TYPE, 0, track, 1);
	tap_is(screc_attrs_add(a, r), 0, "tracking attribute added");
	free(r);
}

static void
test_attrs(void)
{
	struct screc_attrs a = { 0 };
	uint64_t ids[3] = { 5, 1, 9 };
	struct screc_rec *r;
	int i;

	r = attr_rec(SCREC_ATTR_EXIT, TRACK_TYPE, 0, ids, 3);
	tap_is(screc_attrs_add(&a, r), 0, "three ids");
	r->size -= 8;
	tap_is(screc_attrs_add(&a, r), -EBADMSG, "more ids than the record holds: -EBADMSG");
	r->size = 16;
	tap_is(screc_attrs_add(&a, r), -EBADMSG, "record shorter than an attribute: -EBADMSG");
	free(r);
	tap_ok(screc_attrs_find(&a, 9) && screc_attrs_find(&a, 1) && screc_attrs_find(&a, 5),
	       "every id found");
	tap_ok(!screc_attrs_find(&a, 4) && !screc_attrs_find(&a, 0) && !screc_attrs_find(&a, 10),
	       "other ids not found");
	screc_attrs_release(&a);
	tap_ok(a.nr_attrs == 0 && a.nr_ids == 0 && !a.attrs, "release empties");

	/* Attributes without ids (an event that opened nowhere) must not break the table. */
	for (i = 0; i < 3; i++) {
		r = attr_rec(SCREC_ATTR_TRACKING, TRACK_TYPE, 0, NULL, 0);
		tap_is(screc_attrs_add(&a, r), 0, "attribute %d without ids", i);
		free(r);
	}
	r = attr_rec(SCREC_ATTR_EXIT, TRACK_TYPE, 0, ids, 3);
	tap_is(screc_attrs_add(&a, r), 0, "then one with ids");
	free(r);
	tap_ok(screc_attrs_find(&a, 9) && screc_attrs_find(&a, 9)->kind == SCREC_ATTR_EXIT,
	       "its id found");
	screc_attrs_release(&a);
	tap_ok(a.nr_attrs == 0 && a.nr_ids == 0 && !a.attrs && !a.ids, "release empties");
	screc_attrs_release(&a);
	tap_ok(a.nr_attrs == 0 && a.nr_ids == 0 && !a.attrs && !a.ids,
	       "release twice leaves it empty");
	tap_is(screc_attrs_add(&a, r = attr_rec(SCREC_ATTR_EXIT, TRACK_TYPE, 0, ids, 3)), 0,
	       "and usable again");
	free(r);
	tap_ok(screc_attrs_find(&a, 5) != NULL, "with its ids");
	screc_attrs_release(&a);
}

static void
test_sample(void)
{
	struct screc_attrs a = { 0 };
	struct screc_sample s;
	uint8_t rec[1024];
	size_t len, cut;
	uint64_t v;
	unsigned bad = 0;

	setup(&a);
	len = synth_enter_sample(rec, 10, 11, 12345, 256, 200);
	tap_is(screc_sample_parse(&a, rec, len, &s), 0, "a syscall-entry sample parses");
	tap_ok(s.attr && s.attr->kind == SCREC_ATTR_ENTER, "its attribute");
	tap_is((long long)s.id, SYNTH_ID_ENTER, "id");
	tap_is((long long)s.ip, 0x7f0000001234ll, "ip");
	tap_ok(s.pid == 10 && s.tid == 11, "pid and tid");
	tap_is((long long)s.time, 12345, "time");
	tap_is(s.cpu, 1, "cpu");
	tap_is(s.raw_size, 44, "raw size");
	tap_is((long long)s.regs_abi, PERF_SAMPLE_REGS_ABI_64, "regs abi");
	tap_is(s.nr_regs, 20, "20 registers");
	tap_is((long long)s.stack_size, 200, "stack size is the valid part (dyn_size)");
	tap_is((long long)s.stack_dyn_size, 200, "dyn_size");
	tap_ok(s.stack == rec + len - 8 - 256, "stack data where the kernel puts it");
	tap_ok(screc_sample_reg(&s, 0, &v) == 0 && v == 11, "register 0 (ax)");
	tap_ok(screc_sample_reg(&s, 11, &v) == 0 && v == 0x1000u * 11 + 11, "register 11 (r11)");
	tap_is(screc_sample_reg(&s, 12, &v), -ENOENT, "register 12 (ds) not in the mask");
	tap_ok(screc_sample_reg(&s, 16, &v) == 0 && v == 0x1000u * 12 + 11,
	       "register 16 (r8) is the 13th value");
	tap_ok(screc_sample_reg(&s, 23, &v) == 0 && v == 0x1000u * 19 + 11,
	       "register 23 (r15) is the last value");
	tap_is(screc_sample_reg(&s, 24, &v), -ENOENT, "register 24 not asked");
	tap_is(screc_sample_reg(&s, 64, &v), -ENOENT, "register 64 does not exist");
	tap_is(screc_sample_reg(&s, 1000, &v), -ENOENT, "register 1000 does not exist");

	/* Every shorter record, and every shorter readable length. */
	for (cut = 0; cut < len; cut++) {
		struct perf_event_header h;

		memcpy(&h, rec, sizeof(h));
		if (screc_sample_parse(&a, rec, cut, &s) != -EBADMSG)
			bad++;
		if (cut < sizeof(h))
			continue;
		h.size = (uint16_t)cut;
		memcpy(rec, &h, sizeof(h));
		if (screc_sample_parse(&a, rec, len, &s) != -EBADMSG)
			bad++;
		h.size = (uint16_t)len;
		memcpy(rec, &h, sizeof(h));
	}
	tap_is(bad, 0, "every cut of the sample: -EBADMSG");

	len = synth_enter_sample(rec, 10, 11, 1, 256, 100000);
	tap_is(screc_sample_parse(&a, rec, len, &s), 0, "dyn_size above the size");
	tap_is((long long)s.stack_size, 256, "stack size capped by the bytes present");

	len = synth_enter_sample(rec, 10, 11, 1, 0, 0);
	tap_is(screc_sample_parse(&a, rec, len, &s), 0, "an empty stack (size 0, no dyn_size)");
	tap_ok(s.stack == NULL && s.stack_size == 0, "no stack");

	/* Sizes inside the sample that lie. */
	len = synth_enter_sample(rec, 10, 11, 1, 256, 256);
	{
		size_t raw_at = 8 + 8 + 8 + 8 + 8 + 8;
		size_t stack_at = raw_at + 48 + 8 + 20 * 8;
		uint32_t raw = 0xfffffff0u;
		uint64_t big = 1ull << 40, huge = ~0ull, zero_abi = 0;
		uint8_t copy[1024];

		memcpy(copy, rec, len);
		memcpy(copy + raw_at, &raw, 4);
		tap_is(screc_sample_parse(&a, copy, len, &s), -EBADMSG, "raw size past the end");
		memcpy(copy, rec, len);
		memcpy(copy + stack_at, &big, 8);
		tap_is(screc_sample_parse(&a, copy, len, &s), -EBADMSG, "stack size past the end");
		memcpy(copy + stack_at, &huge, 8);
		tap_is(screc_sample_parse(&a, copy, len, &s), -EBADMSG, "stack size ~0");
		memcpy(copy, rec, len);
		memcpy(copy + raw_at + 48, &zero_abi, 8);
		{
			int ret = screc_sample_parse(&a, copy, len, &s);

			tap_ok(ret == -EBADMSG || (ret == 0 && !s.regs && s.nr_regs == 0),
			       "abi 0: no registers taken (status %d)", ret);
		}
	}

	/* An id nobody declared. */
	{
		uint64_t id = 99999;

		memcpy(rec + 8, &id, 8);
		tap_is(screc_sample_parse(&a, rec, len, &s), -ENOENT, "unknown id: -ENOENT");
	}
	screc_attrs_release(&a);
}

static void
test_sample_types(void)
{
	uint64_t ids[1] = { 1 };
	struct screc_attrs a = { 0 };
	struct screc_sample s;
	struct screc_rec *r;
	uint8_t rec[64] = { 0 };
	struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, 64 };

	memcpy(rec, &h, sizeof(h));
	memcpy(rec + 8, ids, 8);
	r = attr_rec(SCREC_ATTR_EXIT, PERF_SAMPLE_TID, 0, ids, 1);
	screc_attrs_add(&a, r);
	free(r);
	tap_is(screc_sample_parse(&a, rec, sizeof(rec), &s), -EBADMSG,
	       "attribute without PERF_SAMPLE_IDENTIFIER: -EBADMSG");
	screc_attrs_release(&a);
	r = attr_rec(SCREC_ATTR_EXIT, PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_CALLCHAIN, 0, ids, 1);
	screc_attrs_add(&a, r);
	free(r);
	tap_is(screc_sample_parse(&a, rec, sizeof(rec), &s), -EBADMSG,
	       "a sample field the recorder never asks for: -EBADMSG");
	screc_attrs_release(&a);
}

static void
test_sample_id(void)
{
	struct screc_attrs a = { 0 };
	struct screc_sample s;
	uint8_t rec[64];
	struct perf_event_header h = { PERF_RECORD_COMM, 0, 0 };
	uint32_t v[2] = { 10, 11 };
	uint64_t t = 777, cpu = 1, id = SYNTH_ID_TRACKING;
	size_t off = sizeof(h);

	setup(&a);
	memcpy(rec + off, v, 8);
	off += 8;
	memcpy(rec + off, "comm\0\0\0\0", 8);
	off += 8;
	memcpy(rec + off, v, 8);
	off += 8;
	memcpy(rec + off, &t, 8);
	off += 8;
	memcpy(rec + off, &cpu, 8);
	off += 8;
	memcpy(rec + off, &id, 8);
	off += 8;
	h.size = (uint16_t)off;
	memcpy(rec, &h, sizeof(h));
	tap_is(screc_sample_id_parse(&a, rec, off, &s), 0, "side-band sample_id_all parses");
	tap_ok(s.pid == 10 && s.tid == 11 && s.time == 777 && s.cpu == 1, "pid, tid, time, cpu");
	tap_is(screc_sample_id_parse(&a, rec, off - 1, &s), -EBADMSG, "readable length short");
	h.size = 8 + 24;
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + 24, &id, 8);
	tap_is(screc_sample_id_parse(&a, rec, off, &s), -EBADMSG, "fields larger than the record");
	h.size = 8;
	memcpy(rec, &h, sizeof(h));
	tap_is(screc_sample_id_parse(&a, rec, off, &s), -EBADMSG, "no room for an id");
	h.size = (uint16_t)off;
	memcpy(rec, &h, sizeof(h));
	id = 5;
	memcpy(rec + off - 8, &id, 8);
	tap_is(screc_sample_id_parse(&a, rec, off, &s), -ENOENT, "unknown id: -ENOENT");
	tap_is(screc_sample_id_parse(&a, rec, 4, &s), -EBADMSG, "less than a header");
	screc_attrs_release(&a);
}

/*
 * A kernel record inside a SCREC_REC_PERF record: its own size
 * (perf_event_header.size) must fit the container.  One that overruns it by
 * 8 bytes, the padding a container may have, is refused by both the
 * container getter and the sample parser; one that fills it exactly, or
 * leaves padding, is taken.  The buffer has room beyond the container, so a
 * bound that is off reads bytes that are there and fails the check rather
 * than the process.
 */
static void
test_container(void)
{
	struct screc_attrs a = { 0 };
	struct perf_event_header h;
	struct screc_sample s;
	const uint8_t *perf;
	uint8_t buf[2048] = { 0 };
	struct screc_rec *rec = (struct screc_rec *)buf;
	size_t len, body;

	setup(&a);
	len = synth_enter_sample(buf + sizeof(*rec), 10, 11, 1, 256, 256);
	body = (len + 7) & ~(size_t)7;
	rec->type = SCREC_REC_PERF;
	rec->size = (uint32_t)(sizeof(*rec) + body);
	tap_is(screc_rec_perf(rec, &perf, &h), 0, "a sample in its container");
	tap_ok(perf == buf + sizeof(*rec) && h.size == len, "  points at it, with its size");
	tap_is(screc_sample_parse(&a, perf, rec->size - sizeof(*rec), &s), 0, "  and parses");

	/* The inner size overruns the container by 8 bytes. */
	rec->size = (uint32_t)(sizeof(*rec) + len - 8);
	tap_is(screc_rec_perf(rec, &perf, &h), -EBADMSG,
	       "inner size 8 bytes past the container: screc_rec_perf refuses it");
	tap_is(screc_sample_parse(&a, perf, rec->size - sizeof(*rec), &s), -EBADMSG,
	       "inner size 8 bytes past the container: screc_sample_parse refuses it");
	/* Exactly the container. */
	rec->size = (uint32_t)(sizeof(*rec) + len);
	tap_is(screc_rec_perf(rec, &perf, &h), 0, "inner size equal to the container: taken");
	/* Less than a header inside, or a container too small for one. */
	h.size = 4;
	memcpy(buf + sizeof(*rec), &h, sizeof(h));
	tap_is(screc_rec_perf(rec, &perf, &h), -EBADMSG, "inner size below a header: refused");
	rec->size = sizeof(*rec) + 4;
	tap_is(screc_rec_perf(rec, &perf, &h), -EBADMSG, "a container smaller than a header");
	rec->size = 4;
	tap_is(screc_rec_perf(rec, &perf, &h), -EBADMSG, "a container smaller than its own header");
	screc_attrs_release(&a);
}

static void
test_names(void)
{
	tap_ok(strcmp(screc_perf_type_name(PERF_RECORD_MMAP2), "MMAP2") == 0, "MMAP2 named");
	tap_ok(strcmp(screc_perf_type_name(PERF_RECORD_LOST_SAMPLES), "LOST_SAMPLES") == 0,
	       "LOST_SAMPLES named");
	tap_ok(screc_perf_type_name(0) == NULL, "type 0 has no name");
	tap_ok(screc_perf_type_name(100000) == NULL, "type 100000 has no name");
}

int
main(void)
{
	test_attrs();
	test_sample();
	test_sample_types();
	test_sample_id();
	test_container();
	test_names();
	return tap_done();
}
