// SPDX-License-Identifier: MIT
/*
 * A workload for tests/bench/filters: N calls of one syscall through
 * noinline levels.
 *
 *     filter-loop fcntl N EVERY   fcntl(F_GETFD), on fd -1 (EBADF) once every EVERY calls
 *     filter-loop open N          open and close a path built on the heap
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int __attribute__((noinline))
level2(int fd)
{
	return fcntl(fd, F_GETFD);
}

static int __attribute__((noinline))
level1(int fd)
{
	return level2(fd) + 1;
}

static void __attribute__((noinline))
open_heap(const char *dir, const char *name)
{
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	int fd;

	sprintf(path, "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	free(path);
}

int
main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 100000, every = argc > 3 ? atol(argv[3]) : 100, i;
	long sum = 0;

	if (argc > 1 && strcmp(argv[1], "open") == 0) {
		for (i = 0; i < n; i++)
			open_heap("/etc", "hostname");
		return 0;
	}
	for (i = 0; i < n; i++)
		sum += level1(every > 0 && i % every == 0 ? -1 : 0);
	return sum == 0 ? 1 : 0;
}
