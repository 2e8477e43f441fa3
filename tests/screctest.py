# SPDX-License-Identifier: MIT
"""What the end-to-end test scripts (tests/report, tests/archive, tests/realworld)
share: how a test fails or skips, how to tell that perf_event_open is
forbidden, the names glibc gives the functions every stack ends in, and
where a binary's calls return to (to check frames byte for byte)."""
import re
import subprocess
import sys

SKIP = 77

# libc's connect wrapper under every name glibc gives it (.dynsym or the debug file).
CONNECT = r'(?:__libc_connect|__GI___connect|__connect|connect)(?:@@?GLIBC_[\d.]+)?'
START_MAIN = r'__libc_start_main(?:_impl|_alias_\d+)?(?:@@?GLIBC_[\d.]+)?'

# The last line of every report on stderr.
SUMMARY = re.compile(r'.*\b(\d+) events?\b.*\b(\d+) unwound fully\b.*\b(\d+) truncated\b'
                     r'.*\b(\d+) lost\b.*\b(\d+) unresolved frames?\b.*')


class Failed(Exception):
    pass


def fail(msg):
    raise Failed(msg)


def skip(msg):
    print('SKIP: ' + msg)
    sys.exit(SKIP)


def perf_forbidden(stderr):
    """Whether screc's message says the machine forbids what the test needs."""
    return bool(('perf_event_open' in stderr and
                 re.search(r'Permission denied|Operation not permitted|paranoid|CAP_PERFMON',
                           stderr)) or ('tracefs' in stderr and 'readable' in stderr))


OBJDUMP_FUNC = re.compile(r'^([0-9a-f]+) <(.+)>:$')
OBJDUMP_INSN = re.compile(r'^\s+([0-9a-f]+):\s+(.*)$')


def call_returns(objdump, binary):
    """{function: {callee: return address}} from objdump's disassembly of
    binary: the address after each function's first call of each callee
    (PLT and symbol versions stripped from the callee's name)."""
    p = subprocess.run([objdump, '-d', '--no-show-raw-insn', binary], capture_output=True,
                       text=True)
    if p.returncode != 0:
        fail('%s -d %s: exit %d\n%s' % (objdump, binary, p.returncode, p.stderr[-2000:]))
    funcs, cur, pending = {}, None, []
    for line in p.stdout.splitlines():
        m = OBJDUMP_FUNC.match(line)
        if m:
            cur, pending = funcs.setdefault(m.group(2), {}), []
            continue
        m = OBJDUMP_INSN.match(line)
        if not m or cur is None:
            continue
        addr = int(m.group(1), 16)
        for callee in pending:
            cur.setdefault(callee, addr)
        pending = []
        if m.group(2).startswith('call'):
            c = re.search(r'<([^>+]+)(?:\+0x[0-9a-f]+)?>\s*$', m.group(2))
            if c:
                pending.append(c.group(1).split('@')[0])
    return funcs
