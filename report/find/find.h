/* SPDX-License-Identifier: MIT */
/*
 * Finding the files of a recording: for each recorded (path, build-id), the
 * local file with that build-id (under --symfs first, then at the recorded
 * path), else the copy in the recording's archive, else a binary under a
 * debug directory's .build-id tree; separate debug files and debuginfod come
 * through libdwfl.  A file whose build-id differs is never used.  Also the
 * modules of an address space as a Dwfl (cached per address space, added to
 * when files are mapped, rebuilt when other executable maps change), which
 * the unwinder and the symbolizer share, and the bytes of read-only file
 * mappings.
 */
#ifndef SCREC_FIND_H
#define SCREC_FIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/format.h"
#include "report/model/proc.h"

struct screc_strtab;
struct Dwfl;
struct Dwfl_Module;

/* Where to look for files (all may be NULL). */
struct lookup_opts {
	const char *symfs;		/* root of a copy of the recording host's files */
	const char *debug_dirs;		/* colon list of extra debug directories */
	bool no_cache;			/* --no-cache: no inflated debug files kept on disk */
};

struct finder;

/* A lookup chain with opts (copied; the strings must outlive it).  NULL without memory. */
struct finder *find_new(const struct lookup_opts *opts, struct screc_strtab *strs);
/* Close every file, remove the unpacked archive; NULL is a no-op. */
void find_free(struct finder *f);
/* How many threads the lookup may use (to inflate debug files): 1 unless set. */
void find_set_jobs(struct finder *f, unsigned jobs);

/* What was found for a map's (path, build-id). */
struct find_status {
	const char *found;		/* the local path used, or NULL */
	bool mismatch;			/* not found, and a candidate had another build-id */
	bool archived;			/* found is the recording's archived copy */
};
/* Look m's file up (once; later calls are cached). */
void find_status(struct finder *f, const struct map *m, struct find_status *st);

/*
 * The model's file reader (file_read_fn): bytes of the traced memory from
 * the local file with the recorded build-id, never from another.  Without a
 * map (the recording has mappings of executable code only), addr is looked
 * for in the read-only segments of the files as maps: .rodata beside .text.
 */
size_t find_read(void *finder, const struct aspace *as, const struct map *m, uint64_t addr,
		 void *buf, size_t len);

/*
 * The modules of as as a Dwfl, built from its executable maps (or reused
 * while they have not changed); NULL if libdwfl could not start.  Owned by
 * as (freed with it).
 */
struct Dwfl *find_dwfl(struct finder *f, struct aspace *as);
/*
 * Which Dwfl find_dwfl() last gave for as: the same number while it only
 * added modules to it (what was attached to it stays), another for a new
 * one; 0 for none yet.
 */
uint64_t find_dwfl_serial(const struct aspace *as);
/* The module holding pc in as, or NULL. */
struct Dwfl_Module *find_module(struct finder *f, struct aspace *as, uint64_t pc);

/* Whether pc lies in a function that moves execution to another stack (Go's systemstack...). */
bool find_stack_switcher(struct finder *f, const struct aspace *as, uint64_t pc);

/*
 * The name a perf map gives the JIT code at addr in process pid, or NULL;
 * *start (may be NULL) gets where that code starts.  The maps come from the
 * recording (find_perfmap_add()), else from this host's /tmp/perf-PID.map
 * (or $SCREC_PERF_MAP_DIR/perf-PID.map), read once.
 */
const char *find_perfmap_lookup(struct finder *f, uint32_t pid, uint64_t addr, uint64_t *start);
/*
 * Add the text of a perf map the recording carries for pid (its lines, as
 * the runtime wrote them; pieces in order).  The local file is then not
 * read for pid.  0 or -ENOMEM.
 */
int find_perfmap_add(struct finder *f, uint32_t pid, const char *text, size_t len);
/*
 * A piece of a PERFMAP record: taken when it continues what was taken of
 * pid's map (offset 0 first, then in order); a second copy of the same map
 * is ignored.  0 or -ENOMEM.
 */
int find_perfmap_add_piece(struct finder *f, uint32_t pid, uint64_t offset, const char *text,
			   size_t len);
/*
 * The recording's perf maps are written at its end: scan(arg, f) is called
 * once, before the first lookup, to hand them over with
 * find_perfmap_add_piece() (a pass over the file, paid only by a report
 * that meets code outside every known file).
 */
typedef void (*find_perfmap_scan_fn)(void *arg, struct finder *f);
void find_perfmap_set_scan(struct finder *f, find_perfmap_scan_fn scan, void *arg);

/* Count a frame left without a name in m's file (for the missing-files table). */
void find_note_unnamed(struct finder *f, const struct map *m);

/* A file that left frames unnamed, for the report's table of what to fix. */
struct find_unnamed {
	const char *path;		/* on the recording host */
	const char *build_id_hex;	/* NULL without one */
	uint64_t frames;
	bool found, mismatch, archived;
};
/* Call fn for each such file, in the order they were first looked up. */
void find_each_unnamed(struct finder *f, void (*fn)(void *arg, const struct find_unnamed *u),
		       void *arg);

/*
 * The recording's archive (BLOB records: the vdso, binaries, debug files),
 * unpacked into anonymous memory (nothing is left behind).
 * find_archive_load() reads a recording open at fd (owned from then on) in a
 * first pass, when its header says it carries an archive at the end, and
 * takes the files its mappings use; find_archive_store() takes one BLOB met
 * in the main pass.  Both return 0 or -errno, with a message when the
 * archive cannot be used (the report goes on without it); a malformed record
 * is reported and skipped.
 */
int find_archive_load(struct finder *f, int fd, const char *recording);
int find_archive_store(struct finder *f, const struct screc_rec *rec, const char *recording);
/* Whether find_archive_load() took every BLOB already. */
bool find_archive_loaded(const struct finder *f);
/* Why the archive could not be used (-errno), or 0. */
int find_archive_error(const struct finder *f);

#endif
