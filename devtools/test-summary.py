#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Sum the per-case counts that every suite prints ("N passed, N failed")
over meson test logs; a suite that crashed before its summary counts as
one failure. Prints one line per suite, the suites skipped (with the
reason each gave), and the total last.

    test-summary.py [--prefix P] LOG [[--prefix P] LOG ...]

--prefix names the suites of the next LOG (e.g. asan: for the sanitized
build), so that one total covers several builds."""
import json
import re
import sys

LINE = re.compile(r"^(\d+) passed, (\d+) failed", re.M)
SKIPPED = re.compile(r"^skipped: (.*)$", re.M)


skipped = []


def summarise(path, prefix):
    passed = failed = 0
    with open(path) as f:
        for raw in f:
            t = json.loads(raw)
            found = LINE.findall(t.get("stdout") or "")
            p, fl = (int(found[-1][0]), int(found[-1][1])) if found else (0, 0)
            if t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and fl == 0:
                fl = 1
            why = SKIPPED.findall(t.get("stdout") or "")
            note = f": {why[-1]}" if t.get("result") == "SKIP" and why else ""
            print(f"suite {prefix}{t['name']}: {p} passed, {fl} failed "
                  f"({t.get('result')}{note})")
            if t.get("result") == "SKIP":
                skipped.append(f"{prefix}{t['name']}{note}")
            passed += p
            failed += fl
    return passed, failed


def main(argv):
    passed = failed = 0
    prefix = ""
    logs = 0
    args = iter(argv)
    for a in args:
        if a == "--prefix":
            prefix = next(args, "")
            continue
        try:
            p, fl = summarise(a, prefix)
        except OSError as e:
            # a build whose tests did not run at all
            print(f"suite {prefix}*: no test log ({e.strerror}: {a})")
            p, fl = 0, 1
        passed += p
        failed += fl
        prefix = ""
        logs += 1
    if not logs:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if skipped:
        # said before the total: a suite that did not run proves nothing
        print(f"{len(skipped)} suite(s) skipped, not run: " + "; ".join(skipped))
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
