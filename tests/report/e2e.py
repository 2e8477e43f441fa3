#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of `screc report` (issue 3).

Each case records one of the target programs of this directory with the real
recorder on the real kernel, reports it, and checks the exact sequence of
frame names from the libc syscall wrapper through the target's noinline chain
to main and _start, the way strace's stack-fcall tests do, plus how each
frame was found (method), source lines, build-ids and the stack's end.

    e2e.py CASE NAME=PATH...     (meson passes every target as NAME=PATH)

Exit status: 0 pass, 1 fail, 77 skip (perf_event_open not permitted, a tool
or a target missing), each with a message saying why.
"""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import screctest  # noqa: E402
from screctest import (CONNECT, SKIP, START_MAIN, SUMMARY, Failed, fail,  # noqa: E402
                       perf_forbidden, skip)

# Names of libc functions, with every alias glibc gives them (.dynsym versus
# the debug file's .symtab).
KILL = r'(?:__GI___kill|__GI_kill|__kill|kill)(?:@@?GLIBC_[\d.]+)?'
ANY = None      # in a sequence: any number of frames, as few as possible


class Opt(str):
    """In a sequence: a frame that may be missing (a tail call in a library)."""


class Ctx:
    def __init__(self, args):
        self.paths = {}
        for a in args:
            name, _, path = a.partition('=')
            self.paths[name] = path
        self.tmp = tempfile.mkdtemp(prefix='screc-report-test.')
        self.env = dict(os.environ)
        # Never ask a debuginfod server: the tests must see only local files.
        self.env.pop('DEBUGINFOD_URLS', None)
        self.env['LC_ALL'] = 'C'
        self._libc_debug = None
        self._symtabs = {}

    def need(self, *names):
        for n in names:
            p = self.paths.get(n, '')
            if not p:
                skip('%s is not built here (missing compiler or tool at configure time)' % n)
            if not os.path.exists(p):
                fail('%s: %s does not exist' % (n, p))
        return [self.paths[n] for n in names]

    def path(self, name):
        return self.need(name)[0]

    @property
    def screc(self):
        return self.path('screc')

    def run(self, argv, check=True, timeout=120):
        p = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=timeout)
        if check and p.returncode != 0:
            fail('%s: exit %d\nstdout:\n%s\nstderr:\n%s' %
                 (' '.join(argv), p.returncode, p.stdout[-4000:], p.stderr[-4000:]))
        return p

    # -- recording and reporting ---------------------------------------------

    def record(self, argv, name, events='connect', extra=(), wrap=()):
        """Record argv; fail unless the target itself exited 0 (screc passes its status on).
        wrap, when given, is a command that runs screc (setarch -R)."""
        out = os.path.join(self.tmp, name + '.screc')
        cmd = list(wrap) + [self.screc, 'record', '-e', events, '-o', out] + list(extra) + \
            ['--'] + list(argv)
        p = self.run(cmd, check=False)
        if p.returncode != 0:
            if perf_forbidden(p.stderr):
                skip('perf_event_open is not permitted here: ' + p.stderr.strip())
            fail('%s: exit %d (the target exits 0 when its connect failed as expected)\n%s' %
                 (' '.join(cmd), p.returncode, p.stderr[-4000:]))
        return out

    def report(self, f, *opts):
        p = self.run([self.screc, 'report'] + list(opts) + [f])
        what = 'screc report ' + ' '.join(list(opts) + [f])
        if p.stdout and not p.stdout.endswith('\n'):
            fail('%s: the output does not end with a newline: ...%r' % (what, p.stdout[-200:]))
        stats(p.stderr, what)
        return p.stdout, p.stderr

    def report_json(self, f, *opts):
        out, err = self.report(f, '--format=json', *opts)
        events = []
        for n, line in enumerate(out.splitlines(), 1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except ValueError as e:
                fail('--format=json line %d is not JSON (%s): %r' % (n, e, line[:300]))
        return events, err

    # -- facts about binaries --------------------------------------------------

    def build_id(self, path):
        out = self.run([self.paths['readelf'], '-n', path]).stdout
        m = re.search(r'Build ID: ([0-9a-f]+)', out)
        return m.group(1) if m else None

    def symtab(self, path):
        """{function name: st_value} from path's .symtab."""
        if path not in self._symtabs:
            syms = {}
            out = self.run([self.paths['readelf'], '-sW', path]).stdout
            for line in out.splitlines():
                f = line.split()
                if len(f) >= 8 and f[3] == 'FUNC' and f[6] != 'UND':
                    syms.setdefault(f[7].split('@')[0], int(f[1], 16))
            self._symtabs[path] = syms
        return self._symtabs[path]

    def libc_has_debug(self):
        """Whether libc's separate debug file is installed: then its local symbols must resolve."""
        if self._libc_debug is None:
            self._libc_debug = False
            for libc in ('/usr/lib/x86_64-linux-gnu/libc.so.6', '/lib64/libc.so.6',
                         '/usr/lib64/libc.so.6', '/usr/lib/libc.so.6'):
                if os.path.exists(libc):
                    bid = self.build_id(libc)
                    if bid and os.path.exists('/usr/lib/debug/.build-id/%s/%s.debug' %
                                              (bid[:2], bid[2:])):
                        self._libc_debug = True
                    break
        return self._libc_debug

    def libc_local(self, regex):
        """A libc function only its debug file names: unnamed ('?') is fine without one."""
        return regex if self.libc_has_debug() else '(?:%s|\\?)' % regex

    def start_tail(self):
        """The frames above main in every C program."""
        return [self.libc_local('__libc_start_call_main'), START_MAIN, '_start']

    def thread_tail(self):
        return [self.libc_local('start_thread'),
                self.libc_local(r'(?:__GI___clone3|__clone3|clone3)')]


def stats(stderr, what):
    """The counts of the summary line every report prints on stderr (advice on
    what to do about truncated or unnamed frames may follow it)."""
    found = [SUMMARY.fullmatch(line) for line in stderr.splitlines()]
    found = [m for m in found if m]
    if len(found) != 1:
        fail('%s: stderr must have one line counting events, unwound fully, truncated, lost '
             'and unresolved frames; stderr:\n%s' % (what, stderr))
    m = found[0]
    return dict(zip(('events', 'complete', 'truncated', 'lost', 'unresolved'),
                    (int(x) for x in m.groups())))


def toint(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        return int(v, 0)
    fail('expected a number, got %r' % (v,))


# -- checks on events ---------------------------------------------------------

def show(ev):
    lines = ['event pid=%s tid=%s comm=%s syscall=%s stack_end=%s' %
             (ev.get('pid'), ev.get('tid'), ev.get('comm'), ev.get('syscall'), ev.get('stack_end'))]
    fr = ev.get('frames', [])
    for i, f in enumerate(fr):
        # A long recursion: one line for each run of the same frame.
        if 0 < i < len(fr) - 1 and f.get('symbol') == fr[i - 1].get('symbol') == fr[i + 1].get('symbol'):
            if lines[-1] != '  ...':
                lines.append('  ...')
            continue
        lines.append('  #%-3d %-10s %s%s  %s  %s:%s' % (
            i, f.get('method'), f.get('symbol'), ' [inlined]' if f.get('inlined') else '',
            f.get('dso'), f.get('file'), f.get('line')))
    return '\n'.join(lines)


def frames(ev, builddir):
    """The frames the sequence is matched against: inline frames inside system
    libraries depend on how those were built, so only our own are kept."""
    out = []
    for f in ev['frames']:
        if f.get('inlined') and os.path.dirname(os.path.realpath(f.get('dso') or '/')) != builddir:
            continue
        out.append(f)
    return out


def name(f):
    return f.get('symbol') or '?'


def match_seq(ev, expected, builddir, what):
    """Fail unless the frame names are exactly `expected`, innermost first.
    Each item is a regex for one frame, Opt(regex) for at most one, or ANY for
    any frames (fewest first).  Returns the frames and {item: frame index}."""
    fr = frames(ev, builddir)
    text = ''.join(name(f) + '\n' for f in fr)
    pattern = ''
    for i, e in enumerate(expected):
        if e is ANY:
            pattern += '(?:.*\n)*?'
        elif isinstance(e, Opt):
            pattern += '(?:(?P<f%d>%s)\n)?' % (i, e)
        else:
            pattern += '(?P<f%d>%s)\n' % (i, e)
    m = re.fullmatch(pattern, text)
    if not m:
        fail('%s: frame names do not match.\nexpected (regex per frame):\n  %s\ngot:\n%s' %
             (what, '\n  '.join('<any frames>' if e is ANY else
                                  '<optional> ' + e if isinstance(e, Opt) else e
                                  for e in expected), show(ev)))
    # Frame index of each matched item.
    starts = [0]
    for line in text.splitlines(True):
        starts.append(starts[-1] + len(line))
    idx = {}
    for i, e in enumerate(expected):
        if e is not ANY and m.start('f%d' % i) >= 0:
            idx[i] = starts.index(m.start('f%d' % i))
    return fr, idx


def check_connect(ev, what, comm=None):
    if ev.get('syscall') != 'connect':
        fail('%s: syscall is %r, not connect\n%s' % (what, ev.get('syscall'), show(ev)))
    # -1 as libc returns it, or -111 as the kernel does: both say ECONNREFUSED.
    if toint(ev.get('return')) not in (-1, -111):
        fail('%s: return is %r, not -1 (or -ECONNREFUSED)' % (what, ev.get('return')))
    if ev.get('errno') not in ('ECONNREFUSED', 111):
        fail('%s: errno is %r, not ECONNREFUSED' % (what, ev.get('errno')))
    args = ev.get('args') or []
    if len(args) < 3 or toint(args[2]) != 16:
        fail('%s: args %r: the third (addrlen) must be 16' % (what, args))
    for k in ('pid', 'tid'):
        if not isinstance(ev.get(k), int) or ev[k] <= 0:
            fail('%s: %s is %r' % (what, k, ev.get(k)))
    if not isinstance(ev.get('duration_ns'), int) or ev['duration_ns'] < 0:
        fail('%s: duration_ns is %r' % (what, ev.get('duration_ns')))
    if comm is not None and ev.get('comm') != comm[:15]:
        fail('%s: comm is %r, not %r' % (what, ev.get('comm'), comm[:15]))
    if not ev.get('frames'):
        fail('%s: no frames\n%s' % (what, show(ev)))
    f0 = ev['frames'][0]
    if f0.get('method') != 'initial':
        fail('%s: frame 0 method is %r, not initial\n%s' % (what, f0.get('method'), show(ev)))


def check_end(ev, want, what):
    if ev.get('stack_end') != want:
        fail('%s: stack_end is %r, not %r\n%s' % (what, ev.get('stack_end'), want, show(ev)))


def call_lines(src):
    """{callee: line} from the "CALL callee" comments of a target's source."""
    lines = {}
    with open(src) as fh:
        for n, line in enumerate(fh, 1):
            m = re.search(r'CALL (\w+)', line)
            if m:
                lines.setdefault(m.group(1), n)
    return lines


def check_own_frames(ctx, ev, fr, binary, names, src, what, symtab_of=None):
    """For the frames of our chain in binary: dso, build-id, symbol start (rel -
    offset against .symtab of symtab_of, default binary), one load bias, and
    file:line of each call."""
    syms = ctx.symtab(symtab_of or binary)
    bid = ctx.build_id(binary)
    lines = call_lines(src)
    bias = None
    for f in fr:
        if f.get('symbol') not in names:
            continue
        sym = f['symbol']
        if os.path.realpath(f.get('dso') or '') != os.path.realpath(binary):
            fail('%s: %s: dso is %r, not %s' % (what, sym, f.get('dso'), binary))
        if f.get('build_id') != bid:
            fail('%s: %s: build_id is %r, %s has %s' % (what, sym, f.get('build_id'), binary, bid))
        rel, off, addr = toint(f.get('rel')), toint(f.get('offset')), toint(f.get('address'))
        if rel - off != syms[sym]:
            fail('%s: %s: rel 0x%x - offset 0x%x = 0x%x, but the symbol is at 0x%x' %
                 (what, sym, rel, off, rel - off, syms[sym]))
        if bias is None:
            bias = addr - rel
        elif addr - rel != bias:
            fail('%s: %s: address - rel differs between frames of one file\n%s' % (what, sym, show(ev)))
        callee = names[sym]
        if callee is None:
            continue
        if not f.get('file') or os.path.basename(f['file']) != os.path.basename(src):
            fail('%s: %s: file is %r, not %s\n%s' % (what, sym, f.get('file'), src, show(ev)))
        if f.get('line') != lines[callee]:
            fail('%s: %s: line %r, but the call of %s is on line %d (a return address '
                 'must be looked up at pc - 1)\n%s' %
                 (what, sym, f.get('line'), callee, lines[callee], show(ev)))


def check_call_lines(ev, fr, idx, src, calls, what):
    """calls: {index of an expected item: the callee on whose CALL line that
    frame must be}.  A frame whose call was inlined must still say where its
    own source makes the call, not the inlined callee's line."""
    lines = call_lines(src)
    for i, callee in calls.items():
        f = fr[idx[i]]
        if not f.get('file') or os.path.basename(f['file']) != os.path.basename(src) or \
                f.get('line') != lines[callee]:
            fail('%s: %s must be at %s:%d (its call of %s), not %s:%s\n%s' %
                 (what, name(f), os.path.basename(src), lines[callee], callee, f.get('file'),
                  f.get('line'), show(ev)))


def only(events, what, n=1):
    if len(events) != n:
        fail('%s: %d events, expected %d\n%s' % (what, len(events), n,
                                                  '\n'.join(show(e) for e in events)))
    return events


# -- the cases -------------------------------------------------------------------

# stack.c's chain: symbol -> the function it calls on its CALL line.
STACK_CHAIN = {'do_connect': 'connect', 'level_three': 'do_connect', 'level_two': 'level_three',
               'level_one': 'level_two', 'main': 'level_one'}


def stack_seq(ctx):
    return [CONNECT, 'do_connect', 'level_three', 'level_two', 'level_one', 'main'] + \
        ctx.start_tail()


def check_stack_program(ctx, binary, comm, report_opts=(), methods='cfi', symtab_of=None):
    """stack.c built some way: the whole chain, its lines and how it was unwound."""
    f = ctx.record([binary], comm)
    events, _ = ctx.report_json(f, *report_opts)
    ev = only(events, comm)[0]
    check_connect(ev, comm, comm)
    check_end(ev, 'complete', comm)
    builddir = os.path.dirname(os.path.realpath(binary))
    fr, idx = match_seq(ev, stack_seq(ctx), builddir, comm)
    check_own_frames(ctx, ev, fr, binary, STACK_CHAIN,
                     os.path.join(ctx.paths['srcdir'], 'stack.c'), comm, symtab_of)
    main_i = idx[5]
    # Frames 1 .. main+1 were found by unwinding the wrapper (libc CFI) and
    # then our own functions; what found the latter tells which unwinder worked.
    if fr[1].get('method') != 'cfi':
        fail('%s: do_connect was found by %r; libc has CFI\n%s' % (comm, fr[1].get('method'), show(ev)))
    ours = [fr[i] for i in range(2, main_i + 2)]
    got = [x.get('method') for x in ours]
    if methods == 'cfi':
        if any(m != 'cfi' for m in got):
            fail('%s: frames found from our functions by %s; this build has full CFI and no '
                 'frame pointers, so all must be cfi\n%s' % (comm, got, show(ev)))
    else:
        if 'cfi' in got or any(m not in ('fp', 'prologue') for m in got) or 'fp' not in got:
            fail('%s: frames found from our functions by %s; this build has no CFI but frame '
                 'pointers: none may say cfi and the frame-pointer unwinder must have found '
                 'some\n%s' % (comm, got, show(ev)))
    return ev


def case_cfi(ctx):
    check_stack_program(ctx, ctx.path('stack-cfi'), 'stack-cfi')


def check_no_cfi(ctx, binary, funcs):
    """Prove a target is what its test claims: no CFI covers funcs."""
    sections = ctx.run([ctx.paths['readelf'], '-SW', binary]).stdout
    if '.debug_frame' in sections:
        fail('%s still has .debug_frame' % binary)
    syms = ctx.symtab(binary)
    fdes = re.findall(r'FDE cie=\w+ pc=([0-9a-f]+)\.\.([0-9a-f]+)',
                      ctx.run([ctx.paths['readelf'], '-wf', binary]).stdout)
    for fn in funcs:
        if fn not in syms:
            fail('%s: no function %s in .symtab' % (binary, fn))
        for lo, hi in fdes:
            if int(lo, 16) <= syms[fn] < int(hi, 16):
                fail('%s: .eh_frame has an FDE for %s: the build flags did not work' % (binary, fn))


def case_fp(ctx):
    binary = ctx.path('stack-fp')
    check_no_cfi(ctx, binary, STACK_CHAIN)
    check_stack_program(ctx, binary, 'stack-fp', methods='fp')


def case_threads(ctx):
    binary = ctx.path('stack-threads')
    f = ctx.record([binary], 'threads')
    events, _ = ctx.report_json(f)
    only(events, 'threads', 3)
    builddir = os.path.dirname(os.path.realpath(binary))
    want = {
        'a_connect': [CONNECT, 'a_connect', 'a_two', 'a_one', 'thread_a_start'] + ctx.thread_tail(),
        'b_connect': [CONNECT, 'b_connect', 'b_three', 'b_two', 'b_one', 'thread_b_start'] +
        ctx.thread_tail(),
        'main_connect': [CONNECT, 'main_connect', 'main'] + ctx.start_tail(),
    }
    seen = {}
    for ev in events:
        check_connect(ev, 'threads', 'stack-threads')
        key = name(ev['frames'][1]) if len(ev['frames']) > 1 else '?'
        if key not in want or key in seen:
            fail('threads: unexpected event (or its second frame is wrong)\n' + show(ev))
        seen[key] = ev
        match_seq(ev, want[key], builddir, 'threads: ' + key)
        check_end(ev, 'complete', 'threads: ' + key)
    pids = {ev['pid'] for ev in events}
    tids = {ev['tid'] for ev in events}
    if len(pids) != 1 or len(tids) != 3:
        fail('threads: expected one pid and three tids, got pids %s tids %s' % (pids, tids))
    if seen['main_connect']['tid'] != seen['main_connect']['pid']:
        fail('threads: main thread tid %d != pid %d' % (seen['main_connect']['tid'],
                                                       seen['main_connect']['pid']))


def case_fork_exec(ctx):
    fork, exe = ctx.need('stack-fork', 'stack-exec')
    f = ctx.record([fork, exe], 'fork-exec')
    events, _ = ctx.report_json(f)
    only(events, 'fork-exec', 3)
    builddir = os.path.dirname(os.path.realpath(fork))
    child, execd, parent = events
    check_connect(child, 'fork child', 'stack-fork')
    match_seq(child, [CONNECT, 'child_connect', 'child_run', 'spawn', 'main'] + ctx.start_tail(),
              builddir, 'fork child before exec (maps inherited from the parent)')
    check_connect(execd, 'exec', 'stack-exec')
    fr, _ = match_seq(execd, [CONNECT, 'exec_connect', 'exec_one', 'main'] + ctx.start_tail(),
                      builddir, 'child after exec (maps replaced)')
    if os.path.realpath(fr[1]['dso']) != os.path.realpath(exe):
        fail('exec: exec_connect in %r, not %s' % (fr[1]['dso'], exe))
    check_connect(parent, 'fork parent', 'stack-fork')
    match_seq(parent, [CONNECT, 'parent_connect', 'parent_wait', 'main'] + ctx.start_tail(),
              builddir, 'parent after the child exited')
    for ev in events:
        check_end(ev, 'complete', 'fork-exec')
    if child['pid'] != execd['pid'] or child['pid'] == parent['pid']:
        fail('fork-exec: pids: child %d, after exec %d, parent %d' %
             (child['pid'], execd['pid'], parent['pid']))


def case_signal(ctx):
    binary = ctx.path('stack-signal')
    f = ctx.record([binary], 'signal')
    events, _ = ctx.report_json(f)
    ev = only(events, 'signal')[0]
    check_connect(ev, 'signal', 'stack-signal')
    seq = [CONNECT, 'handler_connect', 'on_sigusr1', ctx.libc_local('__restore_rt'), KILL,
           'sig_kill', 'sig_two', 'sig_one', 'main'] + ctx.start_tail()
    fr, idx = match_seq(ev, seq, os.path.dirname(os.path.realpath(binary)), 'signal')
    interrupted = fr[idx[4]]
    if interrupted.get('method') != 'signal':
        fail('signal: the interrupted frame (kill) was found by %r, not signal (through the '
             'signal frame\'s saved context)\n%s' % (interrupted.get('method'), show(ev)))
    check_end(ev, 'complete', 'signal')


CXX_SEQ = [
    CONNECT,
    r'(?:int )?screc_test::templ_connect<long>(?:\(long\))?',
    r'screc_test::Klass::method\(int\)::\{lambda\(int\)#1\}::operator\(\)(?:\(int\) const)?',
    # libstdc++'s invoker, when it is not a tail call
    Opt(r'std::_Function_handler<int ?\(int\), screc_test::Klass::method\(int\)::\{lambda\(int\)#1\}>'
        r'::_M_invoke(?:\(.*\))?'),
    # std::function::operator(), inlined into call_through
    r'(?:std::function<int ?\(int\)>::)?operator\(\)(?:\(int\) const)?',
    r'screc_test::Klass::call_through(?:\(std::function<int ?\(int\)> const&, int\))?',
    r'screc_test::Klass::method(?:\(int\))?',
    'main',
]


def case_cxx(ctx):
    binary = ctx.path('stack-cxx')
    f = ctx.record([binary], 'cxx')
    events, _ = ctx.report_json(f)
    ev = only(events, 'cxx')[0]
    check_connect(ev, 'cxx', 'stack-cxx')
    check_end(ev, 'complete', 'cxx')
    fr, idx = match_seq(ev, CXX_SEQ + ctx.start_tail(), os.path.dirname(os.path.realpath(binary)),
                        'cxx')
    inl = fr[idx[4]]
    if not inl.get('inlined') or inl.get('method') != 'inline':
        fail('cxx: std::function::operator() is inlined into call_through and must be its own '
             'frame, inlined, method inline\n' + show(ev))
    for i in (1, 2, 5, 6, 7):
        if fr[i].get('inlined') if i in idx else False:
            fail('cxx: %s is no inlined call\n%s' % (name(fr[idx[i]]), show(ev)))
    check_call_lines(ev, fr, idx, os.path.join(ctx.paths['srcdir'], 'stack-cxx.cc'),
                     {1: 'connect', 2: 'templ_connect', 5: 'f', 6: 'call_through', 7: 'method'},
                     'cxx')
    for x in fr:
        if name(x).startswith('_Z'):
            fail('cxx: a mangled name: %s\n%s' % (name(x), show(ev)))


def case_rust(ctx):
    ran = 0
    for variant in ('rust-legacy', 'rust-v0'):
        if not ctx.paths.get(variant):
            continue
        binary = ctx.path(variant)
        f = ctx.record([binary], variant)
        events, _ = ctx.report_json(f)
        ev = only(events, variant)[0]
        check_connect(ev, variant, os.path.basename(binary))
        check_end(ev, 'complete', variant)
        seq = [CONNECT, ANY, 'rusttarget::do_connect', 'rusttarget::level_two',
               'rusttarget::level_one', 'rusttarget::main', ANY, 'main'] + ctx.start_tail()
        fr, idx = match_seq(ev, seq, os.path.dirname(os.path.realpath(binary)), variant)
        check_call_lines(ev, fr, idx, os.path.join(ctx.paths['srcdir'], 'rusttarget.rs'),
                         {2: 'connect', 3: 'do_connect', 4: 'level_two', 5: 'level_one'},
                         variant)
        std = [name(x) for x in fr[1:idx[2]]]
        if not any(re.search(r'TcpStream.*connect', n) for n in std):
            fail('%s: no std TcpStream connect frame between connect and do_connect\n%s' %
                 (variant, show(ev)))
        for x in fr:
            n = name(x)
            if re.search(r'::h[0-9a-f]{16}$|^_ZN|^_R[A-Z]|\[[0-9a-f]+\]::', n):
                fail('%s: not fully demangled (hash or crate disambiguator left): %s\n%s' %
                     (variant, n, show(ev)))
        ran += 1
    if not ran:
        skip('rustc was not found at configure time')


def check_stripped_unnamed(ctx, ev, binary, what):
    """Frames in binary, which has no symbols of its own, must have no names."""
    mine = [x for x in ev['frames']
            if os.path.realpath(x.get('dso') or '') == os.path.realpath(binary)]
    if len(mine) < 5:
        fail('%s: %d frames in %s; its .eh_frame still unwinds all of them\n%s' %
             (what, len(mine), binary, show(ev)))
    named = [x.get('symbol') for x in mine if x.get('symbol')]
    if named:
        fail('%s: names %s for a stripped file without its debug file: they cannot be right\n%s' %
             (what, named, show(ev)))


def check_stripped(ctx, binary):
    sections = ctx.run([ctx.paths['readelf'], '-SW', binary]).stdout
    if re.search(r'\.symtab|\.debug_info', sections):
        fail('%s is not stripped' % binary)


def case_debuglink(ctx):
    binary, _ = ctx.need('stack-debuglink', 'stack-debuglink-debug')
    check_stripped(ctx, binary)
    if '.gnu_debuglink' not in ctx.run([ctx.paths['readelf'], '-SW', binary]).stdout:
        fail('%s has no .gnu_debuglink' % binary)
    check_stack_program(ctx, binary, 'stack-debuglink',
                        symtab_of=ctx.path('stack-unstripped'))


def case_build_id(ctx):
    binary, debug = ctx.need('stack-buildid', 'stack-buildid-debug')
    check_stripped(ctx, binary)
    bid = ctx.build_id(binary)
    if not bid or ctx.build_id(debug) != bid:
        fail('%s and %s do not share a build-id' % (binary, debug))

    def debug_dir(tag, src):
        d = os.path.join(ctx.tmp, tag)
        os.makedirs(os.path.join(d, '.build-id', bid[:2]))
        shutil.copy(src, os.path.join(d, '.build-id', bid[:2], bid[2:] + '.debug'))
        return d

    f = ctx.record([binary], 'stack-buildid')
    # Without the debug directory nothing names the program's functions.
    events, _ = ctx.report_json(f)
    check_stripped_unnamed(ctx, only(events, 'build-id, no --debug-dir')[0], binary,
                           'build-id, no --debug-dir')
    # A debug file of another build at the right path must not be used.
    wrong = debug_dir('wrong', ctx.path('stack-cfi'))
    events, _ = ctx.report_json(f, '--debug-dir', wrong)
    check_stripped_unnamed(ctx, only(events, 'build-id, wrong file')[0], binary,
                           'build-id, --debug-dir with a file of another build-id')
    # The right one, found only through its build-id.
    right = debug_dir('right', debug)
    ev = only(ctx.report_json(f, '--debug-dir', right)[0], 'build-id')[0]
    check_connect(ev, 'build-id', 'stack-buildid')
    check_end(ev, 'complete', 'build-id')
    fr, _ = match_seq(ev, stack_seq(ctx), os.path.dirname(os.path.realpath(binary)), 'build-id')
    check_own_frames(ctx, ev, fr, binary, STACK_CHAIN,
                     os.path.join(ctx.paths['srcdir'], 'stack.c'), 'build-id',
                     ctx.path('stack-unstripped'))


def case_main_exits(ctx):
    """The main thread leaves first (pthread_exit); the worker's stack still unwinds."""
    binary = ctx.path('stack-mainexit')
    f = ctx.record([binary], 'mainexit')
    ev = only(ctx.report_json(f)[0], 'main-exits')[0]
    check_connect(ev, 'main-exits', 'stack-mainexit')
    check_end(ev, 'complete', 'main-exits')
    match_seq(ev, [CONNECT, 'worker_connect', 'worker_two', 'worker_start'] + ctx.thread_tail(),
              os.path.dirname(os.path.realpath(binary)), 'main-exits')


def case_minidebuginfo(ctx):
    """A binary stripped of everything but a .gnu_debugdata section (MiniDebugInfo,
    as Fedora ships them: an xz-compressed ELF holding .symtab): names come from it."""
    src = ctx.path('stack-unstripped')
    tools = {t: shutil.which(t) for t in ('nm', 'objcopy', 'strip', 'xz')}
    missing = [t for t, p in tools.items() if not p]
    if missing:
        skip('no %s to build a MiniDebugInfo binary' % ', '.join(missing))
    d = os.path.join(ctx.tmp, 'mini')
    os.makedirs(d)
    binary, debug, mini = (os.path.join(d, n) for n in ('stack-mini', 'full.debug', 'mini'))
    shutil.copy(src, binary)
    funcs = ctx.run([tools['nm'], '--format=posix', '--defined-only', src]).stdout
    keep = sorted({line.split()[0] for line in funcs.splitlines()
                   if len(line.split()) > 1 and line.split()[1] in 'Tt'})
    with open(os.path.join(d, 'keep'), 'w') as k:
        k.write('\n'.join(keep) + '\n')
    ctx.run([tools['objcopy'], '--only-keep-debug', src, debug])
    ctx.run([tools['objcopy'], '-S', '--remove-section', '.gdb_index', '--remove-section',
             '.comment', '--keep-symbols=' + os.path.join(d, 'keep'), debug, mini])
    ctx.run([tools['strip'], '--strip-all', '-R', '.comment', binary])
    ctx.run([tools['xz'], '-f', mini])
    ctx.run([tools['objcopy'], '--add-section', '.gnu_debugdata=' + mini + '.xz', binary])
    sections = ctx.run([ctx.paths['readelf'], '-SW', binary]).stdout
    if '.gnu_debugdata' not in sections or ' .symtab ' in sections:
        fail('%s: not a MiniDebugInfo binary:\n%s' % (binary, sections))
    f = ctx.record([binary], 'stack-mini')
    ev = only(ctx.report_json(f)[0], 'minidebuginfo')[0]
    check_connect(ev, 'minidebuginfo', 'stack-mini')
    check_end(ev, 'complete', 'minidebuginfo')
    match_seq(ev, stack_seq(ctx), d, 'minidebuginfo')


def case_symfs(ctx):
    """--symfs DIR: the recording host's files, copied under DIR, are used when the
    file at the recorded path is another build."""
    d = os.path.join(ctx.tmp, 'host', 'bin')
    os.makedirs(d)
    binary = os.path.join(d, 'prog')
    shutil.copy(ctx.path('stack-cfi'), binary)
    f = ctx.record([binary], 'symfs')
    symfs = os.path.join(ctx.tmp, 'symfs')
    os.makedirs(symfs + d)
    shutil.copy(binary, symfs + binary)
    shutil.copy(ctx.path('stack-deep'), binary)   # another build at the recorded path
    ev = only(ctx.report_json(f)[0], 'symfs, without --symfs')[0]
    own = [x for x in ev['frames'] if x.get('dso') == binary]
    if not own or any(x.get('symbol') for x in own) or \
            not all(x.get('build_id_mismatch') for x in own):
        fail('symfs: without --symfs the other build must not name frames\n' + show(ev))
    ev = only(ctx.report_json(f, '--symfs', symfs)[0], 'symfs')[0]
    check_end(ev, 'complete', 'symfs')
    match_seq(ev, stack_seq(ctx), d, 'symfs')


def deep_event(ctx, depth, extra=()):
    binary = ctx.path('stack-deep')
    f = ctx.record([binary, str(depth)], 'deep-%d-%s' % (depth, '-'.join(extra)), extra=extra)
    events, err = ctx.report_json(f)
    ev = only(events, 'deep %d' % depth)[0]
    check_connect(ev, 'deep', 'stack-deep')
    return ev, err, os.path.dirname(os.path.realpath(binary))


def count_recurse(ev, what):
    names = [name(x) for x in ev['frames']]
    if names[1:2] != ['deep_connect']:
        fail('%s: frame 1 is not deep_connect\n%s' % (what, show(ev)))
    n = 0
    while 2 + n < len(names) and names[2 + n] == 'recurse':
        if ev['frames'][2 + n].get('inlined'):
            fail('%s: recursion is no inlining: the same pc twice is two calls\n%s' % (what, show(ev)))
        n += 1
    return n


def case_deep(ctx):
    ev, err, _ = deep_event(ctx, 2000)
    check_end(ev, 'truncated', 'deep 2000')
    n = count_recurse(ev, 'deep 2000')
    # Each recurse frame takes 16 bytes: 8192 bytes hold about 500.
    if n < 8192 // 64:
        fail('deep 2000: only %d recurse frames from an 8192-byte snapshot\n%s' % (n, show(ev)))
    if n + 2 != len(ev['frames']):
        fail('deep 2000: frames after the recurse ones in a truncated stack\n%s' % show(ev))
    st = stats(err, 'deep 2000')
    if st['truncated'] != 1 or st['complete'] != 0 or st['events'] != 1:
        fail('deep 2000: the summary on stderr must count 1 event, 1 truncated: %s' % st)
    m = re.search(r'--stack-size[ =](\d+)', err)
    if not m or int(m.group(1)) <= 8192:
        fail('deep 2000: the report must say which --stack-size (> 8192) would fit:\n' + err)
    # Take the advice: the stack must then fit.
    size = m.group(1)
    ev, err, builddir = deep_event(ctx, 2000, ('--stack-size', size))
    if ev.get('stack_end') != 'complete' or count_recurse(ev, 'deep 2000') != 2000:
        fail('deep 2000: the report advised --stack-size %s, but with it the stack ends %s after '
             '%d recurse frames of 2000' % (size, ev.get('stack_end'), count_recurse(ev, 'deep')))


def case_deep_fits(ctx):
    # 100 levels fit the default 8192 bytes; 1000 levels (about 17 KB) fit 65528.
    for depth, extra in ((100, ()), (1000, ('--stack-size', '65528'))):
        what = 'deep %d %s' % (depth, ' '.join(extra))
        ev, _, builddir = deep_event(ctx, depth, extra)
        if ev.get('stack_end') == 'truncated' and toint(ev.get('stack_size', 0)) < 65528 - 4096:
            fail('%s: "truncated", but the snapshot (%s bytes) held the whole stack: a limit of '
                 'the report is no truncation by the snapshot size\n%s' %
                 (what, ev.get('stack_size'), show(ev)))
        check_end(ev, 'complete', what)
        match_seq(ev, [CONNECT, 'deep_connect'] + ['recurse'] * depth + ['main'] +
                  ctx.start_tail(), builddir, what)


LISTING_HEAD = re.compile(r'\[pid +(\d+)\] connect\((\d+), (0x[0-9a-f]+), 16\) = -1 '
                          r'ECONNREFUSED \(Connection refused\)')
LISTING_FRAME = re.compile(r' > (.*)\((?:(.+)\+0x([0-9a-f]+))?\) \[0x([0-9a-f]+)\](?: (.*))?')


def parse_listing(out):
    evs = []
    for line in out.splitlines():
        if not line.strip():
            continue
        m = LISTING_HEAD.fullmatch(line)
        if m:
            evs.append({'head': m, 'frames': []})
            continue
        m = LISTING_FRAME.fullmatch(line)
        if not m or not evs:
            fail('listing: unexpected line %r\nwhole output:\n%s' % (line, out))
        evs[-1]['frames'].append(m)
    return evs


def case_listing(ctx):
    binary = ctx.path('stack-cfi')
    f = ctx.record([binary], 'listing')
    ev = only(ctx.report_json(f)[0], 'listing json')[0]
    out, _ = ctx.report(f)
    lst = parse_listing(out)
    if len(lst) != 1:
        fail('listing: %d events, expected 1:\n%s' % (len(lst), out))
    head, lf = lst[0]['head'], lst[0]['frames']
    if int(head.group(1)) != ev['pid'] or int(head.group(2)) != toint(ev['args'][0]):
        fail('listing: %r disagrees with the JSON pid %d fd %s' % (head.group(0), ev['pid'], ev['args'][0]))
    names = [m.group(2) or '?' for m in lf]
    text = ''.join(n + '\n' for n in names)
    want = ''.join('(?:%s)\n' % e for e in stack_seq(ctx))
    if not re.fullmatch(want, text):
        fail('listing: frame names %s do not match %s\n%s' % (names, stack_seq(ctx), out))
    # Each line agrees with the JSON frame of the same address.
    by_rel = {toint(x['rel']): x for x in ev['frames'] if not x.get('inlined')}
    for m in lf:
        x = by_rel.get(int(m.group(4), 16))
        if x is None:
            fail('listing: [0x%s] is no frame address of the JSON output (must be the address '
                 'in the file, like strace -k)\n%s\n%s' % (m.group(4), out, show(ev)))
        if os.path.realpath(m.group(1)) != os.path.realpath(x['dso']) or \
                (m.group(2) or None) != x.get('symbol') or \
                (m.group(3) and int(m.group(3), 16) != toint(x['offset'])):
            fail('listing: %r disagrees with JSON frame %s' % (m.group(0), x))
    # --srcline: do_connect's line shows where it calls connect.
    out, _ = ctx.report(f, '--srcline')
    lf = parse_listing(out)[0]['frames']
    line = call_lines(os.path.join(ctx.paths['srcdir'], 'stack.c'))['connect']
    dc = [m.group(0) for m in lf if m.group(2) == 'do_connect']
    if len(dc) != 1 or not re.search(r'stack\.c:%d\b' % line, dc[0]):
        fail('listing --srcline: do_connect must show stack.c:%d\n%s' % (line, out))


def case_tree(ctx):
    binary = ctx.path('stack-cfi')
    f = ctx.record([binary, '4'], 'tree')
    if len(ctx.report_json(f)[0]) != 4:
        fail('tree: expected 4 events from "stack-cfi 4"')
    chain = ['do_connect', 'level_three', 'level_two', 'level_one', 'main']
    for opt, first, last in (('--tree', 'do_connect', 'main'),
                             ('--tree=top-down', 'main', 'do_connect')):
        out, _ = ctx.report(f, opt)
        lines = out.splitlines()
        pos = {}
        for n in chain:
            hits = [i for i, line in enumerate(lines) if re.search(r'\b%s\b' % n, line)]
            if not hits:
                fail('%s: %s is missing\n%s' % (opt, n, out))
            pos[n] = hits[0]
            if not re.search(r'\b4\b', lines[hits[0]]):
                fail('%s: the line of %s does not count its 4 events: %r\n%s' %
                     (opt, n, lines[hits[0]], out))
        if not re.search(r'\bconnect\b', out) or 'ECONNREFUSED' not in out:
            fail('%s: the syscall and its errno are missing\n%s' % (opt, out))
        if pos[first] > pos[last]:
            fail('%s: %s must come before %s\n%s' % (opt, first, last, out))


# -- the perf oracle ------------------------------------------------------------

PERF_FRAME = re.compile(r'\s+([0-9a-f]+) (.*) \((.*)\)')
PERF_HEAD = re.compile(r'\s*(\d+)/(\d+)\s')


def perf_to_vaddr(ctx, dso, off, cache={}):
    """perf prints a frame's place as an offset in the mapped file; screc's rel
    is the ELF address, as addr2line wants it.  They differ where a LOAD
    segment's address is not its offset (lld, Rust)."""
    if dso not in cache:
        segs = []
        if dso.startswith('/') and os.path.exists(dso):
            out = ctx.run([ctx.paths['readelf'], '-lW', dso]).stdout
            for m in re.finditer(r'LOAD\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+)', out):
                segs.append(tuple(int(x, 16) for x in m.groups()))
        cache[dso] = segs
    for o, v, sz in cache[dso]:
        if o <= off < o + sz:
            return off - o + v
    return off


def perf_script(ctx, data):
    p = ctx.run([ctx.paths['perf'], 'script', '-i', data, '--no-inline', '--max-stack', '4096',
                 '-F', 'pid,tid,ip,sym,symoff,dso'])
    samples = []
    for line in p.stdout.splitlines():
        if not line.strip():
            continue
        m = PERF_HEAD.match(line)
        if m and not line.startswith('\t'):
            samples.append({'pid': int(m.group(1)), 'tid': int(m.group(2)), 'frames': []})
            continue
        m = PERF_FRAME.fullmatch(line)
        if not m or not samples:
            fail('perf script: cannot parse %r' % line)
        sym = m.group(2)
        s = re.fullmatch(r'(.*)\+0x([0-9a-f]+)', sym)
        samples[-1]['frames'].append({
            'rel': perf_to_vaddr(ctx, m.group(3), int(m.group(1), 16)),
            'symbol': None if sym == '[unknown]' or not s else s.group(1),
            'offset': int(s.group(2), 16) if s else None,
            'dso': m.group(3),
        })
    return samples


def compare_with_perf(ctx, what, pev, sev):
    """Every frame perf names, screc has at the same depth, the same place
    (perf shows return addresses minus one) and the same function (the same
    name, or an alias: the same start).  screc may go further than perf."""
    sf = [x for x in sev['frames'] if not x.get('inlined')]
    for i, p in enumerate(pev['frames']):
        if p['symbol'] is None:
            continue
        if i >= len(sf):
            fail('%s: perf unwound %d frames, screc only %d\n%s' %
                 (what, len(pev['frames']), len(sf), show(sev)))
        s = sf[i]
        rel = toint(s.get('rel'))
        if rel is None or p['rel'] not in (rel, rel - 1):
            fail('%s: frame %d: perf at 0x%x in %s (%s), screc at %s (%s)\n%s' %
                 (what, i, p['rel'], p['dso'], p['symbol'], s.get('rel'), s.get('symbol'), show(sev)))
        if not s.get('symbol'):
            fail('%s: frame %d: perf names it %s, screc does not\n%s' % (what, i, p['symbol'], show(sev)))
        same_start = p['rel'] - p['offset'] == rel - toint(s['offset'])
        if not same_start and not s['symbol'].startswith(p['symbol']):
            fail('%s: frame %d: perf says %s+0x%x, screc %s+0x%x\n%s' %
                 (what, i, p['symbol'], p['offset'], s['symbol'], toint(s['offset']), show(sev)))


def case_oracle_perf(ctx):
    perf = ctx.paths.get('perf')
    if not perf:
        skip('perf was not found at configure time')
    # (targets, together): together, perf runs under the recorder and both see
    # the same calls, matched by thread.  Under the recorder, perf 6.1 crashes on
    # fork+exec (in its build-id code), so that one runs twice and its events,
    # in a fixed order, are matched by order.
    programs = [(('stack-cfi',), True), (('stack-fp',), True), (('stack-threads',), True),
                (('stack-signal',), True), (('stack-cxx',), True), (('rust-legacy',), True),
                (('rust-v0',), True), (('stack-fork', 'stack-exec'), False),
                (('stack-deep',), True)]
    compared = 0
    for prog, together in programs:
        if not all(ctx.paths.get(n) for n in prog):
            continue
        argv = ctx.need(*prog)
        tag = 'oracle-' + prog[0]
        data = os.path.join(ctx.tmp, tag + '.perf')
        perf_argv = [perf, 'record', '-q', '-e', 'syscalls:sys_enter_connect',
                     '--call-graph', 'dwarf,8192', '-o', data, '--'] + argv
        if together:
            f = ctx.record(perf_argv, tag)
        else:
            f = ctx.record(argv, tag)
            p = ctx.run(perf_argv, check=False)
            if p.returncode != 0:
                if perf_forbidden(p.stderr) or 'Permission' in p.stderr:
                    skip('perf record is not permitted here: ' + p.stderr.strip())
                fail('%s: exit %d\n%s' % (' '.join(perf_argv), p.returncode, p.stderr))
        events, _ = ctx.report_json(f)
        samples = perf_script(ctx, data)
        if not samples:
            # perf ran and exited 0 (a refusal would have made it fail): the
            # programs make calls, so an empty perf.data is a broken comparison.
            fail('%s: perf record exited 0 but recorded no sys_enter_connect sample of %s '
                 '(screc recorded %d connect calls%s): nothing to compare with' %
                 (tag, ' '.join(argv), len(events), ' of the same run' if together else ''))
        if together:
            groups = [([s for s in samples if s['tid'] == tid], [e for e in events if e['tid'] == tid],
                       'tid %d' % tid)
                      for tid in sorted({s['tid'] for s in samples} | {e['tid'] for e in events})]
        else:
            groups = [(samples, events, 'in order')]
        for ps, ss, which in groups:
            if len(ps) != len(ss):
                fail('%s: %s: perf has %d events, screc %d' % (tag, which, len(ps), len(ss)))
            for n, (p, s) in enumerate(zip(ps, ss)):
                compare_with_perf(ctx, '%s %s event %d' % (tag, which, n), p, s)
                compared += 1
    if not compared:
        fail('oracle: nothing compared')
    print('compared %d events with perf' % compared)


def case_filters(ctx):
    """--pid, --tid, --comm, --syscall, --failed and --time keep exactly the events they name."""
    binary = ctx.path('stack-threads')
    f = ctx.record([binary], 'filters', events='connect,socket,close')
    events, _ = ctx.report_json(f)
    if not events:
        fail('filters: no events recorded')
    by_tid = {}
    for ev in events:
        by_tid.setdefault(ev['tid'], []).append(ev)
    pid = events[0]['pid']
    tid = sorted(by_tid)[-1]
    comm = events[0]['comm']

    def keys(evs):
        return sorted((e['tid'], e['syscall'], e['time']) for e in evs)

    def check(opts, want, what):
        got, _ = ctx.report_json(f, *opts)
        if keys(got) != keys(want):
            fail('filters: %s kept %d events, expected %d\n%s' %
                 (what, len(got), len(want), '\n'.join(show(e) for e in got[:3])))

    check(['--pid', str(pid)], events, '--pid of the process')
    check(['--pid', str(pid + 100000)], [], '--pid of another process')
    check(['--tid', str(tid)], by_tid[tid], '--tid')
    check(['--comm', comm], [e for e in events if e['comm'] == comm], '--comm')
    check(['--comm', 'no-such-comm'], [], '--comm of nothing')
    check(['--syscall', 'connect'], [e for e in events if e['syscall'] == 'connect'],
          '--syscall connect')
    check(['--syscall', 'socket,close'], [e for e in events if e['syscall'] in ('socket', 'close')],
          '--syscall socket,close')
    failed = [e for e in events if e['return'] is not None and -4096 < e['return'] < 0]
    if not failed or len(failed) == len(events):
        fail('filters: the target should make both failing and succeeding calls')
    check(['--failed'], failed, '--failed')
    check(['--syscall', 'connect', '--failed'], [e for e in failed if e['syscall'] == 'connect'],
          '--syscall connect --failed')
    times = sorted(e['rel_time'] for e in events)
    mid = times[len(times) // 2]
    check(['--time', '%.9f,' % mid], [e for e in events if e['rel_time'] >= mid - 1e-9], '--time FROM,')
    check(['--time', '0,%.9f' % (times[0] - 1e-6)] if times[0] > 1e-6 else ['--time', '1000,'], [],
          '--time window before any event')


# -- the vdso ------------------------------------------------------------------

# The vdso's clock_gettime: kernels export it as __vdso_clock_gettime and as
# its alias clock_gettime (version LINUX_2.6).
VDSO_CLOCK = r'(?:__vdso_)?clock_gettime(?:@@?LINUX_[\d.]+)?'
LIBC_CLOCK = r'(?:__GI___clock_gettime|__clock_gettime(?:64)?|clock_gettime)(?:@@?GLIBC_[\d.]+)?'
REC_BLOB, BLOB_VDSO = 10, 1


def rewrite_vdso(ctx, src, dst, old, new):
    """Copy the recording src to dst with every `old` in its saved vdso image
    replaced by `new` (as long): the file header stays, the records are
    decompressed and compressed again with the zstd tool.  Returns how many
    were replaced."""
    zstd = ctx.paths.get('zstd')
    if not zstd:
        skip('zstd (the command) was not found at configure time: cannot rewrite a recording')
    if len(old) != len(new):
        fail('rewrite_vdso: %r and %r differ in length' % (old, new))
    with open(src, 'rb') as fh:
        data = fh.read()
    # struct screc_file_header: magic[8], version, min_version, header_size
    hsize = struct.unpack_from('<I', data, 16)[0]
    p = subprocess.run([zstd, '-d', '-c', '-q'], input=data[hsize:], capture_output=True)
    if p.returncode != 0:
        fail('zstd -d on %s: %s' % (src, p.stderr.decode(errors='replace')))
    recs = bytearray(p.stdout)
    off = replaced = 0
    while off + 8 <= len(recs):
        rtype, size = struct.unpack_from('<II', recs, off)
        if size < 8 or size % 8 or size > len(recs) - off:
            fail('%s: a record of %d bytes at offset %d of the decompressed data' % (src, size, off))
        # struct screc_rec_blob: hdr, kind, level, ..., path_len at 56, data_len at 60
        if rtype == REC_BLOB and struct.unpack_from('<I', recs, off + 8)[0] == BLOB_VDSO:
            path_len, data_len = struct.unpack_from('<II', recs, off + 56)
            lo = off + 64 + path_len
            piece = bytes(recs[lo:lo + data_len])
            replaced += piece.count(old)
            recs[lo:lo + data_len] = piece.replace(old, new)
        off += size
    p = subprocess.run([zstd, '-c', '-q'], input=bytes(recs), capture_output=True)
    if p.returncode != 0:
        fail('zstd on the rewritten records: %s' % p.stderr.decode(errors='replace'))
    with open(dst, 'wb') as fh:
        fh.write(data[:hsize] + p.stdout)
    return replaced


def case_vdso(ctx):
    """A syscall the vdso makes itself: its frame is named from the vdso image
    the recording saved, and from nothing else."""
    binary = ctx.path('stack-vdso')
    with open('/proc/self/maps') as fh:
        if '[vdso]' not in fh.read():
            skip('this kernel maps no vdso into processes (booted with vdso=0?)')
    f = ctx.record([binary], 'vdso', events='clock_gettime')
    ev = only(ctx.report_json(f)[0], 'vdso')[0]
    what = 'vdso'
    if ev.get('syscall') != 'clock_gettime' or toint(ev['args'][0]) != 2:
        fail('%s: not clock_gettime(CLOCK_PROCESS_CPUTIME_ID)\n%s' % (what, show(ev)))
    check_end(ev, 'complete', what)
    seq = [VDSO_CLOCK, Opt(LIBC_CLOCK), 'vdso_two', 'vdso_one', 'main'] + ctx.start_tail()
    fr, idx = match_seq(ev, seq, os.path.dirname(os.path.realpath(binary)), what)
    vd = fr[0]
    if vd.get('dso') != '[vdso]' or vd.get('method') != 'initial':
        fail('%s: the syscall is made in the vdso: frame 0 must be in [vdso], method initial\n%s' %
             (what, show(ev)))
    check_call_lines(ev, fr, idx, os.path.join(ctx.paths['srcdir'], 'stack-vdso.c'),
                     {2: 'clock_gettime', 3: 'vdso_two', 4: 'vdso_one'}, what)
    # The recording holds the vdso image, and the frame carries its build-id.
    raw = ctx.run([ctx.screc, 'report', '--raw', f]).stdout
    blob = re.search(r'^blob kind=vdso .*\bbuild_id=([0-9a-f]+)\b', raw, re.M)
    if not blob:
        fail('%s: the recording saved no vdso image (no "blob kind=vdso" in --raw)' % what)
    if vd.get('build_id') != blob.group(1):
        fail('%s: the [vdso] frame has build-id %r, the saved image %s' %
             (what, vd.get('build_id'), blob.group(1)))
    info = ctx.run([ctx.screc, 'info', f]).stdout
    if not re.search(r'^\s+%s\s+\[vdso\]\s+saved in the recording\s*$' % blob.group(1), info, re.M):
        fail('%s: screc info must list %s [vdso] as saved in the recording:\n%s' %
             (what, blob.group(1), info))
    # Whatever this host's vdso is: rename clock_gettime in the saved image
    # only; the frame must then carry the new name, at the same place.
    renamed = os.path.join(ctx.tmp, 'vdso-renamed.screc')
    if not rewrite_vdso(ctx, f, renamed, b'clock_gettime\0', b'screc_renamed\0'):
        fail('%s: the saved vdso image has no clock_gettime in its strings' % what)
    ev2 = only(ctx.report_json(renamed)[0], what + ', renamed')[0]
    vd2 = ev2['frames'][0]
    if not re.fullmatch(r'(?:__vdso_)?screc_renamed(?:@@?LINUX_[\d.]+)?', name(vd2)) or \
            vd2.get('dso') != '[vdso]' or vd2.get('offset') != vd.get('offset') or \
            vd2.get('rel') != vd.get('rel'):
        fail('%s: with clock_gettime renamed screc_renamed in the recording\'s vdso image, the '
             'frame must say so (it was %s+%s): the name came from somewhere else\n%s' %
             (what, name(vd), vd.get('offset'), show(ev2)))


# -- frame-pointer chains that break ---------------------------------------------

FPBREAK_OWN = ('fb_connect', 'fb_three', 'fb_break', 'fb_two', 'fb_one', 'nf_connect',
               'nf_noframe', 'nf_two', 'nf_one', 'main')


def case_fp_break(ctx):
    """The rbp chain leads nowhere at fb_break (a fake frame whose "return
    address" follows no call, or no address at all): the stack ends there,
    not complete, and no frame is invented past it."""
    binary = ctx.path('stack-fpbreak')
    check_no_cfi(ctx, binary, FPBREAK_OWN)
    builddir = os.path.dirname(os.path.realpath(binary))
    for mode in ('fake', 'junk'):
        what = 'fp-break ' + mode
        f = ctx.record([binary, mode], 'fpbreak-' + mode)
        events, err = ctx.report_json(f)
        ev = only(events, what)[0]
        check_connect(ev, what, 'stack-fpbreak')
        fr, _ = match_seq(ev, [CONNECT, 'fb_connect', 'fb_three', 'fb_break'], builddir,
                          what + ' (nothing may follow fb_break: its rbp points at no frame '
                          'of a caller)')
        got = [x.get('method') for x in fr[2:]]
        if got != ['fp', 'fp']:
            fail('%s: fb_three and fb_break were found by %s, not by frame pointers\n%s' %
                 (what, got, show(ev)))
        check_end(ev, 'broken', what)
        st = stats(err, what)
        if st['complete'] != 0 or st['truncated'] != 0:
            fail('%s: the summary counts the broken stack as %s' % (what, st))
        out, _ = ctx.report(f)
        last = out.splitlines()[-1] if out.strip() else ''
        if last != ' > [unwinding stopped: no unwind information]':
            fail('%s: the listing must end with " > [unwinding stopped: no unwind '
                 'information]", not %r\n%s' % (what, last, out))


def case_fp_noframe(ctx):
    """nf_noframe keeps no frame pointer and no CFI covers it: rbp, untouched,
    still holds nf_two's frame, so following it from nf_noframe would skip
    nf_two.  Only its prologue (sub $24, %rsp) tells where its return
    address is."""
    binary = ctx.path('stack-fpbreak')
    check_no_cfi(ctx, binary, FPBREAK_OWN)
    what = 'fp-noframe'
    f = ctx.record([binary, 'noframe'], 'fpbreak-noframe')
    ev = only(ctx.report_json(f)[0], what)[0]
    check_connect(ev, what, 'stack-fpbreak')
    fr, idx = match_seq(ev, [CONNECT, 'nf_connect', 'nf_noframe', 'nf_two', 'nf_one', 'main'] +
                        ctx.start_tail(), os.path.dirname(os.path.realpath(binary)), what)
    check_end(ev, 'complete', what)
    if fr[idx[3]].get('method') != 'prologue':
        fail('%s: nf_two must be found from nf_noframe\'s prologue (its stack height), '
             'not by %r\n%s' % (what, fr[idx[3]].get('method'), show(ev)))


# -- the process model -------------------------------------------------------------

def case_thread_names(ctx):
    """Threads renamed with pthread_setname_np (by themselves, by another
    thread) carry their new names in the JSON output and in --comm."""
    binary = ctx.path('stack-threadname')
    f = ctx.record([binary], 'threadname')
    events, _ = ctx.report_json(f)
    only(events, 'thread-names', 3)
    builddir = os.path.dirname(os.path.realpath(binary))
    main_comm = os.path.basename(binary)[:15]
    want = {
        'self_connect': ('screc-selfname', [CONNECT, 'self_connect', 'self_start'] +
                         ctx.thread_tail()),
        'named_connect': ('screc-byparent', [CONNECT, 'named_connect', 'named_start'] +
                          ctx.thread_tail()),
        'main_connect': (main_comm, [CONNECT, 'main_connect', 'main'] + ctx.start_tail()),
    }
    by_comm = {}
    for ev in events:
        key = name(ev['frames'][1]) if len(ev.get('frames', [])) > 1 else '?'
        if key not in want:
            fail('thread-names: unexpected event\n' + show(ev))
        comm, seq = want[key]
        check_connect(ev, 'thread-names: ' + key, comm)
        match_seq(ev, seq, builddir, 'thread-names: ' + key)
        by_comm[comm] = ev
    for comm, ev in by_comm.items():
        got, _ = ctx.report_json(f, '--comm', comm)
        if [e['tid'] for e in got] != [ev['tid']]:
            fail('thread-names: --comm %s kept tids %s, expected [%d]' %
                 (comm, [e['tid'] for e in got], ev['tid']))
    got, _ = ctx.report_json(f, '--comm', 'screc-selfname,screc-byparent')
    if len(got) != 2:
        fail('thread-names: --comm screc-selfname,screc-byparent kept %d events, expected 2' %
             len(got))


RAW_MMAP = re.compile(r'^mmap2 .*\bpid=(\d+) .*\bstart=(0x[0-9a-f]+) end=(0x[0-9a-f]+) '
                      r'pgoff=\S+ prot=r-x .*\bpath=(.*)$', re.M)


def case_exec_overlap(ctx):
    """Without address randomization, the image stack-execbig's child execs
    lands where stack-execbig's larger code was: after the exec, only the new
    image may name frames."""
    big, exe = ctx.need('stack-execbig', 'stack-exec')
    setarch = ctx.paths.get('setarch')
    if not setarch:
        skip('setarch was not found at configure time')
    wrap = [setarch, os.uname().machine, '-R']
    p = ctx.run(wrap + ['true'], check=False)
    if p.returncode != 0:
        skip('address randomization cannot be turned off here (%s): %s' %
             (' '.join(wrap), p.stderr.strip()))
    f = ctx.record([big, exe], 'exec-overlap', wrap=wrap)
    # The premise: the new image's code lies inside the old image's code mapping.
    raw = ctx.run([ctx.screc, 'report', '--raw', f]).stdout
    maps = [(int(s, 16), int(e, 16), os.path.realpath(path))
            for _, s, e, path in RAW_MMAP.findall(raw)]
    old = [(s, e) for s, e, path in maps if path == os.path.realpath(big)]
    new = [(s, e) for s, e, path in maps if path == os.path.realpath(exe)]
    if not any(s1 <= s2 and e2 < e1 for s1, e1 in old for s2, e2 in new):
        fail('exec-overlap: under %s, %s\'s code %s does not lie inside %s\'s %s: the test '
             'proves nothing\n%s' % (' '.join(wrap), exe, ['%#x-%#x' % m for m in new], big,
                                     ['%#x-%#x' % m for m in old],
                                     '\n'.join(x for x in raw.splitlines() if 'mmap2' in x)))
    ev = only(ctx.report_json(f)[0], 'exec-overlap')[0]
    what = 'exec-overlap (names from the new image)'
    check_connect(ev, what, 'stack-exec')
    check_end(ev, 'complete', what)
    fr, _ = match_seq(ev, [CONNECT, 'exec_connect', 'exec_one', 'main'] + ctx.start_tail(),
                      os.path.dirname(os.path.realpath(exe)), what)
    for x in fr[1:4]:
        if os.path.realpath(x.get('dso') or '') != os.path.realpath(exe):
            fail('%s: %s in %r, not %s\n%s' % (what, name(x), x.get('dso'), exe, show(ev)))


def case_attach(ctx):
    """screc record -p on a running process: its maps come from /proc at
    attach time, and its frames are named from them."""
    binary = ctx.path('stack-attach')
    target = subprocess.Popen([binary], stdout=subprocess.PIPE, text=True, env=ctx.env)
    out = os.path.join(ctx.tmp, 'attach.screc')
    cmd = [ctx.screc, 'record', '-e', 'connect', '-p', str(target.pid), '--duration', '1',
           '-o', out]
    try:
        ready = target.stdout.readline()
        if ready != 'ready\n':
            fail('attach: %s did not start (said %r)' % (binary, ready))
        p = ctx.run(cmd, check=False, timeout=60)
    finally:
        target.kill()
        target.wait()
        target.stdout.close()
    if p.returncode != 0:
        if perf_forbidden(p.stderr):
            skip('perf_event_open is not permitted here: ' + p.stderr.strip())
        fail('%s: exit %d\n%s' % (' '.join(cmd), p.returncode, p.stderr[-4000:]))
    raw = ctx.run([ctx.screc, 'report', '--raw', out]).stdout
    if not re.search(r'^info .*\bmode=attach\b', raw, re.M):
        fail('attach: the recording does not say it attached (mode=attach):\n' + raw[:2000])
    events, _ = ctx.report_json(out)
    # A call every 10 ms for a second.
    if len(events) < 10:
        fail('attach: %d events in 1 s of a process that connects every 10 ms' % len(events))
    builddir = os.path.dirname(os.path.realpath(binary))
    seq = [CONNECT, 'attach_connect', 'attach_two', 'attach_one', 'main'] + ctx.start_tail()
    for n, ev in enumerate(events):
        what = 'attach event %d' % n
        check_connect(ev, what, 'stack-attach')
        if ev['pid'] != target.pid:
            fail('%s: pid %d, the target is %d' % (what, ev['pid'], target.pid))
        check_end(ev, 'complete', what)
        fr, _ = match_seq(ev, seq, builddir, what)
        check_own_frames(ctx, ev, fr, binary,
                         {'attach_connect': 'connect', 'attach_two': 'attach_connect',
                          'attach_one': 'attach_two', 'main': 'attach_one'},
                         os.path.join(ctx.paths['srcdir'], 'stack-attach.c'), what)


# -- the listing, byte for byte ------------------------------------------------------

def call_returns(ctx, binary):
    """{function: {callee: return address}} of binary, from objdump."""
    objdump = ctx.paths.get('objdump')
    if not objdump:
        skip('objdump was not found at configure time')
    return screctest.call_returns(objdump, binary)


def srcline(ctx, binary, addr):
    """addr2line's file:line for addr, with the file as the line table names it
    (relative to the compilation directory), or None."""
    a2l = ctx.paths.get('addr2line')
    if not a2l:
        skip('addr2line was not found at configure time')
    out = ctx.run([a2l, '-e', binary, '%#x' % addr]).stdout.strip()
    m = re.fullmatch(r'(.+):(\d+)(?: \(discriminator \d+\))?', out)
    if not m or m.group(1) == '??':
        return None
    path = m.group(1)
    info = ctx.run([ctx.paths['readelf'], '--debug-dump=info', binary]).stdout
    comp = re.search(r'DW_AT_comp_dir\s*:.*?:?\s(/\S*)\s*$', info, re.M)
    if comp and path.startswith(comp.group(1).rstrip('/') + '/'):
        path = path[len(comp.group(1).rstrip('/')) + 1:]
    return '%s:%s' % (path, m.group(2))


LIBC_FRAME = re.compile(r' > (/\S+)\((\S+)\+0x([0-9a-f]+)\) \[0x([0-9a-f]+)\](?: (\S+:\d+))?')


def expect_line(got, want, what, out):
    if got != want:
        fail('%s: expected the line\n  %r\ngot\n  %r\nwhole listing:\n%s' % (what, want, got, out))


def check_libc_line(ctx, line, regex, what, out):
    """A frame in a system library: its format, its name, and (where the
    library's own symbol table has that name) its offset."""
    m = LIBC_FRAME.fullmatch(line)
    if not m or not re.fullmatch(regex, m.group(2)):
        fail('%s: %r is not " > LIB(%s+0xOFF) [0xREL]"\nwhole listing:\n%s' %
             (what, line, regex, out))
    start = ctx.symtab(m.group(1)).get(m.group(2).split('@')[0])
    if start is not None and int(m.group(4), 16) - int(m.group(3), 16) != start:
        fail('%s: %r: 0x%s - 0x%s is not where %s starts (0x%x)' %
             (what, line, m.group(4), m.group(3), m.group(2), start))


def listing_head(ev):
    return '[pid %d] connect(%d, %#x, 16) = -1 ECONNREFUSED (Connection refused)' % (
        ev['tid'], toint(ev['args'][0]), toint(ev['args'][1]))


def case_listing_exact(ctx):
    """The listing of stack-cfi and of a truncated stack-deep, line by line:
    each frame of ours is " > PATH(SYM+0xOFF) [0xREL]" with REL the return
    address after its call (objdump) and OFF from the symbol table; with
    --srcline, addr2line's file:line follows."""
    binary = ctx.path('stack-cfi')
    dso = os.path.realpath(binary)
    rets = call_returns(ctx, binary)
    syms = ctx.symtab(binary)
    f = ctx.record([binary], 'listing-exact')
    ev = only(ctx.report_json(f)[0], 'listing-exact json')[0]
    # The sockaddr is the target's target_port9, in its .bss.
    bias = toint(ev['frames'][1]['address']) - toint(ev['frames'][1]['rel'])
    obj = re.search(r'\s([0-9a-f]+)\s+\d+\s+OBJECT\s+LOCAL\s+\w+\s+\d+\s+target_port9\s*$',
                    ctx.run([ctx.paths['readelf'], '-sW', binary]).stdout, re.M)
    if not obj or toint(ev['args'][1]) != bias + int(obj.group(1), 16):
        fail('listing-exact: connect\'s address argument %s is not target_port9 (%s + bias %#x)' %
             (ev['args'][1], obj and obj.group(1), bias))
    chain = [('do_connect', 'connect'), ('level_three', 'do_connect'),
             ('level_two', 'level_three'), ('level_one', 'level_two'), ('main', 'level_one')]
    start = ('_start', '__libc_start_main')

    def own(fn, callee, with_src):
        if callee not in rets.get(fn, {}):
            fail('listing-exact: objdump shows no call of %s in %s' % (callee, fn))
        ra = rets[fn][callee]
        line = ' > %s(%s+%#x) [%#x]' % (dso, fn, ra - syms[fn], ra)
        src = srcline(ctx, binary, ra - 1) if with_src else None
        return line + (' ' + src if src else '')

    for opts in ((), ('--srcline',)):
        what = 'listing-exact' + (' --srcline' if opts else '')
        out, _ = ctx.report(f, *opts)
        lines = out.splitlines()
        if len(lines) != 10:
            fail('%s: %d lines, expected the call and 9 frames:\n%s' % (what, len(lines), out))
        expect_line(lines[0], listing_head(ev), what, out)
        check_libc_line(ctx, lines[1], CONNECT, what, out)
        for n, (fn, callee) in enumerate(chain, 2):
            expect_line(lines[n], own(fn, callee, bool(opts)), what + ': ' + fn, out)
        check_libc_line(ctx, lines[7], ctx.libc_local('__libc_start_call_main'), what, out)
        check_libc_line(ctx, lines[8], START_MAIN, what, out)
        expect_line(lines[9], own(*start, bool(opts)), what + ': _start', out)

    # A stack deeper than a 4096-byte snapshot: its frames, then the marker.
    deep = ctx.path('stack-deep')
    ddso, drets, dsyms = os.path.realpath(deep), call_returns(ctx, deep), ctx.symtab(deep)
    f = ctx.record([deep, '2000'], 'listing-exact-deep', extra=('--stack-size', '4096'))
    ev = only(ctx.report_json(f)[0], 'listing-exact deep json')[0]
    check_end(ev, 'truncated', 'listing-exact deep')
    if toint(ev.get('stack_size')) != 4096:
        fail('listing-exact deep: %s bytes of stack recorded, asked 4096 of a deeper stack' %
             ev.get('stack_size'))
    out, _ = ctx.report(f)
    lines = out.splitlines()
    what = 'listing-exact, stack-deep 2000 --stack-size 4096'

    def dline(fn, callee):
        ra = drets[fn][callee]
        return ' > %s(%s+%#x) [%#x]' % (ddso, fn, ra - dsyms[fn], ra)

    if len(lines) < 16:
        fail('%s: %d lines:\n%s' % (what, len(lines), out))
    expect_line(lines[0], listing_head(ev), what, out)
    check_libc_line(ctx, lines[1], CONNECT, what, out)
    expect_line(lines[2], dline('deep_connect', 'connect'), what, out)
    expect_line(lines[3], dline('recurse', 'deep_connect'), what, out)
    for line in lines[4:-1]:
        expect_line(line, dline('recurse', 'recurse'), what, out)
    expect_line(lines[-1], ' > [stack truncated: 4096 bytes recorded]', what, out)


def libc_debug_file(ctx):
    """libc's separate debug file, or None."""
    for libc in ('/usr/lib/x86_64-linux-gnu/libc.so.6', '/lib64/libc.so.6',
                 '/usr/lib64/libc.so.6', '/usr/lib/libc.so.6'):
        if os.path.exists(libc):
            bid = ctx.build_id(libc)
            path = '/usr/lib/debug/.build-id/%s/%s.debug' % (bid[:2], bid[2:]) if bid else ''
            return (path, bid) if os.path.exists(path) else (None, bid)
    return None, None


def compressed_sections(ctx, path):
    """The names of path's sections with the C (SHF_COMPRESSED) flag, and of its NOBITS ones."""
    comp, nobits = [], []
    for line in ctx.run([ctx.paths['readelf'], '-SW', path]).stdout.splitlines():
        m = re.match(r'\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+'
                     r'\s+[0-9a-f]+\s+([A-Za-z]*)\s', line)
        if m:
            if 'C' in m.group(3):
                comp.append(m.group(1))
            if m.group(2) == 'NOBITS':
                nobits.append(m.group(1))
    return comp, nobits


def case_inflate_cache(ctx):
    """libc's debug file (libc6-dbg), whose sections are compressed, is handed to
    libdw inflated: the copy is cached by build-id, with no compressed section,
    and reused; a damaged cache file is made again; the output never changes."""
    binary = ctx.path('stack-threads')
    debug, bid = libc_debug_file(ctx)
    if not debug:
        skip("libc's separate debug file is not installed (Debian: apt-get install libc6-dbg): "
             'nothing to inflate')
    comp, _ = compressed_sections(ctx, debug)
    if '.debug_info' not in comp:
        skip('%s has no compressed .debug_info: nothing to inflate' % debug)
    f = ctx.record([binary], 'inflate', events='all')
    cache = os.path.join(ctx.tmp, 'cache')
    ctx.env['SCREC_CACHE_DIR'] = cache
    copy = os.path.join(cache, 'debug', bid + '.debug')
    views = (('-v',), ('-v', '--tree'), ('-v', '--format=json', '--srcline'))

    def reports(*extra):
        outs = []
        for v in views:
            out, err = ctx.report(f, *(v + extra))
            outs.append((out, err))
        return outs

    # The reference: libdw inflates the original file itself.
    ref = reports('--no-cache')
    if os.path.exists(cache):
        fail('--no-cache: %s was made' % cache)
    if not re.search(r'libc\.so\.6\([^)]*\) \[0x[0-9a-f]+\] \[inlined\]', ref[0][0]):
        fail('no inlined libc frame in the listing: the test needs them\n' + ref[0][0][-3000:])

    def same(outs, what):
        for v, (a, _), (b, err) in zip(views, ref, outs):
            if a != b:
                fail('%s: screc report %s differs from the report with --no-cache\n'
                     'stderr:\n%s' % (what, ' '.join(v), err[-3000:]))

    cold = reports()
    same(cold, 'a cold cache')
    if not os.path.exists(copy):
        fail('no %s after a report (stderr: %s)' % (copy, cold[0][1][-2000:]))
    if not re.search(r'%s: inflated into \d+ bytes' % re.escape(debug), cold[0][1]):
        fail('-v does not say that %s was inflated:\n%s' % (debug, cold[0][1][-3000:]))
    if ctx.build_id(copy) != bid:
        fail('%s has build-id %s, not %s' % (copy, ctx.build_id(copy), bid))
    comp, nobits = compressed_sections(ctx, copy)
    if comp:
        fail('%s still has compressed sections: %s' % (copy, ' '.join(comp)))
    if '.debug_info' in nobits or ('.debug_loclists' in compressed_sections(ctx, debug)[0] and
                                   '.debug_loclists' not in nobits):
        fail('%s: .debug_info must have its bytes, .debug_loclists none (NOBITS): %s' %
             (copy, nobits))
    if os.stat(copy).st_mode & 0o777 != 0o644:
        fail('%s: mode %o, not 644' % (copy, os.stat(copy).st_mode & 0o777))
    size = os.path.getsize(copy)

    warm = reports()
    same(warm, 'a warm cache')
    if 'inflated copy from the cache: ' + copy not in warm[0][1]:
        fail('the second report did not use %s:\n%s' % (copy, warm[0][1][-3000:]))

    # A damaged copy is not used, and is made again.
    with open(copy, 'r+b') as c:
        c.truncate(size // 2)
    again = reports()
    same(again, 'a truncated cache file')
    if 'is not its inflated copy: made again' not in again[0][1]:
        fail('the truncated %s was not refused:\n%s' % (copy, again[0][1][-3000:]))
    if os.path.getsize(copy) != size:
        fail('%s was not made again whole: %d bytes, not %d' % (copy, os.path.getsize(copy), size))
    # A copy whose build-id note says another build is not used either.
    with open(copy, 'r+b') as c:
        data = c.read()
        at = data.find(bytes.fromhex(bid))
        if at < 0:
            fail('%s does not hold its build-id' % copy)
        c.seek(at)
        c.write(bytes(b ^ 0xff for b in bytes.fromhex(bid)))
    same(reports(), 'a cache file with another build-id')
    if ctx.build_id(copy) != bid:
        fail('%s with another build-id was not made again' % copy)
    print('ok: %s inflated into %s (%d bytes), reused, made again when damaged; the output '
          'is the same' % (debug, copy, size))


CASES = {
    'filters': case_filters,
    'main-exits': case_main_exits,
    'minidebuginfo': case_minidebuginfo,
    'symfs': case_symfs,
    'cfi': case_cfi,
    'fp': case_fp,
    'threads': case_threads,
    'fork-exec': case_fork_exec,
    'signal': case_signal,
    'cxx': case_cxx,
    'rust': case_rust,
    'debuglink': case_debuglink,
    'build-id': case_build_id,
    'deep': case_deep,
    'deep-fits': case_deep_fits,
    'listing': case_listing,
    'tree': case_tree,
    'oracle-perf': case_oracle_perf,
    'vdso': case_vdso,
    'fp-break': case_fp_break,
    'fp-noframe': case_fp_noframe,
    'thread-names': case_thread_names,
    'exec-overlap': case_exec_overlap,
    'attach': case_attach,
    'listing-exact': case_listing_exact,
    'inflate-cache': case_inflate_cache,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in CASES:
        print('usage: e2e.py CASE NAME=PATH...\ncases: ' + ' '.join(CASES), file=sys.stderr)
        return 2
    ctx = Ctx(sys.argv[2:])
    try:
        for tool in ('readelf',):
            if not ctx.paths.get(tool):
                skip('%s was not found at configure time' % tool)
        CASES[sys.argv[1]](ctx)
    except Failed as e:
        print('FAIL: %s: %s' % (sys.argv[1], e))
        return 1
    finally:
        shutil.rmtree(ctx.tmp, ignore_errors=True)
    print('PASS: ' + sys.argv[1])
    return 0


if __name__ == '__main__':
    sys.exit(main())
