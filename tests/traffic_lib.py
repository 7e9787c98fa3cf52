# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of the traffic suites: the '@@fo' protocol of the rehearsal's
traffic programs (app/failover-rehearsal/rh_lines.py, re-exported here),
network namespaces, nft rules."""

import json
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "app",
                                "failover-rehearsal"))
from rh_lines import *  # noqa: E402,F401,F403 (the '@@fo' protocol)
from rh_lines import Failed  # noqa: E402


def run(argv, check=True, quiet=False):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and r.returncode != 0:
        raise Failed("%s: %s" % (" ".join(argv), r.stdout.strip()))
    return r.stdout


def unique_tag():
    return "%04x" % (os.getpid() & 0xffff)


class Netns:
    """Network namespaces made for a test, deleted at close."""

    def __init__(self):
        self.names = []

    def add(self, name):
        run(["ip", "netns", "add", name])
        self.names.append(name)
        run(["ip", "netns", "exec", name, "sysctl", "-qw",
             "net.ipv6.conf.all.disable_ipv6=1",
             "net.ipv6.conf.default.disable_ipv6=1"])
        run(["ip", "-n", name, "link", "set", "lo", "up"])
        return name

    def close(self):
        for n in reversed(self.names):
            run(["ip", "netns", "del", n], check=False)
        self.names = []


def nft(ns, script):
    p = subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=script,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise Failed("nft in %s: %s\n%s" % (ns, p.stdout.strip(), script))


def nft_counters(ns, table):
    """{comment: packets} of the rules of a netdev table that have a comment."""
    out = run(["ip", "netns", "exec", ns, "nft", "-j", "list", "table", "netdev", table])
    res = {}
    for item in json.loads(out)["nftables"]:
        rule = item.get("rule")
        if not rule or "comment" not in rule:
            continue
        for e in rule["expr"]:
            if "counter" in e:
                res[rule["comment"]] = e["counter"]["packets"]
    return res


# Offsets of the tag in bits from the start of the frame (nft @ll).
NFT_DIR = "@ll,176,8"
NFT_STEP = "@ll,208,32"
NFT_SEQ = "@ll,240,64"
NFT_SEQ_LOW = "@ll,296,8"


GUEST_MAC = "52:54:00:fa:11:10"
HOST_MAC = "02:fa:11:00:00:99"
STEADY = 2500          # frames per direction in a steady step


class Bed:
    """Network namespaces and the programs of a traffic suite: the far end
    (far) and a guest (the Prog attribute named guest_attr), ended by close()."""
    guest_attr = "guest"

    def __init__(self):
        self.tag = unique_tag()
        self.ns = Netns()
        self.far = None
        setattr(self, self.guest_attr, None)
        self.log = print if os.environ.get("TRAFFIC_VERBOSE") else None
        self.far_rep = None
        self.a_total = self.b_total = None

    def ip(self, ns, *args):
        run(["ip", "-n", ns] + list(args))

    def advance(self, a_to, b_to):
        """Wait until the far end got A up to a_to and the guest B up to b_to."""
        self.far.wait_status("a_next_seq", a_to)
        getattr(self, self.guest_attr).wait_status("b_next_seq", b_to)

    def step(self, n):
        """Start step n at the far end: the next A and B seqs."""
        st = self.far.command("step %d" % n, "step")
        b = getattr(self, self.guest_attr).command("status", "status")["b_next_seq"]
        return st["a_next_seq"], b

    def close(self):
        for p in (getattr(self, self.guest_attr), self.far):
            if p is not None:
                p.quit()
        self.ns.close()


def skip(why, nb_cases):
    """A suite that cannot run here: the reason, the counts, exit status 77."""
    print("skipped: %s" % why)
    print("0 passed, 0 failed, %d skipped" % nb_cases)
    return 77


def run_suite(cases, chk, bed, peers, scenario, time_limit):
    """Run the cases (methods of chk) in order within time_limit seconds,
    printing them as DPDK's app/test does; once the scenario case failed
    the others are not run. On a failure, the last lines of the peers (the
    names of bed's Prog attributes). bed.close() at the end. Exit status."""
    def on_alarm(signum, frame):
        raise Failed("time limit of %d s reached" % time_limit)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_alarm)
    signal.alarm(time_limit)
    passed = failed = 0
    broken = None
    try:
        for n, case in enumerate(cases, 1):
            ok = False
            try:
                need(broken is None, "not run: %s" % broken)
                case(chk)
                ok = True
            except (Failed, KeyError, AttributeError) as e:
                print("    %s: %s" % (type(e).__name__, e))
                if case is scenario:
                    broken = "the scenario failed"
            passed += ok
            failed += not ok
            print(" + TestCase [%2d] : %s %s" % (n, case.__doc__.strip(),
                                                 "succeeded" if ok else "failed"), flush=True)
    finally:
        signal.alarm(0)
        if failed:
            for p in (getattr(bed, name) for name in peers):
                if p is not None:
                    print("    last lines of %s:\n    | %s" % (p.name, p.tail(15).replace(
                        "\n", "\n    | ")))
        bed.close()
    print("%d passed, %d failed, 0 skipped" % (passed, failed))
    return 0 if failed == 0 else 1


class StepChecks:
    """The cases of a traffic suite: bed.far_rep is the far end's report,
    the bed's attribute named guest_rep the guest's."""

    guest_rep = None

    def __init__(self, bed):
        self.bed = bed

    def log(self, msg):
        print("    " + msg, flush=True)

    def show(self, direction, step):
        rep = self.bed.far_rep if direction == "A" else getattr(self.bed, self.guest_rep)
        s = rep.step(direction, step)
        self.log("%s step %d: rx %d lost %d dup %d reord %d gap %d us, vf %d virtio %d other %d"
                 % (direction, step, s["rx"], s["lost"], s["dup"], s["reord"], s["gap_us"],
                    s["vf"], s["virtio"], s["other"]))
        return s
