#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The report loads libcapstone only when a fallback after CFI needs it.

1. The report's binaries (screc-report, unwind-dump) do not list libcapstone in
   their NEEDED entries: linking it cost every report 15-20 ms of start-up
   relocations.
2. A recording of code without CFI or frame pointers (nocfi-gcc-O2) still
   unwinds through `screc report` to main: prologue analysis and the
   return-address checks load capstone on first use.
3. With libcapstone hidden (a /dev/null bind-mounted over it in a private
   mount namespace), `screc report -j2` still exits 0, says once on stderr
   what is missing and what to install, stops where CFI ends
   (connect <- nc_connect), and a recording that CFI walks (inline) prints
   exactly what it prints with capstone.
4. Still hidden, frame pointers are followed (without the call check): the
   same code built with frame pointers and no CFI (nocfi-fp) unwinds to main.

    lazy-capstone.py screc=PATH screc-report=PATH unwind-dump=PATH readelf=PATH nocfi=PATH
                     nocfi-fp=PATH inline=PATH capstone=PATH soname=NAME

Exit status: 0 pass, 1 fail, 77 skip (perf_event_open or mount namespaces
not permitted, readelf missing), each with a message saying why.
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from screctest import Failed, fail, perf_forbidden, skip  # noqa: E402

NOCFI_OWN = ['nc_connect', 'nc_inner', 'nc_middle', 'nc_switch', 'nc_outer', 'main']


def run(argv, check=True):
    env = dict(os.environ, LC_ALL='C')
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120,
                       errors='replace')
    if check and p.returncode != 0:
        fail('%s: exit %d\nstdout:\n%s\nstderr:\n%s' %
             (' '.join(argv), p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
    return p


def frames(listing):
    """The function names of the listing's frames, in order."""
    return re.findall(r'^ > [^(]*\(([^+)]+)', listing, re.M)


def record(screc, binary, out):
    p = run([screc, 'record', '-e', 'connect', '-o', out, '--', binary], check=False)
    if p.returncode != 0:
        if perf_forbidden(p.stderr):
            skip('perf_event_open is not permitted here: ' + p.stderr.strip())
        fail('screc record %s: exit %d\n%s' % (binary, p.returncode, p.stderr[-3000:]))


def hidden(lib, argv):
    """argv run with lib replaced by an empty file, in a private mount namespace."""
    script = ('mount --bind /dev/null "$1" || exit 97; [ -s "$1" ] && exit 98; shift; '
              'exec "$@"')
    p = run(['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh',
             lib] + argv, check=False)
    if p.returncode in (97, 98) or 'unshare failed' in p.stderr or \
            'Operation not permitted' in p.stderr and not p.stdout:
        skip('cannot hide %s in a mount namespace here: %s' % (lib, p.stderr.strip()))
    return p


def check():
    a = dict(x.partition('=')[::2] for x in sys.argv[1:])
    if not a.get('readelf'):
        skip('readelf was not found at configure time')
    lib = os.path.realpath(a['capstone'])
    soname = a['soname']

    # 1. No NEEDED libcapstone.
    for b in ('screc-report', 'unwind-dump'):
        needed = re.findall(r'\(NEEDED\)\s+Shared library: \[([^\]]+)\]',
                            run([a['readelf'], '-d', a[b]]).stdout)
        if not any(n.startswith('libdw') for n in needed):
            fail('%s: readelf -d lists no libdw among its NEEDED %s: cannot check' % (b, needed))
        if any('capstone' in n for n in needed):
            fail('%s lists %s in NEEDED: it must load capstone on first use' % (b, needed))
    print('ok 1: NEEDED of screc-report and unwind-dump without capstone')

    with tempfile.TemporaryDirectory(prefix='screc-lazycs.') as tmp:
        check_fallbacks(a, lib, soname, tmp)


def check_fallbacks(a, lib, soname, tmp):
    nocfi = os.path.join(tmp, 'nocfi.screc')
    cfi = os.path.join(tmp, 'cfi.screc')
    record(a['screc'], a['nocfi'], nocfi)
    record(a['screc'], a['inline'], cfi)

    # 2. With capstone: the fallbacks walk to main.
    p = run([a['screc'], 'report', nocfi])
    got = frames(p.stdout)
    if got[1:1 + len(NOCFI_OWN)] != NOCFI_OWN:
        fail('with capstone, the frames are %s; expected connect, %s, ...\n%s%s' %
             (got, ', '.join(NOCFI_OWN), p.stdout, p.stderr))
    if soname in p.stderr:
        fail('with capstone, the report speaks of it:\n' + p.stderr)
    cfi_with = run([a['screc'], 'report', cfi]).stdout
    print('ok 2: with capstone, nocfi-gcc-O2 unwinds to main through the fallbacks')

    # 3. Without: CFI only, one message, exit 0.
    p = hidden(lib, [a['screc'], 'report', '-j2', nocfi])
    if p.returncode != 0:
        fail('without capstone, screc report exits %d:\n%s' % (p.returncode, p.stderr))
    got = frames(p.stdout)
    if got[1:] != ['nc_connect']:
        fail('without capstone, the frames are %s; expected connect, nc_connect (CFI only)\n%s' %
             (got, p.stdout))
    said = [ln for ln in p.stderr.splitlines() if soname in ln]
    if len(said) != 1 or 'install ' not in said[0]:
        fail('without capstone, the report must say once what is missing and what to install; '
             'stderr:\n' + p.stderr)
    cfi_without = hidden(lib, [a['screc'], 'report', cfi])
    if cfi_without.returncode != 0 or cfi_without.stdout != cfi_with:
        fail('without capstone, the CFI-walked recording prints differently (exit %d):\n'
             'with:\n%s\nwithout:\n%s\n%s' % (cfi_without.returncode, cfi_with,
                                               cfi_without.stdout, cfi_without.stderr))
    print('ok 3: without capstone: CFI only, exit 0, said once: ' + said[0])

    # 4. Without: frame pointers are still followed (they need no disassembler).
    fp = os.path.join(tmp, 'fp.screc')
    record(a['screc'], a['nocfi-fp'], fp)
    got = frames(hidden(lib, [a['screc'], 'report', fp]).stdout)
    if got[1:1 + len(NOCFI_OWN)] != NOCFI_OWN:
        fail('without capstone, a binary with frame pointers and no CFI unwinds to %s; '
             'expected connect, %s, ...' % (got, ', '.join(NOCFI_OWN)))
    print('ok 4: without capstone, frame pointers still walk nocfi-fp to main')


def main():
    try:
        check()
    except Failed as e:
        print('FAIL: %s' % e)
        sys.exit(1)
    print('PASS')


if __name__ == '__main__':
    main()
