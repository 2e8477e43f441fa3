// SPDX-License-Identifier: MIT
/*
 * The command-line tests' target: its own functions call into libc, which
 * makes the syscalls several frames deeper, so that folding the library and
 * focusing on a function have something to show.
 *
 *   main -> read_config -> fopen("/nonexistent/...")  -> openat = ENOENT (x3)
 *   main -> dial        -> connect(127.0.0.1:1)        -> ECONNREFUSED (x2)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((noinline)) static int
read_config(const char *path)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	fclose(f);
	return 0;
}

__attribute__((noinline)) static int
dial(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(1) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r;
}

int
main(void)
{
	int i, fails = 0;

	for (i = 0; i < 3; i++)
		fails += read_config("/nonexistent/screc-cli.conf") < 0;
	for (i = 0; i < 2; i++)
		fails += dial() < 0;
	return fails == 5 ? 0 : 1;
}
