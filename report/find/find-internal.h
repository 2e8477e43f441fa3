/* SPDX-License-Identifier: MIT */
/* What find.c and archive.c share: the finder's state and its files. */
#ifndef SCREC_FIND_INTERNAL_H
#define SCREC_FIND_INTERNAL_H

#include <elfutils/libdwfl.h>

#include "find.h"

#define MAX_LOADS	16
#define MAX_SWITCHERS	8

/* A file found for a recorded (path, build-id). */
struct file {
	const char *path;		/* interned recorded path */
	const char *build_id_hex;	/* interned, as recorded */
	uint8_t bid[20];
	uint8_t bid_len;
	const char *found;		/* interned path used, NULL if none */
	int fd;				/* a local file with the same build-id, for code bytes */
	bool mismatch;			/* a candidate existed with another build-id */
	bool archived;			/* found is the recording's archive copy */
	uint64_t unnamed;		/* frames left without a name */
	/* Functions that move execution to another stack (Go's systemstack, asmcgocall...). */
	struct { uint64_t lo, hi; } switchers[MAX_SWITCHERS];
	size_t nr_switchers;
	struct { uint64_t off, vaddr, filesz; uint32_t flags; } loads[MAX_LOADS];
	size_t nr_loads;
	struct file *next;		/* in its hash bucket */
	struct file *order;		/* in the order files were looked up */
};

struct finder {
	struct lookup_opts opts;
	struct screc_strtab *strs;
	char *debuginfo_path;
	Dwfl_Callbacks callbacks;
	struct file **files;		/* hash buckets by recorded path */
	struct file *first, *last;
	/* Files unpacked from the recording's archive, by build-id. */
	struct archived { uint8_t bid[20]; uint8_t len; bool vdso; const char *path; } *archived;
	size_t nr_archived, cap_archived;
	char archive_dir[64];		/* "" until something was unpacked */
	bool archive_loaded;		/* find_archive_load() took every BLOB */
};

/* The file for a map, found once (NULL for maps without a path, or without memory). */
struct file *find_file(struct finder *f, const struct map *m);
/* The load bias of map m in file fl: address - ELF vaddr.  False if no segment fits. */
bool find_map_bias(const struct file *fl, const struct map *m, uint64_t *bias);
/* Remove the unpacked archive (archive.c). */
void find_archive_remove(struct finder *f);

#endif
