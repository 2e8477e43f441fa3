// SPDX-License-Identifier: MIT
/*
 * The archive tests' target: main -> CHAIN_one -> CHAIN_two -> CHAIN_inline
 * (always inlined into CHAIN_two) -> CHAIN_connect -> connect(127.0.0.1:9).
 * Built twice with the same code and different names (alpha_ and beta_): at
 * the same addresses, a report that used the wrong binary would print the
 * other build's names, so a test can tell which file named a frame.
 */
#include "target.h"

#ifdef CHAIN_VARIANT
/* Makes this build's build-id differ from the others of this file. */
__attribute__((used)) static const char chain_variant[] = CHAIN_VARIANT;
#endif

#ifdef CHAIN_BETA
#define CHAIN_connect beta_connect
#define CHAIN_inline beta_inline
#define CHAIN_two beta_two
#define CHAIN_one beta_one
#else
#define CHAIN_connect alpha_connect
#define CHAIN_inline alpha_inline
#define CHAIN_two alpha_two
#define CHAIN_one alpha_one
#endif

NOIPA static int
CHAIN_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

/* Always inlined: only DWARF knows this frame. */
static inline __attribute__((always_inline)) int
CHAIN_inline(int fd)
{
	int r = CHAIN_connect(fd);	/* CALL CHAIN_connect */

	NO_TAIL(r);
	return r;
}

NOIPA static int
CHAIN_two(int fd)
{
	int r = CHAIN_inline(fd);	/* CALL CHAIN_inline */

	NO_TAIL(r);
	return r;
}

NOIPA static int
CHAIN_one(int fd)
{
	int r = CHAIN_two(fd);		/* CALL CHAIN_two */

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	int fd = target_socket();
	int r = CHAIN_one(fd);		/* CALL CHAIN_one */

	NO_TAIL(r);
	close(fd);
	return r == -1 ? 0 : 1;
}
