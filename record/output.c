// SPDX-License-Identifier: MIT
/*
 * The recording's file.  It is always a new file of screc's own: created
 * beside FILE under a temporary name (O_EXCL, so never through a link or
 * onto something that exists), mode 0600 as it holds raw stack memory, and
 * put in FILE's place only once the recording has really started.  A
 * command that cannot be executed, or a setup that fails, leaves whatever
 * was at FILE as it was.  A previous file at FILE is kept as FILE.old (as
 * perf does) rather than destroyed; a link, device, FIFO or directory at
 * FILE is refused, and nothing that exists is ever opened, truncated or
 * chmod'ed.  "-" writes the recording to standard output (strace's
 * convention), and the command's own standard output goes to standard
 * error so the two never mix (perf's rule for a piped recording).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "output.h"

/* What exists at path, refused unless it is nothing or a regular file. */
static int
check_existing(const char *path, struct stat *st)
{
	if (lstat(path, st) < 0)
		return errno == ENOENT ? -ENOENT : 0;	/* other errors show when creating */
	if (S_ISLNK(st->st_mode)) {
		screc_err("%s: is a symbolic link: screc does not write through links (one in a "
			  "shared directory may point anywhere); remove it, or give another -o",
			  path);
		return -ELOOP;
	}
	if (!S_ISREG(st->st_mode)) {
		screc_err("%s: not a regular file (%s): screc writes only new or regular files; "
			  "give another -o, or -o - for standard output", path,
			  S_ISDIR(st->st_mode) ? "a directory" :
			  S_ISFIFO(st->st_mode) ? "a FIFO" :
			  S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? "a device" : "a socket");
		return -EINVAL;
	}
	return 0;
}

static int
open_stdout(struct output *o)
{
	int err;

	if (isatty(STDOUT_FILENO)) {
		screc_err("-o -: standard output is a terminal: redirect it (screc record -o - ... "
			  "> FILE, or into a pipe), or give -o FILE");
		return -ENOTTY;
	}
	/* A descriptor of our own (not inherited by the command), then 1 becomes stderr. */
	o->fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (o->fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		err = errno;
		screc_err("-o -: standard output: %s", strerror(err));
		return -err;
	}
	o->committed = true;
	return 0;
}

int
output_open(struct output *o, const char *path)
{
	struct stat st;
	size_t len;
	int err;

	*o = (struct output){ .path = path, .fd = -1 };
	if (strcmp(path, "-") == 0)
		return open_stdout(o);
	err = check_existing(path, &st);
	if (err && err != -ENOENT)
		return err;
	len = strlen(path) + sizeof(".tmp-XXXXXX");
	o->tmp = malloc(len);
	if (!o->tmp)
		return -ENOMEM;
	snprintf(o->tmp, len, "%s.tmp-XXXXXX", path);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		err = errno;
		screc_err("%s: cannot create the recording: %s", path, strerror(err));
		free(o->tmp);
		o->tmp = NULL;
		return -err;
	}
	/* Ours, just created: 0600 whatever the umask. */
	fchmod(o->fd, 0600);
	return 0;
}

int
output_commit(struct output *o)
{
	char *old = NULL;
	struct stat st;
	size_t len;
	int err = 0;

	if (o->committed)
		return 0;
	o->committed = true;
	/* Check again: a link or device may have appeared since output_open(). */
	err = check_existing(o->path, &st);
	if (err == -ENOENT || (err == 0 && st.st_size == 0)) {
		err = 0;	/* nothing to keep: an empty file is no recording */
	} else if (err == 0) {
		len = strlen(o->path) + sizeof(".old");
		old = malloc(len);
		if (!old) {
			err = -ENOMEM;
		} else {
			snprintf(old, len, "%s.old", o->path);
			if (rename(o->path, old) < 0) {
				err = -errno;
				screc_err("%s: cannot keep the previous file as %s: %s", o->path, old,
					  strerror(-err));
			}
		}
	}
	if (!err && rename(o->tmp, o->path) < 0) {
		err = -errno;
		screc_err("%s: cannot put the recording in place: %s", o->path, strerror(-err));
	}
	free(old);
	if (err) {
		/* Record on under the temporary name, which messages now use. */
		screc_err("%s: recording into %s instead", o->path, o->tmp);
		o->path = o->tmp;
		return err;
	}
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

const char *
output_name(const struct output *o)
{
	return strcmp(o->path, "-") == 0 ? "standard output" : o->path;
}

int
output_close(struct output *o)
{
	int err = 0;

	if (o->fd < 0)
		return 0;
	if (fsync(o->fd) < 0 && errno != EINVAL)
		err = -errno;
	if (close(o->fd) < 0 && !err)
		err = -errno;
	o->fd = -1;
	return err;
}

void
output_discard(struct output *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp && !o->committed)
		unlink(o->tmp);
}

void
output_release(struct output *o)
{
	output_discard(o);
	if (o->path == o->tmp)
		o->path = NULL;
	free(o->tmp);
	o->tmp = NULL;
}
