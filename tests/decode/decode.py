#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The decoded listing against strace, on the same run of the same program.

`screc record` runs `strace -f` on tests/decode/decode-target.c, so both see
one run; then every call of the target that strace printed is compared with
screc's decoded line.  They must be identical wherever screc has the bytes;
where it has not (a path on the heap, an output such as pipe2's fds), screc
prints the pointer, never a guess.  Then the filters that the decoding
enables (-P, --fd, --errno, -z/-Z, -e classes) and --summary are checked
against counts taken from strace's output.

    decode.py screc=PATH target=PATH
Exit status: 0 pass, 1 fail, 77 skip (no strace, or perf_event_open forbidden).
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from screctest import Failed, fail, perf_forbidden, skip  # noqa: E402

TRACE = ('openat,connect,socket,mmap,mprotect,munmap,rt_sigaction,pipe2,fcntl,execve,'
         'clone3,clone,close')
POINTER = re.compile(r'^0x[0-9a-f]+$')


def split_args(s):
    """The top-level, comma-separated parts of a call's text."""
    parts, depth, cur, quote, esc = [], 0, '', False, False
    for ch in s:
        if quote:
            cur += ch
            if esc:
                esc = False
            elif ch == '\\':
                esc = True
            elif ch == '"':
                quote = False
            continue
        if ch == '"':
            quote = True
        elif ch in '([{':
            depth += 1
        elif ch in ')]}':
            depth -= 1
        if ch == ',' and depth == 0:
            parts.append(cur.strip())
            cur = ''
            continue
        cur += ch
    parts.append(cur.strip())
    return parts


def call_parts(line):
    """(name, [args], return) of 'name(args) = ret'."""
    m = re.match(r'^(\w+)\((.*)\) = (.*)$', line)
    if not m:
        return None
    return m.group(1), split_args(m.group(2)), m.group(3)


def explained(strace_line, screc_line):
    """Whether screc's line differs only where it lacks the bytes."""
    a, b = call_parts(strace_line), call_parts(screc_line)
    if not a or not b or a[0] != b[0] or a[2] != b[2] or len(a[1]) != len(b[1]):
        return False
    return all(arg_ok(x, y) for x, y in zip(a[1], b[1]))


def arg_ok(x, y):
    """One argument: the same, or a pointer where strace read memory screc lacks."""
    if x == y or POINTER.match(y):
        return True                     # memory no snapshot holds: the pointer
    if ' => ' in x and x.split(' => ')[0] == y:
        return True                     # an output, written by the call (clone3)
    if x[:1] in '[{' and y[:1] == x[:1] and x.endswith(']}'[x[0] == '{']) and \
            y.endswith(']}'[y[0] == '{']):
        xs = split_args(x[1:-1].rstrip('.'))    # strace may end an array with "..."
        ys = split_args(y[1:-1].rstrip('.'))
        return len(xs) == len(ys) and all(arg_ok(u, v) for u, v in zip(xs, ys))
    if x.endswith('...') and POINTER.match(y.rstrip('.')):
        return True
    return False


class Run:
    def __init__(self, screc, target, tmp):
        self.screc, self.tmp = screc, tmp
        self.rec = os.path.join(tmp, 'decode.screc')
        self.out = os.path.join(tmp, 'strace.out')
        p = subprocess.run([screc, 'record', '-o', self.rec, '--', 'strace', '-f', '-o', self.out,
                            '-e', 'trace=' + TRACE, target],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            if perf_forbidden(p.stderr):
                skip('perf_event_open is not permitted here: ' + p.stderr.strip())
            fail('screc record -- strace ... failed (%d): %s' % (p.returncode, p.stderr))
        self.strace = collections.defaultdict(list)
        for line in open(self.out):
            m = re.match(r'(\d+) (.*)', line.rstrip('\n'))
            if not m:
                continue
            text = m.group(2).strip()
            if text.startswith(('+++', '---')) or 'unfinished' in text or 'resumed>' in text:
                continue
            self.strace[int(m.group(1))].append(re.sub(r'\)\s+= ', ') = ', text))
        self.pids = sorted(self.strace)
        if not self.pids:
            fail('strace printed nothing')

    def report(self, *opts):
        p = subprocess.run([self.screc, 'report'] + list(opts) + [self.rec], capture_output=True,
                           text=True, timeout=120)
        if p.returncode != 0:
            fail('screc report %s: exit %d: %s' % (' '.join(opts), p.returncode, p.stderr[-2000:]))
        calls = collections.defaultdict(list)
        for line in p.stdout.splitlines():
            m = re.match(r'\[pid (\d+)\] (.*)', line)
            if m and int(m.group(1)) in self.strace:
                calls[int(m.group(1))].append(m.group(2))
        # strace's first child runs strace's own code until it execs the target, untraced.
        for pid, lines in calls.items():
            if self.strace[pid][0].startswith('execve(') and lines and \
                    not lines[0].startswith('execve('):
                first = next((i for i, l in enumerate(lines) if l.startswith('execve(')), 0)
                calls[pid] = lines[first:]
        return calls, p


def check_same_run(run):
    calls, _ = run.report('--no-fd-paths', '-e', TRACE)
    same = differ = 0
    for pid in run.pids:
        a, b = run.strace[pid], calls.get(pid, [])
        if len(a) != len(b):
            fail('pid %d: strace printed %d calls, screc %d' % (pid, len(a), len(b)))
        for x, y in zip(a, b):
            if x == y:
                same += 1
            elif explained(x, y):
                differ += 1
            else:
                fail('pid %d: screc decodes differently where it has the bytes:\n  strace: %s\n'
                     '  screc:  %s' % (pid, x, y))
    everything = '\n'.join(sum(calls.values(), []))
    for want in ('openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_CLOEXEC) = 3',   # .rodata
                 'openat(AT_FDCWD, "/etc/hosts", O_RDONLY) = 3',                  # the stack
                 'openat(AT_FDCWD, "/nonexistent/42", O_RDONLY) = -1 ENOENT',
                 'connect(3, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16)',
                 'connect(3, {sa_family=AF_INET6, sin6_port=htons(9), sin6_flowinfo=htonl(0), '
                 'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28)',
                 'connect(3, {sa_family=AF_UNIX, sun_path="/tmp/screc-decode-test.sock"}, 110)',
                 'connect(3, {sa_family=AF_UNIX, sun_path=@"screc-abstract"}, 17)',
                 'mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)',
                 'rt_sigaction(SIGUSR1, {sa_handler=0x',
                 'sa_mask=[TERM], sa_flags=SA_RESTORER|SA_RESTART',
                 'pipe2(0x', 'fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK) = 0',
                 'execve("/bin/true", ["true", "an-argument"], 0x', 'clone3({flags=CLONE_VM'):
        if want not in everything:
            fail('the listing lacks %r' % want)
    if not re.search(r'openat\(AT_FDCWD, 0x[0-9a-f]+, O_RDONLY\) = 3', everything):
        fail('the path built on the heap is not printed as a pointer')
    print('same run: %d calls identical to strace, %d differ only where no snapshot holds the '
          'bytes (printed as pointers)' % (same, differ))


def count(run, pid, pred):
    return sum(1 for line in run.strace[pid] if pred(line))


def check_filters(run):
    main = run.pids[0]

    def kept(*opts):
        calls, _ = run.report('--no-fd-paths', '--pid', str(main), *opts)
        return calls.get(main, [])

    got = kept('-P', '/etc/hosts')
    if len(got) != 2 or not got[0].startswith('openat(AT_FDCWD, "/etc/hosts"') or \
            not got[1].startswith('close(3)'):
        fail('-P /etc/hosts keeps the open and the close of that file, got: %s' % got)
    got = kept('-e', 'openat', '--errno', 'ENOENT')
    want = count(run, main, lambda l: l.startswith('openat(') and ' ENOENT ' in l)
    if len(got) != want or not all('ENOENT' in g for g in got):
        fail('--errno ENOENT: %d openat, strace shows %d: %s' % (len(got), want, got))
    got = kept('-e', 'openat', '-Z')
    want = count(run, main, lambda l: l.startswith('openat(') and ' = -1 ' in l)
    if len(got) != want:
        fail('--failed: %d openat, strace shows %d' % (len(got), want))
    got = kept('-e', 'openat', '-z')
    want = count(run, main, lambda l: l.startswith('openat(') and ' = -1 ' not in l)
    if len(got) != want:
        fail('--successful: %d openat, strace shows %d' % (len(got), want))
    got = kept('-e', '%network')
    want = count(run, main, lambda l: l.startswith(('socket(', 'connect(')))
    if len(got) != want or not all(g.startswith(('socket(', 'connect(')) for g in got):
        fail('-e %%network: %d calls, strace shows %d socket and connect calls' % (len(got), want))
    got = kept('-e', '!%network,close,mmap,openat')
    if any(g.startswith(('socket(', 'connect(', 'close(', 'mmap(', 'openat(')) for g in got) or \
            not got:
        fail("-e '!%%network,close,mmap,openat' keeps what it negates: %s" % got)
    # --fd: the calls on the abstract unix socket's fd (3), between its socket and close.
    got = kept('-e', 'connect', '--fd', '3')
    if len(got) != count(run, main, lambda l: l.startswith('connect(3,')):
        fail('--fd 3: %s' % got)
    # With fd paths, the fd of /etc/hostname carries its path from the open to the close.
    calls, _ = run.report('--pid', str(main), '-P', '/etc/hostname')
    got = calls.get(main, [])
    if len(got) != 2 or got[1] != 'close(3</etc/hostname>) = 0':
        fail('-y: close does not name its file: %s' % got)
    print('filters: -P, --errno, -Z, -z, -e %%class and negation, --fd, -y: as strace counts')


def check_summary(run):
    main = run.pids[0]
    _, p = run.report('--summary', '--pid', str(main), '-e', TRACE)
    rows = {}
    for line in p.stdout.splitlines():
        m = re.match(r'^\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+\s+(\d+)\s+(\d*)\s*(\w+)$', line)
        if m and m.group(3) != 'total':
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2) or 0))
    # The listing of the same events, checked against strace above; it also holds the
    # calls strace's child made before exec'ing the target, which strace does not show.
    lst = subprocess.run([run.screc, 'report', '--no-fd-paths', '--pid', str(main), '-e', TRACE,
                          run.rec], capture_output=True, text=True).stdout
    lines = [re.sub(r'^\[pid \d+\] ', '', l) for l in lst.splitlines() if l.startswith('[pid ')]
    want = collections.Counter(line.split('(')[0] for line in lines)
    errs = collections.Counter(line.split('(')[0] for line in lines if ' = -1 ' in line)
    for name, n in want.items():
        if rows.get(name, (0, 0))[0] != n or rows[name][1] != errs.get(name, 0):
            fail('--summary: %s: %s calls/errors, the listing shows %d/%d\n%s' %
                 (name, rows.get(name), n, errs.get(name, 0), p.stdout))
    if 'call sites' not in p.stdout or 'open_stack (decode-target)' not in p.stdout:
        fail('--summary names no call site in the target:\n' + p.stdout)
    print('summary: per-syscall calls and errors as strace counts, call sites named')


def main():
    args = dict(a.split('=', 1) for a in sys.argv[1:])
    if not shutil.which('strace'):
        skip('strace is not installed')
    tmp = tempfile.mkdtemp(prefix='screc-decode.')
    try:
        run = Run(args['screc'], args['target'], tmp)
        check_same_run(run)
        check_filters(run)
        check_summary(run)
        print('PASS')
    except Failed as e:
        print('FAIL: %s' % e)
        sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
