// SPDX-License-Identifier: MIT
/*
 * The screc program: dispatch to a subcommand.  Built twice: the full tool,
 * and with SCREC_RECORD_ONLY a recorder for production hosts that links only
 * libc and libzstd.
 */
#include <stdio.h>
#include <string.h>

#include "common/syscall-set.h"
#include "common/syscalls.h"
#include "common/version.h"
#include "screc.h"

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
			char *args[] = { argv[2], "--help", NULL };

			for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				if (strcmp(argv[2], commands[i].name) == 0)
					return commands[i].fn(2, args);
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
