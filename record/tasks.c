// SPDX-License-Identifier: MIT
/*
 * The recorded processes, as the drained records describe them.  Its one
 * use so far: noticing the processes that the kernel stopped recording.
 * When a process executes a set-user-ID or set-group-ID program (that
 * changes its credentials), or one it may execute but not read, the kernel
 * makes it non-dumpable and removes its perf events (fs/exec.c,
 * begin_new_exec: perf_event_exit_task()).  The recording then holds its
 * exec (a COMM record) and an EXIT record at once, and nothing more, though
 * the process runs on: its syscalls are lost without a LOST record.  That
 * is what `screc record -- su USER -c CMD` does to CMD when screc does not
 * run as USER.  The recorder names those processes in its summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "tasks.h"

/* How many detached processes the summary names, one line each. */
#define REPORT_MAX	10

static size_t
slot(const struct tasks *ts, uint32_t pid)
{
	size_t i = (size_t)screc_mix64(pid) & (ts->cap - 1);

	while (ts->t[i].pid && ts->t[i].pid != pid)
		i = (i + 1) & (ts->cap - 1);
	return i;
}

static int
rehash(struct tasks *ts)
{
	size_t cap = ts->cap ? 2 * ts->cap : 64, i;
	struct tasks n = { calloc(cap, sizeof(struct task)), ts->nr, cap };

	if (!n.t)
		return -1;
	for (i = 0; i < ts->cap; i++)
		if (ts->t[i].pid)
			n.t[slot(&n, ts->t[i].pid)] = ts->t[i];
	free(ts->t);
	*ts = n;
	return 0;
}

struct task *
tasks_get(struct tasks *ts, uint32_t pid, bool create)
{
	size_t i;

	if (!pid || (!ts->cap && !create))
		return NULL;
	if (create && (ts->nr + 1) * 2 > ts->cap && rehash(ts))
		return NULL;
	i = slot(ts, pid);
	if (!ts->t[i].pid) {
		if (!create)
			return NULL;
		ts->t[i].pid = pid;
		ts->nr++;
	}
	return &ts->t[i];
}

void
tasks_comm(struct tasks *ts, uint32_t pid, uint32_t tid, const char *comm, bool exec,
	   uint64_t time)
{
	struct task *t;

	if (pid != tid)
		return;		/* a thread's own name */
	t = tasks_get(ts, pid, true);
	if (!t)
		return;
	if (time >= t->comm_time) {
		snprintf(t->comm, sizeof(t->comm), "%s", comm);
		t->comm_time = time;
	}
	if (exec && time > t->exec_time)
		t->exec_time = time;
}

void
tasks_active(struct tasks *ts, uint32_t pid, uint64_t time)
{
	struct task *t = tasks_get(ts, pid, false);

	if (t && time > t->active_time)
		t->active_time = time;
}

bool
tasks_detached(const struct task *t)
{
	return t->pid && t->exec_time && t->exit_time >= t->exec_time &&
	       t->active_time < t->exec_time;
}

/* Why the kernel made pid non-dumpable, from its ids now (it may be gone). */
static enum task_why
why_detached(uint32_t pid)
{
	unsigned long uid[2] = { 0 }, gid[2] = { 0 };
	bool have_uid = false, have_gid = false;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return TASK_WHY_UNKNOWN;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Uid: %lu %lu", &uid[0], &uid[1]) == 2)
			have_uid = true;
		else if (sscanf(line, "Gid: %lu %lu", &gid[0], &gid[1]) == 2)
			have_gid = true;
	}
	fclose(f);
	if (have_uid && uid[0] != uid[1])
		return TASK_WHY_SETUID;
	if (have_gid && gid[0] != gid[1])
		return TASK_WHY_SETGID;
	return have_uid ? TASK_WHY_UNREADABLE : TASK_WHY_UNKNOWN;
}

void
tasks_exit(struct tasks *ts, uint32_t pid, uint32_t tid, uint64_t time)
{
	struct task *t = tasks_get(ts, pid, false);

	if (!t || pid != tid)
		return;
	if (time > t->exit_time)
		t->exit_time = time;
	/* Likely dropped (other rings may yet show it was not): ask /proc why, while it is there. */
	if (tasks_detached(t))
		t->why = (uint8_t)why_detached(pid);
}

size_t
tasks_report_detached(const struct tasks *ts)
{
	static const char *const why[] = {
		[TASK_WHY_UNKNOWN] = "a set-user-ID or set-group-ID program, or one it could "
				     "not read",
		[TASK_WHY_SETUID] = "a set-user-ID program",
		[TASK_WHY_SETGID] = "a set-group-ID program",
		[TASK_WHY_UNREADABLE] = "a program it could execute but not read",
	};
	size_t i, n = 0;

	for (i = 0; i < ts->cap; i++) {
		const struct task *t = &ts->t[i];

		if (!tasks_detached(t))
			continue;
		if (++n <= REPORT_MAX)
			screc_err("pid %u (%s): not recorded after its exec: it executed %s, and "
				  "the kernel stops recording a process whose new program changes "
				  "its user or group, or that it may not read; attach to it with -p "
				  "once it runs (as root), or run that program without a change of "
				  "user at its exec", t->pid, t->comm, why[t->why < 4 ? t->why : 0]);
	}
	if (n > REPORT_MAX)
		screc_err("%zu more processes not recorded after their exec, for the same reason",
			  n - REPORT_MAX);
	return n;
}

void
tasks_release(struct tasks *ts)
{
	free(ts->t);
	*ts = (struct tasks){ 0 };
}
