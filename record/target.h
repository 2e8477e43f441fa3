/* SPDX-License-Identifier: MIT */
/*
 * The command screc launches: forked, held before its exec until the
 * events are open, optionally as another user (-u), then released; its exec
 * failing is reported back.  See target.c.
 */
#ifndef SCREC_RECORD_TARGET_H
#define SCREC_RECORD_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The processes recorded: the launched command, or the threads of -p. */
struct target {
	pid_t child;			/* the launched command; -1 with -p */
	int go_fd;			/* releases it to exec */
	int err_fd;			/* brings a failure before or at its exec back */
	void *stack;			/* the held child's (target_spawn()), NULL before */
	size_t stack_len;
	pid_t *tids;			/* the tasks the events are opened on */
	size_t nr_tids, cap_tids;
	int status;			/* its wait status, once done */
	bool done;			/* reaped */
	int exit_code;			/* 127 or 126 when it could not be executed */
	int orig_nice;			/* screc's niceness when started, given back to it */

	/* -u: the user it runs as */
	const char *user;		/* NULL: screc's own */
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int nr_groups;
};

/*
 * Resolve -u USER (a name, or a number) to its uid, primary group and
 * supplementary groups, as initgroups(3) would set them; only root may
 * (the recording stays root's).  Prints why and returns -errno on failure.
 */
int target_set_user(struct target *t, const char *user);

/*
 * Fork the command argv (execvp), held before its exec.  In the child,
 * only the signal mask and niceness are reset and, with -u, the groups,
 * gid and uid set; the environment is left as it is (strace's rule).
 * Returns 0 or -errno.
 */
int target_spawn(struct target *t, char **argv);

/*
 * Let the held command exec.  Returns 0 once the exec succeeded, or -errno
 * when it (or becoming the user) failed, or it ended before its release,
 * said, with exit_code set (127 for a command not found, else 126) and the
 * child reaped.
 */
int target_release(struct target *t, const char *name);

/* Close what is left open and free; safe to call twice. */
void target_free(struct target *t);

/*
 * Whether a process may be cloned sharing screc's memory (CLONE_VM without
 * CLONE_VFORK): not under valgrind, which supports no such clone and stops
 * the program.  The held command and the closer of the events fork there.
 */
bool target_can_share_memory(void);

#endif
