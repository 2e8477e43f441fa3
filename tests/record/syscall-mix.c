// SPDX-License-Identifier: MIT
/*
 * Test target: COUNT rounds of six different syscalls, each through a noinline
 * function of its own: getppid, sched_yield, getpgid, umask, connect (to a
 * closed local port) and write (to /dev/null).  None of the first five is
 * made by the C library's start-up code, so a test can count them exactly.
 * The calls go through syscall(2) so no library cache can skip one.
 *
 * Usage: syscall-mix COUNT
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

__attribute__((noinline)) long
mix_getppid(void)
{
	return syscall(SYS_getppid);
}

__attribute__((noinline)) long
mix_sched_yield(void)
{
	return syscall(SYS_sched_yield);
}

__attribute__((noinline)) long
mix_getpgid(void)
{
	return syscall(SYS_getpgid, 0);
}

__attribute__((noinline)) long
mix_umask(void)
{
	return syscall(SYS_umask, 022);
}

__attribute__((noinline)) long
mix_connect(int fd, const struct sockaddr_in *addr)
{
	return syscall(SYS_connect, fd, addr, sizeof(*addr));
}

__attribute__((noinline)) long
mix_write(int fd)
{
	return syscall(SYS_write, fd, "x", 1);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(9) };
	long n = argc > 1 ? atol(argv[1]) : 10, i;
	int sock = socket(AF_INET, SOCK_STREAM, 0);
	int null = open("/dev/null", O_WRONLY);

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++) {
		mix_getppid();
		mix_sched_yield();
		mix_getpgid();
		mix_umask();
		mix_connect(sock, &addr);
		mix_write(null);
	}
	return 0;
}
