/* SPDX-License-Identifier: MIT */
/*
 * A few helpers that print TAP (the Test Anything Protocol) for the unit
 * tests: one "ok N - name" or "not ok N - name" line per check, the plan at
 * the end, and the exit status meson expects.
 */
#ifndef SCREC_TEST_TAP_H
#define SCREC_TEST_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Report one check; returns cond so that callers can stop early. */
bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Compare two integers, printing both on failure. */
bool tap_is(long long got, long long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A check that cannot run here: "ok N # SKIP reason", which TAP counts as skipped. */
void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A "# ..." comment line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the plan; returns the exit status (0 when every check passed). */
int tap_done(void);

/* Skip the whole test with a reason: prints "1..0 # SKIP" and returns 77. */
int tap_skip_all(const char *why);

/* A small deterministic generator, so that a failing mutation can be replayed. */
uint64_t tap_rand(uint64_t *state);

#endif
