# SPDX-License-Identifier: BSD-3-Clause
"""The Python side of the rehearsals' traffic programs (rh_traffic.h): the
'@@fo' lines they print, their reports, and a peer driven by line commands
(a local process, or a program on a guest's serial console). Used by the
QEMU rehearsal and by the traffic test suites."""

import json
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


class Peer:
    """A traffic program driven by line commands, its '@@fo' lines queued.
    Subclasses feed lines (feed()) and send commands (send())."""

    def __init__(self, name, log=None):
        self.name = name
        self.lines = []                  # every line, for the transcript
        self.q = queue.Queue()
        self.log = log

    def feed(self, line):
        self.lines.append(line)
        if self.log:
            self.log("%s| %s" % (self.name, line))
        parsed = parse_line(line)
        if parsed:
            self.q.put(parsed)

    def send(self, cmd):
        raise NotImplementedError

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

    def tail(self, n=20):
        return "\n".join(self.lines[-n:])


class Prog(Peer):
    """A local program that reads commands on stdin and prints '@@fo' lines."""

    def __init__(self, name, argv, log=None):
        super().__init__(name, log)
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True,
                                  bufsize=1)
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            self.feed(line.rstrip("\n"))
        self.q.put(None)

    def send(self, cmd):
        self.p.stdin.write(cmd + "\n")
        self.p.stdin.flush()

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
