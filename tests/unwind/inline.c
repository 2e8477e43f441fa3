// SPDX-License-Identifier: MIT
/*
 * Inline frames: main -> in_outer -> in_helper (always inlined into
 * in_outer) -> connect(127.0.0.1:9).  With inline frames shown, in_helper
 * is a frame of its own; without, in_outer stands alone at the line where
 * it calls in_helper.
 */
#include "target.h"

static inline __attribute__((always_inline)) int
in_helper(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA LEVEL int
in_outer(int fd)
{
	int r = in_helper(fd);		/* CALL in_helper */

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	int fd = target_socket();
	int r = in_outer(fd);		/* CALL in_outer */

	NO_TAIL(r);
	close(fd);
	return r == -1 ? 0 : 1;
}
