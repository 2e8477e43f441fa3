// SPDX-License-Identifier: MIT
/*
 * A target for record-time capture and in-kernel filters: paths and a
 * sockaddr built on the heap (no stack snapshot holds them), calls that fail
 * with known errors among calls that succeed, and repeated opens of one path
 * among others; bytes written and read through a pipe on the heap, a
 * socket's address read back.  Each kind of call has its own noinline function, so a test
 * can name the frames of its stack.
 *
 *     capture-target [ROUNDS]
 */
#ifndef _GNU_SOURCE	/* meson defines it for every file */
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static void __attribute__((noinline))
open_heap_path(const char *dir, const char *name)
{
	char *path = malloc(256);
	int fd;

	snprintf(path, 256, "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	free(path);
}

static void __attribute__((noinline))
connect_heap_addr(void)
{
	struct sockaddr_in *in = calloc(1, sizeof(*in));
	int s;

	in->sin_family = AF_INET;
	in->sin_port = htons(9);
	inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	connect(s, (struct sockaddr *)in, sizeof(*in));
	close(s);
	free(in);
}

/* Bytes from the heap through a pipe, and a socket's address: outputs taken at exit. */
static void __attribute__((noinline))
pipe_and_socket(void)
{
	char *msg = strdup("hello from the heap"), *buf = malloc(64);
	struct sockaddr_in *in = calloc(1, sizeof(*in));
	socklen_t *len = malloc(sizeof(*len));
	int fds[2], s;

	if (pipe2(fds, O_CLOEXEC) == 0) {
		struct iovec *iov = calloc(2, sizeof(*iov));

		iov[0] = (struct iovec){ msg, 5 };
		iov[1] = (struct iovec){ msg + 5, 1 };
		writev(fds[1], iov, 2);
		read(fds[0], buf, 64);
		free(iov);
		write(fds[1], msg, strlen(msg));
		read(fds[0], buf, 64);
		close(fds[1]);
		read(fds[0], buf, 64);
		close(fds[0]);
	}
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	in->sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
	bind(s, (struct sockaddr *)in, sizeof(*in));
	*len = sizeof(*in);
	getsockname(s, (struct sockaddr *)in, len);
	close(s);
	free(len);
	free(in);
	free(buf);
	free(msg);
}

/* Fails with ENOENT. */
static void __attribute__((noinline))
fail_enoent(int i)
{
	char path[64];

	snprintf(path, sizeof(path), "/nonexistent/%d", i);
	open(path, O_RDONLY);
	open_heap_path("/nonexistent", "heap");
}

/* Fails with ENOTDIR. */
static void __attribute__((noinline))
fail_enotdir(void)
{
	open("/etc/hostname/x", O_RDONLY);
}

/* Fails with EBADF. */
static void __attribute__((noinline))
fail_ebadf(void)
{
	close(-1);
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	int i;

	for (i = 0; i < rounds; i++) {
		open_heap_path("/etc", "hostname");
		open_heap_path("/etc", "passwd");
		connect_heap_addr();
		pipe_and_socket();
		fail_enoent(i);
		fail_enotdir();
		fail_ebadf();
	}
	return 0;
}
