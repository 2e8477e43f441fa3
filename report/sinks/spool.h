/* SPDX-License-Identifier: MIT */
/*
 * Streams of bytes parked in an unlinked temporary file, for the exports
 * whose format groups by thread what arrives interleaved (Gecko's per-thread
 * samples and markers, speedscope's per-thread events): each thread writes
 * its rows to its own stream as events come, and at the end each stream is
 * copied out in order.  Memory stays at a small buffer per stream and a list
 * of its chunks; the bytes themselves go to the file.
 */
#ifndef SCREC_SPOOL_H
#define SCREC_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct spool;

/* A new spool, its file made in $TMPDIR (or /tmp) and unlinked at once.  0 or -errno. */
int spool_new(struct spool **out);
/* Close the file and free everything; NULL is a no-op. */
void spool_free(struct spool *s);
/* Open a new, empty stream; *id gets its number (0, 1, ...).  0 or -ENOMEM. */
int spool_open(struct spool *s, size_t *id);
/* Append len bytes to a stream.  0 or -errno. */
int spool_add(struct spool *s, size_t id, const void *p, size_t len);
/* Bytes written to a stream so far. */
uint64_t spool_size(const struct spool *s, size_t id);
/* Write a stream's bytes to out, in order.  0 or -errno. */
int spool_copy(struct spool *s, size_t id, FILE *out);

#endif
