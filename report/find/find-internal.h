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
	int image_fd;			/* a memfd holding what debuginfod gave, or -1 */
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
	/* Files unpacked from the recording's archive, by build-id and kind (archive.c). */
	struct archived {
		uint8_t bid[20];
		uint8_t len;
		uint32_t kind;		/* enum screc_blob_kind */
		int fd;			/* a memfd */
		uint64_t total, next;	/* declared size, bytes written in order */
		bool complete;
		char path[32];		/* /proc/self/fd/N once complete */
		const char *path_interned;
	} *archived;
	size_t nr_archived, cap_archived;
	/* The build-ids the recording's mappings use: only those are unpacked. */
	struct { uint8_t bid[20]; uint8_t len; } *want;
	size_t nr_want, cap_want;
	uint64_t archive_cap, archive_declared, archive_skipped;
	int archive_err;		/* why the archive was refused, once */
	bool archive_loaded;		/* find_archive_load() took every BLOB */
	struct perfmap *perfmaps;	/* per pid (perfmap.c) */
	find_perfmap_scan_fn perfmap_scan;	/* hands over the recording's maps, once */
	void *perfmap_scan_arg;
	bool perfmap_scanned;
	uint64_t dwfl_serial;		/* Dwfls started (find_dwfl_serial()) */
	/* Debug files handed to libdwfl inflated, by their build-ids (inflate.c). */
	struct inflated {
		uint8_t bid[20];
		uint8_t len;
		int fd;			/* the copy (memfd or cache file); -1: use the file itself */
		char *path;		/* where to open it again */
	} *inflated;
	size_t nr_inflated, cap_inflated;
	unsigned jobs;			/* threads the report may use (find_set_jobs()) */
	char *cache_dir;		/* NULL: no cache */
	bool cache_decided;		/* cache_dir is set */
};

/* The file for a map, found once (NULL for maps without a path, or without memory). */
struct file *find_file(struct finder *f, const struct map *m);
/* The load bias of map m in file fl: address - ELF vaddr.  False if no segment fits. */
bool find_map_bias(const struct file *fl, const struct map *m, uint64_t *bias);
/* How many bytes the archive may unpack (archive.c). */
uint64_t find_archive_cap(void);
/* Close the unpacked archive (archive.c). */
void find_archive_remove(struct finder *f);
/* The complete archived copy (ELF or vdso) of a build-id, or NULL; *vdso says which. */
const char *find_archived_path(const struct finder *f, const uint8_t *bid, size_t len,
			       bool *vdso);
/* Free the perf maps (perfmap.c). */
void find_perfmap_free(struct finder *f);
/* libdwfl's find_debuginfo callback: archived debug files first (userdata: the finder). */
int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		   const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		   char **debuginfo_file_name);
/*
 * When the debug file open at fd (named *name, or NULL) has the build-id
 * bid and compressed sections, its inflated copy (from the cache, or made
 * now and cached): a new fd, and *name replaced by the copy's path.  Else
 * -1, and nothing changed.  fd stays the caller's.
 */
int find_inflated(struct finder *f, int fd, const uint8_t *bid, size_t bid_len, char **name);
/* Close the inflated copies (inflate.c). */
void find_inflated_free(struct finder *f);

#endif
