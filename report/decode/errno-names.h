/* SPDX-License-Identifier: MIT */
/*
 * Errno names and messages for the sinks, from the generated table in
 * errno.def (report/decode/gen/errno.sh).  Kept out of a file called errno.h: meson
 * puts report/ on the include path of everything built here, and that name
 * would shadow <errno.h>.
 */
#ifndef SCREC_ERRNO_NAMES_H
#define SCREC_ERRNO_NAMES_H

#include <stdint.h>

/*
 * The symbolic name of an errno value ("ECONNREFUSED"), including the
 * kernel-internal codes (ERESTARTSYS...), or NULL for a value the table does
 * not know.  A negative value, as a raw syscall returns it, is taken as its
 * opposite.  The string is static.
 */
const char *errno_name(int err);

/*
 * The C library's message for an errno value ("Connection refused"), a fixed
 * text for the kernel-internal codes, or NULL for unknown values.  Same
 * conventions as errno_name(); independent of the locale and the host's libc.
 */
const char *errno_message(int err);

/* The value of an errno name ("ENOENT"), or 0 for names the table does not know. */
int errno_value(const char *name);

/* The errno a raw syscall return carries (-4095..-1), or 0 when the call succeeded. */
static inline int
errno_of_ret(int64_t ret)
{
	return ret < 0 && ret >= -4095 ? (int)-ret : 0;
}

#endif
