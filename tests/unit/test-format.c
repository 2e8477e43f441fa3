// SPDX-License-Identifier: MIT
/*
 * The recording format through the real writer and reader: round trips via
 * a memfd and via memory, record bodies and padding, the largest record,
 * many frames, the file header checks (magic, versions, feature bits, header
 * size), the end of a recording with and without a trailer, and a writer
 * that runs out of space leaving a file readable up to its last frame, and
 * where a damaged byte is reported.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "common/reader.h"
#include "common/records.h"
#include "common/writer.h"
#include "synth.h"
#include "tap.h"

/* Read every record; returns the final status, counts in *nr and per type in types[]. */
static int
read_all(struct screc_reader *r, size_t *nr, size_t types[16])
{
	const struct screc_rec *rec;
	int ret;

	*nr = 0;
	memset(types, 0, 16 * sizeof(types[0]));
	while ((ret = screc_reader_next(r, &rec)) == 1) {
		(*nr)++;
		types[rec->type < 16 ? rec->type : 0]++;
	}
	return ret;
}

static int
open_mem_status(const void *buf, size_t len)
{
	struct screc_reader *r;
	int err = screc_reader_open_mem(buf, len, &r);

	if (!err)
		screc_reader_close(r);
	return err;
}

static void
test_round_trip_fd(void)
{
	struct screc_rec_trailer tr = { .nr_samples = 50, .nr_exits = 50, .nr_lost = 7 };
	const struct screc_rec_trailer *t;
	struct screc_writer *w;
	struct screc_reader *r;
	size_t nr, types[16];
	int fd, err;

	fd = memfd_create("round-trip", MFD_CLOEXEC);
	tap_ok(fd >= 0, "memfd_create");
	err = screc_writer_open(fd, SCREC_FEAT_STACK_TRIMMED, &w);
	tap_is(err, 0, "writer opens on a memfd");
	if (err)
		return;
	tap_is(synth_write(w, 50, 5, 512), 0, "50 events in 5 frames written");
	tap_ok(screc_writer_records(w) > 100, "writer counts records (%llu)",
	       (unsigned long long)screc_writer_records(w));
	tap_ok(screc_writer_bytes_in(w) > 50 * 512, "writer counts uncompressed bytes");
	tap_is(screc_writer_close(w, &tr), 0, "writer closes cleanly");
	tap_ok(lseek(fd, 0, SEEK_SET) == 0, "rewind");
	err = screc_reader_open_fd(fd, &r);	/* the reader owns fd now */
	tap_is(err, 0, "reader opens the memfd");
	if (err)
		return;
	tap_is(screc_reader_header(r)->version, SCREC_FORMAT_VERSION, "header version");
	tap_is((long long)screc_reader_header(r)->features, SCREC_FEAT_STACK_TRIMMED,
	       "header features");
	tap_ok(screc_reader_trailer(r) == NULL, "no trailer before it is read");
	tap_is(read_all(r, &nr, types), 0, "complete recording ends with 0");
	tap_is((long long)types[SCREC_REC_INFO], 1, "one INFO");
	tap_is((long long)types[SCREC_REC_STRING], 4, "four STRINGs");
	tap_is((long long)types[SCREC_REC_TRACEPOINT], 2, "two TRACEPOINTs");
	tap_is((long long)types[SCREC_REC_ATTR], 3, "three ATTRs");
	tap_is((long long)types[SCREC_REC_PERF], 2 + 100, "comm, mmap2 and 100 samples");
	tap_is((long long)types[SCREC_REC_ROUND], 5, "a ROUND per frame");
	tap_is((long long)types[SCREC_REC_TRAILER], 1, "one TRAILER");
	t = screc_reader_trailer(r);
	tap_ok(t != NULL, "trailer available after the end");
	if (t) {
		tap_is((long long)t->nr_records, (long long)nr - 1, "trailer counts the records before it");
		tap_is((long long)t->nr_samples, 50, "trailer samples");
		tap_is((long long)t->nr_lost, 7, "trailer lost");
	}
	tap_is(screc_reader_next(r, &(const struct screc_rec *){ NULL }), 0,
	       "the end is reported again");
	screc_reader_close(r);
}

/* Bodies of every length 0..40 come back byte for byte, padded with zeros. */
static void
test_bodies(void)
{
	uint8_t body[64], *buf = NULL;
	const struct screc_rec *rec;
	struct screc_writer *w;
	struct screc_reader *r;
	size_t len, i, n;
	bool same = true, padded = true, sizes = true;
	int fd, ret;

	fd = memfd_create("bodies", MFD_CLOEXEC);
	if (!tap_is(screc_writer_open(fd, 0, &w), 0, "writer opens"))
		return;
	for (i = 0; i <= 40; i++) {
		for (n = 0; n < i; n++)
			body[n] = (uint8_t)(i * 31 + n + 1);
		screc_writer_add(w, 1000 + (uint32_t)i, body, i);
		if (i % 7 == 0)
			screc_writer_flush(w);
	}
	tap_is(screc_writer_close(w, &(struct screc_rec_trailer){ 0 }), 0, "close");
	tap_is(synth_read_fd(fd, &buf, &len), 0, "read back");
	close(fd);
	if (!buf)
		return;
	tap_is(screc_reader_open_mem(buf, len, &r), 0, "reader opens memory");
	for (i = 0; (ret = screc_reader_next(r, &rec)) == 1 && i <= 40; i++) {
		const uint8_t *p = (const uint8_t *)rec + sizeof(*rec);

		if (rec->type != 1000 + i || rec->size != sizeof(*rec) + ((i + 7) & ~(size_t)7))
			sizes = false;
		for (n = 0; n < i; n++)
			if (p[n] != (uint8_t)(i * 31 + n + 1))
				same = false;
		for (; n < rec->size - sizeof(*rec); n++)
			if (p[n] != 0)
				padded = false;
	}
	tap_is((long long)i, 41, "41 records read");
	tap_ok(sizes, "types and padded sizes as written");
	tap_ok(same, "bodies as written");
	tap_ok(padded, "padding is zero");
	tap_is(ret, 1, "then the trailer");
	tap_is(screc_reader_next(r, &rec), 0, "then the end");
	screc_reader_close(r);
	free(buf);
}

/* The largest record, records larger than the writer's buffer in sum, one frame per record. */
static void
test_large_and_many(void)
{
	size_t big = SCREC_REC_MAX - 2 * sizeof(struct screc_rec);
	uint8_t *body = malloc(SCREC_REC_MAX), *buf = NULL;
	const struct screc_rec *rec;
	struct screc_writer *w;
	struct screc_reader *r;
	size_t len, i, nr = 0;
	bool same = true;
	int fd, ret;

	if (!body)
		return;
	for (i = 0; i < SCREC_REC_MAX; i++)
		body[i] = (uint8_t)(i * 13 + i / 251);
	fd = memfd_create("large", MFD_CLOEXEC);
	if (!tap_is(screc_writer_open(fd, 0, &w), 0, "writer opens"))
		return;
	tap_is(screc_writer_add(w, 77, body, big + 1), -EMSGSIZE, "a record over the limit is refused");
	for (i = 0; i < 5; i++)
		tap_is(screc_writer_add(w, 77, body, big), 0, "largest record %zu accepted", i);
	for (i = 0; i < 1000; i++) {
		screc_writer_add(w, 78, &i, sizeof(i));
		screc_writer_flush(w);
	}
	{
		uint64_t out = screc_writer_bytes_out(w);

		tap_is(screc_writer_flush(w), 0, "flush with nothing new");
		tap_is((long long)screc_writer_bytes_out(w), (long long)out, "writes nothing");
	}
	tap_is(screc_writer_close(w, &(struct screc_rec_trailer){ 0 }), 0, "close");
	tap_is(synth_read_fd(fd, &buf, &len), 0, "read back");
	close(fd);
	tap_is(screc_reader_open_mem(buf, len, &r), 0, "reader opens");
	while ((ret = screc_reader_next(r, &rec)) == 1) {
		if (rec->type == 77 && memcmp(rec + 1, body, big) != 0)
			same = false;
		if (rec->type == 78 && memcmp(rec + 1, &(size_t){ nr - 5 }, sizeof(size_t)) != 0)
			same = false;
		nr++;
	}
	tap_is(ret, 0, "complete");
	tap_is((long long)nr, 5 + 1000 + 1, "every record read");
	tap_ok(same, "large and small bodies intact");
	screc_reader_close(r);
	free(buf);
	free(body);
}

/* A header followed by one zstd frame holding the given uncompressed bytes. */
static uint8_t *
hand_made(const struct screc_file_header *h, const void *data, size_t dlen, size_t *len)
{
	size_t cap = sizeof(*h) + ZSTD_compressBound(dlen);
	uint8_t *buf = malloc(cap);
	size_t n;

	if (!buf)
		return NULL;
	memcpy(buf, h, sizeof(*h));
	n = ZSTD_compress(buf + sizeof(*h), cap - sizeof(*h), data, dlen, 1);
	if (ZSTD_isError(n)) {
		free(buf);
		return NULL;
	}
	*len = sizeof(*h) + n;
	return buf;
}

static struct screc_file_header
good_header(void)
{
	struct screc_file_header h = {
		.version = SCREC_FORMAT_VERSION,
		.min_version = SCREC_FORMAT_MIN_READ,
		.header_size = sizeof(h),
		.compression = SCREC_COMPRESS_ZSTD,
	};

	memcpy(h.magic, SCREC_MAGIC, SCREC_MAGIC_LEN);
	return h;
}

static void
test_header(void)
{
	struct screc_file_header h = good_header();
	uint8_t buf[256] = { 0 };

	memcpy(buf, &h, sizeof(h));
	tap_is(open_mem_status(buf, sizeof(h)), 0, "a good header opens");
	tap_is(open_mem_status(buf, 0), -ENODATA, "empty input: -ENODATA");
	tap_is(open_mem_status(buf, sizeof(h) - 1), -ENODATA, "a cut header: -ENODATA");

	h.magic[0] = 'X';
	memcpy(buf, &h, sizeof(h));
	tap_is(open_mem_status(buf, sizeof(h)), -EBADMSG, "bad magic: -EBADMSG");

	h = good_header();
	h.min_version = SCREC_FORMAT_VERSION + 1;
	h.version = SCREC_FORMAT_VERSION + 1;
	memcpy(buf, &h, sizeof(h));
	tap_is(open_mem_status(buf, sizeof(h)), -ENOTSUP, "newer min_version: -ENOTSUP");

	h = good_header();
	h.version = SCREC_FORMAT_VERSION + 5;
	memcpy(buf, &h, sizeof(h));
	tap_is(open_mem_status(buf, sizeof(h)), 0, "newer version readable by us: opens");

	h = good_header();
	h.features = 1ull << 7;
	memcpy(buf, &h, sizeof(h));
	tap_is(open_mem_status(buf, sizeof(h)), -ENOTSUP, "unknown required feature: -ENOTSUP");

	h = good_header();
	h.features = (1ull << 40) | SCREC_FEAT_STACK_TRIMMED;
	memcpy(buf, &h, sizeof(h));
	tap_is(open_mem_status(buf, sizeof(h)), 0, "unknown optional feature: opens");

	h = good_header();
	h.compression = 2;
	memcpy(buf, &h, sizeof(h));
	tap_is(open_mem_status(buf, sizeof(h)), -ENOTSUP, "unknown compression: -ENOTSUP");

	h = good_header();
	h.header_size = 32;
	memcpy(buf, &h, sizeof(h));
	tap_is(open_mem_status(buf, sizeof(h)), -EBADMSG, "header_size too small: -EBADMSG");

	h = good_header();
	h.header_size = 1u << 20;
	memcpy(buf, &h, sizeof(h));
	tap_is(open_mem_status(buf, sizeof(h)), -EBADMSG, "header_size absurd: -EBADMSG");

	h = good_header();
	h.header_size = sizeof(h) + 64;
	memcpy(buf, &h, sizeof(h));
	tap_is(open_mem_status(buf, sizeof(h) + 63), -ENODATA, "longer header, cut: -ENODATA");
	tap_is(open_mem_status(buf, sizeof(h) + 64), 0, "longer header of a newer writer: opens");
}

/* A longer header is skipped, and records after it read normally. */
static void
test_longer_header(void)
{
	uint8_t *file, *longer;
	size_t len;
	struct screc_file_header h;
	struct screc_reader *r;
	size_t nr, types[16];

	if (synth_recording(3, 1, 64, &file, &len))
		return;
	longer = malloc(len + 24);
	memcpy(&h, file, sizeof(h));
	h.header_size += 24;
	memcpy(longer, &h, sizeof(h));
	memset(longer + sizeof(h), 0xee, 24);
	memcpy(longer + sizeof(h) + 24, file + sizeof(h), len - sizeof(h));
	tap_is(screc_reader_open_mem(longer, len + 24, &r), 0, "longer header opens");
	tap_is(read_all(r, &nr, types), 0, "records behind a longer header read to the end");
	tap_is((long long)types[SCREC_REC_TRAILER], 1, "trailer found");
	screc_reader_close(r);
	free(longer);
	free(file);
}

static void
test_ends(void)
{
	struct screc_file_header h = good_header();
	const struct screc_rec *rec;
	struct screc_reader *r;
	uint8_t *buf, *file;
	size_t len, flen;
	uint64_t data[8] = { 0 };
	struct screc_rec_trailer tr = { { SCREC_REC_TRAILER, sizeof(tr) } };
	int ret;

	/* A header alone: no records, no trailer. */
	tap_is(screc_reader_open_mem(&h, sizeof(h), &r), 0, "header alone opens");
	tap_is(screc_reader_next(r, &rec), -ENODATA, "header alone: -ENODATA");
	tap_ok(strstr(screc_reader_error(r), "trailer") != NULL, "message says the trailer is missing (%s)",
	       screc_reader_error(r));
	tap_is(screc_reader_next(r, &rec), -ENODATA, "errors are sticky");
	screc_reader_close(r);

	/* Not zstd after the header. */
	memset(data, 0x5a, sizeof(data));
	buf = malloc(sizeof(h) + sizeof(data));
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), data, sizeof(data));
	screc_reader_open_mem(buf, sizeof(h) + sizeof(data), &r);
	tap_is(screc_reader_next(r, &rec), -EBADMSG, "garbage after the header: -EBADMSG");
	screc_reader_close(r);
	free(buf);

	/* Bad record sizes inside a good frame. */
	{
		static const uint32_t sizes[] = { 0, 4, 12, SCREC_REC_MAX + 8, 0xfffffff8u };
		size_t i;

		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			uint32_t rec_hdr[2] = { 1, sizes[i] };

			memset(data, 0, sizeof(data));
			memcpy(data, rec_hdr, sizeof(rec_hdr));
			buf = hand_made(&h, data, sizeof(data), &len);
			screc_reader_open_mem(buf, len, &r);
			tap_is(screc_reader_next(r, &rec), -EBADMSG, "record size %u: -EBADMSG",
			       sizes[i]);
			screc_reader_close(r);
			free(buf);
		}
	}

	/* A record that claims more than the data holds. */
	{
		uint32_t rec_hdr[2] = { 1, 4096 };

		memcpy(data, rec_hdr, sizeof(rec_hdr));
		buf = hand_made(&h, data, sizeof(data), &len);
		screc_reader_open_mem(buf, len, &r);
		tap_is(screc_reader_next(r, &rec), -ENODATA, "record longer than the data: -ENODATA");
		screc_reader_close(r);
		free(buf);
	}

	/* A short trailer. */
	{
		uint32_t rec_hdr[2] = { SCREC_REC_TRAILER, 16 };

		memset(data, 0, sizeof(data));
		memcpy(data, rec_hdr, sizeof(rec_hdr));
		buf = hand_made(&h, data, 16, &len);
		screc_reader_open_mem(buf, len, &r);
		tap_is(screc_reader_next(r, &rec), -EBADMSG, "short trailer: -EBADMSG");
		screc_reader_close(r);
		free(buf);
	}

	/* Data after the trailer: a second frame appended to a complete file. */
	if (synth_recording(2, 1, 64, &file, &flen) == 0) {
		uint8_t *extra = hand_made(&h, &tr, sizeof(tr), &len);

		buf = malloc(flen + len - sizeof(h));
		memcpy(buf, file, flen);
		memcpy(buf + flen, extra + sizeof(h), len - sizeof(h));
		screc_reader_open_mem(buf, flen + len - sizeof(h), &r);
		while ((ret = screc_reader_next(r, &rec)) == 1)
			;
		tap_is(ret, -EBADMSG, "data after the trailer: -EBADMSG");
		screc_reader_close(r);
		free(buf);
		free(extra);
		free(file);
	}
}

/*
 * A write error part way (here RLIMIT_FSIZE, as a full disk would): the error
 * sticks, close reports it, and the file reads up to the last whole frame.
 */
static void
test_write_error(void)
{
	struct rlimit old, lim;
	struct screc_writer *w;
	struct screc_reader *r;
	size_t nr, types[16];
	uint64_t junk[512], seed = 1;
	int fd, err = 0, i, close_err;

	fd = memfd_create("full", MFD_CLOEXEC);
	getrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 64 * 1024;
	if (setrlimit(RLIMIT_FSIZE, &lim) < 0) {
		tap_skip("write errors: cannot lower RLIMIT_FSIZE to 64 KiB (hard limit %llu)",
			 (unsigned long long)old.rlim_max);
		close(fd);
		return;
	}
	if (!tap_is(screc_writer_open(fd, 0, &w), 0, "writer opens"))
		goto out;
	synth_write(w, 10, 2, 64);
	tap_is(screc_writer_flush(w), 0, "the first frames fit");
	for (i = 0; i < 4096 && !err; i++) {
		size_t k;

		/* Random bytes do not compress: the file grows as fast as the input. */
		for (k = 0; k < sizeof(junk) / sizeof(junk[0]); k++)
			junk[k] = tap_rand(&seed);
		err = screc_writer_add(w, 99, junk, sizeof(junk));
		if (!err && i % 4 == 3)
			err = screc_writer_flush(w);
	}
	tap_is(err, -EFBIG, "the writer reports the error");
	tap_is(screc_writer_add(w, 99, junk, 8), -EFBIG, "and keeps reporting it");
	close_err = screc_writer_close(w, &(struct screc_rec_trailer){ 0 });
	tap_is(close_err, -EFBIG, "close reports it too");
	setrlimit(RLIMIT_FSIZE, &old);
	lseek(fd, 0, SEEK_SET);
	if (!tap_is(screc_reader_open_fd(fd, &r), 0, "the cut file opens"))
		return;
	tap_is(read_all(r, &nr, types), -ENODATA, "and reads as truncated");
	tap_is((long long)types[SCREC_REC_PERF], 2 + 20, "with every event of the flushed frames");
	screc_reader_close(r);
	return;
out:
	setrlimit(RLIMIT_FSIZE, &old);
	close(fd);
}

/*
 * A byte flipped deep in a file read through a descriptor (where the reader
 * refills its 128 KiB input buffer many times) is reported at the start of
 * the zstd frame that holds it, and the same from memory (one buffer).
 * Frames here are about 256 KiB of incompressible records, so a count that
 * goes wrong at a refill shows at once.
 */
static void
test_error_offset(void)
{
	static const size_t flips[] = { 1000, 200000, 600000, 1000000, 1400000 };
	uint64_t junk[512], seed = 7;
	uint8_t *file = NULL, *copy;
	struct screc_writer *w;
	size_t len, i, k;
	int fd;

	fd = memfd_create("offsets", MFD_CLOEXEC);
	if (!tap_is(screc_writer_open(fd, 0, &w), 0, "writer opens"))
		return;
	for (i = 0; i < 400; i++) {
		for (k = 0; k < sizeof(junk) / sizeof(junk[0]); k++)
			junk[k] = tap_rand(&seed);
		screc_writer_add(w, 99, junk, sizeof(junk));
		if (i % 64 == 63)
			screc_writer_flush(w);
	}
	tap_is(screc_writer_close(w, &(struct screc_rec_trailer){ 0 }), 0, "a 1.6 MB recording");
	tap_is(synth_read_fd(fd, &file, &len), 0, "read back");
	close(fd);
	if (!file || !tap_ok(len > 1500000, "longer than the last flip (%zu bytes)", len))
		goto out;
	copy = malloc(len);
	for (i = 0; copy && i < sizeof(flips) / sizeof(flips[0]); i++) {
		size_t at = flips[i], start = sizeof(struct screc_file_header), end = start;
		const struct screc_rec *rec;
		struct screc_reader *r;
		uint64_t off;
		int ret;

		/* The frame that holds the flipped byte. */
		while (end <= at) {
			start = end;
			end += ZSTD_findFrameCompressedSize(file + start, len - start);
		}
		memcpy(copy, file, len);
		copy[at] ^= 0x10;
		fd = memfd_create("flipped", MFD_CLOEXEC);
		if (write(fd, copy, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0 ||
		    screc_reader_open_fd(fd, &r) != 0) {
			tap_ok(false, "byte %zu: the flipped file opens", at);
			continue;
		}
		while ((ret = screc_reader_next(r, &rec)) == 1)
			;
		off = screc_reader_offset(r);
		tap_is(ret, -EBADMSG, "byte %zu flipped: -EBADMSG", at);
		tap_ok(off == start, "byte %zu flipped: reported at byte %llu, the start of its "
		       "frame [%zu, %zu)", at, (unsigned long long)off, start, end);
		screc_reader_close(r);
		/* The same from memory, where the input is one buffer. */
		if (screc_reader_open_mem(copy, len, &r) != 0)
			continue;
		while (screc_reader_next(r, &rec) == 1)
			;
		tap_is((long long)screc_reader_offset(r), (long long)off,
		       "byte %zu flipped: the same offset from memory", at);
		screc_reader_close(r);
	}
	free(copy);
out:
	free(file);
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/*
 * The destructors take NULL and do nothing: in a child, so that a crash is
 * a failed check rather than a lost test, which exits 42 when they returned
 * and left every descriptor open.
 */
static void
test_null(void)
{
	int status = -1;
	pid_t pid;

	tap_is(screc_writer_close(NULL, NULL), 0, "screc_writer_close(NULL) returns 0");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int before = count_fds();

		screc_reader_close(NULL);
		screc_writer_close(NULL, NULL);
		_exit(before > 0 && count_fds() == before ? 42 : 1);
	}
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 42,
	       "screc_reader_close(NULL) and screc_writer_close(NULL) "
	       "return and close nothing (status %#x)", (unsigned)status);
}

/* Append an FDS entry (fd, flags, path padded to 8) at *len of buf. */
static void
fds_entry(uint8_t *buf, size_t *len, int32_t fd, uint16_t flags, const char *path)
{
	struct screc_fds_entry e = { fd, flags, (uint16_t)strlen(path) };

	memcpy(buf + *len, &e, sizeof(e));
	memcpy(buf + *len + sizeof(e), path, e.path_len);
	*len += sizeof(e) + ((e.path_len + 7u) & ~7u);
}

/* The FDS getter: what -p writes reads back; a count, a length or an fd that lies does not. */
static void
test_fds_getter(void)
{
	uint64_t words[64] = { 0 };
	uint8_t *buf = (uint8_t *)words;
	struct screc_rec_fds rf = { .hdr = { SCREC_REC_FDS, 0 }, .pid = 42, .nr_fds = 2, .time = 7 };
	struct screc_fds_entry_view e;
	struct screc_fds_view v;
	size_t len = sizeof(rf), pos = 0;
	int32_t neg = -1;
	uint16_t big = 200;

	fds_entry(buf, &len, 3, 0, "socket:[12345]");
	fds_entry(buf, &len, 4, SCREC_FDS_CLOEXEC, "/etc/hosts");
	rf.hdr.size = (uint32_t)len;
	memcpy(buf, &rf, sizeof(rf));
	tap_is(screc_get_fds((struct screc_rec *)buf, &v), 0, "fds: a record of two fds reads");
	tap_ok(v.pid == 42 && v.nr_fds == 2 && v.time == 7, "fds: pid, count and time");
	tap_ok(screc_fds_next(&v, &pos, &e) && e.fd == 3 && !e.cloexec && e.path_len == 14 &&
	       memcmp(e.path, "socket:[12345]", 14) == 0, "fds: the socket's entry");
	tap_ok(screc_fds_next(&v, &pos, &e) && e.fd == 4 && e.cloexec && e.path_len == 10 &&
	       memcmp(e.path, "/etc/hosts", 10) == 0, "fds: the file's entry, close-on-exec");
	tap_is(screc_fds_next(&v, &pos, &e), 0, "fds: then the end");

	rf.nr_fds = 3;
	memcpy(buf, &rf, sizeof(rf));
	tap_is(screc_get_fds((struct screc_rec *)buf, &v), -EBADMSG, "fds: a count too large");
	rf.nr_fds = 1;
	memcpy(buf, &rf, sizeof(rf));
	tap_is(screc_get_fds((struct screc_rec *)buf, &v), -EBADMSG, "fds: a count too small");
	rf.nr_fds = 2;
	memcpy(buf, &rf, sizeof(rf));
	memcpy(buf + sizeof(rf) + 24 + 6, &big, 2);
	tap_is(screc_get_fds((struct screc_rec *)buf, &v), -EBADMSG,
	       "fds: a path running past the record");
	memcpy(buf + sizeof(rf) + 24 + 6, &(uint16_t){ 10 }, 2);
	memcpy(buf + sizeof(rf), &neg, 4);
	tap_is(screc_get_fds((struct screc_rec *)buf, &v), -EBADMSG, "fds: a negative fd");
	rf.hdr.size = sizeof(rf) - 8;
	memcpy(buf, &rf, sizeof(rf));
	tap_is(screc_get_fds((struct screc_rec *)buf, &v), -EBADMSG, "fds: shorter than its fixed part");
}

/* A CAPTURE record in buf: nreg regions of len bytes (declared as decl), returns its size. */
static size_t
make_capture(uint8_t *buf, unsigned nreg, uint32_t len, uint32_t decl, uint8_t when, uint32_t arg)
{
	struct screc_rec_capture rc = { .tid = 7, .nr = 257, .time = 100, .when = when,
					.nr_regions = (uint8_t)nreg };
	size_t off = sizeof(rc);
	unsigned i;

	for (i = 0; i < nreg; i++) {
		struct screc_capture_region r = { 0x1000 + i * 0x100, decl, arg };

		memcpy(buf + off, &r, sizeof(r));
		off += sizeof(r);
		memset(buf + off, 'a' + (int)i, len);
		off += (len + 7) & ~7u;
	}
	rc.hdr = (struct screc_rec){ SCREC_REC_CAPTURE, (uint32_t)off };
	memcpy(buf, &rc, sizeof(rc));
	return off;
}

/* screc_get_capture: every region inside the record and within the limits, or -EBADMSG. */
static void
test_capture(void)
{
	static uint8_t buf[16384] __attribute__((aligned(8)));
	struct screc_capture_view v;
	struct screc_rec *rec = (struct screc_rec *)buf;

	make_capture(buf, 2, 14, 14, SCREC_CAPTURE_ENTRY, 1);
	tap_is(screc_get_capture(rec, &v), 0, "capture: two regions read");
	tap_ok(v.tid == 7 && v.nr == 257 && v.nr_regions == 2 && v.regions[1].len == 14 &&
	       v.regions[1].addr == 0x1100 && v.regions[1].data[0] == 'b',
	       "capture: tid, nr, regions and their bytes as written");
	make_capture(buf, 1, 16, 5000, SCREC_CAPTURE_ENTRY, 1);
	tap_is(screc_get_capture(rec, &v), -EBADMSG, "capture: a region longer than the record");
	make_capture(buf, 1, 4104, 4104, SCREC_CAPTURE_EXIT, 1);
	tap_is(screc_get_capture(rec, &v), -EBADMSG, "capture: a region over %u bytes",
	       SCREC_CAPTURE_MAX_LEN);
	make_capture(buf, 7, 8, 8, SCREC_CAPTURE_ENTRY, 1);
	tap_is(screc_get_capture(rec, &v), -EBADMSG, "capture: more than %d regions",
	       SCREC_CAPTURE_MAX_REGIONS);
	make_capture(buf, 1, 8, 8, 3, 1);
	tap_is(screc_get_capture(rec, &v), -EBADMSG, "capture: neither entry nor exit");
	make_capture(buf, 1, 8, 8, SCREC_CAPTURE_ENTRY, 6);
	tap_is(screc_get_capture(rec, &v), -EBADMSG, "capture: argument 6");
	rec->size = 24;
	tap_is(screc_get_capture(rec, &v), -EBADMSG, "capture: shorter than its fixed part");
}

int
main(void)
{
	test_capture();
	test_round_trip_fd();
	test_bodies();
	test_large_and_many();
	test_header();
	test_longer_header();
	test_ends();
	test_write_error();
	test_error_offset();
	test_null();
	test_fds_getter();
	return tap_done();
}
