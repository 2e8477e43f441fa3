// SPDX-License-Identifier: MIT
/*
 * Opening mapped files safely.  A traced program may replace a library it
 * mapped by a symbolic link (or a hard link) to a file only root can read;
 * a recorder that followed the path would read, and archive, that file under
 * the program's path.  So: the file a process mapped is opened through
 * /proc/PID/map_files while the mapping exists; otherwise through its path
 * with no symbolic link anywhere on the way, and only when it is a regular
 * file.  The archive then checks what it opened against the mapping
 * (device and inode, build-id) before storing anything.
 *
 * The functions of common/buildid.c and common/elf-extract.c take paths
 * (and follow links); they are given /proc/self/fd/N of a file opened here,
 * which reopens that very file.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/buildid.h"
#include "common/perf-record.h"
#include "common/util.h"
#include "mapfile.h"

#define OPEN_FLAGS	(O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/*
 * Given an O_PATH descriptor (which opened nothing: a device is not acted
 * on), check that it is a regular file, describe it and open it for
 * reading.  Consumes pfd.  Returns the new fd or -errno.
 */
static int
reopen_regular(int pfd, struct mapfile_id *id)
{
	struct stat st;
	char p[32];
	int fd, err = 0;

	if (pfd < 0)
		return -errno;
	if (fstat(pfd, &st) < 0)
		err = -errno;
	else if (S_ISLNK(st.st_mode))
		err = -ELOOP;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	if (err) {
		close(pfd);
		return err;
	}
	mapfile_fd_path(pfd, p, sizeof(p));
	fd = open(p, OPEN_FLAGS);
	err = -errno;
	close(pfd);
	if (fd < 0)
		return err;
	if (id)
		*id = (struct mapfile_id){ .dev = st.st_dev, .ino = st.st_ino, .known = true };
	return fd;
}

int
mapfile_open_path(const char *path, struct mapfile_id *id)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))	/* before Linux 5.6, or a filter */
		fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);	/* a link: S_ISLNK */
	return reopen_regular(fd, id);
}

int
mapfile_open_map_files(pid_t pid, uint64_t start, uint64_t end, struct mapfile_id *id)
{
	char mf[96];

	snprintf(mf, sizeof(mf), "/proc/%d/map_files/%llx-%llx", (int)pid,
		 (unsigned long long)start, (unsigned long long)end);
	return reopen_regular(open(mf, O_PATH | O_CLOEXEC), id);
}

int
mapfile_open_mapped(pid_t pid, uint64_t start, uint64_t end, const char *path,
		    struct mapfile_id *id)
{
	int fd = mapfile_open_map_files(pid, start, end, id);

	return fd >= 0 ? fd : mapfile_open_path(path, id);
}

void
mapfile_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

int
mapfile_build_id(int fd, uint8_t *bid, size_t *len)
{
	char p[32];

	mapfile_fd_path(fd, p, sizeof(p));
	return screc_read_build_id(p, bid, len);
}

static size_t
cache_slot(const struct mapfile_cache *c, uint64_t dev, uint64_t ino)
{
	size_t i = (size_t)screc_mix64(ino ^ screc_mix64(dev)) & (c->cap - 1);

	while (c->e[i].ino && (c->e[i].ino != ino || c->e[i].dev != dev))
		i = (i + 1) & (c->cap - 1);
	return i;
}

int
mapfile_cached_build_id(struct mapfile_cache *c, int fd, const struct mapfile_id *id,
			uint8_t *bid, size_t *len)
{
	struct mapfile_cached *e;
	size_t i;
	int err;

	if (!id->known || !id->ino)
		return mapfile_build_id(fd, bid, len);
	if (c->cap && c->e[i = cache_slot(c, id->dev, id->ino)].ino) {
		e = &c->e[i];
		memcpy(bid, e->bid, e->len);
		*len = e->len;
		return e->len ? 0 : -ENOENT;
	}
	err = mapfile_build_id(fd, bid, len);
	if (err && err != -ENOENT && err != -ENOEXEC)
		return err;	/* not the file's answer: do not remember it */
	if ((c->nr + 1) * 2 > c->cap) {
		struct mapfile_cache n = { calloc(c->cap ? 2 * c->cap : 64, sizeof(*n.e)), c->nr,
					   c->cap ? 2 * c->cap : 64 };

		if (!n.e)
			return err;
		for (i = 0; i < c->cap; i++)
			if (c->e[i].ino)
				n.e[cache_slot(&n, c->e[i].dev, c->e[i].ino)] = c->e[i];
		free(c->e);
		*c = n;
	}
	e = &c->e[cache_slot(c, id->dev, id->ino)];
	*e = (struct mapfile_cached){ .dev = id->dev, .ino = id->ino };
	if (!err) {
		e->len = (uint8_t)*len;
		memcpy(e->bid, bid, *len);
	}
	c->nr++;
	return err;
}

void
mapfile_cache_release(struct mapfile_cache *c)
{
	free(c->e);
	*c = (struct mapfile_cache){ 0 };
}

bool
mapfile_mmap2_id(const void *rec, size_t len, struct mapfile_id *id)
{
	/* After the header: pid, tid, addr, len, pgoff, then maj, min, ino. */
	const uint8_t *p = (const uint8_t *)rec + sizeof(struct perf_event_header);
	struct perf_event_header h;
	uint32_t maj, min;
	uint64_t ino;

	if (len < sizeof(h) + 48)
		return false;
	memcpy(&h, rec, sizeof(h));
	if (h.type != PERF_RECORD_MMAP2 || (h.misc & PERF_RECORD_MISC_MMAP_BUILD_ID))
		return false;
	memcpy(&maj, p + 32, 4);
	memcpy(&min, p + 36, 4);
	memcpy(&ino, p + 40, 8);
	if (!maj && !min && !ino)
		return false;
	*id = (struct mapfile_id){ .dev = makedev(maj, min), .ino = ino, .known = true };
	return true;
}
