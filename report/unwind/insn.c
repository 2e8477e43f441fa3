// SPDX-License-Identifier: MIT
/*
 * Instruction checks with capstone: a return address is believable only
 * when the instruction before it is a call.  The code bytes come from the
 * local copy of the mapped file (aspace_read), never from the snapshot.
 */
#include <sys/mman.h>

#include "unwind-internal.h"

bool
unwind_after_call(struct unwind_ctx *c, uint64_t ra)
{
	static const size_t lens[] = { 5, 6, 2, 3, 7, 4 };
	uint8_t code[16];
	size_t i;

	if (!c->uw->cs_ok || ra < 8 || aspace_read(c->as, NULL, ra - 8, code, 8) != 8) {
		const struct map *m = aspace_find(c->as, ra);

		/* Unreadable code: accept only addresses in executable mappings. */
		return m && (m->prot & PROT_EXEC);
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		cs_insn *insn;
		size_t n = cs_disasm(c->uw->cs, code + 8 - lens[i], lens[i], ra - lens[i], 1, &insn);
		bool ok = false;

		if (n == 1) {
			ok = insn[0].size == lens[i] && insn[0].id == X86_INS_CALL;
			cs_free(insn, n);
		}
		if (ok)
			return true;
	}
	return false;
}
