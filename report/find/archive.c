// SPDX-License-Identifier: MIT
/*
 * The report's side of archives: the BLOB records (the vdso, archived
 * binaries and debug files) are unpacked into a private temporary directory,
 * laid out the way libdwfl looks for debug files (DIR/.build-id/xx/rest.debug),
 * and the finder learns what is there.  The directory is removed by
 * find_free().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buildid.h"
#include "common/log.h"
#include "common/reader.h"
#include "common/records.h"
#include "common/util.h"
#include "find-internal.h"
#include "common/strtab.h"

#define MAX_BLOB_SIZE	(4ull << 30)

static void
blob_path(const struct finder *f, const struct screc_blob_view *b, char *out, size_t len)
{
	char hex[41];

	screc_hex(b->build_id, b->build_id_len, hex);
	if (b->kind == SCREC_BLOB_DEBUG)
		snprintf(out, len, "%s/.build-id/%.2s/%s.debug", f->archive_dir, hex, hex + 2);
	else
		snprintf(out, len, "%s/%s.%s", f->archive_dir, hex,
			 b->kind == SCREC_BLOB_VDSO ? "vdso" : "elf");
}

/* Register a file unpacked from the archive, for its build-id. */
static void
add_archived(struct finder *f, const struct screc_blob_view *b, const char *path)
{
	struct archived *a;

	if (screc_grow(&f->archived, &f->cap_archived, f->nr_archived + 1, sizeof(*a), 8))
		return;
	a = &f->archived[f->nr_archived++];
	memcpy(a->bid, b->build_id, b->build_id_len);
	a->len = b->build_id_len;
	a->vdso = b->kind == SCREC_BLOB_VDSO;
	a->path = screc_strtab_intern(f->strs, path);
}

int
find_archive_store(struct finder *f, const struct screc_rec *rec, const char *recording)
{
	struct screc_blob_view b;
	char path[256], sub[128];
	int fd;

	if (screc_get_blob(rec, &b) || b.total_size > MAX_BLOB_SIZE) {
		screc_err("%s: an archived file record is malformed: ignored", recording);
		return 0;
	}
	if (!f->archive_dir[0]) {
		snprintf(f->archive_dir, sizeof(f->archive_dir), "/tmp/screc-archive-XXXXXX");
		if (!mkdtemp(f->archive_dir)) {
			f->archive_dir[0] = '\0';
			return -errno;
		}
	}
	blob_path(f, &b, path, sizeof(path));
	if (b.kind == SCREC_BLOB_DEBUG) {
		char hex[41];

		screc_hex(b.build_id, b.build_id_len, hex);
		snprintf(sub, sizeof(sub), "%s/.build-id", f->archive_dir);
		mkdir(sub, 0700);
		snprintf(sub, sizeof(sub), "%s/.build-id/%.2s", f->archive_dir, hex);
		mkdir(sub, 0700);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (pwrite(fd, b.data, b.data_len, (off_t)b.offset) != (ssize_t)b.data_len) {
		int err = -errno;

		close(fd);
		return err ? err : -EIO;
	}
	close(fd);
	if (b.offset + b.data_len == b.total_size && b.kind != SCREC_BLOB_DEBUG)
		add_archived(f, &b, path);
	return 0;
}

int
find_archive_load(struct finder *f, const char *recording)
{
	struct screc_reader *r;
	const struct screc_rec *rec;
	int fd, ret, err = 0;

	fd = open(recording, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = screc_reader_open_fd(fd, &r);
	if (ret)
		return ret;
	/* Without an archive at the end, the vdso at the start is taken in the main pass. */
	if (!(screc_reader_header(r)->features & SCREC_FEAT_ARCHIVE)) {
		screc_reader_close(r);
		return 0;
	}
	f->archive_loaded = true;
	while (!err && (ret = screc_reader_next(r, &rec)) == 1)
		if (rec->type == SCREC_REC_BLOB)
			err = find_archive_store(f, rec, recording);
	screc_reader_close(r);
	if (err)
		screc_err("%s: cannot unpack the archived files: %s", recording, strerror(-err));
	return err;
}

bool
find_archive_loaded(const struct finder *f)
{
	return f->archive_loaded;
}

static void
remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		char sub[512];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

void
find_archive_remove(struct finder *f)
{
	if (f->archive_dir[0])
		remove_tree(f->archive_dir);
	f->archive_dir[0] = '\0';
	f->archive_loaded = false;
}
