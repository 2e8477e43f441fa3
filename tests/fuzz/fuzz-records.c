// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the record parsers of common/perf-record.h and the
 * checked getters of common/records.h.  Input: records as they follow the
 * file header of a decompressed recording ({type, size} and body, back to
 * back), cut where a size breaks what the reader guarantees (at least 8,
 * a multiple of 8, no more than is left).
 *
 * Each record goes into a buffer of exactly its size; every getter is called
 * on every record (they must hold whatever the type), ATTR records build the
 * attribute table, and the kernel record inside each PERF record is handed to
 * every perf parser twice: as screc_rec_perf() cuts it (in a buffer of
 * exactly its declared size) and as it stands in the record, with the
 * record's length.  Every pointer and length a parser returns is read whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/perf-record.h"
#include "common/records.h"
#include "fuzz-common.h"

static void
getters(const struct screc_rec *rec)
{
	struct screc_rec_info info;
	struct screc_string_view sv;
	struct screc_tracepoint_view tv;
	struct screc_buildid_view bv;
	struct screc_blob_view blob;
	struct screc_fds_view fv;
	struct screc_perfmap_view pv;
	struct screc_rec_target_exit te;
	struct screc_rec_trailer tr;
	struct screc_capture_view cv;

	(void)screc_get_info(rec, &info);
	if (screc_get_string(rec, &sv) == 0)
		fuzz_touch(sv.data, sv.len);
	if (screc_get_tracepoint(rec, &tv) == 0) {
		fuzz_touch(tv.name, tv.name_len);
		fuzz_touch(tv.format, tv.format_len);
	}
	if (screc_get_buildid(rec, &bv) == 0) {
		if (bv.build_id_len > sizeof(bv.build_id))
			fuzz_fail("buildid view: build-id of %u bytes", bv.build_id_len);
		fuzz_touch(bv.path, bv.path_len);
	}
	if (screc_get_blob(rec, &blob) == 0) {
		if (blob.build_id_len < 2 || blob.build_id_len > sizeof(blob.build_id) ||
		    blob.offset > blob.total_size || blob.data_len > blob.total_size - blob.offset)
			fuzz_fail("blob view breaks records.h's promise");
		fuzz_touch(blob.path, blob.path_len);
		fuzz_touch(blob.data, blob.data_len);
	}
	if (screc_get_fds(rec, &fv) == 0) {
		struct screc_fds_entry_view e;
		size_t pos = 0, n = 0;

		while (screc_fds_next(&fv, &pos, &e)) {
			if (e.fd < 0 || e.path_len == 0)
				fuzz_fail("fds entry: fd %d, path of %zu bytes", e.fd, e.path_len);
			fuzz_touch(e.path, e.path_len);
			n++;
		}
		if (n != fv.nr_fds || pos != fv.entries_len)
			fuzz_fail("fds view: %zu entries walked of %u", n, fv.nr_fds);
	}
	if (screc_get_perfmap(rec, &pv) == 0) {
		if (pv.offset > UINT64_MAX - pv.len)
			fuzz_fail("perfmap view: offset %llu + %zu wraps",
				  (unsigned long long)pv.offset, pv.len);
		fuzz_touch(pv.text, pv.len);
	}
	if (screc_get_capture(rec, &cv) == 0) {
		unsigned i;

		if (cv.nr_regions > SCREC_CAPTURE_MAX_REGIONS ||
		    (cv.when != SCREC_CAPTURE_ENTRY && cv.when != SCREC_CAPTURE_EXIT))
			fuzz_fail("capture view breaks records.h's promise");
		for (i = 0; i < cv.nr_regions; i++) {
			if (cv.regions[i].len > SCREC_CAPTURE_MAX_LEN || cv.regions[i].arg >= 6)
				fuzz_fail("capture region breaks records.h's promise");
			fuzz_touch(cv.regions[i].data, cv.regions[i].len);
		}
	}
	(void)screc_get_target_exit(rec, &te);
	(void)screc_get_trailer(rec, &tr);
}

static void
attr(struct screc_attrs *a, const struct screc_rec *rec)
{
	struct screc_rec_attr ra;
	size_t i;

	if (screc_attrs_add(a, rec) != 0)
		return;
	/* Every id just declared is found now (perhaps for an earlier attribute set). */
	memcpy(&ra, rec, sizeof(ra));
	for (i = 0; i < ra.nr_ids; i++) {
		uint64_t id;

		memcpy(&id, (const uint8_t *)rec + sizeof(ra) + 8 * i, 8);
		if (!screc_attrs_find(a, id))
			fuzz_fail("attribute id %#llx added and not found", (unsigned long long)id);
	}
}

/* Every parser on the kernel record at p (len bytes readable). */
static void
perf_parsers(const struct screc_attrs *a, const uint8_t *p, size_t len)
{
	struct screc_sample s;
	struct screc_mmap2 m;
	struct screc_comm c;
	struct screc_task t;
	uint64_t v;
	unsigned reg;

	if (screc_sample_parse(a, p, len, &s) == 0) {
		if (!s.attr)
			fuzz_fail("a parsed sample without its attribute set");
		fuzz_touch(s.raw, s.raw_size);
		fuzz_touch(s.regs, 8u * s.nr_regs);
		fuzz_touch(s.stack, s.stack_size);
		for (reg = 0; reg <= 64; reg++)
			(void)screc_sample_reg(&s, reg, &v);
	}
	(void)screc_sample_id_parse(a, p, len, &s);
	if (screc_mmap2_parse(p, len, &m) == 0) {
		if (m.build_id_len > sizeof(m.build_id) || m.path[m.path_len] != '\0')
			fuzz_fail("mmap2: build-id of %u bytes, or an unterminated path",
				  m.build_id_len);
		fuzz_touch(m.path, m.path_len + 1);
	}
	(void)screc_lost_parse(p, len, &v);
	if (screc_comm_parse(p, len, &c) == 0 && strnlen(c.comm, sizeof(c.comm)) == sizeof(c.comm))
		fuzz_fail("comm: not terminated");
	(void)screc_task_parse(p, len, &t);
}

static void
perf(const struct screc_attrs *a, const struct screc_rec *rec)
{
	struct perf_event_header h;
	const uint8_t *p;
	uint8_t *tight;

	if (screc_rec_perf(rec, &p, &h) == 0) {
		if (h.size < sizeof(h) || h.size > rec->size - sizeof(*rec))
			fuzz_fail("screc_rec_perf: a kernel record of %u bytes in %u", h.size,
				  rec->size);
		(void)screc_perf_type_name(h.type);
		tight = malloc(h.size);
		if (!tight)
			abort();
		memcpy(tight, p, h.size);
		perf_parsers(a, tight, h.size);
		free(tight);
	}
	perf_parsers(a, (const uint8_t *)rec + sizeof(*rec), rec->size - sizeof(*rec));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct screc_attrs attrs = { 0 };
	size_t off = 0;

	while (size - off >= sizeof(struct screc_rec)) {
		struct screc_rec h, *rec;

		memcpy(&h, data + off, sizeof(h));
		if (h.size < sizeof(h) || h.size % 8 || h.size > SCREC_REC_MAX ||
		    h.size > size - off)
			break;
		rec = malloc(h.size);
		if (!rec)
			abort();
		memcpy(rec, data + off, h.size);
		off += h.size;
		getters(rec);
		if (rec->type == SCREC_REC_ATTR)
			attr(&attrs, rec);
		else if (rec->type == SCREC_REC_PERF)
			perf(&attrs, rec);
		free(rec);
	}
	screc_attrs_release(&attrs);
	return 0;
}
