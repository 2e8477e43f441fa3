#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Record-time filters and capture, on tests/capture/capture-target.c.

--failed: a recording holds exactly the calls that failed in a recording of
everything (the target is deterministic), each with a complete stack through
the target's own function; --errno keeps only the errors named; `screc info`
names the filters.

    capture.py screc=PATH target=PATH
Exit status: 0 pass, 1 fail, 77 skip (perf_event_open forbidden).
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from screctest import SUMMARY, Failed, fail, perf_forbidden, skip  # noqa: E402

ROUNDS = 4


class Env:
    def __init__(self, screc, target, tmp):
        self.screc, self.target, self.tmp = screc, target, tmp

    def record(self, name, *opts, env=None, prefix=()):
        path = os.path.join(self.tmp, name + '.screc')
        cmd = list(prefix) + [self.screc, 'record', '-o', path] + list(opts) + \
            ['--', self.target, str(ROUNDS)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
        if p.returncode != 0:
            if perf_forbidden(p.stderr):
                skip('perf_event_open is not permitted here: ' + p.stderr.strip())
            fail('%s: exit %d: %s' % (' '.join(cmd), p.returncode, p.stderr))
        return path, p.stderr

    def report(self, path, *opts):
        p = subprocess.run([self.screc, 'report', '--no-fd-paths'] + list(opts) + [path],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            fail('screc report %s: exit %d: %s' % (path, p.returncode, p.stderr[-2000:]))
        events, cur = [], None
        for line in p.stdout.splitlines():
            m = re.match(r'\[pid (\d+)\] (.*)', line)
            if m:
                cur = (int(m.group(1)), m.group(2), [])
                events.append(cur)
            elif line.startswith(' > ') and cur:
                cur[2].append(line[3:])
        s = SUMMARY.match(p.stderr.strip().splitlines()[-1])
        if not s:
            fail('no summary line: %s' % p.stderr[-500:])
        return events, (int(s.group(1)), int(s.group(2))), p.stdout

    def info(self, path):
        return subprocess.run([self.screc, 'info', path], capture_output=True, text=True).stdout


def texts(events):
    """The calls' text, heap pointers made equal, as a multiset."""
    return collections.Counter(re.sub(r'0x[0-9a-f]{6,}', '0xP', e[1]) for e in events)


def check_failed(env):
    everything, _ = env.record('all')
    want = [e for e in env.report(everything)[0] if re.search(r'\) = -1 E', e[1])]
    if sum(1 for e in want if 'ENOTDIR' in e[1]) != ROUNDS:
        fail('the recording of every call lacks the target\'s failing opens: %s' % want)
    path, _ = env.record('failed', '--failed')
    got, (n, complete), _ = env.report(path)
    if texts(got) != texts(want):
        fail('--failed holds other calls than those that failed:\n  --failed: %s\n  failed: %s' %
             (sorted(texts(got).items()), sorted(texts(want).items())))
    if n != len(got) or complete != n:
        fail('--failed: %d events, %d unwound fully' % (n, complete))
    for e in got:
        fn = {'ENOENT': 'fail_enoent', 'ENOTDIR': 'fail_enotdir', 'EBADF': 'fail_ebadf'}
        for err, name in fn.items():
            if e[1].startswith(('openat(AT_FDCWD, "/nonexistent/', 'openat(AT_FDCWD, "/etc/host',
                                'close(-1)')) and err in e[1]:
                if not any(name in f for f in e[2]) or not any('main' in f for f in e[2]):
                    fail('--failed: %s has no frame %s and main: %s' % (e[1], name, e[2]))
    info = env.info(path)
    if not re.search(r'^filters:\s+failed\b', info, re.M):
        fail('screc info does not name the filter:\n' + info)
    print('ok - --failed: the %d failing calls of a full recording, each with a complete stack'
          % n)

    path, _ = env.record('errno', '--errno', 'ENOTDIR,9')
    got, (n, complete), _ = env.report(path)
    kinds = collections.Counter(re.search(r'= -1 (\w+)', e[1]).group(1) for e in got)
    if kinds != {'ENOTDIR': ROUNDS, 'EBADF': ROUNDS} or complete != n:
        fail('--errno ENOTDIR,9: %s, %d of %d unwound fully' % (dict(kinds), complete, n))
    if not re.search(r'^filters:\s+errno=ENOTDIR,EBADF\b', env.info(path), re.M):
        fail('screc info does not name the errnos:\n' + env.info(path))
    print('ok - --errno ENOTDIR,9: exactly the %d ENOTDIR and %d EBADF calls' % (ROUNDS, ROUNDS))


def main():
    args = dict(a.split('=', 1) for a in sys.argv[1:])
    tmp = tempfile.mkdtemp(prefix='screc-capture.')
    try:
        env = Env(args['screc'], args['target'], tmp)
        check_failed(env)
        print('PASS')
    except Failed as e:
        print('FAIL: %s' % e)
        sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
