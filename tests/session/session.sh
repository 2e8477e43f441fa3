#!/bin/sh
# SPDX-License-Identifier: MIT
# Record two different programs, then check with test-session that reading
# both in one process, interleaved, gives each its lone run's output.
#   session.sh SCREC TEST-SESSION TARGET-A TARGET-B
set -u
screc=$1 test=$2 a=$3 b=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in "$a" "$b"; do
	n=$(basename "$t")
	if ! "$screc" record -e connect -o "$tmp/$n.screc" -- "$t" >/dev/null 2>"$tmp/err"; then
		if grep -q -E 'perf_event_open.*(Permission denied|Operation not permitted|paranoid)' "$tmp/err"; then
			echo "1..0 # SKIP perf_event_open is not permitted here"
			exit 77
		fi
		echo "Bail out! recording $t failed: $(cat "$tmp/err")"
		exit 1
	fi
done
exec "$test" "$tmp/$(basename "$a").screc" "$tmp/$(basename "$b").screc"
