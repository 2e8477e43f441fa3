// SPDX-License-Identifier: MIT
/*
 * Test target for JIT perf maps: copies a function (getppid by the syscall
 * instruction) into an anonymous executable page, names it in its own
 * /tmp/perf-PID.map as a JIT runtime does (after FILLER lines of other
 * code, so that a long map is copied in several pieces), then calls it N
 * times through two noinline levels.  The map is left behind, as runtimes
 * leave theirs.  DIR (default /tmp) lets a test keep its maps to itself.
 * Usage: jit-perfmap [N [FILLER [DIR]]]   (default 3, 0, /tmp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* mov $110, %eax (getppid); syscall; ret */
static const unsigned char stub[] = { 0xb8, 0x6e, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3 };

typedef long (*stub_fn)(void);

__attribute__((noinline)) static long
call_jit(stub_fn fn)
{
	long r = fn();

	__asm__ volatile("" : "+r"(r) : : "memory");
	return r;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 3, filler = argc > 2 ? atol(argv[2]) : 0, i;
	const char *dir = argc > 3 ? argv[3] : "/tmp";
	char path[4096];
	unsigned char *page;
	FILE *f;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 1;
	memcpy(page + 64, stub, sizeof(stub));
	if (mprotect(page, 4096, PROT_READ | PROT_EXEC) < 0)
		return 1;
	snprintf(path, sizeof(path), "%s/perf-%d.map", dir, (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 1;
	/* Code elsewhere, as a runtime's map holds; none of it covers the stub. */
	for (i = 0; i < filler; i++)
		fprintf(f, "%lx 10 LazyCompile:filler_function_number_%ld /some/script.js:%ld\n",
			0x10000000ul + 0x20ul * (unsigned long)i, i, i);
	fprintf(f, "%lx 40 jit_other_code\n", (unsigned long)page);
	fprintf(f, "%lx %zx jit_getppid_stub\n", (unsigned long)(page + 64), sizeof(stub));
	fclose(f);
	for (i = 0; i < n; i++)
		call_jit((stub_fn)(void *)(page + 64));
	return 0;
}
