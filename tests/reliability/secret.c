// SPDX-License-Identifier: MIT
/*
 * A target that keeps a secret on its stack (a password in a caller's
 * frame) while it makes syscalls: a recording holds it in its stack
 * snapshots, a resolved recording (screc report --resolve) must not.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int __attribute__((noinline))
dial(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s = socket(AF_INET, SOCK_STREAM, 0), r;

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	r = connect(s, (struct sockaddr *)&a, sizeof(a));
	close(s);
	return r;
}

static int __attribute__((noinline))
login(const char *user)
{
	volatile char password[64];
	int i, r;

	/* Built at run time, so it is in no file: only the stack holds it. */
	memcpy((char *)password, "hunter2-", 8);
	for (i = 8; i < 24; i++)
		password[i] = (char)('a' + (i * 7 + user[0]) % 26);
	password[24] = 0;
	r = dial();
	return r + password[3];
}

int
main(void)
{
	int i, r = 0;

	for (i = 0; i < 3; i++)
		r += login("alice");
	return r == 0 ? 0 : 0;
}
