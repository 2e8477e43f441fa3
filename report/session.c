// SPDX-License-Identifier: MIT
/*
 * A report session's life: opening the recording once, the state every
 * stage builds while reading it, and what the recording says of itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/records.h"
#include "session-internal.h"

/* How long a FIFO may stay without a writer before the report gives up. */
#define FIFO_WAIT_MS 5000

/* Copy all of fd (a pipe) into anonymous memory; returns the memfd or -errno. */
static int
spool(int fd)
{
	char buf[65536];
	int mfd = memfd_create("screc-input", MFD_CLOEXEC);
	ssize_t n;

	if (mfd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(mfd, buf, (size_t)n) != n) {
			int err = errno ? -errno : -EIO;

			close(mfd);
			return err;
		}
	}
	return mfd;
}

/*
 * The recording's bytes as a file the report can read more than once: a
 * regular file as it is; stdin ("-"), a pipe or a FIFO copied into memory
 * first (read once, as a pipe can only be).  A FIFO nobody writes to is not
 * waited for forever.  Returns an fd or -errno (-EISDIR, -EPIPE for a FIFO
 * without a writer).
 */
static int
open_input(const char *path)
{
	struct stat st;
	int fd, mfd;

	fd = strcmp(path, "-") == 0 ? fcntl(0, F_DUPFD_CLOEXEC, 3) :
				      open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	if (S_ISFIFO(st.st_mode) && strcmp(path, "-") != 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		/* With no writer yet, poll says nothing; a writer that came and went, POLLHUP. */
		if (poll(&p, 1, FIFO_WAIT_MS) <= 0 || !(p.revents & POLLIN)) {
			close(fd);
			return -EPIPE;
		}
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (S_ISREG(st.st_mode))
		return fd;
	mfd = spool(fd);
	close(fd);
	if (mfd >= 0)
		screc_debug("%s: not a regular file: read it into memory once", path);
	return mfd;
}

/* A second, independent reader of the same bytes. */
static int
reopen_input(int fd)
{
	char p[32];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return open(p, O_RDONLY | O_CLOEXEC);
}

/*
 * The recording's perf maps (PERFMAP records, written at its end), handed
 * to the finder before its first lookup: one pass of a reader of its own
 * over the file.  A recording read from a pipe cannot be read twice: the
 * maps are then this host's, as without them.
 */
static void
scan_perfmaps(void *arg, struct finder *f)
{
	struct report_session *s = arg;
	const struct screc_rec *rec;
	struct screc_perfmap_view v;
	struct screc_reader *r;
	unsigned long long pieces = 0;
	struct stat st;
	int fd = reopen_input(s->in_fd);

	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || screc_reader_open_fd(fd, &r)) {
		close(fd);
		return;
	}
	while (screc_reader_next(r, &rec) == 1)
		if (rec->type == SCREC_REC_PERFMAP && screc_get_perfmap(rec, &v) == 0 &&
		    find_perfmap_add_piece(f, v.pid, v.offset, v.text, v.len) == 0)
			pieces++;
	screc_reader_close(r);
	screc_debug("%s: %llu pieces of JIT perf maps in the recording", s->path, pieces);
}

int
report_session_open(const char *path, const struct lookup_opts *lookup,
		    struct report_session **out)
{
	struct report_session *s;
	int fd, err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->in_fd = -1;
	s->path = strdup(path);
	s->strs = screc_strtab_new();
	if (!s->path || !s->strs) {
		err = -ENOMEM;
		goto fail;
	}
	s->in_fd = open_input(path);
	if (s->in_fd < 0) {
		err = s->in_fd;
		goto fail;
	}
	fd = reopen_input(s->in_fd);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	err = screc_reader_open_fd(fd, &s->r);
	if (err)
		goto fail;
	s->find = find_new(lookup, s->strs);
	s->uw = s->find ? unwind_new(s->find) : NULL;
	s->sym = s->find ? sym_new(s->find, s->strs) : NULL;
	if (s->find)
		find_perfmap_set_scan(s->find, scan_perfmaps, s);
	if (!s->uw || !s->sym) {
		err = -ENOMEM;
		goto fail;
	}
	s->meta.path = s->path;
	s->decode.strsize = DECODE_STRSIZE_DEFAULT;
	s->decode.fd_paths = true;
	*out = s;
	return 0;
fail:
	report_session_free(s);
	return err;
}

int
report_session_set_jobs(struct report_session *s, unsigned jobs)
{
	s->jobs = jobs;
	if (s->find)
		find_set_jobs(s->find, jobs);
	return 0;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A reader of the output that went away (| head) ends the report: without a progress line left. */
static void
on_sigpipe(int sig)
{
	static const char clear[] = "\r\033[K";
	ssize_t r = write(STDERR_FILENO, clear, sizeof(clear) - 1);

	(void)r;
	signal(sig, SIG_DFL);
	raise(sig);
}

void
report_session_set_progress(struct report_session *s, bool on)
{
	struct stat st;

	if (on)
		signal(SIGPIPE, on_sigpipe);

	s->progress.on = on;
	s->progress.size = fstat(s->in_fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
	s->progress.start_ns = s->progress.last_ns = now_ns();
}

void
session_progress(struct report_session *s)
{
	struct progress *p = &s->progress;
	uint64_t t, at;

	/* The clock once per 4096 records: a few ns per record. */
	if (!p->on || !p->size || ++p->tick % 4096)
		return;
	t = now_ns();
	if (t - p->start_ns < 500000000u || t - p->last_ns < 250000000u)
		return;
	p->last_ns = t;
	at = screc_reader_offset(s->r);
	fprintf(stderr, "\rscrec: reading %s: %3u%%\033[K", s->path,
		(unsigned)(at >= p->size ? 100 : at * 100 / p->size));
	p->shown = true;
}

void
report_session_progress_end(struct report_session *s)
{
	if (s && s->progress.shown) {
		fputs("\r\033[K", stderr);
		s->progress.shown = false;
	}
}

void
report_session_free(struct report_session *s)
{
	size_t i;

	if (!s)
		return;
	sym_free(s->sym);
	unwind_free(s->uw);
	find_free(s->find);
	screc_reader_close(s->r);
	screc_attrs_release(&s->attrs);
	screc_attrs_release(&s->rattrs);
	tp_table_release(&s->tps);
	for (i = 0; i <= SCREC_STR_LAST; i++)
		free(s->strings[i]);
	free(s->tasks);
	screc_strtab_free(s->strs);
	if (s->in_fd >= 0)
		close(s->in_fd);
	free(s->path);
	free(s);
}

struct screc_reader *
report_session_reader(struct report_session *s)
{
	return s->r;
}

const char *
report_session_path(const struct report_session *s)
{
	return s->path;
}

struct finder *
report_session_finder(struct report_session *s)
{
	return s->find;
}

int
report_session_load_archive(struct report_session *s)
{
	int fd = reopen_input(s->in_fd);

	if (fd < 0)
		return -errno;
	return find_archive_load(s->find, fd, s->path);
}

int
report_session_resolve(struct report_session *s, int fd, bool names)
{
	return resolve_begin(s, fd, names);
}

void
report_session_set_decode(struct report_session *s, const struct decode_opts *o)
{
	s->decode = *o;
}

void
report_session_set_inline(struct report_session *s, bool show)
{
	sym_set_inline(s->sym, show);
}

void
report_session_set_index(struct report_session *s, unsigned index)
{
	s->meta.recording = index;
}

void
report_session_each_unnamed(struct report_session *s,
			    void (*fn)(void *arg, const struct find_unnamed *u), void *arg)
{
	find_each_unnamed(s->find, fn, arg);
}

uint64_t
report_session_features(const struct report_session *s)
{
	return s->r ? screc_reader_header(s->r)->features : 0;
}

const struct report_meta *
report_session_meta(const struct report_session *s)
{
	return &s->meta;
}

void
report_session_backends(struct report_session *s,
			void (*fn)(void *arg, const char *name, uint64_t frames), void *arg)
{
	const uint64_t *frames = unwind_backend_frames(s->uw);
	int i;

	for (i = 0; i < UNWIND_NR_BACKENDS; i++)
		fn(arg, unwind_backend_name((enum unwind_backend_id)i), frames[i]);
}

void
session_take_meta(struct report_session *s, const struct screc_rec *rec)
{
	struct screc_rec_info in;
	struct screc_string_view sv;
	char *str;
	size_t i;

	if (rec->type == SCREC_REC_INFO && screc_get_info(rec, &in) == 0 && !s->have_start) {
		s->have_start = true;
		s->meta.start_realtime_ns = in.start_realtime_ns;
		s->meta.start_clock_ns = in.start_clock_ns;
		s->meta.clockid = in.clockid;
		s->meta.e_machine = in.e_machine;
		s->meta.stack_size = in.stack_size;
		s->meta.nr_cpus = in.nr_cpus;
		return;
	}
	if (rec->type != SCREC_REC_STRING || screc_get_string(rec, &sv) ||
	    sv.key > SCREC_STR_LAST || s->strings[sv.key])
		return;
	str = malloc(sv.len + 1);
	if (!str)
		return;
	memcpy(str, sv.data, sv.len);
	str[sv.len] = '\0';
	/* The command line is NUL separated. */
	for (i = 0; i < sv.len; i++)
		if (!str[i])
			str[i] = ' ';
	s->strings[sv.key] = str;
	s->meta.hostname = s->strings[SCREC_STR_HOSTNAME];
	s->meta.kernel = s->strings[SCREC_STR_KERNEL_RELEASE];
	s->meta.machine = s->strings[SCREC_STR_MACHINE];
	s->meta.screc_version = s->strings[SCREC_STR_SCREC_VERSION];
	s->meta.cmdline = s->strings[SCREC_STR_CMDLINE];
	s->meta.events = s->strings[SCREC_STR_EVENTS];
}
