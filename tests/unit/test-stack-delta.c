// SPDX-License-Identifier: MIT
/*
 * Stack deltas (SCREC_FEAT_STACK_DELTA): real version-1 recordings re-encoded
 * with the recorder's encoder through the real writer, with zstd frames of
 * several sizes, read back by the reader record for record equal to the
 * original; random stacks at moving addresses; a delta never refers to an
 * earlier frame; the decoder's bounds (every truncation and every byte
 * mutated); the header's versions.
 *
 * Usage: test-stack-delta RECORDING...            (TAP)
 *        test-stack-delta --encode IN OUT         (IN re-encoded with deltas, for
 *                                                  tests/record/stack-delta.sh)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/arch.h"
#include "common/perf-record.h"
#include "common/reader.h"
#include "common/stack-delta.h"
#include "common/writer.h"
#include "tap.h"

struct counts {
	size_t records, deltas, keys;
};

/*
 * Copy the recording at in to out_fd, every syscall-entry sample with stack
 * bytes as a delta, ending a frame every flush_every records (0: never).
 * Returns 0 or -errno.
 */
static int
reencode(const char *in, int out_fd, size_t flush_every, struct counts *c)
{
	struct screc_attrs attrs = { 0 };
	struct screc_delta delta = { 0 };
	const struct screc_rec *rec;
	struct screc_reader *r;
	struct screc_writer *w;
	uint8_t *buf;
	int fd, ret, err;

	memset(c, 0, sizeof(*c));
	fd = open(in, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = screc_reader_open_fd(fd, &r);
	if (err)
		return err;
	buf = malloc(screc_delta_bound(SCREC_REC_MAX, SCREC_ARCH_STACK_MAX + 8));
	err = buf ? screc_writer_open(out_fd, screc_reader_header(r)->features |
					      SCREC_FEAT_STACK_DELTA, &w) : -ENOMEM;
	if (err) {
		free(buf);
		screc_reader_close(r);
		return err;
	}
	while ((ret = screc_reader_next(r, &rec)) == 1 && !err) {
		const uint8_t *perf = (const uint8_t *)rec + sizeof(*rec);
		struct perf_event_header h;
		struct screc_sample s;
		uint64_t sp = 0;
		size_t len;

		c->records++;
		if (flush_every && c->records % flush_every == 0)
			err = screc_writer_flush(w);
		if (rec->type == SCREC_REC_ATTR)
			screc_attrs_add(&attrs, rec);
		if (rec->type == SCREC_REC_PERF && screc_rec_perf(rec, &perf, &h) == 0 &&
		    h.type == PERF_RECORD_SAMPLE &&
		    screc_sample_parse(&attrs, perf, h.size, &s) == 0 &&
		    s.attr->kind == SCREC_ATTR_ENTER && s.stack && s.stack_size) {
			screc_sample_reg(&s, SCREC_PERF_SP, &sp);
			if (screc_delta_encode(&delta, screc_writer_frame(w), s.tid, sp, perf,
					       (size_t)(s.stack - perf) - 8, s.stack, s.stack_size,
					       s.stack_dyn_size, buf, &len) == 0) {
				struct screc_perf_stack_delta d;

				memcpy(&d, buf, sizeof(d));
				if (d.flags & SCREC_DELTA_KEY)
					c->keys++;
				else
					c->deltas++;
				err = screc_writer_add(w, SCREC_REC_PERF, buf, len);
				continue;
			}
		}
		if (!err)
			err = screc_writer_add(w, rec->type, (const uint8_t *)rec + sizeof(*rec),
					       rec->size - sizeof(*rec));
	}
	if (!err && ret < 0)
		err = ret;
	ret = screc_writer_close(w, NULL);
	screc_reader_close(r);
	screc_attrs_release(&attrs);
	screc_delta_release(&delta);
	free(buf);
	return err ? err : ret;
}

/* Read a and b side by side: 0 when every record is equal, else the record's number. */
static long
compare(int fa, int fb, size_t *nr)
{
	const struct screc_rec *ra, *rb;
	struct screc_reader *a, *b;
	int xa, xb;
	long bad = 0;

	*nr = 0;
	if (screc_reader_open_fd(fa, &a))
		return -1;
	if (screc_reader_open_fd(fb, &b)) {
		screc_reader_close(a);
		return -1;
	}
	for (;;) {
		xa = screc_reader_next(a, &ra);
		xb = screc_reader_next(b, &rb);
		if (xa != xb) {
			tap_diag("record %zu: %d against %d (%s)", *nr, xa, xb, screc_reader_error(b));
			bad = (long)*nr + 1;
			break;
		}
		if (xa != 1)
			break;
		if (ra->size != rb->size || memcmp(ra, rb, ra->size) != 0) {
			bad = (long)*nr + 1;
			break;
		}
		(*nr)++;
	}
	screc_reader_close(a);
	screc_reader_close(b);
	return bad;
}

/*
 * A version-2 recording (made by the version-2 encoder from the version-1
 * recording of the same name, -v1 for -v2): still read, record for record
 * equal to the original.
 */
static void
test_v2(const char *path)
{
	char v1[4096];
	size_t len = strlen(path), nr = 0;
	struct screc_reader *r;
	int fa, fb, version = 0;
	long bad;

	snprintf(v1, sizeof(v1), "%.*s-v1", (int)(len - 3), path);
	fb = open(path, O_RDONLY | O_CLOEXEC);
	if (fb >= 0 && screc_reader_open_fd(dup(fb), &r) == 0) {
		version = (int)screc_reader_header(r)->version;
		screc_reader_close(r);
		lseek(fb, 0, SEEK_SET);
	}
	tap_is(version, 2, "%s: a version-2 recording", path);
	fa = open(v1, O_RDONLY | O_CLOEXEC);
	bad = fa >= 0 && fb >= 0 ? compare(fa, fb, &nr) : -1;
	tap_ok(bad == 0 && nr > 0, "%s: reads back as %s, %zu records", path, v1, nr);
}

static void
test_recording(const char *path)
{
	static const size_t flushes[] = { 0, 1, 7, 100 };
	size_t i;

	for (i = 0; i < sizeof(flushes) / sizeof(flushes[0]); i++) {
		int out = memfd_create("delta", MFD_CLOEXEC), in;
		struct counts c;
		size_t nr;
		long bad;

		if (out < 0 || reencode(path, out, flushes[i], &c) != 0) {
			tap_ok(false, "%s: re-encoded", path);
			if (out >= 0)
				close(out);
			continue;
		}
		lseek(out, 0, SEEK_SET);
		in = open(path, O_RDONLY | O_CLOEXEC);
		bad = compare(in, out, &nr);
		tap_ok(bad == 0 && nr == c.records,
		       "%s, a frame every %zu records: %zu records read back equal "
		       "(%zu deltas, %zu keys)", path, flushes[i], nr, c.deltas, c.keys);
		if (flushes[i] == 1)
			tap_ok(c.deltas == 0, "%s: one record a frame: no delta crosses a frame",
			       path);
		else
			tap_ok(c.deltas > c.keys, "%s: mostly deltas", path);
	}
}

/* A fake sample head: a perf header and some words. */
static void
make_head(uint8_t *head, size_t len, uint64_t *rng)
{
	struct perf_event_header ph = { PERF_RECORD_SAMPLE, 2, (uint16_t)(len + 4096) };
	size_t i;

	for (i = 8; i < len; i += 8) {
		uint64_t v = tap_rand(rng) % 4 ? i : tap_rand(rng);

		memcpy(head + i, &v, 8);
	}
	/* Now and then a word of the second half also in the first, off 8-byte bounds. */
	for (i = 12; i + 8 <= len / 2; i += 16)
		if (tap_rand(rng) % 2)
			memcpy(head + i, head + len / 2 + (i & ~(size_t)7), 8);
	memcpy(head, &ph, sizeof(ph));
}

/* Decode one record body; 0 and the rebuilt stack compared, or the error. */
static int
decode_check(struct screc_delta *d, const uint8_t *body, size_t len, const uint8_t *head,
	     size_t head_len, const uint8_t *stack, size_t stack_len, uint8_t *out)
{
	const char *why = NULL;
	size_t out_len;
	int err = screc_delta_decode(d, body, len, out, SCREC_REC_MAX, &out_len, &why);

	if (err)
		return err;
	if (out_len != 8 + head_len + 8 + stack_len + 8 ||
	    memcmp(out + 16, head + 8, head_len - 8) != 0 ||
	    memcmp(out + 8 + head_len + 8, stack, stack_len) != 0)
		return -EIO;
	return 0;
}

static void
test_random(void)
{
	struct screc_delta enc = { 0 }, dec = { 0 };
	uint64_t rng = 42, sp[4] = { 0x7ffe0000, 0x7ffd0000, 0x7ffc0000, 0x7ffb0000 };
	static uint8_t stacks[4][16384], head[256];
	uint8_t *buf = malloc(screc_delta_bound(sizeof(head), sizeof(stacks[0])));
	uint8_t *out = malloc(SCREC_REC_MAX);
	size_t i, fails = 0, deltas = 0, frame_keys = 0, bytes = 0;
	uint64_t seen[4] = { ~0ull, ~0ull, ~0ull, ~0ull };

	for (i = 0; i < 4000; i++) {
		uint32_t t = (uint32_t)(tap_rand(&rng) % 4);
		size_t len = 8 * (1 + tap_rand(&rng) % 2000), j, out_len;
		uint64_t frame = i / 500, move = 8 * (tap_rand(&rng) % 64);
		struct screc_perf_stack_delta h;
		uint8_t *st = stacks[t];

		/* Deeper or shallower: the stack's bytes stay at their addresses. */
		if (tap_rand(&rng) % 2) {
			memmove(st + move, st, sizeof(stacks[0]) - move);
			sp[t] -= move;
		} else {
			memmove(st, st + move, sizeof(stacks[0]) - move);
			sp[t] += move;
		}
		for (j = 0; j < 1 + tap_rand(&rng) % 8; j++) {
			uint64_t v = tap_rand(&rng);

			memcpy(st + 8 * (tap_rand(&rng) % (len / 8)), &v, 8);
		}
		make_head(head, sizeof(head), &rng);
		if (screc_delta_encode(&enc, frame, 1000 + t, sp[t], head, sizeof(head), st, len,
				       len - 3, buf, &out_len)) {
			fails++;
			continue;
		}
		memcpy(&h, buf, sizeof(h));
		deltas += !(h.flags & SCREC_DELTA_KEY);
		if (seen[t] != frame && !(h.flags & SCREC_DELTA_KEY))
			frame_keys++;
		seen[t] = frame;
		bytes += out_len;
		if (decode_check(&dec, buf, out_len, head, sizeof(head), st, len, out))
			fails++;
	}
	tap_ok(fails == 0, "4000 random stacks of 4 threads at moving addresses: rebuilt equal");
	tap_ok(deltas > 3000, "%zu of them as deltas, %zu bytes in all", deltas, bytes);
	tap_ok(frame_keys == 0, "a thread's first sample in a frame is a key");
	screc_delta_release(&enc);
	screc_delta_release(&dec);
	free(buf);
	free(out);
}

/* Every truncation and every byte changed: an error or a sample, never a read out of bounds. */
static void
test_bounds(void)
{
	struct screc_delta enc = { 0 }, dec = { 0 };
	static uint8_t stack[4096], head[128];
	uint8_t *key = malloc(screc_delta_bound(sizeof(head), sizeof(stack)));
	uint8_t *del = malloc(screc_delta_bound(sizeof(head), sizeof(stack)));
	uint8_t *out = malloc(SCREC_REC_MAX), *copy;
	size_t key_len, del_len, i, bad = 0, ok = 0;
	uint64_t rng = 7;
	const char *why;
	int b, err;

	make_head(head, sizeof(head), &rng);
	for (i = 0; i < sizeof(stack); i++)
		stack[i] = (uint8_t)tap_rand(&rng);
	screc_delta_encode(&enc, 0, 5, 0x1000, head, sizeof(head), stack, sizeof(stack), 4000,
			   key, &key_len);
	stack[100] ^= 1;
	stack[3000] ^= 1;
	head[40] ^= 1;
	screc_delta_encode(&enc, 0, 5, 0x1000, head, sizeof(head), stack, sizeof(stack), 4000,
			   del, &del_len);
	/* Format 3 stores the head whole (XORed, mostly zeroes), 128 bytes here. */
	tap_ok(del_len < 240, "a delta of 3 changed words: %zu bytes", del_len);

	tap_is(screc_delta_decode(&dec, del, del_len, out, SCREC_REC_MAX, &i, &why), -EBADMSG,
	       "a delta without its base is refused");
	tap_is(screc_delta_decode(&dec, key, key_len, out, SCREC_REC_MAX, &i, &why), 0,
	       "a key needs no base");
	tap_is(decode_check(&dec, del, del_len, head, sizeof(head), stack, sizeof(stack), out), 0,
	       "the delta then rebuilds the sample");
	/* The thread's slot taken by another thread: the delta has no base. */
	screc_delta_release(&dec);
	screc_delta_decode(&dec, key, key_len, out, SCREC_REC_MAX, &i, &why);
	{
		uint8_t *other = malloc(key_len);
		uint32_t tid = 5 + SCREC_DELTA_SLOTS;

		memcpy(other, key, key_len);
		memcpy(other + 8, &tid, 4);
		screc_delta_decode(&dec, other, key_len, out, SCREC_REC_MAX, &i, &why);
		free(other);
	}
	tap_is(screc_delta_decode(&dec, del, del_len, out, SCREC_REC_MAX, &i, &why), -EBADMSG,
	       "a delta whose slot another thread took is refused");
	tap_is(screc_delta_decode(&dec, key, key_len, out, 8 + sizeof(head) + sizeof(stack), &i,
				  &why), -EBADMSG, "a sample larger than the room is refused");

	copy = malloc(key_len > del_len ? key_len : del_len);
	for (b = 0; b < 2; b++) {
		const uint8_t *rec = b ? del : key;
		size_t len = b ? del_len : key_len, at;

		for (at = 0; at < len; at++) {
			/* A fresh base each time: the key's. */
			screc_delta_release(&dec);
			screc_delta_decode(&dec, key, key_len, out, SCREC_REC_MAX, &i, &why);
			memcpy(copy, rec, at);
			err = screc_delta_decode(&dec, copy, at, out, SCREC_REC_MAX, &i, &why);
			bad += err != -EBADMSG;
			memcpy(copy, rec, len);
			copy[at] ^= (uint8_t)(1u << (at % 8));
			err = screc_delta_decode(&dec, copy, len, out, SCREC_REC_MAX, &i, &why);
			if (err == 0) {
				ok++;
				bad += i > SCREC_REC_MAX;
			} else {
				bad += err != -EBADMSG;
			}
			copy[at] = 0xff;
			err = screc_delta_decode(&dec, copy, len, out, SCREC_REC_MAX, &i, &why);
			bad += err != 0 && err != -EBADMSG;
		}
	}
	tap_ok(bad == 0, "every truncation refused, every changed byte refused or rebuilt "
	       "(%zu rebuilt)", ok);
	screc_delta_release(&enc);
	screc_delta_release(&dec);
	free(copy);
	free(key);
	free(del);
	free(out);
}

static int
open_header(uint32_t version, uint32_t min_version, uint64_t features)
{
	struct screc_file_header h = {
		.version = version,
		.min_version = min_version,
		.header_size = sizeof(h),
		.compression = SCREC_COMPRESS_ZSTD,
		.features = features,
	};
	struct screc_reader *r;
	int err;

	memcpy(h.magic, SCREC_MAGIC, SCREC_MAGIC_LEN);
	err = screc_reader_open_mem(&h, sizeof(h), &r);
	if (!err)
		screc_reader_close(r);
	return err;
}

static void
test_versions(void)
{
	tap_is(open_header(1, 1, SCREC_FEAT_STACK_TRIMMED), 0, "version 1 opens");
	tap_is(open_header(2, 2, SCREC_FEAT_STACK_TRIMMED | SCREC_FEAT_STACK_DELTA), 0,
	       "version 2 with stack deltas opens");
	tap_is(open_header(3, 3, SCREC_FEAT_STACK_TRIMMED | SCREC_FEAT_STACK_DELTA |
			       SCREC_FEAT_HEAD_XOR), 0, "version 3 with its deltas opens");
	tap_is(open_header(4, 4, SCREC_FEAT_STACK_TRIMMED), -ENOTSUP,
	       "a version that needs a newer reader is refused");
	tap_is(open_header(4, 3, SCREC_FEAT_STACK_TRIMMED), 0,
	       "a newer version a version-3 reader may read opens");
	tap_is(open_header(3, 3, SCREC_FEAT_STACK_TRIMMED | (1ull << 31)), -ENOTSUP,
	       "an unknown required feature is refused");
}

int
main(int argc, char **argv)
{
	int i;

	if (argc == 4 && strcmp(argv[1], "--encode") == 0) {
		struct counts c;
		int fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), err;

		if (fd < 0) {
			fprintf(stderr, "%s: %s\n", argv[3], strerror(errno));
			return 1;
		}
		err = reencode(argv[2], fd, 0, &c);
		close(fd);
		if (err) {
			fprintf(stderr, "%s: %s\n", argv[2], strerror(-err));
			return 1;
		}
		printf("%zu records, %zu deltas, %zu keys\n", c.records, c.deltas, c.keys);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (len > 3 && strcmp(argv[i] + len - 3, "-v2") == 0)
			test_v2(argv[i]);
		else
			test_recording(argv[i]);
	}
	test_random();
	test_bounds();
	test_versions();
	return tap_done();
}
