#!/bin/sh
# SPDX-License-Identifier: MIT
# The recorder alone (screc-record), for production hosts, needs nothing but
# libc and libzstd at run time.  Usage: needed.sh SCREC_RECORD
set -u
bin=$1
if ! command -v readelf >/dev/null 2>&1; then
	echo "SKIP: readelf (binutils) is not installed"
	exit 77
fi
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
echo "NEEDED: $needed"
case "$needed" in
*libasan* | *libubsan* | *libtsan*)
	echo "SKIP: a sanitizer build links its runtime by design"
	exit 77
	;;
esac
case "$needed" in
"libc.so.6 libzstd.so.1 ") echo "ok - links only libc and libzstd" ;;
*) echo "not ok - screc-record needs more than libc and libzstd: $needed"; exit 1 ;;
esac
if "$bin" --version | grep -q "recorder only"; then
	echo "ok - --version says recorder only"
else
	echo "not ok - --version: $("$bin" --version)"
	exit 1
fi
if "$bin" report --raw /dev/null 2>/dev/null; then
	echo "not ok - screc-record has a report command"
	exit 1
fi
echo "ok - no report command"
exit 0
