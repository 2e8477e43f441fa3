// SPDX-License-Identifier: MIT
/*
 * `screc report --raw`: every record of a recording, one line each, without
 * unwinding.  The debugging aid for the format, and what the end-to-end tests
 * of the recorder read.  Each line starts with the record's kind.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "common/arch.h"
#include "common/buildid.h"
#include "common/perf-record.h"
#include "common/records.h"
#include "common/syscalls.h"
#include "report/decode/tracepoint.h"
#include "session.h"

static const char *const string_keys[] = {
	[SCREC_STR_HOSTNAME] = "hostname",
	[SCREC_STR_KERNEL_RELEASE] = "kernel_release",
	[SCREC_STR_KERNEL_VERSION] = "kernel_version",
	[SCREC_STR_MACHINE] = "machine",
	[SCREC_STR_SCREC_VERSION] = "screc_version",
	[SCREC_STR_CMDLINE] = "cmdline",
	[SCREC_STR_EVENTS] = "events",
	[SCREC_STR_FILTERS] = "filters",
};

static void
print_time(FILE *out, uint64_t t)
{
	fprintf(out, "%" PRIu64 ".%09" PRIu64, t / 1000000000u, t % 1000000000u);
}

/* Print a byte string, escaping anything not printable; NULs become spaces. */
static void
print_escaped(FILE *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0)
			fputc(' ', out);
		else if (c == '\\' || c == '"')
			fprintf(out, "\\%c", c);
		else if (c < 32 || c >= 127)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

static void
dump_sample(FILE *out, const struct screc_sample *s, const struct tp_table *tps)
{
	const struct tp_desc *d = tp_table_find(tps, s->attr->tp_id);
	uint64_t args[TP_MAX_ARGS], v;
	const char *name;
	long nr;
	unsigned n, i;

	if (!d) {
		fprintf(out, "sample time=");
		print_time(out, s->time);
		fprintf(out, " pid=%u tid=%u unknown_tracepoint=%u\n", s->pid, s->tid,
			s->attr->tp_id);
		return;
	}
	nr = tp_syscall_nr(d, s->raw, s->raw_size);
	name = screc_syscall_name(nr);
	fprintf(out, "%s time=", d->is_exit ? "sys_exit" : "sys_enter");
	print_time(out, s->time);
	fprintf(out, " cpu=%u pid=%u tid=%u nr=%ld syscall=%s", s->cpu, s->pid, s->tid, nr,
		name ? name : "?");
	if (d->is_exit) {
		if (tp_read(&d->ret, s->raw, s->raw_size, &v) == 0)
			fprintf(out, " ret=%" PRId64, (int64_t)v);
		fputc('\n', out);
		return;
	}
	n = tp_args(d, s->raw, s->raw_size, args);
	fprintf(out, " args=");
	for (i = 0; i < n; i++)
		fprintf(out, "%s%#" PRIx64, i ? "," : "", args[i]);
	if (screc_sample_reg(s, SCREC_PERF_IP, &v) == 0)
		fprintf(out, " ip=%#" PRIx64, v);
	if (screc_sample_reg(s, SCREC_PERF_SP, &v) == 0)
		fprintf(out, " sp=%#" PRIx64, v);
	fprintf(out, " regs=%u stack=%" PRIu64 "/%u\n", s->nr_regs, s->stack_size,
		s->attr->sample_stack_user);
}

static void
dump_perf(FILE *out, const struct screc_rec *rec, const struct screc_attrs *attrs,
	  const struct tp_table *tps)
{
	struct perf_event_header h;
	struct screc_sample s;
	const char *tname;
	const uint8_t *p;
	size_t len;
	int err;

	if (screc_rec_perf(rec, &p, &h)) {
		fprintf(out, "bad_perf_record size=%u\n", rec->size);
		return;
	}
	len = h.size;
	if (h.type == PERF_RECORD_SAMPLE) {
		err = screc_sample_parse(attrs, p, len, &s);
		if (err)
			fprintf(out, "bad_sample error=%s\n", strerror(-err));
		else
			dump_sample(out, &s, tps);
		return;
	}
	screc_sample_id_parse(attrs, p, len, &s);
	tname = screc_perf_type_name(h.type);
	switch (h.type) {
	case PERF_RECORD_COMM: {
		struct screc_comm c;

		if (screc_comm_parse(p, len, &c))
			break;
		fprintf(out, "comm time=");
		print_time(out, s.time);
		fprintf(out, " pid=%u tid=%u exec=%d comm=\"", c.pid, c.tid, c.exec);
		print_escaped(out, c.comm, strlen(c.comm));
		fprintf(out, "\"\n");
		return;
	}
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT: {
		struct screc_task t;

		if (screc_task_parse(p, len, &t))
			break;
		fprintf(out, "%s time=", t.fork ? "fork" : "exit");
		print_time(out, s.time);
		fprintf(out, " pid=%u ppid=%u tid=%u ptid=%u\n", t.pid, t.ppid, t.tid, t.ptid);
		return;
	}
	case PERF_RECORD_MMAP2: {
		struct screc_mmap2 m;
		char hex[41] = "-";

		if (screc_mmap2_parse(p, len, &m))
			break;
		if (m.build_id_len)
			screc_hex(m.build_id, m.build_id_len, hex);
		fprintf(out, "mmap2 time=");
		print_time(out, s.time);
		fprintf(out, " pid=%u tid=%u start=%#" PRIx64 " end=%#" PRIx64 " pgoff=%#" PRIx64
			" prot=%c%c%c build_id=%s path=", m.pid, m.tid, m.addr, m.addr + m.len,
			m.pgoff, m.prot & PROT_READ ? 'r' : '-', m.prot & PROT_WRITE ? 'w' : '-',
			m.prot & PROT_EXEC ? 'x' : '-', hex);
		print_escaped(out, m.path, m.path_len);
		fputc('\n', out);
		return;
	}
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES: {
		uint64_t v;

		if (screc_lost_parse(p, len, &v))
			break;
		fprintf(out, "lost time=");
		print_time(out, s.time);
		fprintf(out, " cpu=%u count=%" PRIu64 "\n", s.cpu, v);
		return;
	}
	}
	fprintf(out, "perf type=%s size=%u\n", tname ? tname : "?", h.size);
}

int
report_dump(struct screc_reader *r, FILE *out)
{
	const struct screc_file_header *fh = screc_reader_header(r);
	struct screc_attrs attrs = { 0 };
	struct tp_table tps = { 0 };
	const struct screc_rec *rec;
	int ret;

	fprintf(out, "header version=%u min_version=%u features=%#" PRIx64 "\n", fh->version,
		fh->min_version, fh->features);
	while ((ret = screc_reader_next(r, &rec)) == 1) {
		switch (rec->type) {
		case SCREC_REC_INFO: {
			struct screc_rec_info in;

			if (screc_get_info(rec, &in))
				goto bad;
			fprintf(out, "info e_machine=%u page_size=%u clockid=%u stack_size=%u "
				"regs_mask=%#" PRIx64 " cpus=%u mode=%s target_pid=%u start_realtime=",
				in.e_machine, in.page_size, in.clockid, in.stack_size,
				in.sample_regs_user, in.nr_cpus,
				in.mode == SCREC_MODE_ATTACH ? "attach" : "command", in.target_pid);
			print_time(out, in.start_realtime_ns);
			fprintf(out, " start_clock=");
			print_time(out, in.start_clock_ns);
			fputc('\n', out);
			break;
		}
		case SCREC_REC_STRING: {
			struct screc_string_view sv;

			if (screc_get_string(rec, &sv))
				goto bad;
			fprintf(out, "string %s=\"",
				sv.key < sizeof(string_keys) / sizeof(string_keys[0]) &&
						string_keys[sv.key] ? string_keys[sv.key] : "?");
			print_escaped(out, sv.data, sv.len);
			fprintf(out, "\"\n");
			break;
		}
		case SCREC_REC_TRACEPOINT: {
			struct screc_tracepoint_view tv;

			if (screc_get_tracepoint(rec, &tv))
				goto bad;
			fprintf(out, "tracepoint id=%u name=", tv.id);
			print_escaped(out, tv.name, tv.name_len);
			fprintf(out, " format_bytes=%zu\n", tv.format_len);
			if (tp_table_add(&tps, rec, rec->size))
				goto bad;
			break;
		}
		case SCREC_REC_ATTR: {
			struct screc_rec_attr ra;

			if (rec->size < sizeof(ra) || screc_attrs_add(&attrs, rec))
				goto bad;
			memcpy(&ra, rec, sizeof(ra));
			fprintf(out, "attr kind=%s tp_id=%u sample_type=%#" PRIx64
				" stack_user=%u ids=%u\n",
				ra.kind == SCREC_ATTR_ENTER ? "enter" :
				ra.kind == SCREC_ATTR_EXIT ? "exit" : "tracking",
				ra.tp_id, ra.sample_type, ra.sample_stack_user, ra.nr_ids);
			break;
		}
		case SCREC_REC_PERF:
			dump_perf(out, rec, &attrs, &tps);
			break;
		case SCREC_REC_RESOLVED: {
			struct screc_resolved_view v;
			struct screc_sample sm;

			if (screc_get_resolved(rec, &v))
				goto bad;
			fprintf(out, "resolved frames=%u end=%u names=%d text_bytes=%zu effects_bytes=%zu "
				"stack_was=%" PRIu64 "\n", v.nr_frames, v.end,
				!!(v.flags & SCREC_RESOLVED_NAMES), v.text_len, v.effects_len,
				v.stack_size);
			if (screc_sample_parse(&attrs, v.perf, v.perf_len, &sm) == 0)
				dump_sample(out, &sm, &tps);
			else
				fprintf(out, "bad_sample in resolved record\n");
			break;
		}
		case SCREC_REC_BUILDID: {
			struct screc_buildid_view bv;
			char hex[41];

			if (screc_get_buildid(rec, &bv))
				goto bad;
			screc_hex(bv.build_id, bv.build_id_len, hex);
			fprintf(out, "buildid pid=%u build_id=%s path=", bv.pid, hex);
			print_escaped(out, bv.path, bv.path_len);
			fputc('\n', out);
			break;
		}
		case SCREC_REC_FDS: {
			struct screc_fds_entry_view e;
			struct screc_fds_view v;
			size_t pos = 0;

			if (screc_get_fds(rec, &v))
				goto bad;
			fprintf(out, "fds pid=%u nr=%u time=%" PRIu64 "\n", v.pid, v.nr_fds, v.time);
			while (screc_fds_next(&v, &pos, &e)) {
				fprintf(out, "fd pid=%u fd=%d cloexec=%d path=", v.pid, e.fd, e.cloexec);
				print_escaped(out, e.path, e.path_len);
				fputc('\n', out);
			}
			break;
		}
		case SCREC_REC_PERFMAP: {
			struct screc_perfmap_view v;
			const char *nl;

			if (screc_get_perfmap(rec, &v))
				goto bad;
			nl = memchr(v.text, '\n', v.len);
			fprintf(out, "perfmap pid=%u offset=%" PRIu64 " len=%zu first=", v.pid, v.offset,
				v.len);
			print_escaped(out, v.text, nl ? (size_t)(nl - v.text) : v.len);
			fputc('\n', out);
			break;
		}
		case SCREC_REC_CAPTURE: {
			struct screc_capture_view cv;
			unsigned k;

			if (screc_get_capture(rec, &cv))
				goto bad;
			fprintf(out, "capture time=%" PRIu64 ".%09" PRIu64 " tid=%u nr=%u when=%s",
				cv.time / 1000000000u, cv.time % 1000000000u, cv.tid, cv.nr,
				cv.when == SCREC_CAPTURE_EXIT ? "exit" : "entry");
			for (k = 0; k < cv.nr_regions; k++) {
				fprintf(out, " arg%u=%#" PRIx64 ":", cv.regions[k].arg, cv.regions[k].addr);
				print_escaped(out, (const char *)cv.regions[k].data, cv.regions[k].len);
			}
			fputc('\n', out);
			break;
		}
		case SCREC_REC_TARGET_EXIT: {
			struct screc_rec_target_exit te;

			if (screc_get_target_exit(rec, &te))
				goto bad;
			fprintf(out, "target_exit pid=%u status=%#x\n", te.pid, (unsigned)te.wait_status);
			break;
		}
		case SCREC_REC_TRAILER: {
			const struct screc_rec_trailer *t = screc_reader_trailer(r);

			fprintf(out, "trailer records=%" PRIu64 " samples=%" PRIu64 " exits=%" PRIu64
				" lost=%" PRIu64 "\n", t->nr_records, t->nr_samples, t->nr_exits,
				t->nr_lost);
			break;
		}
		case SCREC_REC_ROUND:
			fprintf(out, "round\n");
			break;
		case SCREC_REC_BLOB: {
			static const char *const kinds[] = { "?", "vdso", "elf", "debug" };
			struct screc_blob_view b;
			char hex[41];

			if (screc_get_blob(rec, &b))
				goto bad;
			screc_hex(b.build_id, b.build_id_len, hex);
			fprintf(out, "blob kind=%s level=%u build_id=%s offset=%" PRIu64 " bytes=%zu "
				"total=%" PRIu64 " path=", b.kind < 4 ? kinds[b.kind] : "?", b.level, hex,
				b.offset, b.data_len, b.total_size);
			print_escaped(out, b.path, b.path_len);
			fputc('\n', out);
			break;
		}
		default:
			fprintf(out, "unknown type=%u size=%u\n", rec->type, rec->size);
			break;
		}
		continue;
bad:
		fprintf(out, "bad_record type=%u size=%u\n", rec->type, rec->size);
	}
	if (ret == 0)
		fprintf(out, "end complete\n");
	else
		fprintf(out, "end %s at byte %" PRIu64 ": %s\n",
			ret == -ENODATA ? "truncated" : "corrupt in the compressed frame",
			screc_reader_offset(r), screc_reader_error(r));
	screc_attrs_release(&attrs);
	tp_table_release(&tps);
	return ret;
}
