// SPDX-License-Identifier: MIT
/*
 * The syscall table: names and numbers both ways, the tracepoint names the
 * kernel gives a few syscalls, and the suggestions printed for a misspelt -e
 * name.
 */
#include <stdio.h>
#include <string.h>

#include "common/syscalls.h"
#include "tap.h"

static bool
suggests(const char *name, const char *want, size_t max)
{
	const char *out[8];
	size_t n = screc_syscall_suggest(name, out, max), i;

	for (i = 0; i < n; i++)
		if (strcmp(out[i], want) == 0)
			return true;
	return false;
}

static void
test_lookup(void)
{
	long nr;
	unsigned bad = 0, named = 0;

	tap_is(screc_syscall_nr("read"), 0, "read is 0");
	tap_is(screc_syscall_nr("connect"), 42, "connect is 42");
	tap_is(screc_syscall_nr("openat"), 257, "openat is 257");
	tap_is(screc_syscall_nr("clone3"), 435, "clone3 is 435");
	tap_is(screc_syscall_nr("conect"), -1, "conect is not a syscall");
	tap_is(screc_syscall_nr(""), -1, "the empty name is not a syscall");
	tap_ok(strcmp(screc_syscall_name(42), "connect") == 0, "42 is connect");
	tap_ok(strcmp(screc_syscall_name(0), "read") == 0, "0 is read");
	tap_ok(screc_syscall_name(-1) == NULL, "-1 has no name");
	tap_ok(screc_syscall_name(100000) == NULL, "100000 has no name");
	tap_ok(screc_syscall_name(335) != NULL || screc_syscall_name(334) != NULL,
	       "the table reaches past 334");
	/* The binary search needs a sorted table: every name maps back to its number. */
	for (nr = -2; nr < 1024; nr++) {
		const char *name = screc_syscall_name(nr);

		if (!name)
			continue;
		named++;
		if (screc_syscall_nr(name) != nr)
			bad++;
	}
	tap_ok(named > 350, "%u syscalls named", named);
	tap_is(bad, 0, "every name maps back to its number");
}

static void
test_tracepoints(void)
{
	tap_ok(strcmp(screc_syscall_tracepoint("stat"), "newstat") == 0, "stat: sys_enter_newstat");
	tap_ok(strcmp(screc_syscall_tracepoint("connect"), "connect") == 0, "connect: its own name");
	tap_ok(strcmp(screc_syscall_from_tracepoint("newstat"), "stat") == 0, "newstat is stat");
	tap_ok(strcmp(screc_syscall_from_tracepoint("connect"), "connect") == 0,
	       "connect is connect");
}

static void
test_suggest(void)
{
	const char *out[8];
	size_t n;
	char longname[200];

	n = screc_syscall_suggest("conect", out, 3);
	tap_ok(n >= 1 && strcmp(out[0], "connect") == 0, "conect: connect first (%s)",
	       n ? out[0] : "none");
	tap_ok(suggests("opne", "open", 3), "opne: open");
	tap_ok(suggests("socekt", "socket", 3), "socekt: socket");
	tap_ok(suggests("writ", "write", 3), "writ: write");
	tap_ok(suggests("sendmesg", "sendmsg", 3), "sendmesg: sendmsg");
	n = screc_syscall_suggest("connect", out, 1);
	tap_ok(n == 1 && strcmp(out[0], "connect") == 0, "an exact name is its own best");
	tap_is((long long)screc_syscall_suggest("conect", out, 0), 0, "max 0: nothing");
	tap_ok(screc_syscall_suggest("conect", out, 100) <= 8, "at most 8, whatever max says");
	tap_is((long long)screc_syscall_suggest("zzzzzzzzzzzzzzzzzzzz", out, 3), 0,
	       "nothing close: no suggestion");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	tap_is((long long)screc_syscall_suggest(longname, out, 3), 0, "a very long name: none");
	n = screc_syscall_suggest("", out, 3);
	tap_ok(n <= 3, "the empty name: at most max (%zu)", n);
}

int
main(void)
{
	test_lookup();
	test_tracepoints();
	test_suggest();
	return tap_done();
}
