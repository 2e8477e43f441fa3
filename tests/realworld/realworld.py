#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Real-world end-to-end tests (issue 6).

Each case runs one real program (Go with both resolvers, Rust linked by three
linkers, a C++ function with a .cold part, a C signal handler on a
sigaltstack, /usr/bin/python3) under `screc record`, reads `screc report
--format=json` and checks the frames: the names in order from the syscall to
the outermost frame, how the stack ends (`complete`, or `stack_switch` where
it continues on a stack the snapshot does not hold) and, for selected frames,
how they were found.

The same program is then run under `perf record --call-graph dwarf` and
`strace -f -k`; for each kind of event the number of named (non-inlined)
frames each tool gives is printed, and screc must name at least as many as
the better of the two.

    realworld.py CASE NAME=PATH...   (meson passes every target as NAME=PATH)

perf and strace may fail only for a reason the machine gives (perf_event_open
or tracefs refused, ptrace refused), and must then record the program's
calls: any other failure, or nothing recorded, fails the case.  Where a
comparison cannot be made for such a reason or because the tool is not
installed, the case skips once screc's own checks have passed, never passes.

Exit status: 0 pass, 1 fail, 77 skip (perf_event_open not permitted, a
toolchain, target, perf or strace missing or refused), each with a message
saying why.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from screctest import (CONNECT, SKIP, START_MAIN, SUMMARY, Failed, fail,  # noqa: E402
                       perf_forbidden, skip)

ANY = None      # in a sequence: any number of frames, as few as possible

SOCKET = r'(?:__GI___socket|__socket|socket)(?:@@?GLIBC_[\d.]+)?'
KILL = r'(?:__GI___kill|__GI_kill|__kill|kill)(?:@@?GLIBC_[\d.]+)?'
START_TAIL = [r'(?:__libc_start_call_main|\?)', START_MAIN, '_start']

# The only reasons perf or strace may fail here: the machine refuses them.
# Anything else fails the test.
PERF_REFUSED = re.compile(r'perf_event_paranoid|perf_event_open.*(?:Permission denied|Operation '
                          r'not permitted)|No permission to enable|CAP_PERFMON|Access to '
                          r'performance monitoring and observability operations is limited|'
                          r'tracefs.*(?:not readable|Permission denied)')
STRACE_REFUSED = re.compile(r'ptrace\(PTRACE_\w+.*\): Operation not permitted|'
                            r'PTRACE_(?:TRACEME|SEIZE|ATTACH).*(?:Operation not permitted|'
                            r'Permission denied)')

# Go: the assembly functions carry an ABI suffix in .symtab (".abi0"); Go's
# own tracebacks print the name without it, either is accepted.
ABI = r'(?:\.abi0)?'
GO_SYSCALL = r'(?:runtime/internal/syscall\.Syscall6|syscall\.(?:Raw)?Syscall6?)' + ABI
GO_TAIL = [r'main\.resolveAndDial', r'main\.main', r'runtime\.main', r'runtime\.goexit' + ABI]
GO_DIAL_CONNECT = [GO_SYSCALL, ANY, r'syscall\.Connect', ANY, r'net\.\(\*netFD\)\.connect', ANY,
                   r'net\.Dial', r'main\.dialPort9'] + GO_TAIL
GO_DIAL_SOCKET = [GO_SYSCALL, ANY, r'syscall\.Socket', ANY, r'net\.sysSocket', ANY,
                  r'net\.Dial', r'main\.dialPort9'] + GO_TAIL
ASMCGOCALL = r'runtime\.asmcgocall' + ABI
# glibc's getaddrinfo trying nscd's socket, called through cgo: the C frames
# live on the M's system stack (g0), the Go frames on the goroutine's stack.
CGO_GAI_C = [r'(?:%s|%s)' % (SOCKET, CONNECT), ANY, r'getaddrinfo',
             r'_cgo_[0-9a-f]+_C2func_getaddrinfo', ASMCGOCALL]
# If the goroutine's stack ever is recorded too, this is how it must go on.
CGO_GAI_GO = [r'runtime\.cgocall', ANY, r'net\.cgoLookupHost', ANY, r'net\.LookupHost',
              r'main\.lookupLocal'] + GO_TAIL


def name(f):
    return f.get('symbol') or '?'


def physical(ev):
    """The frames that are real stack frames: inline frames depend on how each
    library was built and on which tool shows them, so counts and sequences
    use only these."""
    return [f for f in ev.get('frames', []) if not f.get('inlined')]


def show(ev):
    lines = ['event pid=%s tid=%s syscall=%s args=%s return=%s stack_end=%s' %
             (ev.get('pid'), ev.get('tid'), ev.get('syscall'), (ev.get('args') or [])[:3],
              ev.get('return'), ev.get('stack_end'))]
    for i, f in enumerate(ev.get('frames', [])):
        lines.append('  #%-3d %-9s %s%s  %s+0x%x  %s' % (
            i, f.get('method'), name(f), ' [inlined]' if f.get('inlined') else '',
            f.get('dso'), int(f.get('offset') or 0), f.get('rel')))
    return '\n'.join(lines)


def seq_regex(expected):
    pattern = ''
    for e in expected:
        pattern += '(?:.*\n)*?' if e is ANY else '(?:%s)\n' % e
    return pattern


def matches(ev, expected):
    text = ''.join(name(f) + '\n' for f in physical(ev))
    return re.fullmatch(seq_regex(expected), text) is not None


def describe(expected):
    return '\n  '.join('<any frames>' if e is ANY else e for e in expected)


class Case:
    def __init__(self, argv):
        self.case = argv[0]
        self.paths = {}
        for a in argv[1:]:
            k, _, v = a.partition('=')
            self.paths[k] = v
        self.tmp = tempfile.mkdtemp(prefix='screc-realworld.')
        self.env = dict(os.environ)
        self.env.pop('DEBUGINFOD_URLS', None)
        self.env['LC_ALL'] = 'C'
        self.failures = []
        self.skipped = []       # why a comparison could not be made (the machine's reason)
        self.counts = {}        # kind -> {tool: {depth, named}}
        self._sizes = {}

    def need(self, key, what):
        p = self.paths.get(key, '')
        if not p:
            skip('%s is not built here: %s was not found at configure time' % (key, what))
        if not os.path.exists(p):
            self.fail('%s: %s does not exist (was it built?)' % (key, p))
            raise Failed()
        return p

    def fail(self, msg):
        self.failures.append(msg)

    def not_compared(self, why):
        """A comparison this machine cannot make: the case then skips (77)
        once every other check has passed, and says why; it never passes."""
        print('not compared: ' + why)
        if why not in self.skipped:
            self.skipped.append(why)

    def run(self, argv, env=None, check=True):
        e = dict(self.env)
        e.update(env or {})
        p = subprocess.run(argv, capture_output=True, text=True, env=e, timeout=240)
        if check and p.returncode != 0:
            raise Failed('%s: exit %d\nstdout:\n%s\nstderr:\n%s' %
                         (' '.join(argv), p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
        return p

    # -- the three tools ---------------------------------------------------------

    def screc(self, argv, env, events, stack_size=None):
        screc = self.paths['screc']
        out = os.path.join(self.tmp, 'rec.screc')
        cmd = [screc, 'record', '-e', events, '-o', out]
        if stack_size:
            cmd += ['--stack-size', str(stack_size)]
        p = self.run(cmd + ['--'] + argv, env, check=False)
        if p.returncode != 0:
            if perf_forbidden(p.stderr):
                skip('perf_event_open is not permitted here: ' + p.stderr.strip())
            raise Failed('%s: exit %d (the target exits 0 when all went as expected)\n%s' %
                         (' '.join(cmd + argv), p.returncode, p.stderr[-3000:]))
        rep = self.run([screc, 'report', '--format=json', out])
        verbose = self.run([screc, 'report', '-v', out], check=False)
        print('--- screc report -v (text):\n' + verbose.stdout + verbose.stderr)
        events = []
        for n, line in enumerate(rep.stdout.splitlines(), 1):
            if line.strip():
                try:
                    events.append(json.loads(line))
                except ValueError as e:
                    raise Failed('--format=json line %d is not JSON (%s): %r' % (n, e, line[:300]))
        return events

    def perf(self, argv, env, syscall, stack_size):
        """[(addrlen, [(symbol or None, dso)])] of perf's physical frames per event."""
        perf = self.paths.get('perf')
        if not perf:
            self.not_compared('perf was not found at configure time')
            return None
        data = os.path.join(self.tmp, 'perf.data')
        cmd = [perf, 'record', '-q', '-o', data, '-e', 'syscalls:sys_enter_' + syscall,
               '--call-graph', 'dwarf,%d' % stack_size, '--'] + argv
        p = self.run(cmd, env, check=False)
        if p.returncode != 0:
            if PERF_REFUSED.search(p.stderr):
                self.not_compared('perf record is not permitted here (exit %d): %s' %
                                  (p.returncode, p.stderr.strip()[-1000:]))
                return None
            raise Failed('%s: exit %d, for no reason this test knows of (only a refused '
                         'perf_event_open or tracefs is one):\n%s' %
                         (' '.join(cmd), p.returncode, p.stderr[-3000:]))
        out = self.run([perf, 'script', '-i', data]).stdout
        print('--- perf script:\n' + out)
        events = []
        for block in re.split(r'\n\s*\n', out):
            lines = block.strip('\n').splitlines()
            if not lines or 'sys_enter_' + syscall not in lines[0]:
                continue
            m = re.search(r'addrlen: (0x[0-9a-f]+)', lines[0])
            frames = []
            for ln in lines[1:]:
                fm = re.match(r'\s*[0-9a-f]+ (.*) \((.*)\)$', ln)
                if not fm or fm.group(2) == 'inlined':
                    continue
                frames.append(self.frame(fm.group(1), fm.group(2)))
            events.append((int(m.group(1), 16) if m else None, frames))
        if not events:
            raise Failed('perf recorded no sys_enter_%s event of %s, which makes some:\n'
                         'perf record said:\n%s\nperf script said:\n%s' %
                         (syscall, ' '.join(argv), p.stderr[-2000:], out[-2000:]))
        return events

    def strace(self, argv, env, syscall):
        strace = self.paths.get('strace')
        if not strace:
            self.not_compared('strace was not found at configure time')
            return None
        log = os.path.join(self.tmp, 'strace.log')
        cmd = [strace, '-f', '-qq', '-k', '-e', 'trace=' + syscall, '-o', log, '--'] + argv
        p = self.run(cmd, env, check=False)
        if p.returncode != 0 or not os.path.exists(log):
            if STRACE_REFUSED.search(p.stderr):
                self.not_compared('strace cannot trace here (ptrace refused, exit %d): %s' %
                                  (p.returncode, p.stderr.strip()[-1000:]))
                return None
            raise Failed('%s: exit %d, for no reason this test knows of (only a refused '
                         'ptrace is one):\n%s' % (' '.join(cmd), p.returncode, p.stderr[-3000:]))
        with open(log) as fh:
            out = fh.read()
        print('--- strace -f -k:\n' + out)
        events = []
        cur = None      # the frames of the syscall line before, None after any other line
        for ln in out.splitlines():
            if not ln.startswith(' > '):
                m = re.match(r'(?:\d+\s+)?%s\(.*, (\d+)\)\s+=' % syscall, ln)
                cur = None
                if m:
                    cur = []
                    events.append((int(m.group(1)), cur))
                continue
            if cur is None:
                continue        # the stack of a signal or of an exit
            fm = re.match(r' > (.*)\((.*?)\) \[0x[0-9a-f]+\]$', ln)
            # unexpected_backtracing_error and the like count as unnamed frames
            cur.append(self.frame(fm.group(2), fm.group(1)) if fm else None)
        if not events:
            raise Failed('strace logged no %s call of %s, which makes some:\n%s' %
                         (syscall, ' '.join(argv), out[-3000:]))
        return events

    # -- comparison ----------------------------------------------------------------

    def sym_sizes(self, dso):
        """{name: size} of dso's .symtab and .dynsym, {} when it cannot be read."""
        if dso not in self._sizes:
            sizes = {}
            if self.paths.get('readelf') and os.path.isfile(dso):
                out = self.run([self.paths['readelf'], '-sW', dso], check=False).stdout
                for line in out.splitlines():
                    f = line.split()
                    if len(f) >= 8 and f[3] in ('FUNC', 'IFUNC') and f[6] != 'UND':
                        size = int(f[2], 0) if f[2].isdigit() or f[2].startswith('0x') else 0
                        n = f[7].split('@')[0]
                        sizes[n] = max(sizes.get(n, 0), size)
            self._sizes[dso] = sizes
        return self._sizes[dso]

    def frame(self, symoff, dso):
        """(name, dso) of a perf or strace frame "sym+0xoff"; name is None when
        the tool gave none or gave the nearest exported symbol with an offset
        past its end (strace names static functions so): a wrong name."""
        m = re.match(r'(.*)\+(0x[0-9a-f]+)$', symoff)
        sym, off = (m.group(1), int(m.group(2), 16)) if m else (symoff, 0)
        if not sym or sym == '[unknown]':
            return (None, dso)
        size = self.sym_sizes(dso).get(sym)
        if size and off >= size:
            return (None, dso)
        return (sym, dso)

    def compare(self, kind, screc_evs, perf_evs, strace_evs, pick, snapshot_only=False):
        """Frames per tool for the events `pick` (addrlen) selects, the best
        event of each tool: depth (non-inlined frames) and how many of those
        are named rightly.  screc must reach at least the depth and name at
        least as many as the better of perf and strace."""
        def best(evs):
            if evs is None:
                return None
            sel = [fr for alen, fr in evs if pick(alen)]
            return {'depth': max([len(fr) for fr in sel] or [0]),
                    'named': max([sum(1 for x in fr if x and x[0]) for fr in sel] or [0])}
        sel = [physical(e) for e in screc_evs]
        s = {'depth': max([len(fr) for fr in sel] or [0]),
             'named': max([sum(1 for f in fr if f.get('symbol')) for fr in sel] or [0])}
        c = {'screc': s, 'perf': best(perf_evs), 'strace': best(strace_evs)}
        self.counts[kind] = c
        others = [v for v in (c['perf'], c['strace']) if v is not None]
        if snapshot_only and all(e.get('stack_end') == 'stack_switch' for e in screc_evs):
            # strace reads the live process through ptrace and can follow a stack
            # that no perf snapshot holds: only perf, which sees the same data as
            # screc, is a fair bar here.  The stack must say where it ends.
            print('%s: compared with perf only (the frames past the stack switch are in '
                  'no snapshot); strace: %s' % (kind, c['strace']))
            others = [v for v in (c['perf'],) if v is not None]
        if not others:
            self.not_compared('%s: neither perf nor strace ran: nothing to compare with' % kind)
            return
        for k in ('depth', 'named'):
            if s[k] < max(o[k] for o in others):
                self.fail('%s: screc %s %d, less than perf (%s) or strace (%s)%s' %
                          (kind, 'reaches a depth of' if k == 'depth' else 'names', s[k],
                           c['perf'] and c['perf'][k], c['strace'] and c['strace'][k],
                           ' (strace reads the stopped process\'s whole memory through '
                           'ptrace; screc has the snapshot only: the frames past a stack '
                           'switch need more than one snapshot)'
                           if any(e.get('stack_end') == 'stack_switch' for e in screc_evs)
                           else ''))

    # -- checks on screc's events ----------------------------------------------------

    def expect(self, ev, what, alternatives):
        """ev must match one of alternatives: [(sequence, stack_end)]."""
        for seq, want_end in alternatives:
            if matches(ev, seq):
                if ev.get('stack_end') != want_end:
                    self.fail('%s: stack_end is %r, not %r\n%s' %
                              (what, ev.get('stack_end'), want_end, show(ev)))
                return True
        self.fail('%s: frame names do not match.\nexpected (one regex per non-inlined frame)%s\n'
                  '%s\ngot:\n%s' % (what, ', or:' if len(alternatives) > 1 else ':',
                                    '\nor:\n'.join('  ' + describe(s) + '\n  [stack_end %s]' % e
                                                   for s, e in alternatives), show(ev)))
        return False

    def unnamed(self, ev, what, allowed_dsos=()):
        for f in physical(ev):
            if not f.get('symbol') and os.path.realpath(f.get('dso') or '?') not in allowed_dsos:
                self.fail('%s: an unnamed frame at %s in %s\n%s' %
                          (what, f.get('address'), f.get('dso'), show(ev)))
                return

    def finish(self):
        print('--- non-inlined frames per tool (named rightly/depth), case %s:' % self.case)

        def fmt(v):
            return '-' if v is None else '%d/%d' % (v['named'], v['depth'])
        for kind, c in self.counts.items():
            print('  %-28s screc %-6s perf %-6s strace %s' % (kind, fmt(c['screc']), fmt(c['perf']),
                                                             fmt(c['strace'])))
        print('COMPARE ' + json.dumps({'case': self.case, 'counts': self.counts}))
        if self.failures:
            print('\nFAIL: %d problem(s)\n' % len(self.failures))
            print('\n\n'.join(self.failures))
            sys.exit(1)
        if self.skipped:
            skip('screc\'s own checks passed, but not every comparison could be made:\n  ' +
                 '\n  '.join(self.skipped))
        print('PASS')


def inet(ev):
    return len(ev.get('args') or []) >= 3 and ev['syscall'] == 'connect' and ev['args'][2] == 16


# -- the cases ---------------------------------------------------------------------

def go_case(c, binary_key, resolver):
    binary = c.need(binary_key, 'go')
    env = {'GODEBUG': 'netdns=' + resolver}
    argv = [binary]
    evs = c.screc(argv, env, 'socket,connect')
    dial_sock = [e for e in evs if e['syscall'] == 'socket' and e['args'][0] == 2]
    dial_conn = [e for e in evs if inet(e)]
    gai = [e for e in evs if e not in dial_sock and e not in dial_conn]
    if len(dial_sock) != 1 or len(dial_conn) != 1:
        c.fail('expected one AF_INET socket and one connect of addrlen 16 (net.Dial), got:\n' +
               '\n'.join(show(e) for e in evs))
    for ev in dial_conn:
        c.expect(ev, 'net.Dial connect', [(GO_DIAL_CONNECT, 'complete')])
        c.unnamed(ev, 'net.Dial connect')
    for ev in dial_sock:
        c.expect(ev, 'net.Dial socket', [(GO_DIAL_SOCKET, 'complete')])
    if resolver == 'go':
        # The pure Go resolver reads /etc/hosts for localhost: no syscall of ours.
        for ev in gai:
            c.fail('an event the pure Go resolver should not make:\n' + show(ev))
    else:
        if not gai:
            c.fail('no socket/connect from getaddrinfo (glibc tries nscd\'s socket first); '
                   'was the cgo resolver used?\n' + '\n'.join(show(e) for e in evs))
        for ev in gai:
            if 'getaddrinfo' not in [name(f) for f in physical(ev)]:
                c.fail('an event not from getaddrinfo nor net.Dial:\n' + show(ev))
                continue
            # Either it stops where asmcgocall left the goroutine's stack, and
            # says so, or (goroutine stack recorded) it goes on to goexit.
            c.expect(ev, 'cgo getaddrinfo %s' % ev['syscall'],
                     [(CGO_GAI_C, 'stack_switch'), (CGO_GAI_C + CGO_GAI_GO, 'complete')])
    perf_evs = c.perf(argv, env, 'connect', 8192)
    strace_evs = c.strace(argv, env, 'connect')
    c.compare('connect net.Dial', dial_conn, perf_evs, strace_evs, lambda a: a == 16)
    if resolver == 'cgo':
        c.compare('connect getaddrinfo (cgo)', [e for e in gai if e['syscall'] == 'connect'],
                  perf_evs, strace_evs, lambda a: a != 16)


def readelf(c, *args):
    return c.run([c.paths['readelf']] + list(args)).stdout


def rust_case(c, key):
    binary = c.need(key, 'rustc' if key != 'rust-clang-lld' else 'rustc, clang and ld.lld')
    if c.paths.get('readelf'):
        comment = readelf(c, '-p', '.comment', binary)
        lld = 'LLD' in comment
        if key == 'rust-bfd' and lld:
            c.fail('%s was linked by LLD, not GNU ld:\n%s' % (binary, comment))
        if key == 'rust-clang-lld' and not lld:
            c.fail('%s was not linked by LLD:\n%s' % (binary, comment))
        # What makes LLD output hard: an executable segment whose file offset
        # is not page aligned.
        for m in re.finditer(r'LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+).*R E', readelf(c, '-lW', binary)):
            print('%s: linked by %s, executable LOAD at file offset %s vaddr %s' %
                  (key, 'LLD' if lld else 'GNU ld', m.group(1), m.group(2)))
    argv = [binary]
    evs = c.screc(argv, {}, 'connect')
    seq = [CONNECT, ANY, r'.*TcpStream.*connect.*', ANY, r'rustconnect::inner',
           r'rustconnect::middle', r'rustconnect::outer', r'rustconnect::main', ANY,
           'main'] + START_TAIL
    if len(evs) != 1:
        c.fail('expected one connect, got %d:\n%s' % (len(evs), '\n'.join(show(e) for e in evs)))
    for ev in evs:
        c.expect(ev, key, [(seq, 'complete')])
        c.unnamed(ev, key)
        for f in ev['frames']:
            if re.search(r'::h[0-9a-f]{16}$|^_ZN|^_R[A-Z]', name(f)):
                c.fail('%s: not demangled: %s' % (key, name(f)))
    c.compare('connect', evs, c.perf(argv, {}, 'connect', 8192), c.strace(argv, {}, 'connect'),
              lambda a: a == 16)


def case_cxx_cold(c):
    binary = c.need('rw-cold', 'a C++ compiler')
    syms = readelf(c, '-sW', binary)
    m = re.search(r'\s([0-9a-f]+)\s+(\d+)\s+FUNC\s+\w+\s+\w+\s+\d+\s+(_ZN7cold_rw11try_connectEib\.cold)$',
                  syms, re.M)
    if not m:
        raise Failed('%s has no try_connect .cold part (GCC did not split it):\n%s' % (binary, syms))
    cold_lo, cold_len = int(m.group(1), 16), int(m.group(2))
    argv = [binary]
    evs = c.screc(argv, {}, 'connect')
    seq = [CONNECT, r'cold_rw::try_connect(?:\(int, bool\))?', r'cold_rw::run(?:\(int\))?',
           'main'] + START_TAIL
    if len(evs) != 1:
        c.fail('expected one connect, got %d' % len(evs))
    for ev in evs:
        c.expect(ev, 'cold', [(seq, 'complete')])
        fr = physical(ev)
        if len(fr) > 1:
            rel = int(fr[1].get('rel') or '0', 0)
            if not cold_lo <= rel < cold_lo + max(cold_len, 1):
                c.fail('cold: frame 1 at rel 0x%x is not in the .cold part 0x%x..0x%x: the '
                       'target does not test what it should\n%s' %
                       (rel, cold_lo, cold_lo + cold_len, show(ev)))
            if '.cold' in name(fr[1]) or 'clone' in name(fr[1]):
                c.fail('cold: the .cold part must be named as its function, got %r' % name(fr[1]))
    c.compare('connect', evs, c.perf(argv, {}, 'connect', 8192), c.strace(argv, {}, 'connect'),
              lambda a: a == 16)


def case_c_sigaltstack(c):
    binary = c.need('rw-altstack', 'a C compiler')
    argv = [binary]
    evs = c.screc(argv, {}, 'connect')
    handler = [CONNECT, 'alt_connect', 'on_sigusr2', '__restore_rt', KILL]
    # The snapshot holds the alternate stack only: after kill (found through
    # the signal frame's saved registers) the main stack was not recorded.
    # Should it ever be, the stack must go on to _start.
    alts = [(handler, 'stack_switch'),
            (handler + ['alt_kill', 'alt_two', 'alt_one', 'main'] + START_TAIL, 'complete')]
    if len(evs) != 1:
        c.fail('expected one connect, got %d' % len(evs))
    for ev in evs:
        if c.expect(ev, 'sigaltstack', alts):
            fr = physical(ev)
            if fr[4].get('method') != 'signal':
                c.fail('sigaltstack: kill was found by %r, not signal (the saved context)\n%s' %
                       (fr[4].get('method'), show(ev)))
    c.compare('connect', evs, c.perf(argv, {}, 'connect', 8192), c.strace(argv, {}, 'connect'),
              lambda a: a == 16, snapshot_only=True)


PY = ('import socket, sys\n'
      's = socket.socket()\n'
      'sys.exit(0 if s.connect_ex(("127.0.0.1", 9)) != 0 else 1)\n')


def case_python(c):
    python = c.paths.get('python3') or '/usr/bin/python3'
    if not os.path.exists(python):
        skip('%s does not exist' % python)
    argv = [python, '-c', PY]
    evs = c.screc(argv, {}, 'connect')
    evs = [e for e in evs if inet(e)]
    seq = [CONNECT, ANY, r'_PyEval_EvalFrameDefault', ANY, r'Py_RunMain', r'Py_BytesMain'] + \
        START_TAIL
    if len(evs) != 1:
        c.fail('expected one connect to 127.0.0.1:9, got %d' % len(evs))
    for ev in evs:
        c.expect(ev, 'python', [(seq, 'complete')])
    c.compare('connect', evs, c.perf(argv, {}, 'connect', 8192), c.strace(argv, {}, 'connect'),
              lambda a: a == 16)


CASES = {
    'go-pure': lambda c: go_case(c, 'go-pure', 'go'),
    'go-cgo-netgo': lambda c: go_case(c, 'go-cgo', 'go'),
    'go-cgo-netcgo': lambda c: go_case(c, 'go-cgo', 'cgo'),
    'rust-default': lambda c: rust_case(c, 'rust-default'),
    'rust-bfd': lambda c: rust_case(c, 'rust-bfd'),
    'rust-clang-lld': lambda c: rust_case(c, 'rust-clang-lld'),
    'cxx-cold': case_cxx_cold,
    'c-sigaltstack': case_c_sigaltstack,
    'python': case_python,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in CASES:
        sys.exit('usage: realworld.py {%s} NAME=PATH...' % ','.join(CASES))
    c = Case(sys.argv[1:])
    try:
        if not c.paths.get('screc'):
            skip('screc was not built (report disabled)')
        try:
            CASES[c.case](c)
        except Failed as e:
            if e.args:
                c.fail(e.args[0])
        c.finish()
    finally:
        # finish() and skip() end with sys.exit: this runs for every outcome.
        if c.failures:
            print('scratch files kept in ' + c.tmp)
        else:
            shutil.rmtree(c.tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
