// SPDX-License-Identifier: MIT
/*
 * Signal handlers in code with frame pointers and no CFI (built
 * -fno-omit-frame-pointer -fno-asynchronous-unwind-tables
 * -fno-unwind-tables, .debug_frame removed), nested, on two threads.
 * Each thread runs sf_one -> sf_kill -> tgkill(itself, SIGUSR1); the
 * handler on_usr1 -> usr1_kill -> tgkill(itself, SIGUSR2) raises a second
 * signal inside the first, whose handler on_usr2 -> usr2_connect ->
 * connect(127.0.0.1:9).  The main thread runs after the worker: main ->
 * sf_main; the worker: sf_thread -> sf_worker.  The stack must go through
 * both signal frames (__restore_rt, the interrupted syscall() wrapper) back
 * to each thread's start.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>

#include "target.h"

static __thread int sf_fd = -1;
static __thread volatile int sf_result;

static void
raise_here(int sig)
{
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
}

NOIPA LEVEL int
usr2_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA LEVEL void
on_usr2(int sig)
{
	int r = usr2_connect(sf_fd);	/* CALL usr2_connect */

	NO_TAIL(r);
	sf_result = r == -1 ? sig : -1;
}

NOIPA LEVEL int
usr1_kill(int sig)
{
	raise_here(SIGUSR2);		/* CALL syscall */
	NO_TAIL(sig);
	return sig;
}

NOIPA LEVEL void
on_usr1(int sig)
{
	int r = usr1_kill(sig);		/* CALL usr1_kill */

	NO_TAIL(r);
}

NOIPA LEVEL int
sf_kill(int x)
{
	raise_here(SIGUSR1);		/* CALL syscall */
	NO_TAIL(x);
	return x;
}

NOIPA LEVEL int
sf_one(int x)
{
	int r = sf_kill(x + 1);		/* CALL sf_kill */

	NO_TAIL(r);
	return r;
}

NOIPA LEVEL int
sf_worker(int x)
{
	int r = sf_one(x);		/* CALL sf_one */

	NO_TAIL(r);
	return r;
}

NOIPA LEVEL void *
sf_thread(void *arg)
{
	int r;

	sf_fd = target_socket();
	r = sf_worker((int)(long)arg);	/* CALL sf_worker */
	NO_TAIL(r);
	close(sf_fd);
	return (void *)(long)(sf_result == SIGUSR2);
}

NOIPA LEVEL int
sf_main(int x)
{
	int r = sf_one(x);		/* CALL sf_one */

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	struct sigaction sa;
	pthread_t t;
	void *ok = NULL;
	int r;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	if (pthread_create(&t, NULL, sf_thread, (void *)1L) || pthread_join(t, &ok))
		return 1;
	sf_fd = target_socket();
	r = sf_main(2);			/* CALL sf_one */
	NO_TAIL(r);
	close(sf_fd);
	return ok && sf_result == SIGUSR2 ? 0 : 1;
}
