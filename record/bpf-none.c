// SPDX-License-Identifier: MIT
/*
 * Capture and the path filter in a build without them (-Dcapture=disabled,
 * or no <linux/bpf.h>): --capture says so once and the recording goes on;
 * -P cannot be honoured and is refused.
 */
#include <errno.h>

#include "common/log.h"
#include "record.h"

int
capture_open(struct session *s, const pid_t *tids, size_t nr_tids)
{
	(void)tids;
	(void)nr_tids;
	if (s->filter.path || s->filter.fd >= 0) {
		screc_err("%s: this screc was built without capture (meson -Dcapture=disabled); "
			  "filter at report time (screc report -P PATH or --fd N)",
			  s->filter.path ? "-P" : "--fd");
		return -ENOTSUP;
	}
	if (s->capture)
		screc_err("capture: this screc was built without it (meson -Dcapture=disabled): "
			  "recording without it (paths on the heap print as pointers)");
	s->capture = false;
	return 0;
}

int
capture_write(struct session *s, const void *rec, size_t len, bool *done)
{
	(void)s;
	(void)rec;
	(void)len;
	*done = false;
	return 0;
}

void
capture_stats(const struct session *s)
{
	(void)s;
}

void
capture_free(struct capture *c)
{
	(void)c;
}
