// SPDX-License-Identifier: MIT
/*
 * `screc report --summary` (-c): strace -c's table, per syscall the share of
 * time, seconds, microseconds per call, the longest call, calls and errors;
 * then the errors by errno; then what strace -c cannot say: each syscall's
 * top call sites, the innermost frame outside libc, ld.so and the vdso (the
 * program's own code, or the library that made the call for it).
 * Memory grows with the syscalls and distinct call sites, not with the events.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/syscall-set.h"
#include "common/util.h"
#include "sink.h"

#define NR_SLOTS	(SCREC_SYSCALL_SET_MAX + 1)	/* the last one for unknown numbers */
#define TOP_SITES	5

struct site {
	const char *sym, *dso;		/* interned by the report: compared by pointer */
	uint64_t addr;			/* without a name */
	uint64_t count;
};

struct errcount {
	int err;
	const char *name;
	uint64_t count;
};

struct per_call {
	const char *name;
	long nr;
	uint64_t calls, errors, total_ns, max_ns;
	struct errcount *errs;
	size_t nr_errs, cap_errs;
	struct site *sites;
	size_t nr_sites, cap_sites;
	uint64_t no_site;		/* calls whose stack is all system libraries */
};

struct summary {
	struct per_call calls[NR_SLOTS];
	char **names;			/* copies of names the events gave */
	size_t nr_names, cap_names;
};

/* Whether a frame's binary is one whose frames a call site skips. */
static bool
system_dso(const char *dso)
{
	static const char *const prefixes[] = {
		"libc.so", "libc-", "ld-linux", "ld-musl", "ld-2.", "libpthread", "librt.so",
		"libdl.so", "linux-vdso", "[vdso]",
	};
	const char *base;
	size_t i;

	if (!dso)
		return false;
	base = strrchr(dso, '/');
	base = base ? base + 1 : dso;
	for (i = 0; i < SCREC_ARRAY_SIZE(prefixes); i++)
		if (strncmp(base, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* A copy of s that lives as long as the sink: event strings may not. */
static const char *
keep(struct summary *m, const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = m->nr_names; i > 0; i--)
		if (strcmp(m->names[i - 1], s) == 0)
			return m->names[i - 1];
	if (screc_grow(&m->names, &m->cap_names, m->nr_names + 1, sizeof(*m->names), 64))
		return NULL;
	m->names[m->nr_names] = strdup(s);
	return m->names[m->nr_names] ? m->names[m->nr_names++] : NULL;
}

static int
summary_begin(struct sink *s, const struct report_meta *meta)
{
	(void)meta;
	s->priv = calloc(1, sizeof(struct summary));
	return s->priv ? 0 : -ENOMEM;
}

static int
add_site(struct summary *m, struct per_call *c, const struct frame *f)
{
	size_t i;

	for (i = 0; i < c->nr_sites; i++) {
		struct site *st = &c->sites[i];

		if ((f->sym ? st->sym && strcmp(st->sym, f->sym) == 0 : !st->sym && st->addr == f->rel) &&
		    (st->dso == f->dso || (st->dso && f->dso && strcmp(st->dso, f->dso) == 0))) {
			st->count++;
			return 0;
		}
	}
	if (screc_grow(&c->sites, &c->cap_sites, c->nr_sites + 1, sizeof(*c->sites), 8))
		return -ENOMEM;
	c->sites[c->nr_sites++] = (struct site){ keep(m, f->sym), keep(m, f->dso),
						 f->sym ? 0 : f->rel, 1 };
	return 0;
}

static int
add_errno(struct summary *m, struct per_call *c, const struct event *ev)
{
	size_t i;

	for (i = 0; i < c->nr_errs; i++)
		if (c->errs[i].err == ev->err) {
			c->errs[i].count++;
			return 0;
		}
	if (screc_grow(&c->errs, &c->cap_errs, c->nr_errs + 1, sizeof(*c->errs), 4))
		return -ENOMEM;
	c->errs[c->nr_errs++] = (struct errcount){ ev->err, keep(m, ev->err_name), 1 };
	return 0;
}

static int
summary_event(struct sink *s, const struct event *ev)
{
	struct summary *m = s->priv;
	size_t slot = ev->nr >= 0 && ev->nr < SCREC_SYSCALL_SET_MAX ? (size_t)ev->nr : NR_SLOTS - 1;
	struct per_call *c = &m->calls[slot];
	size_t i;
	int err = 0;

	if (!c->calls) {
		c->nr = slot == NR_SLOTS - 1 ? -1 : ev->nr;
		c->name = keep(m, ev->syscall);
	}
	c->calls++;
	if (ev->has_ret) {
		c->total_ns += ev->duration_ns;
		if (ev->duration_ns > c->max_ns)
			c->max_ns = ev->duration_ns;
		if (ev->err) {
			c->errors++;
			err = add_errno(m, c, ev);
		}
	}
	for (i = 0; i < ev->nr_frames && !err; i++)
		if (!system_dso(ev->frames[i].dso) && ev->frames[i].dso)
			return add_site(m, c, &ev->frames[i]);
	if (!err)
		c->no_site++;
	return err;
}

static int
by_time(const void *a, const void *b)
{
	const struct per_call *x = *(const struct per_call *const *)a;
	const struct per_call *y = *(const struct per_call *const *)b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static int
by_count(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	return x->count > y->count ? -1 : x->count < y->count;
}

static const char *
base(const char *path)
{
	const char *p = path ? strrchr(path, '/') : NULL;

	return p ? p + 1 : path ? path : "?";
}

static void
print_name(FILE *out, const struct per_call *c, int width)
{
	if (c->name)
		fprintf(out, "%-*s", width, c->name);
	else
		fprintf(out, "syscall_%-*ld", width > 8 ? width - 8 : 0, c->nr);
}

static int
summary_end(struct sink *s, const struct report_stats *st)
{
	static const char rule[] =
		"------ ----------- ----------- ---------- --------- --------- ----------------\n";
	struct summary *m = s->priv;
	FILE *out = s->opts.out;
	struct per_call *rows[NR_SLOTS];
	uint64_t total_ns = 0, calls = 0, errors = 0, max_ns = 0;
	size_t n = 0, i, k;

	(void)st;
	for (i = 0; i < NR_SLOTS; i++)
		if (m->calls[i].calls) {
			rows[n++] = &m->calls[i];
			total_ns += m->calls[i].total_ns;
			calls += m->calls[i].calls;
			errors += m->calls[i].errors;
			if (m->calls[i].max_ns > max_ns)
				max_ns = m->calls[i].max_ns;
		}
	qsort(rows, n, sizeof(*rows), by_time);
	fprintf(out, "%% time     seconds  usecs/call  max usecs     calls    errors syscall\n");
	fputs(rule, out);
	for (i = 0; i < n; i++) {
		const struct per_call *c = rows[i];

		fprintf(out, "%6.2f %11.6f %11" PRIu64 " %10" PRIu64 " %9" PRIu64 " ",
			total_ns ? 100.0 * (double)c->total_ns / (double)total_ns : 0.0,
			(double)c->total_ns / 1e9, c->total_ns / 1000 / c->calls, c->max_ns / 1000,
			c->calls);
		if (c->errors)
			fprintf(out, "%9" PRIu64 " ", c->errors);
		else
			fprintf(out, "%9s ", "");
		print_name(out, c, 0);
		fputc('\n', out);
	}
	fputs(rule, out);
	fprintf(out, "%6.2f %11.6f %11" PRIu64 " %10" PRIu64 " %9" PRIu64 " %9" PRIu64 " total\n",
		n ? 100.0 : 0.0, (double)total_ns / 1e9, calls ? total_ns / 1000 / calls : 0,
		max_ns / 1000, calls, errors);

	if (errors) {
		fprintf(out, "\nerrors:\n");
		for (i = 0; i < n; i++) {
			const struct per_call *c = rows[i];

			if (!c->nr_errs)
				continue;
			fputs("  ", out);
			print_name(out, c, 16);
			for (k = 0; k < c->nr_errs; k++) {
				fprintf(out, "%s", k ? ", " : " ");
				if (c->errs[k].name)
					fprintf(out, "%s %" PRIu64, c->errs[k].name, c->errs[k].count);
				else
					fprintf(out, "errno %d %" PRIu64, c->errs[k].err,
						c->errs[k].count);
			}
			fputc('\n', out);
		}
	}

	fprintf(out, "\ncall sites (the innermost frame outside libc, ld.so and the vdso):\n");
	for (i = 0; i < n; i++) {
		struct per_call *c = rows[i];

		if (c->nr_sites)	/* qsort(NULL, 0) is undefined */
			qsort(c->sites, c->nr_sites, sizeof(*c->sites), by_count);
		fputs("  ", out);
		print_name(out, c, 0);
		fprintf(out, " (%" PRIu64 " calls)\n", c->calls);
		for (k = 0; k < c->nr_sites && k < TOP_SITES; k++) {
			const struct site *si = &c->sites[k];

			fprintf(out, "    %6.2f%% %9" PRIu64 "  ", 100.0 * (double)si->count /
				(double)c->calls, si->count);
			if (si->sym)
				fprintf(out, "%s (%s)\n", si->sym, base(si->dso));
			else
				fprintf(out, "%s+%#" PRIx64 "\n", base(si->dso), si->addr);
		}
		if (c->nr_sites > TOP_SITES)
			fprintf(out, "    (%zu more call sites)\n", c->nr_sites - TOP_SITES);
		if (c->no_site)
			fprintf(out, "    %6.2f%% %9" PRIu64 "  (no frame outside the system "
				"libraries)\n", 100.0 * (double)c->no_site / (double)c->calls,
				c->no_site);
	}
	return fflush(out) || ferror(out) ? -EIO : 0;
}

static void
summary_free(struct sink *s)
{
	struct summary *m = s->priv;
	size_t i;

	if (!m)
		return;
	for (i = 0; i < NR_SLOTS; i++) {
		free(m->calls[i].errs);
		free(m->calls[i].sites);
	}
	for (i = 0; i < m->nr_names; i++)
		free(m->names[i]);
	free(m->names);
	free(m);
	s->priv = NULL;
}

const struct sink_ops sink_summary = {
	.name = "summary",
	.help = "strace -c's table per syscall, errors by errno, and each syscall's top call sites (also -c)",
	.begin = summary_begin,
	.event = summary_event,
	.end = summary_end,
	.free = summary_free,
};
