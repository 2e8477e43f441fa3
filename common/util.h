/* SPDX-License-Identifier: MIT */
/*
 * Small utilities every part of screc uses, kept once: growing an array,
 * hashing bytes and integers.
 */
#ifndef SCREC_UTIL_H
#define SCREC_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define SCREC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Make room for at least need elements of size bytes in *p, whose capacity
 * is *cap elements: doubles (from min), never shrinks.  Returns 0 or -ENOMEM
 * (or -EOVERFLOW), leaving *p and *cap unchanged on failure.
 */
int screc_grow(void *p, size_t *cap, size_t need, size_t size, size_t min);

/*
 * Read len bytes at offset off of fd (pread, again after EINTR and short
 * reads).  Returns 0, -ENODATA when the file ends first, or -errno.
 */
int screc_pread_all(int fd, void *buf, size_t len, uint64_t off);

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

/*
 * A growing text buffer, always NUL-terminated once anything was added.
 * Out of memory is sticky: err is set, later additions do nothing, and the
 * text stays what it was.
 */
struct screc_buf {
	char *s;
	size_t len, cap;
	int err;
};

void screc_buf_add(struct screc_buf *b, const char *s, size_t len);
void screc_buf_str(struct screc_buf *b, const char *s);
void screc_buf_char(struct screc_buf *b, char c);
void screc_buf_printf(struct screc_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void screc_buf_vprintf(struct screc_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Forget the text, keep the memory. */
/* s[0..len) as a POSIX shell word: as is when safe, else in single quotes. */
void screc_buf_shell_word(struct screc_buf *b, const char *s, size_t len);
void screc_buf_reset(struct screc_buf *b);
/* The text ("" when empty). */
const char *screc_buf_text(const struct screc_buf *b);
/* Free the memory; the buffer is empty and usable again. */
void screc_buf_release(struct screc_buf *b);

#endif
