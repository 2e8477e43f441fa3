// SPDX-License-Identifier: MIT
/*
 * The checked record getters.  Every length is compared with what is left
 * after the fixed part, never added to an offset first, so that no value in
 * a damaged file can make a check overflow.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>

#include "records.h"

/* The fixed part of rec into out (size bytes, header included). */
static int
fixed(const struct screc_rec *rec, void *out, size_t size)
{
	if (rec->size < size)
		return -EBADMSG;
	memcpy(out, rec, size);
	return 0;
}

/* What follows the fixed part of size bytes. */
static const uint8_t *
tail(const struct screc_rec *rec, size_t size, size_t *left)
{
	*left = rec->size - size;
	return (const uint8_t *)rec + size;
}

int
screc_get_info(const struct screc_rec *rec, struct screc_rec_info *out)
{
	return fixed(rec, out, sizeof(*out));
}

int
screc_get_string(const struct screc_rec *rec, struct screc_string_view *out)
{
	struct screc_rec_string rs;
	const uint8_t *p;
	size_t left;

	if (fixed(rec, &rs, sizeof(rs)))
		return -EBADMSG;
	p = tail(rec, sizeof(rs), &left);
	if (rs.len > left)
		return -EBADMSG;
	out->key = rs.key;
	out->data = (const char *)p;
	out->len = rs.len;
	return 0;
}

int
screc_get_capture(const struct screc_rec *rec, struct screc_capture_view *out)
{
	struct screc_rec_capture rc;
	const uint8_t *p;
	size_t left;
	unsigned i;

	if (fixed(rec, &rc, sizeof(rc)))
		return -EBADMSG;
	if (rc.nr_regions > SCREC_CAPTURE_MAX_REGIONS ||
	    (rc.when != SCREC_CAPTURE_ENTRY && rc.when != SCREC_CAPTURE_EXIT))
		return -EBADMSG;
	p = tail(rec, sizeof(rc), &left);
	out->tid = rc.tid;
	out->nr = rc.nr;
	out->time = rc.time;
	out->when = rc.when;
	out->nr_regions = rc.nr_regions;
	for (i = 0; i < rc.nr_regions; i++) {
		struct screc_capture_region r;
		size_t padded;

		if (left < sizeof(r))
			return -EBADMSG;
		memcpy(&r, p, sizeof(r));
		p += sizeof(r);
		left -= sizeof(r);
		if (r.len > SCREC_CAPTURE_MAX_LEN || r.arg >= 6)
			return -EBADMSG;
		padded = ((size_t)r.len + 7) & ~(size_t)7;
		if (padded > left)
			return -EBADMSG;
		out->regions[i].addr = r.addr;
		out->regions[i].len = r.len;
		out->regions[i].arg = r.arg;
		out->regions[i].data = p;
		p += padded;
		left -= padded;
	}
	return 0;
}

int
screc_get_tracepoint(const struct screc_rec *rec, struct screc_tracepoint_view *out)
{
	struct screc_rec_tracepoint rt;
	const uint8_t *p;
	size_t left;

	if (fixed(rec, &rt, sizeof(rt)))
		return -EBADMSG;
	p = tail(rec, sizeof(rt), &left);
	if (rt.name_len > left || rt.format_len > left - rt.name_len)
		return -EBADMSG;
	out->id = rt.id;
	out->name = (const char *)p;
	out->name_len = rt.name_len;
	out->format = (const char *)p + rt.name_len;
	out->format_len = rt.format_len;
	return 0;
}

int
screc_get_buildid(const struct screc_rec *rec, struct screc_buildid_view *out)
{
	struct screc_rec_buildid rb;
	const uint8_t *p;
	size_t left;

	if (fixed(rec, &rb, sizeof(rb)))
		return -EBADMSG;
	p = tail(rec, sizeof(rb), &left);
	if (rb.path_len > left || rb.build_id_len > sizeof(rb.build_id))
		return -EBADMSG;
	out->pid = rb.pid;
	memcpy(out->build_id, rb.build_id, sizeof(rb.build_id));
	out->build_id_len = rb.build_id_len;
	out->path = (const char *)p;
	out->path_len = rb.path_len;
	return 0;
}

int
screc_get_blob(const struct screc_rec *rec, struct screc_blob_view *out)
{
	struct screc_rec_blob b;
	const uint8_t *p;
	size_t left;

	if (fixed(rec, &b, sizeof(b)))
		return -EBADMSG;
	p = tail(rec, sizeof(b), &left);
	if (b.build_id_len < 2 || b.build_id_len > sizeof(b.build_id) || b.path_len > left ||
	    b.data_len > left - b.path_len || b.offset > b.total_size ||
	    b.data_len > b.total_size - b.offset ||
	    (b.kind != SCREC_BLOB_VDSO && b.kind != SCREC_BLOB_ELF && b.kind != SCREC_BLOB_DEBUG))
		return -EBADMSG;
	out->kind = b.kind;
	out->level = b.level;
	memcpy(out->build_id, b.build_id, sizeof(b.build_id));
	out->build_id_len = b.build_id_len;
	out->total_size = b.total_size;
	out->offset = b.offset;
	out->path = (const char *)p;
	out->path_len = b.path_len;
	out->data = p + b.path_len;
	out->data_len = b.data_len;
	return 0;
}

/* Round up to 8 without overflow (n < 2^32 here). */
static size_t
pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* The frame at pos of frames: its fixed part and names; 0 when it does not fit. */
static int
frame_at(const uint8_t *frames, size_t len, size_t pos, struct screc_resolved_frame_view *out,
	 size_t *next)
{
	size_t names;

	if (pos >= len || sizeof(out->f) > len - pos)
		return 0;
	memcpy(&out->f, frames + pos, sizeof(out->f));
	names = (size_t)out->f.name_len + out->f.file_len + out->f.dso_len;
	if (pad8(names) > len - pos - sizeof(out->f))
		return 0;
	out->name = (const char *)frames + pos + sizeof(out->f);
	out->file = out->name + out->f.name_len;
	out->dso = out->file + out->f.file_len;
	*next = pos + sizeof(out->f) + pad8(names);
	return 1;
}

static int
effect_at(const uint8_t *effects, size_t len, size_t pos, struct screc_resolved_effect_view *out,
	  size_t *next)
{
	if (pos >= len || sizeof(out->e) > len - pos)
		return 0;
	memcpy(&out->e, effects + pos, sizeof(out->e));
	if (pad8(out->e.what_len) > len - pos - sizeof(out->e))
		return 0;
	out->what = (const char *)effects + pos + sizeof(out->e);
	*next = pos + sizeof(out->e) + pad8(out->e.what_len);
	return 1;
}

int
screc_get_resolved(const struct screc_rec *rec, struct screc_resolved_view *out)
{
	struct screc_rec_resolved rr;
	struct screc_resolved_frame_view fv;
	struct screc_resolved_effect_view ev;
	const uint8_t *p;
	size_t left, pos, n;

	if (fixed(rec, &rr, sizeof(rr)))
		return -EBADMSG;
	p = tail(rec, sizeof(rr), &left);
	if (rr.frames_len > left || rr.frames_len % 8 || pad8(rr.text_len) > left - rr.frames_len ||
	    rr.effects_len > left - rr.frames_len - pad8(rr.text_len) || rr.effects_len % 8 ||
	    rr.perf_len > left - rr.frames_len - pad8(rr.text_len) - rr.effects_len)
		return -EBADMSG;
	out->nr_frames = rr.nr_frames;
	out->end = rr.end;
	out->flags = rr.flags;
	out->stack_size = rr.stack_size;
	out->frames = p;
	out->frames_len = rr.frames_len;
	out->text = (const char *)p + rr.frames_len;
	out->text_len = rr.text_len;
	out->effects = p + rr.frames_len + pad8(rr.text_len);
	out->effects_len = rr.effects_len;
	out->perf = out->effects + rr.effects_len;
	out->perf_len = rr.perf_len;
	/* The frames and effects must walk to their ends exactly. */
	for (pos = 0, n = 0; pos < out->frames_len; n++)
		if (!frame_at(out->frames, out->frames_len, pos, &fv, &pos))
			return -EBADMSG;
	if (n != rr.nr_frames)
		return -EBADMSG;
	for (pos = 0; pos < out->effects_len;)
		if (!effect_at(out->effects, out->effects_len, pos, &ev, &pos))
			return -EBADMSG;
	return 0;
}

int
screc_resolved_frame_next(const struct screc_resolved_view *v, size_t *pos,
			  struct screc_resolved_frame_view *out)
{
	return frame_at(v->frames, v->frames_len, *pos, out, pos);
}

int
screc_resolved_effect_next(const struct screc_resolved_view *v, size_t *pos,
			   struct screc_resolved_effect_view *out)
{
	return effect_at(v->effects, v->effects_len, *pos, out, pos);
}

/* The FDS entry at pos of entries; 0 when it does not fit or is not valid. */
static int
fds_entry_at(const uint8_t *entries, size_t len, size_t pos, struct screc_fds_entry_view *out,
	     size_t *next)
{
	struct screc_fds_entry e;

	if (pos >= len || sizeof(e) > len - pos)
		return 0;
	memcpy(&e, entries + pos, sizeof(e));
	if (e.fd < 0 || e.path_len == 0 || pad8(e.path_len) > len - pos - sizeof(e))
		return 0;
	out->fd = e.fd;
	out->cloexec = e.flags & SCREC_FDS_CLOEXEC;
	out->path = (const char *)entries + pos + sizeof(e);
	out->path_len = e.path_len;
	*next = pos + sizeof(e) + pad8(e.path_len);
	return 1;
}

int
screc_get_fds(const struct screc_rec *rec, struct screc_fds_view *out)
{
	struct screc_fds_entry_view e;
	struct screc_rec_fds rf;
	size_t left, pos, n;

	if (fixed(rec, &rf, sizeof(rf)))
		return -EBADMSG;
	out->entries = tail(rec, sizeof(rf), &left);
	out->entries_len = left;
	out->pid = rf.pid;
	out->nr_fds = rf.nr_fds;
	out->time = rf.time;
	/* At least 16 bytes an entry: a count beyond that cannot be right, and bounds the walk. */
	if (rf.nr_fds > left / 16)
		return -EBADMSG;
	for (pos = 0, n = 0; pos < left; n++)
		if (!fds_entry_at(out->entries, left, pos, &e, &pos))
			return -EBADMSG;
	return n == rf.nr_fds ? 0 : -EBADMSG;
}

int
screc_fds_next(const struct screc_fds_view *v, size_t *pos, struct screc_fds_entry_view *out)
{
	return fds_entry_at(v->entries, v->entries_len, *pos, out, pos);
}

int
screc_get_perfmap(const struct screc_rec *rec, struct screc_perfmap_view *out)
{
	struct screc_rec_perfmap rp;
	const uint8_t *p;
	size_t left;

	if (fixed(rec, &rp, sizeof(rp)))
		return -EBADMSG;
	p = tail(rec, sizeof(rp), &left);
	if (rp.len > left || rp.offset > UINT64_MAX - rp.len)
		return -EBADMSG;
	out->pid = rp.pid;
	out->offset = rp.offset;
	out->text = (const char *)p;
	out->len = rp.len;
	return 0;
}

int
screc_get_target_exit(const struct screc_rec *rec, struct screc_rec_target_exit *out)
{
	return fixed(rec, out, sizeof(*out));
}

int
screc_get_trailer(const struct screc_rec *rec, struct screc_rec_trailer *out)
{
	return fixed(rec, out, sizeof(*out));
}

/* The kernel header of a side-band record, checked against len and its minimum body. */
static int
perf_header(const void *hdr, size_t len, size_t body, struct perf_event_header *h)
{
	if (len < sizeof(*h))
		return -EBADMSG;
	memcpy(h, hdr, sizeof(*h));
	if (h->size > len || h->size < sizeof(*h) || h->size - sizeof(*h) < body)
		return -EBADMSG;
	return 0;
}

int
screc_comm_parse(const void *hdr, size_t len, struct screc_comm *out)
{
	const uint8_t *p = (const uint8_t *)hdr + sizeof(struct perf_event_header);
	struct perf_event_header h;
	size_t n;

	/* pid, tid and at least one byte of the name. */
	if (perf_header(hdr, len, 9, &h) || h.type != PERF_RECORD_COMM)
		return -EBADMSG;
	memcpy(&out->pid, p, 4);
	memcpy(&out->tid, p + 4, 4);
	n = h.size - sizeof(h) - 8;
	if (n > sizeof(out->comm) - 1)
		n = sizeof(out->comm) - 1;
	n = strnlen((const char *)p + 8, n);
	memcpy(out->comm, p + 8, n);
	out->comm[n] = '\0';
	out->exec = h.misc & PERF_RECORD_MISC_COMM_EXEC;
	return 0;
}

int
screc_task_parse(const void *hdr, size_t len, struct screc_task *out)
{
	const uint8_t *p = (const uint8_t *)hdr + sizeof(struct perf_event_header);
	struct perf_event_header h;
	uint32_t v[4];

	if (perf_header(hdr, len, sizeof(v), &h) ||
	    (h.type != PERF_RECORD_FORK && h.type != PERF_RECORD_EXIT))
		return -EBADMSG;
	memcpy(v, p, sizeof(v));
	out->fork = h.type == PERF_RECORD_FORK;
	out->pid = v[0];
	out->ppid = v[1];
	out->tid = v[2];
	out->ptid = v[3];
	return 0;
}
