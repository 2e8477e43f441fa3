// SPDX-License-Identifier: MIT
/*
 * `screc report`: read a recording and print it.  This file parses the
 * options, opens the recording with a clear message for each way that can
 * fail, and hands the reader to the chosen output.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "proc.h"
#include "report.h"
#include "symbolize.h"
#include "unwind.h"
#include "screc.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: screc report [options] [FILE]\n"
		"\n"
		"  FILE                 the recording (default: screc.data)\n"
		"  --tree[=bottom-up|top-down]\n"
		"                       merge all events into a call tree (default bottom-up:\n"
		"                       the syscall first, then the code that leads to it)\n"
		"  --format=text|json   json: one object per event and line\n"
		"  --srcline            show file:line of each frame\n"
		"  --min-percent P      tree: hide branches under P%% of the events\n"
		"  --max-depth N        tree: show at most N levels\n"
		"  --pid LIST, --tid LIST, --comm LIST, --syscall LIST\n"
		"                       keep only these (comma lists)\n"
		"  --failed             keep only calls that returned an error\n"
		"  --time FROM,TO       keep only events in this window (seconds from the start)\n"
		"  --symfs DIR          look for the recorded files under DIR first\n"
		"  --debug-dir DIR      look for separate debug files in DIR/.build-id too\n"
		"  --info               what the recording holds, and which binaries are here\n"
		"  --raw                print every record without unwinding (format debugging)\n"
		"  -v, --verbose        say more\n");
}

/* Open path for reading; prints why not and returns NULL on failure. */
static struct screc_reader *
open_recording(const char *path)
{
	struct screc_reader *r;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		screc_err("%s: cannot open: %s%s", path, strerror(err),
			  err == EACCES ? " (recordings are mode 0600: read it as the user "
					  "who recorded it, or root)" :
			  err == ENOENT ? " (record one with: screc record -o FILE -- COMMAND)" : "");
		return NULL;
	}
	err = screc_reader_open_fd(fd, &r);
	switch (err) {
	case 0:
		return r;
	case -EBADMSG:
		screc_err("%s: not a screc recording (bad magic or header)", path);
		break;
	case -ENOTSUP:
		screc_err("%s: recorded by a newer screc (format or features this version "
			  "cannot read): update screc", path);
		break;
	case -ENODATA:
		screc_err("%s: too short to be a recording (empty or cut before its header)", path);
		break;
	default:
		screc_err("%s: cannot read: %s", path, strerror(-err));
	}
	return NULL;
}

/* The advice, the table of missing files, and last of all the one-line summary. */
static void
print_summary(const struct report_stats *st, uint32_t stack_size, const char *path)
{
	if (st->truncated && stack_size < 65528)
		screc_err("%llu stacks were cut by the %u-byte snapshot: record with "
			  "--stack-size 65528 (the most perf allows) to keep them whole",
			  (unsigned long long)st->truncated, stack_size);
	else if (st->truncated)
		screc_err("%llu stacks were deeper than even the largest snapshot (65528 bytes) "
			  "holds", (unsigned long long)st->truncated);
	unwind_print_missing(stderr, path);
	screc_err("%llu events, %llu unwound fully, %llu truncated, %llu lost, "
		  "%llu unresolved frames",
		  (unsigned long long)st->events, (unsigned long long)st->complete,
		  (unsigned long long)st->truncated, (unsigned long long)st->lost,
		  (unsigned long long)st->unresolved_frames);
}

/* The stack size the recording asked for, from its INFO record; 0 if unknown. */
static uint32_t
recorded_stack_size(const char *path)
{
	struct screc_reader *r;
	const struct screc_rec *rec;
	uint32_t size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || screc_reader_open_fd(fd, &r))
		return 0;
	if (screc_reader_next(r, &rec) == 1 && rec->type == SCREC_REC_INFO &&
	    rec->size >= sizeof(struct screc_rec_info)) {
		struct screc_rec_info in;

		memcpy(&in, rec, sizeof(in));
		size = in.stack_size;
	}
	screc_reader_close(r);
	return size;
}

static double
parse_number(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || v < 0)
		screc_die(2, "%s %s: expected a number, 0 or more", opt, arg);
	return v;
}

int
cmd_report(int argc, char **argv)
{
	enum { O_INFO = 255, O_RAW = 256, O_TREE, O_FORMAT, O_SRCLINE, O_MINPCT, O_MAXDEPTH, O_PID, O_TID,
	       O_COMM, O_SYSCALL, O_FAILED, O_TIME, O_SYMFS, O_DEBUGDIR };
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
		{ "syscall", required_argument, NULL, O_SYSCALL },
		{ "failed", no_argument, NULL, O_FAILED },
		{ "time", required_argument, NULL, O_TIME },
		{ "symfs", required_argument, NULL, O_SYMFS },
		{ "debug-dir", required_argument, NULL, O_DEBUGDIR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_filter filt = { .time_to = -1 };
	struct lookup_opts lo = { 0 };
	struct report_stats st = { 0 };
	struct sink sink = { .ops = &sink_listing };
	const char *path = "screc.data";
	struct screc_reader *r;
	bool raw = false, info = false;
	int opt, err;

	sink.opts.out = stdout;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case O_RAW:
			raw = true;
			break;
		case O_INFO:
			info = true;
			break;
		case O_TREE:
			sink.ops = &sink_tree;
			if (optarg && strcmp(optarg, "top-down") == 0)
				sink.opts.top_down = true;
			else if (optarg && strcmp(optarg, "bottom-up") != 0)
				screc_die(2, "--tree=%s: expected bottom-up or top-down", optarg);
			break;
		case O_FORMAT:
			if (strcmp(optarg, "json") == 0)
				sink.ops = &sink_json;
			else if (strcmp(optarg, "text") == 0)
				sink.ops = sink.ops == &sink_json ? &sink_listing : sink.ops;
			else
				screc_die(2, "--format=%s: expected text or json", optarg);
			break;
		case O_SRCLINE:
			sink.opts.srcline = true;
			break;
		case O_MINPCT:
			sink.opts.min_percent = parse_number("--min-percent", optarg);
			break;
		case O_MAXDEPTH:
			sink.opts.max_depth = (int)parse_number("--max-depth", optarg);
			break;
		case O_PID:
			filt.pids = optarg;
			break;
		case O_TID:
			filt.tids = optarg;
			break;
		case O_COMM:
			filt.comms = optarg;
			break;
		case O_SYSCALL:
			filt.syscalls = optarg;
			break;
		case O_FAILED:
			filt.failed = true;
			break;
		case O_TIME: {
			char *comma = strchr(optarg, ',');

			if (!comma)
				screc_die(2, "--time %s: expected FROM,TO in seconds (TO may be empty)",
					  optarg);
			*comma = '\0';
			filt.time_from = *optarg ? parse_number("--time", optarg) : 0;
			filt.time_to = comma[1] ? parse_number("--time", comma + 1) : -1;
			break;
		}
		case O_SYMFS:
			lo.symfs = optarg;
			break;
		case O_DEBUGDIR:
			lo.debug_dirs = optarg;
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
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	r = open_recording(path);
	if (!r)
		return 1;
	if (raw) {
		err = report_dump(r, stdout);
	} else if (info) {
		archive_load(path, &lo.archive_dir);
		if (unwind_init(&lo)) {
			screc_reader_close(r);
			screc_die(1, "out of memory");
		}
		err = report_info(r, path, stdout);
		unwind_fini();
		archive_unload();
		intern_free();
	} else {
		archive_load(path, &lo.archive_dir);
		if (unwind_init(&lo)) {
			screc_reader_close(r);
			screc_die(1, "out of memory");
		}
		err = report_run(r, &filt, &sink, &st);
		fflush(stdout);
		print_summary(&st, recorded_stack_size(path), path);
		if (sink.ops->free)
			sink.ops->free(&sink);
		symbolize_fini();
		unwind_fini();
		archive_unload();
		intern_free();
	}
	if (err == -ENODATA)
		screc_err("%s: the recording is truncated (its recorder did not finish, or the "
			  "file was cut short): everything up to the cut was %s", path,
			  raw ? "printed" : "reported");
	else if (err == -EBADMSG)
		screc_err("%s: corrupt data at byte %llu: %s", path,
			  (unsigned long long)screc_reader_offset(r), screc_reader_error(r));
	else if (err)
		screc_err("%s: %s", path, strerror(-err));
	screc_reader_close(r);
	return err == 0 ? 0 : 1;
}

int
cmd_info(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	int i, ret;

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
