// SPDX-License-Identifier: MIT
/*
 * A system call made from inside the vdso:
 *   main -> vdso_one -> vdso_two -> clock_gettime(CLOCK_PROCESS_CPUTIME_ID)
 * glibc hands clock_gettime to the vdso, which has no fast path for the
 * process CPU clock and makes the real syscall itself: the innermost frame
 * is the vdso's __vdso_clock_gettime, named only from the vdso image the
 * recorder saved.
 */
#include <time.h>

#include "target.h"

NOIPA static int
vdso_two(void)
{
	struct timespec ts;
	int r = clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);	/* CALL clock_gettime */

	NO_TAIL(r);
	return r;
}

NOIPA static int
vdso_one(void)
{
	int r = vdso_two();		/* CALL vdso_two */

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	int r = vdso_one();		/* CALL vdso_one */

	NO_TAIL(r);
	return r == 0 ? 0 : 1;
}
