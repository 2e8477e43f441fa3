// SPDX-License-Identifier: MIT
/* The printers of xlat.h: strace's printflags and printxval conventions over data tables. */
#include <inttypes.h>

#include "xlat.h"

const char *
xlat_name(const struct xlat *x, uint64_t value)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (x->e[i].value == value)
			return x->e[i].name;
	return NULL;
}

static void
comment(struct screc_buf *out, const char *dflt)
{
	if (dflt)
		screc_buf_printf(out, " /* %s */", dflt);
}

unsigned
xlat_print_bits(struct screc_buf *out, const struct xlat *x, uint64_t value, uint64_t *rest)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < x->n; i++) {
		uint64_t v = x->e[i].value;

		if (v && (value & v) == v) {
			if (n++)
				screc_buf_char(out, '|');
			screc_buf_str(out, x->e[i].name);
			value &= ~v;
		}
	}
	*rest = value;
	return n;
}

void
xlat_print_flags(struct screc_buf *out, const struct xlat *x, uint64_t value)
{
	uint64_t rest;
	const char *zero;

	if (value == 0) {
		zero = xlat_name(x, 0);
		screc_buf_str(out, zero ? zero : "0");
		return;
	}
	if (xlat_print_bits(out, x, value, &rest)) {
		if (rest)
			screc_buf_printf(out, "|%#" PRIx64, rest);
		return;
	}
	screc_buf_printf(out, "%#" PRIx64, value);
	comment(out, x->dflt);
}

void
xlat_print_enum(struct screc_buf *out, const struct xlat *x, uint64_t value)
{
	const char *name = xlat_name(x, value);

	if (name) {
		screc_buf_str(out, name);
		return;
	}
	screc_buf_printf(out, "%#" PRIx64, value);
	comment(out, x->dflt);
}

void
xlat_print_enum_d(struct screc_buf *out, const struct xlat *x, int64_t value)
{
	const char *name = xlat_name(x, (uint64_t)value);

	if (name)
		screc_buf_str(out, name);
	else
		screc_buf_printf(out, "%" PRId64, value);
}
