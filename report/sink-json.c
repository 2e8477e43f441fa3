// SPDX-License-Identifier: MIT
/* Placeholder until the json sink lands. */
#include <errno.h>

#include "event.h"

static int
begin(struct sink *s)
{
	(void)s;
	return -ENOTSUP;
}

const struct sink_ops sink_json = { .name = "json", .begin = begin };
