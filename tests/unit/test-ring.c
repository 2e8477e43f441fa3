// SPDX-License-Identifier: MIT
/*
 * The recorder's ring draining, without a kernel: records laid into a fake
 * perf ring (wrapping at its end, header included) come out whole and in
 * order; syscall-entry stacks are cut to the valid part the kernel marked,
 * never longer than asked; lost counts are summed; an executable mapping
 * without a kernel build-id gets one read from the file, once per path; a
 * process the kernel dropped at its exec is noticed; the default ring size.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/buildid.h"
#include "common/reader.h"
#include "record/record.h"
#include "synth.h"
#include "tap.h"

#define STACK	512

static int fd = -1;

static void
session_init(struct session *s)
{
	static const uint64_t base = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
				     PERF_SAMPLE_CPU;
	struct {
		struct screc_rec_attr ra;
		uint64_t ids[1];
	} a[3] = {
		{ { { SCREC_REC_ATTR, 48 }, SCREC_ATTR_ENTER, 1,
		    base | PERF_SAMPLE_IP | PERF_SAMPLE_RAW | PERF_SAMPLE_REGS_USER |
		    PERF_SAMPLE_STACK_USER, 0xff0fff, STACK, 1 }, { SYNTH_ID_ENTER } },
		{ { { SCREC_REC_ATTR, 48 }, SCREC_ATTR_EXIT, 2, base | PERF_SAMPLE_RAW, 0, 0, 1 },
		  { SYNTH_ID_EXIT } },
		{ { { SCREC_REC_ATTR, 48 }, SCREC_ATTR_TRACKING, 0, base, 0, 0, 1 },
		  { SYNTH_ID_TRACKING } },
	};
	int i;

	memset(s, 0, sizeof(*s));
	s->stack_size = STACK;
	s->scratch = malloc(1u << 16);
	for (i = 0; i < 3; i++)
		screc_attrs_add(&s->attrs, (const struct screc_rec *)&a[i]);
	fd = memfd_create("ring", MFD_CLOEXEC);
	screc_writer_open(fd, SCREC_FEAT_STACK_TRIMMED, &s->w);
}

/* Close the writer and read back every PERF/BUILDID record into a fresh buffer list. */
static struct screc_reader *
session_finish(struct session *s, uint8_t **buf)
{
	struct screc_reader *r = NULL;
	size_t len;

	screc_writer_close(s->w, &(struct screc_rec_trailer){ 0 });
	s->w = NULL;
	if (synth_read_fd(fd, buf, &len) == 0)
		screc_reader_open_mem(*buf, len, &r);
	close(fd);
	return r;
}

static const struct screc_rec *
next_of(struct screc_reader *r, uint32_t type)
{
	const struct screc_rec *rec;

	while (screc_reader_next(r, &rec) == 1)
		if (rec->type == type)
			return rec;
	return NULL;
}

static void
test_trim(void)
{
	static const uint64_t dyns[] = { 100, 0, STACK, 8, 1, STACK + 100 };
	uint8_t rec[1024], orig[1024], *buf = NULL;
	struct screc_reader *r;
	struct session s;
	size_t i, len;
	unsigned exits = 0;

	session_init(&s);
	for (i = 0; i < sizeof(dyns) / sizeof(dyns[0]); i++) {
		len = synth_enter_sample(rec, 1, 2, i, STACK, dyns[i]);
		ring_write_perf(&s, rec, len);
	}
	{
		/* An exit sample: id, tid, time, cpu, raw. */
		uint8_t ex[64] = { 0 };
		struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, 8 + 32 + 8 };
		uint64_t id = SYNTH_ID_EXIT;

		memcpy(ex, &h, sizeof(h));
		memcpy(ex + 8, &id, 8);
		ring_write_perf(&s, ex, h.size);
		exits++;
	}
	{
		struct perf_event_header h = { PERF_RECORD_LOST, 0, 8 + 16 + 32 };
		uint64_t lost[2] = { SYNTH_ID_ENTER, 17 };
		uint8_t lr[56] = { 0 };

		memcpy(lr, &h, sizeof(h));
		memcpy(lr + 8, lost, 16);
		ring_write_perf(&s, lr, h.size);
		ring_write_perf(&s, lr, h.size);
	}
	tap_is((long long)s.nr_samples, 6, "six entry samples counted");
	tap_is((long long)s.nr_exits, exits, "one exit counted");
	tap_is((long long)s.nr_lost, 34, "lost events summed");
	tap_is(s.write_error, 0, "no write error");

	r = session_finish(&s, &buf);
	if (!tap_ok(r != NULL, "read back"))
		return;
	for (i = 0; i < sizeof(dyns) / sizeof(dyns[0]); i++) {
		const struct screc_rec *pr = next_of(r, SCREC_REC_PERF);
		struct screc_sample smp;
		uint64_t want = dyns[i] < STACK ? dyns[i] : STACK;
		size_t olen = synth_enter_sample(orig, 1, 2, i, STACK, dyns[i]);
		const uint8_t *ostack = orig + olen - 8 - STACK;
		struct perf_event_header h;

		if (!tap_ok(pr != NULL, "sample %zu written", i))
			break;
		memcpy(&h, pr + 1, sizeof(h));
		tap_is(screc_sample_parse(&s.attrs, pr + 1, pr->size - sizeof(*pr), &smp), 0,
		       "dyn_size %llu: the trimmed sample parses", (unsigned long long)dyns[i]);
		tap_is((long long)smp.stack_size, (long long)want, "  stack is the valid part");
		tap_ok(smp.stack_size <= STACK, "  never more than asked");
		tap_ok(!want || memcmp(smp.stack, ostack, want) == 0, "  stack bytes kept");
		tap_is(h.size, want ? olen - STACK + ((want + 7) & ~7ull) : olen - STACK - 8,
		       "  record size: %s", want ? "kept bytes rounded to 8" : "no stack, no dyn_size");
		tap_ok(smp.pid == 1 && smp.tid == 2 && smp.time == i && smp.nr_regs == 20,
		       "  other fields intact");
	}
	screc_reader_close(r);
	free(buf);
	screc_attrs_release(&s.attrs);
	ring_release(&s);
}

/* An MMAP2 record of pid 5 for path at time, without a kernel build-id, with the tracking id. */
static size_t
mmap2(uint8_t *out, const char *path, uint32_t prot, uint64_t time)
{
	struct perf_event_header h = { PERF_RECORD_MMAP2, 0, 0 };
	struct {
		uint32_t pid, tid;
		uint64_t addr, len, pgoff;
		uint32_t maj, min;
		uint64_t ino, gen;
		uint32_t prot, flags;
	} m = { 5, 5, 0x1000, 0x1000, 0, 8, 1, 99, 0, prot, 2 };
	size_t off = sizeof(h), plen = strlen(path) + 1;
	uint64_t sid[4] = { 5 | (5ull << 32), time, 0, SYNTH_ID_TRACKING };

	memcpy(out + off, &m, sizeof(m));
	off += sizeof(m);
	memcpy(out + off, path, plen);
	off += plen;
	while (off % 8)
		out[off++] = 0;
	memcpy(out + off, sid, sizeof(sid));
	off += sizeof(sid);
	h.size = (uint16_t)off;
	memcpy(out, &h, sizeof(h));
	return off;
}

static void
test_build_ids(void)
{
	uint8_t rec[512], *buf = NULL, want[SCREC_BUILD_ID_MAX];
	const struct screc_rec *br;
	struct screc_reader *r;
	struct session s;
	size_t wlen = 0;
	char path[256];
	ssize_t n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return;
	path[n] = '\0';
	screc_read_build_id(path, want, &wlen);
	session_init(&s);
	ring_write_perf(&s, rec, mmap2(rec, path, PROT_READ | PROT_EXEC, 1));
	ring_write_perf(&s, rec, mmap2(rec, path, PROT_READ | PROT_EXEC, 1));
	ring_write_perf(&s, rec, mmap2(rec, "/etc/passwd", PROT_READ, 1));
	ring_write_perf(&s, rec, mmap2(rec, "[vdso]", PROT_READ | PROT_EXEC, 1));
	r = session_finish(&s, &buf);
	if (!tap_ok(r != NULL, "read back"))
		return;
	br = next_of(r, SCREC_REC_BUILDID);
	if (tap_ok(br != NULL, "a BUILDID record for the executable mapping")) {
		struct screc_rec_buildid rb;

		memcpy(&rb, br, sizeof(rb));
		tap_ok(rb.build_id_len == wlen && memcmp(rb.build_id, want, wlen) == 0,
		       "  with the file's build-id");
		tap_ok(rb.path_len == strlen(path) && memcmp((const uint8_t *)br + sizeof(rb), path, rb.path_len) == 0,
		       "  and its path");
		tap_is(rb.pid, 5, "  and the pid");
	}
	tap_ok(next_of(r, SCREC_REC_BUILDID) == NULL,
	       "once per path; none for data or pseudo-file mappings");
	screc_reader_close(r);
	free(buf);
	screc_attrs_release(&s.attrs);
	ring_release(&s);
	ring_release(&s);
	tap_ok(s.scratch == NULL && s.bid_paths == NULL, "ring_release frees, and twice is harmless");
}

/* A COMM (exec) or EXIT record of pid/tid at time, with the tracking id, into out; its size. */
static size_t
task_rec(uint8_t *out, uint32_t type, uint32_t pid, uint32_t tid, uint64_t time, const char *comm)
{
	struct perf_event_header h = { type, 0, 0 };
	uint32_t ids[4] = { pid, pid, tid, tid };
	uint64_t sid[4] = { pid | ((uint64_t)tid << 32), time, 0, SYNTH_ID_TRACKING };
	size_t off = sizeof(h);

	memset(out, 0, 128);
	if (type == PERF_RECORD_COMM) {
		h.misc = PERF_RECORD_MISC_COMM_EXEC;
		memcpy(out + off, ids, 8);
		off += 8;
		snprintf((char *)out + off, 16, "%s", comm);
		off += 16;
	} else {
		memcpy(out + off, ids, 16);
		off += 16 + 8;	/* pid, ppid, tid, ptid, time */
	}
	memcpy(out + off, sid, sizeof(sid));
	off += sizeof(sid);
	h.size = (uint16_t)off;
	memcpy(out, &h, sizeof(h));
	return off;
}

/* tasks_detached() of pid, or -1 when the pid is unknown. */
static int
detached(struct session *s, uint32_t pid)
{
	const struct task *t = tasks_get(&s->tasks, pid, false);

	return t ? tasks_detached(t) : -1;
}

/*
 * A process whose exec is followed by an EXIT record with nothing of its new
 * program between was dropped by the kernel (a set-user-ID exec); one with a
 * mapping or a sample between, or a thread's EXIT, was not.  Records come
 * ring by ring, not in time order: an older exec drained after a newer one
 * changes nothing.
 */
static void
test_detached(void)
{
	uint8_t rec[1024], *buf = NULL;
	struct session s;
	const struct task *t;

	session_init(&s);
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_COMM, 40, 40, 10, "dropped"));
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_EXIT, 40, 40, 11, NULL));
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_COMM, 41, 41, 10, "running"));
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_COMM, 5, 5, 10, "mapped"));
	ring_write_perf(&s, rec, mmap2(rec, "/etc/passwd", PROT_READ, 12));	/* of pid 5 */
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_EXIT, 5, 5, 13, NULL));
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_COMM, 1, 1, 10, "sampled"));
	ring_write_perf(&s, rec, synth_enter_sample(rec, 1, 1, 12, STACK, 8));
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_EXIT, 1, 1, 13, NULL));
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_COMM, 42, 42, 10, "thread"));
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_EXIT, 42, 43, 11, NULL));
	/* Ring 0: the set-user-ID exec and its EXIT; ring 1, drained after: what came before. */
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_COMM, 50, 50, 30, "dropped2"));
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_EXIT, 50, 50, 31, NULL));
	ring_write_perf(&s, rec, task_rec(rec, PERF_RECORD_COMM, 50, 50, 20, "before"));
	ring_write_perf(&s, rec, synth_enter_sample(rec, 50, 50, 21, STACK, 8));
	tap_is(detached(&s, 40), 1, "exec then EXIT, nothing between: dropped by the kernel");
	t = tasks_get(&s.tasks, 40, false);
	tap_ok(t && strcmp(t->comm, "dropped") == 0, "  named as it exec'd");
	tap_is(detached(&s, 5), 0, "exec, a mapping, EXIT: a real exit");
	tap_is(detached(&s, 1), 0, "exec, a sample, EXIT: a real exit");
	tap_is(detached(&s, 42), 0, "a thread's EXIT is not the process's");
	tap_is(detached(&s, 41), 0, "an exec'd process without EXIT is not");
	tap_is(detached(&s, 999), -1, "a pid never seen is unknown");
	tap_is(detached(&s, 50), 1, "an older exec and sample drained after a newer exec and EXIT: "
	       "still dropped");
	t = tasks_get(&s.tasks, 50, false);
	tap_ok(t && strcmp(t->comm, "dropped2") == 0, "  named by its newest exec");
	tap_is((long long)tasks_report_detached(&s.tasks), 2, "the summary names both");
	screc_reader_close(session_finish(&s, &buf));
	free(buf);
	screc_attrs_release(&s.attrs);
	ring_release(&s);
	tap_ok(s.tasks.t == NULL && s.tasks.nr == 0, "ring_release frees the tasks");
}

/* Lay len bytes at ring position pos, wrapping. */
static void
ring_put(uint8_t *data, size_t size, uint64_t pos, const void *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		data[(pos + i) & (size - 1)] = ((const uint8_t *)src)[i];
}

static void
test_drain(void)
{
	size_t page = (size_t)getpagesize(), data_size = page, i;
	uint8_t *area = aligned_alloc(page, 2 * page), *buf = NULL, rec[1024];
	struct perf_event_mmap_page *meta = (void *)area;
	uint64_t start = 3 * data_size - 4, pos;	/* the first header wraps */
	struct ring ring;
	struct screc_reader *r;
	struct session s;
	size_t nr = 0, lens[16];
	bool same = true;
	const struct screc_rec *pr;

	memset(area, 0, 2 * page);
	meta->data_offset = page;
	meta->data_size = data_size;
	session_init(&s);
	ring = (struct ring){ .fd = -1, .cpu = 0, .base = area, .data_size = data_size };
	s.rings = &ring;
	s.nr_rings = 1;
	pos = start;
	/* Exit-like small samples and one larger record that wraps in its body. */
	for (i = 0; i < 6; i++) {
		struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, (uint16_t)(48 + 8 * i) };
		uint64_t id = SYNTH_ID_EXIT;

		memset(rec, (int)(0x10 + i), sizeof(rec));
		memcpy(rec, &h, sizeof(h));
		memcpy(rec + 8, &id, 8);
		memset(rec + 40, 0, 4);		/* an empty raw field */
		lens[nr++] = h.size;
		ring_put(area + page, data_size, pos, rec, h.size);
		pos += h.size;
	}
	meta->data_tail = start;
	meta->data_head = pos;
	tap_is((long long)ring_drain_all(&s), 6, "six records drained");
	tap_is((long long)meta->data_tail, (long long)pos, "tail moved to head");
	tap_is((long long)ring_drain_all(&s), 0, "nothing more");

	/* A header claiming more than was published: stop, do not spin or overrun. */
	{
		struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, 4000 };

		ring_put(area + page, data_size, pos, &h, sizeof(h));
		meta->data_head = pos + 64;
		tap_is((long long)ring_drain_all(&s), 0, "a record longer than the data: not taken");
		h.size = 0;
		ring_put(area + page, data_size, pos, &h, sizeof(h));
		tap_is((long long)ring_drain_all(&s), 0, "a record of size 0: not taken");
	}
	r = session_finish(&s, &buf);
	if (!tap_ok(r != NULL, "read back"))
		return;
	for (i = 0; i < 6; i++) {
		pr = next_of(r, SCREC_REC_PERF);
		if (!pr || pr->size - sizeof(*pr) != lens[i] ||
		    ((const uint8_t *)(pr + 1))[lens[i] - 1] != 0x10 + i)
			same = false;
	}
	tap_ok(same, "records came out whole, in order, across the wrap");
	tap_is((long long)s.nr_exits, 6, "and were counted");
	screc_reader_close(r);
	free(buf);
	screc_attrs_release(&s.attrs);
	ring_release(&s);
	free(area);
}

/* The default ring: room for a number of samples, a budget over the CPUs, a power of two, within bounds. */
static void
test_default_pages(void)
{
	static const int cpus[] = { 0, 1, 2, 3, 4, 16, 256, 4096 };
	static const uint32_t stacks[] = { 0, 1024, 8192, 16384, 65528 };
	uint64_t page = (uint64_t)getpagesize();
	size_t i, j;

	for (i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++)
		for (j = 0; j < sizeof(stacks) / sizeof(stacks[0]); j++) {
			uint64_t pages = events_default_pages(cpus[i], stacks[j]);
			uint64_t bytes = pages * page;

			tap_ok(pages && !(pages & (pages - 1)) && bytes >= RECORD_RING_MIN &&
			       bytes <= RECORD_RING_MAX &&
			       (bytes * (uint64_t)(cpus[i] > 0 ? cpus[i] : 1) <= RECORD_RING_BUDGET ||
				bytes == RECORD_RING_MIN) &&
			       (bytes <= RECORD_RING_SAMPLES *
					 ((uint64_t)stacks[j] + RECORD_SAMPLE_OVERHEAD) ||
				bytes == RECORD_RING_MIN),
			       "%d CPUs, %u-byte stacks: %llu pages per CPU", cpus[i], stacks[j],
			       (unsigned long long)pages);
		}
	tap_is((long long)(events_default_pages(2, 8192) * page), 16ll << 20,
	       "2 CPUs, 8 KiB stacks: 16 MiB");
	tap_is((long long)(events_default_pages(2, 16384) * page), 32ll << 20,
	       "2 CPUs, 16 KiB stacks: 32 MiB");
	tap_is((long long)(events_default_pages(2, 2048) * page), 4ll << 20,
	       "2 CPUs, 2 KiB stacks: 4 MiB");
	tap_is((long long)(events_default_pages(2, 65528) * page), RECORD_RING_MAX,
	       "2 CPUs, 64 KiB stacks: the most");
	tap_is((long long)(events_default_pages(64, 65528) * page), RECORD_RING_MIN,
	       "64 CPUs: the least");
}

int
main(void)
{
	test_default_pages();
	test_trim();
	test_build_ids();
	test_detached();
	test_drain();
	return tap_done();
}
