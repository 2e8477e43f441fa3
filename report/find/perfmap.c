// SPDX-License-Identifier: MIT
/*
 * Perf maps: the names JIT runtimes (Node.js with --perf-basic-prof, Java
 * with -XX:+DumpPerfMapAtExit or jcmd Compiler.perfmap, CPython 3.12 with
 * -X perf) give their generated code, one "START SIZE NAME" line (hex) per
 * piece of code, in /tmp/perf-PID.map.  Maps come from the recording when it
 * carries them (find_perfmap_add()), else from this host's file, looked up
 * once per pid under $SCREC_PERF_MAP_DIR (default /tmp): that file is only
 * right on the recording host, and only while the pid was not reused.
 *
 * A runtime may put new code where old code was: of the entries covering
 * an address, the one written last wins, as in perf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strtab.h"
#include "find-internal.h"

#define PERFMAP_MAX_BYTES	(256u << 20)	/* of one map's text */
#define PERFMAP_LOOKBACK	64		/* entries scanned back for a newer cover */

struct perfmap_entry {
	uint64_t start, size;
	uint32_t seq;			/* line number: later lines win */
	const char *name;		/* interned */
};

struct perfmap {
	uint32_t pid;
	bool loaded;			/* from the recording, or the local file was tried */
	bool recorded;			/* from the recording */
	bool said;			/* -v told where it came from */
	uint64_t rec_next;		/* offset of the recording's next piece */
	struct perfmap_entry *e;
	size_t nr, cap;
	uint64_t max_size;		/* of any entry, to bound the search back */
	uint32_t next_seq;
	struct perfmap *next;
};

static struct perfmap *
perfmap_get(struct finder *f, uint32_t pid, bool create)
{
	struct perfmap *pm;

	for (pm = f->perfmaps; pm; pm = pm->next)
		if (pm->pid == pid)
			return pm;
	if (!create)
		return NULL;
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return NULL;
	pm->pid = pid;
	pm->next = f->perfmaps;
	f->perfmaps = pm;
	return pm;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct perfmap_entry *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Parse one line; false for a line that is not "START SIZE NAME". */
static bool
parse_line(const char *line, size_t len, uint64_t *start, uint64_t *size, const char **name,
	   size_t *name_len)
{
	const char *p = line, *end = line + len;
	char *q;
	char buf[48];
	size_t n;
	int k;

	for (k = 0; k < 2; k++) {
		n = 0;
		while (p < end && *p != ' ' && n < sizeof(buf) - 1)
			buf[n++] = *p++;
		buf[n] = 0;
		if (!n || p == end || *p != ' ')
			return false;
		p++;
		errno = 0;
		*(k == 0 ? start : size) = strtoull(buf, &q, 16);
		if (errno || *q)
			return false;
	}
	*name = p;
	*name_len = (size_t)(end - p);
	return *name_len > 0;
}

/* Add the text of a map to pm's entries (lines without a newline at the end count too). */
static int
parse(struct finder *f, struct perfmap *pm, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), name_len;
		uint64_t start, size;
		const char *name;

		if (parse_line(p, n, &start, &size, &name, &name_len) && size && start + size > start) {
			char tmp[512];

			if (pm->nr == pm->cap) {
				size_t cap = pm->cap ? 2 * pm->cap : 1024;
				struct perfmap_entry *e = realloc(pm->e, cap * sizeof(*e));

				if (!e)
					return -ENOMEM;
				pm->e = e;
				pm->cap = cap;
			}
			if (name_len >= sizeof(tmp))
				name_len = sizeof(tmp) - 1;
			memcpy(tmp, name, name_len);
			tmp[name_len] = 0;
			pm->e[pm->nr] = (struct perfmap_entry){
				.start = start,
				.size = size,
				.seq = pm->next_seq++,
				.name = screc_strtab_intern(f->strs, tmp),
			};
			if (size > pm->max_size)
				pm->max_size = size;
			pm->nr++;
		}
		p += n + 1;
	}
	qsort(pm->e, pm->nr, sizeof(*pm->e), cmp_entry);
	return 0;
}

int
find_perfmap_add(struct finder *f, uint32_t pid, const char *text, size_t len)
{
	struct perfmap *pm = perfmap_get(f, pid, true);

	if (!pm)
		return -ENOMEM;
	pm->loaded = pm->recorded = true;
	return parse(f, pm, text, len);
}

int
find_perfmap_add_piece(struct finder *f, uint32_t pid, uint64_t offset, const char *text,
		       size_t len)
{
	struct perfmap *pm = perfmap_get(f, pid, true);

	if (!pm)
		return -ENOMEM;
	if (offset != pm->rec_next || (offset == 0 && pm->recorded))
		return 0;
	pm->loaded = pm->recorded = true;
	pm->rec_next = offset + len;
	return parse(f, pm, text, len);
}

void
find_perfmap_set_scan(struct finder *f, find_perfmap_scan_fn scan, void *arg)
{
	f->perfmap_scan = scan;
	f->perfmap_scan_arg = arg;
}

/* The local /tmp/perf-PID.map (or under $SCREC_PERF_MAP_DIR), once. */
static void
load_local(struct finder *f, struct perfmap *pm)
{
	const char *dir = getenv("SCREC_PERF_MAP_DIR");
	char path[4096], *text = NULL;
	size_t len = 0, cap = 0;
	FILE *fp;

	pm->loaded = true;
	snprintf(path, sizeof(path), "%s/perf-%u.map", dir && *dir ? dir : "/tmp", pm->pid);
	fp = fopen(path, "re");
	if (!fp)
		return;
	for (;;) {
		size_t n;

		if (cap - len < 65536) {
			char *t;

			if (cap >= PERFMAP_MAX_BYTES)
				break;
			cap = cap ? 2 * cap : 1 << 20;
			t = realloc(text, cap);
			if (!t)
				break;
			text = t;
		}
		n = fread(text + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	fclose(fp);
	if (text)
		parse(f, pm, text, len);
	free(text);
	screc_debug("pid %u: JIT names from this host's %s (%zu entries): the recording has no "
		    "perf map of it; right only on the recording host while the pid was not reused",
		    pm->pid, path, pm->nr);
	pm->said = true;
}

const char *
find_perfmap_lookup(struct finder *f, uint32_t pid, uint64_t addr, uint64_t *start)
{
	struct perfmap *pm = perfmap_get(f, pid, true);
	const struct perfmap_entry *best = NULL;
	size_t lo = 0, hi, k;

	if (!pm)
		return NULL;
	if (f->perfmap_scan && !f->perfmap_scanned) {
		f->perfmap_scanned = true;
		f->perfmap_scan(f->perfmap_scan_arg, f);
	}
	if (!pm->loaded)
		load_local(f, pm);
	if (!pm->said) {
		pm->said = true;
		if (pm->recorded)
			screc_debug("pid %u: JIT names from the recording's perf map (%zu entries)",
				    pid, pm->nr);
		else
			screc_debug("pid %u: no perf map, in the recording or in this host's /tmp",
				    pid);
	}
	/* The last entry starting at or before addr, then back while one may still cover it. */
	hi = pm->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->e[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = 0; k < PERFMAP_LOOKBACK && lo > 0; k++, lo--) {
		const struct perfmap_entry *e = &pm->e[lo - 1];

		if (addr - e->start >= pm->max_size)
			break;
		if (addr - e->start < e->size && (!best || e->seq > best->seq))
			best = e;
	}
	if (best && start)
		*start = best->start;
	return best ? best->name : NULL;
}

void
find_perfmap_free(struct finder *f)
{
	struct perfmap *pm, *next;

	for (pm = f->perfmaps; pm; pm = next) {
		next = pm->next;
		free(pm->e);
		free(pm);
	}
	f->perfmaps = NULL;
}
