// SPDX-License-Identifier: MIT
/* The x86-64 register tables (see arch.h). */
#include "arch.h"

const uint8_t screc_dwarf_to_perf[SCREC_DWARF_NREGS] = {
	SCREC_PERF_AX, SCREC_PERF_DX, SCREC_PERF_CX, SCREC_PERF_BX,
	SCREC_PERF_SI, SCREC_PERF_DI, SCREC_PERF_BP, SCREC_PERF_SP,
	SCREC_PERF_R8, SCREC_PERF_R8 + 1, SCREC_PERF_R8 + 2, SCREC_PERF_R8 + 3,
	SCREC_PERF_R8 + 4, SCREC_PERF_R8 + 5, SCREC_PERF_R8 + 6, SCREC_PERF_R8 + 7,
	SCREC_PERF_IP,
};

/* rdi, rsi, rdx, r10, r8, r9 */
const uint8_t screc_syscall_arg_regs[6] = {
	SCREC_PERF_DI, SCREC_PERF_SI, SCREC_PERF_DX, SCREC_PERF_R10, SCREC_PERF_R8, SCREC_PERF_R9,
};
