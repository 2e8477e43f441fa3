// SPDX-License-Identifier: MIT
/*
 * A report session's life: opening the recording once, the state every
 * stage builds while reading it, and what the recording says of itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/records.h"
#include "session-internal.h"

int
report_session_open(const char *path, const struct lookup_opts *lookup,
		    struct report_session **out)
{
	struct report_session *s;
	int fd, err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->path = strdup(path);
	s->strs = screc_strtab_new();
	if (!s->path || !s->strs) {
		err = -ENOMEM;
		goto fail;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	err = screc_reader_open_fd(fd, &s->r);
	if (err)
		goto fail;
	s->find = find_new(lookup, s->strs);
	s->uw = s->find ? unwind_new(s->find) : NULL;
	s->sym = s->find ? sym_new(s->find, s->strs) : NULL;
	if (!s->uw || !s->sym) {
		err = -ENOMEM;
		goto fail;
	}
	s->meta.path = s->path;
	*out = s;
	return 0;
fail:
	report_session_free(s);
	return err;
}

void
report_session_free(struct report_session *s)
{
	size_t i;

	if (!s)
		return;
	sym_free(s->sym);
	unwind_free(s->uw);
	find_free(s->find);
	screc_reader_close(s->r);
	screc_attrs_release(&s->attrs);
	tp_table_release(&s->tps);
	for (i = 0; i <= SCREC_STR_EVENTS; i++)
		free(s->strings[i]);
	free(s->tasks);
	screc_strtab_free(s->strs);
	free(s->path);
	free(s);
}

struct screc_reader *
report_session_reader(struct report_session *s)
{
	return s->r;
}

const char *
report_session_path(const struct report_session *s)
{
	return s->path;
}

struct finder *
report_session_finder(struct report_session *s)
{
	return s->find;
}

int
report_session_load_archive(struct report_session *s)
{
	return find_archive_load(s->find, s->path);
}

const struct report_meta *
report_session_meta(const struct report_session *s)
{
	return &s->meta;
}

void
report_session_backends(struct report_session *s,
			void (*fn)(void *arg, const char *name, uint64_t frames), void *arg)
{
	const uint64_t *frames = unwind_backend_frames(s->uw);
	int i;

	for (i = 0; i < UNWIND_NR_BACKENDS; i++)
		fn(arg, unwind_backend_name((enum unwind_backend_id)i), frames[i]);
}

void
session_take_meta(struct report_session *s, const struct screc_rec *rec)
{
	struct screc_rec_info in;
	struct screc_string_view sv;
	char *str;
	size_t i;

	if (rec->type == SCREC_REC_INFO && screc_get_info(rec, &in) == 0 && !s->have_start) {
		s->have_start = true;
		s->meta.start_realtime_ns = in.start_realtime_ns;
		s->meta.start_clock_ns = in.start_clock_ns;
		s->meta.clockid = in.clockid;
		s->meta.e_machine = in.e_machine;
		s->meta.stack_size = in.stack_size;
		s->meta.nr_cpus = in.nr_cpus;
		return;
	}
	if (rec->type != SCREC_REC_STRING || screc_get_string(rec, &sv) ||
	    sv.key > SCREC_STR_EVENTS || s->strings[sv.key])
		return;
	str = malloc(sv.len + 1);
	if (!str)
		return;
	memcpy(str, sv.data, sv.len);
	str[sv.len] = '\0';
	/* The command line is NUL separated. */
	for (i = 0; i < sv.len; i++)
		if (!str[i])
			str[i] = ' ';
	s->strings[sv.key] = str;
	s->meta.hostname = s->strings[SCREC_STR_HOSTNAME];
	s->meta.kernel = s->strings[SCREC_STR_KERNEL_RELEASE];
	s->meta.machine = s->strings[SCREC_STR_MACHINE];
	s->meta.screc_version = s->strings[SCREC_STR_SCREC_VERSION];
	s->meta.cmdline = s->strings[SCREC_STR_CMDLINE];
	s->meta.events = s->strings[SCREC_STR_EVENTS];
}
