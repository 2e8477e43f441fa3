// SPDX-License-Identifier: MIT
/*
 * Record-time filters decided in the kernel, before a stack is copied:
 * --failed and --errno keep only the calls that return an error.  The
 * kernel cannot know the result at entry, so with them the stack is taken
 * at syscall exit instead (the user registers and stack at exit are those
 * of the entry, but for the return value in ax), and the exit tracepoint
 * carries an ftrace filter on ret ("ret < 0", or one comparison per errno):
 * a call that succeeds costs the tracepoint and the filter, no copy.  The
 * entry tracepoints are not opened for the targets; with --capture only the
 * capture program hangs on them.  The recording names the active
 * filters in a FILTERS string for `screc info`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "record.h"

/* The errno named by name (ENOENT) or number (2); -EINVAL if none. */
static int
errno_of(const char *name)
{
	char *end;
	long v = strtol(name, &end, 10);
	int i;

	if (end != name && !*end)
		return v > 0 && v < 4096 ? (int)v : -EINVAL;
	for (i = 1; i < 4096; i++) {
		const char *n = strerrorname_np(i);

		if (n && strcmp(n, name) == 0)
			return i;
	}
	return -EINVAL;
}

int
filter_parse_errnos(struct record_filter *f, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int e = errno_of(tok);

		if (e < 0) {
			screc_err("--errno %s: %s is no errno name or number: give a comma list "
				  "such as ENOENT,EACCES", list, tok);
			err = -EINVAL;
			break;
		}
		if (f->nr_errnos == FILTER_MAX_ERRNOS) {
			screc_err("--errno %s: at most %d errnos", list, FILTER_MAX_ERRNOS);
			err = -EINVAL;
			break;
		}
		f->errnos[f->nr_errnos++] = e;
	}
	free(copy);
	if (!err && !f->nr_errnos) {
		screc_err("--errno: no errno named; give a comma list such as ENOENT,EACCES");
		err = -EINVAL;
	}
	return err;
}

/* The ftrace filter on ret of an exit tracepoint, or NULL without memory. */
static char *
ret_filter(const struct record_filter *f, const char *prev)
{
	size_t cap = 64 + 24 * (size_t)f->nr_errnos + (prev ? strlen(prev) : 0), len = 0;
	char *out = malloc(cap);
	int i;

	if (!out)
		return NULL;
	if (prev)
		len += (size_t)snprintf(out + len, cap - len, "(%s) && (", prev);
	if (!f->nr_errnos)
		len += (size_t)snprintf(out + len, cap - len, "ret < 0");
	for (i = 0; i < f->nr_errnos; i++)
		len += (size_t)snprintf(out + len, cap - len, "%sret == -%d", i ? " || " : "",
					f->errnos[i]);
	if (prev)
		snprintf(out + len, cap - len, ")");
	return out;
}

int
filter_apply(struct session *s)
{
	struct record_filter *f = &s->filter;
	size_t i, n = 0;

	if (!f->failed && !f->nr_errnos)
		return 0;
	for (i = 0; i < s->nr_tps; i++) {
		struct tracepoint *tp = &s->tps[i];
		char *nf;

		if (tp->kind == SCREC_ATTR_ENTER && s->capture) {
			/* No sample at entry, but capture's program must run there. */
			tp->hook_only = true;
			s->tps[n++] = *tp;
			continue;
		}
		if (tp->kind == SCREC_ATTR_ENTER) {
			free(tp->filter);
			free(tp->format);
			continue;
		}
		nf = ret_filter(f, tp->filter);
		if (!nf)
			return -ENOMEM;
		free(tp->filter);
		tp->filter = nf;
		tp->stack = true;
		s->tps[n++] = *tp;
	}
	s->nr_tps = n;
	screc_debug("stacks at syscall exit, filtered in the kernel: %s",
		    s->tps[n - 1].filter);
	return 0;
}

size_t
filter_describe(const struct session *s, char *buf, size_t size)
{
	const struct record_filter *f = &s->filter;
	size_t len = 0;
	int i;

	buf[0] = '\0';
	if (f->failed && !f->nr_errnos)
		len += (size_t)snprintf(buf + len, size - len, "failed");
	for (i = 0; i < f->nr_errnos && len < size; i++) {
		const char *n = strerrorname_np(f->errnos[i]);

		if (n)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "," : "errno=",
						n);
		else
			len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? "," : "errno=",
						f->errnos[i]);
	}
	if (f->fd >= 0 && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%sfd=%d", len ? " " : "", f->fd);
	if (f->path && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%spath=%s", len ? " " : "",
					f->path);
	return len < size ? len : size - 1;
}
