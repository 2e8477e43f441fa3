// SPDX-License-Identifier: MIT
/*
 * The program mkcorpus.py records for the fuzz corpora: no libc (so the
 * recording's archive holds every binary it maps, in a few kilobytes), a
 * noinline function per call level, and calls whose arguments the report
 * decodes from the stack snapshot: a path, a sockaddr, a written buffer, an
 * fd pair; a forked child that makes a call of its own, so the process model
 * sees a fork and two exits.
 */
#define NOINLINE __attribute__((noinline, noclone, used))

static NOINLINE long
sys(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static NOINLINE void
files(void)
{
	char path[] = "/nonexistent/screc-fuzz";
	char text[] = "hello\n\t\"\001";
	int fds[2];

	sys(257, -100, (long)path, 0, 0);		/* openat */
	sys(1, -1, (long)text, sizeof(text) - 1, 0);	/* write */
	if (sys(293, (long)fds, 02000000, 0, 0) == 0) {	/* pipe2 */
		sys(1, fds[1], (long)text, 5, 0);
		sys(3, fds[0], 0, 0, 0);		/* close */
		sys(3, fds[1], 0, 0, 0);
	}
}

static NOINLINE void
net(void)
{
	/* AF_INET, port 9 (discard), 127.0.0.1 */
	unsigned char sa[16] = { 2, 0, 0, 9, 127, 0, 0, 1 };
	long fd = sys(41, 2, 1, 0, 0);			/* socket */

	sys(42, fd, (long)sa, sizeof(sa), 0);		/* connect */
	sys(3, fd, 0, 0, 0);
}

static NOINLINE void
child(void)
{
	net();
	sys(60, 0, 0, 0, 0);				/* exit */
}

static NOINLINE void
run(void)
{
	files();
	net();
	if (sys(57, 0, 0, 0, 0) == 0)			/* fork */
		child();
	sys(61, -1, 0, 0, 0);				/* wait4 */
}

__asm__(".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	".cfi_startproc\n"
	".cfi_undefined rip\n"
	"	xorl %ebp, %ebp\n"
	"	andq $-16, %rsp\n"
	"	call run\n"
	"	movl $60, %eax\n"
	"	xorl %edi, %edi\n"
	"	syscall\n"
	"	hlt\n"
	".cfi_endproc\n");
