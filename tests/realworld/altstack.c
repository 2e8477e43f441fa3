// SPDX-License-Identifier: MIT
/*
 * A connect inside a signal handler that runs on a sigaltstack.
 * main -> alt_one -> alt_two -> alt_kill -> kill(getpid(), SIGUSR2); the
 * handler runs on the alternate stack: on_sigusr2 -> alt_connect -> connect.
 * The kernel writes the signal frame (the interrupted context) on the
 * alternate stack too, so the stack snapshot taken at connect holds the
 * handler's frames, __restore_rt and the saved registers of kill, but not
 * the main stack above kill: the report must go through __restore_rt into
 * kill and then say the stack continues where it was not recorded.
 */
#ifndef _GNU_SOURCE	/* meson defines it for every file */
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NOIPA __attribute__((noipa))
#define NO_TAIL(v) __asm__ volatile("" : "+r"(v) : : "memory")

static int alt_fd = -1;
static volatile sig_atomic_t alt_result;
static volatile void *handler_sp;
static char alt_stack_mem[64 * 1024] __attribute__((aligned(16)));

NOIPA static int
alt_connect(int fd)
{
	struct sockaddr_in sin;
	int r;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	handler_sp = __builtin_frame_address(0);
	r = connect(fd, (struct sockaddr *)&sin, sizeof(sin)); /* CALL connect */
	NO_TAIL(r);
	return r;
}

NOIPA static void
on_sigusr2(int sig)
{
	int r = alt_connect(alt_fd); /* CALL alt_connect */

	NO_TAIL(r);
	alt_result = r == -1 && errno == ECONNREFUSED ? sig : -1;
}

NOIPA static int
alt_kill(void)
{
	int r = kill(getpid(), SIGUSR2); /* CALL kill */

	NO_TAIL(r);
	return r;
}

NOIPA static int
alt_two(void)
{
	int r = alt_kill(); /* CALL alt_kill */

	NO_TAIL(r);
	return r;
}

NOIPA static int
alt_one(void)
{
	int r = alt_two(); /* CALL alt_two */

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	stack_t ss = { .ss_sp = alt_stack_mem, .ss_size = sizeof(alt_stack_mem) };
	struct sigaction sa;
	char *lo = alt_stack_mem, *hi = alt_stack_mem + sizeof(alt_stack_mem);
	int r;

	if (sigaltstack(&ss, NULL) != 0) {
		perror("sigaltstack");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr2;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR2, &sa, NULL) != 0) {
		perror("sigaction");
		return 1;
	}
	alt_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (alt_fd < 0) {
		perror("socket");
		return 1;
	}
	r = alt_one(); /* CALL alt_one */
	NO_TAIL(r);
	if ((char *)handler_sp < lo || (char *)handler_sp >= hi) {
		fprintf(stderr, "the handler did not run on the alternate stack\n");
		return 1;
	}
	return r == 0 && alt_result == SIGUSR2 ? 0 : 1;
}
