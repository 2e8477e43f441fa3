// SPDX-License-Identifier: MIT
/*
 * The syscall decoder on synthetic calls with a fake memory callback.  Unless a comment says
 * otherwise, each expected line is what strace 6.1 printed on the project's machine for the
 * same call (programs that made the calls, run under "strace -f", with the process's
 * addresses copied into the fake memory); the padding strace puts before " = " is dropped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/syscalls.h"
#include "report/decode/decode.h"
#include "tap.h"

#define MAX_REGIONS 64

struct region {
	uint64_t addr;
	size_t len;
	unsigned char *bytes;
};

struct space {
	struct region r[MAX_REGIONS];
	size_t n;
};

static struct space entry_space, exit_space;

static size_t
fake_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct space *s = arg;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct region *r = &s->r[i];
		size_t off, n;

		if (addr < r->addr || addr - r->addr >= r->len)
			continue;
		off = (size_t)(addr - r->addr);
		n = r->len - off < len ? r->len - off : len;
		memcpy(buf, r->bytes + off, n);
		return n;
	}
	return 0;
}

static const struct decode_mem entry_mem = { fake_read, &entry_space };
static const struct decode_mem exit_mem_v = { fake_read, &exit_space };

static void
space_reset(struct space *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->r[i].bytes);
	s->n = 0;
}

static uint64_t
put(struct space *s, uint64_t addr, const void *p, size_t n)
{
	struct region *r = &s->r[s->n++];

	r->addr = addr;
	r->len = n;
	r->bytes = malloc(n ? n : 1);
	memcpy(r->bytes, p, n);
	return addr;
}

/* A NUL-terminated string at addr (entry memory). */
static uint64_t
str(uint64_t addr, const char *s)
{
	return put(&entry_space, addr, s, strlen(s) + 1);
}

static uint64_t
u64s(struct space *s, uint64_t addr, int n, ...)
{
	uint64_t v[16];
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		v[i] = va_arg(ap, uint64_t);
	va_end(ap);
	return put(s, addr, v, (size_t)n * 8);
}

static struct decode_opts opts = { 32, false };
static bool use_exit_mem;

static const char *
fd_path(void *arg, int fd)
{
	(void)arg;
	if (fd == -100)
		return "/tmp/oracle";	/* the working directory */
	return fd == 3 ? "/etc/pass<w>d" : fd == 11 ? "pipe:[1234]" : NULL;
}

static const struct decode_fds fds = { fd_path, NULL };

static void
check_call(const char *want, const char *name, bool has_ret, int64_t ret, const uint64_t *args)
{
	struct screc_buf b = { 0 };
	struct decode_call c = { 0 };
	const char *got;

	c.nr = strncmp(name, "syscall_", 8) == 0 ? strtol(name + 8, NULL, 16)
						 : screc_syscall_nr(name);
	memcpy(c.args, args, sizeof(c.args));
	c.has_ret = has_ret;
	c.ret = ret;
	c.mem = &entry_mem;
	c.exit_mem = use_exit_mem ? &exit_mem_v : NULL;
	c.fds = &fds;
	decode_name(&b, c.nr);
	screc_buf_char(&b, '(');
	decode_args(&b, &c, &opts);
	screc_buf_char(&b, ')');
	decode_ret(&b, &c, &opts);
	got = screc_buf_text(&b);
	if (!tap_ok(strcmp(got, want) == 0, "%s", want))
		tap_diag("got  %s", got);
	screc_buf_release(&b);
}

#define CALL(want, name, ret, ...) \
	check_call(want, name, true, ret, (const uint64_t[6]){ __VA_ARGS__ })
#define CALL_NORET(want, name, ...) \
	check_call(want, name, false, 0, (const uint64_t[6]){ __VA_ARGS__ })

#define E(n) (-(int64_t)(n))

static void
test_files(void)
{
	uint64_t p;

	space_reset(&entry_space);
	p = str(0x7fd98b96f380, "/etc/hostname");
	CALL("openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY|O_CLOEXEC) = 3", "openat", 3,
	     (uint64_t)-100, p, 02000000);
	p = str(0x1000, "/tmp/oracle/x\t\n\"\\\001\377\303\251");
	CALL("openat(AT_FDCWD, \"/tmp/oracle/x\\t\\n\\\"\\\\\\1\\377\\303\\251\", "
	     "O_WRONLY|O_CREAT|O_TRUNC|0x40000000, 0644) = 3", "openat", 3,
	     (uint64_t)-100, p, 01 | 0100 | 01000 | 0x40000000, 0644);
	p = str(0x2000, "/nonexistent");
	CALL("openat(AT_FDCWD, \"/nonexistent\", O_RDONLY) = -1 ENOENT (No such file or directory)",
	     "openat", E(2), (uint64_t)-100, p, 0);
	p = str(0x3000, "x");
	CALL("openat(-5, \"x\", O_RDONLY) = -1 EBADF (Bad file descriptor)", "openat", E(9),
	     (uint64_t)-5, p, 0, 0);
	CALL("openat(100, \"x\", O_ACCMODE|O_CREAT, 07777) = -1 EBADF (Bad file descriptor)",
	     "openat", E(9), 100, p, 3 | 0100, 07777);
	CALL("openat(AT_FDCWD, \"x\", O_RDONLY|O_TMPFILE, 000) = -1 EINVAL (Invalid argument)",
	     "openat", E(22), (uint64_t)-100, p, 020200000, 0);
	CALL("openat(AT_FDCWD, \"x\", O_RDONLY|O_PATH) = -1 ENOENT (No such file or directory)",
	     "openat", E(2), (uint64_t)-100, p, 010000000);
	CALL("close(3) = 0", "close", 0, 3);
	CALL("close(-1) = -1 EBADF (Bad file descriptor)", "close", E(9), (uint64_t)-1);
	CALL("close(2147483647) = -1 EBADF (Bad file descriptor)", "close", E(9), 0x7fffffff);
	CALL("close(0) = 0", "close", 0, 0x100000000);
	CALL("close_range(50, 60, 0) = 0", "close_range", 0, 50, 60, 0);
	p = str(0x4000, "/etc/passwd");
	CALL("access(\"/etc/passwd\", R_OK|W_OK) = 0", "access", 0, p, 6);
	CALL("faccessat2(AT_FDCWD, \"/etc/passwd\", F_OK, AT_EACCESS) = 0", "faccessat2", 0,
	     (uint64_t)-100, p, 0, 0x200);
	p = str(0x5000, "/x");
	CALL("access(\"/x\", 0x100 /* ?_OK */) = -1 EINVAL (Invalid argument)", "access", E(22),
	     p, 0x100);
	p = str(0x6000, "/tmp/oracle/d");
	CALL("mkdir(\"/tmp/oracle/d\", 0755) = 0", "mkdir", 0, p, 0755);
	p = str(0x7000, "/proc/x");
	CALL("mkdir(\"/proc/x\", 0104755) = -1 ENOENT (No such file or directory)", "mkdir", E(2),
	     p, 0104755);
	CALL("mknod(\"/proc/x\", S_IFCHR|0644, makedev(0x1, 0x3)) = -1 ENOENT (No such file or "
	     "directory)", "mknod", E(2), p, 0020644, 0x0103);
	CALL("fchmodat(AT_FDCWD, \"/proc/x\", 01777) = -1 ENOENT (No such file or directory)",
	     "fchmodat", E(2), (uint64_t)-100, p, 01777);
	CALL("umask(022) = 022", "umask", 022, 022);
	CALL("umask(0177777) = 022", "umask", 022, 0777777);
	CALL("lseek(3, 0, SEEK_END) = 3", "lseek", 3, 3, 0, 2);
	CALL("lseek(0, 4294967291, 0x9 /* SEEK_??? */) = -1 EINVAL (Invalid argument)", "lseek",
	     E(22), 0, 4294967291, 9);
	CALL("lseek(0, 140737488355327, SEEK_CUR) = -1 EBADF (Bad file descriptor)", "lseek",
	     E(9), 0, 0x7fffffffffff, 1);
	CALL("read(-1, NULL, 68719476736) = -1 EBADF (Bad file descriptor)", "read", E(9),
	     (uint64_t)-1, 0, 0x1000000000);
	p = str(0x8000, "/etc");
	/* strace prints the stat struct from the process at exit; without exit memory: the address */
	CALL("newfstatat(AT_FDCWD, \"/etc\", 0x7ffe0000, AT_SYMLINK_NOFOLLOW) = 0", "newfstatat", 0,
	     (uint64_t)-100, p, 0x7ffe0000, 0x100);
	CALL("statx(AT_FDCWD, \"/etc\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, 0x7ffe0000) = 0",
	     "statx", 0, (uint64_t)-100, p, 0, 0x7ff, 0x7ffe0000);
	/* not from strace: unknown statx bits */
	CALL("statx(AT_FDCWD, \"/etc\", AT_STATX_DONT_SYNC|AT_EMPTY_PATH, STATX_TYPE|0x80000000, "
	     "NULL) = -1 EFAULT (Bad address)", "statx", E(14), (uint64_t)-100, p, 0x5000,
	     0x80000001, 0);
}

static void
test_strings(void)
{
	static const char text[] = "hello\n\033[0m 0123456789012345678901234567890123456789";
	uint64_t p;

	space_reset(&entry_space);
	p = put(&entry_space, 0x10000, text, 50);
	CALL("write(1, \"hello\\n\\33[0m 012345678901234567890\"..., 50) = 50", "write", 50, 1, p, 50);
	CALL("write(1, NULL, 0) = 0", "write", 0, 1, 0, 0);
	CALL("write(1, 0x10, 5) = 5", "write", 5, 1, 0x10, 5);
	CALL("write(1, 0x10, 18446744073709551615) = -1 EFAULT (Bad address)", "write", E(14), 1,
	     0x10, UINT64_MAX);
	/* -s 5 (not from strace: its rule, -s bytes then "...") */
	opts.strsize = 5;
	CALL("write(1, \"hello\"..., 50) = 50", "write", 50, 1, p, 50);
	CALL("write(1, \"hello\", 5) = 5", "write", 5, 1, p, 5);
	opts.strsize = 32;
	/* only 40 of 50 bytes readable: strace needs -s of them, more is not needed */
	space_reset(&entry_space);
	p = put(&entry_space, 0x10000, text, 40);
	CALL("write(1, \"hello\\n\\33[0m 012345678901234567890\"..., 50) = 50", "write", 50, 1, p, 50);
	/* only 10 readable: the address, never a guessed or shortened string */
	space_reset(&entry_space);
	p = put(&entry_space, 0x10000, text, 10);
	CALL("write(1, 0x10000, 50) = 50", "write", 50, 1, p, 50);
	/* octal escapes: three digits before an octal digit */
	space_reset(&entry_space);
	p = put(&entry_space, 0x10000, "\0\t\0011\x7f", 5);
	CALL("write(1, \"\\0\\t\\0011\\177\", 5) = 5", "write", 5, 1, p, 5);
	/* a path running into the end of readable memory without a NUL prints as its address */
	space_reset(&entry_space);
	p = put(&entry_space, 0x20000, "/etc/pas", 8);
	CALL("openat(AT_FDCWD, 0x20000, O_RDONLY) = -1 ENOENT (No such file or directory)",
	     "openat", E(2), (uint64_t)-100, p, 0);
	CALL("openat(AT_FDCWD, 0x30000, O_RDONLY) = -1 EFAULT (Bad address)", "openat", E(14),
	     (uint64_t)-100, 0x30000, 0);
	/* a path longer than -s: paths are not cut at -s (strace's printpath) */
	p = str(0x40000, "/a/very/long/path/that/is/longer/than/thirty/two/bytes");
	CALL("unlink(\"/a/very/long/path/that/is/longer/than/thirty/two/bytes\") = 0", "unlink", 0, p);
	/* a NUL-terminated string longer than -s: cut, with "..." (prctl's name) */
	p = str(0x50000, "0123456789012345678901234567890123456789");
	CALL("prctl(PR_SET_NAME, \"01234567890123456789012345678901\"...) = 0", "prctl", 0, 15, p);
	/* exactly -s bytes and then the NUL: complete */
	p = str(0x60000, "01234567890123456789012345678901");
	CALL("prctl(PR_SET_NAME, \"01234567890123456789012345678901\") = 0", "prctl", 0, 15, p);
	/* -s bytes readable, no NUL: the next byte decides, so the address */
	p = put(&entry_space, 0x70000, "01234567890123456789012345678901", 32);
	CALL("prctl(PR_SET_NAME, 0x70000) = 0", "prctl", 0, 15, p);
	p = str(0x80000, "abc");
	CALL("prctl(PR_SET_NAME, \"abc\") = 0", "prctl", 0, 15, p);
	CALL("prctl(PR_SET_PDEATHSIG, SIGTERM) = 0", "prctl", 0, 1, 15);
	CALL("prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0", "prctl", 0, 38, 1, 0, 0, 0);
	CALL("prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) = 1", "prctl", 1, 39, 0, 0, 0, 0);
	CALL("prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)", "prctl", 1, 3);
	CALL("prctl(PR_SET_DUMPABLE, SUID_DUMP_USER) = 0", "prctl", 0, 4, 1);
	CALL("prctl(PR_SET_CHILD_SUBREAPER, 1) = 0", "prctl", 0, 36, 1);
	CALL("prctl(0x270f /* PR_??? */, 0x1, 0x2, 0x3, 0x4) = -1 EINVAL (Invalid argument)",
	     "prctl", E(22), 9999, 1, 2, 3, 4);
	p = str(0x90000, "mfd");
	CALL("memfd_create(\"mfd\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 20", "memfd_create", 20, p, 3);
	/* -y */
	opts.fd_paths = true;
	/* strace 6.1 -y: "close(3</tmp/oracle/a\\74b\\76c>) = 0", and AT_FDCWD</tmp/oracle> */
	CALL("close(3</etc/pass\\74w\\76d>) = 0", "close", 0, 3);
	CALL("dup(11<pipe:[1234]>) = 3</etc/pass\\74w\\76d>", "dup", 3, 11);
	CALL("openat(AT_FDCWD</tmp/oracle>, \"x\", O_RDONLY) = 4", "openat", 4, (uint64_t)-100,
	     str(0xa0000, "x"), 0);
	CALL("close(4) = 0", "close", 0, 4);
	opts.fd_paths = false;
}

static void
test_net(void)
{
	unsigned char sin[16] = { 2, 0, 0, 9, 127, 0, 0, 1 };
	unsigned char sin6[28] = { 10, 0, 0, 80, 0, 0, 0, 5 };
	unsigned char sun[110] = { 1, 0 };
	unsigned char snl[12] = { 16, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0 };
	unsigned char big[200] = { 0 };
	int one = 1;
	uint64_t p, q, r;

	space_reset(&entry_space);
	CALL("socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_TCP) = 4", "socket", 4,
	     2, 1 | 02000000 | 04000, 6);
	CALL("socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 5", "socket", 5, 10, 2, 0);
	CALL("socket(AF_UNIX, SOCK_STREAM, 0) = 6", "socket", 6, 1, 1, 0);
	CALL("socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 7", "socket", 7, 16, 3, 0);
	CALL("socket(0x63 /* AF_??? */, SOCK_RAW|0x60 /* SOCK_??? */, 0) = -1 EINVAL (Invalid "
	     "argument)", "socket", E(22), 99, 99, 0);
	CALL("socket(AF_INET, SOCK_STREAM, 0x3e7 /* IPPROTO_??? */) = -1 EINVAL (Invalid argument)",
	     "socket", E(22), 2, 1, 999);
	CALL("socket(AF_INET, SOCK_CLOEXEC|SOCK_NONBLOCK|0x40000, IPPROTO_IP) = -1 EINVAL (Invalid "
	     "argument)", "socket", E(22), 2, 0x80000 | 0x800 | 0x40000, 0);
	p = put(&entry_space, 0x7ffebb1e5f60, sin, sizeof(sin));
	CALL("connect(4, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr(\"127.0.0.1\")}, "
	     "16) = -1 EINPROGRESS (Operation now in progress)", "connect", E(115), 4, p, 16);
	CALL("connect(4, 0x7ffebb1e5f60, 0) = -1 EINVAL (Invalid argument)", "connect", E(22), 4, p, 0);
	CALL("connect(4, {sa_family=AF_INET, sa_data=\"\\0\\t\"}, 4) = -1 ECONNREFUSED (Connection "
	     "refused)", "connect", E(111), 4, p, 4);
	/* not from strace: a length that does not fit an int is negative, so the address */
	CALL("connect(4, 0x7ffebb1e5f60, -1) = -1 EINVAL (Invalid argument)", "connect",
	     E(22), 4, p, 0xffffffff);
	memcpy(big, sin, sizeof(sin));
	q = put(&entry_space, 0x100000, big, sizeof(big));
	CALL("connect(4, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr(\"127.0.0.1\")}, "
	     "200) = -1 EINVAL (Invalid argument)", "connect", E(22), 4, q, 200);
	/* 200 claimed, 16 readable: strace reads 128 bytes, so the address */
	CALL("connect(4, 0x7ffebb1e5f60, 200) = -1 EINVAL (Invalid argument)", "connect", E(22), 4,
	     p, 200);
	sin6[23] = 1;
	p = put(&entry_space, 0x200000, sin6, sizeof(sin6));
	CALL("connect(5, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(5), "
	     "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = 0", "connect", 0, 5,
	     p, 28);
	q = put(&entry_space, 0x210000, "abc", 3);
	CALL("sendto(5, \"abc\", 3, MSG_DONTWAIT|MSG_NOSIGNAL, {sa_family=AF_INET6, "
	     "sin6_port=htons(80), sin6_flowinfo=htonl(5), inet_pton(AF_INET6, \"::1\", &sin6_addr), "
	     "sin6_scope_id=0}, 28) = 3", "sendto", 3, 5, q, 3, 0x40 | 0x4000, p, 28);
	/* not from strace: without the scope id (24 bytes) */
	CALL("connect(5, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(5), "
	     "inet_pton(AF_INET6, \"::1\", &sin6_addr)}, 24) = 0", "connect", 0, 5, p, 24);
	memcpy(sun + 2, "/tmp/sock", 9);
	p = put(&entry_space, 0x300000, sun, sizeof(sun));
	CALL("connect(6, {sa_family=AF_UNIX, sun_path=\"/tmp/sock\"}, 110) = -1 ENOENT (No such file "
	     "or directory)", "connect", E(2), 6, p, 110);
	CALL("connect(6, {sa_family=AF_UNIX, sun_path=\"/tmp/sock\"}, 12) = -1 ENOENT (No such file "
	     "or directory)", "connect", E(2), 6, p, 12);
	memset(sun + 2, 0, sizeof(sun) - 2);
	memcpy(sun + 3, "abstract", 8);
	p = put(&entry_space, 0x310000, sun, sizeof(sun));
	CALL("connect(6, {sa_family=AF_UNIX, sun_path=@\"abstract\"}, 11) = -1 ECONNREFUSED "
	     "(Connection refused)", "connect", E(111), 6, p, 11);
	p = put(&entry_space, 0x400000, snl, sizeof(snl));
	CALL("bind(7, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=0x000005}, 12) = 0", "bind", 0, 7,
	     p, 12);
	p = put(&entry_space, 0x500000, &one, sizeof(one));
	CALL("setsockopt(4, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", "setsockopt", 0, 4, 1, 2, p, 4);
	CALL("setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0", "setsockopt", 0, 4, 6, 1, p, 4);
	CALL("setsockopt(0, 0x3e7 /* SOL_?? */, 999, NULL, 0) = -1 ENOTSOCK (Socket operation on "
	     "non-socket)", "setsockopt", E(88), 0, 999, 999, 0, 0);
	CALL("setsockopt(0, SOL_SOCKET, 0x3e7 /* SO_??? */, NULL, 0) = -1 ENOTSOCK (Socket "
	     "operation on non-socket)", "setsockopt", E(88), 0, 1, 999, 0, 0);
	CALL("shutdown(4, SHUT_RDWR) = -1 ENOTCONN (Transport endpoint is not connected)", "shutdown",
	     E(107), 4, 2);
	CALL("shutdown(0, 0x9 /* SHUT_??? */) = -1 ENOTSOCK (Socket operation on non-socket)",
	     "shutdown", E(88), 0, 9);
	CALL("listen(4, 5) = 0", "listen", 0, 4, 5);
	/* outputs: from exit memory when the call succeeded */
	space_reset(&exit_space);
	r = u64s(&exit_space, 0x600000, 1, (uint64_t)8 | (uint64_t)9 << 32);
	CALL("socketpair(AF_UNIX, SOCK_STREAM, 0, 0x600000) = 0", "socketpair", 0, 1, 1, 0, r);
	use_exit_mem = true;
	CALL("socketpair(AF_UNIX, SOCK_STREAM, 0, [8, 9]) = 0", "socketpair", 0, 1, 1, 0, r);
	CALL("socketpair(AF_UNIX, SOCK_STREAM, 0, 0x600000) = -1 EMFILE (Too many open files)",
	     "socketpair", E(24), 1, 1, 0, r);
	use_exit_mem = false;
	CALL_NORET("socketpair(AF_UNIX, SOCK_STREAM, 0, 0x600000) = ?", "socketpair", 1, 1, 0, r);
}

static void
test_memory(void)
{
	CALL("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
	     "0x7f8c2e5f9000", "mmap", 0x7f8c2e5f9000, 0, 8192, 3, 0x22, (uint64_t)-1, 0);
	CALL("mprotect(0x7f8c2e5f9000, 4096, PROT_NONE) = 0", "mprotect", 0, 0x7f8c2e5f9000, 4096, 0);
	CALL("mremap(0x7f8c2e5f9000, 8192, 16384, MREMAP_MAYMOVE) = -1 EFAULT (Bad address)",
	     "mremap", E(14), 0x7f8c2e5f9000, 8192, 16384, 1);
	CALL("madvise(0xffffffffffffffff, 4096, MADV_DONTNEED) = -1 EINVAL (Invalid argument)",
	     "madvise", E(22), UINT64_MAX, 4096, 4);
	CALL("mremap(NULL, 0, 0, MREMAP_MAYMOVE|MREMAP_FIXED, 0x1000) = -1 EINVAL (Invalid argument)",
	     "mremap", E(22), 0, 0, 0, 3, 0x1000);
	CALL("munmap(0xffffffffffffffff, 16384) = -1 EINVAL (Invalid argument)", "munmap", E(22),
	     UINT64_MAX, 16384);
	CALL("mmap(0x10000, 4096, PROT_EXEC, MAP_SHARED|MAP_FIXED|2<<MAP_HUGE_SHIFT, 5, 0x1000) = "
	     "-1 EPERM (Operation not permitted)", "mmap", E(1), 0x10000, 4096, 4,
	     1 | 0x10 | 0x8000000, 5, 4096);
	CALL("mmap(NULL, 4096, PROT_NONE, MAP_FILE|MAP_FIXED_NOREPLACE, -1, 0) = -1 EBADF (Bad file "
	     "descriptor)", "mmap", E(9), 0, 4096, 0, 0x100000, 0xffffffff, 0);
	CALL("mmap(NULL, 41791, PROT_READ, MAP_PRIVATE, 4, 0) = 0x7fdb1018d000", "mmap",
	     0x7fdb1018d000, 0, 41791, 1, 2, 4, 0);
	CALL("mmap(0x7fdb0ffd1000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, "
	     "4, 0x26000) = 0x7fdb0ffd1000", "mmap", 0x7fdb0ffd1000, 0x7fdb0ffd1000, 1400832, 5,
	     0x812, 4, 0x26000);
	CALL("madvise(NULL, 0, 0x3e7 /* MADV_??? */) = -1 EINVAL (Invalid argument)", "madvise",
	     E(22), 0, 0, 999);
	CALL("mprotect(NULL, 0, 0x100 /* PROT_??? */) = 0", "mprotect", 0, 0, 0, 0x100);
	CALL("brk(NULL) = 0x55ee310f1000", "brk", 0x55ee310f1000, 0);
	CALL("brk(0x10) = 0x55a04093f000", "brk", 0x55a04093f000, 0x10);
	CALL("set_robust_list(0x7fdb0ffa8a20, 24) = 0", "set_robust_list", 0, 0x7fdb0ffa8a20, 24);
	CALL("set_tid_address(0x10) = 20706", "set_tid_address", 20706, 0x10);
	CALL("arch_prctl(ARCH_SET_FS, 0x7fdb0ffa8740) = 0", "arch_prctl", 0, 0x1002, 0x7fdb0ffa8740);
	CALL("arch_prctl(ARCH_SET_GS, 0) = 0", "arch_prctl", 0, 0x1001, 0);
	/* calls strace has no decoder for: raw hex */
	CALL("rseq(0x7fdb0ffa9060, 0x20, 0, 0x53053053) = 0", "rseq", 0, 0x7fdb0ffa9060, 0x20, 0,
	     0x53053053);
	CALL("syscall_0x4cf(0x1000, 0, 0xffffffffffffff80, 0xffffffff, 0, 0x1) = -1 ENOSYS "
	     "(Function not implemented)", "syscall_0x4cf", E(38), 0x1000, 0, 0xffffffffffffff80,
	     0xffffffff, 0, 1);
}

static void
test_fds(void)
{
	uint64_t r;

	space_reset(&exit_space);
	r = u64s(&exit_space, 0x700000, 1, (uint64_t)11 | (uint64_t)12 << 32);
	use_exit_mem = true;
	CALL("pipe2([11, 12], O_NONBLOCK|O_CLOEXEC) = 0", "pipe2", 0, r, 04000 | 02000000);
	use_exit_mem = false;
	CALL("pipe2(NULL, 0) = -1 EFAULT (Bad address)", "pipe2", E(14), 0, 0);
	CALL("pipe2(0x10, O_EXCL) = -1 ENOPKG (Package not installed)", "pipe2", E(65), 0x10, 0x80);
	CALL("dup(11) = 13", "dup", 13, 11);
	CALL("dup2(11, 100) = 100", "dup2", 100, 11, 100);
	CALL("dup2(1, 1) = 1", "dup2", 1, 1, 1);
	CALL("dup3(11, 101, O_CLOEXEC) = 101", "dup3", 101, 11, 101, 02000000);
	CALL("fcntl(11, F_GETFL) = 0x800 (flags O_RDONLY|O_NONBLOCK)", "fcntl", 0x800, 11, 3);
	CALL("fcntl(0, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)", "fcntl", 0x8000, 0, 3);
	CALL("fcntl(11, F_SETFL, O_RDONLY|O_APPEND|O_NONBLOCK) = 0", "fcntl", 0, 11, 4, 04000 | 02000);
	CALL("fcntl(11, F_DUPFD_CLOEXEC, 10) = 14", "fcntl", 14, 11, 1030, 10);
	CALL("fcntl(11, F_SETFD, FD_CLOEXEC) = 0", "fcntl", 0, 11, 2, 1);
	CALL("fcntl(11, F_GETFD) = 0x1 (flags FD_CLOEXEC)", "fcntl", 1, 11, 1);
	CALL("fcntl(11, 0x270f /* F_??? */, 0) = -1 EINVAL (Invalid argument)", "fcntl", E(22), 11,
	     9999, 0);
	CALL("fcntl(0, F_SETLEASE, F_RDLCK) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0,
	     1024, 0);
	CALL("fcntl(0, F_ADD_SEALS, 0) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0, 1033, 0);
	CALL("fcntl(0, F_SETLK, NULL) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0, 6, 0);
	CALL("fcntl(0, F_SETOWN, 0) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0, 8, 0);
	CALL("fcntl(0, F_GETOWN_EX, NULL) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0, 16, 0);
	CALL("fcntl(0, F_GETLEASE) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0, 1025, 0);
	CALL("fcntl(0, F_NOTIFY, 0) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0, 1026, 0);
	CALL("fcntl(0, F_SETPIPE_SZ, 0) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0, 1031, 0);
	CALL("fcntl(0, F_GETPIPE_SZ) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0, 1032, 0);
	CALL("fcntl(0, F_GET_SEALS) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0, 1034, 0);
	CALL("fcntl(0, F_SETFD, 0) = -1 EBADF (Bad file descriptor)", "fcntl", E(9), 0, 2, 0);
	CALL("epoll_create1(EPOLL_CLOEXEC) = 15", "epoll_create1", 15, 02000000);
	CALL("eventfd2(3, EFD_CLOEXEC|EFD_NONBLOCK) = 16", "eventfd2", 16, 3, 02000000 | 04000);
	CALL("timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC) = 17", "timerfd_create", 17, 1, 02000000);
	CALL("inotify_init1(IN_NONBLOCK) = 19", "inotify_init1", 19, 04000);
	CALL("ioctl(1, TCGETS, NULL) = -1 ENOTTY (Inappropriate ioctl for device)", "ioctl", E(25),
	     1, 0x5401, 0);
	CALL("ioctl(1, FIONREAD, NULL) = -1 EFAULT (Bad address)", "ioctl", E(14), 1, 0x541b, 0);
	CALL("ioctl(1, _IOC(_IOC_NONE, 0x56, 0x78, 0x1234), 0x10) = -1 ENOTTY (Inappropriate ioctl "
	     "for device)", "ioctl", E(25), 1, 0x12345678, 0x10);
}

static void
test_fd_effects(void)
{
	struct decode_fd_effect e[3];
	struct decode_call c = { 0 };
	uint64_t p;

	space_reset(&entry_space);
	p = str(0x1000, "/etc/hostname");
	c.mem = &entry_mem;
	c.nr = screc_syscall_nr("openat");
	c.args[0] = (uint64_t)-100;
	c.args[1] = p;
	c.args[2] = 02000000;
	c.has_ret = true;
	c.ret = 3;
	tap_is(decode_fd_effects(&c, e, 3), 1, "openat opens one fd");
	tap_ok(e[0].op == DECODE_FD_OPEN && e[0].fd == 3 && e[0].cloexec && e[0].has_what &&
	       strcmp(e[0].what, "/etc/hostname") == 0 && e[0].dirfd == -100, "fd 3 is /etc/hostname, cloexec");
	c.ret = E(2);
	tap_is(decode_fd_effects(&c, e, 3), 0, "a failed openat opens nothing");
	c.has_ret = false;
	tap_is(decode_fd_effects(&c, e, 3), 0, "an openat without exit opens nothing");
	c.has_ret = true;
	c.ret = 3;
	c.args[1] = 0x999999;
	tap_is(decode_fd_effects(&c, e, 3), 1, "unreadable path: still one fd");
	tap_ok(!e[0].has_what, "but no path");

	memset(&c, 0, sizeof(c));
	c.nr = screc_syscall_nr("socket");
	c.args[0] = 2;
	c.args[1] = 1 | 02000000;
	c.has_ret = true;
	c.ret = 4;
	tap_is(decode_fd_effects(&c, e, 3), 1, "socket");
	tap_ok(strcmp(e[0].what, "socket:[AF_INET,SOCK_STREAM]") == 0 && e[0].cloexec, "%s", e[0].what);

	space_reset(&exit_space);
	u64s(&exit_space, 0x700000, 1, (uint64_t)11 | (uint64_t)12 << 32);
	memset(&c, 0, sizeof(c));
	c.nr = screc_syscall_nr("pipe2");
	c.args[0] = 0x700000;
	c.args[1] = 02000000;
	c.has_ret = true;
	tap_is(decode_fd_effects(&c, e, 3), 0, "pipe2 without exit memory: fds unknown");
	c.exit_mem = &exit_mem_v;
	tap_is(decode_fd_effects(&c, e, 3), 2, "pipe2 with exit memory: two fds");
	tap_ok(e[0].fd == 11 && e[1].fd == 12 && e[0].cloexec && strcmp(e[1].what, "pipe") == 0,
	       "11 and 12, pipes");
	tap_is(decode_fd_effects(&c, e, 1), 2, "max 1: still counts two");

	memset(&c, 0, sizeof(c));
	c.nr = screc_syscall_nr("dup2");
	c.args[0] = 11;
	c.args[1] = 100;
	c.has_ret = true;
	c.ret = 100;
	c.fds = &fds;
	tap_is(decode_fd_effects(&c, e, 3), 1, "dup2");
	tap_ok(e[0].fd == 100 && e[0].src_fd == 11 && strcmp(e[0].what, "pipe:[1234]") == 0 &&
	       !e[0].cloexec, "100 is a copy of 11");
	c.args[1] = 11;
	c.ret = 11;
	tap_is(decode_fd_effects(&c, e, 3), 0, "dup2(fd, fd) changes nothing");

	memset(&c, 0, sizeof(c));
	c.nr = screc_syscall_nr("fcntl");
	c.args[0] = 11;
	c.args[1] = 1030;
	c.has_ret = true;
	c.ret = 14;
	tap_is(decode_fd_effects(&c, e, 3), 1, "F_DUPFD_CLOEXEC");
	tap_ok(e[0].fd == 14 && e[0].src_fd == 11 && e[0].cloexec, "14 is a cloexec copy of 11");
	c.args[1] = 2;
	c.args[2] = 1;
	c.ret = 0;
	tap_is(decode_fd_effects(&c, e, 3), 1, "F_SETFD");
	tap_ok(e[0].op == DECODE_FD_CLOEXEC && e[0].fd == 11 && e[0].cloexec, "11 is cloexec");

	memset(&c, 0, sizeof(c));
	c.nr = screc_syscall_nr("close");
	c.args[0] = 5;
	c.has_ret = true;
	tap_is(decode_fd_effects(&c, e, 3), 1, "close");
	tap_ok(e[0].op == DECODE_FD_CLOSE && e[0].fd == 5, "5 closed");
	c.nr = screc_syscall_nr("close_range");
	c.args[0] = 50;
	c.args[1] = 60;
	c.args[2] = 4;
	tap_is(decode_fd_effects(&c, e, 3), 1, "close_range");
	tap_ok(e[0].op == DECODE_FD_CLOEXEC_RANGE && e[0].fd == 50 && e[0].last == 60,
	       "50..60 cloexec");
	c.args[1] = ~0ULL;
	c.args[2] = 0;
	decode_fd_effects(&c, e, 3);
	tap_ok(e[0].op == DECODE_FD_CLOSE_RANGE && e[0].last == 2147483647, "50..~0U closed");
	c.nr = screc_syscall_nr("execve");
	tap_is(decode_fd_effects(&c, e, 3), 1, "execve");
	tap_ok(e[0].op == DECODE_FD_EXEC, "cloexec fds go");

	memset(&c, 0, sizeof(c));
	p = str(0x2000, "mfd");
	c.mem = &entry_mem;
	c.nr = screc_syscall_nr("memfd_create");
	c.args[0] = p;
	c.args[1] = 1;
	c.has_ret = true;
	c.ret = 20;
	tap_is(decode_fd_effects(&c, e, 3), 1, "memfd_create");
	tap_ok(strcmp(e[0].what, "/memfd:mfd (deleted)") == 0 && e[0].cloexec, "%s", e[0].what);
}

static void
test_paths(void)
{
	struct decode_call c = { 0 };
	char buf[64];
	int dirfd = 0;

	space_reset(&entry_space);
	c.mem = &entry_mem;
	c.nr = screc_syscall_nr("renameat");
	c.args[0] = 7;
	c.args[1] = str(0x1000, "old");
	c.args[2] = (uint64_t)-100;
	c.args[3] = str(0x2000, "new");
	tap_ok(decode_path(&c, 0, buf, sizeof(buf), &dirfd) && strcmp(buf, "old") == 0 && dirfd == 7,
	       "renameat: first path old, relative to 7");
	tap_ok(decode_path(&c, 1, buf, sizeof(buf), &dirfd) && strcmp(buf, "new") == 0 &&
	       dirfd == -100, "second path new, relative to AT_FDCWD");
	tap_ok(!decode_path(&c, 2, buf, sizeof(buf), NULL), "no third path");
	tap_ok(!decode_path(&c, 0, buf, 3, NULL), "too small a buffer: NULL");
	c.args[1] = 0x5000;
	tap_ok(!decode_path(&c, 0, buf, sizeof(buf), NULL), "unreadable: NULL");
	c.nr = screc_syscall_nr("read");
	tap_ok(!decode_path(&c, 0, buf, sizeof(buf), NULL), "read has no path");
}

static void
test_signals_time(void)
{
	uint64_t act, p;

	space_reset(&entry_space);
	act = u64s(&entry_space, 0x1000, 4, 0x562fb77d85a9, 0x14000000, 0x7f8c2e44a050,
		   (uint64_t)(1 << 1 | 1 << 14));
	CALL("rt_sigaction(SIGUSR1, {sa_handler=0x562fb77d85a9, sa_mask=[INT TERM], "
	     "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f8c2e44a050}, NULL, 8) = 0",
	     "rt_sigaction", 0, 10, act, 0, 8);
	/* not from strace: SIG_IGN without a restorer */
	act = u64s(&entry_space, 0x2000, 4, 1, 0, 0, 0);
	CALL("rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}, NULL, 8) = 0",
	     "rt_sigaction", 0, 13, act, 0, 8);
	CALL("rt_sigaction(99, NULL, NULL, 8) = -1 EINVAL (Invalid argument)", "rt_sigaction",
	     E(22), 99, 0, 0, 8);
	CALL("rt_sigaction(SIGINT, 0x10, 0x20, 8) = -1 EFAULT (Bad address)", "rt_sigaction", E(14),
	     2, 0x10, 0x20, 8);
	p = u64s(&entry_space, 0x3000, 1, ~((uint64_t)3 << 31));
	CALL("rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1], NULL, 8) = 0", "rt_sigprocmask", 0, 0, p, 0, 8);
	p = u64s(&entry_space, 0x4000, 1, (uint64_t)0);
	CALL("rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = 0", "rt_sigprocmask", 0, 2, p, 0, 8);
	p = u64s(&entry_space, 0x5000, 1, (uint64_t)1 << 33 | (uint64_t)1 << 39);
	CALL("rt_sigprocmask(SIG_UNBLOCK, [RT_2 RT_8], NULL, 8) = 0", "rt_sigprocmask", 0, 1, p, 0, 8);
	CALL("signalfd4(-1, [RT_2 RT_8], 8, SFD_CLOEXEC) = 18", "signalfd4", 18, (uint64_t)-1, p, 8,
	     02000000);
	/* not from strace, its rule: a sigsetsize other than 8 prints the address */
	CALL("rt_sigprocmask(SIG_UNBLOCK, 0x5000, NULL, 16) = -1 EINVAL (Invalid argument)",
	     "rt_sigprocmask", E(22), 1, p, 0, 16);
	CALL("rt_sigprocmask(0x9 /* SIG_??? */, NULL, NULL, 8) = 0", "rt_sigprocmask", 0, 9, 0, 0, 8);
	CALL("signalfd4(-1, NULL, 8, 0) = -1 EFAULT (Bad address)", "signalfd4", E(14),
	     (uint64_t)-1, 0, 8, 0);
	CALL("kill(16777, 0) = 0", "kill", 0, 16777, 0);
	CALL("kill(999999, SIGKILL) = -1 ESRCH (No such process)", "kill", E(3), 999999, 9);
	CALL("kill(999999, 99) = -1 ESRCH (No such process)", "kill", E(3), 999999, 99);
	CALL("kill(999999, SIGRT_32) = -1 ESRCH (No such process)", "kill", E(3), 999999, 64);
	CALL("kill(999999, SIGRTMIN) = -1 ESRCH (No such process)", "kill", E(3), 999999, 32);
	CALL("tgkill(1, 2, 0) = -1 ESRCH (No such process)", "tgkill", E(3), 1, 2, 0);
	p = u64s(&entry_space, 0x6000, 2, (uint64_t)0, (uint64_t)1000);
	CALL("clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=1000}, NULL) = 0",
	     "clock_nanosleep", 0, 0, 0, p, 0);
	CALL("clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, {tv_sec=0, tv_nsec=1000}, NULL) = 0",
	     "clock_nanosleep", 0, 1, 1, p, 0);
	CALL("nanosleep(0x10, NULL) = -1 EFAULT (Bad address)", "nanosleep", E(14), 0x10, 0);
	space_reset(&exit_space);
	p = u64s(&exit_space, 0x7000, 2, (uint64_t)1796047973, (uint64_t)124135396);
	CALL("clock_gettime(CLOCK_TAI, 0x7000) = 0", "clock_gettime", 0, 11, p);
	use_exit_mem = true;
	CALL("clock_gettime(CLOCK_TAI, {tv_sec=1796047973, tv_nsec=124135396}) = 0", "clock_gettime",
	     0, 11, p);
	CALL("clock_gettime(0x63 /* CLOCK_??? */, NULL) = -1 EINVAL (Invalid argument)",
	     "clock_gettime", E(22), 99, 0);
	CALL("clock_gettime(0xfffffffe /* CLOCK_??? */, NULL) = -1 EFAULT (Bad address)",
	     "clock_gettime", E(14), (uint64_t)-2, 0);
	p = u64s(&exit_space, 0x8000, 2, (uint64_t)8192 * 1024, UINT64_MAX);
	CALL("prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0",
	     "prlimit64", 0, 0, 3, 0, p);
	p = u64s(&exit_space, 0x9000, 2, (uint64_t)20000, (uint64_t)20000);
	CALL("prlimit64(0, RLIMIT_NOFILE, NULL, {rlim_cur=20000, rlim_max=20000}) = 0", "prlimit64",
	     0, 0, 7, 0, p);
	p = put(&exit_space, 0xa000, "\x93\x17\xa5\xb1\xcb\x4c\x65\x46\x68\x5a\x57\x1c\x5a\x5a\x4d\xee", 16);
	CALL("getrandom(\"\\x93\\x17\\xa5\\xb1\\xcb\\x4c\\x65\\x46\\x68\\x5a\\x57\\x1c\\x5a\\x5a\\x4d\\xee\", "
	     "16, GRND_NONBLOCK) = 16", "getrandom", 16, p, 16, 1);
	p = put(&exit_space, 0xb000, "vm\n", 3);
	CALL("read(3, \"vm\\n\", 3) = 3", "read", 3, 3, p, 3);
	CALL("pread64(3, \"m\\n\", 5, 1) = 2", "pread64", 2, 3, p + 1, 5, 1);
	CALL("epoll_wait(15, [], 1, 0) = 0", "epoll_wait", 0, 15, 0xb000, 1, 0);
	p = u64s(&exit_space, 0xc000, 1, (uint64_t)3 << 8);
	CALL("wait4(16778, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 16778", "wait4", 16778,
	     16778, p, 0, 0);
	CALL("wait4(16778, 0xc000, WNOHANG|__WALL, NULL) = 0", "wait4", 0, 16778, p, 0x40000001, 0);
	use_exit_mem = false;
	CALL("getrandom(NULL, 0, 0x10 /* GRND_??? */) = -1 EINVAL (Invalid argument)", "getrandom",
	     E(22), 0, 0, 0x10);
	CALL("read(3, 0xb000, 3) = 3", "read", 3, 3, 0xb000, 3);
	CALL("wait4(-1, NULL, WNOWAIT|__WCLONE, NULL) = -1 EINVAL (Invalid argument)", "wait4",
	     E(22), (uint64_t)-1, 0, 0x81000000, 0);
	CALL("waitid(P_PID, 16778, NULL, WEXITED, NULL) = -1 ECHILD (No child processes)", "waitid",
	     E(10), 1, 16778, 0, 4, 0);
	p = u64s(&entry_space, 0xd000, 4, (uint64_t)1, (uint64_t)2, (uint64_t)3, (uint64_t)4);
	CALL("timerfd_settime(17, TFD_TIMER_ABSTIME, {it_interval={tv_sec=1, tv_nsec=2}, "
	     "it_value={tv_sec=3, tv_nsec=4}}, NULL) = 0", "timerfd_settime", 0, 17, 1, p, 0);
	p = u64s(&entry_space, 0xe000, 2, (uint64_t)1796047973, (uint64_t)124135396);
	CALL("futex(0x7ffebb1e5ec0, FUTEX_WAKE_PRIVATE, 1) = 0", "futex", 0, 0x7ffebb1e5ec0, 129, 1);
	CALL("futex(0x7ffebb1e5ec0, FUTEX_WAIT, 2, {tv_sec=1796047973, tv_nsec=124135396}) = -1 "
	     "EAGAIN (Resource temporarily unavailable)", "futex", E(11), 0x7ffebb1e5ec0, 0, 2, p);
	CALL("futex(NULL, 0x63 /* FUTEX_??? */, 1, NULL, NULL, 0) = -1 ENOSYS (Function not "
	     "implemented)", "futex", E(38), 0, 99, 1, 0, 0, 0);
	CALL("futex(NULL, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, FUTEX_BITSET_MATCH_ANY) = -1 EFAULT "
	     "(Bad address)", "futex", E(14), 0, 0x89, 1, 0, 0, 0xffffffff);
	CALL("futex(NULL, 0x101 /* FUTEX_??? */, 1) = -1 ENOSYS (Function not implemented)", "futex",
	     E(38), 0, 0x101, 1, 0, 0, 0);
	CALL("getrlimit(0x63 /* RLIMIT_??? */, NULL) = -1 EINVAL (Invalid argument)", "getrlimit",
	     E(22), 99, 0);
	CALL("rt_sigsuspend([], 8) = ? ERESTARTNOHAND (To be restarted if no handler)",
	     "rt_sigsuspend", E(514), 0x4000, 8);
	/* not from strace: the other restart codes and an errno no table knows */
	CALL("pause() = ? ERESTARTSYS (To be restarted if SA_RESTART is set)", "pause", E(512));
	CALL("pause() = ? ERESTART_RESTARTBLOCK (Interrupted by signal)", "pause", E(516));
	CALL("pause() = -1 ERRNO_4000 (Unknown error 4000)", "pause", E(4000));
	CALL("exit_group(0) = ?", "exit_group", 0, 0);
	CALL_NORET("getpid() = ?", "getpid");
	CALL("getpid() = 20706", "getpid", 20706);
}

static void
test_process(void)
{
	uint64_t argv, envp, p, ca;
	unsigned char pollfds[16] = { 11, 0, 0, 0, 3, 0, 0, 0, 12, 0, 0, 0, 4, 0, 0, 0 };
	unsigned char ev[12] = { 1, 0, 0, 0x80, 7, 0, 0, 0, 0, 0, 0, 0 };

	space_reset(&entry_space);
	p = str(0x1000, "/bin/true");
	argv = u64s(&entry_space, 0x2000, 4, str(0x3000, "true"), str(0x3100, "a b"),
		    str(0x3200, "x\"y"), (uint64_t)0);
	envp = u64s(&entry_space, 0x7ffebb1e5c30, 3, str(0x3300, "A=1"), str(0x3400, "B=2"),
		    (uint64_t)0);
	CALL("execve(\"/bin/true\", [\"true\", \"a b\", \"x\\\"y\"], 0x7ffebb1e5c30 /* 2 vars */) = 0",
	     "execve", 0, p, argv, envp);
	CALL("execve(NULL, NULL, NULL) = -1 EFAULT (Bad address)", "execve", E(14), 0, 0, 0);
	p = str(0x4000, "/nonexistent");
	CALL("execve(\"/nonexistent\", 0x10, 0x20) = -1 ENOENT (No such file or directory)", "execve",
	     E(2), p, 0x10, 0x20);
	/* not from strace, its rules: one var; an array that runs out of memory; -s 2 elements */
	envp = u64s(&entry_space, 0x5000, 2, str(0x5100, "A=1"), (uint64_t)0);
	argv = u64s(&entry_space, 0x6000, 2, str(0x6100, "a"), str(0x6200, "b"));
	CALL("execve(\"/nonexistent\", 0x6000, 0x5000 /* 1 var */) = -1 ENOENT (No such file or "
	     "directory)", "execve", E(2), p, argv, envp);
	argv = u64s(&entry_space, 0x7000, 4, str(0x7100, "a"), str(0x7200, "b"), str(0x7300, "c"),
		    (uint64_t)0);
	opts.strsize = 2;
	CALL("execve(\"/nonexistent\", [\"a\", \"b\", ...], 0x5000 /* 1 var */) = -1 ENOENT (No such "
	     "file or directory)", "execve", E(2), p, argv, envp);
	opts.strsize = 32;
	CALL("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
	     "child_tidptr=0x7f8c2e40ba10) = 16778", "clone", 16778, 0x01200011, 0, 0,
	     0x7f8c2e40ba10, 0);
	CALL("clone3(NULL, 88) = -1 EFAULT (Bad address)", "clone3", E(14), 0, 88);
	/* clone3's struct (layout of strace's tests/clone3.c output) */
	ca = u64s(&entry_space, 0x8000, 11, (uint64_t)0x3d0f00, (uint64_t)0, (uint64_t)0x7f0000a10,
		  (uint64_t)0x7f0000a10, (uint64_t)0, (uint64_t)0x7f0000000, (uint64_t)0x7ff000,
		  (uint64_t)0x7f0000a40, (uint64_t)0, (uint64_t)0, (uint64_t)0);
	CALL("clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
	     "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f0000a10, "
	     "parent_tid=0x7f0000a10, exit_signal=0, stack=0x7f0000000, stack_size=0x7ff000, "
	     "tls=0x7f0000a40}, 88) = 1235", "clone3", 1235, ca, 88);
	CALL("clone3(0x8000, 40) = -1 EINVAL (Invalid argument)", "clone3", E(22), ca, 40);
	p = put(&entry_space, 0x9000, pollfds, sizeof(pollfds));
	/* strace adds the revents at exit: " ([{fd=12, revents=POLLOUT}])" after the value */
	CALL("poll([{fd=11, events=POLLIN|POLLPRI}, {fd=12, events=POLLOUT}], 2, 0) = 1", "poll", 1,
	     p, 2, 0);
	p = put(&entry_space, 0xa000, ev, sizeof(ev));
	CALL("epoll_ctl(15, EPOLL_CTL_ADD, 11, {events=EPOLLIN|EPOLLET, data={u32=7, u64=7}}) = 0",
	     "epoll_ctl", 0, 15, 1, 11, p);
	CALL("epoll_ctl(1, 0x9 /* EPOLL_CTL_??? */, 0, NULL) = -1 EFAULT (Bad address)", "epoll_ctl",
	     E(14), 1, 9, 0, 0);
	p = u64s(&entry_space, 0xb000, 4, str(0xb100, "ab"), (uint64_t)2, str(0xb200, "cde"),
		 (uint64_t)3);
	CALL("writev(1, [{iov_base=\"ab\", iov_len=2}, {iov_base=\"cde\", iov_len=3}], 2) = 5",
	     "writev", 5, 1, p, 2);
	p = str(0xc000, "/tmp");
	CALL("inotify_add_watch(19, \"/tmp\", IN_CREATE|IN_DELETE|IN_ISDIR) = 1", "inotify_add_watch",
	     1, 19, p, 0x40000300);
}

/*
 * What record --capture takes at exit: the stat family's structs (only their first bytes),
 * recvfrom's and recvmsg's addresses with the caller's length beside the kernel's, readv's
 * buffers; the texts are strace 6.1's for the same calls (tests/capture compares whole runs).
 */
static void
test_capture_outputs(void)
{
	unsigned char st[56] = { 0 }, stx[48] = { 0 }, h[56] = { 0 };
	unsigned char sin[16] = { 2, 0, 0xa4, 0x32, 127, 0, 0, 1 };
	uint32_t v32;
	uint64_t v64, p, path, len, iov;

	space_reset(&entry_space);
	space_reset(&exit_space);
	use_exit_mem = true;
	path = str(0x1000, "/etc/passwd");
	v32 = 0100644;
	memcpy(st + 24, &v32, 4);
	v64 = 1221;
	memcpy(st + 48, &v64, 8);
	p = put(&exit_space, 0x2000, st, sizeof(st));
	CALL("stat(\"/etc/passwd\", {st_mode=S_IFREG|0644, st_size=1221, ...}) = 0", "stat", 0, path,
	     p);
	CALL("newfstatat(AT_FDCWD, \"/etc/passwd\", {st_mode=S_IFREG|0644, st_size=1221, ...}, "
	     "AT_SYMLINK_NOFOLLOW) = 0", "newfstatat", 0, (uint64_t)-100, path, p, 0x100);
	v32 = 041777;
	memcpy(st + 24, &v32, 4);
	v64 = 16384;
	memcpy(st + 48, &v64, 8);
	p = put(&exit_space, 0x3000, st, sizeof(st));
	CALL("lstat(\"/etc/passwd\", {st_mode=S_IFDIR|S_ISVTX|0777, st_size=16384, ...}) = 0",
	     "lstat", 0, path, p);
	v32 = 020666;
	memcpy(st + 24, &v32, 4);
	v64 = 0x103;
	memcpy(st + 40, &v64, 8);
	p = put(&exit_space, 0x4000, st, sizeof(st));
	CALL("fstat(4, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0", "fstat", 0, 4,
	     p);
	CALL("fstat(4, 0x4000) = -1 EBADF (Bad file descriptor)", "fstat", E(9), 4, p);
	/* fewer bytes than the printer needs: the pointer, never a guess */
	p = put(&exit_space, 0x5000, st, 40);
	CALL("fstat(4, 0x5000) = 0", "fstat", 0, 4, p);
	v32 = 0x17ff;
	memcpy(stx, &v32, 4);
	v32 = 0100644;
	memcpy(stx + 28, &v32, 2);
	v64 = 1221;
	memcpy(stx + 40, &v64, 8);
	p = put(&exit_space, 0x6000, stx, sizeof(stx));
	CALL("statx(AT_FDCWD, \"/etc/passwd\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, "
	     "{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0644, "
	     "stx_size=1221, ...}) = 0", "statx", 0, (uint64_t)-100, path, 0, 0x7ff, p);

	/* recvfrom: the caller said 32 (entry), the kernel 16 (exit) */
	v32 = 32;
	len = put(&entry_space, 0x7000, &v32, 4);
	v32 = 16;
	put(&exit_space, 0x7000, &v32, 4);
	put(&exit_space, 0x7100, sin, sizeof(sin));
	put(&exit_space, 0x7200, "hello", 5);
	CALL("recvfrom(4, \"hello\", 128, 0, {sa_family=AF_INET, sin_port=htons(42034), "
	     "sin_addr=inet_addr(\"127.0.0.1\")}, [32 => 16]) = 5", "recvfrom", 5, 4, 0x7200, 128, 0,
	     0x7100, len);
	CALL("recvfrom(4, 0x7200, 128, MSG_DONTWAIT, 0x7100, [32]) = -1 EAGAIN (Resource "
	     "temporarily unavailable)", "recvfrom", E(11), 4, 0x7200, 128, 0x40, 0x7100, len);
	CALL("recvfrom(4, \"hello\", 128, 0, NULL, NULL) = 5", "recvfrom", 5, 4, 0x7200, 128, 0, 0, 0);

	/* recvmsg: msg_namelen 32 at entry, 16 at exit; buffers hold the return value's bytes */
	iov = u64s(&exit_space, 0x8100, 4, (uint64_t)0x8200, (uint64_t)3, (uint64_t)0x8300,
		   (uint64_t)50);
	put(&exit_space, 0x8200, "hel", 3);
	put(&exit_space, 0x8300, "lo wo", 5);
	v64 = 0x7100;
	memcpy(h, &v64, 8);
	v32 = 32;
	memcpy(h + 8, &v32, 4);
	memcpy(h + 16, &iov, 8);
	v64 = 2;
	memcpy(h + 24, &v64, 8);
	put(&entry_space, 0x8000, h, sizeof(h));
	v32 = 16;
	memcpy(h + 8, &v32, 4);
	put(&exit_space, 0x8000, h, sizeof(h));
	CALL("recvmsg(4, {msg_name={sa_family=AF_INET, sin_port=htons(42034), "
	     "sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=32 => 16, msg_iov=[{iov_base=\"hel\", "
	     "iov_len=3}, {iov_base=\"lo\", iov_len=50}], msg_iovlen=2, msg_controllen=0, "
	     "msg_flags=0}, 0) = 5", "recvmsg", 5, 4, 0x8000, 0);
	CALL("readv(5, [{iov_base=\"hel\", iov_len=3}, {iov_base=\"lo wo\", iov_len=50}], 2) = 8",
	     "readv", 8, 5, iov, 2);
	use_exit_mem = false;
	CALL("recvmsg(4, 0x8000, 0) = 5", "recvmsg", 5, 4, 0x8000, 0);

	/* sendmsg, all at entry: the same header as the caller built it */
	iov = u64s(&entry_space, 0x9100, 2, (uint64_t)0x9200, (uint64_t)5);
	put(&entry_space, 0x9200, "hello", 5);
	put(&entry_space, 0x9300, sin, sizeof(sin));
	v64 = 0x9300;
	memcpy(h, &v64, 8);
	memcpy(h + 16, &iov, 8);
	v64 = 1;
	memcpy(h + 24, &v64, 8);
	put(&entry_space, 0x9000, h, sizeof(h));
	CALL("sendmsg(3, {msg_name={sa_family=AF_INET, sin_port=htons(42034), "
	     "sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"hello\", "
	     "iov_len=5}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, MSG_DONTWAIT) = 5",
	     "sendmsg", 5, 3, 0x9000, 0x40);
}

int
main(void)
{
	test_files();
	test_strings();
	test_net();
	test_memory();
	test_fds();
	test_signals_time();
	test_process();
	test_fd_effects();
	test_paths();
	test_capture_outputs();
	space_reset(&entry_space);
	space_reset(&exit_space);
	return tap_done();
}
