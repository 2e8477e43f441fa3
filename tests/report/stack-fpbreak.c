// SPDX-License-Identifier: MIT
/*
 * Frame-pointer chains that break in the middle.  Built like stack-fp: frame
 * pointers, no CFI for any of this code, so only the frame-pointer and the
 * prologue unwinders can walk it.  The middle functions are written in
 * assembly, as a compiler emits code without a frame pointer, so that their
 * exact instructions are known whatever the compiler:
 *
 * ARGV[1] "fake": main -> fb_one -> fb_two -> fb_break -> fb_three ->
 *   fb_connect -> connect.  fb_break realigns its stack (no prologue
 *   analysis can size its frame) and points rbp at two words it wrote: 0
 *   and the address of fb_decoy, a function start that no call precedes.
 *   Walking rbp there finds a "return address" that is none: the stack must
 *   end at fb_break, marked not complete, with no frame invented past it.
 * ARGV[1] "junk": the same, with rbp holding a value that is no address.
 * ARGV[1] "noframe": main -> nf_one -> nf_two -> nf_noframe -> nf_connect
 *   -> connect.  nf_noframe keeps no frame pointer and leaves rbp alone
 *   (sub/add rsp only, as gcc -fomit-frame-pointer emits): rbp still points
 *   at nf_two's frame while nf_noframe runs, so following it from
 *   nf_noframe skips nf_two.  Its frame size is plain from its prologue.
 */
#include "target.h"

/* Defined or called in the assembly below. */
int fb_break(int fd, long junk);
int fb_three(int fd);
int nf_noframe(int fd);
int nf_connect(int fd);

NOIPA static int
fb_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA int
fb_three(int fd)
{
	int r = fb_connect(fd);		/* CALL fb_connect */

	NO_TAIL(r);
	return r;
}

__asm__(".text\n"
	".p2align 4\n"
	".globl fb_break\n"
	".type fb_break, @function\n"
	"fb_break:\n"
	"	push %rbp\n"
	"	push %rbx\n"
	"	mov %rsp, %rbx\n"
	"	and $-32, %rsp\n"
	"	sub $32, %rsp\n"
	"	lea fb_decoy(%rip), %rax\n"
	"	mov %rax, 8(%rsp)\n"
	"	movq $0, (%rsp)\n"
	"	test %rsi, %rsi\n"
	"	jz 1f\n"
	"	movabs $0x5a5a5a5a5a5a5a5a, %rbp\n"
	"	jmp 2f\n"
	"1:	mov %rsp, %rbp\n"
	"2:	call fb_three\n"
	"	mov %rbx, %rsp\n"
	"	pop %rbx\n"
	"	pop %rbp\n"
	"	ret\n"
	".size fb_break, .-fb_break\n"
	/* No call instruction ends right before fb_decoy. */
	".p2align 4\n"
	"	.fill 16, 1, 0xcc\n"
	".globl fb_decoy\n"
	".type fb_decoy, @function\n"
	"fb_decoy:\n"
	"	ret\n"
	".size fb_decoy, .-fb_decoy\n");

NOIPA static int
fb_two(int fd, long junk)
{
	int r = fb_break(fd, junk);	/* CALL fb_break */

	NO_TAIL(r);
	return r;
}

NOIPA static int
fb_one(int fd, long junk)
{
	int r = fb_two(fd, junk);	/* CALL fb_two */

	NO_TAIL(r);
	return r;
}

NOIPA int
nf_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

__asm__(".text\n"
	".p2align 4\n"
	".globl nf_noframe\n"
	".type nf_noframe, @function\n"
	"nf_noframe:\n"
	"	sub $24, %rsp\n"
	"	call nf_connect\n"
	"	add $24, %rsp\n"
	"	ret\n"
	".size nf_noframe, .-nf_noframe\n");

NOIPA static int
nf_two(int fd)
{
	int r = nf_noframe(fd);		/* CALL nf_noframe */

	NO_TAIL(r);
	return r;
}

NOIPA static int
nf_one(int fd)
{
	int r = nf_two(fd);		/* CALL nf_two */

	NO_TAIL(r);
	return r;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int fd = target_socket();
	int r;

	if (strcmp(mode, "fake") == 0 || strcmp(mode, "junk") == 0) {
		r = fb_one(fd, mode[0] == 'j');	/* CALL fb_one */
	} else if (strcmp(mode, "noframe") == 0) {
		r = nf_one(fd);		/* CALL nf_one */
	} else {
		fprintf(stderr, "usage: %s fake|junk|noframe\n", argv[0]);
		return 2;
	}
	NO_TAIL(r);
	close(fd);
	return r == -1 ? 0 : 1;
}
