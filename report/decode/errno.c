// SPDX-License-Identifier: MIT
/*
 * Errno names and messages, looked up in a table indexed by value.  The table
 * is data: errno.def is generated from the kernel's UAPI headers by
 * report/decode/gen/errno.sh, like strace's xlat lists, so the names are the kernel's
 * (the recording may come from another host, but errno values are kernel ABI)
 * and the messages do not depend on this host's libc or locale.
 */
#include <stddef.h>
#include <string.h>

#include "errno-names.h"
#include "event.h"

struct errno_entry {
	const char *name;
	const char *message;
};

static const struct errno_entry table[] = {
#define SCREC_ERRNO(name, value, message) [value] = { #name, message },
#include "errno.def"
#undef SCREC_ERRNO
};

#define NR_ENTRIES (sizeof(table) / sizeof(table[0]))

static const struct errno_entry *
lookup(int err)
{
	/* long: -INT_MIN does not fit an int */
	long v = err < 0 ? -(long)err : err;

	if (v <= 0 || (unsigned long)v >= NR_ENTRIES || !table[v].name)
		return NULL;
	return &table[v];
}

const char *
errno_name(int err)
{
	const struct errno_entry *e = lookup(err);

	return e ? e->name : NULL;
}

const char *
errno_message(int err)
{
	const struct errno_entry *e = lookup(err);

	return e ? e->message : NULL;
}

int
errno_value(const char *name)
{
	size_t i;

	for (i = 1; i < NR_ENTRIES; i++)
		if (table[i].name && strcmp(table[i].name, name) == 0)
			return (int)i;
	return 0;
}
