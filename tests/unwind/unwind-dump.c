// SPDX-License-Identifier: MIT
/*
 * The unwinder's test oracle: reports a recording through a report session
 * and prints each event as one JSON line with every field the unwinder and
 * the symbolizer set, including those no sink prints yet (a frame's
 * "guessed" flag), so that unwind.py can check them.
 *
 *     unwind-dump [--no-inline] RECORDING
 *
 * Exit status: 0, or 1 when the recording cannot be read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report/session-internal.h"

static const char *const methods[] = {
	[FRAME_INITIAL] = "initial", [FRAME_CFI] = "cfi", [FRAME_FP] = "fp",
	[FRAME_PROLOGUE] = "prologue", [FRAME_INLINE] = "inline", [FRAME_SIGNAL] = "signal",
};
static const char *const ends[] = {
	[STACK_COMPLETE] = "complete", [STACK_TRUNCATED] = "truncated",
	[STACK_SWITCH] = "stack_switch", [STACK_BROKEN] = "broken",
};

static void
str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static int
dump_event(struct sink *s, const struct event *ev)
{
	FILE *out = s->opts.out;
	size_t i;

	fprintf(out, "{\"pid\":%u,\"tid\":%u,\"syscall\":", ev->pid, ev->tid);
	str(out, ev->syscall);
	fprintf(out, ",\"args\":[%" PRIu64 ",%" PRIu64 ",%" PRIu64 "],\"args_text\":", ev->args[0],
		ev->args[1], ev->args[2]);
	str(out, ev->args_text);
	fputs(",\"stack_end\":", out);
	str(out, (unsigned)ev->end < 4 ? ends[ev->end] : "?");
	fputs(",\"frames\":[", out);
	for (i = 0; i < ev->nr_frames; i++) {
		const struct frame *f = &ev->frames[i];

		fprintf(out, "%s{\"address\":%" PRIu64 ",\"rel\":%" PRIu64 ",\"offset\":%" PRIu64
			",\"symbol\":", i ? "," : "", f->pc, f->rel, f->sym_off);
		str(out, f->sym);
		fputs(",\"dso\":", out);
		str(out, f->dso);
		fputs(",\"file\":", out);
		str(out, f->file);
		fprintf(out, ",\"line\":%d,\"inlined\":%s,\"guessed\":%s,\"method\":", f->line,
			f->inlined ? "true" : "false", f->guessed ? "true" : "false");
		str(out, (unsigned)f->method <= FRAME_SIGNAL ? methods[f->method] : "?");
		fputc('}', out);
	}
	fputs("]}\n", out);
	return 0;
}

static const struct sink_ops dump_ops = {
	.name = "unwind-dump",
	.event = dump_event,
};

int
main(int argc, char **argv)
{
	struct report_session *s;
	struct report_stats st = { 0 };
	struct sink sink = { .ops = &dump_ops };
	bool show_inline = true;
	int err;

	if (argc == 3 && strcmp(argv[1], "--no-inline") == 0) {
		show_inline = false;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: unwind-dump [--no-inline] RECORDING\n");
		return 2;
	}
	err = report_session_open(argv[1], NULL, &s);
	if (err) {
		fprintf(stderr, "unwind-dump: %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	sym_set_inline(s->sym, show_inline);
	report_session_load_archive(s);
	sink.opts.out = stdout;
	err = report_session_run(s, NULL, &sink, &st);
	fprintf(stderr, "unwind-dump: %" PRIu64 " events: %" PRIu64 " complete, %" PRIu64
		" truncated, %" PRIu64 " switched, %" PRIu64 " broken\n", st.events, st.complete,
		st.truncated, st.switched, st.broken);
	report_session_free(s);
	return err && err != -ENODATA ? 1 : 0;
}
