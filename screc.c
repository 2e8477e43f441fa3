// SPDX-License-Identifier: MIT
/*
 * The screc program: dispatch to a subcommand.  Built three times:
 *
 *  - screc (SCREC_DISPATCH): what users run.  It links what screc-record
 *    links (libc, libzstd) and runs record and archive itself; for the
 *    report's commands it execs screc-report.  So `screc record` never pays
 *    for loading libdw and capstone (14 ms of relocations before main, a
 *    third of recording `true`).
 *  - screc-report: every command, with libdw and capstone; installed out of
 *    the PATH (libexec/screc), found beside screc or there.
 *  - screc-record (SCREC_RECORD_ONLY): the recorder alone, for production
 *    hosts, copied anywhere on its own.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/syscall-set.h"
#include "common/syscalls.h"
#include "common/version.h"
#include "screc.h"

#ifdef SCREC_DISPATCH
static int exec_report(int argc, char **argv);
#define cmd_report exec_report
#define cmd_info exec_report
#define cmd_diff exec_report
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "record", cmd_record, "record syscalls with stack snapshots into a file" },
	{ "archive", cmd_archive, "store a recording's binaries in it, for analysis elsewhere" },
#ifndef SCREC_RECORD_ONLY
	{ "report", cmd_report, "unwind, symbolize and print a recording" },
	{ "info", cmd_info, "what a recording holds, and which of its binaries are here" },
	{ "diff", cmd_diff, "what changed between two recordings, per syscall and call path" },
#endif
};

#ifdef SCREC_DISPATCH
/* The report program's path in *out when it is a file we may run, 0 or -errno. */
static int
report_path(char *out, size_t size, const char *dir, const char *rel)
{
	int n = snprintf(out, size, "%s%s%s/screc-report", dir, *rel ? "/" : "", rel);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return access(out, X_OK) == 0 ? 0 : -errno;
}

/*
 * Run the report's commands in screc-report, with this argv (argv[0] is
 * the command's name, argv[-1] the program's): first the one beside this
 * program (a build tree, or both in one directory), then the one installed
 * with it (SCREC_LIBEXEC_REL from the bindir, SCREC_LIBEXEC_ABS).  Returns
 * only on failure, with a message.
 */
static int
exec_report(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 64], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int err = -ENOENT;

	(void)argc;
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		err = report_path(path, sizeof(path), self, "");
		if (err)
			err = report_path(path, sizeof(path), self, SCREC_LIBEXEC_REL);
	}
	if (err)
		err = report_path(path, sizeof(path), SCREC_LIBEXEC_ABS, "");
	if (!err) {
		execv(path, argv - 1);
		err = -errno;
	}
	fprintf(stderr, "screc: %s: cannot run %s: %s; install screc-report there, or use "
		"screc-record for recording only\n", argv[0],
		err == -ENOENT ? SCREC_LIBEXEC_ABS "/screc-report" : path, strerror(-err));
	return 127;
}
#endif

static void
help(FILE *f)
{
	size_t i;

	fprintf(f, "usage: screc COMMAND [ARGS]\n\n"
		   "screc answers \"what code made this system call?\"\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  help     show this; 'screc help COMMAND' shows a command's options,\n"
		   "           'screc help syscalls' the syscall and class names -e takes\n"
		   "  --version\n\n"
		   "examples (strace -k -e trace=connect ./prog, without stopping ./prog):\n"
		   "  screc record -e connect -- ./prog\n"
#ifndef SCREC_RECORD_ONLY
		   "  screc report                  each connect with the code that made it\n"
		   "  screc report --tree           the callers of each syscall, merged\n"
		   "  screc report -c               strace -c's table with the top call sites\n"
#endif
		   "  screc record -p 1234 --duration 10   a running process for 10 seconds\n"
		   "Run 'screc COMMAND --help' for a command's options, 'man screc' for more.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		help(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("screc %s%s\n", SCREC_VERSION,
#ifdef SCREC_RECORD_ONLY
		       " (recorder only)"
#else
		       ""
#endif
		);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		/* The words -e takes, one per line (for shell completion, and people). */
		if (argc > 2 && strcmp(argv[1], "help") == 0 && strcmp(argv[2], "syscalls") == 0) {
			long nr;

			for (nr = 0; nr < 1024; nr++)
				if (screc_syscall_name(nr))
					printf("%s\n", screc_syscall_name(nr));
			for (i = 0; screc_syscall_class_name(i); i++)
				if (screc_syscall_class_name(i)[0] == '%')
					printf("%s\n", screc_syscall_class_name(i));
			return 0;
		}
		/* `screc help CMD` is `screc CMD --help`. */
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			/* args[0] too: exec_report() passes argv - 1 on. */
			char *args[] = { argv[0], argv[2], "--help", NULL };

			for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				if (strcmp(argv[2], commands[i].name) == 0)
					return commands[i].fn(2, args + 1);
			fprintf(stderr, "screc: help %s: no such command; 'screc help' lists them\n",
				argv[2]);
			return 2;
		}
		help(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "screc: %s: no such command; 'screc help' lists them\n", argv[1]);
	return 2;
}
