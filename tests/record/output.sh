#!/bin/sh
# SPDX-License-Identifier: MIT
# -o never writes through what it finds: a symbolic link (to a root-only
# file), a device (a copy of /dev/null), a FIFO or a directory at the path
# is refused before the command runs, and left exactly as it was.  A
# previous file is kept as FILE.old with its owner and mode; the new file is
# screc's own, mode 0600.  A command that cannot be executed leaves the
# previous recording in place.  No temporary file is left behind.  -o -
# writes the recording to standard output, and the command's standard
# output goes to standard error.
. "$(dirname "$0")/lib.sh"
require_perf

# refuse WHAT PATH PATTERN: screc refuses -o PATH, says PATTERN, runs nothing.
refuse() {
	rm -f "$T/marker"
	"$SCREC" record -e connect -o "$2" -- touch "$T/marker" >"$T/out" 2>"$T/err"
	rc=$?
	check "$1: refused (status $rc)" [ "$rc" -eq 1 ]
	check "$1: says $3" grep -qE "$3" "$T/err"
	check "$1: the command did not run" [ ! -e "$T/marker" ]
}

# nothing_else DIR NAME...: DIR holds exactly these names (no temporary file).
nothing_else() {
	dir=$1
	shift
	want=
	for n in "$@"; do want="$want$n "; done
	expect_eq "$(ls -A "$dir" | tr '\n' ' ')" "$want" "$dir holds only: $*"
}

mkdir "$T/d"

# A link to a root-only file, as a user could leave one in a shared directory.
printf 'secret\n' >"$T/root-only"
chmod 0400 "$T/root-only"
ln -s "$T/root-only" "$T/d/link.screc"
refuse "a symbolic link" "$T/d/link.screc" "symbolic link"
expect_eq "$(cat "$T/root-only")" secret "the link's target is untouched"
expect_eq "$(stat -c %a "$T/root-only")" 400 "the link's target keeps its mode"
check "the link is still a link" [ -L "$T/d/link.screc" ]

# A dangling link too: it would create a file wherever it points.
ln -s "$T/nowhere" "$T/d/dangling.screc"
refuse "a dangling link" "$T/d/dangling.screc" "symbolic link"
check "nothing created where it points" [ ! -e "$T/nowhere" ]

# A copy of /dev/null, mode 0666.
if mknod "$T/d/null" c 1 3 2>/dev/null; then
	chmod 0666 "$T/d/null"
	refuse "a device" "$T/d/null" "not a regular file \(a device\)"
	expect_eq "$(stat -c %a "$T/d/null")" 666 "the device keeps its mode"
	check "the device is still one" [ -c "$T/d/null" ]
	rm "$T/d/null"
else
	ok "# SKIP cannot make a device node here"
fi

mkfifo "$T/d/fifo"
refuse "a FIFO" "$T/d/fifo" "a FIFO"
rm "$T/d/fifo"
mkdir "$T/d/dir"
refuse "a directory" "$T/d/dir" "a directory"
rmdir "$T/d/dir"
rm "$T/d/link.screc" "$T/d/dangling.screc"
nothing_else "$T/d"

# A previous recording is kept as FILE.old; the new one is complete, 0600.
f=$T/d/r.screc
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-loop" 2 2>"$T/err"
expect_eq $? 0 "first recording"
cp "$f" "$T/first"
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-loop" 3 2>"$T/err"
expect_eq $? 0 "second recording"
check "the first is kept as FILE.old" cmp -s "$f.old" "$T/first"
raw "$f"
expect_eq "$(count "$f.txt" '$1 == "sys_enter"')" 3 "the new one holds the second run"
expect_eq "$(tail -n 1 "$f.txt")" "end complete" "and is complete"
rm "$f.txt" "$f.rc" "$f.err"
expect_eq "$(stat -c '%U %a' "$f")" "root 600" "the new file: root's, 0600"
nothing_else "$T/d" r.screc r.screc.old

# Someone else's file, mode 0644: moved aside as it is, never chmod'ed or written.
rm "$f" "$f.old"
printf 'not mine\n' >"$f"
chown nobody "$f"
chmod 0644 "$f"
"$SCREC" record -e connect -o "$f" -- "$TARGETS/connect-loop" 1 2>"$T/err"
expect_eq $? 0 "over another user's file"
expect_eq "$(stat -c '%U %a' "$f.old")" "nobody 644" "it is kept as FILE.old, owner and mode intact"
expect_eq "$(cat "$f.old")" "not mine" "and its contents"
expect_eq "$(stat -c '%U %a' "$f")" "root 600" "the new file: root's, 0600"

# A command that cannot be executed replaces nothing.
cp "$f" "$T/good"
cp "$f.old" "$T/good.old"
"$SCREC" record -e connect -o "$f" -- "$T/no-such-command" 2>"$T/err"
expect_eq $? 127 "a command that does not exist: 127"
check "the good recording is still there" cmp -s "$f" "$T/good"
check "and FILE.old too" cmp -s "$f.old" "$T/good.old"
printf 'not a program\n' >"$T/not-exec"
chmod 0644 "$T/not-exec"
"$SCREC" record -e connect -o "$f" -- "$T/not-exec" 2>"$T/err"
expect_eq $? 126 "a file that is not executable: 126"
check "the good recording is still there" cmp -s "$f" "$T/good"
nothing_else "$T/d" r.screc r.screc.old

# A setup that fails (an unknown syscall) creates nothing.
"$SCREC" record -e bogus -o "$T/d/new.screc" -- true 2>"$T/err"
check "a failed setup: non-zero" [ $? -ne 0 ]
nothing_else "$T/d" r.screc r.screc.old

# -o -: to a file through a redirect, and through a pipe.
"$SCREC" record -e connect -o - -- sh -c "echo to-stdout; \"$TARGETS/connect-loop\" 4" \
	>"$T/stdout.screc" 2>"$T/err"
expect_eq $? 0 "-o -: exits 0"
raw "$T/stdout.screc"
expect_eq "$(count "$T/stdout.screc.txt" '$1 == "sys_enter"')" 4 "-o -: the recording is on stdout"
expect_eq "$(tail -n 1 "$T/stdout.screc.txt")" "end complete" "-o -: complete"
check "-o -: the command's stdout went to stderr" grep -qx to-stdout "$T/err"
"$SCREC" record -e connect -o - -- "$TARGETS/connect-loop" 5 2>"$T/err" | cat >"$T/pipe.screc"
raw "$T/pipe.screc"
expect_eq "$(count "$T/pipe.screc.txt" '$1 == "sys_enter"')" 5 "-o - into a pipe"
expect_eq "$(tail -n 1 "$T/pipe.screc.txt")" "end complete" "-o - into a pipe: complete"
finish
