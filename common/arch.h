/* SPDX-License-Identifier: MIT */
/*
 * The facts of the one architecture screc records and reads (x86-64): the
 * ELF machine, perf's user register numbering and the mask the recorder asks
 * for, DWARF's register numbering and how it maps to perf's, the syscall
 * argument registers and the largest user stack perf copies.  Everything
 * that would change on another architecture is here, so that a port starts
 * with this file.
 */
#ifndef SCREC_ARCH_H
#define SCREC_ARCH_H

#include <stdint.h>

#define SCREC_ARCH_NAME		"x86_64"
#define SCREC_ARCH_E_MACHINE	62	/* EM_X86_64 */

/* perf's user register indices (arch/x86/include/uapi/asm/perf_regs.h). */
enum screc_perf_reg {
	SCREC_PERF_AX = 0,
	SCREC_PERF_BX = 1,
	SCREC_PERF_CX = 2,
	SCREC_PERF_DX = 3,
	SCREC_PERF_SI = 4,
	SCREC_PERF_DI = 5,
	SCREC_PERF_BP = 6,
	SCREC_PERF_SP = 7,
	SCREC_PERF_IP = 8,
	SCREC_PERF_FLAGS = 9,
	SCREC_PERF_CS = 10,
	SCREC_PERF_SS = 11,
	SCREC_PERF_R8 = 16,
	SCREC_PERF_R9 = 17,
	SCREC_PERF_R10 = 18,
	SCREC_PERF_R15 = 23,
};

/* The registers every sample carries: AX..SS and R8..R15, not DS/ES/FS/GS (12-15). */
#define SCREC_ARCH_REGS_MASK	0xff0fffull

/* The largest user stack perf copies per sample (a u16 record size, less the rest). */
#define SCREC_ARCH_STACK_MAX	65528u

/* DWARF register numbers (the x86-64 psABI). */
enum screc_dwarf_reg {
	SCREC_DWARF_RBP = 6,
	SCREC_DWARF_RSP = 7,
	SCREC_DWARF_RIP = 16,
	SCREC_DWARF_NREGS = 17,		/* rax..r15 and the return address */
};

/* The perf index of each DWARF register 0..SCREC_DWARF_NREGS-1. */
extern const uint8_t screc_dwarf_to_perf[SCREC_DWARF_NREGS];

/* The perf indices of the syscall argument registers, in argument order. */
extern const uint8_t screc_syscall_arg_regs[6];

#endif
