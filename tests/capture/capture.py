#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Record-time filters and capture, on tests/capture/capture-target.c.

--capture: paths and a sockaddr built on the heap decode as strace prints
them, on the same run (screc records strace running the target); so do
sendmsg's heap-built msghdr (its name, iovecs and their buffers), and the
outputs taken at exit: recvfrom's buffer and address ([32 => 16]),
recvmsg's msghdr, readv's buffers, and stat, lstat, fstat, newfstatat and
statx results.  Without
it, and with it where BPF is refused (the capabilities dropped with capsh),
they print as pointers with a note, after one line from the recorder.
-P: a recording holds exactly the calls naming that path (or prefix); --fd,
exactly the calls on that fd.
-p: a process already running and looping over openat of a heap-built path
is recorded, with capture too; -p on the shell that waits for it records
nothing, and the recorder says so in one line naming the child's pid.
--failed: a recording holds exactly the calls that failed in a recording of
everything (the target is deterministic), each with a complete stack through
the target's own function; --errno keeps only the errors named; `screc info`
names the filters.

    capture.py screc=PATH target=PATH [capture=0|1]
Exit status: 0 pass, 1 fail, 77 skip (perf_event_open forbidden).
"""
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from screctest import SUMMARY, Failed, fail, perf_forbidden, skip  # noqa: E402

ROUNDS = 4


class Env:
    def __init__(self, screc, target, tmp):
        self.screc, self.target, self.tmp = screc, target, tmp

    def record(self, name, *opts, env=None, prefix=(), under=()):
        path = os.path.join(self.tmp, name + '.screc')
        cmd = list(prefix) + [self.screc, 'record', '-o', path] + list(opts) + \
            ['--'] + list(under) + [self.target, str(ROUNDS)]
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
        self.last_stderr = p.stderr
        s = SUMMARY.match(p.stderr.strip().splitlines()[-1])
        if not s:
            fail('no summary line: %s' % p.stderr[-500:])
        return events, (int(s.group(1)), int(s.group(2))), p.stdout

    def info(self, path):
        return subprocess.run([self.screc, 'info', path], capture_output=True, text=True).stdout


def texts(events):
    """The calls' text, heap pointers made equal, as a multiset."""
    return collections.Counter(re.sub(r'0x[0-9a-f]{6,}', '0xP', e[1]) for e in events)


TRACE = 'openat,connect,pipe2,write,writev,read,bind,getsockname,sendmsg,recvfrom,recvmsg,readv,' \
    'stat,lstat,fstat,newfstatat,statx'
# What send_and_receive and stat_heap print, each once a round, decoded (not as pointers).
DECODED = [
    re.compile(r'sendmsg\(\d+, \{msg_name=\{sa_family=AF_INET, sin_port=htons\(\d+\), '
               r'sin_addr=inet_addr\("127.0.0.1"\)\}, msg_namelen=16, msg_iov=\[\{iov_base="hello", '
               r'iov_len=5\}, \{iov_base=" world from the heap, longer tha"\.\.\., iov_len=50\}\], '
               r'msg_iovlen=2, msg_controllen=0, msg_flags=0\}, 0\) = 55$'),
    re.compile(r'sendmsg\(\d+, \{msg_name=\{sa_family=AF_INET, .*\}, msg_namelen=16, '
               r'msg_iov=\[\{iov_base="hello", iov_len=5\}\], msg_iovlen=1, .*\) = 5$'),
    re.compile(r'recvfrom\(\d+, "hello world from the heap, longe"\.\.\., 128, 0, '
               r'\{sa_family=AF_INET, .*\}, \[32 => 16\]\) = 55$'),
    re.compile(r'recvmsg\(\d+, \{msg_name=\{sa_family=AF_INET, .*\}, msg_namelen=32 => 16, '
               r'msg_iov=\[\{iov_base="hel", iov_len=3\}, \{iov_base="lo", iov_len=50\}\], .*\) = 5$'),
    re.compile(r'readv\(\d+, \[\{iov_base="hel", iov_len=3\}, \{iov_base="lo wo", '
               r'iov_len=50\}\], 2\) = 8$'),
    re.compile(r'stat\("/etc/passwd", \{st_mode=S_IFREG\|0644, st_size=\d+, \.\.\.\}\) = 0$'),
    re.compile(r'lstat\("/tmp", \{st_mode=S_IFDIR\|S_ISVTX\|0777, st_size=\d+, \.\.\.\}\) = 0$'),
    re.compile(r'fstat\(\d+, \{st_mode=S_IFCHR\|0666, st_rdev=makedev\(0x1, 0x3\), \.\.\.\}\) = 0$'),
    re.compile(r'newfstatat\(AT_FDCWD, "/tmp", \{st_mode=S_IFDIR\|S_ISVTX\|0777, st_size=\d+, '
               r'\.\.\.\}, AT_SYMLINK_NOFOLLOW\) = 0$'),
    re.compile(r'newfstatat\(\d+, "", \{st_mode=S_IFCHR\|0666, st_rdev=makedev\(0x1, 0x3\), '
               r'\.\.\.\}, AT_EMPTY_PATH\) = 0$'),
    re.compile(r'statx\(AT_FDCWD, "/etc/passwd", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, '
               r'\{stx_mask=STATX_BASIC_STATS.*, stx_attributes=0, stx_mode=S_IFREG\|0644, '
               r'stx_size=\d+, \.\.\.\}\) = 0$'),
]
HEAP_OPEN = re.compile(r'openat\(AT_FDCWD, 0x[0-9a-f]+, O_RDONLY\|O_CLOEXEC\) = 3')
HEAP_CONNECT = re.compile(r'connect\(\d+, 0x[0-9a-f]+, 16\) = -1 ECONNREFUSED')
NOTE = re.compile(r'note: \d+ paths or addresses were not in the recording .* --capture')


def check_capture(env):
    if not shutil.which('strace'):
        print('ok - # SKIP the comparison with strace: strace is not installed')
    else:
        out = os.path.join(env.tmp, 'strace.out')
        path, _ = env.record('strace', '-C', '-e', TRACE,
                             under=['strace', '-f', '-qq', '-o', out, '-e', 'trace=' + TRACE])
        strace = collections.defaultdict(list)
        for line in open(out):
            m = re.match(r'(\d+) +(.*)', line.rstrip('\n'))
            if m and not m.group(2).startswith(('+++', '---')):
                strace[int(m.group(1))].append(re.sub(r'\)\s+= ', ') = ', m.group(2)))
        got, _, _ = env.report(path)
        screc = collections.defaultdict(list)
        for pid, text, _ in got:
            if pid in strace:
                screc[pid].append(text)
        # strace's child runs strace's code until it execs the target, untraced.
        pid = max(strace, key=lambda p: len(strace[p]))
        lines = screc[pid]
        first = next((i for i, l in enumerate(lines) if l == strace[pid][0]), None)
        if first is None or lines[first:] != strace[pid]:
            fail('--capture: screc decodes otherwise than strace:\n  strace: %s\n  screc:  %s' %
                 ('\n          '.join(strace[pid]), '\n          '.join(lines)))
        heap = sum(1 for l in strace[pid] if l.startswith(('openat(AT_FDCWD, "/etc/passwd"',
                                                           'connect(', 'bind(', 'writev(4, [{')))
        at_exit = sum(1 for l in strace[pid] if l.startswith(('pipe2([', 'getsockname(3, {sa_',
                                                              'read(3, "hello from the heap"',
                                                              'read(3, "hello ", 64)',
                                                              'read(3, "", 64)')))
        # send_and_receive binds and makes a pipe too
        if heap != 5 * ROUNDS or at_exit != 6 * ROUNDS:
            fail('strace shows %d heap inputs and %d outputs, not %d and %d' %
                 (heap, at_exit, 5 * ROUNDS, 6 * ROUNDS))
        for r in DECODED:
            n = sum(1 for l in lines[first:] if r.match(l))
            if n != ROUNDS:
                fail('--capture: %d calls, not %d, match %s:\n  %s' %
                     (n, ROUNDS, r.pattern, '\n  '.join(lines[first:])))
        print('ok - --capture: %d calls identical to strace\'s on the same run, %d with heap '
              'inputs, %d with outputs taken at exit; sendmsg, recvfrom, recvmsg, readv and the '
              'stat family decoded (%d each)' % (len(strace[pid]), heap, at_exit, ROUNDS))

    path, _ = env.record('nocapture', '-e', 'openat,connect')
    got, _, out = env.report(path)
    text = '\n'.join(e[1] for e in got)
    if len(HEAP_OPEN.findall(text)) < 2 * ROUNDS or len(HEAP_CONNECT.findall(text)) != ROUNDS:
        fail('without --capture, heap paths and sockaddrs do not print as pointers:\n' + text)
    if not NOTE.search(env.last_stderr):
        fail('without --capture, no note on the pointers: ' + env.last_stderr)
    print('ok - without --capture: heap data prints as pointers, with a note')

    if not shutil.which('capsh'):
        print('ok - # SKIP BPF refused: capsh (libcap2-bin) is not installed')
        return
    path, err = env.record('refused', '-C', '-e', 'openat,connect',
                           prefix=['capsh', '--drop=cap_bpf,cap_sys_admin,cap_perfmon', '--',
                                   '-c', '"$0" "$@"'])
    said = [l for l in err.splitlines() if 'capture:' in l]
    if len(said) != 1 or 'recording without it' not in said[0]:
        fail('BPF refused: the recorder should say so in one line: %r' % err)
    got, _, _ = env.report(path)
    text = '\n'.join(e[1] for e in got)
    if len(HEAP_OPEN.findall(text)) < 2 * ROUNDS or not NOTE.search(env.last_stderr):
        fail('BPF refused: heap paths do not print as pointers with a note:\n' + text)
    print('ok - BPF refused (capabilities dropped): one line, the recording goes on, pointers '
          'and a note')


def check_path(env):
    path, _ = env.record('path', '-P', '/etc/passwd')
    got, (n, complete), _ = env.report(path)
    # the opens, and stat_heap's stat and statx of it
    want = {'openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3': 'open_heap_path',
            'stat("/etc/passwd", ': 'stat_heap', 'statx(AT_FDCWD, "/etc/passwd", ': 'stat_heap'}
    kinds = collections.Counter(w for e in got for w, fn in want.items()
                                if e[1].startswith(w) and any(fn in f for f in e[2]))
    if len(got) != 3 * ROUNDS or complete != n or kinds != {w: ROUNDS for w in want}:
        fail('-P /etc/passwd: %d events, not the %d opens, stats and statxs of it: %s' %
             (len(got), ROUNDS, [e[1] for e in got]))
    if not re.search(r'^filters:\s+path=/etc/passwd\b', env.info(path), re.M):
        fail('screc info does not name the path filter:\n' + env.info(path))
    path, _ = env.record('prefix', '-P', '/etc/hostname*')
    got, _, _ = env.report(path)
    texts_ = collections.Counter(e[1] for e in got)
    want = {'openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_CLOEXEC) = 3': ROUNDS,
            'openat(AT_FDCWD, "/etc/hostname/x", O_RDONLY) = -1 ENOTDIR (Not a directory)': ROUNDS}
    if texts_ != want:
        fail('-P /etc/hostname*: %s' % dict(texts_))
    print('ok - -P: exactly the %d opens (and stats) of the path, and of the prefix' % ROUNDS)


def check_fd(env):
    everything, _ = env.record('all-fd')
    want = [e for e in env.report(everything)[0] if re.match(r'\w+\(3[,)]', e[1]) and
            not e[1].startswith(('newfstatat(', 'openat(', 'statx('))]   # 3 as a dirfd: not --fd's
    path, _ = env.record('fd', '--fd', '3')
    got, (n, complete), _ = env.report(path)
    if texts(got) != texts(want) or complete != n:
        fail('--fd 3 holds other calls than those on fd 3:\n  --fd: %s\n  on 3: %s' %
             (sorted(texts(got).items()), sorted(texts(want).items())))
    if not re.search(r'^filters:\s+fd=3\b', env.info(path), re.M):
        fail('screc info does not name the fd filter:\n' + env.info(path))
    print('ok - --fd 3: exactly the %d calls on fd 3 of a full recording' % n)

    # -e names the syscalls: each has its own tracepoint and program, openat's with no fd to
    # compare (its program once failed the verifier, and with it the recording).
    want = [e for e in want if e[1].startswith(('close(', 'read('))]
    path, err = env.record('fd-e', '-e', 'openat,close,read', '--fd', '3')
    got, (n, complete), _ = env.report(path)
    if texts(got) != texts(want) or complete != n or not n:
        fail('-e openat,close,read --fd 3 holds other calls than the closes and reads of 3:\n'
             '  --fd: %s\n  on 3: %s' % (sorted(texts(got).items()), sorted(texts(want).items())))
    path, err = env.record('fd-none', '-e', 'openat', '--fd', '3')
    said = [l for l in err.splitlines() if l.startswith('screc: --fd 3: none of the recorded')]
    if len(said) != 1 or env.report(path)[1][0] != 0:
        fail('-e openat --fd 3: no one-line warning, or events recorded: %r' % err)
    print('ok - -e openat,close,read --fd 3: exactly the %d closes and reads of fd 3; '
          '-e openat --fd 3 says it records nothing' % n)


def check_failed(env, capture):
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
        fail('--failed: %d events, %d unwound fully; first event %s; report said:\n%s'
             % (n, complete, got[:1], env.last_stderr[-1500:]))
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

    if capture:
        everything, _ = env.record('all-captured', '-C')
        want = [e for e in env.report(everything)[0] if re.search(r'\) = -1 E', e[1])]
        path, _ = env.record('failed-captured', '--failed', '-C')
        got, (n, complete), _ = env.report(path)
        heap = 'openat(AT_FDCWD, "/nonexistent/heap", O_RDONLY|O_CLOEXEC) = -1 ENOENT'
        if texts(got) != texts(want) or complete != n or \
                sum(1 for e in got if e[1].startswith(heap)) != ROUNDS:
            fail('--failed --capture: not the failing calls of a full recording with capture, '
                 'or the heap path is not decoded:\n  --failed: %s\n  failed: %s' %
                 (sorted(texts(got).items()), sorted(texts(want).items())))
        print('ok - --failed --capture: the %d failing calls, heap paths decoded' % n)

    path, _ = env.record('errno', '--errno', 'ENOTDIR,9')
    got, (n, complete), _ = env.report(path)
    kinds = collections.Counter(re.search(r'= -1 (\w+)', e[1]).group(1) for e in got)
    if kinds != {'ENOTDIR': ROUNDS, 'EBADF': ROUNDS} or complete != n:
        fail('--errno ENOTDIR,9: %s, %d of %d unwound fully; first event %s; report said:\n%s'
             % (dict(kinds), complete, n, got[:1], env.last_stderr[-1500:]))
    if not re.search(r'^filters:\s+errno=ENOTDIR,EBADF\b', env.info(path), re.M):
        fail('screc info does not name the errnos:\n' + env.info(path))
    print('ok - --errno ENOTDIR,9: exactly the %d ENOTDIR and %d EBADF calls' % (ROUNDS, ROUNDS))


def check_attach(env, capture):
    """-p on a running loop of opens, and on the shell waiting for it."""
    loop = subprocess.Popen([env.target, 'loop', '60'])
    shell = subprocess.Popen(['sh', '-c', '"$0" loop 60; echo done >/dev/null', env.target],
                             start_new_session=True)
    try:
        time.sleep(0.5)
        for opts in ([['-C']] if capture else []) + [[]]:
            path = os.path.join(env.tmp, 'attach.screc')
            p = subprocess.run([env.screc, 'record', '-o', path, '-e', 'openat', '-p',
                                str(loop.pid), '--duration', '1'] + opts,
                               capture_output=True, text=True, timeout=60)
            if p.returncode != 0:
                if perf_forbidden(p.stderr):
                    skip('perf_event_open is not permitted here: ' + p.stderr.strip())
                fail('-p %d %s: exit %d: %s' % (loop.pid, opts, p.returncode, p.stderr))
            got, (n, complete), _ = env.report(path)
            want = ('openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_CLOEXEC) = 3' if opts else
                    'openat(AT_FDCWD, 0x')
            ok = [e for e in got if e[1].startswith(want) and any('open_loop' in f for f in e[2])]
            if n < 100 or len(ok) != n or complete != n:
                fail('-p %d %s on a loop of opens: %d events, %d of them its opens with a '
                     'complete stack: %s' % (loop.pid, ' '.join(opts), n, len(ok),
                                             [e[1] for e in got[:5]]))
            print('ok - -p on a running loop of opens%s: %d opens, each with its stack' %
                  (' with --capture, heap paths decoded' if opts else '', n))
        kids = open('/proc/%d/task/%d/children' % (shell.pid, shell.pid)).read().split()
        path = os.path.join(env.tmp, 'attach-shell.screc')
        p = subprocess.run([env.screc, 'record', '-o', path, '-e', 'openat', '-p', str(shell.pid),
                            '--duration', '0.5'], capture_output=True, text=True, timeout=60)
        said = [l for l in p.stderr.splitlines() if 'which -p does not follow' in l]
        if p.returncode != 0 or len(kids) != 1 or len(said) != 1 or \
                not said[0].startswith('screc: -p %d (sh) is waiting in wait4 for %s '
                                       '(capture-target)' % (shell.pid, kids[0])):
            fail('-p on the shell waiting for the loop: exit %d, children %s, no line naming '
                 'the child: %r' % (p.returncode, kids, p.stderr))
        print('ok - -p on the shell that waits for the loop: one line names the child to give')
    finally:
        loop.kill()
        os.killpg(shell.pid, signal.SIGKILL)    # its child too
        loop.wait()
        shell.wait()


def main():
    args = dict(a.split('=', 1) for a in sys.argv[1:])
    tmp = tempfile.mkdtemp(prefix='screc-capture.')
    try:
        env = Env(args['screc'], args['target'], tmp)
        if args.get('capture', '1') == '1':
            check_capture(env)
            check_path(env)
            check_fd(env)
        else:
            print('ok - # SKIP --capture and -P: built with -Dcapture=disabled')
        check_attach(env, args.get('capture', '1') == '1')
        check_failed(env, args.get('capture', '1') == '1')
        print('PASS')
    except Failed as e:
        print('FAIL: %s' % e)
        sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
