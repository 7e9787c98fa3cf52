#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Smoke test of the QEMU rig, with timings (run as root).

  smoke.py [--only dpdk|kernel] [--logdir DIR] [--echo]

dpdk:   a DPDK guest runs stock dpdk-testpmd over net_failover (the project's
        plugin) on a virtio-net standby and an e1000e primary (the "VF"),
        forwarding in macswap mode what the host sends; then the kernel
        doc's flow by QMP: set_link sb on, device_del vf, migrate, device_add
        vf on the destination; device_del again and device_add at another
        root port; set_link sb off.
kernel: a Linux guest with virtio_net + e1000e + net_failover (QEMU
        failover=on / failover_pair_id=sb): pairing, migration with QEMU's
        own unplug of the primary, then the explicit flow (device_del,
        migrate, device_add on the destination).

The host sends numbered frames (dpdk) or unicast ARP requests (kernel) from
the rig's veth end and counts the answers; per-tap counters tell which path
the guest transmits on. Guest consoles, QEMU and QMP logs go to --logdir.
"""

import argparse
import os
import re
import shutil
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemurig  # noqa: E402

TOP = qemurig.TOP
PLUGIN = os.path.join(TOP, 'build', 'drivers', 'net', 'failover', 'librte_net_failover.so')
GUEST_PLUGIN = '/usr/local/lib/failover/librte_net_failover.so'
MAC = qemurig.DEFAULT_MAC
ETH_TYPE = 0x88b5
GUEST_IP = '198.18.251.2'
HOST_IP = '198.18.251.1'   # only in the ARP requests: the host has no address

timings = []


def note(what, value, unit='s'):
    timings.append((what, value, unit))
    print('  %-58s %8.3f %s' % (what, value, unit), flush=True)


def say(msg):
    print('== ' + msg, flush=True)


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(':'))


class Traffic:
    """Frames from the host's veth end to the guest, answers counted."""

    def __init__(self, ifname, kind, pps=200):
        self.ifname, self.kind, self.pps = ifname, kind, pps
        proto = ETH_TYPE if kind == 'dpdk' else 0x0806
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
        self.sock.bind((ifname, proto))
        self.sock.settimeout(0.2)
        with open('/sys/class/net/%s/address' % ifname) as f:
            self.mac = mac_bytes(f.read().strip())
        self.sent = self.got = 0
        self.last_got_t = None
        self.gaps = []      # (start, length) of answer gaps > 0.1 s
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._tx, daemon=True),
                        threading.Thread(target=self._rx, daemon=True)]

    def frame(self, seq):
        dst = mac_bytes(MAC)
        if self.kind == 'dpdk':
            return dst + self.mac + struct.pack('!HI', ETH_TYPE, seq) + bytes(50)
        arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + self.mac + \
            socket.inet_aton(HOST_IP) + bytes(6) + socket.inet_aton(GUEST_IP)
        return dst + self.mac + struct.pack('!H', 0x0806) + arp + bytes(18)

    def _tx(self):
        seq = 0
        period = 1.0 / self.pps
        nxt = time.monotonic()
        while not self.stop.is_set():
            try:
                self.sock.send(self.frame(seq))
                self.sent += 1
            except OSError:
                pass
            seq += 1
            nxt += period
            time.sleep(max(0.0, nxt - time.monotonic()))

    def _rx(self):
        while not self.stop.is_set():
            try:
                data = self.sock.recv(2048)
            except socket.timeout:
                continue
            except OSError:
                break
            if data[0:6] != self.mac or data[6:12] != mac_bytes(MAC):
                continue
            if self.kind == 'kernel' and data[20:22] != b'\x00\x02':
                continue  # not an ARP reply
            now = time.monotonic()
            if self.last_got_t is not None and now - self.last_got_t > 0.1:
                self.gaps.append((self.last_got_t, now - self.last_got_t))
            self.last_got_t = now
            self.got += 1

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(1)
        self.sock.close()


def path_report(rig, before, vm_index, label):
    """Which tap of QEMU vm_index the guest sent on since before."""
    after = rig.net.counters()
    vn, vf = rig.net.taps[vm_index]
    d = {n: (after.get(n, (0, 0))[0] - before.get(n, (0, 0))[0]) for n in (vn, vf)}
    print('  %s: guest sent %d frames on %s (virtio), %d on %s (e1000e)'
          % (label, d[vn], vn, d[vf], vf), flush=True)
    return after


def grep(console, since, pattern, limit=25):
    rx = re.compile(pattern)
    lines = [ln for ln in console.since(since).split('\n') if rx.search(ln)]
    for ln in lines[:limit]:
        print('    | ' + ln, flush=True)
    if len(lines) > limit:
        print('    | ... (%d more)' % (len(lines) - limit), flush=True)
    return lines


FO_LINES = r'failover|vfio|EAL|Port \d|port \d|fo-uevent|device|Invalid|rror|etach|ttach'


def testpmd_cmdline(sb_addr, vf_addr, bare=False):
    """The guest's testpmd command. By default EAL's PCI scan skips both NICs
    (-b) and net_failover probes them from its devargs; with bare names EAL
    probes them and the failover port adopts them (the form that crashed
    before the start-up fix: see the README, Findings 1)."""
    if bare:
        eal = "--vdev 'net_failover0,primary=%s,standby=%s'" % (vf_addr, sb_addr)
    else:
        eal = ("-b %s -b %s --vdev 'net_failover0,primary=(%s),standby=(%s)'"
               % (vf_addr, sb_addr, vf_addr, sb_addr))
    return ("dpdk-testpmd -l 0-1 -n 1 --file-prefix=fo -d %s %s "
            "--log-level=pmd.net.failover:info --log-level=lib.failover:info "
            "-- -i --hot-plug --forward-mode=macswap --total-num-mbufs=8192 "
            "--nb-cores=1\n" % (GUEST_PLUGIN, eal))


def testpmd_alive(vm):
    try:
        vm.console.wait_for(r'^fo-init: \S+ command exited', 0.1)
        return False
    except qemurig.RigError:
        return vm.alive()


def run_dpdk(args, kernel):
    say('DPDK guest: stock dpdk-testpmd + net_failover plugin')
    testpmd = shutil.which('dpdk-testpmd')
    img = os.path.join(args.logdir, 'dpdk.cpio.gz')
    t0 = time.monotonic()
    qemurig.build_image('dpdk', img, bins=[testpmd], libs=[PLUGIN])
    note('build the dpdk initramfs', time.monotonic() - t0)
    # rp1 holds the virtio-net, rp2 the e1000e: buses 1 and 2 (checked below)
    cmd = testpmd_cmdline('0000:01:00.0', '0000:02:00.0', args.bare_names)
    prompt = 'testpmd> '
    with qemurig.Rig(args.logdir, kernel=kernel) as rig:
        echo = (lambda s: sys.stdout.write(s)) if args.echo else None
        src = rig.qemu('dpdk-src', 'dpdk', img, index=0, sb_link=False, cmd=cmd,
                       echo=echo)
        note('boot to /init running the command', src.wait_booted())
        pci = src.pci_devices()
        print('  guest PCI: sb %s, vf %s' % (pci['sb'], pci['vf']))
        assert pci['sb'] == '0000:01:00.0' and pci['vf'] == '0000:02:00.0', pci
        m, t = src.console.wait_for(re.escape(prompt), 120)
        note('testpmd prompt after QEMU start', t - src.t_start)
        con = src.console
        grep(con, 0, r'failover|EAL: Probe|Port \d|Invalid|rror')
        out = con.command('show port summary all', prompt)
        print('    ' + out.strip().replace('\n', '\n    '))
        con.command('start', prompt)
        traffic = Traffic(rig.net.host_if, 'dpdk').start()
        c = rig.net.counters()
        time.sleep(3)
        c = path_report(rig, c, 0, 'VF present, sb link off')
        print('  host: sent %d, answered %d' % (traffic.sent, traffic.got))

        say('set_link sb on (virsh domif-setlink DOMAIN sb up)')
        mark = con.mark()
        note('set_link sb on: QMP round trip', src.set_link('sb', True))
        time.sleep(2)
        grep(con, mark, FO_LINES)

        say('device_del vf (virsh detach-device --live DOMAIN vf.xml)')
        mark = con.mark()
        got = traffic.got
        try:
            r = src.device_del('vf', timeout=40)
            note('device_del vf -> DEVICE_DELETED', r['deleted_s'])
        except qemurig.RigError as e:
            print('  !! %s' % e)
        time.sleep(2)
        grep(con, mark, FO_LINES)
        c = path_report(rig, c, 0, 'after device_del')
        print('  host: %d answers since device_del' % (traffic.got - got))

        say('migrate to a second QEMU (virsh migrate --live)')
        port = qemurig.free_tcp_port()
        dst = rig.qemu('dpdk-dst', 'dpdk', img, index=1, with_vf=False, incoming=port,
                       cmd=cmd, echo=echo)
        gaps0 = len(traffic.gaps)
        r = src.migrate(dst)
        note('migration: wall time, migrate to completed', r['wall_s'])
        note('migration: total-time (query-migrate)', r['total_ms'], 'ms')
        note('migration: downtime (query-migrate)', r['downtime_ms'], 'ms')
        print('  statuses %s, RAM %.0f MB' % (r['statuses'], r['ram_mb']))
        con = dst.console
        time.sleep(2)
        for g in traffic.gaps[gaps0:]:
            print('  answer gap %.3f s' % g[1])
        c = path_report(rig, rig.net.counters(), 1, '(baseline on the destination)')
        time.sleep(2)
        c = path_report(rig, c, 1, 'destination, no VF')
        out = con.command('show port stats all', prompt, 20)
        print('    ' + out.strip().replace('\n', '\n    '))

        for step, rp in (('device_add vf on the destination, same root port rp2', 'rp2'),
                         ('device_add vf at another root port rp3', 'rp3')):
            if rp == 'rp3':
                say('device_del vf on the destination')
                mark = con.mark()
                try:
                    r = dst.device_del('vf', timeout=40)
                    note('device_del vf (destination) -> DEVICE_DELETED', r['deleted_s'])
                except qemurig.RigError as e:
                    print('  !! %s' % e)
                time.sleep(2)
                grep(con, mark, FO_LINES)
                c = path_report(rig, c, 1, 'after the second device_del')
            say(step + ' (virsh attach-device --live DOMAIN vf.xml)')
            mark = con.mark()
            try:
                r = dst.device_add(port=rp, wait_bind='vfio-pci', timeout=30)
                print('  new VF at guest %s' % r['addr'])
                note('device_add %s -> guest bound vfio-pci' % rp, r['bind_s'])
            except qemurig.RigError as e:
                print('  !! %s' % e)
            time.sleep(4)
            grep(con, mark, FO_LINES)
            c = path_report(rig, c, 1, 'after device_add at %s' % rp)
            if rp == 'rp3':
                say('testpmd: port attach %s (nobody probes the new address)' % r['addr'])
                mark = con.mark()
                try:
                    con.command('port attach %s' % r['addr'], prompt, 30)
                except qemurig.RigError as e:
                    print('  !! %s' % e)
                time.sleep(3)
                grep(con, mark, FO_LINES + r'|Cause|fo-init')
                if not testpmd_alive(dst):
                    print('  !! testpmd exited: the guest powered off; flow ends here')
                    traffic.close()
                    return
                c = path_report(rig, c, 1, 'after port attach')

        say('set_link sb off (virsh domif-setlink DOMAIN sb down)')
        mark = con.mark()
        note('set_link sb off: QMP round trip', dst.set_link('sb', False))
        time.sleep(2)
        grep(con, mark, FO_LINES)
        c = path_report(rig, c, 1, 'after set_link sb off')
        out = con.command('show port stats all', prompt, 20)
        print('    ' + out.strip().replace('\n', '\n    '))
        print('  host: sent %d, answered %d; answer gaps > 0.1 s: %s' % (
            traffic.sent, traffic.got, ', '.join('%.2f' % g[1] for g in traffic.gaps)))
        traffic.close()
        mark = con.mark()
        con.send('quit')
        try:
            dst.wait_exit(30)
        except qemurig.RigError as e:
            print('  !! %s' % e)
        grep(con, mark, FO_LINES + r'|fo-init')
        print('  consoles: %s, %s' % (src.console_log, dst.console_log))


_shell_seq = [0]


def shell(con, line, timeout=20):
    """Run a shell line in the kernel guest; return its output. The markers
    are computed by the shell, so the echoed (and wrapped) command line
    never matches them."""
    _shell_seq[0] += 1
    n = 1000 + _shell_seq[0]
    start = con.mark()
    con.send('echo fo-beg-$((%d+1)); %s; echo fo-end-$((%d+1))' % (n, line, n))
    m1, _ = con.wait_for(r'^fo-beg-%d$' % (n + 1), timeout, since=start)
    m2, _ = con.wait_for(r'^fo-end-%d$' % (n + 1), timeout, since=m1.end())
    out = re.sub(r'\x1b\[[0-9;]*[A-Za-z]', '', con.text[m1.end():m2.start()])
    return out.strip('\n')


NETSHOW = ('for n in /sys/class/net/*; do i=${n##*/}; [ $i = lo ] && continue; '
           'm=none; [ -e $n/master ] && m=$(basename $(readlink $n/master)); '
           'd=none; [ -e $n/device/driver ] && d=$(basename $(readlink $n/device/driver)); '
           'echo "$i $(cat $n/operstate) driver=$d master=$m"; done')


def run_kernel(args, kernel):
    say('kernel guest: virtio_net + e1000e + net_failover')
    img = os.path.join(args.logdir, 'kernel.cpio.gz')
    qemurig.build_image('kernel', img, cmd='exec sh')
    with qemurig.Rig(args.logdir, kernel=kernel) as rig:
        echo = (lambda s: sys.stdout.write(s)) if args.echo else None
        src = rig.qemu('kern-a', 'kernel', img, index=0, sb_link=False, echo=echo)
        note('boot to /init running the command (kernel guest)', src.wait_booted())
        try:
            t, _ = src.qmp.wait_event('FAILOVER_NEGOTIATED', 5)
            note('FAILOVER_NEGOTIATED after QEMU start', t - src.t_start)
        except qemurig.RigError as e:
            print('  !! %s' % e)
        con = src.console
        time.sleep(1)
        print('    ' + shell(con, NETSHOW).replace('\n', '\n    '))
        grep(con, 0, r'fo-init: .* net ')
        print('    ' + shell(con, 'dmesg | grep -i -E "failover|e1000e.*eth|virtio_net"')
              .replace('\n', '\n    '))
        master = shell(con, 'for n in /sys/class/net/*; do [ -e $n/master ] && '
                       'basename $(readlink $n/master); done | head -n 1').strip()
        print('  failover master: %s' % master)
        shell(con, 'ip addr add %s/24 dev %s' % (GUEST_IP, master))
        traffic = Traffic(rig.net.host_if, 'kernel').start()
        c = rig.net.counters()
        time.sleep(3)
        c = path_report(rig, c, 0, 'paired, sb link off')
        print('  host: %d ARP requests, %d replies' % (traffic.sent, traffic.got))

        say('kernel guest, QEMU failover=on flow: set_link sb on, migrate '
            '(QEMU unplugs the primary), destination has the e1000e on its command line')
        src.set_link('sb', True)
        time.sleep(1)
        port = qemurig.free_tcp_port()
        dst = rig.qemu('kern-b', 'kernel', img, index=1, with_vf=True, incoming=port,
                       echo=echo)
        mark = con.mark()
        qmark = src.qmp.events_mark()
        gaps0 = len(traffic.gaps)
        try:
            r = src.migrate(dst)
            note('kernel migration (failover=on): wall time', r['wall_s'])
            note('kernel migration: total-time', r['total_ms'], 'ms')
            note('kernel migration: downtime', r['downtime_ms'], 'ms')
            print('  statuses %s' % r['statuses'])
        except qemurig.RigError as e:
            print('  !! %s' % e)
        for t, ev in src.qmp.events[qmark:]:
            print('  src QMP event %s %s' % (ev['event'], ev.get('data', '')))
        grep(con, mark, r'fo-uevent|e1000e|failover')
        con = dst.console
        time.sleep(4)
        for t, ev in dst.qmp.events:
            print('  dst QMP event %s %s' % (ev['event'], ev.get('data', '')))
        print('  destination PCI: %s' % dst.pci_devices())
        grep(con, 0, r'fo-uevent|e1000e|failover')
        print('    ' + shell(con, NETSHOW).replace('\n', '\n    '))
        for g in traffic.gaps[gaps0:]:
            print('  ARP answer gap %.3f s' % g[1])
        c = path_report(rig, rig.net.counters(), 1, '(baseline)')
        time.sleep(2)
        c = path_report(rig, c, 1, 'destination after the automatic flow')

        say('kernel guest, explicit flow: device_del vf, migrate (destination '
            'without the VF), device_add vf with failover_pair_id=sb')
        mark = con.mark()
        try:
            r = dst.device_del('vf', timeout=30)
            note('kernel guest: device_del vf -> DEVICE_DELETED', r['deleted_s'])
        except qemurig.RigError as e:
            print('  !! %s' % e)
        time.sleep(1)
        grep(con, mark, r'fo-uevent|e1000e|failover')
        print('    ' + shell(con, NETSHOW).replace('\n', '\n    '))
        port = qemurig.free_tcp_port()
        third = rig.qemu('kern-c', 'kernel', img, index=0, with_vf=False, incoming=port,
                         echo=echo)
        try:
            r = dst.migrate(third)
            note('kernel migration (explicit, no VF): wall time', r['wall_s'])
            note('kernel migration (explicit): downtime', r['downtime_ms'], 'ms')
            print('  statuses %s' % r['statuses'])
        except qemurig.RigError as e:
            print('  !! %s' % e)
        con = third.console
        mark = con.mark()
        try:
            r = third.device_add(port='rp2', wait_bind='e1000e', timeout=30)
            note('kernel guest: device_add vf -> guest bound e1000e', r['bind_s'])
        except qemurig.RigError as e:
            print('  !! %s' % e)
        time.sleep(3)
        grep(con, mark, r'fo-uevent|e1000e|failover')
        print('    ' + shell(con, NETSHOW).replace('\n', '\n    '))
        c = path_report(rig, rig.net.counters(), 0, '(baseline)')
        time.sleep(2)
        c = path_report(rig, c, 0, 'after the explicit flow')
        print('  host: %d ARP requests, %d replies; gaps > 0.1 s: %s' % (
            traffic.sent, traffic.got, ', '.join('%.2f' % g[1] for g in traffic.gaps)))
        traffic.close()
        print('  consoles: %s, %s, %s' % (src.console_log, dst.console_log,
                                          third.console_log))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--only', choices=('dpdk', 'kernel'))
    ap.add_argument('--logdir', default=os.path.join(TOP, 'build', 'qemu', 'smoke'))
    ap.add_argument('--echo', action='store_true', help='copy guest consoles to stdout')
    ap.add_argument('--bare-names', action='store_true',
                    help='dpdk: primary=/standby= as bare PCI names EAL probes itself')
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit('smoke.py: run as root')
    os.makedirs(args.logdir, exist_ok=True)
    for f in os.listdir(args.logdir):
        if f.endswith('.log'):
            os.unlink(os.path.join(args.logdir, f))
    if not os.path.exists(PLUGIN) and args.only != 'kernel':
        sys.exit('smoke.py: no %s: run devtools/build.sh' % PLUGIN)
    t0 = time.monotonic()
    kernel, kver = qemurig.setup()
    note('setup-qemu.sh (guest kernel %s)' % kver, time.monotonic() - t0)
    if args.only in (None, 'dpdk'):
        run_dpdk(args, kernel)
    if args.only in (None, 'kernel'):
        run_kernel(args, kernel)
    say('timings')
    for what, v, unit in timings:
        print('  %-58s %8.3f %s' % (what, v, unit))


if __name__ == '__main__':
    main()
