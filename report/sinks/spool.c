// SPDX-License-Identifier: MIT
/*
 * The spool (see spool.h).  A stream gathers bytes in its own buffer, which
 * grows from a few hundred bytes to SPOOL_CHUNK; a full buffer goes to the
 * end of the file as one chunk, and the stream remembers where.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "spool.h"

#define SPOOL_CHUNK 8192

struct chunk {
	uint64_t off;
	uint32_t len;
};

struct stream {
	char *buf;
	size_t len, cap;
	struct chunk *chunks;
	size_t nr_chunks, cap_chunks;
	uint64_t size;
};

struct spool {
	int fd;
	uint64_t end;		/* bytes in the file */
	struct stream *streams;
	size_t nr, cap;
};

/* An unlinked file in dir: O_TMPFILE where the file system has it, else mkstemp and unlink. */
static int
temp_fd(const char *dir)
{
	char path[4096];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	if ((size_t)snprintf(path, sizeof(path), "%s/screc-spool-XXXXXX", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(path);
	return fd;
}

int
spool_new(struct spool **out)
{
	const char *dir = getenv("TMPDIR");
	struct spool *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->fd = temp_fd(dir && *dir ? dir : "/tmp");
	if (s->fd < 0) {
		int err = s->fd;

		free(s);
		return err;
	}
	*out = s;
	return 0;
}

void
spool_free(struct spool *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr; i++) {
		free(s->streams[i].buf);
		free(s->streams[i].chunks);
	}
	free(s->streams);
	close(s->fd);
	free(s);
}

int
spool_open(struct spool *s, size_t *id)
{
	if (screc_grow(&s->streams, &s->cap, s->nr + 1, sizeof(*s->streams), 16))
		return -ENOMEM;
	memset(&s->streams[s->nr], 0, sizeof(s->streams[s->nr]));
	*id = s->nr++;
	return 0;
}

static int
write_all(int fd, const char *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* The stream's buffer to the end of the file, as its next chunk. */
static int
flush(struct spool *s, struct stream *st)
{
	int err;

	if (!st->len)
		return 0;
	if (screc_grow(&st->chunks, &st->cap_chunks, st->nr_chunks + 1, sizeof(*st->chunks), 4))
		return -ENOMEM;
	err = write_all(s->fd, st->buf, st->len, s->end);
	if (err)
		return err;
	st->chunks[st->nr_chunks++] = (struct chunk){ s->end, (uint32_t)st->len };
	s->end += st->len;
	st->len = 0;
	return 0;
}

int
spool_add(struct spool *s, size_t id, const void *data, size_t len)
{
	struct stream *st = &s->streams[id];
	const char *p = data;
	int err;

	st->size += len;
	while (len) {
		size_t n;

		if (st->len == st->cap && st->cap < SPOOL_CHUNK &&
		    screc_grow(&st->buf, &st->cap, st->cap + 1, 1, 256))
			return -ENOMEM;
		if (st->len == st->cap) {
			err = flush(s, st);
			if (err)
				return err;
		}
		n = st->cap - st->len < len ? st->cap - st->len : len;
		memcpy(st->buf + st->len, p, n);
		st->len += n;
		p += n;
		len -= n;
	}
	return 0;
}

uint64_t
spool_size(const struct spool *s, size_t id)
{
	return s->streams[id].size;
}

int
spool_copy(struct spool *s, size_t id, FILE *out)
{
	struct stream *st = &s->streams[id];
	char buf[SPOOL_CHUNK];
	size_t i;

	for (i = 0; i < st->nr_chunks; i++) {
		size_t done = 0, len = st->chunks[i].len;

		while (done < len) {
			ssize_t n = pread(s->fd, buf, len - done < sizeof(buf) ? len - done : sizeof(buf),
					  (off_t)(st->chunks[i].off + done));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return n < 0 ? -errno : -EIO;
			if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
				return -EIO;
			done += (size_t)n;
		}
	}
	if (st->len && fwrite(st->buf, 1, st->len, out) != st->len)
		return -EIO;
	return 0;
}
