# SPDX-License-Identifier: MIT
"""What the end-to-end test scripts (tests/report, tests/archive, tests/realworld)
share: how a test fails or skips, how to tell that perf_event_open is
forbidden, and the names glibc gives the functions every stack ends in."""
import re
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
