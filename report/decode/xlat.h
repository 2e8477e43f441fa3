/* SPDX-License-Identifier: MIT */
/*
 * Constant tables as data, strace's xlat idea: each list in xlat/ becomes a struct xlat
 * (gen/xlat.sh), and two printers turn a value into strace's text: a bit set as names joined
 * by "|" with unknown bits in hex, or one value as its name.
 */
#ifndef SCREC_XLAT_H
#define SCREC_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/util.h"

enum xlat_kind {
	XLAT_FLAGS,
	XLAT_ENUM,
};

struct xlat_entry {
	const char *name;
	uint64_t value;
};

struct xlat {
	const struct xlat_entry *e;
	size_t n;
	enum xlat_kind kind;
	const char *dflt;	/* the comment beside unknown values ("AF_???"), or NULL */
};

/* The name of value in x, or NULL. */
const char *xlat_name(const struct xlat *x, uint64_t value);

/*
 * A bit set as strace prints it: known names in table order joined by "|", then the bits
 * left over in hex ("O_RDONLY|0x40000000" is the caller's job; here "IN_CREATE|0x400").
 * Nothing known: the value in hex and the table's default name as a C comment (strace:
 * 0x100 followed by PROT_??? in a comment), or the table's zero entry ("PROT_NONE"), or "0".
 */
void xlat_print_flags(struct screc_buf *out, const struct xlat *x, uint64_t value);

/*
 * The known names of value's bits, joined by "|", and the bits no entry names in *rest.
 * Returns how many names were printed (zero entries are not printed).
 */
unsigned xlat_print_bits(struct screc_buf *out, const struct xlat *x, uint64_t value, uint64_t *rest);

/* One value: its name, else hex with the table's default name as a C comment. */
void xlat_print_enum(struct screc_buf *out, const struct xlat *x, uint64_t value);

/* As xlat_print_enum, but an unknown value prints in decimal without a comment (signals). */
void xlat_print_enum_d(struct screc_buf *out, const struct xlat *x, int64_t value);

#endif
