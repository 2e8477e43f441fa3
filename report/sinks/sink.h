/* SPDX-License-Identifier: MIT */
/*
 * Output formats ("sinks"), found by name in a registry.  A sink receives the
 * recording's metadata in begin(), finished events in event() and the totals
 * in end(); it never unwinds, symbolizes or opens a file of the recording,
 * and its code includes nothing of libdw (the build keeps it so: the sinks
 * are a library of their own).
 */
#ifndef SCREC_SINK_H
#define SCREC_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "report/event.h"

/* Options every sink may look at. */
struct sink_opts {
	FILE *out;
	bool srcline;		/* show file:line */
	bool top_down;		/* tree: from the roots */
	double min_percent;	/* tree: hide branches below */
	int max_depth;		/* tree: 0 = unlimited */
	bool color;
	int timestamps;		/* listing: strace's -t (1), -tt (2), -ttt (3); 0 none */
	bool relative;		/* listing: -r, time since the previous event */
	bool durations;		/* listing: -T, <seconds in the call> */
};

struct sink;

/* An output format: begin once, event per event, end once.  Each returns 0 or -errno. */
struct sink_ops {
	const char *name;	/* as --format takes it */
	const char *help;	/* one line for --format=help */
	int (*begin)(struct sink *s, const struct report_meta *meta);
	int (*event)(struct sink *s, const struct event *ev);
	int (*end)(struct sink *s, const struct report_stats *st);
	void (*free)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	struct sink_opts opts;
	const struct report_meta *meta;	/* as begin() got it */
	void *priv;
};

/* The sink called name, or NULL. */
const struct sink_ops *sink_find(const char *name);
/* Every sink, NULL-terminated, in the order --format lists them. */
extern const struct sink_ops *const sink_registry[];
/* Print "  NAME  HELP" lines, one per sink. */
void sink_list(FILE *out);

extern const struct sink_ops sink_listing;	/* strace -k style */
extern const struct sink_ops sink_tree;		/* merged call tree */
extern const struct sink_ops sink_json;		/* one JSON object per line */
extern const struct sink_ops sink_summary;	/* strace -c with call sites */

#endif
