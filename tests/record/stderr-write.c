// SPDX-License-Identifier: MIT
/*
 * Test target: N lines written to stderr with fprintf, three noinline levels
 * deep.  stderr is unbuffered, so glibc formats each line in
 * buffered_vfprintf, which keeps an 8 KiB buffer on the stack below the
 * write: a stack snapshot of 8 KiB cannot reach main.
 *   write <- ... <- buffered_vfprintf <- fprintf <- say <- level2 <- level1 <- main
 * Usage: stderr-write [N]   (default 3)
 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) void
say(long i)
{
	fprintf(stderr, "line %ld\n", i);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void
level2(long i)
{
	say(i);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void
level1(long i)
{
	level2(i);
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 3, i;

	for (i = 0; i < n; i++)
		level1(i);
	return 0;
}
