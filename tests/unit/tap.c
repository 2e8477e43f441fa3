// SPDX-License-Identifier: MIT
/* TAP output for the unit tests; see tap.h. */
#include <stdarg.h>
#include <stdio.h>

#include "tap.h"

static unsigned nr_tests, nr_failed;

static void
vline(bool cond, const char *fmt, va_list ap)
{
	nr_tests++;
	if (!cond)
		nr_failed++;
	printf("%sok %u - ", cond ? "" : "not ", nr_tests);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

bool
tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(cond, fmt, ap);
	va_end(ap);
	return cond;
}

bool
tap_is(long long got, long long want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got %lld, want %lld\n", got, want);
	return got == want;
}

void
tap_skip(const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	printf("ok %u # SKIP ", nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int
tap_done(void)
{
	printf("1..%u\n", nr_tests);
	if (nr_failed)
		printf("# %u of %u checks failed\n", nr_failed, nr_tests);
	return nr_failed ? 1 : 0;
}

int
tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	return 77;
}

uint64_t
tap_rand(uint64_t *state)
{
	/* splitmix64 */
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
