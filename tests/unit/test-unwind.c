// SPDX-License-Identifier: MIT
/*
 * The unwinder on saved snapshots (elfutils' backtrace-data idea): two
 * recordings of data/unwind/target.c's connect(2), made once with the real
 * recorder by data/unwind/gen.sh, are reported through a whole session into
 * a sink that keeps the frames.  The binaries are found only by build-id
 * under the data directory's .build-id tree (the recorded paths were deleted
 * after recording), so anyone can debug an unwinding bug here without root,
 * perf or the kernel that made the snapshot.
 *
 * cfi.screc-v1: CFI and no frame pointers, so that only CFI can walk it.
 * fp.screc-v1: frame pointers and no CFI at all.
 *
 * Usage: test-unwind DATA_DIR
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/session.h"
#include "report/unwind/unwind.h"
#include "tap.h"

/* Checks that failed, not counting the TODO ones (tap_done() counts those too). */
static unsigned nr_bad, nr_todo_failed;

static bool
note(bool passed)
{
	if (!passed)
		nr_bad++;
	return passed;
}

#define ok(...) note(tap_ok(__VA_ARGS__))
#define is(...) note(tap_is(__VA_ARGS__))

/* A check that fails because of a known bug: "not ok N - ... # TODO bug: ...". */
static bool __attribute__((format(printf, 3, 4), unused))
todo(bool cond, const char *bug, const char *fmt, ...)
{
	char desc[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	if (!cond)
		nr_todo_failed++;
	return tap_ok(cond, "%s # TODO bug: %s", desc, bug);
}

/* What the sink keeps of an event. */
#define MAX_KEEP 16

struct kept_frame {
	char *sym;		/* NULL when the frame has no name */
	char *dso;
	char *build_id;
	enum frame_method method;
	uint64_t pc;
};

struct kept {
	unsigned begins, events, ends;
	char *syscall;
	long nr;
	bool has_ret;
	int64_t ret;
	uint64_t arg0;
	enum stack_end end;
	struct kept_frame frames[MAX_KEEP];
	size_t nr_frames;
};

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
keep_begin(struct sink *s, const struct report_meta *meta)
{
	struct kept *k = s->priv;

	(void)meta;
	k->begins++;
	return 0;
}

/* Copy the first event's frames (nothing of an event may be kept without copying). */
static int
keep_event(struct sink *s, const struct event *ev)
{
	struct kept *k = s->priv;
	size_t i;

	if (k->events++)
		return 0;
	k->syscall = dup_or_null(ev->syscall);
	k->nr = ev->nr;
	k->has_ret = ev->has_ret;
	k->ret = ev->ret;
	k->arg0 = ev->nr_args ? ev->args[0] : 0;
	k->end = ev->end;
	k->nr_frames = ev->nr_frames < MAX_KEEP ? ev->nr_frames : MAX_KEEP;
	for (i = 0; i < k->nr_frames; i++) {
		const struct frame *fr = &ev->frames[i];

		k->frames[i] = (struct kept_frame){
			dup_or_null(fr->sym), dup_or_null(fr->dso), dup_or_null(fr->build_id),
			fr->method, fr->pc,
		};
	}
	return 0;
}

static int
keep_end(struct sink *s, const struct report_stats *st)
{
	struct kept *k = s->priv;

	(void)st;
	k->ends++;
	return 0;
}

static const struct sink_ops keep_ops = {
	.name = "keep",
	.help = "the test's own sink",
	.begin = keep_begin,
	.event = keep_event,
	.end = keep_end,
};

static void
kept_release(struct kept *k)
{
	size_t i;

	free(k->syscall);
	for (i = 0; i < k->nr_frames; i++) {
		free(k->frames[i].sym);
		free(k->frames[i].dso);
		free(k->frames[i].build_id);
	}
	memset(k, 0, sizeof(*k));
}

struct backend_count {
	uint64_t frames[UNWIND_NR_BACKENDS];
	unsigned calls;
};

static void
count_backend(void *arg, const char *name, uint64_t frames)
{
	struct backend_count *bc = arg;

	if (strcmp(name, "fast-cfi") == 0)
		bc->frames[UNWIND_FAST_CFI] = frames;
	else if (strcmp(name, "libdwfl") == 0)
		bc->frames[UNWIND_DWFL] = frames;
	else if (strcmp(name, "prologue") == 0)
		bc->frames[UNWIND_PROLOGUE] = frames;
	else if (strcmp(name, "frame-pointer") == 0)
		bc->frames[UNWIND_FP] = frames;
	bc->calls++;
}

/* Report the recording at path with debug_dirs into k; the session's status. */
static int
report(const char *path, const char *debug_dirs, struct kept *k, struct report_stats *st,
       struct backend_count *bc)
{
	struct report_session *s;
	struct sink sink = { .ops = &keep_ops, .priv = k };
	int ret;

	memset(k, 0, sizeof(*k));
	memset(st, 0, sizeof(*st));
	memset(bc, 0, sizeof(*bc));
	ret = report_session_open(path, &(struct lookup_opts){ .debug_dirs = debug_dirs }, &s);
	if (ret)
		return ret;
	sink.opts.out = stdout;
	ret = report_session_run(s, NULL, &sink, st);
	report_session_backends(s, count_backend, bc);
	report_session_free(s);
	return ret;
}

static const char *const expect_names[] = {
	"raw_connect", "third_level", "second_level", "first_level", "_start",
};
#define NR_EXPECT (sizeof(expect_names) / sizeof(expect_names[0]))

static const char *
end_name(enum stack_end e)
{
	switch (e) {
	case STACK_COMPLETE:
		return "complete";
	case STACK_TRUNCATED:
		return "truncated";
	case STACK_SWITCH:
		return "switch";
	case STACK_BROKEN:
		return "broken";
	}
	return "?";
}

static const char *
method_name(enum frame_method m)
{
	return m == FRAME_CFI ? "CFI" : m == FRAME_FP ? "frame pointer" : "another method";
}

/* Whether k holds exactly the expected frame names (for the wrong-directory check). */
static bool
names_match(const struct kept *k)
{
	size_t i;

	if (k->events != 1 || k->nr_frames != NR_EXPECT)
		return false;
	for (i = 0; i < NR_EXPECT; i++)
		if (!k->frames[i].sym || strcmp(k->frames[i].sym, expect_names[i]) != 0)
			return false;
	return true;
}

/* The event of a recording of target.c, walked by caller_method. */
static void
check_event(const char *v, const struct kept *k, const struct report_stats *st,
	    const char *data_dir, enum frame_method caller_method)
{
	char path[PATH_MAX];
	struct stat sb;
	size_t i;

	is(k->begins, 1, "%s: begin() once", v);
	is(k->ends, 1, "%s: end() once", v);
	if (!is(k->events, 1, "%s: one event", v))
		return;
	ok(k->syscall && strcmp(k->syscall, "connect") == 0, "%s: the syscall is connect (%s)", v,
	   k->syscall ? k->syscall : "NULL");
	is(k->nr, 42, "%s: syscall number 42", v);
	ok(k->has_ret && k->ret == -EBADF, "%s: returned -EBADF (%lld)", v, (long long)k->ret);
	ok(k->arg0 == (uint64_t)-1, "%s: first argument is the bogus fd -1", v);
	is(st->events, 1, "%s: stats count one event", v);
	is(st->unresolved_frames, 0, "%s: every frame has a name", v);

	if (!is((long long)k->nr_frames, (long long)NR_EXPECT, "%s: %zu frames", v, NR_EXPECT)) {
		for (i = 0; i < k->nr_frames; i++)
			tap_diag("frame %zu: %s (method %d)", i,
				 k->frames[i].sym ? k->frames[i].sym : "?",
				 (int)k->frames[i].method);
		return;
	}
	for (i = 0; i < NR_EXPECT; i++) {
		const struct kept_frame *f = &k->frames[i];

		ok(f->sym && strcmp(f->sym, expect_names[i]) == 0, "%s: frame %zu is %s (got %s)",
		   v, i, expect_names[i], f->sym ? f->sym : "NULL");
		is(f->method, i == 0 ? FRAME_INITIAL : caller_method, "%s: frame %zu found by %s",
		   v, i, i == 0 ? "its sample" : method_name(caller_method));
	}

	/* The binary was found by build-id: its recorded path is gone. */
	ok(k->frames[0].dso && strncmp(k->frames[0].dso, "/tmp/screc-unwind.", 18) == 0,
	   "%s: the recorded path is gen.sh's temporary directory (%s)", v,
	   k->frames[0].dso ? k->frames[0].dso : "NULL");
	ok(k->frames[0].dso && stat(k->frames[0].dso, &sb) != 0,
	   "%s: the recorded path does not exist here", v);
	ok(k->frames[0].build_id && strlen(k->frames[0].build_id) == 40,
	   "%s: frames carry the recorded build-id", v);
	if (k->frames[0].build_id) {
		snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s", data_dir,
			 k->frames[0].build_id, k->frames[0].build_id + 2);
		ok(stat(path, &sb) == 0, "%s: the binary is in the data's .build-id tree", v);
	}
	for (i = 1; i < NR_EXPECT; i++)
		if (k->frames[i].pc == k->frames[i - 1].pc)
			break;
	is((long long)i, (long long)NR_EXPECT, "%s: no frame repeats the one before", v);
}

int
main(int argc, char **argv)
{
	char path[PATH_MAX];
	struct backend_count bc;
	struct report_stats st;
	struct kept k;
	int ret;

#if !defined(__x86_64__)
	return tap_skip_all("the recordings are of x86-64 programs");
#endif
	if (argc < 2)
		return tap_skip_all("usage: test-unwind DATA_DIR");

	/* CFI only: the driver walks it to _start, where CFI says the stack ends. */
	snprintf(path, sizeof(path), "%s/cfi.screc-v1", argv[1]);
	ret = report(path, argv[1], &k, &st, &bc);
	is(ret, 0, "cfi: the session reads the recording to its end");
	check_event("cfi", &k, &st, argv[1], FRAME_CFI);
	ok(k.events == 1 && k.end == STACK_COMPLETE, "cfi: the stack is complete (%s)",
	   end_name(k.end));
	is(st.complete, 1, "cfi: stats count it complete");
	is(bc.calls, UNWIND_NR_BACKENDS, "cfi: every backend is listed once");
	is(bc.frames[UNWIND_FAST_CFI] + bc.frames[UNWIND_DWFL], NR_EXPECT,
	   "cfi: every frame came from a CFI backend");
	ok(bc.frames[UNWIND_FAST_CFI] == NR_EXPECT,
	     "cfi: the fast CFI path walks the whole stack (fast-cfi %llu, libdwfl %llu)",
	     (unsigned long long)bc.frames[UNWIND_FAST_CFI],
	     (unsigned long long)bc.frames[UNWIND_DWFL]);
	kept_release(&k);

	/* Frame pointers, no CFI: libdwfl's frame-pointer fallback, checked by capstone. */
	snprintf(path, sizeof(path), "%s/fp.screc-v1", argv[1]);
	ret = report(path, argv[1], &k, &st, &bc);
	is(ret, 0, "fp: the session reads the recording to its end");
	check_event("fp", &k, &st, argv[1], FRAME_FP);
	/* The chain ends in _start (the walk knows the outermost frames, ends.c). */
	ok(k.events == 1 && k.end == STACK_COMPLETE, "fp: the stack is complete (%s)",
	   end_name(k.end));
	kept_release(&k);

	/* The same recording with a wrong directory: the checks above would fail. */
	snprintf(path, sizeof(path), "%s/cfi.screc-v1", argv[1]);
	ret = report(path, "/nonexistent/screc-unwind", &k, &st, &bc);
	is(ret, 0, "wrong dir: the session still reads the recording");
	is(k.events, 1, "wrong dir: still one event");
	ok(!names_match(&k), "wrong dir: the frame names are not found");
	ok(k.nr_frames > 0 && !k.frames[0].sym, "wrong dir: the first frame has no name");
	kept_release(&k);

	ret = report("/nonexistent/screc-unwind/cfi.screc-v1", argv[1], &k, &st, &bc);
	is(ret, -ENOENT, "a missing recording: -ENOENT");

	tap_done();
	if (nr_todo_failed)
		tap_diag("%u of the failed checks are TODO: known bugs in report/", nr_todo_failed);
	return nr_bad ? 1 : 0;
}
