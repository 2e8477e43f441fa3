#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The whole report on damaged recordings: record a real program, then change
random bytes inside the decompressed records (so the damage reaches the perf
records, registers and stacks, not only the zstd framing the unit tests
cover), compress again, and run `screc report` (listing, JSON, tree) and
`screc info` on each.  Every run must end with an exit status and, in a
sanitizer build, no finding: never a crash, a hang or a sanitizer report.
Deterministic: the seed is fixed.

Usage: fuzz.py screc=PATH target=PATH [rounds=N] [seed=N]"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from screctest import Failed, fail, perf_forbidden, skip  # noqa: E402


def main():
    args = dict(a.split('=', 1) for a in sys.argv[1:])
    screc, target = args['screc'], args['target']
    rounds, seed = int(args.get('rounds', 40)), int(args.get('seed', 1))
    zstd = shutil.which('zstd')
    if not zstd:
        skip('no zstd command to recompress damaged recordings')
    tmp = tempfile.mkdtemp(prefix='screc-fuzz.')
    try:
        src = os.path.join(tmp, 'src.screc')
        p = subprocess.run([screc, 'record', '-e', 'connect,socket,close', '-o', src, '--',
                            target], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            if perf_forbidden(p.stderr):
                skip('perf_event_open is not permitted here: ' + p.stderr.strip())
            fail('record failed: %s' % p.stderr)
        data = open(src, 'rb').read()
        hdr, body = data[:64], data[64:]
        raw = subprocess.run([zstd, '-d', '-c'], input=body, capture_output=True,
                             check=True).stdout
        rnd = random.Random(seed)
        env = dict(os.environ)
        env.setdefault('ASAN_OPTIONS', 'halt_on_error=1:detect_leaks=0')
        env.setdefault('UBSAN_OPTIONS', 'halt_on_error=1:print_stacktrace=1')
        bad = os.path.join(tmp, 'damaged.screc')
        for i in range(rounds):
            b = bytearray(raw)
            for _ in range(rnd.randint(1, 8)):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
            comp = subprocess.run([zstd, '-1', '-c'], input=bytes(b), capture_output=True,
                                  check=True).stdout
            with open(bad, 'wb') as f:
                f.write(hdr + comp)
            for cmd in (['report'], ['report', '--format=json'], ['report', '--tree'],
                        ['info']):
                try:
                    p = subprocess.run([screc] + cmd + [bad], capture_output=True, env=env,
                                       timeout=60)
                except subprocess.TimeoutExpired:
                    keep = shutil.copy(bad, '/tmp/screc-fuzz-hang-%d.screc' % i)
                    fail('round %d: screc %s hangs on a damaged recording (kept: %s)' %
                         (i, ' '.join(cmd), keep))
                err = p.stderr.decode(errors='replace')
                if p.returncode < 0 or 'AddressSanitizer' in err or 'runtime error' in err:
                    keep = shutil.copy(bad, '/tmp/screc-fuzz-crash-%d.screc' % i)
                    fail('round %d: screc %s crashed (status %d, kept: %s):\n%s' %
                         (i, ' '.join(cmd), p.returncode, keep, err[-3000:]))
                if p.returncode != 0 and 'screc: ' not in err:
                    fail('round %d: screc %s failed without saying why' % (i, ' '.join(cmd)))
        print('PASS: %d damaged recordings, 4 commands each' % rounds)
    except Failed as e:
        print('FAIL: %s' % e)
        sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
