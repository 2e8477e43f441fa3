// SPDX-License-Identifier: MIT
/*
 * Helpers of the libFuzzer harnesses (see fuzz-common.h).  Nothing here may
 * hide a bug of the code under test: on a failure of its own (no memory, no
 * memfd) a harness aborts rather than skip an input silently.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "common/format.h"
#include "fuzz-common.h"

static volatile uint8_t touched;

/*
 * The sanitizers' report channel: libFuzzer's -close_fd_mask=2 closes the
 * harness's stderr but keeps this one.  Weak: a build without sanitizers has
 * no such function.
 */
void __sanitizer_report_error_summary(const char *summary) __attribute__((weak));

uint8_t *
fuzz_compose(const uint8_t *hdr, size_t hdr_len, const uint8_t *recs, size_t recs_len,
	     size_t frame, enum fuzz_tail tail, size_t *len)
{
	static const uint8_t magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	size_t nframes, cap, pos = 64, off;
	uint8_t *out;

	if (hdr_len > 64)
		hdr_len = 64;
	if (frame == 0 || frame > recs_len)
		frame = recs_len ? recs_len : 1;
	nframes = recs_len ? (recs_len + frame - 1) / frame : 0;
	cap = 64 + nframes * ZSTD_compressBound(frame) + sizeof(magic);
	out = calloc(1, cap);
	if (!out)
		return NULL;
	memcpy(out, hdr, hdr_len);
	for (off = 0; off < recs_len; off += frame) {
		size_t n = recs_len - off < frame ? recs_len - off : frame;
		size_t r = ZSTD_compress(out + pos, cap - pos, recs + off, n, 1);

		if (ZSTD_isError(r)) {
			free(out);
			return NULL;
		}
		pos += r;
	}
	switch (tail) {
	case FUZZ_TAIL_WHOLE:
		break;
	case FUZZ_TAIL_CUT1:
		pos -= pos > 64 ? 1 : 0;
		break;
	case FUZZ_TAIL_CUT7:
		pos -= pos >= 64 + 7 ? 7 : pos - 64;
		break;
	case FUZZ_TAIL_MAGIC:
		memcpy(out + pos, magic, sizeof(magic));
		pos += sizeof(magic);
		break;
	}
	*len = pos;
	return out;
}

void
fuzz_header(uint8_t hdr[64], uint64_t features)
{
	struct screc_file_header h = {
		.magic = SCREC_MAGIC,
		.version = SCREC_FORMAT_VERSION,
		.min_version = SCREC_FORMAT_MIN_READ,
		.header_size = sizeof(h),
		.compression = SCREC_COMPRESS_ZSTD,
		.features = features,
	};

	memcpy(hdr, &h, sizeof(h));
}

int
fuzz_memfd(int *fd, const void *p, size_t len, char path[32])
{
	if (*fd < 0) {
		*fd = memfd_create("screc-fuzz", MFD_CLOEXEC);
		if (*fd < 0) {
			perror("memfd_create");
			abort();
		}
	}
	if (ftruncate(*fd, 0) < 0 || (len && pwrite(*fd, p, len, 0) != (ssize_t)len)) {
		perror("memfd write");
		abort();
	}
	snprintf(path, 32, "/proc/self/fd/%d", *fd);
	return *fd;
}

void
fuzz_touch(const void *p, size_t len)
{
	const volatile uint8_t *b = p;
	uint8_t x = 0;
	size_t i;

	for (i = 0; i < len; i++)
		x ^= b[i];
	touched = x;
}

void
fuzz_fail(const char *fmt, ...)
{
	char msg[512];
	size_t n;
	va_list ap;

	n = (size_t)snprintf(msg, sizeof(msg), "fuzz: invariant broken: ");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	if (__sanitizer_report_error_summary)
		__sanitizer_report_error_summary(msg);
	fprintf(stderr, "%s\n", msg);
	abort();
}
