// SPDX-License-Identifier: MIT
/*
 * Record-time capture (record --capture) and the filters -P and --fd: a small
 * BPF program on each syscall-entry tracepoint copies the memory that
 * arguments point to (paths, sockaddrs, the start of written buffers and of
 * iovecs' buffers, sendmsg's msghdr with its name and iovecs) and sends it
 * through a perf event array into the same per-CPU rings as the samples; the
 * recorder turns each into a CAPTURE record.  The program's return value
 * also decides, before the kernel copies a stack, whether the sample is
 * kept: with -P only the calls naming that path are, with --fd only the
 * calls on that fd.  A program on each exit tracepoint copies what a call
 * wrote (read, readv and recvfrom buffers, recvmsg's msghdr, pipe fds,
 * accept's and recvfrom's address, the stat family's results as far as
 * strace prints them), from the arguments the entry kept by thread.  On a
 * syscall's own tracepoint the kernel refuses a program that reads past that
 * syscall's arguments, so each tracepoint gets a program made for its
 * syscalls alone.
 *
 * There is no libbpf: the maps and the program are made with bpf(2) and the
 * instructions are emitted here, so screc-record still needs only libc and
 * libzstd and can be copied to a production host.  The program is generated
 * for the recording: one compare-and-branch per recorded syscall that has
 * something to capture, each followed by the copies of its arguments.
 *
 * A tracepoint's programs run for every task that hits it, so the program
 * first looks the current process up in a hash map of the recorded ones
 * (filled with the targets, and by a second program on sched_process_fork
 * with their children); other processes pay a lookup and are never
 * captured or filtered.  Where the kernel refuses BPF (no CAP_BPF and
 * CAP_PERFMON, lockdown, an old kernel), the recording goes on without
 * capture after one line that says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/syscalls.h"
#include "record.h"

/* What the program writes per call: a header, then CAP_REGIONS fixed slots. */
#define CAP_SLOT	256u	/* bytes per region */
#define CAP_REGIONS	6	/* SCREC_CAPTURE_MAX_REGIONS */
#define CAP_HDR		24	/* tid, nr, time, when, nr_regions, pad */
#define CAP_REGION_HDR	16	/* addr, len, arg */
#define CAP_SIZE	(CAP_HDR + CAP_REGIONS * (CAP_REGION_HDR + CAP_SLOT))
/* What goes out for n regions: only those. */
#define CAP_OUT(n)	(CAP_HDR + (n) * (CAP_REGION_HDR + CAP_SLOT))
/* The offset of region k in the record the program writes. */
#define CAP_REGION(k)	((int16_t)(CAP_HDR + (k) * (CAP_REGION_HDR + CAP_SLOT)))
/* A struct msghdr, as far as strace prints it (x86-64). */
#define MSGHDR_SIZE	56

#define PIDS_MAX	65536

enum cap_kind {
	CAP_NONE = 0,
	CAP_PATH,		/* NUL-terminated, up to CAP_SLOT bytes */
	CAP_SOCKADDR,		/* len argument bytes, up to 128 */
	CAP_WBUF,		/* len argument bytes, up to -s */
	CAP_INT,		/* an int (the in-out length of accept and getsockname) */
	CAP_IOVEC,		/* iovec entries (count in len_arg), the start of their buffers */
	CAP_MSGHDR,		/* a struct msghdr, its msg_name, its iovecs and their buffers */
	CAP_STRUCT,		/* len_arg * 8 bytes */
};

struct cap_arg {
	unsigned char kind, arg, len_arg;
};

/* What each syscall's arguments point to, at entry (x86-64 names). */
static const struct {
	const char *name;
	struct cap_arg a[CAP_REGIONS];
} cap_table[] = {
	{ "open", { { CAP_PATH, 0, 0 } } },
	{ "creat", { { CAP_PATH, 0, 0 } } },
	{ "openat", { { CAP_PATH, 1, 0 } } },
	{ "openat2", { { CAP_PATH, 1, 0 } } },
	{ "stat", { { CAP_PATH, 0, 0 } } },
	{ "lstat", { { CAP_PATH, 0, 0 } } },
	{ "newfstatat", { { CAP_PATH, 1, 0 } } },
	{ "statx", { { CAP_PATH, 1, 0 } } },
	{ "statfs", { { CAP_PATH, 0, 0 } } },
	{ "access", { { CAP_PATH, 0, 0 } } },
	{ "faccessat", { { CAP_PATH, 1, 0 } } },
	{ "faccessat2", { { CAP_PATH, 1, 0 } } },
	{ "execve", { { CAP_PATH, 0, 0 } } },
	{ "execveat", { { CAP_PATH, 1, 0 } } },
	{ "readlink", { { CAP_PATH, 0, 0 } } },
	{ "readlinkat", { { CAP_PATH, 1, 0 } } },
	{ "unlink", { { CAP_PATH, 0, 0 } } },
	{ "unlinkat", { { CAP_PATH, 1, 0 } } },
	{ "mkdir", { { CAP_PATH, 0, 0 } } },
	{ "mkdirat", { { CAP_PATH, 1, 0 } } },
	{ "rmdir", { { CAP_PATH, 0, 0 } } },
	{ "rename", { { CAP_PATH, 0, 0 }, { CAP_PATH, 1, 0 } } },
	{ "renameat", { { CAP_PATH, 1, 0 }, { CAP_PATH, 3, 0 } } },
	{ "renameat2", { { CAP_PATH, 1, 0 }, { CAP_PATH, 3, 0 } } },
	{ "link", { { CAP_PATH, 0, 0 }, { CAP_PATH, 1, 0 } } },
	{ "linkat", { { CAP_PATH, 1, 0 }, { CAP_PATH, 3, 0 } } },
	{ "symlink", { { CAP_PATH, 0, 0 }, { CAP_PATH, 1, 0 } } },
	{ "symlinkat", { { CAP_PATH, 0, 0 }, { CAP_PATH, 2, 0 } } },
	{ "chdir", { { CAP_PATH, 0, 0 } } },
	{ "chroot", { { CAP_PATH, 0, 0 } } },
	{ "chmod", { { CAP_PATH, 0, 0 } } },
	{ "fchmodat", { { CAP_PATH, 1, 0 } } },
	{ "chown", { { CAP_PATH, 0, 0 } } },
	{ "lchown", { { CAP_PATH, 0, 0 } } },
	{ "fchownat", { { CAP_PATH, 1, 0 } } },
	{ "truncate", { { CAP_PATH, 0, 0 } } },
	{ "mknod", { { CAP_PATH, 0, 0 } } },
	{ "mknodat", { { CAP_PATH, 1, 0 } } },
	{ "utimensat", { { CAP_PATH, 1, 0 } } },
	{ "inotify_add_watch", { { CAP_PATH, 1, 0 } } },
	{ "connect", { { CAP_SOCKADDR, 1, 2 } } },
	{ "bind", { { CAP_SOCKADDR, 1, 2 } } },
	{ "sendto", { { CAP_WBUF, 1, 2 }, { CAP_SOCKADDR, 4, 5 } } },
	{ "write", { { CAP_WBUF, 1, 2 } } },
	{ "accept", { { CAP_INT, 2, 0 } } },
	{ "accept4", { { CAP_INT, 2, 0 } } },
	{ "getsockname", { { CAP_INT, 2, 0 } } },
	{ "getpeername", { { CAP_INT, 2, 0 } } },
	{ "pwrite64", { { CAP_WBUF, 1, 2 } } },
	{ "writev", { { CAP_IOVEC, 1, 2 } } },
	{ "pwritev", { { CAP_IOVEC, 1, 2 } } },
	{ "sendmsg", { { CAP_MSGHDR, 1, 0 } } },
	/* what the caller gave: recvmsg's msg_namelen, recvfrom's address length */
	{ "recvmsg", { { CAP_STRUCT, 1, MSGHDR_SIZE / 8 } } },
	{ "recvfrom", { { CAP_INT, 5, 0 } } },
};

/* What the kernel writes for a call, taken at its exit (only when it succeeded). */
enum exit_kind {
	EXIT_RBUF = 1,		/* arg 1, the return value's bytes, up to -s */
	EXIT_FDPAIR,		/* arg 0, two ints */
	EXIT_SOCKADDR_LENP,	/* arg 1, as many bytes as the int at arg 2 says, up to 128 */
	EXIT_RECVFROM,		/* EXIT_RBUF, then the address at arg 4 by the int at arg 5 */
	EXIT_STRUCT,		/* arg, size bytes (stat results, as far as strace prints them) */
	EXIT_IOVEC,		/* arg 1's iovecs (count at arg 2), the start of their buffers */
	EXIT_MSGHDR,		/* arg 1's struct msghdr as CAP_MSGHDR */
};

/*
 * stat's struct up to st_size (st_rdev before it), statx's up to stx_size:
 * strace prints no more by default ({st_mode=S_IFREG|0644, st_size=1234, ...}).
 */
#define STAT_SIZE	56
#define STATX_SIZE	48

static const struct {
	const char *name;
	unsigned char kind, arg, size;
} exit_table[] = {
	{ "read", EXIT_RBUF, 1, 0 },
	{ "pread64", EXIT_RBUF, 1, 0 },
	{ "pipe", EXIT_FDPAIR, 0, 0 },
	{ "pipe2", EXIT_FDPAIR, 0, 0 },
	{ "accept", EXIT_SOCKADDR_LENP, 1, 0 },
	{ "accept4", EXIT_SOCKADDR_LENP, 1, 0 },
	{ "getsockname", EXIT_SOCKADDR_LENP, 1, 0 },
	{ "getpeername", EXIT_SOCKADDR_LENP, 1, 0 },
	{ "recvfrom", EXIT_RECVFROM, 1, 0 },
	{ "readv", EXIT_IOVEC, 1, 0 },
	{ "preadv", EXIT_IOVEC, 1, 0 },
	{ "recvmsg", EXIT_MSGHDR, 1, 0 },
	{ "stat", EXIT_STRUCT, 1, STAT_SIZE },
	{ "lstat", EXIT_STRUCT, 1, STAT_SIZE },
	{ "fstat", EXIT_STRUCT, 1, STAT_SIZE },
	{ "newfstatat", EXIT_STRUCT, 2, STAT_SIZE },
	{ "statx", EXIT_STRUCT, 4, STATX_SIZE },
};

/* The entry's arguments of a call with something to take at exit, by thread. */
struct pending {
	uint32_t nr, pad;
	uint64_t args[6];
};
#define PENDING_ARG(k)	(8 + 8 * (k))

struct capture {
	int pids_fd, scratch_fd, out_fd;	/* maps */
	int pending_fd;				/* tid -> struct pending */
	int fork_prog;
	int *out_events;			/* BPF output events, one per ring */
	size_t nr_out;
	int fork_event;				/* what the fork program hangs on */
	int *hooks;				/* the events the entry program hangs on */
	size_t nr_hooks;
	uint64_t *ids;				/* the output events' ids */
	uint64_t captured, dropped;
	struct screc_syscall_set set;		/* the syscalls of the program being made */
};

/* --- bpf(2) --- */

static int
sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int
map_create(uint32_t type, uint32_t key, uint32_t value, uint32_t max)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key;
	a.value_size = value;
	a.max_entries = max;
	return sys_bpf(BPF_MAP_CREATE, &a);
}

static int
map_update(int fd, const void *key, const void *value)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	a.flags = BPF_ANY;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
}

/* --- an emitter with labels --- */

struct prog {
	struct bpf_insn *insn;
	size_t n, cap;
	struct { size_t at; int label; } fix[2048];
	size_t nr_fix;
	long label_at[1024];
	int nr_labels;
	bool nomem;
};

static void
emit(struct prog *p, struct bpf_insn i)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 256;
		struct bpf_insn *n = realloc(p->insn, cap * sizeof(*n));

		if (!n) {
			p->nomem = true;
			return;
		}
		p->insn = n;
		p->cap = cap;
	}
	p->insn[p->n++] = i;
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
						.off = (int16_t)(o), .imm = (int32_t)(i) })
#define MOV64_REG(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV32_IMM(d, i)		INSN(BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, i)
#define ALU64_IMM(op, d, i)	INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define LDX(sz, d, s, o)	INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o)	INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i)		INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define CALL(f)			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int
label_new(struct prog *p)
{
	if (p->nr_labels == (int)(sizeof(p->label_at) / sizeof(p->label_at[0]))) {
		p->nomem = true;
		return 0;
	}
	p->label_at[p->nr_labels] = -1;
	return p->nr_labels++;
}

static void
label_here(struct prog *p, int l)
{
	p->label_at[l] = (long)p->n;
}

/* A conditional jump (op BPF_JEQ...) of register d against imm, or always (BPF_JA), to l. */
static void
jump(struct prog *p, uint8_t op, uint8_t d, int32_t imm, int l)
{
	if (p->nr_fix == sizeof(p->fix) / sizeof(p->fix[0])) {
		p->nomem = true;
		return;
	}
	p->fix[p->nr_fix].at = p->n;
	p->fix[p->nr_fix++].label = l;
	emit(p, INSN(BPF_JMP | op | BPF_K, op == BPF_JA ? 0 : d, 0, 0, imm));
}

/* Whether a jump goes to l: the verifier refuses code that none reaches. */
static bool
label_used(const struct prog *p, int l)
{
	size_t i;

	for (i = 0; i < p->nr_fix; i++)
		if (p->fix[i].label == l)
			return true;
	return false;
}

static void
ld_map_fd(struct prog *p, uint8_t d, int fd)
{
	emit(p, INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd));
	emit(p, INSN(0, 0, 0, 0, 0));
}

static int
resolve(struct prog *p)
{
	size_t i;

	if (p->nomem)
		return -ENOMEM;
	for (i = 0; i < p->nr_fix; i++) {
		long to = p->label_at[p->fix[i].label];

		if (to < 0)
			return -EINVAL;
		p->insn[p->fix[i].at].off = (int16_t)(to - (long)p->fix[i].at - 1);
	}
	return 0;
}

/* r0 = lookup(map, u32 at fp-4); r0 == 0 jumps to l. */
static void
lookup_u32(struct prog *p, int map, int l)
{
	ld_map_fd(p, BPF_REG_1, map);
	emit(p, MOV64_REG(BPF_REG_2, BPF_REG_10));
	emit(p, ALU64_IMM(BPF_ADD, BPF_REG_2, -4));
	emit(p, CALL(BPF_FUNC_map_lookup_elem));
	jump(p, BPF_JEQ, BPF_REG_0, 0, l);
}

/*
 * Syscalls of %desc or %network whose first argument is not an fd (they
 * return one, or take a count).
 */
static const char *const not_fd_first[] = {
	"pipe", "pipe2", "socket", "socketpair", "eventfd", "eventfd2", "epoll_create",
	"epoll_create1", "memfd_create", "timerfd_create", "inotify_init", "inotify_init1",
	"fanotify_init", "userfaultfd", "perf_event_open", "bpf", "io_uring_setup", "pidfd_open",
	"fsopen", "fspick", "open_tree", "memfd_secret", "select", "poll", "ppoll", "pselect6",
	"creat", "mq_open", "landlock_create_ruleset", "mmap",
};

/* Whether --fd compares syscall nr's first argument. */
static bool
fd_first(long nr)
{
	const char *name = screc_syscall_name(nr);
	size_t i;

	unsigned cl = screc_syscall_classes(nr);

	if (!name || !((cl & SCREC_CLASS_NETWORK) ||
		       ((cl & SCREC_CLASS_DESC) && !(cl & SCREC_CLASS_FILE))))
		return false;
	for (i = 0; i < sizeof(not_fd_first) / sizeof(not_fd_first[0]); i++)
		if (strcmp(name, not_fd_first[i]) == 0)
			return false;
	return true;
}

/* Whether nr has something to take at exit; its exit_table kind, or 0. */
static unsigned
exit_kind_of(const struct capture *c, long nr)
{
	size_t i;

	for (i = 0; i < sizeof(exit_table) / sizeof(exit_table[0]); i++)
		if (screc_syscall_nr(exit_table[i].name) == nr)
			return screc_syscall_set_has(&c->set, nr) ? exit_table[i].kind : 0;
	return 0;
}

/*
 * In the entry program: keep the arguments of a call with outputs for its
 * exit.  Each syscall reads only arguments it has: the kernel refuses a
 * program that reads past the context of a tracepoint it hangs on.
 */
static void
gen_pending(struct prog *p, const struct capture *c)
{
	int done = label_new(p);
	size_t i;
	int k;

	for (i = 0; i < sizeof(exit_table) / sizeof(exit_table[0]); i++) {
		int nr = screc_syscall_nr(exit_table[i].name), next, nargs;

		if (nr < 0 || !exit_kind_of(c, nr))
			continue;
		nargs = screc_syscall_nargs(nr);
		next = label_new(p);
		jump(p, BPF_JNE, BPF_REG_8, nr, next);
		/* struct pending at fp-64, the tid at fp-4 */
		emit(p, STX(BPF_W, BPF_REG_10, BPF_REG_8, -64));
		emit(p, ST(BPF_W, BPF_REG_10, -60, 0));
		for (k = 0; k < 6; k++) {
			if (k < nargs)
				emit(p, LDX(BPF_DW, BPF_REG_1, BPF_REG_6, 16 + 8 * k));
			else
				emit(p, MOV64_IMM(BPF_REG_1, 0));
			emit(p, STX(BPF_DW, BPF_REG_10, BPF_REG_1, -56 + 8 * k));
		}
		emit(p, STX(BPF_W, BPF_REG_10, BPF_REG_7, -4));
		ld_map_fd(p, BPF_REG_1, c->pending_fd);
		emit(p, MOV64_REG(BPF_REG_2, BPF_REG_10));
		emit(p, ALU64_IMM(BPF_ADD, BPF_REG_2, -4));
		emit(p, MOV64_REG(BPF_REG_3, BPF_REG_10));
		emit(p, ALU64_IMM(BPF_ADD, BPF_REG_3, -64));
		emit(p, MOV64_IMM(BPF_REG_4, BPF_ANY));
		emit(p, CALL(BPF_FUNC_map_update_elem));
		jump(p, BPF_JA, 0, 0, done);
		label_here(p, next);
	}
	label_here(p, done);
}

/*
 * The programs' common end: at out (where a jump goes there), the record at
 * r9, of r5 bytes, goes out through the perf event array; at keep, the
 * sample is kept (return 1).
 */
static void
gen_output_keep(struct prog *p, const struct capture *c, int out, int keep)
{
	if (label_used(p, out)) {
		label_here(p, out);
		emit(p, MOV64_REG(BPF_REG_1, BPF_REG_6));
		ld_map_fd(p, BPF_REG_2, c->out_fd);
		emit(p, MOV32_IMM(BPF_REG_3, -1));	/* BPF_F_CURRENT_CPU */
		emit(p, MOV64_REG(BPF_REG_4, BPF_REG_9));
		emit(p, CALL(BPF_FUNC_perf_event_output));
	}
	label_here(p, keep);
	emit(p, MOV64_IMM(BPF_REG_0, 1));
	emit(p, EXIT());
}

/*
 * probe_read_user of r2 bytes at the user address in r3 into region r's bytes
 * (r1 pointed there first when point is set, else already there); a failed
 * read leaves the region empty.
 */
static void
gen_read_region(struct prog *p, int16_t r, bool point)
{
	int ok = label_new(p);

	if (point) {
		emit(p, MOV64_REG(BPF_REG_1, BPF_REG_9));
		emit(p, ALU64_IMM(BPF_ADD, BPF_REG_1, r + CAP_REGION_HDR));
	}
	emit(p, CALL(BPF_FUNC_probe_read_user));
	jump(p, BPF_JEQ, BPF_REG_0, 0, ok);
	emit(p, ST(BPF_W, BPF_REG_9, r + 8, 0));
	label_here(p, ok);
}

/*
 * An iovec array at region r: r1 points at its bytes, r3 holds its address
 * (already in the region's header) and r2 the number of entries.  Its first
 * nb entries, then in the nb regions after it the start (-s bytes) of each
 * entry's buffer, a region of 0 bytes for entries the call does not have.
 */
static void
gen_iovec(struct prog *p, const struct session *s, int16_t r, unsigned arg, unsigned nb)
{
	int in = label_new(p);
	unsigned j;

	jump(p, BPF_JLE, BPF_REG_2, (int32_t)nb, in);
	emit(p, MOV64_IMM(BPF_REG_2, nb));
	label_here(p, in);
	emit(p, ALU64_IMM(BPF_LSH, BPF_REG_2, 4));
	emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_2, r + 8));
	gen_read_region(p, r, false);
	for (j = 0; j < nb; j++) {
		int16_t b = (int16_t)(r + (j + 1) * (CAP_REGION_HDR + CAP_SLOT));
		int16_t e = (int16_t)(r + CAP_REGION_HDR + 16 * j);	/* entry j in region r */
		int none = label_new(p), lim = label_new(p);

		emit(p, ST(BPF_DW, BPF_REG_9, b, 0));
		emit(p, ST(BPF_W, BPF_REG_9, b + 8, 0));
		emit(p, ST(BPF_W, BPF_REG_9, b + 12, arg));
		/* only entries the array read holds */
		emit(p, LDX(BPF_W, BPF_REG_1, BPF_REG_9, r + 8));
		jump(p, BPF_JLE, BPF_REG_1, 16 * (int32_t)j, none);
		emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_9, e));
		emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, b));
		emit(p, LDX(BPF_DW, BPF_REG_2, BPF_REG_9, e + 8));
		jump(p, BPF_JLE, BPF_REG_2, (int32_t)s->capture_size, lim);
		emit(p, MOV64_IMM(BPF_REG_2, s->capture_size));
		label_here(p, lim);
		emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_2, b + 8));
		gen_read_region(p, b, true);
		label_here(p, none);
	}
}

/*
 * A struct msghdr whose address is in r3, argument arg of the call, into
 * every region: the header in region 0, msg_name by msg_namelen (up to 128)
 * in region 1, msg_iov's entries in region 2 and the start of their buffers
 * in the regions after it.  An unreadable header reads as an empty one, so
 * the regions after it are empty too.
 */
static void
gen_msghdr(struct prog *p, const struct session *s, unsigned arg)
{
	int16_t h = CAP_REGION(0), nm = CAP_REGION(1), iv = CAP_REGION(2);
	int16_t d = h + CAP_REGION_HDR;
	int ok = label_new(p), in = label_new(p);
	unsigned k;

	emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, h));
	emit(p, ST(BPF_W, BPF_REG_9, h + 8, MSGHDR_SIZE));
	emit(p, ST(BPF_W, BPF_REG_9, h + 12, arg));
	emit(p, MOV64_REG(BPF_REG_1, BPF_REG_9));
	emit(p, ALU64_IMM(BPF_ADD, BPF_REG_1, d));
	emit(p, MOV64_IMM(BPF_REG_2, MSGHDR_SIZE));
	emit(p, CALL(BPF_FUNC_probe_read_user));
	jump(p, BPF_JEQ, BPF_REG_0, 0, ok);
	emit(p, ST(BPF_W, BPF_REG_9, h + 8, 0));
	for (k = 0; k < MSGHDR_SIZE / 8; k++)
		emit(p, ST(BPF_DW, BPF_REG_9, d + 8 * (int16_t)k, 0));
	label_here(p, ok);

	emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_9, d));		/* msg_name */
	emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, nm));
	emit(p, ST(BPF_W, BPF_REG_9, nm + 12, arg));
	emit(p, LDX(BPF_W, BPF_REG_2, BPF_REG_9, d + 8));	/* msg_namelen */
	jump(p, BPF_JLE, BPF_REG_2, 128, in);
	emit(p, MOV64_IMM(BPF_REG_2, 128));
	label_here(p, in);
	emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_2, nm + 8));
	gen_read_region(p, nm, true);

	emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_9, d + 16));	/* msg_iov */
	emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, iv));
	emit(p, ST(BPF_W, BPF_REG_9, iv + 12, arg));
	emit(p, MOV64_REG(BPF_REG_1, BPF_REG_9));
	emit(p, ALU64_IMM(BPF_ADD, BPF_REG_1, iv + CAP_REGION_HDR));
	emit(p, LDX(BPF_DW, BPF_REG_2, BPF_REG_9, d + 24));	/* msg_iovlen */
	gen_iovec(p, s, iv, arg, CAP_REGIONS - 3);
}

/*
 * In the exit program: an address the kernel wrote, with its in-out length.
 * Region la gets the int the pending argument lenp points to; region a,
 * the address at argument addr, as many bytes as that int says (up to
 * 128); then the record counts nreg regions.  A NULL length pointer, or
 * memory that cannot be read, jumps to fail.
 */
static void
gen_addr_lenp(struct prog *p, int16_t a, int16_t la, unsigned lenp, unsigned addr, unsigned nreg,
	      int fail)
{
	int in = label_new(p);

	emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_8, PENDING_ARG(lenp)));
	jump(p, BPF_JEQ, BPF_REG_3, 0, fail);
	emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, la));
	emit(p, ST(BPF_W, BPF_REG_9, la + 8, 4));
	emit(p, ST(BPF_W, BPF_REG_9, la + 12, lenp));
	emit(p, MOV64_REG(BPF_REG_1, BPF_REG_9));
	emit(p, ALU64_IMM(BPF_ADD, BPF_REG_1, la + CAP_REGION_HDR));
	emit(p, MOV64_IMM(BPF_REG_2, 4));
	emit(p, CALL(BPF_FUNC_probe_read_user));
	jump(p, BPF_JNE, BPF_REG_0, 0, fail);
	emit(p, LDX(BPF_W, BPF_REG_2, BPF_REG_9, la + CAP_REGION_HDR));
	jump(p, BPF_JLE, BPF_REG_2, 128, in);
	emit(p, MOV64_IMM(BPF_REG_2, 128));
	label_here(p, in);
	emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_8, PENDING_ARG(addr)));
	emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, a));
	emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_2, a + 8));
	emit(p, ST(BPF_W, BPF_REG_9, a + 12, addr));
	emit(p, MOV64_REG(BPF_REG_1, BPF_REG_9));
	emit(p, ALU64_IMM(BPF_ADD, BPF_REG_1, a + CAP_REGION_HDR));
	emit(p, CALL(BPF_FUNC_probe_read_user));
	jump(p, BPF_JNE, BPF_REG_0, 0, fail);
	emit(p, ST(BPF_B, BPF_REG_9, 17, nreg));
}

/*
 * The exit program: for a recorded thread whose call kept its arguments at
 * entry, copy what the call wrote (when it succeeded) into a capture marked
 * as taken at exit.  Context: the syscall number at 8, the return value at
 * 16.  Registers: r6 the context, r7 pid_tgid, r8 the pending arguments,
 * r9 the scratch record.  Always returns 1: it decides nothing.
 */
static int
gen_exit(struct prog *p, const struct session *s, const struct capture *c)
{
	int keep = label_new(p), out = label_new(p);
	size_t i;
	int16_t r0 = CAP_REGION(0), r1 = CAP_REGION(1), r2 = CAP_REGION(2);

	emit(p, MOV64_REG(BPF_REG_6, BPF_REG_1));
	emit(p, CALL(BPF_FUNC_get_current_pid_tgid));
	emit(p, MOV64_REG(BPF_REG_7, BPF_REG_0));
	emit(p, ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
	emit(p, STX(BPF_W, BPF_REG_10, BPF_REG_0, -4));
	lookup_u32(p, c->pids_fd, keep);
	emit(p, STX(BPF_W, BPF_REG_10, BPF_REG_7, -4));
	lookup_u32(p, c->pending_fd, keep);
	emit(p, MOV64_REG(BPF_REG_8, BPF_REG_0));
	emit(p, LDX(BPF_W, BPF_REG_1, BPF_REG_8, 0));
	emit(p, LDX(BPF_W, BPF_REG_2, BPF_REG_6, 8));
	emit(p, INSN(BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0));
	p->fix[p->nr_fix].at = p->n - 1;	/* a register compare: fixed up like jump() */
	p->fix[p->nr_fix++].label = keep;
	/* Once: a later exit of the same syscall must not take this call's arguments. */
	emit(p, ST(BPF_W, BPF_REG_8, 0, -1));
	emit(p, ST(BPF_W, BPF_REG_10, -8, 0));
	ld_map_fd(p, BPF_REG_1, c->scratch_fd);
	emit(p, MOV64_REG(BPF_REG_2, BPF_REG_10));
	emit(p, ALU64_IMM(BPF_ADD, BPF_REG_2, -8));
	emit(p, CALL(BPF_FUNC_map_lookup_elem));
	jump(p, BPF_JEQ, BPF_REG_0, 0, keep);
	emit(p, MOV64_REG(BPF_REG_9, BPF_REG_0));
	emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_7, 0));
	emit(p, LDX(BPF_W, BPF_REG_1, BPF_REG_6, 8));
	emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_1, 4));
	emit(p, CALL(BPF_FUNC_ktime_get_ns));
	emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_0, 8));
	emit(p, ST(BPF_DW, BPF_REG_9, 16, SCREC_CAPTURE_EXIT));
	emit(p, LDX(BPF_W, BPF_REG_7, BPF_REG_6, 8));	/* r7: the syscall number from here */

	for (i = 0; i < sizeof(exit_table) / sizeof(exit_table[0]); i++) {
		int nr = screc_syscall_nr(exit_table[i].name), next;
		unsigned arg = exit_table[i].arg, nreg = 1;

		if (nr < 0 || !exit_kind_of(c, nr))
			continue;
		next = label_new(p);
		jump(p, BPF_JNE, BPF_REG_7, nr, next);
		emit(p, LDX(BPF_DW, BPF_REG_2, BPF_REG_6, 16));	/* the return value */
		switch (exit_table[i].kind) {
		case EXIT_RBUF:
		case EXIT_RECVFROM: {
			int in = label_new(p);

			/* 0 bytes too: an empty read prints "" */
			jump(p, BPF_JSLT, BPF_REG_2, 0, keep);
			jump(p, BPF_JLE, BPF_REG_2, (int32_t)s->capture_size, in);
			emit(p, MOV64_IMM(BPF_REG_2, s->capture_size));
			label_here(p, in);
			emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_8, 8 + 8 * 1));
			emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, r0));
			emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_2, r0 + 8));
			emit(p, ST(BPF_W, BPF_REG_9, r0 + 12, 1));
			emit(p, MOV64_REG(BPF_REG_1, BPF_REG_9));
			emit(p, ALU64_IMM(BPF_ADD, BPF_REG_1, r0 + CAP_REGION_HDR));
			emit(p, CALL(BPF_FUNC_probe_read_user));
			jump(p, BPF_JNE, BPF_REG_0, 0, keep);
			emit(p, ST(BPF_B, BPF_REG_9, 17, 1));
			if (exit_table[i].kind == EXIT_RECVFROM) {
				/* the buffer alone when there is no address (NULL, NULL) */
				int part = label_new(p);

				gen_addr_lenp(p, r2, r1, 5, 4, 3, part);
				emit(p, MOV64_IMM(BPF_REG_5, CAP_OUT(3)));
				jump(p, BPF_JA, 0, 0, out);
				label_here(p, part);
			}
			break;
		}
		case EXIT_STRUCT:
			jump(p, BPF_JNE, BPF_REG_2, 0, keep);
			emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_8, PENDING_ARG(arg)));
			emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, r0));
			emit(p, ST(BPF_W, BPF_REG_9, r0 + 8, exit_table[i].size));
			emit(p, ST(BPF_W, BPF_REG_9, r0 + 12, arg));
			emit(p, MOV64_REG(BPF_REG_1, BPF_REG_9));
			emit(p, ALU64_IMM(BPF_ADD, BPF_REG_1, r0 + CAP_REGION_HDR));
			emit(p, MOV64_IMM(BPF_REG_2, exit_table[i].size));
			emit(p, CALL(BPF_FUNC_probe_read_user));
			jump(p, BPF_JNE, BPF_REG_0, 0, keep);
			emit(p, ST(BPF_B, BPF_REG_9, 17, 1));
			break;
		case EXIT_IOVEC:
			jump(p, BPF_JSLT, BPF_REG_2, 0, keep);
			emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_8, PENDING_ARG(arg)));
			emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, r0));
			emit(p, ST(BPF_W, BPF_REG_9, r0 + 12, arg));
			emit(p, MOV64_REG(BPF_REG_1, BPF_REG_9));
			emit(p, ALU64_IMM(BPF_ADD, BPF_REG_1, r0 + CAP_REGION_HDR));
			emit(p, LDX(BPF_DW, BPF_REG_2, BPF_REG_8, PENDING_ARG(arg + 1)));
			gen_iovec(p, s, r0, arg, CAP_REGIONS - 1);
			emit(p, ST(BPF_B, BPF_REG_9, 17, CAP_REGIONS));
			nreg = CAP_REGIONS;
			break;
		case EXIT_MSGHDR:
			jump(p, BPF_JSLT, BPF_REG_2, 0, keep);
			emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_8, PENDING_ARG(arg)));
			gen_msghdr(p, s, arg);
			emit(p, ST(BPF_B, BPF_REG_9, 17, CAP_REGIONS));
			nreg = CAP_REGIONS;
			break;
		case EXIT_FDPAIR:
			jump(p, BPF_JNE, BPF_REG_2, 0, keep);
			emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_8, 8 + 8 * 0));
			emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, r0));
			emit(p, ST(BPF_W, BPF_REG_9, r0 + 8, 8));
			emit(p, ST(BPF_W, BPF_REG_9, r0 + 12, 0));
			emit(p, MOV64_REG(BPF_REG_1, BPF_REG_9));
			emit(p, ALU64_IMM(BPF_ADD, BPF_REG_1, r0 + CAP_REGION_HDR));
			emit(p, MOV64_IMM(BPF_REG_2, 8));
			emit(p, CALL(BPF_FUNC_probe_read_user));
			jump(p, BPF_JNE, BPF_REG_0, 0, keep);
			emit(p, ST(BPF_B, BPF_REG_9, 17, 1));
			break;
		case EXIT_SOCKADDR_LENP:
			jump(p, BPF_JSLT, BPF_REG_2, 0, keep);
			gen_addr_lenp(p, r0, r1, 2, 1, 2, keep);
			nreg = 2;
			break;
		}
		emit(p, MOV64_IMM(BPF_REG_5, CAP_OUT(nreg)));	/* kept until the output */
		jump(p, BPF_JA, 0, 0, out);
		label_here(p, next);
	}
	jump(p, BPF_JA, 0, 0, keep);
	gen_output_keep(p, c, out, keep);
	return resolve(p);
}

/* Whether a syscall of the program's set takes an fd first (--fd compares it). */
static bool
any_fd_first(const struct capture *c)
{
	long nr;

	for (nr = screc_syscall_set_next(&c->set, 0); nr >= 0;
	     nr = screc_syscall_set_next(&c->set, nr + 1))
		if (fd_first(nr))
			return true;
	return false;
}

/* --fd: the calls whose first argument is that fd go on; every other call is dropped. */
static void
gen_fd_filter(struct prog *p, const struct session *s, const struct capture *c, int drop)
{
	int check = label_new(p), pass = label_new(p);
	long nr;

	for (nr = screc_syscall_set_next(&c->set, 0); nr >= 0;
	     nr = screc_syscall_set_next(&c->set, nr + 1))
		if (fd_first(nr))
			jump(p, BPF_JEQ, BPF_REG_8, (int32_t)nr, check);
	jump(p, BPF_JA, 0, 0, drop);
	label_here(p, check);
	emit(p, LDX(BPF_W, BPF_REG_1, BPF_REG_6, 16));	/* an int: the low half */
	jump(p, BPF_JNE, BPF_REG_1, s->filter.fd, drop);
	label_here(p, pass);
}

/*
 * The entry program.  Registers: r6 the context (nr at 8, arguments from 16,
 * the same for raw_syscalls and the syscalls' own tracepoints), r7 pid_tgid,
 * r8 the syscall number, r9 the scratch record.
 */
static int
gen_enter(struct prog *p, const struct session *s, const struct capture *c)
{
	const struct record_filter *f = &s->filter;
	int keep = label_new(p), drop = label_new(p), out = label_new(p);
	size_t i, plen = f->path ? strlen(f->path) : 0;
	bool prefix = plen && f->path[plen - 1] == '*';
	unsigned k, j;

	if (prefix)
		plen--;
	emit(p, MOV64_REG(BPF_REG_6, BPF_REG_1));
	emit(p, CALL(BPF_FUNC_get_current_pid_tgid));
	emit(p, MOV64_REG(BPF_REG_7, BPF_REG_0));
	emit(p, ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
	emit(p, STX(BPF_W, BPF_REG_10, BPF_REG_0, -4));
	lookup_u32(p, c->pids_fd, keep);
	emit(p, LDX(BPF_W, BPF_REG_8, BPF_REG_6, 8));
	emit(p, ST(BPF_W, BPF_REG_10, -4, 0));
	lookup_u32(p, c->scratch_fd, keep);
	emit(p, MOV64_REG(BPF_REG_9, BPF_REG_0));
	emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_7, 0));
	emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_8, 4));
	emit(p, CALL(BPF_FUNC_ktime_get_ns));
	emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_0, 8));
	emit(p, ST(BPF_DW, BPF_REG_9, 16, SCREC_CAPTURE_ENTRY));
	if (s->capture)
		gen_pending(p, c);
	if (f->fd >= 0 && !any_fd_first(c)) {
		/* A tracepoint of calls without an fd (-e openat,read): all dropped. */
		jump(p, BPF_JA, 0, 0, drop);
		goto tail;
	}
	if (f->fd >= 0)
		gen_fd_filter(p, s, c, drop);

	for (i = 0; i < sizeof(cap_table) / sizeof(cap_table[0]); i++) {
		int nr = screc_syscall_nr(cap_table[i].name), next;
		unsigned nreg = 0;

		if (nr < 0 || !screc_syscall_set_has(&c->set, nr))
			continue;
		next = label_new(p);
		jump(p, BPF_JNE, BPF_REG_8, nr, next);
		for (k = 0; k < CAP_REGIONS && cap_table[i].a[k].kind; k++, nreg++) {
			const struct cap_arg *a = &cap_table[i].a[k];
			int16_t r = (int16_t)(CAP_HDR + k * (CAP_REGION_HDR + CAP_SLOT));

			emit(p, LDX(BPF_DW, BPF_REG_3, BPF_REG_6, 16 + 8 * a->arg));
			emit(p, STX(BPF_DW, BPF_REG_9, BPF_REG_3, r));
			emit(p, ST(BPF_W, BPF_REG_9, r + 12, a->arg));
			emit(p, MOV64_REG(BPF_REG_1, BPF_REG_9));
			emit(p, ALU64_IMM(BPF_ADD, BPF_REG_1, r + CAP_REGION_HDR));
			if (a->kind == CAP_PATH) {
				int ok = label_new(p);

				emit(p, MOV64_IMM(BPF_REG_2, CAP_SLOT));
				emit(p, CALL(BPF_FUNC_probe_read_user_str));
				jump(p, BPF_JSGT, BPF_REG_0, 0, ok);
				emit(p, MOV64_IMM(BPF_REG_0, 0));
				label_here(p, ok);
				emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_0, r + 8));
			} else if (a->kind == CAP_IOVEC) {
				emit(p, LDX(BPF_DW, BPF_REG_2, BPF_REG_6, 16 + 8 * a->len_arg));
				gen_iovec(p, s, r, a->arg, CAP_REGIONS - 1 - k);
				nreg = CAP_REGIONS;
				break;
			} else if (a->kind == CAP_MSGHDR) {
				gen_msghdr(p, s, a->arg);
				nreg = CAP_REGIONS;
				break;
			} else if (a->kind == CAP_STRUCT || a->kind == CAP_INT) {
				int32_t n = a->kind == CAP_INT ? 4 : 8 * a->len_arg;

				emit(p, ST(BPF_W, BPF_REG_9, r + 8, n));
				emit(p, MOV64_IMM(BPF_REG_2, n));
				gen_read_region(p, r, false);
			} else {
				uint32_t lim = a->kind == CAP_SOCKADDR ? 128 : s->capture_size;
				int in = label_new(p);

				emit(p, LDX(BPF_DW, BPF_REG_2, BPF_REG_6, 16 + 8 * a->len_arg));
				jump(p, BPF_JLE, BPF_REG_2, (int32_t)lim, in);
				emit(p, MOV64_IMM(BPF_REG_2, lim));
				label_here(p, in);
				emit(p, STX(BPF_W, BPF_REG_9, BPF_REG_2, r + 8));
				gen_read_region(p, r, false);
			}
		}
		emit(p, ST(BPF_B, BPF_REG_9, 17, nreg));
		emit(p, MOV64_IMM(BPF_REG_5, CAP_OUT(nreg)));	/* kept until the output */
		/* -P: the first path must be PATH, or start with it (PATH*). */
		if (plen && cap_table[i].a[0].kind == CAP_PATH) {
			int16_t d = CAP_HDR + CAP_REGION_HDR;

			for (j = 0; j < plen; j++) {
				emit(p, LDX(BPF_B, BPF_REG_1, BPF_REG_9, d + (int16_t)j));
				jump(p, BPF_JNE, BPF_REG_1, (unsigned char)f->path[j], drop);
			}
			if (!prefix) {
				emit(p, LDX(BPF_B, BPF_REG_1, BPF_REG_9, d + (int16_t)plen));
				jump(p, BPF_JNE, BPF_REG_1, 0, drop);
			}
		}
		if (plen && cap_table[i].a[0].kind != CAP_PATH)
			jump(p, BPF_JA, 0, 0, drop);
		else
			jump(p, BPF_JA, 0, 0, s->capture ? out : keep);
		label_here(p, next);
	}
	/* A syscall without a path: -P drops it, else nothing to capture. */
	jump(p, BPF_JA, 0, 0, plen ? drop : keep);

tail:
	/* The verifier refuses unreachable code: each block only where it is used. */
	gen_output_keep(p, c, out, keep);
	if (label_used(p, drop)) {
		label_here(p, drop);
		emit(p, MOV64_IMM(BPF_REG_0, 0));
		emit(p, EXIT());
	}
	return resolve(p);
}

/* On sched_process_fork: a recorded process's child is recorded too.  Never samples. */
static int
gen_fork(struct prog *p, const struct capture *c, int child_off)
{
	int done = label_new(p);

	emit(p, MOV64_REG(BPF_REG_6, BPF_REG_1));
	emit(p, CALL(BPF_FUNC_get_current_pid_tgid));
	emit(p, ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
	emit(p, STX(BPF_W, BPF_REG_10, BPF_REG_0, -4));
	lookup_u32(p, c->pids_fd, done);
	emit(p, LDX(BPF_W, BPF_REG_1, BPF_REG_6, child_off));
	emit(p, STX(BPF_W, BPF_REG_10, BPF_REG_1, -8));
	emit(p, ST(BPF_B, BPF_REG_10, -12, 1));
	ld_map_fd(p, BPF_REG_1, c->pids_fd);
	emit(p, MOV64_REG(BPF_REG_2, BPF_REG_10));
	emit(p, ALU64_IMM(BPF_ADD, BPF_REG_2, -8));
	emit(p, MOV64_REG(BPF_REG_3, BPF_REG_10));
	emit(p, ALU64_IMM(BPF_ADD, BPF_REG_3, -12));
	emit(p, MOV64_IMM(BPF_REG_4, BPF_ANY));
	emit(p, CALL(BPF_FUNC_map_update_elem));
	label_here(p, done);
	emit(p, MOV64_IMM(BPF_REG_0, 0));
	emit(p, EXIT());
	return resolve(p);
}

static int
prog_load(struct prog *p, const char *what)
{
	static char log[65536];
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	a.insns = (uint64_t)(uintptr_t)p->insn;
	a.insn_cnt = (uint32_t)p->n;
	a.license = (uint64_t)(uintptr_t)"Dual MIT/GPL";
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0 && (errno == EACCES || errno == EINVAL) && screc_verbose) {
		/* The verifier's reasons, for whoever changes the emitter. */
		int err = errno;

		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		log[0] = '\0';
		if (sys_bpf(BPF_PROG_LOAD, &a) < 0)
			screc_debug("bpf: the %s program was refused:\n%s", what, log);
		errno = err;
	}
	return fd;
}

/* The offset of a tracepoint's field "NAME;" from its format text, or -1. */
static int
field_offset(const char *format, const char *decl)
{
	const char *f = strstr(format, decl), *o;

	if (!f || !(o = strstr(f, "offset:")))
		return -1;
	return atoi(o + 7);
}

static void
refused(const char *what, int err)
{
	screc_err("capture: %s: %s: recording without it (paths on the heap print as pointers); "
		  "it needs root or CAP_BPF and CAP_PERFMON, and a kernel that allows BPF "
		  "(no lockdown)", what, strerror(err));
}

void
capture_free(struct capture *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nr_out; i++)
		if (c->out_events[i] >= 0)
			close(c->out_events[i]);
	if (c->fork_event >= 0)
		close(c->fork_event);
	for (i = 0; i < c->nr_hooks; i++)
		close(c->hooks[i]);
	free(c->hooks);
	if (c->fork_prog >= 0)
		close(c->fork_prog);
	if (c->pending_fd >= 0)
		close(c->pending_fd);
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->scratch_fd >= 0)
		close(c->scratch_fd);
	if (c->pids_fd >= 0)
		close(c->pids_fd);
	free(c->out_events);
	free(c->ids);
	free(c);
}

/* The BPF output event of one ring, redirected into it. */
static int
open_output(struct session *s, struct capture *c, size_t ring)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_BPF_OUTPUT;
	a.sample_period = 1;
	a.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_RAW;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.watermark = 1;
	a.wakeup_watermark = RECORD_WAKEUP_BYTES;
	fd = (int)syscall(SYS_perf_event_open, &a, -1, s->rings[ring].cpu, -1,
			  PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	c->out_events[ring] = fd;
	if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, s->rings[ring].fd) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ID, &c->ids[ring]) < 0)
		return -errno;
	if (map_update(c->out_fd, &(uint32_t){ (uint32_t)s->rings[ring].cpu }, &fd) < 0)
		return -errno;
	return 0;
}

/*
 * A program hangs on a tracepoint through one perf event, and leaves it when
 * that event is freed, even an inherited copy in a child that exits: so not
 * the recorded tasks' events, but an event of its own, on one CPU for every
 * task and never enabled (it samples nothing; the program runs all the same).
 * Returns the event's fd or -errno.
 */
static int
hook(uint32_t tp_id, int prog)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = tp_id;
	a.sample_period = 1;
	a.disabled = 1;
	fd = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Hang the fork program on sched:sched_process_fork. */
static int
attach_fork(struct session *s, struct capture *c)
{
	char path[512], buf[8192];
	struct prog p = { 0 };
	int fd, off, err;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/events/sched/sched_process_fork/format", s->tracefs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	off = field_offset(buf, " child_pid;");
	snprintf(path, sizeof(path), "%s/events/sched/sched_process_fork/id", s->tracefs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, path, sizeof(path) - 1);
	close(fd);
	path[n > 0 ? n : 0] = '\0';
	if (off < 8)
		return -ENOENT;
	err = gen_fork(&p, c, off);
	if (!err) {
		c->fork_prog = prog_load(&p, "fork");
		err = c->fork_prog < 0 ? -errno : 0;
	}
	free(p.insn);
	if (err)
		return err;
	c->fork_event = hook((uint32_t)strtoul(path, NULL, 10), c->fork_prog);
	return c->fork_event < 0 ? c->fork_event : 0;
}

int
capture_open(struct session *s, const pid_t *tids, size_t nr_tids)
{
	struct capture *c;
	struct prog p = { 0 };
	const char *what = "making the maps";
	size_t i, e, insns = 0;
	int err = 0;

	if (!s->capture && !s->filter.path && s->filter.fd < 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pids_fd = c->scratch_fd = c->out_fd = c->fork_prog = c->pending_fd = -1;
	c->fork_event = -1;
	c->out_events = malloc(s->nr_rings * sizeof(*c->out_events));
	c->ids = calloc(s->nr_rings, sizeof(*c->ids));
	if (!c->out_events || !c->ids) {
		capture_free(c);
		return -ENOMEM;
	}
	for (i = 0; i < s->nr_rings; i++)
		c->out_events[i] = -1;
	c->nr_out = s->nr_rings;
	s->cap = c;
	c->set = s->recorded;
	if (s->filter.fd >= 0 && !any_fd_first(c))
		screc_err("--fd %d: none of the recorded syscalls takes a file descriptor first: "
			  "nothing will be recorded; add one to -e (read, write, close, ...)",
			  s->filter.fd);

	c->pids_fd = map_create(BPF_MAP_TYPE_HASH, 4, 1, PIDS_MAX);
	c->scratch_fd = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, CAP_SIZE, 1);
	c->out_fd = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, (uint32_t)s->nr_cpus);
	c->pending_fd = map_create(BPF_MAP_TYPE_LRU_HASH, 4, sizeof(struct pending), PIDS_MAX);
	if (c->pids_fd < 0 || c->scratch_fd < 0 || c->out_fd < 0 || c->pending_fd < 0) {
		err = -errno;
		goto refuse;
	}
	for (i = 0; i < nr_tids; i++) {
		uint8_t one = 1;

		if (map_update(c->pids_fd, &(uint32_t){ (uint32_t)tids[i] }, &one) < 0) {
			err = -errno;
			goto refuse;
		}
	}
	what = "opening its output events";
	for (i = 0; i < s->nr_rings && s->capture; i++) {
		err = open_output(s, c, i);
		if (err)
			goto refuse;
	}
	what = "following children";
	if (s->inherit) {
		err = attach_fork(s, c);
		if (err)
			goto refuse;
	}
	c->hooks = calloc(s->nr_tps, sizeof(*c->hooks));
	if (!c->hooks) {
		err = -ENOMEM;
		goto refuse;
	}
	for (e = 0; e < s->nr_tps; e++) {
		const struct tracepoint *tp = &s->tps[e];
		bool enter = tp->kind == SCREC_ATTR_ENTER;
		int prog;

		/* With --failed the exit takes a failed call's stack: no output to take. */
		if (!enter && !(tp->kind == SCREC_ATTR_EXIT && s->capture && !tp->stack))
			continue;
		/* A syscall's own tracepoint: a program for it alone (see gen_pending). */
		screc_syscall_set_clear(&c->set);
		if (strncmp(tp->name, "syscalls:sys_", 13) == 0) {
			const char *ev = tp->name + (enter ? strlen("syscalls:sys_enter_") :
							     strlen("syscalls:sys_exit_"));

			screc_syscall_set_add(&c->set,
					      screc_syscall_nr(screc_syscall_from_tracepoint(ev)));
		} else {
			c->set = s->recorded;
		}
		what = enter ? "loading the entry program" : "loading the exit program";
		free(p.insn);
		p = (struct prog){ 0 };
		err = enter ? gen_enter(&p, s, c) : gen_exit(&p, s, c);
		if (err)
			goto refuse;
		prog = prog_load(&p, enter ? "entry" : "exit");
		if (prog < 0) {
			err = -errno;
			goto refuse;
		}
		what = "attaching the program";
		err = hook(tp->id, prog);
		close(prog);	/* the event holds it */
		if (err < 0)
			goto refuse;
		c->hooks[c->nr_hooks++] = err;
		err = 0;
		insns += p.n;
	}
	free(p.insn);
	screc_debug("capture: %zu programs, %zu instructions, on %zu rings", c->nr_hooks, insns,
		    c->nr_out);
	return 0;

refuse:
	free(p.insn);
	s->cap = NULL;
	capture_free(c);
	if (s->filter.path || s->filter.fd >= 0) {
		screc_err("%s: the filter needs BPF: %s: %s; it needs root or CAP_BPF and "
			  "CAP_PERFMON, and a kernel that allows BPF (no lockdown)",
			  s->filter.path ? "-P" : "--fd", what, strerror(-err));
		return err;
	}
	refused(what, -err);
	s->capture = false;
	return 0;
}

/* The output event's id of a sample, if it is one of ours. */
static bool
ours(const struct capture *c, const void *rec, size_t len)
{
	uint64_t id;
	size_t i;

	if (len < 8 + 8)
		return false;
	memcpy(&id, (const uint8_t *)rec + 8, 8);
	for (i = 0; i < c->nr_out; i++)
		if (c->ids[i] == id)
			return true;
	return false;
}

int
capture_write(struct session *s, const void *rec, size_t len, bool *done)
{
	struct capture *c = s->cap;
	const uint8_t *raw;
	uint32_t raw_size, k, nreg;
	struct screc_rec_capture rc = { 0 };
	struct screc_capture_region rg[CAP_REGIONS];
	struct iovec iov[1 + 3 * CAP_REGIONS];
	static const uint8_t zero[8];
	int n = 0, err;

	*done = false;
	if (!c || ((const struct perf_event_header *)rec)->type != PERF_RECORD_SAMPLE ||
	    !ours(c, rec, len))
		return 0;
	*done = true;
	if (len < 20)
		goto bad;
	memcpy(&raw_size, (const uint8_t *)rec + 16, 4);
	raw = (const uint8_t *)rec + 20;
	if (raw_size > len - 20 || raw_size < CAP_HDR)
		goto bad;
	memcpy(&rc.tid, raw, 4);
	memcpy(&rc.nr, raw + 4, 4);
	memcpy(&rc.time, raw + 8, 8);
	rc.when = raw[16];
	nreg = raw[17];
	if (nreg > CAP_REGIONS || raw_size < CAP_OUT(nreg))
		goto bad;
	rc.nr_regions = (uint8_t)nreg;
	iov[n++] = (struct iovec){ (uint8_t *)&rc + sizeof(rc.hdr), sizeof(rc) - sizeof(rc.hdr) };
	for (k = 0; k < nreg; k++) {
		const uint8_t *r = raw + CAP_HDR + k * (CAP_REGION_HDR + CAP_SLOT);

		memcpy(&rg[k].addr, r, 8);
		memcpy(&rg[k].len, r + 8, 4);
		memcpy(&rg[k].arg, r + 12, 4);
		if (rg[k].len > CAP_SLOT || rg[k].arg >= 6)
			goto bad;
		iov[n++] = (struct iovec){ &rg[k], sizeof(rg[k]) };
		iov[n++] = (struct iovec){ (void *)(r + CAP_REGION_HDR), rg[k].len };
		iov[n++] = (struct iovec){ (void *)zero, (8 - rg[k].len % 8) % 8 };
	}
	c->captured++;
	err = screc_writer_addv(s->w, SCREC_REC_CAPTURE, iov, n);
	if (err && !s->write_error)
		s->write_error = err;
	return err;
bad:
	c->dropped++;
	return 0;
}

void
capture_stats(const struct session *s)
{
	union bpf_attr a;
	uint32_t key = 0, next;
	unsigned procs = 0;

	if (!s->cap)
		return;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)s->cap->pids_fd;
	a.next_key = (uint64_t)(uintptr_t)&next;
	for (a.key = 0; sys_bpf(BPF_MAP_GET_NEXT_KEY, &a) == 0 && procs < PIDS_MAX; procs++) {
		key = next;
		a.key = (uint64_t)(uintptr_t)&key;
	}
	screc_debug("capture: %llu records, %llu malformed dropped, %u processes followed",
		    (unsigned long long)s->cap->captured, (unsigned long long)s->cap->dropped,
		    procs);
}
