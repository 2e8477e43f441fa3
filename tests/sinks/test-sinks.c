// SPDX-License-Identifier: MIT
/*
 * Unit tests for the output sinks and the errno table, on hand-built events:
 * each sink runs into a memory stream and its output is compared byte for
 * byte.  Prints TAP.  With --json, prints instead the JSON lines of every
 * event used here, for json-valid.py to parse with a real JSON parser.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/decode/errno-names.h"
#include "report/sinks/sink.h"
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
	"{\"pid\":4242,\"tid\":4242,\"comm\":\"client\",\"time\":1700000000.123456789,"
	"\"rel_time\":0.000001500,\"syscall\":\"connect\",\"nr\":42,"
	"\"args\":[3,140720308529664,16],\"decoded\":null,\"return\":-111,\"errno\":\"ECONNREFUSED\","
	"\"duration_ns\":5123,\"stack_size\":8192,\"stack_end\":\"complete\",\"frames\":["
	"{\"address\":\"0x50a7c0\",\"rel\":\"0x10a7c0\","
	"\"dso\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\","
	"\"build_id\":\"" BID_LIBC "\",\"build_id_mismatch\":false,"
	"\"symbol\":\"__connect\",\"offset\":16,\"file\":\"connect.c\",\"line\":26,"
	"\"inlined\":false,\"method\":\"initial\"},"
	"{\"address\":\"0x7f0000001234\",\"rel\":\"0x1234\",\"dso\":\"/opt/lib/libfoo.so\","
	"\"build_id\":null,\"build_id_mismatch\":true,\"symbol\":null,\"offset\":null,"
	"\"file\":null,\"line\":null,\"inlined\":false,\"method\":\"fp\"},"
	"{\"address\":\"0x401220\",\"rel\":\"0x1220\",\"dso\":\"/home/user/client\","
	"\"build_id\":null,\"build_id_mismatch\":false,\"symbol\":\"log_line\",\"offset\":32,"
	"\"file\":null,\"line\":null,\"inlined\":true,\"method\":\"inline\"},"
	"{\"address\":\"0x7f00deadbeef\",\"rel\":null,\"dso\":\"[anon]\",\"build_id\":null,"
	"\"build_id_mismatch\":false,\"symbol\":null,\"offset\":null,\"file\":null,"
	"\"line\":null,\"inlined\":false,\"method\":\"signal\"}]}\n";

static const char json_odd[] =
	"{\"pid\":7,\"tid\":8,\"comm\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\\u00ff\\u00c3(\xc3\xa9\xe2\x82\xac"
	"\xf0\x9f\x98\x80\\u00ed\\u00a0\\u0080\\u00c0\\u00af\",\"time\":0.000000000,"
	"\"rel_time\":0.000000000,\"syscall\":null,\"nr\":-1,\"args\":[],\"decoded\":null,\"return\":null,"
	"\"errno\":null,\"duration_ns\":null,\"stack_size\":0,\"stack_end\":\"truncated\","
	"\"frames\":[]}\n"
	"{\"pid\":7,\"tid\":8,\"comm\":null,\"time\":18446744073.709551615,"
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

/* Formats are found by name, and each has a help line. */
static void
test_registry(void)
{
	size_t i;

	ok(sink_find("text") == &sink_listing && sink_find("json") == &sink_json &&
	   sink_find("tree") == &sink_tree && !sink_find("nope"), "sink_find by name");
	for (i = 0; sink_registry[i]; i++)
		ok(sink_registry[i]->help && *sink_registry[i]->help && sink_registry[i]->event,
		   "format %s has a help line and an event()", sink_registry[i]->name);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--json") == 0)
		return print_json();

	test_errno();
	test_tree();
	test_tree_names();
	test_json();
	test_listing();
	test_decoded();
	test_registry();
	test_tree_many();
	return tap_done();
}
