/* SPDX-License-Identifier: MIT */
/*
 * A string table: equal strings give the same pointer, so that the rest of
 * the report compares paths, build-ids and names by pointer.  One per report
 * session; its strings live until screc_strtab_free().
 */
#ifndef SCREC_STRTAB_H
#define SCREC_STRTAB_H

#include <stddef.h>

struct screc_strtab;

/* A new, empty table, or NULL without memory. */
struct screc_strtab *screc_strtab_new(void);
/* Free the table and every string in it; NULL is a no-op. */
void screc_strtab_free(struct screc_strtab *t);

/* The table's copy of s (NULL for NULL, or without memory). */
const char *screc_strtab_intern(struct screc_strtab *t, const char *s);
/* The same for len bytes that need not be NUL-terminated. */
const char *screc_strtab_intern_len(struct screc_strtab *t, const char *s, size_t len);

#endif
