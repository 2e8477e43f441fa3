// SPDX-License-Identifier: MIT
/*
 * A target for the decoding tests: calls whose arguments live in each place a
 * recording may or may not hold.  A path that is a string literal (.rodata of
 * this binary), one built on the stack, one built on the heap (which no
 * snapshot holds: it must print as a pointer); inet, inet6, unix and abstract
 * unix sockaddrs on the stack; and mmap, mprotect, rt_sigaction, fcntl,
 * pipe2, a thread (clone3), a fork and an execve.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void __attribute__((noinline))
open_literal(void)
{
	int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
}

static void __attribute__((noinline))
open_stack(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/etc/%s%s", "host", "s");
	fd = open(path, O_RDONLY);
	if (fd >= 0)
		close(fd);
	/* A path that does not exist, for -P and --errno. */
	snprintf(path, sizeof(path), "/nonexistent/%d", 42);
	open(path, O_RDONLY);
}

static void __attribute__((noinline))
open_heap(void)
{
	char *path = malloc(64);
	int fd;

	strcpy(path, "/etc/passwd");
	fd = open(path, O_RDONLY);
	if (fd >= 0)
		close(fd);
	free(path);
}

static void __attribute__((noinline))
connect_all(void)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int s;

	inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	connect(s, (struct sockaddr *)&in, sizeof(in));
	close(s);
	inet_pton(AF_INET6, "::1", &in6.sin6_addr);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	connect(s, (struct sockaddr *)&in6, sizeof(in6));
	close(s);
	strcpy(un.sun_path, "/tmp/screc-decode-test.sock");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(s, (struct sockaddr *)&un, sizeof(un));
	memset(un.sun_path, 0, sizeof(un.sun_path));
	memcpy(un.sun_path + 1, "screc-abstract", 14);
	connect(s, (struct sockaddr *)&un, offsetof(struct sockaddr_un, sun_path) + 15);
	close(s);
}

static void
on_usr1(int sig)
{
	(void)sig;
}

static void *
thread_fn(void *arg)
{
	return arg;
}

static void __attribute__((noinline))
process_calls(void)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fds[2], status;
	pthread_t t;
	pid_t pid;

	mprotect(p, 4096, PROT_READ);
	munmap(p, 8192);
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe2(fds, O_CLOEXEC) == 0) {
		fcntl(fds[0], F_SETFL, O_NONBLOCK);
		fcntl(fds[1], F_GETFD);
		close(fds[0]);
		close(fds[1]);
	}
	pthread_create(&t, NULL, thread_fn, NULL);
	pthread_join(t, NULL);
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", "an-argument", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
}

int
main(void)
{
	open_literal();
	open_stack();
	open_heap();
	connect_all();
	process_calls();
	return 0;
}
