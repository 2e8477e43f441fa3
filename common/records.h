/* SPDX-License-Identifier: MIT */
/*
 * One checked getter per record type: every reader of a record (the report,
 * info, --raw, the archive code) takes its fields through these, so that a
 * bound is checked in one place.  Each returns 0 and fills a view whose
 * pointers point into the record (valid while it is), or -EBADMSG when the
 * record does not hold what its type promises.
 */
#ifndef SCREC_RECORDS_H
#define SCREC_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"

/* SCREC_REC_INFO. */
int screc_get_info(const struct screc_rec *rec, struct screc_rec_info *out);

/* SCREC_REC_STRING: key and len bytes of data (not NUL-terminated). */
struct screc_string_view {
	uint32_t key;			/* enum screc_string_key */
	const char *data;
	size_t len;
};
int screc_get_string(const struct screc_rec *rec, struct screc_string_view *out);

/* SCREC_REC_TRACEPOINT. */
struct screc_tracepoint_view {
	uint32_t id;
	const char *name;
	size_t name_len;
	const char *format;
	size_t format_len;
};
int screc_get_tracepoint(const struct screc_rec *rec, struct screc_tracepoint_view *out);

/* SCREC_REC_BUILDID. */
struct screc_buildid_view {
	uint32_t pid;
	uint8_t build_id[20];
	uint8_t build_id_len;		/* at most 20 */
	const char *path;
	size_t path_len;
};
int screc_get_buildid(const struct screc_rec *rec, struct screc_buildid_view *out);

/*
 * SCREC_REC_BLOB.  Besides the record's own bounds, a piece must lie inside
 * its declared file (offset + data_len <= total_size), be of a known kind and
 * carry a build-id of 2 to 20 bytes.
 */
struct screc_blob_view {
	uint32_t kind;			/* enum screc_blob_kind */
	uint32_t level;
	uint8_t build_id[20];
	uint8_t build_id_len;
	uint64_t total_size, offset;
	const char *path;
	size_t path_len;
	const uint8_t *data;
	size_t data_len;
};
int screc_get_blob(const struct screc_rec *rec, struct screc_blob_view *out);

/*
 * SCREC_REC_RESOLVED.  Every part is checked to lie inside the record: the
 * frames (walked: each with its names), the text, the effects (walked) and
 * the kernel record.
 */
struct screc_resolved_view {
	uint32_t nr_frames;
	uint8_t end, flags;
	uint64_t stack_size;
	const uint8_t *frames;		/* frames_len bytes: see screc_resolved_frame_next() */
	size_t frames_len;
	const char *text;
	size_t text_len;
	const uint8_t *effects;		/* effects_len bytes: see screc_resolved_effect_next() */
	size_t effects_len;
	const uint8_t *perf;		/* the kernel record */
	size_t perf_len;
};
int screc_get_resolved(const struct screc_rec *rec, struct screc_resolved_view *out);

/* One frame of a RESOLVED record, with its names (not NUL-terminated). */
struct screc_resolved_frame_view {
	struct screc_resolved_frame f;
	const char *name, *file, *dso;
};
/*
 * The frame at *pos of a checked view's frames, advancing *pos.  Returns 1,
 * or 0 at the end (the getter checked the walk).
 */
int screc_resolved_frame_next(const struct screc_resolved_view *v, size_t *pos,
			      struct screc_resolved_frame_view *out);

struct screc_resolved_effect_view {
	struct screc_resolved_effect e;
	const char *what;		/* what_len bytes */
};
int screc_resolved_effect_next(const struct screc_resolved_view *v, size_t *pos,
			       struct screc_resolved_effect_view *out);

/*
 * SCREC_REC_FDS.  The entries are walked: each must fit with its path
 * padded to 8, have fd >= 0 and a path of at least one byte, and there must
 * be exactly nr_fds of them filling the record.
 */
struct screc_fds_view {
	uint32_t pid;
	uint32_t nr_fds;
	uint64_t time;
	const uint8_t *entries;		/* entries_len bytes: see screc_fds_next() */
	size_t entries_len;
};
int screc_get_fds(const struct screc_rec *rec, struct screc_fds_view *out);

/* One fd of an FDS record. */
struct screc_fds_entry_view {
	int fd;
	bool cloexec;
	const char *path;		/* path_len bytes, not NUL-terminated */
	size_t path_len;
};
/*
 * The entry at *pos of a checked view, advancing *pos.  Returns 1, or 0 at
 * the end (the getter checked the walk).
 */
int screc_fds_next(const struct screc_fds_view *v, size_t *pos, struct screc_fds_entry_view *out);

/* SCREC_REC_PERFMAP: len bytes of map text (not NUL-terminated), within the record. */
struct screc_perfmap_view {
	uint32_t pid;
	uint64_t offset;
	const char *text;
	size_t len;
};
int screc_get_perfmap(const struct screc_rec *rec, struct screc_perfmap_view *out);

/*
 * SCREC_REC_CAPTURE, its regions walked and checked: at most
 * SCREC_CAPTURE_MAX_REGIONS, each of at most SCREC_CAPTURE_MAX_LEN bytes
 * inside the record, its arg below 6, when ENTRY or EXIT.  -EBADMSG
 * otherwise.
 */
struct screc_capture_view {
	uint32_t tid, nr;
	uint64_t time;
	uint8_t when;
	unsigned nr_regions;
	struct {
		uint64_t addr;
		uint32_t len, arg;
		const uint8_t *data;
	} regions[SCREC_CAPTURE_MAX_REGIONS];
};
int screc_get_capture(const struct screc_rec *rec, struct screc_capture_view *out);

/* SCREC_REC_TARGET_EXIT and SCREC_REC_TRAILER. */
int screc_get_target_exit(const struct screc_rec *rec, struct screc_rec_target_exit *out);
int screc_get_trailer(const struct screc_rec *rec, struct screc_rec_trailer *out);

/* Kernel side-band records inside SCREC_REC_PERF (hdr and len as screc_sample_parse takes). */

/* PERF_RECORD_COMM: comm is NUL-terminated (the kernel's 16 bytes at most). */
struct screc_comm {
	uint32_t pid, tid;
	char comm[17];
	bool exec;			/* PERF_RECORD_MISC_COMM_EXEC */
};
int screc_comm_parse(const void *hdr, size_t len, struct screc_comm *out);

/* PERF_RECORD_FORK and PERF_RECORD_EXIT. */
struct screc_task {
	bool fork;			/* else exit */
	uint32_t pid, ppid, tid, ptid;
};
int screc_task_parse(const void *hdr, size_t len, struct screc_task *out);

#endif
