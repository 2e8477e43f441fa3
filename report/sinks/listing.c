// SPDX-License-Identifier: MIT
/*
 * The default output: strace -k's layout, one event after another, the call
 * line then one " > " line per frame, innermost first.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/sinks/shape.h"
#include "sink.h"

static void
print_arg(FILE *out, uint64_t v, bool ptr)
{
	int64_t sv = (int64_t)v;

	if (ptr)
		fprintf(out, v ? "%#" PRIx64 : "NULL", v);
	else if (sv >= -4096 && sv < 65536)
		fprintf(out, "%" PRId64, sv);
	else
		fprintf(out, "%#" PRIx64, v);
}

/* Print " = ret" the way strace does, with errno name and message for failures. */
static void
print_return(FILE *out, const struct event *ev)
{
	if (!ev->has_ret) {
		fprintf(out, " = ?");
		return;
	}
	if (ev->err) {
		if (ev->err_name && ev->err_msg)
			fprintf(out, " = -1 %s (%s)", ev->err_name, ev->err_msg);
		else if (ev->err_name)
			fprintf(out, " = -1 %s", ev->err_name);
		else
			fprintf(out, " = -1 errno %d", ev->err);
		return;
	}
	if (ev->ret > 65535)
		fprintf(out, " = %#" PRIx64, (uint64_t)ev->ret);
	else
		fprintf(out, " = %" PRId64, ev->ret);
}

/* strace's -t, -tt, -ttt and -r prefixes. */
static void
print_time(const struct sink *s, const struct event *ev, FILE *out, uint64_t *prev)
{
	const struct sink_opts *o = &s->opts;

	if (o->relative) {
		uint64_t d = prev && *prev && ev->time > *prev ? ev->time - *prev : 0;

		fprintf(out, "%6" PRIu64 ".%06" PRIu64 " ", d / 1000000000u,
			d % 1000000000u / 1000u);
		if (prev)
			*prev = ev->time;
	}
	if (o->timestamps) {
		uint64_t wall = (s->meta ? s->meta->start_realtime_ns : 0) + ev->rel_time;
		time_t sec = (time_t)(wall / 1000000000u);
		unsigned usec = (unsigned)(wall % 1000000000u / 1000u);
		struct tm tm;
		char hms[16];

		if (o->timestamps >= 3) {
			fprintf(out, "%" PRIu64 ".%06u ", (uint64_t)sec, usec);
			return;
		}
		localtime_r(&sec, &tm);
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		if (o->timestamps == 2)
			fprintf(out, "%s.%06u ", hms, usec);
		else
			fprintf(out, "%s ", hms);
	}
}

static int
listing_begin(struct sink *s, const struct report_meta *meta)
{
	(void)meta;
	if (s->opts.relative) {
		s->priv = calloc(1, sizeof(uint64_t));
		if (!s->priv)
			return -ENOMEM;
	}
	return 0;
}

static void
listing_free(struct sink *s)
{
	free(s->priv);
	s->priv = NULL;
}

/* One event's lines into out; prev is the last event's time for -r (NULL: none kept). */
static int
print_event(const struct sink *s, const struct event *ev, FILE *out, uint64_t *prev)
{
	unsigned i;
	size_t k;

	fprintf(out, "[pid %u] ", ev->tid);
	print_time(s, ev, out, prev);
	fputs(SINK_COLOR(s, SINK_C_SYSCALL), out);
	if (ev->syscall)
		fputs(ev->syscall, out);
	else
		fprintf(out, "syscall_%ld", ev->nr);
	fprintf(out, "%s(", SINK_COLOR(s, SINK_C_OFF));
	if (ev->args_text) {
		fputs(ev->args_text, out);
	} else {
		for (i = 0; i < ev->nr_args; i++) {
			if (i)
				fputs(", ", out);
			print_arg(out, ev->args[i], ev->arg_is_ptr & (1u << i));
		}
	}
	fputc(')', out);
	fputs(ev->err ? SINK_COLOR(s, SINK_C_ERROR) : "", out);
	if (ev->ret_text)
		fputs(ev->ret_text, out);
	else
		print_return(out, ev);
	fputs(ev->err ? SINK_COLOR(s, SINK_C_OFF) : "", out);
	if (s->opts.durations && ev->has_ret)
		fprintf(out, " <%" PRIu64 ".%06" PRIu64 ">", ev->duration_ns / 1000000000u,
			ev->duration_ns % 1000000000u / 1000u);
	fputc('\n', out);
	for (k = 0; k < ev->nr_frames; k++) {
		const struct frame *f = &ev->frames[k];
		bool own = s->opts.color && f->dso && !shape_system_library(f->dso);

		if (own)
			fputs(SINK_C_OWN, out);
		if (!f->dso)
			fprintf(out, " > [unknown] [%#" PRIx64 "]", f->pc);
		else if (f->bad_build_id)
			fprintf(out, " > %s(build-id mismatch) [%#" PRIx64 "]", f->dso, f->rel);
		else if (f->sym)
			fprintf(out, " > %s(%s+%#" PRIx64 ") [%#" PRIx64 "]", f->dso, f->sym,
				f->sym_off, f->rel);
		else
			fprintf(out, " > %s() [%#" PRIx64 "]", f->dso, f->rel);
		if (f->inlined)
			fputs(" [inlined]", out);
		if (f->guessed)
			fputs(" [guessed]", out);
		if (f->folded)
			fprintf(out, " [%u folded]", f->folded);
		if (own)
			fputs(SINK_C_OFF, out);
		if (s->opts.srcline && f->file)
			fprintf(out, " %s:%d", f->file, f->line);
		fputc('\n', out);
	}
	switch (ev->end) {
	case STACK_TRUNCATED:
		fprintf(out, " > %s[stack truncated: %" PRIu64 " bytes recorded]%s\n",
			SINK_COLOR(s, SINK_C_MARK), ev->stack_size, SINK_COLOR(s, SINK_C_OFF));
		break;
	case STACK_SWITCH:
		fprintf(out, " > %s[stack switch: not recorded]%s\n", SINK_COLOR(s, SINK_C_MARK),
			SINK_COLOR(s, SINK_C_OFF));
		break;
	case STACK_BROKEN:
		if (ev->nr_frames)
			fprintf(out, " > %s[unwinding stopped: no unwind information]%s\n",
				SINK_COLOR(s, SINK_C_MARK), SINK_COLOR(s, SINK_C_OFF));
		break;
	case STACK_COMPLETE:
		break;
	}
	return ferror(out) ? -EIO : 0;
}

static int
listing_event(struct sink *s, const struct event *ev)
{
	return print_event(s, ev, s->opts.out, s->priv);
}

static int
listing_render(const struct sink *s, const struct event *ev, FILE *out)
{
	if (s->opts.relative)
		return -EINVAL;	/* -r needs the previous event */
	return ev ? print_event(s, ev, out, NULL) : 0;
}

const struct sink_ops sink_listing = {
	.name = "text",
	.help = "the listing strace -k users know: each call, then its frames (default)",
	.begin = listing_begin,
	.event = listing_event,
	.render = listing_render,
	.free = listing_free,
};
