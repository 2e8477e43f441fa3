// SPDX-License-Identifier: MIT
/*
 * A process to attach to (screc record -p): prints "ready", then calls
 *   main -> attach_one -> attach_two -> attach_connect -> connect
 * every 10 ms, for at most a minute (the test kills it sooner).
 */
#include <time.h>

#include "target.h"

NOIPA static int
attach_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA static int
attach_two(int fd)
{
	int r = attach_connect(fd);	/* CALL attach_connect */

	NO_TAIL(r);
	return r;
}

NOIPA static int
attach_one(int fd)
{
	int r = attach_two(fd);		/* CALL attach_two */

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 };
	int fd = target_socket();
	int i, r = 0;

	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < 6000; i++) {
		r = attach_one(fd);	/* CALL attach_one */
		NO_TAIL(r);
		nanosleep(&pause, NULL);
	}
	close(fd);
	return r == -1 ? 0 : 1;
}
