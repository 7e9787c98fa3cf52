#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""baddoc suite: the NIC guide's "Rejected input" table is what the tests
assert. For each row: the test it names exists in the suite's file, the
input is in that test's body, and the log line's fixed text is in the
driver's sources. Also: every devarg the parser knows (FO_ARG_* in
failover_devargs.c) is in the guide's synopsis and has its own entry in
"Device arguments". Usage: baddoc.py <top of the tree>"""
import glob
import os
import re
import sys

FILES = {"devargs": "tests/test_devargs.c", "control": "tests/test_control.c",
         "testpmd": "tests/testpmd_check.py"}


def rows(guide):
    text = open(guide).read()
    text = text[text.index("Rejected input\n~~~"):]
    text = text[:text.index("\nBehaviour\n")]
    out = []
    for m in re.finditer(r"   \* - ``(.*?)``[^\n]*\n     - ``(.*?)``\n     - (\w+) ``(\w+)``",
                         text):
        out.append(m.groups())
    return out


def body(src, name):
    """The text of a C function or Python method, up to the next one."""
    m = re.search(r"^(?:def |    def )?%s\(" % re.escape(name), src, re.M)
    if m is None:
        return None
    nxt = re.search(r"^(?:static |    def |def )", src[m.end():], re.M)
    return src[m.start():m.end() + (nxt.start() if nxt else len(src))]


def fixed(text):
    """The part of an input that does not vary: up to '...' or 'aaa'."""
    return re.split(r"\.\.\.|aaa", text)[0].strip()


def fragments(line):
    """Runs of fixed text in a log line (between quoted values, '...', numbers)."""
    parts = re.split(r"'[^']*'|\(\.\.\.\)|\.\.\.|\b\d+\b|\([^)]*\)", line)
    return [p.strip(" :;,") for p in parts if len(p.strip(" :;,")) >= 8]


def devargs_documented(top, guide):
    """(key, what is missing) for each devarg of the parser."""
    src = open(os.path.join(top, "drivers/net/failover/failover_devargs.c")).read()
    keys = re.findall(r'^#define FO_ARG_\w+ "(\w+)"', src, re.M)
    text = open(guide).read()
    sect = text[text.index("Device arguments\n---"):text.index("\nRejected input\n")]
    synopsis = sect[:sect.index("<dev> :=")]
    out = [("(the parser's keys)", "" if keys else "no FO_ARG_ define found")]
    for k in keys:
        errs = []
        if not re.search(r"[,']%s=" % re.escape(k), synopsis):
            errs.append("not in the synopsis")
        if not re.search(r"^- \*\*%s\*\*" % re.escape(k), sect, re.M) and \
           not re.search(r"^- \*\*\w+\*\* / \*\*%s\*\*" % re.escape(k), sect, re.M):
            errs.append("no '- **%s**' entry" % k)
        out.append((k, "; ".join(errs)))
    return out


def main(top):
    guide = os.path.join(top, "doc/guides/nics/failover.rst")
    drv = "".join(open(f).read() for f in glob.glob(os.path.join(
        top, "drivers/net/failover/*.c")))
    passed = failed = 0
    table = rows(guide)
    for arg, line, suite, test in table:
        src = open(os.path.join(top, FILES[suite])).read()
        b = body(src, test)
        want = fixed(arg.replace("testpmd: port attach ", "").split(" (")[0])
        errs = []
        if b is None:
            errs.append("no %s in %s" % (test, FILES[suite]))
        elif want and want not in b and want not in src:
            errs.append("input '%s' not in %s" % (want, test))
        frags = fragments(re.sub(r"^(primary|standby|[a-z_]+:) ", "", line))
        if frags and not any(f in drv for f in frags):
            errs.append("no fixed text of '%s' in the driver's sources" % line)
        ok = not errs
        print(" + %-60s %s" % (arg[:60], "succeeded" if ok else "failed: " + "; ".join(errs)))
        passed, failed = passed + ok, failed + (not ok)
    if not table:
        failed += 1
        print(" + no rows found in the guide's Rejected input table")
    for key, errs in devargs_documented(top, guide):
        print(" + devarg %-53s %s" % (key, "succeeded" if not errs else "failed: " + errs))
        passed, failed = passed + (not errs), failed + bool(errs)
    print("%d passed, %d failed, 0 skipped" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
