// SPDX-License-Identifier: MIT
/*
 * Parsing tracefs format text.  Only the lines "field:TYPE NAME; offset:N;
 * size:N; signed:N;" matter; the names of a syscall tracepoint's argument
 * fields are kept so that the decoder can print them in order.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "common/syscalls.h"
#include "tracepoint.h"

/* Parse one "field:" line; returns true when f was filled. */
static bool
parse_field(const char *line, const char *end, struct tp_field *f)
{
	const char *semi, *p, *name_end, *name;
	char buf[256];
	size_t len = (size_t)(end - line);
	unsigned off, size, sgn;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	p = strstr(buf, "field:");
	if (!p)
		return false;
	p += 6;
	semi = strchr(p, ';');
	if (!semi)
		return false;
	name_end = semi;
	/* Skip an array suffix "[6]". */
	if (name_end > p && name_end[-1] == ']')
		while (name_end > p && *name_end != '[')
			name_end--;
	name = name_end;
	while (name > p && (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
		name--;
	if (name == name_end || (size_t)(name_end - name) >= sizeof(f->name))
		return false;
	memset(f, 0, sizeof(*f));
	memcpy(f->name, name, (size_t)(name_end - name));
	f->is_pointer = memchr(p, '*', (size_t)(name - p)) != NULL;
	if (sscanf(semi + 1, " offset:%u; size:%u; signed:%u;", &off, &size, &sgn) != 3)
		return false;
	f->offset = off;
	f->size = size;
	f->is_signed = sgn != 0;
	return true;
}

int
tp_parse(uint32_t id, const char *name, size_t name_len, const char *format, size_t format_len,
	 struct tp_desc *d)
{
	const char *line = format, *fend = format + format_len, *ev;
	bool have_nr = false;

	memset(d, 0, sizeof(*d));
	d->id = id;
	d->fixed_nr = -1;
	if (name_len >= sizeof(d->name))
		return -EBADMSG;
	memcpy(d->name, name, name_len);
	if (strncmp(d->name, "raw_syscalls:", 13) == 0) {
		d->is_raw = true;
		d->is_exit = strcmp(d->name + 13, "sys_exit") == 0;
		if (!d->is_exit && strcmp(d->name + 13, "sys_enter") != 0)
			return -ENOTSUP;
	} else if (strncmp(d->name, "syscalls:sys_", 13) == 0) {
		ev = d->name + 13;
		if (strncmp(ev, "enter_", 6) == 0) {
			ev += 6;
		} else if (strncmp(ev, "exit_", 5) == 0) {
			ev += 5;
			d->is_exit = true;
		} else {
			return -ENOTSUP;
		}
		d->fixed_nr = screc_syscall_nr(screc_syscall_from_tracepoint(ev));
	} else {
		return -ENOTSUP;
	}

	while (line < fend) {
		const char *nl = memchr(line, '\n', (size_t)(fend - line));
		struct tp_field f;

		if (!nl)
			nl = fend;
		if (parse_field(line, nl, &f) && strncmp(f.name, "common_", 7) != 0) {
			if (strcmp(f.name, "__syscall_nr") == 0 || strcmp(f.name, "id") == 0) {
				d->nr = f;
				have_nr = true;
			} else if (d->is_exit && strcmp(f.name, "ret") == 0) {
				d->ret = f;
			} else if (d->is_raw && strcmp(f.name, "args") == 0) {
				unsigned i;

				for (i = 0; i < TP_MAX_ARGS && (i + 1) * 8 <= f.size; i++) {
					d->args[i] = f;
					snprintf(d->args[i].name, sizeof(d->args[i].name), "arg%u", i);
					d->args[i].offset = f.offset + 8 * i;
					d->args[i].size = 8;
				}
				d->nr_args = i;
			} else if (!d->is_exit && d->nr_args < TP_MAX_ARGS) {
				d->args[d->nr_args++] = f;
			}
		}
		line = nl + 1;
	}
	if (!have_nr || (d->is_exit && d->ret.size == 0))
		return -EBADMSG;
	return 0;
}

int
tp_read(const struct tp_field *f, const uint8_t *raw, uint32_t raw_size, uint64_t *v)
{
	uint64_t x = 0;

	if (!raw || f->size == 0 || f->size > 8 || f->offset > raw_size ||
	    f->size > raw_size - f->offset)
		return -EBADMSG;
	memcpy(&x, raw + f->offset, f->size);
	if (f->is_signed && f->size < 8 && (x >> (8 * f->size - 1)) & 1)
		x |= ~0ull << (8 * f->size);
	*v = x;
	return 0;
}

long
tp_syscall_nr(const struct tp_desc *d, const uint8_t *raw, uint32_t raw_size)
{
	uint64_t v;

	if (tp_read(&d->nr, raw, raw_size, &v))
		return d->fixed_nr;
	return (long)v;
}

unsigned
tp_args(const struct tp_desc *d, const uint8_t *raw, uint32_t raw_size, uint64_t *args)
{
	unsigned i;

	for (i = 0; i < d->nr_args; i++)
		if (tp_read(&d->args[i], raw, raw_size, &args[i]))
			break;
	return i;
}

int
tp_table_add(struct tp_table *t, const void *rec, size_t len)
{
	struct screc_rec_tracepoint rt;
	const char *name, *format;
	struct tp_desc d, *nd;
	int err;

	if (len < sizeof(rt))
		return -EBADMSG;
	memcpy(&rt, rec, sizeof(rt));
	if (rt.name_len > len - sizeof(rt) || rt.format_len > len - sizeof(rt) - rt.name_len)
		return -EBADMSG;
	name = (const char *)rec + sizeof(rt);
	format = name + rt.name_len;
	err = tp_parse(rt.id, name, rt.name_len, format, rt.format_len, &d);
	if (err == -ENOTSUP)
		return 0;
	if (err)
		return err;
	nd = realloc(t->descs, (t->nr + 1) * sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	t->descs = nd;
	t->descs[t->nr++] = d;
	return 0;
}

const struct tp_desc *
tp_table_find(const struct tp_table *t, uint32_t id)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->descs[i].id == id)
			return &t->descs[i];
	return NULL;
}

void
tp_table_release(struct tp_table *t)
{
	free(t->descs);
	t->descs = NULL;
	t->nr = 0;
}
