#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of unwinding where perf and strace stop (issue 13).

Each case runs one target of this directory (or a real runtime: node,
java, ld.so's start-up of everyday programs) under `screc record`, reads
the events through unwind-dump (every field the unwinder and the
symbolizer set, as JSON lines) and checks the frame names in order, how
each was found, which were guessed, and how the stack ends.  The same
program is then run under `perf record --call-graph dwarf` and `strace -f
-k`; for each tool a COMPARE line says how deep it got, how many frames it
named, and whether it got the expected sequence too.  screc must get it.

    unwind.py CASE NAME=PATH...   (meson passes every target as NAME=PATH)

Exit status: 0 pass, 1 fail, 77 skip (perf_event_open not permitted, a
toolchain or runtime missing), each with a message saying why.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from screctest import (CONNECT, SKIP, START_MAIN, Failed, fail,  # noqa: E402
                       perf_forbidden, skip)

ANY = None      # in a sequence: any number of frames, as few as possible
SYSCALL = r'(?:syscall|__GI_syscall)'
START_TAIL = [r'(?:__libc_start_call_main|\?)', START_MAIN, '_start']
THREAD_TAIL = [r'(?:start_thread|\?)', r'(?:__GI___clone3|__clone3|clone3|\?)']


def name(f):
    return f.get('symbol') or '?'


def physical(ev):
    return [f for f in ev.get('frames', []) if not f.get('inlined')]


def show(ev):
    lines = ['event pid=%s tid=%s syscall=%s stack_end=%s' %
             (ev.get('pid'), ev.get('tid'), ev.get('syscall'), ev.get('stack_end'))]
    for i, f in enumerate(ev.get('frames', [])):
        lines.append('  #%-3d %-9s%s %s%s  %s  %s:%s' % (
            i, f.get('method'), ' guessed' if f.get('guessed') else '', name(f),
            ' [inlined]' if f.get('inlined') else '', f.get('dso'), f.get('file'), f.get('line')))
    return '\n'.join(lines)


def seq_match(names, expected):
    """The match of the names (one per line) against the sequence, or None."""
    pattern = ''
    for i, e in enumerate(expected):
        pattern += '(?:.*\n)*?' if e is ANY else '(?P<f%d>%s)\n' % (i, e)
    return re.fullmatch(pattern, ''.join(n + '\n' for n in names))


def describe(expected):
    return '\n  '.join('<any frames>' if e is ANY else e for e in expected)


class Case:
    def __init__(self, argv):
        self.case = argv[0]
        self.paths = {}
        for a in argv[1:]:
            k, _, v = a.partition('=')
            self.paths[k] = v
        self.tmp = tempfile.mkdtemp(prefix='screc-unwind.')
        self.env = dict(os.environ)
        for k in ('DEBUGINFOD_URLS', 'DEBUGINFOD_CACHE_PATH', 'SCREC_PERF_MAP_DIR'):
            self.env.pop(k, None)
        self.env['LC_ALL'] = 'C'
        self.cleanups = []
        self.compared = {}

    def need(self, key, what):
        p = self.paths.get(key, '')
        if not p:
            skip('%s is not built or found here: %s was missing at configure time' % (key, what))
        if not os.path.exists(p):
            fail('%s: %s does not exist (was it built?)' % (key, p))
        return p

    def run(self, argv, env=None, check=True, timeout=120):
        e = dict(self.env)
        e.update(env or {})
        try:
            p = subprocess.run(argv, capture_output=True, text=True, env=e, timeout=timeout,
                               errors='replace')
        except subprocess.TimeoutExpired:
            fail('%s: still running after %d s' % (' '.join(argv), timeout))
        if check and p.returncode != 0:
            fail('%s: exit %d\nstdout:\n%s\nstderr:\n%s' %
                 (' '.join(argv), p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
        return p

    # -- screc ---------------------------------------------------------------------

    def record(self, argv, events, tag='rec', env=None, stack_size=None):
        out = os.path.join(self.tmp, tag + '.screc')
        cmd = [self.paths['screc'], 'record', '-e', events, '-o', out]
        if stack_size:
            cmd += ['--stack-size', str(stack_size)]
        p = self.run(cmd + ['--'] + argv, env, check=False)
        if p.returncode != 0:
            if perf_forbidden(p.stderr):
                skip('perf_event_open is not permitted here: ' + p.stderr.strip())
            fail('%s: exit %d (the target exits 0 when all went as expected)\n%s' %
                 (' '.join(cmd + argv), p.returncode, p.stderr[-3000:]))
        return out

    def dump(self, rec, env=None, no_inline=False):
        """The events of rec as unwind-dump prints them (with a summary check)."""
        cmd = [self.paths['unwind-dump']] + (['--no-inline'] if no_inline else []) + [rec]
        p = self.run(cmd, env)
        events = []
        for n, line in enumerate(p.stdout.splitlines(), 1):
            try:
                events.append(json.loads(line))
            except ValueError as e:
                fail('unwind-dump line %d is not JSON (%s): %r' % (n, e, line[:300]))
        m = re.search(r'(\d+) events: (\d+) complete, (\d+) truncated, (\d+) switched, '
                      r'(\d+) broken', p.stderr)
        if not m:
            fail('unwind-dump printed no totals:\n' + p.stderr)
        n = [int(x) for x in m.groups()]
        if n[0] != len(events) or n[0] != sum(n[1:]):
            fail('the totals do not add up to the events: %s, %d events printed' %
                 (m.group(0), len(events)))
        return events

    def report_json(self, rec, env=None):
        """`screc report --format=json`: what users see (names must agree with the dump)."""
        p = self.run([self.paths['screc'], 'report', '--format=json', rec], env)
        return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]

    # -- perf and strace -------------------------------------------------------------

    def perf(self, argv, syscall, env=None, stack_size=8192, keep=None):
        """[[symbol or None]] of perf's physical frames per event; None when perf cannot run."""
        perf = self.paths.get('perf')
        if not perf:
            return None
        data = os.path.join(self.tmp, 'perf.data')
        p = self.run([perf, 'record', '-q', '-o', data, '-e', 'syscalls:sys_enter_' + syscall,
                      '--call-graph', 'dwarf,%d' % stack_size, '--'] + argv, env, check=False)
        if p.returncode != 0:
            print('perf record failed (exit %d), not compared:\n%s' % (p.returncode,
                                                                      p.stderr[-2000:]))
            return None
        out = self.run([perf, 'script', '-i', data, '--no-inline', '-F', 'ip,sym,dso'],
                       check=False).stdout
        if keep:
            keep()
        events = []
        for block in re.split(r'\n\s*\n', out):
            frames = []
            for ln in block.strip('\n').splitlines():
                fm = re.match(r'\s*[0-9a-f]+ (.*) \((.*)\)$', ln)
                if fm:
                    sym = fm.group(1)
                    frames.append(None if sym == '[unknown]' else re.sub(r'\+0x[0-9a-f]+$', '',
                                                                         sym))
            if frames:
                events.append(frames)
        return events

    def strace(self, argv, syscall, env=None):
        strace = self.paths.get('strace')
        if not strace:
            return None
        log = os.path.join(self.tmp, 'strace.log')
        p = self.run([strace, '-f', '-qq', '-k', '-e', 'trace=' + syscall, '-o', log, '--'] +
                     argv, env, check=False)
        if p.returncode != 0 or not os.path.exists(log):
            print('strace failed (exit %d), not compared:\n%s' % (p.returncode,
                                                                 p.stderr[-2000:]))
            return None
        events = []
        cur = None
        with open(log) as fh:
            for ln in fh:
                ln = ln.rstrip('\n')
                if not ln.startswith(' > '):
                    cur = None
                    if re.match(r'(?:\d+\s+)?%s\(' % syscall, ln):
                        cur = []
                        events.append(cur)
                    continue
                if cur is None:
                    continue
                fm = re.match(r' > .*\((.*?)\) \[0x[0-9a-f]+\]$', ln)
                sym = fm.group(1) if fm else ''
                cur.append(re.sub(r'\+0x[0-9a-f]+$', '', sym) or None)
        return events

    def compare(self, kind, screc_ev, expected, perf_evs, strace_evs):
        """Print how deep each tool got on this kind of event and whether it got the
        expected sequence; screc must have (the caller checked its frames)."""
        def best(evs):
            if evs is None:
                return None
            got = [fr for fr in evs if seq_match([n or '?' for n in fr], expected)]
            pool = got or evs
            fr = max(pool, key=lambda x: (len(x), sum(1 for n in x if n))) if pool else []
            return {'depth': len(fr), 'named': sum(1 for n in fr if n), 'gets_it': bool(got)}
        fr = physical(screc_ev)
        c = {'screc': {'depth': len(fr), 'named': sum(1 for f in fr if f.get('symbol')),
                       'gets_it': bool(seq_match([name(f) for f in fr], expected))},
             'perf': best(perf_evs), 'strace': best(strace_evs)}
        self.compared[kind] = c
        for tool in ('screc', 'perf', 'strace'):
            v = c[tool]
            print('  %-24s %-7s %s' % (kind, tool, '-' if v is None else
                                       'depth %d, named %d, %s' %
                                       (v['depth'], v['named'],
                                        'gets it' if v['gets_it'] else 'does not get it')))
        for tool in ('perf', 'strace'):
            v = c[tool]
            if v is not None and v['gets_it'] and v['named'] > c['screc']['named']:
                fail('%s: %s names %d frames, screc only %d' % (kind, tool, v['named'],
                                                               c['screc']['named']))

    def finish(self):
        print('COMPARE ' + json.dumps({'case': self.case, 'counts': self.compared}))

    # -- checks ----------------------------------------------------------------------

    def expect(self, ev, what, expected, end='complete'):
        """The physical frames of ev must match expected, and the stack end must be end.
        Returns {index in expected: frame}."""
        fr = physical(ev)
        m = seq_match([name(f) for f in fr], expected)
        if not m:
            fail('%s: frame names do not match.\nexpected (one regex per non-inlined frame):\n'
                 '  %s\ngot:\n%s' % (what, describe(expected), show(ev)))
        if ev.get('stack_end') != end:
            fail('%s: stack_end is %r, not %r\n%s' % (what, ev.get('stack_end'), end, show(ev)))
        starts, pos = {}, 0
        for i, f in enumerate(fr):
            starts[pos] = i
            pos += len(name(f)) + 1
        return {i: fr[starts[m.start('f%d' % i)]] for i, e in enumerate(expected)
                if e is not ANY and m.start('f%d' % i) >= 0}

    def methods(self, ev, what, frames, want):
        for f in frames:
            if f.get('method') != want:
                fail('%s: %s was found by %r, not %s\n%s' % (what, name(f), f.get('method'),
                                                             want, show(ev)))

    def no_fde(self, binary, funcs):
        """Prove that no CFI covers funcs in binary (the build flags worked)."""
        readelf = self.need('readelf', 'readelf')
        sections = self.run([readelf, '-SW', binary]).stdout
        if '.debug_frame' in sections:
            fail('%s still has .debug_frame' % binary)
        syms = {}
        for line in self.run([readelf, '-sW', binary]).stdout.splitlines():
            f = line.split()
            if len(f) >= 8 and f[3] == 'FUNC':
                syms[f[7]] = int(f[1], 16)
        fdes = re.findall(r'FDE cie=\w+ pc=([0-9a-f]+)\.\.([0-9a-f]+)',
                          self.run([readelf, '-wf', binary]).stdout)
        for fn in funcs:
            if fn not in syms:
                fail('%s has no symbol %s' % (binary, fn))
            for lo, hi in fdes:
                if int(lo, 16) <= syms[fn] < int(hi, 16):
                    fail('%s: .eh_frame has an FDE for %s: the build flags did not work' %
                         (binary, fn))


def one(events, what, pred, n=1):
    sel = [e for e in events if pred(e)]
    if len(sel) != n:
        fail('%s: %d events, expected %d\n%s' % (what, len(sel), n,
                                                '\n'.join(show(e) for e in events[:20])))
    return sel


def has_frame(regex):
    return lambda ev: any(re.fullmatch(regex, name(f)) for f in ev.get('frames', []))


# -- 1. code without CFI and without frame pointers ----------------------------------------

NOCFI_OWN = ['nc_connect', 'nc_inner', 'nc_middle', 'nc_switch', 'nc_outer', 'main']


def case_nocfi(c):
    binary = c.need(c.case, 'the compiler of this variant, objcopy')
    c.no_fde(binary, NOCFI_OWN)
    argv = [binary]
    rec = c.record(argv, 'connect')
    ev = one(c.dump(rec), c.case, lambda e: e['syscall'] == 'connect')[0]
    seq = [CONNECT] + NOCFI_OWN + START_TAIL
    got = c.expect(ev, c.case, seq)
    # Libc's CFI finds nc_connect; only prologue analysis can find the rest.
    c.methods(ev, c.case, [got[i] for i in range(2, 8)], 'prologue')
    # nc_switch calls through a jump table: the height there is a guess, and says so.
    guessed = [name(f) for f in physical(ev) if f.get('guessed')]
    if guessed != ['nc_outer']:
        fail('%s: the frames marked guessed are %s; only nc_outer (found from nc_switch\'s '
             'call in a jump-table case) may be\n%s' % (c.case, guessed, show(ev)))
    c.compare('connect', ev, seq, c.perf(argv, 'connect'), c.strace(argv, 'connect'))


# -- 2. signal handlers in code with frame pointers and no CFI --------------------------------

def case_signal_fp(c):
    binary = c.need('sigfp', 'objcopy')
    c.no_fde(binary, ['usr2_connect', 'on_usr2', 'usr1_kill', 'on_usr1', 'sf_kill', 'sf_one',
                      'sf_main', 'sf_worker', 'sf_thread'])
    argv = [binary]
    rec = c.record(argv, 'connect')
    events = c.dump(rec)
    perf_evs, strace_evs = c.perf(argv, 'connect'), c.strace(argv, 'connect')
    handlers = [CONNECT, 'usr2_connect', 'on_usr2', '__restore_rt', SYSCALL, 'usr1_kill',
                'on_usr1', '__restore_rt', SYSCALL, 'sf_kill', 'sf_one']
    want = {'main': handlers + ['sf_main', 'main'] + START_TAIL,
            'worker': handlers + ['sf_worker', 'sf_thread'] + THREAD_TAIL}
    for kind, seq in want.items():
        tail = seq[len(handlers)]
        ev = one(events, 'signal-fp ' + kind, has_frame(tail))[0]
        got = c.expect(ev, 'signal-fp ' + kind, seq)
        # The interrupted syscall() is found through each signal frame's saved context.
        c.methods(ev, 'signal-fp ' + kind, [got[4], got[8]], 'signal')
        c.methods(ev, 'signal-fp ' + kind, [got[2], got[6]], 'fp')
        c.compare('connect ' + kind, ev, seq, perf_evs, strace_evs)
    if events[0]['tid'] == events[1]['tid']:
        fail('signal-fp: both events on one thread')


# -- 3. the dynamic loader's start-up ----------------------------------------------------------

LOADER = [('true',), ('ls', '/'), ('cat', '/dev/null'), ('date',), ('id',), ('uname', '-a'),
          ('sh', '-c', 'true'), ('env',)]
LOADER_EVENTS = 'openat,mmap,mprotect,brk,access,newfstatat,read,close,pread64,arch_prctl'


def case_loader(c):
    binary = c.need('ctor', 'a C compiler')
    ldso = r'(?:_start|\?)'
    rec = c.record([binary], 'connect,openat', 'ctor')
    events = c.dump(rec)
    ev = one(events, 'constructor', lambda e: e['syscall'] == 'connect')[0]
    seq = [CONNECT, 'ctor_connect', 'ctor_one', 'ctor_init', ANY, r'(?:_dl_init|\?)',
           r'(?:_dl_start_user|\?)']
    got = c.expect(ev, 'constructor', seq)
    if 'ld-linux' not in (got[6].get('dso') or ''):
        fail('constructor: the last frame is not in ld.so\n' + show(ev))
    loader = [e for e in events if e['syscall'] == 'openat' and
              'ld-linux' in (physical(e)[-1].get('dso') or '')]
    if not loader:
        fail('constructor: no openat made by ld.so\n' + '\n'.join(show(e) for e in events))
    for e in loader:
        c.expect(e, 'ld.so openat', [ANY, ldso])
    c.compare('constructor connect', ev, seq, c.perf([binary], 'connect'),
              c.strace([binary], 'connect'))
    # Everyday programs: no stack of their start-up may end "broken".
    total, ends = 0, {}
    for i, argv in enumerate(LOADER):
        path = shutil.which(argv[0])
        if not path:
            continue
        rec = c.record([path] + list(argv[1:]), LOADER_EVENTS, 'prog%d' % i)
        for e in c.dump(rec):
            total += 1
            ends[e['stack_end']] = ends.get(e['stack_end'], 0) + 1
            if e['stack_end'] not in ('complete', 'truncated'):
                fail('%s: a stack ends %s\n%s' % (' '.join(argv), e['stack_end'], show(e)))
    print('loader: %d events of %d programs: %s' % (total, len(LOADER), ends))


# -- 4. JIT runtimes through perf maps --------------------------------------------------------

NODE_JS = r'''
const fs = require('fs');
function jsInner(n) { try { fs.readlinkSync('/nonexistent-screc-jit'); } catch (e) {} return n; }
function jsMiddle(n) { return jsInner(n + 1) + 1; }
function jsOuter(n) { return jsMiddle(n + 1) + 1; }
jsOuter(1);
'''


def take_perf_maps(c, since, dest):
    """Move the /tmp/perf-PID.map files written since `since` to dest (the recording host's
    files, as the recorder will carry them); they are removed at the end."""
    os.makedirs(dest, exist_ok=True)
    moved = []
    for n in os.listdir('/tmp'):
        p = os.path.join('/tmp', n)
        if re.fullmatch(r'perf-\d+\.map', n) and os.stat(p).st_mtime >= since - 1:
            shutil.move(p, os.path.join(dest, n))
            moved.append(n)
    return moved


def jit_case(c, argv, syscall, seq, what, pick):
    since = time.time()
    # The recorder copies the maps into the recording: not from this empty directory.
    nomaps = os.path.join(c.tmp, 'no-maps')
    os.makedirs(nomaps, exist_ok=True)
    rec = c.record(argv, syscall, 'jit', env={'SCREC_PERF_MAP_DIR': nomaps})
    maps = os.path.join(c.tmp, 'maps')
    if not take_perf_maps(c, since, maps):
        fail('%s wrote no /tmp/perf-PID.map' % what)
    env = {'SCREC_PERF_MAP_DIR': maps}
    ev = one(c.dump(rec, env), what, pick)[0]
    c.expect(ev, what, seq)
    # What users see (screc report) names them too.
    rep = [e for e in c.report_json(rec, env) if pick(e)]
    if len(rep) != 1:
        fail('%s: screc report --format=json does not name the JIT frames as unwind-dump does'
             % what)
    # Without the maps, the same frames are there, unnamed.
    bare = [e for e in c.dump(rec) if pick(e)]
    if bare:
        fail('%s: JIT frames named without a perf map\n%s' % (what, show(bare[0])))
    # The maps the recorder carries name them with no file on this host.
    since = time.time()
    carried = c.record(argv, syscall, 'jit-carried')
    take_perf_maps(c, since, os.path.join(c.tmp, 'maps-carried'))
    ev = one(c.dump(carried), what + ' (perf maps in the recording)', pick)[0]
    c.expect(ev, what + ' (perf maps in the recording)', seq)
    perf_evs = c.perf(argv, syscall, keep=lambda: take_perf_maps(c, since, maps))
    strace_evs = c.strace(argv, syscall)
    take_perf_maps(c, since, maps)
    c.compare(syscall, ev, seq, perf_evs, strace_evs)


def case_jit_node(c):
    node = c.need('node', 'nodejs (Debian package nodejs)')
    script = os.path.join(c.tmp, 'chain.js')
    with open(script, 'w') as fh:
        fh.write(NODE_JS)
    argv = [node, '--perf-basic-prof', '--interpreted-frames-native-stack', script]
    js = r'(?:JS|LazyCompile|Function|InterpretedFunction|Script):[~*^]?%s .*'
    seq = [r'(?:readlink|__GI___readlink)', ANY, r'Builtins_CEntry.*', js % 'readlinkSync',
           js % 'jsInner', js % 'jsMiddle', js % 'jsOuter', ANY, r'Builtins_JSEntry', ANY,
           r'(?:main|node::Start\(.*\))'] + START_TAIL
    jit_case(c, argv, 'readlink', seq, 'node', has_frame(js % 'jsInner'))


def case_jit_java(c):
    java = c.need('java', 'a JDK (Debian package openjdk-17-jdk-headless)')
    classes = c.need('java-classes', 'javac (Debian package openjdk-17-jdk-headless)')
    # -BackgroundCompilation: the warm-up waits for the compiled code (a busy machine would
    # leave the chain interpreted).
    argv = [java, '-XX:+PreserveFramePointer', '-XX:+UnlockDiagnosticVMOptions',
            '-XX:+DumpPerfMapAtExit', '-XX:-BackgroundCompilation', '-XX:CompileCommand=quiet',
            '-XX:CompileCommand=dontinline,JitChain::*', '-cp', classes, 'JitChain']
    jm = r'(?:int )?JitChain\.%s\(.*\)'
    # jitInner may run interpreted (its connecting branch was never compiled), and main too
    # (its loops may or may not have been compiled on stack).
    seq = [CONNECT, ANY, r'Java_sun_nio_ch_Net_connect0', ANY, r'(?:%s|Interpreter)' %
           (jm % 'jitInner'), jm % 'jitMiddle', jm % 'jitOuter',
           r'(?:(?:void )?JitChain\.main\(.*\)|Interpreter)', ANY, r'JavaCalls::call_helper.*',
           ANY, r'JavaMain', ANY] + THREAD_TAIL
    jit_case(c, argv, 'connect', seq, 'java', has_frame(jm % 'jitOuter'))


# -- 5. static, static-pie and musl ----------------------------------------------------------

CHAIN = ['ch_connect', 'ch_two', 'ch_one', 'main']


def case_link(c):
    binary = c.need('chain-' + c.case, 'the toolchain of this variant (musl-gcc: musl-tools)')
    argv = [binary]
    rec = c.record(argv, 'connect')
    ev = one(c.dump(rec), c.case, lambda e: e['syscall'] == 'connect')[0]
    if c.case.startswith('musl'):
        # musl: connect -> __syscall_cp (hidden: named only by a static binary's .symtab).
        seq = [ANY, 'connect'] + CHAIN + [ANY, '_start']
    else:
        seq = [CONNECT] + CHAIN + START_TAIL
    got = c.expect(ev, c.case, seq)
    if os.path.realpath(got[seq.index('ch_connect')].get('dso') or '') != os.path.realpath(binary):
        fail('%s: ch_connect is not in %s\n%s' % (c.case, binary, show(ev)))
    for f in physical(ev):
        if os.path.realpath(f.get('dso') or '') == os.path.realpath(binary) and not f.get('symbol'):
            fail('%s: an unnamed frame in the program\n%s' % (c.case, show(ev)))
    c.compare('connect', ev, seq, c.perf(argv, 'connect'), c.strace(argv, 'connect'))


# -- 6. coroutines ------------------------------------------------------------------------------

def case_coroutine(c):
    binary = c.need('coro', 'a C compiler')
    argv = [binary]
    rec = c.record(argv, 'connect')
    ev = one(c.dump(rec), 'coroutine', lambda e: e['syscall'] == 'connect')[0]
    seq = [CONNECT, 'co_connect', 'co_one', 'co_entry', '__start_context']
    got = c.expect(ev, 'coroutine', seq)
    # The context's entry is where co_entry returns to: its first byte, looked up there.
    if got[4].get('offset') != 0:
        fail('coroutine: __start_context+%s: the entry must be named at offset 0\n%s' %
             (got[4].get('offset'), show(ev)))
    c.compare('connect', ev, seq, c.perf(argv, 'connect'), c.strace(argv, 'connect'))


# -- 8. debuginfod: a rebuilt binary at the recorded path, an LLD layout --------------------------

def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def symtab(c, path):
    syms = {}
    for line in c.run([c.need('readelf', 'readelf'), '-sW', path]).stdout.splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] == 'FUNC' and f[6] != 'UND':
            syms.setdefault(f[7], int(f[1], 16))
    return syms


def build_id(c, path):
    m = re.search(r'Build ID: ([0-9a-f]+)', c.run([c.need('readelf', 'readelf'), '-n',
                                                   path]).stdout)
    return m.group(1) if m else None


def case_debuginfod(c):
    server = c.need('debuginfod', 'debuginfod (Debian package debuginfod)')
    lld, rebuilt = c.need('chain-lld', 'clang and ld.lld'), c.need('chain-lld-rebuilt',
                                                                    'clang and ld.lld')
    readelf = c.need('readelf', 'readelf')
    loads = re.findall(r'LOAD\s+0x([0-9a-f]+) 0x([0-9a-f]+) .* R E ',
                       c.run([readelf, '-lW', lld]).stdout)
    if not loads or int(loads[0][0], 16) == int(loads[0][1], 16):
        fail('%s: its code segment\'s address equals its file offset: not the layout this test '
             'is about\n%s' % (lld, loads))
    bid = build_id(c, lld)
    if not bid or bid == build_id(c, rebuilt):
        fail('the two LLD builds must have two build-ids')
    prog = os.path.join(c.tmp, 'bin', 'prog')
    os.makedirs(os.path.dirname(prog))
    shutil.copy(lld, prog)
    rec = c.record([prog], 'connect')
    # Another build at the recorded path; the recorded one only on the server.
    shutil.copy(rebuilt, prog)
    served = os.path.join(c.tmp, 'served')
    os.makedirs(served)
    shutil.copy(lld, os.path.join(served, 'prog'))
    port = free_port()
    url = 'http://127.0.0.1:%d' % port
    log = open(os.path.join(c.tmp, 'debuginfod.log'), 'w')
    srv = subprocess.Popen([server, '-F', '-d', os.path.join(c.tmp, 'db.sqlite'), '-p',
                            str(port), served], stdout=log, stderr=subprocess.STDOUT)
    c.cleanups.append(lambda: (srv.send_signal(signal.SIGTERM), srv.wait(10), log.close()))
    deadline = time.time() + 60
    while True:
        if srv.poll() is not None:
            fail('debuginfod exited with %d' % srv.returncode)
        try:
            with urllib.request.urlopen('%s/buildid/%s/executable' % (url, bid), timeout=5) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.time() > deadline:
            fail('debuginfod on %s did not serve %s within 60 s' % (url, bid))
        time.sleep(0.2)

    def env(with_url):
        e = {'DEBUGINFOD_CACHE_PATH': tempfile.mkdtemp(dir=c.tmp, prefix='cache.'),
             'DEBUGINFOD_TIMEOUT': '30'}
        if with_url:
            e['DEBUGINFOD_URLS'] = url
        return e

    seq = [CONNECT] + CHAIN + START_TAIL
    ev = one(c.dump(rec, env(False)), 'no server', lambda e: True)[0]
    own = [f for f in ev['frames'] if f.get('dso') == prog]
    if not own or any(f.get('symbol') for f in own):
        fail('debuginfod: without the server the rebuilt file must name nothing\n' + show(ev))
    syms = symtab(c, lld)
    # Another build at the recorded path, then no file there: the server's copy either way.
    for what in ('rebuilt at the path', 'missing at the path'):
        if what.startswith('missing'):
            os.unlink(prog)
        ev = one(c.dump(rec, env(True)), 'debuginfod, ' + what, lambda e: True)[0]
        got = c.expect(ev, 'debuginfod, ' + what, seq)
        bias = None
        for i in range(1, 5):
            f = got[i]
            if f['rel'] - f['offset'] != syms[f['symbol']]:
                fail('debuginfod, %s: %s: rel 0x%x - offset 0x%x is not its symbol 0x%x: wrong '
                     'load bias\n%s' % (what, f['symbol'], f['rel'], f['offset'],
                                        syms[f['symbol']], show(ev)))
            if bias is None:
                bias = f['address'] - f['rel']
            elif f['address'] - f['rel'] != bias:
                fail('debuginfod, %s: two load biases in one file\n%s' % (what, show(ev)))
        # ch_connect's CFI found the frames after it: the server's file was used whole.
        c.methods(ev, 'debuginfod, ' + what, [got[i] for i in range(2, 5)], 'cfi')


# -- 9. inline frames --------------------------------------------------------------------------

def case_no_inline(c):
    binary = c.need('inline', 'a C compiler')
    argv = [binary]
    rec = c.record(argv, 'connect')
    ev = one(c.dump(rec), 'inline', lambda e: True)[0]
    with_inline = [f for f in ev['frames'] if os.path.realpath(f.get('dso') or '') ==
                   os.path.realpath(binary)]
    if [name(f) for f in with_inline[:2]] != ['in_helper', 'in_outer'] or \
            not with_inline[0].get('inlined'):
        fail('inline: in_helper must be an inline frame before in_outer\n' + show(ev))
    ev2 = one(c.dump(rec, no_inline=True), 'no-inline', lambda e: True)[0]
    if any(f.get('inlined') for f in ev2['frames']):
        fail('no-inline: inline frames are still listed\n' + show(ev2))
    seq = [CONNECT, 'in_outer', 'main'] + START_TAIL
    got = c.expect(ev2, 'no-inline', seq)
    if len(ev2['frames']) != len(physical(ev)):
        fail('no-inline: %d frames, but the stack has %d physical frames\n%s' %
             (len(ev2['frames']), len(physical(ev)), show(ev2)))
    lines = {}
    with open(os.path.join(c.paths['srcdir'], 'inline.c')) as fh:
        for n, line in enumerate(fh, 1):
            m = re.search(r'CALL (\w+)', line)
            if m:
                lines[m.group(1)] = n
    if got[1].get('line') != lines['in_helper']:
        fail('no-inline: in_outer must be at its call of in_helper (line %d), not %s\n%s' %
             (lines['in_helper'], got[1].get('line'), show(ev2)))
    c.compare('connect', ev2, seq, c.perf(argv, 'connect'), c.strace(argv, 'connect'))


CASES = {
    'nocfi-gcc-O1': case_nocfi,
    'nocfi-gcc-O2': case_nocfi,
    'nocfi-gcc-Os': case_nocfi,
    'nocfi-clang-O2': case_nocfi,
    'signal-fp': case_signal_fp,
    'loader': case_loader,
    'jit-node': case_jit_node,
    'jit-java': case_jit_java,
    'static': case_link,
    'static-pie': case_link,
    'musl': case_link,
    'musl-static': case_link,
    'coroutine': case_coroutine,
    'debuginfod': case_debuginfod,
    'no-inline': case_no_inline,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in CASES:
        sys.exit('usage: unwind.py {%s} NAME=PATH...' % ','.join(CASES))
    c = Case(sys.argv[1:])
    if not c.paths.get('screc'):
        skip('screc was not built (report disabled)')
    code = 0
    try:
        CASES[c.case](c)
        c.finish()
        print('PASS: ' + c.case)
    except Failed as e:
        print('FAIL: %s: %s' % (c.case, e))
        code = 1
    finally:
        for fn in reversed(c.cleanups):
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                print('cleanup: %s' % e)
        shutil.rmtree(c.tmp, ignore_errors=True)
    sys.exit(code)


if __name__ == '__main__':
    main()
