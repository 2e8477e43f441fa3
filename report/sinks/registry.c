// SPDX-License-Identifier: MIT
/* The sink registry: every output format by name. */
#include <string.h>

#include "sink.h"

const struct sink_ops *const sink_registry[] = {
	&sink_listing,
	&sink_tree,
	&sink_json,
	&sink_summary,
	NULL,
};

const struct sink_ops *
sink_find(const char *name)
{
	size_t i;

	for (i = 0; sink_registry[i]; i++)
		if (strcmp(sink_registry[i]->name, name) == 0)
			return sink_registry[i];
	return NULL;
}

void
sink_list(FILE *out)
{
	size_t i;

	for (i = 0; sink_registry[i]; i++)
		fprintf(out, "  %-10s %s\n", sink_registry[i]->name, sink_registry[i]->help);
}
