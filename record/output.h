/* SPDX-License-Identifier: MIT */
/*
 * The recording's file: created new beside FILE, put in FILE's place once
 * the recording has started (the previous file kept as FILE.old), or
 * standard output for "-".  See output.c.
 */
#ifndef SCREC_RECORD_OUTPUT_H
#define SCREC_RECORD_OUTPUT_H

#include <stdbool.h>

struct output {
	const char *path;	/* as given, "-" for standard output */
	char *tmp;		/* the name written to until committed */
	int fd;
	bool committed;		/* at path (or standard output) */
};

/*
 * Refuse what must not be written (a link, a device, a FIFO, a directory at
 * path; a terminal for "-") and create the file under a temporary name,
 * mode 0600.  With "-", the recording goes to standard output and screc's
 * (and so the command's) descriptor 1 becomes standard error.  Prints why
 * and returns -errno on failure.
 */
int output_open(struct output *o, const char *path);

/*
 * Put the file in place: a non-empty regular file at path becomes
 * path.old, then the new file takes its name.  When that fails (said),
 * recording goes on under the temporary name; returns 0 or -errno.
 */
int output_commit(struct output *o);

/* For messages: the path, or "standard output". */
const char *output_name(const struct output *o);

/* fsync and close; returns 0 or -errno. */
int output_close(struct output *o);

/* Close, and remove the file when it was never put in place. */
void output_discard(struct output *o);

/* output_discard(), then free; safe to call twice. */
void output_release(struct output *o);

#endif
