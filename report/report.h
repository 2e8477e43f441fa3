/* SPDX-License-Identifier: MIT */
/* The report side: entry points shared between report.c and its stages. */
#ifndef SCREC_REPORT_H
#define SCREC_REPORT_H

#include <stdio.h>

#include "common/reader.h"

/*
 * Print every record of r to out (`--raw`).  Returns 0 for a complete
 * recording, -ENODATA for a truncated one (all it held is printed), or
 * -EBADMSG.
 */
int report_dump(struct screc_reader *r, FILE *out);

#endif
