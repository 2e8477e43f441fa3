// SPDX-License-Identifier: MIT
/*
 * `screc report --raw` on corrupt input: the dump of every cut and of random
 * mutations of the recordings named on the command line (and a synthetic
 * one) must end with a status, never crash or read out of bounds.  The
 * printed text goes to /dev/null; only the survival and the status count.
 *
 * Usage: test-dump [RECORDING...]   SCREC_FUZZ_ROUNDS sets the mutation count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/session.h"
#include "synth.h"
#include "tap.h"

static int
dump(FILE *out, const uint8_t *buf, size_t len)
{
	struct screc_reader *r;
	int ret = screc_reader_open_mem(buf, len, &r);

	if (ret)
		return ret;
	ret = report_dump(r, out);
	screc_reader_close(r);
	return ret;
}

static void
run(FILE *out, const char *name, const uint8_t *buf, size_t len, unsigned rounds, uint64_t seed)
{
	uint8_t *copy = malloc(len);
	unsigned bad = 0, i;
	size_t cut;

	tap_is(dump(out, buf, len), 0, "%s: dumps to the end", name);
	for (cut = 0; cut < len; cut++)
		if (dump(out, buf, cut) != -ENODATA)
			bad++;
	tap_is(bad, 0, "%s: every cut dumps, then says truncated", name);
	bad = 0;
	for (i = 0; i < rounds; i++) {
		unsigned k;
		int ret;

		memcpy(copy, buf, len);
		for (k = 0; k < 1 + tap_rand(&seed) % 4; k++)
			copy[tap_rand(&seed) % len] ^= (uint8_t)(1 + tap_rand(&seed) % 255);
		ret = dump(out, copy, len);
		if (ret != 0 && ret != -ENODATA && ret != -EBADMSG && ret != -ENOTSUP)
			bad++;
	}
	tap_is(bad, 0, "%s: %u mutations dump with a known status", name, rounds);
	free(copy);
}

int
main(int argc, char **argv)
{
	const char *env = getenv("SCREC_FUZZ_ROUNDS");
	unsigned rounds = env ? (unsigned)strtoul(env, NULL, 10) : 2000;
	FILE *out = fopen("/dev/null", "we");
	uint8_t *buf;
	size_t len;
	int i;

	if (!out)
		return tap_skip_all("no /dev/null");
	if (synth_recording(12, 3, 256, &buf, &len) == 0) {
		run(out, "synthetic", buf, len, rounds, 1);
		free(buf);
	}
	for (i = 1; i < argc; i++) {
		if (!tap_is(synth_read_file(argv[i], &buf, &len), 0, "%s: read", argv[i]))
			continue;
		run(out, argv[i], buf, len, rounds, (uint64_t)i + 1);
		free(buf);
	}
	fclose(out);
	return tap_done();
}
