/* SPDX-License-Identifier: MIT */
/*
 * Messages to the user.  Every line starts with "screc: "; only command entry
 * points may call screc_die().
 */
#ifndef SCREC_LOG_H
#define SCREC_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Print "screc: <fmt>\n" to stderr. */
void screc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like screc_err, then exit(status). */
void screc_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* Print only when verbose logging was asked for. */
void screc_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A command line that cannot be right: "screc CMD: <fmt>" and a hint to
 * 'screc CMD --help' on stderr, then exit 2 (strace's habit).
 */
void screc_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * What getopt_long() returned '?' or ':' for (with opterr = 0), said as
 * screc_usage_error() says it.
 */
void screc_getopt_error(const char *cmd, int opt, char **argv)
	__attribute__((noreturn));

extern bool screc_verbose;

#endif
