# SPDX-License-Identifier: MIT
# Shared by the recorder's end-to-end tests: arguments, a scratch directory,
# checks that report every failure and keep going, the skip rule, and helpers
# that read `screc report --raw` output.
#
# Every test is run by meson as: TEST.sh SCREC SCREC_RECORD TARGET_DIR [EXTRA...]
# and exits 0 (pass), 1 (fail) or 77 (skip, with the reason on stdout).

set -u

SCREC=$(readlink -f "$1")
SCREC_RECORD=$(readlink -f "$2")
TARGETS=$(readlink -f "$3")
shift 3

T=$(mktemp -d "${TMPDIR:-/tmp}/screc-test.XXXXXX") || exit 1
failed=0
bg_pids=
on_exit=:

cleanup() {
	# The watchdog first (it is the first of them), then its sleep.
	for p in $bg_pids; do
		kill -9 "$p" 2>/dev/null
	done
	[ -s "$T/watchdog-sleep" ] && kill -9 "$(cat "$T/watchdog-sleep")" 2>/dev/null
	eval "$on_exit"
	# A failed test keeps its files for a look.
	[ "$failed" -eq 0 ] && rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT HUP

# A watchdog, shorter than meson's timeout, so that a step that hangs is
# reported with everything printed before it rather than killed silently.
limit=${SCREC_TEST_TIMEOUT:-100}
trap 'not_ok "timed out after ${limit}s: the step after the last line did not finish"; exit 1' TERM
(
	sleep "$limit" &
	echo $! >"$T/watchdog-sleep"
	wait
	kill -TERM $$
) >/dev/null 2>&1 &
bg_pids=$!

ok() {
	echo "ok - $*"
}

not_ok() {
	echo "not ok - $*"
	failed=1
}

# check DESCRIPTION COMMAND...: run the command, ok when it succeeds.
check() {
	what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# expect_eq GOT WANT DESCRIPTION
expect_eq() {
	if [ "$1" = "$2" ]; then
		ok "$3 ($1)"
	else
		not_ok "$3: got '$1', want '$2'"
	fi
}

# expect_ge GOT MIN DESCRIPTION
expect_ge() {
	if [ "$1" -ge "$2" ] 2>/dev/null; then
		ok "$3 ($1 >= $2)"
	else
		not_ok "$3: got '$1', want at least $2"
	fi
}

finish() {
	if [ "$failed" -ne 0 ]; then
		echo "FAILED; scratch files were in $T"
		exit 1
	fi
	exit 0
}

skip() {
	echo "SKIP: $*"
	exit 77
}

bail() {
	not_ok "$*"
	finish
}

# Skip when this machine does not let us open syscall perf events; any other
# failure of the probe is a failure of the recorder.
require_perf() {
	if "$SCREC_RECORD" record -e getppid -o "$T/probe.screc" -- true >"$T/probe.out" 2>&1; then
		return 0
	fi
	if grep -qiE 'perf_event_open|tracefs|permission denied|CAP_PERFMON|perf_event_paranoid' \
		"$T/probe.out"; then
		skip "perf_event_open is not allowed here: $(head -n 1 "$T/probe.out")"
	fi
	cat "$T/probe.out"
	bail "the recorder fails on a trivial command"
}

# raw FILE: `screc report --raw FILE` into FILE.txt (status in FILE.rc).
raw() {
	"$SCREC" report --raw "$1" >"$1.txt" 2>"$1.err"
	echo $? >"$1.rc"
}

# count FILE.txt AWK-CONDITION [-v VAR=VALUE...]: lines of the raw output matching
# an awk condition (which may use the variables given).
count() {
	file=$1
	cond=$2
	shift 2
	awk "$@" "$cond { n++ } END { print n + 0 }" "$file"
}

# The value of key=VALUE in the first raw line starting with KIND and matching REGEX.
value() {
	awk -v kind="$2" -v key="$3" -v re="${4:-}" '
		$1 == kind && $0 ~ re {
			for (i = 2; i <= NF; i++)
				if (index($i, key "=") == 1) { print substr($i, length(key) + 2); exit }
		}' "$1"
}

# The GNU build-id of an ELF file, as readelf (or eu-readelf) prints it.
build_id() {
	if command -v readelf >/dev/null 2>&1; then
		readelf -n "$1" | awk '/Build ID:/ { print $3; exit }'
	else
		eu-readelf -n "$1" | awk '/Build ID:/ { print $3; exit }'
	fi
}

# wait_for PATH: until the file exists (a target writes it when ready), at most 30 s.
wait_for() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ "$i" -gt 600 ] && return 1
		sleep 0.05
	done
	return 0
}

# The pids of the children of a process (one cheap read where the kernel has
# /proc/PID/task/TID/children, a scan of every process otherwise).
children_of() {
	if [ -e "/proc/$1/task/$1/children" ]; then
		cat /proc/"$1"/task/*/children 2>/dev/null
	else
		cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '$4 == p { print $1 }'
	fi
}

# Does the process exist and is it not stopped or a zombie?
running() {
	state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	case "$state" in
	R | S | D) return 0 ;;
	*) return 1 ;;
	esac
}

# accounting RAW CALLS WHAT: the raw output of a recording of CALLS syscalls
# (each an entry and an exit record) loses none silently: the trailer counts
# what the file holds, and every record missing from the file is counted in
# the trailer's lost (which also counts lost side-band records, hence >=).
# With nothing lost, the counts are exact.
accounting() {
	e=$(count "$1" '$1 == "sys_enter"')
	x=$(count "$1" '$1 == "sys_exit"')
	te=$(value "$1" trailer samples)
	tx=$(value "$1" trailer exits)
	tl=$(value "$1" trailer lost)
	expect_eq "$te" "$e" "$3: the trailer counts the entries in the file"
	expect_eq "$tx" "$x" "$3: the trailer counts the exits in the file"
	check "$3: no more entries ($e) or exits ($x) than calls ($2)" \
		[ "$e" -le "$2" ] && [ "$x" -le "$2" ]
	expect_ge "$((e + x + ${tl:-0}))" "$((2 * $2))" \
		"$3: entries + exits + lost ($e + $x + ${tl:-?}) cover every call's two records"
	if [ "${tl:-0}" -eq 0 ]; then
		expect_eq "$e/$x" "$2/$2" "$3: nothing lost, so every entry and exit is there"
	fi
}
