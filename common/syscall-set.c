// SPDX-License-Identifier: MIT
/*
 * Syscall sets and strace's -e trace= syntax.  The class of each syscall is data
 * (syscall-classes.def, generated from syscall-classes.in); the parser follows strace 6.1's
 * basic_filters.c in what it accepts and rejects, so that a user's strace expression means
 * the same here, and says what it could not parse with the closest real names.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscall-set.h"
#include "syscalls.h"
#include "util.h"

struct class_entry {
	const char *name;
	unsigned char nargs;
	unsigned classes;
};

static const struct class_entry table[SCREC_SYSCALL_SET_MAX] = {
#define SCREC_SYSCALL_CLASS(name, nr, nargs, classes) [nr] = { #name, nargs, classes },
#include "syscall-classes.def"
#undef SCREC_SYSCALL_CLASS
};

/* strace 6.1's class names, case-sensitive as there; "all" is handled by the parser. */
static const struct {
	const char *name;
	unsigned bits;
} class_names[] = {
	{ "%desc", SCREC_CLASS_DESC },
	{ "%file", SCREC_CLASS_FILE },
	{ "%memory", SCREC_CLASS_MEMORY },
	{ "%process", SCREC_CLASS_PROCESS },
	{ "%creds", SCREC_CLASS_CREDS },
	{ "%signal", SCREC_CLASS_SIGNAL },
	{ "%ipc", SCREC_CLASS_IPC },
	{ "%net", SCREC_CLASS_NETWORK },
	{ "%network", SCREC_CLASS_NETWORK },
	{ "%stat", SCREC_CLASS_STAT },
	{ "%lstat", SCREC_CLASS_LSTAT },
	{ "%fstat", SCREC_CLASS_FSTAT },
	{ "%%stat", SCREC_CLASS_STAT_LIKE },
	{ "%statfs", SCREC_CLASS_STATFS },
	{ "%fstatfs", SCREC_CLASS_FSTATFS },
	{ "%%statfs", SCREC_CLASS_STATFS_LIKE },
	{ "%pure", SCREC_CLASS_PURE },
	{ "%clock", SCREC_CLASS_CLOCK },
	/* legacy names */
	{ "desc", SCREC_CLASS_DESC },
	{ "file", SCREC_CLASS_FILE },
	{ "memory", SCREC_CLASS_MEMORY },
	{ "process", SCREC_CLASS_PROCESS },
	{ "signal", SCREC_CLASS_SIGNAL },
	{ "ipc", SCREC_CLASS_IPC },
	{ "network", SCREC_CLASS_NETWORK },
};

void
screc_syscall_set_clear(struct screc_syscall_set *set)
{
	memset(set, 0, sizeof(*set));
}

void
screc_syscall_set_add(struct screc_syscall_set *set, long nr)
{
	if (nr < 0 || nr >= SCREC_SYSCALL_SET_MAX)
		return;
	set->bits[nr / 64] |= 1ULL << (nr % 64);
}

bool
screc_syscall_set_has(const struct screc_syscall_set *set, long nr)
{
	if (nr < 0 || nr >= SCREC_SYSCALL_SET_MAX)
		return false;
	return set->bits[nr / 64] >> (nr % 64) & 1;
}

void
screc_syscall_set_fill(struct screc_syscall_set *set)
{
	long nr;

	screc_syscall_set_clear(set);
	for (nr = 0; nr < SCREC_SYSCALL_SET_MAX; nr++)
		if (screc_syscall_name(nr))
			screc_syscall_set_add(set, nr);
}

size_t
screc_syscall_set_count(const struct screc_syscall_set *set)
{
	size_t i, n = 0;

	for (i = 0; i < SCREC_ARRAY_SIZE(set->bits); i++)
		n += (size_t)__builtin_popcountll(set->bits[i]);
	return n;
}

long
screc_syscall_set_next(const struct screc_syscall_set *set, long from)
{
	long nr;

	for (nr = from < 0 ? 0 : from; nr < SCREC_SYSCALL_SET_MAX; nr++)
		if (screc_syscall_set_has(set, nr))
			return nr;
	return -1;
}

unsigned
screc_syscall_classes(long nr)
{
	if (nr < 0 || nr >= SCREC_SYSCALL_SET_MAX)
		return 0;
	return table[nr].classes;
}

int
screc_syscall_nargs(long nr)
{
	if (nr < 0 || nr >= SCREC_SYSCALL_SET_MAX || !table[nr].name)
		return -1;
	return table[nr].nargs;
}

unsigned
screc_syscall_class_bits(const char *name)
{
	size_t i;

	for (i = 0; i < SCREC_ARRAY_SIZE(class_names); i++)
		if (strcmp(class_names[i].name, name) == 0)
			return class_names[i].bits;
	return 0;
}

/* Only the syscall table's numbers, never the bits past them. */
static void
invert(struct screc_syscall_set *set)
{
	struct screc_syscall_set all;
	size_t i;

	screc_syscall_set_fill(&all);
	for (i = 0; i < SCREC_ARRAY_SIZE(set->bits); i++)
		set->bits[i] = ~set->bits[i] & all.bits[i];
}

/*
 * glibc's regcomp copies a repeated subexpression once per repetition, and
 * the copies of nested or stacked repetitions multiply ("x+++" is x x* x*
 * x* ...): a short regex can take gigabytes (the syscall-set fuzzer found
 * one).  regex_cost() is an upper bound of the nodes it builds: an atom
 * (a character, an escape, a bracket expression) counts 1, a group what
 * its contents count, alternatives add, and a repetition multiplies the item
 * before it by 2 (+, *, ?) or its larger bound plus one ({m,n}).
 */
#define REGEX_COST_MAX		1024
#define REGEX_DEPTH_MAX		32

static unsigned long
cap_cost(unsigned long v)
{
	return v > REGEX_COST_MAX ? REGEX_COST_MAX + 1 : v;
}

static unsigned long
regex_cost(const char *re)
{
	/* Per open group: its cost so far, and that of its last item. */
	unsigned long sum[REGEX_DEPTH_MAX + 1] = { 0 }, last[REGEX_DEPTH_MAX + 1] = { 0 }, f, n;
	const char *p = re, *q;
	char *end;
	int d = 0;

	while (*p) {
		unsigned long item = 1;

		if (*p == '\\' && p[1]) {
			p += 2;
		} else if (*p == '[') {		/* a bracket expression: no operators inside */
			p += p[1] == '^' ? 2 : 1;
			if (*p == ']')
				p++;		/* a leading ] is a member */
			while (*p && *p != ']') {
				q = NULL;
				if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '='))
					for (q = p + 2; *q && !(q[0] == p[1] && q[1] == ']'); q++)
						;	/* [:alpha:] and the like */
				p = q && *q ? q + 2 : p + 1;
			}
			if (*p)
				p++;
		} else if (*p == '(') {
			if (d == REGEX_DEPTH_MAX)
				return REGEX_COST_MAX + 1;
			d++;
			sum[d] = last[d] = 0;
			p++;
			continue;
		} else if (*p == ')' && d > 0) {
			item = sum[d--];
			p++;
		} else if (*p == '|') {
			last[d] = 0;		/* alternatives add up */
			p++;
			continue;
		} else if (*p == '+' || *p == '*' || *p == '?' || *p == '{') {
			f = 2;
			if (*p == '{') {	/* {m}, {m,} or {m,n}: the larger bound, and one */
				f = strtoul(p + 1, &end, 10);
				if (*end == ',' && end[1] != '}') {
					n = strtoul(end + 1, &end, 10);
					f = n > f ? n : f;
				}
				f = cap_cost(f) + 1;
				p = strchr(end, '}') ? strchr(end, '}') + 1 : end;
			} else {
				p++;
			}
			sum[d] = cap_cost(sum[d] - last[d] + cap_cost(last[d] * f));
			last[d] = cap_cost(last[d] * f);
			continue;
		} else {
			p++;
		}
		sum[d] = cap_cost(sum[d] + item);
		last[d] = item;
	}
	while (d > 0) {			/* unclosed groups: regcomp refuses them anyway */
		n = sum[d--];
		sum[d] = cap_cost(sum[d] + n);
	}
	return sum[0];
}

static int
add_regex(struct screc_syscall_set *set, const char *re, bool *found, char *err, size_t errlen)
{
	regex_t preg;
	char msg[128];
	long nr;
	int rc;

	if (regex_cost(re) > REGEX_COST_MAX) {
		snprintf(err, errlen, "regex too complex: %s: its repetitions would make regcomp "
			 "build over %d nodes; use fewer nested or stacked + * ? {m,n}", re,
			 REGEX_COST_MAX);
		return -EINVAL;
	}
	rc = regcomp(&preg, re, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, &preg, msg, sizeof(msg));
		snprintf(err, errlen, "regcomp: %s: %s", re, msg);
		return -EINVAL;
	}
	for (nr = 0; nr < SCREC_SYSCALL_SET_MAX; nr++) {
		const char *name = screc_syscall_name(nr);

		if (name && regexec(&preg, name, 0, NULL, 0) == 0) {
			screc_syscall_set_add(set, nr);
			*found = true;
		}
	}
	regfree(&preg);
	return 0;
}

static bool
add_class(struct screc_syscall_set *set, const char *name)
{
	unsigned bits = screc_syscall_class_bits(name);
	long nr;

	if (!bits)
		return false;
	for (nr = 0; nr < SCREC_SYSCALL_SET_MAX; nr++)
		if ((table[nr].classes & bits) == bits)
			screc_syscall_set_add(set, nr);
	return true;
}

static bool
add_number(struct screc_syscall_set *set, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= SCREC_SYSCALL_SET_MAX || !screc_syscall_name((long)v))
		return false;
	screc_syscall_set_add(set, (long)v);
	return true;
}

static void
unknown(const char *token, char *err, size_t errlen)
{
	const char *near[3];
	size_t n, i, off;

	off = (size_t)snprintf(err, errlen, "invalid system call '%s'", token);
	if (*token == '%' || *token == '/' || (*token >= '0' && *token <= '9'))
		return;
	n = screc_syscall_suggest(token, near, SCREC_ARRAY_SIZE(near));
	for (i = 0; i < n && off < errlen; i++)
		off += (size_t)snprintf(err + off, errlen - off, "%s%s", i ? ", " : " (did you mean ",
					near[i]);
	if (n && off < errlen)
		snprintf(err + off, errlen - off, "?)");
}

/* One comma-separated token: 0 with *ok telling whether it matched, or -EINVAL (regcomp). */
static int
add_token(struct screc_syscall_set *set, const char *token, bool *ok, char *err, size_t errlen)
{
	bool optional = false, found = false;
	int nr, rc;

	while (*token == '?') {
		token++;
		optional = true;
	}
	if (*token >= '0' && *token <= '9') {
		found = add_number(set, token);
	} else if (*token == '/') {
		rc = add_regex(set, token + 1, &found, err, errlen);
		if (rc)
			return rc;
	} else if (strcmp(token, "all") == 0) {
		struct screc_syscall_set all;
		size_t i;

		screc_syscall_set_fill(&all);
		for (i = 0; i < SCREC_ARRAY_SIZE(set->bits); i++)
			set->bits[i] |= all.bits[i];
		found = true;
	} else if (add_class(set, token)) {
		found = true;
	} else if ((nr = screc_syscall_nr(token)) >= 0) {
		screc_syscall_set_add(set, nr);
		found = true;
	}
	*ok = found || optional;
	return 0;
}

int
screc_syscall_set_parse(struct screc_syscall_set *set, const char *expr, char *err,
			size_t errlen)
{
	struct screc_syscall_set acc;
	const char *s = expr, *p;
	bool inverted = false, ok = false;
	char token[256];
	int rc;

	if (errlen)
		err[0] = '\0';
	screc_syscall_set_clear(set);
	if (strncmp(s, "trace=", 6) == 0)
		s += 6;
	else if (strncmp(s, "t=", 2) == 0)
		s += 2;
	while (*s == '!') {
		inverted = !inverted;
		s++;
	}
	screc_syscall_set_clear(&acc);
	if (strcmp(s, "none") == 0)
		goto done;
	if (strcmp(s, "all") == 0) {
		screc_syscall_set_fill(&acc);
		goto done;
	}
	for (p = s; *p;) {
		size_t len = strcspn(p, ",");

		if (len == 0) {
			p++;
			continue;
		}
		if (len >= sizeof(token)) {
			snprintf(err, errlen, "invalid system call '%.*s...'", 32, p);
			return -EINVAL;
		}
		memcpy(token, p, len);
		token[len] = '\0';
		rc = add_token(&acc, token, &ok, err, errlen);
		if (rc)
			return rc;
		if (!ok) {
			unknown(token, err, errlen);
			return -EINVAL;
		}
		p += len;
	}
	if (!ok) {
		/* no token at all: "", "!", "," */
		snprintf(err, errlen, "invalid system call '%s'", expr);
		return -EINVAL;
	}
done:
	if (inverted)
		invert(&acc);
	*set = acc;
	return 0;
}

const char *
screc_syscall_class_name(size_t i)
{
	return i < SCREC_ARRAY_SIZE(class_names) ? class_names[i].name : NULL;
}
