// SPDX-License-Identifier: MIT
/*
 * Threads: two threads run at once, each with its own chain,
 *   thread_a_start -> a_one -> a_two -> a_connect -> connect
 *   thread_b_start -> b_one -> b_two -> b_three -> b_connect -> connect
 * and after both are joined main -> main_connect -> connect.
 */
#include <pthread.h>

#include "target.h"

NOIPA static int
a_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA static int
a_two(int fd)
{
	int r = a_connect(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static int
a_one(int fd)
{
	int r = a_two(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static void *
thread_a_start(void *arg)
{
	int r = a_one(*(int *)arg);

	NO_TAIL(r);
	return r == -1 ? NULL : arg;
}

NOIPA static int
b_connect(int fd)
{
	int r = TARGET_CONNECT(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static int
b_three(int fd)
{
	int r = b_connect(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static int
b_two(int fd)
{
	int r = b_three(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static int
b_one(int fd)
{
	int r = b_two(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static void *
thread_b_start(void *arg)
{
	int r = b_one(*(int *)arg);

	NO_TAIL(r);
	return r == -1 ? NULL : arg;
}

NOIPA static int
main_connect(int fd)
{
	int r = TARGET_CONNECT(fd);

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	int fd_a = target_socket(), fd_b = target_socket(), fd = target_socket();
	pthread_t a, b;
	void *ra, *rb;
	int r;

	if (pthread_create(&a, NULL, thread_a_start, &fd_a) ||
	    pthread_create(&b, NULL, thread_b_start, &fd_b)) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	r = main_connect(fd);
	NO_TAIL(r);
	return ra == NULL && rb == NULL && r == -1 ? 0 : 1;
}
