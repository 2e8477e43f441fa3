// SPDX-License-Identifier: MIT
/* Placeholder until the tree sink lands. */
#include <errno.h>

#include "event.h"

static int
begin(struct sink *s)
{
	(void)s;
	return -ENOTSUP;
}

const struct sink_ops sink_tree = { .name = "tree", .begin = begin };
