// SPDX-License-Identifier: MIT
/*
 * The export tests' target: connect() calls on known paths, each path one
 * noinline function per level with a distinct name, and a named thread.
 *
 *	exports-target [a|b]
 *
 * Always: main -> run_common -> do_connect, COMMON_CALLS times; a thread
 * named "screc-worker": worker_main -> worker_loop -> do_connect,
 * WORKER_CALLS times.  With "b": main -> run_extra -> do_connect,
 * EXTRA_CALLS times more, so that the diff of a run with "a" and one with
 * "b" is exactly that path.  Every connect goes to 127.0.0.1 port 1 and is
 * refused.  Built a second time with its functions aligned otherwise (so at
 * other addresses), for the diff of two builds.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pthread_setname_np */
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define COMMON_CALLS 5
#define WORKER_CALLS 2
#define EXTRA_CALLS 3

/* noipa: no clone of a function under another name (do_connect.isra.0) either. */
#if defined(__GNUC__) && !defined(__clang__)
#define noinline __attribute__((noinline, noipa))
#else
#define noinline __attribute__((noinline))
#endif

static volatile int sink;

static noinline int
do_connect(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(1) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ret;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	sink += ret;	/* no tail call: the caller's frame stays */
	return ret;
}

static noinline void
run_common(void)
{
	for (int i = 0; i < COMMON_CALLS; i++)
		do_connect();
	sink++;
}

static noinline void
run_extra(void)
{
	for (int i = 0; i < EXTRA_CALLS; i++)
		do_connect();
	sink++;
}

static noinline void
worker_loop(void)
{
	for (int i = 0; i < WORKER_CALLS; i++)
		do_connect();
	sink++;
}

static void *
worker_main(void *arg)
{
	(void)arg;
	/* Named before its first call: the comm of its events is its name. */
	pthread_setname_np(pthread_self(), "screc-worker");
	worker_loop();
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t;

	if (pthread_create(&t, NULL, worker_main, NULL) == 0)
		pthread_join(t, NULL);
	run_common();
	if (argc > 1 && strcmp(argv[1], "b") == 0)
		run_extra();
	return 0;
}
