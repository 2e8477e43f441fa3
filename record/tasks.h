/* SPDX-License-Identifier: MIT */
/*
 * What the recorder knows of each recorded process, from the records it
 * drains: its name, whether it exec'd, and whether the kernel stopped
 * recording it at that exec.  See tasks.c.
 */
#ifndef SCREC_RECORD_TASKS_H
#define SCREC_RECORD_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why the kernel detached a process at its exec, as far as /proc told. */
enum task_why {
	TASK_WHY_UNKNOWN = 0,	/* gone before it could be looked at */
	TASK_WHY_SETUID,	/* real and effective user differ */
	TASK_WHY_SETGID,	/* real and effective group differ */
	TASK_WHY_UNREADABLE,	/* same ids: a program it may execute but not read */
};

/*
 * Records come per CPU ring, not in time order: a process's state is kept
 * as the times of what was seen, and judged at the end.
 */
struct task {
	uint32_t pid;		/* 0: a free slot */
	uint8_t why;		/* enum task_why, read when its EXIT came */
	char comm[17];
	uint64_t comm_time;	/* of the COMM that named it */
	uint64_t exec_time;	/* of its last exec (COMM with exec), 0: none seen */
	uint64_t exit_time;	/* of its EXIT record, 0: none */
	uint64_t active_time;	/* of its last sample or mapping */
	uint32_t described;	/* the loss epoch it was last described from /proc at */
	uint64_t described_ns;	/* when (CLOCK_MONOTONIC) */
	bool perfmap_copied;	/* its JIT perf map was looked for (perfmap.c) */
};

/* Processes by pid: an open-addressing table. */
struct tasks {
	struct task *t;
	size_t nr, cap;		/* cap is 0 or a power of two */
};

/* The process pid, added when create (NULL when not found, or out of memory). */
struct task *tasks_get(struct tasks *ts, uint32_t pid, bool create);

/* A COMM record at time: exec says it came from an exec. */
void tasks_comm(struct tasks *ts, uint32_t pid, uint32_t tid, const char *comm, bool exec,
		uint64_t time);
/* A sample or a mapping of pid at time: its program is being recorded. */
void tasks_active(struct tasks *ts, uint32_t pid, uint64_t time);
/* An EXIT record at time. */
void tasks_exit(struct tasks *ts, uint32_t pid, uint32_t tid, uint64_t time);

/*
 * Whether the kernel stopped recording t at its last exec: its EXIT record
 * follows that exec with nothing of the new program between (not even the
 * mapping of its executable, which comes right after the exec's COMM).
 * That is perf_event_exit_task() at a set-user-ID (set-group-ID,
 * unreadable) exec: the process goes on, unrecorded.
 */
bool tasks_detached(const struct task *t);

/* Print one line per process the kernel stopped recording (the first few); returns how many. */
size_t tasks_report_detached(const struct tasks *ts);

/* Free the table; safe to call twice. */
void tasks_release(struct tasks *ts);

#endif
