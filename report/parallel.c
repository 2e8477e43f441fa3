// SPDX-License-Identifier: MIT
/*
 * A report on several cores.  Each worker is a session of its own reading
 * the same recording (its own reader, process model, lookup chain, libdwfl
 * handles and caches: nothing is shared, so nothing is locked); every worker
 * replays the whole model, and unwinds, symbolizes and decodes every N-th
 * syscall entry.  Their events come back through bounded queues, each
 * tagged with its place in a single pass's order (event.seq), and the
 * calling thread merges them into the real sink in exactly that order, so
 * the output is the one a single pass gives.  Memory stays bounded: a
 * worker whose queue is full waits.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session-internal.h"

#define QUEUE_MAX 4096

struct item {
	struct event ev;
	struct frame *frames;
	char *args_text, *ret_text;
};

struct worker {
	struct report_session *s;
	pthread_t thread;
	struct sink sink;		/* the queue the worker's pass writes into */
	struct report_stats st;
	struct item **q;		/* a ring of QUEUE_MAX */
	size_t head, count;
	bool began, done;
	int err;
	struct par *par;
};

struct par {
	pthread_mutex_t lock;
	pthread_cond_t more;		/* a worker pushed, began or ended */
	pthread_cond_t room;		/* the merger took an item */
	bool cancel;
	const struct report_filter *f;
	struct worker *w;
	unsigned n;
};

static void
item_free(struct item *it)
{
	if (!it)
		return;
	free(it->frames);
	free(it->args_text);
	free(it->ret_text);
	free(it);
}

static int
queue_begin(struct sink *s, const struct report_meta *meta)
{
	struct worker *w = s->priv;

	(void)meta;
	pthread_mutex_lock(&w->par->lock);
	w->began = true;
	pthread_cond_broadcast(&w->par->more);
	pthread_mutex_unlock(&w->par->lock);
	return 0;
}

/* A copy of what the event points to that does not live as long as the report. */
static int
queue_event(struct sink *s, const struct event *ev)
{
	struct worker *w = s->priv;
	struct par *p = w->par;
	struct item *it = calloc(1, sizeof(*it));
	int err = 0;

	if (!it)
		return -ENOMEM;
	it->ev = *ev;
	it->frames = malloc((ev->nr_frames ? ev->nr_frames : 1) * sizeof(*it->frames));
	it->args_text = ev->args_text ? strdup(ev->args_text) : NULL;
	it->ret_text = ev->ret_text ? strdup(ev->ret_text) : NULL;
	if (!it->frames || (ev->args_text && !it->args_text) || (ev->ret_text && !it->ret_text)) {
		item_free(it);
		return -ENOMEM;
	}
	memcpy(it->frames, ev->frames, ev->nr_frames * sizeof(*it->frames));
	it->ev.frames = it->frames;
	it->ev.args_text = it->args_text;
	it->ev.ret_text = it->ret_text;
	pthread_mutex_lock(&p->lock);
	while (w->count == QUEUE_MAX && !p->cancel)
		pthread_cond_wait(&p->room, &p->lock);
	if (p->cancel) {
		err = -ECANCELED;
		item_free(it);
	} else {
		w->q[(w->head + w->count++) % QUEUE_MAX] = it;
		pthread_cond_broadcast(&p->more);
	}
	pthread_mutex_unlock(&p->lock);
	return err;
}

static const struct sink_ops queue_ops = {
	.name = "queue",
	.begin = queue_begin,
	.event = queue_event,
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	int err = report_session_run(w->s, w->par->f, &w->sink, &w->st);

	pthread_mutex_lock(&w->par->lock);
	w->err = err;
	w->done = true;
	__atomic_store_n(&w->s->run.progress, UINT64_MAX, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&w->par->more);
	pthread_mutex_unlock(&w->par->lock);
	return NULL;
}

/*
 * The next item in order, or NULL when every worker is done and empty.
 * Called with the lock held; waits for what it needs.
 */
static struct item *
next_item(struct par *p)
{
	for (;;) {
		struct worker *best = NULL;
		bool all_done = true, ready = true;
		unsigned i;

		for (i = 0; i < p->n; i++) {
			struct worker *w = &p->w[i];

			if (w->count && (!best || w->q[w->head]->ev.seq < best->q[best->head]->ev.seq))
				best = w;
			if (!w->done || w->count)
				all_done = false;
		}
		if (!best && all_done)
			return NULL;
		/* Every other worker must be past best's place: an item, or progress. */
		for (i = 0; best && i < p->n; i++) {
			struct worker *w = &p->w[i];

			if (w == best || w->count || w->done)
				continue;
			if (__atomic_load_n(&w->s->run.progress, __ATOMIC_ACQUIRE) <=
			    best->q[best->head]->ev.seq)
				ready = false;
		}
		if (best && ready) {
			struct item *it = best->q[best->head];

			best->head = (best->head + 1) % QUEUE_MAX;
			best->count--;
			pthread_cond_broadcast(&p->room);
			return it;
		}
		/* Progress is published without a signal: look again soon. */
		{
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&p->more, &p->lock, &ts);
		}
	}
}

/* Add a worker's totals of the events it emitted (the file-wide counts are everyone's). */
static void
add_stats(struct report_stats *to, const struct report_stats *from, bool first)
{
	to->events += from->events;
	to->complete += from->complete;
	to->truncated += from->truncated;
	to->switched += from->switched;
	to->broken += from->broken;
	to->frames += from->frames;
	to->unresolved_frames += from->unresolved_frames;
	if (from->max_needed_stack > to->max_needed_stack)
		to->max_needed_stack = from->max_needed_stack;
	if (first) {
		to->lost = from->lost;
		to->samples = from->samples;
		to->unreadable = from->unreadable;
		to->expected = from->expected;
		to->seen = from->seen;
	}
}

int
parallel_run(struct report_session *ss, const struct report_filter *f, struct sink *sink,
	     struct report_stats *st)
{
	struct par p = { .f = f, .n = ss->nr_workers };
	struct item *it;
	unsigned i, started = 0;
	bool begun = false;
	int err = 0;

	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.more, NULL);
	pthread_cond_init(&p.room, NULL);
	p.w = calloc(p.n, sizeof(*p.w));
	if (!p.w)
		return -ENOMEM;
	for (i = 0; i < p.n && !err; i++) {
		struct worker *w = &p.w[i];

		w->s = ss->workers[i];
		w->par = &p;
		w->sink = (struct sink){ .ops = &queue_ops, .opts = sink->opts, .priv = w };
		w->q = calloc(QUEUE_MAX, sizeof(*w->q));
		w->s->run.shard = i;
		w->s->run.nr_shards = p.n;
		if (!w->q)
			err = -ENOMEM;
		else if ((err = -pthread_create(&w->thread, NULL, work, w)) == 0)
			started++;
	}
	pthread_mutex_lock(&p.lock);
	while (!err && !p.w[0].began && !p.w[0].done)
		pthread_cond_wait(&p.more, &p.lock);
	/* Worker 0's description of the recording is everyone's. */
	if (!err && p.w[0].began) {
		pthread_mutex_unlock(&p.lock);
		sink->meta = &p.w[0].s->meta;
		if (sink->ops->begin)
			err = sink->ops->begin(sink, sink->meta);
		begun = !err;
		pthread_mutex_lock(&p.lock);
	}
	while (!err && (it = next_item(&p))) {
		pthread_mutex_unlock(&p.lock);
		if (sink->ops->event)
			err = sink->ops->event(sink, &it->ev);
		item_free(it);
		pthread_mutex_lock(&p.lock);
	}
	if (err) {
		p.cancel = true;
		pthread_cond_broadcast(&p.room);
	}
	pthread_mutex_unlock(&p.lock);
	for (i = 0; i < started; i++)
		pthread_join(p.w[i].thread, NULL);
	for (i = 0; i < p.n; i++) {
		add_stats(st, &p.w[i].st, i == 0);
		if (!err && p.w[i].err && p.w[i].err != -ECANCELED)
			err = p.w[i].err;
		while (p.w[i].count) {
			item_free(p.w[i].q[p.w[i].head]);
			p.w[i].head = (p.w[i].head + 1) % QUEUE_MAX;
			p.w[i].count--;
		}
		free(p.w[i].q);
	}
	/* The end of the recording (a truncation, say) is what worker 0 saw. */
	if (!err && p.w[0].err)
		err = p.w[0].err;
	if (begun && sink->ops->end && (!err || err == -ENODATA)) {
		int e = sink->ops->end(sink, st);

		if (e && !err)
			err = e;
	}
	free(p.w);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.more);
	pthread_cond_destroy(&p.room);
	return err;
}
