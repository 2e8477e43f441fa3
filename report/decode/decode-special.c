// SPDX-License-Identifier: MIT
/*
 * The calls whose arguments depend on one another, so that one signature cannot describe
 * them: fcntl (the third argument by command), futex (the arguments an operation takes),
 * clone (strace's named fields), prctl (by option) and ioctl (the _IOC encoding).
 */
#include <inttypes.h>
#include <string.h>

#include "decode-priv.h"

static void
sep(struct dctx *x)
{
	screc_buf_str(x->out, ", ");
}

static void
hex(struct dctx *x, uint64_t v)
{
	screc_buf_printf(x->out, v ? "%#" PRIx64 : "%" PRIu64, v);
}

static void
print_flock(struct dctx *x, uint64_t addr)
{
	unsigned char b[32];
	int16_t type, whence;
	int64_t start, len;

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	if (!mem_get(x->c->mem, addr, b, sizeof(b))) {
		print_ptr(x, addr);
		return;
	}
	memcpy(&type, b, 2);
	memcpy(&whence, b + 2, 2);
	memcpy(&start, b + 8, 8);
	memcpy(&len, b + 16, 8);
	screc_buf_str(x->out, "{l_type=");
	xlat_print_enum(x->out, &xlat_lease_types, (uint16_t)type);
	screc_buf_str(x->out, ", l_whence=");
	xlat_print_enum(x->out, &xlat_whence, (uint16_t)whence);
	screc_buf_printf(x->out, ", l_start=%" PRId64 ", l_len=%" PRId64 "}", start, len);
}

void
special_fcntl(struct dctx *x)
{
	const uint64_t *a = x->c->args;
	int cmd = (int)a[1];
	uint64_t rest;

	print_fd(x, (int)a[0]);
	sep(x);
	xlat_print_enum(x->out, &xlat_fcntl_cmds, (uint32_t)cmd);
	switch (cmd) {
	case 1: case 3: case 9: case 11: case 1025: case 1032: case 1034:
		/* F_GETFD F_GETFL F_GETOWN F_GETSIG F_GETLEASE F_GETPIPE_SZ F_GET_SEALS */
		return;
	}
	sep(x);
	switch (cmd) {
	case 2:		/* F_SETFD */
		xlat_print_flags(x->out, &xlat_fd_flags, (uint32_t)a[2]);
		break;
	case 4:		/* F_SETFL */
		xlat_print_enum(x->out, &xlat_open_accmode, a[2] & 3);
		if ((uint32_t)a[2] & ~3u) {
			screc_buf_char(x->out, '|');
			if (xlat_print_bits(x->out, &xlat_open_flags, (uint32_t)a[2] & ~3u, &rest)) {
				if (rest)
					screc_buf_printf(x->out, "|%#" PRIx64, rest);
			} else {
				hex(x, rest);
			}
		}
		break;
	case 0: case 1030: case 8: case 1031:
		/* F_DUPFD F_DUPFD_CLOEXEC F_SETOWN F_SETPIPE_SZ */
		screc_buf_printf(x->out, "%d", (int)a[2]);
		break;
	case 10:	/* F_SETSIG */
		print_signal(x->out, (int)a[2]);
		break;
	case 1024:	/* F_SETLEASE */
		xlat_print_enum(x->out, &xlat_lease_types, (uint32_t)a[2]);
		break;
	case 1026:	/* F_NOTIFY */
		xlat_print_flags(x->out, &xlat_notify_flags, (uint32_t)a[2]);
		break;
	case 1033:	/* F_ADD_SEALS */
		xlat_print_flags(x->out, &xlat_seal_flags, (uint32_t)a[2]);
		break;
	case 5: case 6: case 7: case 36: case 37: case 38:
		/* F_GETLK F_SETLK F_SETLKW F_OFD_GETLK F_OFD_SETLK F_OFD_SETLKW */
		if (cmd == 5 || cmd == 36)
			print_ptr(x, a[2]);	/* filled in at exit */
		else
			print_flock(x, a[2]);
		break;
	case 15: case 16: case 17:
		print_ptr(x, a[2]);
		break;
	default:
		hex(x, a[2]);
		break;
	}
}

static void
print_timeout(struct dctx *x, uint64_t addr)
{
	unsigned char b[16];
	int64_t s, ns;

	if (!addr) {
		screc_buf_str(x->out, "NULL");
		return;
	}
	if (!mem_get(x->c->mem, addr, b, sizeof(b))) {
		print_ptr(x, addr);
		return;
	}
	memcpy(&s, b, 8);
	memcpy(&ns, b + 8, 8);
	screc_buf_printf(x->out, "{tv_sec=%" PRId64 ", tv_nsec=%" PRId64 "}", s, ns);
}

static void
print_bitset(struct dctx *x, uint32_t v)
{
	if (v == UINT32_MAX)
		screc_buf_str(x->out, "FUTEX_BITSET_MATCH_ANY");
	else
		screc_buf_printf(x->out, "%#x", v);
}

void
special_futex(struct dctx *x)
{
	const uint64_t *a = x->c->args;
	int op = (int)a[1], cmd = op & 127;

	print_ptr(x, a[0]);
	sep(x);
	xlat_print_enum(x->out, &xlat_futex_ops, (uint32_t)op);
	switch (cmd) {
	case 0:		/* FUTEX_WAIT */
		screc_buf_printf(x->out, ", %u, ", (unsigned)a[2]);
		print_timeout(x, a[3]);
		break;
	case 9:		/* FUTEX_WAIT_BITSET */
		screc_buf_printf(x->out, ", %u, ", (unsigned)a[2]);
		print_timeout(x, a[3]);
		screc_buf_str(x->out, ", ");
		print_bitset(x, (uint32_t)a[5]);
		break;
	case 1:		/* FUTEX_WAKE */
		screc_buf_printf(x->out, ", %u", (unsigned)a[2]);
		break;
	case 10:	/* FUTEX_WAKE_BITSET */
		screc_buf_printf(x->out, ", %u, ", (unsigned)a[2]);
		print_bitset(x, (uint32_t)a[5]);
		break;
	case 3:		/* FUTEX_REQUEUE */
		screc_buf_printf(x->out, ", %u, %u, ", (unsigned)a[2], (unsigned)a[3]);
		print_ptr(x, a[4]);
		break;
	case 4:		/* FUTEX_CMP_REQUEUE */
	case 12:	/* FUTEX_CMP_REQUEUE_PI */
		screc_buf_printf(x->out, ", %u, %u, ", (unsigned)a[2], (unsigned)a[3]);
		print_ptr(x, a[4]);
		screc_buf_printf(x->out, ", %u", (unsigned)a[5]);
		break;
	case 5:		/* FUTEX_WAKE_OP */
		screc_buf_printf(x->out, ", %u, %u, ", (unsigned)a[2], (unsigned)a[3]);
		print_ptr(x, a[4]);
		screc_buf_printf(x->out, ", %#x", (unsigned)a[5]);
		break;
	case 6:		/* FUTEX_LOCK_PI */
	case 13:	/* FUTEX_LOCK_PI2 */
		sep(x);
		print_timeout(x, a[3]);
		break;
	case 7:		/* FUTEX_UNLOCK_PI */
	case 8:		/* FUTEX_TRYLOCK_PI */
		break;
	case 11:	/* FUTEX_WAIT_REQUEUE_PI */
		screc_buf_printf(x->out, ", %u, ", (unsigned)a[2]);
		print_timeout(x, a[3]);
		sep(x);
		print_ptr(x, a[4]);
		break;
	default:
		screc_buf_printf(x->out, ", %u, ", (unsigned)a[2]);
		print_ptr(x, a[3]);
		sep(x);
		print_ptr(x, a[4]);
		screc_buf_printf(x->out, ", %#x", (unsigned)a[5]);
		break;
	}
}

void
special_clone(struct dctx *x)
{
	const uint64_t *a = x->c->args;
	uint64_t flags = a[0], rest, sig = flags & 0xff;
	unsigned n;

	/* x86_64: clone(flags, newsp, parent_tid, child_tid, tls) */
	screc_buf_str(x->out, "child_stack=");
	print_ptr(x, a[1]);
	screc_buf_str(x->out, ", flags=");
	n = xlat_print_bits(x->out, &xlat_clone_flags, flags & ~0xffULL, &rest);
	if (rest)
		screc_buf_printf(x->out, "%s%#" PRIx64, n++ ? "|" : "", rest);
	if (sig) {
		if (n++)
			screc_buf_char(x->out, '|');
		print_signal(x->out, (int64_t)sig);
	}
	if (!n)
		screc_buf_str(x->out, "0");
	if (flags & (0x100000 | 0x1000)) {	/* CLONE_PARENT_SETTID, CLONE_PIDFD */
		screc_buf_str(x->out, ", parent_tid=");
		print_ptr(x, a[2]);
	}
	if (flags & (0x1000000 | 0x200000)) {	/* CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID */
		screc_buf_str(x->out, ", child_tidptr=");
		print_ptr(x, a[3]);
	}
	if (flags & 0x80000) {			/* CLONE_SETTLS */
		screc_buf_str(x->out, ", tls=");
		print_ptr(x, a[4]);
	}
}

void
special_prctl(struct dctx *x)
{
	const uint64_t *a = x->c->args;
	unsigned opt = (unsigned)a[0];
	int i;

	xlat_print_enum(x->out, &xlat_prctl_options, opt);
	switch (opt) {
	case 15:	/* PR_SET_NAME */
		sep(x);
		print_cstr(x, x->c->mem, a[1]);
		return;
	case 1:		/* PR_SET_PDEATHSIG */
		sep(x);
		print_signal(x->out, (int)a[1]);
		return;
	case 2: case 16:	/* PR_GET_PDEATHSIG, PR_GET_NAME: filled in at exit */
		sep(x);
		print_ptr(x, a[1]);
		return;
	case 3: case 7: case 13: case 19: case 21: case 27: case 30: case 31: case 32:
	case 40: case 42: case 46:
		/* PR_GET_* without arguments, PR_TASK_PERF_EVENTS_* */
		return;
	case 4:		/* PR_SET_DUMPABLE */
		sep(x);
		xlat_print_enum(x->out, &xlat_dumpable, a[1]);
		return;
	case 8: case 29: case 36: case 41:
		/* PR_SET_KEEPCAPS PR_SET_TIMERSLACK PR_SET_CHILD_SUBREAPER PR_SET_THP_DISABLE */
		screc_buf_printf(x->out, ", %" PRIu64, a[1]);
		return;
	case 38: case 39:	/* PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS */
		for (i = 1; i < 5; i++)
			screc_buf_printf(x->out, ", %" PRIu64, a[i]);
		return;
	}
	for (i = 1; i < 5; i++) {
		sep(x);
		hex(x, a[i]);
	}
}

void
special_ioctl(struct dctx *x)
{
	static const char *const dirs[] = {
		"_IOC_NONE", "_IOC_WRITE", "_IOC_READ", "_IOC_READ|_IOC_WRITE",
	};
	const uint64_t *a = x->c->args;
	uint32_t cmd = (uint32_t)a[1];
	const char *name = xlat_name(&xlat_ioctl_cmds, cmd);

	print_fd(x, (int)a[0]);
	sep(x);
	if (name) {
		screc_buf_str(x->out, name);
		sep(x);
		print_ptr(x, a[2]);
		return;
	}
	screc_buf_printf(x->out, "_IOC(%s, %#x, %#x, %#x)", dirs[cmd >> 30], cmd >> 8 & 0xff,
			 cmd & 0xff, cmd >> 16 & 0x3fff);
	sep(x);
	hex(x, a[2]);
}
