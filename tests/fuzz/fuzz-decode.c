// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the syscall decoder (report/decode/decode.h) on one
 * call.  Input: a 64-byte call, then the traced process's memory, which the
 * memory callback serves at MEM_BASE (a pointer argument reaches it by
 * pointing there):
 *
 *   0  int16   syscall number (negative and past the table too)
 *   2  u8      flags: 1 exit recorded, 2 -y fd paths, 4 no entry memory,
 *              8 no exit memory, 16 no fd callback, 32 no options (defaults),
 *              64 entry memory is the first half, exit memory the second
 *   3  u8      -s string size (0: the default)
 *   4  u8      decode_path's index (mod 4)
 *   5  u8      decode_path's buffer size
 *   6  u8      decode_fd_effects' room (mod 5)
 *   7  u8      unused
 *   8  u64[6]  arguments
 *   56 i64     return value
 *   64 ...     memory
 *
 * Every buffer the decoder fills is exactly the size it is told, so that a
 * write past it is caught.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/decode/decode.h"
#include "fuzz-common.h"

#define MEM_BASE	0x1000u
#define CALL_SIZE	64

struct space {
	const uint8_t *p;
	size_t len;
};

static char long_path[DECODE_FD_WHAT_MAX + 100];

static size_t
mem_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct space *s = arg;
	size_t off, n;

	if (addr < MEM_BASE || addr - MEM_BASE >= s->len)
		return 0;
	off = (size_t)(addr - MEM_BASE);
	n = s->len - off < len ? s->len - off : len;
	memcpy(buf, s->p + off, n);
	return n;
}

/* What the report's fd table might say: nothing, paths, descriptions, odd bytes, too long. */
static const char *
fd_path(void *arg, int fd)
{
	static const char *const paths[] = {
		NULL, "/etc/passwd", "socket:[AF_INET,SOCK_STREAM]", "pipe:[1234]",
		"a<b>\"c\\\n\001\377", "", long_path, "/memfd:x (deleted)",
	};

	(void)arg;
	if (fd == -100)
		return "/tmp";
	return paths[(unsigned)fd % (sizeof(paths) / sizeof(paths[0]))];
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memset(long_path, 'p', sizeof(long_path) - 1);
	long_path[0] = '/';
	return 0;
}

static void
check_effects(const struct decode_call *c, size_t room)
{
	struct decode_fd_effect *e = malloc(room ? room * sizeof(*e) : 1);
	size_t n, i;

	if (!e)
		abort();
	n = decode_fd_effects(c, e, room);
	for (i = 0; i < n && i < room; i++) {
		if (e[i].op > DECODE_FD_EXEC)
			fuzz_fail("fd effect %zu: op %d", i, (int)e[i].op);
		if (e[i].has_what && !memchr(e[i].what, '\0', sizeof(e[i].what)))
			fuzz_fail("fd effect %zu: what is not terminated", i);
	}
	free(e);
}

static void
check_path(const struct decode_call *c, unsigned index, size_t size)
{
	char *buf = malloc(size ? size : 1);
	const char *got;
	int dirfd;

	if (!buf)
		abort();
	got = decode_path(c, index, buf, size, &dirfd);
	if (got && (got != buf || !memchr(buf, '\0', size)))
		fuzz_fail("decode_path: not the buffer, or not terminated in its %zu bytes", size);
	(void)decode_path(c, index, buf, size, NULL);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_call c = { 0 };
	struct decode_opts o = { 0 };
	struct space in, out;
	struct decode_mem entry_mem = { mem_read, &in }, exit_mem = { mem_read, &out };
	struct decode_fds fds = { fd_path, NULL };
	struct screc_buf b = { 0 };
	uint8_t *mem;
	size_t mem_len;
	unsigned flags, i;
	int16_t nr;

	if (size < CALL_SIZE)
		return 0;
	memcpy(&nr, data, 2);
	flags = data[2];
	c.nr = nr;
	memcpy(c.args, data + 8, sizeof(c.args));
	memcpy(&c.ret, data + 56, sizeof(c.ret));
	c.has_ret = flags & 1;
	o.fd_paths = flags & 2;
	o.strsize = data[3];

	/* The memory, in a buffer of its own size. */
	mem_len = size - CALL_SIZE;
	mem = malloc(mem_len ? mem_len : 1);
	if (!mem)
		abort();
	memcpy(mem, data + CALL_SIZE, mem_len);
	in = (struct space){ mem, mem_len };
	out = in;
	if (flags & 64) {
		in.len = mem_len / 2;
		out = (struct space){ mem + mem_len / 2, mem_len - mem_len / 2 };
	}
	c.mem = flags & 4 ? NULL : &entry_mem;
	c.exit_mem = flags & 8 ? NULL : &exit_mem;
	c.fds = flags & 16 ? NULL : &fds;

	decode_name(&b, c.nr);
	decode_args(&b, &c, flags & 32 ? NULL : &o);
	decode_ret(&b, &c, flags & 32 ? NULL : &o);
	if (b.err == 0 && b.len && strlen(screc_buf_text(&b)) != b.len)
		fuzz_fail("decoded text of %zu bytes holds a NUL", b.len);
	screc_buf_release(&b);

	check_effects(&c, data[6] % 5);
	check_path(&c, data[4] % 4, data[5]);
	for (i = 0; i <= 6; i++)
		(void)decode_arg_is_fd(c.nr, i);
	free(mem);
	return 0;
}
