// SPDX-License-Identifier: MIT
/*
 * Threads that change their names before they connect:
 *   self_start (names itself "screc-selfname") -> self_connect -> connect
 *   named_start (named "screc-byparent" by main) -> named_connect -> connect
 * one after the other, then main, never renamed, -> main_connect -> connect.
 * pthread_setname_np does prctl(PR_SET_NAME) for the calling thread and
 * writes /proc/self/task/TID/comm for another: the kernel reports both as a
 * COMM record without the exec flag.
 */
#include <pthread.h>

#include "target.h"

static pthread_barrier_t named;

NOIPA static int
self_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA static void *
self_start(void *arg)
{
	int fd = target_socket(), r;

	(void)arg;
	if (pthread_setname_np(pthread_self(), "screc-selfname") != 0)
		return (void *)2L;
	r = self_connect(fd);		/* CALL self_connect */
	NO_TAIL(r);
	close(fd);
	return (void *)(long)r;
}

NOIPA static int
named_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA static void *
named_start(void *arg)
{
	int fd = target_socket(), r;

	(void)arg;
	pthread_barrier_wait(&named);	/* main has renamed this thread */
	r = named_connect(fd);		/* CALL named_connect */
	NO_TAIL(r);
	close(fd);
	return (void *)(long)r;
}

NOIPA static int
main_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	pthread_t a, b;
	void *ra = NULL, *rb = NULL;
	int fd, r, renamed;

	pthread_barrier_init(&named, NULL, 2);
	if (pthread_create(&a, NULL, self_start, NULL) != 0 || pthread_join(a, &ra) != 0)
		return 1;
	if (pthread_create(&b, NULL, named_start, NULL) != 0)
		return 1;
	renamed = pthread_setname_np(b, "screc-byparent");
	pthread_barrier_wait(&named);
	if (pthread_join(b, &rb) != 0 || renamed != 0)
		return 1;
	fd = target_socket();
	r = main_connect(fd);		/* CALL main_connect */
	NO_TAIL(r);
	close(fd);
	return r == -1 && (long)ra == -1 && (long)rb == -1 ? 0 : 1;
}
