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

extern bool screc_verbose;

#endif
