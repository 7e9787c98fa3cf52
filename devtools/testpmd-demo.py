#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Scripted stock dpdk-testpmd session: TX of net_failover moves from the
primary (a tap) to the standby (virtio-user) and back.

Two testpmd processes:
  backend  net_vhost0 (vhost-user client=1) in rxonly mode: counts what the
           standby path delivers;
  main     loads the net_failover plugin with -d and creates
             net_failover0,primary=(net_tap0,iface=fo_vf0),
                           standby=(net_virtio_user0,path=SOCK,server=1,...)
           driven interactively (-i) through a pipe, `set fwd txonly`.
Steps: TX on the primary; `ip link set dev fo_vf0 down` -> TX on the
standby; `ip link set dev fo_vf0 up` -> TX back on the primary.

Exit status 0 only if every step held; otherwise 1 and the failing steps are
named (2: bad usage, 77: cannot run here, e.g. not root).  Processes,
sockets, the plugin copy and /var/run/dpdk/<prefix> folders are always
removed.

  python3 devtools/testpmd-demo.py [--plugin PATH] [--testpmd PATH]
                                   [--keep-going] [--verbose]
"""

import argparse
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True     # no __pycache__ in the tree
sys.path.insert(0, HERE)
import testpmd_session as ts  # noqa: E402

REPO = os.path.dirname(HERE)
DEFAULT_PLUGIN = os.path.join(REPO, ts.DEFAULT_PLUGIN)
XSTAT_NAMES = ("primary_tx_packets", "standby_tx_packets",
               "primary_rx_packets", "standby_rx_packets",
               "path_switches", "active_path", "tx_no_path_bursts")
PATH_NAMES = {0: "primary", 1: "standby", 2: "none"}


class StepFailed(Exception):
    pass


class Watchdog(Exception):
    pass


class Interrupted(Exception):
    pass


class Demo:
    bed_class = ts.FailoverBed

    def __init__(self, args):
        self.args = args
        self.iface = args.iface
        self.bed = None
        self.main = None
        self.backend = None
        self.failed = []
        self.passed = []
        self.log_file = None
        self.port = 0                  # the failover port in testpmd
        self.expect_ports = "1"        # sub-ports are hidden (owned)
        self.expect_driver = "net_failover"
        self.step_failures = []

    # ------------------------------------------------------------ output
    def say(self, msg=""):
        print(msg, flush=True)

    def show(self, text, indent="    | "):
        for line in text.strip("\n").splitlines():
            if line.strip():
                print(indent + line.rstrip(), flush=True)

    def check(self, step, ok, what, fatal=False):
        """Print one check; a failed one fails the step when the step ends
        (or at once when fatal: the rest of the step makes no sense)."""
        mark = "ok  " if ok else "FAIL"
        self.say("  [%s] %s" % (mark, what))
        if not ok:
            self.step_failures.append(what)
            if fatal:
                raise StepFailed(what)

    def _write_log(self, text):
        if self.log_file:
            self.log_file.write(text)
            self.log_file.flush()
        if self.args.verbose:
            sys.stderr.write(text)

    # ------------------------------------------------------------ set-up
    def setup(self):
        a = self.args
        if os.geteuid() != 0:
            raise StepFailed("set-up: must run as root (tap interface, "
                             "/var/run/dpdk)")
        if not os.path.isfile(a.plugin):
            raise StepFailed("set-up: plugin %s not found (build it first: "
                             "meson setup build && ninja -C build)" % a.plugin)
        if ts.find_testpmd(a.testpmd) is None:
            raise StepFailed("set-up: testpmd %s not found"
                             % (a.testpmd or "dpdk-testpmd"))
        if a.log:
            self.log_file = open(a.log, "w")
        self.bed = self.bed_class(
            a.plugin, self.iface, testpmd=a.testpmd,
            log=ts.LinePrefixer(self._write_log)
            if (a.log or a.verbose) else None,
            link_poll_ms=a.link_poll_ms, backend_fwd="rxonly",
            say=lambda m: self.say("  " + m.replace("\n", "\n  ")))
        self.say("\n== Set-up: two testpmd processes ==")
        try:
            self.bed.start(timeout=60)
        finally:
            self.main, self.backend = self.bed.main, self.bed.backend
        self.backend.cmd("start")
        self.say("  both at their prompt; backend forwarding (rxonly)")

    def cleanup(self):
        if self.bed is not None:
            self.bed.close()
        if self.log_file:
            self.log_file.close()
            self.log_file = None

    # ---------------------------------------------------------- counters
    def sample(self):
        xs = self.main.xstats(self.port)
        be = self.backend.port_stats(0)
        st = self.main.port_stats(self.port)
        return {
            "primary_tx": xs.get("primary_tx_packets"),
            "standby_tx": xs.get("standby_tx_packets"),
            "path_switches": xs.get("path_switches"),
            "active_path": xs.get("active_path"),
            "tx_no_path_bursts": xs.get("tx_no_path_bursts"),
            "port_tx": st.get("TX-packets"),
            "kernel_rx": ts.iface_counter(self.iface, "rx_packets"),
            "backend_rx": be.get("RX-packets"),
        }

    def window(self, seconds=1.0):
        """Counters over `seconds`: (before, after, delta)."""
        before = self.sample()
        time.sleep(seconds)
        after = self.sample()
        delta = {}
        for k in before:
            if isinstance(before[k], int) and isinstance(after[k], int):
                delta[k] = after[k] - before[k]
            else:
                delta[k] = None
        return before, after, delta

    def print_window(self, after, delta, seconds):
        self.say("  counters over %.1f s (growth / total):" % seconds)
        rows = [
            ("failover xstat primary_tx_packets", "primary_tx"),
            ("failover xstat standby_tx_packets", "standby_tx"),
            ("failover port TX-packets", "port_tx"),
            ("kernel %s rx_packets (primary wire)" % self.iface,
             "kernel_rx"),
            ("vhost backend RX-packets (standby wire)", "backend_rx"),
            ("failover xstat path_switches", "path_switches"),
            ("failover xstat tx_no_path_bursts", "tx_no_path_bursts"),
        ]
        for label, k in rows:
            self.say("    %-44s %+12s  / %s" % (label, _num(delta[k]),
                                                _num(after[k])))
        self.say("    %-44s %12s" % ("failover xstat active_path",
                                      _path(after["active_path"])))

    def active_path(self):
        return self.main.xstats(self.port).get("active_path")

    def wait_active_path(self, want, timeout=5.0):
        """Poll xstats until active_path == want; (ok, seconds waited)."""
        t0 = time.monotonic()
        v = ts.wait_for(lambda: self.active_path() == want, timeout, 0.002)
        return bool(v), time.monotonic() - t0

    def show_iface(self, stats=False):
        argv = ["ip"] + (["-s"] if stats else []) + \
            ["link", "show", "dev", self.iface]
        rc, out = ts.run(argv)
        self.say("# " + " ".join(argv))
        self.show(out)

    # ------------------------------------------------------------- steps
    def step_info(self):
        step = "port-info"
        self.say("\n== Step 1: the failover port as testpmd sees it ==")
        summ = self.main.cmd("show port summary all")
        self.say("testpmd> show port summary all")
        self.show(summ)
        info_txt = self.main.cmd("show port info %d" % self.port)
        self.say("testpmd> show port info %d" % self.port)
        self.show(info_txt)
        info = ts.parse_colon_fields(info_txt)
        nports = ts.parse_colon_fields(summ).get("Number of available ports")
        self.check(step, nports == self.expect_ports,
                   "testpmd lists one port: the sub-ports are owned by "
                   "net_failover (Number of available ports: %s)" % nports)
        self.check(step, info.get("Driver name") == self.expect_driver,
                   "port %d driver is %s (Driver name: %s)"
                   % (self.port, self.expect_driver, info.get("Driver name")))
        self.check(step, info.get("Link status") == "up",
                   "port %d link is up (Link status: %s)"
                   % (self.port, info.get("Link status")))

    def step_start(self):
        step = "start-txonly"
        self.say("\n== Step 2: txonly forwarding on the failover port ==")
        for c in ("set fwd txonly", "start"):
            out = self.main.cmd(c)
            self.say("testpmd> " + c)
            self.show("\n".join(out.strip().splitlines()[:3]))
        time.sleep(0.5)
        xs_txt = self.main.cmd("show port xstats %d" % self.port)
        self.say("testpmd> show port xstats %d" % self.port)
        self.show(xs_txt)
        xs = ts.parse_xstats(xs_txt)
        missing = [n for n in XSTAT_NAMES if n not in xs]
        self.check(step, not missing,
                   "xstats has %s" % (", ".join(XSTAT_NAMES) if not missing
                                      else "NOT " + ", ".join(missing)))

    def step_primary(self, step, title):
        self.say("\n== %s ==" % title)
        ok, secs = self.wait_active_path(0, 5.0)
        self.say("  active_path %s primary (seen after %.3f s)" % (
            "is" if ok else "is NOT", secs))
        time.sleep(0.3)   # let packets already in the standby ring drain
        _, after, d = self.window(self.args.window)
        self.print_window(after, d, self.args.window)
        self.show_iface(stats=True)
        self.check(step, after["active_path"] == 0,
                   "active_path = 0 (primary)")
        self.check(step, (d["primary_tx"] or 0) > 0,
                   "primary_tx_packets grows (+%s)" % _num(d["primary_tx"]))
        self.check(step, (d["kernel_rx"] or 0) > 0,
                   "the tap's kernel side %s receives them (+%s rx_packets)"
                   % (self.iface, _num(d["kernel_rx"])))
        self.check(step, d["standby_tx"] == 0,
                   "standby_tx_packets does not grow (+%s)"
                   % _num(d["standby_tx"]))
        self.check(step, d["backend_rx"] == 0,
                   "the vhost backend receives nothing (+%s)"
                   % _num(d["backend_rx"]))
        return after

    def step_down(self, prev):
        step = "failover (primary link down)"
        self.say("\n== Step 4: `ip link set dev %s down` -> TX must move to "
                 "the standby ==" % self.iface)
        rc, out = ts.run(["ip", "link", "set", "dev", self.iface, "down"])
        self.check(step, rc == 0, "ip link set dev %s down (rc %d%s)"
                   % (self.iface, rc, (": " + out.strip()) if rc else ""),
                   fatal=True)
        ok, secs = self.wait_active_path(1, 5.0)
        self.say("  active_path %s standby (seen after %.3f s; link_poll_ms "
                 "is %s)" % ("became" if ok else "did NOT become", secs,
                             self.args.link_poll_ms or "the default, 10"))
        self.show_iface()
        time.sleep(0.2)
        _, after, d = self.window(self.args.window)
        self.print_window(after, d, self.args.window)
        self.check(step, after["active_path"] == 1,
                   "active_path = 1 (standby)")
        self.check(step, (d["standby_tx"] or 0) > 0,
                   "standby_tx_packets grows (+%s)" % _num(d["standby_tx"]))
        self.check(step, (d["backend_rx"] or 0) > 0,
                   "the vhost backend receives them (+%s RX-packets)"
                   % _num(d["backend_rx"]))
        self.check(step, d["primary_tx"] == 0,
                   "primary_tx_packets stopped (+%s)" % _num(d["primary_tx"]))
        self.check(step, d["kernel_rx"] in (0, None),
                   "nothing reaches %s (+%s rx_packets)"
                   % (self.iface, _num(d["kernel_rx"])))
        sw = (after["path_switches"] or 0) - (prev["path_switches"] or 0)
        self.check(step, sw >= 1, "path_switches counted the switch (+%d)"
                   % sw)
        return after

    def step_up(self, prev):
        step = "failback (primary link up)"
        self.say("\n== Step 5: `ip link set dev %s up` -> TX must fail back "
                 "to the primary ==" % self.iface)
        rc, out = ts.run(["ip", "link", "set", "dev", self.iface, "up"])
        self.check(step, rc == 0, "ip link set dev %s up (rc %d%s)"
                   % (self.iface, rc, (": " + out.strip()) if rc else ""),
                   fatal=True)
        after = self.step_primary(step, "Step 5 (cont.): TX back on the "
                                  "primary")
        sw = (after["path_switches"] or 0) - (prev["path_switches"] or 0)
        self.check(step, sw >= 1, "path_switches counted the switch back "
                   "(+%d)" % sw)

    def step_final(self):
        self.say("\n== Step 6: stop; final counters ==")
        out = self.main.cmd("stop", timeout=20)
        self.say("testpmd> stop")
        self.show("\n".join(l for l in out.splitlines()
                            if "TX-packets" in l or "RX-packets" in l))
        xs_txt = self.main.cmd("show port xstats %d" % self.port)
        self.say("testpmd> show port xstats %d" % self.port)
        self.show(xs_txt)
        be = self.backend.port_stats(0)
        self.say("  vhost backend total RX-packets: %s"
                 % _num(be.get("RX-packets")))

    # --------------------------------------------------------------- run
    def run_step(self, name, fn, *a):
        self.step_failures = []
        try:
            r = fn(*a)
            if self.step_failures:
                raise StepFailed("; ".join(self.step_failures))
            self.passed.append(name)
            return r
        except StepFailed as e:
            self.failed.append(name)
            self.say("  -> step '%s' FAILED: %s" % (name, e))
            if not self.args.keep_going:
                raise
        except ts.SessionError as e:
            self.failed.append(name)
            self.say("  -> step '%s' FAILED (testpmd): %s" % (name, e))
            raise StepFailed(name)   # testpmd is unusable: no going on
        return None

    def run(self):
        self.say("net_failover demo: TX moves primary (tap %s) -> standby "
                 "(virtio-user/vhost-user) -> primary" % self.iface)
        try:
            try:
                self.setup()
                self.passed.append("set-up")
            except (StepFailed, ts.SessionError) as e:
                self.failed.append("set-up")
                self.say("  -> step 'set-up' FAILED: %s" % e)
                raise StepFailed("set-up")
            self.run_step("port-info", self.step_info)
            self.run_step("start-txonly", self.step_start)
            s1 = self.run_step("TX on primary", self.step_primary,
                               "TX on primary",
                               "Step 3: TX goes to the primary")
            s2 = self.run_step("failover (primary link down)", self.step_down,
                               s1 or self.sample())
            self.run_step("failback (primary link up)", self.step_up,
                          s2 or self.sample())
            self.run_step("final", self.step_final)
        except StepFailed:
            pass
        except Watchdog:
            self.failed.append("watchdog")
            self.say("  -> the demo ran over its %d s time limit"
                     % self.args.time_limit)
        except ts.SessionError as e:
            self.failed.append("testpmd")
            self.say("  -> testpmd failed: %s" % e)
        except Interrupted as e:
            self.failed.append("interrupted")
            self.say("  -> interrupted (%s)" % e)
        finally:
            # no watchdog or signal may cut the clean-up short (it has its
            # own bounded timeouts)
            signal.alarm(0)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
            if self.bed is not None:
                self.say("\nCleaning up (quit both testpmd, remove socket, "
                         "plugin copy, /var/run/dpdk/{%s,%s})"
                         % (self.bed.prefix_main, self.bed.prefix_be))
            if self.failed and self.main is not None and self.main.transcript:
                self.say("Last lines of the main testpmd:")
                self.show(self.main.tail(25))
            self.cleanup()
        if self.failed:
            self.say("\nRESULT: FAILED at: %s (passed: %s)"
                     % ("; ".join(self.failed),
                        ", ".join(self.passed) or "none"))
            return 1
        self.say("\nRESULT: OK: TX moved primary -> standby -> primary; "
                 "steps passed: %s" % ", ".join(self.passed))
        return 0


def _num(v):
    return "?" if v is None else str(v)


def _path(v):
    return "?" if v is None else "%d (%s)" % (v, PATH_NAMES.get(v, "?"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plugin", default=DEFAULT_PLUGIN,
                    help="net_failover plugin .so (default %(default)s)")
    ap.add_argument("--testpmd", default=None,
                    help="dpdk-testpmd binary (default: $TESTPMD or "
                    "dpdk-testpmd in PATH)")
    ap.add_argument("--keep-going", action="store_true",
                    help="run the remaining steps after a failed one")
    ap.add_argument("--iface", default="fo_vf0",
                    help="tap interface of the primary (default %(default)s)")
    ap.add_argument("--link-poll-ms", type=int, default=None,
                    help="pass link_poll_ms=N to net_failover")
    ap.add_argument("--window", type=float, default=1.0,
                    help="seconds over which counters are compared")
    ap.add_argument("--time-limit", type=int, default=240,
                    help="hard limit for the whole demo, seconds")
    ap.add_argument("--log", default=None,
                    help="write the raw testpmd transcripts to this file")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="echo raw testpmd output to stderr")
    args = ap.parse_args(argv)
    if len(args.iface) > 15:
        ap.error("--iface: at most 15 characters")

    demo = Demo(args)

    def on_alarm(signum, frame):
        raise Watchdog()

    def on_term(signum, frame):
        raise Interrupted("signal %d" % signum)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGHUP, on_term)
    signal.alarm(args.time_limit)
    try:
        rc = demo.run()
    finally:
        signal.alarm(0)
    if not demo.passed and demo.failed == ["set-up"] and os.geteuid() != 0:
        rc = 77
    return rc


if __name__ == "__main__":
    sys.exit(main())
