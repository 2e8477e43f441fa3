// SPDX-License-Identifier: MIT
/*
 * `screc report --info` (also `screc info`): what a recording holds and
 * whether this machine can make sense of it: the recording host, kernel and
 * command, its duration and event counts, and every binary its processes
 * mapped, with its build-id and where the report would take it from.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "common/buildid.h"
#include "common/perf-record.h"
#include "common/records.h"
#include "common/strtab.h"
#include "common/syscalls.h"
#include "report/decode/tracepoint.h"
#include "report/model/proc.h"
#include "session-internal.h"

struct binary {
	struct map m;		/* path and build-id */
	uint64_t maps;
};

struct info {
	struct screc_strtab *strs;
	struct screc_rec_info rinfo;
	bool have_info;
	char *strings[SCREC_STR_LAST + 1];
	struct screc_attrs attrs;
	struct tp_table tps;
	uint64_t per_nr[1024];
	uint64_t enters, exits, lost, first_time, last_time;
	uint64_t archive_bytes;
	unsigned archive_files;		/* binaries and debug files, not the vdso */
	uint8_t vdso_bid[20];
	uint8_t vdso_bid_len;
	struct binary *bins;
	size_t nr_bins;
};

static void
add_binary(struct info *in, const char *path, const uint8_t *bid, size_t bid_len)
{
	const char *p = screc_strtab_intern(in->strs, path);
	size_t i;

	for (i = 0; i < in->nr_bins; i++)
		if (in->bins[i].m.path == p) {
			if (!in->bins[i].m.build_id_len && bid_len) {
				memcpy(in->bins[i].m.build_id, bid, bid_len);
				in->bins[i].m.build_id_len = (uint8_t)bid_len;
			}
			in->bins[i].maps++;
			return;
		}
	if ((in->nr_bins & (in->nr_bins - 1)) == 0 || in->nr_bins == 0) {
		struct binary *n = realloc(in->bins, (in->nr_bins ? 2 * in->nr_bins : 16) * sizeof(*n));

		if (!n)
			return;
		in->bins = n;
	}
	memset(&in->bins[in->nr_bins], 0, sizeof(in->bins[0]));
	in->bins[in->nr_bins].m.path = p;
	memcpy(in->bins[in->nr_bins].m.build_id, bid, bid_len);
	in->bins[in->nr_bins].m.build_id_len = (uint8_t)bid_len;
	in->bins[in->nr_bins].m.prot = PROT_EXEC;
	in->bins[in->nr_bins].maps = 1;
	in->nr_bins++;
}

static void
on_perf(struct info *in, const struct screc_rec *rec)
{
	const uint8_t *p;
	struct perf_event_header h;
	struct screc_sample s;

	if (rec->type == SCREC_REC_RESOLVED) {
		struct screc_resolved_view v;

		if (screc_get_resolved(rec, &v) || v.perf_len < sizeof(h))
			return;
		p = v.perf;
		memcpy(&h, p, sizeof(h));
		if (h.size > v.perf_len)
			return;
	} else if (screc_rec_perf(rec, &p, &h)) {
		return;
	}
	if (h.type == PERF_RECORD_SAMPLE && screc_sample_parse(&in->attrs, p, h.size, &s) == 0) {
		const struct tp_desc *d = tp_table_find(&in->tps, s.attr->tp_id);
		long nr;

		if (!in->first_time || s.time < in->first_time)
			in->first_time = s.time;
		if (s.time > in->last_time)
			in->last_time = s.time;
		if (!d)
			return;
		if (d->is_exit) {
			in->exits++;
			/* --failed: an exit with the stack stands for the call. */
			if (!(s.attr->sample_type & PERF_SAMPLE_STACK_USER))
				return;
		}
		in->enters++;
		nr = tp_syscall_nr(d, s.raw, s.raw_size);
		if (nr >= 0 && nr < 1024)
			in->per_nr[nr]++;
	} else if (h.type == PERF_RECORD_MMAP2) {
		struct screc_mmap2 m;

		if (screc_mmap2_parse(p, h.size, &m) == 0 && (m.prot & PROT_EXEC))
			add_binary(in, m.path, m.build_id, m.build_id_len);
	} else {
		uint64_t v;

		if (screc_lost_parse(p, h.size, &v) == 0)
			in->lost += v;
	}
}

static const char *
str(const struct info *in, int key)
{
	return in->strings[key] ? in->strings[key] : "?";
}

int
report_info(struct report_session *ss, FILE *out)
{
	struct screc_reader *r = ss->r;
	const char *path = ss->path;
	struct info *in = calloc(1, sizeof(*in));
	const struct screc_rec *rec;
	const struct screc_rec_trailer *tr;
	size_t i, found = 0, missing = 0;
	int ret, k;

	if (!in)
		return -ENOMEM;
	in->strs = ss->strs;
	while ((ret = screc_reader_next(r, &rec)) == 1) {
		switch (rec->type) {
		case SCREC_REC_INFO:
			if (screc_get_info(rec, &in->rinfo) == 0)
				in->have_info = true;
			break;
		case SCREC_REC_STRING: {
			struct screc_string_view sv;

			if (screc_get_string(rec, &sv) || sv.key > SCREC_STR_LAST ||
			    in->strings[sv.key])
				break;
			if (sv.key == SCREC_STR_CMDLINE) {
				/* NUL separated words: shown as a shell would take them. */
				struct screc_buf b = { 0 };
				size_t start = 0;

				for (i = 0; i <= sv.len; i++) {
					if (i < sv.len && sv.data[i])
						continue;
					if (i == sv.len && i == start)
						break;
					if (start)
						screc_buf_char(&b, ' ');
					screc_buf_shell_word(&b, sv.data + start, i - start);
					start = i + 1;
				}
				in->strings[sv.key] = b.err ? NULL : b.s;
				break;
			}
			in->strings[sv.key] = calloc(1, sv.len + 1);
			if (in->strings[sv.key])
				memcpy(in->strings[sv.key], sv.data, sv.len);
			break;
		}
		case SCREC_REC_TRACEPOINT:
			tp_table_add(&in->tps, rec, rec->size);
			break;
		case SCREC_REC_ATTR:
			screc_attrs_add(&in->attrs, rec);
			break;
		case SCREC_REC_BUILDID: {
			struct screc_buildid_view b;
			char p[4096];

			if (screc_get_buildid(rec, &b) || b.path_len >= sizeof(p))
				break;
			memcpy(p, b.path, b.path_len);
			p[b.path_len] = '\0';
			add_binary(in, p, b.build_id, b.build_id_len);
			break;
		}
		case SCREC_REC_PERF:
		case SCREC_REC_RESOLVED:
			on_perf(in, rec);
			break;
		case SCREC_REC_BLOB: {
			struct screc_blob_view b;

			if (!find_archive_loaded(ss->find))
				find_archive_store(ss->find, rec, path);
			if (screc_get_blob(rec, &b))
				break;
			if (b.kind != SCREC_BLOB_VDSO) {
				in->archive_bytes += b.data_len;
				if (b.offset == 0)
					in->archive_files++;
			}
			if (b.kind == SCREC_BLOB_VDSO) {
				memcpy(in->vdso_bid, b.build_id, b.build_id_len);
				in->vdso_bid_len = b.build_id_len;
			}
			break;
		}
		}
	}
	tr = screc_reader_trailer(r);
	if (ret == 0 && tr && in->enters < tr->nr_samples) {
		/* Complete to the trailer, but its samples are not all readable. */
		fprintf(out, "recording:  %s (damaged: the trailer counts %" PRIu64 " syscall "
			"samples, %" PRIu64 " can be read)\n", path, tr->nr_samples, in->enters);
		ret = -EUCLEAN;
	} else {
		fprintf(out, "recording:  %s (%s)\n", path,
			ret == 0 ? "complete" :
			ret == -ENODATA ? "truncated: its recorder did not finish" : "corrupt");
	}
	fprintf(out, "host:       %s, Linux %s, %s\n", str(in, SCREC_STR_HOSTNAME),
		str(in, SCREC_STR_KERNEL_RELEASE), str(in, SCREC_STR_MACHINE));
	fprintf(out, "recorder:   screc %s\n", str(in, SCREC_STR_SCREC_VERSION));
	fprintf(out, "command:    screc %s\n", str(in, SCREC_STR_CMDLINE));
	if (in->strings[SCREC_STR_FILTERS] && in->strings[SCREC_STR_FILTERS][0])
		fprintf(out, "filters:    %s (in the kernel: only these calls were recorded)\n",
			in->strings[SCREC_STR_FILTERS]);
	if (in->have_info) {
		time_t t = (time_t)(in->rinfo.start_realtime_ns / 1000000000u);
		char when[64];
		uint64_t end = tr ? tr->end_clock_ns : in->last_time;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
		fprintf(out, "started:    %s, duration %.3f s\n", when,
			end > in->rinfo.start_clock_ns ?
				(double)(end - in->rinfo.start_clock_ns) / 1e9 : 0.0);
		fprintf(out, "snapshots:  %u bytes of stack, registers %#" PRIx64 ", %u CPUs\n",
			in->rinfo.stack_size, in->rinfo.sample_regs_user, in->rinfo.nr_cpus);
	}
	fprintf(out, "events:     %" PRIu64 " syscalls (", in->enters);
	for (i = 0, k = 0; i < 1024; i++)
		if (in->per_nr[i]) {
			const char *n = screc_syscall_name((long)i);

			fprintf(out, "%s%s %" PRIu64, k++ ? ", " : "", n ? n : "?", in->per_nr[i]);
		}
	fprintf(out, "), %" PRIu64 " returns, %" PRIu64 " lost\n", in->exits,
		tr ? tr->nr_lost : in->lost);
	if (in->archive_files)
		fprintf(out, "archive:    %u file%s, %.1f MiB before compression\n",
			in->archive_files, in->archive_files == 1 ? "" : "s",
			(double)in->archive_bytes / (1024.0 * 1024.0));
	else
		fprintf(out, "archive:    none (record with --archive, or run 'screc archive' "
			"on the recording host)\n");
	fprintf(out, "binaries:   %zu\n", in->nr_bins);
	for (i = 0; i < in->nr_bins; i++) {
		struct map *m = &in->bins[i].m;
		char hex[41] = "(no build-id)";
		struct find_status st;
		const char *where;

		if (!m->build_id_len && strcmp(m->path, "[vdso]") == 0 && in->vdso_bid_len) {
			memcpy(m->build_id, in->vdso_bid, in->vdso_bid_len);
			m->build_id_len = in->vdso_bid_len;
		}
		if (m->build_id_len)
			screc_hex(m->build_id, m->build_id_len, hex);
		find_status(ss->find, m, &st);
		where = st.found;
		if (st.archived) {
			found++;
			where = strcmp(m->path, "[vdso]") == 0 ? "saved in the recording" : "archived";
		} else if (!map_is_file(m)) {
			where = "in memory only, not saved";
		} else {
			if (where) {
				found++;
				where = strcmp(where, m->path) == 0 ? "found" : where;
			} else {
				missing++;
				where = st.mismatch ? "missing: the file here has another build-id" :
						   "missing";
			}
		}
		fprintf(out, "  %-40s  %s  %s\n", hex, m->path, where);
	}
	if (missing)
		fprintf(out, "%zu of %zu binaries are missing here: copy them (or the recording "
			"host's root, for --symfs DIR) from the recording host\n", missing,
			found + missing);
	for (k = 0; k <= SCREC_STR_LAST; k++)
		free(in->strings[k]);
	free(in->bins);
	screc_attrs_release(&in->attrs);
	tp_table_release(&in->tps);
	free(in);
	return ret;
}
