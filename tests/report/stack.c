// SPDX-License-Identifier: MIT
/*
 * The basic target: main -> level_one -> level_two -> level_three ->
 * do_connect -> connect(127.0.0.1:9), ARGV[1] times (default once).
 * Built with CFI and no frame pointers (stack-cfi), with frame pointers and
 * no CFI at all (stack-fp), and stripped with separate debug info.
 */
#include "target.h"

#ifdef STACK_VARIANT
/* Makes this build's build-id differ from the other builds of this file. */
__attribute__((used)) static const char stack_variant[] = STACK_VARIANT;
#endif

NOIPA static int
do_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA static int
level_three(int fd)
{
	int r = do_connect(fd);		/* CALL do_connect */

	NO_TAIL(r);
	return r;
}

NOIPA static int
level_two(int fd)
{
	int r = level_three(fd);	/* CALL level_three */

	NO_TAIL(r);
	return r;
}

NOIPA static int
level_one(int fd)
{
	int r = level_two(fd);		/* CALL level_two */

	NO_TAIL(r);
	return r;
}

int
main(int argc, char **argv)
{
	int loops = argc > 1 ? atoi(argv[1]) : 1;
	int fd = target_socket();
	int i, r = 0;

	for (i = 0; i < loops; i++) {
		r = level_one(fd);	/* CALL level_one */
		NO_TAIL(r);
	}
	close(fd);
	return r == -1 ? 0 : 1;
}
