// SPDX-License-Identifier: MIT
/* Placeholder until the errno table lands. */
#include "event.h"

const char *
errno_name(int err)
{
	(void)err;
	return NULL;
}
