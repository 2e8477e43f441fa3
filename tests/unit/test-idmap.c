// SPDX-License-Identifier: MIT
/*
 * The id map against a reference array: random inserts, lookups and
 * deletes (a fixed seed, so that a failure replays), deletions inside probe
 * runs of colliding keys (found by asking the map where a key lands in an
 * empty table, not by copying its hash), growth, iteration with
 * idmap_slot(), and key 0, which cannot be stored.
 */
#include <stdlib.h>
#include <string.h>

#include "report/model/idmap.h"
#include "tap.h"

struct entry {
	uint32_t key;
	uint32_t val;
	uint64_t check;		/* a second word, to see entries move whole */
};

static size_t
slot_of(const struct idmap *m, const void *e)
{
	return (size_t)((const uint8_t *)e - m->slots) / m->elem;
}

/* Every live entry once, and nothing else: compares iteration with want[key] (0 = absent). */
static bool
iterate_matches(const struct idmap *m, const uint32_t *want, uint32_t max_key)
{
	uint8_t *seen = calloc(max_key + 1, 1);
	size_t i, n = 0;
	uint32_t k;
	bool good = seen != NULL;

	for (i = 0; good && i < m->cap; i++) {
		const struct entry *e = idmap_slot(m, i);

		if (!e)
			continue;
		n++;
		if (e->key == 0 || e->key > max_key || seen[e->key] || want[e->key] != e->val ||
		    e->check != ~(uint64_t)e->key)
			good = false;
		else
			seen[e->key] = 1;
	}
	for (k = 1; good && k <= max_key; k++)
		if (want[k] && !seen[k])
			good = false;
	free(seen);
	return good && n == m->nr;
}

static void
test_basics(void)
{
	struct idmap m = IDMAP_INIT(struct entry);
	struct entry *e, *f;

	tap_ok(idmap_get(&m, 5, false) == NULL,
	       "empty: a lookup finds nothing (and needs no table)");
	tap_ok(idmap_slot(&m, 0) == NULL, "empty: no slot 0");
	tap_ok(idmap_get(&m, 0, true) == NULL, "key 0 is refused");
	tap_is((long long)m.nr, 0, "key 0 added nothing");
	e = idmap_get(&m, 7, true);
	tap_ok(e && e->key == 7 && e->val == 0 && e->check == 0,
	       "create: a zeroed entry with its key");
	e->val = 70;
	f = idmap_get(&m, 7, true);
	tap_ok(f == e && f->val == 70, "create of an existing key returns it, unchanged");
	tap_ok(idmap_get(&m, 7, false) == e, "lookup finds it");
	tap_ok(idmap_get(&m, 0, false) == NULL, "key 0 is never found");
	tap_is((long long)m.nr, 1, "one entry");
	tap_ok(m.cap >= 2 && (m.cap & (m.cap - 1)) == 0, "the table is a power of two (%zu)",
	       m.cap);
	tap_ok(idmap_slot(&m, m.cap) == NULL, "idmap_slot past the end is NULL");
	idmap_del(&m, e);
	tap_ok(idmap_get(&m, 7, false) == NULL, "delete: gone");
	tap_is((long long)m.nr, 0, "delete: no entries");
	idmap_release(&m);
	tap_ok(m.slots == NULL && m.nr == 0 && m.cap == 0, "release empties it");
	e = idmap_get(&m, 9, true);
	tap_ok(e && e->key == 9, "usable again after release");
	idmap_release(&m);
	idmap_release(&m);
	tap_ok(m.slots == NULL && m.scratch == NULL, "release twice is harmless");
}

/* Keys that land in slot `home` of an empty table of the first size. */
static size_t
colliding(uint32_t *out, size_t want, size_t *home_out, size_t *cap_out, bool at_end)
{
	struct idmap probe = IDMAP_INIT(struct entry);
	uint32_t k;
	size_t n = 0, home = (size_t)-1;

	for (k = 1; k < 1000000 && n < want; k++) {
		struct entry *e = idmap_get(&probe, k, true);
		size_t s = slot_of(&probe, e);

		*cap_out = probe.cap;
		if (home == (size_t)-1 && (!at_end || s == probe.cap - 1))
			home = s;
		if (s == home)
			out[n++] = k;
		idmap_del(&probe, e);
	}
	idmap_release(&probe);
	*home_out = home;
	return n;
}

static void
test_collisions(bool at_end)
{
	const char *where = at_end ? "wrapping" : "run";
	struct idmap m = IDMAP_INIT(struct entry);
	uint32_t keys[5];
	size_t home, cap, i, n = colliding(keys, 5, &home, &cap, at_end);
	struct entry *e;
	unsigned bad;

	if (!tap_is((long long)n, 5, "%s: found 5 keys with the same home slot %zu", where, home))
		return;
	for (i = 0; i < n; i++) {
		e = idmap_get(&m, keys[i], true);
		e->val = keys[i] * 3;
		e->check = ~(uint64_t)keys[i];
	}
	tap_is((long long)m.cap, (long long)cap, "%s: no growth for 5 keys", where);
	bad = 0;
	for (i = 0; i < n; i++) {
		e = idmap_get(&m, keys[i], false);
		if (!e || slot_of(&m, e) != (home + i) % m.cap)
			bad++;
	}
	tap_is(bad, 0, "%s: they fill one probe run from slot %zu on", where, home);

	/* Delete the first: the rest must move up, not get lost behind the hole. */
	idmap_del(&m, idmap_get(&m, keys[0], false));
	bad = 0;
	for (i = 1; i < n; i++) {
		e = idmap_get(&m, keys[i], false);
		if (!e || e->val != keys[i] * 3 || e->check != ~(uint64_t)keys[i])
			bad++;
	}
	tap_is(bad, 0, "%s: deleting the run's head keeps the others, whole", where);
	/* Delete one in the middle. */
	idmap_del(&m, idmap_get(&m, keys[2], false));
	bad = 0;
	for (i = 1; i < n; i++)
		if (i != 2 && !idmap_get(&m, keys[i], false))
			bad++;
	tap_is(bad, 0, "%s: deleting the middle of the run keeps the others", where);
	tap_ok(!idmap_get(&m, keys[0], false) && !idmap_get(&m, keys[2], false),
	       "%s: the deleted ones are gone", where);
	/* Delete the last, then re-add all. */
	idmap_del(&m, idmap_get(&m, keys[4], false));
	tap_ok(idmap_get(&m, keys[1], false) && idmap_get(&m, keys[3], false) && m.nr == 2,
	       "%s: deleting the run's tail keeps the rest", where);
	for (i = 0; i < n; i++) {
		e = idmap_get(&m, keys[i], true);
		e->val = keys[i] * 3;
		e->check = ~(uint64_t)keys[i];
	}
	bad = 0;
	for (i = 0; i < n; i++)
		if (!idmap_get(&m, keys[i], false))
			bad++;
	tap_ok(bad == 0 && m.nr == 5, "%s: re-added, all five are there", where);
	idmap_release(&m);
}

#define MAX_KEY 3000

static void
test_random(void)
{
	struct idmap m = IDMAP_INIT(struct entry);
	uint32_t *want = calloc(MAX_KEY + 1, sizeof(*want));
	uint64_t seed = 1234;
	unsigned i, bad_get = 0, bad_missing = 0, bad_del = 0, bad_nr = 0, bad_load = 0;
	size_t live = 0;

	for (i = 0; i < 200000; i++) {
		uint32_t k = 1 + (uint32_t)(tap_rand(&seed) % MAX_KEY);
		unsigned op = (unsigned)(tap_rand(&seed) % 10);
		struct entry *e = idmap_get(&m, k, false);

		if (want[k] ? !e || e->val != want[k] || e->check != ~(uint64_t)k : e != NULL)
			bad_get++;
		if (op < 5) {
			e = idmap_get(&m, k, true);
			if (!e) {
				bad_missing++;
				continue;
			}
			if (!want[k])
				live++;
			want[k] = 1 + (uint32_t)(tap_rand(&seed) % 1000000);
			e->val = want[k];
			e->check = ~(uint64_t)k;
		} else if (op < 9 && e) {
			idmap_del(&m, e);
			if (idmap_get(&m, k, false))
				bad_del++;
			want[k] = 0;
			live--;
		}
		if (m.nr != live)
			bad_nr++;
		if (m.nr * 2 > m.cap)
			bad_load++;
	}
	tap_is(bad_get, 0, "random: 200000 lookups agree with the reference");
	tap_is(bad_missing, 0, "random: every insert got an entry");
	tap_is(bad_del, 0, "random: every deleted key is gone");
	tap_is(bad_nr, 0, "random: nr is the number of live keys");
	tap_is(bad_load, 0, "random: the table never gets more than half full");
	tap_ok(iterate_matches(&m, want, MAX_KEY),
	       "random: iteration sees exactly the live entries");

	/* Delete everything through iteration, as the report's end does. */
	while (m.nr) {
		size_t s;

		for (s = 0; s < m.cap && m.nr;) {
			struct entry *e = idmap_slot(&m, s);

			if (e) {
				want[e->key] = 0;
				idmap_del(&m, e);
			} else {
				s++;
			}
		}
	}
	tap_ok(iterate_matches(&m, want, MAX_KEY), "random: deleting during sweeps empties it");
	idmap_release(&m);
	free(want);
}

static void
test_growth(void)
{
	struct idmap m = IDMAP_INIT(struct entry);
	uint32_t k;
	unsigned bad = 0, grew = 0;
	size_t cap = 0;

	for (k = 1; k <= 200000; k++) {
		/* Spread keys: tids and pids are anything up to 2^22, sometimes higher. */
		uint32_t key = k * 2654435761u;
		struct entry *e;

		if (!key)
			continue;
		e = idmap_get(&m, key, true);
		if (!e) {
			bad++;
			continue;
		}
		e->val = k;
		e->check = ~(uint64_t)key;
		if (m.cap != cap) {
			grew++;
			cap = m.cap;
		}
	}
	tap_is(bad, 0, "growth: 200000 inserts all got entries");
	tap_is((long long)m.nr, 200000, "growth: 200000 entries");
	tap_ok(grew > 10 && m.nr * 2 <= m.cap, "growth: grew %u times, to %zu slots", grew, m.cap);
	bad = 0;
	for (k = 1; k <= 200000; k++) {
		uint32_t key = k * 2654435761u;
		struct entry *e = idmap_get(&m, key, false);

		if (!e || e->val != k || e->check != ~(uint64_t)key)
			bad++;
	}
	tap_is(bad, 0, "growth: every entry survived the moves, whole");
	idmap_release(&m);
}

int
main(void)
{
	test_basics();
	test_collisions(false);
	test_collisions(true);
	test_random();
	test_growth();
	return tap_done();
}
