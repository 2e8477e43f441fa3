// SPDX-License-Identifier: MIT
/*
 * The default output: strace -k's layout, one event after another, the call
 * line then one " > " line per frame, innermost first.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

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

static int
listing_event(struct sink *s, const struct event *ev)
{
	FILE *out = s->opts.out;
	unsigned i;
	size_t k;

	fprintf(out, "[pid %u] ", ev->tid);
	if (ev->syscall)
		fprintf(out, "%s(", ev->syscall);
	else
		fprintf(out, "syscall_%ld(", ev->nr);
	for (i = 0; i < ev->nr_args; i++) {
		if (i)
			fputs(", ", out);
		print_arg(out, ev->args[i], ev->arg_is_ptr & (1u << i));
	}
	fputc(')', out);
	print_return(out, ev);
	fputc('\n', out);
	for (k = 0; k < ev->nr_frames; k++) {
		const struct frame *f = &ev->frames[k];

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
		if (s->opts.srcline && f->file)
			fprintf(out, " %s:%d", f->file, f->line);
		fputc('\n', out);
	}
	switch (ev->end) {
	case STACK_TRUNCATED:
		fprintf(out, " > [stack truncated: %" PRIu64 " bytes recorded]\n", ev->stack_size);
		break;
	case STACK_SWITCH:
		fputs(" > [stack switch: not recorded]\n", out);
		break;
	case STACK_BROKEN:
		if (ev->nr_frames)
			fputs(" > [unwinding stopped: no unwind information]\n", out);
		break;
	case STACK_COMPLETE:
		break;
	}
	return ferror(out) ? -EIO : 0;
}

const struct sink_ops sink_listing = {
	.name = "text",
	.help = "the listing strace -k users know: each call, then its frames (default)",
	.event = listing_event,
};
