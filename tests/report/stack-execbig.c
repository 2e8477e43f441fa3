// SPDX-License-Identifier: MIT
/*
 * The parent of an exec whose new image lands on the old one's addresses:
 * run without address randomization (setarch -R), this program and the
 * stack-exec it forks and execs (ARGV[1]) are both loaded at the same base,
 * and 64 KiB of padding make this program's code mapping much larger than
 * stack-exec's.  A report that kept the old maps across the exec would find
 * this program's code around stack-exec's and name its frames from here.
 *   main -> big_spawn -> big_child -> execl(ARGV[1])
 */
#include <sys/wait.h>

#include "target.h"

/* Never run: only makes the code mapping large. */
__asm__(".text\n"
	".type big_padding, @function\n"
	"big_padding:\n"
	"	.fill 65536, 1, 0xcc\n"
	".size big_padding, .-big_padding\n");

NOIPA static void
big_child(const char *prog)
{
	execl(prog, prog, (char *)NULL);	/* CALL execl */
	perror(prog);
	_exit(127);
}

NOIPA static pid_t
big_spawn(const char *prog)
{
	pid_t pid = fork();

	if (pid == 0)
		big_child(prog);	/* CALL big_child */
	NO_TAIL(pid);
	return pid;
}

int
main(int argc, char **argv)
{
	int status = 0;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PROGRAM-TO-EXEC\n", argv[0]);
		return 2;
	}
	pid = big_spawn(argv[1]);	/* CALL big_spawn */
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
