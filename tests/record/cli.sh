#!/bin/sh
# SPDX-License-Identifier: MIT
# Command line errors: a misspelt syscall is named with the closest real one,
# bad sizes and missing commands are refused with a usage status; nothing is
# recorded and no command is started for any of them.
. "$(dirname "$0")/lib.sh"

refuse() {
	want=$1
	pattern=$2
	shift 2
	rm -f "$T/marker"
	"$SCREC" record -o "$T/x.screc" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$want" = nonzero ]; then
		check "$* -> non-zero ($rc)" [ "$rc" -ne 0 ]
	else
		expect_eq "$rc" "$want" "$* -> $want"
	fi
	check "$*: says $pattern" grep -qE "$pattern" "$T/err"
	check "$*: the command did not run" [ ! -e "$T/marker" ]
}

refuse 2 "^screc: -e conect: .*'conect'.*connect" -e conect -- touch "$T/marker"
expect_eq "$(wc -l <"$T/err")" 1 "-e conect: one line"
refuse 2 "'bogus'.*screc record -e help" -e connect,bogus -- touch "$T/marker"
refuse 2 "'%filez'" -e %filez -- touch "$T/marker"
refuse 2 "invalid system call ','" -e , -- touch "$T/marker"
refuse 2 "no syscall named" -e none -- touch "$T/marker"
refuse 2 "stack-size" --stack-size 7 -- touch "$T/marker"
refuse 2 "stack-size" --stack-size 0 -- touch "$T/marker"
refuse 2 "stack-size" --stack-size 65529 -- touch "$T/marker"
refuse 2 "stack-size" --stack-size 12abc -- touch "$T/marker"
refuse 2 "power of two" -m 3 -- touch "$T/marker"
refuse 2 "duration" --duration -1 -- touch "$T/marker"
refuse 2 "nothing to record" -e connect
refuse 2 "either" -p 1 -- touch "$T/marker"
refuse 2 "process ids" -p abc
refuse 1 "no such process" -p 999999999
refuse 1 "cannot create the recording" -o "$T/no-such-dir/x.screc" -- touch "$T/marker"

"$SCREC" record --help >"$T/out" 2>&1
expect_eq $? 0 "record --help exits 0"
check "record --help shows the options" grep -q -- "--stack-size" "$T/out"
"$SCREC" record -e help >"$T/out" 2>&1
expect_eq $? 0 "record -e help exits 0"
check "record -e help names the classes" grep -q -- "%file" "$T/out"
check "record -e help names the syscalls" grep -qw "connect" "$T/out"
"$SCREC" --version >"$T/out" 2>&1
expect_eq $? 0 "--version exits 0"
"$SCREC" no-such-subcommand >"$T/out" 2>&1
expect_eq $? 2 "an unknown subcommand exits 2"
finish
