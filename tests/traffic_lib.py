# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of the traffic suites: the '@@fo' protocol of the rehearsal's
traffic programs (app/failover-rehearsal/rh_lines.py, re-exported here),
network namespaces, nft rules."""

import json
import os
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
