// SPDX-License-Identifier: MIT
/*
 * Several recordings into one sink (see merge.h).  Each session gets a proxy
 * sink of its own: the session calls the proxy's begin() when its
 * recording's description is complete, hands it its events, and calls its
 * end() when it finishes.  The proxies forward only the events; the real
 * begin() of every recording is called once all of them are described,
 * before the first event, and the real end() once, after the last session,
 * with the sum of their totals.  Sessions are read one after the other,
 * whole: their clocks are unrelated (several hosts), and every sink keys
 * what it keeps by recording.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "merge.h"

/* What the proxies of one merge share. */
struct merge {
	struct sink *sink;
	int err;		/* the real sink's first error */
};

struct proxy {
	struct sink sink;
	struct merge *m;
	bool begun;
};

static int
proxy_begin(struct sink *s, const struct report_meta *meta)
{
	struct proxy *p = s->priv;

	(void)meta;
	p->begun = true;
	return 0;
}

static int
proxy_event(struct sink *s, const struct event *ev)
{
	struct proxy *p = s->priv;
	struct sink *real = p->m->sink;

	if (p->m->err)
		return p->m->err;
	if (real->ops->event)
		p->m->err = real->ops->event(real, ev);
	return p->m->err;
}

static int
proxy_end(struct sink *s, const struct report_stats *st)
{
	(void)s;
	(void)st;
	return 0;
}

static const struct sink_ops proxy_ops = {
	.name = "merge-proxy",
	.help = "one recording's share of a merged report",
	.begin = proxy_begin,
	.event = proxy_event,
	.end = proxy_end,
};

void
report_stats_add(struct report_stats *sum, const struct report_stats *st)
{
	sum->events += st->events;
	sum->complete += st->complete;
	sum->truncated += st->truncated;
	sum->switched += st->switched;
	sum->broken += st->broken;
	sum->lost += st->lost;
	sum->frames += st->frames;
	sum->unresolved_frames += st->unresolved_frames;
	if (st->max_needed_stack > sum->max_needed_stack)
		sum->max_needed_stack = st->max_needed_stack;
	sum->samples += st->samples;
	sum->unreadable += st->unreadable;
	sum->expected += st->expected;
	for (size_t i = 0; i < SCREC_ARRAY_SIZE(sum->seen.bits); i++)
		sum->seen.bits[i] |= st->seen.bits[i];
}

int
report_merge_run(struct report_session *const *ss, size_t n, const struct report_filter *f,
		 struct sink *sink, struct report_stats *st, struct report_stats *total, int *err)
{
	struct merge m = { .sink = sink };
	struct proxy *px = calloc(n ? n : 1, sizeof(*px));
	bool *started = calloc(n ? n : 1, sizeof(*started));
	size_t i;

	memset(total, 0, sizeof(*total));
	if (!px || !started) {
		free(px);
		free(started);
		return -ENOMEM;
	}
	sink->nr_recordings = (unsigned)n;

	/* Read each recording up to the end of its description. */
	for (i = 0; i < n; i++) {
		px[i] = (struct proxy){ .sink = { .ops = &proxy_ops, .opts = sink->opts },
					.m = &m };
		px[i].sink.priv = &px[i];
		px[i].sink.nr_recordings = (unsigned)n;
		memset(&st[i], 0, sizeof(st[i]));
		report_session_set_index(ss[i], (unsigned)i);
		err[i] = report_session_begin(ss[i], f, &px[i].sink, &st[i]);
		started[i] = err[i] == 0;
		while (started[i] && !px[i].begun && report_session_step(ss[i]) == 1)
			;
	}
	/* Every recording's begin() before any event (the first's only, for a sink of one). */
	for (i = 0; i < n && !m.err && (i == 0 || sink->ops->each_recording); i++) {
		sink->meta = report_session_meta(ss[i]);
		if (sink->ops->begin)
			m.err = sink->ops->begin(sink, sink->meta);
	}
	/* The events, a recording at a time; a failed sink stops them all. */
	for (i = 0; i < n; i++) {
		if (!started[i])
			continue;
		while (!m.err && report_session_step(ss[i]) == 1)
			;
		err[i] = report_session_finish(ss[i]);
		report_stats_add(total, &st[i]);
	}
	if (!m.err && sink->ops->end)
		m.err = sink->ops->end(sink, total);
	free(px);
	free(started);
	return m.err;
}
