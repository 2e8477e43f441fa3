// SPDX-License-Identifier: MIT
/*
 * Code with neither CFI nor frame pointers (built -fomit-frame-pointer
 * -fno-asynchronous-unwind-tables -fno-unwind-tables, .debug_frame removed):
 * main -> nc_outer -> nc_switch -> nc_middle -> nc_inner -> nc_connect ->
 * connect.  Each level is shaped to defeat a linear prologue scan: an early
 * return (its own "pop; ret" epilogue) laid out before the call site, "and"
 * instructions on ordinary registers, a stack buffer, a loop.  Only an
 * analysis that follows the branches that reach the call finds the stack
 * height there.  nc_switch makes its call from a case of a switch that the
 * compiler dispatches through a jump table: no direct branch reaches it, so
 * the height there is a guess (the dispatch's), and the frame found from it
 * must say so.
 */
#include "target.h"

static volatile int nc_sink;

NOIPA LEVEL int
nc_connect(int fd, int *scratch)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	scratch[0] = r;
	return r;
}

NOIPA LEVEL int
nc_inner(int fd, unsigned mask)
{
	int buf[40];
	int i, r;

	if (LIKELY((mask & 0x3) == 0x3))	/* never: an early return laid out first */
		return (int)(mask & 0xf0);
	for (i = 0; i < 40; i++)
		buf[i] = (int)(mask & (unsigned)i);
	r = nc_connect(fd, buf);	/* CALL nc_connect */
	NO_TAIL(r);
	for (i = 0; i < 40; i++)
		nc_sink += buf[i] & 0x55;
	return r;
}

NOIPA LEVEL int
nc_middle(int fd, unsigned mask, long a, long b)
{
	long x = a & b, y = a ^ mask;
	int r;

	if (LIKELY(fd < 0))		/* never, but laid out before the call */
		return (int)(x + y);
	r = nc_inner(fd, mask & 0x7c);	/* CALL nc_inner */
	NO_TAIL(r);
	return r + (int)((x & 0x100) + (y & 0x200) - (x & 0x100) - (y & 0x200));
}

NOIPA LEVEL int
nc_other(int fd, int op)
{
	NO_TAIL(op);
	return fd + op;
}

NOIPA LEVEL int
nc_switch(int fd, int op, long a, long b)
{
	int r;

	switch (op) {
	case 0: r = nc_other(fd, 10); break;
	case 1: r = nc_other(fd, 11) * 3; break;
	case 2: r = nc_other(fd + 1, 12); break;
	case 3: r = nc_other(fd, 13) + 7; break;
	case 4: r = nc_other(fd - 1, 14); break;
	case 5: r = nc_middle(fd, (unsigned)op << 3, a, b); break;	/* CALL nc_middle */
	case 6: r = nc_other(fd, 16) ^ 5; break;
	case 7: r = nc_other(fd * 2, 17); break;
	default: r = -5; break;
	}
	NO_TAIL(r);
	return r + 0;
}

NOIPA LEVEL int
nc_outer(int fd, long a, long b, long c)
{
	long k = (a & c) | (b & ~c);
	int r;

	if (LIKELY(k == 0x12345))	/* never, but laid out before the call */
		return -3;
	r = nc_switch(fd, 5 + (int)(k & 0x7ff8), a, b);	/* CALL nc_switch */
	NO_TAIL(r);
	nc_sink = (int)(k & a & b & c);
	return r;
}

int
main(int argc, char **argv)
{
	int fd = target_socket();
	int r;

	(void)argv;
	r = nc_outer(fd, argc * 3L, argc * 5L, argc * 7L);	/* CALL nc_outer */
	NO_TAIL(r);
	close(fd);
	return r == -1 ? 0 : 1;
}
