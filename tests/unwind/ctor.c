// SPDX-License-Identifier: MIT
/*
 * A syscall before main, in a shared library's constructor, which the
 * dynamic loader runs from _dl_start_user (_dl_init, call_init) before it
 * jumps to the executable's _start: ctor_init -> ctor_one -> ctor_connect
 * -> connect(127.0.0.1:9).  The loader's own start-up calls (openat of the
 * libraries, mmap, ...) end at ld.so's _start.  Both are complete stacks.
 * ctor-main.c is the program.
 */
#include "target.h"

static int ctor_result;

/* What the constructor's connect returned (for ctor-main.c). */
int ctor_result_get(void);

NOIPA LEVEL int
ctor_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA LEVEL int
ctor_one(int fd)
{
	int r = ctor_connect(fd);	/* CALL ctor_connect */

	NO_TAIL(r);
	return r;
}

__attribute__((constructor)) static void
ctor_init(void)
{
	int fd = target_socket();

	ctor_result = ctor_one(fd);	/* CALL ctor_one */
	close(fd);
}

int
ctor_result_get(void)
{
	return ctor_result;
}
