// SPDX-License-Identifier: MIT
/*
 * Archives.  While recording, every executable mapping and every process
 * with samples is noted; at the end each build-id those processes mapped is
 * stored once, cut by screc_elf_extract() to the level asked for.  What is
 * archived is the file the process mapped, or nothing: the path is opened
 * through no symbolic link, and the file must be the mapping's (device and
 * inode, where the mapping's are known) with the mapping's build-id.  A
 * mapping without a build-id is never archived (nothing would find it),
 * and a binary replaced since it was mapped is never archived in its place.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "mapfile.h"
#include "common/buildid.h"
#include "common/log.h"
#include "common/perf-record.h"
#include "common/reader.h"
#include "common/records.h"
#include "common/util.h"
#include "screc.h"

struct amap {
	uint32_t pid;
	char *path;
	uint8_t bid[20];
	uint8_t bid_len;
	struct mapfile_id id;		/* the file mapped, where known */
};

struct archive {
	struct amap *maps;
	size_t nr_maps, cap_maps;
	uint32_t *pids;			/* sorted */
	size_t nr_pids, cap_pids;
	struct { char *path; uint8_t bid[20]; uint8_t len; } *bids;
	size_t nr_bids, cap_bids;
	uint64_t *keys;			/* map_key() of every noted mapping */
	size_t nr_keys, cap_keys;
};

struct archive *
archive_new(void)
{
	return calloc(1, sizeof(struct archive));
}

void
archive_free(struct archive *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nr_maps; i++)
		free(a->maps[i].path);
	for (i = 0; i < a->nr_bids; i++)
		free(a->bids[i].path);
	free(a->maps);
	free(a->keys);
	free(a->pids);
	free(a->bids);
	free(a);
}

/* A hash of (pid, path), to find a noted mapping without a scan. */
static uint64_t
map_key(uint32_t pid, const char *path)
{
	return screc_hash_bytes(path, strlen(path), pid) | 1;	/* 0 marks a free slot */
}

/* Whether (pid, path) was noted already; with insert, notes it when not.  Linear probing. */
static bool
map_seen(struct archive *a, uint64_t key, bool insert)
{
	size_t i;

	if (!a->cap_keys && !insert)
		return false;
	if (a->nr_keys * 2 >= a->cap_keys) {
		size_t cap = a->cap_keys ? 2 * a->cap_keys : 256, j;
		uint64_t *n = calloc(cap, sizeof(*n));

		if (!n)
			return false;
		for (j = 0; j < a->cap_keys; j++)
			if (a->keys[j]) {
				size_t k = a->keys[j] & (cap - 1);

				while (n[k])
					k = (k + 1) & (cap - 1);
				n[k] = a->keys[j];
			}
		free(a->keys);
		a->keys = n;
		a->cap_keys = cap;
	}
	for (i = key & (a->cap_keys - 1); a->keys[i]; i = (i + 1) & (a->cap_keys - 1))
		if (a->keys[i] == key)
			return true;
	if (insert) {
		a->keys[i] = key;
		a->nr_keys++;
	}
	return false;
}

bool
archive_has_map(struct archive *a, uint32_t pid, const char *path)
{
	return map_seen(a, map_key(pid, path), false);
}

void
archive_note_map(struct archive *a, uint32_t pid, const char *path, const uint8_t *bid,
		 size_t bid_len, const struct mapfile_id *id)
{
	if (path[0] != '/' || bid_len > 20 || map_seen(a, map_key(pid, path), true))
		return;
	if (screc_grow(&a->maps, &a->cap_maps, a->nr_maps + 1, sizeof(*a->maps), 32))
		return;
	a->maps[a->nr_maps].path = strdup(path);
	if (!a->maps[a->nr_maps].path)
		return;
	a->maps[a->nr_maps].pid = pid;
	memcpy(a->maps[a->nr_maps].bid, bid, bid_len);
	a->maps[a->nr_maps].bid_len = (uint8_t)bid_len;
	a->maps[a->nr_maps].id = id ? *id : (struct mapfile_id){ 0 };
	a->nr_maps++;
}

void
archive_note_build_id(struct archive *a, const char *path, const uint8_t *bid, size_t len)
{
	if (len > 20 || screc_grow(&a->bids, &a->cap_bids, a->nr_bids + 1, sizeof(*a->bids), 32))
		return;
	a->bids[a->nr_bids].path = strdup(path);
	if (!a->bids[a->nr_bids].path)
		return;
	memcpy(a->bids[a->nr_bids].bid, bid, len);
	a->bids[a->nr_bids].len = (uint8_t)len;
	a->nr_bids++;
}

void
archive_note_sample(struct archive *a, uint32_t pid)
{
	size_t lo = 0, hi = a->nr_pids;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->pids[mid] == pid)
			return;
		if (a->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (screc_grow(&a->pids, &a->cap_pids, a->nr_pids + 1, sizeof(*a->pids), 32))
		return;
	memmove(a->pids + lo + 1, a->pids + lo, (a->nr_pids - lo) * sizeof(*a->pids));
	a->pids[lo] = pid;
	a->nr_pids++;
}

static bool
has_samples(const struct archive *a, uint32_t pid)
{
	size_t lo = 0, hi = a->nr_pids;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->pids[mid] == pid)
			return true;
		if (a->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Store data as blob pieces. */
static int
write_blob(struct screc_writer *w, uint32_t kind, uint32_t level, const uint8_t *bid,
	   size_t bid_len, const char *path, const uint8_t *data, size_t len)
{
	struct screc_rec_blob b = { 0 };
	size_t off = 0;
	int err = 0;

	b.kind = kind;
	b.level = level;
	b.build_id_len = (uint8_t)bid_len;
	memcpy(b.build_id, bid, bid_len);
	b.total_size = len;
	b.path_len = (uint32_t)strlen(path);
	do {
		size_t n = len - off < SCREC_BLOB_CHUNK ? len - off : SCREC_BLOB_CHUNK;
		struct iovec iov[3] = {
			{ (uint8_t *)&b + sizeof(b.hdr), sizeof(b) - sizeof(b.hdr) },
			{ (void *)path, b.path_len },
			{ (void *)(data + off), n },
		};

		b.offset = off;
		b.data_len = (uint32_t)n;
		err = screc_writer_addv(w, SCREC_REC_BLOB, iov, 3);
		off += n;
	} while (!err && off < len);
	return err;
}

int
archive_write_vdso(struct screc_writer *w)
{
	const uint8_t *img = (const uint8_t *)getauxval(AT_SYSINFO_EHDR);
	uint64_t start, end;
	char line[256];
	uint8_t bid[20];
	size_t bid_len = 0;
	FILE *f;
	int err = -ENOENT;

	if (!img)
		return -ENOENT;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start == (uint64_t)(uintptr_t)img) {
			screc_build_id_mem(img, end - start, bid, &bid_len);
			err = write_blob(w, SCREC_BLOB_VDSO, SCREC_ARCHIVE_FULL, bid, bid_len,
					 "[vdso]", img, end - start);
			break;
		}
	fclose(f);
	return err;
}

/*
 * Open a debug file candidate at path when it has build-id bid.  Beside the
 * binary (in the traced program's directories) no link is followed; under
 * /usr/lib/debug, which only root writes, links are (distributions make the
 * .build-id tree of links).  Returns the fd or -errno.
 */
static int
open_debug(const char *path, bool trusted, const uint8_t *bid, size_t bid_len)
{
	uint8_t id[20];
	size_t idlen;
	int fd;

	fd = trusted ? screc_open_regular(path) : mapfile_open_path(path, NULL);
	if (fd < 0)
		return fd;
	if (mapfile_build_id(fd, id, &idlen) == 0 && idlen == bid_len &&
	    memcmp(id, bid, idlen) == 0)
		return fd;
	close(fd);
	return -ENOENT;
}

/*
 * A separate debug file for a binary (open as fd, the binary's path is
 * path), where gdb and libdwfl look: by build-id, then by the
 * .gnu_debuglink name beside the binary, in .debug/ beside it, and under
 * /usr/lib/debug.  Returns its fd (its path in out) or -ENOENT.
 */
static int
find_debug_file(int bin_fd, const char *path, const uint8_t *bid, size_t bid_len, char *out,
		size_t len)
{
	char hex[41], dir[4096], link[256], self[32];
	int fd;

	if (bid_len < 2)
		return -ENOENT;
	screc_hex(bid, bid_len, hex);
	snprintf(out, len, "/usr/lib/debug/.build-id/%.2s/%s.debug", hex, hex + 2);
	fd = open_debug(out, true, bid, bid_len);
	if (fd >= 0)
		return fd;
	mapfile_fd_path(bin_fd, self, sizeof(self));
	if (screc_elf_debuglink(self, link, sizeof(link)) != 0 || strchr(link, '/'))
		return -ENOENT;
	snprintf(dir, sizeof(dir), "%s", path);
	dirname(dir);
	if (snprintf(out, len, "%s/%s", dir, link) < (int)len && strcmp(out, path) != 0 &&
	    (fd = open_debug(out, false, bid, bid_len)) >= 0)
		return fd;
	if (snprintf(out, len, "%s/.debug/%s", dir, link) < (int)len &&
	    (fd = open_debug(out, false, bid, bid_len)) >= 0)
		return fd;
	if (snprintf(out, len, "/usr/lib/debug%s/%s", dir, link) < (int)len &&
	    (fd = open_debug(out, true, bid, bid_len)) >= 0)
		return fd;
	return -ENOENT;
}

/* Whether the binary has its own DWARF (.debug_info with contents). */
static bool
has_debug_info(const uint8_t *elf, size_t len)
{
	/* The extract keeps .debug_* contents only at FULL; a cheap scan of names suffices. */
	return memmem(elf, len, ".debug_info", 11) != NULL && len > 64 * 1024;
}

/*
 * Open the file m names, if it is still the one that was mapped: reached
 * through no link, the same device and inode (where known), the same
 * build-id.  Returns the fd, or -errno with the reason said.
 */
static int
open_mapped(const struct amap *m)
{
	struct mapfile_id now;
	uint8_t id[20];
	size_t idlen;
	int fd;

	fd = mapfile_open_path(m->path, &now);
	if (fd == -ELOOP) {
		screc_err("archive: %s: a symbolic link now (the path leads elsewhere than the "
			  "file that was mapped), not archived", m->path);
		return fd;
	}
	if (fd < 0) {
		screc_err("archive: %s: %s, not archived", m->path,
			  fd == -EINVAL ? "not a regular file now" :
			  fd == -ENOENT ? "gone" : strerror(-fd));
		return fd;
	}
	if (m->id.known && (now.dev != m->id.dev || now.ino != m->id.ino)) {
		screc_err("archive: %s: another file now (its device and inode are not the "
			  "mapping's), not archived", m->path);
		close(fd);
		return -ESTALE;
	}
	if (mapfile_build_id(fd, id, &idlen) != 0 || idlen != m->bid_len ||
	    memcmp(id, m->bid, idlen) != 0) {
		screc_err("archive: %s: changed since it was recorded (build-id differs), "
			  "not archived", m->path);
		close(fd);
		return -ESTALE;
	}
	return fd;
}

int
archive_write(struct archive *a, struct screc_writer *w, enum screc_archive_level level,
	      unsigned *files, uint64_t *bytes)
{
	uint8_t (*done)[21] = calloc(a->nr_maps ? a->nr_maps : 1, sizeof(*done));
	size_t nr_done = 0, i, j;
	int err = 0;

	*files = 0;
	*bytes = 0;
	if (!done)
		return -ENOMEM;
	for (i = 0; i < a->nr_maps && !err; i++) {
		struct amap *m = &a->maps[i];
		uint8_t *data = NULL;
		size_t len = 0;
		char dbg[4096], self[32];
		bool seen = false;
		int fd, dfd;

		if (!has_samples(a, m->pid))
			continue;
		if (!m->bid_len)
			for (j = 0; j < a->nr_bids; j++)
				if (strcmp(a->bids[j].path, m->path) == 0) {
					memcpy(m->bid, a->bids[j].bid, a->bids[j].len);
					m->bid_len = a->bids[j].len;
				}
		/* Without a build-id nothing would find it in the archive. */
		if (!m->bid_len)
			continue;
		for (j = 0; j < nr_done; j++)
			if (done[j][0] == m->bid_len && memcmp(done[j] + 1, m->bid, m->bid_len) == 0)
				seen = true;
		if (seen)
			continue;
		fd = open_mapped(m);
		if (fd < 0)
			continue;
		done[nr_done][0] = m->bid_len;
		memcpy(done[nr_done] + 1, m->bid, m->bid_len);
		nr_done++;
		mapfile_fd_path(fd, self, sizeof(self));
		err = screc_elf_extract(self, level, &data, &len);
		if (err) {
			screc_err("archive: %s: %s, not archived", m->path,
				  err == -ENOEXEC ? "not a 64-bit ELF file" : strerror(-err));
			close(fd);
			err = 0;
			continue;
		}
		err = write_blob(w, SCREC_BLOB_ELF, level, m->bid, m->bid_len, m->path, data, len);
		(*files)++;
		*bytes += len;
		if (!err && level == SCREC_ARCHIVE_FULL && !has_debug_info(data, len) &&
		    (dfd = find_debug_file(fd, m->path, m->bid, m->bid_len, dbg, sizeof(dbg))) >= 0) {
			uint8_t *ddata = NULL;
			size_t dlen = 0;

			mapfile_fd_path(dfd, self, sizeof(self));
			if (screc_elf_extract(self, SCREC_ARCHIVE_FULL, &ddata, &dlen) == 0) {
				err = write_blob(w, SCREC_BLOB_DEBUG, level, m->bid, m->bid_len, dbg,
						 ddata, dlen);
				(*files)++;
				*bytes += dlen;
			}
			free(ddata);
			close(dfd);
		}
		close(fd);
		free(data);
	}
	free(done);
	return err;
}

int
archive_parse_level(const char *s)
{
	if (!s || strcmp(s, "symbols") == 0)
		return SCREC_ARCHIVE_SYMBOLS;
	if (strcmp(s, "unwind") == 0)
		return SCREC_ARCHIVE_UNWIND;
	if (strcmp(s, "full") == 0)
		return SCREC_ARCHIVE_FULL;
	return -1;
}

/* Note what a perf record tells about maps and samples (for `screc archive`). */
static void
note_perf(struct archive *a, const struct screc_attrs *attrs, const struct screc_rec *rec)
{
	const uint8_t *p;
	struct perf_event_header h;
	struct screc_sample s;

	if (screc_rec_perf(rec, &p, &h))
		return;
	if (h.type == PERF_RECORD_SAMPLE && screc_sample_parse(attrs, p, h.size, &s) == 0 &&
	    s.attr->kind == SCREC_ATTR_ENTER) {
		archive_note_sample(a, s.pid);
	} else if (h.type == PERF_RECORD_MMAP2) {
		struct screc_mmap2 m;

		struct mapfile_id id = { 0 };

		if (screc_mmap2_parse(p, h.size, &m) == 0 && (m.prot & 4)) {
			mapfile_mmap2_id(p, h.size, &id);
			archive_note_map(a, m.pid, m.path, m.build_id, m.build_id_len, &id);
		}
	}
}

int
cmd_archive(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int level = SCREC_ARCHIVE_SYMBOLS, opt, fd, out_fd, ret, err;
	struct screc_rec_trailer tr = { 0 };
	struct screc_attrs attrs = { 0 };
	struct screc_reader *r;
	struct screc_writer *w;
	struct archive *a;
	const struct screc_rec *rec;
	const char *path;
	char tmp[4096];
	unsigned files;
	uint64_t bytes;
	bool had_trailer = false;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hl:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			level = archive_parse_level(optarg);
			if (level < 0)
				screc_usage_error("archive", "--level %s: expected unwind, symbols or full",
						  optarg);
			break;
		case 'h':
			printf("usage: screc archive [-l, --level LEVEL] FILE\n\n"
			       "Add the binaries the recording's processes mapped (cut to what the\n"
			       "report needs) to FILE, so it can be analyzed on another machine.\n"
			       "Run it on the recording host, before the binaries change.\n\n"
			       "  FILE                 the recording; it is rewritten in place\n"
			       "  -l, --level LEVEL    what to keep of each binary (default symbols):\n"
			       "                       unwind   the unwind tables only (frames, no names)\n"
			       "                       symbols  and the symbol tables (function names)\n"
			       "                       full     and the DWARF (inlines, file:line)\n"
			       "  -h, --help           show this\n\n"
			       "examples:\n"
			       "  screc record -e connect -o app.screc -- ./app\n"
			       "  screc archive app.screc                then copy app.screc anywhere\n"
			       "  screc archive --level full app.screc   with file:line\n");
			return 0;
		default:
			screc_getopt_error("archive", opt, argv);
		}
	}
	if (optind + 1 != argc)
		screc_usage_error("archive", "%s", optind < argc ? "one recording at a time" :
				  "which recording? give its FILE");
	path = argv[optind];
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		screc_die(1, "%s: cannot open: %s", path, strerror(errno));
	err = screc_reader_open_fd(fd, &r);
	if (err)
		screc_die(1, "%s: not a readable screc recording (%s)", path, strerror(-err));
	snprintf(tmp, sizeof(tmp), "%s.archive-XXXXXX", path);
	out_fd = mkstemp(tmp);
	if (out_fd < 0)
		screc_die(1, "%s: cannot create a file beside it: %s", tmp, strerror(errno));
	fchmod(out_fd, 0600);
	a = archive_new();
	/* The reader hands over whole stacks: the copy has no deltas. */
	if (!a || screc_writer_open(out_fd, (screc_reader_header(r)->features | SCREC_FEAT_ARCHIVE) &
					    ~SCREC_FEAT_STACK_DELTA, &w))
		screc_die(1, "out of memory");
	/* Copy everything but an older archive and the trailer, noting maps and samples. */
	while ((ret = screc_reader_next(r, &rec)) == 1) {
		const uint8_t *body = (const uint8_t *)rec + sizeof(*rec);

		if (rec->type == SCREC_REC_TRAILER) {
			memcpy(&tr, rec, sizeof(tr));
			had_trailer = true;
			continue;
		}
		if (rec->type == SCREC_REC_BLOB) {
			struct screc_blob_view b;

			/* An older archive is replaced; only the vdso stays. */
			if (screc_get_blob(rec, &b) || b.kind != SCREC_BLOB_VDSO)
				continue;
		}
		if (rec->type == SCREC_REC_ATTR) {
			screc_attrs_add(&attrs, rec);
		} else if (rec->type == SCREC_REC_PERF) {
			note_perf(a, &attrs, rec);
		} else if (rec->type == SCREC_REC_BUILDID) {
			struct screc_buildid_view bv;
			char p[4096];

			if (screc_get_buildid(rec, &bv) == 0 && bv.path_len < sizeof(p)) {
				memcpy(p, bv.path, bv.path_len);
				p[bv.path_len] = '\0';
				archive_note_build_id(a, p, bv.build_id, bv.build_id_len);
			}
		}
		err = screc_writer_add(w, rec->type, body, rec->size - sizeof(*rec));
		if (err)
			break;
	}
	if (ret < 0 && ret != -ENODATA) {
		unlink(tmp);
		screc_die(1, "%s: corrupt at byte %llu: %s; the recording is unchanged", path,
			  (unsigned long long)screc_reader_offset(r), screc_reader_error(r));
	}
	if (ret == -ENODATA)
		screc_err("%s: truncated recording: archiving what it holds", path);
	if (!err)
		err = archive_write(a, w, (enum screc_archive_level)level, &files, &bytes);
	/* A truncated recording stays marked truncated: no trailer. */
	err = screc_writer_close(w, had_trailer ? &tr : NULL) ? -EIO : err;
	if (!err && fsync(out_fd) < 0)
		err = -errno;
	close(out_fd);
	screc_reader_close(r);
	screc_attrs_release(&attrs);
	archive_free(a);
	if (err) {
		unlink(tmp);
		screc_die(1, "%s: archiving failed: %s; the recording is unchanged", path,
			  strerror(-err));
	}
	if (rename(tmp, path) < 0) {
		err = errno;
		unlink(tmp);
		screc_die(1, "%s: cannot replace it: %s", path, strerror(err));
	}
	fprintf(stderr, "screc: %s: archived %u files, %.1f MiB before compression\n", path, files,
		(double)bytes / (1024.0 * 1024.0));
	return 0;
}
