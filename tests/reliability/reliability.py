#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The report on hostile or odd input (issue 10): each case comes from a
defect a test pass found, and fails on the code before its fix.

  pipe      `cat f | screc report -` reports every event (it read 647 of
            108,401 before: the input was opened three times)
  fifo      a FIFO nobody writes to ends the report in seconds with a message
  dir       a directory is named as such, not "too short"
  bomb      2048 archived files of 512 KiB of zeros under build-ids no mapping
            uses: nothing is unpacked, nothing written to /tmp
  cap       archived files that declare more than the report may unpack: it
            says so, goes on without the archive and exits 1
  leftover  a report of an archived recording ended by SIGINT, SIGTERM,
            SIGKILL or a closed pipe leaves nothing in /tmp
  reorder   a recording without ROUND records: memory stays bounded, it says so
  damage    a recording whose ATTR records are gone: report and info say
            'damaged' and exit 1 (it was "0 events", exit 0, "complete")
  resolve   --resolve and --resolve=names: a copy without stack memory (a
            password on the target's stack is in the original, not in the
            copy) that reports exactly like the original, and is smaller

    reliability.py CASE screc=PATH target=PATH
Exit status: 0 pass, 1 fail, 77 skip.
"""
import glob
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from screctest import Failed, fail, perf_forbidden, skip  # noqa: E402

REC_PERF, REC_TRAILER, REC_ROUND, REC_BLOB, REC_ATTR = 5, 8, 9, 10, 4
FEAT_ARCHIVE = 1 << 32


class Recording:
    """A recording as its header and its decompressed records."""

    def __init__(self, path):
        data = open(path, 'rb').read()
        self.header = bytearray(data[:64])
        raw = subprocess.run(['zstd', '-d', '-c'], input=data[64:], capture_output=True,
                             check=True).stdout
        self.records = []
        off = 0
        while off + 8 <= len(raw):
            typ, size = struct.unpack_from('<II', raw, off)
            self.records.append((typ, raw[off:off + size]))
            off += size

    def write(self, path):
        body = b''.join(r for _, r in self.records)
        comp = subprocess.run(['zstd', '-1', '-c'], input=body, capture_output=True,
                              check=True).stdout
        with open(path, 'wb') as f:
            f.write(bytes(self.header) + comp)

    def set_feature(self, bit):
        feat, = struct.unpack_from('<Q', self.header, 24)
        struct.pack_into('<Q', self.header, 24, feat | bit)

    def before_trailer(self, recs):
        i = next((k for k, (t, _) in enumerate(self.records) if t == REC_TRAILER),
                 len(self.records))
        self.records[i:i] = recs

    def build_ids(self):
        """The build-ids the MMAP2 records carry."""
        ids = set()
        for typ, r in self.records:
            if typ != REC_PERF or len(r) < 8 + 8 + 64:
                continue
            ptype, misc, _ = struct.unpack_from('<IHH', r, 8)
            if ptype == 10 and misc & (1 << 14):        # MMAP2 with a build-id
                n = r[8 + 8 + 32]
                ids.add(bytes(r[8 + 8 + 36:8 + 8 + 36 + n]))
        return ids


def blob(kind, bid, total, offset, data, path=b'/usr/lib/bomb.so'):
    body = struct.pack('<IIB3x20sQQII', kind, 2, len(bid), bid.ljust(20, b'\0'), total, offset,
                       len(path), len(data)) + path + data
    size = 8 + len(body)
    pad = (-size) % 8
    return (REC_BLOB, struct.pack('<II', REC_BLOB, size + pad) + body + b'\0' * pad)


class Ctx:
    def __init__(self, args):
        self.screc, self.target = args['screc'], args['target']
        self.secret = args.get('secret')
        if not shutil.which('zstd'):
            skip('no zstd command to take recordings apart')
        self.tmp = tempfile.mkdtemp(prefix='screc-reliability.')

    def record(self, name, *extra):
        out = os.path.join(self.tmp, name + '.screc')
        p = subprocess.run([self.screc, 'record', '-e', 'connect,socket,close', '-o', out] +
                           list(extra) + ['--', self.target], capture_output=True, text=True,
                           timeout=60)
        if p.returncode != 0:
            if perf_forbidden(p.stderr):
                skip('perf_event_open is not permitted here: ' + p.stderr.strip())
            fail('record: %s' % p.stderr)
        return out

    def report(self, *argv, stdin=None, env=None, timeout=60):
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run([self.screc] + list(argv), capture_output=True, text=True,
                              stdin=stdin, env=e, timeout=timeout)


def tmp_leftovers():
    """What older reports left: /tmp/screc-archive-XXXXXX (mkdtemp's six characters),
    not other tests' scratch directories that share the prefix."""
    return set(p for p in glob.glob('/tmp/screc-archive-*')
               if re.fullmatch(r'screc-archive-[A-Za-z0-9]{6}', os.path.basename(p)))


def case_pipe(c):
    f = c.record('pipe')
    want = c.report('report', '--format=json', f)
    with open(f, 'rb') as inp:
        got = c.report('report', '--format=json', '-', stdin=inp)
    if got.returncode != 0 or got.stdout != want.stdout or not want.stdout:
        fail('cat f | screc report -: exit %d, %d bytes, want %d bytes:\n%s' %
             (got.returncode, len(got.stdout), len(want.stdout), got.stderr))
    p = subprocess.run('cat %s | %s info -' % (f, c.screc), shell=True, capture_output=True,
                       text=True)
    if p.returncode != 0 or '(complete)' not in p.stdout:
        fail('cat f | screc info -: %s %s' % (p.stdout, p.stderr))
    print('pipe: the report of standard input is the report of the file')


def case_fifo(c):
    fifo = os.path.join(c.tmp, 'fifo')
    os.mkfifo(fifo)
    t0 = time.time()
    p = c.report('report', fifo, timeout=30)
    if p.returncode == 0 or 'FIFO' not in p.stderr or time.time() - t0 > 15:
        fail('a FIFO without a writer: exit %d after %.1f s: %s' %
             (p.returncode, time.time() - t0, p.stderr))
    f = c.record('fifo')
    writer = subprocess.Popen('sleep 1; cat %s > %s' % (f, fifo), shell=True)
    p = c.report('report', fifo)
    writer.wait()
    if p.returncode != 0 or 'connect(' not in p.stdout:
        fail('a FIFO with a writer: exit %d: %s' % (p.returncode, p.stderr))
    print('fifo: no writer ends in seconds with a message; a writer is read')


def case_dir(c):
    p = c.report('report', c.tmp)
    if p.returncode == 0 or 'is a directory' not in p.stderr:
        fail('a directory: %s' % p.stderr)
    print('dir: named as a directory')


def rss_kb(p):
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def case_bomb(c):
    r = Recording(c.record('bomb'))
    zeros = b'\0' * (512 << 10)                  # the recorder's largest piece
    recs = [blob(2, os.urandom(20), 512 << 10, 0, zeros) for _ in range(1024)]
    r.before_trailer(recs)
    r.set_feature(FEAT_ARCHIVE)
    bad = os.path.join(c.tmp, 'bomb-made.screc')
    r.write(bad)
    before = tmp_leftovers()
    t0 = time.time()
    p = subprocess.run(['/usr/bin/time', '-f', '%M', c.screc, 'report', bad],
                       capture_output=True, text=True, timeout=120)
    kb = int(p.stderr.strip().splitlines()[-1])
    if p.returncode != 0 or kb > 200000 or tmp_leftovers() != before:
        fail('a %d-byte recording with 512 MiB of archived zeros: exit %d, %d KB, %.1f s:\n%s' %
             (os.path.getsize(bad), p.returncode, kb, time.time() - t0, p.stderr[-1000:]))
    # What it wrote anywhere, counted by strace: nothing (it wrote 512 MiB to /tmp before).
    log = os.path.join(c.tmp, 'writes')
    if shutil.which('strace'):
        subprocess.run(['strace', '-f', '-o', log, '-e', 'trace=write,pwrite64,pwritev',
                        c.screc, 'report', '--format=json', bad],
                       capture_output=True, timeout=120)
        big = [l for l in open(log) if re.search(r'(write|pwrite64)\(\d+, .*\) = (\d{5,})', l)]
        if big:
            fail('the report wrote archived data: %s' % big[:3])
    print('bomb: %d-byte file with 512 MiB of unused archived files: %d KB peak, %.1f s, '
          'nothing unpacked or written' % (os.path.getsize(bad), kb, time.time() - t0))


def case_cap(c):
    r = Recording(c.record('cap'))
    ids = sorted(r.build_ids())
    if not ids:
        fail('the recording has no build-ids')
    # One mapped build-id, declared as 3 GiB, in pieces of zeros.
    piece = b'\0' * (512 << 10)
    r.before_trailer([blob(2, ids[0], 3 << 30, k * len(piece), piece) for k in range(64)])
    r.set_feature(FEAT_ARCHIVE)
    bad = os.path.join(c.tmp, 'cap-made.screc')
    r.write(bad)
    p = c.report('report', bad, env={'SCREC_ARCHIVE_MAX': str(1 << 30)})
    if p.returncode != 1 or 'more bytes than the report may unpack' not in p.stderr or \
            'connect(' not in p.stdout:
        fail('an archive declaring 3 GiB under a 1 GiB cap: exit %d:\n%s' %
             (p.returncode, p.stderr[-2000:]))
    print('cap: refused with a message, the events still reported, exit 1')


def case_leftover(c):
    f = c.record('leftover', '--archive=full')
    before = tmp_leftovers()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        p = subprocess.Popen([c.screc, 'report', '--srcline', f], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        time.sleep(0.3)
        p.send_signal(sig)
        p.communicate(timeout=30)
    p = subprocess.run('%s report %s | head -1' % (c.screc, f), shell=True, capture_output=True,
                       text=True, timeout=60)
    after = tmp_leftovers()
    if after != before:
        fail('reports ended by signals or a closed pipe left %s' % sorted(after - before))
    print('leftover: SIGINT, SIGTERM, SIGKILL and | head leave nothing in /tmp')


def case_reorder(c):
    f = c.record('reorder')
    r = Recording(f)
    n = len(r.records)
    r.records = [x for x in r.records if x[0] != REC_ROUND]
    # Many copies of the perf records: no ROUND ever lets the heap flush.
    perf = [x for x in r.records if x[0] == REC_PERF]
    r.before_trailer(perf * 200)
    bad = os.path.join(c.tmp, 'noround.screc')
    r.write(bad)
    p = subprocess.run(['/usr/bin/time', '-f', '%M', c.screc, 'report', '--tree', bad],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, SCREC_REORDER_MAX=str(4 << 20)))
    kb = int(p.stderr.strip().splitlines()[-1])
    if 'without a ROUND record' not in p.stderr or kb > 150000:
        fail('no ROUND records, %d records: %d KB, stderr:\n%s' % (n, kb, p.stderr[-1500:]))
    print('reorder: %d records without ROUND under a 4 MiB bound: %d KB peak, said so' %
          (len(r.records), kb))


def case_damage(c):
    r = Recording(c.record('damage'))
    r.records = [x for x in r.records if x[0] != REC_ATTR]
    bad = os.path.join(c.tmp, 'noattr.screc')
    r.write(bad)
    p = c.report('report', bad)
    if p.returncode == 0 or 'damaged' not in p.stderr:
        fail('ATTR records removed: exit %d:\n%s' % (p.returncode, p.stderr))
    p = c.report('info', bad)
    if p.returncode == 0 or '(damaged' not in p.stdout:
        fail('info on ATTR records removed: exit %d:\n%s' % (p.returncode, p.stdout))
    print('damage: report and info say damaged, exit 1')


def decompressed(path):
    r = Recording(path)
    return b''.join(x for _, x in r.records)


def case_resolve(c):
    secret = 'hunter2-' + ''.join(chr(ord('a') + (i * 7 + ord('a')) % 26) for i in range(8, 24))
    out = os.path.join(c.tmp, 'secret.screc')
    p = subprocess.run([c.screc, 'record', '-e', 'connect,socket', '-o', out, '--',
                        c.secret], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        if perf_forbidden(p.stderr):
            skip('perf_event_open is not permitted here')
        fail('record: %s' % p.stderr)
    if secret.encode() not in decompressed(out):
        fail('the original recording does not hold the stack secret: the test proves nothing')
    want = c.report('report', '--format=json', out).stdout
    for mode in ('addresses', 'names'):
        res = os.path.join(c.tmp, 'resolved-%s.screc' % mode)
        p = c.report('report', '--resolve=' + mode, '-o', res, out)
        if p.returncode != 0:
            fail('--resolve=%s: exit %d: %s' % (mode, p.returncode, p.stderr))
        if secret.encode() in decompressed(res):
            fail('--resolve=%s: the resolved recording still holds the stack secret' % mode)
        raw = c.report('report', '--raw', res).stdout
        if ' stack=0/' not in raw or ' regs=0 ' not in raw or 'regs=20' in raw:
            fail('--resolve=%s: samples still carry registers or stack:\n%s' % (mode, raw[:2000]))
        got = c.report('report', '--format=json', res)
        if got.returncode != 0 or got.stdout != want or not want:
            fail('--resolve=%s: reports differently from the original (exit %d):\n%s\n%s' %
                 (mode, got.returncode, got.stdout[:1500], want[:1500]))
        if os.path.getsize(res) >= os.path.getsize(out):
            fail('--resolve=%s: %d bytes, not smaller than the original %d' %
                 (mode, os.path.getsize(res), os.path.getsize(out)))
        again = c.report('report', '--resolve', '-o', res + '.again', res)
        if again.returncode == 0 or 'already resolved' not in again.stderr:
            fail('resolving a resolved recording: %s' % again.stderr)
    # A name that exists is refused, not overwritten.
    p = c.report('report', '--resolve', '-o', out, out)
    if p.returncode == 0 or 'File exists' not in p.stderr:
        fail('--resolve -o onto an existing file: %s' % p.stderr)
    print('resolve: no stack memory, the same report, %d -> %d/%d bytes' %
          (os.path.getsize(out), os.path.getsize(os.path.join(c.tmp, 'resolved-addresses.screc')),
           os.path.getsize(os.path.join(c.tmp, 'resolved-names.screc'))))


def main():
    case = sys.argv[1]
    args = dict(a.split('=', 1) for a in sys.argv[2:])
    c = Ctx(args)
    try:
        globals()['case_' + case](c)
        print('PASS')
    except Failed as e:
        print('FAIL: %s' % e)
        sys.exit(1)
    finally:
        shutil.rmtree(c.tmp, ignore_errors=True)


main()
