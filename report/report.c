// SPDX-License-Identifier: MIT
/*
 * `screc report` and `screc info`: read a recording and print it.  This file
 * parses the options, opens the recording with a clear message for each way
 * that can fail, runs a report session into the chosen sink, and ends with
 * the advice and the one-line summary.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/arch.h"
#include "common/format.h"
#include "common/log.h"
#include "common/syscall-set.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "report/decode/decode.h"
#include "report/decode/errno-names.h"
#include "merge.h"
#include "report/sinks/shape.h"
#include "screc.h"
#include "session.h"

/* What the command line asked for. */
struct report_cmd {
	const char *path;		/* the recording at hand (of files, with several) */
	char **files;			/* every recording on the command line */
	int nr_files;
	bool raw, info;
	struct report_filter filter;
	struct screc_syscall_set trace;
	const char *trace_expr;		/* as given, for messages */
	const char **paths;		/* -P */
	int *errnos, *fds;
	size_t cap_paths, cap_errnos, cap_fds;
	struct decode_opts decode;
	struct lookup_opts lookup;
	struct sink sink;
	const char *resolve;		/* --resolve: NULL, "addresses" or "names" */
	unsigned jobs;			/* -j: 1 for one thread; 0 chooses (two with two CPUs) */
	bool no_inline;			/* --no-inline */
	bool tree_given;		/* --tree */
	const char *output;		/* -o: the report's file (with --resolve, the new recording) */
	struct shape_opts shape;	/* --fold, --callers, --callees */
	enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color;
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: screc report [options] [FILE...]\n"
		"\n"
		"  FILE                 the recording (default: screc.data; - reads standard input);\n"
		"                       several are reported as one, each event labelled with\n"
		"                       its recording and host\n"
		"  -o, --output FILE    write the report to FILE (with --resolve: the new recording)\n"
		"  --tree[=bottom-up|top-down]\n"
		"                       merge all events into a call tree (default bottom-up:\n"
		"                       the syscall first, then the code that leads to it)\n"
		"  --format=FORMAT      the output format (--format=help lists them):\n");
	sink_list(f);
	fprintf(f,
		"  -c, --summary        strace -c's table, errors by errno, and each syscall's\n"
		"                       top call sites\n"
		"  --weight=count|latency\n"
		"                       folded, perf-script, diff-folded: count calls (the default),\n"
		"                       or add up their duration in ns\n"
		"  --srcline            show file:line of each frame\n"
		"  --no-inline          no frames for inlined calls (they are shown by default):\n"
		"                       frame counts then compare with strace's and perf's\n"
		"  --min-percent P      tree: hide branches under P%% of the events (default 0)\n"
		"  --max-depth N        tree: show at most N levels (default: all)\n"
		"  --fold[=PATTERNS]    fold each run of frames in one library into its outermost\n"
		"                       frame, the function the program called: PATTERNS is a\n"
		"                       comma list of binaries (libc.so.6,ld-linux*); without\n"
		"                       it, the system's libraries (/lib, /usr/lib) and the vdso\n"
		"  --callers FUNC       only calls made under FUNC, cut so that FUNC comes right\n"
		"                       after the syscall: who leads to FUNC (a name or a glob)\n"
		"  --callees FUNC       only calls made under FUNC, cut above FUNC: what FUNC\n"
		"                       leads to (with --tree=top-down, FUNC is the root)\n"
		"  --color[=WHEN]       colour: auto (the default: on a terminal, unless NO_COLOR\n"
		"                       is set), always or never\n"
		"  -t, --absolute-timestamps[=time|unix][,s|us]\n"
		"                       prefix each call with the wall clock time; -tt (,us) with\n"
		"                       microseconds, -ttt (unix) as seconds since 1970\n"
		"  -r, --relative-timestamps\n"
		"                       prefix each call with the time since the previous one\n"
		"  -T, --syscall-times  show the time spent in each call <seconds>\n"
		"  -s, --string-limit N show at most N bytes of each string (default 32)\n"
		"  -y, --decode-fds     show what fds refer to: 3</etc/hosts> (the default)\n"
		"      --no-fd-paths    show fds as plain numbers\n"
		"Filters (an event is kept when it passes all of them):\n"
		"  -e, --trace, --syscall EXPR\n"
		"                       strace's -e trace= syntax: names, %%file, %%net, !read,\n"
		"                       /regex, ?name (e.g. -e %%network, --syscall '!read,write')\n"
		"  --pid LIST, --tid LIST, --comm LIST\n"
		"                       keep only these (comma lists)\n"
		"  -P, --path PATH      calls that name PATH, as an argument or through an fd\n"
		"  --fd LIST            calls on these file descriptors\n"
		"  -Z, --failed         calls that returned an error\n"
		"  -z, --successful     calls that did not\n"
		"  --errno LIST         calls that failed with these (ENOENT,EACCES)\n"
		"  --time FROM,TO       keep only events in this window (seconds from the start)\n"
		"  --symfs DIR          look for the recorded files under DIR first\n"
		"  --debug-dir DIR      look for separate debug files in DIR/.build-id too\n"
		"  --no-cache           keep no inflated copies of compressed debug files in\n"
		"                       $SCREC_CACHE_DIR or ~/.cache/screc (nor use them)\n"
		"  --info               what the recording holds, and which binaries are here\n"
		"  --resolve[=names] -o FILE\n"
		"                       write a copy whose stacks are unwound frames, with no stack\n"
		"                       memory or registers (names: with function names, so no\n"
		"                       binary is needed to report it); run it where the binaries are\n"
		"  --raw                print every record without unwinding (format debugging)\n"
		"  -j, --jobs N         1: one thread (the default); 2: read and decompress on a\n"
		"                       second core while the first unwinds and prints (pays only\n"
		"                       when reading dominates; slower on most recordings)\n"
		"  -v, --verbose        say more\n"
		"  -h, --help           show this\n"
		"\n"
		"examples:\n"
		"  screc report                        each call and the code that made it (strace -k)\n"
		"  screc report --tree --fold          each syscall, then its callers, libraries folded\n"
		"  screc report -e openat -Z           the opens that failed\n"
		"  screc report -c                     strace -c's table with the top call sites\n"
		"  screc report --tree --callers getaddrinfo   who resolves names\n"
		"  screc report --format=speedscope -o app.json  for https://speedscope.app\n"
		"See screc-report(1).\n");
}

static double
parse_number(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || v < 0)
		screc_usage_error("report", "%s %s: expected a number, 0 or more", opt, arg);
	return v;
}

/* A comma list of process or thread ids, checked now rather than matching nothing later. */
static void
check_ids(const char *opt, const char *list)
{
	const char *p = list;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v <= 0 || v > INT32_MAX || (*end && *end != ','))
			screc_usage_error("report", "%s %s: expected a comma list of ids, such as 1234,1240", opt,
				  list);
		p = *end ? end + 1 : end;
	}
}

/* --fd LIST (numbers) or --errno LIST (names like ENOENT, or numbers). */
static void
parse_ints(struct report_cmd *c, const char *list, bool errnos)
{
	const char *opt = errnos ? "--errno" : "--fd";
	char *copy = strdup(list), *tok, *save = NULL;
	int **arr = errnos ? &c->errnos : &c->fds;
	size_t *nr = errnos ? &c->filter.nr_errnos : &c->filter.nr_fds;
	size_t *cap = errnos ? &c->cap_errnos : &c->cap_fds;

	if (!copy)
		screc_die(1, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v = strtol(tok, &end, 10);

		if (errnos && (end == tok || *end))
			v = errno_value(tok);
		else if (end == tok || *end || v < 0 || v > INT32_MAX)
			v = -1;
		if (v < (errnos ? 1 : 0))
			screc_usage_error("report", "%s %s: '%s' is not %s", opt, list, tok,
				  errnos ? "an errno name (such as ENOENT) or number" :
					   "a file descriptor number");
		if (screc_grow(arr, cap, *nr + 1, sizeof(int), 8))
			screc_die(1, "out of memory");
		(*arr)[(*nr)++] = (int)v;
	}
	free(copy);
	if (!*nr)
		screc_usage_error("report", "%s: expected a comma list", opt);
	if (errnos)
		c->filter.errnos = c->errnos;
	else
		c->filter.fds = c->fds;
}

/* --format=NAME; "text" keeps a --tree given before it, as it always did. */
static void
choose_format(struct report_cmd *c, const char *name)
{
	const struct sink_ops *ops = sink_find(name);

	if (strcmp(name, "help") == 0 || strcmp(name, "list") == 0) {
		printf("formats:\n");
		sink_list(stdout);
		exit(0);
	}
	if (!ops) {
		screc_err("--format=%s: no such format; these are:", name);
		sink_list(stderr);
		exit(2);
	}
	if (ops == &sink_listing && c->sink.ops == &sink_tree)
		return;
	if (c->sink.ops == &sink_tree && ops != &sink_tree && c->tree_given)
		screc_usage_error("report", "--tree and --format=%s: the tree is a format of its own "
				  "(--format=tree); give one of them", name);
	c->sink.ops = ops;
}

/*
 * strace's --absolute-timestamps=[[format:]time|unix][,[precision:]s|ms|us|ns]:
 * 1 for -t, 2 for -tt, 3 for -ttt (the listing shows microseconds at most).
 */
static int
parse_timestamps(const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	bool unix_time = false, fine = false;

	if (!copy)
		screc_die(1, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const char *v = strchr(tok, ':') ? strchr(tok, ':') + 1 : tok;

		if (strcmp(v, "unix") == 0)
			unix_time = true;
		else if (strcmp(v, "ms") == 0 || strcmp(v, "us") == 0 || strcmp(v, "ns") == 0)
			fine = true;
		else if (strcmp(v, "time") != 0 && strcmp(v, "s") != 0 && strcmp(v, "none") != 0)
			screc_usage_error("report", "--absolute-timestamps=%s: '%s' is not time, unix, "
					  "s, ms, us or ns", arg, tok);
	}
	free(copy);
	return unix_time ? 3 : fine ? 2 : 1;
}

/* Parse the command line into c; exits on --help and on errors. */
static void
parse_options(int argc, char **argv, struct report_cmd *c)
{
	enum { O_INFO = 255, O_RAW = 256, O_TREE, O_FORMAT, O_SRCLINE, O_MINPCT, O_MAXDEPTH, O_PID, O_TID,
	       O_COMM, O_TIME, O_SYMFS, O_DEBUGDIR, O_FD, O_ERRNO, O_NOFDPATHS, O_RESOLVE, O_WEIGHT,
	       O_NOINLINE, O_FOLD, O_CALLERS, O_CALLEES, O_COLOR, O_NOCACHE };
	static const struct option longopts[] = {
		{ "raw", no_argument, NULL, O_RAW },
		{ "info", no_argument, NULL, O_INFO },
		{ "tree", optional_argument, NULL, O_TREE },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "srcline", no_argument, NULL, O_SRCLINE },
		{ "min-percent", required_argument, NULL, O_MINPCT },
		{ "max-depth", required_argument, NULL, O_MAXDEPTH },
		{ "pid", required_argument, NULL, O_PID },
		{ "tid", required_argument, NULL, O_TID },
		{ "comm", required_argument, NULL, O_COMM },
		{ "syscall", required_argument, NULL, 'e' },
		{ "trace", required_argument, NULL, 'e' },
		{ "absolute-timestamps", optional_argument, NULL, 't' },
		{ "relative-timestamps", no_argument, NULL, 'r' },
		{ "syscall-times", no_argument, NULL, 'T' },
		{ "string-limit", required_argument, NULL, 's' },
		{ "decode-fds", no_argument, NULL, 'y' },
		{ "failed", no_argument, NULL, 'Z' },
		{ "successful", no_argument, NULL, 'z' },
		{ "path", required_argument, NULL, 'P' },
		{ "fd", required_argument, NULL, O_FD },
		{ "errno", required_argument, NULL, O_ERRNO },
		{ "no-fd-paths", no_argument, NULL, O_NOFDPATHS },
		{ "summary", no_argument, NULL, 'c' },
		{ "resolve", optional_argument, NULL, O_RESOLVE },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "no-inline", no_argument, NULL, O_NOINLINE },
		{ "fold", optional_argument, NULL, O_FOLD },
		{ "callers", required_argument, NULL, O_CALLERS },
		{ "callees", required_argument, NULL, O_CALLEES },
		{ "color", optional_argument, NULL, O_COLOR },
		{ "colour", optional_argument, NULL, O_COLOR },
		{ "time", required_argument, NULL, O_TIME },
		{ "weight", required_argument, NULL, O_WEIGHT },
		{ "symfs", required_argument, NULL, O_SYMFS },
		{ "debug-dir", required_argument, NULL, O_DEBUGDIR },
		{ "no-cache", no_argument, NULL, O_NOCACHE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	c->path = "screc.data";
	c->filter.time_to = -1;
	c->sink.ops = &sink_listing;
	c->sink.opts.out = stdout;
	c->decode.strsize = DECODE_STRSIZE_DEFAULT;
	c->decode.fd_paths = true;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":vhce:P:s:ytrTZzo:j:", longopts, NULL)) != -1) {
		switch (opt) {
		case O_RAW:
			c->raw = true;
			break;
		case O_INFO:
			c->info = true;
			break;
		case O_TREE:
			/* screc diff: --tree is the diff's tree view (it chose the format). */
			if (c->sink.ops->recordings) {
				if (!optarg && optind < argc && strcmp(argv[optind], "top-down") == 0)
					optarg = argv[optind++];
				c->sink.opts.top_down = optarg && strcmp(optarg, "top-down") == 0;
				break;
			}
			if (c->sink.ops != &sink_listing && c->sink.ops != &sink_tree)
				screc_usage_error("report", "--tree and --format=%s: the tree is a format of "
						  "its own (--format=tree); give one of them",
						  c->sink.ops->name);
			c->sink.ops = &sink_tree;
			c->tree_given = true;
			/* "--tree top-down", as people type it, is "--tree=top-down". */
			if (!optarg && optind < argc && (strcmp(argv[optind], "top-down") == 0 ||
							 strcmp(argv[optind], "bottom-up") == 0))
				optarg = argv[optind++];
			if (optarg && strcmp(optarg, "top-down") == 0)
				c->sink.opts.top_down = true;
			else if (optarg && strcmp(optarg, "bottom-up") != 0)
				screc_usage_error("report", "--tree=%s: expected bottom-up or top-down", optarg);
			break;
		case O_FORMAT:
			choose_format(c, optarg);
			break;
		case O_SRCLINE:
			c->sink.opts.srcline = true;
			break;
		case O_MINPCT:
			c->sink.opts.min_percent = parse_number("--min-percent", optarg);
			break;
		case O_MAXDEPTH:
			c->sink.opts.max_depth = (int)parse_number("--max-depth", optarg);
			break;
		case O_PID:
			check_ids("--pid", optarg);
			c->filter.pids = optarg;
			break;
		case O_TID:
			check_ids("--tid", optarg);
			c->filter.tids = optarg;
			break;
		case O_COMM:
			c->filter.comms = optarg;
			break;
		case 'e': {
			char err[256];

			/* strace keeps only the last -e trace= of a command line; so do we. */
			if (screc_syscall_set_parse(&c->trace, optarg, err, sizeof(err)))
				screc_usage_error("report", "-e %s: %s", optarg, err);
			c->trace_expr = optarg;
			c->filter.trace = &c->trace;
			break;
		}
		case 'c':
			c->sink.ops = &sink_summary;
			break;
		case O_RESOLVE:
			c->resolve = optarg ? optarg : "addresses";
			if (strcmp(c->resolve, "addresses") != 0 && strcmp(c->resolve, "names") != 0)
				screc_usage_error("report", "--resolve=%s: expected addresses or names", optarg);
			break;
		case 'o':
			c->output = optarg;
			break;
		case O_NOINLINE:
			c->no_inline = true;
			break;
		case O_FOLD:
			if (shape_add_fold(&c->shape, optarg))
				screc_usage_error("report", "--fold: at most %d patterns", SHAPE_MAX_PATTERNS);
			c->filter.shape = &c->shape;
			break;
		case O_CALLERS:
		case O_CALLEES: {
			const char **list = opt == O_CALLERS ? c->shape.callers : c->shape.callees;
			size_t *nr = opt == O_CALLERS ? &c->shape.nr_callers : &c->shape.nr_callees;

			if (*nr == SHAPE_MAX_PATTERNS)
				screc_usage_error("report", "--%s: at most %d functions",
						  opt == O_CALLERS ? "callers" : "callees", SHAPE_MAX_PATTERNS);
			list[(*nr)++] = optarg;
			c->filter.shape = &c->shape;
			break;
		}
		case O_COLOR:
			if (!optarg || strcmp(optarg, "always") == 0 || strcmp(optarg, "yes") == 0)
				c->color = COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0 || strcmp(optarg, "no") == 0)
				c->color = COLOR_NEVER;
			else if (strcmp(optarg, "auto") == 0)
				c->color = COLOR_AUTO;
			else
				screc_usage_error("report", "--color=%s: expected auto, always or never", optarg);
			break;
		case 'j':
			c->jobs = (unsigned)parse_number("-j", optarg);
			if (!c->jobs || c->jobs > 64)
				screc_usage_error("report", "-j %s: expected 1 or more", optarg);
			break;
		case 'Z':
			c->filter.failed = true;
			break;
		case 'z':
			c->filter.successful = true;
			break;
		case 'P':
			if (screc_grow(&c->paths, &c->cap_paths, c->filter.nr_paths + 1,
				       sizeof(*c->paths), 4))
				screc_die(1, "out of memory");
			c->paths[c->filter.nr_paths++] = optarg;
			c->filter.paths = c->paths;
			break;
		case O_FD:
			parse_ints(c, optarg, false);
			break;
		case O_ERRNO:
			parse_ints(c, optarg, true);
			break;
		case 's':
			c->decode.strsize = (unsigned)parse_number("-s", optarg);
			if (!c->decode.strsize)
				screc_usage_error("report", "-s 0: expected 1 or more bytes");
			break;
		case 'y':
			c->decode.fd_paths = true;
			break;
		case O_NOFDPATHS:
			c->decode.fd_paths = false;
			break;
		case 't':
			if (optarg)
				c->sink.opts.timestamps = parse_timestamps(optarg);
			else if (c->sink.opts.timestamps < 3)
				c->sink.opts.timestamps++;
			break;
		case 'r':
			c->sink.opts.relative = true;
			break;
		case 'T':
			c->sink.opts.durations = true;
			break;
		case O_TIME: {
			char *comma = strchr(optarg, ',');

			if (!comma)
				screc_usage_error("report", "--time %s: expected FROM,TO in seconds (TO may be empty)",
					  optarg);
			*comma = '\0';
			c->filter.time_from = *optarg ? parse_number("--time", optarg) : 0;
			c->filter.time_to = comma[1] ? parse_number("--time", comma + 1) : -1;
			break;
		}
		case O_WEIGHT:
			if (strcmp(optarg, "latency") == 0)
				c->sink.opts.weight = SINK_WEIGHT_LATENCY;
			else if (strcmp(optarg, "count") == 0)
				c->sink.opts.weight = SINK_WEIGHT_COUNT;
			else
				screc_usage_error("report", "--weight=%s: expected count or latency", optarg);
			break;
		case O_SYMFS:
			c->lookup.symfs = optarg;
			break;
		case O_DEBUGDIR:
			c->lookup.debug_dirs = optarg;
			break;
		case O_NOCACHE:
			c->lookup.no_cache = true;
			break;
		case 'v':
			screc_verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			screc_getopt_error(argv[0], opt, argv);
		}
	}
	if (optind < argc) {
		c->files = argv + optind;
		c->nr_files = argc - optind;
		c->path = c->files[0];
	}
	if (c->nr_files > 1 && (c->raw || c->info))
		screc_usage_error("report", "%s: one recording at a time", c->raw ? "--raw" : "--info");
	if (c->sink.ops->recordings && (c->nr_files > 0 ? (unsigned)c->nr_files : 1) !=
					       c->sink.ops->recordings)
		screc_usage_error("report", "--format=%s compares %u recordings: give %u files", c->sink.ops->name,
			  c->sink.ops->recordings, c->sink.ops->recordings);
	if (c->filter.failed && c->filter.successful)
		screc_usage_error("report", "--failed and --successful: no call is both; give one of them");
	if (c->resolve && !c->output)
		screc_usage_error("report", "--resolve: give the new recording's file with -o FILE");
	if (c->resolve && c->nr_files > 1)
		screc_usage_error("report", "--resolve: one recording at a time");
	if (c->resolve && (c->filter.pids || c->filter.tids || c->filter.comms || c->filter.trace ||
			   c->filter.failed || c->filter.successful || c->filter.nr_errnos ||
			   c->filter.nr_paths || c->filter.nr_fds || c->filter.time_from > 0 ||
			   c->filter.time_to >= 0 || shape_active(&c->shape)))
		screc_usage_error("report", "--resolve keeps every event: filter when reporting the new recording");
}

/* Open the recording; prints why not and returns NULL on failure. */
static struct report_session *
open_recording(const struct report_cmd *c)
{
	struct report_session *s;
	const char *path = c->path;
	int err = report_session_open(path, &c->lookup, &s);

	switch (err) {
	case 0:
		return s;
	case -EACCES:
		screc_err("%s: cannot open: %s (recordings are mode 0600: read it as the user "
			  "who recorded it, or root)", path, strerror(-err));
		break;
	case -ENOENT:
		screc_err("%s: cannot open: %s (record one with: screc record -o FILE -- COMMAND)",
			  path, strerror(-err));
		break;
	case -EISDIR:
		screc_err("%s: is a directory: give the recording's file (screc record -o FILE)",
			  path);
		break;
	case -EPIPE:
		screc_err("%s: a FIFO that nothing wrote to in 5 s: start its writer first, or "
			  "pipe the recording in: ... | screc report -", path);
		break;
	case -EBADMSG:
		screc_err("%s: not a screc recording (bad magic or header): give a file that "
			  "'screc record' wrote", path);
		break;
	case -ENOTSUP: {
		struct screc_file_header h;
		int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : -1;

		if (fd >= 0 && pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
		    h.version > SCREC_FORMAT_VERSION)
			screc_err("%s: recorded by a newer screc (format version %u; this one reads "
				  "up to %u): update screc to report it", path, h.version,
				  SCREC_FORMAT_VERSION);
		else
			screc_err("%s: recorded by a newer screc (with features this version cannot "
				  "read): update screc to report it", path);
		if (fd >= 0)
			close(fd);
		break;
	}
	case -ENODATA:
		screc_err("%s: too short to be a recording (empty or cut before its header)", path);
		break;
	default:
		screc_err("%s: cannot %s: %s", path, err == -ENOMEM ? "read" : "open",
			  strerror(-err));
	}
	return NULL;
}

/* One line of the table of binaries that left frames unnamed. */
static void
print_unnamed(void *arg, const struct find_unnamed *u)
{
	bool *header = arg;
	const char *fix;

	if (!*header) {
		fprintf(stderr, "screc: frames left unnamed, by binary:\n");
		*header = true;
	}
	if (u->archived)
		fix = "archived without symbols: archive with --level symbols or full";
	else if (u->mismatch)
		fix = "the file here is another build: run 'screc archive' on the recording host, "
		      "or pass its files with --symfs DIR";
	else if (!u->found && (u->path[0] != '/' || strcmp(u->path, "//anon") == 0))
		fix = "not a file (JIT or anonymous code)";
	else if (!u->found)
		fix = "missing here: run 'screc archive' on the recording host, or pass its files "
		      "with --symfs DIR";
	else if (strncmp(u->path, "/usr/", 5) == 0 || strncmp(u->path, "/lib", 4) == 0)
		fix = "no symbols: install its debug package (the -dbg/-dbgsym of 'dpkg -S' of the "
		      "path) or set DEBUGINFOD_URLS";
	else
		fix = "no symbols: pass its debug file with --debug-dir DIR, or record with "
		      "--archive=full";
	fprintf(stderr, "  %s  %s  %llu frames  %s\n", u->build_id_hex ? u->build_id_hex : "(none)",
		u->path, (unsigned long long)u->frames, fix);
}

static void
print_backend(void *arg, const char *name, uint64_t frames)
{
	(void)arg;
	screc_debug("frames found by %s: %llu", name, (unsigned long long)frames);
}

/* The advice, the table of missing files, and last of all the one-line summary. */
static void
print_summary(struct report_session *s, const struct report_stats *st)
{
	uint32_t stack_size = report_session_meta(s)->stack_size;
	bool header = false;

	if (st->truncated && stack_size < SCREC_ARCH_STACK_MAX)
		screc_err("%llu stacks were cut by the %u-byte snapshot: record with "
			  "--stack-size %u (the most perf allows) to keep them whole",
			  (unsigned long long)st->truncated, stack_size, SCREC_ARCH_STACK_MAX);
	else if (st->truncated)
		screc_err("%llu stacks were deeper than even the largest snapshot (%u bytes) "
			  "holds", (unsigned long long)st->truncated, SCREC_ARCH_STACK_MAX);
	if (st->unread && !(report_session_features(s) & SCREC_FEAT_CAPTURE))
		screc_err("note: %llu paths or addresses were not in the recording (on the heap, "
			  "not in the stack snapshot) and print as pointers: record with --capture "
			  "to copy them in the kernel", (unsigned long long)st->unread);
	else if (st->unread)
		screc_err("note: %llu paths or addresses were neither captured nor in the stack "
			  "snapshot and print as pointers", (unsigned long long)st->unread);
	report_session_each_unnamed(s, print_unnamed, &header);
	if (screc_verbose)
		report_session_backends(s, print_backend, NULL);
	/* Every event is counted once: complete, truncated, at a stack switch or broken. */
	screc_err("%llu events, %llu unwound fully, %llu truncated, %llu at a stack switch, "
		  "%llu broken, %llu lost, %llu unresolved frames",
		  (unsigned long long)st->events, (unsigned long long)st->complete,
		  (unsigned long long)st->truncated, (unsigned long long)st->switched,
		  (unsigned long long)st->broken, (unsigned long long)st->lost,
		  (unsigned long long)st->unresolved_frames);
}

/*
 * Damage that would otherwise read as success: the recorder counted more
 * samples than could be read (their ATTR or TRACEPOINT records gone or
 * broken).  Says so and returns -EUCLEAN, else 0.
 */
static int
check_counts(const struct report_cmd *c, const struct report_stats *st)
{
	if (st->samples >= st->expected && !st->unreadable)
		return 0;
	screc_err("%s: damaged: its trailer counts %llu syscall samples, %llu could be read "
		  "(%llu samples are described by no event of the recording): the report is "
		  "incomplete", c->path, (unsigned long long)st->expected,
		  (unsigned long long)st->samples, (unsigned long long)st->unreadable);
	return -EUCLEAN;
}

/*
 * A filter that kept nothing says why, in one line, rather than a silent
 * "0 events": which syscalls the recording holds.
 */
static void
note_empty(const struct report_cmd *c, const struct report_stats *st)
{
	struct screc_buf b = { 0 };
	long nr;

	if (st->events || !st->samples || !c->filter.trace)
		return;
	for (nr = screc_syscall_set_next(&st->seen, 0); nr >= 0;
	     nr = screc_syscall_set_next(&st->seen, nr + 1)) {
		const char *name = screc_syscall_name(nr);

		if (name)
			screc_buf_printf(&b, "%s%s", b.len ? ", " : "", name);
		else
			screc_buf_printf(&b, "%ssyscall_%ld", b.len ? ", " : "", nr);
	}
	screc_err("-e %s: no event of the recording matches; it holds: %s", c->trace_expr,
		  screc_buf_text(&b));
	screc_buf_release(&b);
}

/* What ended the pass, said once; returns the exit status. */
static int
finish(struct report_session *s, const struct report_cmd *c, int err)
{
	struct screc_reader *r = report_session_reader(s);
	const char *path = c->path;

	/* The archive could not be used: said when it happened; the report is incomplete. */
	if (!err && find_archive_error(report_session_finder(s)))
		err = -EUCLEAN;
	if (err == -ENOEXEC) {
		const struct report_meta *m = report_session_meta(s);

		screc_err("%s: recorded on %s (ELF machine %u): this screc reads %s recordings "
			  "only; report it with a screc built for that architecture", path,
			  m->machine ? m->machine : "another architecture", m->e_machine,
			  SCREC_ARCH_NAME);
	} else if (err == -ENODATA)
		screc_err("%s: the recording is truncated (its recorder did not finish, or the "
			  "file was cut short): everything up to the cut was %s", path,
			  c->raw ? "printed" : "reported");
	else if (err == -EBADMSG)
		screc_err("%s: corrupt data in the compressed frame at byte %llu: %s", path,
			  (unsigned long long)screc_reader_offset(r), screc_reader_error(r));
	else if (err && err != -EUCLEAN)
		screc_err("%s: %s", path, strerror(-err));
	report_session_free(s);
	return err == 0 ? 0 : 1;
}

/* `--resolve -o OUT`: a new file, never one that exists (and never through a link). */
static int
resolve(struct report_session *s, struct report_cmd *c, struct report_stats *st)
{
	static const struct sink_ops quiet = { .name = "none" };
	struct sink sink = { .ops = &quiet };
	int fd, err;

	fd = strcmp(c->output, "-") == 0 ? dup(1) :
	     open(c->output, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = errno;
		screc_err("%s: cannot create the resolved recording: %s%s", c->output,
			  strerror(err), err == EEXIST ? " (remove it, or give another name)" : "");
		return -err;
	}
	err = report_session_resolve(s, fd, strcmp(c->resolve, "names") == 0);
	if (err == -EALREADY) {
		screc_err("%s: already resolved", c->path);
	} else if (!err) {
		err = report_session_run(s, NULL, &sink, st);
		if (!err && fsync(fd) < 0 && errno != EINVAL)
			err = -errno;
	}
	close(fd);
	if (err && strcmp(c->output, "-") != 0)
		unlink(c->output);
	else if (!err)
		fprintf(stderr, "screc: %s: %llu samples with their frames%s, no stack memory\n",
			c->output, (unsigned long long)st->samples,
			strcmp(c->resolve, "names") == 0 ? " and names" : "");
	return err == -EALREADY ? -EUCLEAN : err;
}

/* -o never writes over a recording it reads. */
static void
check_output(const struct report_cmd *c)
{
	struct stat out, in;
	int i;

	if (stat(c->output, &out) < 0)
		return;
	for (i = 0; i < (c->nr_files ? c->nr_files : 1); i++) {
		const char *path = c->nr_files ? c->files[i] : c->path;

		if (stat(path, &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
			screc_usage_error("report", "-o %s: that is the recording %s: give another file",
				  c->output, path);
	}
}

/*
 * `screc report A B ...`: every recording into one sink (merge.c), then for
 * each its advice, damage and end, and one summary line for all.
 */
static int
report_several(struct report_cmd *c)
{
	size_t n = (size_t)c->nr_files, i;
	struct report_session **ss = calloc(n, sizeof(*ss));
	struct report_stats *st = calloc(n, sizeof(*st)), total;
	int *errs = calloc(n, sizeof(*errs)), err, ret = 0;

	if (!ss || !st || !errs)
		screc_die(1, "out of memory");
	for (i = 0; i < n; i++) {
		c->path = c->files[i];
		ss[i] = open_recording(c);
		if (!ss[i]) {
			ret = 1;
			goto out;
		}
		report_session_set_decode(ss[i], &c->decode);
		if (c->no_inline)
			report_session_set_inline(ss[i], false);
		report_session_load_archive(ss[i]);
	}
	err = report_merge_run(ss, n, &c->filter, &c->sink, st, &total, errs);
	fflush(c->sink.opts.out);
	if (err) {
		screc_err("--format=%s: %s", c->sink.ops->name, strerror(-err));
		ret = 1;
	}
	note_empty(c, &total);
	for (i = 0; i < n; i++) {
		bool header = false;

		c->path = c->files[i];
		/* print_summary() below gives the last one's table, and the sums. */
		if (i + 1 < n)
			report_session_each_unnamed(ss[i], print_unnamed, &header);
		screc_err("%s: %llu events", c->path, (unsigned long long)st[i].events);
		if (!errs[i])
			errs[i] = check_counts(c, &st[i]);
	}
	print_summary(ss[n - 1], &total);
	if (c->sink.ops->free)
		c->sink.ops->free(&c->sink);
	for (i = 0; i < n; i++) {
		c->path = c->files[i];
		if (finish(ss[i], c, errs[i]))
			ret = 1;
		ss[i] = NULL;
	}
out:
	for (i = 0; i < n; i++)
		report_session_free(ss[i]);
	free(ss);
	free(st);
	free(errs);
	return ret;
}

/*
 * Colour: always or never when asked; by default only on a terminal, and
 * not when NO_COLOR is set (no-color.org) or the terminal is "dumb".
 */
static bool
use_color(int when, FILE *out)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (when != COLOR_AUTO)
		return when == COLOR_ALWAYS;
	if (no && *no)
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(out));
}

int
cmd_report(int argc, char **argv)
{
	struct report_cmd c = { 0 };
	struct report_stats st = { 0 };
	struct report_session *s;
	int err, ret;

	parse_options(argc, argv, &c);
	/* --resolve writes its recording itself. */
	if (c.output && !c.resolve) {
		check_output(&c);
		c.sink.opts.out = fopen(c.output, "w");
		if (!c.sink.opts.out)
			screc_die(1, "%s: cannot write: %s", c.output, strerror(errno));
	}
	c.sink.opts.color = use_color(c.color, c.sink.opts.out);
	if (c.nr_files > 1) {
		ret = report_several(&c);
		goto out;
	}
	s = open_recording(&c);
	if (!s) {
		ret = 1;
		goto out;
	}
	report_session_set_decode(s, &c.decode);
	/*
	 * One thread unless asked: the two-thread pipeline was slower in
	 * tests/bench/run on 5 of its 6 workloads (1.3 to 2.4 times -j1's wall
	 * time on 2 CPUs; faster only on git-all, 0.8).
	 */
	if (!c.raw && !c.info && !c.resolve)
		report_session_set_jobs(s, c.jobs ? c.jobs : 1);
	if (c.no_inline)
		report_session_set_inline(s, false);
	if (c.resolve) {
		report_session_load_archive(s);
		err = resolve(s, &c, &st);
		if (!err)
			err = check_counts(&c, &st);
	} else if (c.raw) {
		err = report_dump(report_session_reader(s), stdout);
	} else if (c.info) {
		report_session_load_archive(s);
		err = report_info(s, stdout);
		if (err == -EUCLEAN)
			screc_err("%s: damaged: some of its samples cannot be read (see above)",
				  c.path);
	} else {
		report_session_load_archive(s);
		/* Not between the lines of a listing on the same terminal. */
		report_session_set_progress(s, isatty(STDERR_FILENO) &&
					       (c.sink.ops != &sink_listing ||
						!isatty(fileno(c.sink.opts.out))));
		err = report_session_run(s, &c.filter, &c.sink, &st);
		report_session_progress_end(s);
		fflush(stdout);
		note_empty(&c, &st);
		print_summary(s, &st);
		if (!err)
			err = check_counts(&c, &st);
		if (c.sink.ops->free)
			c.sink.ops->free(&c.sink);
	}
	ret = finish(s, &c, err);
out:
	if (c.output && !c.resolve && fclose(c.sink.opts.out)) {
		screc_err("%s: cannot write: %s", c.output, strerror(errno));
		ret = 1;
	}
	return ret;
}

static void
info_usage(FILE *f)
{
	fprintf(f,
		"usage: screc info [options] [FILE]\n"
		"\n"
		"What a recording holds: where and when it was made, the command, the events\n"
		"and their counts, the filters and stack size, and for each binary the\n"
		"recorded processes mapped, whether it is found here (and how) with the\n"
		"same build-id, or what to install.\n"
		"\n"
		"  FILE                 the recording (default: screc.data; - reads standard input)\n"
		"  --symfs DIR          look for the recorded files under DIR first\n"
		"  --debug-dir DIR      look for separate debug files in DIR/.build-id too\n"
		"  -v, --verbose        say more\n"
		"  -h, --help           show this\n"
		"\n"
		"examples:\n"
		"  screc info                    the recording in ./screc.data\n"
		"  screc info --symfs /mnt/prod app.screc   with the production host's files\n"
		"See screc-info(1).\n");
}

int
cmd_info(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	int i, ret;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			info_usage(stdout);
			free(args);
			return 0;
		}

	if (!args)
		screc_die(1, "out of memory");
	args[0] = argv[0];
	args[1] = "--info";
	for (i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	ret = cmd_report(argc + 1, args);
	free(args);
	return ret;
}
