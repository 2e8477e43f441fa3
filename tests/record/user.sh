#!/bin/sh
# SPDX-License-Identifier: MIT
# -u USER (as strace -u): the command runs as USER with USER's groups and
# screc's environment, and the recording stays root's (mode 0600, in a
# directory USER cannot even enter).  A user that does not exist, -u with
# -p, and -u from a user other than root are refused before anything runs.
. "$(dirname "$0")/lib.sh"
require_perf
[ "$(id -u)" = 0 ] || skip "needs root"
id nobody >/dev/null 2>&1 || skip "no user nobody"

uid=$(id -u nobody)
f=$T/u.screc
"$SCREC" record -u nobody -e getuid,geteuid -o "$f" -- id -u >"$T/out" 2>"$T/err"
expect_eq $? 0 "screc exits 0"
expect_eq "$(cat "$T/out")" "$uid" "id -u prints nobody's uid"
expect_eq "$(stat -c '%U %G %a' "$f")" "root root 600" "the recording is root's, mode 0600"
raw "$f"
expect_eq "$(tail -n 1 "$f.txt")" "end complete" "complete"
check "geteuid returned nobody's uid in the recording" \
	grep -q "^sys_exit .* syscall=geteuid ret=$uid\$" "$f.txt"

"$SCREC" record -u nobody -e getuid -o "$f" -- id -G >"$T/out" 2>"$T/err"
expect_eq "$(cat "$T/out")" "$(id -G nobody)" "with nobody's groups, and only those"
"$SCREC" record -u nobody -e getuid -o "$f" -- id -g >"$T/out" 2>"$T/err"
expect_eq "$(cat "$T/out")" "$(id -g nobody)" "with nobody's group id"
"$SCREC" record -u "$uid" -e getuid -o "$f" -- id -u >"$T/out" 2>"$T/err"
expect_eq "$(cat "$T/out")" "$uid" "a numeric uid works too"
HOME=/home-as-given "$SCREC" record -u nobody -e getuid -o "$f" -- sh -c 'echo "$HOME"' \
	>"$T/out" 2>"$T/err"
expect_eq "$(cat "$T/out")" /home-as-given "the environment is screc's, as strace leaves it"

refuse() {
	rm -f "$T/marker"
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	expect_eq "$rc" 2 "$name: refused with a usage status"
	check "$name: says $pattern" grep -q -e "$pattern" "$T/err"
	check "$name: nothing ran" [ ! -e "$T/marker" ]
}
name="an unknown user" pattern="-u no-such-user-here: no such user"
refuse "$SCREC" record -u no-such-user-here -o "$T/x.screc" -- touch "$T/marker"
name="-u with -p" pattern="not with -p"
refuse "$SCREC" record -u nobody -p 1 -o "$T/x.screc"
name="-u by a user other than root" pattern="only root can run the command as another user"
chmod 0755 "$T"
mkdir "$T/nb" && chown nobody "$T/nb"
refuse setpriv --reuid=nobody --regid=nogroup --clear-groups "$SCREC_RECORD" record -u root \
	-o "$T/nb/x.screc" -- touch "$T/marker"
finish
