#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The far end and dpdk-failover-rehearsal --rig guest, on virtual devices.

    traffic_dpdk.py REHEARSAL PEER

In one network namespace: the guest is dpdk-failover-rehearsal --rig guest
over a failover port whose primary (the "VF") is net_tap0 (kernel side dvf)
and whose standby is net_tap1 (dsb), both given on the EAL command line as
in the QEMU rig (bare names, rx_port_rewrite=0); the host is a bridge with
dvf, dsb and the far end's veth, the far end sniffing dvf (vf) and dsb
(virtio). Steps: 1 steady, 2 the VF's link down (ip link set dvf down),
3 up again, 4 steady. Checks the paths per step, that nothing is lost or
duplicated where the failover has notice, the totals, the bins, and that
every mbuf came back. Exit 0 / 1 / 77 (cannot run here).
"""

import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import traffic_lib as tl  # noqa: E402
from traffic_lib import GUEST_MAC, HOST_MAC, STEADY, need  # noqa: E402

TIME_LIMIT = 90


class Bed(tl.Bed):
    def __init__(self, rehearsal, peer):
        super().__init__()
        self.rehearsal, self.peer = rehearsal, peer
        self.h = "fo_td_" + self.tag
        self.prefix = "fo_traffic_%s" % self.tag
        self.exit = None

    def ip(self, *args):
        super().ip(self.h, *args)

    def topology(self):
        self.ns.add(self.h)
        self.ip("link", "add", "hbr", "type", "bridge")
        self.ip("link", "add", "vfe0", "type", "veth", "peer", "name", "vfe1")
        self.ip("link", "set", "vfe1", "master", "hbr")
        for i in ("hbr", "vfe0", "vfe1"):
            self.ip("link", "set", i, "up")

    def start(self):
        self.far = tl.Prog("far", ["ip", "netns", "exec", self.h, self.peer, "--far-end",
                                   "--iface", "vfe0", "--sniff", "dvf=vf",
                                   "--sniff", "dsb=virtio", "--mac", HOST_MAC,
                                   "--guest-mac", GUEST_MAC], self.log)
        self.far.expect("ready")
        self.guest = tl.Prog("guest", [
            "ip", "netns", "exec", self.h, self.rehearsal, "-l", "0-1", "--no-huge",
            "-m", "1024", "--no-pci", "--file-prefix=" + self.prefix, "--log-level", "5",
            "--vdev", "net_tap0,iface=dvf", "--vdev", "net_tap1,iface=dsb",
            "--vdev", "net_failover0,primary=net_tap0,standby=net_tap1,rx_port_rewrite=0,"
            "mac=" + GUEST_MAC, "--", "--rig", "guest", "--peer-mac", HOST_MAC], self.log)
        ready = self.guest.expect("ready", 60)
        need(ready["primary"] >= 0 and ready["standby"] >= 0, "sub-ports: %s" % ready)
        # the taps' kernel sides carry the guest MAC (net_tap follows the port's):
        # give them their own, as QEMU's taps have, or the host bridge keeps
        # the guest's frames for itself
        for n, i in enumerate(("dvf", "dsb")):
            self.ip("link", "set", i, "address", "02:fa:11:00:01:%02x" % n)
            self.ip("link", "set", i, "master", "hbr")
            self.ip("link", "set", i, "up")

    def scenario(self):
        self.advance(1000, 1000)
        a, b = self.step(1)
        self.advance(a + STEADY, b + STEADY)
        a, b = self.step(2)
        self.ip("link", "set", "dvf", "down")
        self.advance(a + STEADY, b + STEADY)
        a, b = self.step(3)
        self.ip("link", "set", "dvf", "up")
        self.advance(a + STEADY, b + STEADY)
        a, b = self.step(4)
        self.advance(a + STEADY, b + STEADY)
        self.a_total = self.guest.command("stop", "stopped")["next_seq"]
        self.b_total = self.far.command("stop", "stopped")["next_seq"]
        self.far.wait_status("a_next_seq", self.a_total, 5)
        self.guest.wait_status("b_next_seq", self.b_total, 5)
        self.far_rep = self.far.report("sent=%d" % self.a_total)
        self.g_rep = self.guest.report("sent=%d" % self.b_total)
        self.guest.send("quit")
        self.exit = self.guest.expect("exit", 30)
        self.guest_rc = self.guest.quit()

    def close(self):
        super().close()
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)


class Checks(tl.StepChecks):
    guest_rep = "g_rep"

    def case_scenario(self):
        """DPDK guest and far end run the four steps"""
        self.bed.topology()
        self.bed.start()
        self.bed.scenario()
        self.log("A sent %d (guest), B sent %d (far end); guest exit %s"
                 % (self.bed.a_total, self.bed.b_total, self.bed.exit))

    def case_steady(self):
        """steady steps on the VF: clean, all on vf"""
        for step in (1, 4):
            for d in ("A", "B"):
                s = self.show(d, step)
                need(s["rx"] >= STEADY - 100, "%s step %d: %d frames" % (d, step, s["rx"]))
                need(s["lost"] + s["dup"] + s["reord"] == 0, "%s step %d not clean"
                     % (d, step))
                need(s["vf"] == s["rx"], "%s step %d: not all on vf" % (d, step))

    def case_link_down(self):
        """VF link down: both ways on virtio, A (the failover's TX) loses nothing"""
        sa, sb = self.show("A", 2), self.show("B", 2)
        need(sa["virtio"] > STEADY // 2 and sb["virtio"] > STEADY // 2, "little on virtio")
        need(sa["lost"] == 0 and sa["dup"] == 0, "A: lost or duplicated")
        need(sb["dup"] == 0 and sb["lost"] < 50, "B: %d lost, %d dup" % (sb["lost"],
                                                                          sb["dup"]))

    def case_link_up(self):
        """VF link up: back on vf, nothing lost or duplicated"""
        sa, sb = self.show("A", 3), self.show("B", 3)
        need(sa["vf"] > STEADY // 2 and sb["vf"] > STEADY // 2, "little on vf")
        need(sa["lost"] + sa["dup"] + sb["dup"] == 0, "lost or duplicated")
        need(sb["lost"] < 50, "B: %d lost" % sb["lost"])

    def case_totals(self):
        """totals: received + lost = sent; bins = path counts"""
        b = self.bed
        for d, rep, total in (("A", b.far_rep, b.a_total), ("B", b.g_rep, b.b_total)):
            st = rep.stream[d]
            self.log("%s stream: %s" % (d, st))
            need(st["next_seq"] == total and st["tail"] == 0, "%s: next_seq %d of %d"
                 % (d, st["next_seq"], total))
            need(st["rx"] + st["lost"] == total - st["first_seq"], "%s: rx + lost != sent" % d)
            for path in ("vf", "virtio", "other"):
                nb = sum(rep.bins.get((d, path), {}).values())
                need(nb == rep.total(d, path), "%s %s: bins %d != counts %d"
                     % (d, path, nb, rep.total(d, path)))
        need(b.g_rep.tx["refused"] >= 0 and b.g_rep.tx["frames"] == b.a_total, "guest tx")

    def case_mbufs(self):
        """every mbuf back in the pool at exit"""
        e = self.bed.exit
        self.log("exit: %s, status %s" % (e, self.bed.guest_rc))
        need(e["ok"] and e["mbufs_free"] == e["mbufs"], "mbufs missing")
        need(self.bed.guest_rc == 0, "exit status %s" % self.bed.guest_rc)


def main(argv):
    if len(argv) < 3:
        print("usage: %s REHEARSAL PEER" % argv[0])
        return 77
    rehearsal, peer = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    cases = [Checks.case_scenario, Checks.case_steady, Checks.case_link_down,
             Checks.case_link_up, Checks.case_totals, Checks.case_mbufs]
    skip = None
    if os.geteuid() != 0:
        skip = "needs root (network namespace, taps)"
    elif not (os.path.isfile(rehearsal) and os.path.isfile(peer)):
        skip = "programs not built"
    elif not os.path.exists("/dev/net/tun"):
        skip = "no /dev/net/tun"
    if skip:
        return tl.skip(skip, len(cases))

    bed = Bed(rehearsal, peer)
    return tl.run_suite(cases, Checks(bed), bed, ("far", "guest"), Checks.case_scenario, TIME_LIMIT)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
