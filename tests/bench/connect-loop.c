// SPDX-License-Identifier: MIT
/*
 * Benchmark workload: N connect() calls to 127.0.0.1:9, where nothing
 * listens, so each call fails fast with ECONNREFUSED.  Every call goes
 * through the same noinline levels, so every event has one known stack:
 *   connect <- bench_connect <- bench_level2 <- bench_level1 <- main
 * Usage: connect-loop N
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define NOIPA __attribute__((noipa))
/* Keep the call before it from becoming a tail call. */
#define NO_TAIL(v) __asm__ volatile("" : "+r"(v) : : "memory")

static struct sockaddr_in port9;

NOIPA static int
bench_connect(int fd)
{
	int r = connect(fd, (const struct sockaddr *)&port9, sizeof(port9));

	NO_TAIL(r);
	return r;
}

NOIPA static int
bench_level2(int fd)
{
	int r = bench_connect(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static int
bench_level1(int fd)
{
	int r = bench_level2(fd);

	NO_TAIL(r);
	return r;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1, i;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("socket");
		return 1;
	}
	port9.sin_family = AF_INET;
	port9.sin_port = htons(9);
	port9.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++)
		bench_level1(fd);
	close(fd);
	return 0;
}
