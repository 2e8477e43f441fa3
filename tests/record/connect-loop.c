// SPDX-License-Identifier: MIT
/*
 * Test target: N connect() calls to a closed local port, through three
 * noinline levels, so every event has the same known stack:
 *   connect <- do_connect <- level2 <- level1 <- main
 * Usage: connect-loop [N]   (default 3)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd;
static struct sockaddr_in addr;

__attribute__((noinline)) int
do_connect(void)
{
	int r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));

	/* Keep a real call (not a tail jump) so do_connect is a frame of its own. */
	__asm__ volatile("" : "+r"(r) : : "memory");
	return r;
}

__attribute__((noinline)) int
level2(void)
{
	int r = do_connect();

	__asm__ volatile("" ::: "memory");
	return r;
}

__attribute__((noinline)) int
level1(void)
{
	int r = level2();

	__asm__ volatile("" ::: "memory");
	return r;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 3, i;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	addr.sin_family = AF_INET;
	addr.sin_port = htons(9);	/* discard: nothing listens */
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++)
		level1();
	close(fd);
	return 0;
}
