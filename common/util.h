/* SPDX-License-Identifier: MIT */
/*
 * Small utilities every part of screc uses, kept once: growing an array,
 * hashing bytes and integers.
 */
#ifndef SCREC_UTIL_H
#define SCREC_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define SCREC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Make room for at least need elements of size bytes in *p, whose capacity
 * is *cap elements: doubles (from min), never shrinks.  Returns 0 or -ENOMEM
 * (or -EOVERFLOW), leaving *p and *cap unchanged on failure.
 */
int screc_grow(void *p, size_t *cap, size_t need, size_t size, size_t min);

/* A full 64-bit mix (splitmix64's finalizer): good bits for any table size. */
static inline uint64_t
screc_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* A fast hash of len bytes, eight at a step. */
uint64_t screc_hash_bytes(const void *s, size_t len, uint64_t seed);

/* The hash of a NUL-terminated string. */
uint64_t screc_hash_str(const char *s);

#endif
