// SPDX-License-Identifier: MIT
/* Messages to the user: one line each, prefixed with the program's name. */
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
