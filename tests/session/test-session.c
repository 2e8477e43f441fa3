// SPDX-License-Identifier: MIT
/*
 * Two report sessions in one process are independent: each of two
 * recordings is reported alone, then both are opened at once and read
 * alternately, one record of each in turn, and every output (the listing
 * with source lines, JSON, the tree) must be byte for byte what the lone run
 * gave.  Prints TAP.
 *
 *     test-session A.screc B.screc
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/session.h"
#include "tests/unit/tap.h"

struct out {
	struct sink sink;
	struct report_stats st;
	char *text;
	size_t len;
};

static bool
out_open(struct out *o, const struct sink_ops *ops)
{
	memset(o, 0, sizeof(*o));
	o->sink.ops = ops;
	o->sink.opts.srcline = true;
	o->sink.opts.out = open_memstream(&o->text, &o->len);
	return o->sink.opts.out != NULL;
}

/* Close the stream; the text stays in o->text. */
static void
out_close(struct out *o)
{
	if (o->sink.ops->free)
		o->sink.ops->free(&o->sink);
	fclose(o->sink.opts.out);
}

/* A lone run of path into a fresh sink of ops. */
static char *
alone(const char *path, const struct sink_ops *ops, uint64_t *events)
{
	struct report_session *s;
	struct out o;
	int err;

	if (report_session_open(path, NULL, &s) || !out_open(&o, ops))
		return NULL;
	report_session_load_archive(s);
	err = report_session_run(s, NULL, &o.sink, &o.st);
	out_close(&o);
	report_session_free(s);
	*events = o.st.events;
	if (err) {
		free(o.text);
		return NULL;
	}
	return o.text;
}

static void
check_format(const char *a, const char *b, const struct sink_ops *ops)
{
	struct report_session *s[2];
	struct out o[2];
	const char *paths[2] = { a, b };
	char *want[2];
	uint64_t events[2];
	int more[2] = { 1, 1 }, err[2], i;

	for (i = 0; i < 2; i++) {
		want[i] = alone(paths[i], ops, &events[i]);
		tap_ok(want[i] && events[i] > 0, "%s: %s alone: %llu events", ops->name, paths[i],
		       (unsigned long long)events[i]);
	}
	for (i = 0; i < 2; i++) {
		tap_ok(report_session_open(paths[i], NULL, &s[i]) == 0 && out_open(&o[i], ops),
		       "open %s", paths[i]);
		report_session_load_archive(s[i]);
		report_session_begin(s[i], NULL, &o[i].sink, &o[i].st);
	}
	/* One record of each in turn, until both are done. */
	while (more[0] || more[1])
		for (i = 0; i < 2; i++)
			if (more[i])
				more[i] = report_session_step(s[i]);
	for (i = 0; i < 2; i++) {
		err[i] = report_session_finish(s[i]);
		out_close(&o[i]);
		tap_ok(err[i] == 0, "%s: %s interleaved: %s", ops->name, paths[i],
		       strerror(-err[i]));
		tap_ok(want[i] && o[i].text && strcmp(want[i], o[i].text) == 0,
		       "%s: %s interleaved with the other gives the lone run's output (%zu bytes)",
		       ops->name, paths[i], o[i].len);
		tap_is((long long)o[i].st.events, (long long)events[i], "%s: %s event count",
		       ops->name, paths[i]);
		free(o[i].text);
		free(want[i]);
		report_session_free(s[i]);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test-session A.screc B.screc\n");
		return 2;
	}
	check_format(argv[1], argv[2], &sink_listing);
	check_format(argv[1], argv[2], &sink_json);
	check_format(argv[1], argv[2], &sink_tree);
	return tap_done();
}
