// SPDX-License-Identifier: MIT
/*
 * The recording reader.  Compressed input comes from a file descriptor or a
 * memory buffer; it is decompressed into a window that always holds the
 * current record whole.  Every length read from the input is checked against
 * what is really there before it is used.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "reader.h"
#include "stack-delta.h"
#include "util.h"

#define IN_CAP		(128u * 1024)
/* The window starts small and doubles, up to SCREC_REC_MAX, for large records only. */
#define WIN_START	(128u * 1024)
/* A rebuilt sample: a perf record's size is 16 bits. */
#define REBUILT_CAP	(sizeof(struct screc_rec) + 0x10000)

struct screc_reader {
	int fd;			/* -1 for memory input */
	const uint8_t *mem;
	size_t mem_len;

	uint8_t *in;		/* compressed bytes for the fd case */
	ZSTD_inBuffer zin;
	uint64_t in_consumed;	/* compressed bytes handed to zstd and used */
	uint64_t frame_start;	/* where the current zstd frame began */
	uint64_t error_offset;	/* where the first error was found */
	bool in_eof;
	bool frame_open;	/* inside a zstd frame not yet ended */

	ZSTD_DStream *ds;
	uint64_t *win;		/* decompressed bytes, 8-aligned */
	size_t win_start, win_end, win_cap;

	struct screc_delta *delta;	/* with SCREC_FEAT_STACK_DELTA: last stacks */
	uint8_t *rebuilt;		/* the sample rebuilt from a delta, from the first */

	struct screc_file_header hdr;
	struct screc_rec_trailer trailer;
	bool have_trailer;
	int error;
	char errmsg[160];
};

/* Record the first error, found at compressed offset at. */
static int
fail_at(struct screc_reader *r, int err, const char *what, uint64_t at)
{
	if (!r->error) {
		r->error = err;
		r->error_offset = at;
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", what);
	}
	return r->error;
}

static int
fail(struct screc_reader *r, int err, const char *what)
{
	return fail_at(r, err, what, r->in_consumed);
}

/* Make compressed input available; returns 0, or 1 at the end of input. */
static int
refill(struct screc_reader *r)
{
	ssize_t n;

	if (r->zin.pos < r->zin.size)
		return 0;
	if (r->fd < 0 || r->in_eof)
		return 1;
	do
		n = read(r->fd, r->in, IN_CAP);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		r->in_eof = true;
		return 1;
	}
	r->zin = (ZSTD_inBuffer){ r->in, (size_t)n, 0 };
	return 0;
}

/* Decompress until at least want bytes are in the window or input ends. */
static int
fill(struct screc_reader *r, size_t want)
{
	uint8_t *win = (uint8_t *)r->win;

	if (r->win_end - r->win_start >= want)
		return 0;
	if (r->win_start > 0) {
		memmove(win, win + r->win_start, r->win_end - r->win_start);
		r->win_end -= r->win_start;
		r->win_start = 0;
	}
	/* want is at most SCREC_REC_MAX (checked before), and so is the window. */
	if (screc_grow(&r->win, &r->win_cap, want, 1, WIN_START))
		return fail(r, -ENOMEM, "out of memory");
	win = (uint8_t *)r->win;
	while (r->win_end < want) {
		ZSTD_outBuffer out = { win, r->win_cap, r->win_end };
		size_t before, ret;

		if (refill(r))
			return -ENODATA;
		/* After refill(), which may have started a new input buffer at 0. */
		before = r->zin.pos;
		ret = ZSTD_decompressStream(r->ds, &out, &r->zin);
		r->in_consumed += r->zin.pos - before;
		/*
		 * zstd finds damage at the end of a block or, for stored blocks,
		 * only at the frame's checksum: the frame is what is known bad.
		 */
		if (ZSTD_isError(ret))
			return fail_at(r, -EBADMSG, ZSTD_getErrorName(ret), r->frame_start);
		r->frame_open = ret != 0;
		/* zstd stops at the end of a frame: the next byte starts one. */
		if (!r->frame_open)
			r->frame_start = r->in_consumed;
		r->win_end = out.pos;
		if (out.pos == r->win_cap && r->win_end < want)
			return fail(r, -EBADMSG, "record larger than the window");
	}
	return 0;
}

static int
open_common(struct screc_reader *r, struct screc_reader **out)
{
	uint8_t buf[sizeof(r->hdr)];
	size_t have = 0;

	r->ds = ZSTD_createDStream();
	r->win_cap = WIN_START;
	r->win = malloc(r->win_cap);
	if (!r->ds || !r->win)
		goto nomem;
	if (r->fd >= 0) {
		r->in = malloc(IN_CAP);
		if (!r->in)
			goto nomem;
	}
	/* The header is not compressed: take it straight from the input. */
	while (have < sizeof(buf)) {
		size_t n;

		if (refill(r)) {
			screc_reader_close(r);
			return -ENODATA;
		}
		n = r->zin.size - r->zin.pos;
		if (n > sizeof(buf) - have)
			n = sizeof(buf) - have;
		memcpy(buf + have, (const uint8_t *)r->zin.src + r->zin.pos, n);
		r->zin.pos += n;
		have += n;
	}
	r->in_consumed = sizeof(buf);
	r->frame_start = r->in_consumed;
	memcpy(&r->hdr, buf, sizeof(buf));
	if (memcmp(r->hdr.magic, SCREC_MAGIC, SCREC_MAGIC_LEN) != 0) {
		screc_reader_close(r);
		return -EBADMSG;
	}
	if (r->hdr.min_version > SCREC_FORMAT_VERSION ||
	    r->hdr.compression != SCREC_COMPRESS_ZSTD ||
	    (r->hdr.features & SCREC_FEAT_REQUIRED_MASK & ~(uint64_t)SCREC_FEAT_KNOWN_REQUIRED)) {
		screc_reader_close(r);
		return -ENOTSUP;
	}
	if (r->hdr.header_size < sizeof(r->hdr) || r->hdr.header_size > 4096) {
		screc_reader_close(r);
		return -EBADMSG;
	}
	/* Skip a longer header written by a newer version. */
	for (size_t skip = r->hdr.header_size - sizeof(r->hdr); skip > 0;) {
		size_t n;

		if (refill(r)) {
			screc_reader_close(r);
			return -ENODATA;
		}
		n = r->zin.size - r->zin.pos;
		if (n > skip)
			n = skip;
		r->zin.pos += n;
		r->in_consumed += n;
		skip -= n;
	}
	r->frame_start = r->in_consumed;
	if (r->hdr.features & SCREC_FEAT_STACK_DELTA) {
		r->delta = calloc(1, sizeof(*r->delta));
		if (!r->delta)
			goto nomem;
	}
	*out = r;
	return 0;
nomem:
	screc_reader_close(r);
	return -ENOMEM;
}

int
screc_reader_open_fd(int fd, struct screc_reader **out)
{
	struct screc_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		close(fd);
		return -ENOMEM;
	}
	r->fd = fd;
	return open_common(r, out);
}

int
screc_reader_open_mem(const void *buf, size_t len, struct screc_reader **out)
{
	struct screc_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fd = -1;
	r->mem = buf;
	r->mem_len = len;
	r->zin = (ZSTD_inBuffer){ buf, len, 0 };
	return open_common(r, out);
}

int
screc_reader_next(struct screc_reader *r, const struct screc_rec **rec)
{
	const struct screc_rec *h;
	int err;

	if (r->error)
		return r->error;
	err = fill(r, sizeof(*h));
	if (err == -ENODATA) {
		if (r->win_end == r->win_start && !r->frame_open) {
			if (r->have_trailer)
				return 0;
			return fail(r, -ENODATA, "the recording ends without a trailer");
		}
		return fail(r, -ENODATA, "the recording ends inside a record");
	}
	if (err)
		return err;
	if (r->have_trailer)
		return fail(r, -EBADMSG, "data after the trailer");
	h = (const struct screc_rec *)((uint8_t *)r->win + r->win_start);
	if (h->size < sizeof(*h) || h->size % 8 || h->size > SCREC_REC_MAX)
		return fail(r, -EBADMSG, "bad record size");
	err = fill(r, h->size);
	if (err == -ENODATA)
		return fail(r, -ENODATA, "the recording ends inside a record");
	if (err)
		return err;
	h = (const struct screc_rec *)((uint8_t *)r->win + r->win_start);
	r->win_start += h->size;
	if (h->type == SCREC_REC_PERF && r->delta && h->size >= sizeof(*h) + 4) {
		const uint8_t *body = (const uint8_t *)(h + 1);
		const char *why = NULL;
		uint32_t ptype;
		size_t len;

		memcpy(&ptype, body, 4);
		/* The XOR form only where the header says so (format 3). */
		if (ptype == SCREC_PERF_STACK_DELTA ||
		    (ptype == SCREC_PERF_STACK_XOR && (r->hdr.features & SCREC_FEAT_HEAD_XOR))) {
			if (!r->rebuilt && !(r->rebuilt = malloc(REBUILT_CAP)))
				return fail(r, -ENOMEM, "out of memory");
			err = screc_delta_decode(r->delta, body, h->size - sizeof(*h), r->rebuilt,
						 REBUILT_CAP, &len, &why);
			if (err == -ENOMEM)
				return fail(r, err, "out of memory");
			if (err)
				return fail(r, err, why);
			h = (const struct screc_rec *)r->rebuilt;
		}
	}
	if (h->type == SCREC_REC_TRAILER) {
		if (h->size < sizeof(r->trailer))
			return fail(r, -EBADMSG, "short trailer");
		memcpy(&r->trailer, h, sizeof(r->trailer));
		r->have_trailer = true;
	}
	*rec = h;
	return 1;
}

const struct screc_file_header *
screc_reader_header(const struct screc_reader *r)
{
	return &r->hdr;
}

const struct screc_rec_trailer *
screc_reader_trailer(const struct screc_reader *r)
{
	return r->have_trailer ? &r->trailer : NULL;
}

uint64_t
screc_reader_offset(const struct screc_reader *r)
{
	return r->error ? r->error_offset : r->in_consumed;
}

const char *
screc_reader_error(const struct screc_reader *r)
{
	return r->error ? r->errmsg : "no error";
}

void
screc_reader_close(struct screc_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	ZSTD_freeDStream(r->ds);
	screc_delta_release(r->delta);
	free(r->delta);
	free(r->rebuilt);
	free(r->win);
	free(r->in);
	free(r);
}
