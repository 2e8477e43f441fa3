// SPDX-License-Identifier: MIT
/* Array growth and hashing (see util.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int
screc_grow(void *p, size_t *cap, size_t need, size_t size, size_t min)
{
	void **pp = p;
	size_t n = *cap ? *cap : (min ? min : 16);
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -EOVERFLOW;
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		return -EOVERFLOW;
	q = realloc(*pp, n * size);
	if (!q)
		return -ENOMEM;
	*pp = q;
	*cap = n;
	return 0;
}

uint64_t
screc_hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *s = data;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len ^ seed, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, len);
	return screc_mix64(h ^ w);
}

uint64_t
screc_hash_str(const char *s)
{
	return screc_hash_bytes(s, strlen(s), 0);
}
