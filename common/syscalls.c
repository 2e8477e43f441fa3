// SPDX-License-Identifier: MIT
/* Syscall name and number lookups over the generated x86_64 table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls.h"

struct entry {
	const char *name;
	int nr;
};

static const struct entry table[] = {
#define SCREC_SYSCALL(name, nr) { #name, nr },
#include "syscalls-x86_64.def"
#undef SCREC_SYSCALL
};

#define NR_ENTRIES (sizeof(table) / sizeof(table[0]))

/* Tracepoints the kernel names after its implementation, not the syscall. */
static const char *const tp_alias[][2] = {
	{ "stat", "newstat" },
	{ "lstat", "newlstat" },
	{ "fstat", "newfstat" },
	{ "uname", "newuname" },
	{ "sendfile", "sendfile64" },
	{ "umount2", "umount" },
};

int
screc_syscall_nr(const char *name)
{
	size_t i;

	for (i = 0; i < NR_ENTRIES; i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].nr;
	return -1;
}

const char *
screc_syscall_name(long nr)
{
	size_t lo = 0, hi = NR_ENTRIES;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (table[mid].nr == nr)
			return table[mid].name;
		if (table[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *
screc_syscall_tracepoint(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(tp_alias) / sizeof(tp_alias[0]); i++)
		if (strcmp(tp_alias[i][0], name) == 0)
			return tp_alias[i][1];
	return name;
}

const char *
screc_syscall_from_tracepoint(const char *tp)
{
	size_t i;

	for (i = 0; i < sizeof(tp_alias) / sizeof(tp_alias[0]); i++)
		if (strcmp(tp_alias[i][1], tp) == 0)
			return tp_alias[i][0];
	return tp;
}

static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64];

	/* Too long to be close to anything; larger than any limit the caller uses. */
	if (la >= 63 || lb >= 63)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

size_t
screc_syscall_suggest(const char *name, const char **out, size_t max)
{
	size_t best[8], n = 0, i, k;
	size_t limit = strlen(name) / 2 + 1;

	if (max > 8)
		max = 8;
	for (i = 0; i < NR_ENTRIES; i++) {
		size_t d = distance(name, table[i].name);

		/* A name that contains the query counts as close ("conect" -> "connect"). */
		if (strlen(name) >= 3 && strstr(table[i].name, name))
			d = d < 2 ? d : 2;
		if (d > limit)
			continue;
		for (k = n; k > 0 && best[k - 1] > d; k--)
			if (k < max) {
				best[k] = best[k - 1];
				out[k] = out[k - 1];
			}
		if (k < max) {
			best[k] = d;
			out[k] = table[i].name;
			if (n < max)
				n++;
		}
	}
	return n;
}
