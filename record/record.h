/* SPDX-License-Identifier: MIT */
/*
 * The recorder's internals: one session holds the perf events, their ring
 * buffers, the writer and the counters.  record.c drives the target's life,
 * events.c opens the events, ring.c drains the rings, proc.c describes
 * already running processes for -p.
 */
#ifndef SCREC_RECORD_H
#define SCREC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/arch.h"
#include "common/perf-record.h"
#include "common/syscall-set.h"
#include "common/writer.h"
#include "mapfile.h"
#include "tasks.h"

/*
 * User stack bytes per sample when --stack-size is not given (at most
 * SCREC_ARCH_STACK_MAX).  16 KiB, not 8: glibc's buffered_vfprintf (fprintf
 * to an unbuffered stream such as stderr, and error()) keeps an 8 KiB
 * buffer on the stack, so 8 KiB snapshots cut every write to stderr.
 * Measured against 8 KiB: recorder CPU +1 to 4%, bytes per event +4%, and
 * the stacks of ls truncated 2.3% -> 0.
 */
#define RECORD_STACK_DEFAULT	16384u
/*
 * Ring size per CPU when -m is not given: room for RECORD_RING_SAMPLES
 * syscall-entry samples of the asked stack size (the kernel reserves the
 * whole size per sample, whatever part is valid), within a total budget
 * spread over the CPUs and within bounds.  A syscall-heavy target fills a
 * ring with 16 KiB stacks at hundreds of MB/s; the ring must bridge the time
 * the recorder waits to be scheduled, which in the real-time class is short
 * (200 threads connecting lost nothing with 8 MiB rings and 8 KiB stacks,
 * but 100k connects on one thread lost 170 events once at load 150: hence
 * 2048 samples, 32 MiB with the default 16 KiB stacks; tests/record/no-lost
 * passes with them).  Mapping a ring
 * costs the kernel about 1 ms per 4 MiB (zeroed pages, every run), so a
 * larger default would be paid by every short recording.
 */
#define RECORD_RING_SAMPLES	2048u
/*
 * Without -m the rings start at RECORD_RING_START and grow to that size
 * (events_grow_start()) once a drain finds 128 KiB in one, or after
 * RECORD_GROW_AFTER_NS: a short command pays for 32 MiB of zeroed pages,
 * not 64 (mapping 64 took 8 ms of the 30 of recording `true`), a busy one
 * has them within milliseconds.  16 MiB, not 8: a burst of 4 threads x 300
 * connects (20 MiB of stacks) then fits before the rings grow; with 8 MiB
 * it lost events at load 80 to 160.
 */
#define RECORD_RING_START	(16u << 20)
#define RECORD_GROW_AFTER_NS	100000000ull
#define RECORD_GROW_WAKE	(128u << 10)	/* the small rings wake the recorder this full */
/* and grow then: per mille of a start ring, found in one drain */
#define RECORD_GROW_FILL	((uint32_t)((uint64_t)RECORD_GROW_WAKE * 1000 / RECORD_RING_START))
#define RECORD_SAMPLE_OVERHEAD	512u	/* registers, raw fields, headers */
#define RECORD_RING_BUDGET	(64u << 20)
#define RECORD_RING_MIN		(4u << 20)
#define RECORD_RING_MAX		(32u << 20)
/* Wake the recorder when this much is in a ring (or an eighth of a smaller ring). */
#define RECORD_WAKEUP_BYTES	(1u << 20)

struct ring {
	int fd;			/* the event that owns it: a dummy on screc itself */
	int cpu;
	void *base;		/* metadata page followed by the data pages */
	size_t data_size;	/* power of two */
	/* The ring it grew from (old_base NULL: none), drained until the end. */
	int old_fd;
	void *old_base;
	size_t old_size;
	uint64_t lost_reported;	/* what the kernel's LOST records drained from it said */
	uint64_t lost_counted;	/* what its events' counts say at the end (PERF_FORMAT_LOST) */
};

/* What the session knows of each perf event fd. */
struct fd_info {
	uint32_t event;		/* index into tps, nr_tps for the tracking event */
	uint32_t ring;		/* index into rings: where its records go */
};

/* One tracepoint the session listens to. */
struct tracepoint {
	char name[128];		/* "syscalls:sys_enter_connect" */
	uint32_t id;
	uint32_t kind;		/* SCREC_ATTR_ENTER / _EXIT */
	char *filter;		/* NULL or an ftrace filter */
	bool stack;		/* an exit that takes the stack (--failed) */
	bool hook_only;		/* no event of the targets: only capture's program hangs on it */
	char *format;		/* tracefs format text */
};

/* Filters decided in the kernel (filter.c). */
#define FILTER_MAX_ERRNOS 32
struct record_filter {
	bool failed;		/* --failed: only calls that return an error */
	int errnos[FILTER_MAX_ERRNOS];	/* --errno: only these errors */
	int nr_errnos;
	const char *path;	/* -P: only calls naming this path (PATH* a prefix), in BPF */
	int fd;			/* --fd: only calls on this fd (their first argument), in BPF; -1 */
};

/* Capture size for written buffers when -s is not given (strace's default). */
#define RECORD_CAPTURE_DEFAULT	32u
#define RECORD_CAPTURE_MAX	256u

/* The sample_id_all fields of the tracking event: pid/tid, time, cpu, identifier. */
struct id_trailer {
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu, res;
	uint64_t id;
};

struct session {
	/* options */
	uint32_t stack_size;
	uint32_t mmap_pages;		/* per CPU; 0 until chosen from RECORD_RING_* */
	uint32_t grow_pages;		/* what the rings grow to; 0: they do not */
	struct grower *grower;		/* the rings being grown, NULL before */
	bool mmap_pages_given;		/* -m: never shrunk to fit the locked-memory limit */
	bool inherit;
	struct record_filter filter;
	bool capture;			/* --capture: copy what arguments point to, in BPF */
	uint32_t capture_size;		/* -s: bytes of written buffers */

	/* events */
	const char *tracefs;
	struct tracepoint *tps;
	size_t nr_tps;
	int *fds;
	struct fd_info *fd_info;	/* one per fd */
	size_t nr_fds, cap_fds;
	bool read_lost;			/* the events count their losses (Linux 6.0+) */
	bool user_only;			/* exclude_kernel: all perf_event_paranoid 2 allows */
	struct ring *rings;
	size_t nr_rings;
	int nr_cpus;
	struct screc_attrs attrs;	/* our own, to parse what we drain */
	struct screc_syscall_set recorded;	/* the syscalls -e names */
	struct capture *cap;		/* the BPF maps and programs, NULL without */
	uint64_t tracking_id;		/* a tracking event's id, for synthesized records */

	/* output */
	struct screc_writer *w;
	int write_error;
	uint8_t *scratch;		/* one record copied out of a ring */
	bool stack_delta;		/* SCREC_FEAT_STACK_DELTA: stacks as deltas */
	struct screc_delta *delta;	/* last stacks per thread */
	bool delta_used;		/* a stack was encoded with it */
	uint8_t *delta_buf;		/* one delta record */

	/* the recorded processes, as the records tell */
	struct tasks tasks;
	uid_t command_uid;		/* the user the command runs as (perfmap.c) */
	uint32_t loss_epoch;		/* LOST records drained so far */
	uint64_t loss_time;		/* the last one's time */
	bool describing;		/* inside proc_synthesize() */
	struct mapfile_cache bid_cache;	/* build-ids of mapped files, by device and inode */

	/* build-ids read from files, to write each path once */
	char **bid_paths;
	size_t nr_bid_paths, cap_bid_paths;

	/* --archive: what to store at the end (NULL without it) */
	struct archive *archive;
	int archive_level;

	/* counters */
	uint64_t nr_samples, nr_exits, nr_lost;
	uint64_t nr_lost_late;		/* of nr_lost: found only in the events' counts at the end */

	/* where the recorder's time goes (said with -v) */
	struct {
		uint64_t passes;	/* ring_drain_all() calls that found something */
		uint64_t records;	/* drained */
		uint64_t ring_bytes;	/* drained, as the kernel wrote them */
		uint64_t drain_ns;	/* in ring_drain_all(), writing included */
		uint32_t max_fill;	/* the largest backlog found, per mille of a ring */
		uint64_t described;	/* processes described again from /proc after a loss */
		uint64_t perfmaps;	/* JIT perf maps copied */
	} stats;
};

/* events.c */
/* Find (and when root, mount) tracefs; returns 0 or -errno with a message printed. */
int events_find_tracefs(struct session *s);
/*
 * Choose the tracepoints in s->tps for the syscalls of set: their own for a
 * few, else raw_syscalls with an id filter (none for every syscall).  Prints
 * what is wrong and returns -errno (an empty set, unreadable tracefs).
 */
int events_resolve(struct session *s, const struct screc_syscall_set *set);
/*
 * Open the events for the given tasks (pid/tid list; with inherit, children
 * follow) on every CPU, map one ring per CPU.  enable_on_exec for a launched
 * command.  Prints the reason and returns -errno on failure.
 */
int events_open(struct session *s, const pid_t *tids, size_t nr_tids, bool on_exec);
/* Ring pages per CPU when -m is not given, for nr_cpus CPUs and samples of stack_size bytes. */
uint32_t events_default_pages(int nr_cpus, uint32_t stack_size);
/*
 * Start growing the rings to s->grow_pages in a thread (allocating a ring
 * takes the kernel about 1 ms per 4 MiB, while the rings go on being
 * drained).  Once only; 0 or -errno.
 */
int events_grow_start(struct session *s);
/*
 * If the grown rings are ready, send every event's output to them; the old
 * rings stay mapped and are drained until the end.  Returns 1 when the
 * rings' fds changed (poll them instead), 0 when nothing changed.
 */
int events_grow_finish(struct session *s);
/* Enable every event (attach mode). */
void events_enable(struct session *s);
/*
 * Add up, per ring, what its events counted as lost (read(2) with
 * PERF_FORMAT_LOST) into each ring's lost_counted.  Returns 0, or -ENOTSUP
 * when the kernel does not count (before Linux 6.0) or the events are
 * closed.
 */
int events_count_lost(struct session *s);
/* Write the TRACEPOINT and ATTR records describing the events. */
int events_describe(struct session *s);
/* Disable, unmap and close everything; safe to call twice. */
void events_close(struct session *s);
/*
 * At the end, before screc exits: events_close but for unmapping the rings
 * (the exit does), then free the tracepoints and attributes; safe to call
 * twice.
 */
void events_release(struct session *s);

/* filter.c */
/* Add the errnos of a comma list (names or numbers) to f; -EINVAL with a message. */
int filter_parse_errnos(struct record_filter *f, const char *list);
/*
 * After events_resolve: with --failed or --errno, drop the entry tracepoints
 * and have the exits take the stack, with a filter on ret.  0 or -ENOMEM.
 */
int filter_apply(struct session *s);
/* The active filters as text for the FILTERS string ("" for none); returns its length. */
size_t filter_describe(const struct session *s, char *buf, size_t size);

/* bpf.c */
/*
 * With --capture or -P, after events_open: make the maps, the output events
 * (one per ring) and the program, and attach it.  Where BPF is refused,
 * --capture says so in one line and the recording goes on without it
 * (returns 0); -P cannot, and returns -errno with a message.
 */
int capture_open(struct session *s, const pid_t *tids, size_t nr_tids);
/*
 * If rec is a sample of the capture's output events, write it as a CAPTURE
 * record (or drop it when malformed) and set *done.  Returns 0 or -errno.
 */
int capture_write(struct session *s, const void *rec, size_t len, bool *done);
/* Say with -v what was captured. */
void capture_stats(const struct session *s);
/* Close the programs, maps and output events; NULL does nothing. */
void capture_free(struct capture *c);

/* ring.c */
/* Drain every ring into the writer; returns records moved. */
size_t ring_drain_all(struct session *s);
/* Write one perf record, fetching build-ids for MMAP2 records that lack one. */
int ring_write_perf(struct session *s, const void *rec, size_t len);
/*
 * After the last drain: complete the lost count with what the events
 * counted but no LOST record reported (the kernel reports a loss with the
 * next record it writes, which never comes when the ring was full to the
 * end).  The difference is written per ring as a PERF_RECORD_LOST_SAMPLES
 * record dated time (as perf record does), and added to nr_lost and
 * nr_lost_late.  Returns 0 or -errno.
 */
int ring_complete_lost(struct session *s, uint64_t time);
/*
 * Allocate and touch what draining needs (the stack deltas' state), before
 * the command runs: page faults in the first drain cost events.  0 or
 * -ENOMEM.
 */
int ring_prepare(struct session *s);
/* Free the scratch buffer, the build-id paths seen and the tasks; safe to call twice. */
void ring_release(struct session *s);

/* proc.c */
/*
 * List the threads of pid into *tids (appended); returns 0 or -errno.  Says
 * in one line when pid is waiting for children it already has (they are
 * not recorded).
 */
int proc_threads(pid_t pid, pid_t **tids, size_t *nr, size_t *cap);
/*
 * Write COMM and MMAP2 records for the running process pid (and with
 * threads, a COMM for each of its threads), dated time (on the recording
 * clock): for -p, and again for a process whose records may have been
 * lost.  Returns 0 or -errno.
 */
int proc_synthesize(struct session *s, pid_t pid, uint64_t time, bool threads);
/*
 * Write the FDS records of pid: every fd open in it now, with what
 * /proc/PID/fd says it refers to and whether it is close-on-exec, dated
 * time.  Returns 0 or -errno (the process is gone, the writer failed).
 */
int proc_write_fds(struct session *s, pid_t pid, uint64_t time);
/* Whether every process in pids has ended. */
bool proc_all_gone(const pid_t *pids, size_t nr);

#endif
