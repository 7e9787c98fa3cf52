#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The far end and the kernel-guest program count exactly, over veths.

    traffic_netns.py PEER

PEER is failover-rehearsal-peer. Two network namespaces play the rig of
the QEMU flow: the "host" has a bridge with two taps (veths tvf, tvirtio)
and the far end's veth; the "guest" has the other ends (gvf, gvirtio)
enslaved to a bridge gbr that plays the kernel's net_failover master (its
MAC is the guest MAC; isolated ports, so the two bridges make no loop; the
guest's TX path is a static fdb entry, moved to gvirtio for a fail-over).
This kernel has no sch_netem, so impairments are nft netdev rules keyed on
the tag (drop, dup; counted) and an htb class that delays some frames
(reordering), plus a real link down. Steps:

  1 steady       nothing lost, duplicated or reordered, all on vf
  2 loss         B: step 2 and seq % 64 == 5 dropped; A: seq % 64 == 5 in
                 a range dropped: exact lost per step (a hole in the step
                 of its successor)
  3 duplicates   B: step 3 and seq % 64 == 9 twice; A: copies by virtio
  4 reordering   seq % 128 in 10..13 delayed: reordered, nothing lost
  5 link down    tvf down, guest TX to gvirtio, back: traffic on virtio
  6 steady       all on vf again
  7 re-plug      guest TX to gvirtio, the tvf/gvf pair deleted (the far end's
                 tap vanishes) and made again (new ifindexes: the far end
                 reopens its tap, the guest program classifies the new slave)

then the totals (received + lost = sent for each direction), the bins and
the nft counters. Also: the static program runs in an empty chroot.
Exit 0 when every case passed, 1 when one failed, 77 when it cannot run.
"""

import os
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import traffic_lib as tl  # noqa: E402
from traffic_lib import GUEST_MAC, HOST_MAC, STEADY, need  # noqa: E402

TIME_LIMIT = 60
WINDOW = 1500          # A seqs in a range an impairment applies to
MARGIN = 1000          # A seqs between a step's start and that range


class Bed(tl.Bed):
    guest_attr = "kg"

    def __init__(self, peer):
        super().__init__()
        self.peer = peer
        self.h = "fo_th_" + self.tag
        self.g = "fo_tg_" + self.tag
        self.ranges = {}            # A seq ranges of the impairments
        self.kg_rep = None

    def topology(self):
        h, g = self.ns.add(self.h), self.ns.add(self.g)
        self.ip(h, "link", "add", "hbr", "type", "bridge")
        self.ip(h, "link", "add", "vfe0", "type", "veth", "peer", "name", "vfe1")
        self.ip(h, "link", "add", "tvf", "type", "veth", "peer", "name", "gvf", "netns", g)
        self.ip(h, "link", "add", "tvirtio", "type", "veth", "peer", "name", "gvirtio",
                "netns", g)
        for i in ("vfe1", "tvf", "tvirtio"):
            self.ip(h, "link", "set", i, "master", "hbr")
        for i in ("hbr", "vfe0", "vfe1", "tvf", "tvirtio"):
            self.ip(h, "link", "set", i, "up")
        self.ip(g, "link", "add", "gbr", "type", "bridge")
        # no IGMP reports from the guest's stack: flooded out of both ports,
        # they would teach the host's bridge the guest MAC on the wrong one
        self.ip(g, "link", "set", "gbr", "address", GUEST_MAC, "multicast", "off")
        for i in ("gvf", "gvirtio"):
            self.ip(g, "link", "set", i, "master", "gbr")
            tl.run(["bridge", "-n", g, "link", "set", "dev", i, "isolated", "on",
                    "learning", "off"])
            self.ip(g, "link", "set", i, "up")
        self.ip(g, "link", "set", "gbr", "up")
        self.guest_tx("gvf", "add")
        for ns, dev in ((h, "tvf"), (g, "gvf")):
            tl.run(["tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "handle", "1:",
                    "htb", "default", "10"])
            tl.run(["tc", "-n", ns, "class", "add", "dev", dev, "parent", "1:", "classid",
                    "1:10", "htb", "rate", "1gbit", "quantum", "1514"])
            # about one 60-byte frame per 2 ms, no burst: later ones wait
            tl.run(["tc", "-n", ns, "class", "add", "dev", dev, "parent", "1:", "classid",
                    "1:20", "htb", "rate", "240kbit", "burst", "1b", "cburst", "1b",
                    "quantum", "1514"])
        tl.nft(h, 'table netdev fo {\n'
               ' chain tvf_out { type filter hook egress device "tvf" priority 0; }\n'
               ' chain vfe1_in { type filter hook ingress device "vfe1" priority 0; }\n}\n')
        # Only rehearsal frames leave the guest: its stack's own (IGMP
        # reports from gbr, sent through both ports despite "multicast off")
        # would teach the host's bridge the guest MAC on tvirtio until the
        # next A frame on tvf, and B frames sent meanwhile would arrive there.
        tl.nft(g, 'table netdev fo {\n'
               ' chain gvf_out { type filter hook egress device "gvf" priority 0;\n'
               '  ether type != 0x88b5 drop; }\n'
               ' chain gvirtio_out { type filter hook egress device "gvirtio" priority 0;\n'
               '  ether type != 0x88b5 drop; }\n}\n')

    def vf_pair(self):
        h, g = self.h, self.g
        self.ip(h, "link", "add", "tvf", "type", "veth", "peer", "name", "gvf", "netns", g)
        self.ip(h, "link", "set", "tvf", "master", "hbr")
        self.ip(h, "link", "set", "tvf", "up")
        self.ip(g, "link", "set", "gvf", "master", "gbr")
        tl.run(["bridge", "-n", g, "link", "set", "dev", "gvf", "isolated", "on",
                "learning", "off"])
        self.ip(g, "link", "set", "gvf", "up")

    @staticmethod
    def wait_line(prog, text, count, timeout=5.0):
        end = time.time() + timeout
        while sum(text in ln for ln in prog.lines) < count:
            need(time.time() < end, "%s: no %d lines with %s" % (prog.name, count, text))
            time.sleep(0.01)

    @staticmethod
    def wait_drained(devs, timeout=5.0):
        """Until the delay class 1:20 of each (netns, dev) holds no frame."""
        end = time.time() + timeout
        for ns, dev in devs:
            while True:
                out = tl.run(["tc", "-n", ns, "-s", "class", "show", "dev", dev])
                m = re.search(r"^class htb 1:20 .*?backlog \d+b (\d+)p", out, re.M | re.S)
                need(m is not None, "%s: no backlog in tc's output: %s" % (dev, out))
                if m.group(1) == "0":
                    break
                need(time.time() < end, "%s: the delay class still holds %s frames"
                     % (dev, m.group(1)))
                time.sleep(0.01)

    def guest_tx(self, dev, op="replace"):
        """The guest's 'active slave': where frames to the far end go."""
        tl.run(["bridge", "-n", self.g, "fdb", op, HOST_MAC, "dev", dev, "master",
                "static"])

    def start(self):
        # Both programs on one CPU: a veth delivers to the sending CPU's
        # backlog, so a sender moving between CPUs can reorder its own frames
        # (seen here under load: 2 in 3,000), which no step asks for.
        cpu = ["taskset", "-c", str(min(os.sched_getaffinity(0)))]
        self.far = tl.Prog("far", cpu + ["ip", "netns", "exec", self.h, self.peer,
                                         "--far-end", "--iface", "vfe0",
                                         "--sniff", "tvf=vf", "--sniff", "tvirtio=virtio",
                                         "--mac", HOST_MAC, "--guest-mac", GUEST_MAC],
                           self.log)
        self.far.expect("ready")
        self.kg = tl.Prog("kguest", cpu + ["ip", "netns", "exec", self.g, self.peer,
                                           "--kernel-guest", "--master", "gbr",
                                           "--slave", "gvirtio=virtio", "--peer-mac", HOST_MAC],
                          self.log)
        self.kg.expect("ready")

    # -- the steps
    def a_range(self, name, a0, rule_fmt):
        """Apply an A rule to seqs [a0 + MARGIN, a0 + MARGIN + WINDOW)."""
        lo, hi = a0 + MARGIN, a0 + MARGIN + WINDOW - 1
        self.ranges[name] = (lo, hi)
        tl.nft(self.g, "add rule netdev fo gvf_out @ll,96,16 0x88b5 %s 0x41 %s %d-%d %s "
               "comment \"%s\"\n" % (tl.NFT_DIR, tl.NFT_SEQ, lo, hi, rule_fmt, name))
        sent = self.kg.command("status", "status")["a_next_seq"]
        need(sent < lo, "the guest sent A seq %d before the %s rule (from %d) was in place"
             % (sent, name, lo))
        return hi

    def b_rule(self, chain, step, rule):
        tl.nft(self.h, "add rule netdev fo %s @ll,96,16 0x88b5 %s 0x42 %s %d %s\n"
               % (chain, tl.NFT_DIR, tl.NFT_STEP, step, rule))

    def scenario(self):
        self.advance(1000, 1000)                          # step 0: warm-up
        a, b = self.step(1)
        self.advance(a + STEADY, b + STEADY)
        self.b_rule("tvf_out", 2, '%s & 0x3f == 5 counter drop comment "b_drop"'
                    % tl.NFT_SEQ_LOW)
        a, b = self.step(2)
        hi = self.a_range("a_drop", a, "%s & 0x3f == 5 counter drop" % tl.NFT_SEQ_LOW)
        self.advance(hi + 500, b + STEADY)
        # A's copies leave by gvirtio: the host's bridge must not learn the
        # guest MAC from them (B frames would follow them to tvirtio)
        tl.run(["bridge", "-n", self.h, "link", "set", "dev", "tvirtio", "learning", "off"])
        self.b_rule("vfe1_in", 3, '%s & 0x3f == 9 counter dup to "tvf" comment "b_dup"'
                    % tl.NFT_SEQ_LOW)
        a, b = self.step(3)
        hi = self.a_range("a_dup", a, '%s & 0x3f == 9 counter dup to "gvirtio"'
                          % tl.NFT_SEQ_LOW)
        self.advance(hi + 500, b + STEADY)
        tl.run(["bridge", "-n", self.h, "link", "set", "dev", "tvirtio", "learning", "on"])
        self.b_rule("tvf_out", 4, '%s & 0x7f 10-13 counter meta priority set 1:20 '
                    'comment "b_slow"' % tl.NFT_SEQ_LOW)
        a, b = self.step(4)
        hi = self.a_range("a_slow", a, "%s & 0x7f 10-13 counter meta priority set 1:20"
                          % tl.NFT_SEQ_LOW)
        self.advance(hi + 500, b + STEADY)
        a, b = self.step(5)
        # no frame is delayed any more (step 5, past A's range): the ones
        # still queued when tvf goes down would be lost
        self.wait_drained(((self.h, "tvf"), (self.g, "gvf")))
        tl.run(["ip", "-n", self.h, "link", "set", "tvf", "down"])
        self.guest_tx("gvirtio")
        time.sleep(0.4)
        a2 = self.far.command("status", "status")["a_next_seq"]
        tl.run(["ip", "-n", self.h, "link", "set", "tvf", "up"])
        self.guest_tx("gvf")
        self.advance(a2 + 1000, b + STEADY)
        a, b = self.step(6)
        self.advance(a + STEADY, b + STEADY)
        a, b = self.step(7)
        self.guest_tx("gvirtio")
        self.ip(self.h, "link", "del", "tvf")
        self.advance(a + 1500, b + 1500)
        self.vf_pair()
        self.wait_line(self.far, '"sniff-open","if":"tvf"', 2)   # before frames flow
        self.guest_tx("gvf")
        a, b = self.step(7)
        self.advance(a + 1500, b + 1500)
        self.a_total = self.kg.command("stop", "stopped")["next_seq"]
        self.b_total = self.far.command("stop", "stopped")["next_seq"]
        time.sleep(0.5)                 # the delayed ones land
        self.far_rep = self.far.report("sent=%d" % self.a_total)
        self.kg_rep = self.kg.report("sent=%d" % self.b_total)
        self.counters = tl.nft_counters(self.h, "fo")
        self.counters.update(tl.nft_counters(self.g, "fo"))


def b_expected_lost(rep, dropped):
    """Lost B frames per step: each in the step of its first received successor."""
    out = {}
    for d in dropped:
        s = d + 1
        while s in dropped:
            s += 1
        step = rep.step_of_seq(s)
        out[step] = out.get(step, 0) + 1
    return out


def b_seqs(rep, step, pred):
    d = rep.sent[step]
    return {s for s in range(d["first_seq"], d["first_seq"] + d["frames"]) if pred(s)}


def a_seqs(rng, pred):
    return {s for s in range(rng[0], rng[1] + 1) if pred(s)}


class Checks(tl.StepChecks):
    guest_rep = "kg_rep"

    def case_static(self):
        """the static program runs in an empty chroot"""
        root = tempfile.mkdtemp(prefix="fo_chroot_")
        try:
            shutil.copy(self.bed.peer, os.path.join(root, "peer"))
            out = tl.run(["chroot", root, "/peer", "--help"])
            need("--far-end" in out and "--kernel-guest" in out, "no usage:\n" + out)
            self.log("chroot %s: /peer --help ok (%d bytes of usage)" % (root, len(out)))
        finally:
            shutil.rmtree(root)

    def case_scenario(self):
        """far end and kernel guest run the six steps"""
        self.bed.topology()
        self.bed.start()
        self.bed.scenario()
        self.log("A sent %d, B sent %d; nft %s" % (self.bed.a_total, self.bed.b_total,
                                                   self.bed.counters))

    def case_steady(self):
        """steady steps: nothing lost, duplicated or reordered, all on vf"""
        for step in (1, 6):
            for d in ("A", "B"):
                s = self.show(d, step)
                need(s["rx"] >= 2000, "%s step %d: only %d frames" % (d, step, s["rx"]))
                need(s["lost"] == 0 and s["dup"] == 0 and s["reord"] == 0,
                     "%s step %d not clean" % (d, step))
                need(s["vf"] == s["rx"] and s["virtio"] == 0 and s["other"] == 0,
                     "%s step %d: not all on vf" % (d, step))

    def case_loss(self):
        """loss: exact per step, holes in the step of their successor"""
        b = self.bed
        drop_b = b_seqs(b.far_rep, 2, lambda s: s % 64 == 5)
        exp_b = b_expected_lost(b.far_rep, drop_b)
        drop_a = a_seqs(b.ranges["a_drop"], lambda s: s % 64 == 5)
        sa, sb = self.show("A", 2), self.show("B", 2)
        self.log("expected: A %d lost in step 2; B %s (step: lost)" % (len(drop_a), exp_b))
        need(b.counters["b_drop"] == len(drop_b), "nft dropped %d B frames, expected %d"
             % (b.counters["b_drop"], len(drop_b)))
        need(b.counters["a_drop"] == len(drop_a), "nft dropped %d A frames, expected %d"
             % (b.counters["a_drop"], len(drop_a)))
        need(sa["lost"] == len(drop_a), "A step 2 lost %d != %d" % (sa["lost"], len(drop_a)))
        for step in (1, 2, 3, 4, 6):
            got = b.kg_rep.step("B", step)["lost"]
            need(got == exp_b.get(step, 0), "B step %d lost %d != %d"
                 % (step, got, exp_b.get(step, 0)))
        need(sa["dup"] + sa["reord"] + sb["dup"] + sb["reord"] == 0, "step 2: dup/reord")
        need(sa["gap_us"] >= 300 and sb["gap_us"] >= 300, "a lost frame makes a gap")

    def case_dup(self):
        """duplicates: exact, A copies delivered by virtio"""
        b = self.bed
        dup_b = b_seqs(b.far_rep, 3, lambda s: s % 64 == 9)
        dup_a = a_seqs(b.ranges["a_dup"], lambda s: s % 64 == 9)
        sa, sb = self.show("A", 3), self.show("B", 3)
        need(b.counters["b_dup"] == len(dup_b) and b.counters["a_dup"] == len(dup_a),
             "nft counters %s, expected b_dup %d a_dup %d" % (b.counters, len(dup_b),
                                                             len(dup_a)))
        need(sb["dup"] == len(dup_b), "B step 3 dup %d != %d" % (sb["dup"], len(dup_b)))
        need(sa["dup"] == len(dup_a), "A step 3 dup %d != %d" % (sa["dup"], len(dup_a)))
        need(sa["virtio"] == len(dup_a), "A step 3: %d on virtio, %d copies"
             % (sa["virtio"], len(dup_a)))
        need(sa["vf"] + sa["virtio"] == sa["rx"] + sa["dup"], "A path counts")
        # a hole here is a step-2 drop of B's last frame there (its successor is here)
        hole_b = b_expected_lost(b.far_rep, b_seqs(b.far_rep, 2, lambda s: s % 64 == 5))
        need(sa["lost"] + sa["reord"] + sb["reord"] == 0 and sb["lost"] == hole_b.get(3, 0),
             "step 3: lost A %d B %d (B's step-2 holes here: %d), reordered A %d B %d"
             % (sa["lost"], sb["lost"], hole_b.get(3, 0), sa["reord"], sb["reord"]))

    def case_reorder(self):
        """reordering: delayed frames counted late, nothing lost"""
        b = self.bed
        slow_b = b_seqs(b.far_rep, 4, lambda s: 10 <= s % 128 <= 13)
        slow_a = a_seqs(b.ranges["a_slow"], lambda s: 10 <= s % 128 <= 13)
        sa, sb = self.show("A", 4), self.show("B", 4)
        self.log("delayed: A %d, B %d (nft %d, %d); runs of 4, the first of a run passes"
                 % (len(slow_a), len(slow_b), b.counters["a_slow"], b.counters["b_slow"]))
        need(b.counters["b_slow"] == len(slow_b) and b.counters["a_slow"] == len(slow_a),
             "nft slow counters")
        for d, s, n in (("A", sa, len(slow_a)), ("B", sb, len(slow_b))):
            need(0 < s["reord"] <= n, "%s step 4: %d reordered of %d delayed"
                 % (d, s["reord"], n))
            need(s["lost"] == 0 and s["dup"] == 0, "%s step 4: lost or dup" % d)

    def case_link(self):
        """link down: traffic moves to virtio both ways and back"""
        sa, sb = self.show("A", 5), self.show("B", 5)
        need(sa["virtio"] > 500 and sb["virtio"] > 500, "step 5: little on virtio")
        need(sa["vf"] > 0 and sb["vf"] > 0, "step 5: nothing on vf")
        need(sa["dup"] == 0 and sb["dup"] == 0, "step 5: duplicates")

    def case_replug(self):
        """re-plug: the tap reopened, the new slave classified, traffic on both"""
        b = self.bed
        sniff = [d for k, d in b.far_rep.other if k == "sniff" and d["if"] == "tvf"]
        need(sniff and sniff[0]["opens"] == 2, "far end tap tvf: %s" % sniff)
        lost = [ln for ln in b.far.lines if '"sniff-lost","if":"tvf"' in ln]
        need(len(lost) == 1, "no sniff-lost event for tvf")
        idx = set()
        for ln in b.kg.lines:
            p = tl.parse_line(ln)
            if p and p[0] == "event" and p[1].get("if") == "gvf" and \
                    p[1].get("kind") == "slave" and p[1].get("path") == "vf":
                idx.add(p[1]["ifindex"])
        self.log("far end tvf %s; guest classified gvf as ifindexes %s" % (sniff[0], idx))
        need(len(idx) == 2, "the new gvf was not classified as a vf slave")
        for d in ("A", "B"):
            s = self.show(d, 7)
            need(s["vf"] > 500 and s["virtio"] > 500 and s["dup"] == 0,
                 "%s step 7: paths or dups" % d)
            need(s["lost"] < 20, "%s step 7: %d lost" % (d, s["lost"]))

    def case_totals(self):
        """totals: received + lost = sent each way; bins = path counts"""
        b = self.bed
        for d, rep, total in (("A", b.far_rep, b.a_total), ("B", b.kg_rep, b.b_total)):
            st = rep.stream[d]
            self.log("%s stream: %s" % (d, st))
            # the guest starts after the far end: B is counted from its first frame
            need(d == "B" or st["first_seq"] == 0, "A: first frame received %d"
                 % st["first_seq"])
            need(st["sent"] == total and st["next_seq"] == total and st["tail"] == 0,
                 "%s: sent %d, next_seq %d, tail %d" % (d, total, st["next_seq"], st["tail"]))
            need(st["rx"] + st["lost"] == total - st["first_seq"],
                 "%s: rx %d + lost %d != sent %d - first %d"
                 % (d, st["rx"], st["lost"], total, st["first_seq"]))
            need(st["rx"] == rep.total(d, "rx") and st["late"] == 0 and st["foreign"] == 0,
                 "%s: stream line" % d)
            for path in ("vf", "virtio", "other"):
                nb = sum(rep.bins.get((d, path), {}).values())
                need(nb == rep.total(d, path), "%s %s: bins %d != counts %d"
                     % (d, path, nb, rep.total(d, path)))
        need(b.far_rep.tx["frames"] == b.b_total, "far end tx line")


def main(argv):
    if len(argv) < 2:
        print("usage: %s PEER" % argv[0])
        return 77
    peer = os.path.abspath(argv[1])
    cases = [Checks.case_static, Checks.case_scenario, Checks.case_steady, Checks.case_loss,
             Checks.case_dup, Checks.case_reorder, Checks.case_link, Checks.case_replug,
             Checks.case_totals]
    skip = None
    if os.geteuid() != 0:
        skip = "needs root (network namespaces)"
    elif not os.path.isfile(peer):
        skip = "%s not built" % peer
    elif shutil.which("nft") is None or shutil.which("tc") is None:
        skip = "needs nft (nftables) and tc"
    if skip:
        return tl.skip(skip, len(cases))

    bed = Bed(peer)
    return tl.run_suite(cases, Checks(bed), bed, ("far", "kg"), Checks.case_scenario, TIME_LIMIT)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
