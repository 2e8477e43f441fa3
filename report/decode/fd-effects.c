// SPDX-License-Identifier: MIT
/*
 * What a finished syscall did to the fd table, for the report's -y paths and fd lifetimes,
 * and the path arguments of a call, for -P filters.  Like the printers, these read memory
 * only through the caller's callback and say nothing they cannot read.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/syscalls.h"
#include "decode-priv.h"

#define AT_FDCWD_VALUE	(-100)
#define O_CLOEXEC_BIT	02000000u

enum how {
	NEW_PATH,	/* fd = ret, what = path argument, cloexec from open flags */
	NEW_ANON,	/* fd = ret, what = a fixed description, cloexec from a flag argument */
	NEW_SOCKET,
	NEW_DUP,	/* fd = ret, same file as args[0] */
	PAIR,		/* two fds written to args[pair_arg] */
	CLOSE,
	CLOSE_RANGE,
	FCNTL,
	EXEC,
};

struct fd_rule {
	const char *name;
	enum how how;
	signed char path_arg;	/* NEW_PATH: path argument; PAIR: the int[2] argument */
	signed char dirfd_arg;	/* NEW_PATH: dirfd argument, -1 for none */
	signed char flags_arg;	/* argument holding the close-on-exec flag, -1 for none */
	uint32_t cloexec;	/* its bit (O_CLOEXEC, SOCK_CLOEXEC, EFD_CLOEXEC: all 02000000) */
	const char *what;	/* NEW_ANON */
};

/* Data, by name: each fd-creating call, where its path and close-on-exec flag are. */
static const struct fd_rule rules[] = {
	{ "open", NEW_PATH, 0, -1, 1, O_CLOEXEC_BIT, NULL },
	{ "openat", NEW_PATH, 1, 0, 2, O_CLOEXEC_BIT, NULL },
	{ "openat2", NEW_PATH, 1, 0, -1, 0, NULL },	/* flags in struct open_how */
	{ "creat", NEW_PATH, 0, -1, -1, 0, NULL },
	{ "open_by_handle_at", NEW_ANON, -1, -1, 2, O_CLOEXEC_BIT, NULL },
	{ "socket", NEW_SOCKET, -1, -1, 1, O_CLOEXEC_BIT, NULL },
	{ "accept", NEW_ANON, -1, -1, -1, 0, "socket" },
	{ "accept4", NEW_ANON, -1, -1, 3, O_CLOEXEC_BIT, "socket" },
	{ "dup", NEW_DUP, -1, -1, -1, 0, NULL },
	{ "dup2", NEW_DUP, -1, -1, -1, 0, NULL },
	{ "dup3", NEW_DUP, -1, -1, 2, O_CLOEXEC_BIT, NULL },
	{ "fcntl", FCNTL, -1, -1, -1, 0, NULL },
	{ "pipe", PAIR, 0, -1, -1, 0, "pipe" },
	{ "pipe2", PAIR, 0, -1, 1, O_CLOEXEC_BIT, "pipe" },
	{ "socketpair", PAIR, 3, -1, 1, O_CLOEXEC_BIT, "socket" },
	{ "eventfd", NEW_ANON, -1, -1, -1, 0, "anon_inode:[eventfd]" },
	{ "eventfd2", NEW_ANON, -1, -1, 1, O_CLOEXEC_BIT, "anon_inode:[eventfd]" },
	{ "epoll_create", NEW_ANON, -1, -1, -1, 0, "anon_inode:[eventpoll]" },
	{ "epoll_create1", NEW_ANON, -1, -1, 0, O_CLOEXEC_BIT, "anon_inode:[eventpoll]" },
	{ "memfd_create", NEW_ANON, -1, -1, 1, 1, NULL },	/* MFD_CLOEXEC; name below */
	{ "timerfd_create", NEW_ANON, -1, -1, 1, O_CLOEXEC_BIT, "anon_inode:[timerfd]" },
	{ "signalfd", NEW_ANON, -1, -1, -1, 0, "anon_inode:[signalfd]" },
	{ "signalfd4", NEW_ANON, -1, -1, 3, O_CLOEXEC_BIT, "anon_inode:[signalfd]" },
	{ "inotify_init", NEW_ANON, -1, -1, -1, 0, "anon_inode:inotify" },
	{ "inotify_init1", NEW_ANON, -1, -1, 0, O_CLOEXEC_BIT, "anon_inode:inotify" },
	{ "fanotify_init", NEW_ANON, -1, -1, 0, 1, "anon_inode:[fanotify]" }, /* FAN_CLOEXEC */
	{ "pidfd_open", NEW_ANON, -1, -1, -1, 0, "anon_inode:[pidfd]" },	/* always cloexec */
	{ "pidfd_getfd", NEW_ANON, -1, -1, -1, 0, NULL },			/* always cloexec */
	{ "userfaultfd", NEW_ANON, -1, -1, 0, O_CLOEXEC_BIT, "anon_inode:[userfaultfd]" },
	{ "perf_event_open", NEW_ANON, -1, -1, 4, 8, "anon_inode:[perf_event]" },
	{ "io_uring_setup", NEW_ANON, -1, -1, -1, 0, "anon_inode:[io_uring]" }, /* cloexec */
	{ "memfd_secret", NEW_ANON, -1, -1, 0, O_CLOEXEC_BIT, "[secretmem]" },
	{ "close", CLOSE, -1, -1, -1, 0, NULL },
	{ "close_range", CLOSE_RANGE, -1, -1, -1, 0, NULL },
	{ "execve", EXEC, -1, -1, -1, 0, NULL },
	{ "execveat", EXEC, -1, -1, -1, 0, NULL },
};

static const struct fd_rule *
rule_of(long nr)
{
	const char *name = screc_syscall_name(nr);
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(rules[i].name, name) == 0)
			return &rules[i];
	return NULL;
}

static struct decode_fd_effect *
add(struct decode_fd_effect *out, size_t max, size_t *n, enum decode_fd_op op, int fd)
{
	struct decode_fd_effect *e = *n < max ? &out[*n] : NULL;

	(*n)++;
	if (!e)
		return NULL;
	memset(e, 0, offsetof(struct decode_fd_effect, what));
	e->what[0] = '\0';
	e->op = op;
	e->fd = fd;
	e->last = fd;
	e->src_fd = -1;
	e->dirfd = AT_FDCWD_VALUE;
	return e;
}

static void
set_what(struct decode_fd_effect *e, const char *s)
{
	if (!e || !s)
		return;
	snprintf(e->what, sizeof(e->what), "%s", s);
	e->has_what = true;
}

static bool
read_path(const struct decode_call *c, uint64_t addr, char *buf, size_t size)
{
	bool complete;
	long n;

	if (!addr || size < 2)
		return false;
	n = mem_get_str(c->mem, addr, buf, size - 1, &complete);
	return n >= 0 && complete;
}

size_t
decode_fd_effects(const struct decode_call *c, struct decode_fd_effect *out, size_t max)
{
	const struct fd_rule *r = rule_of(c->nr);
	const uint64_t *a = c->args;
	struct decode_fd_effect *e;
	size_t n = 0;
	int fd = (int)c->ret;

	if (!r || !call_ok(c))
		return 0;
	switch (r->how) {
	case NEW_PATH:
		e = add(out, max, &n, DECODE_FD_OPEN, fd);
		if (!e)
			break;
		if (r->dirfd_arg >= 0)
			e->dirfd = (int)a[(int)r->dirfd_arg];
		if (r->flags_arg >= 0)
			e->cloexec = (a[(int)r->flags_arg] & r->cloexec) != 0;
		if (c->nr == screc_syscall_nr("openat2")) {
			unsigned char how[8];

			if (mem_get(c->mem, a[2], how, sizeof(how)))
				e->cloexec = (how[2] & 0x08) != 0;	/* O_CLOEXEC: bit 19 */
		}
		if (read_path(c, a[(int)r->path_arg], e->what, sizeof(e->what)))
			e->has_what = true;
		break;
	case NEW_SOCKET: {
		char desc[96];
		const char *fam = xlat_name(&xlat_address_families, (uint32_t)a[0]);
		const char *type = xlat_name(&xlat_socket_types, (uint32_t)a[1] & 0xf);

		e = add(out, max, &n, DECODE_FD_OPEN, fd);
		if (!e)
			break;
		e->cloexec = (a[1] & O_CLOEXEC_BIT) != 0;
		if (fam && type) {
			snprintf(desc, sizeof(desc), "socket:[%s,%s]", fam, type);
			set_what(e, desc);
		} else {
			set_what(e, "socket");
		}
		break;
	}
	case NEW_ANON:
		e = add(out, max, &n, DECODE_FD_OPEN, fd);
		if (!e)
			break;
		if (r->flags_arg >= 0)
			e->cloexec = (a[(int)r->flags_arg] & r->cloexec) != 0;
		if (strcmp(r->name, "pidfd_open") == 0 || strcmp(r->name, "pidfd_getfd") == 0 ||
		    strcmp(r->name, "io_uring_setup") == 0)
			e->cloexec = true;
		if (strcmp(r->name, "memfd_create") == 0) {
			char name[256];

			if (read_path(c, a[0], name, sizeof(name))) {
				snprintf(e->what, sizeof(e->what), "/memfd:%s (deleted)", name);
				e->has_what = true;
			}
		} else {
			set_what(e, r->what);
		}
		break;
	case NEW_DUP:
		if (strcmp(r->name, "dup2") == 0 && (int)a[0] == (int)a[1])
			break;	/* dup2(fd, fd) changes nothing */
		e = add(out, max, &n, DECODE_FD_OPEN, fd);
		if (!e)
			break;
		e->src_fd = (int)a[0];
		if (r->flags_arg >= 0)
			e->cloexec = (a[(int)r->flags_arg] & r->cloexec) != 0;
		if (c->fds && c->fds->path)
			set_what(e, c->fds->path(c->fds->arg, (int)a[0]));
		break;
	case FCNTL: {
		int cmd = (int)a[1];

		if (cmd == 0 || cmd == 1030) {		/* F_DUPFD, F_DUPFD_CLOEXEC */
			e = add(out, max, &n, DECODE_FD_OPEN, fd);
			if (!e)
				break;
			e->src_fd = (int)a[0];
			e->cloexec = cmd == 1030;
			if (c->fds && c->fds->path)
				set_what(e, c->fds->path(c->fds->arg, (int)a[0]));
		} else if (cmd == 2) {			/* F_SETFD */
			e = add(out, max, &n, DECODE_FD_CLOEXEC, (int)a[0]);
			if (e)
				e->cloexec = a[2] & 1;
		}
		break;
	}
	case PAIR: {
		unsigned char fds[8];
		int f[2], i;

		/* the fds are an output: only memory captured at exit has them */
		if (!mem_get(c->exit_mem, a[(int)r->path_arg], fds, sizeof(fds)))
			break;
		memcpy(f, fds, sizeof(f));
		for (i = 0; i < 2; i++) {
			e = add(out, max, &n, DECODE_FD_OPEN, f[i]);
			if (!e)
				continue;
			if (r->flags_arg >= 0)
				e->cloexec = (a[(int)r->flags_arg] & r->cloexec) != 0;
			set_what(e, r->what);
		}
		break;
	}
	case CLOSE:
		add(out, max, &n, DECODE_FD_CLOSE, (int)a[0]);
		break;
	case CLOSE_RANGE: {
		unsigned first = (unsigned)a[0], last = (unsigned)a[1];

		if (first > last)
			break;
		e = add(out, max, &n, (a[2] & 4) ? DECODE_FD_CLOEXEC_RANGE : DECODE_FD_CLOSE_RANGE,
			first > INT32_MAX ? INT32_MAX : (int)first);
		if (e) {
			e->last = last > INT32_MAX ? INT32_MAX : (int)last;
			e->cloexec = (a[2] & 4) != 0;
		}
		break;
	}
	case EXEC:
		add(out, max, &n, DECODE_FD_EXEC, -1);
		break;
	}
	return n;
}

const char *
decode_path(const struct decode_call *c, unsigned index, char *buf, size_t size, int *dirfd)
{
	const struct signature *sig = decode_signature(c->nr);
	unsigned i, seen = 0;

	if (!sig)
		return NULL;
	for (i = 0; i < sig->nargs; i++) {
		if (sig->args[i].type != ARG_PATH)
			continue;
		if (seen++ != index)
			continue;
		if (dirfd)
			*dirfd = i > 0 && sig->args[i - 1].type == ARG_DIRFD ? (int)c->args[i - 1]
									    : AT_FDCWD_VALUE;
		return read_path(c, c->args[i], buf, size) ? buf : NULL;
	}
	return NULL;
}

bool
decode_fd_effects_need_memory(long nr)
{
	const struct fd_rule *r = rule_of(nr);

	return r && (r->how == NEW_PATH || r->how == PAIR ||
		     (r->how == NEW_ANON && strcmp(r->name, "memfd_create") == 0));
}
