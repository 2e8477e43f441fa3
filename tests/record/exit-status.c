// SPDX-License-Identifier: MIT
/*
 * Test target: end in a chosen way, to check that the recorder passes the
 * status through: "exit N" exits with N, "segv" dereferences a null pointer,
 * "kill" sends itself SIGKILL, "ignore-term SECONDS" ignores SIGTERM, SIGINT
 * and SIGHUP while it sleeps.
 *
 * Usage: exit-status exit N | segv | kill | ignore-term SECONDS
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) void
crash(volatile int *p)
{
	*p = 1;
}

int
main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "exit") == 0)
		return atoi(argv[2]);
	if (argc > 1 && strcmp(argv[1], "segv") == 0) {
		crash(NULL);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "kill") == 0) {
		raise(SIGKILL);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "ignore-term") == 0) {
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		sleep((unsigned)atoi(argv[2]));
		return 0;
	}
	return 2;
}
