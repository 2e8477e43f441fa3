// SPDX-License-Identifier: MIT
/*
 * Test target: a single-threaded loop of connect() calls (connect <-
 * spin_connect <- spin_level1 <- main) with a short sleep between them, for
 * SECONDS, then exit 0.  READY_FILE, when given and not "-", gets the pid
 * once the first call is made, and deleting it ends the loop early (exit 0
 * too).  SLEEP_US is the pause (default 200).  Used to attach to, to stop the recorder part way, and to
 * fill a small disk.
 *
 * Usage: connect-spin SECONDS [READY_FILE [SLEEP_US]]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fd;
static struct sockaddr_in addr;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) int
spin_connect(void)
{
	return connect(fd, (struct sockaddr *)&addr, sizeof(addr));
}

__attribute__((noinline)) int
spin_level1(void)
{
	int r = spin_connect();

	__asm__ volatile("" ::: "memory");
	return r;
}

int
main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 5);
	long sleep_us = argc > 3 ? atol(argv[3]) : 200, i;
	const char *ready = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	addr.sin_family = AF_INET;
	addr.sin_port = htons(9);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	spin_level1();
	if (ready) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", ready);
		f = fopen(tmp, "w");
		if (!f)
			return 2;
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
		rename(tmp, ready);
	}
	for (i = 0; now() < end; i++) {
		spin_level1();
		if (sleep_us > 0)
			usleep((useconds_t)sleep_us);
		if (ready && i % 64 == 0 && access(ready, F_OK) != 0)
			break;
	}
	close(fd);
	return 0;
}
