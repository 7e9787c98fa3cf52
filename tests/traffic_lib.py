# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of the traffic suites: the '@@fo' lines of the rehearsal's
traffic programs (app/failover-rehearsal/rh_traffic.h), a process driven
by line commands on its stdin, network namespaces, nft rules."""

import json
import os
import queue
import subprocess
import threading
import time

PREFIX = "@@fo "


class Failed(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Failed(msg)


def parse_line(line):
    """'@@fo kind {json}' -> (kind, dict), else None."""
    if not line.startswith(PREFIX):
        return None
    kind, _, rest = line[len(PREFIX):].partition(" ")
    try:
        return kind, json.loads(rest) if rest.strip() else {}
    except ValueError:
        return None


def bins_decode(rle):
    """The frames per ms of an "rle" string (see rh_traffic.h)."""
    out, i = [], 0
    while i < len(rle):
        c = rle[i]
        if c in "({":
            j = rle.index(")" if c == "(" else "}", i)
            v = int(rle[i + 1:j], 36)
            if c == "(":
                out.append(v)
            else:
                out.extend([out[-1]] * v)
            i = j + 1
        else:
            out.append(int(c, 36))
            i += 1
    return out


class Report:
    """The lines of one report: stats[dir][step], stream[dir], sent (host,
    B per step), tx, bins[(dir, path)] = {ms: frames}."""

    def __init__(self, lines):
        self.stats, self.stream, self.sent = {}, {}, {}
        self.tx, self.bins, self.other = None, {}, []
        for kind, d in lines:
            if kind == "stats":
                self.stats.setdefault(d["dir"], {})[d["step"]] = d
            elif kind == "stream":
                self.stream[d["dir"]] = d
            elif kind == "sent":
                self.sent[d["step"]] = d
            elif kind == "tx":
                self.tx = d
            elif kind == "bins":
                b = self.bins.setdefault((d["dir"], d["path"]), {})
                for k, v in enumerate(bins_decode(d["rle"])):
                    if v:
                        b[d["ms"] + k] = b.get(d["ms"] + k, 0) + v
            else:
                self.other.append((kind, d))

    def step(self, direction, step):
        zero = {"rx": 0, "lost": 0, "dup": 0, "reord": 0, "vf": 0,
                "virtio": 0, "other": 0, "gap_us": 0}
        return self.stats.get(direction, {}).get(step, zero)

    def total(self, direction, key):
        return sum(s[key] for s in self.stats.get(direction, {}).values())

    def step_of_seq(self, seq):
        """Host side: the step a B seq was sent in (from the sent lines)."""
        for step, d in self.sent.items():
            if d["first_seq"] <= seq < d["first_seq"] + d["frames"]:
                return step
        return None


class Prog:
    """A program that reads commands on stdin and prints '@@fo' lines."""

    def __init__(self, name, argv, log=None):
        self.name = name
        self.lines = []                  # every line, for the transcript
        self.q = queue.Queue()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True,
                                  bufsize=1)
        self.log = log
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            if self.log:
                self.log("%s| %s" % (self.name, line))
            parsed = parse_line(line)
            if parsed:
                self.q.put(parsed)
        self.q.put(None)

    def send(self, cmd):
        self.p.stdin.write(cmd + "\n")
        self.p.stdin.flush()

    def expect(self, kind, timeout=10.0):
        """The next line of this kind (others are dropped); its dict."""
        end = time.time() + timeout
        while True:
            left = end - time.time()
            need(left > 0, "%s: no '@@fo %s' within %.0f s" % (self.name, kind, timeout))
            try:
                item = self.q.get(timeout=left)
            except queue.Empty:
                continue
            need(item is not None, "%s exited (waiting for %s)" % (self.name, kind))
            if item[0] == kind:
                return item[1]
            if item[0] == "error":
                raise Failed("%s: error %s" % (self.name, item[1].get("msg")))

    def command(self, cmd, kind, timeout=10.0):
        self.send(cmd)
        return self.expect(kind, timeout)

    def report(self, args="", timeout=30.0):
        self.send(("report " + args).strip())
        got, end = [], time.time() + timeout
        while True:
            left = end - time.time()
            need(left > 0, "%s: report did not end" % self.name)
            try:
                item = self.q.get(timeout=left)
            except queue.Empty:
                continue
            need(item is not None, "%s exited during the report" % self.name)
            if item[0] == "end":
                return Report(got)
            if item[0] == "error":
                raise Failed("%s: error %s" % (self.name, item[1].get("msg")))
            got.append(item)

    def wait_status(self, key, value, timeout=20.0):
        """Ask 'status' until status[key] >= value; the last status."""
        end = time.time() + timeout
        while True:
            st = self.command("status", "status")
            if st[key] >= value:
                return st
            need(time.time() < end, "%s: %s stayed at %d (< %d)"
                 % (self.name, key, st[key], value))
            time.sleep(0.05)

    def quit(self, timeout=10.0):
        if self.p.poll() is None:
            try:
                self.send("quit")
            except (BrokenPipeError, OSError):
                pass
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.t.join(2)
        return self.p.returncode

    def tail(self, n=20):
        return "\n".join(self.lines[-n:])


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
