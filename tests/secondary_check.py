#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""secondary suite: the failover port in secondary processes, with stock tools.

    secondary_check.py PLUGIN.so

A primary stock dpdk-testpmd on hugepages runs the failover port over a
net_tap primary and a virtio-user standby (the test-bed of
devtools/testpmd_session.py, vhost-user backend testpmd). Secondary
processes attach to it:
- dpdk-proc-info --stats --xstats --show-port: the counters and fields the
  primary reports, after a known number of frames each way;
- a secondary dpdk-testpmd: show port info / stats as the primary's, a
  setter refused with the driver's log line, and its own bursts (rxonly
  with tx_first) counted on the tap interface and in the primary, then
  (txonly) following a switch to the standby and back (tap link down/up),
  and going on over the standby when the primary's device is removed
  (testpmd `device detach net_tap0`) under its traffic;
- dpdk-dumpcap -i net_failover0 (which loads only the drivers of DPDK's
  driver directory: the plugin is installed there for its start, and
  removed at once) and dpdk-pdump --pdump 'port=0,queue=*,rx-dev=,tx-dev=':
  captures that tcpdump -r reads with exactly the frames sent each way.
Frames in: injected on the tap interface (AF_PACKET, ethertype 0x88b5);
frames out: testpmd's tx_first (UDP, bursts of 32).

Set-up reserves 2 MB hugepages and mounts a private hugetlbfs, both
restored at the end, whatever happens. Exit 0 when every case passed, 1
when one failed, 77 (skip) when it cannot run here.
"""

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True     # no __pycache__ in the tree
sys.path.insert(0, os.path.join(HERE, "..", "devtools"))
import testpmd_session as ts  # noqa: E402

TIME_LIMIT = 120
NR_HUGE = 256                      # 2 MB pages the suite needs free
HUGE_SYSFS = "/proc/sys/vm/nr_hugepages"
PMD_DIR = "/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0"
ETHERTYPE = 0x88b5
BURST = 32                         # testpmd's default burst: tx_first sends BURST per round
TOOLS = ("dpdk-proc-info", "dpdk-dumpcap", "dpdk-pdump", "tcpdump")
SEC_LCORES = "2@0,3@1"             # lcore ids of secondaries: mempool caches apart

need = ts.need


def meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class Hugepages:
    """NR_HUGE free 2 MB pages and a private hugetlbfs; restore() puts the
    page count back and unmounts (never raises)."""

    def __init__(self):
        self.orig = None
        self.mnt = None

    def reserve(self):
        with open(HUGE_SYSFS) as f:
            self.orig = int(f.read())
        free = meminfo("HugePages_Free")
        if free < NR_HUGE:
            with open(HUGE_SYSFS, "w") as f:
                f.write(str(self.orig + NR_HUGE - free))
        free = meminfo("HugePages_Free")
        need(free >= NR_HUGE, "only %d free hugepages after asking for %d" % (free, NR_HUGE))
        self.mnt = tempfile.mkdtemp(prefix=".fo-sec-huge-", dir=os.path.expanduser("~"))
        rc, out = ts.run(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "nodev", self.mnt])
        if rc != 0:
            os.rmdir(self.mnt)
            self.mnt = None
        need(rc == 0, "mount hugetlbfs: %s" % out.strip())
        return "%d pages (was %d), hugetlbfs on %s" % (meminfo("HugePages_Total"),
                                                     self.orig, self.mnt)

    def restore(self):
        if self.mnt:
            for _ in range(20):
                if ts.run(["umount", self.mnt])[0] == 0:
                    break
                time.sleep(0.25)
            try:
                os.rmdir(self.mnt)
            except OSError as e:
                print("    hugetlbfs %s not removed: %s" % (self.mnt, e))
            self.mnt = None
        if self.orig is not None:
            try:
                with open(HUGE_SYSFS, "w") as f:
                    f.write(str(self.orig))
            except OSError as e:
                print("    nr_hugepages not restored to %d: %s" % (self.orig, e))
            self.orig = None


class HugeBed(ts.FailoverBed):
    """The test-bed with main on hugepages (a --no-huge primary takes no
    secondary); virtio-user needs --single-file-segments there."""

    def __init__(self, plugin, iface, huge, **kw):
        super().__init__(plugin, iface, **kw)
        self.huge = huge

    def main_eal_common(self):
        # The secondaries map the primary's memory at its addresses: put it
        # where neither process has anything else (with ASan preloaded, its
        # allocator and shadow make an address near the libraries taken in
        # one process and free in the other: "Cannot get a virtual area at
        # requested address", at random).
        return ["--huge-dir", self.huge.mnt, "--single-file-segments", "--no-pci",
                "--base-virtaddr=0x200000000000"]


def no_ipv6(iface, stop):
    """Switch IPv6 off on the tap as soon as it exists (before it is set
    up): the kernel then sends nothing on it, and counts are exact."""
    path = "/proc/sys/net/ipv6/conf/%s/disable_ipv6" % iface
    while not stop.is_set():
        if os.path.exists(path):
            try:
                with open(path, "w") as f:
                    f.write("1")
                return
            except OSError:
                pass
        time.sleep(0.002)


def inject(iface, n):
    """n frames into the tap from the kernel side: received by the port."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    try:
        s.bind((iface, 0))
        for i in range(n):
            frame = b"\xff" * 6 + b"\x02\x00\x00\x5e\xc0\x01" + \
                ETHERTYPE.to_bytes(2, "big") + i.to_bytes(4, "big") + b"\0" * 42
            s.send(frame)
    finally:
        s.close()


def mempool_preload(testpmd):
    """The mempool drivers testpmd links, for LD_PRELOAD of a tool.

    A mempool records its driver as an index into each process's table of
    mempool drivers, filled in the order they register: Debian's testpmd
    links librte_mempool_dpaa (registered before the driver directory's),
    dumpcap and pdump do not. Without the same drivers first, the primary
    reads a tool's "ring_mp_mc" index as another driver (dpaa2: "fslmc: No
    software portal resource left") and copies no packet."""
    rc, out = ts.run(["ldd", testpmd])
    libs = re.findall(r"^\s*librte_mempool_\w+\.so\S*\s+=>\s+(\S+)", out, re.M)
    return ":".join(dict.fromkeys(libs))


def tool_env(preload):
    """Environment of a stock tool: the sanitizer runtime first (a
    -Db_sanitize plugin, devtools/run-sanitized.sh), then preload."""
    env = dict(os.environ)
    libs = [x for x in (os.environ.get(ts.PRELOAD_ENV), preload) if x]
    if libs:
        env["LD_PRELOAD"] = ":".join(libs)
    return env


# DPDK 22.11's vdev bus leaks, in every secondary process, the devargs of
# each vdev it learns from the primary: vdev_scan() adds them with
# insert_vdev(name, NULL, NULL, false), which leaves the devargs out of EAL's
# list, and vdev_cleanup() frees the device but not its devargs (one 136-byte
# rte_devargs and its 1-byte "" data per vdev). Debian strips that library,
# so no LeakSanitizer suppression can name the function (and one naming the
# library would hide a leak of ours allocated under its probe). A leak record
# is DPDK's when every frame below the allocator is in librte_bus_vdev, or
# in the stock tool itself (dpdk-dumpcap leaves the argument strings it
# builds for EAL in main()).
LEAK_RECORD = re.compile(r"^(?:Direct|Indirect) leak of \d+ byte\(s\) in (\d+) object\(s\) "
                         r"allocated from:\n((?:[ \t]+#\d+ .*\n?)+)", re.M)
ALLOCATOR_FRAME = re.compile(r"__interceptor_|libsanitizer/|asan_malloc|asan_interceptors")
LSAN_HEADER = re.compile(r"^==\d+==ERROR: LeakSanitizer: detected memory leaks$", re.M)
ASAN_EXITCODE = 99      # devtools/run-sanitized.sh: ASAN_OPTIONS exitcode=99


DPDK_FRAME = re.compile(r"\((?:/\S*/librte_bus_vdev\.so[.\d]*|/usr/bin/dpdk-[\w-]+)\+0x[0-9a-f]+\)")


def dpdk_leak(frames):
    own = [f for f in frames.splitlines() if f.strip() and not ALLOCATOR_FRAME.search(f)]
    return bool(own) and all(DPDK_FRAME.search(f) for f in own)


def sanitizer_check(who, text, rc=0, ok=(0,)):
    """No sanitizer report but DPDK's vdev-bus leak (then rc may be ASan's
    exit code), and an exit status in ok."""
    m = ts.SANITIZER_REPORT.search(text)
    if m is None:
        need(rc in ok, "%s exited %s:\n%s" % (who, rc, text[-3000:]))
        return
    report = text[m.start():]
    records = LEAK_RECORD.findall(report)
    known = (len(LSAN_HEADER.findall(text)) == 1 and records and
             all(dpdk_leak(frames) for _, frames in records) and
             not re.search(r"ERROR: AddressSanitizer|runtime error:", text))
    need(known, "%s: sanitizer report:\n%s" % (who, "\n".join(report.splitlines()[:40])))
    need(rc in ok or rc == ASAN_EXITCODE, "%s exited %s:\n%s" % (who, rc, text[-3000:]))
    print("    %s: DPDK's own leaks in a secondary (%d objects), nothing else"
          % (who, sum(int(n) for n, _ in records)))


def sanitizer_free(who, text):
    sanitizer_check(who, text)


def tcpdump_count(path, expr=None):
    argv = ["tcpdump", "-nn", "-r", path] + ([expr] if expr else [])
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    need(p.returncode == 0, "tcpdump -r %s: %s" % (path, p.stderr.decode().strip()))
    # one line per frame starts with its time (unknown ethertypes add hex lines)
    return len(re.findall(r"^\d\d:\d\d:\d\d\.\d+ ", p.stdout.decode(), re.M))


class Tool:
    """A stock tool run in the background, its output collected."""

    def __init__(self, argv, preload=""):
        self.argv = argv
        self.out = []
        stdbuf = shutil.which("stdbuf")
        if stdbuf:
            # printf() to a pipe waits for a full buffer: by lines instead
            argv = [stdbuf, "-oL"] + argv
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True, env=tool_env(preload))
        self.thr = threading.Thread(target=self._read, daemon=True)
        self.thr.start()

    def _read(self):
        # not by lines: dumpcap's "Packets captured: " ends with no newline
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 4096)
            if not data:
                break
            self.out.append(data.decode("utf-8", "replace"))

    def text(self):
        return "".join(self.out)

    def wait_for(self, rx, timeout):
        ok = ts.wait_for(lambda: re.search(rx, self.text()) or self.proc.poll() is not None,
                         timeout, 0.05)
        return bool(ok) and re.search(rx, self.text()) is not None

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.thr.join(5)
        return self.proc.returncode


class Checks:
    def __init__(self, bed, huge, plugin):
        self.bed = bed
        self.huge = huge
        self.plugin = plugin
        self.main = None
        self.sec = None
        self.tools = []
        self.installed = None
        self.tmp = tempfile.mkdtemp(prefix="fo-sec-")
        os.chmod(self.tmp, 0o755)

    def log(self, msg):
        print("    " + msg.replace("\n", "\n    "), flush=True)

    def eal(self, lcores=SEC_LCORES):
        """EAL arguments of a secondary attaching to main (lcores None: the
        tool sets its own, and the process type)."""
        return (["--proc-type=secondary", "--lcores", lcores] if lcores else []) + \
            ["--file-prefix=" + self.bed.prefix_main, "--no-pci", "-d", self.bed.plugin_copy]

    def stats(self):
        st = self.main.port_stats(0)
        need("RX-packets" in st and "TX-packets" in st, "show port stats 0: %r" % st)
        return st

    def tap_rx(self):
        """Frames the tap interface got from the port (the port's TX)."""
        v = ts.iface_counter(self.bed.iface, "rx_packets")
        need(v is not None, "no counters of %s" % self.bed.iface)
        return v

    def traffic(self, rounds, n_in, sess=None):
        """rounds * BURST frames out by tx_first, n_in frames in, on the
        testpmd sess (main by default) in rxonly: returns its fwd stats."""
        sess = sess or self.main
        sess.cmd("set fwd rxonly")
        start_out = out = sess.cmd("start tx_first %d" % rounds)
        need("Bad" not in out and "rror" not in out, "start tx_first: %s" % out.strip())
        time.sleep(0.3)
        inject(self.bed.iface, n_in)
        time.sleep(0.5)
        out = sess.cmd("stop", timeout=20)
        m = re.search(r"Accumulated forward statistics.*?RX-packets:\s*(\d+).*?"
                      r"TX-packets:\s*(\d+)", out, re.S)
        need(m is not None, "no forward statistics in `stop`: %s\n`start tx_first %d` said: %s"
             % (out.strip(), rounds, start_out.strip()))
        return int(m.group(1)), int(m.group(2))

    # -- cases
    def case_setup(self):
        """hugepages, a primary testpmd on them: the failover port over tap + virtio-user"""
        self.log(self.huge.reserve())
        stop = threading.Event()
        t = threading.Thread(target=no_ipv6, args=(self.bed.iface, stop), daemon=True)
        t.start()
        try:
            self.bed.start(timeout=60)
        finally:
            stop.set()
        self.main = self.bed.main
        self.bed.backend.cmd("start")
        info = self.main.port_info(0)
        need(info.get("Driver name") == "net_failover", "port 0 driver %r"
             % info.get("Driver name"))
        self.mac = info.get("MAC address")
        self.preload = mempool_preload(self.main.testpmd)
        self.log("mempool drivers testpmd links (preloaded into dumpcap and pdump): %s"
                 % (self.preload or "none"))
        self.log("primary: " + " ".join(self.main.argv[self.main.argv.index("-l"):]))

    def case_proc_info(self):
        """dpdk-proc-info --stats --xstats --show-port: the primary's counters and fields"""
        self.main.cmd("clear port stats 0")
        tap0 = self.tap_rx()
        rx, tx = self.traffic(4, 50)
        need(rx == 50 and tx == 4 * BURST, "forwarded %d in, %d out; sent 50 in, %d out"
             % (rx, tx, 4 * BURST))
        need(self.tap_rx() - tap0 == 4 * BURST, "the tap got %d frames, %d sent"
             % (self.tap_rx() - tap0, 4 * BURST))
        st = self.stats()
        need(st["RX-packets"] == 50 and st["TX-packets"] == 4 * BURST,
             "primary port stats RX %d TX %d" % (st["RX-packets"], st["TX-packets"]))
        xs = self.main.xstats(0)
        # one of --stats and --xstats per run (proc-info shows the first it has)
        out = ""
        for opts in (["--stats", "--show-port"], ["--xstats"]):
            # unbuffered: a leak report ends the process before stdio is flushed
            argv = (["stdbuf", "-o0"] if os.environ.get(ts.PRELOAD_ENV) else []) + \
                ["dpdk-proc-info"] + self.eal(None) + ["--"] + opts
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=30, env=tool_env(None))
            rc, o = p.returncode, p.stdout.decode("utf-8", "replace")
            self.log("$ " + " ".join(argv))
            sanitizer_check("dpdk-proc-info", o, rc)
            out += o
        lines = [ln for ln in out.splitlines()
                 if re.search(r"RX-packets|TX-packets|primary_|standby_|active_path|"
                              r"path_switches|driver|Link|mtu|mac", ln)]
        self.log("\n".join(ln.rstrip() for ln in lines if "Stats reg" not in ln))
        m = re.search(r"RX-packets:\s*(\d+)\s+RX-errors:\s*(\d+)\s+RX-bytes:\s*(\d+)", out)
        need(m is not None, "no RX-packets line in proc-info --stats")
        need(int(m.group(1)) == 50, "proc-info RX-packets %s, expected 50" % m.group(1))
        need(int(m.group(3)) == st["RX-bytes"], "proc-info RX-bytes %s, primary %d"
             % (m.group(3), st["RX-bytes"]))
        m = re.search(r"TX-packets:\s*(\d+)\s+TX-errors:\s*(\d+)\s+TX-bytes:\s*(\d+)", out)
        need(m is not None and int(m.group(1)) == 4 * BURST,
             "proc-info TX-packets %s, expected %d" % (m and m.group(1), 4 * BURST))
        got = dict((k, int(v)) for k, v in re.findall(r"^\s*(\w+):\s+(\d+)\s*$", out, re.M))
        for k in ("primary_rx_packets", "primary_tx_packets", "standby_rx_packets",
                  "standby_tx_packets", "active_path", "path_switches", "tx_no_path_packets"):
            need(k in got, "proc-info --xstats has no %s:\n%s" % (k, out[-3000:]))
            need(got[k] == xs.get(k), "proc-info %s = %d, the primary says %r"
                 % (k, got[k], xs.get(k)))
        need(got["primary_rx_packets"] == 50 and got["primary_tx_packets"] == 4 * BURST,
             "xstats primary rx %d tx %d" % (got["primary_rx_packets"],
                                             got["primary_tx_packets"]))
        need(got["active_path"] == 0, "active_path %d, expected 0 (primary)"
             % got["active_path"])
        need(re.search(r"-- driver net_failover device net_failover0", out) is not None,
             "--show-port: no 'driver net_failover device net_failover0' line")
        need(re.search(r"Link up at \d+ \w+ FDX", out) is not None or
             re.search(r"Link up", out) is not None, "--show-port: no 'Link up' line")
        need(self.mac and re.search(r"-- mac %s" % self.mac.lower(), out.lower()),
             "--show-port: no mac %s line" % self.mac)
        need(re.search(r"-- \d+ descriptors \d+ mempool", out) or "mempool" in out,
             "--show-port: no rx queue line with its mempool")

    def case_testpmd(self):
        """secondary dpdk-testpmd: port info and stats as the primary's, a setter refused, its bursts"""
        before = self.stats()
        self.sec = ts.TestpmdSession("secondary", self.eal(), ["--total-num-mbufs=16384"],
                                     testpmd=self.bed.testpmd)
        self.sec.start(timeout=30)
        info = self.sec.port_info(0)
        self.log("secondary `show port info 0`: Driver name: %s, MAC address: %s, "
                 "Link status: %s, Link speed: %s" % (info.get("Driver name"),
                 info.get("MAC address"), info.get("Link status"), info.get("Link speed")))
        need(info.get("Driver name") == "net_failover", "driver %r" % info.get("Driver name"))
        need(info.get("MAC address") == self.mac, "MAC %r, primary %r"
             % (info.get("MAC address"), self.mac))
        need(info.get("Link status") == "up", "link %r" % info.get("Link status"))
        st = self.sec.port_stats(0)
        self.log("secondary `show port stats 0`: RX-packets: %s TX-packets: %s"
                 % (st.get("RX-packets"), st.get("TX-packets")))
        need(st.get("RX-packets") == before["RX-packets"] and
             st.get("TX-packets") == before["TX-packets"],
             "secondary stats RX %r TX %r, primary RX %d TX %d" % (
                 st.get("RX-packets"), st.get("TX-packets"), before["RX-packets"],
                 before["TX-packets"]))
        out = self.sec.cmd("port config mtu 0 1400")
        self.log("secondary `port config mtu 0 1400`: " + out.strip().replace("\n", " | "))
        need("mtu_set: not possible in a secondary process, must be done in the primary"
             in out, "no refusal naming mtu_set")
        mtu = re.search(r"MTU:\s*(\d+)", self.main.cmd("show port info 0"))
        need(mtu is not None and int(mtu.group(1)) != 1400, "primary MTU became 1400")
        # the secondary's own bursts: out on the tap, in from it
        tap0 = self.tap_rx()
        rx, tx = self.traffic(2, 30, sess=self.sec)
        self.log("secondary rxonly + tx_first 2: forwarded RX %d TX %d; tap got %d"
                 % (rx, tx, self.tap_rx() - tap0))
        need(rx == 30 and tx == 2 * BURST, "secondary forwarded %d in, %d out; sent 30 in, %d "
             "out" % (rx, tx, 2 * BURST))
        need(self.tap_rx() - tap0 == 2 * BURST, "the tap got %d frames from the secondary, "
             "%d sent" % (self.tap_rx() - tap0, 2 * BURST))
        after = self.stats()
        need(after["RX-packets"] - before["RX-packets"] == 30 and
             after["TX-packets"] - before["TX-packets"] == 2 * BURST,
             "the primary counted RX +%d TX +%d of the secondary's bursts" % (
                 after["RX-packets"] - before["RX-packets"],
                 after["TX-packets"] - before["TX-packets"]))

    def standby_carries(self, when):
        """The standby becomes the active path and carries the secondary's
        frames (the vhost backend's count grows in 0.3 s)."""
        need(ts.wait_for(lambda: self.active() == 1, 5, 0.05),
             "active_path did not become 1 (standby) within 5 s")
        be1 = self.bed.backend.port_stats(0)["RX-packets"]
        time.sleep(0.3)
        be2 = self.bed.backend.port_stats(0)["RX-packets"]
        self.log("%sthe vhost backend received %d of the secondary's frames in 0.3 s"
                 % (when, be2 - be1))
        need(be2 > be1, "the standby carries none of the secondary's frames")

    def active(self):
        return self.main.xstats(0).get("active_path")

    def case_switch(self):
        """the secondary's bursts follow a switch: primary link down, standby, back"""
        need(self.sec is not None and self.sec.alive(), "no secondary testpmd")
        sw0 = self.main.xstats(0)["path_switches"]
        self.sec.cmd("set fwd txonly")
        self.sec.cmd("start")
        try:
            tap0 = self.tap_rx()
            time.sleep(0.3)
            need(self.tap_rx() > tap0, "the secondary's txonly does not reach the tap")
            rc, out = ts.run(["ip", "link", "set", "dev", self.bed.iface, "down"])
            need(rc == 0, "ip link set down: %s" % out.strip())
            self.standby_carries("primary link down: ")
            rc, out = ts.run(["ip", "link", "set", "dev", self.bed.iface, "up"])
            need(rc == 0, "ip link set up: %s" % out.strip())
            need(ts.wait_for(lambda: self.active() == 0, 5, 0.05),
                 "active_path did not return to 0 (primary) within 5 s")
            tap1 = self.tap_rx()
            time.sleep(0.3)
            self.log("primary link up: the tap received %d in 0.3 s"
                     % (self.tap_rx() - tap1))
            need(self.tap_rx() > tap1, "the secondary's frames do not come back to the tap")
        finally:
            self.sec.cmd("stop", timeout=20)
            ts.run(["ip", "link", "set", "dev", self.bed.iface, "up"])
        sw = self.main.xstats(0)["path_switches"]
        need(sw - sw0 == 2, "path_switches +%d, expected 2" % (sw - sw0))
        self.sec.close()
        sanitizer_free("secondary testpmd", "".join(self.sec.transcript))
        need(self.main.alive(), "the primary died with the secondary")
        self.sec = None

    def install(self):
        """The plugin into DPDK's driver directory, for dumpcap's start."""
        old = glob.glob(os.path.join(PMD_DIR, "librte_net_failover*"))
        need(not old, "a net_failover PMD is installed already: %s" % " ".join(old))
        self.installed = os.path.join(PMD_DIR, "librte_net_failover.so.23.0")
        shutil.copy2(self.plugin, self.installed)

    def uninstall(self):
        if self.installed:
            try:
                os.unlink(self.installed)
            except OSError:
                pass
            self.installed = None

    def capture(self, tool, rounds, n_in):
        """Traffic while tool captures, then tool stopped (whatever
        happens: a capture left on makes the next one EEXIST)."""
        try:
            before = self.stats()
            rx, tx = self.traffic(rounds, n_in)
            need(rx == n_in and tx == rounds * BURST, "forwarded %d in, %d out" % (rx, tx))
            time.sleep(0.3)
        finally:
            rc = tool.stop()
        after = self.stats()
        self.log("$ " + " ".join(tool.argv) + "\n" + "\n".join(
            ln.rstrip() for ln in tool.text().replace("\b", "").splitlines()
            if re.search(r"Capturing|captured|received|dropped|MAC|rror|secondary", ln)))
        sanitizer_check("dpdk-dumpcap", tool.text(), rc, (0, -signal.SIGINT))
        return (after["RX-packets"] - before["RX-packets"],
                after["TX-packets"] - before["TX-packets"])

    def case_dumpcap(self):
        """dpdk-dumpcap -i net_failover0: the capture holds every frame, each way"""
        path = os.path.join(self.tmp, "dumpcap.pcapng")
        self.install()
        try:
            tool = Tool(["dpdk-dumpcap", "--file-prefix=" + self.bed.prefix_main,
                         "-i", "net_failover0", "-w", path], self.preload)
            self.tools.append(tool)
            ready = tool.wait_for(r"Packets captured", 20)
        finally:
            self.uninstall()   # loaded by then: the machine's driver dir as it was
        if not ready:
            tool.stop()
        need(ready, "dpdk-dumpcap not ready: %s" % tool.text()[-1500:])
        drx, dtx = self.capture(tool, 3, 40)
        n_all = tcpdump_count(path)
        n_out = tcpdump_count(path, "udp")
        n_in = tcpdump_count(path, "ether proto 0x%x" % ETHERTYPE)
        self.log("tcpdump -r %s: %d frames (udp out %d, 0x%x in %d); port counted RX +%d TX +%d"
                 % (os.path.basename(path), n_all, n_out, ETHERTYPE, n_in, drx, dtx))
        need(n_out == 3 * BURST and n_in == 40, "captured %d out (sent %d), %d in (sent 40)"
             % (n_out, 3 * BURST, n_in))
        need(n_all == drx + dtx == 3 * BURST + 40, "captured %d frames, the port counted %d"
             % (n_all, drx + dtx))

    def case_pdump(self):
        """dpdk-pdump --pdump port=0,queue=*,rx-dev,tx-dev: each file holds its direction"""
        rxf = os.path.join(self.tmp, "rx.pcap")
        txf = os.path.join(self.tmp, "tx.pcap")
        n = 25
        # pdump's own net_pcap ports attach in the primary too, and testpmd
        # starts no forwarding with ports it did not start: forwarding runs
        # first (io: what comes in goes back out)
        before = self.stats()
        tap0 = self.tap_rx()
        self.main.cmd("set fwd io")
        self.main.cmd("start")
        tool = Tool(["dpdk-pdump"] + self.eal("2@0") + [
            "--", "--pdump", "port=0,queue=*,rx-dev=%s,tx-dev=%s" % (rxf, txf)], self.preload)
        self.tools.append(tool)
        try:
            ready = tool.wait_for(r"port 0 device .* queue", 20) and tool.proc.poll() is None
            need(ready, "dpdk-pdump not ready: %s" % tool.text()[-3000:])
            time.sleep(1.0)      # it prints its tuples, then asks the primary
            inject(self.bed.iface, n)
            time.sleep(0.5)
        finally:
            rc = tool.stop()
            out = self.main.cmd("stop", timeout=20)
        self.log("$ " + " ".join(tool.argv) + "\n" + "\n".join(
            ln.rstrip() for ln in tool.text().splitlines() if re.search(r"MAC|port 0|packets", ln)))
        sanitizer_check("dpdk-pdump", tool.text(), rc, (0, -signal.SIGINT))
        after = self.stats()
        drx = after["RX-packets"] - before["RX-packets"]
        dtx = after["TX-packets"] - before["TX-packets"]
        n_rx, n_tx = tcpdump_count(rxf), tcpdump_count(txf)
        ours = "ether proto 0x%x" % ETHERTYPE
        n_rx_in, n_tx_in = tcpdump_count(rxf, ours), tcpdump_count(txf, ours)
        self.log("tcpdump -r rx.pcap: %d frames (0x%x: %d); tcpdump -r tx.pcap: %d frames "
                 "(0x%x: %d); port counted RX +%d TX +%d; the tap got %d back"
                 % (n_rx, ETHERTYPE, n_rx_in, n_tx, ETHERTYPE, n_tx_in, drx, dtx,
                    self.tap_rx() - tap0))
        need(n_rx == n_rx_in == drx == n, "rx.pcap %d frames (%d of ours), port RX +%d, sent %d"
             % (n_rx, n_rx_in, drx, n))
        need(n_tx == n_tx_in == dtx == n, "tx.pcap %d frames (%d of ours), port TX +%d, "
             "forwarded back %d" % (n_tx, n_tx_in, dtx, n))
        need(self.tap_rx() - tap0 == n, "the tap got %d frames back, %d forwarded"
             % (self.tap_rx() - tap0, n))
        need(self.main.alive(), "the primary died")

    def case_unplug(self):
        """the primary's sub-device removed under a secondary's traffic: the grace period waits for it"""
        self.sec = ts.TestpmdSession("secondary", self.eal(), ["--total-num-mbufs=16384"],
                                     testpmd=self.bed.testpmd)
        self.sec.start(timeout=30)
        self.sec.cmd("set fwd txonly")
        self.sec.cmd("start")
        try:
            time.sleep(0.3)
            out = self.main.cmd("device detach net_tap0", timeout=20)
            self.log("primary `device detach net_tap0`: " + out.strip().replace("\n", " | "))
            self.standby_carries("")
        finally:
            out = self.sec.cmd("stop", timeout=20) if self.sec.alive() else ""
        need(self.sec.alive(), "the secondary died: %s" % self.sec.tail(20))
        need(self.main.alive(), "the primary died")
        text = "".join(self.sec.transcript)
        # a burst on a port ethdev released in this process would log it
        sanitizer_free("secondary testpmd", text)
        sanitizer_free("primary testpmd", "".join(self.main.transcript))
        need("not ready port" not in text, "the secondary called a released port: %s"
             % "\n".join(ln for ln in text.splitlines() if "not ready" in ln)[:500])
        self.log("secondary after the unplug: " + " | ".join(
            ln.strip() for ln in text.splitlines()
            if re.search(r"net_tap0|detach|removed|Port 1", ln))[:600])
        self.sec.close()
        self.sec = None

    def close(self):
        for t in self.tools:
            try:
                t.stop(5)
            except Exception:
                pass
        if self.sec is not None:
            self.sec.close()
        self.uninstall()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Bed:
    """run_cases() closes this: the test-bed, the tools, then hugepages."""

    def __init__(self, chk):
        self.chk = chk

    @property
    def main(self):
        return self.chk.main

    def close(self):
        try:
            self.chk.close()
        finally:
            try:
                self.chk.bed.close()
            finally:
                self.chk.huge.restore()


def main(argv):
    plugin = argv[1] if len(argv) > 1 else ts.DEFAULT_PLUGIN
    why = ts.skip_reason(plugin, None)
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if why is None and missing:
        why = "not found: %s" % " ".join(missing)
    if why is None and not os.access(HUGE_SYSFS, os.W_OK):
        why = "cannot reserve hugepages (%s)" % HUGE_SYSFS
    if why:
        print("skipped: %s" % why)
        return 77
    iface = "fosec" + ts.unique_tag()
    huge = Hugepages()
    bed = HugeBed(plugin, iface, huge, backend_fwd="rxonly")
    chk = Checks(bed, huge, plugin)
    cases = [Checks.case_setup, Checks.case_proc_info, Checks.case_testpmd,
             Checks.case_switch, Checks.case_dumpcap, Checks.case_pdump,
             Checks.case_unplug]
    if os.environ.get("FO_SEC_HOLD"):
        # debugging: the bed stays up until the file FO_SEC_HOLD is removed
        def hold(chk):
            """held"""
            open(os.environ["FO_SEC_HOLD"], "w").write(
                "%s %s\n" % (bed.prefix_main, bed.plugin_copy))
            while os.path.exists(os.environ["FO_SEC_HOLD"]):
                time.sleep(0.5)
        cases = [Checks.case_setup, hold]
    return ts.run_cases(cases, chk, Bed(chk), TIME_LIMIT)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
