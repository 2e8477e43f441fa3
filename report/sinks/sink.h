/* SPDX-License-Identifier: MIT */
/*
 * Output formats ("sinks"), found by name in a registry.  A sink receives the
 * recording's metadata in begin(), finished events in event() and the totals
 * in end(); it never unwinds, symbolizes or opens a file of the recording,
 * and its code includes nothing of libdw (the build keeps it so: the sinks
 * are a library of their own).
 *
 * Several recordings in one report (`screc report a.screc b.screc`, the
 * diffs): sink->nr_recordings says how many before anything is called.  A
 * sink whose ops set each_recording gets begin() once per recording, in the
 * order of the command line (meta->recording 0, 1, ...), all of them before
 * the first event; any other sink gets begin() once, with the first
 * recording's metadata, as with one recording.  Then come the events of
 * every recording, each labelled with ev->recording and ev->host; then end()
 * once, with the totals of all.  Every meta pointer that begin() got stays
 * valid, its task list complete, until end() returns; so do the strings of
 * every event.  A sink that shows threads keys them by (recording, pid,
 * tid), never by pid or tid alone: two hosts reuse pids.
 */
#ifndef SCREC_SINK_H
#define SCREC_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "report/event.h"

/* What the aggregating exports add up per call path. */
enum sink_weight {
	SINK_WEIGHT_COUNT = 0,	/* calls */
	SINK_WEIGHT_LATENCY,	/* total syscall duration, ns */
};

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
	enum sink_weight weight;	/* folded, perf-script's period, diff-folded */
};

struct sink;

/*
 * Colours of the text formats (opts.color: on a terminal, --color): syscall
 * names, errors, the program's own frames (set apart from the system's
 * libraries), and the markers of stacks that are not whole.
 */
#define SINK_C_SYSCALL	"\033[1;36m"
#define SINK_C_ERROR	"\033[31m"
#define SINK_C_OWN	"\033[32m"
#define SINK_C_MARK	"\033[33m"
#define SINK_C_OFF	"\033[0m"
/* code when colour is on, else "". */
#define SINK_COLOR(s, code)	((s)->opts.color ? (code) : "")

/* An output format: begin once, event per event, end once.  Each returns 0 or -errno. */
struct sink_ops {
	const char *name;	/* as --format takes it */
	const char *help;	/* one line for --format=help */
	unsigned recordings;	/* reads exactly this many recordings (the diffs: 2); 0: any */
	bool each_recording;	/* begin() once per recording (see above) */
	int (*begin)(struct sink *s, const struct report_meta *meta);
	int (*event)(struct sink *s, const struct event *ev);
	/*
	 * Optional: print ev into out exactly as event() would, changing no
	 * state, so that a parallel report's workers may format events at once.
	 * Called with ev NULL first: 0 when it can, -EINVAL when the options
	 * need state (then the merge calls event() for every event).
	 */
	int (*render)(const struct sink *s, const struct event *ev, FILE *out);
	int (*end)(struct sink *s, const struct report_stats *st);
	void (*free)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	struct sink_opts opts;
	const struct report_meta *meta;	/* as begin() got it (the last one, with several) */
	unsigned nr_recordings;		/* recordings in the report; 0 is taken as 1 */
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
extern const struct sink_ops sink_perf_script;	/* perf script's text */
extern const struct sink_ops sink_folded;	/* folded stacks, one line per path */
extern const struct sink_ops sink_chrome;	/* Chrome Trace Event JSON */
extern const struct sink_ops sink_firefox;	/* Firefox Profiler's Gecko JSON */
extern const struct sink_ops sink_speedscope;	/* speedscope's own JSON */
extern const struct sink_ops sink_pprof;	/* gzipped profile.proto */
extern const struct sink_ops sink_diff;		/* two recordings compared: text */
extern const struct sink_ops sink_diff_tree;	/* the same as a tree */
extern const struct sink_ops sink_diff_folded;	/* the same as two-count folded lines */

#endif
