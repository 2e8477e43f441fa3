// SPDX-License-Identifier: MIT
/*
 * `screc diff A B`: what changed between two recordings, per syscall and
 * call path.  It is the report of both files into a diff sink
 * (report/sinks/diff.c), so every option of `screc report` works here too;
 * --format picks the view: text (the default), tree, or folded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "screc.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: screc diff [options] A.screc B.screc\n"
		"\n"
		"For each syscall and call path: the calls and their total latency in A and\n"
		"in B, and the change, biggest first; paths only in B are \"new\", only in A\n"
		"\"gone\".  Frames match by function and binary name, so two builds compare.\n"
		"\n"
		"  --format=text        tables by syscall and by call path (default)\n"
		"  --format=tree        one call tree with both counts (--tree=top-down too)\n"
		"  --format=folded      \"stack countA countB\" lines for flamegraph.pl --negate\n"
		"                       (--weight=latency: the ns instead of the calls)\n"
		"  --tree[=top-down]    the tree view (bottom-up by default)\n"
		"  --weight=count|latency\n"
		"                       folded: calls (the default) or ns\n"
		"  -o, --output FILE    write to FILE (default: standard output)\n"
		"  -h, --help           show this\n"
		"Filters and lookup options are those of 'screc report' (--help there).\n"
		"\n"
		"examples:\n"
		"  screc diff before.screc after.screc\n"
		"  screc diff --tree -e connect before.screc after.screc\n"
		"  screc diff --format=folded before.screc after.screc | flamegraph.pl --negate\n"
		"See screc-diff(1).\n");
}

/* The diff sink of a view's name; NULL if there is none. */
static const char *
view_format(const char *view)
{
	if (strcmp(view, "text") == 0 || strcmp(view, "diff") == 0)
		return "--format=diff";
	if (strcmp(view, "tree") == 0 || strcmp(view, "diff-tree") == 0)
		return "--format=diff-tree";
	if (strcmp(view, "folded") == 0 || strcmp(view, "diff-folded") == 0)
		return "--format=diff-folded";
	return NULL;
}

int
cmd_diff(int argc, char **argv)
{
	char **args = calloc((size_t)argc * 2 + 2, sizeof(*args));
	int i, n = 0, ret;

	if (!args)
		screc_die(1, "out of memory");
	args[n++] = argv[0];
	args[n++] = "--format=diff";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *view = NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			free(args);
			return 0;
		}
		if (strncmp(a, "--format=", 9) == 0)
			view = a + 9;
		else if (strcmp(a, "--format") == 0 && i + 1 < argc)
			view = argv[++i];
		if (view) {
			args[n] = (char *)view_format(view);
			if (!args[n])
				screc_usage_error("diff", "--format=%s: a diff is shown as text, tree or folded", view);
			n++;
			continue;
		}
		args[n++] = argv[i];
		/* --tree[=top-down] asks for the tree view. */
		if (strncmp(a, "--tree", 6) == 0 && (a[6] == '\0' || a[6] == '='))
			args[n++] = "--format=diff-tree";
	}
	ret = cmd_report(n, args);
	free(args);
	return ret;
}
