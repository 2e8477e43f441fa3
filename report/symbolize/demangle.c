// SPDX-License-Identifier: MIT
/* Names as people know them: libiberty's demangler and a few suffixes dropped. */
#include <libiberty/demangle.h>
#include <stdlib.h>
#include <string.h>

#include "common/strtab.h"
#include "symbolize.h"

/* Cut name at the suffix found at `at` (within buf's size), copying it into buf. */
static const char *
cut(const char *name, const char *at, char *buf, size_t len)
{
	if (!at || at == name || (size_t)(at - name) >= len)
		return name;
	if (name != buf)
		memcpy(buf, name, (size_t)(at - name));
	buf[at - name] = '\0';
	return buf;
}

const char *
sym_demangle(struct screc_strtab *strs, const char *name)
{
	char *d, buf[1024];
	const char *r, *at;

	if (!name)
		return NULL;
	/* Drop symbol versions: "__libc_start_main@@GLIBC_2.34". */
	name = cut(name, strchr(name, '@'), buf, sizeof(buf));
	/* Go's assembly functions carry their ABI: "runtime.goexit.abi0" is runtime.goexit. */
	at = strstr(name, ".abi0");
	if (at && at[5] == '\0')
		name = cut(name, at, buf, sizeof(buf));
	/* A function's cold part ("f.cold", "f.cold.3") is named as the function. */
	at = strstr(name, ".cold");
	if (at && (at[5] == '\0' || at[5] == '.'))
		name = cut(name, at, buf, sizeof(buf));
	if (strncmp(name, "_Z", 2) != 0 && strncmp(name, "_R", 2) != 0)
		return screc_strtab_intern(strs, name);
	d = cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
	if (!d)
		return screc_strtab_intern(strs, name);
	r = screc_strtab_intern(strs, d);
	free(d);
	return r;
}
