// SPDX-License-Identifier: MIT
/*
 * Fork and exec.  The child connects before it execs (it unwinds with the
 * maps it inherited from the parent):
 *   main -> spawn -> child_run -> child_connect -> connect
 * then execs ARGV[1] (stack-exec); the parent, after the child exited:
 *   main -> parent_wait -> parent_connect -> connect
 */
#include <sys/wait.h>

#include "target.h"

NOIPA static int
child_connect(int fd)
{
	int r = TARGET_CONNECT(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static void
child_run(const char *prog)
{
	int fd = target_socket();
	int r = child_connect(fd);

	NO_TAIL(r);
	close(fd);
	execl(prog, prog, (char *)NULL);
	perror(prog);
	_exit(127);
}

NOIPA static pid_t
spawn(const char *prog)
{
	pid_t pid = fork();

	if (pid == 0)
		child_run(prog);
	NO_TAIL(pid);
	return pid;
}

NOIPA static int
parent_connect(int fd)
{
	int r = TARGET_CONNECT(fd);

	NO_TAIL(r);
	return r;
}

NOIPA static int
parent_wait(pid_t pid)
{
	int status = 0, fd, r;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -2;
	fd = target_socket();
	r = parent_connect(fd);
	NO_TAIL(r);
	close(fd);
	return r;
}

int
main(int argc, char **argv)
{
	pid_t pid;
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PROGRAM-TO-EXEC\n", argv[0]);
		return 2;
	}
	pid = spawn(argv[1]);
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	r = parent_wait(pid);
	NO_TAIL(r);
	return r == -1 ? 0 : 1;
}
