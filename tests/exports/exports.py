#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of the exports, merges and diffs (issue 12), checked by
the real consumers where they run offline (shared/FORMATS.md):

  formats     every export of one recording, read back by its grammar
  pprof       `go tool pprof -raw -symbolize=none` (and pprof-format, when installed)
  firefox     Firefox Profiler's import code (profiler-cli) on perf-script,
              folded, chrome and firefox exports
  speedscope  speedscope 1.25.0 in headless Chromium on speedscope,
              perf-script, folded and chrome exports
  merge       two recordings from two "hosts" (UTS namespaces): the sums,
              labelled apart
  diff        a run with a branch more: exactly that path is new
  diff-builds two builds of one program: nothing changed

    exports.py CASE NAME=PATH...   (screc=, target=, target-v2=)

The recordings are of exports-target (see exports-target.c): 5 connects on
main -> run_common -> do_connect, 2 on a thread "screc-worker" (worker_loop),
and with "b" 3 more on main -> run_extra.  Exit status: 0 pass, 1 fail, 77
skip (perf_event_open not permitted, or a consumer that cannot be installed
here), each with a message saying why.
"""

import base64
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import screctest  # noqa: E402
from screctest import Failed, fail, perf_forbidden, skip  # noqa: E402

COMMON, WORKER, EXTRA = 5, 2, 3
COMM = 'exports-target'
WORKER_COMM = 'screc-worker'
CONSUMERS = os.environ.get('SCREC_CONSUMERS', '/opt/screc-consumers')
# Linux pids stay below 2^22: the second recording's are moved up by this (export_pid()).
PID_SPAN = 1 << 22


def check(cond, msg):
    if not cond:
        fail(msg)


class Ctx:
    def __init__(self, args):
        self.paths = dict(a.partition('=')[::2] for a in args)
        self.tmp = tempfile.mkdtemp(prefix='screc-exports-test.')
        self.env = dict(os.environ, LC_ALL='C')
        self.env.pop('DEBUGINFOD_URLS', None)

    def path(self, name):
        p = self.paths.get(name, '')
        if not p or not os.path.exists(p):
            fail('%s: not built (%r)' % (name, p))
        return p

    def run(self, argv, check_rc=True, timeout=120, env=None, binary=False):
        p = subprocess.run(argv, capture_output=True, text=not binary, timeout=timeout,
                           env=env or self.env)
        if check_rc and p.returncode != 0:
            err = p.stderr if not binary else p.stderr.decode(errors='replace')
            fail('%s: exit %d\n%s' % (' '.join(argv), p.returncode, err[-3000:]))
        return p

    def record(self, name, mode='a', host=None, target=None):
        """Record the target; the file's path.  With host, as a host of its own: in new
        UTS and PID namespaces (so two such recordings have the same pids)."""
        out = os.path.join(self.tmp, name + '.screc')
        argv = [self.path('screc'), 'record', '-e', 'connect', '-o', out, '--',
                target or self.path('target'), mode]
        if host:
            unshare = shutil.which('unshare')
            if not unshare:
                skip('unshare (util-linux) is missing: cannot record as another host')
            argv = [unshare, '--uts', '--pid', '--fork', '--mount-proc', 'sh', '-c',
                    'hostname "$0" && exec "$@"', host] + argv
        p = self.run(argv, check_rc=False)
        if p.returncode != 0:
            if perf_forbidden(p.stderr):
                skip('perf_event_open is not permitted here: ' + p.stderr.strip()[-200:])
            fail('%s: exit %d\n%s' % (' '.join(argv), p.returncode, p.stderr[-3000:]))
        return out

    def report(self, files, fmt, *extra, binary=False):
        """The export of files in fmt, as text (or bytes)."""
        out = os.path.join(self.tmp, 'out-%s-%d' % (fmt, len(os.listdir(self.tmp))))
        self.run([self.path('screc'), 'report', '--format=' + fmt, '-o', out] + list(extra) +
                 list(files))
        with open(out, 'rb') as f:
            data = f.read()
        return data if binary else data.decode()

    def export_file(self, files, fmt, *extra):
        out = os.path.join(self.tmp, 'export-%d.%s' % (len(os.listdir(self.tmp)), fmt))
        self.run([self.path('screc'), 'report', '--format=' + fmt, '-o', out] + list(extra) +
                 list(files))
        return out

    def threads(self, f):
        """{tid: (pid, comm)} of the recording's events, from the lossless json export."""
        t = {}
        for line in self.report([f], 'json').splitlines():
            ev = json.loads(line)
            t[ev['tid']] = (ev['pid'], ev['comm'])
        check(len(t) == 2, 'expected 2 threads in the recording, got %r' % t)
        return t

    def main_tid(self, threads):
        return [tid for tid, (pid, comm) in threads.items() if tid == pid][0]

    def worker_tid(self, threads):
        return [tid for tid, (pid, comm) in threads.items() if tid != pid][0]


# -- the paths every export must show ------------------------------------------

MAIN_PATH = ['_start', '__libc_start_main', '__libc_start_call_main', 'main', 'run_common',
             'do_connect', 'connect']
EXTRA_PATH = ['_start', '__libc_start_main', '__libc_start_call_main', 'main', 'run_extra',
              'do_connect', 'connect']
WORKER_PATH = ['worker_main', 'worker_loop', 'do_connect', 'connect']


def folded_lines(text):
    lines = {}
    for line in text.splitlines():
        m = re.fullmatch(r'(.+) (\d+)', line)
        check(m, 'folded: bad line %r' % line)
        lines[m.group(1)] = lines.get(m.group(1), 0) + int(m.group(2))
    return lines


def ends_with(frames, tail):
    """Whether frames (root first) end with tail, where 'connect' may be any libc alias."""
    if len(frames) < len(tail):
        return False
    for got, want in zip(frames[-len(tail):], tail):
        if want == 'connect' and re.fullmatch(screctest.CONNECT, got):
            continue
        if got != want:
            return False
    return True


def count_paths(lines, comm, tail, leaf='connect'):
    """The count of folded lines of comm whose stack ends with tail then the syscall leaf."""
    n = 0
    for stack, count in lines.items():
        frames = stack.split(';')
        if frames[0] == comm and frames[-1] == leaf and ends_with(frames[1:-1], tail):
            n += count
    return n


# -- formats: every export read back by its grammar ------------------------------

def case_formats(c):
    f = c.record('a')
    threads = c.threads(f)
    main, worker = c.main_tid(threads), c.worker_tid(threads)
    pid = threads[main][0]

    # --format=help names every export
    helptext = c.run([c.path('screc'), 'report', '--format=help']).stdout
    for name in ('perf-script', 'folded', 'chrome', 'firefox', 'speedscope', 'pprof', 'json',
                 'diff', 'diff-tree', 'diff-folded'):
        check(re.search(r'^  %s ' % re.escape(name), helptext, re.M),
              '--format=help does not list %s:\n%s' % (name, helptext))

    # perf-script: the strict grammar of shared/FORMATS.md
    text = c.report([f], 'perf-script')
    check(text.endswith('\n\n'), 'perf-script: the last sample is not followed by a blank line')
    samples = text.split('\n\n')[:-1]
    check(len(samples) == COMMON + WORKER, 'perf-script: %d samples' % len(samples))
    head = re.compile(r'(\S.*) (\d+)/(\d+) \[\d{3}\] \d+\.\d{6}: 1 raw_syscalls:sys_enter:')
    frame = re.compile(r'\t *[0-9a-f]+ \S.* \([^ )]+\)')
    per_tid = {}
    for s in samples:
        lines = s.split('\n')
        m = head.fullmatch(lines[0])
        check(m, 'perf-script: bad sample line %r' % lines[0])
        check(lines[1] == '\t' + ' ' * 15 + '0 __x64_sys_connect ([kernel.kallsyms])',
              'perf-script: the leaf is not the syscall: %r' % lines[1])
        for fr in lines[1:]:
            check(frame.fullmatch(fr), 'perf-script: bad frame line %r' % fr)
        check(int(m.group(2)) == pid, 'perf-script: pid %s' % m.group(2))
        per_tid.setdefault(int(m.group(3)), []).append(m.group(1))
        names = [re.sub(r'\+0x[0-9a-f]+$', '', fr.split(' (')[0].split()[-1]) for fr in lines[1:]]
        check('do_connect' in names, 'perf-script: no do_connect in %r' % names)
    check(sorted(len(v) for v in per_tid.values()) == [WORKER, COMMON] and
          set(per_tid[main]) == {COMM} and set(per_tid[worker]) == {WORKER_COMM},
          'perf-script: samples per thread %r' % per_tid)
    check(not any(line.startswith('#') for line in text.splitlines()), 'perf-script: a # line')

    # folded, by count and by latency (the latency is the sum of the durations)
    lines = folded_lines(c.report([f], 'folded'))
    check(count_paths(lines, COMM, MAIN_PATH) == COMMON and
          count_paths(lines, WORKER_COMM, WORKER_PATH) == WORKER and
          sum(lines.values()) == COMMON + WORKER,
          'folded: the two paths with %d and %d calls, got %r' % (COMMON, WORKER, lines))
    durations = sum(json.loads(l)['duration_ns'] for l in c.report([f], 'json').splitlines())
    lat = folded_lines(c.report([f], 'folded', '--weight=latency'))
    check(set(lat) == set(lines) and sum(lat.values()) == durations,
          'folded --weight=latency: %r, want the total %d ns' % (lat, durations))

    # chrome: X events on their threads' tracks, named, with the stack in args
    d = json.loads(c.report([f], 'chrome'))
    xs = [e for e in d['traceEvents'] if e['ph'] == 'X']
    check(len(xs) == COMMON + WORKER and all(e['name'] == 'connect' for e in xs),
          'chrome: %d X events' % len(xs))
    for e in xs:
        data = e['args']['data']
        check(e['pid'] == pid and e['tid'] in (main, worker) and e['dur'] > 0 and
              data['errno'] == 'ECONNREFUSED' and data['ret'] == -111 and
              data['call'].startswith('connect(') and 'sin_port=htons(1)' in data['call'] and
              any(s.startswith('do_connect ') for s in data['stack']) and
              str(e['sf']) in d['stackFrames'],
              'chrome: bad X event %r' % e)
    names = {(e['name'], e['tid']): e['args'] for e in d['traceEvents'] if e['ph'] == 'M'}
    check(names.get(('thread_name', worker), {}).get('name') == WORKER_COMM and
          names.get(('thread_name', main), {}).get('name') == COMM and
          names.get(('process_name', pid), {}).get('name') == COMM,
          'chrome: thread and process names %r' % names)

    # firefox: Gecko JSON, a thread per thread, samples and markers
    d = json.loads(c.report([f], 'firefox'))
    check(d['meta']['version'] == 27 and d['meta']['markerSchema'], 'firefox: meta %r' % d['meta'])
    got = {(t['name'], t['tid'], t['pid'], len(t['samples']['data']), len(t['markers']['data']))
           for t in d['threads']}
    check(got == {(COMM, main, pid, COMMON, COMMON), (WORKER_COMM, worker, pid, WORKER, WORKER)},
          'firefox: threads %r' % got)

    # speedscope: evented profiles whose events open and close in order
    d = json.loads(c.report([f], 'speedscope'))
    frames = d['shared']['frames']
    for p in d['profiles']:
        stack, last = [], p['startValue']
        for e in p['events']:
            check(e['at'] >= last, 'speedscope: time goes back in %s' % p['name'])
            last = e['at']
            if e['type'] == 'O':
                stack.append(e['frame'])
            else:
                check(stack and stack.pop() == e['frame'], 'speedscope: unbalanced close')
        check(not stack and last <= p['endValue'], 'speedscope: %s ends open' % p['name'])
    opens = sorted(sum(1 for e in p['events'] if e['type'] == 'O' and
                       frames[e['frame']]['name'] == 'do_connect') for p in d['profiles'])
    check(opens == [WORKER, COMMON], 'speedscope: do_connect opened %r times' % opens)

    # pprof: a gzip stream (the consumer test reads what is inside)
    data = c.report([f], 'pprof', binary=True)
    check(data[:2] == b'\x1f\x8b' and len(gzip.decompress(data)) > 100, 'pprof: not gzip')


# -- pprof: go tool pprof ----------------------------------------------------------

def go_pprof(c, path, required=True):
    """go tool pprof -raw's text of a profile; without go, a skip (or None if not required)."""
    go = shutil.which('go') or ('/usr/lib/go/bin/go' if os.path.exists('/usr/lib/go/bin/go')
                                else None)
    if not go and not required:
        print('# go is not installed (Debian golang-go): the pprof part is left out')
        return None
    if not go:
        skip('go is not installed (Debian golang-go): cannot run go tool pprof')
    env = dict(c.env, GOCACHE=os.path.join(c.tmp, 'gocache'), HOME=c.tmp)
    p = c.run([go, 'tool', 'pprof', '-raw', '-symbolize=none', path], env=env)
    return p.stdout


def parse_raw(text):
    """go tool pprof -raw: samples [(values, locations, labels)], {loc: function names}, mappings."""
    samples, locs, maps = [], {}, []
    section = None
    cur = None
    for line in text.splitlines():
        if line in ('Samples:', 'Locations', 'Mappings'):
            section = line
            continue
        if section == 'Samples:':
            m = re.match(r'\s+(\d+)\s+(\d+): ([\d ]+)$', line)
            if m:
                cur = ([int(m.group(1)), int(m.group(2))], [int(x) for x in m.group(3).split()], {})
                samples.append(cur)
            elif cur and line.strip():
                for k, v in re.findall(r'(\w+):\[([^\]]*)\]', line):
                    cur[2][k] = v
        elif section == 'Locations':
            m = re.match(r'\s+(\d+): 0x[0-9a-f]+ (?:M=\d+ )?(.*)$', line)
            if m:
                locs[int(m.group(1))] = re.findall(r'(\S+) :\d+ s=\d+', m.group(2))
        elif section == 'Mappings':
            m = re.match(r'(\d+): \S+ (\S+)', line)
            if m:
                maps.append(m.group(2))
    return samples, locs, maps


def case_pprof(c):
    f = c.record('a')
    threads = c.threads(f)
    pid = threads[c.main_tid(threads)][0]
    path = c.export_file([f], 'pprof')
    text = go_pprof(c, path)
    check('calls/count' in text and 'latency/nanoseconds' in text,
          'go pprof: no sample types in\n' + text)
    samples, locs, maps = parse_raw(text)
    got = {}
    for values, ids, labels in samples:
        names = [n for i in ids for n in locs[i]]
        check(names[0] == 'connect' and 'do_connect' in names,
              'go pprof: a sample does not end in the syscall: %r' % names)
        check(labels.get('syscall') == 'connect' and labels.get('errno') == 'ECONNREFUSED' and
              labels.get('pid') == str(pid) and labels.get('host'),
              'go pprof: labels %r' % labels)
        check(values[1] > 0, 'go pprof: no latency in %r' % values)
        key = (labels['comm'], 'worker_loop' in names, 'run_common' in names)
        got[key] = got.get(key, 0) + values[0]
    check(got == {(COMM, False, True): COMMON, (WORKER_COMM, True, False): WORKER},
          'go pprof: calls per path %r' % got)
    check(maps and os.path.basename(maps[0]) == 'exports-target',
          'go pprof: the main executable is not the first mapping: %r' % maps)
    # The lenient reader too, when it is installed.
    node, mod = shutil.which('node'), os.path.join(CONSUMERS, 'node_modules', 'pprof-format')
    if node and os.path.isdir(mod):
        js = ('const {Profile}=require(%s);const p=Profile.decode(require("zlib").gunzipSync('
              'require("fs").readFileSync(%s)));let n=0;for(const s of p.sample)n+=Number('
              's.value[0]);console.log(p.sample.length+" "+n)') % (json.dumps(mod),
                                                                  json.dumps(path))
        out = c.run([node, '-e', js]).stdout.split()
        check(out == ['2', str(COMMON + WORKER)], 'pprof-format: %r' % out)
    else:
        print('# pprof-format is not installed in %s: only go tool pprof read it' % CONSUMERS)


# -- firefox: profiler-cli -----------------------------------------------------------

class Profiler:
    """Firefox Profiler's import code, through profiler-cli's daemon (always stopped)."""

    def __init__(self, c):
        self.c = c
        self.node = shutil.which('node')
        self.cli = os.path.join(CONSUMERS, 'node_modules', '@firefox-devtools', 'profiler-cli',
                                'dist', 'profiler-cli.js')
        if not self.node or not os.path.exists(self.cli):
            skip('profiler-cli is not installed in %s (.ci/run installs '
                 '@firefox-devtools/profiler-cli@0.10.0 with npm)' % CONSUMERS)
        # A daemon of its own: sessions live in this directory.
        self.env = dict(c.env, PROFILER_CLI_SESSION_DIR=tempfile.mkdtemp(dir=c.tmp))

    def load(self, path):
        """Load a profile; its `profile info` (the daemon may take longer than load waits)."""
        self.cmd(['load', path], check_rc=False)
        deadline = time.time() + 60
        while True:
            p = self.cmd(['profile', 'info', '--all', '--json'], check_rc=False)
            if p.returncode == 0:
                try:
                    return json.loads(p.stdout)
                except ValueError:
                    pass
            if time.time() > deadline:
                fail('profiler-cli could not load %s:\n%s%s' % (path, p.stdout, p.stderr))
            time.sleep(0.3)

    def cmd(self, args, check_rc=True):
        return self.c.run([self.node, self.cli] + args, check_rc=check_rc, env=self.env,
                          timeout=90)

    def json(self, args):
        return json.loads(self.cmd(args + ['--json']).stdout)

    def stop(self):
        self.cmd(['stop', '--all'], check_rc=False)

    def threads(self, info):
        """[(pid, process name, thread name, tid, handle)] of a profile info."""
        return [(p['pid'], p['name'], t['name'], t['tid'], t['threadHandle'])
                for p in info['processes'] for t in p['threads']]

    def functions(self, handle):
        """(samples, {function name: total samples}) of a thread: every sample of these
        profiles holds the syscall's leaf, so the largest total is the sample count."""
        funcs = {}
        for f in self.json(['thread', 'functions', '--thread', handle])['functions']:
            funcs[f['name']] = max(funcs.get(f['name'], 0), f['totalSamples'])
        return max(funcs.values(), default=0), funcs

    def markers(self):
        """{thread handle: marker count}."""
        return {t['threadHandle']: t['markerCount']
                for t in self.json(['thread', 'list'])['threads']}


def firefox_check(c, fmt, path, want, pid, host):
    """Load one export into its own profiler-cli daemon and check what the importer made."""
    ff = Profiler(c)
    try:
        ts = ff.threads(ff.load(path))
        if fmt == 'folded':
            # One thread "Program" whose samples are the counts.
            check(len(ts) == 1, 'firefox/folded: threads %r' % ts)
            n, funcs = ff.functions(ts[0][4])
            check(n == COMMON + WORKER and funcs.get('do_connect') == COMMON + WORKER and
                  funcs.get('run_common') == COMMON and funcs.get('worker_loop') == WORKER,
                  'firefox/folded: %d samples, functions %r' % (n, funcs))
            return
        got = {}
        for tpid, pname, name, tid, handle in ts:
            # The chrome importer names a thread's tid "pid:tid".
            got[int(str(tid).split(':')[-1])] = (name, handle, tpid, pname)
        check(set(got) == set(want) and all(got[t][0] == want[t][0] for t in got) and
              all(str(got[t][2]) == str(pid) for t in got),
              'firefox/%s: threads %r, want names %r' % (fmt, ts, want))
        if fmt in ('chrome', 'firefox'):
            markers = ff.markers()
            for tid, (name, calls, _) in want.items():
                check(markers[got[tid][1]] == calls,
                      'firefox/%s: %s: %d markers' % (fmt, name, markers[got[tid][1]]))
        if fmt == 'chrome':
            return  # X events are markers there, without samples
        for tid, (name, calls, fn) in want.items():
            n, funcs = ff.functions(got[tid][1])
            check(n == calls and funcs.get('do_connect') == calls and funcs.get(fn) == calls,
                  'firefox/%s: %s: %d samples, functions %r' % (fmt, name, n, funcs))
            if fmt == 'perf-script':
                check(funcs.get('__x64_sys_connect') == calls,
                      'firefox/perf-script: no syscall leaf in %r' % funcs)
            else:
                check(funcs.get('connect') == calls and
                      got[tid][3] == '%s (%s)' % (COMM, host),
                      'firefox/firefox: %s: %r, process %r' % (name, funcs, got[tid][3]))
        if fmt == 'firefox':
            # A marker's fields and stack, on the main thread.
            tid = [t for t in want if want[t][0] == COMM][0]
            ff.cmd(['thread', 'select', got[tid][1]])
            ms = ff.json(['thread', 'markers', '--list'])['flatMarkers']
            fields = {x['key']: x['value'] for x in ms[0]['fields']}
            check(len(ms) == COMMON and ms[0]['name'] == 'connect' and ms[0]['hasStack'] and
                  fields['call'].startswith('connect(') and 'ECONNREFUSED' in fields['ret'] and
                  ms[0]['duration'] > 0, 'firefox/firefox: markers %r' % ms[:1])
            names = [x['name'] for x in ff.json(['marker', 'stack', ms[0]['handle']])['stack']
                     ['frames']]
            check(names[0] == 'connect' and 'do_connect' in names and 'run_common' in names,
                  'firefox/firefox: marker stack %r' % names)
    finally:
        ff.stop()


def case_firefox(c):
    Profiler(c)  # skips when it is not installed
    f = c.record('a')
    threads = c.threads(f)
    main, worker = c.main_tid(threads), c.worker_tid(threads)
    pid = threads[main][0]
    host = json.loads(c.report([f], 'chrome'))['otherData']['recordings'][0]['host']
    want = {main: (COMM, COMMON, 'run_common'), worker: (WORKER_COMM, WORKER, 'worker_loop')}
    jobs = [(fmt, c.export_file([f], fmt)) for fmt in ('firefox', 'perf-script', 'chrome',
                                                       'folded')]
    # Four daemons side by side: the importer's start is most of the time.
    errors = []

    def job(fmt, path):
        try:
            firefox_check(c, fmt, path, want, pid, host)
        except Failed as e:
            errors.append(str(e))
        except SystemExit as e:
            errors.append('exit %s' % e.code)

    ts = [threading.Thread(target=job, args=j) for j in jobs]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check(not errors, '\n'.join(errors))


# -- speedscope in headless Chromium ------------------------------------------------

LOADER = r'''(function(){
var tag=%(tag)s, imported=false, alerted=null, since=0;
var te=console.timeEnd.bind(console), lg=console.log.bind(console);
console.timeEnd=function(l){ if(l==="import"){ imported=true; since=Date.now(); } return te(l); };
window.alert=function(m){ alerted=String(m); };
speedscope.loadFileFromBase64(tag, %(b64)s);
var t0=Date.now();
(function poll(){
 var text=document.body ? document.body.innerText : "";
 var rows=text.indexOf("Symbol Name")>=0 && text.split("Symbol Name")[1].trim().length>0;
 if ((imported && document.title!=="speedscope" && (rows || Date.now()-since>3000)) ||
     alerted || Date.now()-t0>15000) {
  lg("SCREC-RESULT "+JSON.stringify({tag:tag, imported:imported, title:document.title,
     alert:alerted, text:text.slice(0,4000)}));
  return;
 }
 setTimeout(poll,50);
})();
})();'''


def case_speedscope(c):
    chromium = shutil.which('chromium') or shutil.which('chromium-browser')
    index = os.path.join(CONSUMERS, 'node_modules', 'speedscope', 'dist', 'release', 'index.html')
    if not chromium:
        skip('chromium is not installed (Debian chromium): cannot run speedscope')
    if not os.path.exists(index):
        skip('speedscope is not installed in %s (.ci/run installs speedscope@1.25.0 with npm)'
             % CONSUMERS)
    f = c.record('a')
    # Every export in one browser: an iframe each, reporting through the console.
    frames = []
    for fmt in ('speedscope', 'perf-script', 'folded', 'chrome'):
        path = c.export_file([f], fmt)
        js = os.path.join(c.tmp, fmt + '.js')
        with open(path, 'rb') as src, open(js, 'w') as out:
            out.write(LOADER % {'tag': json.dumps(fmt),
                                'b64': json.dumps(base64.b64encode(src.read()).decode())})
        frames.append('<iframe width="1200" height="700" src="file://%s#view=sandwich&'
                      'localProfilePath=%s"></iframe>' % (index, js))
    harness = os.path.join(c.tmp, 'harness.html')
    with open(harness, 'w') as h:
        h.write('<!DOCTYPE html><html><body>%s</body></html>' % ''.join(frames))
    argv = [chromium, '--headless', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader',
            '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--user-data-dir=' +
            os.path.join(c.tmp, 'chromium'), '--enable-logging=stderr', '--v=0',
            '--allow-file-access-from-files', '--virtual-time-budget=30000', '--dump-dom',
            'file://' + harness]
    env = dict(c.env, DBUS_SESSION_BUS_ADDRESS='disabled:')
    p = c.run(argv, check_rc=False, env=env, timeout=120)
    results = {}
    for m in re.finditer(r'SCREC-RESULT (\{.*\})", source:', p.stderr):
        r = json.loads(m.group(1))
        results[r['tag']] = r
    check(len(results) == 4, 'speedscope: %d of 4 pages reported (exit %d):\n%s' %
          (len(results), p.returncode, p.stderr[-3000:]))
    for fmt, r in sorted(results.items()):
        print('# speedscope %s: %s' % (fmt, r['text'].replace('\n', ' | ')[:300]))
        check(r['imported'] and not r['alert'] and r['title'].endswith(' - speedscope'),
              'speedscope did not load the %s export: %r' % (fmt, r))
        if fmt != 'folded':
            check(re.search(r'\(1/2\)', r['text']), 'speedscope/%s: not 2 profiles: %r' %
                  (fmt, r['text']))
        if fmt != 'chrome':
            check(re.search(r'\bdo_connect\b', r['text']),
                  'speedscope/%s: no do_connect in the sandwich table: %r' % (fmt, r['text']))
        else:
            check(re.search(r'\bconnect \{', r['text']),
                  'speedscope/chrome: no connect slice: %r' % r['text'])


# -- merge: two hosts ---------------------------------------------------------------

def case_merge(c):
    a = c.record('a', host='host-a')
    b = c.record('b', host='host-b')
    ta, tb = c.threads(a), c.threads(b)
    # Each "host" numbers its own pids: the two recordings' collide.
    check(ta == tb, 'merge: the two hosts did not reuse the same pids: %r %r' % (ta, tb))

    # Folded: one flame graph of the fleet, the counts exactly summed.
    one = folded_lines(c.report([a], 'folded'))
    both = folded_lines(c.report([a, b], 'folded'))
    check(count_paths(both, COMM, MAIN_PATH) == 2 * COMMON and
          count_paths(both, WORKER_COMM, WORKER_PATH) == 2 * WORKER and
          sum(both.values()) == 2 * sum(one.values()) and set(both) == set(one),
          'merge/folded: %r' % both)

    # Chrome: four tracks, hosts apart, each process labelled with its host.
    d = json.loads(c.report([a, b], 'chrome'))
    xs = [e for e in d['traceEvents'] if e['ph'] == 'X']
    hosts = {}
    for e in xs:
        hosts.setdefault(e['args']['data']['host'], set()).add((e['pid'], e['tid']))
    pa, pb = ta[c.main_tid(ta)][0], tb[c.main_tid(tb)][0]
    check(len(xs) == 2 * (COMMON + WORKER) and
          hosts == {'host-a': {(pa, t) for t in ta}, 'host-b': {(pb + PID_SPAN, t + PID_SPAN)
                                                               for t in tb}},
          'merge/chrome: tracks by host %r' % hosts)
    labels = {e['pid']: e['args']['labels'] for e in d['traceEvents']
              if e['ph'] == 'M' and e['name'] == 'process_labels'}
    check(labels == {pa: 'host-a', pb + PID_SPAN: 'host-b'}, 'merge/chrome: labels %r' % labels)

    # Firefox: four threads, each process named with its host.
    d = json.loads(c.report([a, b], 'firefox'))
    got = sorted((t['processName'], t['name'], len(t['samples']['data'])) for t in d['threads'])
    check(got == sorted([('%s (host-a)' % COMM, COMM, COMMON),
                         ('%s (host-a)' % COMM, WORKER_COMM, WORKER),
                         ('%s (host-b)' % COMM, COMM, COMMON),
                         ('%s (host-b)' % COMM, WORKER_COMM, WORKER)]),
          'merge/firefox: threads %r' % got)

    # perf-script: the second recording's tids moved apart (importers key threads by tid).
    tids = set(int(m) for m in re.findall(r'^\S.* \d+/(\d+) \[', c.report([a, b], 'perf-script'),
                                          re.M))
    check(tids == set(ta) | {t + PID_SPAN for t in tb}, 'merge/perf-script: tids %r' % tids)

    # Firefox Profiler's perf-script importer keys threads by tid alone: four of them.
    try:
        ff = Profiler(c)
    except SystemExit:
        ff = None
        print('# profiler-cli is not installed: the merged perf-script is checked by its text')
    if ff:
        try:
            ts = ff.threads(ff.load(c.export_file([a, b], 'perf-script')))
            got = sorted((name, int(tid)) for _, _, name, tid, _ in ts)
            check(got == sorted([(ta[t][1], t) for t in ta] +
                                [(tb[t][1], t + PID_SPAN) for t in tb]),
                  'merge/firefox perf-script: threads %r' % got)
        finally:
            ff.stop()

    # pprof: the sums, labelled by host.
    text = go_pprof(c, c.export_file([a, b], 'pprof'), required=False)
    if text is not None:
        samples, locs, _ = parse_raw(text)
        got = {}
        for values, ids, labels in samples:
            key = (labels.get('host'), labels.get('comm'))
            got[key] = got.get(key, 0) + values[0]
        check(got == {('host-a', COMM): COMMON, ('host-a', WORKER_COMM): WORKER,
                      ('host-b', COMM): COMMON, ('host-b', WORKER_COMM): WORKER},
              'merge/pprof: calls by host %r' % got)

    # The report says what it read of each.
    p = c.run([c.path('screc'), 'report', '--format=folded', '-o', os.devnull, a, b])
    check('%s: %d events' % (a, COMMON + WORKER) in p.stderr and
          '%s: %d events' % (b, COMMON + WORKER) in p.stderr and
          re.search(r'\b%d events, ' % (2 * (COMMON + WORKER)), p.stderr),
          'merge: the summary lines\n' + p.stderr)


# -- diff ----------------------------------------------------------------------------

def diff_rows(text):
    """The text view's call-path rows: [(A, B, change, mark, path)]."""
    rows, section = [], None
    for line in text.splitlines():
        if line.startswith('# by call path'):
            section = 'paths'
            continue
        if line.startswith('#') or section != 'paths':
            continue
        m = re.match(r'\s*(\d+)\s+(\d+)\s+(\S+)\s+\d+\s+\d+\s+\S+  (new |gone|    )  (.*)$', line)
        check(m, 'diff: bad row %r' % line)
        rows.append((int(m.group(1)), int(m.group(2)), m.group(3), m.group(4).strip(),
                     m.group(5)))
    return rows


def case_diff(c):
    a = c.record('a', 'a')
    b = c.record('b', 'b')
    screc = c.path('screc')
    text = c.run([screc, 'diff', a, b]).stdout
    rows = diff_rows(text)
    changed = [r for r in rows if r[2] != '0']
    check(len(changed) == 1, 'diff: %d changed paths, want 1:\n%s' % (len(changed), text))
    acount, bcount, change, mark, path = changed[0]
    frames = path.split(' <- ')
    check((acount, bcount, change, mark) == (0, EXTRA, '+%d' % EXTRA, 'new') and
          frames[0] == 'connect = ECONNREFUSED' and
          ends_with(list(reversed(frames[1:])), EXTRA_PATH),
          'diff: the new path %r' % (changed[0],))
    check(rows[0] == changed[0], 'diff: the change does not come first:\n' + text)
    same = {tuple(r[:2]) for r in rows[1:]}
    check(same == {(COMMON, COMMON), (WORKER, WORKER)} and len(rows) == 3,
          'diff: the other paths %r' % rows[1:])
    check(re.search(r'^\s+%d\s+%d\s+\+%d .*connect = ECONNREFUSED$' %
                    (COMMON + WORKER, COMMON + WORKER + EXTRA, EXTRA), text, re.M),
          'diff: the syscall row\n' + text)

    # The same through report --format=diff-folded: "stack countA countB".
    lines = {}
    for line in c.report([a, b], 'diff-folded').splitlines():
        m = re.fullmatch(r'(.+) (\d+) (\d+)', line)
        check(m, 'diff-folded: bad line %r' % line)
        lines[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    new = [k for k, v in lines.items() if v[0] != v[1]]
    check(len(lines) == 3 and len(new) == 1 and lines[new[0]] == (0, EXTRA) and
          ends_with(new[0].split(';')[:-1], EXTRA_PATH) and
          new[0].endswith(';connect = ECONNREFUSED'),
          'diff-folded: %r' % lines)

    # The tree: the new branch marked, with its counts.
    tree = c.run([screc, 'diff', '--format=tree', a, b]).stdout
    check(re.search(r'^\s+0\s+%d\s+\+%d\s.*run_extra  \[new\]$' % (EXTRA, EXTRA), tree, re.M) and
          re.search(r'^\s+%d\s+%d\s+0\s.*run_common$' % (COMMON, COMMON), tree, re.M),
          'diff --format=tree:\n' + tree)

    # One recording is not a diff.
    p = c.run([screc, 'diff', a], check_rc=False)
    check(p.returncode == 2 and 'give 2 files' in p.stderr, 'diff of one file: %r' % p.stderr)


def case_diff_builds(c):
    """Two builds of one program (other addresses, same names): nothing changed."""
    v2 = os.path.join(c.tmp, 'v2')
    os.mkdir(v2)
    copy = os.path.join(v2, os.path.basename(c.path('target')))
    shutil.copy(c.path('target-v2'), copy)
    a = c.record('a', 'a')
    b = c.record('b', 'a', target=copy)
    syms = [set(re.findall(r'^([0-9a-f]+) [tT] do_connect$', c.run(['nm', t]).stdout, re.M))
            for t in (c.path('target'), copy)] if shutil.which('nm') else [{1}, {2}]
    check(syms[0] != syms[1], 'the two builds put do_connect at the same address: %r' % syms)
    rows = diff_rows(c.run([c.path('screc'), 'diff', a, b]).stdout)
    check(len(rows) == 2 and all(r[2] == '0' and r[3] == '' for r in rows),
          'diff of two builds: %r' % rows)


CASES = {
    'formats': case_formats,
    'pprof': case_pprof,
    'firefox': case_firefox,
    'speedscope': case_speedscope,
    'merge': case_merge,
    'diff': case_diff,
    'diff-builds': case_diff_builds,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in CASES:
        print('usage: exports.py CASE NAME=PATH...; cases: ' + ' '.join(CASES))
        return 2
    c = Ctx(sys.argv[2:])
    t0 = time.time()
    try:
        CASES[sys.argv[1]](c)
    except Failed as e:
        print('FAIL: %s' % e)
        return 1
    finally:
        shutil.rmtree(c.tmp, ignore_errors=True)
    print('ok: %s (%.1f s)' % (sys.argv[1], time.time() - t0))
    return 0


if __name__ == '__main__':
    sys.exit(main())
