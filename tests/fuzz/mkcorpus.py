#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Remake the fuzz harnesses' seed corpora in tests/fuzz/corpus/ (the tests
never run this).  Records three libc-free programs (seed-target.c here, and
the unwinder test's target.c with CFI and with frame pointers only) and the
recorder test's connect-loop, with --stack-size 512 and the programs' own
binaries archived; the libc-free ones run from a scratch directory that is
deleted afterwards, so the paths in their recordings exist nowhere and the
report unwinds them from the archive alone.  From these come the reader's,
the record parsers' and the session's inputs; the ELF inputs are the
programs, their stripped and debuglink-ed copies, the vdso and an archived
(cut) binary; the decoder's and -e parser's inputs are written out here.
Files named crash-* (findings kept for a fix) and files named by a SHA-1
(inputs of fuzz campaigns folded back, see README.md) are left alone.

Needs root (or perf_event_paranoid <= 1), gcc, objcopy, zstd.
Usage: tests/fuzz/mkcorpus.py [BUILD_DIR [capture]]   (default: build; capture: only the
capture seeds, which need BPF besides)"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, 'corpus')

REC_ATTR, REC_PERF, REC_BLOB, REC_FDS, REC_PERFMAP, REC_CAPTURE = 4, 5, 10, 12, 13, 14
FEAT_STACK_TRIMMED, FEAT_ARCHIVE, FEAT_CAPTURE, FEAT_STACK_DELTA = 1, 1 << 32, 1 << 33, 1 << 2

LIBC_FREE = ['-O2', '-g', '-nostdlib', '-static', '-fno-stack-protector', '-fcf-protection=none',
             '-fno-optimize-sibling-calls', '-Wl,--build-id=sha1', '-Wl,-z,noseparate-code',
             '-Wl,-z,max-page-size=4096', '-Wl,-z,norelro']


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw).stdout


def records(stream):
    """The records of a decompressed stream: (type, bytes) pairs."""
    out, off = [], 0
    while off + 8 <= len(stream):
        typ, size = struct.unpack_from('<II', stream, off)
        out.append((typ, stream[off:off + size]))
        off += size
    return out


def shrink_blob(rec, keep=64):
    """A BLOB record with only its first keep bytes of data (still a valid piece)."""
    (kind, level, bid_len, bid, total, offset, path_len,
     data_len) = struct.unpack_from('<IIB3x20sQQII', rec, 8)
    if data_len <= keep:
        return rec
    path = rec[64:64 + path_len]
    body = struct.pack('<IIB3x20sQQII', kind, level, bid_len, bid, total, offset, path_len,
                       keep) + path + rec[64 + path_len:64 + path_len + keep]
    body += b'\0' * (-(len(body) + 8) % 8)
    return struct.pack('<II', REC_BLOB, len(body) + 8) + body


def write(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def record(screc, cwd, name, events, program, archive=True, opts=()):
    out = os.path.join(cwd, name + '.screc')
    cmd = [screc, 'record', '--stack-size', '512', '-e', events, '-o', out] + list(opts)
    if archive:
        cmd.append('--archive=symbols')
    run(*cmd, '--', *program.split(), cwd=cwd,
        env={'PATH': os.environ.get('PATH', '/usr/bin:/bin')})
    data = open(out, 'rb').read()
    stream = run('zstd', '-dc', input=data[64:])
    return data, stream


def recordings(screc, tmp):
    """name: (file bytes, decompressed stream) of each recording."""
    cc = os.environ.get('CC', 'gcc')
    unit = os.path.join(ROOT, 'tests', 'unit', 'data', 'unwind', 'target.c')
    run(cc, *LIBC_FREE, '-fasynchronous-unwind-tables', '-fomit-frame-pointer',
        '-o', os.path.join(tmp, 'seed-target'), os.path.join(HERE, 'seed-target.c'))
    run(cc, *LIBC_FREE, '-fasynchronous-unwind-tables', '-fomit-frame-pointer',
        '-o', os.path.join(tmp, 'target-cfi'), unit)
    run(cc, *LIBC_FREE, '-DFRAME_POINTERS', '-fno-asynchronous-unwind-tables',
        '-fno-unwind-tables', '-fno-omit-frame-pointer', '-mno-omit-leaf-frame-pointer',
        '-o', os.path.join(tmp, 'target-fp'), unit)
    run('objcopy', '--remove-section=.debug_frame', os.path.join(tmp, 'target-fp'))
    recs = {
        'seed': record(screc, tmp, 'seed',
                       'openat,write,pipe2,close,socket,connect,fork,wait4,exit',
                       './seed-target'),
        'cfi': record(screc, tmp, 'cfi', 'connect', './target-cfi'),
        'fp': record(screc, tmp, 'fp', 'connect', './target-fp'),
        'connect-loop': record(screc, tmp, 'connect-loop', 'connect',
                               os.path.join(os.path.dirname(screc), 'tests', 'record',
                                            'connect-loop'), archive=False),
    }
    return recs


def reader_corpus(recs):
    """Flags byte (see fuzz-reader.c), then a file or a header and records."""
    seed_file, seed_stream = recs['seed']
    loop_file, loop_stream = recs['connect-loop']
    cfi_file, cfi_stream = recs['cfi']
    write('reader', 'file-connect-loop', b'\x00' + loop_file)
    write('reader', 'file-seed-memfd', b'\x02' + seed_file)
    write('reader', 'records-connect-loop', bytes([1 | 15 << 2]) + loop_file[:64] + loop_stream)
    write('reader', 'records-cfi-256', bytes([1 | 0 << 2]) + cfi_file[:64] + cfi_stream)
    write('reader', 'records-cfi-cut', bytes([1 | 3 << 2 | 1 << 6]) + cfi_file[:64] + cfi_stream)
    write('reader', 'records-seed-fd', bytes([1 | 2 | 7 << 2 | 3 << 6]) + seed_file[:64] +
          seed_stream)
    # The ends a mutation rarely makes: a record after the trailer, a trailer too short.
    last = records(cfi_stream)[-1][1]
    write('reader', 'records-after-trailer', bytes([1 | 15 << 2]) + cfi_file[:64] + cfi_stream +
          struct.pack('<II', 9, 8))
    write('reader', 'records-short-trailer', bytes([1 | 15 << 2]) + cfi_file[:64] +
          cfi_stream[:-len(last)] + struct.pack('<II', 8, 16) + bytes(8))


def fds_record(pid, entries, nr=None):
    """An FDS record (format.h struct screc_rec_fds) of (fd, cloexec, path) entries."""
    body = b''
    for fd, cloexec, path in entries:
        body += struct.pack('<iHH', fd, 1 if cloexec else 0, len(path)) + path
        body += b'\0' * (-len(body) % 8)
    body = struct.pack('<IIQ', pid, len(entries) if nr is None else nr, 123456789) + body
    return struct.pack('<II', REC_FDS, len(body) + 8) + body


def fds_seed():
    """FDS records as -p writes them, and the edges of their checks: a count
    one too many, an empty one, a path running past the record."""
    ok = [(0, False, b'/dev/null'), (3, False, b'socket:[12345]'), (4, True, b'/etc/hosts'),
          (7, False, b'pipe:[678]'), (12, True, b'anon_inode:[eventfd]')]
    bad_len = bytearray(fds_record(42, [(5, False, b'/tmp/x')]))
    struct.pack_into('<H', bad_len, 24 + 6, 200)
    return (fds_record(42, ok) + fds_record(43, [], 0) + fds_record(44, ok[:2], 3) +
            bytes(bad_len))


def perfmap_record(pid, offset, text, length=None):
    """A PERFMAP record (format.h struct screc_rec_perfmap)."""
    body = struct.pack('<IIQ', pid, len(text) if length is None else length, offset) + text
    body += b'\0' * (-len(body) % 8)
    return struct.pack('<II', REC_PERFMAP, len(body) + 8) + body


def perfmap_seed():
    """A map in two pieces, a second copy, a length past the record, an offset that wraps."""
    a = b'7f0000001000 40 jit_other_code\n'
    b = b'7f0000001040 8 jit_getppid_stub\n'
    return (perfmap_record(42, 0, a) + perfmap_record(42, len(a), b) + perfmap_record(42, 0, a) +
            perfmap_record(43, 0, a, 4096) + perfmap_record(44, (1 << 64) - 8, b))


def records_corpus(recs):
    """The records, archive pieces cut to 64 bytes of data."""
    for name in ('seed', 'fp', 'connect-loop'):
        out = b''
        for typ, rec in records(recs[name][1]):
            out += shrink_blob(rec) if typ == REC_BLOB else rec
        write('records', name, out)
    write('records', 'fds', fds_seed())
    write('records', 'perfmap', perfmap_seed())


def session_corpus(recs):
    """Flags byte (see fuzz-session.c), then the records whole: the report with each
    sink, --raw and --info."""
    for name, sink, mode in (('seed', 0, 0), ('cfi', 2, 0), ('fp', 1, 0), ('seed-summary', 3, 0),
                             ('fp-raw', 0, 2), ('seed-info', 0, 3)):
        data, stream = recs[name.split('-')[0]]
        feats = struct.unpack_from('<Q', data, 24)[0]
        flags = ((feats & FEAT_STACK_TRIMMED) and 1) | ((feats & FEAT_ARCHIVE) and 2) | \
            sink << 2 | mode << 5 | ((feats & FEAT_STACK_DELTA) and 128)
        write('session', name, bytes([flags]) + stream)


def capture(tid, nr, when, regions, nr_regions=None, time=1):
    """A CAPTURE record: regions are (addr, arg, bytes, declared length or None)."""
    body = struct.pack('<IIQBBHI', tid, nr, time, when,
                       len(regions) if nr_regions is None else nr_regions, 0, 0)
    for addr, arg, data, declared in regions:
        body += struct.pack('<QII', addr, len(data) if declared is None else declared, arg)
        body += data + b'\0' * (-len(data) % 8)
    return struct.pack('<II', REC_CAPTURE, len(body) + 8) + body


def capture_corpus(screc, tmp):
    """record --capture of tests/capture's target (heap paths and a sockaddr; msghdrs,
    iovecs, stat results), and CAPTURE records that break each rule of
    screc_get_capture()."""
    target = os.path.join(os.path.dirname(screc), 'tests', 'capture', 'capture-target')
    data, stream = record(screc, tmp, 'capture', 'openat,connect', target + ' 1',
                          archive=False, opts=['--capture'])
    write('records', 'capture', stream)
    write('session', 'capture', bytes([1 | 1 << 2]) + stream)
    write('session', 'capture-raw', bytes([1 | 2 << 5]) + stream)
    # six regions: sendmsg's and recvmsg's msghdrs, readv's iovecs; recvfrom, the stat family
    data, stream = record(screc, tmp, 'capture-msg',
                          'sendmsg,recvfrom,recvmsg,readv,stat,lstat,fstat,newfstatat,statx',
                          target + ' 1', archive=False, opts=['--capture'])
    write('records', 'capture-msg', stream)
    write('session', 'capture-msg', bytes([1 | 1 << 2]) + stream)
    path = (0x1000, 1, b'/etc/hostname\0', None)
    bad = {
        'capture-ok': capture(7, 257, 1, [path]),
        'capture-too-long': capture(7, 257, 1, [(0x1000, 1, b'x' * 16, 5000)]),
        'capture-past-end': capture(7, 257, 1, [(0x1000, 1, b'x' * 16, 64)]),
        'capture-regions': capture(7, 257, 1, [path] * 2, nr_regions=7),
        'capture-arg': capture(7, 257, 1, [(0x1000, 6, b'/x\0', None)]),
        'capture-when': capture(7, 257, 3, [path]),
        'capture-short': struct.pack('<II', REC_CAPTURE, 24) + capture(7, 257, 1, [])[8:24],
    }
    for name, rec in bad.items():
        write('records', name, rec)
    # The good one and the bad ones before the recording's sample: what the report makes of them.
    write('session', 'capture-bad', bytes([1 | 1 << 2]) + b''.join(bad.values()) + stream)


def elf_corpus(recs, tmp):
    """Programs as built, stripped with a debuglink, the vdso, an archived cut."""
    for name in ('seed-target', 'target-fp'):
        write('elf', name, open(os.path.join(tmp, name), 'rb').read())
    exe = os.path.join(tmp, 'target-cfi')
    dbg = os.path.join(tmp, 'target-cfi.debug')
    run('objcopy', '--only-keep-debug', exe, dbg)
    run('objcopy', '--strip-all', '--add-gnu-debuglink=' + dbg, exe)
    write('elf', 'target-cfi-debuglink', open(exe, 'rb').read())
    write('elf', 'target-cfi-debug', open(dbg, 'rb').read())
    seen = set()
    for typ, rec in records(recs['seed'][1]):
        if typ != REC_BLOB:
            continue
        kind, path_len, data_len = (struct.unpack_from('<I', rec, 8)[0],
                                    *struct.unpack_from('<II', rec, 56))
        if kind in seen:
            continue
        seen.add(kind)
        write('elf', 'vdso' if kind == 1 else 'archived-seed-target',
              rec[64 + path_len:64 + path_len + data_len])


MEM = 0x1000


def call(nr, args=(), ret=None, mem=b'', flags=0, strsize=0, path_index=0, path_size=64,
         room=4):
    """One decoder input (see fuzz-decode.c): a 64-byte call, then memory at MEM."""
    a = [x & (2**64 - 1) for x in list(args) + [0] * (6 - len(args))]
    f = flags | (1 if ret is not None else 0)
    return struct.pack('<hBBBBBB6Qq', nr, f, strsize, path_index, path_size, room, 0, *a,
                       ret or 0) + mem


def q(*v):
    return struct.pack('<%dQ' % len(v), *[x & (2**64 - 1) for x in v])


def decode_corpus():
    sin = struct.pack('<HH4s8x', 2, 0x5000, bytes([127, 0, 0, 1]))
    sin6 = struct.pack('<HHI16sI', 10, 0x5000, 0, bytes(15) + b'\1', 0)
    sun = struct.pack('<H', 1) + b'/run/screc.sock\0'
    calls = {
        'openat': call(257, (-100, MEM, 0o2000000), 3, b'/etc/hostname\0', flags=2),
        'openat-enoent': call(257, (-100, MEM, 0o100 | 1, 0o644), -2, b'/nonexistent\0'),
        'open-creat': call(2, (MEM, 0o100 | 0o1000 | 2, 0o600), 4, b'x/y\0'),
        'read': call(0, (3, MEM, 64), 5, b'hello\0', flags=2),
        'write': call(1, (1, MEM, 12), 12, b'hello world\n'),
        'write-long': call(1, (1, MEM, 100), 100, bytes(range(100)), strsize=8),
        'connect-inet': call(42, (3, MEM, 16), -111, sin),
        'connect-inet6': call(42, (3, MEM, 28), 0, sin6),
        'connect-unix': call(42, (3, MEM, len(sun)), -2, sun),
        'sendmsg': call(46, (3, MEM, 0), 5,
                        q(MEM + 0x40, 16, MEM + 0x60, 1, 0, 0) + bytes(16) + sin + bytes(16) +
                        q(MEM + 0x80, 5) + bytes(16) + b'hello'),
        'execve': call(59, (MEM + 0x40, MEM, MEM + 0x20), 0,
                       q(MEM + 0x40, MEM + 0x50, 0, 0) + q(MEM + 0x60, 0, 0, 0) +
                       b'/bin/ls\0'.ljust(16, b'\0') + b'-l\0'.ljust(16, b'\0') + b'A=1\0'),
        'clone3': call(435, (MEM, 88), 1234, q(0x11 | 0x100, 0, 0, 0, 17, MEM + 0x1000, 8192, 0,
                                               0, 0, 0)),
        'pipe2': call(293, (MEM, 0o2000000), 0, struct.pack('<ii', 3, 4)),
        'poll': call(7, (MEM, 2, 1000), 1, struct.pack('<ihhihh', 3, 1, 0, 4, 4, 4)),
        'rt_sigaction': call(13, (2, MEM, 0, 8), 0, q(0x401000, 0x04000000, 0x401100, 0x4002)),
        'rt_sigprocmask': call(14, (0, MEM, MEM + 8, 8), 0, q(0x4002, 0)),
        'futex': call(202, (MEM, 0x80, 1, MEM + 8), -110, q(7, 1, 500)),
        'ioctl': call(16, (1, 0x5401, MEM), -25, bytes(60)),
        'fcntl-getfl': call(72, (3, 3), 0x8002),
        'fcntl-dupfd': call(72, (3, 1030, 10), 10, flags=2),
        'prctl': call(157, (15, MEM), 0, b'worker\0'),
        'wait4': call(61, (-1, MEM, 0, 0), 123, struct.pack('<i', 0x0300)),
        'openat2': call(437, (-100, MEM, MEM + 0x20, 24), 3,
                        b'/etc/passwd\0'.ljust(32, b'\0') + q(0o2000000, 0, 0x1c)),
        'statx': call(332, (-100, MEM, 0x100, 0x7ff, MEM + 0x20), 0,
                      b'/tmp\0'.ljust(32, b'\0') + bytes(256)),
        'select': call(23, (5, MEM, 0, 0, MEM + 0x10), 1, q(0x18, 0, 1, 500)),
        'epoll_ctl': call(233, (5, 1, 3, MEM), 0, struct.pack('<IQ', 1 | 4, 7)),
        'epoll_wait': call(232, (5, MEM, 8, -1), 1, struct.pack('<IQ', 1, 3)),
        'setsockopt': call(54, (3, 1, 2, MEM, 4), 0, struct.pack('<i', 1)),
        'getsockname': call(51, (3, MEM, MEM + 0x20), 0, sin + bytes(16) + struct.pack('<i', 16)),
        'nanosleep': call(35, (MEM, 0), 0, q(1, 500000000)),
        'setitimer': call(38, (0, MEM, 0), 0, q(0, 0, 1, 0)),
        'prlimit64': call(302, (0, 7, MEM, 0), 0, q(1024, 4096)),
        'mmap': call(9, (0, 4096, 3, 0x22, -1, 0), 0x7f0000001000),
        'socket': call(41, (2, 0o2000001, 0), 3),
        'dup3': call(292, (3, 10, 0o2000000), 10, flags=2),
        'close-range': call(436, (3, 0xffffffff, 4), 0),
        'memfd-create': call(319, (MEM, 1), 5, b'screc\0'),
        'renameat2': call(316, (-100, MEM, 3, MEM + 0x10, 1), 0,
                          b'old\0'.ljust(16, b'\0') + b'new\0', path_index=1),
        'getrandom': call(318, (MEM, 16, 0), 16, bytes(range(16))),
        'writev': call(20, (1, MEM, 2), 7, q(MEM + 0x20, 3, MEM + 0x30, 4) + b'abc'.ljust(16, b'\0') +
                       b'defg'),
        'recvfrom': call(45, (3, MEM, 100, 0, MEM + 0x80, MEM + 0xa0), 5,
                         b'hello'.ljust(0x80, b'\0') + sin + bytes(16) + struct.pack('<i', 16)),
        'accept4': call(288, (3, 0, 0, 0o2000000), 4),
        'eventfd2': call(290, (0, 0o2000000), 5),
        'exit-group': call(231, (3,)),
        'kill': call(62, (123, 15), 0),
        'umask': call(95, (0o22,), 0o77),
        'mknodat': call(259, (-100, MEM, 0o20644, 0x103), 0, b'/dev/x\0'),
        'erestart': call(0, (3, MEM, 10), -512),
        'not-errno': call(8, (3, -5000 & (2**64 - 1), 1), -5000),
        'unknown-nr': call(1000, (1, 2, 3, 4, 5, 6), 0),
        'negative-nr': call(-1, (1,), -38),
        'no-memory': call(257, (-100, MEM, 0), 3, b'/etc/hostname\0', flags=4 | 8 | 16),
        'defaults': call(1, (1, MEM, 5), 5, b'abcde', flags=32),
        'split-memory': call(0, (3, MEM, 8), 8, b'entry...exitdata', flags=64),
    }
    for name, data in calls.items():
        write('decode', name, data)


def syscall_set_corpus():
    exprs = ['connect', 'trace=openat,read,write', 't=%file', '!%net', '/^(open|close)',
             '?nosuchcall,read', '%%stat', '42', 'all', 'none', '!!%desc,%memory',
             'file,process', 'conect', '%creds,/sig', '%pure', '%lstat,%fstatfs,%%statfs']
    for i, e in enumerate(exprs):
        write('syscall-set', 'expr-%02d' % i, bytes([64 if i % 3 else 255]) + e.encode())
    write('syscall-set', 'small-err', bytes([5]) + b'connekt')


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build'))
    screc = os.path.join(build, 'screc')
    if not os.access(screc, os.X_OK):
        sys.exit('mkcorpus.py: %s: build screc first' % screc)
    if sys.argv[2:] == ['capture']:
        # Only the capture seeds (record --capture needs BPF: root or CAP_BPF and CAP_PERFMON).
        tmp = tempfile.mkdtemp(prefix='screc-corpus.')
        try:
            capture_corpus(screc, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    for d in ('reader', 'records', 'session', 'elf', 'decode', 'syscall-set'):
        p = os.path.join(CORPUS, d)
        if os.path.isdir(p):
            for f in os.listdir(p):
                if not f.startswith('crash-') and not re.fullmatch('[0-9a-f]{40}', f):
                    os.unlink(os.path.join(p, f))
    tmp = tempfile.mkdtemp(prefix='screc-corpus.')
    try:
        recs = recordings(screc, tmp)
        reader_corpus(recs)
        records_corpus(recs)
        session_corpus(recs)
        elf_corpus(recs, tmp)
        capture_corpus(screc, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    decode_corpus()
    syscall_set_corpus()
    total = sum(os.path.getsize(os.path.join(dp, f))
                for dp, _, fs in os.walk(CORPUS) for f in fs)
    print('mkcorpus.py: %d bytes in %s' % (total, CORPUS))


main()
