// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: strace's -e trace= syntax (common/syscall-set.h).
 * Input: one byte, the size of the error buffer, then the expression.
 *
 * Checks what syscall-set.h promises: on error the set is cleared and the
 * message is terminated inside its buffer; on success "!EXPR" is the
 * complement of EXPR within the table; the iteration visits count members.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/syscall-set.h"
#include "fuzz-common.h"

static size_t
walk(const struct screc_syscall_set *s)
{
	size_t n = 0;
	long nr;

	for (nr = screc_syscall_set_next(s, 0); nr >= 0; nr = screc_syscall_set_next(s, nr + 1)) {
		if (!screc_syscall_set_has(s, nr))
			fuzz_fail("next() gave %ld, which the set does not have", nr);
		(void)screc_syscall_classes(nr);
		(void)screc_syscall_nargs(nr);
		n++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct screc_syscall_set set, neg, all;
	size_t errlen, i;
	char *expr, *negated, *err;
	int rc;

	if (size < 1)
		return 0;
	errlen = data[0];
	expr = malloc(size);
	negated = malloc(size + 1);
	err = malloc(errlen ? errlen : 1);
	if (!expr || !negated || !err)
		abort();
	memcpy(expr, data + 1, size - 1);
	expr[size - 1] = '\0';

	memset(&set, 0xa5, sizeof(set));
	rc = screc_syscall_set_parse(&set, expr, err, errlen);
	if (rc != 0 && rc != -EINVAL)
		fuzz_fail("parse returned %d", rc);
	if (errlen && !memchr(err, '\0', errlen))
		fuzz_fail("the error text is not terminated in its %zu bytes", errlen);
	if (walk(&set) != screc_syscall_set_count(&set))
		fuzz_fail("next() and count() disagree");
	if (rc) {
		if (screc_syscall_set_count(&set))
			fuzz_fail("a failed parse left %zu syscalls in the set",
				  screc_syscall_set_count(&set));
	} else if (strncmp(expr, "trace=", 6) != 0 && strncmp(expr, "t=", 2) != 0) {
		char msg[256];

		negated[0] = '!';
		memcpy(negated + 1, expr, size);
		if (screc_syscall_set_parse(&neg, negated, msg, sizeof(msg)) != 0)
			fuzz_fail("'%s' parses, '!%s' does not: %s", expr, expr, msg);
		screc_syscall_set_fill(&all);
		for (i = 0; i < SCREC_SYSCALL_SET_MAX / 64; i++)
			if ((neg.bits[i] | set.bits[i]) != all.bits[i] ||
			    (neg.bits[i] & set.bits[i]))
				fuzz_fail("'!%s' is not the complement of '%s'", expr, expr);
	}
	(void)screc_syscall_class_bits(expr);
	free(err);
	free(negated);
	free(expr);
	return 0;
}
