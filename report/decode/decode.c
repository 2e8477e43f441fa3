// SPDX-License-Identifier: MIT
/*
 * The decoder's entry points and its scalar printers: the signature of a syscall comes from
 * the generated table (syscalls.in), each argument prints by its type, strings are quoted as
 * strace's string_quote quotes them, and memory is read only through the caller's callback.
 * strace 6.1's output on this machine is the reference for every convention here; the tests
 * carry the lines it printed.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/syscall-set.h"
#include "common/syscalls.h"
#include "decode-priv.h"
#include "errno-names.h"

#define AT_FDCWD_VALUE	(-100)
#define PATH_LIMIT	4095	/* strace's printpath: PATH_MAX - 1 bytes */

static const struct signature signatures[SCREC_SYSCALL_SET_MAX] = {
#include "signatures.def"
};

const struct signature *
decode_signature(long nr)
{
	if (nr < 0 || nr >= SCREC_SYSCALL_SET_MAX || !signatures[nr].name)
		return NULL;
	return &signatures[nr];
}

bool
call_ok(const struct decode_call *c)
{
	return c->has_ret && !errno_of_ret(c->ret);
}

bool
mem_get(const struct decode_mem *m, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return true;
	if (!m || !m->read)
		return false;
	return m->read(m->arg, addr, buf, len) == len;
}

long
mem_get_str(const struct decode_mem *m, uint64_t addr, char *buf, size_t limit, bool *complete)
{
	size_t got = 0, want = limit + 1;

	*complete = false;
	if (!m || !m->read)
		return -1;
	while (got < want) {
		size_t ask = want - got < 256 ? want - got : 256, n, i;

		n = m->read(m->arg, addr + got, buf + got, ask);
		if (n > ask)
			n = ask;
		for (i = 0; i < n; i++) {
			if (buf[got + i] == '\0') {
				*complete = true;
				return (long)(got + i);
			}
		}
		got += n;
		if (n < ask)
			break;
	}
	if (got < want)
		return -1;	/* ran out of readable bytes before the NUL: not printable */
	return (long)limit;
}

void
quote(struct screc_buf *out, const unsigned char *s, size_t n, bool hex, bool quotes,
      const char *escape)
{
	size_t i;

	if (quotes)
		screc_buf_char(out, '"');
	for (i = 0; i < n; i++) {
		unsigned c = s[i];

		if (hex) {
			screc_buf_printf(out, "\\x%02x", c);
			continue;
		}
		switch (c) {
		case '"':
		case '\\':
			screc_buf_char(out, '\\');
			screc_buf_char(out, (char)c);
			continue;
		case '\f':
			screc_buf_str(out, "\\f");
			continue;
		case '\n':
			screc_buf_str(out, "\\n");
			continue;
		case '\r':
			screc_buf_str(out, "\\r");
			continue;
		case '\t':
			screc_buf_str(out, "\\t");
			continue;
		case '\v':
			screc_buf_str(out, "\\v");
			continue;
		}
		if (c >= ' ' && c < 0x7f && !(escape && strchr(escape, (int)c))) {
			screc_buf_char(out, (char)c);
		} else {
			/* strace: the shortest octal, three digits when an octal digit follows */
			bool next_digit = i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7';

			if (next_digit || c >= 0100)
				screc_buf_printf(out, "\\%03o", c);
			else if (c >= 010)
				screc_buf_printf(out, "\\%02o", c);
			else
				screc_buf_printf(out, "\\%o", c);
		}
	}
	if (quotes)
		screc_buf_char(out, '"');
}

void
print_ptr(struct dctx *x, uint64_t addr)
{
	if (addr)
		screc_buf_printf(x->out, "%#" PRIx64, addr);
	else
		screc_buf_str(x->out, "NULL");
}

static void
print_fd_path(struct screc_buf *out, const struct decode_call *c, const struct decode_opts *o,
	      int fd)
{
	const char *path;

	if (!o->fd_paths || !c->fds || !c->fds->path || (fd < 0 && fd != AT_FDCWD_VALUE))
		return;
	path = c->fds->path(c->fds->arg, fd);
	if (!path)
		return;
	screc_buf_char(out, '<');
	quote(out, (const unsigned char *)path, strlen(path), false, false, "<>");
	screc_buf_char(out, '>');
}

void
print_fd(struct dctx *x, int fd)
{
	screc_buf_printf(x->out, "%d", fd);
	print_fd_path(x->out, x->c, x->o, fd);
}

void
print_signal(struct screc_buf *out, int64_t sig)
{
	if (sig == 32)
		screc_buf_str(out, "SIGRTMIN");
	else if (sig > 32 && sig <= 64)
		screc_buf_printf(out, "SIGRT_%d", (int)(sig - 32));
	else
		xlat_print_enum_d(out, &xlat_signals, sig);
}

void
print_cstr(struct dctx *x, const struct decode_mem *m, uint64_t addr)
{
	char *buf;
	bool complete;
	long n;

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	buf = malloc((size_t)x->strsize + 1);
	n = buf ? mem_get_str(m, addr, buf, x->strsize, &complete) : -1;
	if (n < 0) {
		print_ptr(x, addr);
	} else {
		quote(x->out, (unsigned char *)buf, (size_t)n, false, true, NULL);
		if (!complete)
			screc_buf_str(x->out, "...");
	}
	free(buf);
}

void
print_bytes(struct dctx *x, const struct decode_mem *m, uint64_t addr, uint64_t len, bool hex)
{
	size_t n = len > x->strsize ? x->strsize : (size_t)len;
	unsigned char *buf;

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	buf = malloc(n ? n : 1);
	if (!buf || !mem_get(m, addr, buf, n)) {
		print_ptr(x, addr);
	} else {
		quote(x->out, buf, n, hex, true, NULL);
		if (len > x->strsize)
			screc_buf_str(x->out, "...");
	}
	free(buf);
}

void
print_path(struct dctx *x, uint64_t addr)
{
	char buf[PATH_LIMIT + 1];
	bool complete;
	long n;

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	n = mem_get_str(x->c->mem, addr, buf, PATH_LIMIT, &complete);
	if (n < 0) {
		if (x->o->unread)
			(*x->o->unread)++;
		print_ptr(x, addr);
		return;
	}
	quote(x->out, (unsigned char *)buf, (size_t)n, false, true, NULL);
	if (!complete)
		screc_buf_str(x->out, "...");
}

static void
print_open_flags(struct screc_buf *out, uint32_t v)
{
	uint64_t rest;

	xlat_print_enum(out, &xlat_open_accmode, v & 3);
	v &= ~3u;
	if (!v)
		return;
	screc_buf_char(out, '|');
	if (xlat_print_bits(out, &xlat_open_flags, v, &rest)) {
		if (rest)
			screc_buf_printf(out, "|%#" PRIx64, rest);
	} else {
		screc_buf_printf(out, "%#" PRIx64, rest);
	}
}

static void
print_mmap_flags(struct screc_buf *out, uint32_t v)
{
	const char *type = xlat_name(&xlat_mmap_type, v & 0xf);
	unsigned huge = v >> 26 & 0x3f, n = 0;
	uint64_t rest;

	v &= ~(0x3fu << 26);
	if (type) {
		screc_buf_str(out, type);
		v &= ~0xfu;
		n++;
	}
	if (v) {
		if (n)
			screc_buf_char(out, '|');
		if (xlat_print_bits(out, &xlat_mmap_flags, v, &rest)) {
			if (rest)
				screc_buf_printf(out, "|%#" PRIx64, rest);
		} else {
			screc_buf_printf(out, "%#" PRIx64, rest);
		}
		n++;
	}
	if (huge) {
		screc_buf_printf(out, "%s%u<<MAP_HUGE_SHIFT", n ? "|" : "", huge);
		n++;
	}
	if (!n)
		screc_buf_str(out, "0");
}

static void
print_sock_type(struct screc_buf *out, uint32_t v)
{
	const char *type = xlat_name(&xlat_socket_types, v & 0xf);

	if (type) {
		screc_buf_str(out, type);
		v &= ~0xfu;
		if (!v)
			return;
		screc_buf_char(out, '|');
	}
	xlat_print_flags(out, &xlat_sock_type_flags, v);
}

static void
print_mode(struct screc_buf *out, uint32_t mode, bool with_type)
{
	static const struct {
		uint32_t type;
		const char *name;
	} types[] = {
		{ 0140000, "S_IFSOCK" }, { 0120000, "S_IFLNK" }, { 0100000, "S_IFREG" },
		{ 0060000, "S_IFBLK" }, { 0040000, "S_IFDIR" }, { 0020000, "S_IFCHR" },
		{ 0010000, "S_IFIFO" },
	};
	size_t i;

	if (with_type && (mode & 0170000)) {
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			if ((mode & 0170000) == types[i].type) {
				screc_buf_printf(out, "%s|", types[i].name);
				mode &= ~0170000u;
				break;
			}
		}
	}
	screc_buf_printf(out, "%#03o", mode);
}

static void
print_statx_flags(struct screc_buf *out, uint32_t v)
{
	uint64_t rest;

	xlat_print_enum(out, &xlat_statx_sync, v & 0x6000);
	v &= ~0x6000u;
	if (!v)
		return;
	screc_buf_char(out, '|');
	if (xlat_print_bits(out, &xlat_at_flags, v, &rest)) {
		if (rest)
			screc_buf_printf(out, "|%#" PRIx64, rest);
	} else {
		screc_buf_printf(out, "%#" PRIx64, rest);
	}
}

static void
print_sockopt_name(struct dctx *x, int level, int name)
{
	const struct xlat *t = NULL;

	switch (level) {
	case 1:
		t = &xlat_socket_options;
		break;
	case 6:
		t = &xlat_tcp_options;
		break;
	case 0:
		t = &xlat_ip_options;
		break;
	case 41:
		t = &xlat_ipv6_options;
		break;
	}
	if (t)
		xlat_print_enum(x->out, t, (uint32_t)name);
	else
		screc_buf_printf(x->out, "%d", name);
}

static void
print_sock_proto(struct dctx *x, int family, int proto)
{
	if (family == 2 || family == 10)
		xlat_print_enum(x->out, &xlat_inet_protocols, (uint32_t)proto);
	else if (family == 16)
		xlat_print_enum(x->out, &xlat_netlink_protocols, (uint32_t)proto);
	else
		screc_buf_printf(x->out, "%d", proto);
}

/* Whether argument i is printed at all (open's mode only with O_CREAT or O_TMPFILE). */
static bool
omitted(const struct dctx *x, unsigned i)
{
	const struct arg_spec *a = &x->sig->args[i];

	if (a->type == ARG_SKIP)
		return true;
	if (a->type == ARG_OPEN_MODE && i > 0)
		return !(x->c->args[i - 1] & (0100 | 020000000));
	if (a->type == ARG_MREMAP_ADDR && i > 0)	/* MREMAP_FIXED, MREMAP_DONTUNMAP */
		return !(x->c->args[i - 1] & 6);
	return false;
}

static void
print_arg(struct dctx *x, unsigned i)
{
	const struct arg_spec *a = &x->sig->args[i];
	const struct decode_call *c = x->c;
	const struct decode_mem *m = c->mem;
	uint64_t v = c->args[i];
	bool out = a->out || a->type == ARG_RBUF || a->type == ARG_HEXBUF ||
		   a->type == ARG_EPOLL_EVENTS;

	if (out) {
		if (!v) {
			screc_buf_str(x->out, "NULL");
			return;
		}
		if (!call_ok(c) || !c->exit_mem || a->type == ARG_PTR) {
			print_ptr(x, v);
			return;
		}
		m = c->exit_mem;
	}
	switch (a->type) {
	case ARG_INT:
	case ARG_PID:
		screc_buf_printf(x->out, "%d", (int)v);
		break;
	case ARG_UINT:
		screc_buf_printf(x->out, "%u", (unsigned)v);
		break;
	case ARG_LONG:
		screc_buf_printf(x->out, "%" PRId64, (int64_t)v);
		break;
	case ARG_ULONG:
	case ARG_SIZE:
	case ARG_SIGSETSIZE:
		screc_buf_printf(x->out, "%" PRIu64, v);
		break;
	case ARG_HEX:
		screc_buf_printf(x->out, v ? "%#" PRIx64 : "%" PRIu64, v);
		break;
	case ARG_PTR:
	case ARG_MREMAP_ADDR:
		print_ptr(x, v);
		break;
	case ARG_OCT:
	case ARG_OPEN_MODE:
		print_mode(x->out, (uint32_t)v, false);
		break;
	case ARG_UMASK:
		print_mode(x->out, (uint16_t)v, false);
		break;
	case ARG_MKNOD_MODE:
		print_mode(x->out, (uint32_t)v, true);
		break;
	case ARG_FD:
		print_fd(x, (int)v);
		break;
	case ARG_DIRFD:
		if ((int)v == AT_FDCWD_VALUE) {
			screc_buf_str(x->out, "AT_FDCWD");
			print_fd_path(x->out, c, x->o, AT_FDCWD_VALUE);
		} else {
			print_fd(x, (int)v);
		}
		break;
	case ARG_UID:
		if ((uint32_t)v == UINT32_MAX)
			screc_buf_str(x->out, "-1");
		else
			screc_buf_printf(x->out, "%u", (uint32_t)v);
		break;
	case ARG_SIGNAL:
		print_signal(x->out, (int)v);
		break;
	case ARG_DEV: {
		unsigned major = (unsigned)(((v >> 8) & 0xfff) | ((v >> 32) & ~0xfffULL));
		unsigned minor = (unsigned)((v & 0xff) | ((v >> 12) & ~0xffULL));

		screc_buf_printf(x->out, "makedev(%#x, %#x)", major, minor);
		break;
	}
	case ARG_PATH:
		print_path(x, v);
		break;
	case ARG_STR:
		print_cstr(x, m, v);
		break;
	case ARG_WBUF:
		print_bytes(x, m, v, i + 1 < 6 ? c->args[i + 1] : 0, false);
		break;
	case ARG_RBUF:
		print_bytes(x, m, v, (uint64_t)c->ret, false);
		break;
	case ARG_HEXBUF:
		print_bytes(x, m, v, (uint64_t)c->ret, true);
		break;
	case ARG_FLAGS:
		xlat_print_flags(x->out, a->xlat, (uint32_t)v);
		break;
	case ARG_ENUM:
		xlat_print_enum(x->out, a->xlat, (uint32_t)v);
		break;
	case ARG_ENUM_INT:
		xlat_print_enum(x->out, a->xlat, (uint64_t)(int64_t)(int)v);
		break;
	case ARG_OPEN_FLAGS:
		print_open_flags(x->out, (uint32_t)v);
		break;
	case ARG_MMAP_FLAGS:
		print_mmap_flags(x->out, (uint32_t)v);
		break;
	case ARG_SOCK_TYPE:
		print_sock_type(x->out, (uint32_t)v);
		break;
	case ARG_SOCK_PROTO:
		print_sock_proto(x, (int)c->args[0], (int)v);
		break;
	case ARG_SOCKOPT_LEVEL:
		xlat_print_enum(x->out, &xlat_sol_levels, (uint32_t)v);
		break;
	case ARG_SOCKOPT_NAME:
		print_sockopt_name(x, i ? (int)c->args[i - 1] : 0, (int)v);
		break;
	case ARG_STATX_FLAGS:
		print_statx_flags(x->out, (uint32_t)v);
		break;
	case ARG_SKIP:
		break;
	default:
		print_struct_arg(x, m, a->type, i, v);
		break;
	}
}

static void
print_raw_fixed(struct dctx *x, int nargs)
{
	int i;

	/* strace's printargs: 0 as "0", the rest in hex */
	for (i = 0; i < nargs; i++) {
		uint64_t v = x->c->args[i];

		if (i)
			screc_buf_str(x->out, ", ");
		screc_buf_printf(x->out, v ? "%#" PRIx64 : "%" PRIu64, v);
	}
}

void
decode_args(struct screc_buf *out, const struct decode_call *c, const struct decode_opts *o)
{
	static const struct decode_opts defaults = { DECODE_STRSIZE_DEFAULT, false };
	struct dctx x = { out, c, o ? o : &defaults, 0, NULL };
	unsigned i, printed = 0;
	int nargs;

	x.strsize = x.o->strsize ? x.o->strsize : DECODE_STRSIZE_DEFAULT;
	x.sig = decode_signature(c->nr);
	if (!x.sig) {
		nargs = screc_syscall_nargs(c->nr);
		if (nargs < 0)
			nargs = 6;
		print_raw_fixed(&x, nargs);
		return;
	}
	if (x.sig->special) {
		x.sig->special(&x);
		return;
	}
	for (i = 0; i < x.sig->nargs; i++) {
		if (omitted(&x, i))
			continue;
		if (printed++)
			screc_buf_str(out, ", ");
		print_arg(&x, i);
	}
}

void
decode_name(struct screc_buf *out, long nr)
{
	const char *name = screc_syscall_name(nr);

	if (name)
		screc_buf_str(out, name);
	else
		screc_buf_printf(out, "syscall_%#lx", (unsigned long)nr);
}

static void
ret_fcntl(struct screc_buf *out, const struct decode_call *c, const struct decode_opts *o)
{
	int cmd = (int)c->args[1];
	uint64_t v = (uint64_t)c->ret;
	uint64_t rest;

	switch (cmd) {
	case 0:		/* F_DUPFD */
	case 1030:	/* F_DUPFD_CLOEXEC */
		screc_buf_printf(out, " = %" PRId64, c->ret);
		print_fd_path(out, c, o, (int)c->ret);
		return;
	case 3:		/* F_GETFL */
		screc_buf_printf(out, v ? " = %#" PRIx64 " (flags " : " = %" PRIu64 " (flags ", v);
		print_open_flags(out, (uint32_t)v);
		screc_buf_char(out, ')');
		return;
	case 1:		/* F_GETFD */
		screc_buf_printf(out, v ? " = %#" PRIx64 : " = %" PRIu64, v);
		if (v) {
			screc_buf_str(out, " (flags ");
			if (xlat_print_bits(out, &xlat_fd_flags, v, &rest) && rest)
				screc_buf_printf(out, "|%#" PRIx64, rest);
			else if (rest)
				screc_buf_printf(out, "%#" PRIx64, rest);
			screc_buf_char(out, ')');
		}
		return;
	case 1025:	/* F_GETLEASE */
		screc_buf_printf(out, " = %#" PRIx64 " (", v);
		xlat_print_enum(out, &xlat_lease_types, v);
		screc_buf_char(out, ')');
		return;
	case 1034:	/* F_GET_SEALS */
		screc_buf_printf(out, v ? " = %#" PRIx64 : " = %" PRIu64, v);
		if (v) {
			screc_buf_str(out, " (seals ");
			xlat_print_flags(out, &xlat_seal_flags, v);
			screc_buf_char(out, ')');
		}
		return;
	}
	screc_buf_printf(out, " = %" PRId64, c->ret);
}

void
decode_ret(struct screc_buf *out, const struct decode_call *c, const struct decode_opts *o)
{
	static const struct decode_opts defaults = { DECODE_STRSIZE_DEFAULT, false };
	const struct signature *sig = decode_signature(c->nr);
	unsigned ret = sig ? sig->ret : RET_INT;
	int err;

	if (!o)
		o = &defaults;
	if (!c->has_ret || ret == RET_NONE) {
		screc_buf_str(out, " = ?");
		return;
	}
	err = errno_of_ret(c->ret);
	if (err) {
		const char *name = errno_name(err), *msg = errno_message(err);
		/* strace: the restart codes are no failure the program sees */
		bool restart = err == 512 || err == 513 || err == 514 || err == 516;

		if (name)
			screc_buf_printf(out, " = %s %s (%s)", restart ? "?" : "-1", name,
					 msg ? msg : "Unknown error");
		else
			screc_buf_printf(out, " = -1 ERRNO_%d (Unknown error %d)", err, err);
		return;
	}
	switch (ret) {
	case RET_FD:
		screc_buf_printf(out, " = %" PRId64, c->ret);
		print_fd_path(out, c, o, (int)c->ret);
		break;
	case RET_HEX:
		screc_buf_printf(out, c->ret ? " = %#" PRIx64 : " = %" PRIu64, (uint64_t)c->ret);
		break;
	case RET_OCT:
		screc_buf_printf(out, " = %#03" PRIo64, (uint64_t)c->ret);
		break;
	case RET_FCNTL:
		ret_fcntl(out, c, o);
		break;
	case RET_PRCTL:
		screc_buf_printf(out, " = %" PRId64, c->ret);
		if ((unsigned)c->args[0] == 3 && xlat_name(&xlat_dumpable, (uint64_t)c->ret))
			screc_buf_printf(out, " (%s)", xlat_name(&xlat_dumpable, (uint64_t)c->ret));
		break;
	default:
		screc_buf_printf(out, " = %" PRId64, c->ret);
		break;
	}
}

bool
decode_has_outputs(long nr)
{
	const struct signature *sig = decode_signature(nr);
	unsigned i;

	for (i = 0; sig && i < sig->nargs; i++)
		if (sig->args[i].out || sig->args[i].type == ARG_RBUF ||
		    sig->args[i].type == ARG_HEXBUF || sig->args[i].type == ARG_EPOLL_EVENTS)
			return true;
	return false;
}

unsigned
decode_nr_args(long nr)
{
	const struct signature *sig = decode_signature(nr);

	return sig ? sig->nargs : 6;
}

bool
decode_arg_is_fd(long nr, unsigned i)
{
	const struct signature *sig = decode_signature(nr);

	return sig && i < sig->nargs && (sig->args[i].type == ARG_FD || sig->args[i].type == ARG_DIRFD);
}
