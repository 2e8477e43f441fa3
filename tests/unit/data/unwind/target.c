// SPDX-License-Identifier: MIT
/*
 * The program whose recorded connect(2) test-unwind unwinds: no libc, its
 * own _start, one noinline function per call level with distinct names and
 * stack frames of distinct sizes, and the syscall made by inline assembly,
 * so that every frame of the stack is known:
 *
 *   raw_connect <- third_level <- second_level <- first_level <- _start
 *
 * Built twice by gen.sh: with CFI and without frame pointers (only CFI can
 * walk it), and with frame pointers and no CFI at all (-DFRAME_POINTERS).
 */
#define NOINLINE __attribute__((noinline, noclone, used))

static volatile long sink;

/* connect(-1, NULL, 0): fails with EBADF, which is all the test needs. */
NOINLINE long
raw_connect(long fd, long addr, long len)
{
	volatile long pad[2];	/* a frame, so that frame pointers set one up too */
	long ret;

	pad[0] = 4;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "0"(42L), "D"(fd), "S"(addr), "d"(len)
		     : "rcx", "r11", "memory");
	return ret + pad[0];
}

NOINLINE void
third_level(void)
{
	volatile long pad[3];

	pad[0] = 3;
	sink += raw_connect(-1, 0, 0) + pad[0];
}

NOINLINE void
second_level(void)
{
	volatile long pad[5];

	pad[0] = 2;
	third_level();
	sink += pad[0];
}

NOINLINE void
first_level(void)
{
	volatile long pad[9];

	pad[0] = 1;
	second_level();
	sink += pad[0];
}

#ifdef FRAME_POINTERS
#define CFI(x) ""
#else
#define CFI(x) x "\n"
#endif

/* The outermost frame: CFI says the return address is undefined, as glibc's does. */
asm(".globl _start\n"
    ".type _start, @function\n"
    "_start:\n"
    CFI(".cfi_startproc")
    CFI(".cfi_undefined rip")
    "	xorl %ebp, %ebp\n"
    "	andq $-16, %rsp\n"
    "	call first_level\n"
    "	movl $60, %eax\n"
    "	xorl %edi, %edi\n"
    "	syscall\n"
    "	hlt\n"
    CFI(".cfi_endproc")
    ".size _start, .-_start\n");
