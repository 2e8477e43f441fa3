// SPDX-License-Identifier: MIT
/* What stack-fork's child execs: main -> exec_one -> exec_connect -> connect. */
#include "target.h"

NOIPA static int
exec_connect(int fd)
{
	int r = TARGET_CONNECT(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static int
exec_one(int fd)
{
	int r = exec_connect(fd);

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	int fd = target_socket();
	int r = exec_one(fd);

	NO_TAIL(r);
	close(fd);
	return r == -1 ? 0 : 1;
}
