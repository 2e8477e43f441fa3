// SPDX-License-Identifier: MIT
/*
 * `screc report --resolve -o OUT`: a copy of the recording whose
 * syscall-entry samples carry their unwound frames instead of the user
 * registers and stack memory, which may hold secrets (keys, passwords, the
 * contents of buffers).  It is made on the recording host, where the
 * binaries are, and reports anywhere like the original; with names, it needs
 * no binary at all and leaves the archive out.  The report's pass writes it:
 * records in time order, a ROUND after each batch, a new trailer.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "common/writer.h"
#include "session-internal.h"

int
resolve_begin(struct report_session *ss, int fd, bool names)
{
	struct resolve_out *ro = &ss->resolve;
	/* The reader hands over whole samples: the copy has no stack deltas. */
	uint64_t features = (screc_reader_header(ss->r)->features | SCREC_FEAT_RESOLVED) &
			    ~SCREC_FEAT_STACK_DELTA;
	int err;

	if (features & SCREC_FEAT_RESOLVED & screc_reader_header(ss->r)->features)
		return -EALREADY;
	if (names)
		features &= ~SCREC_FEAT_ARCHIVE;	/* no binary is needed: none is kept */
	err = screc_writer_open(fd, features, &ro->w);
	if (err)
		return err;
	ro->names = names;
	ro->active = true;
	return 0;
}

static void
keep_err(struct resolve_out *ro, int err)
{
	if (err && !ro->err)
		ro->err = err;
}

void
resolve_record(struct report_session *ss, const struct screc_rec *rec)
{
	struct resolve_out *ro = &ss->resolve;

	if (!ro->active || (ro->names && rec->type == SCREC_REC_BLOB))
		return;
	keep_err(ro, screc_writer_add(ro->w, rec->type, (const uint8_t *)rec + sizeof(*rec),
				      rec->size - sizeof(*rec)));
}

void
resolve_perf(struct report_session *ss, const uint8_t *p, size_t len)
{
	struct resolve_out *ro = &ss->resolve;

	if (!ro->active)
		return;
	keep_err(ro, screc_writer_add(ro->w, SCREC_REC_PERF, p, len));
}

void
resolve_round(struct report_session *ss)
{
	if (ss->resolve.active)
		keep_err(&ss->resolve, screc_writer_add(ss->resolve.w, SCREC_REC_ROUND, NULL, 0));
}

/* Append len bytes and padding to 8. */
static int
put(struct screc_buf *b, const void *p, size_t len)
{
	static const char zeros[8];

	screc_buf_add(b, p, len);
	if (len % 8)
		screc_buf_add(b, zeros, 8 - len % 8);
	return b->err;
}

/*
 * The kernel's sample without its user registers and stack: both fields
 * stay (the attributes declare them), empty.  They follow the tracepoint's
 * raw data, last in the sample.
 */
static size_t
strip(const struct screc_sample *s, const uint8_t *p, size_t len, uint8_t *out)
{
	size_t keep = (size_t)(s->raw - p) + s->raw_size;
	struct perf_event_header h;
	uint64_t zero = 0;
	size_t n = keep;

	if (keep > len)
		return 0;
	memcpy(out, p, keep);
	if (s->attr->sample_type & PERF_SAMPLE_REGS_USER) {
		memcpy(out + n, &zero, 8);	/* PERF_SAMPLE_REGS_ABI_NONE */
		n += 8;
	}
	if (s->attr->sample_type & PERF_SAMPLE_STACK_USER) {
		memcpy(out + n, &zero, 8);	/* size 0: no data, no dyn_size */
		n += 8;
	}
	memcpy(&h, out, sizeof(h));
	h.size = (uint16_t)n;
	memcpy(out, &h, sizeof(h));
	return n;
}

void
resolve_sample(struct report_session *ss, const struct screc_sample *s, const uint8_t *p,
	       size_t len, const struct resolve_parts *parts)
{
	struct resolve_out *ro = &ss->resolve;
	struct screc_buf *b = &ro->buf;
	struct screc_rec_resolved rr = { 0 };
	uint8_t *perf;
	size_t i, frames_len, effects_len, perf_len;

	if (!ro->active)
		return;
	perf = malloc(len + 16);
	if (!perf) {
		keep_err(ro, -ENOMEM);
		return;
	}
	perf_len = strip(s, p, len, perf);
	screc_buf_reset(b);
	if (ro->names) {
		for (i = 0; i < parts->nr_frames; i++) {
			const struct frame *f = &parts->frames[i];
			struct screc_resolved_frame rf = {
				.pc = f->pc,
				.rel = f->rel,
				.sym_off = f->sym_off,
				.line = f->line > 0 ? (uint32_t)f->line : 0,
				.method = (uint8_t)f->method,
				.flags = (f->inlined ? SCREC_RFRAME_INLINED : 0) |
					 (f->bad_build_id ? SCREC_RFRAME_MISMATCH : 0),
				.name_len = f->sym ? (uint16_t)strnlen(f->sym, 65535) : 0,
				.file_len = f->file ? (uint16_t)strnlen(f->file, 65535) : 0,
				.dso_len = f->dso ? (uint16_t)strnlen(f->dso, 65535) : 0,
			};

			screc_buf_add(b, (const char *)&rf, sizeof(rf));
			screc_buf_add(b, f->sym ? f->sym : "", rf.name_len);
			screc_buf_add(b, f->file ? f->file : "", rf.file_len);
			screc_buf_add(b, f->dso ? f->dso : "", rf.dso_len);
			/* The three names together, padded to 8. */
			if (b->len % 8)
				screc_buf_add(b, "\0\0\0\0\0\0\0", 8 - b->len % 8);
		}
		rr.nr_frames = (uint32_t)parts->nr_frames;
		rr.flags = SCREC_RESOLVED_NAMES;
	} else {
		for (i = 0; i < parts->raw->nr; i++) {
			const struct raw_frame *f = &parts->raw->frames[i];
			struct screc_resolved_frame rf = {
				.pc = f->pc,
				.method = (uint8_t)f->method,
				.flags = f->activation ? SCREC_RFRAME_ACTIVATION : 0,
			};

			screc_buf_add(b, (const char *)&rf, sizeof(rf));
		}
		rr.nr_frames = (uint32_t)parts->raw->nr;
	}
	frames_len = b->len;
	put(b, parts->text ? parts->text : "", parts->text ? strlen(parts->text) : 0);
	for (i = 0; i < parts->nr_effects; i++) {
		const struct resolve_effect *e = &parts->effects[i];
		struct screc_resolved_effect re = {
			.op = (uint8_t)e->op,
			.cloexec = e->cloexec,
			.what_len = e->what ? (uint16_t)strnlen(e->what, 65535) : 0,
			.fd = e->fd,
			.last = e->last,
			.src_fd = e->src_fd,
		};

		screc_buf_add(b, (const char *)&re, sizeof(re));
		put(b, e->what ? e->what : "", re.what_len);
	}
	effects_len = b->len - frames_len - ((parts->text ? strlen(parts->text) : 0) + 7) / 8 * 8;
	rr.end = (uint8_t)parts->end;
	rr.stack_size = s->stack_size;
	rr.frames_len = (uint32_t)frames_len;
	rr.text_len = parts->text ? (uint32_t)strlen(parts->text) : 0;
	rr.effects_len = (uint32_t)effects_len;
	rr.perf_len = (uint32_t)perf_len;
	if (b->err || !perf_len) {
		keep_err(ro, b->err ? b->err : -EBADMSG);
	} else {
		struct iovec iov[3] = {
			{ (uint8_t *)&rr + sizeof(rr.hdr), sizeof(rr) - sizeof(rr.hdr) },
			{ b->s, b->len },
			{ perf, perf_len },
		};

		keep_err(ro, screc_writer_addv(ro->w, SCREC_REC_RESOLVED, iov, 3));
	}
	free(perf);
	ro->samples++;
}

int
resolve_finish(struct report_session *ss)
{
	struct resolve_out *ro = &ss->resolve;
	const struct screc_rec_trailer *in = screc_reader_trailer(ss->r);
	struct screc_rec_trailer tr = {
		.nr_samples = ro->samples,
		.nr_exits = ro->exits,
		.nr_lost = in ? in->nr_lost : ss->run.st->lost,
		.end_clock_ns = in ? in->end_clock_ns : 0,
		.end_realtime_ns = in ? in->end_realtime_ns : 0,
	};
	int err;

	if (!ro->active)
		return 0;
	err = screc_writer_close(ro->w, &tr);
	ro->w = NULL;
	ro->active = false;
	screc_buf_release(&ro->buf);
	return ro->err ? ro->err : err;
}
