// SPDX-License-Identifier: MIT
/* Folding and focus on stacks: see shape.h. */
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include "shape.h"

/* Where Debian and most distributions keep the shared libraries of the system. */
static const char *const system_dirs[] = {
	"/lib/", "/lib32/", "/lib64/", "/libx32/", "/usr/lib/", "/usr/lib32/", "/usr/lib64/",
	"/usr/libx32/",
};

bool
shape_active(const struct shape_opts *o)
{
	return o && (o->fold || o->nr_callers || o->nr_callees);
}

int
shape_add_fold(struct shape_opts *o, char *list)
{
	char *tok, *save = NULL;

	o->fold = true;
	if (!list)
		return 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nr_fold == SHAPE_MAX_PATTERNS)
			return -E2BIG;
		o->fold_patterns[o->nr_fold++] = tok;
	}
	return 0;
}

bool
shape_func_matches(const char *pattern, const char *sym)
{
	size_t n = strlen(pattern);

	if (!sym)
		return false;
	if (fnmatch(pattern, sym, 0) == 0)
		return true;
	/* "Foo::bar" matches the demangled "Foo::bar(int) const". */
	return strncmp(sym, pattern, n) == 0 && sym[n] == '(';
}

bool
shape_system_library(const char *dso)
{
	size_t i;

	if (!dso)
		return false;
	if (strcmp(dso, "[vdso]") == 0)
		return true;
	for (i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++)
		if (strncmp(dso, system_dirs[i], strlen(system_dirs[i])) == 0)
			return true;
	return false;
}

bool
shape_dso_folded(const struct shape_opts *o, const char *dso)
{
	const char *base;
	size_t i;

	if (!o->fold || !dso)
		return false;
	if (!o->nr_fold)
		return shape_system_library(dso);
	base = strrchr(dso, '/');
	base = base ? base + 1 : dso;
	for (i = 0; i < o->nr_fold; i++)
		if (fnmatch(o->fold_patterns[i], base, 0) == 0 ||
		    fnmatch(o->fold_patterns[i], dso, FNM_PATHNAME) == 0)
			return true;
	return false;
}

/* The innermost (outermost: last) frame whose function matches one of the patterns, or -1. */
static long
find_func(const char *const *patterns, size_t nr, const struct frame *frames, size_t n,
	  bool outermost)
{
	size_t k, i;

	for (k = 0; k < n; k++) {
		size_t at = outermost ? n - 1 - k : k;

		for (i = 0; i < nr; i++)
			if (shape_func_matches(patterns[i], frames[at].sym))
				return (long)at;
	}
	return -1;
}

bool
shape_stack(const struct shape_opts *o, struct frame *frames, size_t *nr, enum stack_end *end)
{
	size_t n = *nr, i, out;

	if (o->nr_callers) {
		long at = find_func(o->callers, o->nr_callers, frames, n, false);

		if (at < 0)
			return false;
		memmove(frames, frames + at, (n - (size_t)at) * sizeof(*frames));
		n -= (size_t)at;
	}
	if (o->nr_callees) {
		long at = find_func(o->callees, o->nr_callees, frames, n, true);

		if (at < 0)
			return false;
		if ((size_t)at + 1 < n)
			*end = STACK_COMPLETE;	/* cut on purpose: what is shown is whole */
		n = (size_t)at + 1;
	}
	if (o->fold) {
		/* Keep a frame unless the next (outer) one is of the same folded binary. */
		unsigned folded = 0;

		for (i = 0, out = 0; i < n; i++) {
			bool fold = shape_dso_folded(o, frames[i].dso);

			if (fold && i + 1 < n && frames[i + 1].dso &&
			    strcmp(frames[i + 1].dso, frames[i].dso) == 0) {
				folded++;
				continue;
			}
			frames[out] = frames[i];
			frames[out].folded = fold ? folded : 0;
			out++;
			folded = 0;
		}
		n = out;
	}
	*nr = n;
	return true;
}
