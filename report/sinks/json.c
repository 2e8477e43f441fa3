// SPDX-License-Identifier: MIT
/*
 * The --format=json sink: one JSON object per line per event (JSON Lines),
 * for scripts and other tools.  Every field is always present, null when
 * unknown, so that a consumer never has to guess.  Addresses are hex strings
 * (a 64-bit address does not survive a JSON number read as a double); other
 * numbers are plain decimal.  Strings come from the traced system as bytes:
 * valid UTF-8 passes through, control characters, quotes and backslashes are
 * escaped, and a byte that is not part of valid UTF-8 becomes \u00XX (its
 * Latin-1 reading), so the output is always valid JSON.  A line is built in a
 * buffer and written with one call.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sink.h"

struct json {
	char *p;
	size_t len, cap;
	bool failed;		/* out of memory while building this line */
	struct screc_buf tmp;	/* the decoded call */
};

static void
reserve(struct json *j, size_t n)
{
	size_t cap;
	char *p;

	if (j->failed || n <= j->cap - j->len)
		return;
	cap = j->cap ? j->cap : 1024;
	while (n > cap - j->len) {
		if (cap > SIZE_MAX / 2) {
			j->failed = true;
			return;
		}
		cap *= 2;
	}
	p = realloc(j->p, cap);
	if (!p) {
		j->failed = true;
		return;
	}
	j->p = p;
	j->cap = cap;
}

static void
add(struct json *j, const char *s, size_t n)
{
	reserve(j, n);
	if (j->failed)
		return;
	memcpy(j->p + j->len, s, n);
	j->len += n;
}

static void
lit(struct json *j, const char *s)
{
	add(j, s, strlen(s));
}

static void
u64(struct json *j, uint64_t v)
{
	char tmp[20], *p = tmp + sizeof(tmp);

	do
		*--p = '0' + v % 10;
	while (v /= 10);
	add(j, p, tmp + sizeof(tmp) - p);
}

static void
i64(struct json *j, int64_t v)
{
	if (v < 0) {
		add(j, "-", 1);
		u64(j, -(uint64_t)v);
	} else {
		u64(j, v);
	}
}

static void
hex(struct json *j, uint64_t v)
{
	char tmp[20], *p = tmp + sizeof(tmp);

	*--p = '"';
	do
		*--p = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	*--p = 'x';
	*--p = '0';
	*--p = '"';
	add(j, p, tmp + sizeof(tmp) - p);
}

/* The length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *s, size_t left)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* The letter of a two-character escape for c, or 0 if it has none. */
static char
short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return '"';
	case '\\':
		return '\\';
	case '\n':
		return 'n';
	case '\t':
		return 't';
	case '\r':
		return 'r';
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	default:
		return 0;
	}
}

static void
str(struct json *j, const char *s)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run;
	size_t left, n;
	char esc[6];

	if (!s) {
		lit(j, "null");
		return;
	}
	left = strlen(s);
	add(j, "\"", 1);
	while (left) {
		/* copy runs of characters that need nothing in one go */
		for (run = p; left && *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\'; p++)
			left--;
		add(j, (const char *)run, p - run);
		if (!left)
			break;
		n = *p >= 0x80 ? utf8_len(p, left) : 0;
		if (n) {
			add(j, (const char *)p, n);
			p += n;
			left -= n;
			continue;
		}
		/* a control character, quote, backslash, DEL or a byte that is not UTF-8 */
		esc[0] = '\\';
		esc[1] = short_escape(*p);
		if (esc[1]) {
			add(j, esc, 2);
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hexd[*p >> 4];
			esc[5] = hexd[*p & 15];
			add(j, esc, 6);
		}
		p++;
		left--;
	}
	add(j, "\"", 1);
}

/* ns as seconds with all nine decimals, exact. */
static void
seconds(struct json *j, uint64_t ns)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64 ".%09" PRIu64, ns / 1000000000,
			 ns % 1000000000);

	add(j, tmp, n);
}

static const char *const end_names[] = {
	[STACK_COMPLETE] = "complete",
	[STACK_TRUNCATED] = "truncated",
	[STACK_SWITCH] = "stack_switch",
	[STACK_BROKEN] = "broken",
};

static const char *const method_names[] = {
	[FRAME_INITIAL] = "initial",
	[FRAME_CFI] = "cfi",
	[FRAME_FP] = "fp",
	[FRAME_PROLOGUE] = "prologue",
	[FRAME_INLINE] = "inline",
	[FRAME_SIGNAL] = "signal",
};

#define NAME_OF(table, v) \
	((size_t)(v) < sizeof(table) / sizeof(table[0]) ? table[v] : NULL)

static void
frame(struct json *j, const struct frame *f)
{
	lit(j, "{\"address\":");
	hex(j, f->pc);
	lit(j, ",\"rel\":");
	if (f->dso && f->rel)
		hex(j, f->rel);
	else
		lit(j, "null");
	lit(j, ",\"dso\":");
	str(j, f->dso);
	lit(j, ",\"build_id\":");
	str(j, f->build_id);
	lit(j, ",\"build_id_mismatch\":");
	lit(j, f->bad_build_id ? "true" : "false");
	lit(j, ",\"symbol\":");
	str(j, f->sym);
	lit(j, ",\"offset\":");
	if (f->sym)
		u64(j, f->sym_off);
	else
		lit(j, "null");
	lit(j, ",\"file\":");
	str(j, f->file);
	lit(j, ",\"line\":");
	if (f->line > 0)
		i64(j, f->line);
	else
		lit(j, "null");
	lit(j, ",\"inlined\":");
	lit(j, f->inlined ? "true" : "false");
	lit(j, ",\"guessed\":");
	lit(j, f->guessed ? "true" : "false");
	lit(j, ",\"method\":");
	str(j, NAME_OF(method_names, f->method));
	lit(j, "}");
}

static void
event_line(struct json *j, const struct event *ev)
{
	unsigned nr_args = ev->nr_args < 6 ? ev->nr_args : 6;
	size_t i;

	lit(j, "{\"pid\":");
	u64(j, ev->pid);
	lit(j, ",\"tid\":");
	u64(j, ev->tid);
	lit(j, ",\"comm\":");
	str(j, ev->comm);
	lit(j, ",\"host\":");
	str(j, ev->host);
	lit(j, ",\"recording\":");
	u64(j, ev->recording);
	lit(j, ",\"time\":");
	seconds(j, ev->time);
	lit(j, ",\"rel_time\":");
	seconds(j, ev->rel_time);
	lit(j, ",\"syscall\":");
	str(j, ev->syscall);
	lit(j, ",\"nr\":");
	i64(j, ev->nr);
	lit(j, ",\"args\":[");
	for (i = 0; i < nr_args; i++) {
		if (i)
			add(j, ",", 1);
		u64(j, ev->args[i]);
	}
	lit(j, "],\"decoded\":");
	if (ev->args_text) {
		/* The call as strace prints it: name(arguments) = return. */
		j->tmp.len = 0;
		if (ev->syscall)
			screc_buf_str(&j->tmp, ev->syscall);
		else
			screc_buf_printf(&j->tmp, "syscall_%ld", ev->nr);
		screc_buf_printf(&j->tmp, "(%s)%s", ev->args_text, ev->ret_text ? ev->ret_text : "");
		str(j, j->tmp.err ? NULL : screc_buf_text(&j->tmp));
	} else {
		lit(j, "null");
	}
	lit(j, ",\"return\":");
	if (ev->has_ret)
		i64(j, ev->ret);
	else
		lit(j, "null");
	lit(j, ",\"errno\":");
	str(j, ev->has_ret && ev->err ? ev->err_name : NULL);
	lit(j, ",\"duration_ns\":");
	if (ev->has_ret)
		u64(j, ev->duration_ns);
	else
		lit(j, "null");
	lit(j, ",\"stack_size\":");
	u64(j, ev->stack_size);
	lit(j, ",\"stack_end\":");
	str(j, NAME_OF(end_names, ev->end));
	lit(j, ",\"frames\":[");
	for (i = 0; i < ev->nr_frames; i++) {
		if (i)
			add(j, ",", 1);
		frame(j, &ev->frames[i]);
	}
	lit(j, "]}\n");
}

static int
json_begin(struct sink *s, const struct report_meta *meta)
{
	(void)meta;
	s->priv = calloc(1, sizeof(struct json));
	return s->priv ? 0 : -ENOMEM;
}

/* Build ev's line in j's buffer and write it to out. */
static int
write_line(struct json *j, const struct event *ev, FILE *out)
{
	j->len = 0;
	j->failed = false;
	event_line(j, ev);
	if (j->failed)
		return -ENOMEM;
	if (fwrite(j->p, 1, j->len, out) != j->len)
		return -EIO;
	return 0;
}

static int
json_event(struct sink *s, const struct event *ev)
{
	return write_line(s->priv, ev, s->opts.out);
}

/* The same line with buffers of its own: any thread may call it. */
static int
json_render(const struct sink *s, const struct event *ev, FILE *out)
{
	struct json j = { 0 };
	int err;

	(void)s;
	if (!ev)
		return 0;
	err = write_line(&j, ev, out);
	free(j.p);
	screc_buf_release(&j.tmp);
	return err;
}

static int
json_end(struct sink *s, const struct report_stats *st)
{
	(void)st;
	if (fflush(s->opts.out) || ferror(s->opts.out))
		return -EIO;
	return 0;
}

static void
json_free(struct sink *s)
{
	struct json *j = s->priv;

	if (!j)
		return;
	free(j->p);
	screc_buf_release(&j->tmp);
	free(j);
	s->priv = NULL;
}

const struct sink_ops sink_json = {
	.name = "json",
	.help = "one JSON object per event and line, every field (the lossless export)",
	.begin = json_begin,
	.event = json_event,
	.render = json_render,
	.end = json_end,
	.free = json_free,
};
