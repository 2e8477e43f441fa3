// SPDX-License-Identifier: MIT
/*
 * The report's side of archives: a first pass over the recording collects
 * the BLOB records (the vdso, archived binaries and debug files) into a
 * private temporary directory, laid out the way libdwfl looks for debug
 * files (DIR/.build-id/xx/rest.debug), and tells the unwinder what is there.
 * The directory is removed when the report ends.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buildid.h"
#include "common/log.h"
#include "report.h"
#include "unwind.h"

#define MAX_BLOB_SIZE	(4ull << 30)

static char dir[64];
static bool loaded;	/* archive_load() took every BLOB already */

static void
blob_path(const struct screc_rec_blob *b, char *out, size_t len)
{
	char hex[41];

	screc_hex(b->build_id, b->build_id_len, hex);
	if (b->kind == SCREC_BLOB_DEBUG)
		snprintf(out, len, "%s/.build-id/%.2s/%s.debug", dir, hex, hex + 2);
	else
		snprintf(out, len, "%s/%s.%s", dir, hex, b->kind == SCREC_BLOB_VDSO ? "vdso" : "elf");
}

int
archive_store(const struct screc_rec *rec, const char *recording)
{
	struct screc_rec_blob b;
	char path[256], sub[128];
	const uint8_t *data;
	int fd;

	if (rec->size < sizeof(b))
		return -EBADMSG;
	memcpy(&b, rec, sizeof(b));
	if (b.build_id_len < 2 || b.build_id_len > 20 || b.path_len > rec->size - sizeof(b) ||
	    b.data_len > rec->size - sizeof(b) - b.path_len || b.total_size > MAX_BLOB_SIZE ||
	    b.offset > b.total_size || b.data_len > b.total_size - b.offset ||
	    (b.kind != SCREC_BLOB_VDSO && b.kind != SCREC_BLOB_ELF && b.kind != SCREC_BLOB_DEBUG)) {
		screc_err("%s: an archived file record is malformed: ignored", recording);
		return 0;
	}
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/screc-archive-XXXXXX");
		if (!mkdtemp(dir)) {
			dir[0] = '\0';
			return -errno;
		}
	}
	blob_path(&b, path, sizeof(path));
	if (b.kind == SCREC_BLOB_DEBUG) {
		char hex[41];

		screc_hex(b.build_id, b.build_id_len, hex);
		snprintf(sub, sizeof(sub), "%s/.build-id", dir);
		mkdir(sub, 0700);
		snprintf(sub, sizeof(sub), "%s/.build-id/%.2s", dir, hex);
		mkdir(sub, 0700);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	data = (const uint8_t *)rec + sizeof(b) + b.path_len;
	if (pwrite(fd, data, b.data_len, (off_t)b.offset) != (ssize_t)b.data_len) {
		int err = -errno;

		close(fd);
		return err ? err : -EIO;
	}
	close(fd);
	if (b.offset + b.data_len == b.total_size && b.kind != SCREC_BLOB_DEBUG)
		unwind_add_archived(b.build_id, b.build_id_len, path, b.kind == SCREC_BLOB_VDSO);
	return 0;
}

int
archive_load(const char *recording, const char **debug_dir)
{
	struct screc_reader *r;
	const struct screc_rec *rec;
	int fd, ret, err = 0;

	*debug_dir = NULL;
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
	loaded = true;
	while (!err && (ret = screc_reader_next(r, &rec)) == 1)
		if (rec->type == SCREC_REC_BLOB)
			err = archive_store(rec, recording);
	screc_reader_close(r);
	if (err)
		screc_err("%s: cannot unpack the archived files: %s", recording, strerror(-err));
	*debug_dir = dir[0] ? dir : NULL;
	return err;
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

bool
archive_loaded(void)
{
	return loaded;
}

void
archive_unload(void)
{
	if (dir[0])
		remove_tree(dir);
	dir[0] = '\0';
	loaded = false;
}
