/* SPDX-License-Identifier: MIT */
/*
 * What the libFuzzer harnesses share: turning fuzz input into a recording
 * (records compressed into zstd frames behind a file header, so that the
 * mutations land in records rather than in compressed bytes), a memfd that
 * code taking a path can read the input through, and a check that a range
 * the code under test hands back is readable.
 */
#ifndef SCREC_FUZZ_COMMON_H
#define SCREC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry points. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* How fuzz_compose() ends the compressed stream. */
enum fuzz_tail {
	FUZZ_TAIL_WHOLE = 0,	/* every frame complete */
	FUZZ_TAIL_CUT1 = 1,	/* the last byte missing */
	FUZZ_TAIL_CUT7 = 2,	/* the last 7 bytes missing */
	FUZZ_TAIL_MAGIC = 3,	/* a lone zstd frame magic after the last frame */
};

/*
 * A recording: hdr (hdr_len bytes, at most 64, the rest of the 64-byte file
 * header zero) followed by recs compressed in frames of frame bytes each
 * (frame 0: one frame), ended as tail says.  Returns a malloc'd buffer and
 * its length in *len, or NULL (out of memory, or zstd failed).
 */
uint8_t *fuzz_compose(const uint8_t *hdr, size_t hdr_len, const uint8_t *recs, size_t recs_len,
		      size_t frame, enum fuzz_tail tail, size_t *len);

/* A file header as the recorder writes it, with these feature bits. */
void fuzz_header(uint8_t hdr[64], uint64_t features);

/*
 * A memfd made once per process, holding exactly the len bytes at p after
 * the call; its path (/proc/self/fd/N) in path (32 bytes).  Returns the fd,
 * or -1 (the harness cannot run: it aborts).
 */
int fuzz_memfd(int *fd, const void *p, size_t len, char path[32]);

/* Read every byte of p..p+len, so that AddressSanitizer checks the range. */
void fuzz_touch(const void *p, size_t len);

/* Stop with a message: an invariant of the code under test does not hold. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
