/* SPDX-License-Identifier: MIT */
/*
 * What the decoder's files share: the argument and return types of syscalls.in, the
 * signature table, the printing context and the helpers every printer reads memory and
 * quotes strings through.
 */
#ifndef SCREC_DECODE_PRIV_H
#define SCREC_DECODE_PRIV_H

#include "decode.h"
#include "xlat-tables.h"
#include "xlat.h"

enum ret_type {
	RET_INT,	/* decimal */
	RET_FD,		/* decimal, with -y its path */
	RET_HEX,	/* an address */
	RET_OCT,	/* umask */
	RET_NONE,	/* never returns */
	RET_FCNTL,	/* F_GETFL, F_GETFD, ... print their flags */
	RET_PRCTL,	/* PR_GET_DUMPABLE names its value */
};

enum arg_type {
	ARG_INT,		/* C int, decimal */
	ARG_UINT,		/* unsigned int, decimal */
	ARG_LONG,		/* signed 64-bit, decimal */
	ARG_ULONG,		/* unsigned 64-bit, decimal */
	ARG_SIZE,		/* size_t, decimal */
	ARG_HEX,		/* hex, 0 as "0" */
	ARG_PTR,		/* hex, 0 as "NULL" */
	ARG_OCT,		/* file mode: 0644 */
	ARG_UMASK,		/* 16-bit mode: 022 */
	ARG_FD,			/* int; with -y 3</path> */
	ARG_DIRFD,		/* AT_FDCWD or an fd */
	ARG_PID,		/* int */
	ARG_UID,		/* uid_t: -1 as -1 */
	ARG_SIGNAL,		/* SIGTERM, SIGRTMIN, SIGRT_3, or decimal */
	ARG_DEV,		/* makedev(0x1, 0x3) */
	ARG_PATH,		/* "path" up to PATH_MAX */
	ARG_STR,		/* NUL-terminated, -s limit */
	ARG_WBUF,		/* bytes written, length in the next argument */
	ARG_RBUF,		/* bytes read, length the return value (exit memory) */
	ARG_HEXBUF,		/* as RBUF, every byte as \xNN (getrandom) */
	ARG_FLAGS,		/* bit set from an xlat list */
	ARG_ENUM,		/* one value of an xlat list (64-bit) */
	ARG_ENUM_INT,		/* one value of an xlat list, read as a C int */
	ARG_OPEN_FLAGS,		/* O_RDONLY|O_CLOEXEC */
	ARG_OPEN_MODE,		/* printed only with O_CREAT or O_TMPFILE */
	ARG_MMAP_FLAGS,		/* MAP_PRIVATE|MAP_ANONYMOUS */
	ARG_SOCK_TYPE,		/* SOCK_STREAM|SOCK_CLOEXEC */
	ARG_SOCK_PROTO,		/* by the family in the first argument */
	ARG_SOCKOPT_LEVEL,	/* SOL_SOCKET, SOL_TCP */
	ARG_SOCKOPT_NAME,	/* by the level in the previous argument */
	ARG_SOCKOPT_VAL,	/* [1] for an int, length in the next argument */
	ARG_SOCKADDR,		/* struct sockaddr, length in the next argument */
	ARG_SOCKADDR_LENP,	/* struct sockaddr, length in *next argument */
	ARG_INTP,		/* [int] */
	ARG_LOFFP,		/* [loff_t] */
	ARG_IOVEC,		/* [{iov_base=..., iov_len=N}, ...], count in the next argument */
	ARG_MSGHDR,		/* struct msghdr (out: recvmsg's, "msg_namelen=32 => 16") */
	ARG_TIMESPEC,		/* {tv_sec=1, tv_nsec=2} */
	ARG_TIMEVAL,		/* {tv_sec=1, tv_usec=2} */
	ARG_ITIMERSPEC,		/* {it_interval={...}, it_value={...}} */
	ARG_ITIMERVAL,
	ARG_RLIMIT,		/* {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY} */
	ARG_RLIMIT64,
	ARG_SIGSET,		/* [INT TERM], size in the call's sigsetsize argument */
	ARG_SIGSETSIZE,		/* decimal */
	ARG_SIGACTION,		/* {sa_handler=..., sa_mask=[], sa_flags=..., sa_restorer=...} */
	ARG_FDPAIR,		/* [3, 4] */
	ARG_FDSET,		/* [3 4], nfds in the first argument */
	ARG_POLLFD,		/* [{fd=3, events=POLLIN}], count in the next argument */
	ARG_EPOLL_EVENT,	/* {events=EPOLLIN, data={u32=7, u64=7}} */
	ARG_EPOLL_EVENTS,	/* epoll_wait's array, count the return value */
	ARG_WSTATUS,		/* [{WIFEXITED(s) && WEXITSTATUS(s) == 3}] */
	ARG_ARGV,		/* ["ls", "-l"] */
	ARG_ENVP,		/* 0x7ffe... followed by the count of vars as a comment */
	ARG_CLONE_ARGS,		/* clone3's struct, size in the next argument */
	ARG_STATX_FLAGS,	/* AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW */
	ARG_MKNOD_MODE,		/* S_IFCHR|0644 */
	ARG_OPEN_HOW,		/* openat2's struct, size in the next argument */
	ARG_MREMAP_ADDR,	/* printed only with MREMAP_FIXED or MREMAP_DONTUNMAP */
	ARG_STAT,		/* {st_mode=S_IFREG|0644, st_size=1234, ...} */
	ARG_STATX,		/* {stx_mask=..., stx_attributes=0, stx_mode=..., stx_size=1234, ...} */
	ARG_SKIP,		/* not printed (the high half of a split offset) */
};

struct arg_spec {
	unsigned char type;		/* enum arg_type */
	bool out;			/* filled in by the kernel: printed from exit memory */
	const struct xlat *xlat;	/* ARG_FLAGS, ARG_ENUM, ARG_ENUM_INT */
};

struct dctx;
typedef void special_fn(struct dctx *x);

struct signature {
	const char *name;
	unsigned char ret;		/* enum ret_type */
	unsigned char nargs;
	struct arg_spec args[6];
	special_fn *special;		/* prints every argument itself */
};

struct dctx {
	struct screc_buf *out;
	const struct decode_call *c;
	const struct decode_opts *o;
	unsigned strsize;
	const struct signature *sig;
};

/* The signature of nr, or NULL. */
const struct signature *decode_signature(long nr);

/* Whether the call returned successfully (an exit was recorded and it is not an error). */
bool call_ok(const struct decode_call *c);

/* Read exactly len bytes at addr from m (entry or exit memory); false if any is missing. */
bool mem_get(const struct decode_mem *m, uint64_t addr, void *buf, size_t len);

/*
 * Read a NUL-terminated string of at most limit bytes into buf (limit + 1 bytes): returns its
 * length and sets *complete when the NUL came within limit + 1 bytes; -1 when the bytes ran
 * out before either the NUL or limit + 1 bytes (the string cannot be printed honestly).
 */
long mem_get_str(const struct decode_mem *m, uint64_t addr, char *buf, size_t limit, bool *complete);

/* strace's string_quote: bytes in quotes, C escapes, octal for the rest (hex: every byte \xNN). */
void quote(struct screc_buf *out, const unsigned char *s, size_t n, bool hex, bool quotes,
	   const char *escape);

void print_ptr(struct dctx *x, uint64_t addr);
void print_fd(struct dctx *x, int fd);
void print_signal(struct screc_buf *out, int64_t sig);
/* A NUL-terminated string with the -s limit (printstr), from m. */
void print_cstr(struct dctx *x, const struct decode_mem *m, uint64_t addr);
/* len bytes (printstr_ex with a length), from m; every byte in hex if hex. */
void print_bytes(struct dctx *x, const struct decode_mem *m, uint64_t addr, uint64_t len, bool hex);
void print_path(struct dctx *x, uint64_t addr);

/* decode-struct.c: one argument of a structured type; addr is the argument's value. */
void print_struct_arg(struct dctx *x, const struct decode_mem *m, unsigned type, unsigned i,
		      uint64_t addr);
void print_sigset_at(struct dctx *x, const struct decode_mem *m, uint64_t addr, uint64_t size);
/* An IPv6 address as inet_ntop writes it (size at least 46). */
bool inet6_ntop(const unsigned char *a, char *out, size_t size);
void print_sigmask(struct screc_buf *out, const uint64_t *mask, unsigned words);

/* The special printers syscalls.in names with call:NAME. */
special_fn special_fcntl, special_futex, special_clone, special_prctl, special_ioctl;

#endif
