/* SPDX-License-Identifier: MIT */
/*
 * Several recordings in one report: each is read by its own session, and
 * their events go into one sink, as sink.h describes (begin() per recording,
 * all before the first event; end() once).  This is what `screc report
 * a.screc b.screc ...` and the diffs run.
 */
#ifndef SCREC_MERGE_H
#define SCREC_MERGE_H

#include <stddef.h>

#include "session.h"

/*
 * Run the sessions ss[0..n) into sink, in order, each numbered by its index
 * (report_session_set_index()).  st[i] gets recording i's own totals, *total
 * their sum (what end() gets) and err[i] what report_session_finish() said of
 * recording i.  Returns 0, or the sink's error (-errno) when one of its calls
 * failed; a recording that is damaged or truncated does not stop the others.
 * The sessions stay open: their strings are the events' until the caller
 * frees them, after the sink.
 */
int report_merge_run(struct report_session *const *ss, size_t n, const struct report_filter *f,
		     struct sink *sink, struct report_stats *st, struct report_stats *total,
		     int *err);

/* Add a recording's totals to a sum. */
void report_stats_add(struct report_stats *sum, const struct report_stats *st);

#endif
