// SPDX-License-Identifier: MIT
/*
 * `screc record`: launch a command (or attach to running processes), record
 * the syscalls asked for with user registers and stack snapshots, and write
 * everything a later analysis needs into one compressed file.
 *
 * The launched command is forked, held until the events are open, then
 * exec'd: the events are enabled by that exec, so screc's own setup is never
 * recorded.  The main loop never dies: whatever goes wrong, it drains what it
 * can, writes the trailer and closes the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/version.h"
#include "archive.h"
#include "record.h"
#include "screc.h"

#define FLUSH_INTERVAL_NS	1000000000ull
#define POLL_MS			100
#define POLL_HUNG_MS		5

static uint64_t
clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: screc record [-e SYSCALLS] [-o FILE] [--stack-size BYTES] [-m PAGES]\n"
		"                    [--no-inherit] [--duration SECONDS] -- COMMAND [ARGS...]\n"
		"       screc record -p PID[,PID...] [options]\n"
		"\n"
		"  -e, --events LIST     comma list of syscalls (default: every syscall)\n"
		"  -o, --output FILE     recording file (default: screc.data)\n"
		"  -p, --pid LIST        attach to running processes instead of launching one\n"
		"      --stack-size N    bytes of user stack per event (default %u, at most %u)\n"
		"  -m, --mmap-pages N    ring buffer pages per CPU, a power of two (default: %u MiB\n"
		"                        over all CPUs, from %u to %u MiB each)\n"
		"      --no-inherit      do not follow children and new threads\n"
		"      --duration SECS   stop after this long\n"
		"      --archive[=LEVEL] store the binaries the recorded processes mapped in the\n"
		"                        file: unwind, symbols (default) or full (with DWARF)\n"
		"  -v, --verbose         say more\n",
		RECORD_STACK_DEFAULT, RECORD_STACK_MAX, RECORD_RING_BUDGET >> 20, RECORD_RING_MIN >> 20,
		RECORD_RING_MAX >> 20);
}

static int
write_string(struct session *s, uint32_t key, const char *data, size_t len)
{
	struct screc_rec_string rs = { .key = key, .len = (uint32_t)len };
	struct iovec iov[2] = {
		{ (uint8_t *)&rs + sizeof(rs.hdr), sizeof(rs) - sizeof(rs.hdr) },
		{ (void *)data, len },
	};

	return screc_writer_addv(s->w, SCREC_REC_STRING, iov, 2);
}

/* The INFO record and the host description strings. */
static int
write_preamble(struct session *s, int argc, char **argv, const char *spec, uint32_t mode,
	       pid_t target)
{
	struct screc_rec_info info = {
		.e_machine = SCREC_ARCH_E_MACHINE,
		.page_size = (uint32_t)getpagesize(),
		.clockid = CLOCK_MONOTONIC,
		.stack_size = s->stack_size,
		.sample_regs_user = RECORD_REGS_MASK,
		.nr_cpus = (uint32_t)s->nr_cpus,
		.mode = mode,
		.target_pid = (uint32_t)target,
	};
	struct utsname u;
	char host[256] = "";
	char *cmdline;
	size_t len = 0;
	int i, err;

	info.start_realtime_ns = clock_ns(CLOCK_REALTIME);
	info.start_clock_ns = clock_ns(CLOCK_MONOTONIC);
	err = screc_writer_add(s->w, SCREC_REC_INFO, (uint8_t *)&info + sizeof(info.hdr),
			       sizeof(info) - sizeof(info.hdr));
	if (err)
		return err;
	gethostname(host, sizeof(host) - 1);
	uname(&u);
	write_string(s, SCREC_STR_HOSTNAME, host, strlen(host));
	write_string(s, SCREC_STR_KERNEL_RELEASE, u.release, strlen(u.release));
	write_string(s, SCREC_STR_KERNEL_VERSION, u.version, strlen(u.version));
	write_string(s, SCREC_STR_MACHINE, u.machine, strlen(u.machine));
	write_string(s, SCREC_STR_SCREC_VERSION, SCREC_VERSION, strlen(SCREC_VERSION));
	write_string(s, SCREC_STR_EVENTS, spec ? spec : "all", strlen(spec ? spec : "all"));
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	cmdline = malloc(len + 1);
	if (cmdline) {
		len = 0;
		for (i = 0; i < argc; i++) {
			size_t l = strlen(argv[i]) + 1;

			memcpy(cmdline + len, argv[i], l);
			len += l;
		}
		err = write_string(s, SCREC_STR_CMDLINE, cmdline, len ? len - 1 : 0);
		free(cmdline);
	}
	return err;
}

static int
parse_pids(const char *arg, pid_t **pids, size_t *nr)
{
	const char *p = arg;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		pid_t *np;

		if (end == p || v <= 0 || (*end && *end != ','))
			return -EINVAL;
		np = realloc(*pids, (*nr + 1) * sizeof(*np));
		if (!np)
			return -ENOMEM;
		*pids = np;
		(*pids)[(*nr)++] = (pid_t)v;
		p = *end ? end + 1 : end;
	}
	return *nr ? 0 : -EINVAL;
}

/* screc's niceness when started, given back to the command it launches. */
static int orig_nice;

/*
 * Fork the command, stopped before exec until go_fd is written.  Returns the
 * pid; *go_fd and *err_fd (exec failure errno) are the parent's pipe ends.
 */
static pid_t
spawn(char **argv, int *go_fd, int *err_fd)
{
	int go[2], ep[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		sigset_t none;
		char c;
		int e;

		/*
		 * Only the mask is screc's own doing; dispositions stay as screc
		 * found them, so a command started under nohup still ignores SIGHUP.
		 */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpriority(PRIO_PROCESS, 0, orig_nice);	/* the command's own niceness */
		close(go[1]);
		close(ep[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		if (write(ep[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ep[1]);
	*go_fd = go[1];
	*err_fd = ep[0];
	return pid;
}

static bool
all_gone(const pid_t *pids, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (kill(pids[i], 0) == 0 || errno == EPERM)
			return false;
	return true;
}

static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "stack-size", required_argument, NULL, 'S' },
		{ "mmap-pages", required_argument, NULL, 'm' },
		{ "no-inherit", no_argument, NULL, 'I' },
		{ "duration", required_argument, NULL, 'D' },
		{ "archive", optional_argument, NULL, 'A' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct session s = {
		.stack_size = RECORD_STACK_DEFAULT,
		.inherit = true,
	};
	const char *spec = NULL, *output = "screc.data";
	pid_t *pids = NULL, *tids = NULL, child = -1;
	size_t nr_pids = 0, nr_tids = 0, cap_tids = 0, nr_pfd = 0, i;
	double duration = 0;
	int go_fd = -1, err_fd = -1, fd = -1, opt, err, status = 0, exit_code = 0;
	bool child_done = false, stopping = false, recording_failed = false, hung_up = false;
	struct pollfd *pfd;
	int sig_fd = -1, got_signal = 0;
	uint64_t last_flush, start, stop_deadline = 0;
	sigset_t block, orig;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+e:o:p:m:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			spec = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'p':
			if (parse_pids(optarg, &pids, &nr_pids))
				screc_die(2, "-p %s: expected a comma list of process ids", optarg);
			break;
		case 'S': {
			unsigned long v = strtoul(optarg, &end, 0);

			if (*end || v < 8 || v > RECORD_STACK_MAX)
				screc_die(2, "--stack-size %s: expected bytes from 8 to %u", optarg,
					  RECORD_STACK_MAX);
			s.stack_size = (uint32_t)(v & ~7ul);
			break;
		}
		case 'm': {
			unsigned long v = strtoul(optarg, &end, 0);

			if (*end || v == 0 || (v & (v - 1)) || v > (1ul << 20))
				screc_die(2, "-m %s: expected a power of two number of pages", optarg);
			s.mmap_pages = (uint32_t)v;
			break;
		}
		case 'I':
			s.inherit = false;
			break;
		case 'D':
			duration = strtod(optarg, &end);
			if (*end || duration <= 0)
				screc_die(2, "--duration %s: expected seconds, more than 0", optarg);
			break;
		case 'A':
			s.archive_level = archive_parse_level(optarg);
			if (s.archive_level < 0)
				screc_die(2, "--archive=%s: expected unwind, symbols or full", optarg);
			s.archive = archive_new();
			if (!s.archive)
				screc_die(1, "out of memory");
			break;
		case 'v':
			screc_verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (nr_pids && optind < argc)
		screc_die(2, "record: give either -p PID or a command, not both");
	if (!nr_pids && optind >= argc) {
		usage(stderr);
		screc_die(2, "record: nothing to record: give a command after --, or -p PID");
	}
	for (i = 0; i < nr_pids; i++)
		if (kill(pids[i], 0) < 0 && errno == ESRCH)
			screc_die(1, "-p %d: no such process", (int)pids[i]);

	raise_fd_limit();
	/*
	 * The rings hold only milliseconds of a syscall-heavy target: wake up
	 * before it when data is waiting.  The recorder sleeps in poll() the rest
	 * of the time, so this costs the target nothing otherwise.
	 */
	errno = 0;
	orig_nice = getpriority(PRIO_PROCESS, 0);
	if (errno)
		orig_nice = 0;
	if (orig_nice > -10 && setpriority(PRIO_PROCESS, 0, -10) == 0)
		screc_debug("recorder at nice -10");
	if (events_find_tracefs(&s) || events_resolve(&s, spec))
		goto fail;

	/* Signals are blocked and read from a signalfd in the main loop. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sig_fd = signalfd(-1, &block, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sig_fd < 0)
		screc_die(1, "signalfd: %s", strerror(errno));

	if (nr_pids) {
		for (i = 0; i < nr_pids; i++)
			if (proc_threads(pids[i], &tids, &nr_tids, &cap_tids))
				screc_die(1, "-p %d: cannot list its threads: %s", (int)pids[i],
					  strerror(errno));
	} else {
		child = spawn(argv + optind, &go_fd, &err_fd);
		if (child < 0)
			screc_die(1, "%s: cannot start: %s", argv[optind], strerror(errno));
		tids = malloc(sizeof(*tids));
		if (!tids)
			screc_die(1, "out of memory");
		tids[nr_tids++] = child;
	}

	if (events_open(&s, tids, nr_tids, child > 0))
		goto fail;
	s.scratch = malloc(1u << 16);
	fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !s.scratch) {
		screc_err("%s: cannot create the recording: %s", output, strerror(errno));
		goto fail;
	}
	fchmod(fd, 0600);	/* an existing file keeps its mode otherwise */
	err = screc_writer_open(fd, SCREC_FEAT_STACK_TRIMMED |
				       (s.archive ? SCREC_FEAT_ARCHIVE : 0), &s.w);
	if (!err)
		err = write_preamble(&s, argc, argv, spec,
				     nr_pids ? SCREC_MODE_ATTACH : SCREC_MODE_COMMAND,
				     nr_pids ? pids[0] : child);
	if (!err)
		err = events_describe(&s);
	if (!err && archive_write_vdso(s.w) == -EIO)
		err = -EIO;
	if (err) {
		screc_err("%s: cannot write: %s", output, strerror(-err));
		goto fail;
	}
	if (nr_pids) {
		/*
		 * Enable first so no mapping made meanwhile is missed, then describe
		 * what was already there, dated before the first possible event.
		 */
		uint64_t before = clock_ns(CLOCK_MONOTONIC);

		events_enable(&s);
		for (i = 0; i < nr_pids; i++)
			proc_synthesize(&s, pids[i], before);
	} else {
		int e = 0;

		/* Release the child; exec enables the events. */
		if (write(go_fd, "g", 1) != 1)
			e = errno;
		close(go_fd);
		if (e == 0 && read(err_fd, &e, sizeof(e)) == sizeof(e) && e) {
			screc_err("%s: cannot execute: %s", argv[optind], strerror(e));
			exit_code = e == ENOENT ? 127 : 126;
			/* The child is on its way out (_exit after the failed exec). */
			if (waitpid(child, &status, 0) == child)
				child_done = true;
		}
		close(err_fd);
	}
	screc_writer_flush(s.w);

	start = last_flush = clock_ns(CLOCK_MONOTONIC);
	/* One entry per ring, then the signals; ring entries become -1 when done. */
	nr_pfd = s.nr_rings + 1;
	pfd = calloc(nr_pfd, sizeof(*pfd));
	if (!pfd)
		s.write_error = -ENOMEM;
	for (i = 0; pfd && i < s.nr_rings; i++)
		pfd[i] = (struct pollfd){ .fd = s.rings[i].fd, .events = POLLIN };
	if (pfd)
		pfd[nr_pfd - 1] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
	for (;;) {
		struct signalfd_siginfo si;
		uint64_t now;

		/*
		 * A ring reports POLLHUP for ever once the task of the event that owns
		 * it is gone, though other tasks' events may still write into it: stop
		 * asking that fd, and from then on wake often enough to drain it.
		 */
		if (pfd && poll(pfd, nr_pfd, hung_up ? POLL_HUNG_MS : POLL_MS) > 0) {
			for (i = 0; i + 1 < nr_pfd; i++)
				if (pfd[i].fd >= 0 && (pfd[i].revents & (POLLHUP | POLLERR))) {
					pfd[i].fd = -1;
					hung_up = true;
				}
		}
		if (ring_drain_all(&s) && !s.write_error)
			s.write_error = screc_writer_add(s.w, SCREC_REC_ROUND, NULL, 0);
		while (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGCHLD)
				got_signal = (int)si.ssi_signo;
		}
		/*
		 * Reap the command (and any other child of ours) in one loop: a
		 * separate waitpid(-1) after waitpid(child) could reap the command
		 * between the two and lose its status, leaving screc waiting for
		 * ever.
		 */
		for (;;) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);

			if (p <= 0)
				break;
			if (p == child && !child_done) {
				status = st;
				child_done = true;
			}
		}
		now = clock_ns(CLOCK_MONOTONIC);
		if (got_signal && !stopping) {
			stopping = true;
			if (child > 0 && !child_done)
				kill(child, got_signal);
			stop_deadline = now + 2 * FLUSH_INTERVAL_NS;
		}
		if (s.write_error && !recording_failed) {
			if (nr_pids || child_done)
				break;
			/*
			 * The file cannot grow: stop recording, say so now, and wait
			 * for the command as if screc were not there, rather than
			 * leave it running behind a shell prompt.
			 */
			recording_failed = true;
			for (i = 0; pfd && i + 1 < nr_pfd; i++)
				pfd[i].fd = -1;
			events_close(&s);
			screc_err("%s: writing failed: %s; recording stopped, waiting for %s "
				  "(pid %d) to end", output, strerror(-s.write_error), argv[optind],
				  (int)child);
		}
		if (child_done || (child > 0 && exit_code))
			break;
		if (nr_pids && (got_signal || all_gone(pids, nr_pids)))
			break;
		if (stopping && now > stop_deadline)
			break;
		if (duration > 0 && now - start >= (uint64_t)(duration * 1e9)) {
			if (child > 0 && !child_done && !stopping) {
				kill(child, SIGTERM);
				stopping = true;
				stop_deadline = now + 2 * FLUSH_INTERVAL_NS;
			} else if (nr_pids) {
				break;
			}
		}
		if (now - last_flush >= FLUSH_INTERVAL_NS) {
			if (screc_writer_flush(s.w) && !s.write_error)
				s.write_error = -EIO;
			last_flush = now;
		}
	}
	/* Stop the events, then take what they left in the rings. */
	for (i = 0; i < s.nr_fds; i++)
		ioctl(s.fds[i], PERF_EVENT_IOC_DISABLE, 0);
	if (ring_drain_all(&s) && !s.write_error)
		screc_writer_add(s.w, SCREC_REC_ROUND, NULL, 0);
	if (child > 0 && child_done) {
		struct screc_rec_target_exit te = {
			.pid = (uint32_t)child,
			.wait_status = status,
			.time = clock_ns(CLOCK_MONOTONIC),
		};

		screc_writer_add(s.w, SCREC_REC_TARGET_EXIT, (uint8_t *)&te + sizeof(te.hdr),
				 sizeof(te) - sizeof(te.hdr));
	}
	if (s.archive && !s.write_error) {
		unsigned files;
		uint64_t bytes;
		int aerr = archive_write(s.archive, s.w, (enum screc_archive_level)s.archive_level,
					 &files, &bytes);

		if (aerr && !s.write_error)
			s.write_error = aerr;
		fprintf(stderr, "screc: archived %u files, %.1f MiB before compression\n", files,
			(double)bytes / (1024.0 * 1024.0));
	}
	archive_free(s.archive);
	{
		struct screc_rec_trailer tr = {
			.nr_samples = s.nr_samples,
			.nr_exits = s.nr_exits,
			.nr_lost = s.nr_lost,
			.end_clock_ns = clock_ns(CLOCK_MONOTONIC),
			.end_realtime_ns = clock_ns(CLOCK_REALTIME),
		};
		uint64_t out_bytes = screc_writer_bytes_out(s.w);

		err = screc_writer_close(s.w, &tr);
		if (!err)
			err = s.write_error;
		if (!err && fsync(fd) < 0 && errno != EINVAL)
			err = -errno;
		if (close(fd) < 0 && !err)
			err = -errno;
		screc_debug("%s: %llu events, %llu exits, %llu bytes", output,
			    (unsigned long long)s.nr_samples, (unsigned long long)s.nr_exits,
			    (unsigned long long)out_bytes);
	}
	if (err)
		screc_err("%s: writing failed: %s; the recording is readable up to the last "
			  "second before the error", output, strerror(-err));
	if (s.nr_lost)
		screc_err("lost %llu events: use a larger -m (now %u pages) or record fewer syscalls",
			  (unsigned long long)s.nr_lost, s.mmap_pages);
	events_release(&s);
	ring_release(&s);
	free(pfd);
	free(pids);
	free(tids);
	close(sig_fd);
	sigprocmask(SIG_SETMASK, &orig, NULL);

	if (child > 0 && !child_done) {
		/* Leave a command that outlived a stop request to run, as strace does. */
		screc_err("%d: still running after the stop request; recording ended", (int)child);
		return got_signal ? 128 + got_signal : 1;
	}
	if (exit_code)
		return exit_code;
	if (child > 0) {
		/* The command's failure first; else a recording that failed is screc's. */
		if (WIFEXITED(status) && WEXITSTATUS(status))
			return WEXITSTATUS(status);
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
	}
	/* Attach mode: a stop request is the normal way to end. */
	return err ? 1 : 0;

fail:
	/* Setup failed: the command, held before its exec, never ran; leave nothing behind. */
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	screc_writer_close(s.w, NULL);
	if (fd >= 0)
		close(fd);
	if (go_fd >= 0)
		close(go_fd);
	if (err_fd >= 0)
		close(err_fd);
	archive_free(s.archive);
	events_release(&s);
	ring_release(&s);
	free(pids);
	free(tids);
	if (sig_fd >= 0) {
		close(sig_fd);
		sigprocmask(SIG_SETMASK, &orig, NULL);
	}
	return 1;
}
