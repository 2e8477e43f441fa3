# SPDX-License-Identifier: MIT
"""The command line as a new user meets it (issue 15), one case per run:

  help        every command's --help: synopsis, options with long forms,
              examples; `screc help CMD` is the same; a wrong option is one
              line and a hint, exit 2
  errors      each error a user meets is one line naming the problem and the
              fix: unknown syscall, missing, unreadable, not a recording,
              newer format, no perf permission, a previous output kept
  color       colour on a terminal and with --color=always, none in a pipe,
              with NO_COLOR, TERM=dumb or --color=never
  shape       --fold, --callers, --callees on a target whose syscalls sit
              several libc frames below its own functions
  pipe        `| head` ends quietly; -o - and reading - work together
  man         every option of each --help is in its man page; pages render
  completion  bash completion of commands, options, syscalls, classes, formats
  install     `meson install` puts binaries, man pages and completions in place

Usage: cli.py CASE screc=PATH screc_record=PATH target=PATH source=DIR build=DIR
[man_PAGE=PATH...]
"""
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from screctest import Failed, fail, skip, perf_forbidden  # noqa: E402

COMMANDS = ['record', 'report', 'info', 'diff', 'archive']
ESC = '\033['


class Ctx:
    def __init__(self, args):
        self.a = args
        self.screc = args['screc']
        self.tmp = tempfile.mkdtemp(prefix='screc-cli-')
        self._rec = None

    def run(self, *argv, env=None, stdin=None, timeout=120, prog=None):
        e = dict(os.environ)
        e.pop('NO_COLOR', None)
        e.update(env or {})
        return subprocess.run([prog or self.screc] + list(argv), capture_output=True, text=True,
                              env=e, stdin=stdin, timeout=timeout, cwd=self.tmp)

    def recording(self):
        """The target recorded once: 3 failed opens, 2 refused connects."""
        if self._rec:
            return self._rec
        out = os.path.join(self.tmp, 'target.screc')
        p = self.run('record', '-o', out, '-e', 'openat,connect', '--', self.a['target'])
        if p.returncode != 0:
            if perf_forbidden(p.stderr):
                skip('perf_event_open is forbidden here: ' + p.stderr.strip())
            fail('record the target: exit %d\n%s' % (p.returncode, p.stderr))
        self._rec = out
        return out


def stderr_lines(p):
    return [l for l in p.stderr.splitlines() if l.strip()]


def one_line_error(p, what, rc=None, must=()):
    """p failed with exactly one line (plus at most a "Try ... --help" hint) holding must."""
    if p.returncode == 0 or (rc is not None and p.returncode != rc):
        fail('%s: exit %d, expected %s\n%s' % (what, p.returncode, rc or 'an error', p.stderr))
    lines = [l for l in stderr_lines(p) if not l.startswith('Try ')]
    if len(lines) != 1:
        fail('%s: %d lines on stderr, expected one:\n%s' % (what, len(lines), p.stderr))
    for m in must:
        if not re.search(m, lines[0]):
            fail('%s: the message does not say %r:\n%s' % (what, m, lines[0]))
    print('ok: %s: %s' % (what, lines[0]))


def help_options(text):
    """Every -x and --long option a --help text lists (in its option lines)."""
    opts = set()
    for line in text.splitlines():
        if not re.match(r'\s{1,6}-', line):
            continue
        head = re.split(r'\s{2,}', line.strip())[0]
        opts.update(re.findall(r'(?<![\w-])(--?[A-Za-z][\w-]*)', head))
    return opts


# --- cases ---

def case_help(c):
    top = c.run('--help')
    if top.returncode != 0 or not top.stdout.startswith('usage: screc'):
        fail('screc --help: exit %d\n%s' % (top.returncode, top.stdout + top.stderr))
    for cmd in COMMANDS:
        if not re.search(r'^\s+%s\s' % cmd, top.stdout, re.M):
            fail('screc --help does not list %s' % cmd)
    for cmd in COMMANDS:
        p = c.run(cmd, '--help')
        if p.returncode != 0 or not p.stdout.startswith('usage: screc ' + cmd):
            fail('screc %s --help: exit %d, starts %r' % (cmd, p.returncode, p.stdout[:60]))
        if c.run('help', cmd).stdout != p.stdout:
            fail("'screc help %s' differs from 'screc %s --help'" % (cmd, cmd))
        if c.run(cmd, '-h').stdout != p.stdout:
            fail("'screc %s -h' differs from 'screc %s --help'" % (cmd, cmd))
        if not re.search(r'^examples?:', p.stdout, re.M | re.I):
            fail('screc %s --help has no examples' % cmd)
        # Every short option has a long form on its line.
        for line in p.stdout.splitlines():
            m = re.match(r'\s{1,6}(-[A-Za-z])\b(?!-)', line)
            if m and '--' not in line:
                fail('screc %s --help: %s has no long form: %r' % (cmd, m.group(1), line))
        bad = c.run(cmd, '--no-such-option')
        one_line_error(bad, 'screc %s --no-such-option' % cmd, rc=2,
                       must=[r'^screc %s: unknown option --no-such-option' % cmd])
        if not re.search(r"Try 'screc %s --help'" % cmd, bad.stderr):
            fail('screc %s: a wrong option gives no hint to --help:\n%s' % (cmd, bad.stderr))
    print('ok: help of every command, with examples and long forms')
    # The recorder alone helps the same way.
    p = c.run('record', '--help', prog=c.a['screc_record'])
    if p.returncode != 0 or not p.stdout.startswith('usage: screc record'):
        fail('screc-record record --help: exit %d' % p.returncode)
    one_line_error(c.run('nosuch'), 'screc nosuch', rc=2, must=['no such command', 'screc help'])
    one_line_error(c.run('report', '-s'), 'screc report -s (no value)', rc=2,
                   must=['needs an argument'])
    rec = c.recording()
    one_line_error(c.run('report', '--tree', '--format=json', rec), '--tree with --format=json',
                   rc=2, must=['--tree', 'json'])
    p = c.run('report', '--tree', 'top-down', rec)
    if p.returncode != 0 or 'top-down' not in p.stdout:
        fail('--tree top-down (a space): exit %d\n%s' % (p.returncode, p.stderr))
    p = c.run('report', '-f', rec)
    one_line_error(p, 'report -f', rc=2, must=['unknown option -f'])
    print('ok: --tree top-down; the recorder helps alone')


def case_errors(c):
    rec = c.recording()
    one_line_error(c.run('record', '-e', 'conect', '--', 'true'), 'unknown syscall', rc=2,
                   must=['conect', r'\bconnect\b'])
    one_line_error(c.run('report', '-e', 'conect', rec), 'report: unknown syscall', rc=2,
                   must=['conect', r'\bconnect\b'])
    one_line_error(c.run('report', os.path.join(c.tmp, 'none.screc')), 'missing file', rc=1,
                   must=['No such file', 'screc record'])
    text = os.path.join(c.tmp, 'services')
    with open(text, 'w') as f:
        f.write('http 80/tcp\n' * 100)
    one_line_error(c.run('report', text), 'not a recording', rc=1,
                   must=['not a screc recording', 'screc record'])
    one_line_error(c.run('info', text), 'info: not a recording', rc=1,
                   must=['not a screc recording'])
    data = bytearray(open(rec, 'rb').read())
    data[8:16] = struct.pack('<II', 99, 99)
    newer = os.path.join(c.tmp, 'newer.screc')
    with open(newer, 'wb') as f:
        f.write(data)
    one_line_error(c.run('report', newer), 'newer format', rc=1,
                   must=['newer screc', 'version 99', 'update screc'])
    # Another user: the file is 0600, and perf events are not theirs.
    setpriv = shutil.which('setpriv')
    if os.geteuid() != 0 or not setpriv:
        print('note: not root or no setpriv: the permission cases are not tried')
    else:
        nobody = [setpriv, '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--']
        os.chmod(c.tmp, 0o777)
        p = subprocess.run(nobody + [c.screc, 'report', rec], capture_output=True, text=True)
        one_line_error(p, 'unreadable file', rc=1, must=['Permission denied', '0600'])
        out = os.path.join(c.tmp, 'nobody.screc')
        p = subprocess.run(nobody + [c.screc, 'record', '-o', out, '-e', 'connect', '--', 'true'],
                           capture_output=True, text=True, cwd=c.tmp)
        if p.returncode == 0:
            print('note: nobody may record here (perf_event_paranoid %s): not tried' %
                  open('/proc/sys/kernel/perf_event_paranoid').read().strip())
        else:
            one_line_error(p, 'no perf permission', must=[
                r'permission|not permitted|paranoid',
                r'as root|CAP_PERFMON|perf_event_paranoid|setcap'])
            if os.path.exists(out) and os.path.getsize(out) > 0 and \
                    c.run('info', out).returncode not in (0, 1):
                fail('no perf permission left an unreadable %s' % out)
    # A previous recording is kept as FILE.old, and the message says so when asked.
    out = os.path.join(c.tmp, 'again.screc')
    for i in range(2):
        p = c.run('record', '-o', out, '-e', 'connect', '--', 'true')
        if p.returncode != 0:
            fail('record -o again.screc (%d): exit %d\n%s' % (i, p.returncode, p.stderr))
    if not os.path.exists(out + '.old'):
        fail('a second recording to the same file did not keep the first as FILE.old')
    p = c.run('report', out + '.old')
    if p.returncode != 0:
        fail('FILE.old is not a readable recording:\n' + p.stderr)
    # report -o onto an existing file that is a recording: refused, not overwritten.
    keep = open(rec, 'rb').read()
    p = c.run('report', '-o', rec, rec)
    if open(rec, 'rb').read() != keep:
        fail('report -o RECORDING overwrote the recording')
    print('ok: FILE.old kept; report -o onto a recording: exit %d %s' %
          (p.returncode, p.stderr.strip()[:120]))


def colored(text):
    return ESC in text


def on_pty(argv, env):
    """Run argv with stdout on a pseudo-terminal; returns what it printed."""
    master, slave = pty.openpty()
    e = dict(os.environ)
    e.pop('NO_COLOR', None)
    e.setdefault('TERM', 'xterm')
    e.update(env)
    p = subprocess.Popen(argv, stdout=slave, stderr=subprocess.DEVNULL, env=e)
    os.close(slave)
    out = b''
    while True:
        try:
            d = os.read(master, 65536)
        except OSError:
            break
        if not d:
            break
        out += d
    p.wait(timeout=60)
    os.close(master)
    return out.decode(errors='replace')


def case_color(c):
    rec = c.recording()
    target = os.path.basename(c.a['target'])
    plain = c.run('report', rec)
    if colored(plain.stdout) or colored(plain.stderr):
        fail('colour in a pipe')
    p = c.run('report', '--color=always', rec)
    out = p.stdout
    if ESC + '1;36mopenat' + ESC + '0m(' not in out:
        fail('--color=always: the syscall name is not coloured:\n' + out[:400])
    if not re.search(re.escape(ESC + '31m') + r' = -1 ENOENT', out):
        fail('--color=always: the error is not red')
    own = [l for l in out.splitlines() if target + '(read_config' in l]
    lib = [l for l in out.splitlines() if 'libc.so' in l]
    if not own or not all(l.startswith(ESC + '32m') for l in own):
        fail("--color=always: the program's own frames are not set apart:\n%s" % own[:2])
    if not lib or any(l.startswith(ESC + '32m') for l in lib):
        fail("--color=always: libc's frames are coloured as the program's")
    # Stripped of its colour, the output is the plain one.
    if re.sub(r'\033\[[0-9;]*m', '', out) != plain.stdout:
        fail('--color=always differs from the plain output in more than colour')
    tree = c.run('report', '--tree', '--color=always', rec).stdout
    if ESC + '31mopenat = ENOENT' not in tree or ESC + '32mread_config' not in tree:
        fail('--tree --color=always: errors or own frames not coloured:\n' + tree[:600])
    # A truncated stack's marker.
    small = os.path.join(c.tmp, 'small.screc')
    p = c.run('record', '-o', small, '--stack-size', '64', '-e', 'openat', '--', c.a['target'])
    if p.returncode != 0:
        fail('record --stack-size 64: ' + p.stderr)
    if ESC + '33m[stack truncated' not in c.run('report', '--color=always', small).stdout:
        fail('--color=always: the truncation marker is not coloured')
    # On a terminal: colour by default; not with NO_COLOR, TERM=dumb or --color=never.
    argv = [c.screc, 'report', rec]
    if not colored(on_pty(argv, {})):
        fail('no colour on a terminal by default')
    if colored(on_pty(argv, {'NO_COLOR': '1'})):
        fail('colour on a terminal with NO_COLOR=1')
    if colored(on_pty(argv, {'TERM': 'dumb'})):
        fail('colour on a terminal with TERM=dumb')
    if colored(on_pty(argv + ['--color=never'], {})):
        fail('colour on a terminal with --color=never')
    one_line_error(c.run('report', '--color=sometimes', rec), '--color=sometimes', rc=2,
                   must=['auto, always or never'])
    print('ok: colour on a terminal and with --color=always only')


def tree_chain(text, root):
    """The labels that follow the root line `root` in a bottom-up tree, in order."""
    lines = text.splitlines()
    for i, l in enumerate(lines):
        if re.search(r'\d+  %s$' % re.escape(root), l):
            chain = []
            for l2 in lines[i + 1:]:
                if not l2.strip():
                    break
                chain.append(re.sub(r'^.*?\d+  [|`\- ]*', '', l2).strip())
            return chain
    fail('no %r in the tree:\n%s' % (root, text))


def is_libc(label):
    return not re.match(r'(read_config|dial|main|_start)\b', label)


def case_shape(c):
    rec = c.recording()
    p = c.run('report', '--tree', rec)
    full, full_summary = p.stdout, p.stderr.splitlines()[-1]
    chain = tree_chain(full, 'openat = ENOENT')
    own = chain.index('read_config') if 'read_config' in chain else -1
    if own < 2:
        fail('without --fold, read_config should sit at least two libc frames below openat: %s'
             % chain)
    print('without --fold: openat <- %s' % ' <- '.join(chain[:own + 1]))
    for fold in ('--fold', '--fold=libc.so.6', '--fold=libc*,ld-linux*'):
        p = c.run('report', '--tree', fold, rec)
        chain = tree_chain(p.stdout, 'openat = ENOENT')
        if len(chain) < 2 or chain[1] != 'read_config' or not is_libc(chain[0]):
            fail('%s: expected one libc frame then read_config under openat: %s' % (fold, chain))
        if p.stderr.splitlines()[-1] != full_summary:
            fail('%s: the counts changed: %s, without: %s' % (fold, p.stderr.splitlines()[-1],
                                                              full_summary))
        print('%s: openat <- %s' % (fold, ' <- '.join(chain[:3])))
    if c.run('report', '--tree', '--fold=nomatch.so', rec).stdout != full:
        fail('--fold=nomatch.so changed the tree')
    listing = c.run('report', '--fold', rec).stdout
    if not re.search(r'libc\.so\.6\(\w+\+0x[0-9a-f]+\) \[0x[0-9a-f]+\] \[\d+ folded\]', listing):
        fail('--fold: the listing does not mark folded frames:\n' + listing[:600])
    folded = c.run('report', '--format=folded', '--fold', rec).stdout
    line = [l for l in folded.splitlines() if l.split(';')[-1].startswith('openat') and
            ';read_config;' in l]
    if not line or not re.search(r';main;read_config;\w+;openat \d+$', line[0]):
        fail('--fold with --format=folded: %s' % line)

    p = c.run('report', '--callers', 'read_config', rec)
    events = p.stdout.split('[pid ')[1:]
    if len(events) != 3 or not all('openat(' in e for e in events):
        fail('--callers read_config: expected the 3 opens, got %d events' % len(events))
    if not all(re.search(r'\n > \S+\(read_config\+', e) for e in events):
        fail('--callers read_config: read_config is not the first frame:\n' + events[0])
    p = c.run('report', '--tree=top-down', '--callees', 'dial', rec)
    roots = [l for l in p.stdout.splitlines() if re.match(r'\s*[\d.]+%\s+\d+  \w', l)]
    if not roots or not roots[0].endswith('  dial') or '2 events' not in p.stdout:
        fail('--callees dial --tree=top-down: dial should be the root of 2 events:\n' + p.stdout)
    p = c.run('report', '--callers', 'no_such_function', rec)
    if p.stdout.strip() or p.returncode != 0:
        fail('--callers no_such_function: expected no events, exit 0')
    print('ok: --fold, --callers, --callees')


def case_pipe(c):
    out = os.path.join(c.tmp, 'many.screc')
    p = c.run('record', '-o', out, '-e', 'write', '--', 'sh', '-c',
              'for i in $(seq 4000); do echo $i; done > /dev/null')
    if p.returncode != 0:
        if perf_forbidden(p.stderr):
            skip('perf_event_open is forbidden here')
        fail('record 4000 writes: ' + p.stderr)
    for fmt in ('text', 'json', 'perf-script'):
        sh = subprocess.run(['bash', '-c', '"$0" report --format=%s "$1" | head -n 1; '
                             'echo "status ${PIPESTATUS[0]}" >&2' % fmt, c.screc, out],
                            capture_output=True, text=True, timeout=120)
        lines = sh.stdout.splitlines()
        status = sh.stderr.strip().splitlines()[-1]
        rest = sh.stderr.strip().splitlines()[:-1]
        if len(lines) != 1 or status not in ('status 0', 'status 141') or rest:
            fail('report --format=%s | head -n 1: %d lines, %s, stderr %r' %
                 (fmt, len(lines), status, rest))
    print('ok: | head -n 1 ends quietly')
    # The recorder to standard output, the report from standard input.
    sh = subprocess.run(['bash', '-c', '"$0" record -o - -e openat,connect -- "$1" 2>/dev/null |'
                         ' "$0" report - --tree', c.screc, c.a['target']],
                        capture_output=True, text=True, timeout=120)
    if sh.returncode != 0 or 'openat = ENOENT' not in sh.stdout:
        fail('record -o - | report -: exit %d\n%s' % (sh.returncode, sh.stderr))
    print('ok: record -o - | report -')


def man_source(c, page):
    return open(os.path.join(c.a['source'], 'doc', page + '.1.scd')).read()


def case_man(c):
    for cmd in COMMANDS:
        page = 'screc-' + cmd
        src = man_source(c, page)
        opts = help_options(c.run(cmd, '--help').stdout)
        if len(opts) < 2:
            fail('screc %s --help: found no options (%s)' % (cmd, opts))
        missing = [o for o in sorted(opts)
                   if not re.search(r'(?<![\w-])' + re.escape(o).replace('\\-', '\\\\?-') +
                                    r'(?![\w-])', src)]
        if missing:
            fail('%s.1 lacks options of screc %s --help: %s' % (page, cmd, ' '.join(missing)))
        print('ok: %s.1 has all %d options' % (page, len(opts)))
    top = man_source(c, 'screc')
    for cmd in COMMANDS:
        if 'screc-%s*(1)' % cmd not in top:
            fail('screc.1 does not point to screc-%s(1)' % cmd)
    built = {k[4:]: v for k, v in c.a.items() if k.startswith('man_')}
    if not built:
        skip('the man pages were checked against --help; scdoc is missing, so none was built')
    man = shutil.which('man')
    for page, path in sorted(built.items()):
        roff = open(path).read()
        if not roff.startswith('.\\"') and '.TH' not in roff:
            fail('%s: not roff' % path)
        if man:
            p = subprocess.run([man, '-l', path], capture_output=True, text=True,
                               env=dict(os.environ, MANWIDTH='80', MAN_DISABLE_SECCOMP='1'))
            if p.returncode != 0 or 'SYNOPSIS' not in p.stdout:
                fail('man -l %s: exit %d\n%s' % (path, p.returncode, p.stderr))
    print('ok: %d man pages render' % len(built))


def complete(c, *words):
    script = os.path.join(c.a['source'], 'doc', 'completion', 'screc.bash')
    words = [c.screc] + list(words)
    sh = ('source "$0"; COMP_WORDS=("${@}"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
          'COMP_LINE="${*}"; COMP_POINT=${#COMP_LINE}; _screc; printf "%s\\n" "${COMPREPLY[@]}"')
    p = subprocess.run(['bash', '-c', sh, script] + words, capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        fail('completion of %s: exit %d\n%s' % (words, p.returncode, p.stderr))
    return p.stdout.split()


def case_completion(c):
    checks = [
        (('rep',), {'report'}),
        (('report', '--fo'), {'--fold', '--format'}),
        (('report', '--format', '=', 'spe'), {'speedscope'}),
        (('record', '-e', 'conn'), {'connect'}),
        (('record', '-e', 'read,%ne'), {'read,%net', 'read,%network'}),
        (('report', '--tree', '=', ''), {'bottom-up', 'top-down'}),
        (('help', 'inf'), {'info'}),
        (('record', '--sta'), {'--stack-size'}),
    ]
    for words, want in checks:
        got = set(complete(c, *words))
        if not want <= got:
            fail('completing %r: got %s, expected %s among them' % (words, sorted(got), want))
        print('ok: %s -> %s' % (' '.join(words), ' '.join(sorted(got))[:80]))
    zsh = shutil.which('zsh')
    if zsh:
        p = subprocess.run([zsh, '-n', os.path.join(c.a['source'], 'doc', 'completion', '_screc')],
                           capture_output=True, text=True)
        if p.returncode != 0:
            fail('zsh -n _screc: ' + p.stderr)
        print('ok: the zsh completion parses')


def case_install(c):
    meson = shutil.which('meson')
    if not meson:
        skip('no meson')
    dest = os.path.join(c.tmp, 'dest')
    p = subprocess.run([meson, 'install', '-C', c.a['build'], '--no-rebuild', '--destdir', dest],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        fail('meson install --destdir: exit %d\n%s' % (p.returncode, p.stdout[-2000:] + p.stderr))
    files = []
    for root, _, names in os.walk(dest):
        files += [os.path.relpath(os.path.join(root, n), dest) for n in names]
    want = [r'bin/screc$', r'bin/screc-record$', r'libexec/screc/screc-report$',
            r'share/bash-completion/completions/screc$',
            r'share/zsh/site-functions/_screc$']
    if any(k.startswith('man_') for k in c.a):
        want += [r'share/man/man1/%s\.1$' % p for p in ['screc'] + ['screc-' + x for x in COMMANDS]]
    for w in want:
        if not any(re.search(w, f) for f in files):
            fail('meson install did not install %s; it installed:\n%s' % (w, '\n'.join(files)))
    binary = [os.path.join(dest, f) for f in files if f.endswith('bin/screc')][0]
    p = subprocess.run([binary, '--version'], capture_output=True, text=True)
    if p.returncode != 0 or not p.stdout.startswith('screc '):
        fail('the installed screc does not run: ' + p.stderr)
    # The report's commands run the installed screc-report, found from bin/ (out of the PATH).
    p = subprocess.run([binary, 'report', '--help'], capture_output=True, text=True)
    if p.returncode != 0 or 'usage: screc report' not in p.stdout:
        fail('the installed screc report --help: exit %d: %s' % (p.returncode, p.stderr))
    print('ok: installed %d files: %s' % (len(files), ' '.join(sorted(files))))


def main():
    case = sys.argv[1]
    args = dict(a.split('=', 1) for a in sys.argv[2:])
    c = Ctx(args)
    try:
        globals()['case_' + case](c)
    except Failed as e:
        print('FAIL: ' + str(e))
        return 1
    finally:
        shutil.rmtree(c.tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
