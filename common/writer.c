// SPDX-License-Identifier: MIT
/*
 * The recording writer.  Records are gathered in an input buffer and handed to
 * zstd in large pieces; zstd compresses on a worker thread of its own where the
 * library supports it, so the recorder's draining loop does not wait for it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "log.h"
#include "writer.h"

#define IN_CAP	(1u << 20)
/*
 * A frame of at most this much input, while zstd's worker has not been
 * needed yet, is compressed on the calling thread with its size known:
 * zstd then sizes its tables to the frame and starts no worker.  The
 * preamble, and the whole of a short recording: recording `true` compressed
 * 4 KiB in 1.7 ms through the worker's setup.
 */
#define SMALL_FRAME	(256u << 10)

struct screc_writer {
	int fd;
	int error;
	uint64_t features;
	ZSTD_CCtx *cctx;	/* with a worker thread where libzstd has them */
	ZSTD_CCtx *small;	/* on the calling thread, for small frames; NULL until one */
	bool worker_used;	/* cctx has compressed something: every frame is its from then */
	bool streamed;		/* part of the current frame went to cctx already */
	uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_cap;
	bool dirty;		/* records added since the last frame end */
	uint64_t frames;	/* frames ended */
	uint64_t records;
	uint64_t bytes_in;
	uint64_t bytes_out;
};

static int
write_all(struct screc_writer *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
		w->bytes_out += (uint64_t)n;
	}
	return 0;
}

/* zstd's parameters for the writer's features, with workers threads (0: none). */
static ZSTD_CCtx *
make_cctx(uint64_t features, int workers)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();

	if (!c)
		return NULL;
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 2);
	/*
	 * Stack deltas are small records of 8-byte fields: a greedy search of
	 * one candidate finds 17% more of them than level 2's double-fast one
	 * (connect-depth: 11.9 bytes per event, not 14.3) and costs what level
	 * 2 costs on whole stacks.
	 */
	if (features & SCREC_FEAT_STACK_DELTA) {
		ZSTD_CCtx_setParameter(c, ZSTD_c_strategy, ZSTD_greedy);
		ZSTD_CCtx_setParameter(c, ZSTD_c_searchLog, 1);
	}
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	/* A worker thread where libzstd has them; harmless failure where not. */
	if (workers)
		ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, workers);
	return c;
}

/* The context for what w->in holds with directive mode (SMALL_FRAME). */
static ZSTD_CCtx *
pick_cctx(struct screc_writer *w, ZSTD_EndDirective mode)
{
	if (mode == ZSTD_e_end && !w->worker_used && !w->streamed && w->in_len <= SMALL_FRAME) {
		if (!w->small)
			w->small = make_cctx(w->features, 0);
		if (w->small && !ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(w->small, w->in_len)))
			return w->small;
	}
	w->worker_used = true;
	w->streamed = mode != ZSTD_e_end;
	return w->cctx;
}

/* Feed the input buffer to zstd with the given directive, writing all output. */
static int
pump(struct screc_writer *w, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { w->in, w->in_len, 0 };
	ZSTD_CCtx *c;
	size_t left;

	if (w->error)
		return w->error;
	c = pick_cctx(w, mode);
	do {
		ZSTD_outBuffer out = { w->out, w->out_cap, 0 };

		left = ZSTD_compressStream2(c, &out, &in, mode);
		if (ZSTD_isError(left)) {
			screc_err("zstd: %s", ZSTD_getErrorName(left));
			w->error = -EIO;
			return w->error;
		}
		if (out.pos > 0) {
			int err = write_all(w, w->out, out.pos);

			if (err) {
				w->error = err;
				return err;
			}
		}
	} while (mode == ZSTD_e_continue ? in.pos < in.size : left != 0);
	w->in_len = 0;
	return 0;
}

int
screc_writer_open(int fd, uint64_t features, struct screc_writer **out)
{
	struct screc_file_header hdr = {
		.version = SCREC_FORMAT_VERSION,
		.header_size = sizeof(hdr),
		.compression = SCREC_COMPRESS_ZSTD,
	};
	struct screc_writer *w;
	int err;

	/* screc_delta_encode() writes format 3's deltas: the header says so. */
	features &= ~SCREC_FEAT_HEAD_XOR;
	if (features & SCREC_FEAT_STACK_DELTA)
		features |= SCREC_FEAT_HEAD_XOR;
	hdr.features = features;
	hdr.min_version = features & SCREC_FEAT_STACK_DELTA ? SCREC_FORMAT_MIN_READ_XOR :
							      SCREC_FORMAT_MIN_READ;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->features = features;
	w->out_cap = ZSTD_CStreamOutSize();
	w->in = malloc(IN_CAP);
	w->out = malloc(w->out_cap);
	w->cctx = make_cctx(features, 1);
	if (!w->in || !w->out || !w->cctx) {
		err = -ENOMEM;
		goto fail;
	}

	memcpy(hdr.magic, SCREC_MAGIC, SCREC_MAGIC_LEN);
	err = write_all(w, &hdr, sizeof(hdr));
	if (err)
		goto fail;
	*out = w;
	return 0;
fail:
	ZSTD_freeCCtx(w->cctx);
	ZSTD_freeCCtx(w->small);
	free(w->out);
	free(w->in);
	free(w);
	return err;
}

int
screc_writer_addv(struct screc_writer *w, uint32_t type, const struct iovec *iov, int iovcnt)
{
	static const uint8_t zero[8];
	struct screc_rec rec = { .type = type, .size = sizeof(rec) };
	size_t body = 0, pad;
	int i;

	if (w->error)
		return w->error;
	for (i = 0; i < iovcnt; i++)
		body += iov[i].iov_len;
	if (body > SCREC_REC_MAX - sizeof(rec) - 8)
		return -EMSGSIZE;
	pad = (8 - body % 8) % 8;
	rec.size += (uint32_t)(body + pad);
	if (rec.size > IN_CAP - w->in_len) {
		int err = pump(w, ZSTD_e_continue);

		if (err)
			return err;
	}
	memcpy(w->in + w->in_len, &rec, sizeof(rec));
	w->in_len += sizeof(rec);
	for (i = 0; i < iovcnt; i++) {
		/* An empty piece may be NULL, which memcpy must not see even for 0 bytes. */
		if (iov[i].iov_len == 0)
			continue;
		memcpy(w->in + w->in_len, iov[i].iov_base, iov[i].iov_len);
		w->in_len += iov[i].iov_len;
	}
	memcpy(w->in + w->in_len, zero, pad);
	w->in_len += pad;
	w->records++;
	w->dirty = true;
	w->bytes_in += rec.size;
	return 0;
}

int
screc_writer_add(struct screc_writer *w, uint32_t type, const void *body, size_t len)
{
	struct iovec iov = { (void *)body, len };

	return screc_writer_addv(w, type, &iov, 1);
}

int
screc_writer_flush(struct screc_writer *w)
{
	if (w->error)
		return w->error;
	if (!w->dirty)
		return 0;
	w->dirty = false;
	w->frames++;
	return pump(w, ZSTD_e_end);
}

uint64_t
screc_writer_frame(const struct screc_writer *w)
{
	return w->frames;
}

uint64_t
screc_writer_records(const struct screc_writer *w)
{
	return w->records;
}

uint64_t
screc_writer_bytes_in(const struct screc_writer *w)
{
	return w->bytes_in;
}

uint64_t
screc_writer_bytes_out(const struct screc_writer *w)
{
	return w->bytes_out;
}

int
screc_writer_close(struct screc_writer *w, struct screc_rec_trailer *trailer)
{
	int err;

	if (!w)
		return 0;
	if (trailer) {
		trailer->nr_records = w->records;
		screc_writer_add(w, SCREC_REC_TRAILER, (uint8_t *)trailer + sizeof(trailer->hdr),
				 sizeof(*trailer) - sizeof(trailer->hdr));
	}
	pump(w, ZSTD_e_end);
	err = w->error;
	ZSTD_freeCCtx(w->cctx);
	ZSTD_freeCCtx(w->small);
	free(w->out);
	free(w->in);
	free(w);
	return err;
}
