// SPDX-License-Identifier: MIT
/*
 * A process whose main thread leaves first (pthread_exit) while a worker
 * thread goes on: the worker's connect must still unwind in the process's
 * maps.  Chain: connect <- worker_connect <- worker_two <- worker_start <-
 * start_thread <- clone3.
 */
#include <pthread.h>

#include "target.h"

NOIPA static int
worker_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA static int
worker_two(int fd)
{
	int r = worker_connect(fd);	/* CALL worker_connect */

	NO_TAIL(r);
	return r;
}

NOIPA static void *
worker_start(void *arg)
{
	int fd = target_socket();

	/* Let the main thread exit first. */
	usleep(200000);
	worker_two(fd);			/* CALL worker_two */
	close(fd);
	(void)arg;
	return NULL;
}

int
main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, worker_start, NULL) != 0)
		return 1;
	pthread_exit(NULL);
}
