/* SPDX-License-Identifier: MIT */
/*
 * The unwinder: given a sample's registers and stack snapshot and the address
 * space it ran in, yields the program counters of its frames, each with how
 * it was found, and why the walk ended.  One Dwfl per address space, built
 * from the recorded maps, reused across samples and rebuilt only when the
 * maps change.
 */
#ifndef SCREC_UNWIND_H
#define SCREC_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/perf-record.h"
#include "event.h"
#include "proc.h"

#define UNWIND_MAX_FRAMES 8192

struct raw_frame {
	uint64_t pc;
	enum frame_method method;
	bool activation;	/* pc is exact (frame 0, or the frame a signal interrupted) */
};

struct unwind_result {
	struct raw_frame frames[UNWIND_MAX_FRAMES];
	size_t nr;
	enum stack_end end;
	uint64_t needed_stack;	/* for a truncated stack: bytes from sp it tried to read, at least */
};

/* Where to look for files (all may be NULL). */
struct lookup_opts {
	const char *symfs;		/* root of a copy of the recording host's files */
	const char *debug_dirs;		/* colon list of extra debug directories */
	const char *archive_dir;	/* the recording's unpacked archive (debug files) */
};

/* Set the lookup options for every later unwind.  Returns 0 or -errno. */
int unwind_init(const struct lookup_opts *opts);
/* Release global state (file cache). */
void unwind_fini(void);

/* Unwind sample s of a thread running in as.  Never fails: the result says how far it got. */
void unwind_sample(struct aspace *as, const struct screc_sample *s, struct unwind_result *res);

/* Free the unwinder state attached to as (called by the process model). */
void unwind_free_space(struct aspace *as);

/*
 * The Dwfl module that holds pc in as (after an unwind_sample() on as), or
 * NULL; and the file's load bias.  Used by the symbolizer.
 */
struct Dwfl_Module *unwind_module(struct aspace *as, uint64_t pc);

/*
 * The local file used for a map's (path, build-id), or NULL; *mismatch says
 * whether a candidate was rejected for its build-id.
 */
const char *unwind_file_found(const struct map *m, bool *mismatch, bool *archived);

/* Register a file unpacked from the recording's archive, for its build-id. */
void unwind_add_archived(const uint8_t *bid, size_t len, const char *path, bool vdso);

/* Count a frame left without a name in m's file (for the missing-files table). */
void unwind_note_unnamed(const struct map *m);

/*
 * Print the table of files that left frames unnamed: build-id, path on the
 * recording host, frames, and what would fix it.  Prints nothing when none.
 */
void unwind_print_missing(FILE *out, const char *recording);

/* Whether a map's file was found with a different build-id than recorded. */
bool unwind_build_id_mismatch(const struct map *m);

#endif
