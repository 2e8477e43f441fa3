#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of self-contained recordings (issue 4).

Each case records chain.c's target with the real recorder on the real kernel
and reports it where the files the recording names are gone, replaced by
another build, or only served by a real debuginfod server.  What a frame is
called then proves where its name came from: the archive in the recording,
a debuginfod download, or (never) a file with another build-id.

    archive.py CASE NAME=PATH...     (meson passes every program as NAME=PATH)

Files are hidden with a private mount namespace (`unshare -m`) and tmpfs
mounts over their directories, so nothing on the host changes.

Exit status: 0 pass, 1 fail, 77 skip (perf_event_open or unshare not
permitted, a tool missing), each with a message saying why.
"""

import ctypes.util
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from screctest import (CONNECT, SKIP, START_MAIN, SUMMARY, Failed, call_returns,  # noqa: E402
                       fail, perf_forbidden, skip)

# libc's connect wrapper under every name glibc gives it (.dynsym or the debug file).
DEBUG_ROOT = '/usr/lib/debug'
LIBCS = ('/usr/lib/x86_64-linux-gnu/libc.so.6', '/lib64/libc.so.6', '/usr/lib64/libc.so.6',
         '/usr/lib/aarch64-linux-gnu/libc.so.6', '/usr/lib/libc.so.6')

ARCHIVED = re.compile(r'screc: (?:\S+: )?archived (\d+) files?, ([\d.]+) MiB')
INFO_ARCHIVE = re.compile(r'^archive: +(\d+) files?, ([\d.]+) MiB', re.M)


class Ctx:
    def __init__(self, args):
        self.paths = {}
        for a in args:
            k, _, v = a.partition('=')
            self.paths[k] = v
        self.tmp = tempfile.mkdtemp(prefix='screc-archive-test.')
        self.env = dict(os.environ)
        # Only the debuginfod case may reach a server, and only its own.
        for k in ('DEBUGINFOD_URLS', 'DEBUGINFOD_CACHE_PATH'):
            self.env.pop(k, None)
        self.env['LC_ALL'] = 'C'
        self.cleanups = []
        self._unshare_ok = None

    def path(self, name):
        p = self.paths.get(name, '')
        if not p:
            skip('%s was not found at configure time' % name)
        if not os.path.exists(p):
            fail('%s: %s does not exist' % (name, p))
        return p

    def dir(self, *parts):
        d = os.path.join(self.tmp, *parts)
        os.makedirs(d, exist_ok=True)
        return d

    def run(self, argv, check=True, env=None, timeout=120):
        try:
            p = subprocess.run(argv, capture_output=True, text=True, env=env or self.env,
                               timeout=timeout, errors='replace')
        except subprocess.TimeoutExpired:
            fail('%s: still running after %d s' % (' '.join(argv), timeout))
        if check and p.returncode != 0:
            fail('%s: exit %d\nstdout:\n%s\nstderr:\n%s' %
                 (' '.join(argv), p.returncode, p.stdout[-4000:], p.stderr[-4000:]))
        return p

    # -- private mount namespaces ---------------------------------------------------

    def ns(self, argv, hide=(), fill=None):
        """argv run in a new mount namespace where every directory of hide is an
        empty tmpfs, and then each directory of fill {dir: staging dir} holds a
        copy of its staging dir and nothing else."""
        if self._unshare_ok is None:
            p = subprocess.run([self.path('unshare'), '-m', 'sh', '-c',
                                'mount -t tmpfs tmpfs "$1"', 'sh', self.dir('probe')],
                               capture_output=True, text=True)
            self._unshare_ok = p.returncode == 0
            if not self._unshare_ok:
                skip('cannot hide files in a private mount namespace (unshare -m and mount '
                     '-t tmpfs, needs CAP_SYS_ADMIN): ' + p.stderr.strip())
        script = ['set -e']
        for d in hide:
            script.append('mount -t tmpfs tmpfs %s' % shlex.quote(d))
        for d, staged in (fill or {}).items():
            script.append('mount -t tmpfs tmpfs %s' % shlex.quote(d))
            script.append('cp -a %s/. %s/' % (shlex.quote(staged), shlex.quote(d)))
        script.append('exec "$@"')
        return [self.path('unshare'), '-m', 'sh', '-c', '\n'.join(script), 'sh'] + list(argv)

    def hidden(self, binary_dir):
        """What the analysis host lacks: the target's directory, every debug
        file, and the build directory that holds the targets as built."""
        hide = [binary_dir, self.paths['builddir']]
        if os.path.isdir(DEBUG_ROOT):
            hide.append(DEBUG_ROOT)
        return hide

    # -- recording and reporting ---------------------------------------------------

    def record(self, argv, name, extra=(), wrap=None, screc=None):
        """Record argv into rec/NAME.screc; returns (file, stderr).  wrap, when
        given, turns the command line into another (a namespace)."""
        out = os.path.join(self.dir('rec'), name + '.screc')
        cmd = [screc or self.path('screc'), 'record', '-e', 'connect', '-o', out] + \
            list(extra) + ['--'] + list(argv)
        p = self.run(wrap(cmd) if wrap else cmd, check=False)
        if p.returncode != 0:
            if perf_forbidden(p.stderr):
                skip('perf_event_open is not permitted here: ' + p.stderr.strip())
            fail('%s: exit %d (the target exits 0 when its connect failed as expected)\n%s' %
                 (' '.join(cmd), p.returncode, p.stderr[-4000:]))
        return out, p.stderr

    def report(self, f, opts=(), hide=None, env=None, screc_args=('report',)):
        """screc report [opts] f, in a namespace hiding hide when given: (stdout, stderr)."""
        cmd = [self.path('screc')] + list(screc_args) + list(opts) + [f]
        p = self.run(self.ns(cmd, hide) if hide else cmd, env=env)
        return p.stdout, p.stderr

    def report_json(self, f, opts=(), hide=None, env=None):
        out, err = self.report(f, ['--format=json'] + list(opts), hide, env)
        events = []
        for n, line in enumerate(out.splitlines(), 1):
            if line.strip():
                try:
                    events.append(json.loads(line))
                except ValueError as e:
                    fail('--format=json line %d is not JSON (%s): %r' % (n, e, line[:300]))
        return events, err

    def info(self, f, hide=None):
        return self.report(f, hide=hide, screc_args=('info',))[0]

    # -- facts about files --------------------------------------------------------

    def build_id(self, path):
        out = self.run([self.path('readelf'), '-n', path]).stdout
        m = re.search(r'Build ID: ([0-9a-f]+)', out)
        if not m:
            fail('%s has no build-id' % path)
        return m.group(1)

    def libc_debug(self):
        """libc's separate debug file, when installed: (libc, debug) or None."""
        for libc in LIBCS:
            if os.path.exists(libc):
                bid = self.build_id(libc)
                d = os.path.join(DEBUG_ROOT, '.build-id', bid[:2], bid[2:] + '.debug')
                return (libc, d) if os.path.exists(d) else None
        return None

    def split(self, src, stripped, debug, debuglink=False):
        """src as a distribution ships it: stripped, plus a separate debug file."""
        self.run([self.path('objcopy'), '--only-keep-debug', src, debug])
        self.run([self.path('strip'), '--strip-all', '-o', stripped, src])
        if debuglink:
            self.run([self.path('objcopy'), '--add-gnu-debuglink=' + debug, stripped])
        sections = self.run([self.path('readelf'), '-SW', stripped]).stdout
        if re.search(r'\.symtab|\.debug_info', sections):
            fail('%s is not stripped' % stripped)

    def install(self, src, name):
        """A copy of src at bin/NAME, the way a build puts a new file there."""
        dst = os.path.join(self.dir('bin'), name)
        tmp = dst + '.new'
        shutil.copy(src, tmp)
        os.replace(tmp, dst)
        return os.path.realpath(dst)


# -- checks on events ----------------------------------------------------------------

def show(ev):
    lines = ['event pid=%s comm=%s syscall=%s stack_end=%s' %
             (ev.get('pid'), ev.get('comm'), ev.get('syscall'), ev.get('stack_end'))]
    for i, f in enumerate(ev.get('frames', [])):
        lines.append('  #%-2d %-8s %s%s  %s%s  %s:%s' % (
            i, f.get('method'), f.get('symbol'), ' [inlined]' if f.get('inlined') else '',
            f.get('dso'), ' (build-id mismatch)' if f.get('build_id_mismatch') else '',
            f.get('file'), f.get('line')))
    return '\n'.join(lines)


def one_event(events, what):
    if len(events) != 1:
        fail('%s: %d events, expected 1 connect\n%s' %
             (what, len(events), '\n'.join(show(e) for e in events)))
    ev = events[0]
    if ev.get('syscall') != 'connect' or not ev.get('frames'):
        fail('%s: not the target\'s connect, or no frames\n%s' % (what, show(ev)))
    return ev


def call_lines(src):
    """{callee: line} from the "CALL callee" comments of chain.c."""
    lines = {}
    with open(src) as fh:
        for n, line in enumerate(fh, 1):
            m = re.search(r'CALL (\w+)', line)
            if m:
                lines.setdefault(m.group(1), n)
    return lines


def chain(prefix, inline):
    """chain.c's frames innermost first: (symbol, callee on its CALL line, inlined)."""
    out = [(prefix + '_connect', 'connect', False)]
    if inline:
        out.append((prefix + '_inline', 'CHAIN_connect', True))
    out += [(prefix + '_two', 'CHAIN_inline', False), (prefix + '_one', 'CHAIN_two', False),
            ('main', 'CHAIN_one', False)]
    return out


def own(ev, binary):
    return [f for f in ev['frames'] if os.path.realpath(f.get('dso') or '/') == binary]


def no_foreign_names(text, what):
    """The rebuilt program's names must appear nowhere."""
    m = re.search(r'\bbeta_\w+', text)
    if m:
        fail('%s: %s is a name of the program now at the recorded path, which has another '
             'build-id: it must never be used\n%s' % (what, m.group(0), text[-4000:]))


def check_chain(ctx, ev, binary, bid, what, prefix='alpha', inline=True, lines=True,
                libc_named=False):
    """The event's frames are exactly chain.c's, each frame of binary named,
    from the right build (build_id, no mismatch); with inline, the
    always_inline function is its own inlined frame; with lines, every frame
    of ours is at chain.c's line that makes its call."""
    want = chain(prefix, inline)
    names = [f.get('symbol') or '?' for f in ev['frames']]
    seq = [CONNECT] + [re.escape(n) for n, _, _ in want] + \
        ['__libc_start_call_main' if libc_named else r'(?:__libc_start_call_main|\?)',
         START_MAIN, '_start']
    if not re.fullmatch(''.join('(?:%s)\n' % s for s in seq), ''.join(n + '\n' for n in names)):
        fail('%s: frame names do not match\nexpected:\n  %s\ngot:\n%s' %
             (what, '\n  '.join(seq), show(ev)))
    if ev.get('stack_end') != 'complete':
        fail('%s: stack_end %r, not complete\n%s' % (what, ev.get('stack_end'), show(ev)))
    mine = own(ev, binary)
    if len(mine) != len(want) + 1:      # + _start
        fail('%s: %d frames in %s, expected %d\n%s' % (what, len(mine), binary, len(want) + 1,
                                                       show(ev)))
    src_lines = call_lines(os.path.join(ctx.paths['srcdir'], 'chain.c'))
    for f, (sym, callee, inlined) in zip(mine, want):
        if f.get('symbol') != sym:
            fail('%s: frame %s in %s, expected %s\n%s' % (what, f.get('symbol'), binary, sym,
                                                          show(ev)))
        if f.get('build_id') != bid or f.get('build_id_mismatch'):
            fail('%s: %s: build_id %r (mismatch %r), the recorded file has %s\n%s' %
                 (what, sym, f.get('build_id'), f.get('build_id_mismatch'), bid, show(ev)))
        if bool(f.get('inlined')) != inlined:
            fail('%s: %s: inlined is %r, expected %r (%s is always_inline and only DWARF '
                 'knows its frame)\n%s' % (what, sym, f.get('inlined'), inlined,
                                           prefix + '_inline', show(ev)))
        if lines:
            if os.path.basename(f.get('file') or '') != 'chain.c' or \
                    f.get('line') != src_lines[callee]:
                fail('%s: %s is at %s:%s, expected chain.c:%d (its call of %s)\n%s' %
                     (what, sym, f.get('file'), f.get('line'), src_lines[callee], callee,
                      show(ev)))
    unnamed = [f for f in mine if not f.get('symbol')]
    if unnamed:
        fail('%s: unnamed frames in %s\n%s' % (what, binary, show(ev)))


def check_unnamed(ev, binary, what):
    """No frame of binary has a name: nothing here could know one."""
    mine = own(ev, binary)
    if not mine:
        fail('%s: no frame in %s\n%s' % (what, binary, show(ev)))
    named = [f['symbol'] for f in mine if f.get('symbol')]
    if named:
        fail('%s: %s named %s, but nothing that could name it is reachable: the names '
             'cannot have come from where this test put them\n%s' % (what, binary, named,
                                                                    show(ev)))


def summary(stderr, what):
    found = [m for m in (SUMMARY.fullmatch(x) for x in stderr.splitlines()) if m]
    if len(found) != 1:
        fail('%s: stderr must have one summary line; stderr:\n%s' % (what, stderr))
    return dict(zip(('events', 'complete', 'truncated', 'lost', 'unresolved'),
                    (int(x) for x in found[0].groups())))


def unnamed_table(stderr, bid, path, what):
    """The rows of the report's "frames left unnamed" table for bid: must
    come before the last summary line and say path, a count and a fix."""
    lines = stderr.splitlines()
    try:
        head = next(i for i, x in enumerate(lines) if 'frames left unnamed' in x)
    except StopIteration:
        fail('%s: no "frames left unnamed" table on stderr:\n%s' % (what, stderr))
    last = max(i for i, x in enumerate(lines) if SUMMARY.fullmatch(x))
    rows = [x for x in lines[head + 1:last] if bid in x]
    if head > last or len(rows) != 1:
        fail('%s: the table before the last summary line must have one row for %s:\n%s' %
             (what, bid, stderr))
    row = rows[0]
    if path not in row or not re.search(r'\b\d+ frames?\b', row) or \
            not re.search(r'screc archive|--symfs|--debug-dir|debug package|DEBUGINFOD_URLS', row):
        fail('%s: the row for %s must give the path %s, the number of frames and a fix: %r' %
             (what, bid, path, row))
    return row


def info_line(info, path, what):
    """The line of screc info's binaries list for path: build-id, path, state."""
    rows = [x for x in info.splitlines()
            if re.match(r'\s+[0-9a-f]{8,}\s+%s\s' % re.escape(path), x + ' ')]
    if len(rows) != 1:
        fail('%s: screc info must list %s once, as "BUILD-ID  PATH  STATE":\n%s' %
             (what, path, info))
    return rows[0]


# -- the cases -------------------------------------------------------------------------

def case_rebuilt(ctx):
    """Record, then build another program at the same path."""
    alpha, beta = ctx.path('chain-alpha'), ctx.path('chain-beta')
    prog = ctx.install(alpha, 'prog')
    bid = ctx.build_id(prog)
    if ctx.build_id(beta) == bid:
        fail('chain-alpha and chain-beta share a build-id')
    with_sym, _ = ctx.record([prog], 'archived', ['--archive'])
    with_full, _ = ctx.record([prog], 'archived-full', ['--archive=full'])
    with_unwind, _ = ctx.record([prog], 'archived-unwind', ['--archive=unwind'])
    without, _ = ctx.record([prog], 'plain')
    ctx.install(beta, 'prog')
    if ctx.build_id(prog) == bid:
        fail('the rebuild did not change %s' % prog)

    # From the archive: alpha's names, never beta's.
    for f, level in ((with_sym, 'symbols'), (with_full, 'full')):
        what = 'rebuilt, --archive=' + level
        events, err = ctx.report_json(f)
        ev = one_event(events, what)
        no_foreign_names(json.dumps(events) + err, what)
        check_chain(ctx, ev, prog, bid, what, inline=level == 'full', lines=level == 'full',
                    libc_named=bool(ctx.libc_debug()))
        out, err = ctx.report(f)
        no_foreign_names(out + err, what + ' (listing)')
        for n in ('alpha_connect', 'alpha_two', 'alpha_one'):
            if not re.search(r'\(%s\+0x[0-9a-f]+\)' % n, out):
                fail('%s: the listing does not show %s:\n%s' % (what, n, out))
        if 'mismatch' in out:
            fail('%s: the archive has the recorded build; nothing is a mismatch:\n%s' %
                 (what, out))

    # --archive=unwind walks the whole stack from the archived CFI, but has no
    # names: the file at the recorded path must still not give any.
    what = 'rebuilt, --archive=unwind'
    events, err = ctx.report_json(with_unwind)
    ev = one_event(events, what)
    no_foreign_names(json.dumps(events) + err, what)
    if len(own(ev, prog)) < 5 or ev.get('stack_end') != 'complete':
        fail('%s: the archived .eh_frame must unwind all 5 frames of %s\n%s' %
             (what, prog, show(ev)))
    check_unnamed(ev, prog, what)
    no_foreign_names(''.join(ctx.report(with_unwind)), what + ' (listing)')

    # Without an archive: a build-id mismatch, said as such.
    what = 'rebuilt, no archive'
    events, err = ctx.report_json(without)
    ev = one_event(events, what)
    no_foreign_names(json.dumps(events) + err, what)
    check_unnamed(ev, prog, what)
    if not all(f.get('build_id_mismatch') is True for f in own(ev, prog)):
        fail('%s: every frame in %s must say "build_id_mismatch": true\n%s' %
             (what, prog, show(ev)))
    if any(f.get('build_id') != bid for f in own(ev, prog)):
        fail('%s: frames must carry the recorded build-id %s\n%s' % (what, bid, show(ev)))
    out, err = ctx.report(without)
    no_foreign_names(out + err, what + ' (listing)')
    # Byte for byte: after libc's connect, alpha_connect's frame as the
    # recorded file's path, the mismatch, and the return address after its
    # call of connect in the recorded build (alpha's code, as objdump shows it).
    ra = call_returns(ctx.path('objdump'), alpha).get('alpha_connect', {}).get('connect')
    if ra is None:
        fail('objdump shows no call of connect in %s\'s alpha_connect' % alpha)
    want = ' > %s(build-id mismatch) [%#x]' % (prog, ra)
    lines = out.splitlines()
    if len(lines) < 3 or not re.fullmatch(r' > \S+\(%s\+0x[0-9a-f]+\) \[0x[0-9a-f]+\]' % CONNECT,
                                          lines[1]) or lines[2] != want:
        fail('%s: the listing must show libc\'s connect, then exactly\n  %r\n%s' %
             (what, want, out))
    unnamed_table(err, bid, prog, what)
    row = info_line(ctx.info(without), prog, what + ': screc info')
    if bid not in row or 'missing' not in row or 'build-id' not in row:
        fail('%s: screc info must say %s is missing because of another build-id: %r' %
             (what, prog, row))


def full_variant(ctx, variant):
    """(binary, record wrapper) for chain.c as built (DWARF inside), or
    stripped with its debug file found through .gnu_debuglink (next to it,
    as objcopy --add-gnu-debuglink names it) or through
    /usr/lib/debug/.build-id (there only inside the recording's namespace)."""
    if variant == 'unstripped':
        return ctx.install(ctx.path('chain-alpha'), 'prog'), None
    split = ctx.path('chain-split')
    prog = os.path.join(ctx.dir('bin'), 'prog')
    if variant == 'debuglink':
        ctx.split(split, prog, prog + '.debug', debuglink=True)
        return os.path.realpath(prog), None
    if not os.path.isdir(DEBUG_ROOT):
        skip('%s does not exist here: nothing to put a build-id debug file in' % DEBUG_ROOT)
    bid = ctx.build_id(split)
    stage = os.path.join(ctx.tmp, 'stage-debug')
    ctx.split(split, prog, os.path.join(ctx.dir(stage, '.build-id', bid[:2]), bid[2:] + '.debug'))
    # libc's own debug file stays visible to the recorder.
    libc = ctx.libc_debug()
    if libc:
        lbid = ctx.build_id(libc[0])
        shutil.copy(libc[1], os.path.join(ctx.dir(stage, '.build-id', lbid[:2]),
                                          lbid[2:] + '.debug'))
    return os.path.realpath(prog), lambda cmd: ctx.ns(cmd, fill={DEBUG_ROOT: stage})


def hidden_full(ctx, variant):
    """--archive=full, analyzed where the binary and all debug files are gone."""
    libc_named = bool(ctx.libc_debug())
    hide = ctx.hidden(ctx.dir('bin'))
    binary, wrap = full_variant(ctx, variant)
    what = 'hidden, --archive=full, %s' % variant
    bid = ctx.build_id(binary)
    f, _ = ctx.record([binary], 'full', ['--archive=full'], wrap=wrap)
    control, _ = ctx.record([binary], 'plain', wrap=wrap)
    # The control proves that the namespace hides what it must.
    ev = one_event(ctx.report_json(control, hide=hide)[0], what + ', no archive')
    check_unnamed(ev, binary, what + ', no archive (the hiding does not work)')
    events, err = ctx.report_json(f, hide=hide)
    check_chain(ctx, one_event(events, what), binary, bid, what, libc_named=libc_named)
    st = summary(err, what)
    if st['unresolved'] != 0 and libc_named:
        fail('%s: %d unresolved frames, all debug files were archived:\n%s' %
             (what, st['unresolved'], err))
    # The listing with --srcline says the same.
    out, _ = ctx.report(f, ['--srcline'], hide=hide)
    lines = call_lines(os.path.join(ctx.paths['srcdir'], 'chain.c'))
    for sym, callee, inl in chain('alpha', True):
        pat = r'^ > %s\(%s\+0x[0-9a-f]+\) \[0x[0-9a-f]+\]%s \S*chain\.c:%d$' % (
            re.escape(binary), sym, r' \[inlined\]' if inl else '', lines[callee])
        if not re.search(pat, out, re.M):
            fail('%s: --srcline listing has no line matching %r:\n%s' % (what, pat, out))
    row = info_line(ctx.info(f, hide=hide), binary, what + ': screc info')
    if bid not in row or not re.search(r'\barchived\b', row):
        fail('%s: screc info must say %s %s is archived: %r' % (what, bid, binary, row))


def frames_key(ev):
    return [(f.get('symbol'), f.get('inlined'), f.get('file'), f.get('line'), f.get('rel'),
             f.get('dso')) for f in ev['frames']]


def case_after_the_fact(ctx):
    """screc archive and screc-record archive on a recording made without --archive."""
    prog = ctx.install(ctx.path('chain-alpha'), 'prog')
    bid = ctx.build_id(prog)
    libc_named = bool(ctx.libc_debug())
    hide = ctx.hidden(ctx.dir('bin'))
    plain, _ = ctx.record([prog], 'plain')
    direct, _ = ctx.record([prog], 'direct', ['--archive=full'])
    want = None
    for tool, level in (('screc', 'full'), ('screc-record', 'full'), ('screc', None)):
        what = '%s archive%s' % (tool, ' --level ' + level if level else '')
        f = os.path.join(ctx.dir('rec'), '%s-%s.screc' % (tool, level))
        shutil.copy(plain, f)
        p = ctx.run([ctx.path(tool), 'archive'] + (['--level', level] if level else []) + [f])
        if not ARCHIVED.search(p.stderr):
            fail('%s: stderr does not say "archived N files, X MiB":\n%s' % (what, p.stderr))
        if os.path.getsize(f) <= os.path.getsize(plain):
            fail('%s: %s did not grow' % (what, f))
        events, _ = ctx.report_json(f, hide=hide)
        ev = one_event(events, what)
        full = level == 'full'
        # libc's debug file is archived only at full.
        check_chain(ctx, ev, prog, bid, what, inline=full, lines=full,
                    libc_named=libc_named and full)
        if full:
            # The same frames as --archive=full at record time, and as each other.
            ref = one_event(ctx.report_json(direct, hide=hide)[0], 'record --archive=full')
            if frames_key(ev) != frames_key(ref):
                fail('%s: frames differ from record --archive=full\n%s\n%s' %
                     (what, show(ev), show(ref)))
            if want is not None and frames_key(ev) != want:
                fail('%s: frames differ from screc archive --level full\n%s' % (what, show(ev)))
            want = frames_key(ev)
        row = info_line(ctx.info(f, hide=hide), prog, what + ': screc info')
        if bid not in row or not re.search(r'\barchived\b', row):
            fail('%s: screc info must say %s is archived: %r' % (what, prog, row))
        # Archiving again stores nothing twice.
        size = os.path.getsize(f)
        ctx.run([ctx.path(tool), 'archive'] + (['--level', level] if level else []) + [f])
        if os.path.getsize(f) > size + 4096:
            fail('%s twice: the file grew from %d to %d bytes; each build-id is stored once' %
                 (what, size, os.path.getsize(f)))
        one_event(ctx.report_json(f, hide=hide)[0], what + ' twice')
    row = info_line(ctx.info(plain, hide=hide), prog, 'no archive: screc info')
    if 'missing' not in row:
        fail('no archive, binary hidden: screc info must say %s is missing: %r' % (prog, row))
    if re.search(r'\barchived\b', row):
        fail('no archive: screc info says archived: %r' % row)


def case_truncated(ctx):
    """An archived recording cut short: reported up to the cut, never a crash or a hang."""
    prog = ctx.install(ctx.path('chain-alpha'), 'prog')
    hide = ctx.hidden(ctx.dir('bin'))
    plain, _ = ctx.record([prog], 'plain')
    f, _ = ctx.record([prog], 'full', ['--archive=full'])
    size = os.path.getsize(f)
    if size < 10 * os.path.getsize(plain):
        fail('an --archive=full recording (%d bytes) is not much larger than one without '
             '(%d bytes)' % (size, os.path.getsize(plain)))
    cut = os.path.join(ctx.dir('rec'), 'cut.screc')

    def run_cut(n, argv, in_ns):
        with open(f, 'rb') as src, open(cut, 'wb') as dst:
            dst.write(src.read(n))
        cmd = [ctx.path('screc')] + argv + [cut]
        p = ctx.run(ctx.ns(cmd, hide) if in_ns else cmd, check=False, timeout=60)
        what = '%s, cut at %d of %d bytes' % (' '.join(argv), n, size)
        if p.returncode < 0 or p.returncode > 2 or re.search(r'Sanitizer|Segmentation|Aborted',
                                                              p.stderr):
            fail('%s: exit %d (crashed)\n%s' % (what, p.returncode, p.stderr[-4000:]))
        if p.returncode != 0 and not re.search(r'^screc: .*\S', p.stderr, re.M):
            fail('%s: exit %d without a message' % (what, p.returncode))
        return p, what

    # The events precede the archive: cut in the middle of it, the event is
    # still reported, and the report says the file is truncated.
    p, what = run_cut(size // 2, ['report'], True)
    if not re.search(r'^\[pid +\d+\] connect\(', p.stdout, re.M):
        fail('%s: the connect event is gone:\nstdout:\n%s\nstderr:\n%s' %
             (what, p.stdout, p.stderr))
    if 'truncated' not in p.stderr:
        fail('%s: the report does not say the file is truncated:\n%s' % (what, p.stderr))
    summary(p.stderr, what)
    for argv in (['report', '--format=json', '--srcline'], ['info']):
        run_cut(size // 2, argv, True)
    # And anywhere else.
    for n in sorted({0, 1, 16, 63, 64, 200, 4096} | {size * k // 23 for k in range(1, 23)} |
                    {size - 1, size - 8, size - 100}):
        for argv in (['report', '--format=json'], ['info']):
            run_cut(n, argv, False)
    print('cut %d bytes: reported without crashing at every cut' % size)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def case_debuginfod(ctx):
    """A stripped target named only through a debuginfod server started here."""
    if not ctx.paths.get('debuginfod'):
        skip('debuginfod was not found at configure time (Debian package debuginfod)')
    server = ctx.path('debuginfod')
    if not ctypes.util.find_library('debuginfod'):
        skip('libdebuginfod.so.1 is not installed (Debian: libdebuginfod1): libdwfl loads '
             'it to reach a debuginfod server')
    split = ctx.path('chain-split')
    bid = ctx.build_id(split)
    prog = os.path.join(ctx.dir('bin'), 'prog')
    served = ctx.dir('served')
    ctx.split(split, prog, os.path.join(served, 'chain.debug'))
    prog = os.path.realpath(prog)
    hide = [ctx.paths['builddir']] + ([DEBUG_ROOT] if os.path.isdir(DEBUG_ROOT) else [])
    f, _ = ctx.record([prog], 'stripped')

    port = free_port()
    url = 'http://127.0.0.1:%d' % port
    log = open(os.path.join(ctx.tmp, 'debuginfod.log'), 'w')
    srv = subprocess.Popen([server, '-F', '-d', os.path.join(ctx.tmp, 'debuginfod.sqlite'),
                            '-p', str(port), served], stdout=log, stderr=subprocess.STDOUT)
    ctx.cleanups.append(lambda: (srv.terminate(), srv.wait(10), log.close()))
    # Ready once it has scanned: it then serves the debug file.
    deadline = time.time() + 60
    while True:
        if srv.poll() is not None:
            log.flush()
            fail('debuginfod exited with %d before serving:\n%s' %
                 (srv.returncode, open(log.name).read()[-4000:]))
        try:
            with urllib.request.urlopen('%s/buildid/%s/debuginfo' % (url, bid), timeout=5) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.time() > deadline:
            log.flush()
            fail('debuginfod on %s did not serve %s within 60 s:\n%s' %
                 (url, bid, open(log.name).read()[-4000:]))
        time.sleep(0.2)

    def env(with_url):
        e = dict(ctx.env)
        e['DEBUGINFOD_CACHE_PATH'] = tempfile.mkdtemp(dir=ctx.tmp, prefix='cache.')
        e['DEBUGINFOD_TIMEOUT'] = '30'
        if with_url:
            e['DEBUGINFOD_URLS'] = url
        return e

    # Without the server nothing names the program's frames.
    e = env(False)
    events, err = ctx.report_json(f, hide=hide, env=e)
    check_unnamed(one_event(events, 'no DEBUGINFOD_URLS'), prog, 'no DEBUGINFOD_URLS')
    unnamed_table(err, bid, prog, 'no DEBUGINFOD_URLS')
    # With it, every frame, with the inline frame and lines of the debug file.
    e = env(True)
    events, err = ctx.report_json(f, hide=hide, env=e)
    what = 'DEBUGINFOD_URLS=' + url
    check_chain(ctx, one_event(events, what), prog, bid, what)
    got = os.path.join(e['DEBUGINFOD_CACHE_PATH'], bid, 'debuginfo')
    if not os.path.exists(got):
        fail('%s: %s is not in the fresh client cache: the report did not fetch it from the '
             'server' % (what, got))
    if re.search(r'frames left unnamed.*\n(?:.*\n)*.*%s' % bid, err):
        fail('%s: %s still listed as unnamed:\n%s' % (what, bid, err))
    # The server gone, the cache alone: the same names from the same download.
    srv.terminate()
    srv.wait(10)
    events, _ = ctx.report_json(f, hide=hide, env=e)
    check_chain(ctx, one_event(events, what + ' (cached)'), prog, bid, what + ' (cached)')


def archived_size(stderr, what):
    m = ARCHIVED.search(stderr)
    if not m:
        fail('%s: stderr must say "screc: archived N files, X MiB":\n%s' % (what, stderr))
    return int(m.group(1)), float(m.group(2))


def info_archive(info, what):
    m = INFO_ARCHIVE.search(info)
    if not m:
        fail('%s: screc info has no "archive: N files, X MiB" line:\n%s' % (what, info))
    return int(m.group(1)), float(m.group(2))


def case_size(ctx):
    """The archive's size is reported, grows with the level, and holds each build-id once."""
    prog = ctx.install(ctx.path('chain-alpha'), 'prog')
    plain, err = ctx.record([prog], 'plain')
    if ARCHIVED.search(err):
        fail('record without --archive says it archived something:\n' + err)
    base = os.path.getsize(plain)
    prev = None
    for level in ('unwind', 'symbols', 'full'):
        what = '--archive=' + level
        f, err = ctx.record([prog], level, ['--archive=' + level])
        n, mib = archived_size(err, what)
        growth = os.path.getsize(f) - base
        # prog, libc and the dynamic loader at least; full adds debug files.
        if n < 3:
            fail('%s: archived %d files; prog, libc and ld.so had samples or mappings' %
                 (what, n))
        if growth <= 0:
            fail('%s: the file did not grow (%d bytes, %d without)' % (what, growth, base))
        # "X MiB before compression": the compressed archive cannot be much larger.
        if growth > mib * 1.05 * 2**20 + 64 * 1024:
            fail('%s: the file grew %d bytes, more than the %.1f MiB reported' %
                 (what, growth, mib))
        n_info, mib_info = info_archive(ctx.info(f), what)
        # info may count the vdso, which every recording holds.
        if n_info not in (n, n + 1) or abs(mib_info - mib) > 0.15:
            fail('%s: record said %d files, %.1f MiB; screc info says %d files, %.1f MiB' %
                 (what, n, mib, n_info, mib_info))
        if prev:
            if growth < prev[1] or mib < prev[2]:
                fail('%s: smaller than %s (%d bytes, %.1f MiB; %d bytes, %.1f MiB)' %
                     (what, prev[0], growth, mib, prev[1], prev[2]))
        print('%-18s %d files, %.1f MiB reported, file +%d bytes' % (what, n, mib, growth))
        prev = (what, growth, mib, n)
    # Two processes of one binary, and a copy of it at another path: one build-id, stored once.
    one, err1 = ctx.record([prog], 'once', ['--archive'])
    copy = ctx.install(prog, 'prog-copy')
    sh = shutil.which('sh') or '/bin/sh'
    many, err3 = ctx.record([sh, '-c', '"$1"; "$1"; "$2"', 'sh', prog, copy], 'thrice',
                            ['--archive'])
    if len(ctx.report_json(many)[0]) != 3:
        fail('three runs of the target must give 3 connect events')
    n1, mib1 = archived_size(err1, 'one run')
    n3, mib3 = archived_size(err3, 'three runs')
    if n3 != n1 or abs(mib3 - mib1) > 0.05:
        fail('three runs of one build-id (two paths) archived %d files, %.1f MiB; one run '
             '%d files, %.1f MiB: each build-id must be stored once' % (n3, mib3, n1, mib1))
    info = ctx.info(many)
    if len(re.findall(r'^\s*%s\s' % ctx.build_id(prog), info, re.M)) > 2:
        fail('screc info lists the build-id of %s more than once per path:\n%s' % (prog, info))


def case_local_dwarf(ctx):
    """An archive without DWARF must not hide the DWARF of the very file it was
    taken from: with the matching binary still here, --archive (symbols) must
    report the same lines and inline frames as a recording without archive."""
    prog = ctx.install(ctx.path('chain-alpha'), 'prog')
    bid = ctx.build_id(prog)
    plain, _ = ctx.record([prog], 'plain')
    ev = one_event(ctx.report_json(plain)[0], 'no archive')
    check_chain(ctx, ev, prog, bid, 'no archive, binary here')
    errors = []
    for level in ('unwind', 'symbols'):
        f, _ = ctx.record([prog], level, ['--archive=' + level])
        what = '--archive=%s, the matching binary here' % level
        try:
            check_chain(ctx, one_event(ctx.report_json(f)[0], what), prog, bid, what)
        except Failed as e:
            errors.append(str(e))
    if errors:
        fail('\n\n'.join(errors))


CASES = {
    'rebuilt': case_rebuilt,
    'hidden-full': lambda ctx: hidden_full(ctx, 'unstripped'),
    'hidden-full-debuglink': lambda ctx: hidden_full(ctx, 'debuglink'),
    'hidden-full-build-id': lambda ctx: hidden_full(ctx, 'build-id'),
    'after-the-fact': case_after_the_fact,
    'truncated': case_truncated,
    'debuginfod': case_debuginfod,
    'size': case_size,
    'local-dwarf': case_local_dwarf,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in CASES:
        print('usage: archive.py CASE NAME=PATH...\ncases: ' + ' '.join(CASES), file=sys.stderr)
        return 2
    ctx = Ctx(sys.argv[2:])
    status = 0
    try:
        CASES[sys.argv[1]](ctx)
        print('PASS: ' + sys.argv[1])
    except Failed as e:
        print('FAIL: %s: %s' % (sys.argv[1], e))
        print('scratch files kept in ' + ctx.tmp)
        status = 1
    finally:
        for c in reversed(ctx.cleanups):
            try:
                c()
            except Exception as e:      # a cleanup must not hide the result
                print('# cleanup: %s' % e)
        if status == 0:
            shutil.rmtree(ctx.tmp, ignore_errors=True)
    return status


if __name__ == '__main__':
    sys.exit(main())
