/* SPDX-License-Identifier: MIT */
/*
 * strace-grade decoding of one syscall: the arguments and the return value as strace 6.1
 * prints them (openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_CLOEXEC) = 3), from the raw
 * registers and whatever memory the recording kept.  Signatures and constants are data
 * (syscalls.in and the lists in xlat/).  Memory is read only through the caller's callback: bytes it does
 * not have print as the pointer, as strace prints what it cannot read, never as a guess.
 * Besides text, the decoder tells what a finished call did to the fd table (for -y and
 * lifetimes) and which paths it names (for -P).
 */
#ifndef SCREC_DECODE_H
#define SCREC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/util.h"

struct decode_mem {
	/*
	 * Copy up to len bytes at addr into buf; returns how many bytes from addr on were
	 * available and copied (0: none).  The caller's sources are the stack snapshot,
	 * read-only file mappings (.rodata), the vdso and bytes captured at record time.
	 */
	size_t (*read)(void *arg, uint64_t addr, void *buf, size_t len);
	void *arg;
};

struct decode_fds {
	/*
	 * What fd refers to ("/etc/passwd", "socket:[...]", "pipe:[...]"), or NULL if unknown.
	 * fd -100 (AT_FDCWD) asks for the working directory, which strace -y prints beside
	 * AT_FDCWD.
	 */
	const char *(*path)(void *arg, int fd);
	void *arg;
};

struct decode_opts {
	unsigned strsize;	/* strace -s (default 32; 0 is taken as 32) */
	bool fd_paths;		/* strace -y: 3</etc/passwd> */
	uint64_t *unread;	/* counts paths and sockaddrs printed as pointers; may be NULL */
};

#define DECODE_STRSIZE_DEFAULT 32

struct decode_call {
	long nr;				/* x86-64 syscall number */
	uint64_t args[6];
	bool has_ret;				/* the exit was recorded */
	int64_t ret;				/* raw kernel value (-errno for errors) */
	const struct decode_mem *mem;		/* memory at entry, may be NULL */
	const struct decode_mem *exit_mem;	/* memory captured at exit, NULL for now */
	const struct decode_fds *fds;		/* may be NULL */
};

/*
 * Append the text between the parentheses ("3</etc/passwd>, \"abc\"..., 32") to out.  A
 * syscall without a signature prints its raw arguments in hex, as strace does for calls it
 * does not decode.  Outputs (read buffers, stat structs, pipe fds) come from exit_mem when the
 * call succeeded, else print as their address.  c->nr outside the table prints six raw args.
 */
void decode_args(struct screc_buf *out, const struct decode_call *c, const struct decode_opts *o);

/*
 * Append the return part, from " = " on: " = 3</etc/hosts>", " = -1 ENOENT (No such file or
 * directory)", " = ? ERESTARTSYS (To be restarted if SA_RESTART is set)", " = 0x7f12...",
 * " = 0x800 (flags O_RDONLY|O_NONBLOCK)", or " = ?" when no exit was recorded (and for exit,
 * exit_group, which never return).
 */
void decode_ret(struct screc_buf *out, const struct decode_call *c, const struct decode_opts *o);

/* The syscall's name as strace prints it: "openat", or "syscall_0x4cf" for unknown numbers. */
void decode_name(struct screc_buf *out, long nr);

enum decode_fd_op {
	DECODE_FD_OPEN,		/* fd now refers to what (a new file, or the same as src_fd) */
	DECODE_FD_CLOSE,	/* fd is closed */
	DECODE_FD_CLOSE_RANGE,	/* fd..last are closed */
	DECODE_FD_CLOEXEC,	/* fd's close-on-exec flag is now cloexec */
	DECODE_FD_CLOEXEC_RANGE, /* fd..last are now close-on-exec */
	DECODE_FD_EXEC,		/* a successful exec: every close-on-exec fd is closed */
};

#define DECODE_FD_WHAT_MAX 4096

struct decode_fd_effect {
	enum decode_fd_op op;
	int fd;
	int last;		/* CLOSE_RANGE, CLOEXEC_RANGE: the last fd, inclusive */
	bool cloexec;		/* OPEN: opened with O_CLOEXEC (or its kin); CLOEXEC: the new flag */
	int src_fd;		/* OPEN by dup/dup2/dup3/fcntl(F_DUPFD*): the duplicated fd, else -1 */
	int dirfd;		/* OPEN of a relative path: the directory fd it is relative to
				 * (AT_FDCWD, -100, for the working directory), else AT_FDCWD */
	bool has_what;		/* what holds a path or description */
	/*
	 * The path as the call gave it ("/etc/passwd", "data/x" relative to dirfd), or a
	 * description in the style of /proc/PID/fd ("socket:[AF_INET,SOCK_STREAM]",
	 * "pipe", "anon_inode:[eventfd]", "/memfd:name (deleted)").  For a dup, the path the
	 * caller's decode_fds gave for src_fd, when it knew one.
	 */
	char what[DECODE_FD_WHAT_MAX];
};

/*
 * What a finished call did to the process's fd table: open/openat/openat2/creat/
 * open_by_handle_at, socket, accept/accept4, dup/dup2/dup3, fcntl(F_DUPFD, F_DUPFD_CLOEXEC,
 * F_SETFD), pipe/pipe2 and socketpair (their fds are an output: only with exit_mem),
 * eventfd/eventfd2, epoll_create/epoll_create1, memfd_create, timerfd_create, signalfd/
 * signalfd4 (a new one), inotify_init/inotify_init1, pidfd_open, pidfd_getfd, userfaultfd,
 * perf_event_open, io_uring_setup, fanotify_init, close, close_range, and execve/execveat
 * (close-on-exec fds go).  Fills up to max effects in out and returns how many there were
 * (possibly more than max).  A call without a recorded exit, or that failed, did nothing.
 */
size_t decode_fd_effects(const struct decode_call *c, struct decode_fd_effect *out, size_t max);

/* Whether argument i of syscall nr is a file descriptor (fd, or a dirfd that is not AT_FDCWD). */
bool decode_arg_is_fd(long nr, unsigned i);

/* Whether syscall nr has arguments the kernel fills in (printed from exit memory). */
bool decode_has_outputs(long nr);

/* How many arguments syscall nr takes (6 when unknown). */
unsigned decode_nr_args(long nr);

/* Whether decode_fd_effects() reads the call's memory (a path, a name, an fd pair). */
bool decode_fd_effects_need_memory(long nr);

/*
 * The index-th path argument of the call (0 = the first; rename has two), for -P filters:
 * copied NUL-terminated into buf (size bytes) as the process passed it.  Returns buf, or
 * NULL when the call has no such argument, its bytes are not all readable, or it does not
 * fit.  dirfd, when not NULL, receives the directory fd the path is relative to (AT_FDCWD
 * for calls without one).
 */
const char *decode_path(const struct decode_call *c, unsigned index, char *buf, size_t size,
			int *dirfd);

#endif
