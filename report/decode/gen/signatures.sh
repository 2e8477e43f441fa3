#!/bin/sh
# SPDX-License-Identifier: MIT
# Turn report/decode/syscalls.in (name, return type, argument types) into designated
# initializers indexed by syscall number, the numbers taken from common/syscalls-x86_64.def:
#   sh report/decode/gen/signatures.sh common/syscalls-x86_64.def report/decode/syscalls.in > OUT
# meson runs it (report/meson.build).  A type becomes ARG_<TYPE> (RET_<TYPE>), a list name
# &xlat_<list>: a misspelt one fails the C build, an unknown syscall fails here.
set -eu
awk '
FNR == 1 { file++ }
file == 1 {
	if (match($0, /^SCREC_SYSCALL\([a-z0-9_]+, [0-9]+\)/)) {
		s = $0
		sub(/^SCREC_SYSCALL\(/, "", s)
		sub(/\).*$/, "", s)
		split(s, f, ", ")
		nr[f[1]] = f[2]
	}
	next
}
/^#/ || NF == 0 { next }
{
	if (!($1 in nr)) {
		printf "%s:%d: %s is not in the syscall table\n", FILENAME, FNR, $1 > "/dev/stderr"
		exit 1
	}
	if (NF > 8) {
		printf "%s:%d: more than six arguments\n", FILENAME, FNR > "/dev/stderr"
		exit 1
	}
	special = "NULL"
	args = ""
	n = 0
	for (i = 3; i <= NF; i++) {
		t = $i
		out = "false"
		xl = "NULL"
		if (t ~ /^call:/) {
			special = "special_" substr(t, 6)
			continue
		}
		if (t ~ /^out:/) {
			out = "true"
			t = substr(t, 5)
		}
		if (t ~ /^(flags|enum|enum_int):/) {
			split(t, p, ":")
			t = p[1]
			xl = "&xlat_" p[2]
		}
		args = args sprintf(" { ARG_%s, %s, %s },", toupper(t), out, xl)
		n++
	}
	if (args == "") args = " { 0 },"; printf "[%s] = { \"%s\", RET_%s, %d, {%s }, %s },\n", nr[$1], $1, toupper($2), n, args, special
}' "$1" "$2"
