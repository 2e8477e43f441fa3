// SPDX-License-Identifier: MIT
/*
 * Describing processes that were running before the recording started (-p):
 * their threads, names and executable mappings, written as the COMM and MMAP2
 * records the kernel would have produced, with build-ids read from the files
 * mapped (through /proc/PID/map_files, not their paths), or else the device
 * and inode of the file; and their open file descriptors (FDS records).
 * And a word when the process given only waits for children it already has,
 * whose calls -p does not record.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/format.h"
#include "common/log.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "mapfile.h"
#include "record.h"

static void read_comm(pid_t pid, pid_t tid, char *out, size_t len);

/* A small /proc file's text into buf (NUL-terminated), or "" when it cannot be read. */
static void
read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/*
 * -p on a process that only waits for its children (the shell or the
 * timeout that ran the program, `sh -c CMD`, `cmd && prog &`'s $!) records
 * nothing: children that exist already are not followed, like strace -p.
 * Say so in one line, with their pids.  Silent when /proc does not tell
 * (another user's process under ptrace restrictions).
 */
static void
note_waiting(pid_t pid)
{
	char path[96], buf[512], kids[160], comm[32];
	const char *p = buf;
	size_t len = 0;
	unsigned shown = 0;
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	read_small(path, buf, sizeof(buf));
	nr = strtol(buf, NULL, 10);
	if (!buf[0] || (nr != screc_syscall_nr("wait4") && nr != screc_syscall_nr("waitid")))
		return;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	read_small(path, buf, sizeof(buf));
	kids[0] = '\0';
	while (shown < 4) {
		char *end;
		long kid = strtol(p, &end, 10);

		if (end == p)
			break;
		p = end;
		read_comm(kid, kid, comm, sizeof(comm));
		len += (size_t)snprintf(kids + len, sizeof(kids) - len, "%s%ld (%s)",
					shown++ ? ", " : "", kid, comm);
		if (len >= sizeof(kids))
			return;
	}
	if (!shown)
		return;
	read_comm(pid, pid, comm, sizeof(comm));
	screc_err("-p %d (%s) is waiting in %s for %s%s, which -p does not follow: its calls are "
		  "not recorded; give the pid%s of what you want recorded to -p", (int)pid, comm,
		  screc_syscall_name(nr), kids, *p && strtol(p, NULL, 10) ? " and more" : "",
		  shown > 1 ? "s" : "");
}

static int
list_threads(pid_t pid, pid_t **tids, size_t *nr, size_t *cap)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || tid <= 0)
			continue;
		if (screc_grow(tids, cap, *nr + 1, sizeof(**tids), 16)) {
			closedir(d);
			return -ENOMEM;
		}
		(*tids)[(*nr)++] = (pid_t)tid;
	}
	closedir(d);
	return 0;
}

int
proc_threads(pid_t pid, pid_t **tids, size_t *nr, size_t *cap)
{
	int err = list_threads(pid, tids, nr, cap);

	if (!err)
		note_waiting(pid);
	return err;
}

static int
emit(struct session *s, uint32_t type, uint16_t misc, const void *body, size_t blen,
     const char *str, pid_t pid, pid_t tid, uint64_t time)
{
	uint8_t buf[sizeof(struct perf_event_header) + 256 + 4096 + sizeof(struct id_trailer)];
	struct perf_event_header h = { .type = type, .misc = misc };
	struct id_trailer tr = { (uint32_t)pid, (uint32_t)tid, time, 0, 0, s->tracking_id };
	size_t slen = strlen(str) + 1, off = sizeof(h);

	if (blen > 256 || slen > 4096)
		return -ENAMETOOLONG;
	memcpy(buf + off, body, blen);
	off += blen;
	memcpy(buf + off, str, slen);
	off += slen;
	while (off % 8)
		buf[off++] = 0;
	memcpy(buf + off, &tr, sizeof(tr));
	off += sizeof(tr);
	h.size = (uint16_t)off;
	memcpy(buf, &h, sizeof(h));
	return ring_write_perf(s, buf, off);
}

static void
read_comm(pid_t pid, pid_t tid, char *out, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	f = fopen(path, "re");
	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

int
proc_synthesize(struct session *s, pid_t pid, uint64_t time, bool threads)
{
	pid_t *tids = NULL;
	size_t nr = 0, cap = 0, i;
	char path[64], line[4096 + 256];
	FILE *f;
	int err = 0;

	if (threads)
		err = list_threads(pid, &tids, &nr, &cap);
	else if ((tids = malloc(sizeof(*tids))))
		tids[nr++] = pid;
	if (err || !tids)
		return err ? err : -ENOMEM;
	for (i = 0; i < nr; i++) {
		char comm[64];
		uint32_t ids[2] = { (uint32_t)pid, (uint32_t)tids[i] };

		read_comm(pid, tids[i], comm, sizeof(comm));
		err = emit(s, PERF_RECORD_COMM, 0, ids, sizeof(ids), comm, pid, tids[i], time);
		if (err)
			break;
	}
	free(tids);
	if (err)
		return err;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct {
			uint32_t pid, tid;
			uint64_t addr, len, pgoff;
			uint8_t ident[24];	/* a build-id, or maj, min, ino, generation */
			uint32_t prot, flags;
		} m = { 0 };
		struct mapfile_id id = { 0 };
		uint64_t start, end, off;
		char perms[8], name[4096];
		unsigned maj, min;
		unsigned long ino;
		int n = 0, fd;
		uint16_t misc = 0;
		size_t idlen;

		name[0] = '\0';
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %lu %n", &start, &end,
			   perms, &off, &maj, &min, &ino, &n) < 7)
			continue;
		if (perms[2] != 'x')
			continue;
		snprintf(name, sizeof(name), "%s", line + n);
		name[strcspn(name, "\n")] = '\0';
		if (!name[0])
			snprintf(name, sizeof(name), "//anon");
		m.pid = m.tid = (uint32_t)pid;
		m.addr = start;
		m.len = end - start;
		m.pgoff = off;
		m.prot = (perms[0] == 'r' ? 1u : 0) | (perms[1] == 'w' ? 2u : 0) | 4u;
		m.flags = perms[3] == 'p' ? 2u : 1u;	/* MAP_PRIVATE : MAP_SHARED */
		/* The build-id of the very file mapped, not of whatever its path now leads to. */
		fd = name[0] == '/' ? mapfile_open_mapped(pid, start, end, name, &id) : -ENOENT;
		if (fd >= 0 && mapfile_cached_build_id(&s->bid_cache, fd, &id, m.ident + 4, &idlen) == 0) {
			m.ident[0] = (uint8_t)idlen;
			misc |= PERF_RECORD_MISC_MMAP_BUILD_ID;
		} else {
			/* As the kernel writes a mapping without a build-id: which file it is. */
			uint32_t dev[2] = { maj, min };
			uint64_t inode = ino;

			memset(m.ident, 0, sizeof(m.ident));
			memcpy(m.ident, dev, sizeof(dev));
			memcpy(m.ident + 8, &inode, sizeof(inode));
		}
		if (fd >= 0)
			close(fd);
		err = emit(s, PERF_RECORD_MMAP2, misc, &m, sizeof(m), name, pid, pid, time);
		if (err)
			break;
	}
	fclose(f);
	return err;
}

bool
proc_all_gone(const pid_t *pids, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (kill(pids[i], 0) == 0 || errno == EPERM)
			return false;
	return true;
}

/* Whether fd of pid is close-on-exec, from the octal flags line of its fdinfo. */
static bool
fd_cloexec(int dirfd, const char *name)
{
	char path[300], buf[512];
	unsigned long flags;
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "../fdinfo/%s", name);
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strstr(buf, "flags:");
	if (!p || sscanf(p + 6, "%lo", &flags) != 1)
		return false;
	return flags & O_CLOEXEC;
}

/* Write the FDS record being built in buf (len bytes of entries), if it has any. */
static int
fds_flush(struct session *s, struct screc_rec_fds *rf, uint8_t *buf, size_t *len)
{
	struct iovec iov[2] = {
		{ (uint8_t *)rf + sizeof(rf->hdr), sizeof(*rf) - sizeof(rf->hdr) },
		{ buf, *len },
	};
	int err;

	if (!rf->nr_fds)
		return 0;
	err = screc_writer_addv(s->w, SCREC_REC_FDS, iov, 2);
	rf->nr_fds = 0;
	*len = 0;
	return err;
}

int
proc_write_fds(struct session *s, pid_t pid, uint64_t time)
{
	/* Entries per record: well under SCREC_REC_MAX, a page's worth of fds or more. */
	enum { CHUNK = 64 * 1024 };
	struct screc_rec_fds rf = { .pid = (uint32_t)pid, .time = time };
	char dir[64], target[4096];
	struct dirent *de;
	size_t len = 0;
	uint8_t *buf;
	int err = 0, dfd;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	dfd = dirfd(d);
	buf = malloc(CHUNK);
	if (!buf) {
		closedir(d);
		return -ENOMEM;
	}
	while (!err && (de = readdir(d))) {
		struct screc_fds_entry e = { 0 };
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		ssize_t n;
		size_t need;

		if (*end || end == de->d_name || fd < 0 || fd > INT32_MAX)
			continue;
		n = readlinkat(dfd, de->d_name, target, sizeof(target));
		if (n <= 0 || (size_t)n >= sizeof(target))
			continue;	/* closed meanwhile, or a path too long to be of use */
		e.fd = (int32_t)fd;
		e.flags = fd_cloexec(dfd, de->d_name) ? SCREC_FDS_CLOEXEC : 0;
		e.path_len = (uint16_t)n;
		need = sizeof(e) + (((size_t)n + 7) & ~(size_t)7);
		if (need > CHUNK - len)
			err = fds_flush(s, &rf, buf, &len);
		memcpy(buf + len, &e, sizeof(e));
		memcpy(buf + len + sizeof(e), target, (size_t)n);
		memset(buf + len + sizeof(e) + n, 0, need - sizeof(e) - (size_t)n);
		len += need;
		rf.nr_fds++;
	}
	if (!err)
		err = fds_flush(s, &rf, buf, &len);
	free(buf);
	closedir(d);
	return err;
}
