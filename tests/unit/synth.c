// SPDX-License-Identifier: MIT
/*
 * Synthetic recordings for the unit tests: the same record shapes the
 * recorder writes, built by hand so the tests run where perf_event_open is
 * not allowed.  See synth.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "synth.h"

#define REGS_MASK	0xff0fffull	/* the recorder's register mask */
#define NR_REGS		20

static const char enter_format[] =
	"name: sys_enter_connect\n"
	"ID: 2230\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:struct sockaddr * uservaddr;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int addrlen;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"fd: 0x%08lx, uservaddr: 0x%08lx, addrlen: 0x%08lx\", "
	"((unsigned long)(REC->fd)), ((unsigned long)(REC->uservaddr)), "
	"((unsigned long)(REC->addrlen))\n";

static const char exit_format[] =
	"name: sys_exit_connect\n"
	"ID: 2229\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n"
	"\n"
	"print fmt: \"0x%lx\", REC->ret\n";

struct put {
	uint8_t *p;
	size_t off;
};

static void
put(struct put *b, const void *src, size_t len)
{
	memcpy(b->p + b->off, src, len);
	b->off += len;
}

static void
put_u64(struct put *b, uint64_t v)
{
	put(b, &v, 8);
}

static void
put_u32x2(struct put *b, uint32_t x, uint32_t y)
{
	put(b, &x, 4);
	put(b, &y, 4);
}

/* The tracepoint raw data: u32 size, then data padded so the field ends 8-aligned. */
static void
put_raw(struct put *b, uint32_t tp_id, long a0, long a1, long a2)
{
	uint8_t raw[44] = { 0 };
	uint16_t type = (uint16_t)tp_id;
	int32_t nr = 42;
	uint32_t size = sizeof(raw);

	memcpy(raw, &type, 2);
	memcpy(raw + 8, &nr, 4);
	memcpy(raw + 16, &a0, 8);
	memcpy(raw + 24, &a1, 8);
	memcpy(raw + 32, &a2, 8);
	put(b, &size, 4);
	put(b, raw, sizeof(raw));
}

size_t
synth_enter_sample(uint8_t *out, uint32_t pid, uint32_t tid, uint64_t time,
		   unsigned stack_bytes, uint64_t dyn_size)
{
	struct put b = { out, sizeof(struct perf_event_header) };
	struct perf_event_header h = { .type = PERF_RECORD_SAMPLE, .misc = PERF_RECORD_MISC_USER };
	unsigned i;

	put_u64(&b, SYNTH_ID_ENTER);			/* IDENTIFIER */
	put_u64(&b, 0x7f0000001234ull);			/* IP */
	put_u32x2(&b, pid, tid);			/* TID */
	put_u64(&b, time);				/* TIME */
	put_u32x2(&b, 1, 0);				/* CPU */
	put_raw(&b, SYNTH_TP_ENTER, 3, 0x5555000, 16);	/* RAW */
	put_u64(&b, PERF_SAMPLE_REGS_ABI_64);		/* REGS_USER */
	for (i = 0; i < NR_REGS; i++)
		put_u64(&b, 0x1000u * i + tid);
	put_u64(&b, stack_bytes);			/* STACK_USER */
	if (stack_bytes) {
		for (i = 0; i < stack_bytes; i++)
			out[b.off + i] = (uint8_t)(i * 7 + tid);
		b.off += stack_bytes;
		put_u64(&b, dyn_size);
	}
	h.size = (uint16_t)b.off;
	memcpy(out, &h, sizeof(h));
	return b.off;
}

static size_t
exit_sample(uint8_t *out, uint32_t pid, uint32_t tid, uint64_t time)
{
	struct put b = { out, sizeof(struct perf_event_header) };
	struct perf_event_header h = { .type = PERF_RECORD_SAMPLE, .misc = PERF_RECORD_MISC_USER };

	put_u64(&b, SYNTH_ID_EXIT);
	put_u32x2(&b, pid, tid);
	put_u64(&b, time);
	put_u32x2(&b, 1, 0);
	put_raw(&b, SYNTH_TP_EXIT, -111, 0, 0);
	h.size = (uint16_t)b.off;
	memcpy(out, &h, sizeof(h));
	return b.off;
}

/* A side-band record: body, then the tracking event's sample_id_all fields. */
static size_t
sideband(uint8_t *out, uint32_t type, uint16_t misc, const void *body, size_t blen,
	 uint32_t pid, uint32_t tid, uint64_t time)
{
	struct put b = { out, sizeof(struct perf_event_header) };
	struct perf_event_header h = { .type = type, .misc = misc };

	put(&b, body, blen);
	while (b.off % 8)
		out[b.off++] = 0;
	put_u32x2(&b, pid, tid);
	put_u64(&b, time);
	put_u32x2(&b, 0, 0);
	put_u64(&b, SYNTH_ID_TRACKING);
	h.size = (uint16_t)b.off;
	memcpy(out, &h, sizeof(h));
	return b.off;
}

static int
add_string(struct screc_writer *w, uint32_t key, const char *s)
{
	struct screc_rec_string rs = { .key = key, .len = (uint32_t)strlen(s) };
	struct iovec iov[2] = {
		{ (uint8_t *)&rs + sizeof(rs.hdr), sizeof(rs) - sizeof(rs.hdr) },
		{ (void *)s, rs.len },
	};

	return screc_writer_addv(w, SCREC_REC_STRING, iov, 2);
}

static int
add_tracepoint(struct screc_writer *w, uint32_t id, const char *name, const char *format)
{
	struct screc_rec_tracepoint rt = {
		.id = id,
		.name_len = (uint32_t)strlen(name),
		.format_len = (uint32_t)strlen(format),
	};
	struct iovec iov[3] = {
		{ (uint8_t *)&rt + sizeof(rt.hdr), sizeof(rt) - sizeof(rt.hdr) },
		{ (void *)name, rt.name_len },
		{ (void *)format, rt.format_len },
	};

	return screc_writer_addv(w, SCREC_REC_TRACEPOINT, iov, 3);
}

static int
add_attr(struct screc_writer *w, uint32_t kind, uint32_t tp_id, uint64_t sample_type,
	 uint32_t stack, uint64_t id)
{
	struct screc_rec_attr ra = {
		.kind = kind,
		.tp_id = tp_id,
		.sample_type = sample_type,
		.sample_regs_user = stack ? REGS_MASK : 0,
		.sample_stack_user = stack,
		.nr_ids = 2,
	};
	uint64_t ids[2] = { id, id + 1 };
	struct iovec iov[2] = {
		{ (uint8_t *)&ra + sizeof(ra.hdr), sizeof(ra) - sizeof(ra.hdr) },
		{ ids, sizeof(ids) },
	};

	return screc_writer_addv(w, SCREC_REC_ATTR, iov, 2);
}

static int
add_perf(struct screc_writer *w, const uint8_t *rec, size_t len)
{
	return screc_writer_add(w, SCREC_REC_PERF, rec, len);
}

int
synth_write(struct screc_writer *w, unsigned nr_events, unsigned nr_frames, unsigned stack_bytes)
{
	static const uint64_t base = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
				     PERF_SAMPLE_CPU;
	struct screc_rec_info info = {
		.e_machine = 62,
		.page_size = 4096,
		.clockid = 1,
		.stack_size = stack_bytes,
		.sample_regs_user = REGS_MASK,
		.start_realtime_ns = 1700000000000000000ull,
		.start_clock_ns = 1000000000ull,
		.nr_cpus = 2,
		.mode = SCREC_MODE_COMMAND,
		.target_pid = 4242,
	};
	struct {
		uint32_t pid, tid;
		uint64_t addr, len, pgoff;
		uint8_t build_id_size, res[3], build_id[20];
		uint32_t prot, flags;
	} m = { 4242, 4242, 0x400000, 0x1000, 0, 20, { 0 }, { 0 }, 5, 2 };
	struct screc_rec_buildid rb = { .pid = 4242, .build_id_len = 20, .path_len = 8 };
	struct screc_rec_target_exit te = { .pid = 4242, .wait_status = 3 << 8, .time = 5 };
	uint32_t comm[2] = { 4242, 4242 };
	uint8_t *rec, body[128];
	size_t len;
	unsigned i, per_frame = nr_frames ? (nr_events + nr_frames - 1) / nr_frames : nr_events;
	int err;

	rec = malloc(512 + stack_bytes);
	if (!rec)
		return -ENOMEM;
	err = screc_writer_add(w, SCREC_REC_INFO, (uint8_t *)&info + sizeof(info.hdr),
			       sizeof(info) - sizeof(info.hdr));
	if (!err)
		err = add_string(w, SCREC_STR_HOSTNAME, "testhost");
	if (!err)
		err = add_string(w, SCREC_STR_KERNEL_RELEASE, "6.1.0-test");
	if (!err)
		err = add_string(w, SCREC_STR_MACHINE, "x86_64");
	if (!err)
		err = add_string(w, SCREC_STR_EVENTS, "connect");
	if (!err)
		err = add_tracepoint(w, SYNTH_TP_ENTER, "syscalls:sys_enter_connect", enter_format);
	if (!err)
		err = add_tracepoint(w, SYNTH_TP_EXIT, "syscalls:sys_exit_connect", exit_format);
	if (!err)
		err = add_attr(w, SCREC_ATTR_ENTER, SYNTH_TP_ENTER,
			       base | PERF_SAMPLE_IP | PERF_SAMPLE_RAW | PERF_SAMPLE_REGS_USER |
			       PERF_SAMPLE_STACK_USER, stack_bytes, SYNTH_ID_ENTER);
	if (!err)
		err = add_attr(w, SCREC_ATTR_EXIT, SYNTH_TP_EXIT, base | PERF_SAMPLE_RAW, 0,
			       SYNTH_ID_EXIT);
	if (!err)
		err = add_attr(w, SCREC_ATTR_TRACKING, 0, base, 0, SYNTH_ID_TRACKING);
	if (!err)
		err = screc_writer_flush(w);

	memcpy(body, comm, sizeof(comm));
	memcpy(body + sizeof(comm), "target", 7);
	len = sideband(rec, PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC, body, sizeof(comm) + 7,
		       4242, 4242, 10);
	if (!err)
		err = add_perf(w, rec, len);
	for (i = 0; i < 20; i++)
		m.build_id[i] = (uint8_t)(0xa0 + i);
	memcpy(body, &m, sizeof(m));
	memcpy(body + sizeof(m), "/bin/tgt", 9);
	len = sideband(rec, PERF_RECORD_MMAP2, 1 << 14, body, sizeof(m) + 9, 4242, 4242, 11);
	if (!err)
		err = add_perf(w, rec, len);
	{
		struct iovec iov[2] = {
			{ (uint8_t *)&rb + sizeof(rb.hdr), sizeof(rb) - sizeof(rb.hdr) },
			{ (void *)"/bin/tgt", 8 },
		};

		if (!err)
			err = screc_writer_addv(w, SCREC_REC_BUILDID, iov, 2);
	}
	for (i = 0; i < nr_events && !err; i++) {
		uint32_t tid = 4242 + i % 3;

		len = synth_enter_sample(rec, 4242, tid, 100 + 2 * i, stack_bytes,
					 stack_bytes - (i % 5) * 8);
		err = add_perf(w, rec, len);
		len = exit_sample(rec, 4242, tid, 101 + 2 * i);
		if (!err)
			err = add_perf(w, rec, len);
		if (!err && per_frame && (i + 1) % per_frame == 0) {
			err = screc_writer_add(w, SCREC_REC_ROUND, NULL, 0);
			if (!err)
				err = screc_writer_flush(w);
		}
	}
	if (!err)
		err = screc_writer_add(w, SCREC_REC_TARGET_EXIT, (uint8_t *)&te + sizeof(te.hdr),
				      sizeof(te) - sizeof(te.hdr));
	free(rec);
	return err;
}

int
synth_read_fd(int fd, uint8_t **buf, size_t *len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	uint8_t *p;
	size_t got = 0;

	if (size < 0)
		return -errno;
	p = malloc(size ? (size_t)size : 1);
	if (!p)
		return -ENOMEM;
	while (got < (size_t)size) {
		ssize_t n = pread(fd, p + got, (size_t)size - got, (off_t)got);

		if (n <= 0) {
			free(p);
			return n < 0 ? -errno : -EIO;
		}
		got += (size_t)n;
	}
	*buf = p;
	*len = got;
	return 0;
}

int
synth_read_file(const char *path, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = synth_read_fd(fd, buf, len);
	close(fd);
	return err;
}

int
synth_recording(unsigned nr_events, unsigned nr_frames, unsigned stack_bytes, uint8_t **buf,
		size_t *len)
{
	struct screc_rec_trailer tr = { .nr_samples = nr_events, .nr_exits = nr_events };
	struct screc_writer *w;
	int fd, err;

	fd = memfd_create("synth", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = screc_writer_open(fd, SCREC_FEAT_STACK_TRIMMED, &w);
	if (err)
		goto out;
	err = synth_write(w, nr_events, nr_frames, stack_bytes);
	if (err) {
		screc_writer_close(w, NULL);
		goto out;
	}
	err = screc_writer_close(w, &tr);
	if (!err)
		err = synth_read_fd(fd, buf, len);
out:
	close(fd);
	return err;
}
