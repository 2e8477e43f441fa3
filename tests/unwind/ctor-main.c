// SPDX-License-Identifier: MIT
/* The program of ctor.c's library: exits 0 when the constructor's connect failed as expected. */
int ctor_result_get(void);

int
main(void)
{
	return ctor_result_get() == -1 ? 0 : 1;
}
