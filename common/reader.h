/* SPDX-License-Identifier: MIT */
/*
 * Reading a recording, one record at a time, with bounded memory.  The reader
 * trusts nothing: any byte sequence yields records, an error, or the end,
 * never a crash or a hang.
 */
#ifndef SCREC_READER_H
#define SCREC_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"

struct screc_reader;

/*
 * Open a recording from fd (owned by the reader from now on, closed by
 * screc_reader_close) or from memory (which must outlive the reader).
 * Checks the header: -EBADMSG bad magic or sizes, -ENOTSUP a version or
 * required feature this reader does not know, -ENODATA too short.
 */
int screc_reader_open_fd(int fd, struct screc_reader **out);
int screc_reader_open_mem(const void *buf, size_t len, struct screc_reader **out);

/*
 * The next record.  Returns 1 and *rec (valid until the next call; its size is
 * at least sizeof(struct screc_rec), a multiple of 8, and all of it readable),
 * 0 at the end of a complete recording (trailer read), -ENODATA at the end of
 * a truncated one, -EBADMSG for corrupt data.  Errors are sticky.
 */
int screc_reader_next(struct screc_reader *r, const struct screc_rec **rec);

/* The file header (valid after a successful open). */
const struct screc_file_header *screc_reader_header(const struct screc_reader *r);

/* The trailer once read, else NULL. */
const struct screc_rec_trailer *screc_reader_trailer(const struct screc_reader *r);

/*
 * Where the first error happened, in bytes of the file, and what it was.
 * Damaged compressed data is reported at the start of the zstd frame that
 * holds the damage (zstd finds it at a block's end or at the frame's
 * checksum, so no finer place is known); every record before that frame
 * was read.  Other errors are reported where the input was read up to.
 * Without an error, how far the input was read.
 */
uint64_t screc_reader_offset(const struct screc_reader *r);
const char *screc_reader_error(const struct screc_reader *r);

/* Close and free; NULL is a no-op. */
void screc_reader_close(struct screc_reader *r);

#endif
