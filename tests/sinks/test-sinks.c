// SPDX-License-Identifier: MIT
/*
 * Unit tests for the output sinks and the errno table, on hand-built events:
 * each sink runs into a memory stream and its output is compared byte for
 * byte.  Prints TAP.  With --json, prints instead the JSON lines of every
 * event used here, for json-valid.py to parse with a real JSON parser; with
 * --export FORMAT [--two], the export of the exports' fixture (of two
 * recordings with --two), for tests/exports/sinks-valid.py.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "report/agg/trie.h"
#include "report/decode/errno-names.h"
#include "report/sinks/sink.h"
#include "report/sinks/spool.h"
#include "tests/unit/tap.h"

#define ok tap_ok

static const struct report_meta meta = {
	.path = "test.screc",
	.hostname = "host",
	.cmdline = "record -e connect -- ./client",
};

/* Print two texts as TAP diagnostics, for a failed comparison. */
static void
diag_texts(const char *got, const char *want)
{
	const char *p;

	printf("# got:\n# ");
	for (p = got; *p; p++)
		p[0] == '\n' && p[1] ? fputs("\n# ", stdout) : (void)putchar(*p);
	printf("# want:\n# ");
	for (p = want; *p; p++)
		p[0] == '\n' && p[1] ? fputs("\n# ", stdout) : (void)putchar(*p);
}

static void
ok_text(const char *got, const char *want, const char *what)
{
	bool same = got && strcmp(got, want) == 0;

	ok(same, "%s", what);
	if (!same && got)
		diag_texts(got, want);
}

#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"
#define PROG "/home/user/client"
#define BID_LIBC "6e3c087aca9b39549e4ba92c451f1e399b586e28"

#define FN(fn, file, off) \
	{ .pc = 0x400000 + (off), .rel = (off), .dso = (file), .sym = (fn), .sym_off = 0x10, \
	  .method = FRAME_CFI }

static const struct frame via_try[] = {
	FN("__connect", LIBC, 0x10a7c0),
	FN("try_connect", PROG, 0x1180),
	FN("main", PROG, 0x1200),
	FN("__libc_start_call_main", LIBC, 0x271c0),
	FN("_start", PROG, 0x1050),
};

static const struct frame via_retry[] = {
	FN("__connect", LIBC, 0x10a7c0),
	FN("retry_connect", PROG, 0x11c0),
	FN("main", PROG, 0x1200),
	FN("__libc_start_call_main", LIBC, 0x271c0),
	FN("_start", PROG, 0x1050),
};

static const struct frame cut[] = {
	FN("__libc_open64", LIBC, 0xf7e10),
	FN("load_config", PROG, 0x1300),
};

/* An unsymbolized frame in a library, and an inlined one. */
static const struct frame writes[] = {
	FN("__GI___libc_write", LIBC, 0x114870),
	{ .pc = 0x7f0000001234, .rel = 0x1234, .dso = "/opt/lib/libfoo.so", .method = FRAME_FP },
	{ .pc = 0x401220, .rel = 0x1220, .dso = PROG, .sym = "log_line", .sym_off = 0x20,
	  .inlined = true, .method = FRAME_INLINE },
	FN("main", PROG, 0x1200),
	FN("__libc_start_call_main", LIBC, 0x271c0),
	FN("_start", PROG, 0x1050),
};

static const struct frame exits[] = {
	FN("_exit", LIBC, 0xd6b10),
	FN("main", PROG, 0x1200),
	FN("__libc_start_call_main", LIBC, 0x271c0),
	FN("_start", PROG, 0x1050),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct event
ev(const char *syscall, long nr, bool has_ret, int64_t ret, const struct frame *f, size_t n,
   enum stack_end end)
{
	struct event e = {
		.pid = 4242, .tid = 4242, .comm = "client", .time = 1700000000123456789ULL,
		.rel_time = 1500, .nr = nr, .syscall = syscall, .nr_args = 3,
		.args = { 3, 0x7ffc0000aa00, 16 }, .has_ret = has_ret, .ret = ret,
		.duration_ns = has_ret ? 5123 : 0, .frames = f, .nr_frames = n, .end = end,
		.stack_size = 8192,
	};

	/* What the pipeline fills in from the errno table. */
	if (has_ret && errno_of_ret(ret)) {
		e.err = errno_of_ret(ret);
		e.err_name = errno_name(e.err);
		e.err_msg = errno_message(e.err);
	}
	return e;
}

/* Ten events: 3 refused connects, 2 good ones, 3 writes, an exit, a cut openat. */
static size_t
fixture(struct event *e)
{
	size_t n = 0;

	e[n++] = ev("connect", 42, true, -ECONNREFUSED, via_try, N(via_try), STACK_COMPLETE);
	e[n++] = ev("write", 1, true, 5, writes, N(writes), STACK_COMPLETE);
	e[n++] = ev("connect", 42, true, -ECONNREFUSED, via_retry, N(via_retry), STACK_COMPLETE);
	e[n++] = ev("connect", 42, true, 0, via_try, N(via_try), STACK_COMPLETE);
	e[n++] = ev("openat", 257, true, -ENOENT, cut, N(cut), STACK_TRUNCATED);
	e[n++] = ev("write", 1, true, 5, writes, N(writes), STACK_COMPLETE);
	e[n++] = ev("connect", 42, true, -ECONNREFUSED, via_try, N(via_try), STACK_COMPLETE);
	e[n++] = ev("exit_group", 231, false, 0, exits, N(exits), STACK_COMPLETE);
	e[n++] = ev("connect", 42, true, 0, via_try, N(via_try), STACK_COMPLETE);
	e[n++] = ev("write", 1, true, 5, writes, N(writes), STACK_COMPLETE);
	return n;
}

/* Run a sink over events; returns its output (to free) or NULL with a failed test. */
static char *
run(const struct sink_ops *ops, struct sink_opts opts, const struct event *e, size_t n)
{
	struct report_stats st = { .events = n };
	struct sink s = { .ops = ops };
	char *text = NULL;
	size_t len = 0, i;
	int err;

	opts.out = open_memstream(&text, &len);
	if (!opts.out) {
		ok(false, "open_memstream: %s", strerror(errno));
		return NULL;
	}
	s.opts = opts;
	/* As the pipeline calls a sink: begin, end and free are optional. */
	err = ops->begin ? ops->begin(&s, &meta) : 0;
	for (i = 0; i < n && !err; i++)
		err = ops->event(&s, &e[i]);
	if (!err && ops->end)
		err = ops->end(&s, &st);
	if (ops->free) {
		ops->free(&s);
		ops->free(&s);	/* a second free is harmless */
	}
	fclose(opts.out);
	if (err) {
		ok(false, "%s sink: %s", ops->name, strerror(-err));
		free(text);
		return NULL;
	}
	return text;
}

static void
test_errno(void)
{
	ok(strcmp(errno_name(ECONNREFUSED), "ECONNREFUSED") == 0, "errno_name(ECONNREFUSED)");
	ok(strcmp(errno_name(-ENOENT), "ENOENT") == 0, "errno_name takes a negative return");
	ok(strcmp(errno_name(EAGAIN), "EAGAIN") == 0, "EAGAIN, not its alias EWOULDBLOCK");
	ok(strcmp(errno_name(EDEADLK), "EDEADLK") == 0, "EDEADLK, not its alias EDEADLOCK");
	ok(strcmp(errno_name(EHWPOISON), "EHWPOISON") == 0, "the last UAPI code");
	ok(strcmp(errno_name(512), "ERESTARTSYS") == 0, "kernel-internal ERESTARTSYS");
	ok(strcmp(errno_name(516), "ERESTART_RESTARTBLOCK") == 0, "ERESTART_RESTARTBLOCK");
	ok(strcmp(errno_name(524), "ENOTSUPP") == 0, "ENOTSUPP");
	ok(!errno_name(0) && !errno_name(41) && !errno_name(520) && !errno_name(532) &&
	   !errno_name(4095) && !errno_name(-2147483647 - 1), "unknown values give NULL");
	ok(strcmp(errno_message(ECONNREFUSED), "Connection refused") == 0,
	   "errno_message(ECONNREFUSED)");
	ok(strcmp(errno_message(EAGAIN), "Resource temporarily unavailable") == 0,
	   "errno_message is libc's text");
	ok(strcmp(errno_message(512), "To be restarted if SA_RESTART is set") == 0,
	   "errno_message(ERESTARTSYS)");
	ok(!errno_message(600), "errno_message(600) is NULL");
	ok(errno_of_ret(-1) == 1 && errno_of_ret(-4095) == 4095 && errno_of_ret(-4096) == 0 &&
	   errno_of_ret(0) == 0 && errno_of_ret(INT64_MIN) == 0, "errno_of_ret");
}

static const char bottom_up[] =
	"# 10 events, bottom-up: each syscall (= errno if it failed), then its callers, innermost first\n"
	"\n"
	"  30.00%      3  connect = ECONNREFUSED\n"
	"  30.00%      3  `-- __connect\n"
	"  20.00%      2      |-- try_connect\n"
	"  20.00%      2      |   main\n"
	"  20.00%      2      |   __libc_start_call_main\n"
	"  20.00%      2      |   _start\n"
	"  10.00%      1      `-- retry_connect\n"
	"  10.00%      1          main\n"
	"  10.00%      1          __libc_start_call_main\n"
	"  10.00%      1          _start\n"
	"\n"
	"  30.00%      3  write\n"
	"  30.00%      3  `-- __GI___libc_write\n"
	"  30.00%      3      libfoo.so+0x1234\n"
	"  30.00%      3      log_line [inlined]\n"
	"  30.00%      3      main\n"
	"  30.00%      3      __libc_start_call_main\n"
	"  30.00%      3      _start\n"
	"\n"
	"  20.00%      2  connect\n"
	"  20.00%      2  `-- __connect\n"
	"  20.00%      2      try_connect\n"
	"  20.00%      2      main\n"
	"  20.00%      2      __libc_start_call_main\n"
	"  20.00%      2      _start\n"
	"\n"
	"  10.00%      1  exit_group\n"
	"  10.00%      1  `-- _exit\n"
	"  10.00%      1      main\n"
	"  10.00%      1      __libc_start_call_main\n"
	"  10.00%      1      _start\n"
	"\n"
	"  10.00%      1  openat = ENOENT\n"
	"  10.00%      1  `-- __libc_open64\n"
	"  10.00%      1      load_config\n"
	"  10.00%      1      [truncated]\n";

static const char top_down[] =
	"# 10 events, top-down: from the outermost frames down to each syscall\n"
	"\n"
	"  90.00%      9  _start\n"
	"  90.00%      9  `-- __libc_start_call_main\n"
	"  90.00%      9      main\n"
	"  40.00%      4      |-- try_connect\n"
	"  40.00%      4      |   __connect\n"
	"  20.00%      2      |   |-- connect\n"
	"  20.00%      2      |   `-- connect = ECONNREFUSED\n"
	"  30.00%      3      |-- log_line [inlined]\n"
	"  30.00%      3      |   libfoo.so+0x1234\n"
	"  30.00%      3      |   __GI___libc_write\n"
	"  30.00%      3      |   write\n"
	"  10.00%      1      |-- _exit\n"
	"  10.00%      1      |   exit_group\n"
	"  10.00%      1      `-- retry_connect\n"
	"  10.00%      1          __connect\n"
	"  10.00%      1          connect = ECONNREFUSED\n"
	"\n"
	"  10.00%      1  [truncated]\n"
	"  10.00%      1  `-- load_config\n"
	"  10.00%      1      __libc_open64\n"
	"  10.00%      1      openat = ENOENT\n";

static const char min_percent[] =
	"# 10 events, top-down: from the outermost frames down to each syscall\n"
	"# hiding branches below 25.00% of all events\n"
	"\n"
	"  90.00%      9  _start\n"
	"  90.00%      9  `-- __libc_start_call_main\n"
	"  90.00%      9      main\n"
	"  40.00%      4      |-- try_connect\n"
	"  40.00%      4      |   __connect\n"
	"  30.00%      3      `-- log_line [inlined]\n"
	"  30.00%      3          libfoo.so+0x1234\n"
	"  30.00%      3          __GI___libc_write\n"
	"  30.00%      3          write\n";

static const char max_depth[] =
	"# 10 events, bottom-up: each syscall (= errno if it failed), then its callers, innermost first\n"
	"# hiding levels deeper than 3\n"
	"\n"
	"  30.00%      3  connect = ECONNREFUSED\n"
	"  30.00%      3  `-- __connect\n"
	"  20.00%      2      |-- try_connect\n"
	"  10.00%      1      `-- retry_connect\n"
	"\n"
	"  30.00%      3  write\n"
	"  30.00%      3  `-- __GI___libc_write\n"
	"  30.00%      3      libfoo.so+0x1234\n"
	"\n"
	"  20.00%      2  connect\n"
	"  20.00%      2  `-- __connect\n"
	"  20.00%      2      try_connect\n"
	"\n"
	"  10.00%      1  exit_group\n"
	"  10.00%      1  `-- _exit\n"
	"  10.00%      1      main\n"
	"\n"
	"  10.00%      1  openat = ENOENT\n"
	"  10.00%      1  `-- __libc_open64\n"
	"  10.00%      1      load_config\n";

static void
test_tree(void)
{
	struct sink_opts o = { 0 };
	struct event e[16];
	size_t n = fixture(e);
	char *t;

	t = run(&sink_tree, o, e, n);
	ok_text(t, bottom_up, "tree bottom-up");
	free(t);

	o.top_down = true;
	t = run(&sink_tree, o, e, n);
	ok_text(t, top_down, "tree top-down");
	free(t);

	o.min_percent = 25;
	t = run(&sink_tree, o, e, n);
	ok_text(t, min_percent, "tree top-down --min-percent 25");
	free(t);

	o = (struct sink_opts){ .max_depth = 3 };
	t = run(&sink_tree, o, e, n);
	ok_text(t, max_depth, "tree bottom-up --max-depth 3");
	free(t);

	t = run(&sink_tree, o, e, 0);
	ok_text(t, "# 0 events, bottom-up: each syscall (= errno if it failed), then its callers, "
		"innermost first\n# hiding levels deeper than 3\n", "tree with no events");
	free(t);
}

/* Names the tree builds for unusual frames and syscalls. */
static void
test_tree_names(void)
{
	static const struct frame f[] = {
		{ .pc = 0x7f00deadbeef, .dso = "[anon]" },
		{ .pc = 0x10, .rel = 0x10 },
		{ .pc = 0x401300, .rel = 0x1300, .dso = PROG, .sym = "handler", .file = "src/h.c",
		  .line = 12 },
		{ .pc = 0x401300, .rel = 0x1300, .dso = PROG, .bad_build_id = true },
	};
	struct sink_opts o = { .srcline = true };
	struct event e[3];
	char *t;

	e[0] = ev(NULL, 999, true, -600, f, N(f), STACK_SWITCH);
	e[1] = ev("futex", 202, true, -512, f, 0, STACK_BROKEN);
	e[2] = ev("read", 0, false, 0, f, 0, STACK_COMPLETE);
	t = run(&sink_tree, o, e, 3);
	ok_text(t,
		"# 3 events, bottom-up: each syscall (= errno if it failed), then its callers, "
		"innermost first\n"
		"\n"
		"  33.33%      1  futex = ERESTARTSYS\n"
		"  33.33%      1  `-- [broken]\n"
		"\n"
		"  33.33%      1  read\n"
		"\n"
		"  33.33%      1  syscall_999 = errno 600\n"
		"  33.33%      1  `-- [anon]@0x7f00deadbeef\n"
		"  33.33%      1      [unknown]+0x10\n"
		"  33.33%      1      handler (src/h.c:12)\n"
		"  33.33%      1      client+0x1300 [build-id mismatch]\n"
		"  33.33%      1      [stack switch]\n",
		"tree names: unknown syscall and errno, anon, no dso, srcline, build-id, markers");
	free(t);
}

/*
 * A million events over a few hundred distinct stacks: the counts must add up,
 * and the time is reported as a diagnostic.
 */
static void
test_tree_many(void)
{
	enum { EVENTS = 1000000, DEPTH = 24, FUNCS = 600 };
	static struct frame f[DEPTH + FUNCS];
	static char names[FUNCS][16];
	struct report_stats st = { 0 };
	struct sink s = { .ops = &sink_tree };
	struct timespec t0, t1;
	char *text = NULL, *p;
	size_t len = 0, i;
	unsigned long first;
	int err;

	for (i = 0; i < FUNCS; i++)
		snprintf(names[i], sizeof(names[i]), "func_%zu", i);
	for (i = 0; i < DEPTH + FUNCS; i++) {
		f[i] = (struct frame){ .pc = 0x401000 + i, .rel = 0x1000 + i, .dso = PROG,
				       .sym = names[i % FUNCS] };
	}

	s.opts.out = open_memstream(&text, &len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = sink_tree.begin(&s, &meta);
	for (i = 0; i < EVENTS && !err; i++) {
		/* 300 different stacks of DEPTH frames, slid along f[] */
		struct event e = ev("read", 0, true, i % 7 ? 100 : -EAGAIN, f + i % 300, DEPTH,
				    STACK_COMPLETE);

		err = sink_tree.event(&s, &e);
	}
	if (!err)
		err = sink_tree.end(&s, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sink_tree.free(&s);
	fclose(s.opts.out);
	ok(!err, "tree over %d events", EVENTS);
	printf("# %d events of %d frames in %.3f s\n", EVENTS, DEPTH,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);

	/* the first root is "read" with 6/7 of the events */
	p = text ? strstr(text, "\n\n") : NULL;
	ok(p && sscanf(p + 2, "%*s %lu", &first) == 1 && first == EVENTS - (EVENTS + 6) / 7,
	   "tree counts add up");
	free(text);
}

static const char json_connect[] =
	"{\"pid\":4242,\"tid\":4242,\"comm\":\"client\",\"host\":null,\"recording\":0,"
	"\"time\":1700000000.123456789,"
	"\"rel_time\":0.000001500,\"syscall\":\"connect\",\"nr\":42,"
	"\"args\":[3,140720308529664,16],\"decoded\":null,\"return\":-111,\"errno\":\"ECONNREFUSED\","
	"\"duration_ns\":5123,\"stack_size\":8192,\"stack_end\":\"complete\",\"frames\":["
	"{\"address\":\"0x50a7c0\",\"rel\":\"0x10a7c0\","
	"\"dso\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\","
	"\"build_id\":\"" BID_LIBC "\",\"build_id_mismatch\":false,"
	"\"symbol\":\"__connect\",\"offset\":16,\"file\":\"connect.c\",\"line\":26,"
	"\"inlined\":false,\"guessed\":false,\"method\":\"initial\"},"
	"{\"address\":\"0x7f0000001234\",\"rel\":\"0x1234\",\"dso\":\"/opt/lib/libfoo.so\","
	"\"build_id\":null,\"build_id_mismatch\":true,\"symbol\":null,\"offset\":null,"
	"\"file\":null,\"line\":null,\"inlined\":false,\"guessed\":false,\"method\":\"fp\"},"
	"{\"address\":\"0x401220\",\"rel\":\"0x1220\",\"dso\":\"/home/user/client\","
	"\"build_id\":null,\"build_id_mismatch\":false,\"symbol\":\"log_line\",\"offset\":32,"
	"\"file\":null,\"line\":null,\"inlined\":true,\"guessed\":false,\"method\":\"inline\"},"
	"{\"address\":\"0x7f00deadbeef\",\"rel\":null,\"dso\":\"[anon]\",\"build_id\":null,"
	"\"build_id_mismatch\":false,\"symbol\":null,\"offset\":null,\"file\":null,"
	"\"line\":null,\"inlined\":false,\"guessed\":false,\"method\":\"signal\"}]}\n";

static const char json_odd[] =
	"{\"pid\":7,\"tid\":8,\"comm\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\\u00ff\\u00c3(\xc3\xa9\xe2\x82\xac"
	"\xf0\x9f\x98\x80\\u00ed\\u00a0\\u0080\\u00c0\\u00af\",\"host\":null,\"recording\":0,"
	"\"time\":0.000000000,"
	"\"rel_time\":0.000000000,\"syscall\":null,\"nr\":-1,\"args\":[],\"decoded\":null,\"return\":null,"
	"\"errno\":null,\"duration_ns\":null,\"stack_size\":0,\"stack_end\":\"truncated\","
	"\"frames\":[]}\n"
	"{\"pid\":7,\"tid\":8,\"comm\":null,\"host\":null,\"recording\":0,"
	"\"time\":18446744073.709551615,"
	"\"rel_time\":0.000000000,\"syscall\":\"lseek\",\"nr\":8,"
	"\"args\":[18446744073709551615,0,0,0,0,0],\"decoded\":null,\"return\":-9223372036854775808,"
	"\"errno\":null,\"duration_ns\":0,\"stack_size\":0,\"stack_end\":\"broken\","
	"\"frames\":[]}\n";

static size_t
json_events(struct event *e, const struct frame *f, size_t nf)
{
	/* a quote, a backslash, controls, DEL, a lone 0xff, a broken sequence,
	 * good 2-, 3- and 4-byte UTF-8, an encoded surrogate, an overlong slash */
	static const char odd[] = "a\"b\\c\n\t\x01\x7f\xff\xc3(\xc3\xa9\xe2\x82\xac"
				  "\xf0\x9f\x98\x80\xed\xa0\x80\xc0\xaf";

	e[0] = ev("connect", 42, true, -ECONNREFUSED, f, nf, STACK_COMPLETE);
	e[1] = (struct event){ .pid = 7, .tid = 8, .comm = odd, .nr = -1, .end = STACK_TRUNCATED };
	e[2] = (struct event){ .pid = 7, .tid = 8, .time = UINT64_MAX, .nr = 8, .syscall = "lseek",
			       .args = { UINT64_MAX }, .nr_args = 9, .has_ret = true,
			       .ret = INT64_MIN, .end = STACK_BROKEN };
	return 3;
}

static const struct frame json_frames[] = {
	{ .pc = 0x50a7c0, .rel = 0x10a7c0, .dso = LIBC, .build_id = BID_LIBC, .sym = "__connect",
	  .sym_off = 16, .file = "connect.c", .line = 26, .method = FRAME_INITIAL },
	{ .pc = 0x7f0000001234, .rel = 0x1234, .dso = "/opt/lib/libfoo.so", .bad_build_id = true,
	  .method = FRAME_FP },
	{ .pc = 0x401220, .rel = 0x1220, .dso = PROG, .sym = "log_line", .sym_off = 32,
	  .inlined = true, .method = FRAME_INLINE },
	{ .pc = 0x7f00deadbeef, .dso = "[anon]", .method = FRAME_SIGNAL },
};

static void
test_json(void)
{
	struct sink_opts o = { 0 };
	struct event e[3];
	char *t;

	json_events(e, json_frames, N(json_frames));
	t = run(&sink_json, o, e, 1);
	ok_text(t, json_connect, "json: a failed connect with four kinds of frames");
	free(t);
	t = run(&sink_json, o, e + 1, 2);
	ok_text(t, json_odd, "json: escaping, nulls, extremes");
	free(t);
}

/* Every event of these tests as JSON lines on stdout. */
static int
print_json(void)
{
	struct sink s = { .ops = &sink_json, .opts = { .out = stdout } };
	struct report_stats st = { 0 };
	struct event e[16];
	size_t n, i;
	int err;

	err = sink_json.begin(&s, &meta);
	n = fixture(e);
	for (i = 0; i < n && !err; i++)
		err = sink_json.event(&s, &e[i]);
	n = json_events(e, json_frames, N(json_frames));
	for (i = 0; i < n && !err; i++)
		err = sink_json.event(&s, &e[i]);
	if (!err)
		err = sink_json.end(&s, &st);
	sink_json.free(&s);
	if (err)
		fprintf(stderr, "test-sinks: json sink: %s\n", strerror(-err));
	return err ? 1 : 0;
}

/*
 * The listing, byte for byte: a failed call, a success, a call with no
 * recorded exit (= ?), an unknown errno, ERESTARTSYS (the table's text, not
 * the host's strerror), every end marker, an unnamed frame, an unknown one, an
 * inlined one, a build-id mismatch, and --srcline.
 */
static const char listing_plain[] =
	"[pid 4242] connect(3, 0x7ffc0000aa00, 16) = -1 ECONNREFUSED (Connection refused)\n"
	" > /usr/lib/x86_64-linux-gnu/libc.so.6(__connect+0x10) [0x10a7c0]\n"
	" > /home/user/client(try_connect+0x10) [0x1180]\n"
	" > /home/user/client(main+0x10) [0x1200]\n"
	" > /usr/lib/x86_64-linux-gnu/libc.so.6(__libc_start_call_main+0x10) [0x271c0]\n"
	" > /home/user/client(_start+0x10) [0x1050]\n"
	"[pid 4242] write(3, 0x7ffc0000aa00, 16) = 5\n"
	" > /usr/lib/x86_64-linux-gnu/libc.so.6(__GI___libc_write+0x10) [0x114870]\n"
	" > /opt/lib/libfoo.so() [0x1234]\n"
	" > /home/user/client(log_line+0x20) [0x1220] [inlined]\n"
	" > /home/user/client(main+0x10) [0x1200]\n"
	" > /usr/lib/x86_64-linux-gnu/libc.so.6(__libc_start_call_main+0x10) [0x271c0]\n"
	" > /home/user/client(_start+0x10) [0x1050]\n"
	"[pid 4242] exit_group(3, 0x7ffc0000aa00, 16) = ?\n"
	" > /usr/lib/x86_64-linux-gnu/libc.so.6(_exit+0x10) [0xd6b10]\n"
	" > /home/user/client(main+0x10) [0x1200]\n"
	" > /usr/lib/x86_64-linux-gnu/libc.so.6(__libc_start_call_main+0x10) [0x271c0]\n"
	" > /home/user/client(_start+0x10) [0x1050]\n"
	"[pid 4242] openat(3, 0x7ffc0000aa00, 16) = -1 ENOENT (No such file or directory)\n"
	" > /usr/lib/x86_64-linux-gnu/libc.so.6(__libc_open64+0x10) [0xf7e10]\n"
	" > /home/user/client(load_config+0x10) [0x1300]\n"
	" > [stack truncated: 8192 bytes recorded]\n"
	"[pid 4242] syscall_999(3, 0x7ffc0000aa00, 16) = -1 errno 600\n"
	" > [unknown] [0x7f00deadbeef]\n"
	" > /home/user/client(build-id mismatch) [0x1300]\n"
	" > /home/user/client(handler+0x4) [0x1300] src/h.c:12\n"
	" > [stack switch: not recorded]\n"
	"[pid 4242] futex(3, 0x7ffc0000aa00, 16) = -1 ERESTARTSYS (To be restarted if SA_RESTART is set)\n"
	" > /home/user/client(main+0x10) [0x1200]\n"
	" > [unwinding stopped: no unwind information]\n"
	"[pid 4242] read(3, 0x7ffc0000aa00, 16) = 0x12345678\n"
	" > [stack truncated: 8192 bytes recorded]\n";

static void
test_listing(void)
{
	static const struct frame odd[] = {
		{ .pc = 0x7f00deadbeef },
		{ .pc = 0x401300, .rel = 0x1300, .dso = PROG, .bad_build_id = true },
		{ .pc = 0x401300, .rel = 0x1300, .dso = PROG, .sym = "handler", .sym_off = 4,
		  .file = "src/h.c", .line = 12 },
	};
	struct sink_opts o = { 0 };
	struct event e[8];
	size_t n = 0;
	char *t, *want, *p;

	e[n++] = ev("connect", 42, true, -ECONNREFUSED, via_try, N(via_try), STACK_COMPLETE);
	e[n++] = ev("write", 1, true, 5, writes, N(writes), STACK_COMPLETE);
	e[n++] = ev("exit_group", 231, false, 0, exits, N(exits), STACK_COMPLETE);
	e[n++] = ev("openat", 257, true, -ENOENT, cut, N(cut), STACK_TRUNCATED);
	e[n++] = ev(NULL, 999, true, -600, odd, N(odd), STACK_SWITCH);
	e[n++] = ev("futex", 202, true, -512, exits + 1, 1, STACK_BROKEN);
	e[n++] = ev("read", 0, true, 0x12345678, NULL, 0, STACK_TRUNCATED);
	for (size_t i = 0; i < n; i++)
		e[i].arg_is_ptr = 2;
	t = run(&sink_listing, o, e, n);
	/* Without --srcline, the one frame with a source line shows none. */
	want = strdup(listing_plain);
	p = want ? strstr(want, " src/h.c:12") : NULL;
	if (p)
		memmove(p, p + strlen(" src/h.c:12"), strlen(p + strlen(" src/h.c:12")) + 1);
	ok_text(t, want ? want : "", "listing: returns, errnos, end markers, odd frames");
	free(t);
	free(want);

	o.srcline = true;
	t = run(&sink_listing, o, e, n);
	ok_text(t, listing_plain, "listing --srcline");
	free(t);
}

/* Decoded text, strace's timestamps (-ttt, -r) and durations (-T), and the JSON "decoded". */
static void
test_decoded(void)
{
	struct sink_opts o = { .timestamps = 3, .relative = true, .durations = true };
	struct report_meta m = meta;
	struct event e[2];
	char *t;

	e[0] = ev("openat", 257, true, 3, NULL, 0, STACK_COMPLETE);
	e[0].args_text = "AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC";
	e[0].ret_text = " = 3</etc/hosts>";
	e[0].rel_time = 1500000;		/* 1.5 ms after the start */
	e[0].time = 1000000000;
	e[0].duration_ns = 12345;
	e[1] = e[0];
	e[1].rel_time += 250000;
	e[1].time += 250000;
	m.start_realtime_ns = 1700000000000000000ULL;
	{
		struct report_stats st = { 0 };
		struct sink s = { .ops = &sink_listing, .opts = o };
		size_t len = 0;

		t = NULL;
		s.opts.out = open_memstream(&t, &len);
		s.meta = &m;
		sink_listing.begin(&s, &m);
		sink_listing.event(&s, &e[0]);
		sink_listing.event(&s, &e[1]);
		sink_listing.free(&s);
		fclose(s.opts.out);
		(void)st;
	}
	ok_text(t,
		"[pid 4242]      0.000000 1700000000.001500 openat(AT_FDCWD, \"/etc/hosts\", "
		"O_RDONLY|O_CLOEXEC) = 3</etc/hosts> <0.000012>\n"
		"[pid 4242]      0.000250 1700000000.001750 openat(AT_FDCWD, \"/etc/hosts\", "
		"O_RDONLY|O_CLOEXEC) = 3</etc/hosts> <0.000012>\n",
		"listing: decoded text, -r, -ttt, -T");
	free(t);
	t = run(&sink_json, (struct sink_opts){ 0 }, e, 1);
	ok(t && strstr(t, "\"decoded\":\"openat(AT_FDCWD, \\\"/etc/hosts\\\", "
			 "O_RDONLY|O_CLOEXEC) = 3</etc/hosts>\","),
	   "json: the decoded call");
	free(t);
}

/* --- the exports --- */

/* The exports' recordings: two hosts, their tasks, their wall-clock starts 0.5 s apart. */
static const struct report_task export_tasks[] = {
	{ 4242, 4242, "client" },
	{ 4242, 4243, "worker 2" },
};

static const struct report_meta export_metas[2] = {
	{ .recording = 0, .path = "a.screc", .hostname = "host-a", .cmdline = "record -- ./client",
	  .start_realtime_ns = 1700000000000000000ULL, .tasks = export_tasks, .nr_tasks = 2 },
	{ .recording = 1, .path = "b.screc", .hostname = "host-b", .cmdline = "record -- ./client",
	  .start_realtime_ns = 1700000000500000000ULL, .tasks = export_tasks, .nr_tasks = 2 },
};

/*
 * Four calls of two threads (the second named with a word of digits): a
 * refused connect with decoded text, a write through an unnamed and an
 * inlined frame, an openat whose stack was cut, an exit_group that never
 * returned; 1, 2, 3, 4 ms after the start.
 */
static size_t
export_fixture(struct event *e, unsigned recording)
{
	size_t n = 0, i;

	e[n++] = ev("connect", 42, true, -ECONNREFUSED, via_try, N(via_try), STACK_COMPLETE);
	e[0].args_text = "3, {sa_family=AF_INET, sin_port=htons(1)}, 16";
	e[0].ret_text = " = -1 ECONNREFUSED (Connection refused)";
	e[n++] = ev("write", 1, true, 5, writes, N(writes), STACK_COMPLETE);
	e[1].tid = 4243;
	e[1].comm = "worker 2";
	e[1].duration_ns = 700;
	e[n++] = ev("openat", 257, true, -ENOENT, cut, N(cut), STACK_TRUNCATED);
	e[2].duration_ns = 1000;
	e[n++] = ev("exit_group", 231, false, 0, exits, N(exits), STACK_COMPLETE);
	for (i = 0; i < n; i++) {
		e[i].rel_time = (i + 1) * 1000000;
		e[i].time = 5000000000ULL + e[i].rel_time;
		e[i].cpu = (unsigned)i;
		e[i].recording = recording;
		e[i].host = export_metas[recording].hostname;
	}
	return n;
}

/* The length of run_report()'s last output (pprof's holds NULs). */
static size_t last_len;

/*
 * Run a sink as a report of nr_recordings recordings runs it: every begin()
 * first, then the events, then end().  Returns the output (to free) or NULL
 * with a failed test.
 */
static char *
run_report(const struct sink_ops *ops, struct sink_opts opts, unsigned nr_recordings,
	   const struct event *e, size_t n)
{
	struct report_stats st = { .events = n };
	struct sink s = { .ops = ops, .nr_recordings = nr_recordings };
	char *text = NULL;
	size_t len = 0, i;
	int err = 0;

	opts.out = open_memstream(&text, &len);
	if (!opts.out) {
		ok(false, "open_memstream: %s", strerror(errno));
		return NULL;
	}
	s.opts = opts;
	for (i = 0; i < (nr_recordings ? nr_recordings : 1) && !err; i++) {
		s.meta = &export_metas[i];
		err = ops->begin ? ops->begin(&s, s.meta) : 0;
	}
	for (i = 0; i < n && !err; i++)
		err = ops->event(&s, &e[i]);
	if (!err && ops->end)
		err = ops->end(&s, &st);
	if (ops->free) {
		ops->free(&s);
		ops->free(&s);
	}
	fclose(opts.out);
	last_len = len;
	if (err) {
		ok(false, "%s sink: %s", ops->name, strerror(-err));
		free(text);
		return NULL;
	}
	return text;
}

/* The fixture of one recording, or of both (the second's events after the first's). */
static size_t
export_events(struct event *e, bool two)
{
	size_t n = export_fixture(e, 0);

	return two ? n + export_fixture(e + n, 1) : n;
}

static const char perf_script_text[] =
	"client 4242/4242 [000] 0.001000: 1 raw_syscalls:sys_enter:\n"
	"\t               0 __x64_sys_connect ([kernel.kallsyms])\n"
	"\t          50a7c0 __connect+0x10 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\t          401180 try_connect+0x10 (/home/user/client)\n"
	"\t          401200 main+0x10 (/home/user/client)\n"
	"\t          4271c0 __libc_start_call_main+0x10 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\t          401050 _start+0x10 (/home/user/client)\n"
	"\n"
	"worker_2 4242/4243 [001] 0.002000: 1 raw_syscalls:sys_enter:\n"
	"\t               0 __x64_sys_write ([kernel.kallsyms])\n"
	"\t          514870 __GI___libc_write+0x10 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\t    7f0000001234 [unknown] (/opt/lib/libfoo.so)\n"
	"\t          401220 log_line (/home/user/client)\n"
	"\t          401200 main+0x10 (/home/user/client)\n"
	"\t          4271c0 __libc_start_call_main+0x10 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\t          401050 _start+0x10 (/home/user/client)\n"
	"\n"
	"client 4242/4242 [002] 0.003000: 1 raw_syscalls:sys_enter:\n"
	"\t               0 __x64_sys_openat ([kernel.kallsyms])\n"
	"\t          4f7e10 __libc_open64+0x10 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\t          401300 load_config+0x10 (/home/user/client)\n"
	"\t               0 [truncated] ([unknown])\n"
	"\n"
	"client 4242/4242 [003] 0.004000: 1 raw_syscalls:sys_enter:\n"
	"\t               0 __x64_sys_exit_group ([kernel.kallsyms])\n"
	"\t          4d6b10 _exit+0x10 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\t          401200 main+0x10 (/home/user/client)\n"
	"\t          4271c0 __libc_start_call_main+0x10 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\t          401050 _start+0x10 (/home/user/client)\n"
	"\n";

static void
test_perf_script(void)
{
	static const struct frame odd[] = {
		{ .pc = 0x7f00deadbeef },
		{ .pc = 0x401300, .rel = 0x1300, .dso = "/weird dir/a(b).so", .sym = "f\nx" },
	};
	struct sink_opts o = { 0 };
	struct event e[8];
	size_t n = export_events(e, false);
	char *t;

	t = run_report(&sink_perf_script, o, 1, e, n);
	ok_text(t, perf_script_text, "perf-script: frames leaf first, syscall leaf, markers, "
		"comm with a word of digits");
	free(t);

	o.weight = SINK_WEIGHT_LATENCY;
	t = run_report(&sink_perf_script, o, 1, e, n);
	ok(t && strstr(t, "0.001000: 5123 raw_syscalls:sys_enter:\n") &&
	   strstr(t, "0.002000: 700 raw_syscalls") && strstr(t, "0.004000: 0 raw_syscalls"),
	   "perf-script --weight=latency: the period is the duration");
	free(t);

	/* Two hosts: the second's pids and tids moved apart, its start 0.5 s later. */
	n = export_events(e, true);
	t = run_report(&sink_perf_script, (struct sink_opts){ 0 }, 2, e, n);
	ok(t && strstr(t, "\nclient 4198546/4198546 [000] 0.501000: 1 ") &&
	   strstr(t, "\nworker_2 4198546/4198547 [001] 0.502000: 1 ") &&
	   strstr(t, "\nclient 4242/4242 [003] 0.004000: 1 "),
	   "perf-script of two recordings: pids apart, one time axis");
	free(t);

	/* Odd names: nothing breaks the line grammar. */
	e[0] = ev(NULL, 999, true, 0, odd, N(odd), STACK_COMPLETE);
	e[0].comm = "#1 2\tx";	/* no word is all digits: the space stays */
	e[0].rel_time = 0;
	t = run_report(&sink_perf_script, (struct sink_opts){ 0 }, 1, e, 1);
	ok_text(t,
		"_1 2_x 4242/4242 [000] 0.000000: 1 raw_syscalls:sys_enter:\n"
		"\t               0 __x64_sys_syscall_999 ([kernel.kallsyms])\n"
		"\t    7f00deadbeef [unknown] ([unknown])\n"
		"\t          401300 f_x+0x0 (/weird_dir/a_b_.so)\n"
		"\n",
		"perf-script: unknown syscall, no dso, odd comm, dso and symbol");
	free(t);
}

static const char folded_text[] =
	"client;[truncated];load_config;__libc_open64;openat 1\n"
	"client;_start;__libc_start_call_main;main;_exit;exit_group 1\n"
	"client;_start;__libc_start_call_main;main;try_connect;__connect;connect 1\n"
	"worker 2;_start;__libc_start_call_main;main;log_line_[i];libfoo.so+0x1234;"
	"__GI___libc_write;write 1\n";

static void
test_folded(void)
{
	struct sink_opts o = { 0 };
	struct event e[16];
	size_t n = export_events(e, false), i;
	char *t, *want;

	t = run_report(&sink_folded, o, 1, e, n);
	ok_text(t, folded_text, "folded: comm first, marker, inlined, unnamed, syscall leaf");
	free(t);

	o.weight = SINK_WEIGHT_LATENCY;
	t = run_report(&sink_folded, o, 1, e, n);
	ok_text(t,
		"client;[truncated];load_config;__libc_open64;openat 1000\n"
		"client;_start;__libc_start_call_main;main;try_connect;__connect;connect 5123\n"
		"worker 2;_start;__libc_start_call_main;main;log_line_[i];libfoo.so+0x1234;"
		"__GI___libc_write;write 700\n",
		"folded --weight=latency: ns, no line for a call without a return");
	free(t);

	/* Two recordings of a fleet: one graph, every count doubled; errnos do not split leaves. */
	n = export_events(e, true);
	e[n - 1].has_ret = true;
	e[n - 1].ret = -EPERM;
	e[n - 1].err = EPERM;
	t = run_report(&sink_folded, (struct sink_opts){ 0 }, 2, e, n);
	want = strdup(folded_text);
	for (i = 0; want && want[i]; i++)
		if (want[i] == '1' && want[i + 1] == '\n')
			want[i] = '2';
	ok_text(t, want ? want : "", "folded of two recordings: the sums");
	free(want);
	free(t);

	t = run_report(&sink_folded, (struct sink_opts){ 0 }, 1, e, 0);
	ok_text(t, "", "folded with no events");
	free(t);
}

static const char chrome_text[] =
	"{\"traceEvents\":[\n"
	"{\"ph\":\"X\",\"cat\":\"syscall\",\"name\":\"connect\",\"pid\":4242,\"tid\":4242,"
	"\"ts\":1000.000,\"dur\":5.123,\"sf\":5,\"args\":{\"data\":{\"call\":\"connect(3, "
	"{sa_family=AF_INET, sin_port=htons(1)}, 16)\",\"ret\":-111,\"ret_text\":\"-1 "
	"ECONNREFUSED (Connection refused)\",\"errno\":\"ECONNREFUSED\",\"duration_ns\":5123,"
	"\"comm\":\"client\",\"host\":\"host-a\",\"stack\":[\"__connect (libc.so.6)\","
	"\"try_connect (client)\",\"main (client)\",\"__libc_start_call_main (libc.so.6)\","
	"\"_start (client)\"]}}},\n"
	"{\"ph\":\"X\",\"cat\":\"syscall\",\"name\":\"write\",\"pid\":4242,\"tid\":4243,"
	"\"ts\":2000.000,\"dur\":0.700,\"sf\":8,\"args\":{\"data\":{\"call\":\"write(3, "
	"0x7ffc0000aa00, 16)\",\"ret\":5,\"ret_text\":\"5\",\"errno\":null,\"duration_ns\":700,"
	"\"comm\":\"worker 2\",\"host\":\"host-a\",\"stack\":[\"__GI___libc_write (libc.so.6)\","
	"\"libfoo.so+0x1234\",\"log_line [inlined] (client)\",\"main (client)\","
	"\"__libc_start_call_main (libc.so.6)\",\"_start (client)\"]}}},\n"
	"{\"ph\":\"X\",\"cat\":\"syscall\",\"name\":\"openat\",\"pid\":4242,\"tid\":4242,"
	"\"ts\":3000.000,\"dur\":1.000,\"sf\":11,\"args\":{\"data\":{\"call\":\"openat(3, "
	"0x7ffc0000aa00, 16)\",\"ret\":-2,\"ret_text\":\"-1 ENOENT (No such file or "
	"directory)\",\"errno\":\"ENOENT\",\"duration_ns\":1000,\"comm\":\"client\","
	"\"host\":\"host-a\",\"stack\":[\"__libc_open64 (libc.so.6)\",\"load_config (client)\"],"
	"\"stack_end\":\"truncated\"}}},\n"
	"{\"ph\":\"X\",\"cat\":\"syscall\",\"name\":\"exit_group\",\"pid\":4242,\"tid\":4242,"
	"\"ts\":4000.000,\"dur\":0.000,\"sf\":12,\"args\":{\"data\":{\"call\":\"exit_group(3, "
	"0x7ffc0000aa00, 16)\",\"ret\":null,\"ret_text\":\"?\",\"errno\":null,"
	"\"duration_ns\":null,\"comm\":\"client\",\"host\":\"host-a\",\"stack\":[\"_exit "
	"(libc.so.6)\",\"main (client)\",\"__libc_start_call_main (libc.so.6)\","
	"\"_start (client)\"]}}},\n"
	"{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":4242,\"tid\":4242,\"ts\":0,"
	"\"args\":{\"name\":\"client\"}},\n"
	"{\"ph\":\"M\",\"name\":\"process_labels\",\"pid\":4242,\"tid\":4242,\"ts\":0,"
	"\"args\":{\"labels\":\"host-a\"}},\n"
	"{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":4242,\"tid\":4242,\"ts\":0,"
	"\"args\":{\"name\":\"client\"}},\n"
	"{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":4242,\"tid\":4243,\"ts\":0,"
	"\"args\":{\"name\":\"worker 2\"}}\n"
	"],\"displayTimeUnit\":\"ns\",\"stackFrames\":{"
	"\"1\":{\"name\":\"_start\",\"category\":\"client\"},"
	"\"2\":{\"name\":\"__libc_start_call_main\",\"category\":\"libc.so.6\",\"parent\":\"1\"},"
	"\"3\":{\"name\":\"main\",\"category\":\"client\",\"parent\":\"2\"},"
	"\"4\":{\"name\":\"try_connect\",\"category\":\"client\",\"parent\":\"3\"},"
	"\"5\":{\"name\":\"__connect\",\"category\":\"libc.so.6\",\"parent\":\"4\"},"
	"\"6\":{\"name\":\"log_line [inlined]\",\"category\":\"client\",\"parent\":\"3\"},"
	"\"7\":{\"name\":\"libfoo.so+0x1234\",\"category\":\"libfoo.so\",\"parent\":\"6\"},"
	"\"8\":{\"name\":\"__GI___libc_write\",\"category\":\"libc.so.6\",\"parent\":\"7\"},"
	"\"9\":{\"name\":\"[truncated]\",\"category\":\"screc\"},"
	"\"10\":{\"name\":\"load_config\",\"category\":\"client\",\"parent\":\"9\"},"
	"\"11\":{\"name\":\"__libc_open64\",\"category\":\"libc.so.6\",\"parent\":\"10\"},"
	"\"12\":{\"name\":\"_exit\",\"category\":\"libc.so.6\",\"parent\":\"3\"}},"
	"\"otherData\":{\"producer\":\"screc 0.1.0\",\"recordings\":[{\"path\":\"a.screc\","
	"\"host\":\"host-a\",\"kernel\":null,\"cmdline\":\"record -- ./client\","
	"\"pid_offset\":0}]}}\n";

static void
test_chrome(void)
{
	struct event e[8];
	size_t n = export_events(e, false);
	char *t;

	t = run_report(&sink_chrome, (struct sink_opts){ 0 }, 1, e, n);
	ok_text(t, chrome_text, "chrome: X events, args, M names, stackFrames");
	free(t);

	n = export_events(e, true);
	t = run_report(&sink_chrome, (struct sink_opts){ 0 }, 2, e, n);
	ok(t && strstr(t, "\"pid\":4198546,\"tid\":4198547,\"ts\":502000.000,") &&
	   strstr(t, "\"name\":\"process_labels\",\"pid\":4198546,\"tid\":4198546,\"ts\":0,"
		     "\"args\":{\"labels\":\"host-b\"}") &&
	   strstr(t, "\"host\":\"host-b\",\"recording\":1,"),
	   "chrome of two recordings: tracks apart, labelled by host, one time axis");
	free(t);
}

/* A Gecko export's thread: the parts the checks look at. */
static void
test_firefox(void)
{
	struct event e[16];
	size_t n = export_events(e, false);
	char *t;

	t = run_report(&sink_firefox, (struct sink_opts){ 0 }, 1, e, n);
	ok(t && strncmp(t, "{\"meta\":{\"version\":27,\"startTime\":1700000000000.000000,", 55) == 0,
	   "firefox: version 27, the wall-clock start in ms");
	ok(t && strstr(t, "\n{\"name\":\"client\",\"processName\":\"client (host-a)\","
			 "\"processType\":\"default\",\"tid\":4242,\"pid\":4242,") &&
	   strstr(t, "\n{\"name\":\"worker 2\",\"processName\":\"client (host-a)\","
		     "\"processType\":\"default\",\"tid\":4243,\"pid\":4242,"),
	   "firefox: a thread per thread, its name, tid, pid and process name");
	/* client: connect at 1 ms, openat at 3, exit_group at 4; stacks share _start... */
	ok(t && strstr(t, "\"data\":[[5,1.000000,0],[9,3.000000,0],[11,4.000000,0]]}"),
	   "firefox: a sample per call, at its entry, on its path's stack");
	ok(t && strstr(t, "[6,1.000000,1.005123,1,2,{\"type\":\"Syscall\",\"call\":\"connect(3, "
			 "{sa_family=AF_INET, sin_port=htons(1)}, 16)\",\"ret\":\"-1 ECONNREFUSED "
			 "(Connection refused)\",\"errno\":\"ECONNREFUSED\",\"comm\":\"client\","
			 "\"host\":\"host-a\",\"stack\":{") &&
	   strstr(t, "\"samples\":{\"schema\":{\"stack\":0,\"time\":1,\"responsiveness\":2},"
		     "\"data\":[[5,1.000000,0]]}}}]"),
	   "firefox: an interval marker per call, with its fields and its stack");
	ok(t && strstr(t, "\"stringTable\":[\"_start (in /home/user/client)\","
			 "\"__libc_start_call_main (in /usr/lib/x86_64-linux-gnu/libc.so.6)\","
			 "\"main (in /home/user/client)\",\"try_connect (in /home/user/client)\","
			 "\"__connect (in /usr/lib/x86_64-linux-gnu/libc.so.6)\","
			 "\"connect (in [kernel.kallsyms])\",\"connect\","),
	   "firefox: locations \"function (in binary)\"");
	free(t);

	n = export_events(e, true);
	t = run_report(&sink_firefox, (struct sink_opts){ 0 }, 2, e, n);
	ok(t && strstr(t, "{\"name\":\"worker 2\",\"processName\":\"client (host-b)\","
			 "\"processType\":\"default\",\"tid\":4198547,\"pid\":4198546,") &&
	   strstr(t, "\"data\":[[5,501.000000,0],[9,503.000000,0],[11,504.000000,0]]}"),
	   "firefox of two recordings: threads apart, one time axis");
	free(t);
}

static void
test_speedscope(void)
{
	struct event e[16];
	size_t n = export_events(e, false);
	char *t;

	t = run_report(&sink_speedscope, (struct sink_opts){ 0 }, 1, e, n);
	ok(t && strstr(t, "\n{\"type\":\"evented\",\"name\":\"client (pid 4242, tid 4242) on "
			 "host-a\",\"unit\":\"nanoseconds\",\"startValue\":1000000,"
			 "\"endValue\":4000000,\"events\":[{\"type\":\"O\",\"frame\":5,"
			 "\"at\":1000000},") &&
	   strstr(t, "\n{\"type\":\"evented\",\"name\":\"worker 2 (pid 4242, tid 4243) on "
		     "host-a\",\"unit\":\"nanoseconds\",\"startValue\":2000000,"
		     "\"endValue\":2000700,\"events\":[{\"type\":\"O\",\"frame\":5,"
		     "\"at\":2000000},"),
	   "speedscope: a profile per thread, named, in ns");
	ok(t && strstr(t, "{\"type\":\"O\",\"frame\":0,\"at\":1000000},{\"type\":\"C\","
			 "\"frame\":0,\"at\":1005123},{\"type\":\"C\",\"frame\":1,"
			 "\"at\":1005123}"),
	   "speedscope: the syscall opens last and closes first, at its exit");
	ok(t && strstr(t, "\"shared\":{\"frames\":[\n{\"name\":\"connect\",\"file\":"
			 "\"[kernel.kallsyms]\"},\n{\"name\":\"__connect\",\"file\":"
			 "\"/usr/lib/x86_64-linux-gnu/libc.so.6\"},"),
	   "speedscope: shared frames with their binaries");
	free(t);
}

/* A protobuf message's fields, one level: calls fn(field, varint, bytes, len). */
static bool
pb_walk(const unsigned char *p, size_t len,
	void (*fn)(void *arg, unsigned field, uint64_t v, const unsigned char *b, size_t n),
	void *arg)
{
	size_t i = 0;

	while (i < len) {
		uint64_t key = 0, v = 0;
		unsigned shift = 0;

		do
			key |= (uint64_t)(p[i] & 0x7f) << shift, shift += 7;
		while (p[i++] & 0x80 && i < len);
		shift = 0;
		if (i >= len)
			return false;
		do
			v |= (uint64_t)(p[i] & 0x7f) << shift, shift += 7;
		while (p[i++] & 0x80 && i < len);
		if ((key & 7) == 0) {
			fn(arg, (unsigned)(key >> 3), v, NULL, 0);
		} else if ((key & 7) == 2) {
			if (v > len - i)
				return false;
			fn(arg, (unsigned)(key >> 3), 0, p + i, (size_t)v);
			i += (size_t)v;
		} else {
			return false;
		}
	}
	return true;
}

struct pb_profile {
	unsigned samples, locations, functions, mappings, strings;
	uint64_t calls, latency;
	char strs[4096];	/* the string table, one per line */
	bool bad;
};

static void
pb_value(void *arg, unsigned field, uint64_t v, const unsigned char *b, size_t n)
{
	struct pb_profile *pr = arg;
	size_t i = 0, k = 0;

	(void)v;
	if (field != 2 || !b)
		return;
	/* the packed values: calls, latency */
	while (i < n) {
		uint64_t x = 0;
		unsigned shift = 0;

		do
			x |= (uint64_t)(b[i] & 0x7f) << shift, shift += 7;
		while (b[i++] & 0x80 && i < n);
		if (k == 0)
			pr->calls += x;
		else
			pr->latency += x;
		k++;
	}
	if (k != 2)
		pr->bad = true;
}

static void
pb_field(void *arg, unsigned field, uint64_t v, const unsigned char *b, size_t n)
{
	struct pb_profile *pr = arg;

	(void)v;
	switch (field) {
	case 2:
		pr->samples++;
		if (!b || !pb_walk(b, n, pb_value, pr))
			pr->bad = true;
		break;
	case 3:
		pr->mappings++;
		break;
	case 4:
		pr->locations++;
		break;
	case 5:
		pr->functions++;
		break;
	case 6:
		pr->strings++;
		if (b && strlen(pr->strs) + n + 2 < sizeof(pr->strs)) {
			strncat(pr->strs, (const char *)b, n);
			strcat(pr->strs, "\n");
		}
		break;
	}
}

static void
test_pprof(void)
{
	struct event e[16];
	size_t n = export_events(e, true);
	unsigned char *raw = NULL;
	uLongf rawlen = 1 << 20;
	struct pb_profile pr = { 0 };
	char *t;
	z_stream z = { 0 };

	/* Two recordings: every path twice, once per host. */
	t = run_report(&sink_pprof, (struct sink_opts){ 0 }, 2, e, n);
	raw = malloc(rawlen);
	if (t && raw && last_len > 2 && inflateInit2(&z, 15 + 16) == Z_OK) {
		z.next_in = (Bytef *)t;
		z.avail_in = (uInt)last_len;
		z.next_out = raw;
		z.avail_out = (uInt)rawlen;
		if (inflate(&z, Z_FINISH) == Z_STREAM_END)
			rawlen = z.total_out;
		else
			rawlen = 0;
		inflateEnd(&z);
	} else {
		rawlen = 0;
	}
	ok(t && (unsigned char)t[0] == 0x1f && (unsigned char)t[1] == 0x8b && rawlen > 0,
	   "pprof: a gzip stream");
	ok(rawlen && pb_walk(raw, rawlen, pb_field, &pr) && !pr.bad, "pprof: a protobuf message");
	ok(pr.samples == 8 && pr.calls == 8 && pr.latency == 2 * (5123 + 700 + 1000),
	   "pprof: 8 samples (4 paths x 2 hosts), calls %llu, latency %llu",
	   (unsigned long long)pr.calls, (unsigned long long)pr.latency);
	ok(pr.mappings == 3 && pr.functions >= 12,
	   "pprof: 3 mappings, %u functions, %u locations", pr.functions, pr.locations);
	ok(strncmp(pr.strs, "\ncalls\ncount\nlatency\nnanoseconds\n", 33) == 0,
	   "pprof: string_table[0] is \"\", then the sample types");
	ok(strstr(pr.strs, "\n/home/user/client\n") && strstr(pr.strs, "\ntry_connect\n") &&
	   strstr(pr.strs, "\nsyscall\n") && strstr(pr.strs, "\nECONNREFUSED\n") &&
	   strstr(pr.strs, "\npid\n") && strstr(pr.strs, "\ncomm\n") &&
	   strstr(pr.strs, "\nhost-a\n") && strstr(pr.strs, "\nhost-b\n") &&
	   strstr(pr.strs, "\n[truncated]\n") && strstr(pr.strs, "\nlibfoo.so+0x1234\n") &&
	   strstr(pr.strs, "\nworker 2\n"),
	   "pprof: names, labels and hosts in the string table");
	ok(strstr(pr.strs, "\n/home/user/client\n/usr/lib/x86_64-linux-gnu/libc.so.6\n") != NULL,
	   "pprof: the main executable's mapping first");
	free(raw);
	free(t);
}

/*
 * A: the fixture; B: two connects by try_connect, from another build of
 * client (another directory, other addresses), and the write.  The diff
 * matches the connect path across builds and sees the openat and exit_group
 * gone.
 */
static size_t
diff_events(struct event *e)
{
	static const struct frame other_build[] = {
		{ .pc = 0x500000, .rel = 0x10a7f0, .dso = "/usr/lib/x86_64-linux-gnu/libc.so.6",
		  .sym = "__connect" },
		{ .pc = 0x600000, .rel = 0x2180, .dso = "/opt/client-v2/client", .sym = "try_connect" },
		{ .pc = 0x600100, .rel = 0x2200, .dso = "/opt/client-v2/client", .sym = "main" },
		{ .pc = 0x500100, .rel = 0x271c0, .dso = "/usr/lib/x86_64-linux-gnu/libc.so.6",
		  .sym = "__libc_start_call_main" },
		{ .pc = 0x600200, .rel = 0x2050, .dso = "/opt/client-v2/client", .sym = "_start" },
	};
	static const struct frame other_writes[] = {
		FN("__GI___libc_write", LIBC, 0x114870),
		{ .pc = 0x7f0000009999, .rel = 0x9999, .dso = "/opt/lib/libfoo.so" },
		{ .pc = 0x401220, .rel = 0x1220, .dso = PROG, .sym = "log_line", .inlined = true },
		FN("main", PROG, 0x1200),
		FN("__libc_start_call_main", LIBC, 0x271c0),
		FN("_start", PROG, 0x1050),
	};
	size_t n = export_fixture(e, 0), i;

	for (i = 0; i < 3; i++) {
		e[n + i] = e[i % 2 ? 1 : 0];
		e[n + i].recording = 1;
		e[n + i].host = "host-b";
		e[n + i].duration_ns = 100;
	}
	e[n].frames = e[n + 2].frames = other_build;
	e[n + 1].frames = other_writes;
	return n + 3;
}

static const char diff_text[] =
	"# screc diff  A: a.screc (host-a)  B: b.screc (host-b)\n"
	"# frames match by function and binary name, not by address\n"
	"#\n"
	"# in all:\n"
	"#      A        B   change      latency A      latency B  latency change\n"
	"       4        3       -1           6823            300           -6523  all calls\n"
	"#\n"
	"# by syscall:\n"
	"#      A        B   change      latency A      latency B  latency change\n"
	"       1        2       +1           5123            200           -4923        connect = ECONNREFUSED\n"
	"       1        0       -1           1000              0           -1000  gone  openat = ENOENT\n"
	"       1        0       -1              0              0               0  gone  exit_group\n"
	"       1        1        0            700            100            -600        write\n"
	"#\n"
	"# by call path, innermost frame first: 4 paths, 0 new, 2 gone, 1 changed, 1 the same\n"
	"#      A        B   change      latency A      latency B  latency change\n"
	"       1        2       +1           5123            200           -4923        connect = ECONNREFUSED <- __connect <- try_connect <- main <- __libc_start_call_main <- _start\n"
	"       1        0       -1           1000              0           -1000  gone  openat = ENOENT <- __libc_open64 <- load_config <- [truncated]\n"
	"       1        0       -1              0              0               0  gone  exit_group <- _exit <- main <- __libc_start_call_main <- _start\n"
	"       1        1        0            700            100            -600        write <- __GI___libc_write <- libfoo.so+? <- log_line [inlined] <- main <- __libc_start_call_main <- _start\n";

static const char diff_tree_text[] =
	"# screc diff, top-down  A: a.screc (host-a)  B: b.screc (host-b)\n"
	"# frames match by function and binary name, not by address\n"
	"#      A        B   change\n"
	"\n"
	"       1        0       -1  [truncated]  [gone]\n"
	"       1        0       -1  `-- load_config  [gone]\n"
	"       1        0       -1      __libc_open64  [gone]\n"
	"       1        0       -1      openat = ENOENT  [gone]\n"
	"\n"
	"       3        3        0  _start\n"
	"       3        3        0  `-- __libc_start_call_main\n"
	"       3        3        0      main\n"
	"       1        2       +1      |-- try_connect\n"
	"       1        2       +1      |   __connect\n"
	"       1        2       +1      |   connect = ECONNREFUSED\n"
	"       1        0       -1      |-- _exit  [gone]\n"
	"       1        0       -1      |   exit_group  [gone]\n"
	"       1        1        0      `-- log_line [inlined]\n"
	"       1        1        0          libfoo.so+?\n"
	"       1        1        0          __GI___libc_write\n"
	"       1        1        0          write\n";

static const char diff_folded_text[] =
	"[truncated];load_config;__libc_open64;openat = ENOENT 1 0\n"
	"_start;__libc_start_call_main;main;_exit;exit_group 1 0\n"
	"_start;__libc_start_call_main;main;log_line [inlined];libfoo.so+?;__GI___libc_write;"
	"write 1 1\n"
	"_start;__libc_start_call_main;main;try_connect;__connect;connect = ECONNREFUSED 1 2\n";

static void
test_diff(void)
{
	struct sink_opts o = { 0 };
	struct event e[16];
	size_t n = diff_events(e);
	char *t;

	t = run_report(&sink_diff, o, 2, e, n);
	ok_text(t, diff_text, "diff: by syscall and by path, across builds, new and gone");
	free(t);

	o.top_down = true;
	t = run_report(&sink_diff_tree, o, 2, e, n);
	ok_text(t, diff_tree_text, "diff-tree top-down: both counts on every node");
	free(t);

	t = run_report(&sink_diff_folded, (struct sink_opts){ 0 }, 2, e, n);
	ok_text(t, diff_folded_text, "diff-folded: \"stack countA countB\"");
	free(t);

	o = (struct sink_opts){ .weight = SINK_WEIGHT_LATENCY };
	t = run_report(&sink_diff_folded, o, 2, e, n);
	ok(t && strstr(t, ";connect = ECONNREFUSED 5123 200\n") && strstr(t, ";write 700 100\n"),
	   "diff-folded --weight=latency: the ns of both");
	free(t);
}

/* The trie's looser keys and paths, as the exports use them. */
static void
test_trie_keys(void)
{
	struct trie *t = trie_new_keyed(false, TRIE_KEY_PORTABLE | TRIE_KEY_NO_ERRNO, 4);
	struct frame a[2] = { FN("f", "/a/prog", 0x10), { .pc = 0x1, .rel = 0x20, .dso = "/a/lib.so" } };
	struct frame b[2] = { FN("f", "/b/prog", 0x99), { .pc = 0x2, .rel = 0x30, .dso = "/b/lib.so" } };
	struct event e1 = ev("read", 0, true, -EAGAIN, a, 2, STACK_COMPLETE);
	struct event e2 = ev("read", 0, true, 3, b, 2, STACK_COMPLETE);
	uint64_t v1[4] = { 1, 0, 10, 0 }, v2[4] = { 0, 1, 0, 20 };
	uint32_t l1 = 0, l2 = 0, ids[8], path[2];
	size_t n = 0;

	ok(t && !trie_new_keyed(false, 0, 5) && !trie_new_keyed(false, 0, 0),
	   "trie_new_keyed: 1 to TRIE_MAX_VALUES sums");
	if (!t)
		return;
	ok(trie_add_event(t, &e1, false, 0, v1, 4, &l1) == 0 &&
	   trie_add_event(t, &e2, false, 0, v2, 4, &l2) == 0 && l1 == l2,
	   "portable keys: same names in other directories and addresses, another errno: one path");
	ok(trie_value(t, l1, 0) == 1 && trie_value(t, l1, 1) == 1 && trie_value(t, l1, 2) == 10 &&
	   trie_value(t, l1, 3) == 20 && trie_value(t, l1, 4) == 0,
	   "four sums per node");
	ok(trie_event_ids(t, &e1, ids, 2, &n) == -ENOSPC && trie_event_len(&e1) == 3 &&
	   trie_event_ids(t, &e1, ids, 8, &n) == 0 && n == 3,
	   "trie_event_ids: room checked, the syscall and two frames");
	path[0] = ids[0];
	path[1] = ids[1];
	ok(trie_add_path(t, TRIE_ROOT, path, 2, v1, 4, &l2) == 0 && l2 == trie_parent(t, l1) &&
	   trie_value(t, l2, 0) == 2 && trie_self_value(t, l2, 0) == 1 &&
	   trie_self_value(t, l1, 0) == 1 && trie_self_value(t, l1, 3) == 20,
	   "trie_add_path: a prefix path; self values count the paths that end there");
	ok(trie_add_path(t, TRIE_ROOT, path, 2, v1, 5, NULL) == -EINVAL,
	   "trie_add_path: more sums than the trie has: -EINVAL");
	trie_free(t);
}

/* The spool: interleaved streams come back whole and in order. */
static void
test_spool(void)
{
	struct spool *sp = NULL;
	char *text = NULL, want[3][20000];
	size_t len = 0, id[3], i, w[3] = { 0 };
	bool same = true;
	FILE *f;

	ok(spool_new(&sp) == 0, "spool_new");
	if (!sp)
		return;
	for (i = 0; i < 3; i++)
		spool_open(sp, &id[i]);
	for (i = 0; i < 3000; i++) {
		char line[16];
		int k = (int)(i % 3), m = snprintf(line, sizeof(line), "%zu,", i);

		if (spool_add(sp, id[k], line, (size_t)m))
			same = false;
		memcpy(want[k] + w[k], line, (size_t)m);
		w[k] += (size_t)m;
	}
	for (i = 0; i < 3; i++) {
		f = open_memstream(&text, &len);
		same = same && spool_copy(sp, id[i], f) == 0;
		fclose(f);
		same = same && len == w[i] && spool_size(sp, id[i]) == w[i] &&
		       memcmp(text, want[i], len) == 0;
		free(text);
		text = NULL;
	}
	ok(same, "spool: three interleaved streams of %zu, %zu, %zu bytes back in order", w[0],
	   w[1], w[2]);
	spool_free(sp);
}

/* --export FORMAT [--two]: the fixture's export on stdout. */
static int
print_export(const char *name, bool two)
{
	const struct sink_ops *ops = sink_find(name);
	struct event e[16];
	size_t n = export_events(e, two);
	char *t;

	if (!ops) {
		fprintf(stderr, "test-sinks: no format %s\n", name);
		return 2;
	}
	t = run_report(ops, (struct sink_opts){ 0 }, two ? 2 : 1, e, n);
	if (!t)
		return 1;
	fwrite(t, 1, last_len, stdout);
	free(t);
	return 0;
}

/* Formats are found by name, and each has a help line. */
static void
test_registry(void)
{
	size_t i;

	ok(sink_find("text") == &sink_listing && sink_find("json") == &sink_json &&
	   sink_find("tree") == &sink_tree && !sink_find("nope"), "sink_find by name");
	ok(sink_find("perf-script") == &sink_perf_script && sink_find("folded") == &sink_folded &&
	   sink_find("chrome") == &sink_chrome && sink_find("firefox") == &sink_firefox &&
	   sink_find("speedscope") == &sink_speedscope && sink_find("pprof") == &sink_pprof &&
	   sink_find("diff") == &sink_diff && sink_find("diff-tree") == &sink_diff_tree &&
	   sink_find("diff-folded") == &sink_diff_folded && sink_diff.recordings == 2 &&
	   !sink_folded.recordings, "the exports and diffs are registered");
	for (i = 0; sink_registry[i]; i++)
		ok(sink_registry[i]->help && *sink_registry[i]->help && sink_registry[i]->event,
		   "format %s has a help line and an event()", sink_registry[i]->name);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--json") == 0)
		return print_json();
	if (argc > 2 && strcmp(argv[1], "--export") == 0)
		return print_export(argv[2], argc > 3 && strcmp(argv[3], "--two") == 0);

	test_errno();
	test_tree();
	test_tree_names();
	test_json();
	test_listing();
	test_decoded();
	test_perf_script();
	test_folded();
	test_chrome();
	test_firefox();
	test_speedscope();
	test_pprof();
	test_diff();
	test_trie_keys();
	test_spool();
	test_registry();
	test_tree_many();
	return tap_done();
}
