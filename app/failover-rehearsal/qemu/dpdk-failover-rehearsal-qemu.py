#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""dpdk-failover-rehearsal-qemu: the live-migration rehearsal on a real
hypervisor (QEMU under TCG, run as root).

A guest with a virtio-net-pci (the standby) and an e1000e (the "VF"), both
with the same MAC and bound to vfio-pci behind an emulated IOMMU, runs the
rehearsal's traffic program: `dpdk-failover-rehearsal --rig guest` over
net_failover (--guest dpdk), or the static `failover-rehearsal-peer
--kernel-guest` over Linux's own net_failover (--guest kernel: QEMU's
failover=on pairing). The host's far end (`failover-rehearsal-peer
--far-end`) sends numbered frames into the guest through a Linux bridge
(direction B) and counts what the guest sends (direction A) on each tap.
The kernel document's flow is driven over QMP, one command per step (the
virsh equivalent in brackets):

  steady            the VF carries everything, the virtio link is down
  virtio link up    set_link sb on          [virsh domif-setlink ... up]
  VF unplug         device_del vf           [virsh detach-device --live]
  migration         migrate to a second QEMU [virsh migrate --live]
  VF plug           device_add vf, at the same guest PCI address or at
                    another one              [virsh attach-device --live]
  virtio link down  set_link sb off         [virsh domif-setlink ... down]
  VF link down / up set_link vf off / on: the unannounced case (a real
                    LSC of the VF's PMD), with the virtio link up

Per step and per direction, counted at the receiving end: frames received,
lost, duplicated and reordered, the longest gap, the path that carried
them, and the time to the first frame on the new path; a table, a JSON
file, and a timeline picture (frames per ms per path and direction).
See doc/guides/tools/failover_rehearsal_qemu.rst.

  dpdk-failover-rehearsal-qemu.py [--guest dpdk|kernel|both] [--rounds N]
      [--migrations M] [--check] [--out DIR] [--interval-us N] [--dwell S]

Exit status: 0 done (and, with --check, every check passed), 1 a check
failed or the run broke, 77 this machine cannot run it (not root, no
/dev/net/tun, QEMU or the guest kernel cannot be installed).
"""

import argparse
import json
import os
import shutil
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import qemurig  # noqa: E402
import rh_lines as rl  # noqa: E402

TOP = qemurig.TOP
GUEST_MAC = qemurig.DEFAULT_MAC
HOST_MAC = '02:fa:11:00:00:99'
# rp1 holds the virtio-net, rp2 the e1000e: guest buses 1 and 2
SB_ADDR = '0000:01:00.0'
VF_ADDR = '0000:02:00.0'
SKIP = 77

# The downtime limit qemurig.Qemu.migrate() sets (ms): bounds the pause when
# QEMU reports none.
MIGRATE_DOWNTIME_LIMIT_MS = 300

# Steps whose traffic moves to another path, and which path.
NEW_PATH = {'VF unplug': 'virtio', 'migration': 'virtio', 'VF plug, same address': 'vf',
            'VF plug, other address': 'vf', 'VF link down': 'virtio', 'VF link up': 'vf'}


def say(msg):
    print(msg, flush=True)


class ConsolePeer(rl.Peer):
    """The guest's traffic program on its serial console. A migration moves
    it to another QEMU: attach() that one's console; the queue carries on."""

    def __init__(self, name, log=None):
        super().__init__(name, log)
        self.console = None
        self.bad = 0                    # '@@fo' lines that did not parse

    def attach(self, console):
        self.console = console
        threading.Thread(target=self._read, args=(console,), daemon=True).start()

    def _read(self, con):
        pos = 0
        while True:
            with con.cond:
                while con.text.find('\n', pos) < 0 and not con.closed:
                    con.cond.wait(1.0)
                end = con.text.rfind('\n') + 1
                if end <= pos:
                    return              # closed
                chunk, pos = con.text[pos:end], end
            for line in chunk.split('\n')[:-1]:
                if line.startswith(rl.PREFIX) and rl.parse_line(line) is None:
                    self.bad += 1
                self.feed(line)

    def send(self, cmd):
        self.console.send(cmd)


class Run:
    """One guest kind through one plan of steps."""

    def __init__(self, args, kind, out):
        self.args, self.kind, self.out = args, kind, out
        self.build = os.path.abspath(args.build)
        self.peer = os.path.join(self.build, 'app', 'failover-rehearsal',
                                 'failover-rehearsal-peer')
        self.rehearsal = os.path.join(self.build, 'app', 'failover-rehearsal',
                                      'dpdk-failover-rehearsal')
        self.steps = []
        self.vm = None
        self.vm_index = 0
        self.vm_seq = 0
        self.vf_port = 'rp2'
        self.far = self.guest = None
        self.log = open(os.path.join(out, 'rehearsal.log'), 'w')

    def note(self, msg):
        self.log.write('%.3f %s\n' % (time.monotonic(), msg))
        self.log.flush()

    # -- the guest

    def image(self):
        img = os.path.join(self.out, '%s.cpio.gz' % self.kind)
        bins = [self.rehearsal] if self.kind == 'dpdk' else [self.peer]
        qemurig.build_image(self.kind, img, bins=bins)
        return img

    def guest_cmd(self):
        iv = self.args.interval_us
        if self.kind == 'dpdk':
            prog = ("/usr/local/bin/dpdk-failover-rehearsal -l 0-1 -n 1 --file-prefix=fo "
                    "--vdev 'net_failover0,primary=%s,standby=%s,rx_port_rewrite=0' "
                    "--log-level=pmd.net.failover:%s %s -- --rig guest --peer-mac %s "
                    "--interval-us %d" % (VF_ADDR, SB_ADDR, self.args.log_level,
                                          self.args.guest_eal, HOST_MAC, iv))
        else:
            prog = ("/usr/local/bin/failover-rehearsal-peer --kernel-guest --master eth0 "
                    "--peer-mac %s --interval-us %d" % (HOST_MAC, iv))
        # no echo of the commands into the program's own lines
        return 'stty -echo; exec ' + prog

    def qemu(self, index, **kw):
        self.vm_seq += 1
        # QEMU 7.2's e1000e raises no link-change interrupt in MSI-X mode
        # (Linux's e1000e and DPDK's em alike never see its link go down):
        # both guests run their NICs on INTx (pci=nomsi; DPDK: the default
        # --guest-eal=--vfio-intr=legacy)
        # No IPv6 in the kernel guest: its slaves' own MLD/DAD frames (source
        # the guest MAC, out of the standby) would teach the host bridge the
        # standby's port, and net_failover drops what the standby receives
        # while a primary is registered; the DPDK guest's NICs carry nothing
        # but the rehearsal's frames either
        append = 'loglevel=4' + (' pci=nomsi ipv6.disable=1' if self.kind == 'kernel' else '')
        return self.rig.qemu('%s%d' % (self.kind, self.vm_seq), self.kind, self.img,
                             index=index, cmd=self.guest_cmd(), append=append, **kw)

    # -- waiting on the wire (tap counters: rx on a tap = frames the guest sent)

    def tap(self, path, index=None):
        vn, vf = self.rig.net.taps[self.vm_index if index is None else index]
        return vf if path == 'vf' else vn

    def wait_path(self, path, frames=200, timeout=30.0):
        """Until the guest sent frames more frames on the current VM's path."""
        tap = self.tap(path)
        start = self.rig.net.counters().get(tap, (0, 0))[0]
        end = time.monotonic() + timeout
        while self.rig.net.counters().get(tap, (0, 0))[0] - start < frames:
            if time.monotonic() > end:
                raise qemurig.RigError('no traffic on %s (%s) within %.0f s'
                                       % (path, tap, timeout))
            time.sleep(0.05)

    # -- the steps

    def step(self, name, action=None, until=None):
        ack = self.far.command('step %d' % (len(self.steps) + 1), 'step')
        rec = {'n': len(self.steps) + 1, 'name': name, 'us': ack['us'],
               't': time.monotonic(), 'vm': self.vm.name, 'info': {}}
        self.steps.append(rec)
        self.note('step %d %s' % (rec['n'], name))
        if action is not None:
            rec['info'] = action() or {}
        if until is not None:
            until()
        time.sleep(self.args.dwell)
        say('  step %2d %-24s %s' % (rec['n'], name, fmt_info(rec['info'])))

    def sb_link(self, up):
        return {'qmp_s': round(self.vm.set_link('sb', up), 4)}

    def vf_link(self, up):
        return {'qmp_s': round(self.vm.set_link('vf', up), 4)}

    def vf_unplug(self):
        r = self.vm.device_del('vf', timeout=60)
        return {'deleted_s': round(r['deleted_s'], 3)}

    def vf_plug(self, port):
        bind = 'vfio-pci' if self.kind == 'dpdk' else 'e1000e'
        r = self.vm.device_add(port=port, wait_bind=bind, timeout=60)
        self.vf_port = port
        return {'addr': r['addr'], 'bind_s': round(r.get('bind_s', 0), 3)}

    def migrate(self):
        dst_index = 1 - self.vm_index
        dst = self.qemu(dst_index, with_vf=False, incoming=qemurig.free_tcp_port())
        r = self.vm.migrate(dst)
        self.guest.attach(dst.console)
        self.vm, self.vm_index = dst, dst_index
        return {'total_ms': r['total_ms'], 'downtime_ms': r['downtime_ms'],
                'wall_s': round(r['wall_s'], 3)}

    def plan(self):
        """(name, action, until) of each step after the first (steady)."""
        a = self.args
        steps = []
        other = False
        for r in range(a.rounds):
            steps += [('virtio link up', lambda: self.sb_link(True), None),
                      ('VF unplug', self.vf_unplug, lambda: self.wait_path('virtio'))]
            # M of N rounds migrate, evenly spread, the first one among them
            if r * a.migrations % a.rounds < a.migrations:
                steps.append(('migration', self.migrate, lambda: self.wait_path('virtio')))
            name = 'VF plug, other address' if other else 'VF plug, same address'
            steps += [(name, lambda o=other: self.vf_plug(self.next_port(o)),
                       lambda: self.wait_path('vf')),
                      ('virtio link down', lambda: self.sb_link(False), None)]
            other = not other
        steps += [('virtio link up', lambda: self.sb_link(True), None),
                  ('VF link down', lambda: self.vf_link(False),
                   lambda: self.wait_path('virtio')),
                  ('VF link up', lambda: self.vf_link(True), lambda: self.wait_path('vf')),
                  ('virtio link down', lambda: self.sb_link(False), None)]
        return steps

    def next_port(self, other):
        if other:
            return 'rp3' if self.vf_port == 'rp2' else 'rp2'
        return self.vf_port

    # -- the whole run

    def run(self, kernel):
        self.img = self.image()
        with qemurig.Rig(os.path.join(self.out, 'logs'), kernel=kernel) as rig:
            self.rig = rig
            sniff = []
            for vn, vf in rig.net.taps:
                sniff += ['--sniff', '%s=virtio' % vn, '--sniff', '%s=vf' % vf]
            self.far = rl.Prog('far', [self.peer, '--far-end', '--iface', rig.net.host_if,
                                       '--mac', HOST_MAC, '--guest-mac', GUEST_MAC,
                                       '--interval-us', str(self.args.interval_us)] + sniff,
                               self.note)
            self.far.expect('ready')
            self.far.command('stop', 'stopped')     # no B frame while the guest boots
            self.guest = ConsolePeer('guest', self.note)
            t0 = time.monotonic()
            self.vm = self.qemu(0, sb_link=False)
            self.guest.attach(self.vm.console)
            self.boot = {'ready_s': None}
            self.guest.expect('ready', 180)
            self.boot['ready_s'] = round(time.monotonic() - t0, 1)
            self.far.command('start', 'started')
            self.wait_path('vf', timeout=60)
            say('  guest ready %.1f s after QEMU start, traffic on the VF' %
                self.boot['ready_s'])
            self.step('steady')
            for name, action, until in self.plan():
                self.step(name, action, until)
            return self.finish()

    def finish(self):
        self.end_us = self.far.command('status', 'status')['us']
        a_total = self.guest.command('stop', 'stopped', 30)['next_seq']
        b_total = self.far.command('stop', 'stopped')['next_seq']
        time.sleep(0.5)
        far = self.far.report('sent=%d bins=1' % a_total, 60)
        bins = 1 if self.args.guest_bins else 0
        guest = self.guest.report('sent=%d bins=%d' % (b_total, bins), 600)
        self.guest.send('quit')
        # the DPDK guest accounts for its mbufs at exit
        exit_line = self.guest.expect('exit' if self.kind == 'dpdk' else 'bye', 60)
        try:
            self.vm.wait_exit(60)
        except qemurig.RigError as e:
            self.note(str(e))
        self.far.quit()
        res = {'kind': self.kind, 'interval_us': self.args.interval_us,
               'boot': self.boot, 'steps': self.steps, 'exit': exit_line,
               'bad_lines': self.guest.bad, 'end_us': self.end_us,
               'A': collect(far, 'A', self.steps, self.end_us),
               'B': collect(guest, 'B', self.steps, self.end_us),
               'streams': {'A': far.stream.get('A'), 'B': guest.stream.get('B')}}
        res['bins'] = {'%s/%s' % k: v for k, v in list(far.bins.items()) +
                       list(guest.bins.items())}
        return res


def fmt_info(info):
    return ' '.join('%s=%s' % kv for kv in info.items())


def first_on(bins, path, t0_ms, t1_ms):
    """First ms in [t0_ms, t1_ms) with a frame on path, or None."""
    b = bins.get(path, {})
    for ms in range(t0_ms, t1_ms):
        if b.get(ms):
            return ms
    return None


def collect(rep, d, steps, end_us):
    """Per step of direction d: the report's counts, the path(s), and the time
    from the step's command to the first frame on the step's new path."""
    bins = {p: rep.bins.get((d, p), {}) for p in ('vf', 'virtio')}
    out = []
    for i, s in enumerate(steps):
        st = dict(rep.step(d, s['n']))
        t0 = s['us'] // 1000
        t1 = (steps[i + 1]['us'] if i + 1 < len(steps) else end_us) // 1000
        new = NEW_PATH.get(s['name'])
        if new is not None and bins[new]:
            ms = first_on(bins, new, t0, t1)
            st['switch_ms'] = None if ms is None else ms - t0
        # where the step ends: the path of its last 500 ms
        tail = {p: sum(bins[p].get(ms, 0) for ms in range(t1 - 500, t1)) for p in bins}
        st['end_path'] = ('+'.join(p for p in ('vf', 'virtio') if tail[p]) or 'none'
                          if bins['vf'] or bins['virtio'] else '-')   # '-': no bins
        out.append(st)
    return out


# ---------------------------------------------------------------- reporting

COLS = ('rx', 'lost', 'dup', 'reord', 'gap_ms', 'switch_ms', 'vf', 'virtio', 'end_path')


def row_cells(st):
    sw = st.get('switch_ms')
    return [str(st.get('rx', 0)), str(st.get('lost', 0)), str(st.get('dup', 0)),
            str(st.get('reord', 0)), '%.1f' % (st.get('gap_us', 0) / 1000.0),
            '-' if sw is None else str(sw), str(st.get('vf', 0)),
            str(st.get('virtio', 0)), st.get('end_path', '')]


def table(res):
    """One row per step and direction."""
    head = ['step', 'what', 'dir'] + list(COLS) + ['hypervisor']
    rows = []
    for i, s in enumerate(res['steps']):
        for d in ('A', 'B'):
            rows.append([str(s['n']), s['name'], d] + row_cells(res[d][i]) +
                        [fmt_info(s['info']) if d == 'A' else ''])
    return render(head, rows)


def render(head, rows, rst=False):
    """An aligned text table; rst: as an RST simple table (for the guides)."""
    w = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    line = '  '.join(('=' if rst else '-') * x for x in w)
    out = [line, '  '.join(h.ljust(w[i]) for i, h in enumerate(head)).rstrip(), line]
    for r in rows:
        out.append('  '.join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip())
    out.append(line)
    return '\n'.join(out)


def by_kind(res):
    """{(step name, dir): [stats of each step of that name]}."""
    agg = {}
    for i, s in enumerate(res['steps']):
        for d in ('A', 'B'):
            agg.setdefault((s['name'], d), []).append(res[d][i])
    return agg


def pct(vals, q):
    vals = sorted(vals)
    return vals[min(len(vals) - 1, int(q * len(vals)))] if vals else None


def summary_cells(sts):
    gaps = [s.get('gap_us', 0) / 1000.0 for s in sts]
    sw = [s['switch_ms'] for s in sts if s.get('switch_ms') is not None]
    return [str(len(sts)), str(sum(s.get('lost', 0) for s in sts)),
            str(max(s.get('lost', 0) for s in sts)), str(sum(s.get('dup', 0) for s in sts)),
            str(sum(s.get('reord', 0) for s in sts)), '%.1f' % pct(gaps, 0.5),
            '%.1f' % max(gaps), '-' if not sw else '%d' % pct(sw, 0.5),
            '-' if not sw else '%d' % max(sw)]


SUMMARY_HEAD = ['what', 'dir', 'n', 'lost', 'lost max', 'dup', 'reord', 'gap p50 ms',
                'gap max ms', 'switch p50 ms', 'switch max ms']


def summary(res, rst=False):
    """One row per kind of step and direction, over all rounds."""
    rows = [[name, d] + summary_cells(sts) for (name, d), sts in by_kind(res).items()]
    return render(SUMMARY_HEAD, rows, rst)


def compare(results, rst=False):
    """DPDK net_failover against Linux net_failover, per kind of step."""
    aggs = {r['kind']: by_kind(r) for r in results}
    head = ['what', 'dir']
    for k in aggs:
        who = 'DPDK' if k == 'dpdk' else 'Linux'
        head += ['%s lost' % who, '%s dup' % who, '%s gap max ms' % who,
                 '%s switch max ms' % who]
    keys = []
    for r in results:
        for key in by_kind(r):
            if key not in keys:
                keys.append(key)
    rows = []
    for key in keys:
        row = list(key)
        for k, agg in aggs.items():
            sts = agg.get(key, [])
            if not sts:
                row += ['-'] * 4
                continue
            c = summary_cells(sts)
            row += [c[1], c[3], c[6], c[8]]
        rows.append(row)
    return render(head, rows, rst)


# ---------------------------------------------------------------- checks

class Checks:
    """What --check asserts (counts only, no timing): every announced step
    loses nothing and duplicates nothing; a migration loses only what the
    host sent while the guest was paused; the unannounced link loss
    recovers within a second; each step ends on the path it must."""

    def __init__(self, res):
        self.res, self.passed, self.failed = res, 0, 0

    def need(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
        say('  %s %s' % ('ok  ' if cond else 'FAIL', what))

    def run(self):
        r = self.res
        rate = 1e6 / r['interval_us']          # frames per second and direction
        for i, s in enumerate(r['steps']):
            for d in ('A', 'B'):
                st = r[d][i]
                tag = 'step %d %s, %s:' % (s['n'], s['name'], d)
                self.need(st.get('dup', 0) == 0, '%s no duplicate (%d)' % (tag, st.get('dup', 0)))
                if s['name'] == 'VF link down':
                    self.need(st.get('switch_ms') is not None and st['switch_ms'] < 1000,
                              '%s on virtio within 1 s (%s ms)' % (tag, st.get('switch_ms')))
                    self.need(st.get('lost', 0) <= rate, '%s lost at most 1 s of traffic (%d)'
                              % (tag, st.get('lost', 0)))
                elif s['name'] == 'migration' and d == 'B':
                    # the host keeps sending while the guest is paused; QEMU 7.2
                    # sometimes reports a downtime of 0 for a completed migration:
                    # then the downtime limit the rig sets bounds the pause
                    down = s['info'].get('downtime_ms') or MIGRATE_DOWNTIME_LIMIT_MS
                    bound = rate * (down + 100) / 1000.0
                    self.need(st.get('lost', 0) <= bound, '%s lost %d <= %.0f (downtime %s ms'
                              ' + 100 ms)' % (tag, st.get('lost', 0), bound,
                                              s['info'].get('downtime_ms') or
                                              '0 reported, limit %d' % down))
                else:
                    self.need(st.get('lost', 0) == 0, '%s nothing lost (%d)'
                              % (tag, st.get('lost', 0)))
                # a step that moves traffic ends on its new path, the others on the VF
                want = NEW_PATH.get(s['name'], 'vf')
                self.need(st.get('end_path') == want, '%s ends on %s (%s)'
                          % (tag, want, st.get('end_path')))
        for d in ('A', 'B'):
            st = r['streams'][d] or {}
            self.need(st.get('rx', 0) + st.get('lost', 0) ==
                      st.get('sent', -1) - st.get('first_seq', 0),
                      '%s: every frame sent is received or lost (%s)' % (d, st))
        if r['kind'] == 'dpdk':
            self.need(r['exit'].get('ok') is True, 'guest: every mbuf back in its pool (%s)'
                      % r['exit'])
        self.need(r['bad_lines'] == 0, 'guest console: every report line parsed (%d bad)'
                  % r['bad_lines'])
        return self.failed == 0


# ---------------------------------------------------------------- picture

PATH_COLOR = {'vf': 'tab:blue', 'virtio': 'tab:orange'}
DIRS = (('A', 'guest to host (A), counted at the host'),
        ('B', 'host to guest (B), counted in the guest'))


def _series(b, lo, hi, sign):
    xs = [ms for ms in range(lo, hi + 1)]
    return xs, [sign * b.get(ms, 0) for ms in xs]


def _draw(ax, res, d, t0, lo, hi, labels):
    """Frames per ms of direction d in [lo, hi] ms: the VF upwards, virtio
    downwards (so that the paths never hide each other); the steps marked."""
    for p, sign in (('vf', 1), ('virtio', -1)):
        b = res['bins'].get('%s/%s' % (d, p), {})
        xs, ys = _series(b, lo, hi, sign)
        ax.fill_between([(x - t0) / 1000.0 for x in xs], ys, step='post', linewidth=0,
                        color=PATH_COLOR[p], label='%s (%s)' % (p, 'up' if sign > 0 else
                                                               'down'))
    ax.axhline(0, color='black', linewidth=0.4)
    ax.set_xlim((lo - t0) / 1000.0, (hi - t0) / 1000.0)
    for s in res['steps']:
        ms = s['us'] // 1000
        if lo <= ms <= hi:
            x = (ms - t0) / 1000.0
            ax.axvline(x, color='grey', linestyle='--', linewidth=0.6)
            if labels:
                ax.text(x, ax.get_ylim()[1], ' %d %s' % (s['n'], s['name']), rotation=90,
                        va='top', fontsize=7)


def picture(res, path):
    """The timeline: frames per ms per path and direction, the steps marked
    (matplotlib); and path-zoom.png beside it: one second around the first
    step of each kind that moves traffic, at the same scale."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    who = 'DPDK' if res['kind'] == 'dpdk' else 'Linux'
    t0 = res['steps'][0]['us'] // 1000
    end = res['end_us'] // 1000
    fig, axes = plt.subplots(2, 1, figsize=(16, 7), sharex=True)
    for ax, (d, what) in zip(axes, DIRS):
        _draw(ax, res, d, t0, t0 - 500, end, d == 'A')
        ax.set_ylabel('frames / ms')
        ax.set_title('%s net_failover: %s' % (who, what), fontsize=10)
        ax.legend(loc='lower right', fontsize=8)
    axes[1].set_xlabel('seconds since step 1 (host clock)')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

    seen, zoom = set(), []
    for s in res['steps']:
        if s['name'] in NEW_PATH and s['name'] not in seen:
            seen.add(s['name'])
            zoom.append(s)
    if not zoom:
        return
    fig, axes = plt.subplots(2, len(zoom), figsize=(3.2 * len(zoom), 5.5), squeeze=False,
                             sharey='row')
    for j, s in enumerate(zoom):
        ms = s['us'] // 1000
        lo = ms - 200
        for i, (d, _) in enumerate(DIRS):
            ax = axes[i][j]
            _draw(ax, res, d, ms, lo, lo + 1500, False)
            ax.set_title('%s, %s' % (s['name'], d), fontsize=8)
            ax.tick_params(labelsize=7)
            if i == 1:
                ax.set_xlabel('s from the command', fontsize=7)
    axes[0][0].set_ylabel('frames / ms (A)')
    axes[1][0].set_ylabel('frames / ms (B)')
    axes[0][-1].legend(loc='lower right', fontsize=7)
    fig.suptitle('%s net_failover: each switch, from 0.2 s before its command '
                 '(VF up, virtio down)' % who, fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(os.path.dirname(path), 'path-zoom.png'), dpi=100)
    plt.close(fig)


def save(res, out):
    """result.json (everything but the bins), bins.json, table.txt."""
    with open(os.path.join(out, 'result.json'), 'w') as f:
        json.dump({k: v for k, v in res.items() if k != 'bins'}, f, indent=1)
    with open(os.path.join(out, 'bins.json'), 'w') as f:
        json.dump(res['bins'], f)
    text = table(res) + '\n\n' + summary(res) + '\n'
    with open(os.path.join(out, 'table.txt'), 'w') as f:
        f.write(text)
    with open(os.path.join(out, 'summary.rst'), 'w') as f:
        f.write(summary(res, True) + '\n')
    return text


def load(out):
    """A run saved by save() (for --replot)."""
    with open(os.path.join(out, 'result.json')) as f:
        res = json.load(f)
    with open(os.path.join(out, 'bins.json')) as f:
        res['bins'] = {k: {int(ms): n for ms, n in v.items()} for k, v in json.load(f).items()}
    return res


# ---------------------------------------------------------------- main

def can_run():
    if os.geteuid() != 0:
        return 'not root (taps, bridge, QEMU networking)'
    if not os.path.exists('/dev/net/tun'):
        return 'no /dev/net/tun'
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--guest', choices=('dpdk', 'kernel', 'both'), default='dpdk')
    ap.add_argument('--rounds', type=int, default=2,
                    help='unplug/replug rounds (default 2: same, then other address)')
    ap.add_argument('--migrations', type=int, default=1,
                    help='rounds with a migration, spread over the rounds (default 1)')
    ap.add_argument('--interval-us', type=int, default=500,
                    help='one frame each way every N us (default 500)')
    ap.add_argument('--dwell', type=float, default=2.0,
                    help='seconds each step lasts after its command (default 2)')
    ap.add_argument('--guest-bins', type=int, default=None,
                    help='guest timeline over the console (default: 1 up to 4 rounds)')
    # the e1000e's LSC interrupt comes on INTx only (see Run.qemu())
    ap.add_argument('--guest-eal', default='--vfio-intr=legacy',
                    help='more EAL arguments of the DPDK guest program '
                    '(default --vfio-intr=legacy)')
    ap.add_argument('--log-level', default='info',
                    help="the guest's net_failover log level (default info)")
    ap.add_argument('--check', action='store_true',
                    help='assert the counts (the test suite runs this)')
    ap.add_argument('--out', default=os.path.join(TOP, 'build', 'qemu', 'rehearsal'))
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    ap.add_argument('--replot', metavar='DIR',
                    help='draw the pictures of a saved run (DIR/<kind>) again, run nothing')
    args = ap.parse_args()
    if args.replot:
        for kind in ('dpdk', 'kernel'):
            out = os.path.join(args.replot, kind)
            if os.path.exists(os.path.join(out, 'bins.json')):
                res = load(out)
                save(res, out)
                picture(res, os.path.join(out, 'timeline.png'))
        return 0
    if args.guest_bins is None:
        args.guest_bins = 1 if args.rounds <= 4 else 0
    why = can_run()
    if why:
        say('skipped: %s' % why)
        return SKIP
    try:
        kernel, kver = qemurig.setup()
    except Exception as e:      # noqa: BLE001 (any failure to install: cannot run here)
        say('skipped: the QEMU rig cannot be set up here: %s' % e)
        return SKIP
    kinds = ['dpdk', 'kernel'] if args.guest == 'both' else [args.guest]
    results, ok = [], True
    for kind in kinds:
        out = os.path.join(args.out, kind)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        say('== %s guest (kernel %s), %d rounds, a frame each way every %d us'
            % (kind, kver, args.rounds, args.interval_us))
        t0 = time.monotonic()
        run = Run(args, kind, out)
        try:
            res = run.run(kernel)
        except (qemurig.RigError, rl.Failed) as e:
            say('  the run broke: %s (log: %s)' % (e, run.log.name))
            return 1
        res['wall_s'] = round(time.monotonic() - t0, 1)
        results.append(res)
        say(save(res, out))
        png = os.path.join(out, 'timeline.png')
        picture(res, png)
        say('  %s guest: %.0f s; table %s, picture %s, logs %s'
            % (kind, res['wall_s'], os.path.join(out, 'table.txt'), png,
               os.path.join(out, 'logs')))
        if args.check:
            say('== checks (%s guest)' % kind)
            c = Checks(res)
            ok = c.run() and ok
            say('%d passed, %d failed' % (c.passed, c.failed))
    if len(results) > 1:
        text = compare(results)
        with open(os.path.join(args.out, 'compare.txt'), 'w') as f:
            f.write(text + '\n')
        with open(os.path.join(args.out, 'compare.rst'), 'w') as f:
            f.write(compare(results, True) + '\n')
        say('== DPDK net_failover against Linux net_failover\n' + text)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
