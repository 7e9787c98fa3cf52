#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Sum the per-case counts that every suite prints ("N passed, N failed")
over a meson test log; a suite that crashed before its summary counts as
one failure. Prints one line per suite and the total last."""
import json
import re
import sys

LINE = re.compile(r"^(\d+) passed, (\d+) failed", re.M)
SKIPPED = re.compile(r"^skipped: (.*)$", re.M)


def main(path):
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
            print(f"suite {t['name']}: {p} passed, {fl} failed ({t.get('result')}{note})")
            passed += p
            failed += fl
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
