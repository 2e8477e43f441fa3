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
 *
 * cmd_record() reads as the table of contents, as uftrace's command_record
 * does: parse the options, set up (tracepoints, signals, the target, the
 * events, the output), run the main loop, finish (drain, trailer, summary,
 * exit status).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
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
#include "common/syscall-set.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "common/version.h"
#include "archive.h"
#include "output.h"
#include "perfmap.h"
#include "record.h"
#include "screc.h"
#include "target.h"

#define FLUSH_INTERVAL_NS	1000000000ull
#define POLL_MS			100
#define POLL_HUNG_MS		5
#define PROGRESS_INTERVAL_NS	500000000ull

/* What the command line asked for (the session holds the event options). */
struct options {
	const char *spec;		/* -e; NULL: every syscall */
	struct screc_syscall_set syscalls;	/* what spec names */
	const char *output;		/* -o */
	pid_t *pids;			/* -p */
	size_t nr_pids;
	double duration;		/* --duration in seconds; 0: none */
	char **command;			/* after --; NULL with -p */
	const char *user;		/* -u */
	bool realtime;			/* SCHED_FIFO where allowed (--no-realtime: not) */
	int argc;			/* screc record's own arguments, kept in the file */
	char **argv;
};

/* The main loop's state. */
struct loop {
	struct pollfd *pfd;		/* one per ring (-1 once hung up), then the signals */
	size_t nr_pfd;
	int sig_fd;
	sigset_t orig_mask;
	bool mask_set;
	int got_signal;			/* the first stop request */
	bool stopping;			/* passed on to the command; waiting for it */
	bool failed;			/* writing failed: recording stopped */
	bool hung_up;			/* a ring hung up: wake often to drain it */
	bool progress;			/* stderr is a terminal: show what is recorded */
	bool progress_shown;		/* a progress line is on the terminal */
	uint64_t start, last_flush, stop_deadline, last_progress;
};

/* One `screc record` run. */
struct recording {
	struct options opt;
	struct session s;
	struct target t;
	struct loop l;
	struct output out;
	uint64_t started;		/* when setup began, for -v */
	uint64_t ended;			/* when the recording stopped (CLOCK_MONOTONIC) */
	uint64_t file_bytes;		/* the recording's size once closed */
};

static uint64_t
clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* With -v: how long the recording has run, at each step of setup and finish. */
static void
step(struct recording *r, const char *what)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (!r->started)
		r->started = now;
	screc_debug("%8.3f s: %s", (double)(now - r->started) / 1e9, what);
}

/* Options */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: screc record [options] -- COMMAND [ARGS...]\n"
		"       screc record -p PID[,PID...] [options]\n"
		"\n"
		"Record the syscalls of a command (or of running processes) with their user\n"
		"registers and stack snapshots, for screc report.  Children and threads are\n"
		"followed; screc exits with the command's exit status.\n"
		"\n"
		"  -e, --events SET      the syscalls to record, as strace -e takes them: names,\n"
		"                        %%classes, /regex, !negation (default: all; -e help\n"
		"                        lists them)\n"
		"  -o, --output FILE     recording file (default: screc.data; a previous one is\n"
		"                        kept as FILE.old; - for standard output)\n"
		"  -p, --pid LIST        attach to running processes instead of launching one;\n"
		"                        stop with Ctrl-C or --duration, they go on running\n"
		"  -u, --user USER       run the command as USER, with its groups (as root; the\n"
		"                        recording stays root's; default: screc's own user)\n"
		"      --stack-size N    bytes of user stack per event (default %u, at most %u)\n"
		"  -m, --mmap-pages N    ring buffer pages per CPU, a power of two (default: room\n"
		"                        for %u events of the stack size, at most %u MiB over\n"
		"                        all CPUs, from %u to %u MiB each; a command's start at\n"
		"                        %u MiB and grow to that once one holds 128 KiB, or\n"
		"                        after %u ms)\n"
		"  -f, --follow-forks    as strace -f: accepted and does nothing, screc follows\n"
		"                        children and threads by default\n"
		"      --no-inherit      do not follow children and new threads\n"
		"      --no-realtime     drain in the normal scheduling class (nice -10), not\n"
		"                        SCHED_FIFO (the default where allowed): more events lost\n"
		"                        under many busy threads\n"
		"      --duration SECS   stop after this long (default: when the command ends, or\n"
		"                        on Ctrl-C); a command is sent SIGTERM, and the exit\n"
		"                        status is then its own (143 when SIGTERM ended it)\n"
		"      --archive[=LEVEL] store the binaries the recorded processes mapped in the\n"
		"                        file: unwind, symbols (the default level) or full (with\n"
		"                        DWARF); default: none stored\n"
		"      --failed          only calls that fail: their stack is taken at the exit,\n"
		"                        filtered in the kernel before it is copied\n"
		"      --errno LIST      only calls failing with these errors (ENOENT,EACCES)\n"
		"  -C, --capture         copy what arguments point to (paths, sockaddrs, written\n"
		"                        bytes) in the kernel, so that heap data decodes (BPF)\n"
		"  -s, --string-limit N  bytes of written buffers to capture (default %u, at\n"
		"                        most %u)\n"
		"  -P, --path PATH       only calls naming PATH (PATH* for a prefix), decided in\n"
		"                        the kernel (BPF; implies --capture)\n"
		"      --fd N            only calls on fd N (their first argument), decided in\n"
		"                        the kernel (BPF)\n"
		"  -v, --verbose         say more: setup steps, timings, what the recorder did\n"
		"  -h, --help            this help\n"
		"\n"
		"At the end screc says on stderr what it wrote (\"screc: wrote FILE: N events\n"
		"(M lost), S MiB, T s\"); on a terminal it shows the events and bytes so far.\n"
		"\n"
		"examples:\n"
		"  screc record -e connect,%%file -o app.screc -- ./app --serve\n"
		"  screc record -p 1234 --duration 10 -e '!futex,epoll_wait'\n"
		"  screc record --failed -C -e %%file -- ./app   failing file calls, paths decoded\n",
		RECORD_STACK_DEFAULT, SCREC_ARCH_STACK_MAX, RECORD_RING_SAMPLES, RECORD_RING_BUDGET >> 20,
		RECORD_RING_MIN >> 20, RECORD_RING_MAX >> 20, RECORD_RING_START >> 20,
		(unsigned)(RECORD_GROW_AFTER_NS / 1000000), RECORD_CAPTURE_DEFAULT,
		RECORD_CAPTURE_MAX);
}

/* -e help: the syntax, the classes and every name. */
static void
events_help(FILE *f)
{
	size_t col = 0;
	long nr;

	fprintf(f,
		"screc record -e SET: the syscalls to record, as strace -e trace= takes them\n"
		"\n"
		"  NAME,NAME,...   syscalls by name (or number); ?NAME may match nothing\n"
		"  %%CLASS          %%file %%desc %%net (%%network) %%process %%signal %%ipc %%memory\n"
		"                  %%creds %%clock %%stat %%lstat %%fstat %%%%stat %%statfs %%fstatfs\n"
		"                  %%%%statfs %%pure\n"
		"  /REGEX          the names an extended regular expression matches\n"
		"  !SET            every syscall but those (quote it from the shell)\n"
		"  all, none       every syscall (the default), none\n"
		"  trace=SET       the same (strace's spelling)\n"
		"\n"
		"examples: -e connect,sendto   -e %%file,%%net   -e '!futex,nanosleep'\n"
		"\n"
		"syscalls:\n");
	for (nr = 0; nr < SCREC_SYSCALL_SET_MAX; nr++) {
		const char *name = screc_syscall_name(nr);
		size_t len;

		if (!name)
			continue;
		len = strlen(name) + 1;
		if (col + len > 78) {
			fputc('\n', f);
			col = 0;
		}
		fprintf(f, "%s%s", col ? " " : "  ", name);
		col += len + (col ? 0 : 1);
	}
	fputc('\n', f);
}

/*
 * -e into o->syscalls (every syscall without it).  A name that is no
 * syscall is a usage error: one line naming it, with the closest names or
 * where to find them.
 */
static void
parse_syscalls(struct options *o)
{
	char err[256];

	if (!o->spec) {
		screc_syscall_set_fill(&o->syscalls);
		return;
	}
	if (screc_syscall_set_parse(&o->syscalls, o->spec, err, sizeof(err)))
		screc_die(2, "-e %s: %s%s", o->spec, err,
			  strstr(err, "did you mean") ? "" : "; screc record -e help lists them");
	if (screc_syscall_set_count(&o->syscalls) == 0)
		screc_die(2, "-e %s: no syscall named; give a comma list such as -e connect,socket, "
			  "or see screc record -e help", o->spec);
}

static int
parse_pids(const char *arg, pid_t **pids, size_t *nr)
{
	const char *p = arg;
	size_t cap = *nr;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v <= 0 || (*end && *end != ','))
			return -EINVAL;
		if (screc_grow(pids, &cap, *nr + 1, sizeof(**pids), 8))
			return -ENOMEM;
		(*pids)[(*nr)++] = (pid_t)v;
		p = *end ? end + 1 : end;
	}
	return *nr ? 0 : -EINVAL;
}

/*
 * Fill o, the session's and the target's options from the command line.
 * Returns false to go on recording, true when the command is done (--help)
 * with *status set.  Usage errors exit with status 2.
 */
static bool
parse_options(struct options *o, struct session *s, struct target *t, int argc, char **argv,
	      int *status)
{
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "stack-size", required_argument, NULL, 'S' },
		{ "mmap-pages", required_argument, NULL, 'm' },
		{ "follow-forks", no_argument, NULL, 'f' },
		{ "no-inherit", no_argument, NULL, 'I' },
		{ "no-realtime", no_argument, NULL, 'R' },
		{ "duration", required_argument, NULL, 'D' },
		{ "archive", optional_argument, NULL, 'A' },
		{ "failed", no_argument, NULL, 'F' },
		{ "errno", required_argument, NULL, 'E' },
		{ "capture", no_argument, NULL, 'C' },
		{ "string-limit", required_argument, NULL, 's' },
		{ "path", required_argument, NULL, 'P' },
		{ "fd", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	size_t i;
	int opt;

	o->output = "screc.data";
	o->realtime = true;
	o->argc = argc;
	o->argv = argv;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:e:o:p:u:m:fvhCs:P:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			if (strcmp(optarg, "help") == 0 || strcmp(optarg, "list") == 0) {
				events_help(stdout);
				*status = 0;
				return true;
			}
			/* strace keeps only the last -e trace= of a command line; so do we. */
			o->spec = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'p':
			if (parse_pids(optarg, &o->pids, &o->nr_pids))
				screc_die(2, "-p %s: expected a comma list of process ids", optarg);
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'S':
			v = strtoul(optarg, &end, 0);
			if (*end || v < 8 || v > SCREC_ARCH_STACK_MAX)
				screc_die(2, "--stack-size %s: expected bytes from 8 to %u", optarg,
					  SCREC_ARCH_STACK_MAX);
			s->stack_size = (uint32_t)(v & ~7ul);
			break;
		case 'm':
			v = strtoul(optarg, &end, 0);
			if (*end || v == 0 || (v & (v - 1)) || v > (1ul << 20))
				screc_die(2, "-m %s: expected a power of two number of pages", optarg);
			s->mmap_pages = (uint32_t)v;
			s->mmap_pages_given = true;
			break;
		case 'f':
			/* strace's follow-forks: screc's default already (see --no-inherit). */
			break;
		case 'I':
			s->inherit = false;
			break;
		case 'R':
			o->realtime = false;
			break;
		case 'D':
			o->duration = strtod(optarg, &end);
			if (*end || o->duration <= 0)
				screc_die(2, "--duration %s: expected seconds, more than 0", optarg);
			break;
		case 'A':
			s->archive_level = archive_parse_level(optarg);
			if (s->archive_level < 0)
				screc_die(2, "--archive=%s: expected unwind, symbols or full", optarg);
			if (!s->archive)
				s->archive = archive_new();
			if (!s->archive)
				screc_die(1, "out of memory");
			break;
		case 'F':
			s->filter.failed = true;
			break;
		case 'E':
			if (filter_parse_errnos(&s->filter, optarg))
				exit(2);
			break;
		case 'C':
			s->capture = true;
			break;
		case 's':
			v = strtoul(optarg, &end, 0);
			if (*end || v == 0 || v > RECORD_CAPTURE_MAX)
				screc_die(2, "-s %s: expected bytes from 1 to %u", optarg,
					  RECORD_CAPTURE_MAX);
			s->capture_size = (uint32_t)v;
			break;
		case 'P':
			if (!*optarg || strlen(optarg) > 128)
				screc_die(2, "-P '%s': expected a path of 1 to 128 bytes", optarg);
			s->filter.path = optarg;
			s->capture = true;	/* the path is read anyway: show it */
			break;
		case 'd':
			v = strtoul(optarg, &end, 10);
			if (*end || !*optarg || v > 1u << 30)
				screc_die(2, "--fd %s: expected a file descriptor number", optarg);
			s->filter.fd = (int)v;
			break;
		case 'v':
			screc_verbose = true;
			break;
		case 'h':
			usage(stdout);
			*status = 0;
			return true;
		default:
			screc_getopt_error("record", opt, argv);
		}
	}
	parse_syscalls(o);
	if ((s->filter.path || s->filter.fd >= 0) && (s->filter.failed || s->filter.nr_errnos))
		screc_usage_error("record", "-P and --fd decide at syscall entry, --failed and "
				  "--errno at exit: give one or the other");
	if (!s->capture_size)
		s->capture_size = RECORD_CAPTURE_DEFAULT;
	if (o->nr_pids && optind < argc)
		screc_usage_error("record", "give either -p PID or a command, not both");
	if (o->nr_pids && o->user)
		screc_die(2, "-u %s: only for a command screc launches, not with -p", o->user);
	if (!o->nr_pids && optind >= argc)
		screc_usage_error("record", "nothing to record: give a command after --, or -p PID");
	for (i = 0; i < o->nr_pids; i++)
		if (kill(o->pids[i], 0) < 0 && errno == ESRCH)
			screc_die(1, "-p %d: no such process", (int)o->pids[i]);
	if (!o->nr_pids)
		o->command = argv + optind;
	s->command_uid = getuid();
	if (o->user && target_set_user(t, o->user))
		exit(2);
	if (o->user)
		s->command_uid = t->uid;
	return false;
}

/* Setup */

/*
 * Many threads under -p need many fds.  The rings hold only milliseconds of
 * a syscall-heavy target, so the recorder must run as soon as a ring passes
 * its watermark, however many threads the target runs.  In the normal class
 * at nice -10 it had 9548 / (9548 + 1024 n) of a CPU against n busy threads:
 * with 200 threads 4%, and 90% of the events were lost.  So it takes the
 * real-time class (SCHED_FIFO at its lowest priority) where it may (root,
 * CAP_SYS_NICE, RLIMIT_RTPRIO), else nice -10.  zstd's worker thread,
 * created later, inherits the class; the command and other children are
 * put back in the normal one.  The recorder sleeps in poll() the rest of
 * the time, so this costs the target nothing otherwise; the kernel's
 * real-time throttling bounds it in any case.
 */
static void
tune_process(struct target *t, bool realtime)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	errno = 0;
	t->orig_nice = getpriority(PRIO_PROCESS, 0);
	if (errno)
		t->orig_nice = 0;
	if (realtime &&
	    sched_setscheduler(0, SCHED_FIFO, &(struct sched_param){ .sched_priority = 1 }) == 0) {
		screc_debug("recorder in the real-time class (SCHED_FIFO 1)");
		return;
	}
	if (t->orig_nice > -10 && setpriority(PRIO_PROCESS, 0, -10) == 0)
		screc_debug("recorder at nice -10");
}

/* Signals are blocked and read from a signalfd in the main loop. */
static int
catch_signals(struct loop *l)
{
	sigset_t block;
	int err;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &l->orig_mask);
	l->mask_set = true;
	l->sig_fd = signalfd(-1, &block, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l->sig_fd < 0) {
		err = errno;
		screc_err("signalfd: %s", strerror(err));
		return -err;
	}
	return 0;
}

/* The tasks to open the events on: every thread of -p, or the command, held before its exec. */
static int
prepare_target(struct recording *r)
{
	struct target *t = &r->t;
	size_t i;
	int err;

	for (i = 0; i < r->opt.nr_pids; i++) {
		err = proc_threads(r->opt.pids[i], &t->tids, &t->nr_tids, &t->cap_tids);
		if (err) {
			screc_err("-p %d: cannot list its threads: %s", (int)r->opt.pids[i],
				  strerror(-err));
			return err;
		}
	}
	if (!r->opt.command)
		return 0;
	err = target_spawn(t, r->opt.command);
	if (err) {
		screc_err("%s: cannot start: %s", r->opt.command[0], strerror(-err));
		return err;
	}
	t->tids = malloc(sizeof(*t->tids));
	if (!t->tids)
		return -ENOMEM;
	t->tids[t->nr_tids++] = t->child;
	return 0;
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
write_preamble(struct recording *r)
{
	struct session *s = &r->s;
	struct screc_rec_info info = {
		.e_machine = SCREC_ARCH_E_MACHINE,
		.page_size = (uint32_t)getpagesize(),
		.clockid = CLOCK_MONOTONIC,
		.stack_size = s->stack_size,
		.sample_regs_user = SCREC_ARCH_REGS_MASK,
		.nr_cpus = (uint32_t)s->nr_cpus,
		.mode = r->opt.nr_pids ? SCREC_MODE_ATTACH : SCREC_MODE_COMMAND,
		.target_pid = (uint32_t)(r->opt.nr_pids ? r->opt.pids[0] : r->t.child),
	};
	const char *spec = r->opt.spec ? r->opt.spec : "all";
	struct utsname u;
	char host[256] = "";
	char filters[512];
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
	write_string(s, SCREC_STR_EVENTS, spec, strlen(spec));
	len = filter_describe(s, filters, sizeof(filters));
	if (len)
		write_string(s, SCREC_STR_FILTERS, filters, len);
	len = 0;
	for (i = 0; i < r->opt.argc; i++)
		len += strlen(r->opt.argv[i]) + 1;
	cmdline = malloc(len + 1);
	if (cmdline) {
		len = 0;
		for (i = 0; i < r->opt.argc; i++) {
			size_t l = strlen(r->opt.argv[i]) + 1;

			memcpy(cmdline + len, r->opt.argv[i], l);
			len += l;
		}
		err = write_string(s, SCREC_STR_CMDLINE, cmdline, len ? len - 1 : 0);
		free(cmdline);
	}
	return err;
}

/* Write what comes before the first event. */
static int
start_output(struct recording *r)
{
	struct session *s = &r->s;
	int err;

	s->scratch = malloc(1u << 16);
	if (!s->scratch)
		return -ENOMEM;
	/* Stacks as deltas (format.h), unless SCREC_NO_STACK_DELTA asks for whole ones. */
	s->stack_delta = !getenv("SCREC_NO_STACK_DELTA");
	err = screc_writer_open(r->out.fd, SCREC_FEAT_STACK_TRIMMED |
						   (s->capture ? SCREC_FEAT_CAPTURE : 0) |
						   (s->stack_delta ? SCREC_FEAT_STACK_DELTA : 0) |
						   (s->archive ? SCREC_FEAT_ARCHIVE : 0), &s->w);
	if (!err)
		err = write_preamble(r);
	if (!err)
		err = events_describe(s);
	if (!err && archive_write_vdso(s->w) == -EIO)
		err = -EIO;
	/*
	 * The first frame now, before the command runs: it allocates zstd's
	 * context, in the first drain otherwise.  (Starting zstd's worker
	 * thread here too, with ZSTD_e_continue, made every later flush a
	 * round trip to it: recording `true` took 2.6 to 5 ms more.)
	 */
	if (!err)
		err = screc_writer_flush(s->w);
	/*
	 * Without, the first delta tries again, and stacks are written whole if
	 * it fails too.  A command's is done once it runs (start_target()).
	 */
	if (!r->opt.command)
		ring_prepare(s);
	if (err && err != -ENOMEM)
		screc_err("%s: cannot write: %s", output_name(&r->out), strerror(-err));
	return err;
}

/*
 * Start recording.  Attached processes: enable first so that no mapping
 * made meanwhile is missed, then describe what was already there, dated
 * before the first possible event.  A command: release it; its exec enables
 * the events.  An exec that failed is the exit status (127 or 126), and
 * fails the setup: the recording is not put in place.  Then the file takes
 * its name.
 */
static int
start_target(struct recording *r)
{
	struct target *t = &r->t;
	size_t i;
	int err;

	if (!r->opt.command) {
		uint64_t before = clock_ns(CLOCK_MONOTONIC);

		events_enable(&r->s);
		for (i = 0; i < r->opt.nr_pids; i++) {
			proc_synthesize(&r->s, r->opt.pids[i], before, true);
			/* Fds opened before the attach, for the report's fd table (-y). */
			err = proc_write_fds(&r->s, r->opt.pids[i], before);
			if (err && err != -ENOENT && err != -ESRCH)
				screc_debug("-p %d: its open fds not recorded: %s",
					    (int)r->opt.pids[i], strerror(-err));
		}
	} else {
		err = target_release(t, r->opt.command[0]);
		if (err)
			return err;
	}
	output_commit(&r->out);
	err = screc_writer_flush(r->s.w);
	/*
	 * A command's delta buffers are prefaulted now, while it runs (not
	 * while it waits to be released, nor while it execs: it shares screc's
	 * errno until then, see target.c).
	 */
	if (r->opt.command)
		ring_prepare(&r->s);
	return err;
}

/* One poll entry per ring, then the signals. */
static int
prepare_loop(struct recording *r)
{
	struct loop *l = &r->l;
	size_t i;

	l->nr_pfd = r->s.nr_rings + 1;
	l->pfd = calloc(l->nr_pfd, sizeof(*l->pfd));
	if (!l->pfd)
		return -ENOMEM;
	for (i = 0; i < r->s.nr_rings; i++)
		l->pfd[i] = (struct pollfd){ .fd = r->s.rings[i].fd, .events = POLLIN };
	l->pfd[l->nr_pfd - 1] = (struct pollfd){ .fd = l->sig_fd, .events = POLLIN };
	l->start = l->last_flush = l->last_progress = clock_ns(CLOCK_MONOTONIC);
	/* -v's lines would break the progress line. */
	l->progress = isatty(STDERR_FILENO) && !screc_verbose;
	return 0;
}

/* Returns 0 or -errno, with the reason printed. */
static int
setup(struct recording *r)
{
	int err;

	step(r, "setup");
	tune_process(&r->t, r->opt.realtime);
	err = events_find_tracefs(&r->s);
	if (!err)
		err = events_resolve(&r->s, &r->opt.syscalls);
	if (!err)
		err = filter_apply(&r->s);
	if (!err)
		err = output_open(&r->out, r->opt.output);
	if (!err)
		err = catch_signals(&r->l);
	if (!err)
		err = prepare_target(r);
	if (!err) {
		step(r, "events to open");
		err = events_open(&r->s, r->t.tids, r->t.nr_tids, r->t.child > 0);
	}
	if (!err)
		err = capture_open(&r->s, r->t.tids, r->t.nr_tids);
	if (!err) {
		step(r, "events open");
		err = start_output(r);
	}
	if (!err) {
		step(r, "output started");
		err = start_target(r);
	}
	if (!err)
		err = prepare_loop(r);
	step(r, "recording");
	if (err == -ENOMEM && !r->t.exit_code)
		screc_err("out of memory");
	return err;
}

/* Main loop */

/* On a terminal, at most twice a second: what is recorded so far, on one line rewritten. */
static void
show_progress(struct recording *r, uint64_t now)
{
	struct loop *l = &r->l;

	if (!l->progress || now - l->last_progress < PROGRESS_INTERVAL_NS)
		return;
	l->last_progress = now;
	l->progress_shown = true;
	fprintf(stderr, "\rscrec: recording: %llu events, %.1f MiB, %.0f s\033[K",
		(unsigned long long)r->s.nr_samples,
		(double)screc_writer_bytes_out(r->s.w) / (1024.0 * 1024.0),
		(double)(now - l->start) / 1e9);
	fflush(stderr);
}

/* Take the progress line off the terminal before anything else is said. */
static void
clear_progress(struct loop *l)
{
	if (!l->progress_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	l->progress_shown = false;
}

/*
 * Sleep until a ring has data or a signal comes.  A ring reports POLLHUP for
 * ever once the task of the event that owns it is gone, though other tasks'
 * events may still write into it: stop asking that fd, and from then on wake
 * often enough to drain it.
 */
static void
wait_for_data(struct loop *l)
{
	size_t i;

	if (poll(l->pfd, l->nr_pfd, l->hung_up ? POLL_HUNG_MS : POLL_MS) <= 0)
		return;
	for (i = 0; i + 1 < l->nr_pfd; i++)
		if (l->pfd[i].fd >= 0 && (l->pfd[i].revents & (POLLHUP | POLLERR))) {
			l->pfd[i].fd = -1;
			l->hung_up = true;
		}
}

static void
read_signals(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sig_fd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			l->got_signal = (int)si.ssi_signo;
}

/*
 * Reap the command (and any other child of ours) in one loop: a separate
 * waitpid(-1) after waitpid(child) could reap the command between the two
 * and lose its status, leaving screc waiting for ever.
 */
static void
reap_children(struct target *t)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p <= 0)
			break;
		if (p == t->child && !t->done) {
			t->status = st;
			t->done = true;
		}
	}
}

/* Ask the command to stop (a signal to pass on, or --duration's SIGTERM). */
static void
stop_command(struct recording *r, int sig, uint64_t now)
{
	if (r->t.child > 0 && !r->t.done)
		kill(r->t.child, sig);
	r->l.stopping = true;
	r->l.stop_deadline = now + 2 * FLUSH_INTERVAL_NS;
}

/*
 * The file cannot grow: stop recording, say so now, and wait for the command
 * as if screc were not there, rather than leave it running behind a shell
 * prompt.
 */
static void
stop_recording(struct recording *r)
{
	size_t i;

	r->l.failed = true;
	for (i = 0; i + 1 < r->l.nr_pfd; i++)
		r->l.pfd[i].fd = -1;
	events_close(&r->s);
	clear_progress(&r->l);
	screc_err("%s: writing failed: %s; recording stopped, waiting for %s (pid %d) to end",
		  output_name(&r->out), strerror(-r->s.write_error), r->opt.command[0],
		  (int)r->t.child);
}

/* Whether the loop is over, after the state was updated at now. */
static bool
done(struct recording *r, uint64_t now)
{
	struct loop *l = &r->l;
	struct target *t = &r->t;

	if (l->got_signal && !l->stopping)
		stop_command(r, l->got_signal, now);
	if (r->s.write_error && !l->failed) {
		if (!r->opt.command || t->done)
			return true;
		stop_recording(r);
	}
	if (t->done)
		return true;
	if (!r->opt.command && (l->got_signal || proc_all_gone(r->opt.pids, r->opt.nr_pids)))
		return true;
	if (l->stopping && now > l->stop_deadline)
		return true;
	if (r->opt.duration > 0 && now - l->start >= (uint64_t)(r->opt.duration * 1e9)) {
		if (!r->opt.command)
			return true;
		if (!t->done && !l->stopping)
			stop_command(r, SIGTERM, now);
	}
	return false;
}

/*
 * Rings that started small grow once a drain found one RECORD_GROW_FILL
 * full, or after RECORD_GROW_AFTER_NS; once grown, poll the new ones.
 */
static void
grow_rings(struct recording *r)
{
	struct session *s = &r->s;
	struct loop *l = &r->l;
	size_t i;

	if (!s->grow_pages)
		return;
	if (!s->grower && (s->stats.max_fill >= RECORD_GROW_FILL ||
			   clock_ns(CLOCK_MONOTONIC) - l->start >= RECORD_GROW_AFTER_NS))
		events_grow_start(s);
	if (events_grow_finish(s) > 0)
		for (i = 0; i + 1 < l->nr_pfd; i++)
			if (l->pfd[i].fd >= 0)
				l->pfd[i].fd = s->rings[i].fd;
}

static void
run(struct recording *r)
{
	struct session *s = &r->s;
	struct loop *l = &r->l;

	for (;;) {
		siginfo_t si = { 0 };
		bool exited;
		uint64_t now;

		wait_for_data(l);
		/*
		 * A child that ended is reaped only after the drain that follows:
		 * all its records are in the rings by then, and they are drained
		 * while its /proc entry (a zombie's) is still there to be read.
		 */
		exited = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid;
		if (ring_drain_all(s) && !s->write_error)
			s->write_error = screc_writer_add(s->w, SCREC_REC_ROUND, NULL, 0);
		grow_rings(r);
		read_signals(l);
		if (exited)
			reap_children(&r->t);
		now = clock_ns(CLOCK_MONOTONIC);
		if (done(r, now))
			break;
		if (now - l->last_flush >= FLUSH_INTERVAL_NS) {
			if (screc_writer_flush(s->w) && !s->write_error)
				s->write_error = -EIO;
			l->last_flush = now;
		}
		show_progress(r, now);
	}
	clear_progress(l);
}

/* Finish */

/* Stop the events, then take what they left in the rings; how the command ended. */
static void
drain_last(struct recording *r)
{
	struct session *s = &r->s;
	size_t i;

	for (i = 0; i < s->nr_fds; i++)
		ioctl(s->fds[i], PERF_EVENT_IOC_DISABLE, 0);
	step(r, "events disabled");
	ring_drain_all(s);
	step(r, "drained");
	ring_complete_lost(s, clock_ns(CLOCK_MONOTONIC));
	step(r, "lost counted");
	perfmap_copy_all(s);
	step(r, "perf maps copied");
	if (!s->write_error)
		screc_writer_add(s->w, SCREC_REC_ROUND, NULL, 0);
	if (r->t.child > 0 && r->t.done) {
		struct screc_rec_target_exit te = {
			.pid = (uint32_t)r->t.child,
			.wait_status = r->t.status,
			.time = clock_ns(CLOCK_MONOTONIC),
		};

		screc_writer_add(s->w, SCREC_REC_TARGET_EXIT, (uint8_t *)&te + sizeof(te.hdr),
				 sizeof(te) - sizeof(te.hdr));
	}
}

static void
write_archive(struct session *s)
{
	unsigned files;
	uint64_t bytes;
	int err;

	if (!s->archive || s->write_error)
		return;
	err = archive_write(s->archive, s->w, (enum screc_archive_level)s->archive_level, &files,
			    &bytes);
	if (err && !s->write_error)
		s->write_error = err;
	fprintf(stderr, "screc: archived %u files, %.1f MiB before compression\n", files,
		(double)bytes / (1024.0 * 1024.0));
}

/* The trailer, then the file to disk.  Returns 0 or the first write error. */
static int
close_output(struct recording *r)
{
	struct session *s = &r->s;
	struct screc_rec_trailer tr = {
		.nr_samples = s->nr_samples,
		.nr_exits = s->nr_exits,
		.nr_lost = s->nr_lost,
		.end_clock_ns = clock_ns(CLOCK_MONOTONIC),
		.end_realtime_ns = clock_ns(CLOCK_REALTIME),
	};
	uint64_t out_bytes = screc_writer_bytes_out(s->w);
	struct stat st;
	int err;

	err = screc_writer_close(s->w, &tr);
	s->w = NULL;
	/* The file's size; what the writer wrote before its trailer when it is a pipe. */
	r->file_bytes = fstat(r->out.fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size :
									       out_bytes;
	if (!err)
		err = s->write_error;
	if (!err)
		err = output_close(&r->out);
	else
		output_close(&r->out);
	screc_debug("%s: %llu events, %llu exits, %llu bytes", output_name(&r->out),
		    (unsigned long long)s->nr_samples, (unsigned long long)s->nr_exits,
		    (unsigned long long)out_bytes);
	return err;
}

/* With -v: where the recorder's time went, to size rings and judge losses. */
static void
debug_stats(const struct recording *r)
{
	const struct session *s = &r->s;
	struct timespec self;
	struct rusage ru;
	double cpu, main_cpu;

	if (!screc_verbose || getrusage(RUSAGE_SELF, &ru) < 0 ||
	    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &self) < 0)
		return;
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	main_cpu = (double)self.tv_sec + self.tv_nsec / 1e9;
	screc_debug("recorder: %llu drain passes, %llu records, %.1f MiB through the rings of "
		    "%u pages, largest backlog %.1f%% of a ring, %.3f s draining; CPU %.3f s, of "
		    "which %.3f s draining and writing, %.3f s zstd's thread",
		    (unsigned long long)s->stats.passes, (unsigned long long)s->stats.records,
		    (double)s->stats.ring_bytes / (1 << 20), s->mmap_pages, s->stats.max_fill / 10.0,
		    (double)s->stats.drain_ns / 1e9, cpu, main_cpu, cpu - main_cpu);
}

static void
summary(struct recording *r, int err)
{
	debug_stats(r);
	if (err)
		screc_err("%s: writing failed: %s; the recording is readable up to the last "
			  "second before the error", output_name(&r->out), strerror(-err));
	if (r->s.nr_lost_late)
		screc_err("lost %llu events (ring records: a syscall's entry and exit are two), "
			  "%llu of them after the kernel's last report of a loss, found in the "
			  "events' counts: use a larger -m (now %u pages) or record fewer syscalls",
			  (unsigned long long)r->s.nr_lost, (unsigned long long)r->s.nr_lost_late,
			  r->s.mmap_pages);
	else if (r->s.nr_lost)
		screc_err("lost %llu events (ring records: a syscall's entry and exit are two): use "
			  "a larger -m (now %u pages) or record fewer syscalls",
			  (unsigned long long)r->s.nr_lost, r->s.mmap_pages);
	if (r->s.stats.described)
		screc_err("%llu processes with events after a loss were described again from /proc "
			  "(names, mappings), in case the loss took theirs",
			  (unsigned long long)r->s.stats.described);
	tasks_report_detached(&r->s.tasks);
	if (r->t.child > 0 && !r->t.done)
		/* Left to run, as strace does. */
		screc_err("%d: still running after the stop request; recording ended",
			  (int)r->t.child);
	if (!err)
		screc_err("wrote %s: %llu events (%llu lost), %.1f MiB, %.1f s",
			  output_name(&r->out), (unsigned long long)r->s.nr_samples,
			  (unsigned long long)r->s.nr_lost, (double)r->file_bytes / (1024.0 * 1024.0),
			  (double)(r->ended - r->l.start) / 1e9);
}

/* screc exits like the command (strace's rule); with -p, a stop request is the normal end. */
static int
exit_status(const struct recording *r, int err)
{
	const struct target *t = &r->t;

	if (t->child > 0 && !t->done)
		return r->l.got_signal ? 128 + r->l.got_signal : 1;
	if (t->child > 0) {
		/* The command's failure first; else a recording that failed is screc's. */
		if (WIFEXITED(t->status) && WEXITSTATUS(t->status))
			return WEXITSTATUS(t->status);
		if (WIFSIGNALED(t->status))
			return 128 + WTERMSIG(t->status);
	}
	return err ? 1 : 0;
}

static int
finish(struct recording *r)
{
	int err;

	r->ended = clock_ns(CLOCK_MONOTONIC);
	step(r, "finishing");
	drain_last(r);
	write_archive(&r->s);
	err = close_output(r);
	step(r, "file closed");
	summary(r, err);
	return exit_status(r, err);
}

/*
 * Setup failed, or the command could not be executed: it never ran.  Leave
 * nothing running behind, and nothing in place of what was at the output
 * path.  Returns the exit status: 127 or 126 for a failed exec, else 1.
 */
static int
abandon(struct recording *r)
{
	if (r->t.child > 0 && !r->t.done) {
		kill(r->t.child, SIGKILL);
		waitpid(r->t.child, NULL, 0);
		r->t.done = true;
	}
	screc_writer_close(r->s.w, NULL);
	r->s.w = NULL;
	output_discard(&r->out);
	return r->t.exit_code ? r->t.exit_code : 1;
}

/* Free everything; after finish() or abandon(). */
static void
release(struct recording *r)
{
	output_release(&r->out);
	target_free(&r->t);
	archive_free(r->s.archive);
	ring_release(&r->s);
	free(r->l.pfd);
	free(r->opt.pids);
	/*
	 * Last: it starts the process that closes the events.  (When that was
	 * a fork, every page written after it was copied: freeing the
	 * stack-delta state after it took 5 to 10 ms of recording `true`.)
	 */
	events_release(&r->s);
	if (r->l.sig_fd >= 0)
		close(r->l.sig_fd);
	if (r->l.mask_set)
		sigprocmask(SIG_SETMASK, &r->l.orig_mask, NULL);
}

int
cmd_record(int argc, char **argv)
{
	struct recording r = {
		.s = { .stack_size = RECORD_STACK_DEFAULT, .inherit = true, .filter.fd = -1 },
		.t = { .child = -1, .go_fd = -1, .err_fd = -1 },
		.l = { .sig_fd = -1 },
		.out = { .fd = -1 },
	};
	int status;

	if (parse_options(&r.opt, &r.s, &r.t, argc, argv, &status))
		goto out;
	if (setup(&r)) {
		status = abandon(&r);
		goto out;
	}
	run(&r);
	status = finish(&r);
out:
	release(&r);
	return status;
}
