// SPDX-License-Identifier: MIT
/*
 * A report on two cores: the reading side of the pass (decompressing,
 * checking and ordering records by time) runs on a thread of its own, and
 * hands the processing side (the process model, unwinding, symbolizing,
 * decoding, the sink) its operations through a bounded ring, in exactly the
 * order one thread would do them, so the output is the same.  The ring holds
 * pointers to records the reading side made anyway; a record that is not a
 * perf record is copied, as the reader reuses its window.
 *
 * The ring has one writer and one reader: its indices are atomic, and a
 * side sleeps on a condition only when the ring is empty or full, saying
 * so first, so that the other side signals only then.  The reading side,
 * usually the faster, sleeps on a full ring until half of it is free,
 * rather than being woken for each slot that frees.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "session-internal.h"

/*
 * A power of two.  Small, so that the records in flight (copies of up to
 * the snapshot size each) stay in the caches and in one heap of the
 * reading side's malloc arena: with 8192, -j2 spent a third of its time in
 * sysmalloc, copying and page faults, and took more CPU than -j1.
 */
#define RING 512

struct pipe_op {
	enum op_kind op;
	void *arg;
};

struct pipe {
	struct pipe_op ring[RING];
	uint64_t head, tail;		/* atomic: consumed, produced */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool reader_waits, apply_waits;	/* atomic: asleep for room, for work */
	bool stop;			/* atomic: the processing side gave up */
	int ret;			/* how reading ended */
	struct report_session *ss;
};

static void
wake(struct pipe *p, bool *flag)
{
	if (__atomic_load_n(flag, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&p->lock);
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
}

/* Sleep until ready() holds, having said so in *flag (re-checked under the lock). */
static void
wait_for(struct pipe *p, bool *flag, bool (*ready)(struct pipe *p))
{
	pthread_mutex_lock(&p->lock);
	__atomic_store_n(flag, true, __ATOMIC_SEQ_CST);
	while (!ready(p))
		pthread_cond_wait(&p->cond, &p->lock);
	__atomic_store_n(flag, false, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&p->lock);
}

static bool
has_room(struct pipe *p)
{
	return __atomic_load_n(&p->tail, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&p->head, __ATOMIC_ACQUIRE) < RING ||
	       __atomic_load_n(&p->stop, __ATOMIC_ACQUIRE);
}

/* Room for half the ring: a reading side that waited wakes only then, not for each slot. */
static bool
has_half_room(struct pipe *p)
{
	return __atomic_load_n(&p->tail, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&p->head, __ATOMIC_ACQUIRE) <= RING / 2 ||
	       __atomic_load_n(&p->stop, __ATOMIC_ACQUIRE);
}

static bool
has_work(struct pipe *p)
{
	return __atomic_load_n(&p->tail, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&p->head, __ATOMIC_ACQUIRE);
}

void
pipe_push(struct report_session *ss, enum op_kind op, void *arg)
{
	struct pipe *p = ss->pipe;
	const struct screc_rec *rec = arg;
	uint64_t tail;

	if (op == OP_RECORD) {
		void *copy = malloc(rec->size);

		if (!copy) {
			ss->run.err = -ENOMEM;
			return;
		}
		arg = memcpy(copy, rec, rec->size);
	}
	if (!has_room(p))
		wait_for(p, &p->reader_waits, has_half_room);
	if (__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		if (op == OP_RECORD || op == OP_QUEUED)
			free(arg);
		return;
	}
	tail = __atomic_load_n(&p->tail, __ATOMIC_RELAXED);
	p->ring[tail % RING] = (struct pipe_op){ op, arg };
	/* Sequentially consistent, as the flag: the other side's check comes after. */
	__atomic_store_n(&p->tail, tail + 1, __ATOMIC_SEQ_CST);
	wake(p, &p->apply_waits);
}

/* The reading side: every record of the file, then what waits in the heap. */
static void *
read_all(void *arg)
{
	struct pipe *p = arg;
	struct report_session *ss = p->ss;
	const struct screc_rec *rec;
	int ret;

	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE) && !ss->run.err &&
	       (ret = screc_reader_next(ss->r, &rec)) == 1) {
		pipeline_read(ss, rec);
		session_progress(ss);
	}
	if (ss->run.err)
		ret = ss->run.err;
	p->ret = ret == 1 ? 0 : ret;
	report_session_flush(ss);
	pipe_push(ss, OP_END, NULL);
	return NULL;
}

int
pipe_run(struct report_session *ss)
{
	struct pipe *p = calloc(1, sizeof(*p));
	pthread_t reader;
	bool end = false;
	int err;

	if (!p)
		return -ENOMEM;
	p->ss = ss;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	ss->pipe = p;
	err = pthread_create(&reader, NULL, read_all, p);
	if (err) {
		ss->pipe = NULL;
		free(p);
		/* One thread, then. */
		while (report_session_step(ss) == 1)
			;
		return report_session_finish(ss);
	}
	while (!end) {
		uint64_t head = __atomic_load_n(&p->head, __ATOMIC_RELAXED);
		struct pipe_op op;

		if (!has_work(p))
			wait_for(p, &p->apply_waits, has_work);
		op = p->ring[head % RING];
		__atomic_store_n(&p->head, head + 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&p->tail, __ATOMIC_ACQUIRE) - (head + 1) <= RING / 2)
			wake(p, &p->reader_waits);
		if (op.op == OP_END) {
			end = true;
		} else if (ss->run.err) {
			/* Gave up: take the rest out of the ring without doing it. */
			__atomic_store_n(&p->stop, true, __ATOMIC_RELEASE);
			wake(p, &p->reader_waits);
			if (op.op == OP_RECORD || op.op == OP_QUEUED)
				free(op.arg);
		} else {
			pipeline_apply(ss, op.op, op.arg);
			if (op.op == OP_RECORD)
				free(op.arg);
		}
	}
	pthread_join(reader, NULL);
	ss->pipe = NULL;
	ss->run.ended = true;
	ss->run.ret = p->ret;
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
	return report_session_finish(ss);
}
