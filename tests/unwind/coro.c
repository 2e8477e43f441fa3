// SPDX-License-Identifier: MIT
/*
 * A syscall on a coroutine's stack: main -> co_run -> swapcontext into a
 * context made by makecontext(co_entry); co_entry -> co_one -> co_connect
 * -> connect(127.0.0.1:9).  The stack ends at the context's entry
 * (__start_context, where co_entry returns to), and nothing may follow it:
 * the stack that called swapcontext is another stack.
 */
#include <ucontext.h>

#include "target.h"

static ucontext_t co_main_ctx, co_ctx;
static int co_fd = -1, co_result;
static char co_stack[64 * 1024] __attribute__((aligned(16)));

NOIPA LEVEL int
co_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA LEVEL int
co_one(int fd)
{
	int r = co_connect(fd);		/* CALL co_connect */

	NO_TAIL(r);
	return r;
}

NOIPA LEVEL void
co_entry(void)
{
	co_result = co_one(co_fd);	/* CALL co_one */
}

NOIPA LEVEL int
co_run(void)
{
	getcontext(&co_ctx);
	co_ctx.uc_stack.ss_sp = co_stack;
	co_ctx.uc_stack.ss_size = sizeof(co_stack);
	co_ctx.uc_link = &co_main_ctx;
	makecontext(&co_ctx, co_entry, 0);
	if (swapcontext(&co_main_ctx, &co_ctx))	/* CALL swapcontext */
		return 1;
	return co_result == -1 ? 0 : 1;
}

int
main(void)
{
	int r;

	co_fd = target_socket();
	r = co_run();			/* CALL co_run */
	NO_TAIL(r);
	close(co_fd);
	return r;
}
