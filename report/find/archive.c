// SPDX-License-Identifier: MIT
/*
 * The report's side of archives.  The BLOB records (the vdso, archived
 * binaries and debug files) are unpacked into anonymous memory files
 * (memfd), so nothing is ever left behind, whatever ends the report; libdwfl
 * and the lookup chain open them as /proc/self/fd/N, and separate debug
 * files are handed to libdwfl by build-id (find_debuginfo()).
 *
 * A recording is untrusted input: only the files whose build-ids the
 * recording's mappings use are unpacked (the vdso always), each file's pieces
 * must come in order and inside its declared size, and the total is capped
 * (by default half of the memory available) so that a small crafted file
 * cannot make the report write gigabytes.
 */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/buildid.h"
#include "common/log.h"
#include "common/perf-record.h"
#include "common/reader.h"
#include "common/records.h"
#include "common/util.h"
#include "find-internal.h"
#include "common/strtab.h"

#define MAX_BLOB_SIZE	(4ull << 30)

/* The archive's cap: SCREC_ARCHIVE_MAX bytes if set, else half the memory available. */
uint64_t
find_archive_cap(void)
{
	const char *env = getenv("SCREC_ARCHIVE_MAX");
	unsigned long long kb = 0;
	char line[256];
	FILE *f;

	if (env && *env)
		return strtoull(env, NULL, 0);
	f = fopen("/proc/meminfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	if (!kb)
		return MAX_BLOB_SIZE;
	return kb * 1024 / 2 < MAX_BLOB_SIZE ? kb * 1024 / 2 : MAX_BLOB_SIZE;
}

static struct archived *
archived_find(struct finder *f, const uint8_t *bid, size_t len, uint32_t kind)
{
	size_t i;

	for (i = 0; i < f->nr_archived; i++)
		if (f->archived[i].kind == kind && f->archived[i].len == len &&
		    memcmp(f->archived[i].bid, bid, len) == 0)
			return &f->archived[i];
	return NULL;
}

/* Whether the recording maps a file with this build-id (the pre-pass collected them). */
static bool
wanted(const struct finder *f, const uint8_t *bid, size_t len)
{
	size_t i;

	if (!f->want)
		return false;	/* the main pass: only the vdso may come this way */
	for (i = 0; i < f->nr_want; i++)
		if (f->want[i].len == len && memcmp(f->want[i].bid, bid, len) == 0)
			return true;
	return false;
}

static void
want_add(struct finder *f, const uint8_t *bid, size_t len)
{
	if (!len || len > 20 || wanted(f, bid, len) ||
	    screc_grow(&f->want, &f->cap_want, f->nr_want + 1, sizeof(*f->want), 64))
		return;
	memcpy(f->want[f->nr_want].bid, bid, len);
	f->want[f->nr_want].len = (uint8_t)len;
	f->nr_want++;
}

/* Say once why the archive could not be taken whole. */
static int
refuse(struct finder *f, const char *recording, int err, const char *why)
{
	if (!f->archive_err) {
		f->archive_err = err;
		screc_err("%s: %s", recording, why);
	}
	return err;
}

int
find_archive_store(struct finder *f, const struct screc_rec *rec, const char *recording)
{
	struct screc_blob_view b;
	struct archived *a;
	char name[64];

	if (screc_get_blob(rec, &b) || b.total_size > MAX_BLOB_SIZE) {
		screc_err("%s: an archived file record is malformed: ignored", recording);
		return 0;
	}
	if (b.kind != SCREC_BLOB_VDSO && !wanted(f, b.build_id, b.build_id_len)) {
		f->archive_skipped++;
		return 0;
	}
	a = archived_find(f, b.build_id, b.build_id_len, b.kind);
	if (!a) {
		if (b.offset != 0)
			return 0;	/* its first piece was refused */
		if (f->archive_err)
			return f->archive_err;
		if (b.total_size > f->archive_cap - f->archive_declared)
			return refuse(f, recording, -EFBIG, "the archived files declare more bytes "
				      "than the report may unpack (half the memory available, or "
				      "SCREC_ARCHIVE_MAX): the archive is not used");
		if (screc_grow(&f->archived, &f->cap_archived, f->nr_archived + 1,
			       sizeof(*f->archived), 8))
			return -ENOMEM;
		a = &f->archived[f->nr_archived];
		memset(a, 0, sizeof(*a));
		snprintf(name, sizeof(name), "screc-archive-%s",
			 b.kind == SCREC_BLOB_VDSO ? "vdso" : b.kind == SCREC_BLOB_ELF ? "elf" : "debug");
		a->fd = memfd_create(name, MFD_CLOEXEC);
		if (a->fd < 0)
			return refuse(f, recording, -errno, "cannot make memory for the archived "
				      "files: the archive is not used");
		memcpy(a->bid, b.build_id, b.build_id_len);
		a->len = b.build_id_len;
		a->kind = b.kind;
		a->total = b.total_size;
		f->archive_declared += b.total_size;
		f->nr_archived++;
	}
	/* Pieces come in order, each once: anything else is not the recorder's doing. */
	if (a->complete || b.offset != a->next)
		return 0;
	if (pwrite(a->fd, b.data, b.data_len, (off_t)b.offset) != (ssize_t)b.data_len) {
		int err = errno ? -errno : -EIO;

		return refuse(f, recording, err, "cannot unpack the archived files: out of memory "
			      "for them: the archive is not used");
	}
	a->next += b.data_len;
	if (a->next == a->total) {
		a->complete = true;
		snprintf(a->path, sizeof(a->path), "/proc/self/fd/%d", a->fd);
		a->path_interned = screc_strtab_intern(f->strs, a->path);
	}
	return 0;
}

/* The build-ids of a record that maps or names a file. */
static void
collect_build_id(struct finder *f, const struct screc_rec *rec)
{
	if (rec->type == SCREC_REC_BUILDID) {
		struct screc_buildid_view b;

		if (screc_get_buildid(rec, &b) == 0)
			want_add(f, b.build_id, b.build_id_len);
	} else if (rec->type == SCREC_REC_PERF) {
		struct perf_event_header h;
		struct screc_mmap2 m;
		const uint8_t *p;

		if (screc_rec_perf(rec, &p, &h) == 0 && h.type == PERF_RECORD_MMAP2 &&
		    screc_mmap2_parse(p, h.size, &m) == 0)
			want_add(f, m.build_id, m.build_id_len);
	}
}

int
find_archive_load(struct finder *f, int fd, const char *recording)
{
	struct screc_reader *r;
	const struct screc_rec *rec;
	int ret, err = 0;

	ret = screc_reader_open_fd(fd, &r);
	if (ret)
		return ret;
	/* Without an archive at the end, the vdso at the start is taken in the main pass. */
	if (!(screc_reader_header(r)->features & SCREC_FEAT_ARCHIVE)) {
		screc_reader_close(r);
		return 0;
	}
	f->archive_loaded = true;
	/* Something to compare with, even in a recording that maps nothing. */
	if (screc_grow(&f->want, &f->cap_want, 1, sizeof(*f->want), 64) == 0)
		f->want[0].len = 0;
	while (!err && (ret = screc_reader_next(r, &rec)) == 1) {
		if (rec->type == SCREC_REC_BLOB)
			err = find_archive_store(f, rec, recording);
		else
			collect_build_id(f, rec);
	}
	screc_reader_close(r);
	if (f->archive_skipped)
		screc_debug("%s: %llu archived pieces of files no mapping uses were skipped",
			    recording, (unsigned long long)f->archive_skipped);
	return err;
}

bool
find_archive_loaded(const struct finder *f)
{
	return f->archive_loaded;
}

int
find_archive_error(const struct finder *f)
{
	return f->archive_err;
}

const char *
find_archived_path(const struct finder *f, const uint8_t *bid, size_t len, bool *vdso)
{
	size_t i;

	for (i = 0; i < f->nr_archived; i++) {
		const struct archived *a = &f->archived[i];

		if (a->complete && a->kind != SCREC_BLOB_DEBUG && len && a->len == len &&
		    memcmp(a->bid, bid, len) == 0) {
			if (vdso)
				*vdso = a->kind == SCREC_BLOB_VDSO;
			return a->path_interned;
		}
	}
	return NULL;
}

/* Whether dir/sub/name (sub may be NULL or empty) exists. */
static bool
exists3(const char *dir, const char *sub, const char *name)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s%s%s", dir, sub ? sub : "",
			 sub && *sub ? "/" : "", name);

	/* A name too long is taken as there: the standard search decides. */
	return n < 0 || (size_t)n >= sizeof(path) || access(path, F_OK) == 0;
}

/*
 * Whether libdwfl's standard search by name (find_debuginfo_in_path())
 * could find something for file: link (its debuglink), or else BASE.debug
 * and BASE, in the directories the debug path names, as libdwfl 0.188
 * tries them (and their .dwz, where it looks for an alternate file).
 * Errs on the side of yes.
 */
static bool
name_candidates(const char *path, const char *file, const char *link)
{
	const char *slash = strrchr(file, '/'), *base = slash + 1, *p, *sub, *other;
	char dir[PATH_MAX], elem[PATH_MAX], dbg[NAME_MAX + 8];
	size_t len;

	if (!slash || slash == file || (size_t)(slash - file) >= sizeof(dir) ||
	    snprintf(dbg, sizeof(dbg), "%s.debug", base) >= (int)sizeof(dbg))
		return true;
	memcpy(dir, file, (size_t)(slash - file));
	dir[slash - file] = 0;
	if (link && strchr(link, '/'))
		return true;
	/* The name tried first; the file's own name next, if link was made up. */
	other = link ? NULL : base;
	if (!link)
		link = dbg;
	if (exists3(dir, ".dwz", link))
		return true;
	for (p = path; *p; p += len + (p[len] == ':')) {
		len = strcspn(p, ":");
		if (len >= sizeof(elem))
			return true;
		memcpy(elem, p, len);
		elem[len] = 0;
		sub = elem[0] == '+' || elem[0] == '-' ? elem + 1 : elem;
		if (!*sub) {
			if (exists3(dir, NULL, link))
				return true;
		} else if (*sub != '/') {
			if (exists3(dir, sub, link) || (other && exists3(dir, sub, other)))
				return true;
		} else {
			/* Every tail of the file's directory under that root, then the root. */
			const char *t = dir;

			if (exists3(sub, ".dwz", link))
				return true;
			while (t) {
				t = strchr(t, '/');
				if (t)
					t++;
				if (t && !*t)
					break;
				if (exists3(sub, t, link) || (other && exists3(sub, t, other)))
					return true;
			}
		}
		if (!p[len])
			break;
	}
	return false;
}

/*
 * Whether the standard search for mod's debug file could find anything
 * here.  It ends by asking the debuginfod client, which libdw 0.188 loads
 * for that even without DEBUGINFOD_URLS (libdebuginfod and some thirty
 * libraries: 30 ms of CPU, 45 ms of wall time on this machine, a tenth of
 * a report of git status).  So when no server is set and no file the
 * search by build-id or by name would open exists, it is not run: it would
 * find nothing.
 */
static bool
standard_may_find(struct finder *f, Dwfl_Module *mod, const char *file_name,
		   const char *debuglink_file)
{
	const char *urls = getenv("DEBUGINFOD_URLS"), *path, *p;
	const unsigned char *bits;
	GElf_Addr vaddr;
	char hex[2 * 64 + 1], rest[PATH_MAX], *canon;
	int len = dwfl_module_build_id(mod, &bits, &vaddr);
	bool may;
	size_t n;

	if ((urls && *urls) || !f || !f->debuginfo_path ||
	    !file_name || file_name[0] != '/' || len <= 1 || len > 64)
		return true;
	path = f->debuginfo_path;
	screc_hex(bits, (size_t)len, hex);
	snprintf(rest, sizeof(rest), ".build-id/%.2s/%s.debug", hex, hex + 2);
	for (p = path; *p; p += n + (p[n] == ':')) {
		char elem[PATH_MAX];
		const char *d;

		n = strcspn(p, ":");
		if (n >= sizeof(elem))
			return true;
		memcpy(elem, p, n);
		elem[n] = 0;
		d = elem[0] == '+' || elem[0] == '-' ? elem + 1 : elem;
		if (*d == '/' && exists3(d, NULL, rest))
			return true;
		if (!p[n])
			break;
	}
	if (name_candidates(path, file_name, debuglink_file))
		return true;
	canon = realpath(file_name, NULL);
	may = canon && strcmp(canon, file_name) && name_candidates(path, canon, debuglink_file);
	free(canon);
	return may;
}

/*
 * The debug file libdwfl's search by build-id would open first (DIR/.build-id/xx/rest.debug
 * for each absolute DIR of the debug path, as libdw 0.188 tries them), inflated; -1 if there
 * is none or it need not be.  libdwfl's own search keeps the libelf handle it opened on the
 * file, so the copy has to be handed over before it runs.
 */
static int
by_build_id_inflated(struct finder *f, const uint8_t *bid, size_t len, char **name)
{
	char hex[2 * 64 + 1], path[PATH_MAX];
	const char *p;
	size_t n;

	if (!f->debuginfo_path || len < 2 || len > 64)
		return -1;
	screc_hex(bid, len, hex);
	for (p = f->debuginfo_path; *p; p += n + (p[n] == ':')) {
		const char *d;
		int fd, copy;

		n = strcspn(p, ":");
		d = *p == '+' || *p == '-' ? p + 1 : p;
		if (d < p + n && *d == '/' &&
		    snprintf(path, sizeof(path), "%.*s/.build-id/%.2s/%s.debug",
			     (int)(p + n - d), d, hex, hex + 2) < (int)sizeof(path) &&
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			char *copy_name = strdup(path);

			copy = copy_name ? find_inflated(f, fd, bid, len, &copy_name) : -1;
			close(fd);
			if (copy < 0) {
				free(copy_name);
				return -1;
			}
			*name = copy_name;
			return copy;
		}
		if (!p[n])
			break;
	}
	return -1;
}

/*
 * libdwfl's find_debuginfo: the archived debug file for the module's
 * build-id, else the standard search (debug directories, debuglink).  A
 * debug file with compressed sections found by build-id is handed over
 * inflated (inflate.c), not when the module's DWARF is open already: then
 * libdwfl looks for its alternate (dwz) file.
 */
int
find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
	       const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
	       char **debuginfo_file_name)
{
	struct finder *f = userdata ? *userdata : NULL;
	const unsigned char *bits;
	GElf_Addr vaddr;
	Dwarf_Addr dwbias = (Dwarf_Addr)-1;
	int len = dwfl_module_build_id(mod, &bits, &vaddr), fd, copy;
	struct archived *a;

	dwfl_module_info(mod, NULL, NULL, NULL, &dwbias, NULL, NULL, NULL);
	if (f && len > 0 && (a = archived_find(f, bits, (size_t)len, SCREC_BLOB_DEBUG)) &&
	    a->complete) {
		fd = open(a->path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			*debuginfo_file_name = strdup(a->path);
			copy = dwbias == (Dwarf_Addr)-1 ?
			       find_inflated(f, fd, bits, (size_t)len, debuginfo_file_name) : -1;
			if (copy >= 0) {
				close(fd);
				return copy;
			}
			return fd;
		}
	}
	if (f && len > 0 && dwbias == (Dwarf_Addr)-1 &&
	    (copy = by_build_id_inflated(f, bits, (size_t)len, debuginfo_file_name)) >= 0)
		return copy;
	if (!standard_may_find(f, mod, file_name, debuglink_file)) {
		errno = 0;
		return -1;
	}
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name,
					    debuglink_file, debuglink_crc, debuginfo_file_name);
}

void
find_archive_remove(struct finder *f)
{
	size_t i;

	for (i = 0; i < f->nr_archived; i++)
		if (f->archived[i].fd >= 0)
			close(f->archived[i].fd);
	free(f->archived);
	free(f->want);
	f->archived = NULL;
	f->want = NULL;
	f->nr_archived = f->cap_archived = f->nr_want = f->cap_want = 0;
	f->archive_loaded = false;
}
