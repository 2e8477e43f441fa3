// SPDX-License-Identifier: MIT
/*
 * --format=pprof: a gzipped profile.proto, which go tool pprof, Pyroscope,
 * Parca and Grafana read: the bridge to fleet-wide analysis.  Two values per
 * sample, calls/count and latency/nanoseconds (the syscalls' total
 * duration); one sample per distinct (process, syscall and errno, stack),
 * labelled syscall, errno (when it failed), pid, comm and host.  The syscall
 * is the leaf location (a function of its name, no mapping), so flame graphs
 * end in it; a stack that is not complete ends in a "[truncated]" location.
 * Locations are per function (the stack trie's frame identity), their
 * address the first one seen; frames inlined into a function become extra
 * lines of its location, innermost first.  Mappings are per binary and
 * build-id, without address ranges (the events do not carry them); the main
 * executable comes first: the binary that most often holds the outermost
 * frame and is not a shared library.
 *
 * Events go into a stack trie; the profile is encoded at the end (its size
 * grows with the distinct paths, not the events) and written through zlib's
 * gzip stream.  With several recordings, their samples simply add up; each
 * carries its host.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/version.h"
#include "export.h"
#include "protobuf.h"
#include "report/agg/trie.h"
#include "sink.h"

/* profile.proto's field numbers. */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE, PROFILE_MAPPING, PROFILE_LOCATION,
	PROFILE_FUNCTION, PROFILE_STRING_TABLE, PROFILE_TIME_NANOS = 9, PROFILE_DURATION_NANOS,
	PROFILE_PERIOD_TYPE, PROFILE_PERIOD, PROFILE_COMMENT, PROFILE_DEFAULT_SAMPLE_TYPE,
	VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT,
	SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE, SAMPLE_LABEL,
	LABEL_KEY = 1, LABEL_STR, LABEL_NUM,
	MAPPING_ID = 1, MAPPING_START, MAPPING_LIMIT, MAPPING_OFFSET, MAPPING_FILENAME,
	MAPPING_BUILD_ID, MAPPING_HAS_FUNCTIONS, MAPPING_HAS_FILENAMES, MAPPING_HAS_LINE_NUMBERS,
	MAPPING_HAS_INLINE_FRAMES,
	LOCATION_ID = 1, LOCATION_MAPPING_ID, LOCATION_ADDRESS, LOCATION_LINE,
	LINE_FUNCTION_ID = 1, LINE_LINE,
	FUNCTION_ID = 1, FUNCTION_NAME, FUNCTION_SYSTEM_NAME, FUNCTION_FILENAME,
};

/* What a frame identity of the trie knows besides its key, from the first event that had it. */
struct side {
	uint64_t addr;
	uint32_t mapping;	/* index + 1; 0 none */
	bool seen;
};

struct pmapping {
	const char *dso, *build_id;	/* the report's strings (valid until end() returns) */
	uint64_t outermost;		/* events whose outermost frame is here */
	uint32_t id;			/* in the profile, main executable first */
};

/* Strings by content: the profile's string table. */
struct strmap {
	char **strs;		/* by index; strs[0] is "" */
	size_t nr, cap;
	uint32_t *slots;	/* index, 0 empty */
	size_t mask;
	int err;
};

struct pprof {
	struct export_recs recs;
	struct trie *paths;	/* task, syscall, innermost frame ... outermost, end marker */
	struct side *side;	/* by identity */
	size_t cap_side;
	struct pmapping *maps;
	size_t nr_maps, cap_maps;
	uint32_t *ids;
	size_t cap_ids;
	uint64_t end_ns;	/* the latest exit on the time axis */

	/* Made at the end. */
	struct strmap strs;
	struct trie *funcs;	/* (name, file) -> function */
	struct trie *locs;	/* sequence of identities -> location */
	uint32_t *loc_of;	/* by locs node: location id, 0 none yet */
	size_t cap_loc_of;
	uint32_t nr_funcs, nr_locs;
	uint64_t *loc_ids;
	size_t cap_loc_ids;
	struct screc_buf profile, msg, sub;
};

static void
strmap_release(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		free(m->strs[i]);
	free(m->strs);
	free(m->slots);
	*m = (struct strmap){ 0 };
}

static int
strmap_rehash(struct strmap *m)
{
	size_t n = m->slots ? (m->mask + 1) * 2 : 256, i;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	free(m->slots);
	m->slots = s;
	m->mask = n - 1;
	for (i = 1; i < m->nr; i++) {
		size_t j = screc_hash_str(m->strs[i]) & m->mask;

		while (m->slots[j])
			j = (j + 1) & m->mask;
		m->slots[j] = (uint32_t)i;
	}
	return 0;
}

/* The index of s in the string table (0 for "" and NULL); errors are sticky in m->err. */
static uint64_t
str_index(struct strmap *m, const char *s)
{
	size_t j;
	uint32_t k;

	if (!s || !*s || m->err)
		return 0;
	if (!m->nr) {
		if (screc_grow(&m->strs, &m->cap, 1, sizeof(*m->strs), 256) || strmap_rehash(m) ||
		    !(m->strs[0] = strdup(""))) {
			m->err = -ENOMEM;
			return 0;
		}
		m->nr = 1;
	}
	j = screc_hash_str(s) & m->mask;
	while ((k = m->slots[j])) {
		if (strcmp(m->strs[k], s) == 0)
			return k;
		j = (j + 1) & m->mask;
	}
	if (m->nr >= UINT32_MAX - 1 ||
	    screc_grow(&m->strs, &m->cap, m->nr + 1, sizeof(*m->strs), 256) ||
	    !(m->strs[m->nr] = strdup(s))) {
		m->err = -ENOMEM;
		return 0;
	}
	m->slots[j] = (uint32_t)m->nr;
	k = (uint32_t)m->nr++;
	if (m->nr * 2 > m->mask + 1 && strmap_rehash(m))
		m->err = -ENOMEM;
	return k;
}

static void
pprof_free(struct sink *s)
{
	struct pprof *pp = s->priv;

	if (!pp)
		return;
	export_recs_release(&pp->recs);
	trie_free(pp->paths);
	trie_free(pp->funcs);
	trie_free(pp->locs);
	free(pp->side);
	free(pp->maps);
	free(pp->ids);
	free(pp->loc_of);
	free(pp->loc_ids);
	strmap_release(&pp->strs);
	screc_buf_release(&pp->profile);
	screc_buf_release(&pp->msg);
	screc_buf_release(&pp->sub);
	free(pp);
	s->priv = NULL;
}

static int
pprof_begin(struct sink *s, const struct report_meta *meta)
{
	struct pprof *pp = s->priv;

	if (!pp) {
		pp = calloc(1, sizeof(*pp));
		if (!pp)
			return -ENOMEM;
		s->priv = pp;
		pp->paths = trie_new(s->opts.srcline);
		if (!pp->paths) {
			pprof_free(s);
			return -ENOMEM;
		}
	}
	return export_recs_add(&pp->recs, meta);
}

static bool
is_library(const char *dso)
{
	const char *base = export_basename(dso), *so = strstr(base, ".so");

	return base[0] == '[' || (so && (so[3] == '\0' || so[3] == '.' || so[3] == '_'));
}

/* The mapping of a binary and build-id, made on first sight; *index gets it. */
static int
mapping_of(struct pprof *pp, const struct frame *fr, uint32_t *index)
{
	size_t i;

	/* Binaries are few; the report's strings are interned, so compare pointers first. */
	for (i = 0; i < pp->nr_maps; i++) {
		const struct pmapping *m = &pp->maps[i];

		if ((m->dso == fr->dso || strcmp(m->dso, fr->dso) == 0) &&
		    (m->build_id == fr->build_id ||
		     (m->build_id && fr->build_id && strcmp(m->build_id, fr->build_id) == 0))) {
			*index = (uint32_t)i;
			return 0;
		}
	}
	if (screc_grow(&pp->maps, &pp->cap_maps, pp->nr_maps + 1, sizeof(*pp->maps), 8))
		return -ENOMEM;
	pp->maps[pp->nr_maps] = (struct pmapping){ .dso = fr->dso, .build_id = fr->build_id };
	*index = (uint32_t)pp->nr_maps++;
	return 0;
}

static int
pprof_event(struct sink *s, const struct event *ev)
{
	struct pprof *pp = s->priv;
	struct trie_frame task = { .kind = TRIE_TASK, .name = ev->comm, .num = ev->pid,
				   .line = (int)ev->recording, .file = ev->host };
	uint64_t values[2] = { 1, ev->has_ret ? ev->duration_ns : 0 };
	uint64_t end = export_time(&pp->recs, ev) + values[1];
	size_t len = trie_event_len(ev) + 1, n, i;
	int err;

	if (end > pp->end_ns)
		pp->end_ns = end;
	if (screc_grow(&pp->ids, &pp->cap_ids, len, sizeof(*pp->ids), 64))
		return -ENOMEM;
	err = trie_intern(pp->paths, &task, &pp->ids[0]);
	if (!err)
		err = trie_event_ids(pp->paths, ev, pp->ids + 1, len - 1, &n);
	if (!err && export_grow_zero(&pp->side, &pp->cap_side, trie_nr_ids(pp->paths),
				     sizeof(*pp->side)))
		err = -ENOMEM;
	if (err)
		return err;
	/* What the keys leave out: the address and binary of the first frame of each. */
	for (i = 0; i < ev->nr_frames; i++) {
		struct side *sd = &pp->side[pp->ids[2 + i]];
		const struct frame *fr = &ev->frames[i];
		uint32_t m;

		if (sd->seen)
			continue;
		sd->seen = true;
		sd->addr = fr->rel ? fr->rel : fr->pc;
		if (fr->dso) {
			err = mapping_of(pp, fr, &m);
			if (err)
				return err;
			sd->mapping = m + 1;
		}
	}
	/* The binary of the outermost frame of a whole stack: main executable candidates. */
	if (ev->nr_frames && ev->end == STACK_COMPLETE) {
		const struct side *sd = &pp->side[pp->ids[1 + ev->nr_frames]];

		if (sd->mapping && !is_library(pp->maps[sd->mapping - 1].dso))
			pp->maps[sd->mapping - 1].outermost++;
	}
	return trie_add_path(pp->paths, TRIE_ROOT, pp->ids, n + 1, values, 2, NULL);
}

/* Mapping ids: the main executable 1, the others in order of first sight. */
static void
number_mappings(struct pprof *pp)
{
	size_t i, main = 0;
	uint32_t id = 2;

	for (i = 1; i < pp->nr_maps; i++)
		if (pp->maps[i].outermost > pp->maps[main].outermost)
			main = i;
	for (i = 0; i < pp->nr_maps; i++)
		pp->maps[i].id = i == main ? 1 : id++;
}

static void
value_type(struct pprof *pp, unsigned field, const char *type, const char *unit)
{
	screc_buf_reset(&pp->msg);
	pb_uint(&pp->msg, VALUE_TYPE_TYPE, str_index(&pp->strs, type));
	pb_uint(&pp->msg, VALUE_TYPE_UNIT, str_index(&pp->strs, unit));
	pb_bytes(&pp->profile, field, pp->msg.s, pp->msg.len);
}

/* The function of a name and source file, added to the profile on first sight; its id. */
static int
function_id(struct pprof *pp, const char *name, const char *file, uint32_t *id)
{
	uint64_t n = str_index(&pp->strs, name), f = str_index(&pp->strs, file);
	/*
	 * Keyed by the string table's own copies: the trie's front cache goes by
	 * pointer, and name is a reused buffer.
	 */
	struct trie_frame key = { .kind = TRIE_TEXT, .name = pp->strs.err ? NULL : pp->strs.strs[n],
				  .file = pp->strs.err ? NULL : pp->strs.strs[f] };
	uint32_t before = trie_nr_ids(pp->funcs), k;
	int err = pp->strs.err ? pp->strs.err : trie_intern(pp->funcs, &key, &k);

	if (err)
		return err;
	*id = k + 1;
	if (trie_nr_ids(pp->funcs) == before)
		return 0;
	screc_buf_reset(&pp->msg);
	pb_uint(&pp->msg, FUNCTION_ID, *id);
	pb_uint(&pp->msg, FUNCTION_NAME, n);
	pb_uint(&pp->msg, FUNCTION_SYSTEM_NAME, n);
	pb_uint(&pp->msg, FUNCTION_FILENAME, f);
	pb_bytes(&pp->profile, PROFILE_FUNCTION, pp->msg.s, pp->msg.len);
	return pp->msg.err;
}

/*
 * The location of frames ids[0..n) (the ones inlined first, the function
 * they are inlined into last), added to the profile on first sight; its id.
 */
static int
location_id(struct pprof *pp, const uint32_t *ids, size_t n, uint32_t *loc)
{
	struct screc_buf label = { 0 };
	const struct side *sd;
	uint32_t node = TRIE_ROOT, fid = 0;
	size_t i;
	int err = 0;

	for (i = n; i-- > 0 && !err;)
		err = trie_child(pp->locs, node, ids[i], &node);
	if (!err && export_grow_zero(&pp->loc_of, &pp->cap_loc_of, trie_nr_nodes(pp->locs),
				     sizeof(*pp->loc_of)))
		err = -ENOMEM;
	if (err)
		return err;
	if (pp->loc_of[node]) {
		*loc = pp->loc_of[node];
		return 0;
	}
	*loc = pp->loc_of[node] = ++pp->nr_locs;
	sd = ids[n - 1] < pp->cap_side ? &pp->side[ids[n - 1]] : NULL;

	screc_buf_reset(&pp->sub);
	pb_uint(&pp->sub, LOCATION_ID, *loc);
	if (sd && sd->mapping)
		pb_uint(&pp->sub, LOCATION_MAPPING_ID, pp->maps[sd->mapping - 1].id);
	if (sd && sd->seen)
		pb_uint(&pp->sub, LOCATION_ADDRESS, sd->addr);
	for (i = 0; i < n && !err; i++) {
		const struct trie_frame *f = trie_id_frame(pp->paths, ids[i]);

		screc_buf_reset(&label);
		export_label(&label, f, false);
		err = label.err ? label.err :
				  function_id(pp, screc_buf_text(&label),
					      f->kind == TRIE_FRAME ? f->file : NULL, &fid);
		screc_buf_reset(&pp->msg);
		pb_uint(&pp->msg, LINE_FUNCTION_ID, fid);
		if (f->kind == TRIE_FRAME && f->line > 0)
			pb_uint(&pp->msg, LINE_LINE, (uint64_t)f->line);
		pb_bytes(&pp->sub, LOCATION_LINE, pp->msg.s, pp->msg.len);
	}
	screc_buf_release(&label);
	pb_bytes(&pp->profile, PROFILE_LOCATION, pp->sub.s, pp->sub.len);
	return err ? err : pp->sub.err;
}

static void
label_str(struct pprof *pp, const char *key, const char *value)
{
	screc_buf_reset(&pp->msg);
	pb_uint(&pp->msg, LABEL_KEY, str_index(&pp->strs, key));
	pb_uint(&pp->msg, LABEL_STR, str_index(&pp->strs, value));
	pb_bytes(&pp->sub, SAMPLE_LABEL, pp->msg.s, pp->msg.len);
}

/*
 * The sample of the paths that end at node: its locations leaf first (the
 * syscall, frames innermost first, grouped with what is inlined into them),
 * its two values and its labels.
 */
static int
sample(struct pprof *pp, uint32_t node)
{
	uint64_t values[2] = { trie_self_value(pp->paths, node, 0),
			       trie_self_value(pp->paths, node, 1) };
	const struct trie_frame *task = NULL, *sys = NULL;
	size_t nr = 0, depth = 0, i, start;
	uint32_t n, loc;
	int err = 0;

	if (!values[0] && !values[1])
		return 0;
	for (n = node; n != TRIE_ROOT; n = trie_parent(pp->paths, n))
		depth++;
	if (screc_grow(&pp->ids, &pp->cap_ids, depth, sizeof(*pp->ids), 64) ||
	    screc_grow(&pp->loc_ids, &pp->cap_loc_ids, depth, sizeof(*pp->loc_ids), 64))
		return -ENOMEM;
	/* ids[] root first: the task, the syscall, the innermost frame, ... */
	for (i = depth, n = node; n != TRIE_ROOT; n = trie_parent(pp->paths, n))
		pp->ids[--i] = trie_node_id(pp->paths, n);
	task = trie_id_frame(pp->paths, pp->ids[0]);
	if (depth < 2 || task->kind != TRIE_TASK)
		return 0;	/* not a whole path */
	sys = trie_id_frame(pp->paths, pp->ids[1]);

	/* The syscall's location: one per name, whatever the errno. */
	{
		struct trie_frame key = { .kind = TRIE_SYSCALL, .name = sys->name,
					  .num = sys->name ? 0 : sys->num };
		uint32_t id;

		err = trie_intern(pp->paths, &key, &id);
		if (!err)
			err = location_id(pp, &id, 1, &loc);
		if (err)
			return err;
		pp->loc_ids[nr++] = loc;
	}
	for (i = start = 2; i < depth && !err; i++) {
		const struct trie_frame *f = trie_id_frame(pp->paths, pp->ids[i]);

		if (f->kind == TRIE_FRAME && (f->flags & TRIE_INLINED) && i + 1 < depth)
			continue;	/* goes with the frame it is inlined into */
		err = location_id(pp, pp->ids + start, i + 1 - start, &loc);
		pp->loc_ids[nr++] = loc;
		start = i + 1;
	}
	if (err)
		return err;

	screc_buf_reset(&pp->sub);
	pb_packed(&pp->sub, SAMPLE_LOCATION_ID, pp->loc_ids, nr);
	pb_packed(&pp->sub, SAMPLE_VALUE, values, 2);
	{
		struct screc_buf name = { 0 };

		export_label(&name, sys, false);
		label_str(pp, "syscall", screc_buf_text(&name));
		screc_buf_release(&name);
	}
	if (sys->err) {
		char num[16];

		snprintf(num, sizeof(num), "%d", sys->err);
		label_str(pp, "errno", sys->err_name ? sys->err_name : num);
	}
	screc_buf_reset(&pp->msg);
	pb_uint(&pp->msg, LABEL_KEY, str_index(&pp->strs, "pid"));
	pb_uint(&pp->msg, LABEL_NUM, (uint64_t)task->num);
	pb_bytes(&pp->sub, SAMPLE_LABEL, pp->msg.s, pp->msg.len);
	if (task->name)
		label_str(pp, "comm", task->name);
	if (task->file)
		label_str(pp, "host", task->file);
	pb_bytes(&pp->profile, PROFILE_SAMPLE, pp->sub.s, pp->sub.len);
	return pp->sub.err ? pp->sub.err : pp->msg.err;
}

/* The whole profile into pp->profile (without its string table). */
static int
encode(struct pprof *pp)
{
	uint32_t node, nr_nodes;
	size_t i, id;
	int err = 0;

	pp->funcs = trie_new_keyed(false, 0, 1);
	pp->locs = trie_new_keyed(false, 0, 1);
	if (!pp->funcs || !pp->locs)
		return -ENOMEM;
	str_index(&pp->strs, "");
	number_mappings(pp);
	value_type(pp, PROFILE_SAMPLE_TYPE, "calls", "count");
	value_type(pp, PROFILE_SAMPLE_TYPE, "latency", "nanoseconds");
	/* In the order of their ids: the main executable first. */
	for (id = 1; id <= pp->nr_maps; id++) {
		const struct pmapping *m = NULL;

		for (i = 0; i < pp->nr_maps && !m; i++)
			if (pp->maps[i].id == id)
				m = &pp->maps[i];
		screc_buf_reset(&pp->sub);
		pb_uint(&pp->sub, MAPPING_ID, m->id);
		pb_uint(&pp->sub, MAPPING_FILENAME, str_index(&pp->strs, m->dso));
		pb_uint(&pp->sub, MAPPING_BUILD_ID, str_index(&pp->strs, m->build_id));
		pb_uint(&pp->sub, MAPPING_HAS_FUNCTIONS, 1);
		pb_uint(&pp->sub, MAPPING_HAS_INLINE_FRAMES, 1);
		pb_bytes(&pp->profile, PROFILE_MAPPING, pp->sub.s, pp->sub.len);
	}
	/* Samples in the order of the trie's nodes: paths in order of first sight. */
	nr_nodes = trie_nr_nodes(pp->paths);
	for (node = 1; node < nr_nodes && !err; node++)
		err = sample(pp, node);
	if (err)
		return err;
	pb_uint(&pp->profile, PROFILE_TIME_NANOS, export_origin(&pp->recs));
	pb_uint(&pp->profile, PROFILE_DURATION_NANOS, pp->end_ns);
	value_type(pp, PROFILE_PERIOD_TYPE, "calls", "count");
	pb_uint(&pp->profile, PROFILE_PERIOD, 1);
	pb_uint(&pp->profile, PROFILE_COMMENT, str_index(&pp->strs, "screc " SCREC_VERSION));
	for (i = 0; i < pp->recs.nr; i++) {
		const struct report_meta *m = pp->recs.metas[i];
		struct screc_buf c = { 0 };

		if (!m)
			continue;
		screc_buf_printf(&c, "recording %zu: %s on %s: %s", i, m->path ? m->path : "?",
				 m->hostname ? m->hostname : "?", m->cmdline ? m->cmdline : "?");
		pb_uint(&pp->profile, PROFILE_COMMENT, str_index(&pp->strs, screc_buf_text(&c)));
		err = c.err;
		screc_buf_release(&c);
		if (err)
			return err;
	}
	pb_uint(&pp->profile, PROFILE_DEFAULT_SAMPLE_TYPE, str_index(&pp->strs, "calls"));
	if (pp->strs.err)
		return pp->strs.err;
	return pp->profile.err ? pp->profile.err : pp->sub.err ? pp->sub.err : pp->msg.err;
}

/* Deflate len bytes into out's gzip stream; flush finishes it.  0 or -errno. */
static int
gz_write(z_stream *z, FILE *out, const void *p, size_t len, bool finish)
{
	unsigned char buf[65536];
	int ret;

	z->next_in = (Bytef *)p;
	z->avail_in = (uInt)len;
	do {
		z->next_out = buf;
		z->avail_out = sizeof(buf);
		ret = deflate(z, finish ? Z_FINISH : Z_NO_FLUSH);
		if (ret == Z_STREAM_ERROR)
			return -EIO;
		if (fwrite(buf, 1, sizeof(buf) - z->avail_out, out) != sizeof(buf) - z->avail_out)
			return -EIO;
	} while (z->avail_out == 0 || (finish && ret != Z_STREAM_END));
	return 0;
}

static int
pprof_end(struct sink *s, const struct report_stats *st)
{
	struct pprof *pp = s->priv;
	FILE *out = s->opts.out;
	z_stream z = { 0 };
	size_t i;
	int err;

	(void)st;
	err = encode(pp);
	if (err)
		return err;
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	/* The string table last: every other part has added its strings by now. */
	err = gz_write(&z, out, pp->profile.s, pp->profile.len, false);
	for (i = 0; i < pp->strs.nr && !err; i++) {
		screc_buf_reset(&pp->msg);
		pb_bytes(&pp->msg, PROFILE_STRING_TABLE, pp->strs.strs[i], strlen(pp->strs.strs[i]));
		err = pp->msg.err ? pp->msg.err : gz_write(&z, out, pp->msg.s, pp->msg.len, false);
	}
	if (!err)
		err = gz_write(&z, out, NULL, 0, true);
	deflateEnd(&z);
	if (!err && (fflush(out) || ferror(out)))
		err = -EIO;
	return err;
}

const struct sink_ops sink_pprof = {
	.name = "pprof",
	.help = "gzipped profile.proto (go tool pprof, Pyroscope, Parca): calls and latency per "
		"stack, labelled (write it with -o FILE)",
	.each_recording = true,
	.begin = pprof_begin,
	.event = pprof_event,
	.end = pprof_end,
	.free = pprof_free,
};
