// SPDX-License-Identifier: MIT
/*
 * Launching the command.  It is forked and waits on a pipe until the
 * events are open (they are enabled by its exec, so nothing of screc is
 * recorded); then it becomes the -u user if asked (as strace -u: groups,
 * gid, uid, environment untouched) and execs.  What failed in the child
 * before or at the exec comes back through a close-on-exec pipe: nothing
 * means the exec succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "target.h"

/* What failed in the child, sent back to screc. */
enum stage {
	STAGE_EXEC = 0,
	STAGE_GROUPS,
	STAGE_GID,
	STAGE_UID,
};

/*
 * The held child's stack beyond what execvp() needs for argv: it builds
 * each path it tries there, and for a file without #! a copy of argv
 * (argc + 2 pointers) to run it with /bin/sh, as posix_spawn sizes its own.
 */
#define HELD_STACK	(64u << 10)

struct failure {
	int stage;		/* enum stage */
	int err;		/* errno */
};

int
target_set_user(struct target *t, const char *user)
{
	struct passwd *pw;
	char *end;
	long id;
	int n = 0;

	if (geteuid() != 0) {
		screc_err("-u %s: only root can run the command as another user", user);
		return -EPERM;
	}
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		id = strtol(user, &end, 10);
		if (*user && !*end && id >= 0)
			pw = getpwuid((uid_t)id);
	}
	if (!pw) {
		screc_err("-u %s: no such user", user);
		return -ENOENT;
	}
	t->user = user;
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	/* The supplementary groups, as initgroups(3) finds them (NSS in screc, not the child). */
	getgrouplist(pw->pw_name, pw->pw_gid, NULL, &n);
	t->groups = calloc((size_t)(n > 0 ? n : 1), sizeof(*t->groups));
	if (!t->groups)
		return -ENOMEM;
	if (getgrouplist(pw->pw_name, pw->pw_gid, t->groups, &n) < 0) {
		screc_err("-u %s: cannot list its groups", user);
		return -EINVAL;
	}
	t->nr_groups = n;
	return 0;
}

/* In the child: report what failed and end. */
static void __attribute__((noreturn))
child_fail(int fd, int stage, int err)
{
	struct failure f = { stage, err };

	if (write(fd, &f, sizeof(f)) < 0)
		_exit(127);
	_exit(127);
}

/* What the held child needs, on its own stack. */
struct held {
	const struct target *t;
	char **argv;
	int go[2], ep[2];
};

/*
 * The held child.  It shares screc's memory (CLONE_VM, as posix_spawn's
 * child does), so that starting it copies no page tables and screc then
 * takes no copy-on-write faults: 1 to 2 ms of recording `true`.  Its fd
 * table is its own copy.  It runs on its own stack and writes nothing of
 * screc's but errno (and glibc's per-thread state of screc's main thread:
 * cancellation, the loader's scope flag), which only its failing calls
 * set: before the release none of them fails, and from the release to its
 * exec screc does nothing but wait in read() on the error pipe (so execvp()
 * sees only its own errno between the paths it tries).  The ids are set
 * with raw system calls: glibc's setuid() would signal screc's threads,
 * which it takes for its own.  Becoming another user (-u) makes the shared
 * memory undumpable, screc's included: no core dump of screc after that.
 */
static int
held_main(void *arg)
{
	const struct held *h = arg;
	const struct target *t = h->t;
	sigset_t none;
	char c;

	/*
	 * Only the mask is screc's own doing; dispositions stay as screc
	 * found them, so a command started under nohup still ignores SIGHUP.
	 */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The command's own scheduling: not the recorder's real-time class. */
	sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){ 0 });
	setpriority(PRIO_PROCESS, 0, t->orig_nice);
	close(h->go[1]);
	close(h->ep[0]);
	if (read(h->go[0], &c, 1) != 1)
		_exit(127);
	/* Groups before the uid, while root may still set them. */
	if (t->user) {
		if (syscall(SYS_setgroups, (size_t)t->nr_groups, t->groups) < 0)
			child_fail(h->ep[1], STAGE_GROUPS, errno);
		if (syscall(SYS_setgid, t->gid) < 0)
			child_fail(h->ep[1], STAGE_GID, errno);
		if (syscall(SYS_setuid, t->uid) < 0)
			child_fail(h->ep[1], STAGE_UID, errno);
	}
	execvp(h->argv[0], h->argv);
	child_fail(h->ep[1], STAGE_EXEC, errno);
}

int
target_spawn(struct target *t, char **argv)
{
	size_t page = (size_t)getpagesize(), argc = 0;
	struct held *h;
	int err;

	while (argv[argc])
		argc++;
	/* Below it a page that faults: an overflow cannot write into screc's memory. */
	t->stack_len = (((argc + 2) * sizeof(char *) + HELD_STACK + page - 1) & ~(page - 1)) + page;
	t->stack = mmap(NULL, t->stack_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (t->stack == MAP_FAILED) {
		t->stack = NULL;
		return -errno;
	}
	if (mprotect(t->stack, page, PROT_NONE) < 0) {
		err = -errno;
		munmap(t->stack, t->stack_len);
		t->stack = NULL;
		return err;
	}
	/* At the top of its stack, which grows down from there. */
	h = (struct held *)((uint8_t *)t->stack + t->stack_len -
			    ((sizeof(*h) + 15) & ~(size_t)15));
	h->t = t;
	h->argv = argv;
	if (pipe2(h->go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(h->ep, O_CLOEXEC) < 0) {
		err = -errno;
		goto close_go;
	}
	if (target_can_share_memory()) {
		t->child = clone(held_main, h, CLONE_VM | SIGCHLD, h);
	} else {
		t->child = fork();
		if (t->child == 0)
			held_main(h);
	}
	if (t->child < 0) {
		err = -errno;
		goto close_ep;
	}
	close(h->go[0]);
	close(h->ep[1]);
	t->go_fd = h->go[1];
	t->err_fd = h->ep[0];
	return 0;
close_ep:
	close(h->ep[0]);
	close(h->ep[1]);
close_go:
	close(h->go[0]);
	close(h->go[1]);
	return err;
}

/*
 * Write the release.  A child that died before it (a signal to the process
 * group) leaves no reader: EPIPE, not a SIGPIPE that would end screc before
 * it removes its file.  Returns 0 or an errno.
 */
static int
release(struct target *t)
{
	sigset_t pipe_sig, old;
	int err = 0;

	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_sig, &old);
	if (write(t->go_fd, "g", 1) != 1) {
		err = errno ? errno : EPIPE;
		sigtimedwait(&pipe_sig, NULL, &(struct timespec){ 0, 0 });
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(t->go_fd);
	t->go_fd = -1;
	return err;
}

int
target_release(struct target *t, const char *name)
{
	static const char *const what[] = {
		[STAGE_GROUPS] = "set its groups",
		[STAGE_GID] = "set its group id",
		[STAGE_UID] = "set its user id",
	};
	struct failure f = { STAGE_EXEC, 0 };
	int go_err = release(t), err = go_err;

	/* Nothing else until the exec: the child shares screc's errno (held_main()). */
	if (!err && read(t->err_fd, &f, sizeof(f)) == sizeof(f) && f.err)
		err = f.err;
	close(t->err_fd);
	t->err_fd = -1;
	if (!err)
		return 0;
	if (go_err == EPIPE)
		screc_err("%s: ended before screc could release it to exec (a signal?)", name);
	else if (f.stage == STAGE_EXEC || f.stage > STAGE_UID)
		screc_err("%s: cannot execute: %s", name, strerror(err));
	else
		screc_err("%s: cannot run as %s: cannot %s: %s", name, t->user, what[f.stage],
			  strerror(err));
	t->exit_code = f.stage == STAGE_EXEC && err == ENOENT ? 127 : 126;
	/* The child is on its way out (_exit after the failure). */
	if (waitpid(t->child, &t->status, 0) == t->child)
		t->done = true;
	return -err;
}

bool
target_can_share_memory(void)
{
	const char *pre = getenv("LD_PRELOAD");

	/* valgrind preloads its vgpreload_*.so into the program it runs. */
	return !pre || !strstr(pre, "vgpreload");
}

void
target_free(struct target *t)
{
	if (t->go_fd >= 0)
		close(t->go_fd);
	if (t->err_fd >= 0)
		close(t->err_fd);
	t->go_fd = t->err_fd = -1;
	free(t->tids);
	free(t->groups);
	t->tids = NULL;
	t->groups = NULL;
	/* Its child has exec'd or ended by now (reaped, or killed and waited for). */
	if (t->stack)
		munmap(t->stack, t->stack_len);
	t->stack = NULL;
}
