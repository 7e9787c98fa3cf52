#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""layering suite: the driver's files call downward only.

Reads the symbols each object file of the PMD defines and uses (nm), draws
the file -> file call graph and checks it has no cycle, then that it keeps
the order failover_private.h documents (each file may use only those listed
above it). Prints the graph. Usage: layering.py <dir of the .o files> <header>
"""
import glob
import os
import re
import subprocess
import sys


def symbols(obj):
    out = subprocess.run(["nm", obj], check=True, capture_output=True, text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBR":
            # the log type is every file's, wherever it is registered
            if not parts[2].endswith("_logtype"):
                defined.add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
    return defined, used


def documented_order(header):
    """The file order of the 'Files call downward only' comment."""
    text = open(header).read()
    block = text[text.index("Files call downward only"):]
    block = block[:block.index("*/")]
    order = []
    for line in block.splitlines():
        for name in re.findall(r"(failover_\w+)\.c", line):
            order.append(name)
    return order


def main():
    objdir, header = sys.argv[1], sys.argv[2]
    objs = sorted(glob.glob(os.path.join(objdir, "failover_*.c.o")))
    if not objs:
        print("no object files in", objdir)
        print("0 passed, 1 failed")
        return 1
    name = {o: os.path.basename(o).split(".")[0] for o in objs}
    owner, uses = {}, {}
    for o in objs:
        d, u = symbols(o)
        for s in d:
            owner[s] = name[o]
        uses[name[o]] = u
    graph = {f: sorted({owner[s] for s in u if s in owner and owner[s] != f})
             for f, u in uses.items()}
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        print(" + %s %s" % (what, "succeeded" if ok else "failed"))
        passed, failed = passed + ok, failed + (not ok)

    for f in sorted(graph):
        print("    %-20s -> %s" % (f, ", ".join(graph[f]) or "-"))
    # cycle search (depth first)
    state, cycle = {}, []

    def visit(f, path):
        state[f] = 1
        for g in graph[f]:
            if state.get(g) == 1:
                cycle.extend(path[path.index(g):] + [g] if g in path else [f, g])
                return True
            if g not in state and visit(g, path + [g]):
                return True
        state[f] = 2
        return False

    has_cycle = any(visit(f, [f]) for f in sorted(graph) if f not in state)
    if has_cycle:
        print("    cycle:", " -> ".join(cycle))
    check(not has_cycle, "no cycle between the driver's files")
    order = documented_order(header)
    missing = sorted(set(graph) - set(order))
    if missing:
        print("    not in the documented order:", ", ".join(missing))
    check(not missing, "every file has its place in failover_private.h's order")
    rank = {f: i for i, f in enumerate(order)}
    upward = ["%s -> %s" % (f, g) for f in graph for g in graph[f]
              if f in rank and g in rank and rank[g] >= rank[f]]
    for u in upward:
        print("    calls upward:", u)
    check(not upward, "every call goes to a file listed above the caller")
    print("%d passed, %d failed, 0 skipped" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
