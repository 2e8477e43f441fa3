// SPDX-License-Identifier: MIT
/*
 * Draining the per-CPU perf rings into the writer.  Each record is copied out
 * once; syscall-entry samples are cut to the part of the user stack the kernel
 * marked valid (dyn_size), which is most of what keeps recordings small.
 * Lost-event records are counted, and executable mappings that reached us
 * without a build-id get one read from the file.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/records.h"
#include "common/stack-delta.h"
#include "common/util.h"
#include "archive.h"
#include "mapfile.h"
#include "perfmap.h"
#include "record.h"

static bool
path_seen(struct session *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->nr_bid_paths; i++)
		if (strcmp(s->bid_paths[i], path) == 0)
			return true;
	if (screc_grow(&s->bid_paths, &s->cap_bid_paths, s->nr_bid_paths + 1,
		       sizeof(*s->bid_paths), 32))
		return true;
	s->bid_paths[s->nr_bid_paths] = strdup(path);
	if (s->bid_paths[s->nr_bid_paths])
		s->nr_bid_paths++;
	return false;
}

/*
 * An executable file mapping.  Without a kernel build-id, read it from the
 * file once per path, and write it in a BUILDID record.  With --archive,
 * note the mapping, with which file it is (device and inode) so that the
 * archive stores that file or nothing.  The file is the one the kernel
 * holds for the mapping (/proc/PID/map_files) while it exists, else its
 * path, reached through no symbolic link; a file found by its path tells a
 * build-id, not which file was mapped (it may have been replaced already),
 * so the mapping's device and inode then stay unknown.
 */
static void
on_mmap2(struct session *s, const uint8_t *rec, size_t len)
{
	struct screc_rec_buildid rb = { 0 };
	struct mapfile_id id = { 0 };
	struct screc_mmap2 m;
	bool want_bid, want_id;
	size_t idlen = 0;
	int fd;

	struct screc_sample sid;

	if (screc_mmap2_parse(rec, len, &m))
		return;
	if (screc_sample_id_parse(&s->attrs, rec, len, &sid) == 0)
		tasks_active(&s->tasks, m.pid, sid.time);
	if (!(m.prot & PROT_EXEC) || m.path[0] != '/')
		return;
	want_id = s->archive && !mapfile_mmap2_id(rec, len, &id) &&
		  !archive_has_map(s->archive, m.pid, m.path);
	want_bid = !m.build_id_len && !path_seen(s, m.path);
	if (want_id || want_bid) {
		fd = mapfile_open_map_files(m.pid, m.addr, m.addr + m.len, &id);
		if (fd < 0 && want_bid)
			fd = mapfile_open_path(m.path, NULL);
		if (fd >= 0) {
			if (!want_bid || mapfile_build_id(fd, rb.build_id, &idlen) != 0)
				idlen = 0;
			close(fd);
		}
	}
	if (s->archive) {
		archive_note_map(s->archive, m.pid, m.path, m.build_id, m.build_id_len, &id);
		if (idlen)
			archive_note_build_id(s->archive, m.path, rb.build_id, idlen);
	}
	if (idlen) {
		struct iovec iov[2] = {
			{ (uint8_t *)&rb + sizeof(rb.hdr), sizeof(rb) - sizeof(rb.hdr) },
			{ (void *)m.path, m.path_len },
		};

		rb.pid = m.pid;
		rb.build_id_len = (uint8_t)idlen;
		rb.path_len = (uint32_t)m.path_len;
		s->write_error = s->write_error ? s->write_error :
				 screc_writer_addv(s->w, SCREC_REC_BUILDID, iov, 2);
	}
}

/* At most this often is a process described again from /proc. */
#define DESCRIBE_MIN_NS		50000000ull

/*
 * After a loss, the records that describe processes (FORK, COMM, MMAP2)
 * may be among those lost, and every frame of a process whose mappings the
 * report lacks stays unresolved.  So a process with samples after a loss is
 * described again from /proc (its threads' names, its executable mappings
 * with build-ids), dated just before the loss: once per loss, at most every
 * DESCRIBE_MIN_NS.  A process gone by then cannot be; nothing is lost
 * without a loss, so nothing is done without one.
 */
static void
after_loss(struct session *s, uint32_t pid)
{
	struct timespec ts;
	struct task *t;
	uint64_t now;

	if (!s->loss_epoch || s->describing)
		return;
	t = tasks_get(&s->tasks, pid, true);
	if (!t || t->described >= s->loss_epoch)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (t->described_ns && now - t->described_ns < DESCRIBE_MIN_NS)
		return;
	/* Before proc_synthesize(), whose COMM records may move the table. */
	t->described = s->loss_epoch;
	t->described_ns = now;
	s->describing = true;
	/* The process's name, not every thread's: hundreds would cost more than they tell. */
	if (proc_synthesize(s, (pid_t)pid, s->loss_time ? s->loss_time - 1 : 0, false) == 0)
		s->stats.described++;
	s->describing = false;
}

/*
 * A syscall-entry sample as a delta against its thread's last stack
 * (format.h).  Returns 0 when written, 1 when the caller must write the
 * sample as it is, or -errno from the writer.
 */
static int
write_delta(struct session *s, const void *rec, const struct screc_sample *smp, size_t head,
	    uint64_t keep)
{
	uint64_t sp = 0;
	size_t len;
	int err;

	if (!s->delta && ring_prepare(s))
		return 1;
	if (keep > SCREC_ARCH_STACK_MAX + 8 || head > SCREC_REC_MAX)
		return 1;
	screc_sample_reg(smp, SCREC_PERF_SP, &sp);
	s->delta_used = true;
	if (screc_delta_encode(s->delta, screc_writer_frame(s->w), smp->tid, sp, rec, head,
			       smp->stack, keep, smp->stack_dyn_size, s->delta_buf, &len))
		return 1;
	err = screc_writer_add(s->w, SCREC_REC_PERF, s->delta_buf, len);
	if (err && !s->write_error)
		s->write_error = err;
	return err;
}

int
ring_write_perf(struct session *s, const void *rec, size_t len)
{
	const struct perf_event_header *h = rec;
	struct screc_sample smp;
	bool done;
	int err;

	err = capture_write(s, rec, len, &done);
	if (done)
		return err;
	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		if (screc_sample_parse(&s->attrs, rec, len, &smp) != 0)
			break;
		after_loss(s, smp.pid);
		if (smp.attr->kind == SCREC_ATTR_EXIT) {
			s->nr_exits++;
			tasks_active(&s->tasks, smp.pid, smp.time);
			/* --failed: the exit takes the call's stack and stands for its entry too. */
			if (!(smp.attr->sample_type & PERF_SAMPLE_STACK_USER))
				break;
		} else if (smp.attr->kind != SCREC_ATTR_ENTER) {
			break;
		}
		s->nr_samples++;
		tasks_active(&s->tasks, smp.pid, smp.time);
		if (s->archive)
			archive_note_sample(s->archive, smp.pid);
		if (smp.stack) {
			/* STACK_USER is the last field: rewrite {size, data, dyn_size}. */
			uint64_t keep = (smp.stack_size + 7) & ~7ull;
			size_t head = (size_t)(smp.stack - (const uint8_t *)rec);
			struct perf_event_header nh = *h;
			struct iovec iov[5];
			int n = 0;

			if (keep && s->stack_delta) {
				err = write_delta(s, rec, &smp, head - 8, keep);
				if (err <= 0)
					return err;
			}
			if (keep == 0) {
				/* Nothing valid: an empty stack field, no dyn_size. */
				nh.size = (uint16_t)(head);
				iov[n++] = (struct iovec){ &nh, sizeof(nh) };
				iov[n++] = (struct iovec){ (uint8_t *)rec + sizeof(nh),
							   head - 8 - sizeof(nh) };
				iov[n++] = (struct iovec){ &keep, 8 };
			} else {
				nh.size = (uint16_t)(head + keep + 8);
				iov[n++] = (struct iovec){ &nh, sizeof(nh) };
				iov[n++] = (struct iovec){ (uint8_t *)rec + sizeof(nh),
							   head - 8 - sizeof(nh) };
				iov[n++] = (struct iovec){ &keep, 8 };
				iov[n++] = (struct iovec){ (uint8_t *)smp.stack, keep };
				/* dyn_size follows the kept bytes (the ring itself is read-only). */
				iov[n++] = (struct iovec){ &smp.stack_dyn_size, 8 };
			}
			err = screc_writer_addv(s->w, SCREC_REC_PERF, iov, n);
			if (err && !s->write_error)
				s->write_error = err;
			return err;
		}
		break;
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES: {
		struct screc_sample sid;
		uint64_t lost;

		if (screc_lost_parse(rec, len, &lost) == 0)
			s->nr_lost += lost;
		s->loss_epoch++;
		if (screc_sample_id_parse(&s->attrs, rec, len, &sid) == 0 && sid.time)
			s->loss_time = sid.time;
		break;
	}
	case PERF_RECORD_MMAP2:
		on_mmap2(s, rec, len);
		break;
	case PERF_RECORD_COMM: {
		struct screc_sample sid;
		struct screc_comm c;

		if (screc_comm_parse(rec, len, &c) == 0 &&
		    screc_sample_id_parse(&s->attrs, rec, len, &sid) == 0)
			tasks_comm(&s->tasks, c.pid, c.tid, c.comm, c.exec, sid.time);
		break;
	}
	case PERF_RECORD_EXIT: {
		struct screc_sample sid;
		struct screc_task t;

		if (screc_task_parse(rec, len, &t) == 0 &&
		    screc_sample_id_parse(&s->attrs, rec, len, &sid) == 0) {
			tasks_exit(&s->tasks, t.pid, t.tid, sid.time);
			/* While its /tmp/perf-PID.map is surely its own. */
			if (t.pid == t.tid)
				perfmap_copy(s, t.pid);
		}
		break;
	}
	}
	err = screc_writer_add(s->w, SCREC_REC_PERF, rec, len);
	if (err && !s->write_error)
		s->write_error = err;
	return err;
}

/* Drain ring r's buffer at base of data_size bytes (its own, or the one it grew from). */
static size_t
drain(struct session *s, struct ring *r, void *base, size_t data_size)
{
	struct perf_event_mmap_page *meta = base;
	const uint8_t *data = (const uint8_t *)base + meta->data_offset;
	uint64_t head, tail, mask = data_size - 1;
	size_t moved = 0;

	if (meta->data_offset == 0)
		data = (const uint8_t *)base + (size_t)getpagesize();
	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	tail = meta->data_tail;
	if (head > tail) {
		uint32_t fill = (uint32_t)((head - tail) * 1000 / data_size);

		s->stats.ring_bytes += head - tail;
		if (fill > s->stats.max_fill)
			s->stats.max_fill = fill;
	}
	while (tail < head) {
		struct perf_event_header h;
		size_t off = (size_t)(tail & mask), first;

		/* The header itself may wrap. */
		first = data_size - off;
		if (first >= sizeof(h)) {
			memcpy(&h, data + off, sizeof(h));
		} else {
			memcpy(&h, data + off, first);
			memcpy((uint8_t *)&h + first, data, sizeof(h) - first);
		}
		if (h.size < sizeof(h) || h.size > head - tail)
			break;	/* cannot happen with a sane kernel; stop rather than spin */
		if (!s->write_error) {
			/* In place unless it wraps: the ring is ours up to data_tail. */
			uint8_t *rec = (uint8_t *)data + off;

			uint64_t lost;

			if (first < h.size) {
				memcpy(s->scratch, data + off, first);
				memcpy(s->scratch + first, data, h.size - first);
				rec = s->scratch;
			}
			if (h.type == PERF_RECORD_LOST && screc_lost_parse(rec, h.size, &lost) == 0)
				r->lost_reported += lost;
			ring_write_perf(s, rec, h.size);
		}
		tail += h.size;
		moved++;
		/* Hand space back to the kernel as we go, not only at the end. */
		if ((moved & 255) == 0)
			__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	return moved;
}

int
ring_complete_lost(struct session *s, uint64_t time)
{
	struct {
		struct perf_event_header h;
		uint64_t lost;
		struct id_trailer id;
	} rec = { .h = { .type = PERF_RECORD_LOST_SAMPLES, .size = sizeof(rec) } };
	size_t i;
	int err;

	err = events_count_lost(s);
	if (err)
		return err;
	for (i = 0; i < s->nr_rings; i++) {
		struct ring *r = &s->rings[i];

		if (r->lost_counted <= r->lost_reported)
			continue;
		/* No task: the loss is the ring's. */
		rec.lost = r->lost_counted - r->lost_reported;
		rec.id = (struct id_trailer){ 0, 0, time, (uint32_t)r->cpu, 0, s->tracking_id };
		s->nr_lost += rec.lost;
		s->nr_lost_late += rec.lost;
		err = screc_writer_add(s->w, SCREC_REC_PERF, &rec, sizeof(rec));
		if (err && !s->write_error)
			s->write_error = err;
	}
	return s->write_error;
}

size_t
ring_drain_all(struct session *s)
{
	struct timespec a, b;
	size_t i, moved = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < s->nr_rings; i++) {
		struct ring *r = &s->rings[i];

		/* The records of before a growth first. */
		if (r->old_base)
			moved += drain(s, r, r->old_base, r->old_size);
		moved += drain(s, r, r->base, r->data_size);
	}
	if (moved) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		s->stats.passes++;
		s->stats.records += moved;
		s->stats.drain_ns += (uint64_t)(b.tv_sec - a.tv_sec) * 1000000000ull +
				     (uint64_t)b.tv_nsec - (uint64_t)a.tv_nsec;
	}
	return moved;
}

int
ring_prepare(struct session *s)
{
	size_t len = screc_delta_bound(SCREC_REC_MAX, SCREC_ARCH_STACK_MAX + 8);

	if (!s->stack_delta || s->delta)
		return 0;
	s->delta = calloc(1, sizeof(*s->delta));
	s->delta_buf = malloc(len);
	if (!s->delta || !s->delta_buf) {
		free(s->delta);
		free(s->delta_buf);
		s->delta = NULL;
		s->delta_buf = NULL;
		return -ENOMEM;
	}
	/* What a sample of the asked stack size uses of them. */
	memset(s->delta_buf, 0, screc_delta_bound(4096, s->stack_size + 8) < len ?
				screc_delta_bound(4096, s->stack_size + 8) : len);
	if (s->scratch)
		memset(s->scratch, 0, 1u << 16);
	return 0;
}

void
ring_release(struct session *s)
{
	size_t i;

	for (i = 0; i < s->nr_bid_paths; i++)
		free(s->bid_paths[i]);
	free(s->bid_paths);
	s->bid_paths = NULL;
	s->nr_bid_paths = s->cap_bid_paths = 0;
	free(s->scratch);
	s->scratch = NULL;
	/*
	 * Unused, its 256 slots of 4 KiB were never touched: releasing them
	 * would fault every page in (5 ms of recording `true`).
	 */
	if (s->delta_used)
		screc_delta_release(s->delta);
	free(s->delta);
	free(s->delta_buf);
	s->delta = NULL;
	s->delta_buf = NULL;
	tasks_release(&s->tasks);
	mapfile_cache_release(&s->bid_cache);
}
