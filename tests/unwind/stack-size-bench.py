#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the snapshot size costs (issue 13, item 7): a benchmark, not a test.

For each --stack-size of 8, 16, 32 and 64 KiB (65528, perf's most), records
two workloads with `screc record`, alternating the sizes within each round
(and the workload alone, "bare"), and prints per size the medians of: wall
time and CPU time (user + system of the recorder and the workload, which
includes the kernel's copies of the stacks) with their ratios to bare and
to 8 KiB, the extra CPU time per event, the recording's bytes per event,
the events the kernel dropped (lost), and how many stacks the report says
the snapshot cut (truncated).  CPU time is the figure to trust on a busy
machine.

Workloads (built here with gcc -O2 -g):
  connect  tests/bench/connect-loop.c, 50,000 connect calls (-e connect)
  ls       200 runs of `ls /nonexistent` in one shell, every syscall (-e all):
           each writes its error through glibc's error(), whose
           buffered_vfprintf keeps an 8 KiB buffer on the stack

Usage: stack-size-bench.py [--rounds N] [--screc PATH] [--workdir DIR]
Needs root (or perf_event_paranoid <= 1) and gcc.  Timing depends on the
machine: run it on an idle one.
"""

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SIZES = [8192, 16384, 32768, 65528]
SUMMARY = re.compile(r'(\d+) events, (\d+) unwound fully, (\d+) truncated,.*?\b(\d+) lost')


def timed(argv, **kw):
    """(wall s, CPU s of the command and everything it waited for, CompletedProcess)"""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kw)
    wall = time.monotonic() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--screc', default=os.path.join(TOP, 'build', 'screc'))
    ap.add_argument('--workdir')
    a = ap.parse_args()
    work = a.workdir or tempfile.mkdtemp(prefix='screc-stacksize.')
    os.makedirs(work, exist_ok=True)
    loop = os.path.join(work, 'connect-loop')
    subprocess.run(['gcc', '-O2', '-g', '-o', loop, os.path.join(TOP, 'tests', 'bench',
                                                                 'connect-loop.c')], check=True)
    workloads = {
        'connect': ('connect', [loop, '50000']),
        'ls': ('all', ['sh', '-c', 'for i in $(seq 200); do ls /nonexistent; done']),
    }
    res = {}
    for rnd in range(a.rounds):
        for wl, (events, argv) in workloads.items():
            order = ['bare'] + SIZES
            if rnd % 2:
                order.reverse()
            for size in order:
                if size == 'bare':
                    t, cpu, _ = timed(argv)
                    res.setdefault((wl, 'bare'), []).append((t, 0, 0, 0, cpu, 0))
                    continue
                out = os.path.join(work, '%s-%d.screc' % (wl, size))
                t, cpu, p = timed([a.screc, 'record', '-e', events, '--stack-size', str(size),
                                   '-o', out, '--'] + argv)
                if p.returncode not in (0, 2):
                    sys.exit('screc record: exit %d\n%s' % (p.returncode, p.stderr))
                rep = subprocess.run([a.screc, 'report', out], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
                m = SUMMARY.search(rep.stderr)
                ev, trunc, lost = (int(m.group(1)), int(m.group(3)), int(m.group(4))) if m \
                    else (0, 0, 0)
                res.setdefault((wl, size), []).append((t, os.path.getsize(out), ev, trunc, cpu,
                                                       lost))
                print('round %d %s %s: %.3f s, %.3f s CPU, %d events' % (rnd, wl, size, t, cpu,
                                                                          ev), file=sys.stderr)
    print('%-8s %-5s %7s %6s %6s %7s %6s %6s %9s %8s %5s %11s' % (
        'workload', 'size', 'wall s', 'x bare', 'x 8K', 'CPU s', 'x bare', 'x 8K', 'CPU us/ev+',
        'B/event', 'lost', 'truncated'))
    for wl in workloads:
        bare = statistics.median(r[0] for r in res[(wl, 'bare')])
        bare_cpu = statistics.median(r[4] for r in res[(wl, 'bare')])
        base = statistics.median(r[0] for r in res[(wl, 8192)])
        base_cpu = statistics.median(r[4] for r in res[(wl, 8192)])
        for size in ['bare'] + SIZES:
            rows = res[(wl, size)]
            t = statistics.median(r[0] for r in rows)
            cpu = statistics.median(r[4] for r in rows)
            if size == 'bare':
                print('%-8s %-5s %7.3f %6s %6s %7.3f' % (wl, size, t, '', '', cpu))
                continue
            ev = statistics.median(r[2] for r in rows)
            bpe = statistics.median(r[1] / r[2] for r in rows if r[2])
            tr = statistics.median(r[3] for r in rows)
            lost = statistics.median(r[5] for r in rows)
            print('%-8s %-5s %7.3f %6.2f %6.2f %7.3f %6.2f %6.2f %9.2f %8.0f %5d %5d/%-5d' % (
                wl, '%dK' % round(size / 1024), t, t / bare, t / base, cpu, cpu / bare_cpu,
                cpu / base_cpu, (cpu - bare_cpu) / ev * 1e6 if ev else 0, bpe, lost, tr, ev))
    if not a.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
