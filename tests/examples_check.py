#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""example_fwd / example_create suites: run the examples of examples/ over
virtual devices (net_ring sub-ports looped back on themselves, a net_null
peer) and assert on what they print.
Usage: examples_check.py fwd|create <executable>"""
import atexit
import os
import re
import shutil
import subprocess
import sys

RUNTIME = "/var/run/dpdk"
prefixes = []


@atexit.register
def remove_runtime_dirs():
    """EAL leaves its runtime folder behind: each run's goes when we end."""
    for p in prefixes:
        shutil.rmtree(os.path.join(RUNTIME, p), ignore_errors=True)


def eal(tag):
    prefix = "ex_%s_%d" % (tag, os.getpid())
    prefixes.append(prefix)
    return ["--no-huge", "-m", "512", "--no-pci", "--file-prefix=" + prefix]


def run(cmd, timeout=60):
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, universal_newlines=True)
    print(p.stdout, flush=True)
    if p.returncode != 0:
        sys.exit("FAIL: exit status %d" % p.returncode)
    return p.stdout


def changes(out):
    """[(from, to, packets received then)] of the path change lines."""
    return [(m.group(1), m.group(2), int(m.group(3))) for m in re.finditer(
        r"^\d\d:\d\d:\d\d\.\d{3} \(\+[\d.]+ s\) port \d+: active path: (\w+) -> (\w+) "
        r"\(link \w+, (\d+) packets received\)$", out, re.M)]


def final_rx(out, port):
    m = re.search(r"^port %d: rx (\d+) tx (\d+) dropped (\d+)$" % port, out, re.M)
    if m is None:
        sys.exit("FAIL: no counts for port %d" % port)
    return int(m.group(1)), int(m.group(2))


def expect_changes(out, want):
    got = [(a, b) for a, b, _ in changes(out)]
    if got != want:
        sys.exit("FAIL: path changes %s, want %s" % (got, want))


def check_fwd(exe):
    # one port, its own rx -> tx: the primary's link down at 1 s, up at 2 s
    out = run([exe] + eal("fwd1") + [
        "--vdev", "net_failover0,primary=(net_ring_p0),standby=(net_ring_s0),link_poll_ms=10",
        "--", "--seed", "64", "--duration", "3", "--primary-down-at", "1",
        "--primary-up-at", "2", "--check", "16"])
    expect_changes(out, [("none", "primary"), ("primary", "standby"),
                         ("standby", "primary")])
    seen = changes(out)
    rx, tx = final_rx(out, 0)
    if not rx > seen[2][2] > seen[1][2] > 0:
        sys.exit("FAIL: traffic did not go on across the switches")
    if rx != tx:
        sys.exit("FAIL: rx %d != tx %d on a looped port" % (rx, tx))
    print("ok: one port, link down and up: 3 path changes, %d packets forwarded" % rx)

    # two ports, failover <-> net_null: the primary announced to leave at 1 s
    out = run([exe] + eal("fwd2") + [
        "--vdev", "net_failover0,primary=(net_ring_p0),standby=(net_ring_s0)",
        "--vdev", "net_null0", "--", "--duration", "2", "--leave-at", "1"])
    expect_changes(out, [("none", "primary"), ("primary", "standby")])
    if "trigger: primary leaves: Success" not in out:
        sys.exit("FAIL: the primary did not leave")
    if "forwarding between the two ports" not in out:
        sys.exit("FAIL: not in two-port mode")
    rx, _ = final_rx(out, 0)
    if not rx > changes(out)[1][2]:
        sys.exit("FAIL: nothing forwarded from the failover port after the leave")
    print("ok: two ports, primary leaves: failover port received %d" % rx)

    # net_ring sub-ports have no Rx interrupts: the loop sleeps between polls
    if "port 0: Rx interrupts off" not in out:
        sys.exit("FAIL: Rx interrupts on over net_ring sub-ports")

    # net_tap sub-ports have them: idle, the loop waits in rte_epoll_wait()
    if os.geteuid() != 0 or not os.path.exists("/dev/net/tun"):
        print("skip: interrupt mode over net_tap (needs root and /dev/net/tun)")
        return
    out = run([exe] + eal("fwd3") + [
        "--vdev", "net_failover0,primary=(net_tap_ex0,iface=foex0),"
        "standby=(net_tap_ex1,iface=foex1)", "--", "--duration", "1"])
    if "port 0: Rx interrupts on" not in out:
        sys.exit("FAIL: Rx interrupts not on over net_tap sub-ports")
    m = re.search(r"^idle: (\d+) interrupt waits, (\d+) ended by an Rx event$", out, re.M)
    # 10 ms waits over about 1 s idle
    if m is None or int(m.group(1)) < 20:
        sys.exit("FAIL: the idle loop did not wait for Rx interrupts")
    print("ok: net_tap sub-ports, idle: %s interrupt waits" % m.group(1))


def check_create(exe):
    out = run([exe] + eal("create"))
    for step in ("rte_dev_probe", "rte_eth_dev_get_port_by_name", "rte_eth_dev_start",
                 "link up", "send", "receive", "rte_eth_dev_stop", "rte_dev_remove",
                 "port gone", "sub-ports gone", "rte_eal_cleanup"):
        if not re.search(r"^%s +ok$" % re.escape(step), out, re.M):
            sys.exit("FAIL: step %s not ok" % step)
    if "sent 8 of 8 frames" not in out or "received 8 frames back" not in out:
        sys.exit("FAIL: frames not sent and received back")
    if "active path: primary" not in out:
        sys.exit("FAIL: not on the primary")
    # a bad devargs string: the probe fails and says so, exit status 1
    p = subprocess.run([exe] + eal("create_bad") + ["--", "net_failover2,primary"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60,
                       universal_newlines=True)
    print(p.stdout)
    if p.returncode == 0 or "rte_dev_probe failed" not in p.stdout:
        sys.exit("FAIL: a bad devargs string was not reported")
    print("ok: created, used, removed; a bad devargs string reported")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("fwd", "create"):
        sys.exit(__doc__)
    {"fwd": check_fwd, "create": check_create}[sys.argv[1]](sys.argv[2])
