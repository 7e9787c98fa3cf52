#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stock dpdk-testpmd drives the net_failover plugin.

    testpmd_check.py PLUGIN.so [TESTPMD]

Starts the test-bed of devtools/testpmd_session.py (FailoverBed): a main
testpmd loading PLUGIN with -d (from a private copy: EAL refuses plugins
under world-writable folders) with
    net_failover0,primary=(net_tap0,iface=<unique>),
                  standby=(net_virtio_user0,path=<sock>,server=1,...)
and a vhost-user backend testpmd; then checks what testpmd shows and that
forwarding moves the counters.

Exit 0 when every case passed, 1 when one failed, 77 (skip) when it cannot
run here (not root, no testpmd, no plugin).  TESTPMD may also come from the
TESTPMD environment variable.
"""

import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True     # no __pycache__ in the tree
sys.path.insert(0, os.path.join(HERE, "..", "devtools"))
import testpmd_session as ts  # noqa: E402

XSTAT_NAMES = ("primary_tx_packets", "standby_tx_packets",
               "primary_rx_packets", "standby_rx_packets",
               "path_switches", "active_path", "tx_no_path_bursts")
TIME_LIMIT = 200          # seconds for the whole test
WINDOW = 1.0              # seconds of forwarding per case


need = ts.need


class Checks:
    def __init__(self, bed):
        self.bed = bed
        self.main = None
        self.backend = None
        self.iface = bed.iface

    def log(self, msg):
        print("    " + msg.replace("\n", "\n    "), flush=True)

    # -- helpers
    def forward(self, mode, seconds=WINDOW):
        """Forward in `mode` for `seconds` on the main testpmd; returns
        (stats before, stats after, kernel rx delta)."""
        self.main.cmd("set fwd %s" % mode)
        k0 = ts.iface_counter(self.iface, "rx_packets")
        s0 = self.main.port_stats(0)
        out = self.main.cmd("start")
        need("Logical Core" in out or "forwards packets" in out,
             "`start` did not start forwarding:\n%s" % out.strip())
        time.sleep(seconds)
        s1 = self.main.port_stats(0)
        self.main.cmd("stop", timeout=20)
        k1 = ts.iface_counter(self.iface, "rx_packets")
        kd = None if k0 is None or k1 is None else k1 - k0
        return s0, s1, kd

    # -- cases
    def case_probe(self):
        """testpmd loads the plugin and probes net_failover0"""
        self.bed.start(timeout=60)
        self.main, self.backend = self.bed.main, self.bed.backend
        self.backend.cmd("start")
        out = self.main.cmd("show port summary all")
        self.log(out.strip())
        n = ts.parse_colon_fields(out).get("Number of available ports")
        need(n == "1", "expected 1 port (sub-ports owned by net_failover), "
             "testpmd has %s" % n)
        need("net_failover0" in out and "net_failover " in out,
             "port summary does not show net_failover0 / net_failover")

    def case_port_info(self):
        """show port info 0 shows net_failover with link up"""
        out = self.main.cmd("show port info 0")
        info = ts.parse_colon_fields(out)
        self.log("Device name: %s, Driver name: %s, Link status: %s, "
                 "MAC address: %s" % (info.get("Device name"),
                                      info.get("Driver name"),
                                      info.get("Link status"),
                                      info.get("MAC address")))
        need(info.get("Driver name") == "net_failover",
             "Driver name is %r" % info.get("Driver name"))
        need(info.get("Device name") == "net_failover0",
             "Device name is %r" % info.get("Device name"))
        need(info.get("Link status") == "up",
             "Link status is %r" % info.get("Link status"))
        need(info.get("MAC address"), "no MAC address line")

    def case_txonly(self):
        """txonly forwarding: TX counters move, the tap receives"""
        s0, s1, kd = self.forward("txonly")
        tx = s1.get("TX-packets", 0) - s0.get("TX-packets", 0)
        self.log("TX-packets +%d in %.1f s; kernel %s rx_packets +%s"
                 % (tx, WINDOW, self.iface, kd))
        need(tx > 0, "TX-packets did not grow")
        need(kd is not None and kd > 0,
             "the primary's kernel side %s received nothing" % self.iface)

    def case_port_stats(self):
        """show port stats 0 shows nonzero TX"""
        out = self.main.cmd("show port stats 0")
        st = ts.parse_port_stats(out)
        self.log(" ".join("%s=%s" % (k, st.get(k)) for k in
                          ("RX-packets", "TX-packets", "TX-bytes",
                           "TX-errors")))
        need("NIC statistics for port 0" in out, "no statistics header")
        for k in ("RX-packets", "RX-bytes", "TX-packets", "TX-bytes",
                  "TX-errors"):
            need(k in st, "no %s field" % k)
        need(st["TX-packets"] > 0, "TX-packets is 0")
        need(st["TX-bytes"] > 0, "TX-bytes is 0")

    def case_xstats(self):
        """show port xstats 0 has the failover xstats, TX on the primary"""
        out = self.main.cmd("show port xstats 0")
        xs = ts.parse_xstats(out)
        self.log(", ".join("%s=%s" % (n, xs.get(n)) for n in XSTAT_NAMES))
        missing = [n for n in XSTAT_NAMES if n not in xs]
        need(not missing, "missing xstats: %s" % ", ".join(missing))
        need(xs["primary_tx_packets"] > 0, "primary_tx_packets is 0")
        need(xs["active_path"] == 0,
             "active_path is %d, expected 0 (primary)" % xs["active_path"])
        need(xs.get("tx_good_packets", 1) > 0, "tx_good_packets is 0")

    def queue_state(self, rx, q=0):
        """What `show rxq|txq info 0 q` says of the queue's state."""
        out = self.main.cmd("show %s info 0 %d" % ("rxq" if rx else "txq", q))
        m = re.search(r"%s queue state: (\w+)" % ("Rx" if rx else "Tx"), out)
        return m.group(1) if m else out.strip()

    def case_queue_start_stop(self):
        """port 0 rxq|txq 0 stop/start: the failover queue's state, forwarding"""
        for kind in ("rxq", "txq"):
            rx = kind == "rxq"
            out = self.main.cmd("port 0 %s 0 stop" % kind)
            need("rror" not in out and "not" not in out,
                 "port 0 %s 0 stop:\n%s" % (kind, out.strip()))
            st = self.queue_state(rx)
            need(st == "stopped", "%s 0 after its stop: %s" % (kind, st))
            if rx:
                out = self.main.cmd("show port 0 rxq 0 desc used count")
                need("Used desc count = 0" in out,
                     "a stopped queue's count:\n%s" % out.strip())
            self.main.cmd("port 0 %s 0 start" % kind)
            st = self.queue_state(rx)
            need(st == "started", "%s 0 after its start: %s" % (kind, st))
        # the tap (primary) stops its queues, virtio-user has no queue ops:
        # the failover queue holds its state all the same
        self.log("rxq/txq 0 stopped and started (tap: its queue ops; "
                 "virtio-user: none, -ENOTSUP taken as no refusal)")
        out = self.main.cmd("port 0 txq 0 stop")
        s0, s1, _ = self.forward("txonly", 0.5)
        tx = s1.get("TX-packets", 0) - s0.get("TX-packets", 0)
        self.main.cmd("port 0 txq 0 start")
        need(tx == 0, "a stopped tx queue sent %d packets" % tx)
        s0, s1, _ = self.forward("txonly", 0.5)
        tx = s1.get("TX-packets", 0) - s0.get("TX-packets", 0)
        need(tx > 0, "txq 0 started again does not send")
        self.log("txonly on a stopped txq 0: +0 TX-packets; started again: +%d" % tx)

    def case_module_regs(self):
        """show port 0 module_eeprom: the active sub-port's answer"""
        out = self.main.cmd("show port 0 module_eeprom")
        need(self.main.alive(), "testpmd died on show port 0 module_eeprom")
        # neither net_tap nor virtio-user has a module: the primary's -ENOTSUP
        need("not supported" in out, "module_eeprom on a tap primary:\n%s"
             % out.strip())
        self.log("module_eeprom: %s" % out.strip().splitlines()[-1])

    def case_port_reset(self):
        """port stop/reset/start 0: reconfigured by testpmd, forwarding again"""
        self.main.cmd("port stop 0", timeout=30)
        out = self.main.cmd("port reset 0", timeout=30)
        need("Failed" not in out and "Done" in out, "port reset 0:\n%s" % out.strip())
        out = self.main.cmd("port start 0", timeout=30)
        need("Fail" not in out, "port start 0 after the reset:\n%s" % out.strip())
        ok = ts.wait_for(lambda: self.main.xstats(0).get("active_path") == 0, 5, 0.05)
        need(ok, "no primary path after the reset")
        s0, s1, _ = self.forward("txonly", 0.5)
        tx = s1.get("TX-packets", 0) - s0.get("TX-packets", 0)
        need(tx > 0, "no TX after the reset")
        self.log("reset (tap, virtio-user: no reset op, stopped), reconfigured by "
                 "testpmd at port start, TX-packets +%d" % tx)

    def case_io_standby_rx(self):
        """io forwarding: what the standby receives goes out the primary"""
        # the backend now sends into virtio-user (standby RX)
        self.backend.cmd("stop")
        self.backend.cmd("set fwd txonly")
        self.backend.cmd("start")
        x0 = self.main.xstats(0)
        try:
            s0, s1, kd = self.forward("io")
        finally:
            self.backend.cmd("stop", timeout=20)
            self.backend.cmd("set fwd rxonly")
            self.backend.cmd("start")
        x1 = self.main.xstats(0)
        rx = s1.get("RX-packets", 0) - s0.get("RX-packets", 0)
        tx = s1.get("TX-packets", 0) - s0.get("TX-packets", 0)
        srx = x1.get("standby_rx_packets", 0) - x0.get("standby_rx_packets", 0)
        ptx = x1.get("primary_tx_packets", 0) - x0.get("primary_tx_packets", 0)
        self.log("RX-packets +%d, TX-packets +%d, standby_rx_packets +%d, "
                 "primary_tx_packets +%d, kernel %s rx_packets +%s"
                 % (rx, tx, srx, ptx, self.iface, kd))
        need(rx > 0, "RX-packets did not grow")
        need(srx > 0, "standby_rx_packets did not grow")
        need(tx > 0 and ptx > 0, "nothing was forwarded to the primary")
        need(kd is not None and kd > 0,
             "the primary's kernel side %s received nothing" % self.iface)

    def case_failover(self):
        """primary link down: TX moves to the standby, and back"""
        self.main.cmd("set fwd txonly")
        self.main.cmd("start")
        try:
            rc, out = ts.run(["ip", "link", "set", "dev", self.iface, "down"])
            need(rc == 0, "ip link set down: %s" % out.strip())
            ok = ts.wait_for(lambda: self.main.xstats(0).get("active_path")
                             == 1, 5, 0.05)
            need(ok, "active_path did not become 1 (standby) within 5 s")
            time.sleep(0.2)
            x0, b0 = self.main.xstats(0), self.backend.port_stats(0)
            time.sleep(WINDOW)
            x1, b1 = self.main.xstats(0), self.backend.port_stats(0)
            stx = x1["standby_tx_packets"] - x0["standby_tx_packets"]
            ptx = x1["primary_tx_packets"] - x0["primary_tx_packets"]
            brx = b1.get("RX-packets", 0) - b0.get("RX-packets", 0)
            self.log("link down: standby_tx_packets +%d, primary_tx_packets "
                     "+%d, backend RX-packets +%d, path_switches %d"
                     % (stx, ptx, brx, x1["path_switches"]))
            need(stx > 0 and brx > 0, "TX did not reach the standby")
            need(ptx == 0, "primary_tx_packets still grows")
            need(x1["path_switches"] >= 1, "path_switches not counted")

            rc, out = ts.run(["ip", "link", "set", "dev", self.iface, "up"])
            need(rc == 0, "ip link set up: %s" % out.strip())
            ok = ts.wait_for(lambda: self.main.xstats(0).get("active_path")
                             == 0, 5, 0.05)
            need(ok, "active_path did not come back to 0 within 5 s")
            time.sleep(0.2)
            x2 = self.main.xstats(0)
            time.sleep(WINDOW)
            x3 = self.main.xstats(0)
            ptx = x3["primary_tx_packets"] - x2["primary_tx_packets"]
            stx = x3["standby_tx_packets"] - x2["standby_tx_packets"]
            self.log("link up: primary_tx_packets +%d, standby_tx_packets "
                     "+%d, path_switches %d" % (ptx, stx,
                                                x3["path_switches"]))
            need(ptx > 0, "TX did not come back to the primary")
            need(stx == 0, "standby_tx_packets still grows")
            need(x3["path_switches"] >= x1["path_switches"] + 1,
                 "the switch back was not counted")
        finally:
            ts.run(["ip", "link", "set", "dev", self.iface, "up"])
            self.main.cmd("stop", timeout=20)


    def case_detach_attach(self):
        """device detach of the primary, port attach: the failover follows"""
        # forwarding is stopped: DESTROY is a late notice (see the guide)
        out = self.main.cmd("device detach net_tap0", timeout=30)
        self.log(out.strip().splitlines()[-1] if out.strip() else "(no output)")
        ok = ts.wait_for(lambda: self.main.xstats(0).get("active_path")
                         == 1, 5, 0.05)
        need(ok, "active_path did not become 1 (standby) after detach")
        out = self.main.cmd("port attach net_tap0,iface=%s" % self.iface,
                            timeout=30)
        need("Failed" not in out, "port attach failed:\n%s" % out.strip())
        ok = ts.wait_for(lambda: self.main.xstats(0).get("active_path")
                         == 0, 5, 0.05)
        need(ok, "the attached tap did not become the active primary")
        # testpmd put the attached (owned) port in its forwarding list
        self.main.cmd("set portlist 0")
        x0 = self.main.xstats(0)
        s0, s1, kd = self.forward("txonly")
        x1 = self.main.xstats(0)
        ptx = x1["primary_tx_packets"] - x0["primary_tx_packets"]
        self.log("after attach: primary_tx_packets +%d, kernel %s rx_packets "
                 "+%s" % (ptx, self.iface, kd))
        need(ptx > 0, "TX did not go to the re-attached primary")
        need(kd is not None and kd > 0,
             "the re-attached tap's kernel side received nothing")


    def case_attach_cycles(self):
        """port attach / device detach of the primary, N cycles, forwarding and not"""
        n = int(os.environ.get("FT_TESTPMD_CYCLES", "20"))
        self.main.cmd("set portlist 0")
        self.main.cmd("set fwd io")
        t0 = time.monotonic()
        for i in range(n):
            forwarding = i % 2 == 1
            if forwarding:
                self.main.cmd("start")
            out = self.main.cmd("device detach net_tap0", timeout=30)
            need(self.main.alive(), "cycle %d: testpmd died on device detach" % i)
            ok = ts.wait_for(lambda: self.main.xstats(0).get("active_path") == 1, 5, 0.02)
            need(ok, "cycle %d: not on the standby after detach:\n%s" % (i, out.strip()))
            out = self.main.cmd("port attach net_tap0,iface=%s" % self.iface, timeout=30)
            need(self.main.alive(), "cycle %d: testpmd died on port attach:\n%s"
                 % (i, out.strip()))
            need("Failed" not in out, "cycle %d: port attach failed:\n%s" % (i, out.strip()))
            ok = ts.wait_for(lambda: self.main.xstats(0).get("active_path") == 0, 5, 0.02)
            need(ok, "cycle %d: the attached tap did not become the primary" % i)
            self.main.cmd("set portlist 0")
            if forwarding:
                self.main.cmd("stop", timeout=20)
        self.log("%d attach/detach cycles (every other one forwarding) in %.1f s, testpmd alive"
                 % (n, time.monotonic() - t0))

    def case_bad_attach(self):
        """port attach with a bare bus name: refused, testpmd lives on"""
        for bad in ("net_failover7,primary=bus", "net_failover7,standby=(class)"):
            out = self.main.cmd("port attach %s" % bad, timeout=30)
            need(self.main.alive(), "testpmd died on 'port attach %s'" % bad)
            need("Failed" in out, "'port attach %s' did not fail:\n%s" % (bad, out))
        self.log("bare bus/class names refused, testpmd alive")

    def case_detach_failover(self):
        """port stop/detach of the failover, attach again: both sub-ports"""
        self.main.cmd("port stop 0", timeout=30)
        out = self.main.cmd("port detach 0", timeout=30)
        need("Failed" not in out, "port detach failed:\n%s" % out.strip())
        for i in range(2):
            out = self.main.cmd("port attach net_failover0,primary=(net_null_tp0),"
                                "standby=(net_null_tp1)", timeout=30)
            m = re.search(r"Port (\d+) is attached", out)
            need(m is not None, "port attach failed:\n%s" % out.strip())
            port = int(m.group(1))
            x = self.main.xstats(port)
            need(x.get("refused_ports") == 0, "sub-ports refused: %s" % x)
            self.main.cmd("port start %d" % port, timeout=30)
            ok = ts.wait_for(lambda: self.main.xstats(port).get("active_path") == 0,
                             5, 0.05)
            need(ok, "attach %d: the failover port has no primary" % i)
            self.main.cmd("port stop %d" % port, timeout=30)
            out = self.main.cmd("port detach %d" % port, timeout=30)
            need("Failed" not in out, "detach %d failed:\n%s" % (i, out.strip()))
        self.log("detached and attached twice: both sub-ports each time")

    def case_quit(self):
        """both testpmd quit with status 0 and no sanitizer report"""
        # quit runs the ports' close and EAL's clean-up; LeakSanitizer
        # reports at exit (FO_TESTPMD_PRELOAD: see testpmd_session.py)
        self.bed.close()
        for s in (self.main, self.backend):
            rep = s.sanitizer_report()
            need(rep is None, "%s: sanitizer report:\n%s" % (s.name, rep))
            need(s.proc.returncode == 0, "%s: exit status %s after quit"
                 % (s.name, s.proc.returncode))
        self.log("exit status 0 for both, no sanitizer report%s"
                 % (" (%s=%s)" % (ts.PRELOAD_ENV, os.environ[ts.PRELOAD_ENV])
                    if os.environ.get(ts.PRELOAD_ENV) else ""))


def main(argv):
    if len(argv) < 2:
        print("usage: %s PLUGIN.so [TESTPMD]" % argv[0])
        return 77
    plugin = argv[1]
    testpmd = argv[2] if len(argv) > 2 else None
    cases = [Checks.case_probe, Checks.case_port_info, Checks.case_txonly,
             Checks.case_port_stats, Checks.case_xstats,
             Checks.case_queue_start_stop, Checks.case_module_regs,
             Checks.case_port_reset,
             Checks.case_io_standby_rx, Checks.case_failover,
             Checks.case_detach_attach, Checks.case_attach_cycles,
             Checks.case_bad_attach,
             Checks.case_detach_failover, Checks.case_quit]

    skip = ts.skip_reason(plugin, testpmd)
    if skip:
        print("SKIP: %s" % skip)
        print("0 passed, 0 failed, %d skipped" % len(cases))
        return 77

    iface = "fo_t" + ts.unique_tag()
    verbose = os.environ.get("TESTPMD_CHECK_VERBOSE")

    log = ts.LinePrefixer(sys.stdout.write) if verbose else None
    bed = ts.FailoverBed(os.path.abspath(plugin), iface, testpmd=testpmd,
                         log=log, say=lambda m: print("    " + m.replace(
                             "\n", "\n    "), flush=True))
    chk = Checks(bed)

    return ts.run_cases(cases, chk, bed, TIME_LIMIT)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
