/* SPDX-License-Identifier: MIT */
/*
 * Opening the files that traced processes mapped, for their build-ids and
 * for the archive, without being led elsewhere: their paths are the traced
 * program's to change, and the recorder often runs as root.  See mapfile.c.
 */
#ifndef SCREC_RECORD_MAPFILE_H
#define SCREC_RECORD_MAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Which file a mapping is: its device and inode, when known. */
struct mapfile_id {
	uint64_t dev;		/* st_dev */
	uint64_t ino;
	bool known;
};

/*
 * Open path for reading only if it is a regular file reached through no
 * symbolic link (openat2 RESOLVE_NO_SYMLINKS; O_NOFOLLOW on the last
 * component where openat2 is missing), never blocking (a FIFO) nor taking a
 * terminal.  *id gets the file's device and inode.  Returns the fd, -ELOOP
 * for a link on the way, -EINVAL for what is not a regular file, or -errno.
 */
int mapfile_open_path(const char *path, struct mapfile_id *id);

/*
 * Open the very file pid maps at [start, end) through /proc/PID/map_files/
 * (what the kernel holds, whatever has become of its path since; the
 * mapping must still exist).  Returns the fd or -errno; *id as above.
 */
int mapfile_open_map_files(pid_t pid, uint64_t start, uint64_t end, struct mapfile_id *id);

/* mapfile_open_map_files(), else mapfile_open_path(path). */
int mapfile_open_mapped(pid_t pid, uint64_t start, uint64_t end, const char *path,
			struct mapfile_id *id);

/* The GNU build-id of the open ELF file fd (screc_read_build_id's rules).  0 or -errno. */
int mapfile_build_id(int fd, uint8_t *bid, size_t *len);

/* Build-ids already read, by device and inode (files do not change under a mapping). */
struct mapfile_cache {
	struct mapfile_cached {
		uint64_t dev, ino;	/* ino 0: a free slot */
		uint8_t len;		/* 0: the file has none */
		uint8_t bid[20];
	} *e;
	size_t nr, cap;
};

/* mapfile_build_id() through the cache; id is the file's (from mapfile_open_*). */
int mapfile_cached_build_id(struct mapfile_cache *c, int fd, const struct mapfile_id *id,
			    uint8_t *bid, size_t *len);
/* Free the cache; safe to call twice. */
void mapfile_cache_release(struct mapfile_cache *c);

/* A path that opens fd's file again (/proc/self/fd/N), for functions that take paths. */
void mapfile_fd_path(int fd, char *buf, size_t len);

/*
 * The identity a PERF_RECORD_MMAP2 carries when it has no build-id: the
 * kernel's (and proc_synthesize()'s) maj, min and ino.  False when the
 * record has a build-id instead, or no device.
 */
bool mapfile_mmap2_id(const void *rec, size_t len, struct mapfile_id *id);

#endif
