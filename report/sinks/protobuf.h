/* SPDX-License-Identifier: MIT */
/*
 * A tiny Protocol Buffers encoder, enough for pprof's profile.proto: varint
 * and length-delimited fields appended to a screc_buf.  A nested message is
 * encoded into a buffer of its own, then added as bytes.  Zero values are
 * written too (proto3 readers take them as the default).
 */
#ifndef SCREC_PROTOBUF_H
#define SCREC_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

#include "common/util.h"

/* A base-128 varint. */
void pb_varint(struct screc_buf *b, uint64_t v);
/* field = v, as a varint (int64 two's complement, uint64, bool). */
void pb_uint(struct screc_buf *b, unsigned field, uint64_t v);
/* field = len bytes (a string, or a message encoded on its own). */
void pb_bytes(struct screc_buf *b, unsigned field, const void *p, size_t len);
/* field = n varints, packed into one length-delimited field (nothing when n is 0). */
void pb_packed(struct screc_buf *b, unsigned field, const uint64_t *v, size_t n);

#endif
