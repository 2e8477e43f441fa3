// SPDX-License-Identifier: MIT
/*
 * What the export sinks share (see export.h): the recordings and their
 * common time axis, pids that keep hosts apart, labels, JSON text, and the
 * table of threads.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "report/event.h"

int
export_recs_add(struct export_recs *r, const struct report_meta *meta)
{
	size_t i = meta->recording, old = r->cap;

	if (i >= r->nr) {
		if (screc_grow(&r->metas, &r->cap, i + 1, sizeof(*r->metas), 4))
			return -ENOMEM;
		memset(r->metas + old, 0, (r->cap - old) * sizeof(*r->metas));
		r->nr = i + 1;
	}
	r->metas[i] = meta;
	r->timed = false;	/* a late recording: place them all again */
	return 0;
}

void
export_recs_release(struct export_recs *r)
{
	free(r->metas);
	free(r->offset);
	*r = (struct export_recs){ 0 };
}

const struct report_meta *
export_recs_meta(const struct export_recs *r, unsigned recording)
{
	return recording < r->nr ? r->metas[recording] : NULL;
}

/* Place the recordings on one axis: by wall clock when all of them know theirs. */
static void
place(struct export_recs *r)
{
	uint64_t min = UINT64_MAX;
	bool all = r->nr > 0;
	size_t i;

	r->timed = true;
	free(r->offset);
	r->offset = calloc(r->nr ? r->nr : 1, sizeof(*r->offset));
	r->origin_ns = r->nr && r->metas[0] ? r->metas[0]->start_realtime_ns : 0;
	for (i = 0; i < r->nr; i++) {
		if (!r->metas[i] || !r->metas[i]->start_realtime_ns)
			all = false;
		else if (r->metas[i]->start_realtime_ns < min)
			min = r->metas[i]->start_realtime_ns;
	}
	if (!all || !r->offset)
		return;
	r->origin_ns = min;
	for (i = 0; i < r->nr; i++)
		r->offset[i] = r->metas[i]->start_realtime_ns - min;
}

uint64_t
export_time(struct export_recs *r, const struct event *ev)
{
	if (!r->timed)
		place(r);
	if (r->offset && ev->recording < r->nr)
		return r->offset[ev->recording] + ev->rel_time;
	return ev->rel_time;
}

uint64_t
export_origin(struct export_recs *r)
{
	if (!r->timed)
		place(r);
	return r->origin_ns;
}

uint32_t
export_pid(unsigned recording, uint32_t pid)
{
	return pid + (uint32_t)recording * EXPORT_PID_SPAN;
}

const char *
export_basename(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash && slash[1] ? slash + 1 : path;
}

static const char *const end_names[] = {
	[STACK_COMPLETE] = "[complete]",
	[STACK_TRUNCATED] = "[truncated]",
	[STACK_SWITCH] = "[stack switch]",
	[STACK_BROKEN] = "[broken]",
};

void
export_label(struct screc_buf *b, const struct trie_frame *f, bool with_errno)
{
	switch (f->kind) {
	case TRIE_SYSCALL:
		if (f->name)
			screc_buf_str(b, f->name);
		else
			screc_buf_printf(b, "syscall_%" PRId64, f->num);
		if (with_errno && f->err && f->err_name)
			screc_buf_printf(b, " = %s", f->err_name);
		else if (with_errno && f->err)
			screc_buf_printf(b, " = errno %d", f->err);
		return;
	case TRIE_END:
		screc_buf_str(b, (uint64_t)f->num < SCREC_ARRAY_SIZE(end_names) ?
				 end_names[f->num] : "[broken]");
		return;
	case TRIE_TASK:
	case TRIE_TEXT:
		screc_buf_str(b, f->name ? f->name : "[unknown]");
		return;
	}
	if (f->name)
		screc_buf_str(b, f->name);
	else if (f->flags & TRIE_ABSOLUTE)
		screc_buf_printf(b, "%s@%#" PRIx64, f->dso ? export_basename(f->dso) : "[unknown]",
				 f->addr);
	else if (f->addr)
		screc_buf_printf(b, "%s+%#" PRIx64, f->dso ? export_basename(f->dso) : "[unknown]",
				 f->addr);
	else
		screc_buf_printf(b, "%s+?", f->dso ? export_basename(f->dso) : "[unknown]");
}

void
export_syscall_name(struct screc_buf *b, const struct event *ev)
{
	if (ev->syscall)
		screc_buf_str(b, ev->syscall);
	else
		screc_buf_printf(b, "syscall_%ld", ev->nr);
}

void
export_call(struct screc_buf *b, const struct event *ev)
{
	unsigned i;

	export_syscall_name(b, ev);
	screc_buf_char(b, '(');
	if (ev->args_text) {
		screc_buf_str(b, ev->args_text);
	} else {
		for (i = 0; i < ev->nr_args && i < 6; i++) {
			uint64_t v = ev->args[i];
			int64_t sv = (int64_t)v;

			if (i)
				screc_buf_str(b, ", ");
			if (ev->arg_is_ptr & (1u << i))
				screc_buf_printf(b, v ? "%#" PRIx64 : "NULL", v);
			else if (sv >= -4096 && sv < 65536)
				screc_buf_printf(b, "%" PRId64, sv);
			else
				screc_buf_printf(b, "%#" PRIx64, v);
		}
	}
	screc_buf_char(b, ')');
}

void
export_return(struct screc_buf *b, const struct event *ev)
{
	const char *t = ev->ret_text;

	if (t) {
		/* The decoded return comes as " = 3</etc/hosts>". */
		while (*t == ' ')
			t++;
		if (t[0] == '=' && t[1] == ' ')
			t += 2;
		screc_buf_str(b, t);
		return;
	}
	if (!ev->has_ret)
		screc_buf_char(b, '?');
	else if (ev->err && ev->err_name && ev->err_msg)
		screc_buf_printf(b, "-1 %s (%s)", ev->err_name, ev->err_msg);
	else if (ev->err && ev->err_name)
		screc_buf_printf(b, "-1 %s", ev->err_name);
	else if (ev->err)
		screc_buf_printf(b, "-1 errno %d", ev->err);
	else if (ev->ret > 65535)
		screc_buf_printf(b, "%#" PRIx64, (uint64_t)ev->ret);
	else
		screc_buf_printf(b, "%" PRId64, ev->ret);
}

/* The length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *s, size_t left)
{
	size_t n, i;
	uint32_t cp;

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

void
export_json_str(struct screc_buf *b, const char *s)
{
	if (!s) {
		screc_buf_str(b, "null");
		return;
	}
	screc_buf_char(b, '"');
	export_json_chars(b, s);
	screc_buf_char(b, '"');
}

void
export_json_chars(struct screc_buf *b, const char *s)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run;
	size_t left = strlen(s), n;
	char esc[6];

	while (left) {
		for (run = p; left && *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\'; p++)
			left--;
		screc_buf_add(b, (const char *)run, (size_t)(p - run));
		if (!left)
			break;
		n = *p >= 0x80 ? utf8_len(p, left) : 0;
		if (n) {
			screc_buf_add(b, (const char *)p, n);
			p += n;
			left -= n;
			continue;
		}
		esc[0] = '\\';
		switch (*p) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		default:
			esc[1] = 0;
		}
		if (esc[1]) {
			screc_buf_add(b, esc, 2);
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hexd[*p >> 4];
			esc[5] = hexd[*p & 15];
			screc_buf_add(b, esc, 6);
		}
		p++;
		left--;
	}
}

void
export_json_u64(struct screc_buf *b, uint64_t v)
{
	char tmp[20], *p = tmp + sizeof(tmp);

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	screc_buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void
export_json_i64(struct screc_buf *b, int64_t v)
{
	if (v < 0) {
		screc_buf_char(b, '-');
		export_json_u64(b, -(uint64_t)v);
	} else {
		export_json_u64(b, (uint64_t)v);
	}
}

void
export_json_fixed(struct screc_buf *b, uint64_t v, unsigned digits)
{
	uint64_t div = 1;
	unsigned i;

	for (i = 0; i < digits; i++)
		div *= 10;
	export_json_u64(b, v / div);
	if (digits)
		screc_buf_printf(b, ".%0*" PRIu64, (int)digits, v % div);
}

void
export_hex(struct screc_buf *b, uint64_t v, int width)
{
	char tmp[32], *p = tmp + sizeof(tmp);

	do
		*--p = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	while (tmp + sizeof(tmp) - p < width && p > tmp)
		*--p = ' ';
	screc_buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int
export_grow_zero(void *p, size_t *cap, size_t need, size_t size)
{
	size_t old = *cap;
	char **pp = p;

	if (screc_grow(p, cap, need, size, 64))
		return -ENOMEM;
	if (*cap > old)
		memset(*pp + old * size, 0, (*cap - old) * size);
	return 0;
}

int
export_write(FILE *out, const struct screc_buf *b)
{
	if (b->err)
		return b->err;
	if (b->len && fwrite(b->s, 1, b->len, out) != b->len)
		return -EIO;
	return 0;
}

static uint64_t
thread_hash(unsigned recording, uint32_t pid, uint32_t tid)
{
	return screc_mix64(((uint64_t)recording << 40) ^ ((uint64_t)pid << 20) ^ tid ^
			   ((uint64_t)pid << 44));
}

static int
rehash_threads(struct export_threads *t)
{
	size_t n = t->slots ? (t->mask + 1) * 2 : 64, i;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	free(t->slots);
	t->slots = s;
	t->mask = n - 1;
	for (i = 0; i < t->nr; i++) {
		const struct export_thread_key *k = &t->keys[i];
		size_t j = thread_hash(k->recording, k->pid, k->tid) & t->mask;

		while (t->slots[j])
			j = (j + 1) & t->mask;
		t->slots[j] = (uint32_t)i + 1;
	}
	return 0;
}

int
export_thread(struct export_threads *t, unsigned recording, uint32_t pid, uint32_t tid,
	      bool create, size_t *index)
{
	size_t j;
	uint32_t k;

	if (!t->slots && rehash_threads(t))
		return -ENOMEM;
	j = thread_hash(recording, pid, tid) & t->mask;
	while ((k = t->slots[j])) {
		const struct export_thread_key *key = &t->keys[k - 1];

		if (key->recording == recording && key->pid == pid && key->tid == tid) {
			*index = k - 1;
			return 0;
		}
		j = (j + 1) & t->mask;
	}
	if (!create)
		return -ENOENT;
	if (t->nr >= UINT32_MAX - 1 ||
	    screc_grow(&t->keys, &t->cap, t->nr + 1, sizeof(*t->keys), 16))
		return -ENOMEM;
	t->keys[t->nr] = (struct export_thread_key){ recording, pid, tid };
	t->slots[j] = (uint32_t)++t->nr;
	*index = t->nr - 1;
	if (t->nr * 2 > t->mask + 1)
		return rehash_threads(t);
	return 0;
}

void
export_threads_release(struct export_threads *t)
{
	free(t->keys);
	free(t->slots);
	*t = (struct export_threads){ 0 };
}

const char *
export_task_comm(const struct report_meta *m, uint32_t tid)
{
	size_t i;

	for (i = 0; m && i < m->nr_tasks; i++)
		if (m->tasks[i].tid == tid)
			return m->tasks[i].comm;
	return NULL;
}

const char *
export_process_comm(const struct report_meta *m, uint32_t pid)
{
	const char *first = NULL;
	size_t i;

	for (i = 0; m && i < m->nr_tasks; i++) {
		if (m->tasks[i].pid != pid)
			continue;
		if (m->tasks[i].tid == pid)
			return m->tasks[i].comm;
		if (!first)
			first = m->tasks[i].comm;
	}
	return first;
}
