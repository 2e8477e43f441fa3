// SPDX-License-Identifier: MIT
/*
 * --format=perf-script: the text `perf script` prints, which Firefox
 * Profiler, speedscope, stackcollapse-perf.pl, Perfetto and inferno import.
 * One sample per syscall, streamed:
 *
 *	comm pid/tid [cpu] sec.usec: period raw_syscalls:sys_enter:
 *	\t               0 __x64_sys_connect ([kernel.kallsyms])
 *	\t    7f3c1a2b3c4d __connect+0x1d (/usr/lib/x86_64-linux-gnu/libc.so.6)
 *	...
 *	(a blank line)
 *
 * The grammar is the strict one every importer accepts (shared/FORMATS.md):
 * no '#' line, exactly six decimals, at least one frame, one event name for
 * all samples with nothing after its colon.  The syscall is a pseudo-kernel
 * leaf frame, so that every flame graph ends in it; a stack that is not
 * complete ends in a "[truncated]" (or "[stack switch]", "[broken]") frame.
 * The period is 1, or the syscall's duration in ns with --weight=latency
 * (stackcollapse and inferno weigh by it).  Times are seconds from the
 * report's start; with several recordings, pids and tids of the second and
 * later ones are moved apart (export_pid()), because importers key threads by
 * tid alone.  The format has no room for the decoded arguments.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "sink.h"

struct perf_script {
	struct export_recs recs;
	struct screc_buf line;
};

/*
 * A comm as the sample line needs it: not empty, no control character,
 * nothing that reads as a comment; and when one of its words is all digits
 * (which importers would take for the pid), its spaces become '_'.
 */
static void
put_comm(struct screc_buf *b, const char *comm)
{
	const unsigned char *p;
	bool digit_word = false, in_word = false, all_digits = true;
	size_t start = b->len;

	if (!comm || !*comm)
		comm = "[unknown]";
	for (p = (const unsigned char *)comm;; p++) {
		if (*p && *p != ' ') {
			if (!in_word)
				all_digits = true;
			in_word = true;
			all_digits = all_digits && *p >= '0' && *p <= '9';
			continue;
		}
		if (in_word && all_digits)
			digit_word = true;
		in_word = false;
		if (!*p)
			break;
	}
	for (p = (const unsigned char *)comm; *p; p++) {
		unsigned char c = *p;

		if (c < 0x20 || c == 0x7f || (c == ' ' && digit_word))
			c = '_';
		screc_buf_char(b, (char)c);
	}
	if (b->len > start && (b->s[start] == '#' || b->s[start] == ' '))
		b->s[start] = '_';
}

/* Add s, each byte that bad() refuses as '_'; clean runs in one go. */
static void
put_clean(struct screc_buf *b, const char *s, bool (*bad)(unsigned char c))
{
	const char *run = s;

	for (; *s; s++) {
		if (!bad((unsigned char)*s))
			continue;
		screc_buf_add(b, run, (size_t)(s - run));
		screc_buf_char(b, '_');
		run = s + 1;
	}
	screc_buf_add(b, run, (size_t)(s - run));
}

static bool
bad_in_dso(unsigned char c)
{
	return c <= ' ' || c == '(' || c == ')' || c == 0x7f;
}

static bool
bad_in_sym(unsigned char c)
{
	return c < ' ' || c == 0x7f;
}

/* A dso as the frame line needs it: no space, no parenthesis, no control character. */
static void
put_dso(struct screc_buf *b, const char *dso)
{
	put_clean(b, dso && *dso ? dso : "[unknown]", bad_in_dso);
}

/* A symbol on one line. */
static void
put_sym(struct screc_buf *b, const char *sym)
{
	put_clean(b, sym, bad_in_sym);
}

static int
ps_begin(struct sink *s, const struct report_meta *meta)
{
	struct perf_script *ps = s->priv;

	if (!ps) {
		ps = calloc(1, sizeof(*ps));
		if (!ps)
			return -ENOMEM;
		s->priv = ps;
	}
	return export_recs_add(&ps->recs, meta);
}

static const char *const end_frames[] = {
	[STACK_TRUNCATED] = "[truncated]",
	[STACK_SWITCH] = "[stack switch]",
	[STACK_BROKEN] = "[broken]",
};

static int
ps_event(struct sink *s, const struct event *ev)
{
	struct perf_script *ps = s->priv;
	struct screc_buf *b = &ps->line;
	uint64_t t = export_time(&ps->recs, ev);
	uint64_t period = s->opts.weight == SINK_WEIGHT_LATENCY ? ev->duration_ns : 1;
	size_t i;

	screc_buf_reset(b);
	put_comm(b, ev->comm);
	screc_buf_printf(b, " %" PRIu32 "/%" PRIu32 " [%03u] %" PRIu64 ".%06" PRIu64 ": %" PRIu64
			 " raw_syscalls:sys_enter:\n", export_pid(ev->recording, ev->pid),
			 export_pid(ev->recording, ev->tid), ev->cpu, t / 1000000000,
			 t % 1000000000 / 1000, period);
	screc_buf_str(b, "\t               0 __x64_sys_");
	export_syscall_name(b, ev);
	screc_buf_str(b, " ([kernel.kallsyms])\n");
	for (i = 0; i < ev->nr_frames; i++) {
		const struct frame *f = &ev->frames[i];

		screc_buf_char(b, '\t');
		export_hex(b, f->pc, 16);
		screc_buf_char(b, ' ');
		if (f->sym) {
			put_sym(b, f->sym);
			if (!f->inlined) {
				screc_buf_str(b, "+0x");
				export_hex(b, f->sym_off, 0);
			}
		} else {
			screc_buf_str(b, "[unknown]");
		}
		screc_buf_str(b, " (");
		put_dso(b, f->dso);
		screc_buf_str(b, ")\n");
	}
	if (ev->end != STACK_COMPLETE && (size_t)ev->end < SCREC_ARRAY_SIZE(end_frames))
		screc_buf_printf(b, "\t%16x %s ([unknown])\n", 0, end_frames[ev->end]);
	screc_buf_char(b, '\n');
	return export_write(s->opts.out, b);
}

static int
ps_end(struct sink *s, const struct report_stats *st)
{
	(void)st;
	if (fflush(s->opts.out) || ferror(s->opts.out))
		return -EIO;
	return 0;
}

static void
ps_free(struct sink *s)
{
	struct perf_script *ps = s->priv;

	if (!ps)
		return;
	export_recs_release(&ps->recs);
	screc_buf_release(&ps->line);
	free(ps);
	s->priv = NULL;
}

const struct sink_ops sink_perf_script = {
	.name = "perf-script",
	.help = "perf script's text: Firefox Profiler, speedscope, Perfetto, stackcollapse-perf.pl",
	.each_recording = true,
	.begin = ps_begin,
	.event = ps_event,
	.end = ps_end,
	.free = ps_free,
};
