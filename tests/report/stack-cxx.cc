// SPDX-License-Identifier: MIT
/*
 * C++: the names must come out demangled.
 *   main -> screc_test::Klass::method(int)
 *        -> screc_test::Klass::call_through(std::function<int (int)> const&, int)
 *        -> std::_Function_handler<...>::_M_invoke (libstdc++)
 *        -> screc_test::Klass::method(int)::{lambda(int)#1}::operator()(int) const
 *        -> int screc_test::templ_connect<long>(long) -> connect
 */
#include <functional>

#include "target.h"

namespace screc_test {

template <typename T>
NOIPA int
templ_connect(T fd)
{
	int r = TARGET_CONNECT(static_cast<int>(fd));	/* CALL connect */

	NO_TAIL(r);
	return r;
}

class Klass {
public:
	NOIPA int method(int fd);
	NOIPA int call_through(const std::function<int(int)> &f, int fd);

private:
	int calls = 0;
};

int
Klass::call_through(const std::function<int(int)> &f, int fd)
{
	int r = f(fd);			/* CALL f */

	NO_TAIL(r);
	return r;
}

int
Klass::method(int fd)
{
	auto lambda = [this](int x) __attribute__((noipa)) {
		int r = templ_connect<long>(x);	/* CALL templ_connect */

		NO_TAIL(r);
		calls++;
		return r;
	};
	int r = call_through(lambda, fd);	/* CALL call_through */

	NO_TAIL(r);
	return r;
}

} // namespace screc_test

int
main()
{
	screc_test::Klass k;
	int r = k.method(target_socket());	/* CALL method */

	NO_TAIL(r);
	return r == -1 ? 0 : 1;
}
