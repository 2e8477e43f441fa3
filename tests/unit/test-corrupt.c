// SPDX-License-Identifier: MIT
/*
 * Corrupt recordings: every recording named on the command line (real ones,
 * made by the recorder) and a synthetic one are cut at every byte offset and
 * mutated at random, both in their compressed bytes and in the records inside
 * the frames.  Whatever the bytes, the reader must return records, then the
 * end or an error; never crash, hang or read out of bounds (run this under
 * AddressSanitizer).  Every record read is also handed to the perf record
 * parser, as a report would.
 *
 * Usage: test-corrupt [RECORDING...]   SCREC_FUZZ_ROUNDS sets the mutation count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "common/perf-record.h"
#include "common/reader.h"
#include "synth.h"
#include "tap.h"

/* Stop a parse that yields more records than any input could hold (a hang). */
#define MAX_RECORDS	(1u << 24)

struct recording {
	char name[256];
	uint8_t *buf;
	size_t len;
	uint8_t *recs;		/* every record of the complete parse, back to back */
	size_t recs_len;
	size_t nr_recs;
	int end;		/* how the complete parse ended */
};

static volatile uint64_t sink;

/* Touch every byte a parsed sample points at, so AddressSanitizer sees any overrun. */
static void
touch(const void *p, uint64_t len)
{
	const uint8_t *b = p;
	uint64_t i, sum = 0;

	for (i = 0; p && i < len; i++)
		sum += b[i];
	sink += sum;
}

/* What a report does with a record: attributes, sample and side-band parsing. */
static void
consume(struct screc_attrs *attrs, const struct screc_rec *rec)
{
	const uint8_t *body = (const uint8_t *)rec + sizeof(*rec);
	size_t len = rec->size - sizeof(*rec);
	struct screc_sample s;
	uint64_t v;
	unsigned reg;

	touch(rec, rec->size);
	if (rec->type == SCREC_REC_ATTR) {
		screc_attrs_add(attrs, rec);
		return;
	}
	if (rec->type != SCREC_REC_PERF)
		return;
	if (screc_sample_parse(attrs, body, len, &s) == 0) {
		touch(s.raw, s.raw_size);
		touch(s.regs, 8ull * s.nr_regs);
		touch(s.stack, s.stack_size);
		for (reg = 0; reg < 70; reg++)
			if (screc_sample_reg(&s, reg, &v) == 0)
				sink += v;
	}
	if (screc_sample_id_parse(attrs, body, len, &s) == 0)
		sink += s.pid + s.time;
}

/*
 * Read everything from buf/len.  Returns the final status (0, or the open or
 * read error), *nr the records read.  When ref is given, checks each record
 * against the complete parse and clears *same on a difference.
 */
static int
parse(const uint8_t *buf, size_t len, size_t *nr, const struct recording *ref, bool *same)
{
	struct screc_attrs attrs = { 0 };
	const struct screc_rec *rec;
	struct screc_reader *r;
	size_t off = 0;
	int ret;

	*nr = 0;
	ret = screc_reader_open_mem(buf, len, &r);
	if (ret)
		return ret;
	while ((ret = screc_reader_next(r, &rec)) == 1 && *nr < MAX_RECORDS) {
		if (ref && same) {
			if (*nr >= ref->nr_recs || rec->size > ref->recs_len - off ||
			    memcmp(rec, ref->recs + off, rec->size) != 0)
				*same = false;
			else
				off += rec->size;
		}
		consume(&attrs, rec);
		(*nr)++;
	}
	if (*nr >= MAX_RECORDS)
		ret = -ELOOP;
	screc_reader_close(r);
	screc_attrs_release(&attrs);
	return ret;
}

static int
load(struct recording *rc)
{
	const struct screc_rec *rec;
	struct screc_reader *r;
	size_t cap = 1 << 16;
	int ret;

	rc->recs = malloc(cap);
	if (!rc->recs || screc_reader_open_mem(rc->buf, rc->len, &r))
		return -EBADMSG;
	while ((ret = screc_reader_next(r, &rec)) == 1) {
		while (rec->size > cap - rc->recs_len) {
			cap *= 2;
			rc->recs = realloc(rc->recs, cap);
			if (!rc->recs)
				return -ENOMEM;
		}
		memcpy(rc->recs + rc->recs_len, rec, rec->size);
		rc->recs_len += rec->size;
		rc->nr_recs++;
	}
	rc->end = ret;
	screc_reader_close(r);
	return 0;
}

/* Cut at every offset, from memory: records as in the whole file, then -ENODATA. */
static void
test_truncation(const struct recording *rc)
{
	size_t cut, nr, prev = 0, bad = 0;
	bool monotonic = true;
	char first_bad[160] = "";

	for (cut = 0; cut < rc->len; cut++) {
		bool same = true;
		int ret = parse(rc->buf, cut, &nr, rc, &same);

		if (ret != -ENODATA || !same) {
			if (!bad++)
				snprintf(first_bad, sizeof(first_bad),
					 "cut at %zu: status %d (%s), %zu records%s", cut, ret,
					 strerror(-ret), nr, same ? "" : ", records differ");
		}
		if (nr < prev)
			monotonic = false;
		prev = nr;
	}
	if (bad)
		tap_diag("%s: %s", rc->name, first_bad);
	tap_is((long long)bad, 0, "%s: cut at each of %zu offsets gives its records, then -ENODATA",
	       rc->name, rc->len);
	tap_ok(monotonic, "%s: a longer prefix never yields fewer records", rc->name);
}

/* The same through a file descriptor (the reader's buffered path). */
static void
test_truncation_fd(const struct recording *rc)
{
	size_t cut, bad = 0, step = rc->len > 20000 ? rc->len / 5000 : 1;
	int fd = memfd_create("cut", MFD_CLOEXEC);

	if (fd < 0 || write(fd, rc->buf, rc->len) != (ssize_t)rc->len) {
		tap_ok(false, "%s: memfd", rc->name);
		return;
	}
	for (cut = 0; cut <= rc->len; cut += step) {
		const struct screc_rec *rec;
		struct screc_reader *r;
		size_t nr = 0;
		int ret;

		if (ftruncate(fd, (off_t)cut) < 0)
			break;
		lseek(fd, 0, SEEK_SET);
		ret = screc_reader_open_fd(dup(fd), &r);
		if (!ret) {
			while ((ret = screc_reader_next(r, &rec)) == 1)
				nr++;
			screc_reader_close(r);
		}
		if (cut < rc->len && (ret != -ENODATA || nr > rc->nr_recs))
			bad++;
		if (cut == rc->len && (ret != rc->end || nr != rc->nr_recs))
			bad++;
		/* Put the cut bytes back for the next, longer cut. */
		if (pwrite(fd, rc->buf, rc->len, 0) != (ssize_t)rc->len)
			break;
	}
	close(fd);
	tap_is((long long)bad, 0, "%s: cuts read through a file descriptor too", rc->name);
}

static bool
allowed(int ret)
{
	return ret == 0 || ret == -ENODATA || ret == -EBADMSG || ret == -ENOTSUP;
}

/* Random changes to the compressed file, header included. */
static void
test_mutate_file(const struct recording *rc, unsigned rounds, uint64_t seed)
{
	uint8_t *copy = malloc(rc->len);
	unsigned i, bad = 0, outcome[4] = { 0 };
	uint64_t st = seed;

	for (i = 0; i < rounds; i++) {
		unsigned k, n = 1 + (unsigned)(tap_rand(&st) % 4);
		size_t nr;
		int ret;

		memcpy(copy, rc->buf, rc->len);
		for (k = 0; k < n; k++) {
			size_t at = (size_t)(tap_rand(&st) % rc->len);

			/* Now and then hit the header, where every field matters. */
			if (tap_rand(&st) % 8 == 0)
				at %= sizeof(struct screc_file_header);
			copy[at] ^= (uint8_t)(1 + tap_rand(&st) % 255);
		}
		ret = parse(copy, rc->len, &nr, NULL, NULL);
		if (!allowed(ret)) {
			if (!bad++)
				tap_diag("%s: seed %llu round %u: status %d", rc->name,
					 (unsigned long long)seed, i, ret);
		}
		outcome[ret == 0 ? 0 : ret == -ENODATA ? 1 : ret == -EBADMSG ? 2 : 3]++;
	}
	tap_diag("%s: %u file mutations: %u complete, %u truncated, %u corrupt, %u unsupported",
		 rc->name, rounds, outcome[0], outcome[1], outcome[2], outcome[3]);
	tap_is(bad, 0, "%s: mutated files give records and an end or an error", rc->name);
	free(copy);
}

/* Random changes to the records themselves, compressed again into one good frame. */
static void
test_mutate_records(const struct recording *rc, unsigned rounds, uint64_t seed)
{
	size_t hdr = sizeof(struct screc_file_header);
	size_t cap = hdr + ZSTD_compressBound(rc->recs_len);
	uint8_t *recs = malloc(rc->recs_len), *file = malloc(cap);
	size_t *offs = malloc((rc->nr_recs + 1) * sizeof(*offs)), off = 0, i;
	unsigned r, bad = 0, outcome[4] = { 0 };
	uint64_t st = seed;

	if (!recs || !file || !offs || rc->nr_recs == 0) {
		tap_ok(rc->nr_recs == 0, "%s: record mutations (nothing to mutate)", rc->name);
		goto out;
	}
	for (i = 0; i < rc->nr_recs; i++) {
		uint32_t size;

		offs[i] = off;
		memcpy(&size, rc->recs + off + 4, 4);
		off += size;
	}
	memcpy(file, rc->buf, hdr);
	for (r = 0; r < rounds; r++) {
		size_t len = rc->recs_len, n;
		size_t at = offs[tap_rand(&st) % rc->nr_recs];
		uint32_t v32;
		uint16_t v16;
		uint64_t v64;
		int ret;

		memcpy(recs, rc->recs, rc->recs_len);
		switch (tap_rand(&st) % 6) {
		case 0:		/* a record's size */
			v32 = (uint32_t)tap_rand(&st);
			if (v32 & 1)
				v32 = (v32 >> 1) % 256 * 8;
			memcpy(recs + at + 4, &v32, 4);
			break;
		case 1:		/* a perf record's own size */
			v16 = (uint16_t)tap_rand(&st);
			if (at + 16 <= len)
				memcpy(recs + at + 8 + 6, &v16, 2);
			break;
		case 2:		/* a 64-bit field in the record: counts, sizes, ids */
			v64 = tap_rand(&st) % 4 == 0 ? tap_rand(&st) : tap_rand(&st) % 70000;
			{
				uint32_t size;

				memcpy(&size, rc->recs + at + 4, 4);
				if (size >= 16) {
					size_t f = 8 + (size_t)(tap_rand(&st) % ((size - 8) / 8)) * 8;

					memcpy(recs + at + f, &v64, 8);
				}
			}
			break;
		case 3:		/* a 32-bit field anywhere */
			v32 = tap_rand(&st) % 2 ? (uint32_t)tap_rand(&st) : (uint32_t)(tap_rand(&st) % 300);
			memcpy(recs + (tap_rand(&st) % (len / 4)) * 4, &v32, 4);
			break;
		case 4:		/* a few bytes anywhere */
			for (n = 0; n < 4; n++)
				recs[tap_rand(&st) % len] ^= (uint8_t)(1 + tap_rand(&st) % 255);
			break;
		default:	/* cut the records short */
			len = (size_t)(tap_rand(&st) % len);
			break;
		}
		n = ZSTD_compress(file + hdr, cap - hdr, recs, len, 1);
		if (ZSTD_isError(n))
			continue;
		ret = parse(file, hdr + n, &n, NULL, NULL);
		if (!allowed(ret)) {
			if (!bad++)
				tap_diag("%s: seed %llu round %u: status %d", rc->name,
					 (unsigned long long)seed, r, ret);
		}
		outcome[ret == 0 ? 0 : ret == -ENODATA ? 1 : ret == -EBADMSG ? 2 : 3]++;
	}
	tap_diag("%s: %u record mutations: %u complete, %u truncated, %u corrupt, %u unsupported",
		 rc->name, rounds, outcome[0], outcome[1], outcome[2], outcome[3]);
	tap_is(bad, 0, "%s: mutated records give records and an end or an error", rc->name);
out:
	free(offs);
	free(file);
	free(recs);
}

static void
run(struct recording *rc, unsigned rounds, uint64_t seed)
{
	if (!tap_is(load(rc), 0, "%s: opens", rc->name))
		return;
	tap_ok(rc->nr_recs > 0, "%s: %zu records, end status %d", rc->name, rc->nr_recs, rc->end);
	tap_is(rc->end, 0, "%s: complete", rc->name);
	test_truncation(rc);
	test_truncation_fd(rc);
	test_mutate_file(rc, rounds, seed);
	test_mutate_records(rc, rounds, seed + 1);
	free(rc->recs);
}

int
main(int argc, char **argv)
{
	const char *env = getenv("SCREC_FUZZ_ROUNDS");
	unsigned rounds = env ? (unsigned)strtoul(env, NULL, 10) : 5000;
	uint64_t seed = getenv("SCREC_FUZZ_SEED") ? strtoull(getenv("SCREC_FUZZ_SEED"), NULL, 0) :
						     20240601;
	struct recording rc = { 0 };
	int i;

	tap_diag("seed %llu, %u rounds (SCREC_FUZZ_SEED, SCREC_FUZZ_ROUNDS)",
		 (unsigned long long)seed, rounds);
	snprintf(rc.name, sizeof(rc.name), "synthetic");
	if (tap_is(synth_recording(12, 3, 256, &rc.buf, &rc.len), 0, "synthetic recording built")) {
		run(&rc, rounds, seed);
		free(rc.buf);
	}
	for (i = 1; i < argc; i++) {
		const char *base = strrchr(argv[i], '/');

		memset(&rc, 0, sizeof(rc));
		snprintf(rc.name, sizeof(rc.name), "%s", base ? base + 1 : argv[i]);
		if (!tap_is(synth_read_file(argv[i], &rc.buf, &rc.len), 0, "%s: read", rc.name))
			continue;
		run(&rc, rounds, seed + (uint64_t)i * 1000);
		free(rc.buf);
	}
	return tap_done();
}
