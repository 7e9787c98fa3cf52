# SPDX-License-Identifier: BSD-3-Clause
"""QEMU rig for net_failover live-migration rehearsals (Python 3 stdlib only).

The pieces, each usable alone, usually through a Rig:

- HostNet: a Linux bridge (STP off, forward delay 0) with persistent taps for
  each QEMU instance i (<prefix><i>vn: virtio-net standby, <prefix><i>vf:
  e1000e "VF") and a veth pair: <prefix>hb is a bridge port, <prefix>h is
  where the host's traffic program sends and receives. Every link carries
  the alias "fo-qemurig <pid> <start time>": links left by a dead process
  are removed at start; links of a live one make the start fail.
- Qmp: a small QMP client (capabilities negotiation, execute with id, an
  event queue, wait_event()).
- Console: the guest serial console (a unix socket chardev) as a stream one
  can wait on (regular expressions, arrival times) and write lines to.
- Qemu: one QEMU instance of kind "dpdk" or "kernel" (see guest-image.sh),
  its command line, and the operations of the kernel's net_failover
  live-migration flow with their virsh equivalents and timings.
- Rig: a context manager holding the HostNet and the Qemu instances, which
  tears everything down on exit, exception, SIGTERM/SIGHUP/SIGINT.

KVM is unusable on these machines: QEMU runs with -accel tcg,thread=multi.
Run as root. Start QEMU instances from a thread that lives as long as they
do (they get PR_SET_PDEATHSIG: SIGKILL when the starting thread ends).
"""

import bisect
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
CACHE = os.environ.get('FO_QEMU_CACHE', os.path.join(TOP, 'build-deps', 'qemu'))
RUN_ROOT = '/run/fo-qemurig'
ALIAS = 'fo-qemurig'
QEMU = 'qemu-system-x86_64'
DEFAULT_MAC = '52:54:00:fa:11:10'
# Root ports rp1..rpN on pcie.0 slots 3..N+2: the firmware numbers their
# buses in that order, so a device on rp<k> is guest PCI 0000:0<k>:00.0.
ROOT_PORTS = 4


class RigError(Exception):
    """The rig could not do what was asked."""


class QmpError(RigError):
    """A QMP command returned an error."""


def _run(*cmd, check=True):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if check and p.returncode != 0:
        raise RigError('%s: %s' % (' '.join(cmd), p.stderr.strip()))
    return p


def _proc_start_time(pid):
    """Start time of a process (clock ticks since boot), None if gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat.rsplit(')', 1)[1].split()
    if fields[0] in ('Z', 'X'):
        return None  # a zombie is as good as gone
    return fields[19]


def _owner_tag():
    return '%s %d %s' % (ALIAS, os.getpid(), _proc_start_time(os.getpid()))


def _owner_alive(tag):
    """True if the process that wrote owner tag tag still runs."""
    parts = tag.split()
    if len(parts) != 3 or parts[0] != ALIAS:
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    return _proc_start_time(pid) == parts[2]


def free_tcp_port():
    """A TCP port free on 127.0.0.1 now (for -incoming)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def setup():
    """Run buildtools/setup-qemu.sh; return (vmlinuz path, kernel version)."""
    subprocess.run([os.path.join(TOP, 'buildtools', 'setup-qemu.sh')], check=True,
                   stdout=subprocess.DEVNULL)
    with open(os.path.join(CACHE, 'kver')) as f:
        return os.path.join(CACHE, 'vmlinuz'), f.read().strip()


def build_image(kind, out, bins=(), libs=(), files=(), pmds=(), cmd=None):
    """Build a guest initramfs with guest-image.sh (see there); return out."""
    argv = [os.path.join(HERE, 'guest-image.sh'), kind, out]
    for b in bins:
        argv += ['--bin', b]
    for lib in libs:
        argv += ['--lib', lib]
    for f in files:
        argv += ['--file', f]
    for p in pmds:
        argv += ['--pmd', p]
    if cmd is not None:
        argv += ['--cmd', cmd]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return out


# ---------------------------------------------------------------- host net

class HostNet:
    """Bridge, taps and veth pair on the host (see the module docstring)."""

    def __init__(self, prefix='forig', nvm=2):
        if not re.match(r'^[a-z][a-z0-9]{0,8}$', prefix):
            raise RigError('prefix %r: 1-9 lower-case letters and digits' % prefix)
        self.prefix = prefix
        self.bridge = prefix + 'br'
        self.host_if = prefix + 'h'     # the traffic program's end
        self.host_port = prefix + 'hb'  # its peer, a bridge port
        self.taps = [(prefix + '%dvn' % i, prefix + '%dvf' % i) for i in range(nvm)]
        self.created = []

    def names(self):
        return ([self.bridge, self.host_if, self.host_port] +
                [t for pair in self.taps for t in pair])

    @staticmethod
    def _alias(ifname):
        try:
            with open('/sys/class/net/%s/ifalias' % ifname) as f:
                return f.read().strip()
        except OSError:
            return None

    @staticmethod
    def _del(ifname):
        _run('ip', 'link', 'del', 'dev', ifname, check=False)

    @classmethod
    def clean_stale(cls):
        """Remove the links of rigs whose process is gone; return their names."""
        gone = []
        for ifname in sorted(os.listdir('/sys/class/net')):
            alias = cls._alias(ifname)
            if alias and alias.startswith(ALIAS + ' ') and not _owner_alive(alias):
                cls._del(ifname)
                gone.append(ifname)
        return gone

    def _new(self, ifname, *cmd):
        _run(*cmd)
        self.created.append(ifname)
        _run('ip', 'link', 'set', 'dev', ifname, 'alias', _owner_tag())
        # no IPv6 autoconfiguration chatter (router solicitations, MLD)
        try:
            with open('/proc/sys/net/ipv6/conf/%s/disable_ipv6' % ifname, 'w') as f:
                f.write('1')
        except OSError:
            pass

    def up(self):
        """Create everything (after removing stale leftovers)."""
        self.clean_stale()
        for n in self.names():
            if os.path.exists('/sys/class/net/' + n):
                raise RigError('interface %s exists (alias %r): another rig runs?'
                               % (n, self._alias(n)))
        try:
            self._new(self.bridge, 'ip', 'link', 'add', 'name', self.bridge, 'type',
                      'bridge', 'stp_state', '0', 'forward_delay', '0',
                      'mcast_snooping', '0')
            _run('ip', 'link', 'set', 'dev', self.bridge, 'up')
            self._new(self.host_if, 'ip', 'link', 'add', 'name', self.host_if, 'type',
                      'veth', 'peer', 'name', self.host_port)
            self.created.append(self.host_port)
            _run('ip', 'link', 'set', 'dev', self.host_port, 'alias', _owner_tag())
            _run('ip', 'link', 'set', 'dev', self.host_port, 'master', self.bridge, 'up')
            _run('ip', 'link', 'set', 'dev', self.host_if, 'up')
            for pair in self.taps:
                for tap in pair:
                    self._new(tap, 'ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap')
                    _run('ip', 'link', 'set', 'dev', tap, 'master', self.bridge, 'up')
        except BaseException:
            self.down()
            raise
        return self

    def down(self):
        """Remove what up() created (idempotent)."""
        for n in reversed(self.created):
            if os.path.exists('/sys/class/net/' + n):
                self._del(n)
        self.created = []

    def counters(self):
        """{ifname: (rx_packets, tx_packets)} of the taps and veth ends."""
        res = {}
        for n in self.names()[1:]:
            try:
                vals = []
                for c in ('rx_packets', 'tx_packets'):
                    with open('/sys/class/net/%s/statistics/%s' % (n, c)) as f:
                        vals.append(int(f.read()))
                res[n] = tuple(vals)
            except OSError:
                pass
        return res

    def fdb_add(self, mac, ifname):
        """bridge fdb add MAC dev IF master (the kernel doc's migrate.sh step)."""
        _run('bridge', 'fdb', 'replace', mac, 'dev', ifname, 'master', 'static')

    def fdb_del(self, mac, ifname):
        """bridge fdb del MAC dev IF master."""
        _run('bridge', 'fdb', 'del', mac, 'dev', ifname, 'master', check=False)


# ---------------------------------------------------------------- QMP

class Qmp:
    """A QMP client on a unix socket.

    Events are kept in order with their arrival time (time.monotonic());
    wait_event() looks at the events after a mark (events_mark()).
    """

    def __init__(self, path, timeout=30.0, log=None):
        self.sock = _connect_unix(path, timeout)
        self.rfile = self.sock.makefile('rb')
        self.log = log
        self.cond = threading.Condition()
        self.events = []
        self.replies = {}
        self.closed = False
        self.next_id = 0
        greeting = json.loads(self.rfile.readline())
        if 'QMP' not in greeting:
            raise RigError('no QMP greeting on %s: %r' % (path, greeting))
        self.version = greeting['QMP'].get('version', {})
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()
        self.execute('qmp_capabilities')

    def _reader(self):
        try:
            for raw in self.rfile:
                now = time.monotonic()
                msg = json.loads(raw)
                if self.log:
                    self.log.write('%.3f %s\n' % (now, raw.decode().strip()))
                    self.log.flush()
                with self.cond:
                    if 'event' in msg:
                        self.events.append((now, msg))
                    elif 'id' in msg:
                        self.replies[msg['id']] = msg
                    self.cond.notify_all()
        except (OSError, ValueError):
            pass
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def execute(self, command, timeout=30.0, **arguments):
        """Run command; return its 'return' value, raise QmpError on 'error'."""
        with self.cond:
            self.next_id += 1
            cid = 'fo-%d' % self.next_id
        msg = {'execute': command, 'id': cid}
        if arguments:
            msg['arguments'] = arguments
        data = json.dumps(msg).encode() + b'\n'
        if self.log:
            self.log.write('%.3f -> %s' % (time.monotonic(), data.decode()))
            self.log.flush()
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise RigError('QMP %s: %s' % (command, e))
        deadline = time.monotonic() + timeout
        with self.cond:
            while cid not in self.replies:
                left = deadline - time.monotonic()
                if self.closed:
                    raise RigError('QMP closed before %s returned' % command)
                if left <= 0:
                    raise RigError('QMP %s: no reply in %.0f s' % (command, timeout))
                self.cond.wait(left)
            reply = self.replies.pop(cid)
        if 'error' in reply:
            raise QmpError('%s: %s' % (command, reply['error'].get('desc', reply['error'])))
        return reply.get('return')

    def events_mark(self):
        with self.cond:
            return len(self.events)

    def wait_event(self, name, timeout, since=0, match=None):
        """First event called name after mark since (with data containing the
        items of match); return (arrival time, event). Raise RigError on timeout."""
        deadline = time.monotonic() + timeout
        i = since
        with self.cond:
            while True:
                while i < len(self.events):
                    t, ev = self.events[i]
                    i += 1
                    data = ev.get('data', {})
                    if ev['event'] == name and all(data.get(k) == v for k, v in
                                                   (match or {}).items()):
                        return t, ev
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise RigError('no QMP event %s %s in %.1f s' % (name, match or '', timeout))
                self.cond.wait(left)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def _connect_unix(path, timeout):
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise RigError('cannot connect to %s' % path)
            time.sleep(0.05)


# ---------------------------------------------------------------- console

class Console:
    """The guest's serial console: one text stream ('\\r' removed).

    Positions are offsets in that stream: mark() is the current end;
    wait_for() finds a regular expression after a position and tells when
    the text that completes the match arrived (time.monotonic()).
    """

    def __init__(self, path, timeout=30.0, echo=None):
        self.sock = _connect_unix(path, timeout)
        self.cond = threading.Condition()
        self.text = ''
        self.ends = []   # offsets where chunks ended
        self.times = []  # and when they arrived
        self.closed = False
        self.echo = echo
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()

    def _reader(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b''
            if not data:
                break
            now = time.monotonic()
            chunk = data.decode('utf-8', 'replace').replace('\r', '')
            if self.echo:
                self.echo(chunk)
            with self.cond:
                self.text += chunk
                self.ends.append(len(self.text))
                self.times.append(now)
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.text)

    def time_at(self, offset):
        """Arrival time of the character at offset."""
        with self.cond:
            i = bisect.bisect_right(self.ends, offset)
            return self.times[min(i, len(self.times) - 1)]

    def wait_for(self, pattern, timeout, since=0):
        """First match of pattern (re, MULTILINE) in the stream after since.
        Return (match, arrival time of its end); match.end() is an absolute
        offset, usable as the next since. RigError on timeout or EOF."""
        rx = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.text, since)
                if m:
                    return m, self.time_at(max(m.end() - 1, 0))
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise RigError('console: no %r in %.1f s%s' % (
                        pattern, timeout, ' (closed)' if self.closed else ''))
                self.cond.wait(left)

    def send(self, line):
        """Write line and a newline to the guest's console."""
        self.sock.sendall(line.encode() + b'\n')

    def command(self, line, prompt, timeout=30.0):
        """Send line, wait for the next prompt; return the text in between."""
        start = self.mark()
        self.send(line)
        m, _ = self.wait_for(re.escape(prompt), timeout, since=start + 1)
        return self.text[start:m.start()]

    def since(self, offset):
        with self.cond:
            return self.text[offset:]

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


# ---------------------------------------------------------------- QEMU

_libc = None


def _pdeathsig():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Qemu:
    """One QEMU instance (q35, vIOMMU, 2 vCPUs, TCG) running a rig guest.

    kind      'dpdk': virtio-net-pci id=sb with iommu_platform=on, e1000e id=vf;
              'kernel': virtio-net-pci id=sb with failover=on, e1000e id=vf
              with failover_pair_id=sb (the kernel's net_failover pairs them).
    taps      (virtio tap, e1000e tap), persistent taps (HostNet.taps[i]).
    with_vf   put the e1000e on the command line (a dpdk migration
              destination starts without it; a kernel one with it).
    vf_port   root port of the e1000e (rp1 holds the virtio-net).
    incoming  a TCP port: start as a migration destination (-incoming).
    sb_link   initial link of the virtio-net (False: set_link sb off at once,
              like libvirt's <link state='down'/> of the kernel doc).
    """

    def __init__(self, name, kind, kernel, initrd, taps, rundir, logdir,
                 mac=DEFAULT_MAC, with_vf=True, vf_port='rp2', incoming=None,
                 sb_link=True, mem_mb=1024, cpus=2, root_ports=ROOT_PORTS,
                 append='', cmd=None, echo=None):
        if kind not in ('dpdk', 'kernel'):
            raise RigError('kind %r: dpdk or kernel' % kind)
        self.name, self.kind, self.kernel, self.initrd = name, kind, kernel, initrd
        self.taps, self.mac, self.with_vf, self.vf_port = taps, mac, with_vf, vf_port
        self.incoming, self.sb_link = incoming, sb_link
        self.mem_mb, self.cpus, self.root_ports = mem_mb, cpus, root_ports
        self.append, self.cmd, self.echo = append, cmd, echo
        self.rundir, self.logdir = rundir, logdir
        self.qmp_path = os.path.join(rundir, name + '.qmp')
        self.con_path = os.path.join(rundir, name + '.con')
        self.pidfile = os.path.join(rundir, name + '.pid')
        self.console_log = os.path.join(logdir, name + '.console.log')
        self.qemu_log = os.path.join(logdir, name + '.qemu.log')
        self.qmp_log = os.path.join(logdir, name + '.qmp.log')
        self.proc = None
        self.qmp = None
        self.console = None
        self.t_start = None
        self._qmp_logf = None

    # -- command line

    def kernel_cmdline(self):
        parts = ['console=ttyS0', 'loglevel=6', 'intel_iommu=on', 'panic=-1',
                 'no_timer_check', 'tsc=reliable', 'mitigations=off']
        if self.cmd is not None:
            import base64
            parts.append('fo.cmd=' + base64.b64encode(self.cmd.encode()).decode())
        if self.append:
            parts.append(self.append)
        return ' '.join(parts)

    def vf_device(self, bus=None, device_id='vf'):
        """The e1000e's -device properties (also used by device_add)."""
        props = {'driver': 'e1000e', 'id': device_id, 'netdev': 'nvf',
                 'bus': bus or self.vf_port, 'mac': self.mac, 'romfile': ''}
        if self.kind == 'kernel':
            props['failover_pair_id'] = 'sb'
        return props

    @staticmethod
    def _devstr(props):
        p = dict(props)
        s = p.pop('driver')
        for k, v in p.items():
            s += ',%s=%s' % (k, v)
        return s

    def command_line(self):
        vn, vf = self.taps
        argv = [QEMU, '-name', self.name, '-accel', 'tcg,thread=multi',
                '-machine', 'q35', '-cpu', 'max', '-smp', str(self.cpus),
                '-m', str(self.mem_mb), '-nodefaults', '-no-user-config',
                '-display', 'none', '-no-reboot', '-pidfile', self.pidfile,
                # the vIOMMU first: vfio in the guest needs it (no NOIOMMU)
                '-device', 'intel-iommu,intremap=off']
        for i in range(1, self.root_ports + 1):
            argv += ['-device', 'pcie-root-port,id=rp%d,bus=pcie.0,chassis=%d,addr=0x%x'
                     % (i, i, i + 2)]
        sb = {'driver': 'virtio-net-pci', 'id': 'sb', 'netdev': 'nvn', 'bus': 'rp1',
              'mac': self.mac}
        if self.kind == 'dpdk':
            sb['iommu_platform'] = 'on'
        else:
            sb['failover'] = 'on'
        argv += ['-netdev', 'tap,id=nvn,ifname=%s,script=no,downscript=no' % vn,
                 '-device', self._devstr(sb),
                 '-netdev', 'tap,id=nvf,ifname=%s,script=no,downscript=no' % vf]
        if self.with_vf:
            argv += ['-device', self._devstr(self.vf_device())]
        argv += ['-chardev', 'socket,id=con0,path=%s,server=on,wait=on,logfile=%s,'
                 'logappend=on' % (self.con_path, self.console_log),
                 '-serial', 'chardev:con0',
                 '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path,
                 '-kernel', self.kernel, '-initrd', self.initrd,
                 '-append', self.kernel_cmdline()]
        if self.incoming is not None:
            argv += ['-incoming', 'tcp:127.0.0.1:%d' % self.incoming]
        return argv

    # -- life cycle

    def start(self, timeout=30.0):
        """Start QEMU, connect the console (QEMU waits for it) then QMP."""
        for p in (self.qmp_path, self.con_path, self.pidfile):
            if os.path.exists(p):
                os.unlink(p)
        argv = self.command_line()
        with open(self.qemu_log, 'a') as log:
            log.write('%s\n' % ' '.join("'%s'" % a if ' ' in a else a for a in argv))
            log.flush()
            self.t_start = time.monotonic()
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, preexec_fn=_pdeathsig)
        try:
            self.console = Console(self.con_path, timeout, echo=self.echo)
            self._qmp_logf = open(self.qmp_log, 'a')
            self.qmp = Qmp(self.qmp_path, timeout, log=self._qmp_logf)
            if not self.sb_link:
                self.qmp.execute('set_link', name='sb', up=False)
        except BaseException:
            self.kill()
            raise
        return self

    def wait_booted(self, timeout=120.0):
        """Wait for /init to start the command; return seconds since start()."""
        _, t = self.console.wait_for(r'^fo-init: \S+ running:', timeout)
        return t - self.t_start

    def wait_exit(self, timeout):
        """Wait for QEMU to exit (the guest powers off when its command ends)."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise RigError('%s still running after %.0f s' % (self.name, timeout))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def quit(self, timeout=10.0):
        """QMP quit (virsh destroy, gracefully); kill if it does not exit."""
        if self.alive():
            try:
                self.qmp.execute('quit', timeout=timeout)
            except RigError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self):
        """SIGKILL our QEMU process (by its pid) and close the sockets."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for c in (self.qmp, self.console):
            if c is not None:
                c.close()
        if self._qmp_logf:
            self._qmp_logf.close()
            self._qmp_logf = None
        for p in (self.qmp_path, self.con_path, self.pidfile):
            if os.path.exists(p):
                os.unlink(p)

    # -- guest PCI view

    def pci_devices(self):
        """{qdev id: guest PCI address} from query-pci (the bus numbers the
        guest firmware programmed)."""
        res = {}

        def walk(devices):
            for d in devices:
                if d.get('qdev_id'):
                    res[d['qdev_id']] = '0000:%02x:%02x.%d' % (d['bus'], d['slot'],
                                                               d['function'])
                br = d.get('pci_bridge')
                if br:
                    walk(br.get('devices', []))

        for bus in self.qmp.execute('query-pci'):
            walk(bus['devices'])
        return res

    def guest_addr(self, device_id):
        addr = self.pci_devices().get(device_id)
        if addr is None:
            raise RigError('%s: no device %s' % (self.name, device_id))
        return addr

    def root_port_addr(self, port):
        """Guest PCI address a device on root port port (e.g. 'rp3') gets:
        function 0 of the port's secondary bus, as the firmware numbered it."""
        def walk(devices):
            for d in devices:
                br = d.get('pci_bridge')
                if not br:
                    continue
                if d.get('qdev_id') == port:
                    return br['bus']['secondary']
                sec = walk(br.get('devices', []))
                if sec is not None:
                    return sec
            return None

        for bus in self.qmp.execute('query-pci'):
            sec = walk(bus['devices'])
            if sec is not None:
                return '0000:%02x:00.0' % sec
        raise RigError('%s: no root port %s' % (self.name, port))

    # -- the migration flow (virsh equivalents in the docstrings)

    def set_link(self, device_id, up):
        """virsh domif-setlink DOMAIN IF up|down: QMP set_link.
        Return the command's round trip in seconds."""
        t0 = time.monotonic()
        self.qmp.execute('set_link', name=device_id, up=bool(up))
        return time.monotonic() - t0

    def device_del(self, device_id='vf', timeout=30.0):
        """virsh detach-device --live DOMAIN vf.xml: QMP device_del, then wait
        for DEVICE_DELETED (the guest acknowledged the PCIe hot unplug, which
        for vfio-pci means the guest program let the device go).
        Return {'cmd_s': command round trip, 'deleted_s': to DEVICE_DELETED}."""
        mark = self.qmp.events_mark()
        t0 = time.monotonic()
        self.qmp.execute('device_del', id=device_id)
        t1 = time.monotonic()
        t2, _ = self.qmp.wait_event('DEVICE_DELETED', timeout, since=mark,
                                    match={'device': device_id})
        return {'cmd_s': t1 - t0, 'deleted_s': t2 - t0}

    def device_add(self, port=None, device_id='vf', wait_bind=None, timeout=60.0):
        """virsh attach-device --live DOMAIN vf.xml: QMP device_add of the
        e1000e (netdev nvf, the same MAC, romfile=, failover_pair_id=sb for
        the kernel kind) on root port port (default: vf_port).
        wait_bind: a guest driver name (e.g. 'vfio-pci', 'e1000e'): also wait
        for the guest's bind uevent of the new device on the console.
        Return {'cmd_s', 'addr' (guest PCI address), 'bind_s' (if waited)}."""
        props = self.vf_device(bus=port, device_id=device_id)
        mark = self.console.mark()
        t0 = time.monotonic()
        self.qmp.execute('device_add', **props)
        res = {'cmd_s': time.monotonic() - t0}
        res['addr'] = self.pci_devices().get(device_id)
        if wait_bind and res['addr']:
            _, t = self.console.wait_for(
                r'^fo-uevent: \S+ bind pci %s %s' % (re.escape(res['addr']),
                                                     re.escape(wait_bind)),
                timeout, since=mark)
            res['bind_s'] = t - t0
        return res

    def migrate(self, dest, max_bandwidth=8 << 30, downtime_limit_ms=300,
                timeout=300.0, quit_source=True):
        """virsh migrate --live DOMAIN qemu+ssh://DEST/system: QMP migrate to
        dest (a Qemu started with incoming=PORT and the same device topology),
        with max-bandwidth raised; wait for completion; quit the source.
        Return {'wall_s', 'total_ms', 'downtime_ms', 'setup_ms', 'statuses'
        [(seconds since the command, status)], 'resume_s' (dest running)}."""
        if dest.incoming is None:
            raise RigError('%s was not started with incoming=' % dest.name)
        self.qmp.execute('migrate-set-parameters', **{'max-bandwidth': max_bandwidth,
                                                     'downtime-limit': downtime_limit_ms})
        dmark = dest.qmp.events_mark()
        t0 = time.monotonic()
        self.qmp.execute('migrate', uri='tcp:127.0.0.1:%d' % dest.incoming)
        statuses = []
        deadline = t0 + timeout
        while True:
            info = self.qmp.execute('query-migrate')
            st = info.get('status')
            if not statuses or statuses[-1][1] != st:
                statuses.append((round(time.monotonic() - t0, 3), st))
            if st == 'completed':
                break
            if st in ('failed', 'cancelled'):
                raise RigError('migration %s: %s' % (st, info.get('error-desc', '')))
            if time.monotonic() > deadline:
                raise RigError('migration not complete in %.0f s: %s' % (timeout, st))
            time.sleep(0.05)
        wall = time.monotonic() - t0
        tr, _ = dest.qmp.wait_event('RESUME', 30.0, since=dmark)
        res = {'wall_s': wall, 'total_ms': info.get('total-time'),
               'downtime_ms': info.get('downtime'), 'setup_ms': info.get('setup-time'),
               'statuses': statuses, 'resume_s': tr - t0,
               'ram_mb': info.get('ram', {}).get('transferred', 0) / 1e6}
        if quit_source:
            self.quit()
        return res


# ---------------------------------------------------------------- the rig

class Rig:
    """Host network plus QEMU instances; everything is removed on exit.

        with Rig(logdir='build/qemu/logs') as rig:
            src = rig.qemu('src', 'dpdk', initrd, index=0)
            ...
    """

    def __init__(self, logdir, prefix='forig', nvm=2, kernel=None):
        self.prefix = prefix
        self.net = HostNet(prefix, nvm)
        self.logdir = os.path.abspath(logdir)
        self.rundir = os.path.join(RUN_ROOT, prefix)
        self.kernel = kernel
        self.vms = []
        self._old_handlers = {}

    def _signal(self, signum, frame):
        raise SystemExit(128 + signum)

    def _clean_stale_rundir(self):
        owner = os.path.join(self.rundir, 'owner')
        if not os.path.isdir(self.rundir):
            return
        try:
            with open(owner) as f:
                tag = f.read().strip()
        except OSError:
            tag = ''
        if _owner_alive(tag):
            raise RigError('%s belongs to a running rig (%s)' % (self.rundir, tag))
        # QEMUs of the dead rig, by the pids in their pidfiles
        for n in os.listdir(self.rundir):
            if not n.endswith('.pid'):
                continue
            try:
                with open(os.path.join(self.rundir, n)) as f:
                    pid = int(f.read().strip())
                with open('/proc/%d/cmdline' % pid, 'rb') as f:
                    cmdline = f.read()
            except (OSError, ValueError):
                continue
            if self.rundir.encode() in cmdline:
                os.kill(pid, signal.SIGKILL)
                for _ in range(100):  # its taps are free once it is gone
                    if _proc_start_time(pid) is None:
                        break
                    time.sleep(0.05)
        shutil.rmtree(self.rundir, ignore_errors=True)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for s in (signal.SIGTERM, signal.SIGHUP):
                self._old_handlers[s] = signal.signal(s, self._signal)
        try:
            if self.kernel is None:
                self.kernel, _ = setup()
            os.makedirs(self.logdir, exist_ok=True)
            self._clean_stale_rundir()
            os.makedirs(self.rundir, mode=0o700)
            with open(os.path.join(self.rundir, 'owner'), 'w') as f:
                f.write(_owner_tag())
            self.net.up()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def qemu(self, name, kind, initrd, index=0, start=True, **kw):
        """A Qemu on taps HostNet.taps[index], registered for teardown."""
        vm = Qemu(name, kind, self.kernel, initrd, self.net.taps[index], self.rundir,
                  self.logdir, **kw)
        self.vms.append(vm)
        if start:
            vm.start()
        return vm

    def close(self):
        for vm in self.vms:
            vm.kill()
        self.vms = []
        self.net.down()
        if os.path.isdir(self.rundir):
            owner = os.path.join(self.rundir, 'owner')
            try:
                with open(owner) as f:
                    mine = f.read().strip() == _owner_tag()
            except OSError:
                mine = False
            if mine:
                shutil.rmtree(self.rundir, ignore_errors=True)
        try:
            os.rmdir(RUN_ROOT)  # if no other rig uses it
        except OSError:
            pass
        for s, h in self._old_handlers.items():
            signal.signal(s, h)
        self._old_handlers = {}
