// SPDX-License-Identifier: MIT
/* The Protocol Buffers encoder (see protobuf.h). */
#include "protobuf.h"

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

void
pb_varint(struct screc_buf *b, uint64_t v)
{
	char tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	screc_buf_add(b, tmp, n);
}

void
pb_uint(struct screc_buf *b, unsigned field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3 | WIRE_VARINT);
	pb_varint(b, v);
}

void
pb_bytes(struct screc_buf *b, unsigned field, const void *p, size_t len)
{
	pb_varint(b, (uint64_t)field << 3 | WIRE_LEN);
	pb_varint(b, len);
	if (len)
		screc_buf_add(b, p, len);
}

void
pb_packed(struct screc_buf *b, unsigned field, const uint64_t *v, size_t n)
{
	size_t len = 0, i;
	uint64_t x;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		for (x = v[i], len++; x > 0x7f; x >>= 7)
			len++;
	pb_varint(b, (uint64_t)field << 3 | WIRE_LEN);
	pb_varint(b, len);
	for (i = 0; i < n; i++)
		pb_varint(b, v[i]);
}
