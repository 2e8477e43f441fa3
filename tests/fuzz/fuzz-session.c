// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the whole report on one recording, as `screc report`
 * runs it: open, unpack the archive, read, replay the process model, unwind,
 * symbolize, decode and print (to /dev/null); or --raw, or --info.  Input:
 * one flags byte, then the records of a recording after its file header,
 * uncompressed; the harness puts the header before them, compresses them and
 * hands the file to report_session_open() through a memfd path.
 *
 *   bit 0    header feature SCREC_FEAT_STACK_TRIMMED
 *   bit 1    header feature SCREC_FEAT_ARCHIVE (the archive's first pass)
 *   bits 2-3 the sink: json, listing, tree, summary
 *   bit 4    decode with -s 4 and without fd paths
 *   bits 5-6 0, 1: the report; 2: --raw (report_dump); 3: --info (report_info)
 *   bit 7    header feature SCREC_FEAT_STACK_DELTA (stacks as deltas)
 *
 * The lookup chain finds no file of the recording on this machine (the seed
 * recordings name paths that do not exist here), so what it unwinds and
 * symbolizes with comes from the recording's own archive.  Debuginfod is
 * never asked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "common/log.h"
#include "report/decode/decode.h"
#include "report/session.h"
#include "fuzz-common.h"

static int memfd = -1;
static FILE *devnull;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* No network, and archives no bigger than a fuzz input can sensibly ask for. */
	unsetenv("DEBUGINFOD_URLS");
	setenv("SCREC_ARCHIVE_MAX", "67108864", 1);
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

static void
count_backend(void *arg, const char *name, uint64_t frames)
{
	(void)name;
	*(uint64_t *)arg += frames;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sink_ops *const sinks[] = { &sink_json, &sink_listing, &sink_tree,
							 &sink_summary };
	struct lookup_opts lookup = { 0 };
	struct report_filter filter = { .time_to = -1 };
	struct report_stats st = { 0 };
	struct decode_opts dec = { 4, false };
	struct report_session *s = NULL;
	struct sink sink = { 0 };
	uint8_t hdr[64], *file;
	uint64_t frames = 0;
	unsigned flags;
	char path[32];
	size_t len;
	int err;

	if (size < 1)
		return 0;
	flags = data[0];
	fuzz_header(hdr, (flags & 1 ? SCREC_FEAT_STACK_TRIMMED : 0) |
			 (flags & 2 ? SCREC_FEAT_ARCHIVE : 0) |
			 (flags & 128 ? SCREC_FEAT_STACK_DELTA : 0));
	file = fuzz_compose(hdr, sizeof(hdr), data + 1, size - 1, 0, FUZZ_TAIL_WHOLE, &len);
	if (!file)
		abort();
	fuzz_memfd(&memfd, file, len, path);
	free(file);

	err = report_session_open(path, &lookup, &s);
	if (err)
		fuzz_fail("report_session_open: %s", strerror(-err));
	if (flags & 16)
		report_session_set_decode(s, &dec);
	switch ((flags >> 5) & 3) {
	case 2:
		err = report_dump(report_session_reader(s), devnull);
		if (err && err != -ENODATA && err != -EBADMSG)
			fuzz_fail("report_dump: %s", strerror(-err));
		break;
	case 3:
		(void)report_session_load_archive(s);
		err = report_info(s, devnull);
		if (err && err != -ENODATA && err != -EBADMSG && err != -EUCLEAN)
			fuzz_fail("report_info: %s", strerror(-err));
		break;
	default:
		(void)report_session_load_archive(s);
		sink.ops = sinks[(flags >> 2) & 3];
		sink.opts.out = devnull;
		sink.opts.srcline = true;
		err = report_session_run(s, &filter, &sink, &st);
		if (err && err != -ENODATA && err != -EBADMSG && err != -ENOEXEC && err != -ENOMEM)
			fuzz_fail("report_session_run: %s", strerror(-err));
		if (sink.ops->free)
			sink.ops->free(&sink);
		break;
	}
	(void)report_session_meta(s);
	report_session_backends(s, count_backend, &frames);
	report_session_free(s);
	return 0;
}
