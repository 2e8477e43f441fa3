#!/bin/sh
# SPDX-License-Identifier: MIT
# A report on several cores gives, byte for byte, what one pass gives: the
# listing with timestamps and durations, JSON, the tree, the summary, a
# filter, and the summary line with the table of unnamed frames, for a
# threaded program, a fork+exec and a loop of varied depths.
#   parallel.sh SCREC TARGET...
set -u
screc=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
for t in "$@"; do
	f=$tmp/$(basename "$t").screc
	if ! "$screc" record -e connect,socket,close,clone,clone3,execve -o "$f" -- $t >/dev/null 2>"$tmp/err"; then
		if grep -q -E 'perf_event_open.*(Permission denied|Operation not permitted|paranoid)' "$tmp/err"; then
			echo "1..0 # SKIP perf_event_open is not permitted here"
			exit 77
		fi
		echo "Bail out! recording $t failed: $(cat "$tmp/err")"
		exit 1
	fi
	for opts in "" "--format=json" "--tree" "-c" "-tt -T --srcline" "--failed -e connect"; do
		# shellcheck disable=SC2086
		"$screc" report -j1 $opts "$f" >"$tmp/one" 2>&1
		for j in 2 3; do
			n=$((n + 1))
			# shellcheck disable=SC2086
			"$screc" report -j$j $opts "$f" >"$tmp/many" 2>&1
			if cmp -s "$tmp/one" "$tmp/many"; then
				echo "ok $n - $(basename "$t") $opts: -j$j as one pass ($(wc -c <"$tmp/one") bytes)"
			else
				echo "not ok $n - $(basename "$t") $opts: -j$j differs from one pass"
				diff "$tmp/one" "$tmp/many" | head -5 | sed 's/^/# /'
				fail=1
			fi
		done
	done
done
echo "1..$n"
exit $fail
