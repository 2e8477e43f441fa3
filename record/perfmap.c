// SPDX-License-Identifier: MIT
/*
 * Copying JIT perf maps into the recording.  Runtimes that generate code
 * (Node.js --perf-basic-prof, CPython 3.12 -X perf, Java with
 * perf-map-agent) name it in /tmp/perf-PID.map, which is on the recording
 * host only, and only until the pid is reused or /tmp is cleaned: the map
 * of each recorded process is copied as PERFMAP records when its EXIT is
 * drained, and at the end for those still running.  Each process's map is
 * copied once.
 *
 * The recorder may be root and /tmp is everyone's: the file is opened
 * without following links and taken only when it is a regular file with one
 * link, owned by the process's user (or, once the process is gone, by the
 * user the command runs as), so no other file can be smuggled in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "perfmap.h"
#include "record.h"

/* Of one map: more is cut (the report reads no more either). */
#define PERFMAP_MAX_BYTES	(256ull << 20)

/* Whether uid may own pid's map: the process's own user, or the command's once it is gone. */
static bool
owner_ok(const struct session *s, uint32_t pid, uid_t uid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u", pid);
	if (stat(path, &st) == 0)
		return st.st_uid == uid;
	return uid == s->command_uid;
}

static int
write_piece(struct session *s, uint32_t pid, uint64_t offset, const char *text, size_t len)
{
	struct screc_rec_perfmap rp = { .pid = pid, .len = (uint32_t)len, .offset = offset };
	struct iovec iov[2] = {
		{ (uint8_t *)&rp + sizeof(rp.hdr), sizeof(rp) - sizeof(rp.hdr) },
		{ (void *)text, len },
	};

	return screc_writer_addv(s->w, SCREC_REC_PERFMAP, iov, 2);
}

int
perfmap_copy(struct session *s, uint32_t pid)
{
	const char *dir = getenv("SCREC_PERF_MAP_DIR");
	char path[4096], *buf;
	struct task *t = tasks_get(&s->tasks, pid, true);
	uint64_t offset = 0;
	size_t have = 0;
	struct stat st;
	int fd, err = 0;

	if (!t || t->perfmap_copied || s->write_error)
		return 0;
	t->perfmap_copied = true;
	snprintf(path, sizeof(path), "%s/perf-%u.map", dir && *dir ? dir : "/tmp", pid);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    !owner_ok(s, pid, st.st_uid)) {
		screc_debug("%s: not copied: not a regular file of the process's user", path);
		close(fd);
		return -EPERM;
	}
	buf = malloc(SCREC_PERFMAP_CHUNK);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + have, SCREC_PERFMAP_CHUNK - have);
		size_t cut;
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		have += (size_t)n;
		if (have == 0 || offset >= PERFMAP_MAX_BYTES)
			break;
		/* Whole lines to a piece while the file goes on; all of it at its end. */
		cut = have;
		if (n > 0 && have == SCREC_PERFMAP_CHUNK) {
			nl = memrchr(buf, '\n', have);
			if (nl)
				cut = (size_t)(nl - buf) + 1;
		} else if (n > 0) {
			continue;
		}
		err = write_piece(s, pid, offset, buf, cut);
		if (err)
			break;
		offset += cut;
		memmove(buf, buf + cut, have - cut);
		have -= cut;
		if (n == 0 && have == 0)
			break;
	}
	free(buf);
	close(fd);
	if (offset)
		screc_debug("%s: %llu bytes copied", path, (unsigned long long)offset);
	s->stats.perfmaps += offset > 0;
	return err;
}

void
perfmap_copy_all(struct session *s)
{
	size_t i;

	/* perfmap_copy() never adds to the table for a pid it holds: the walk stays valid. */
	for (i = 0; i < s->tasks.cap; i++)
		if (s->tasks.t[i].pid && !s->tasks.t[i].perfmap_copied)
			perfmap_copy(s, s->tasks.t[i].pid);
}
