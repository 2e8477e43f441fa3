// SPDX-License-Identifier: MIT
/* The id map: open addressing with linear probing, kept at most half full. */
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

static size_t
hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

static uint32_t
key_at(const struct idmap *m, size_t i)
{
	uint32_t k;

	memcpy(&k, m->slots + i * m->elem, sizeof(k));
	return k;
}

static bool
grow(struct idmap *m)
{
	size_t cap = m->cap ? 2 * m->cap : 64, i;
	uint8_t *n = calloc(cap, m->elem);

	if (!m->scratch)
		m->scratch = malloc(m->elem);
	if (!n || !m->scratch) {
		free(n);
		return false;
	}
	for (i = 0; i < m->cap; i++) {
		uint32_t k = key_at(m, i);
		size_t j;

		if (!k)
			continue;
		for (j = hash32(k) & (cap - 1);; j = (j + 1) & (cap - 1)) {
			uint32_t o;

			memcpy(&o, n + j * m->elem, sizeof(o));
			if (!o)
				break;
		}
		memcpy(n + j * m->elem, m->slots + i * m->elem, m->elem);
	}
	free(m->slots);
	m->slots = n;
	m->cap = cap;
	return true;
}

void *
idmap_get(struct idmap *m, uint32_t key, bool create)
{
	size_t i;

	if (!key)
		return NULL;
	if (create && m->nr * 2 >= m->cap && !grow(m))
		return NULL;
	if (!m->cap)
		return NULL;
	for (i = hash32(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		uint32_t k = key_at(m, i);

		if (k == key)
			return m->slots + i * m->elem;
		if (!k)
			break;
	}
	if (!create)
		return NULL;
	memcpy(m->slots + i * m->elem, &key, sizeof(key));
	m->nr++;
	return m->slots + i * m->elem;
}

void
idmap_del(struct idmap *m, void *entry)
{
	size_t i = (size_t)((uint8_t *)entry - m->slots) / m->elem, j;

	memset(entry, 0, m->elem);
	m->nr--;
	/* Re-insert the rest of the probe run so lookups do not stop at the hole. */
	for (j = (i + 1) & (m->cap - 1); key_at(m, j); j = (j + 1) & (m->cap - 1)) {
		uint8_t *e = m->slots + j * m->elem, *n;
		uint32_t k = key_at(m, j);

		memcpy(m->scratch, e, m->elem);
		memset(e, 0, m->elem);
		m->nr--;
		n = idmap_get(m, k, true);
		memcpy(n, m->scratch, m->elem);
	}
}

void *
idmap_slot(const struct idmap *m, size_t i)
{
	return i < m->cap && key_at(m, i) ? m->slots + i * m->elem : NULL;
}

void
idmap_release(struct idmap *m)
{
	free(m->slots);
	free(m->scratch);
	m->slots = NULL;
	m->scratch = NULL;
	m->nr = m->cap = 0;
}
