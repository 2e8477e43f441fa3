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
#include "report.h"
#include "screc.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: screc report [--raw] [FILE]\n"
		   "\n"
		   "  --raw    print every record without unwinding (format debugging)\n"
		   "  FILE     the recording (default: screc.data)\n");
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

int
cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "raw", no_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "screc.data";
	struct screc_reader *r;
	bool raw = false;
	int opt, err;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'R':
			raw = true;
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
	if (!raw) {
		screc_err("report: only --raw is available in this version");
		screc_reader_close(r);
		return 2;
	}
	err = report_dump(r, stdout);
	if (err == -ENODATA)
		screc_err("%s: the recording is truncated (its recorder did not finish): "
			  "everything up to the cut was printed", path);
	else if (err)
		screc_err("%s: corrupt data at byte %llu: %s", path,
			  (unsigned long long)screc_reader_offset(r), screc_reader_error(r));
	screc_reader_close(r);
	return err == 0 ? 0 : 1;
}
