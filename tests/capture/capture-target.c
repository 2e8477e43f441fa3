// SPDX-License-Identifier: MIT
/*
 * A target for record-time capture and in-kernel filters: paths and a
 * sockaddr built on the heap (no stack snapshot holds them), calls that fail
 * with known errors among calls that succeed, and repeated opens of one path
 * among others; bytes written and read through a pipe on the heap, a
 * socket's address read back; datagrams sent with sendmsg from a heap-built
 * struct msghdr and read back with recvfrom and recvmsg, a pipe read with
 * readv, stat results in heap buffers.  Each kind of call has its own noinline function, so a test
 * can name the frames of its stack.
 *
 *     capture-target [ROUNDS]
 *     capture-target loop SECONDS	(opens a heap-built path every millisecond, for -p)
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
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

/*
 * Datagrams on loopback, every argument on the heap: sendmsg with a name and
 * two iovecs (the second longer than -s), recvfrom with an address buffer
 * larger than the address ([32 => 16]), sendmsg with one iovec, recvmsg
 * into two iovecs with the same larger name buffer, and readv from a pipe.
 */
static void __attribute__((noinline))
send_and_receive(void)
{
	struct sockaddr_in *to = calloc(1, sizeof(*to)), *from = calloc(1, 32);
	struct msghdr *m = calloc(1, sizeof(*m)), *rm = calloc(1, sizeof(*rm));
	struct iovec *iov = calloc(2, sizeof(*iov)), *riov = calloc(2, sizeof(*riov));
	char *msg = strdup("hello world from the heap, longer than thirty-two bytes");
	char *buf = malloc(128);
	socklen_t *len = malloc(sizeof(*len)), *flen = malloc(sizeof(*flen));
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int fds[2];

	to->sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &to->sin_addr);
	bind(r, (struct sockaddr *)to, sizeof(*to));
	*len = sizeof(*to);
	getsockname(r, (struct sockaddr *)to, len);
	iov[0] = (struct iovec){ msg, 5 };
	iov[1] = (struct iovec){ msg + 5, strlen(msg) - 5 };
	*m = (struct msghdr){ .msg_name = to, .msg_namelen = sizeof(*to), .msg_iov = iov,
			      .msg_iovlen = 2 };
	sendmsg(s, m, 0);
	*flen = 32;
	recvfrom(r, buf, 128, 0, (struct sockaddr *)from, flen);
	m->msg_iovlen = 1;
	sendmsg(s, m, 0);
	riov[0] = (struct iovec){ buf, 3 };
	riov[1] = (struct iovec){ buf + 3, 50 };
	*rm = (struct msghdr){ .msg_name = from, .msg_namelen = 32, .msg_iov = riov,
			       .msg_iovlen = 2 };
	recvmsg(r, rm, 0);
	if (pipe2(fds, O_CLOEXEC) == 0) {
		write(fds[1], msg, 8);
		readv(fds[0], riov, 2);
		close(fds[0]);
		close(fds[1]);
	}
	close(r);
	close(s);
	free(flen);
	free(len);
	free(buf);
	free(msg);
	free(riov);
	free(iov);
	free(rm);
	free(m);
	free(from);
	free(to);
}

/* stat results in heap buffers: a file, a directory, a device, by each call. */
static void __attribute__((noinline))
stat_heap(void)
{
	struct stat *st = malloc(sizeof(*st));
	struct statx *stx = malloc(sizeof(*stx));
	char *path = strdup("/etc/passwd"), *dir = strdup("/tmp");
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	syscall(SYS_stat, path, st);
	syscall(SYS_lstat, dir, st);
	syscall(SYS_fstat, fd, st);
	fstatat(AT_FDCWD, dir, st, AT_SYMLINK_NOFOLLOW);
	fstatat(fd, "", st, AT_EMPTY_PATH);
	statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, stx);
	close(fd);
	free(dir);
	free(path);
	free(stx);
	free(st);
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

/* A running process to attach to: opens until seconds have passed. */
static void __attribute__((noinline))
open_loop(int seconds)
{
	time_t end = time(NULL) + seconds;

	while (time(NULL) < end) {
		open_heap_path("/etc", "hostname");
		usleep(1000);
	}
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	int i;

	if (argc > 2 && strcmp(argv[1], "loop") == 0) {
		open_loop(atoi(argv[2]));
		return 0;
	}

	for (i = 0; i < rounds; i++) {
		open_heap_path("/etc", "hostname");
		open_heap_path("/etc", "passwd");
		connect_heap_addr();
		pipe_and_socket();
		send_and_receive();
		stat_heap();
		fail_enoent(i);
		fail_enotdir();
		fail_ebadf();
	}
	return 0;
}
