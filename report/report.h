/* SPDX-License-Identifier: MIT */
/* The report side: entry points shared between report.c and its stages. */
#ifndef SCREC_REPORT_H
#define SCREC_REPORT_H

#include <stdio.h>

#include "common/reader.h"

/*
 * Print every record of r to out (`--raw`).  Returns 0 for a complete
 * recording, -ENODATA for a truncated one (all it held is printed), or
 * -EBADMSG.
 */
int report_dump(struct screc_reader *r, FILE *out);

#endif

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "unwind.h"

/* Which events a report keeps. */
struct report_filter {
	const char *pids;		/* comma lists, NULL = all */
	const char *tids;
	const char *comms;
	const char *syscalls;
	bool failed;			/* only calls that returned an error */
	double time_from, time_to;	/* seconds since the start; to < 0: open */
};

/*
 * Unpack the files archived in the recording at path into a private
 * temporary directory and register them with the unwinder; *debug_dir gets
 * the directory to search for debug files (NULL if there was nothing).
 * Returns 0 or -errno (the report goes on without the archive).
 */
int archive_load(const char *path, const char **debug_dir);
/* Remove the temporary directory. */
void archive_unload(void);
/* Unpack one BLOB record (for recordings read in one pass).  0 or -errno. */
int archive_store(const struct screc_rec *rec, const char *recording);
/* Whether archive_load() already took every BLOB record. */
bool archive_loaded(void);

/*
 * Print what the recording at path (open in r) holds and which of its
 * binaries this machine has (`--info`).  Returns like report_dump().
 */
int report_info(struct screc_reader *r, const char *path, FILE *out);

/*
 * Read r front to back, replay the process model, unwind and symbolize each
 * kept event and hand it to sink.  st gets the totals.  Returns 0 for a
 * complete recording, -ENODATA for a truncated one (everything before the cut
 * was reported), -EBADMSG for corrupt data, or another -errno.
 */
int report_run(struct screc_reader *r, const struct report_filter *f, struct sink *sink,
	       struct report_stats *st);
