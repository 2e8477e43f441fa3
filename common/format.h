/* SPDX-License-Identifier: MIT */
/*
 * The screc recording format: every byte that goes to disk is described here.
 *
 * A recording is a fixed, uncompressed file header followed by a stream of
 * independent zstd frames.  Each frame decompresses to a whole number of
 * records; a record starts with {type, size} so that a reader skips what it
 * does not know.  The recorder ends a frame at least once a second, so a file
 * whose recorder died is readable up to its last complete frame.  A cleanly
 * closed file ends with a TRAILER record; a reader that reaches the end of the
 * data without one knows the file is truncated.
 *
 * All integers are little-endian and naturally aligned, records are padded to
 * 8 bytes, and there are no pointers or bitfields.
 */
#ifndef SCREC_FORMAT_H
#define SCREC_FORMAT_H

#include <assert.h>
#include <stdint.h>

#define SCREC_MAGIC		"SCREC\0\r\n"
#define SCREC_MAGIC_LEN		8
/*
 * Version this code writes, and the oldest reader version that can read it.
 * Version 2 added SCREC_FEAT_STACK_DELTA, version 3 SCREC_FEAT_HEAD_XOR (the
 * form of delta this version writes); a file with deltas asks for a reader
 * of version 3, any other still for 1.  This reader reads versions 1, 2
 * and 3.
 */
#define SCREC_FORMAT_VERSION	3
#define SCREC_FORMAT_MIN_READ	1
#define SCREC_FORMAT_MIN_READ_XOR	3

#define SCREC_COMPRESS_ZSTD	1

/* Feature bits in the header; a reader refuses unknown bits in SCREC_FEAT_REQUIRED_MASK. */
#define SCREC_FEAT_STACK_TRIMMED	(1ull << 0)	/* user stacks cut to dyn_size */
#define SCREC_FEAT_RESOLVED		(1ull << 1)	/* stacks replaced by frames (RESOLVED) */
#define SCREC_FEAT_STACK_DELTA		(1ull << 2)	/* stacks against the thread's last one */
#define SCREC_FEAT_HEAD_XOR		(1ull << 3)	/* deltas as SCREC_PERF_STACK_XOR */
#define SCREC_FEAT_REQUIRED_MASK	0xffffffffull	/* low half: must understand */
/* The required features this version reads. */
#define SCREC_FEAT_KNOWN_REQUIRED	(SCREC_FEAT_STACK_TRIMMED | SCREC_FEAT_RESOLVED | \
					 SCREC_FEAT_STACK_DELTA | SCREC_FEAT_HEAD_XOR)
/* High half: hints a reader may ignore. */
#define SCREC_FEAT_ARCHIVE		(1ull << 32)	/* BLOB records of binaries at the end */
#define SCREC_FEAT_CAPTURE		(1ull << 33)	/* CAPTURE records: bytes copied in the kernel */

struct screc_file_header {
	char magic[SCREC_MAGIC_LEN];
	uint32_t version;
	uint32_t min_version;
	uint32_t header_size;		/* sizeof(struct screc_file_header) when written */
	uint32_t compression;		/* SCREC_COMPRESS_* */
	uint64_t features;		/* SCREC_FEAT_* */
	uint64_t reserved[4];
};
static_assert(sizeof(struct screc_file_header) == 64, "file header layout");

/* Every record starts with this; size counts the header and is a multiple of 8. */
struct screc_rec {
	uint32_t type;
	uint32_t size;
};
static_assert(sizeof(struct screc_rec) == 8, "record header layout");

enum screc_rec_type {
	SCREC_REC_INFO = 1,		/* struct screc_rec_info, first record */
	SCREC_REC_STRING = 2,		/* struct screc_rec_string */
	SCREC_REC_TRACEPOINT = 3,	/* struct screc_rec_tracepoint */
	SCREC_REC_ATTR = 4,		/* struct screc_rec_attr */
	SCREC_REC_PERF = 5,		/* a kernel perf record, verbatim but for trimmed stacks */
	SCREC_REC_BUILDID = 6,		/* struct screc_rec_buildid */
	SCREC_REC_TARGET_EXIT = 7,	/* struct screc_rec_target_exit */
	SCREC_REC_TRAILER = 8,		/* struct screc_rec_trailer, last record */
	SCREC_REC_ROUND = 9,		/* no body: every ring was drained once */
	SCREC_REC_BLOB = 10,		/* struct screc_rec_blob: a piece of an archived file */
	SCREC_REC_RESOLVED = 11,	/* struct screc_rec_resolved: a sample and its frames */
	SCREC_REC_FDS = 12,		/* struct screc_rec_fds: open fds of an attached process */
	SCREC_REC_PERFMAP = 13,		/* struct screc_rec_perfmap: a piece of a JIT's perf map */
	SCREC_REC_CAPTURE = 14,		/* struct screc_rec_capture: memory a syscall pointed to */
};

/*
 * Records are written per CPU ring, so the file is not in time order.  A
 * ROUND record follows each pass over all rings: a reader that sorts by time
 * may emit every record older than the newest record of the round before the
 * last ROUND (the same rule as perf's FINISHED_ROUND).
 */

/* Recording-wide facts, needed to read the perf records that follow. */
struct screc_rec_info {
	struct screc_rec hdr;
	uint32_t e_machine;		/* ELF machine of the recording host (EM_X86_64) */
	uint32_t page_size;
	uint32_t clockid;		/* clock of every timestamp (CLOCK_MONOTONIC) */
	uint32_t stack_size;		/* bytes of user stack asked per sample */
	uint64_t sample_regs_user;	/* perf register mask of the samples */
	uint64_t start_realtime_ns;	/* wall clock when recording started */
	uint64_t start_clock_ns;	/* the same instant on clockid */
	uint32_t nr_cpus;
	uint32_t mode;			/* SCREC_MODE_* */
	uint32_t target_pid;		/* launched command's pid, or first -p pid */
	uint32_t pad;
};
static_assert(sizeof(struct screc_rec_info) == 64, "info layout");

#define SCREC_MODE_COMMAND	1
#define SCREC_MODE_ATTACH	2

enum screc_string_key {
	SCREC_STR_HOSTNAME = 1,
	SCREC_STR_KERNEL_RELEASE = 2,
	SCREC_STR_KERNEL_VERSION = 3,
	SCREC_STR_MACHINE = 4,		/* uname machine, e.g. x86_64 */
	SCREC_STR_SCREC_VERSION = 5,
	SCREC_STR_CMDLINE = 6,		/* screc's own argv, NUL separated */
	SCREC_STR_EVENTS = 7,		/* the -e list as given */
	SCREC_STR_FILTERS = 8,		/* in-kernel filters: "failed", "errno=ENOENT,EACCES" */
};
#define SCREC_STR_LAST	SCREC_STR_FILTERS	/* the largest key this version knows */

/* A string: len bytes of data (not NUL-terminated), then padding. */
struct screc_rec_string {
	struct screc_rec hdr;
	uint32_t key;			/* enum screc_string_key */
	uint32_t len;
	/* char data[len]; */
};
static_assert(sizeof(struct screc_rec_string) == 16, "string layout");

/* A tracepoint of the recording kernel: its id and tracefs "format" text. */
struct screc_rec_tracepoint {
	struct screc_rec hdr;
	uint32_t id;
	uint32_t name_len;		/* "syscalls:sys_enter_connect" */
	uint32_t format_len;
	uint32_t pad;
	/* char name[name_len]; char format[format_len]; */
};
static_assert(sizeof(struct screc_rec_tracepoint) == 24, "tracepoint layout");

enum screc_attr_kind {
	SCREC_ATTR_ENTER = 1,		/* syscall entry: regs and stack */
	SCREC_ATTR_EXIT = 2,		/* syscall exit: return value */
	SCREC_ATTR_TRACKING = 3,	/* mmap/comm/task side-band only */
};

/*
 * What the kernel writes for the perf ids listed: enough to parse any sample
 * carrying PERF_SAMPLE_IDENTIFIER, and which tracepoint it came from.
 */
struct screc_rec_attr {
	struct screc_rec hdr;
	uint32_t kind;			/* enum screc_attr_kind */
	uint32_t tp_id;			/* tracepoint id, 0 for tracking */
	uint64_t sample_type;		/* PERF_SAMPLE_* */
	uint64_t sample_regs_user;
	uint32_t sample_stack_user;
	uint32_t nr_ids;
	/* uint64_t ids[nr_ids]; */
};
static_assert(sizeof(struct screc_rec_attr) == 40, "attr layout");

/*
 * A kernel perf record (struct perf_event_header and body).  Samples carry
 * PERF_SAMPLE_IDENTIFIER first; side-band records carry sample_id_all fields.
 * With SCREC_FEAT_STACK_TRIMMED, PERF_SAMPLE_STACK_USER is the last sample
 * field and its size field is dyn_size rounded up to 8.
 */
#define SCREC_PERF_HDR_SIZE	8

/*
 * With SCREC_FEAT_STACK_DELTA, a syscall-entry sample with stack bytes is
 * stored as a SCREC_PERF_STACK_DELTA record inside SCREC_REC_PERF: the
 * sample's bytes before its stack field (head, its perf header first), and
 * its stack as the bytes that differ from the previous stack of the same
 * thread at the same addresses.  The reader rebuilds the kernel's sample
 * (head, size, stack, dyn_size), so that nothing after it knows.
 *
 * Both sides keep the last stack of each thread in slot tid % SCREC_DELTA_SLOTS
 * (a thread's sample replaces any other thread's stack in its slot), and a
 * delta names the tid its base must have.  The stack is rebuilt word by word:
 * word i (8 bytes) is the base's bytes at byte offset 8 * i + shift, or zero
 * where that lies outside the base; then each run overwrites nr_words words
 * after skipping skip_words words from the end of the one before.  A KEY
 * record's stack has no base (zeroes, then its runs).  With HEAD, the head is
 * rebuilt the same way from the base's head (no shift; the same head_len),
 * else it is stored whole.  The recorder writes neither against a stack of
 * an earlier zstd frame, so no frame needs another one's data.
 */
#define SCREC_PERF_STACK_DELTA	0x5344u		/* 'SD', far above the kernel's types */
#define SCREC_DELTA_SLOTS	256u
#define SCREC_DELTA_KEY		1u		/* the stack has no base */
#define SCREC_DELTA_HEAD	2u		/* the head is runs against the base's head */
#define SCREC_DELTA_HEAD_XOR	4u		/* format 3: the head XORed with the base's */
#define SCREC_DELTA_PAIRS_BASE	8u		/* format 3: no pairs stored, the base's hold */

/*
 * Version 3 (SCREC_FEAT_HEAD_XOR) writes SCREC_PERF_STACK_XOR instead: the
 * same header and stack runs, and the head "paired" first.  A syscall's
 * arguments are in a sample twice, in the tracepoint's raw data and in the
 * registers, and half of a version-2 delta's bytes on a varied program (git
 * status) were its head.  So:
 *
 *  - A pair (struct screc_delta_pair) says that the 8 bytes at dst were
 *    XORed with the 8 bytes at src of the same head (byte offsets; dst at
 *    least 8, so never the perf header).  The dst windows come in increasing
 *    order, do not overlap, and all end at or before every src window, so
 *    the src bytes are stored as they are.  At most SCREC_DELTA_PAIRS_MAX.
 *  - misc holds the number of pairs stored, and head_data_len is 4 * misc
 *    plus the head's bytes: the pairs, then the head, then padding to 8.
 *    With SCREC_DELTA_PAIRS_BASE none are stored (misc 0): the head has the
 *    pairs of the base's head (same head_len).
 *  - The paired head is stored whole (no HEAD flag), as runs against the
 *    base's paired head (SCREC_DELTA_HEAD, as in version 2), or whole XORed
 *    with the base's paired head (SCREC_DELTA_HEAD_XOR, same head_len).
 *    The slot keeps the paired head and its pairs.
 *
 * The reader rebuilds the paired head, then undoes each pair.  Nothing
 * refers to an earlier zstd frame, as in version 2 (a KEY, no HEAD, XOR or
 * PAIRS_BASE at a thread's first sample in a frame).
 */
#define SCREC_PERF_STACK_XOR	0x5358u		/* 'SX' */
#define SCREC_DELTA_PAIRS_MAX	8u

struct screc_delta_pair {
	uint16_t dst;			/* byte offset in the head of the XORed window */
	uint16_t src;			/* byte offset of the window it was XORed with */
};
static_assert(sizeof(struct screc_delta_pair) == 4, "delta pair layout");

struct screc_perf_stack_delta {
	uint32_t type;			/* SCREC_PERF_STACK_DELTA or _XOR */
	uint16_t misc;			/* 0; _XOR: nr_pairs */
	uint16_t size;			/* 0: the SCREC_REC_PERF record's size counts */
	uint32_t tid;
	uint32_t flags;			/* SCREC_DELTA_* */
	int64_t shift;			/* sp - the base's sp */
	uint32_t head_len;		/* the sample before its stack size field */
	uint32_t stack_len;		/* stack bytes, a multiple of 8 */
	uint64_t dyn_size;
	uint32_t runs_len;		/* bytes of the stack's runs */
	uint32_t head_data_len;		/* bytes stored for the head: head_len, or its runs;
					   _XOR: 4 * nr_pairs + head_len */
	/* uint8_t head_data[head_data_len], padded to 8; runs_len bytes of runs */
};
static_assert(sizeof(struct screc_perf_stack_delta) == 48, "stack delta layout");

struct screc_delta_run {
	uint16_t skip_words;
	uint16_t nr_words;
	/* uint64_t words[nr_words], unaligned */
};
static_assert(sizeof(struct screc_delta_run) == 4, "delta run layout");

/* A build-id read from a mapped file by the recorder, where the kernel gave none. */
struct screc_rec_buildid {
	struct screc_rec hdr;
	uint32_t pid;			/* first process seen mapping it */
	uint8_t build_id_len;
	uint8_t pad[3];
	uint8_t build_id[20];
	uint32_t path_len;
	/* char path[path_len]; */
};
static_assert(sizeof(struct screc_rec_buildid) == 40, "buildid layout");

/* How a launched command ended: a wait(2) status. */
struct screc_rec_target_exit {
	struct screc_rec hdr;
	uint32_t pid;
	int32_t wait_status;
	uint64_t time;			/* on the recording clock */
};
static_assert(sizeof(struct screc_rec_target_exit) == 24, "target exit layout");

/* Totals written by a clean close. */
struct screc_rec_trailer {
	struct screc_rec hdr;
	uint64_t nr_records;		/* records before this one */
	uint64_t nr_samples;		/* syscall entry samples */
	uint64_t nr_exits;		/* syscall exit samples */
	uint64_t nr_lost;		/* events the kernel dropped */
	uint64_t end_clock_ns;
	uint64_t end_realtime_ns;
};
static_assert(sizeof(struct screc_rec_trailer) == 56, "trailer layout");

enum screc_blob_kind {
	SCREC_BLOB_VDSO = 1,		/* the vdso image, copied from memory at record time */
	SCREC_BLOB_ELF = 2,		/* a mapped binary cut to what the report needs */
	SCREC_BLOB_DEBUG = 3,		/* its separate debug file, cut the same way */
};

/*
 * Files carried in the recording (the vdso always, binaries with --archive),
 * once per build-id and kind, in pieces of at most SCREC_BLOB_CHUNK bytes
 * written in order.  level is the enum screc_archive_level (elf-extract.h)
 * the file was cut to.
 */
struct screc_rec_blob {
	struct screc_rec hdr;
	uint32_t kind;			/* enum screc_blob_kind */
	uint32_t level;
	uint8_t build_id_len;
	uint8_t pad[3];
	uint8_t build_id[20];
	uint64_t total_size;		/* of the whole file */
	uint64_t offset;		/* of this piece */
	uint32_t path_len;		/* the file's path on the recording host */
	uint32_t data_len;
	/* char path[path_len]; uint8_t data[data_len]; */
};
static_assert(sizeof(struct screc_rec_blob) == 64, "blob layout");

#define SCREC_BLOB_CHUNK	(512u * 1024)

/*
 * `screc report --resolve` writes a recording whose syscall-entry samples
 * carry their unwound frames instead of registers and stack memory (which may
 * hold secrets): a RESOLVED record holds the frames, the arguments as decoded
 * then (their memory is gone), what the call does to the fd table, and last
 * the kernel's sample with its user registers and stack removed.  Frames
 * are addresses to symbolize from the mappings' build-ids, or with
 * SCREC_RESOLVED_NAMES also their names, so no binary is needed at all.
 */
struct screc_rec_resolved {
	struct screc_rec hdr;
	uint32_t nr_frames;
	uint8_t end;			/* how the stack ended (report/event.h enum stack_end) */
	uint8_t flags;			/* SCREC_RESOLVED_* */
	uint16_t pad;
	uint64_t stack_size;		/* snapshot bytes the sample had */
	uint32_t text_len;		/* the decoded arguments */
	uint32_t effects_len;		/* bytes of struct screc_resolved_effect and their paths */
	uint32_t frames_len;		/* bytes of the frames (with their names) */
	uint32_t perf_len;		/* the kernel record, last */
	/*
	 * frames (frames_len bytes): struct screc_resolved_frame, each followed by
	 * name_len + file_len + dso_len bytes padded to 8; text[text_len] padded to
	 * 8; effects (effects_len bytes, each struct then what_len bytes padded to
	 * 8); the perf record (perf_len, a multiple of 8).
	 */
};
static_assert(sizeof(struct screc_rec_resolved) == 40, "resolved layout");

#define SCREC_RESOLVED_NAMES	1	/* frames carry names: no binary is needed */

struct screc_resolved_frame {
	uint64_t pc;			/* absolute, as unwound */
	uint64_t rel;			/* address in the file (with NAMES) */
	uint64_t sym_off;		/* with NAMES */
	uint32_t line;			/* with NAMES; 0 unknown */
	uint8_t method;			/* report/event.h enum frame_method */
	uint8_t flags;			/* SCREC_RFRAME_* */
	uint16_t name_len;		/* with NAMES, 0 = unknown */
	uint16_t file_len;		/* with NAMES */
	uint16_t dso_len;		/* with NAMES */
	uint32_t pad;
};
static_assert(sizeof(struct screc_resolved_frame) == 40, "resolved frame layout");

#define SCREC_RFRAME_ACTIVATION	1	/* pc is exact (frame 0, a signal's interrupted frame) */
#define SCREC_RFRAME_INLINED	2
#define SCREC_RFRAME_MISMATCH	4	/* the file had another build-id */

/* What a call does to the fd table (report/decode/decode.h enum decode_fd_op). */
struct screc_resolved_effect {
	uint8_t op;
	uint8_t cloexec;
	uint16_t what_len;		/* 0: unknown */
	int32_t fd, last, src_fd;
};
static_assert(sizeof(struct screc_resolved_effect) == 16, "resolved effect layout");

/*
 * The file descriptors a process had open when screc attached to it (-p),
 * read from /proc/PID/fd (readlink) and /proc/PID/fdinfo (close-on-exec):
 * where the report's fd table (-y) starts for fds opened before the
 * recording.  Written once per process at attach, dated before the first
 * event; a process with more fds than fit in a record gets several, each
 * adding to the table.  The entries follow the fixed part: nr_fds of struct
 * screc_fds_entry, each followed by path_len bytes (not NUL-terminated:
 * "/etc/hosts", "socket:[1234]", "pipe:[56]", "anon_inode:[eventfd]")
 * padded to 8.  The entries fill the record exactly.
 */
struct screc_rec_fds {
	struct screc_rec hdr;
	uint32_t pid;			/* the process (thread group) */
	uint32_t nr_fds;
	uint64_t time;			/* when /proc was read, on the recording clock */
	/* struct screc_fds_entry entries[nr_fds], each with its path */
};
static_assert(sizeof(struct screc_rec_fds) == 24, "fds layout");

#define SCREC_FDS_CLOEXEC	1	/* the fd is closed by an exec */

struct screc_fds_entry {
	int32_t fd;			/* 0 or more */
	uint16_t flags;			/* SCREC_FDS_* */
	uint16_t path_len;		/* 1 or more */
};
static_assert(sizeof(struct screc_fds_entry) == 8, "fds entry layout");

/*
 * A JIT runtime's perf map (/tmp/perf-PID.map: one "START SIZE NAME" line,
 * in hex, per piece of generated code), copied when the process exits and
 * at the end of the recording, so that the report names code in anonymous
 * executable mappings without the recording host's /tmp.  The text comes in
 * pieces of at most SCREC_PERFMAP_CHUNK bytes, in order, each but the last
 * of a map ending with a newline (a line longer than a piece is cut).  A
 * map copied twice (an exit, then the end) is not: the first copy stands.
 */
struct screc_rec_perfmap {
	struct screc_rec hdr;
	uint32_t pid;			/* the process whose map it is */
	uint32_t len;			/* bytes of text in this record */
	uint64_t offset;		/* of this piece in the map */
	/* char text[len]; */
};
static_assert(sizeof(struct screc_rec_perfmap) == 24, "perfmap layout");

#define SCREC_PERFMAP_CHUNK	(256u * 1024)

/*
 * Memory a syscall's arguments point to, copied by the recorder's BPF program
 * on the syscall tracepoint (record --capture): paths, sockaddrs, the start
 * of written buffers.  It belongs to the next sample of the same thread and
 * syscall whose time is not before its own (entry, or with --failed the
 * exit that carries the stack); the report reads the regions before the
 * stack snapshot and the mapped files.  Each region is a struct
 * screc_capture_region followed by len bytes padded to 8.  A string's bytes
 * end with its NUL when it was shorter than the capture size.
 */
struct screc_rec_capture {
	struct screc_rec hdr;
	uint32_t tid;
	uint32_t nr;			/* syscall number */
	uint64_t time;			/* on the recording clock, before the sample's */
	uint8_t when;			/* SCREC_CAPTURE_* */
	uint8_t nr_regions;
	uint16_t pad;
	uint32_t pad2;
	/* struct screc_capture_region regions[nr_regions], each with its bytes */
};
static_assert(sizeof(struct screc_rec_capture) == 32, "capture layout");

#define SCREC_CAPTURE_ENTRY	1	/* taken at syscall entry */
#define SCREC_CAPTURE_EXIT	2	/* taken at exit: what the call wrote */

struct screc_capture_region {
	uint64_t addr;			/* in the thread's address space */
	uint32_t len;			/* bytes that follow */
	uint32_t arg;			/* the syscall argument that pointed there (0-5) */
};
static_assert(sizeof(struct screc_capture_region) == 16, "capture region layout");

#define SCREC_CAPTURE_MAX_REGIONS	6
#define SCREC_CAPTURE_MAX_LEN		4096u	/* bytes per region a reader accepts */

/* Largest record a reader accepts: a 64 KiB stack and registers, with room. */
#define SCREC_REC_MAX		(1u << 20)

#endif
