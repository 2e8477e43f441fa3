// SPDX-License-Identifier: MIT
/*
 * Test target: THREADS threads, each making COUNT connect() calls to a closed
 * local port through noinline levels (connect <- thread_connect <-
 * thread_level1 <- thread_main).  With COUNT 0 every thread loops, one
 * connect a millisecond, for SECONDS once all are started (at most 1024
 * threads).  When READY_FILE is given, "pid tid..."
 * (the worker tids) is written there once every thread has made one call,
 * so a test can attach to a process whose threads all exist; deleting it
 * ends the loops early (exit 0 too).
 *
 * Usage: connect-threads THREADS COUNT [SECONDS [READY_FILE]]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 1024

static long count;
static double seconds;
static pthread_barrier_t started, announced;
static pid_t tids[MAX_THREADS];
static const char *ready;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) int
thread_connect(int fd, const struct sockaddr_in *addr)
{
	return connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
}

__attribute__((noinline)) int
thread_level1(int fd, const struct sockaddr_in *addr)
{
	int r = thread_connect(fd, addr);

	__asm__ volatile("" ::: "memory");
	return r;
}

__attribute__((noinline)) void *
thread_main(void *arg)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	double end;
	long i;

	tids[(long)arg] = gettid();
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (count > 0) {
		pthread_barrier_wait(&started);
		for (i = 0; i < count; i++)
			thread_level1(fd, &addr);
	} else {
		thread_level1(fd, &addr);
		pthread_barrier_wait(&started);
		/*
		 * Not before the ready file exists: its absence ends the loop.
		 * SECONDS count from there: starting hundreds of threads on a
		 * busy host takes seconds of its own.
		 */
		pthread_barrier_wait(&announced);
		end = now() + seconds;
		for (i = 0; now() < end; i++) {
			thread_level1(fd, &addr);
			usleep(1000);
			if (ready && i % 16 == 0 && access(ready, F_OK) != 0)
				break;
		}
	}
	close(fd);
	return NULL;
}

static void
write_ready(const char *path, long n)
{
	char tmp[4096];
	FILE *f;
	long i;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		exit(2);
	fprintf(f, "%d", (int)getpid());
	for (i = 0; i < n; i++)
		fprintf(f, " %d", (int)tids[i]);
	fprintf(f, "\n");
	fclose(f);
	rename(tmp, path);
}

int
main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	long n, i;

	if (argc < 3)
		return 2;
	n = atol(argv[1]);
	count = atol(argv[2]);
	seconds = argc > 3 ? atof(argv[3]) : 0;
	ready = argc > 4 ? argv[4] : NULL;
	if (n < 1 || n > MAX_THREADS)
		return 2;
	pthread_barrier_init(&started, NULL, (unsigned)n + 1);
	pthread_barrier_init(&announced, NULL, (unsigned)n + 1);
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, thread_main, (void *)i))
			return 1;
	pthread_barrier_wait(&started);
	if (ready)
		write_ready(ready, n);
	if (count <= 0)
		pthread_barrier_wait(&announced);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	return 0;
}
