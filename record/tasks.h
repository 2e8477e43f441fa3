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

enum task_detach {
	TASK_ATTACHED = 0,
	TASK_EXEC_PENDING,	/* exec'd; nothing of its new program seen yet */
	TASK_DETACHED,		/* the kernel ended its events at the exec */
};

/* Why the kernel detached a process at its exec, as far as /proc told. */
enum task_why {
	TASK_WHY_UNKNOWN = 0,	/* gone before it could be looked at */
	TASK_WHY_SETUID,	/* real and effective user differ */
	TASK_WHY_SETGID,	/* real and effective group differ */
	TASK_WHY_UNREADABLE,	/* same ids: a program it may execute but not read */
};

struct task {
	uint32_t pid;		/* 0: a free slot */
	uint8_t detach;		/* enum task_detach */
	uint8_t why;		/* enum task_why */
	char comm[17];
	uint64_t samples;	/* since its last exec */
	uint32_t described;	/* the loss epoch it was last described from /proc at */
	uint64_t described_ns;	/* when (CLOCK_MONOTONIC) */
};

/* Processes by pid: an open-addressing table. */
struct tasks {
	struct task *t;
	size_t nr, cap;		/* cap is 0 or a power of two */
};

/* The process pid, added when create (NULL when not found, or out of memory). */
struct task *tasks_get(struct tasks *ts, uint32_t pid, bool create);

/* A COMM record: exec says it came from an exec. */
void tasks_comm(struct tasks *ts, uint32_t pid, uint32_t tid, const char *comm, bool exec);
/* A sample or a mapping of pid: its program is being recorded. */
void tasks_active(struct tasks *ts, uint32_t pid);
/*
 * An EXIT record.  One that follows the process's exec with nothing of the
 * new program between (not even the mapping of its executable) is the
 * kernel's perf_event_exit_task() at a set-user-ID (set-group-ID,
 * unreadable) exec: the process goes on, unrecorded.
 */
void tasks_exit(struct tasks *ts, uint32_t pid, uint32_t tid);

/* Print one line per process the kernel stopped recording (the first few); returns how many. */
size_t tasks_report_detached(const struct tasks *ts);

/* Free the table; safe to call twice. */
void tasks_release(struct tasks *ts);

#endif
