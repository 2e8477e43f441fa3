#!/bin/sh
# SPDX-License-Identifier: MIT
#
# One bounded fuzz pass of a libFuzzer harness (meson runs it, suite
# fuzz-lib): every input of the harness's corpus, then SCREC_FUZZ_SECONDS
# (default 20) of fuzzing from there.  New inputs go to a scratch copy of
# the corpus, never into the source tree; the corpus files named crash-*
# (findings kept until their fix) are left out.  A finding fails the test and
# prints the input in base64, with the line that replays it.
#
# Usage: run-fuzz.sh HARNESS CORPUS-DIR [LIBFUZZER-OPTIONS...]
# Environment: SCREC_FUZZ_SECONDS, SCREC_FUZZ_KEEP=DIR to keep the new
#              inputs and any finding in DIR.
set -u

harness=$1
corpus=$2
shift 2
seconds=${SCREC_FUZZ_SECONDS:-20}
name=$(basename "$harness")

if [ -n "${SCREC_FUZZ_KEEP:-}" ]; then
	work=$SCREC_FUZZ_KEEP/$name
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/screc-$name.XXXXXX") || exit 1
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/corpus" "$work/found"
find "$corpus" -maxdepth 1 -type f ! -name 'crash-*' -exec cp -t "$work/corpus" {} +

# UBSan recovers by default; a finding must stop the run so libFuzzer keeps
# the input.  Leaks count too.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"

echo "== $name: $(ls "$work/corpus" | wc -l) corpus inputs, then ${seconds}s of fuzzing"
# stderr of the code under test (its screc: messages) is closed; libFuzzer
# and the sanitizers keep a copy of their own for the report.
{
	"$harness" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
		-close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$work/found/" \
		"$@" "$work/corpus"
	echo $? >"$work/status"
} 2>&1 | grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)'
status=$(cat "$work/status")
findings=0
flaky=0
for f in "$work"/found/*; do
	[ -e "$f" ] || continue
	case $(basename "$f") in
	slow-unit-*)
		# Slow under load is not a finding; a hang is (timeout-*).
		echo "note: $(basename "$f") took over 10 s (kept only with SCREC_FUZZ_KEEP)"
		continue ;;
	timeout-*)
		# A machine that stalls the run for 25 s is not a hang: replay it alone once.
		if "$harness" -timeout=25 "$f" >"$work/replay.log" 2>&1; then
			echo "note: $(basename "$f") timed out in the run, passes alone: not a finding"
			flaky=1
			continue
		fi ;;
	esac
	findings=$((findings + 1))
	echo "FINDING: $(basename "$f") ($(wc -c <"$f") bytes), base64:"
	base64 -w0 "$f"
	echo
	echo "replay: put the line above through base64 -d into a file F, then: $harness F"
done
[ "$findings" -eq 0 ] || exit 1
# A run cut short by a timeout that passes when replayed is still a pass; any other
# failure without an input (a bad option, a crash at start-up) is not.
if [ "$status" -ne 0 ] && [ "$flaky" -eq 0 ]; then
	echo "$name: the harness exited with status $status"
	exit 1
fi
exit 0
