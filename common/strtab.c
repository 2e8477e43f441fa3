// SPDX-License-Identifier: MIT
/* The string table: open addressing over copies, kept at most half full. */
#include <stdlib.h>
#include <string.h>

#include "strtab.h"
#include "util.h"

struct screc_strtab {
	char **slots;
	size_t nr, cap;
};

struct screc_strtab *
screc_strtab_new(void)
{
	return calloc(1, sizeof(struct screc_strtab));
}

void
screc_strtab_free(struct screc_strtab *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->cap; i++)
		free(t->slots[i]);
	free(t->slots);
	free(t);
}

static int
grow(struct screc_strtab *t)
{
	size_t cap = t->cap ? 2 * t->cap : 1024, i;
	char **n = calloc(cap, sizeof(*n));

	if (!n)
		return -1;
	for (i = 0; i < t->cap; i++)
		if (t->slots[i]) {
			size_t k = screc_hash_str(t->slots[i]) & (cap - 1);

			while (n[k])
				k = (k + 1) & (cap - 1);
			n[k] = t->slots[i];
		}
	free(t->slots);
	t->slots = n;
	t->cap = cap;
	return 0;
}

const char *
screc_strtab_intern_len(struct screc_strtab *t, const char *s, size_t len)
{
	size_t i;

	if (!s || (t->nr * 2 >= t->cap && grow(t)))
		return NULL;
	len = strnlen(s, len);	/* a string ends at its first NUL */
	for (i = screc_hash_bytes(s, len, 0) & (t->cap - 1); t->slots[i]; i = (i + 1) & (t->cap - 1))
		if (strncmp(t->slots[i], s, len) == 0 && t->slots[i][len] == '\0')
			return t->slots[i];
	t->slots[i] = malloc(len + 1);
	if (!t->slots[i])
		return NULL;
	memcpy(t->slots[i], s, len);
	t->slots[i][len] = '\0';
	t->nr++;
	return t->slots[i];
}

const char *
screc_strtab_intern(struct screc_strtab *t, const char *s)
{
	return s ? screc_strtab_intern_len(t, s, strlen(s)) : NULL;
}
