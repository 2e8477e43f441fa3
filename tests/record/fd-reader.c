// SPDX-License-Identifier: MIT
/*
 * Test target for -p and the fd table: opens a socket and FILE (close-on-exec)
 * first, writes READY ("pid sockfd filefd"), then every 10 ms reads FILE with
 * pread and connects the socket to a closed port, until READY is removed or
 * SECONDS pass.  A recorder that attaches after the opens sees only the reads.
 * Usage: fd-reader FILE READY SECONDS
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) static void
read_file(int fd)
{
	char buf[64];

	if (pread(fd, buf, sizeof(buf), 0) < 0)
		perror("pread");
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(1) };
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int sock, fd;
	long i, n;
	FILE *f;

	if (argc != 4)
		return 2;
	sock = socket(AF_INET, SOCK_STREAM, 0);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (sock < 0 || fd < 0) {
		perror("open");
		return 1;
	}
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f = fopen(argv[2], "w");
	if (!f)
		return 1;
	fprintf(f, "%d %d %d\n", (int)getpid(), sock, fd);
	fclose(f);
	n = atol(argv[3]) * 100;
	for (i = 0; i < n && access(argv[2], F_OK) == 0; i++) {
		read_file(fd);
		connect(sock, (struct sockaddr *)&addr, sizeof(addr));
		nanosleep(&ts, NULL);
	}
	return 0;
}
