// SPDX-License-Identifier: MIT
/* Messages to the user: one line each, prefixed with the program's name. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

bool screc_verbose;

static void vmsg(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void
vmsg(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "screc: %s\n", buf);
}

void
screc_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
screc_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(status);
}

void
screc_debug(const char *fmt, ...)
{
	va_list ap;

	if (!screc_verbose)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
screc_usage_error(const char *cmd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "screc %s: %s\nTry 'screc %s --help' for more information.\n", cmd, buf,
		cmd);
	exit(2);
}

void
screc_getopt_error(const char *cmd, int opt, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (opt == ':') {
		if (optopt)
			screc_usage_error(cmd, "option -%c needs an argument", optopt);
		screc_usage_error(cmd, "option %s needs an argument", arg);
	}
	if (optopt)
		screc_usage_error(cmd, "unknown option -%c", optopt);
	screc_usage_error(cmd, "unknown option %s", arg);
}
