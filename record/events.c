// SPDX-License-Identifier: MIT
/*
 * Opening the perf events: syscall tracepoints found in tracefs, one ring
 * buffer per CPU that every event on that CPU writes to, and a dummy event per
 * task and CPU that carries the mmap/comm/task side-band records.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/syscall-set.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "record.h"
#include "target.h"

/* Ids per ATTR record, well inside a record's size limit. */
#define ATTR_IDS_MAX 65536u

/* At most this many syscalls get tracepoints of their own; more use raw_syscalls. */
#define MAX_OWN_TRACEPOINTS 4

/* An ftrace filter set through ioctl is at most a page (strndup_user(PAGE_SIZE)). */
#define FILTER_MAX 4096u

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

/*
 * What lets a user other than root record, found by trying it as nobody:
 * the tracepoints' id and format files are 0440 root, so a group of the
 * user's must own tracefs (its mount options; a chmod of the top directory
 * is not enough); then CAP_PERFMON, and CAP_IPC_LOCK for rings larger than
 * kernel.perf_event_mlock_kb.  Without the capabilities, perf_event_paranoid
 * 2 still allows a user's own processes' syscalls through their own
 * tracepoints (at most four syscalls), which the recorder falls back to.
 */
#define TRACEFS_ADVICE \
	"run as root, or give a group of yours the tracepoint files (as root: mount -o " \
	"remount,mode=750,gid=GROUP %s) and screc CAP_PERFMON and CAP_IPC_LOCK (setcap " \
	"cap_perfmon,cap_ipc_lock=ep screc)"

/*
 * access(2) checks with the real ids and no capabilities; what matters is
 * whether screc, with its effective ids and capabilities, can get there.
 */
static int
can(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, AT_EACCESS);
}

static bool
has_events(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/events/raw_syscalls", dir);
	return can(path, F_OK) == 0;
}

int
events_find_tracefs(struct session *s)
{
	size_t i;

	for (i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++)
		if (has_events(tracefs_dirs[i])) {
			s->tracefs = tracefs_dirs[i];
			return 0;
		}
	if (geteuid() == 0 && mount("nodev", tracefs_dirs[0], "tracefs", 0, NULL) == 0 &&
	    has_events(tracefs_dirs[0])) {
		screc_debug("mounted tracefs on %s", tracefs_dirs[0]);
		s->tracefs = tracefs_dirs[0];
		return 0;
	}
	if (can(tracefs_dirs[0], X_OK) != 0 && errno == EACCES) {
		screc_err("%s: permission denied: the syscall tracepoints are root's: " TRACEFS_ADVICE,
			  tracefs_dirs[0], tracefs_dirs[0]);
		return -EACCES;
	}
	screc_err("tracefs: not mounted and no syscall tracepoints found: mount it as root "
		  "(mount -t tracefs nodev /sys/kernel/tracing); the kernel needs "
		  "CONFIG_FTRACE_SYSCALLS");
	return -ENOENT;
}

static char *
read_text(const char *path)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 16384);

			if (!nb) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = nb;
			cap += 16384;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* Fill tp from tracefs events/<sys>/<event>; returns 0 or -errno. */
static int
load_tracepoint(struct session *s, struct tracepoint *tp, const char *sys, const char *event,
		uint32_t kind)
{
	char path[512];
	char *id;

	snprintf(tp->name, sizeof(tp->name), "%s:%s", sys, event);
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", s->tracefs, sys, event);
	id = read_text(path);
	if (!id)
		return -errno ? -errno : -ENOENT;
	tp->id = (uint32_t)strtoul(id, NULL, 10);
	free(id);
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", s->tracefs, sys, event);
	tp->format = read_text(path);
	if (!tp->format)
		return -errno ? -errno : -ENOENT;
	tp->kind = kind;
	return 0;
}

static bool
tracepoint_exists(struct session *s, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_%s", s->tracefs,
		 screc_syscall_tracepoint(name));
	return can(path, F_OK) == 0;
}

/*
 * Append one condition to the filter being built; false when it no longer
 * fits (the kernel takes at most a page).
 */
static bool
filter_add(char *buf, size_t cap, size_t *len, const char *join, const char *cond)
{
	int n = snprintf(buf + *len, cap - *len, "%s%s", *len ? join : "", cond);

	if (n < 0 || (size_t)n >= cap - *len)
		return false;
	*len += (size_t)n;
	return true;
}

/*
 * The ftrace filter on raw_syscalls' id that keeps the syscalls of set: its
 * runs of numbers as ranges, or (when shorter) the runs it leaves out, so
 * that "!connect" is one condition, not 370.  Returns NULL when out of
 * memory or when even the shorter form exceeds what the kernel takes
 * (with a message).
 */
static char *
build_filter(const struct screc_syscall_set *set)
{
	struct screc_syscall_set all;
	char *f[2];
	size_t len[2] = { 0, 0 }, cap = FILTER_MAX;
	bool fits[2] = { true, true };
	int which;

	screc_syscall_set_fill(&all);
	for (which = 0; which < 2; which++) {
		long nr = 0;

		f[which] = malloc(cap);
		if (!f[which]) {
			free(f[0]);
			return NULL;
		}
		f[which][0] = '\0';
		/* which 0: the syscalls kept; 1: the table's syscalls left out. */
		while (nr < SCREC_SYSCALL_SET_MAX && fits[which]) {
			bool in = screc_syscall_set_has(set, nr);
			char cond[64];
			long end;

			if (which ? in || !screc_syscall_set_has(&all, nr) : !in) {
				nr++;
				continue;
			}
			/* A run, through numbers the table lacks (no syscall has them). */
			for (end = nr; end + 1 < SCREC_SYSCALL_SET_MAX; end++)
				if (screc_syscall_set_has(&all, end + 1) &&
				    screc_syscall_set_has(set, end + 1) == (bool)which)
					break;
			while (end > nr && !(screc_syscall_set_has(&all, end) &&
					     screc_syscall_set_has(set, end) != (bool)which))
				end--;
			if (end == nr)
				snprintf(cond, sizeof(cond), which ? "id != %ld" : "id == %ld", nr);
			else if (which)
				snprintf(cond, sizeof(cond), "(id < %ld || id > %ld)", nr, end);
			else
				snprintf(cond, sizeof(cond), "(id >= %ld && id <= %ld)", nr, end);
			fits[which] = filter_add(f[which], cap, &len[which], which ? " && " : " || ",
						 cond);
			nr = end + 1;
		}
	}
	which = !fits[0] || (fits[1] && len[1] < len[0]);
	free(f[!which]);
	if (!fits[which]) {
		free(f[which]);
		screc_err("-e: the syscall set is too scattered for the kernel's filter (more than "
			  "%u bytes): record a class or all syscalls and filter with screc report -e",
			  FILTER_MAX - 1);
		return NULL;
	}
	return f[which];
}

int
events_resolve(struct session *s, const struct screc_syscall_set *set)
{
	struct screc_syscall_set all;
	const char *names[MAX_OWN_TRACEPOINTS];
	size_t n = screc_syscall_set_count(set), i;
	bool every, own = true;
	int err = 0;
	long nr;

	s->recorded = *set;
	screc_syscall_set_fill(&all);
	every = memcmp(set, &all, sizeof(all)) == 0;
	if (n == 0) {
		screc_err("-e: no syscall named; give a comma list such as -e connect,socket");
		return -EINVAL;
	}
	if (every || n > MAX_OWN_TRACEPOINTS)
		own = false;
	for (i = 0, nr = screc_syscall_set_next(set, 0); own && nr >= 0;
	     nr = screc_syscall_set_next(set, nr + 1))
		names[i++] = screc_syscall_name(nr);
	for (i = 0; own && i < n; i++)
		if (!tracepoint_exists(s, names[i]))
			own = false;

	if (own) {
		s->tps = calloc(2 * n, sizeof(*s->tps));
		if (!s->tps)
			return -ENOMEM;
		for (i = 0; i < n && !err; i++) {
			char ev[128];
			const char *tpn = screc_syscall_tracepoint(names[i]);

			snprintf(ev, sizeof(ev), "sys_enter_%s", tpn);
			err = load_tracepoint(s, &s->tps[s->nr_tps++], "syscalls", ev, SCREC_ATTR_ENTER);
			if (err)
				break;
			snprintf(ev, sizeof(ev), "sys_exit_%s", tpn);
			err = load_tracepoint(s, &s->tps[s->nr_tps++], "syscalls", ev, SCREC_ATTR_EXIT);
		}
	} else {
		char *filter = NULL;

		if (!every) {
			filter = build_filter(set);
			if (!filter)
				return -EINVAL;
			screc_debug("raw_syscalls filter for %zu syscalls: %s", n, filter);
		}
		s->tps = calloc(2, sizeof(*s->tps));
		if (!s->tps) {
			free(filter);
			return -ENOMEM;
		}
		err = load_tracepoint(s, &s->tps[s->nr_tps++], "raw_syscalls", "sys_enter",
				      SCREC_ATTR_ENTER);
		if (!err)
			err = load_tracepoint(s, &s->tps[s->nr_tps++], "raw_syscalls", "sys_exit",
					      SCREC_ATTR_EXIT);
		s->tps[0].filter = filter;
		s->tps[1].filter = filter ? strdup(filter) : NULL;
	}
	if (err == -EACCES) {
		screc_err("%s: cannot read the tracepoint: %s: its id and format files are readable "
			  "by root and tracefs's group only: " TRACEFS_ADVICE,
			  s->tps[s->nr_tps - 1].name, strerror(-err), s->tracefs);
		return err;
	}
	if (err) {
		screc_err("%s: cannot read the tracepoint: %s%s", s->tps[s->nr_tps - 1].name,
			  strerror(-err),
			  err == -ENOENT ? " (the kernel lacks this syscall tracepoint: "
					   "CONFIG_FTRACE_SYSCALLS)" : "");
		return err;
	}
	return 0;
}

static void
fill_attr(struct session *s, struct perf_event_attr *a, const struct tracepoint *tp, bool on_exec)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->sample_period = 1;
	a->sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			 PERF_SAMPLE_CPU;
	a->sample_id_all = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->disabled = 1;
	a->enable_on_exec = on_exec;
	a->inherit = s->inherit;
	a->exclude_kernel = s->user_only;
	a->wakeup_events = 0;
	a->watermark = 1;
	a->wakeup_watermark = (uint32_t)(s->mmap_pages * (uint64_t)getpagesize() / 4);
	if (a->wakeup_watermark > RECORD_WAKEUP_BYTES)
		a->wakeup_watermark = RECORD_WAKEUP_BYTES;
	if (!tp) {
		a->type = PERF_TYPE_SOFTWARE;
		a->config = PERF_COUNT_SW_DUMMY;
		a->mmap = 1;
		a->mmap2 = 1;
		a->comm = 1;
		a->comm_exec = 1;
		a->task = 1;
		a->build_id = 1;
		return;
	}
	a->type = PERF_TYPE_TRACEPOINT;
	a->config = tp->id;
	a->sample_type |= PERF_SAMPLE_RAW;
	if (tp->kind == SCREC_ATTR_ENTER || tp->stack) {
		a->sample_type |= PERF_SAMPLE_IP | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		a->sample_regs_user = SCREC_ARCH_REGS_MASK;
		a->sample_stack_user = s->stack_size;
	}
}

static int
add_fd(struct session *s, int fd, uint32_t event, uint32_t ring)
{
	size_t cap = s->cap_fds, cap_info = s->cap_fds;

	/* Two arrays, one capacity: it grows once both have. */
	if (screc_grow(&s->fds, &cap, s->nr_fds + 1, sizeof(*s->fds), 64) ||
	    screc_grow(&s->fd_info, &cap_info, s->nr_fds + 1, sizeof(*s->fd_info), 64))
		return -ENOMEM;
	s->cap_fds = cap < cap_info ? cap : cap_info;
	s->fd_info[s->nr_fds] = (struct fd_info){ .event = event, .ring = ring };
	s->fds[s->nr_fds++] = fd;
	return 0;
}

/*
 * perf_event_open, asking the event to count its losses where the kernel
 * can (6.0+); once refused for that (EINVAL), never asked again.
 */
static int
open_event(struct session *s, struct perf_event_attr *attr, const struct tracepoint *tp,
	   pid_t tid, int cpu)
{
	int fd;

	if (s->read_lost)
		attr->read_format = PERF_FORMAT_ID | PERF_FORMAT_LOST;
	fd = (int)syscall(SYS_perf_event_open, attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	/*
	 * Refused kernel samples (perf_event_paranoid 2, no CAP_PERFMON): the
	 * syscalls' own tracepoints fire with the user's registers, so their
	 * samples need no kernel side; raw_syscalls' fire with the kernel's
	 * and would record nothing.  From then on every event asks for user
	 * samples only.
	 */
	if (fd < 0 && (errno == EACCES || errno == EPERM) && !attr->exclude_kernel &&
	    (!tp || strncmp(tp->name, "syscalls:", 9) == 0)) {
		attr->exclude_kernel = 1;
		fd = (int)syscall(SYS_perf_event_open, attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd >= 0) {
			screc_debug("perf: kernel samples refused; user samples only");
			s->user_only = true;
		}
	}
	if (fd < 0 && errno == EINVAL && s->read_lost) {
		attr->read_format = 0;
		fd = (int)syscall(SYS_perf_event_open, attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd >= 0) {
			screc_debug("perf: events cannot count their losses here (Linux < 6.0)");
			s->read_lost = false;
		}
	}
	return fd;
}

static void
explain_open_error(int err, const struct tracepoint *tp, pid_t tid, bool attach)
{
	const char *what = tp ? tp->name : "dummy tracking event";
	int paranoid = 2;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");

	if (f) {
		if (fscanf(f, "%d", &paranoid) != 1)
			paranoid = 2;
		fclose(f);
	}
	if ((err == EACCES || err == EPERM) && tp && strncmp(tp->name, "raw_syscalls:", 13) == 0)
		screc_err("perf_event_open %s: %s: recording every syscall (or more than %d) needs "
			  "root, or CAP_PERFMON (setcap cap_perfmon,cap_ipc_lock=ep screc), or "
			  "kernel.perf_event_paranoid 1 or lower (now %d); without them, name at most "
			  "%d syscalls with -e", what, strerror(err), MAX_OWN_TRACEPOINTS, paranoid,
			  MAX_OWN_TRACEPOINTS);
	else if ((err == EACCES || err == EPERM) && attach)
		screc_err("perf_event_open %s: task %d: %s: a process of another user (or one "
			  "that changed its user) needs root, or CAP_PERFMON and CAP_SYS_PTRACE "
			  "(setcap cap_perfmon,cap_sys_ptrace,cap_ipc_lock=ep screc)", what, (int)tid,
			  strerror(err));
	else if (err == EACCES || err == EPERM)
		screc_err("perf_event_open %s: %s: run as root, or give screc CAP_PERFMON and "
			  "CAP_IPC_LOCK (setcap cap_perfmon,cap_ipc_lock=ep screc)%s", what,
			  strerror(err), paranoid > 2 ? ", or lower kernel.perf_event_paranoid to 2 "
			  "(where a user may record the syscalls of its own processes)" : "");
	else if (err == ESRCH)
		screc_err("perf_event_open %s: task %d: no such process", what, (int)tid);
	else if (err == EMFILE)
		screc_err("perf_event_open %s: too many open files: raise the limit (ulimit -n) "
			  "or trace fewer threads", what);
	else if (err == ENOENT || err == EINVAL || err == EOPNOTSUPP)
		screc_err("perf_event_open %s: %s: this kernel cannot sample user registers and "
			  "stacks on syscall tracepoints (needs Linux 5.12 or later with "
			  "CONFIG_FTRACE_SYSCALLS)", what, strerror(err));
	else
		screc_err("perf_event_open %s: %s", what, strerror(err));
}

/*
 * The event that owns a CPU's ring: a dummy on screc itself, never enabled,
 * so that the ring outlives any task of the recording and the events can be
 * sent to a larger one (PERF_EVENT_IOC_SET_OUTPUT refuses to move the output
 * of an event that has a ring of its own mapped).  It wakes the recorder when
 * an eighth of the ring, at most RECORD_WAKEUP_BYTES, is filled; a ring that
 * is to grow at RECORD_GROW_WAKE, so that it grows after the first few
 * samples of a busy command, not after hundreds.
 */
static int
open_owner(int cpu, uint32_t pages, bool to_grow)
{
	struct perf_event_attr a;
	uint64_t wake = (uint64_t)pages * (uint64_t)getpagesize() / 8;

	if (to_grow && wake > RECORD_GROW_WAKE)
		wake = RECORD_GROW_WAKE;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_DUMMY;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	/* The events it takes the output of must share its clock. */
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.watermark = 1;
	a.wakeup_watermark = (uint32_t)(wake < RECORD_WAKEUP_BYTES ? wake : RECORD_WAKEUP_BYTES);
	/*
	 * On the process's main thread, not on the calling one: the rings that
	 * grow are opened in a thread that exits, and an event of a task that
	 * has exited polls POLLHUP for good.
	 */
	return (int)syscall(SYS_perf_event_open, &a, getpid(), cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/*
 * Open the owner of CPU cpu's ring and map the ring, as the next of
 * s->rings.  Beyond kernel.perf_event_mlock_kb and the memlock limit the
 * kernel refuses (EPERM) but to CAP_IPC_LOCK; a default size (no -m) is then
 * halved until it fits (events_open() says so).  Returns 0, -ENODEV for an
 * offline CPU, or -errno with the reason printed.
 */
static int
map_ring(struct session *s, int cpu)
{
	size_t page = (size_t)getpagesize();
	struct ring *r;
	void *base;
	int err, fd;

	for (;;) {
		fd = open_owner(cpu, s->mmap_pages, s->grow_pages != 0);
		if (fd < 0) {
			err = errno;
			/* The first event opened: where the kernel refuses, say what would do. */
			if (err == EACCES || err == EPERM)
				explain_open_error(err, NULL, 0, false);
			else if (err != ENODEV)
				screc_err("perf_event_open of a ring on CPU %d: %s", cpu,
					  strerror(err));
			return -err;
		}
		base = mmap(NULL, (s->mmap_pages + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);
		if (base != MAP_FAILED)
			break;
		err = errno;
		close(fd);
		if (err != EPERM || s->mmap_pages_given || s->mmap_pages <= 1) {
			screc_err("mmap of the perf ring (%u pages): %s%s", s->mmap_pages,
				  strerror(err),
				  err == EPERM ? ": more locked memory than a user may have for perf "
						 "(kernel.perf_event_mlock_kb and ulimit -l): give a "
						 "smaller -m, or screc CAP_IPC_LOCK, or raise "
						 "kernel.perf_event_mlock_kb" : "");
			return -err;
		}
		s->mmap_pages /= 2;
		/* Growing to the default size would hit the same limit. */
		s->grow_pages = 0;
	}
	r = &s->rings[s->nr_rings++];
	r->fd = fd;
	r->cpu = cpu;
	r->base = base;
	r->data_size = s->mmap_pages * page;
	return 0;
}

uint32_t
events_default_pages(int nr_cpus, uint32_t stack_size)
{
	uint64_t page = (uint64_t)getpagesize(), want, pages = 1, budget;

	want = (uint64_t)RECORD_RING_SAMPLES * ((uint64_t)stack_size + RECORD_SAMPLE_OVERHEAD);
	budget = RECORD_RING_BUDGET / (uint64_t)(nr_cpus > 0 ? nr_cpus : 1);
	if (want > budget)
		want = budget;
	if (want < RECORD_RING_MIN)
		want = RECORD_RING_MIN;
	if (want > RECORD_RING_MAX)
		want = RECORD_RING_MAX;
	/* The largest power of two that fits (the kernel wants one). */
	while (2 * pages * page <= want)
		pages *= 2;
	return (uint32_t)pages;
}

int
events_open(struct session *s, const pid_t *tids, size_t nr_tids, bool on_exec)
{
	struct perf_event_attr attr;
	uint32_t asked;
	int cpu, err;
	size_t t, e;

	s->nr_cpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	s->rings = calloc((size_t)s->nr_cpus, sizeof(*s->rings));
	if (!s->rings)
		return -ENOMEM;
	if (!s->mmap_pages) {
		uint32_t start = RECORD_RING_START / (uint32_t)getpagesize();

		s->mmap_pages = events_default_pages(s->nr_cpus, s->stack_size);
		/*
		 * Only for a command, which starts with its exec: running processes
		 * (-p) are recorded at full speed from the first moment.  Not with
		 * --capture, whose output events bpf.c sends to the rings.
		 */
		if (on_exec && !s->capture && start < s->mmap_pages) {
			s->grow_pages = s->mmap_pages;
			s->mmap_pages = start;
		}
	}
	s->read_lost = true;
	asked = s->mmap_pages;
	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		int owner;

		err = map_ring(s, cpu);
		if (err == -ENODEV)
			continue;	/* CPU offline */
		if (err)
			return err;
		owner = s->rings[s->nr_rings - 1].fd;
		for (t = 0; t < nr_tids; t++) {
			/* e == nr_tps is the dummy tracking event. */
			for (e = 0; e <= s->nr_tps; e++) {
				const struct tracepoint *tp = e < s->nr_tps ? &s->tps[e] : NULL;
				int fd;

				if (tp && tp->hook_only)
					continue;
				fill_attr(s, &attr, tp, on_exec);
				fd = open_event(s, &attr, tp, tids[t], cpu);
				if (fd < 0 && errno == ENODEV)
					break;	/* CPU offline */
				if (fd < 0 && errno == ESRCH && t > 0)
					break;	/* a thread that ended meanwhile */
				if (fd < 0) {
					err = errno;
					explain_open_error(err, tp, tids[t], !on_exec);
					return -err;
				}
				err = add_fd(s, fd, (uint32_t)e, (uint32_t)(s->nr_rings - 1));
				if (err) {
					close(fd);
					return err;
				}
				if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, owner) < 0) {
					err = errno;
					screc_err("perf: redirecting an event to its CPU's ring: %s",
						  strerror(err));
					return -err;
				}
				if (tp && tp->filter &&
				    ioctl(fd, PERF_EVENT_IOC_SET_FILTER, tp->filter) < 0) {
					err = errno;
					screc_err("%s: setting the filter \"%s\": %s", tp->name,
						  tp->filter, strerror(err));
					return -err;
				}
			}
		}
	}
	if (s->nr_rings == 0) {
		screc_err("perf: no CPU accepted the events");
		return -ENODEV;
	}
	if (s->mmap_pages < asked)
		screc_err("rings of %u to %u pages per CPU, not %u: no more locked memory is "
			  "allowed for perf, and events are lost sooner; give screc CAP_IPC_LOCK, or "
			  "raise kernel.perf_event_mlock_kb", s->mmap_pages,
			  (uint32_t)(s->rings[0].data_size / (size_t)getpagesize()), asked);
	return 0;
}

/* Bytes waiting in a ring. */
static uint64_t
backlog(const struct ring *r)
{
	const struct perf_event_mmap_page *meta = r->base;

	return __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE) - meta->data_tail;
}

/* The rings being grown: one thread opens and maps them while the rings are drained. */
struct grower {
	pthread_t thread;
	uint32_t pages;		/* asked; halved down to above min where the kernel refuses */
	uint32_t min;		/* the rings' size now: growing to it is no growth */
	size_t nr;
	struct ring *rings;	/* fd, base, data_size of each new ring; base NULL: none */
	size_t *order;		/* the rings by backlog, fullest first: the order they grow in */
	size_t ready;		/* of order, mapped (set by the thread) */
	size_t moved;		/* of order, in use */
	int err;		/* the first failure, -errno */
	int done;		/* set by the thread when it has finished */
};

static void *
grow_thread(void *arg)
{
	struct grower *g = arg;
	size_t page = (size_t)getpagesize(), i;

	for (i = 0; i < g->nr && !g->err; i++) {
		struct ring *r = &g->rings[g->order[i]];
		void *base = MAP_FAILED;

		while (base == MAP_FAILED) {
			r->fd = open_owner(r->cpu, g->pages, false);
			if (r->fd < 0) {
				g->err = -errno;
				break;
			}
			base = mmap(NULL, (g->pages + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED,
				    r->fd, 0);
			if (base != MAP_FAILED)
				break;
			g->err = -errno;
			close(r->fd);
			/* Beyond the locked-memory limit: as large as it allows (map_ring()). */
			if (g->err != -EPERM || g->pages / 2 <= g->min)
				break;
			g->pages /= 2;
			g->err = 0;
		}
		if (base == MAP_FAILED)
			break;
		r->base = base;
		r->data_size = g->pages * page;
		/* Each ring is used as soon as it is there. */
		__atomic_store_n(&g->ready, i + 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&g->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int
events_grow_start(struct session *s)
{
	struct grower *g;
	size_t i;
	int err;

	if (!s->grow_pages || s->grower || !s->nr_rings)
		return 0;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->rings = calloc(s->nr_rings, sizeof(*g->rings));
	g->order = calloc(s->nr_rings, sizeof(*g->order));
	if (!g->rings || !g->order) {
		free(g->rings);
		free(g->order);
		free(g);
		return -ENOMEM;
	}
	g->pages = s->grow_pages;
	g->min = s->mmap_pages;
	g->nr = s->nr_rings;
	for (i = 0; i < g->nr; i++) {
		size_t k = i;

		g->rings[i].cpu = s->rings[i].cpu;
		/* Insertion sort by backlog, fullest first. */
		while (k > 0 && backlog(&s->rings[g->order[k - 1]]) < backlog(&s->rings[i])) {
			g->order[k] = g->order[k - 1];
			k--;
		}
		g->order[k] = i;
	}
	err = pthread_create(&g->thread, NULL, grow_thread, g);
	if (err) {
		free(g->rings);
		free(g->order);
		free(g);
		s->grow_pages = 0;
		screc_debug("rings not grown: %s", strerror(err));
		return -err;
	}
	s->grower = g;
	return 0;
}

/* Send every event of ring i to the grown ring n; the old one is drained until the end. */
static void
grow_move(struct session *s, size_t i, const struct ring *n)
{
	struct ring *r = &s->rings[i];
	size_t j;
	int err = 0;

	/* Each event's records go to the new ring from its ioctl on. */
	for (j = 0; j < s->nr_fds; j++)
		if (s->fd_info[j].ring == i &&
		    ioctl(s->fds[j], PERF_EVENT_IOC_SET_OUTPUT, n->fd) < 0)
			err = errno;
	if (err)
		/* Some stay in the old ring: both are drained all the same. */
		screc_debug("ring of CPU %d: not every event moved to the grown ring: %s",
			    r->cpu, strerror(err));
	r->old_fd = r->fd;
	r->old_base = r->base;
	r->old_size = r->data_size;
	r->fd = n->fd;
	r->base = n->base;
	r->data_size = n->data_size;
}

int
events_grow_finish(struct session *s)
{
	struct grower *g = s->grower;
	size_t ready;
	int changed = 0;

	if (!g || !s->grow_pages)
		return 0;
	ready = __atomic_load_n(&g->ready, __ATOMIC_ACQUIRE);
	for (; g->moved < ready; g->moved++) {
		grow_move(s, g->order[g->moved], &g->rings[g->order[g->moved]]);
		changed = 1;
	}
	if (!__atomic_load_n(&g->done, __ATOMIC_ACQUIRE))
		return changed;
	pthread_join(g->thread, NULL);
	/* What the thread mapped after our look at ready. */
	for (; g->moved < g->ready; g->moved++) {
		grow_move(s, g->order[g->moved], &g->rings[g->order[g->moved]]);
		changed = 1;
	}
	if (g->err == -EPERM || (!g->err && g->pages < s->grow_pages))
		screc_err("rings of %u pages per CPU, not %u: no more locked memory is allowed for "
			  "perf, and events are lost sooner; give screc CAP_IPC_LOCK, or raise "
			  "kernel.perf_event_mlock_kb", g->moved ? g->pages : s->mmap_pages,
			  s->grow_pages);
	else if (g->err)
		screc_err("rings not grown to %u pages per CPU: %s; events are lost sooner",
			  g->pages, strerror(-g->err));
	if (g->moved) {
		screc_debug("rings grown from %u to %u pages", s->mmap_pages, g->pages);
		s->mmap_pages = g->pages;
	}
	s->grow_pages = 0;
	free(g->rings);
	free(g->order);
	free(g);
	s->grower = NULL;
	return changed;
}

/* Wait for a grower still at work, and free what it made. */
static void
grow_abandon(struct session *s)
{
	struct grower *g = s->grower;
	size_t i, page = (size_t)getpagesize();

	if (!g)
		return;
	pthread_join(g->thread, NULL);
	/* Those not moved to yet: the moved ones are s->rings' now. */
	for (i = g->moved; i < g->nr; i++) {
		struct ring *n = &g->rings[g->order[i]];

		if (n->base) {
			munmap(n->base, n->data_size + page);
			close(n->fd);
		}
	}
	free(g->rings);
	free(g->order);
	free(g);
	s->grower = NULL;
}

void
events_enable(struct session *s)
{
	size_t i;

	for (i = 0; i < s->nr_fds; i++)
		ioctl(s->fds[i], PERF_EVENT_IOC_ENABLE, 0);
}

int
events_count_lost(struct session *s)
{
	/* read_format ID | LOST: the count, the id, the lost records. */
	struct { uint64_t value, id, lost; } v;
	size_t i;

	if (!s->read_lost || !s->nr_fds)
		return -ENOTSUP;
	for (i = 0; i < s->nr_rings; i++)
		s->rings[i].lost_counted = 0;
	for (i = 0; i < s->nr_fds; i++) {
		if (read(s->fds[i], &v, sizeof(v)) != (ssize_t)sizeof(v)) {
			screc_debug("perf: reading an event's lost count: %s", strerror(errno));
			continue;
		}
		s->rings[s->fd_info[i].ring].lost_counted += v.lost;
	}
	return 0;
}

int
events_describe(struct session *s)
{
	struct perf_event_attr attr;
	uint64_t *ids;
	size_t i, e;
	int err = 0;

	ids = calloc(s->nr_fds ? s->nr_fds : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < s->nr_tps && !err; i++) {
		struct screc_rec_tracepoint rt = {
			.id = s->tps[i].id,
			.name_len = (uint32_t)strlen(s->tps[i].name),
			.format_len = (uint32_t)strlen(s->tps[i].format),
		};
		struct iovec iov[3] = {
			{ (uint8_t *)&rt + sizeof(rt.hdr), sizeof(rt) - sizeof(rt.hdr) },
			{ s->tps[i].name, rt.name_len },
			{ s->tps[i].format, rt.format_len },
		};

		err = screc_writer_addv(s->w, SCREC_REC_TRACEPOINT, iov, 3);
	}
	for (e = 0; e <= s->nr_tps && !err; e++) {
		const struct tracepoint *tp = e < s->nr_tps ? &s->tps[e] : NULL;
		uint32_t n = 0, off;

		if (tp && tp->hook_only)
			continue;	/* no event: nothing to describe */
		fill_attr(s, &attr, tp, false);
		for (i = 0; i < s->nr_fds; i++)
			if (s->fd_info[i].event == e &&
			    ioctl(s->fds[i], PERF_EVENT_IOC_ID, &ids[n]) == 0)
				n++;
		if (!tp && n)
			s->tracking_id = ids[0];
		/*
		 * One record per ATTR_IDS_MAX ids: with -p on many threads and CPUs the
		 * ids outgrow a record (the reader merges records of the same event).
		 */
		for (off = 0; !err && (off < n || (n == 0 && off == 0)); off += ATTR_IDS_MAX) {
			uint32_t k = n - off < ATTR_IDS_MAX ? n - off : ATTR_IDS_MAX;
			struct screc_rec_attr ra = {
				.hdr = { SCREC_REC_ATTR, (uint32_t)(sizeof(ra) + k * 8) },
				.kind = tp ? tp->kind : SCREC_ATTR_TRACKING,
				.tp_id = tp ? tp->id : 0,
				.sample_type = attr.sample_type,
				.sample_regs_user = attr.sample_regs_user,
				.sample_stack_user = attr.sample_stack_user,
				.nr_ids = k,
			};
			struct iovec iov[2] = {
				{ (uint8_t *)&ra + sizeof(ra.hdr), sizeof(ra) - sizeof(ra.hdr) },
				{ ids + off, k * sizeof(*ids) },
			};
			uint8_t *buf;

			err = screc_writer_addv(s->w, SCREC_REC_ATTR, iov, 2);
			/* Keep a copy for parsing what we drain. */
			buf = malloc(sizeof(ra) + k * sizeof(*ids));
			if (!buf) {
				err = -ENOMEM;
				break;
			}
			memcpy(buf, &ra, sizeof(ra));
			memcpy(buf + sizeof(ra), ids + off, k * sizeof(*ids));
			if (!err)
				err = screc_attrs_add(&s->attrs, (const struct screc_rec *)buf);
			free(buf);
			if (n == 0)
				break;
		}
	}
	free(ids);
	return err;
}

/*
 * Closing the last perf event of a tracepoint unregisters its probe, which
 * waits for an RCU grace period: tens of milliseconds per tracepoint, most of
 * screc's fixed cost.  A child process takes over the last references and
 * pays that after screc has exited; the events are disabled already.
 *
 * The kernel waits with its event_mutex held (perf_trace_destroy ->
 * perf_trace_event_unreg -> tracepoint_synchronize_unregister), and every
 * perf_event_open of a tracepoint and every read of a tracepoint's format
 * file takes that mutex: a screc started right after another used to wait
 * 25 to 60 ms for the other's teardown (strace -T: close() of the last enter
 * and exit events 10 and 21 ms, the next run's format read as long).  So the
 * child holds the references TEARDOWN_LINGER_MS first: a run started
 * meanwhile finds the tracepoints registered and takes them over without
 * waiting, and then the child's close is not the last and waits for nothing.
 */
#define TEARDOWN_LINGER_MS	250
/* The closer's stack, below the fds it closes. */
#define TEARDOWN_STACK		(64u << 10)

struct closer {
	int gate[2];		/* a pipe: EOF at gate[0] once screc dropped its references */
	size_t n;
	int fds[];
};

/*
 * The closer: a process sharing screc's memory (CLONE_VM), so that forking
 * it copies no page tables and screc's exit frees no memory (the closer's
 * does, later); it has a copy of screc's fd table.  It makes only system
 * calls that cannot fail here, on its own stack and on its own copy of
 * the fds: screc's errno and heap are left alone.
 */
static int
closer_main(void *arg)
{
	struct closer *c = arg;
	size_t i;
	char ch;
	int fd;

	/* Nothing of screc's output may wait on us, nor its scheduling class favour us. */
	sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){ 0 });
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	setsid();
	/* Wait until the parent has dropped its references, then drop the last ones. */
	close(c->gate[1]);
	while (read(c->gate[0], &ch, 1) < 0 && errno == EINTR)
		;
	nanosleep(&(struct timespec){ 0, TEARDOWN_LINGER_MS * 1000000l }, NULL);
	for (i = 0; i < c->n; i++)
		close(c->fds[i]);
	_exit(0);
}

static void
close_in_background(const int *fds, size_t n)
{
	struct closer *c;
	uint8_t *stack;
	int gate[2];
	size_t i, need = (sizeof(*c) + n * sizeof(int) + 15) & ~(size_t)15;
	size_t len = TEARDOWN_STACK + need;
	pid_t pid = -1;

	stack = n == 0 ? MAP_FAILED : mmap(NULL, len, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack != MAP_FAILED && pipe2(gate, O_CLOEXEC) == 0) {
		/* The fds at the top, the stack below them (it grows down). */
		c = (struct closer *)(stack + len - need);
		c->gate[0] = gate[0];
		c->gate[1] = gate[1];
		c->n = n;
		memcpy(c->fds, fds, n * sizeof(int));
		pid = clone(closer_main, c, (target_can_share_memory() ? CLONE_VM : 0) | SIGCHLD, c);
		if (pid < 0) {
			close(gate[0]);
			close(gate[1]);
		}
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	if (pid > 0) {
		close(gate[0]);
		close(gate[1]);
	} else if (stack != MAP_FAILED) {
		munmap(stack, len);
	}
}

/*
 * Disable and close everything; unmap the rings too unless screc is about
 * to exit, whose teardown of the address space (or the closer's, which
 * shares it) unmaps them anyway: unmapping two 16 MiB rings took 0.9 ms of
 * recording `true`.
 */
static void
close_all(struct session *s, bool unmap)
{
	size_t i, page = (size_t)getpagesize();

	capture_stats(s);
	capture_free(s->cap);
	s->cap = NULL;
	for (i = 0; i < s->nr_fds; i++)
		ioctl(s->fds[i], PERF_EVENT_IOC_DISABLE, 0);
	grow_abandon(s);
	for (i = 0; i < s->nr_rings; i++) {
		struct ring *r = &s->rings[i];

		if (unmap)
			munmap(r->base, r->data_size + page);
		close(r->fd);
		if (r->old_base) {
			if (unmap)
				munmap(r->old_base, r->old_size + page);
			close(r->old_fd);
		}
	}
	close_in_background(s->fds, s->nr_fds);
	free(s->rings);
	free(s->fds);
	free(s->fd_info);
	s->rings = NULL;
	s->fds = NULL;
	s->fd_info = NULL;
	s->nr_rings = s->nr_fds = s->cap_fds = 0;
}

void
events_close(struct session *s)
{
	close_all(s, true);
}

void
events_release(struct session *s)
{
	size_t i;

	close_all(s, false);
	for (i = 0; i < s->nr_tps; i++) {
		free(s->tps[i].filter);
		free(s->tps[i].format);
	}
	free(s->tps);
	s->tps = NULL;
	s->nr_tps = 0;
	screc_attrs_release(&s->attrs);
}
