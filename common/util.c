// SPDX-License-Identifier: MIT
/* Array growth and hashing (see util.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Room for len more bytes and a NUL. */
static int
buf_room(struct screc_buf *b, size_t len)
{
	if (b->err)
		return b->err;
	if (len >= SIZE_MAX - b->len) {
		b->err = -EOVERFLOW;
		return b->err;
	}
	b->err = screc_grow(&b->s, &b->cap, b->len + len + 1, 1, 64);
	return b->err;
}

void
screc_buf_add(struct screc_buf *b, const char *s, size_t len)
{
	if (buf_room(b, len))
		return;
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void
screc_buf_str(struct screc_buf *b, const char *s)
{
	screc_buf_add(b, s, strlen(s));
}

void
screc_buf_char(struct screc_buf *b, char c)
{
	screc_buf_add(b, &c, 1);
}

void
screc_buf_vprintf(struct screc_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || buf_room(b, (size_t)n))
		return;
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
screc_buf_printf(struct screc_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	screc_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
screc_buf_reset(struct screc_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

const char *
screc_buf_text(const struct screc_buf *b)
{
	return b->s && b->len ? b->s : "";
}

void
screc_buf_release(struct screc_buf *b)
{
	free(b->s);
	*b = (struct screc_buf){ 0 };
}

void
screc_buf_shell_word(struct screc_buf *b, const char *s, size_t len)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789@%+=:,./_-";
	size_t i;

	for (i = 0; i < len && s[i] && strchr(safe, s[i]); i++)
		;
	if (len && i == len) {
		screc_buf_add(b, s, len);
		return;
	}
	screc_buf_char(b, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			screc_buf_str(b, "'\\''");
		else
			screc_buf_char(b, s[i]);
	}
	screc_buf_char(b, '\'');
}

int
screc_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		done += (size_t)n;
	}
	return 0;
}
