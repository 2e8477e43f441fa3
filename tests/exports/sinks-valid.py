#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The JSON exports of test-sinks' hand-built events (one recording, and two),
read back with a real JSON parser and checked the way their importers read
them: every index in range, stacks before their prefixes' users, speedscope's
frames opened and closed in order, chrome's events with the fields each
phase needs.  Prints TAP.

    sinks-valid.py TEST-SINKS
"""
import json
import subprocess
import sys

n = 0


def ok(cond, what):
    global n
    n += 1
    print(('ok' if cond else 'not ok') + ' %d - %s' % (n, what))
    return cond


def export(fmt, two):
    argv = [sys.argv[1], '--export', fmt] + (['--two'] if two else [])
    return json.loads(subprocess.run(argv, stdout=subprocess.PIPE, check=True).stdout)


def check_firefox(d, what):
    bad = []
    for t in d['threads']:
        strings, frames = t['stringTable'], t['frameTable']['data']
        stacks = t['stackTable']['data']
        for i, (prefix, frame) in enumerate(stacks):
            if not (prefix is None or 0 <= prefix < i) or not 0 <= frame < len(frames):
                bad.append('%s: stack %d' % (t['name'], i))
        for f in frames:
            if not 0 <= f[0] < len(strings) or f[6] not in (0, 1, 2):
                bad.append('%s: frame %r' % (t['name'], f))
        for s in t['samples']['data']:
            if not 0 <= s[0] < len(stacks):
                bad.append('%s: sample %r' % (t['name'], s))
        for m in t['markers']['data']:
            name, start, end, phase, cat, data = m
            sync = data['stack']['samples']['data'][0]
            if (not 0 <= name < len(strings) or not start <= end or phase != 1 or
                    data['type'] != 'Syscall' or not 0 <= sync[0] < len(stacks)):
                bad.append('%s: marker %r' % (t['name'], m))
    ok(not bad and d['meta']['markerSchema'][0]['name'] == 'Syscall',
       'firefox%s: every index in range %s' % (what, bad))


def check_speedscope(d, what):
    bad = []
    nframes = len(d['shared']['frames'])
    for p in d['profiles']:
        stack, last = [], p['startValue']
        for e in p['events']:
            if not 0 <= e['frame'] < nframes or e['at'] < last:
                bad.append('%s: %r' % (p['name'], e))
            last = e['at']
            if e['type'] == 'O':
                stack.append(e['frame'])
            elif not stack or stack.pop() != e['frame']:
                bad.append('%s: close %r' % (p['name'], e))
        if stack or last > p['endValue']:
            bad.append('%s: ends open' % p['name'])
    ok(not bad and d['$schema'].endswith('file-format-schema.json'),
       'speedscope%s: frames in range, opened and closed in order %s' % (what, bad))


def check_chrome(d, what):
    bad = []
    for e in d['traceEvents']:
        if e['ph'] == 'X':
            if not all(k in e for k in ('name', 'pid', 'tid', 'ts', 'dur', 'args')) or \
                    ('sf' in e and str(e['sf']) not in d['stackFrames']):
                bad.append(e)
        elif e['ph'] == 'M':
            if e['name'] not in ('process_name', 'process_labels', 'thread_name'):
                bad.append(e)
        else:
            bad.append(e)
    for k, f in d['stackFrames'].items():
        if int(k) < 1 or ('parent' in f and f['parent'] not in d['stackFrames']):
            bad.append((k, f))
    ok(not bad, 'chrome%s: X and M events, stack frames from 1 with their parents %s' %
       (what, bad[:3]))


def main():
    for two in (False, True):
        what = ' of two recordings' if two else ''
        d = export('firefox', two)
        ok(len(d['threads']) == (4 if two else 2), 'firefox%s: %d threads' % (what, len(d['threads'])))
        check_firefox(d, what)
        d = export('speedscope', two)
        ok(len(d['profiles']) == (4 if two else 2), 'speedscope%s: profiles' % what)
        check_speedscope(d, what)
        d = export('chrome', two)
        tracks = {(e['pid'], e['tid']) for e in d['traceEvents'] if e['ph'] == 'X'}
        ok(len(tracks) == (4 if two else 2), 'chrome%s: %d tracks' % (what, len(tracks)))
        check_chrome(d, what)
    print('1..%d' % n)


main()
