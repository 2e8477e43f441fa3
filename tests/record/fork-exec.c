// SPDX-License-Identifier: MIT
/*
 * Test target: a process tree.  The parent makes 2 connect() calls
 * (parent_connect), forks; the child makes 3 (child_connect), then execs
 * PROGRAM ARGS (connect-loop 4 in the tests); the parent waits and exits with
 * the child's status.  The recorder must follow the child through fork and
 * exec, and record the exec'd program's name and mappings.
 *
 * Usage: fork-exec PROGRAM [ARGS...]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static struct sockaddr_in addr;

__attribute__((noinline)) int
parent_connect(int fd)
{
	return connect(fd, (struct sockaddr *)&addr, sizeof(addr));
}

__attribute__((noinline)) int
child_connect(int fd)
{
	return connect(fd, (struct sockaddr *)&addr, sizeof(addr));
}

int
main(int argc, char **argv)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), i, status;
	pid_t pid;

	if (argc < 2)
		return 2;
	addr.sin_family = AF_INET;
	addr.sin_port = htons(9);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 2; i++)
		parent_connect(fd);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		for (i = 0; i < 3; i++)
			child_connect(fd);
		close(fd);
		execv(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	close(fd);
	printf("child %d\n", (int)pid);
	fflush(stdout);
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
