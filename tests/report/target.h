/* SPDX-License-Identifier: MIT */
/*
 * Shared bits of the report test targets.  Every call level of a target is
 * its own NOIPA function with a distinct name, and every call is followed
 * by NO_TAIL so that the compiler keeps a real call and a real return
 * address on the stack: the tests then know the exact frame sequence.
 * Lines that make a call carry a "CALL name" comment; the tests read the
 * source to learn which line each frame must report.
 */
#ifndef SCREC_TEST_TARGET_H
#define SCREC_TEST_TARGET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* No inlining, no cloning (.isra, .constprop), no identical code folding. */
#define NOIPA __attribute__((noipa))

/* Keep the call before it from becoming a tail call. */
#define NO_TAIL(v) __asm__ volatile("" : "+r"(v) : : "memory")

/* 127.0.0.1:9, where nothing listens: connect fails with ECONNREFUSED. */
static struct sockaddr_in target_port9;

/* A fresh TCP socket, and target_port9 set up.  Exits on failure. */
static inline int
target_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	target_port9.sin_family = AF_INET;
	target_port9.sin_port = htons(9);
	target_port9.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return fd;
}

#define TARGET_CONNECT(fd) \
	connect((fd), (const struct sockaddr *)&target_port9, sizeof(target_port9))

#endif
