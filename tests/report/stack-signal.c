// SPDX-License-Identifier: MIT
/*
 * A connect inside a signal handler.  main -> sig_one -> sig_two ->
 * sig_kill -> kill(getpid(), SIGUSR1); the signal arrives as kill returns,
 * and the handler runs on_sigusr1 -> handler_connect -> connect.  The stack
 * must go through the signal frame (__restore_rt) back into kill, sig_kill,
 * sig_two, sig_one and main.
 */
#include <signal.h>

#include "target.h"

static int sig_fd = -1;
static volatile sig_atomic_t sig_result;

NOIPA static int
handler_connect(int fd)
{
	int r = TARGET_CONNECT(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static void
on_sigusr1(int sig)
{
	int r = handler_connect(sig_fd);

	NO_TAIL(r);
	sig_result = r == -1 ? sig : -1;
}

NOIPA static int
sig_kill(void)
{
	int r = kill(getpid(), SIGUSR1);

	NO_TAIL(r);
	return r;
}

NOIPA static int
sig_two(void)
{
	int r = sig_kill();

	NO_TAIL(r);
	return r;
}

NOIPA static int
sig_one(void)
{
	int r = sig_two();

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	struct sigaction sa;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0) {
		perror("sigaction");
		return 1;
	}
	sig_fd = target_socket();
	r = sig_one();
	NO_TAIL(r);
	return r == 0 && sig_result == SIGUSR1 ? 0 : 1;
}
