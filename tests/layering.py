#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The report's stages and their one-way flow, checked on the sources.

Data flows common -> model -> find -> unwind -> symbolize -> decode -> the
session (report/*.c) -> agg -> sinks.  A file may include headers of its own
stage and of the stages before it, never after; report/event.h is the
contract every stage may include.  The trie and the sinks never see libdw,
libelf or capstone, nor any stage before the event; common/ and record/
never include report/, and report/ never includes record/.  No header
includes itself through others (no cycles).  Prints TAP.

    layering.py SRCDIR
"""
import os
import re
import sys

STAGES = ['common', 'model', 'find', 'unwind', 'symbolize', 'decode', 'session', 'agg', 'sinks']
# What each stage may include besides its own files and report/event.h.
ALLOWED = {
    'common': {'common'},
    'model': {'common', 'model'},
    'find': {'common', 'model', 'find'},
    'unwind': {'common', 'model', 'find', 'unwind'},
    'symbolize': {'common', 'model', 'find', 'unwind', 'symbolize'},
    'decode': {'common', 'decode'},
    'session': {'common', 'model', 'find', 'unwind', 'symbolize', 'decode', 'session', 'sinks'},
    'agg': {'common', 'agg'},
    'sinks': {'common', 'agg', 'sinks'},
    'record': {'common', 'record'},
}
LIBDW = re.compile(r'^(elfutils/|dwarf\.h|gelf\.h|libelf\.h|capstone/|libiberty/)')
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def stage_of(rel):
    """The stage of a source file, by its path under the source tree."""
    parts = rel.split('/')
    if parts[0] in ('common', 'record'):
        return parts[0]
    if parts[0] == 'report':
        if len(parts) > 2 and parts[1] in STAGES:
            return parts[1]
        if parts[1] == 'event.h':
            return 'event'
        return 'session'
    return None


def main():
    src = sys.argv[1]
    files = {}
    for top in ('common', 'record', 'report'):
        for dirpath, _, names in os.walk(os.path.join(src, top)):
            for n in names:
                if n.endswith(('.c', '.h')):
                    p = os.path.join(dirpath, n)
                    files[os.path.relpath(p, src)] = p
    n = 0
    bad = []
    graph = {}
    for rel, path in sorted(files.items()):
        stage = stage_of(rel)
        if stage is None:
            continue
        incs = []
        with open(path, errors='replace') as f:
            for line in f:
                m = INCLUDE.match(line)
                if m:
                    incs.append((m.group(1), m.group(2)))
        graph[rel] = []
        for kind, inc in incs:
            if kind == '<':
                if stage in ('common', 'record', 'model', 'agg', 'sinks', 'decode', 'event') \
                        and LIBDW.match(inc):
                    bad.append('%s (%s) includes <%s>' % (rel, stage, inc))
                continue
            # Resolve "x.h" next to the file, or "dir/x.h" from the top.
            target = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
            if target not in files:
                target = inc
            if target not in files:
                continue
            graph[rel].append(target)
            tstage = stage_of(target)
            if tstage == 'event' or stage == 'event' and tstage == 'common':
                continue
            if stage == 'event':
                bad.append('%s includes %s: the event contract includes nothing of report/' %
                           (rel, target))
            elif tstage not in ALLOWED.get(stage, set()):
                bad.append('%s (%s) includes %s (%s): against the flow' %
                           (rel, stage, target, tstage))
    n += 1
    print('%sok %d - every include follows the flow (%d files)' %
          ('not ' if bad else '', n, len(graph)))
    for b in bad:
        print('# ' + b)

    # Cycles among the files' includes.
    cycles = []
    state = {}

    def visit(node, path):
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycles.append(' -> '.join(path[path.index(nxt):] + [nxt]) if nxt in path
                              else node + ' -> ' + nxt)
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
    n += 1
    print('%sok %d - no include cycles' % ('not ' if cycles else '', n))
    for c in cycles:
        print('# cycle: ' + c)
    print('1..%d' % n)
    return 1 if bad or cycles else 0


if __name__ == '__main__':
    sys.exit(main())
