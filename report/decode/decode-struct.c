// SPDX-License-Identifier: MIT
/*
 * Printers for arguments that point at structures: socket addresses, iovecs, message headers,
 * times, limits, signal sets and actions, fd pairs and sets, poll and epoll entries, wait
 * statuses, execve's arrays, clone3's and openat2's structs.  Each reads the bytes it needs
 * through mem_get(); when they are not all there it prints the pointer, as strace does for
 * memory it cannot read.  Layouts are x86_64's.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "decode-priv.h"

#define ARRAY_MAX_ENVP	65536

static uint64_t
le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t
le32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t
le16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static void
print_sockaddr_buf(struct dctx *x, const unsigned char *buf, int len)
{
	struct screc_buf *out = x->out;
	unsigned family = le16(buf);
	char addr[64];

	screc_buf_str(out, "{sa_family=");
	xlat_print_enum(out, &xlat_address_families, family);
	if (len <= 2) {
		screc_buf_char(out, '}');
		return;
	}
	screc_buf_str(out, ", ");
	if (family == 2 && len >= 16) {
		screc_buf_printf(out, "sin_port=htons(%u), sin_addr=inet_addr(\"%u.%u.%u.%u\")",
				 (unsigned)(buf[2] << 8 | buf[3]), buf[4], buf[5], buf[6], buf[7]);
	} else if (family == 10 && len >= 24) {
		uint32_t flow = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 |
				(uint32_t)buf[6] << 8 | buf[7];

		screc_buf_printf(out, "sin6_port=htons(%u), sin6_flowinfo=htonl(%u), ",
				 (unsigned)(buf[2] << 8 | buf[3]), flow);
		if (inet6_ntop(buf + 8, addr, sizeof(addr)))
			screc_buf_printf(out, "inet_pton(AF_INET6, \"%s\", &sin6_addr)", addr);
		if (len > 24)
			screc_buf_printf(out, ", sin6_scope_id=%u", le32(buf + 24));
	} else if (family == 1) {
		int path_len = (len > 110 ? 110 : len) - 2;

		screc_buf_str(out, "sun_path=");
		if (buf[2]) {
			size_t n = strnlen((const char *)buf + 2, (size_t)path_len);

			quote(out, buf + 2, n, false, true, NULL);
		} else {
			screc_buf_char(out, '@');
			quote(out, buf + 3, (size_t)(path_len - 1), false, true, NULL);
		}
	} else if (family == 16 && len >= 12) {
		if (le16(buf + 2))
			screc_buf_printf(out, "nl_pad=%#x, ", le16(buf + 2));
		screc_buf_printf(out, "nl_pid=%d, nl_groups=%#08x", (int)le32(buf + 4), le32(buf + 8));
	} else {
		screc_buf_str(out, "sa_data=");
		quote(out, buf + 2, (size_t)len - 2, false, true, NULL);
	}
	screc_buf_char(out, '}');
}

/* strace's decode_sockaddr: lengths below 2 print the address, above 128 are cut to 128. */
static void
print_sockaddr(struct dctx *x, const struct decode_mem *m, uint64_t addr, int len)
{
	unsigned char buf[128 + 1];

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	if (len < 2) {
		print_ptr(x, addr);
		return;
	}
	if (len > 128)
		len = 128;
	memset(buf, 0, sizeof(buf));
	if (!mem_get(m, addr, buf, (size_t)len)) {
		if (x->o->unread)
			(*x->o->unread)++;
		print_ptr(x, addr);
		return;
	}
	print_sockaddr_buf(x, buf, len);
}

bool
inet6_ntop(const unsigned char *a, char *out, size_t size)
{
	return inet_ntop(AF_INET6, a, out, (socklen_t)size) != NULL;
}

static void
print_timespec_buf(struct screc_buf *out, const unsigned char *p, const char *frac)
{
	screc_buf_printf(out, "{tv_sec=%" PRId64 ", %s=%" PRId64 "}", (int64_t)le64(p), frac,
			 (int64_t)le64(p + 8));
}

static void
print_rlim(struct screc_buf *out, uint64_t v, const char *inf)
{
	if (v == UINT64_MAX)
		screc_buf_str(out, inf);
	else if (v > 1024 && v % 1024 == 0)
		screc_buf_printf(out, "%" PRIu64 "*1024", v / 1024);
	else
		screc_buf_printf(out, "%" PRIu64, v);
}

void
print_sigmask(struct screc_buf *out, const uint64_t *mask, unsigned words)
{
	unsigned nsig = words * 64, set = 0, sig, n = 0;
	bool invert;

	for (sig = 1; sig <= nsig; sig++)
		set += mask[(sig - 1) / 64] >> ((sig - 1) % 64) & 1;
	invert = set > nsig / 2;
	screc_buf_str(out, invert ? "~[" : "[");
	for (sig = 1; sig <= nsig; sig++) {
		bool bit = mask[(sig - 1) / 64] >> ((sig - 1) % 64) & 1;
		const char *name;

		if (bit == invert)
			continue;
		if (n++)
			screc_buf_char(out, ' ');
		if (sig == 32)
			screc_buf_str(out, "RTMIN");
		else if (sig > 32)
			screc_buf_printf(out, "RT_%u", sig - 32);
		else if ((name = xlat_name(&xlat_signals, sig)))
			screc_buf_str(out, name + 3);
		else
			screc_buf_printf(out, "%u", sig);
	}
	screc_buf_char(out, ']');
}

void
print_sigset_at(struct dctx *x, const struct decode_mem *m, uint64_t addr, uint64_t size)
{
	unsigned char buf[8];
	uint64_t mask;

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	/* the kernel's sigset_t is 8 bytes here; strace prints other sizes as the address */
	if (size != 8 || !mem_get(m, addr, buf, 8)) {
		print_ptr(x, addr);
		return;
	}
	mask = le64(buf);
	print_sigmask(x->out, &mask, 1);
}

/* The call's sigsetsize argument, or 8 when it has none. */
static uint64_t
sigsetsize(const struct dctx *x)
{
	unsigned i;

	for (i = 0; i < x->sig->nargs; i++)
		if (x->sig->args[i].type == ARG_SIGSETSIZE)
			return x->c->args[i];
	return 8;
}

static void
print_handler(struct screc_buf *out, uint64_t h)
{
	if (h == 0)
		screc_buf_str(out, "SIG_DFL");
	else if (h == 1)
		screc_buf_str(out, "SIG_IGN");
	else if (h == UINT64_MAX)
		screc_buf_str(out, "SIG_ERR");
	else
		screc_buf_printf(out, "%#" PRIx64, h);
}

static void
print_sigaction(struct dctx *x, const struct decode_mem *m, uint64_t addr)
{
	unsigned char b[32];
	uint64_t mask, flags;

	if (!mem_get(m, addr, b, sizeof(b))) {
		print_ptr(x, addr);
		return;
	}
	flags = le64(b + 8);
	mask = le64(b + 24);
	screc_buf_str(x->out, "{sa_handler=");
	print_handler(x->out, le64(b));
	screc_buf_str(x->out, ", sa_mask=");
	print_sigmask(x->out, &mask, 1);
	screc_buf_str(x->out, ", sa_flags=");
	xlat_print_flags(x->out, &xlat_sa_flags, flags);
	if (flags & 0x04000000)
		screc_buf_printf(x->out, ", sa_restorer=%#" PRIx64, le64(b + 16));
	screc_buf_char(x->out, '}');
}

static void
print_iovec(struct dctx *x, const struct decode_mem *m, uint64_t addr, uint64_t count, bool out)
{
	uint64_t left = out ? (uint64_t)x->c->ret : UINT64_MAX, i;
	unsigned char e[16];

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	/* all the entries printed must be there, else the address */
	for (i = 0; i < count && i < x->strsize; i++) {
		if (!mem_get(m, addr + 16 * i, e, sizeof(e))) {
			print_ptr(x, addr);
			return;
		}
	}
	screc_buf_char(x->out, '[');
	for (i = 0; i < count; i++) {
		uint64_t base, len;

		if (i == x->strsize) {
			screc_buf_str(x->out, ", ...");
			break;
		}
		mem_get(m, addr + 16 * i, e, sizeof(e));
		base = le64(e);
		len = le64(e + 8);
		screc_buf_str(x->out, i ? ", {iov_base=" : "{iov_base=");
		print_bytes(x, m, base, len < left ? len : left, false);
		screc_buf_printf(x->out, ", iov_len=%" PRIu64 "}", len);
		left -= len < left ? len : left;
	}
	screc_buf_char(x->out, ']');
}

/*
 * A struct msghdr from m: sendmsg's at entry, or (out) recvmsg's as the
 * kernel left it, whose msg_namelen strace prints beside the caller's
 * ("msg_namelen=32 => 16", read from the entry's memory) and whose buffers
 * hold the return value's bytes.
 */
static void
print_msghdr(struct dctx *x, const struct decode_mem *m, uint64_t addr, bool out)
{
	unsigned char h[56], u[4];
	uint64_t name, iov, iovlen, control, controllen;
	int namelen, user;

	if (!mem_get(m, addr, h, sizeof(h))) {
		print_ptr(x, addr);
		return;
	}
	name = le64(h);
	namelen = (int)le32(h + 8);
	iov = le64(h + 16);
	iovlen = le64(h + 24);
	control = le64(h + 32);
	controllen = le64(h + 40);
	user = namelen;
	if (out && x->c->mem && mem_get(x->c->mem, addr + 8, u, 4))
		user = (int)le32(u);
	screc_buf_str(x->out, "{msg_name=");
	print_sockaddr(x, m, name, namelen > user ? user : namelen);
	screc_buf_str(x->out, ", msg_namelen=");
	if (user != namelen)
		screc_buf_printf(x->out, "%d => ", user);
	screc_buf_printf(x->out, "%d, msg_iov=", namelen);
	print_iovec(x, m, iov, iovlen, out);
	screc_buf_printf(x->out, ", msg_iovlen=%" PRIu64, iovlen);
	if (controllen) {
		screc_buf_str(x->out, ", msg_control=");
		print_ptr(x, control);
	}
	screc_buf_printf(x->out, ", msg_controllen=%" PRIu64 ", msg_flags=", controllen);
	xlat_print_flags(x->out, &xlat_msg_flags, le32(h + 48));
	screc_buf_char(x->out, '}');
}

static void
print_wstatus(struct screc_buf *out, int s)
{
	screc_buf_str(out, "[{");
	if ((s & 0x7f) == 0) {
		screc_buf_printf(out, "WIFEXITED(s) && WEXITSTATUS(s) == %d", (s >> 8) & 0xff);
	} else if ((s & 0xff) == 0x7f) {
		screc_buf_str(out, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
		print_signal(out, (s >> 8) & 0xff);
	} else if (s == 0xffff) {
		screc_buf_str(out, "WIFCONTINUED(s)");
	} else {
		screc_buf_str(out, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		print_signal(out, s & 0x7f);
		if (s & 0x80)
			screc_buf_str(out, " && WCOREDUMP(s)");
	}
	screc_buf_str(out, "}]");
}

static void
print_argv(struct dctx *x, const struct decode_mem *m, uint64_t addr)
{
	unsigned char p[8];
	uint64_t i;

	for (i = 0; i <= x->strsize; i++) {
		if (!mem_get(m, addr + 8 * i, p, 8)) {
			print_ptr(x, addr);
			return;
		}
		if (!le64(p))
			break;
	}
	screc_buf_char(x->out, '[');
	for (i = 0;; i++) {
		uint64_t s;

		mem_get(m, addr + 8 * i, p, 8);
		s = le64(p);
		if (!s)
			break;
		if (i)
			screc_buf_str(x->out, ", ");
		if (i == x->strsize) {
			screc_buf_str(x->out, "...");
			break;
		}
		print_cstr(x, m, s);
	}
	screc_buf_char(x->out, ']');
}

static void
print_envp(struct dctx *x, const struct decode_mem *m, uint64_t addr)
{
	unsigned char p[8];
	uint64_t n;

	for (n = 0; n < ARRAY_MAX_ENVP; n++) {
		if (!mem_get(m, addr + 8 * n, p, 8)) {
			print_ptr(x, addr);
			return;
		}
		if (!le64(p))
			break;
	}
	if (n == ARRAY_MAX_ENVP) {
		print_ptr(x, addr);
		return;
	}
	screc_buf_printf(x->out, "%#" PRIx64 " /* %" PRIu64 " var%s */", addr, n, n == 1 ? "" : "s");
}

static void
print_clone_flags_sig(struct screc_buf *out, const struct xlat *t, uint64_t flags, bool sig_bits)
{
	uint64_t rest, sig = sig_bits ? flags & 0xff : 0;
	unsigned n;

	if (sig_bits)
		flags &= ~0xffULL;
	n = xlat_print_bits(out, t, flags, &rest);
	if (rest)
		screc_buf_printf(out, "%s%#" PRIx64, n++ ? "|" : "", rest);
	if (sig) {
		if (n++)
			screc_buf_char(out, '|');
		print_signal(out, (int64_t)sig);
	}
	if (!n)
		screc_buf_str(out, "0");
}

static void
print_clone_args(struct dctx *x, const struct decode_mem *m, uint64_t addr, uint64_t size)
{
	unsigned char b[88];
	uint64_t flags, sig;
	size_t n = size < sizeof(b) ? (size_t)size : sizeof(b);

	memset(b, 0, sizeof(b));
	if (size < 64 || !mem_get(m, addr, b, n)) {
		print_ptr(x, addr);
		return;
	}
	flags = le64(b);
	screc_buf_str(x->out, "{flags=");
	print_clone_flags_sig(x->out, &xlat_clone3_flags, flags, false);
	if (flags & 0x1000)
		screc_buf_printf(x->out, ", pidfd=%#" PRIx64, le64(b + 8));
	if (flags & (0x1000000 | 0x200000))
		screc_buf_printf(x->out, ", child_tid=%#" PRIx64, le64(b + 16));
	if (flags & 0x100000)
		screc_buf_printf(x->out, ", parent_tid=%#" PRIx64, le64(b + 24));
	sig = le64(b + 32);
	screc_buf_str(x->out, ", exit_signal=");
	if (sig)
		print_signal(x->out, (int64_t)sig);
	else
		screc_buf_str(x->out, "0");
	screc_buf_printf(x->out, ", stack=%#" PRIx64 ", stack_size=%#" PRIx64, le64(b + 40),
			 le64(b + 48));
	if (flags & 0x80000)
		screc_buf_printf(x->out, ", tls=%#" PRIx64, le64(b + 56));
	if (n >= 80 && (le64(b + 64) || le64(b + 72)))
		screc_buf_printf(x->out, ", set_tid=%#" PRIx64 ", set_tid_size=%" PRIu64,
				 le64(b + 64), le64(b + 72));
	if (n >= 88 && (flags & 0x200000000ULL))
		screc_buf_printf(x->out, ", cgroup=%" PRIu64, le64(b + 80));
	screc_buf_char(x->out, '}');
}

static void
print_open_how(struct dctx *x, const struct decode_mem *m, uint64_t addr, uint64_t size)
{
	unsigned char b[24];
	uint64_t flags, mode, rest;

	if (size < 24 || !mem_get(m, addr, b, sizeof(b))) {
		print_ptr(x, addr);
		return;
	}
	flags = le64(b);
	mode = le64(b + 8);
	screc_buf_str(x->out, "{flags=");
	xlat_print_enum(x->out, &xlat_open_accmode, flags & 3);
	if (flags & ~3ULL) {
		screc_buf_char(x->out, '|');
		if (xlat_print_bits(x->out, &xlat_open_flags, flags & ~3ULL, &rest)) {
			if (rest)
				screc_buf_printf(x->out, "|%#" PRIx64, rest);
		} else {
			screc_buf_printf(x->out, "%#" PRIx64, rest);
		}
	}
	if (mode || (flags & (0100 | 020000000)))
		screc_buf_printf(x->out, ", mode=%#03" PRIo64, mode);
	screc_buf_str(x->out, ", resolve=");
	xlat_print_flags(x->out, &xlat_resolve_flags, le64(b + 16));
	screc_buf_char(x->out, '}');
}

static void
print_fdset(struct dctx *x, const struct decode_mem *m, uint64_t addr)
{
	int nfds = (int)x->c->args[0], fd, n = 0;
	unsigned char *b;
	size_t len;

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	if (nfds < 0 || nfds > 1024 * 1024) {
		print_ptr(x, addr);
		return;
	}
	len = ((size_t)nfds + 63) / 64 * 8;
	b = malloc(len ? len : 1);
	if (!b || !mem_get(m, addr, b, len)) {
		free(b);
		print_ptr(x, addr);
		return;
	}
	screc_buf_char(x->out, '[');
	for (fd = 0; fd < nfds; fd++)
		if (b[fd / 8] >> (fd % 8) & 1)
			screc_buf_printf(x->out, n++ ? " %d" : "%d", fd);
	screc_buf_char(x->out, ']');
	free(b);
}

static void
print_pollfds(struct dctx *x, const struct decode_mem *m, uint64_t addr, uint64_t count)
{
	unsigned char e[8];
	uint64_t i;

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	for (i = 0; i < count && i < x->strsize; i++) {
		if (!mem_get(m, addr + 8 * i, e, sizeof(e))) {
			print_ptr(x, addr);
			return;
		}
	}
	screc_buf_char(x->out, '[');
	for (i = 0; i < count; i++) {
		if (i == x->strsize) {
			screc_buf_str(x->out, ", ...");
			break;
		}
		mem_get(m, addr + 8 * i, e, sizeof(e));
		screc_buf_str(x->out, i ? ", {fd=" : "{fd=");
		print_fd(x, (int)le32(e));
		screc_buf_str(x->out, ", events=");
		xlat_print_flags(x->out, &xlat_poll_events, le16(e + 4));
		screc_buf_char(x->out, '}');
	}
	screc_buf_char(x->out, ']');
}

static void
print_epoll_event_buf(struct screc_buf *out, const unsigned char *e)
{
	uint64_t data = le64(e + 4);

	screc_buf_str(out, "{events=");
	xlat_print_flags(out, &xlat_epoll_events, le32(e));
	screc_buf_printf(out, ", data={u32=%u, u64=%" PRIu64 "}}", (uint32_t)data, data);
}

static void
print_epoll_events(struct dctx *x, const struct decode_mem *m, uint64_t addr, uint64_t count)
{
	unsigned char e[12];
	uint64_t i;

	for (i = 0; i < count && i < x->strsize; i++) {
		if (!mem_get(m, addr + 12 * i, e, sizeof(e))) {
			print_ptr(x, addr);
			return;
		}
	}
	screc_buf_char(x->out, '[');
	for (i = 0; i < count; i++) {
		if (i)
			screc_buf_str(x->out, ", ");
		if (i == x->strsize) {
			screc_buf_str(x->out, "...");
			break;
		}
		mem_get(m, addr + 12 * i, e, sizeof(e));
		print_epoll_event_buf(x->out, e);
	}
	screc_buf_char(x->out, ']');
}

/* strace's print_symbolic_mode_t: S_IFDIR|S_ISVTX|0777 */
static void
print_stat_mode(struct screc_buf *out, uint32_t mode)
{
	static const char *const types[16] = {
		[014] = "S_IFSOCK", [012] = "S_IFLNK", [010] = "S_IFREG", [006] = "S_IFBLK",
		[004] = "S_IFDIR", [002] = "S_IFCHR", [001] = "S_IFIFO",
	};
	const char *type = types[(mode >> 12) & 017];

	if (!type) {
		screc_buf_printf(out, "%#03o", mode);
		return;
	}
	screc_buf_printf(out, "%s|%s%s%s%#03o", type, mode & 04000 ? "S_ISUID|" : "",
			 mode & 02000 ? "S_ISGID|" : "", mode & 01000 ? "S_ISVTX|" : "",
			 mode & 0777);
}

/*
 * struct stat as strace prints it by default: the mode, then the device for
 * devices or the size for the rest, then "...".  Only the first 56 bytes:
 * what record --capture takes at exit.
 */
static void
print_stat(struct dctx *x, const struct decode_mem *m, uint64_t addr)
{
	unsigned char b[56];
	uint32_t mode;

	if (!mem_get(m, addr, b, sizeof(b))) {
		print_ptr(x, addr);
		return;
	}
	mode = le32(b + 24);
	screc_buf_str(x->out, "{st_mode=");
	print_stat_mode(x->out, mode);
	if ((mode & 0170000) == 0060000 || (mode & 0170000) == 0020000) {
		uint64_t v = le64(b + 40);

		screc_buf_printf(x->out, ", st_rdev=makedev(%#x, %#x)",
				 (unsigned)(((v >> 8) & 0xfff) | ((v >> 32) & ~0xfffULL)),
				 (unsigned)((v & 0xff) | ((v >> 12) & ~0xffULL)));
	} else {
		screc_buf_printf(x->out, ", st_size=%" PRIu64, le64(b + 48));
	}
	screc_buf_str(x->out, ", ...}");
}

/* struct statx as strace prints it by default, from its first 48 bytes. */
static void
print_statx(struct dctx *x, const struct decode_mem *m, uint64_t addr)
{
	unsigned char b[48];

	if (!mem_get(m, addr, b, sizeof(b))) {
		print_ptr(x, addr);
		return;
	}
	screc_buf_str(x->out, "{stx_mask=");
	xlat_print_flags(x->out, &xlat_statx_mask, le32(b));
	screc_buf_str(x->out, ", stx_attributes=");
	xlat_print_flags(x->out, &xlat_statx_attrs, le64(b + 8));
	screc_buf_str(x->out, ", stx_mode=");
	print_stat_mode(x->out, le16(b + 28));
	screc_buf_printf(x->out, ", stx_size=%" PRIu64 ", ...}", le64(b + 40));
}

void
print_struct_arg(struct dctx *x, const struct decode_mem *m, unsigned type, unsigned i,
		 uint64_t addr)
{
	const struct decode_call *c = x->c;
	uint64_t next = i + 1 < 6 ? c->args[i + 1] : 0;
	unsigned char b[32];

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	switch (type) {
	case ARG_SOCKADDR:
		print_sockaddr(x, m, addr, (int)next);
		return;
	case ARG_SOCKADDR_LENP: {
		int len;

		if (!next || !mem_get(m, next, b, 4)) {
			print_ptr(x, addr);
			return;
		}
		/* strace: the shorter of the caller's length and the kernel's */
		len = (int)le32(b);
		if (m != c->mem && c->mem && mem_get(c->mem, next, b, 4) && (int)le32(b) < len)
			len = (int)le32(b);
		print_sockaddr(x, m, addr, len);
		return;
	}
	case ARG_INTP:
		if (mem_get(m, addr, b, 4)) {
			int user = (int)le32(b);

			/* an address's in-out length the kernel changed: [32 => 16] */
			if (i > 0 && x->sig->args[i - 1].type == ARG_SOCKADDR_LENP && call_ok(c) &&
			    c->exit_mem && mem_get(c->exit_mem, addr, b, 4) && (int)le32(b) != user)
				screc_buf_printf(x->out, "[%d => %d]", user, (int)le32(b));
			else
				screc_buf_printf(x->out, "[%d]", user);
			return;
		}
		break;
	case ARG_SOCKOPT_VAL:
		if ((int)next == 4 && mem_get(m, addr, b, 4)) {
			screc_buf_printf(x->out, "[%d]", (int)le32(b));
			return;
		}
		break;
	case ARG_LOFFP:
		if (mem_get(m, addr, b, 8)) {
			screc_buf_printf(x->out, "[%" PRId64 "]", (int64_t)le64(b));
			return;
		}
		break;
	case ARG_IOVEC:
		print_iovec(x, m, addr, next, x->sig->args[i].out);
		return;
	case ARG_MSGHDR:
		print_msghdr(x, m, addr, x->sig->args[i].out);
		return;
	case ARG_STAT:
		print_stat(x, m, addr);
		return;
	case ARG_STATX:
		print_statx(x, m, addr);
		return;
	case ARG_TIMESPEC:
		if (mem_get(m, addr, b, 16)) {
			print_timespec_buf(x->out, b, "tv_nsec");
			return;
		}
		break;
	case ARG_TIMEVAL:
		if (mem_get(m, addr, b, 16)) {
			print_timespec_buf(x->out, b, "tv_usec");
			return;
		}
		break;
	case ARG_ITIMERSPEC:
	case ARG_ITIMERVAL:
		if (mem_get(m, addr, b, 32)) {
			const char *frac = type == ARG_ITIMERSPEC ? "tv_nsec" : "tv_usec";

			screc_buf_str(x->out, "{it_interval=");
			print_timespec_buf(x->out, b, frac);
			screc_buf_str(x->out, ", it_value=");
			print_timespec_buf(x->out, b + 16, frac);
			screc_buf_char(x->out, '}');
			return;
		}
		break;
	case ARG_RLIMIT:
	case ARG_RLIMIT64:
		if (mem_get(m, addr, b, 16)) {
			const char *inf = type == ARG_RLIMIT ? "RLIM_INFINITY" : "RLIM64_INFINITY";

			screc_buf_str(x->out, "{rlim_cur=");
			print_rlim(x->out, le64(b), inf);
			screc_buf_str(x->out, ", rlim_max=");
			print_rlim(x->out, le64(b + 8), inf);
			screc_buf_char(x->out, '}');
			return;
		}
		break;
	case ARG_SIGSET:
		print_sigset_at(x, m, addr, sigsetsize(x));
		return;
	case ARG_SIGACTION:
		print_sigaction(x, m, addr);
		return;
	case ARG_FDPAIR:
		if (mem_get(m, addr, b, 8)) {
			screc_buf_char(x->out, '[');
			print_fd(x, (int)le32(b));
			screc_buf_str(x->out, ", ");
			print_fd(x, (int)le32(b + 4));
			screc_buf_char(x->out, ']');
			return;
		}
		break;
	case ARG_FDSET:
		print_fdset(x, m, addr);
		return;
	case ARG_POLLFD:
		print_pollfds(x, m, addr, next);
		return;
	case ARG_EPOLL_EVENT:
		if (mem_get(m, addr, b, 12)) {
			print_epoll_event_buf(x->out, b);
			return;
		}
		break;
	case ARG_EPOLL_EVENTS:
		print_epoll_events(x, m, addr, (uint64_t)c->ret);
		return;
	case ARG_WSTATUS:
		/* strace: only a call that reaped a child wrote a status */
		if (c->ret > 0 && mem_get(m, addr, b, 4)) {
			print_wstatus(x->out, (int)le32(b));
			return;
		}
		break;
	case ARG_ARGV:
		print_argv(x, m, addr);
		return;
	case ARG_ENVP:
		print_envp(x, m, addr);
		return;
	case ARG_CLONE_ARGS:
		print_clone_args(x, m, addr, next);
		return;
	case ARG_OPEN_HOW:
		print_open_how(x, m, addr, next);
		return;
	}
	print_ptr(x, addr);
}
