// SPDX-License-Identifier: MIT
/*
 * A plain chain, main -> ch_one -> ch_two -> ch_connect ->
 * connect(127.0.0.1:9), built the ways a binary can be linked: static,
 * static-pie, against musl (dynamic and static), and with LLD (whose
 * segments' addresses and file offsets differ: a load bias computed as
 * start - pgoff is wrong for them).  CHAIN_VARIANT makes a build-id of its
 * own.
 */
#include "target.h"

#ifdef CHAIN_VARIANT
__attribute__((used)) static const char chain_variant[] = CHAIN_VARIANT;
#endif

NOIPA LEVEL int
ch_connect(int fd)
{
	int r = TARGET_CONNECT(fd);	/* CALL connect */

	NO_TAIL(r);
	return r;
}

NOIPA LEVEL int
ch_two(int fd)
{
	int r = ch_connect(fd);		/* CALL ch_connect */

	NO_TAIL(r);
	return r;
}

NOIPA LEVEL int
ch_one(int fd)
{
	int r = ch_two(fd);		/* CALL ch_two */

	NO_TAIL(r);
	return r;
}

int
main(void)
{
	int fd = target_socket();
	int r = ch_one(fd);		/* CALL ch_one */

	NO_TAIL(r);
	close(fd);
	return r == -1 ? 0 : 1;
}
