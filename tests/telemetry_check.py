#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""telemetry suite: /failover/list and /failover/info,<port> of a running port.

    telemetry_check.py PLUGIN.so [TESTPMD]

Starts the test-bed of devtools/testpmd_session.py (stock dpdk-testpmd with
the plugin, a net_tap primary and a virtio-user standby over a vhost-user
backend testpmd), connects to its telemetry socket
(/var/run/dpdk/<file-prefix>/dpdk_telemetry.v2, AF_UNIX SOCK_SEQPACKET, the
v2 protocol: a JSON greeting, then one JSON reply per command) and checks
the fields, then again after the primary's link goes down and comes back
(switch count, time and cause), and that stock dpdk-telemetry.py reads
/failover/list. Set TELEMETRY_CHECK_VERBOSE=1 to print every reply.

Exit 0 when every case passed, 1 when one failed, 77 (skip) when it cannot
run here (not root, no testpmd, no plugin).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True     # no __pycache__ in the tree
sys.path.insert(0, os.path.join(HERE, "..", "devtools"))
import testpmd_session as ts  # noqa: E402

TIME_LIMIT = 150
TELEMETRY_PY = "dpdk-telemetry.py"
STATES = ("absent", "held", "draining", "started")
EVENTS = ("gone", "leave", "dying", "reset")


need = ts.need


def socket_path(prefix):
    base = "/var/run/dpdk" if os.geteuid() == 0 else \
        os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")
    return os.path.join(base, prefix, "dpdk_telemetry.v2")


class Telemetry:
    """A v2 telemetry client: greeting, then command -> JSON reply."""

    def __init__(self, path, timeout=10):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.greeting = json.loads(self.sock.recv(1024).decode())
        self.max_len = self.greeting["max_output_len"]

    def query(self, cmd):
        self.sock.send(cmd.encode())
        reply = json.loads(self.sock.recv(self.max_len).decode())
        return reply[cmd.split(",")[0]]

    def close(self):
        self.sock.close()


class Checks:
    def __init__(self, bed):
        self.bed = bed
        self.main = None
        self.tel = None
        self.port = None
        self.verbose = bool(os.environ.get("TELEMETRY_CHECK_VERBOSE"))

    def log(self, msg):
        print("    " + msg.replace("\n", "\n    "), flush=True)

    def info(self, show=False):
        d = self.tel.query("/failover/info,%d" % self.port)
        need(isinstance(d, dict), "/failover/info,%d returned %r" % (self.port, d))
        if show or self.verbose:
            self.log(json.dumps({"/failover/info": d}, indent=1))
        return d

    def wait_path(self, role, timeout=5):
        ok = ts.wait_for(lambda: self.info().get("active_path") == role, timeout, 0.05)
        need(ok, "active_path did not become %s within %d s" % (role, timeout))
        return self.info()

    def check_sub(self, sub, role, device, state="started", link="up"):
        need(sub is not None, "no %s entry" % role)
        for k in ("role", "port_id", "device", "state", "events", "link",
                  "rx_packets", "tx_packets", "last_refusal"):
            need(k in sub, "%s: no %r field: %s" % (role, k, sub))
        need(sub["role"] == role, "%s: role is %r" % (role, sub["role"]))
        need(sub["device"] == device, "%s: device is %r, expected %r"
             % (role, sub["device"], device))
        need(sub["state"] == state, "%s: state is %r, expected %r"
             % (role, sub["state"], state))
        need(sub["state"] in STATES, "%s: unknown state %r" % (role, sub["state"]))
        need(isinstance(sub["events"], list) and
             all(e in EVENTS for e in sub["events"]),
             "%s: events %r" % (role, sub["events"]))
        need(isinstance(sub["port_id"], int) and sub["port_id"] >= 0,
             "%s: port_id %r" % (role, sub["port_id"]))
        need(sub["link"].get("status") == link, "%s: link %r, expected %s"
             % (role, sub["link"], link))
        need(isinstance(sub["link"].get("speed"), int), "%s: no link speed" % role)

    # -- cases
    def case_connect(self):
        """the telemetry socket answers, /failover/list has the port"""
        self.bed.start(timeout=60)
        self.main = self.bed.main
        self.bed.backend.cmd("start")
        path = socket_path(self.bed.prefix_main)
        need(os.path.exists(path), "no telemetry socket %s" % path)
        self.tel = Telemetry(path)
        self.log("greeting %s" % json.dumps(self.tel.greeting))
        lst = self.tel.query("/failover/list")
        self.log('{"/failover/list": %s}' % json.dumps(lst))
        need(lst == [0], "/failover/list is %r, expected [0]" % lst)
        self.port = lst[0]
        cmds = self.tel.query("/")
        need("/failover/info" in cmds and "/failover/list" in cmds,
             "/ does not list the /failover/ commands: %s" % cmds)
        help_ = self.tel.query("/help,/failover/info")
        need("port_id" in str(help_), "/help,/failover/info: %r" % help_)

    def case_info(self):
        """/failover/info,0: name, link, paths, sub-ports, counters"""
        d = self.info(show=True)
        for k in ("name", "port_id", "started", "mac", "link", "active_path",
                  "path_switches", "last_switch", "refused_ports",
                  "primary", "standby"):
            need(k in d, "no %r field" % k)
        need(d["name"] == "net_failover0", "name is %r" % d["name"])
        need(d["port_id"] == self.port, "port_id is %r" % d["port_id"])
        need(d["started"] == 1, "started is %r" % d["started"])
        need(d["link"]["status"] == "up", "link is %r" % d["link"])
        need(d["active_path"] == "primary", "active_path is %r" % d["active_path"])
        need(d["path_switches"] == 0, "path_switches is %r" % d["path_switches"])
        need(d["last_switch"] == {"cause": "none"},
             "last_switch before any switch: %r" % d["last_switch"])
        need(d["refused_ports"] == 0, "refused_ports is %r" % d["refused_ports"])
        self.check_sub(d["primary"], "primary", "net_tap0")
        self.check_sub(d["standby"], "standby", "net_virtio_user0")
        need(d["primary"]["port_id"] != d["standby"]["port_id"],
             "both sub-ports have port id %d" % d["primary"]["port_id"])
        need(d["primary"]["events"] == [] and d["standby"]["events"] == [],
             "pending events on a steady port: %r, %r"
             % (d["primary"]["events"], d["standby"]["events"]))
        need(d["primary"]["last_refusal"] == "", "last_refusal %r"
             % d["primary"]["last_refusal"])
        xs = self.main.xstats(self.port)
        for role in ("primary", "standby"):
            for k in ("rx", "tx"):
                # the xstats are read after the telemetry: never below it
                need(xs["%s_%s_packets" % (role, k)] >= d[role]["%s_packets" % k],
                     "%s %s_packets %d above the xstat %d" % (role, k,
                     d[role]["%s_packets" % k], xs["%s_%s_packets" % (role, k)]))

    def case_bad_params(self):
        """/failover/info with no, bad or a non-failover port: null"""
        for p in ("", ",", ",abc", ",1x", ",99", ",1024", ",-1"):
            cmd = "/failover/info" + p
            r = self.tel.query(cmd)
            need(r is None, "%s returned %r, expected null" % (cmd, r))
        self.log("no, bad and unknown port ids: null; the socket still answers")
        need(self.tel.query("/failover/list") == [self.port], "list after bad params")

    def case_failover(self):
        """primary link down and up: switch count, time and cause follow"""
        self.main.cmd("set fwd txonly")
        self.main.cmd("start")
        try:
            t0 = time.time_ns()
            rc, out = ts.run(["ip", "link", "set", "dev", self.bed.iface, "down"])
            need(rc == 0, "ip link set down: %s" % out.strip())
            d = self.wait_path("standby")
            time.sleep(0.3)
            d = self.info(show=True)
            t1 = time.time_ns()
            sw = d["last_switch"]
            need(d["path_switches"] == 1, "path_switches %r" % d["path_switches"])
            need(sw.get("cause") == "primary link down", "cause %r" % sw.get("cause"))
            need(sw.get("from") == "primary" and sw.get("to") == "standby",
                 "from %r to %r" % (sw.get("from"), sw.get("to")))
            need(t0 <= sw.get("time_ns", 0) <= t1, "time_ns %r not in [%d, %d]"
                 % (sw.get("time_ns"), t0, t1))
            need(sw.get("time", "").endswith("Z") and "T" in sw.get("time", ""),
                 "time %r" % sw.get("time"))
            need(d["primary"]["link"]["status"] == "down", "primary link %r"
                 % d["primary"]["link"])
            need(d["link"]["status"] == "up", "failover link %r" % d["link"])
            tx0 = d["standby"]["tx_packets"]
            time.sleep(0.5)
            need(self.info()["standby"]["tx_packets"] > tx0,
                 "standby tx_packets does not grow")

            rc, out = ts.run(["ip", "link", "set", "dev", self.bed.iface, "up"])
            need(rc == 0, "ip link set up: %s" % out.strip())
            d = self.wait_path("primary")
            d = self.info(show=True)
            sw2 = d["last_switch"]
            need(d["path_switches"] == 2, "path_switches %r" % d["path_switches"])
            need(sw2.get("cause") == "primary link up", "cause %r" % sw2.get("cause"))
            need(sw2.get("from") == "standby" and sw2.get("to") == "primary",
                 "from %r to %r" % (sw2.get("from"), sw2.get("to")))
            need(sw2["time_ns"] > sw["time_ns"], "time did not move on")
        finally:
            ts.run(["ip", "link", "set", "dev", self.bed.iface, "up"])
            self.main.cmd("stop", timeout=20)

    def case_detach(self):
        """device detach of the primary, port attach: cause gone, then adopted"""
        self.main.cmd("device detach net_tap0", timeout=30)
        d = self.wait_path("standby")
        d = self.info(show=True)
        cause = d["last_switch"]["cause"]
        need(cause in ("primary gone", "primary dying", "primary leave"),
             "cause %r" % cause)
        need(d["primary"]["state"] == "absent" and d["primary"]["port_id"] == -1,
             "primary after detach: %r" % d["primary"])
        need(d["primary"]["device"] == "net_tap0", "device %r" % d["primary"]["device"])
        out = self.main.cmd("port attach net_tap0,iface=%s" % self.bed.iface, timeout=30)
        need("Failed" not in out, "port attach failed:\n%s" % out.strip())
        d = self.wait_path("primary")
        d = self.info()
        need(d["last_switch"]["cause"] == "primary adopted",
             "cause %r" % d["last_switch"]["cause"])
        self.check_sub(d["primary"], "primary", "net_tap0")
        self.log("detach: %s; attach: %s; path_switches %d"
                 % (cause, d["last_switch"]["cause"], d["path_switches"]))
        self.main.cmd("set portlist 0")

    def case_stock_client(self):
        """stock dpdk-telemetry.py -f <prefix> reads /failover/list"""
        exe = shutil.which(TELEMETRY_PY) or "/usr/bin/" + TELEMETRY_PY
        need(os.path.exists(exe), "%s not found" % TELEMETRY_PY)
        p = subprocess.run([sys.executable, exe, "-f", self.bed.prefix_main],
                           input="/failover/list\n/failover/info,%d\n" % self.port,
                           capture_output=True, text=True, timeout=20)
        self.log("$ echo /failover/list | %s -f %s\n%s"
                 % (TELEMETRY_PY, self.bed.prefix_main, p.stdout.strip()))
        need(p.returncode == 0, "exit status %d: %s" % (p.returncode, p.stderr))
        replies = [json.loads(line) for line in p.stdout.splitlines()
                   if line.startswith('{"/failover/')]
        need(len(replies) == 2, "expected 2 replies, got:\n%s" % p.stdout)
        need(replies[0] == {"/failover/list": [self.port]}, "list %r" % replies[0])
        need(replies[1]["/failover/info"]["name"] == "net_failover0",
             "info %r" % replies[1])

    def case_quit(self):
        """testpmd quits with status 0, no sanitizer report"""
        if self.tel:
            self.tel.close()
        self.bed.close()
        rep = self.main.sanitizer_report()
        need(rep is None, "sanitizer report:\n%s" % rep)
        need(self.main.proc.returncode == 0, "exit status %s"
             % self.main.proc.returncode)


def main(argv):
    if len(argv) < 2:
        print("usage: %s PLUGIN.so [TESTPMD]" % argv[0])
        return 77
    plugin, testpmd = argv[1], argv[2] if len(argv) > 2 else None
    cases = [Checks.case_connect, Checks.case_info, Checks.case_bad_params,
             Checks.case_failover, Checks.case_detach,
             Checks.case_stock_client, Checks.case_quit]
    skip = ts.skip_reason(plugin, testpmd)
    if skip:
        print("SKIP: %s" % skip)
        print("0 passed, 0 failed, %d skipped" % len(cases))
        return 77

    bed = ts.FailoverBed(os.path.abspath(plugin), "fo_l" + ts.unique_tag(),
                         testpmd=testpmd)
    chk = Checks(bed)

    return ts.run_cases(cases, chk, bed, TIME_LIMIT,
                        errors=(ts.SessionError, OSError, ValueError))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
