// SPDX-License-Identifier: MIT
/*
 * Syscall sets and the -e trace= parser: class membership against what strace 6.1 on the
 * project's machine selects, names, numbers, negation, regexes, optional names, all/none,
 * and the errors (with suggestions) for what strace rejects.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/syscall-set.h"
#include "common/syscalls.h"
#include "tap.h"

/*
 * The probe program called each of these once (syscall(nr, -1, 0, ...)); under
 * "strace -e trace=CLASS" strace 6.1 printed the calls listed for each class (the
 * dynamic loader's own calls, access brk mmap mprotect munmap pread64 arch_prctl
 * set_tid_address set_robust_list rseq prlimit64 exit_group, are probed as well).
 */
static const char *const probed[] = {
	"getpid", "clock_gettime", "stat", "fstat", "lstat", "statfs", "fstatfs", "openat",
	"read", "socket", "getuid", "mmap", "shmget", "rt_sigprocmask", "uname", "newfstatat",
	"statx", "gettimeofday", "settimeofday", "close", "umask", "setuid", "capget",
	"sendfile", "fcntl", "inotify_add_watch", "pidfd_send_signal", "close_range",
	"clock_adjtime", "getppid", "access", "brk", "mprotect", "munmap", "pread64",
	"arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "exit_group",
};

static const struct {
	const char *expr;
	const char *members;	/* what strace 6.1 printed, of the probed calls */
} observed[] = {
	{ "%file", " access inotify_add_watch lstat newfstatat openat stat statfs statx " },
	{ "%desc", " close fcntl fstat fstatfs inotify_add_watch mmap newfstatat openat "
		   "pidfd_send_signal pread64 read sendfile statx " },
	{ "%net", " sendfile socket " },
	{ "%network", " sendfile socket " },
	{ "%process", " exit_group pidfd_send_signal " },
	{ "%signal", " pidfd_send_signal rt_sigprocmask " },
	{ "%ipc", " shmget " },
	{ "%memory", " brk mmap mprotect munmap " },
	{ "%creds", " capget getuid setuid " },
	{ "%clock", " clock_adjtime clock_gettime gettimeofday settimeofday " },
	{ "%stat", " stat " },
	{ "%lstat", " lstat " },
	{ "%fstat", " fstat newfstatat statx " },
	{ "%%stat", " fstat lstat newfstatat stat statx " },
	{ "%statfs", " statfs " },
	{ "%fstatfs", " fstatfs " },
	{ "%%statfs", " fstatfs statfs " },
	{ "%pure", " getpid getppid getuid " },
	{ "file", " access inotify_add_watch lstat newfstatat openat stat statfs statx " },
};

static void
test_classes(void)
{
	struct screc_syscall_set set;
	char err[256], key[64];
	size_t i, j;

	for (i = 0; i < sizeof(observed) / sizeof(observed[0]); i++) {
		unsigned wrong = 0;

		tap_is(screc_syscall_set_parse(&set, observed[i].expr, err, sizeof(err)), 0,
		       "%s parses", observed[i].expr);
		for (j = 0; j < sizeof(probed) / sizeof(probed[0]); j++) {
			bool want, got = screc_syscall_set_has(&set, screc_syscall_nr(probed[j]));

			snprintf(key, sizeof(key), " %s ", probed[j]);
			want = strstr(observed[i].members, key) != NULL;
			if (want != got) {
				tap_diag("%s: %s %s", observed[i].expr, probed[j],
					 want ? "missing" : "unexpected");
				wrong++;
			}
		}
		tap_is(wrong, 0, "%s selects what strace 6.1 selects", observed[i].expr);
	}
	tap_ok(screc_syscall_classes(screc_syscall_nr("execve")) & SCREC_CLASS_PROCESS,
	       "execve is a process call");
	tap_ok(screc_syscall_classes(screc_syscall_nr("getpid")) & SCREC_CLASS_NEVER_FAILS,
	       "getpid never fails");
	tap_is(screc_syscall_nargs(screc_syscall_nr("mmap")), 6, "mmap has 6 arguments");
	tap_is(screc_syscall_nargs(screc_syscall_nr("rseq")), 4, "rseq has 4 arguments");
	tap_is(screc_syscall_nargs(-1), -1, "no argument count for -1");
	tap_is(screc_syscall_class_bits("%FILE"), 0, "class names are case-sensitive (%%FILE, as strace 6.1)");
	tap_is(screc_syscall_class_bits("%net"), SCREC_CLASS_NETWORK, "%%net is %%network");
}

static void
test_syntax(void)
{
	struct screc_syscall_set set, all;
	char err[256];
	size_t n;

	screc_syscall_set_fill(&all);
	n = screc_syscall_set_count(&all);
	tap_ok(n > 350, "the full set has %zu calls", n);

	tap_is(screc_syscall_set_parse(&set, "trace=openat,close", err, sizeof(err)), 0,
	       "trace=openat,close");
	tap_is(screc_syscall_set_count(&set), 2, "two calls");
	tap_ok(screc_syscall_set_has(&set, 257) && screc_syscall_set_has(&set, 3), "openat and close");
	tap_is(screc_syscall_set_next(&set, 0), 3, "next from 0 is close");
	tap_is(screc_syscall_set_next(&set, 4), 257, "next from 4 is openat");
	tap_is(screc_syscall_set_next(&set, 258), -1, "nothing after openat");

	tap_is(screc_syscall_set_parse(&set, "!read,write", err, sizeof(err)), 0, "!read,write");
	tap_is(screc_syscall_set_count(&set), n - 2, "all but two");
	tap_ok(!screc_syscall_set_has(&set, 0) && !screc_syscall_set_has(&set, 1) &&
	       screc_syscall_set_has(&set, 2), "read and write are out, open in");

	tap_is(screc_syscall_set_parse(&set, "!!read", err, sizeof(err)), 0, "!!read");
	tap_is(screc_syscall_set_count(&set), 1, "two ! cancel");

	tap_is(screc_syscall_set_parse(&set, "!%file", err, sizeof(err)), 0, "!%%file");
	tap_ok(!screc_syscall_set_has(&set, 2) && screc_syscall_set_has(&set, 0), "open out, read in");

	tap_is(screc_syscall_set_parse(&set, "/^pread", err, sizeof(err)), 0, "/^pread");
	tap_ok(screc_syscall_set_has(&set, screc_syscall_nr("pread64")) &&
	       screc_syscall_set_has(&set, screc_syscall_nr("preadv2")) &&
	       !screc_syscall_set_has(&set, 0), "pread64 and preadv2, not read");

	/* glibc's regcomp copies repetitions: these would take gigabytes (fuzz finding) */
	tap_is(screc_syscall_set_parse(&set, "/bp++++++++++++++++++++++++++++++++", err,
				       sizeof(err)), -EINVAL, "stacked repetitions refused");
	tap_ok(strstr(err, "regex too complex") != NULL, "and said why: %s", err);
	tap_is(screc_syscall_set_parse(&set, "/((a{20}){20}){20}", err, sizeof(err)), -EINVAL,
	       "nested bounds refused");
	tap_is(screc_syscall_set_parse(&set, "/((a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?"
				       "a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?){15}){15}", err,
				       sizeof(err)), -EINVAL, "optional items in nested bounds refused");
	tap_is(screc_syscall_set_parse(&set, "/[[::", err, sizeof(err)), -EINVAL,
	       "an unclosed class in brackets: regcomp's error, no read past the end");
	tap_is(screc_syscall_set_parse(&set, "/^s.*e.*n.*d.*t.*o.*|^x{300}$", err,
				       sizeof(err)), 0, "repetitions side by side are not multiplied");
	tap_is(screc_syscall_set_parse(&set, "/^(send|recv)[[:alpha:]]+(msg|to)?.*$", err,
				       sizeof(err)), 0, "an ordinary regex with repetitions kept");
	tap_ok(screc_syscall_set_has(&set, screc_syscall_nr("sendmsg")), "sendmsg in it");

	tap_is(screc_syscall_set_parse(&set, "t=%memory,42", err, sizeof(err)), 0, "t= and a number");
	tap_ok(screc_syscall_set_has(&set, 42) && screc_syscall_set_has(&set, 9), "connect and mmap");

	tap_is(screc_syscall_set_parse(&set, "?nosuchcall,close", err, sizeof(err)), 0,
	       "?name unknown here is ignored");
	tap_is(screc_syscall_set_count(&set), 1, "only close");
	tap_is(screc_syscall_set_parse(&set, "?/zzz", err, sizeof(err)), 0, "?/regex matching nothing");
	tap_is(screc_syscall_set_count(&set), 0, "nothing");

	tap_is(screc_syscall_set_parse(&set, "all", err, sizeof(err)), 0, "all");
	tap_is(screc_syscall_set_count(&set), n, "every call");
	tap_is(screc_syscall_set_parse(&set, "none", err, sizeof(err)), 0, "none");
	tap_is(screc_syscall_set_count(&set), 0, "no call");
	tap_is(screc_syscall_set_parse(&set, "!none", err, sizeof(err)), 0, "!none");
	tap_is(screc_syscall_set_count(&set), n, "every call");
	tap_is(screc_syscall_set_parse(&set, "read,,write,", err, sizeof(err)), 0,
	       "empty tokens are skipped");
	tap_is(screc_syscall_set_count(&set), 2, "two calls");
}

/* The messages strace 6.1 prints for the same expressions (after "strace: "). */
static void
test_errors(void)
{
	static const struct {
		const char *expr, *err;
	} bad[] = {
		{ "trace=foo", "invalid system call 'foo'" },
		{ "/zzz", "invalid system call '/zzz'" },
		{ "%FILE", "invalid system call '%FILE'" },
		{ "", "invalid system call ''" },
		{ "!", "invalid system call '!'" },
		{ "%foo", "invalid system call '%foo'" },
		{ "1000", "invalid system call '1000'" },
		{ "/[", "regcomp: [: " },
		{ "read,conect", "invalid system call 'conect'" },
	};
	struct screc_syscall_set set;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = screc_syscall_set_parse(&set, bad[i].expr, err, sizeof(err));

		tap_is(rc, -EINVAL, "'%s' is an error", bad[i].expr);
		tap_ok(strncmp(err, bad[i].err, strlen(bad[i].err)) == 0, "'%s': %s", bad[i].expr, err);
		tap_is(screc_syscall_set_count(&set), 0, "'%s' leaves the set empty", bad[i].expr);
	}
	screc_syscall_set_parse(&set, "conect", err, sizeof(err));
	tap_ok(strstr(err, "did you mean") && strstr(err, "connect"), "suggests connect: %s", err);
	screc_syscall_set_parse(&set, "opnat", err, sizeof(err));
	tap_ok(strstr(err, "openat") != NULL, "suggests openat: %s", err);
	screc_syscall_set_parse(&set, "conect", err, 12);
	tap_is(strlen(err), 11, "a short error buffer is respected");
}

int
main(void)
{
	test_classes();
	test_syntax();
	test_errors();
	return tap_done();
}
