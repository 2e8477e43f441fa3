/* SPDX-License-Identifier: MIT */
/*
 * Writing a recording: the file header, then records compressed into zstd
 * frames.  A frame is ended by screc_writer_flush(), which the recorder calls
 * at least once a second, so a killed recorder leaves a readable file.
 */
#ifndef SCREC_WRITER_H
#define SCREC_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "format.h"

struct screc_writer;

/*
 * Start a recording on fd (which the writer does not own or close): writes
 * the file header at once.  Returns 0 and *out, or -errno.
 */
int screc_writer_open(int fd, uint64_t features, struct screc_writer **out);

/*
 * Append one record of type made of the iov pieces (the record header is
 * added in front, padding behind).  Returns 0 or -errno; after a write error
 * every later call returns the same error and nothing more is written.
 */
int screc_writer_addv(struct screc_writer *w, uint32_t type, const struct iovec *iov, int iovcnt);

/* Append one record with a single body piece. */
int screc_writer_add(struct screc_writer *w, uint32_t type, const void *body, size_t len);

/* End the current zstd frame and write it out.  Returns 0 or -errno. */
int screc_writer_flush(struct screc_writer *w);

/*
 * The number of the zstd frame the next record goes to: a record may refer
 * to an earlier one only within the same frame (format.h).
 */
uint64_t screc_writer_frame(const struct screc_writer *w);

/* Records appended so far. */
uint64_t screc_writer_records(const struct screc_writer *w);
/* Uncompressed and compressed bytes so far (compressed counts the header). */
uint64_t screc_writer_bytes_in(const struct screc_writer *w);
uint64_t screc_writer_bytes_out(const struct screc_writer *w);

/*
 * Append the trailer (when trailer is not NULL; nr_records is filled in),
 * flush and free.  Returns 0 or the first error seen.  NULL is a no-op.
 */
int screc_writer_close(struct screc_writer *w, struct screc_rec_trailer *trailer);

#endif
