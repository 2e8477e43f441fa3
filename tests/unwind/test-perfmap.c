// SPDX-License-Identifier: MIT
/*
 * Perf maps (report/find/perfmap.c) on hand-made text: entries found by
 * address and bounded by their size, the entry written last wins where a
 * runtime reused memory, malformed lines are skipped, a map the recording
 * carries hides the local file, and the local file is found under
 * $SCREC_PERF_MAP_DIR; PERFMAP pieces are taken in order, once.  Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strtab.h"
#include "report/find/find.h"
#include "tests/unit/tap.h"

static const char *
at(struct finder *f, uint32_t pid, uint64_t addr, uint64_t *start)
{
	const char *n = find_perfmap_lookup(f, pid, addr, start);

	return n ? n : "(none)";
}

int
main(void)
{
	static const char map[] =
		"1000 100 first\n"
		"not a line\n"
		"2000 zz bad size\n"
		"1100 10 LInterp;::run\n"
		"3000 0 empty\n"
		"1080 40 JS:~later node:net:1:1\n"
		"10f0 40 JS:*bigger\n"
		"ffffffffffffff00 200 wraps\n"
		"4000 8 last without newline";
	struct screc_strtab *strs = screc_strtab_new();
	struct finder *f = find_new(NULL, strs);
	char dir[] = "/tmp/screc-perfmap.XXXXXX", path[64];
	uint64_t start = 0;
	FILE *fp;

	if (!strs || !f || !mkdtemp(dir))
		return tap_skip_all("no memory or no temporary directory");
	setenv("SCREC_PERF_MAP_DIR", dir, 1);
	tap_is(find_perfmap_add(f, 7, map, sizeof(map) - 1), 0, "a map is taken");
	tap_ok(strcmp(at(f, 7, 0x1000, &start), "first") == 0 && start == 0x1000,
	       "an entry's first byte: %s", at(f, 7, 0x1000, NULL));
	tap_ok(strcmp(at(f, 7, 0x107f, NULL), "first") == 0, "inside it");
	tap_ok(strcmp(at(f, 7, 0x1090, &start), "JS:~later node:net:1:1") == 0 && start == 0x1080,
	       "where a later entry covers it, the later one: %s", at(f, 7, 0x1090, NULL));
	tap_ok(strcmp(at(f, 7, 0x1105, NULL), "JS:*bigger") == 0,
	       "a later, larger entry wins over an earlier one inside it");
	tap_ok(strcmp(at(f, 7, 0x10c0, NULL), "first") == 0, "past the later entry, the first again");
	tap_ok(strcmp(at(f, 7, 0x1130, NULL), "(none)") == 0, "past every entry");
	tap_ok(strcmp(at(f, 7, 0x2000, NULL), "(none)") == 0, "a line with a bad size is skipped");
	tap_ok(strcmp(at(f, 7, 0x3000, NULL), "(none)") == 0, "an empty entry covers nothing");
	tap_ok(strcmp(at(f, 7, 0xffffffffffffff80ull, NULL), "(none)") == 0,
	       "an entry that wraps around is skipped");
	tap_ok(strcmp(at(f, 7, 0x4007, NULL), "last without newline") == 0,
	       "the last line needs no newline");
	tap_ok(strcmp(at(f, 7, 0xfff, NULL), "(none)") == 0, "before every entry");

	/* The local file, for a pid the recording carries no map of. */
	snprintf(path, sizeof(path), "%s/perf-8.map", dir);
	fp = fopen(path, "w");
	if (fp) {
		fputs("5000 20 local\n", fp);
		fclose(fp);
	}
	tap_ok(strcmp(at(f, 8, 0x5010, NULL), "local") == 0, "$SCREC_PERF_MAP_DIR/perf-PID.map");
	tap_ok(strcmp(at(f, 9, 0x5010, NULL), "(none)") == 0, "no file, no name");
	snprintf(path, sizeof(path), "%s/perf-7.map", dir);
	fp = fopen(path, "w");
	if (fp) {
		fputs("1000 100 from-the-file\n", fp);
		fclose(fp);
	}
	tap_ok(strcmp(at(f, 7, 0x1000, NULL), "first") == 0,
	       "the recording's map hides the local file");
	unlink(path);
	snprintf(path, sizeof(path), "%s/perf-8.map", dir);
	unlink(path);

	/* PERFMAP pieces: in order, a second copy of the map ignored, a gap refused. */
	tap_is(find_perfmap_add_piece(f, 11, 0, "6000 10 one\n", 12), 0, "a first piece");
	tap_is(find_perfmap_add_piece(f, 11, 12, "6010 10 two\n", 12), 0, "the next piece");
	tap_is(find_perfmap_add_piece(f, 11, 0, "6000 10 again\n", 14), 0, "a second copy");
	tap_is(find_perfmap_add_piece(f, 11, 100, "6020 10 gap\n", 12), 0, "a piece after a gap");
	tap_ok(strcmp(at(f, 11, 0x6005, NULL), "one") == 0, "the first copy stands: %s",
	       at(f, 11, 0x6005, NULL));
	tap_ok(strcmp(at(f, 11, 0x6015, NULL), "two") == 0, "its second piece is read");
	tap_ok(strcmp(at(f, 11, 0x6025, NULL), "(none)") == 0, "a piece after a gap is not");
	rmdir(dir);
	find_free(f);
	screc_strtab_free(strs);
	return tap_done();
}
