// SPDX-License-Identifier: MIT
/*
 * A function split by GCC into a hot part and a .cold part: the unlikely
 * branch of cold_rw::try_connect, which makes the connect, is moved to
 * try_connect(int, bool) [clone .cold] in .text.unlikely, a symbol of its
 * own ("_ZN...try_connect...cold").  The report must name that frame as
 * its function, cold_rw::try_connect(int, bool).
 *
 * main -> cold_rw::run -> cold_rw::try_connect [.cold] -> connect
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cold_rw {

static int counter;

/* A cold function: GCC predicts every path that calls it as never taken and
 * moves those blocks, the connect with them, to the .cold part. */
__attribute__((cold, noinline)) void
note_slow_path(int fd)
{
	std::fprintf(stderr, "slow path for fd %d\n", fd);
}

__attribute__((noipa)) int
try_connect(int fd, bool slow)
{
	if (__builtin_expect(slow, 0)) {
		struct sockaddr_in sin;

		note_slow_path(fd);
		std::memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(9);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int r = connect(fd, reinterpret_cast<sockaddr *>(&sin), sizeof(sin)); // CALL connect
		__asm__ volatile("" : "+r"(r) : : "memory");
		if (r != 0)
			std::fprintf(stderr, "cold path: connect: %s (expected)\n", std::strerror(errno));
		counter += r;
		return r;
	}
	return ++counter;
}

__attribute__((noipa)) int
run(int fd)
{
	int r = try_connect(fd, fd >= 0); // CALL try_connect
	__asm__ volatile("" : "+r"(r) : : "memory");
	return r;
}

} // namespace cold_rw

int
main()
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		std::perror("socket");
		return 1;
	}
	int r = cold_rw::run(fd); // CALL run
	__asm__ volatile("" : "+r"(r) : : "memory");
	return r == -1 ? 0 : 1;
}
