/* SPDX-License-Identifier: MIT */
/*
 * Parsing the kernel perf records stored in a recording, against the
 * attributes the recording declares.  Bounds-checked: a record that does not
 * hold what its attributes promise is -EBADMSG.
 */
#ifndef SCREC_PERF_RECORD_H
#define SCREC_PERF_RECORD_H

#include <linux/perf_event.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"

/* One declared attribute set (from a SCREC_REC_ATTR record). */
struct screc_attr {
	uint32_t kind;			/* enum screc_attr_kind */
	uint32_t tp_id;
	uint64_t sample_type;
	uint64_t sample_regs_user;
	uint32_t sample_stack_user;
};

/* The attribute sets of a recording, looked up by perf sample id. */
struct screc_attrs {
	struct screc_attr *attrs;
	size_t nr_attrs;
	struct { uint64_t id; uint32_t idx; } *ids;	/* sorted by id */
	size_t nr_ids;
};

/* Add the attributes of one SCREC_REC_ATTR record.  Returns 0 or -errno. */
int screc_attrs_add(struct screc_attrs *a, const struct screc_rec *rec);
/* The attribute set of a sample id, or NULL. */
const struct screc_attr *screc_attrs_find(const struct screc_attrs *a, uint64_t id);
/* Release; the struct itself is the caller's. */
void screc_attrs_release(struct screc_attrs *a);

/* A parsed sample, or the sample_id_all fields of a side-band record. */
struct screc_sample {
	const struct screc_attr *attr;
	uint64_t id;
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu;
	uint64_t period;
	const uint8_t *raw;		/* tracepoint data */
	uint32_t raw_size;
	uint64_t regs_abi;		/* PERF_SAMPLE_REGS_ABI_*; 0 = no user regs */
	const void *regs;		/* one u64 per bit of attr->sample_regs_user */
	uint32_t nr_regs;
	const uint8_t *stack;
	uint64_t stack_size;		/* bytes in stack */
	uint64_t stack_dyn_size;	/* bytes the kernel says are valid */
};

/*
 * Parse a PERF_RECORD_SAMPLE (hdr points at struct perf_event_header, len is
 * what is readable).  Returns 0, -ENOENT for an id no attribute declares, or
 * -EBADMSG.
 */
int screc_sample_parse(const struct screc_attrs *a, const void *hdr, size_t len,
		       struct screc_sample *s);

/*
 * Parse the sample_id_all trailer of any other record into s (pid, tid, time,
 * cpu, id).  Returns 0, -ENOENT or -EBADMSG.
 */
int screc_sample_id_parse(const struct screc_attrs *a, const void *hdr, size_t len,
			  struct screc_sample *s);

/* The value of the register with perf index reg in s, or -ENOENT. */
int screc_sample_reg(const struct screc_sample *s, unsigned reg, uint64_t *val);

#ifndef PERF_RECORD_MISC_MMAP_BUILD_ID
#define PERF_RECORD_MISC_MMAP_BUILD_ID (1 << 14)
#endif

/* A PERF_RECORD_MMAP2, parsed. */
struct screc_mmap2 {
	uint32_t pid, tid;
	uint64_t addr, len, pgoff;
	uint32_t prot, flags;
	uint8_t build_id[20];
	uint8_t build_id_len;		/* 0 when the kernel gave none */
	const char *path;		/* NUL-terminated inside the record */
	size_t path_len;
};

/* Parse a PERF_RECORD_MMAP2 (hdr and len as for screc_sample_parse).  0 or -EBADMSG. */
int screc_mmap2_parse(const void *hdr, size_t len, struct screc_mmap2 *m);

/* The count of a PERF_RECORD_LOST or LOST_SAMPLES record; -EBADMSG, -ENOENT for other types. */
int screc_lost_parse(const void *hdr, size_t len, uint64_t *count);

/*
 * The kernel record inside a SCREC_REC_PERF record: *perf points at it and
 * *h is its header, whose size was checked against the record.  0 or -EBADMSG.
 */
int screc_rec_perf(const struct screc_rec *rec, const uint8_t **perf,
		   struct perf_event_header *h);

/* A name for a PERF_RECORD_* type ("MMAP2"), or NULL. */
const char *screc_perf_type_name(uint32_t type);

#endif
