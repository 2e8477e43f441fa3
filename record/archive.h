/* SPDX-License-Identifier: MIT */
/*
 * Archiving binaries into a recording, so that it can be analyzed on a
 * machine that has none of the recording host's files: `screc record
 * --archive[=LEVEL]` at the end of recording, and `screc archive FILE`
 * afterwards on the same host.  Also the vdso, saved from memory always.
 */
#ifndef SCREC_ARCHIVE_H
#define SCREC_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/elf-extract.h"
#include "common/writer.h"
#include "mapfile.h"

struct archive;

struct archive *archive_new(void);
/* NULL is a no-op. */
void archive_free(struct archive *a);

/*
 * Remember an executable mapping of pid (path copied), with its build-id
 * and which file it is (id, may be NULL or unknown), once per pid and path.
 */
void archive_note_map(struct archive *a, uint32_t pid, const char *path, const uint8_t *bid,
		      size_t bid_len, const struct mapfile_id *id);
/* Whether archive_note_map() has seen pid and path already. */
bool archive_has_map(struct archive *a, uint32_t pid, const char *path);
/* Remember a build-id read for path (for maps recorded without one). */
void archive_note_build_id(struct archive *a, const char *path, const uint8_t *bid, size_t len);
/* Remember that pid has samples: its binaries are the ones to archive. */
void archive_note_sample(struct archive *a, uint32_t pid);

/*
 * Write the binaries mapped by processes with samples, each build-id once,
 * cut to level (and with FULL their separate debug files).  *files and *bytes
 * get what was stored (uncompressed).  Only the file that was mapped is
 * stored: one that is gone, reached through a symbolic link, another file
 * (device and inode) or of another build-id is skipped with a message, and
 * a mapping without a build-id is not archived.  Returns 0 or -errno.
 */
int archive_write(struct archive *a, struct screc_writer *w, enum screc_archive_level level,
		  unsigned *files, uint64_t *bytes);

/* Write this machine's vdso image (the one every process here maps).  0 or -errno. */
int archive_write_vdso(struct screc_writer *w);

/* Parse "unwind", "symbols" or "full"; -1 if none of them. */
int archive_parse_level(const char *s);

/* `screc archive [--level LEVEL] FILE`: add an archive to a finished recording. */
int cmd_archive(int argc, char **argv);

#endif
