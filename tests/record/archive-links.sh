#!/bin/sh
# SPDX-License-Identifier: MIT
# --archive stores the files that were mapped, or nothing: a program maps
# four libraries, and while it is recorded (launched, then attached with
# -p) three of them are replaced: one without a build-id by a symbolic link
# to a root-only ELF file, one by a link to a root-only copy of itself, one
# by a hard link to a copy (another inode, same contents).  The first two
# are never archived, nor is the root-only file; the hard link is refused
# as another file where the recorder knows the mapping's inode (see
# verify); the fourth, untouched, is archived (so the archive does work).
. "$(dirname "$0")/lib.sh"
require_perf
command -v cc >/dev/null 2>&1 || skip "no C compiler (cc) to build the libraries"

cat >"$T/lib.c" <<'C'
#include <sys/socket.h>
int NAME(int fd, const struct sockaddr *a, socklen_t l) { return connect(fd, a, l); }
C
cat >"$T/main.c" <<'C'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
typedef int fn(int, const struct sockaddr *, socklen_t);
fn f_nobid, f_sym, f_hard, f_kept;
int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), i;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Until the ready file is removed, at most a minute. */
	for (i = 0; i < 60000; i++) {
		f_nobid(fd, (void *)&a, sizeof(a));
		f_sym(fd, (void *)&a, sizeof(a));
		f_hard(fd, (void *)&a, sizeof(a));
		f_kept(fd, (void *)&a, sizeof(a));
		if (i == 0) {
			FILE *f = fopen(argv[1], "w");
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		} else if (access(argv[1], F_OK) != 0) {
			break;
		}
		usleep(1000);
	}
	return 0;
}
C

# Fresh libraries and the program in $T/lib; root-only files in $T/secret.
build() {
	rm -rf "$T/lib" "$T/secret"
	mkdir "$T/lib" "$T/secret"
	cc -shared -fPIC -O1 -DNAME=f_nobid -Wl,--build-id=none -o "$T/lib/libnobid.so" "$T/lib.c" &&
	for n in sym hard kept; do
		cc -shared -fPIC -O1 -DNAME=f_$n -Wl,--build-id -o "$T/lib/lib$n.so" "$T/lib.c" || return 1
	done &&
	cc -O1 -o "$T/lib/user" "$T/main.c" -L"$T/lib" -lnobid -lsym -lhard -lkept \
		-Wl,-rpath,"$T/lib" &&
	cc -shared -fPIC -O1 -DNAME=f_secret -Wl,--build-id -o "$T/secret/secret.so" "$T/lib.c" &&
	cp "$T/lib/libsym.so" "$T/secret/sym-copy.so" &&
	chmod 0400 "$T/secret/secret.so" "$T/secret/sym-copy.so"
}

# Replace three of the libraries behind the running program's back.
swap() {
	mv "$T/lib/libnobid.so" "$T/lib/libnobid.so.orig" &&
	ln -s "$T/secret/secret.so" "$T/lib/libnobid.so" &&
	mv "$T/lib/libsym.so" "$T/lib/libsym.so.orig" &&
	ln -s "$T/secret/sym-copy.so" "$T/lib/libsym.so" &&
	cp "$T/lib/libhard.so" "$T/lib/hard-copy.so" &&
	ln -f "$T/lib/hard-copy.so" "$T/lib/libhard.so"
}

# verify WHAT: nothing replaced was archived, the untouched library was.
# The hard link is another file with the same contents: it is told apart by
# device and inode where the recorder saw the mapping while it existed
# (always when attaching; when launched, only if it drained the mapping
# before the program ended), else it passes as what it is, the same build.
verify() {
	raw "$f"
	r=$f.txt
	expect_eq "$(tail -n 1 "$r")" "end complete" "$1: complete"
	secret=$(build_id "$T/secret/secret.so")
	check "$1: the root-only file is in no blob" sh -c "! grep -q '^blob .*build_id=$secret' '$r'"
	for n in nobid sym; do
		check "$1: lib$n.so is not archived" \
			sh -c "! grep -q '^blob .*path=$T/lib/lib$n.so\$' '$r'"
	done
	hard=$(build_id "$T/lib/hard-copy.so")
	check "$1: libhard.so is archived only as the build that was mapped" \
		sh -c "! grep '^blob .*path=$T/lib/libhard.so\$' '$r' | grep -vq 'build_id=$hard '"
	check "$1: the untouched libkept.so is archived" \
		grep -q "^blob kind=elf .*build_id=$(build_id "$T/lib/libkept.so") .*path=$T/lib/libkept.so\$" "$r"
	check "$1: says libsym.so is a link now" grep -q "libsym.so: a symbolic link now" "$T/err"
}

# Launched by screc.
build || bail "cannot build the libraries"
f=$T/cmd.screc
"$SCREC" record --archive -e connect -o "$f" -- "$T/lib/user" "$T/ready" 2>"$T/err" &
spid=$!
bg_pids="$bg_pids $spid"
wait_for "$T/ready" || bail "the program did not start"
bg_pids="$bg_pids $(cat "$T/ready")"
swap || bail "cannot replace the libraries"
rm "$T/ready"
wait "$spid"
expect_eq $? 0 "launched: screc exits 0"
verify launched

# Attached to.
build || bail "cannot build the libraries again"
"$T/lib/user" "$T/ready" &
upid=$!
bg_pids="$bg_pids $upid"
wait_for "$T/ready" || bail "the program did not start"
f=$T/attach.screc
"$SCREC" record --archive -e connect -p "$upid" -o "$f" 2>"$T/err" &
spid=$!
bg_pids="$bg_pids $spid"
# Until its calls reach the file (the mappings were described before them).
i=0
while :; do
	i=$((i + 1))
	[ $i -gt 300 ] && bail "attached: no frame with its calls reached the file"
	sleep 0.1
	raw "$f"
	[ "$(count "$f.txt" '/^sys_enter .* pid='"$upid"' /')" -ge 1 ] && break
done
swap || bail "cannot replace the libraries"
rm "$T/ready"
wait "$spid"
expect_eq $? 0 "attached: screc exits 0 when the program ends"
verify attached
check "attached: libhard.so is not archived" \
	sh -c "! grep -q '^blob .*path=$T/lib/libhard.so\$' '$r'"
check "attached: says libhard.so is another file now" grep -q "libhard.so: another file now" "$T/err"
finish
