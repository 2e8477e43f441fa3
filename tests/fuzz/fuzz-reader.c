// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the recording reader, opened on the input and read to
 * the end.  Input: one flags byte, then the rest.
 *
 *   bit 0    0: the rest is a whole file (header and zstd frames) as it is;
 *            1: the rest is a 64-byte file header and uncompressed records,
 *               which the harness compresses, so that mutations reach the
 *               records instead of breaking the compressed bytes
 *   bit 1    read through screc_reader_open_fd (a memfd) instead of memory
 *   bits 2-5 composed: frames of (n + 1) * 256 bytes of records (15: one frame)
 *   bits 6-7 composed: enum fuzz_tail, how the compressed stream ends
 *
 * Besides "no crash, no leak, no hang", it checks what reader.h promises:
 * every record is at least a record header, a multiple of 8 bytes, readable
 * whole; the end is 0 only after a trailer; errors are sticky.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/reader.h"
#include "fuzz-common.h"

static int memfd = -1;

static void
read_all(struct screc_reader *r)
{
	const struct screc_rec *rec = NULL;
	int ret;

	while ((ret = screc_reader_next(r, &rec)) == 1) {
		if (rec->size < sizeof(*rec) || rec->size % 8 || rec->size > SCREC_REC_MAX)
			fuzz_fail("record of %u bytes", rec->size);
		fuzz_touch(rec, rec->size);
	}
	if (ret != 0 && ret != -ENODATA && ret != -EBADMSG)
		fuzz_fail("screc_reader_next returned %d", ret);
	if (ret == 0 && !screc_reader_trailer(r))
		fuzz_fail("the end of a recording without a trailer");
	/* Sticky: the same answer again. */
	if (screc_reader_next(r, &rec) != ret)
		fuzz_fail("the reader's end (%d) is not sticky", ret);
	if (!screc_reader_error(r) || !screc_reader_header(r))
		fuzz_fail("no error text or header");
	(void)screc_reader_offset(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct screc_reader *r = NULL;
	uint8_t *file = NULL;
	size_t len;
	char path[32];
	unsigned flags;
	int ret;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	if (flags & 1) {
		size_t hdr = size < 64 ? size : 64;
		unsigned sel = (flags >> 2) & 15;

		file = fuzz_compose(data, hdr, data + hdr, size - hdr,
				    sel == 15 ? 0 : (sel + 1) * 256u, (enum fuzz_tail)(flags >> 6),
				    &len);
		if (!file)
			abort();
	} else {
		/* A copy of exactly the input, so that a read past its end is caught. */
		file = malloc(size ? size : 1);
		if (!file)
			abort();
		memcpy(file, data, size);
		len = size;
	}
	if (flags & 2) {
		int fd = fuzz_memfd(&memfd, file, len, path);

		fd = dup(fd);
		if (fd < 0)
			abort();
		lseek(fd, 0, SEEK_SET);
		ret = screc_reader_open_fd(fd, &r);
	} else {
		ret = screc_reader_open_mem(file, len, &r);
	}
	if (ret == 0)
		read_all(r);
	else if (ret != -EBADMSG && ret != -ENOTSUP && ret != -ENODATA)
		fuzz_fail("screc_reader_open returned %d", ret);
	screc_reader_close(r);
	free(file);
	return 0;
}
