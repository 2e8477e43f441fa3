// SPDX-License-Identifier: MIT
/*
 * Deep recursion: main -> recurse x ARGV[1] (default 2000) -> deep_connect ->
 * connect.  2000 levels need far more than the default 8192-byte stack
 * snapshot, so the report must say the stack is truncated.
 */
#include "target.h"

NOIPA static int
deep_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA static int
recurse(int n, int fd)
{
	int r = n > 1 ? recurse(n - 1, fd) : deep_connect(fd);	/* CALL recurse */

	NO_TAIL(r);
	return r;
}

int
main(int argc, char **argv)
{
	int depth = argc > 1 ? atoi(argv[1]) : 2000;
	int fd = target_socket();
	int r = recurse(depth, fd);	/* CALL recurse */

	NO_TAIL(r);
	close(fd);
	return r == -1 ? 0 : 1;
}
