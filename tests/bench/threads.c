// SPDX-License-Identifier: MIT
/*
 * Benchmark workload: T threads (default 4) run at once, each making N
 * connect() calls to 127.0.0.1:9 on a socket of its own, through noinline
 * levels distinct from the main thread's:
 *   connect <- thr_connect <- thr_level2 <- thr_level1 <- thr_start
 *           <- start_thread <- clone3
 * Usage: threads N [T]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define NOIPA __attribute__((noipa))
/* Keep the call before it from becoming a tail call. */
#define NO_TAIL(v) __asm__ volatile("" : "+r"(v) : : "memory")
#define MAX_THREADS 256

static struct sockaddr_in port9;
static long calls;

NOIPA static int
thr_connect(int fd)
{
	int r = connect(fd, (const struct sockaddr *)&port9, sizeof(port9));

	NO_TAIL(r);
	return r;
}

NOIPA static int
thr_level2(int fd)
{
	int r = thr_connect(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static int
thr_level1(int fd)
{
	int r = thr_level2(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static void *
thr_start(void *arg)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	long i;

	(void)arg;
	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	for (i = 0; i < calls; i++)
		thr_level1(fd);
	close(fd);
	return NULL;
}

int
main(int argc, char **argv)
{
	int t = argc > 2 ? atoi(argv[2]) : 4, i;
	pthread_t th[MAX_THREADS];

	calls = argc > 1 ? atol(argv[1]) : 1;
	if (t < 1 || t > MAX_THREADS) {
		fprintf(stderr, "threads: 1 to %d threads\n", MAX_THREADS);
		return 2;
	}
	port9.sin_family = AF_INET;
	port9.sin_port = htons(9);
	port9.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < t; i++) {
		if (pthread_create(&th[i], NULL, thr_start, NULL)) {
			fprintf(stderr, "threads: pthread_create failed\n");
			return 1;
		}
	}
	for (i = 0; i < t; i++)
		pthread_join(th[i], NULL);
	return 0;
}
