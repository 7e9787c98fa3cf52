# SPDX-License-Identifier: BSD-3-Clause
"""Drive stock dpdk-testpmd processes through pipes, with timeouts.

Shared by devtools/testpmd-demo.py and tests/testpmd_check.py (python3,
standard library only).

Quirks handled here:
  * testpmd prints with printf(), which is block-buffered on a pipe, while
    its "testpmd> " prompt is written with write(2): without care the prompt
    overtakes the command output.  testpmd is therefore run under
    `stdbuf -oL -eL` (coreutils) when stdbuf exists.
  * the cmdline library echoes what it reads, so the echoed command is
    stripped from the start of each reply.
  * every process is started in its own session (process group) so that a
    hung testpmd and anything it forked can be killed as a group, by pid.
  * EAL refuses `-d` plugins under a world-writable folder (e.g. /tmp): use
    private_plugin_copy() to copy the plugin to a mode-700 folder first.
  * EAL leaves /var/run/dpdk/<file-prefix> behind: remove_runtime_dir().
  * FO_TESTPMD_PRELOAD (a colon-separated list of shared objects, e.g. the
    ASan runtime libasan.so for a plugin built with -Db_sanitize) is put in
    LD_PRELOAD of dpdk-testpmd only: not of this python process, nor of
    stdbuf (a small sh, run by stdbuf, prepends it to stdbuf's own
    LD_PRELOAD and execs testpmd, so the runtime comes first, as ASan
    requires).  sanitizer_report() finds a sanitizer's report in the
    transcript.
"""

import os
import re
import select
import shutil
import signal
import stat
import subprocess
import tempfile
import time

PROMPT = b"testpmd> "
PRELOAD_ENV = "FO_TESTPMD_PRELOAD"
# The first line of every ASan/LSan/UBSan report.
SANITIZER_REPORT = re.compile(
    r"^(?:==\d+==ERROR: \w+Sanitizer|SUMMARY: \w+Sanitizer|.*: runtime error: )",
    re.M)
DEFAULT_TESTPMD = "dpdk-testpmd"
DEFAULT_PLUGIN = "build/drivers/net/failover/librte_net_failover.so"


class SessionError(Exception):
    """testpmd died, timed out or answered something unusable."""


def find_testpmd(path=None):
    """Return an executable testpmd path or None."""
    cands = [path] if path else [os.environ.get("TESTPMD"), DEFAULT_TESTPMD,
                                 "/usr/bin/dpdk-testpmd"]
    for c in cands:
        if not c:
            continue
        if os.sep in c:
            if os.path.isfile(c) and os.access(c, os.X_OK):
                return os.path.abspath(c)
        else:
            found = shutil.which(c)
            if found:
                return found
    return None


class TestpmdSession:
    """One testpmd process in interactive mode (-i), driven through pipes.

    s = TestpmdSession(name, eal_args, app_args)
    s.start()                  # waits for the first prompt
    out = s.cmd("show port info 0")
    s.close()                  # quit, then SIGTERM/SIGKILL of its group
    """

    def __init__(self, name, eal_args, app_args=(), testpmd=None, log=None,
                 env=None):
        self.name = name
        self.testpmd = find_testpmd(testpmd)
        if self.testpmd is None:
            raise SessionError("dpdk-testpmd not found (%s)" % testpmd)
        self.argv = [self.testpmd] + list(eal_args) + ["--"] + \
            list(app_args)
        if "-i" not in app_args and "--interactive" not in app_args:
            self.argv.append("-i")
        preload = os.environ.get(PRELOAD_ENV)
        if preload:
            # $0 is the preload list, "$@" testpmd and its arguments
            self.argv = ["/bin/sh", "-c",
                         'LD_PRELOAD="$0${LD_PRELOAD:+:$LD_PRELOAD}" exec "$@"',
                         preload] + self.argv
        stdbuf = shutil.which("stdbuf")
        if stdbuf:
            self.argv = [stdbuf, "-oL", "-eL"] + self.argv
        self.log = log            # callable(str) or None: raw transcript
        self.env = env
        self.proc = None
        self.transcript = []      # all text read, in order
        self._buf = b""

    # ---------------------------------------------------------------- I/O
    def _emit(self, data):
        text = data.decode("utf-8", "replace")
        self.transcript.append(text)
        if self.log:
            self.log(text)

    def _read_some(self, deadline):
        """Read what is available before deadline; False on EOF."""
        fd = self.proc.stdout.fileno()
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not r:
            return True
        data = os.read(fd, 65536)
        if not data:
            return False
        self._emit(data)
        self._buf += data
        return True

    def read_until(self, pattern, timeout, what=None):
        """Read until regex `pattern` (bytes) matches the buffer.

        Returns the text up to and including the match and keeps the rest.
        Raises SessionError on timeout or if testpmd exits first."""
        rx = re.compile(pattern)
        what = what or repr(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self._buf)
            if m:
                out = self._buf[:m.end()]
                self._buf = self._buf[m.end():]
                return out.decode("utf-8", "replace")
            if time.monotonic() >= deadline:
                raise SessionError(
                    "%s: timeout after %.0f s waiting for %s; last output:\n%s"
                    % (self.name, timeout, what, self.tail()))
            if not self._read_some(deadline):
                # EOF: collect the exit status for the message
                try:
                    self.proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
                m = rx.search(self._buf)
                if m:
                    continue
                raise SessionError(
                    "%s: testpmd exited (status %s) while waiting for %s; "
                    "last output:\n%s" % (self.name, self.proc.returncode,
                                          what, self.tail()))

    def drain(self, seconds=0.2):
        """Read whatever arrives within `seconds` (asynchronous messages)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self._read_some(deadline):
                break
        out, self._buf = self._buf, b""
        return out.decode("utf-8", "replace")

    def sanitizer_report(self, n=60):
        """The first n lines of the first sanitizer report in the
        transcript, or None (reports go to stderr, which is merged into the
        transcript)."""
        text = "".join(self.transcript)
        m = SANITIZER_REPORT.search(text)
        if not m:
            return None
        return "\n".join(text[m.start():].splitlines()[:n])

    def tail(self, n=40):
        text = "".join(self.transcript)
        return "\n".join(text.splitlines()[-n:])

    # ----------------------------------------------------------- lifetime
    def spawn(self):
        """Start testpmd without waiting (e.g. when its probe blocks until
        a peer connects); follow with wait_prompt()."""
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, env=self.env,
            bufsize=0)

    def wait_prompt(self, timeout=60):
        """Wait for the first prompt; returns the start-up output (EAL and
        port set-up messages)."""
        out = self.read_until(re.escape(PROMPT), timeout,
                              "its first prompt")
        return out[:-len(PROMPT)]

    def start(self, timeout=60):
        """spawn() then wait_prompt()."""
        self.spawn()
        return self.wait_prompt(timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cmd(self, command, timeout=15):
        """Send one command line, return its output (without echo/prompt)."""
        if not self.alive():
            raise SessionError("%s: testpmd is not running (status %s)"
                               % (self.name, self.proc and
                                  self.proc.returncode))
        # asynchronous messages printed since the last prompt stay in the
        # transcript but do not pollute this command's reply
        self.drain(0)
        try:
            self.proc.stdin.write(command.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise SessionError("%s: cannot write to testpmd: %s"
                               % (self.name, e))
        out = self.read_until(re.escape(PROMPT), timeout,
                              "the prompt after `%s`" % command)
        out = out[:-len(PROMPT)]
        # strip the echo of the command (cmdline echoes what it reads) and
        # any asynchronous message that came before it
        lines = out.split("\n")
        for i, line in enumerate(lines):
            if line.strip() == command.strip():
                out = "\n".join(lines[i + 1:])
                break
        return out

    def close(self, timeout=20):
        """quit testpmd; if it does not exit in time, kill its group.

        Returns the exit status (negative signal number when killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.flush()
                self.proc.stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass
            deadline = time.monotonic() + timeout
            while self.proc.poll() is None and time.monotonic() < deadline:
                try:
                    self._read_some(min(deadline, time.monotonic() + 0.5))
                except (OSError, ValueError):
                    time.sleep(0.1)
        if self.proc.poll() is None:
            self.kill()
        self._drain_closed()
        return self.proc.returncode

    def kill(self, grace=3):
        """SIGTERM then SIGKILL the process group of this testpmd only."""
        if self.proc is None:
            return
        pgid = self.proc.pid   # start_new_session: pgid == pid
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
            if self.proc.poll() is not None:
                break
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass
        # children left in the group (none expected): SIGKILL them too
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _drain_closed(self):
        try:
            while True:
                r, _, _ = select.select([self.proc.stdout], [], [], 0)
                if not r:
                    break
                data = os.read(self.proc.stdout.fileno(), 65536)
                if not data:
                    break
                self._emit(data)
        except (OSError, ValueError):
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except (OSError, ValueError, BrokenPipeError):
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # ------------------------------------------------------------ parsers
    def port_stats(self, port=0):
        return parse_port_stats(self.cmd("show port stats %d" % port))

    def xstats(self, port=0):
        return parse_xstats(self.cmd("show port xstats %d" % port))

    def port_info(self, port=0):
        return parse_colon_fields(self.cmd("show port info %d" % port))


# ----------------------------------------------------------------- parsing
_STAT_RX = re.compile(r"([A-Za-z][A-Za-z-]*(?:-[A-Za-z]+)*):\s*(\d+)")


def parse_port_stats(text):
    """'show port stats N' -> {'RX-packets': n, 'TX-packets': n, ...}."""
    stats = {}
    for key, val in _STAT_RX.findall(text):
        stats.setdefault(key, int(val))
    return stats


def parse_xstats(text):
    """'show port xstats N' -> {name: value} (lines 'name: value')."""
    xs = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_\[\]\.\-]+):\s+(\d+)\s*$", line)
        if m:
            xs[m.group(1)] = int(m.group(2))
    return xs


def parse_colon_fields(text):
    """'Key: value' lines -> dict (first occurrence wins)."""
    d = {}
    for line in text.splitlines():
        if ":" in line:
            k, _, v = line.partition(":")
            k = k.strip()
            if k and k not in d:
                d[k] = v.strip()
    return d


# ------------------------------------------------------------------ system
def remove_runtime_dir(prefix):
    """Remove EAL's runtime folder of one --file-prefix (ours only)."""
    for base in ("/var/run/dpdk", "/run/dpdk",
                 os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"),
                              "dpdk")):
        p = os.path.join(base, prefix)
        if prefix and os.path.isdir(p):
            shutil.rmtree(p, ignore_errors=True)


def _chain_is_private(path):
    """True if neither path nor any parent folder is world-writable."""
    path = os.path.realpath(path)
    while True:
        try:
            if os.stat(path).st_mode & stat.S_IWOTH:
                return False
        except OSError:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def private_plugin_copy(plugin):
    """Copy `plugin` to a fresh mode-700 folder whose parents are not
    world-writable (EAL's -d check).  Returns (copy_path, folder)."""
    cands = [os.environ.get("HOME"), os.path.expanduser("~"), "/root",
             "/run", "/var/lib"]
    for base in cands:
        if not base or not os.path.isdir(base) or not _chain_is_private(base):
            continue
        try:
            d = tempfile.mkdtemp(prefix=".testpmd-plugin-", dir=base)
        except OSError:
            continue
        os.chmod(d, 0o700)
        dst = os.path.join(d, os.path.basename(plugin))
        shutil.copy2(plugin, dst)
        os.chmod(dst, 0o755)
        return dst, d
    raise SessionError("no private (non world-writable) folder found for a "
                       "copy of the plugin")


def run(argv, timeout=10):
    """Run a short command; returns (rc, combined output)."""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return -1, "timeout after %ss: %s" % (timeout, " ".join(argv))
    except OSError as e:
        return -1, str(e)


def iface_counter(iface, name):
    """Kernel counter of a network interface (e.g. rx_packets) or None."""
    try:
        with open("/sys/class/net/%s/statistics/%s" % (iface, name)) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def iface_exists(iface):
    return os.path.isdir("/sys/class/net/%s" % iface)


def wait_for(pred, timeout, interval=0.1):
    """Poll pred() until it returns a true value or timeout; return it."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


class LinePrefixer:
    """log(who, text) for FailoverBed: writes `[who] ` before every line of
    each process's output, although reads end anywhere, even mid-line."""

    def __init__(self, write):
        self.write = write
        self.bol = {}
        self.last = None

    def __call__(self, who, text):
        if self.last not in (None, who) and not self.bol.get(self.last, True):
            self.write("\n")          # the other process left a line open
            self.bol[self.last] = True
        self.last = who
        at_bol = self.bol.get(who, True)
        for line in text.splitlines(True):
            self.write(("[%s] " % who if at_bol else "") + line)
            at_bol = line.endswith("\n")
        self.bol[who] = at_bol


def unique_tag():
    """Short tag for file prefixes, sockets and interface names."""
    return "%x%x" % (os.getpid() & 0xfff, int(time.time() * 1000) & 0xfff)


# ------------------------------------------------------------ the test-bed
EAL_COMMON = ["--no-huge", "-m", "1024", "--no-pci"]
APP_COMMON = ["--total-num-mbufs=16384"]


class FailoverBed:
    """Two testpmd processes around one net_failover port:

    main     -d <private copy of the plugin>
             --vdev net_failover0,primary=(net_tap0,iface=IFACE),
                    standby=(net_virtio_user0,path=SOCK,server=1,...)
             (port 0; forwarding lcore 1)
    backend  --vdev net_vhost0,iface=SOCK,client=1 (port 0; forwarding
             lcore 0, `--forward-mode=rxonly` unless told otherwise)

    virtio-user server=1 (reconnectable; the vhost side is the client):
    its probe blocks until the backend connects, so main is spawned first,
    the backend started once the socket exists, then main's prompt awaited.
    close() always removes processes, socket, plugin copy and runtime dirs.
    """

    def __init__(self, plugin, iface, testpmd=None, log=None,
                 link_poll_ms=None, backend_fwd="rxonly", tag=None,
                 say=None):
        self.plugin = plugin
        self.iface = iface
        self.testpmd = testpmd
        self.log = log                # callable(who, text) or None
        self.link_poll_ms = link_poll_ms
        self.backend_fwd = backend_fwd
        self.say = say or (lambda msg: None)
        tag = tag or unique_tag()
        self.prefix_main = "fo-main-" + tag
        self.prefix_be = "fo-vhost-" + tag
        self.tmpdir = None
        self.sock = None
        self.plugin_copy = None
        self.plugin_dir = None
        self.main = None
        self.backend = None

    def _logger(self, who):
        if self.log is None:
            return None
        return lambda text: self.log(who, text)

    def main_devices(self):
        """EAL arguments that load the plugin and create the port."""
        standby = "(net_virtio_user0,path=%s,server=1,queue_size=1024)" \
            % self.sock
        primary = "(net_tap0,iface=%s)" % self.iface
        fo = "net_failover0,primary=%s,standby=%s" % (primary, standby)
        if self.link_poll_ms is not None:
            fo += ",link_poll_ms=%d" % self.link_poll_ms
        return ["-d", self.plugin_copy, "--vdev", fo]

    def main_app_args(self):
        return list(APP_COMMON)

    def main_eal_common(self):
        """EAL memory and bus options of main (a subclass may give it
        hugepages: secondary processes need them)."""
        return list(EAL_COMMON)

    def start(self, timeout=60):
        """Raises SessionError (with the reason) if anything fails."""
        if iface_exists(self.iface):
            raise SessionError("interface %s already exists (another "
                               "testpmd running?)" % self.iface)
        self.tmpdir = tempfile.mkdtemp(prefix="fo-bed-")
        self.sock = os.path.join(self.tmpdir, "vhost.sock")
        self.plugin_copy, self.plugin_dir = private_plugin_copy(self.plugin)
        self.say("plugin %s copied to %s (EAL refuses -d under a "
                 "world-writable folder)" % (self.plugin, self.plugin_copy))
        main_eal = ["-l", "0-1", "--file-prefix=" + self.prefix_main] + \
            self.main_eal_common() + self.main_devices()
        be_eal = ["-l", "0-1", "--main-lcore", "1",
                  "--file-prefix=" + self.prefix_be] + EAL_COMMON + \
            ["--vdev", "net_vhost0,iface=%s,client=1" % self.sock]
        be_app = list(APP_COMMON)
        if self.backend_fwd:
            be_app.append("--forward-mode=" + self.backend_fwd)
        self.main = TestpmdSession("main", main_eal, self.main_app_args(),
                                   testpmd=self.testpmd,
                                   log=self._logger("main"))
        self.backend = TestpmdSession("vhost-backend", be_eal, be_app,
                                      testpmd=self.testpmd,
                                      log=self._logger("vhost"))
        self.say("main testpmd (its standby virtio-user is a vhost-user "
                 "server: the probe waits for the backend):\n  "
                 + " ".join(self.main.argv))
        self.main.spawn()
        ok = wait_for(lambda: os.path.exists(self.sock) or
                      not self.main.alive(), timeout / 2)
        if not self.main.alive():
            self.main.drain(0.5)
            raise SessionError("main testpmd exited (status %s) during "
                               "start-up; last output:\n%s"
                               % (self.main.proc.returncode,
                                  self.main.tail()))
        if not ok:
            self.main.drain(0.2)
            raise SessionError("main testpmd did not create %s within %.0f s;"
                               " last output:\n%s"
                               % (self.sock, timeout / 2, self.main.tail()))
        self.say("vhost-user backend testpmd (%s, counts what the standby "
                 "path carries):\n  %s" % (self.backend_fwd or "io",
                                          " ".join(self.backend.argv)))
        self.backend.start(timeout)
        self.main.wait_prompt(timeout)

    def close(self):
        """Quit both testpmd (killing them if they hang) and remove
        everything this bed created; never raises."""
        for s in (self.main, self.backend):
            if s is None or s.proc is None:
                continue
            try:
                if s.alive():
                    try:
                        s.cmd("stop", timeout=5)
                    except SessionError:
                        pass
                s.close(timeout=15)
            except Exception:       # never let clean-up stop clean-up
                try:
                    s.kill()
                except Exception:
                    pass
        for p in (self.prefix_main, self.prefix_be):
            remove_runtime_dir(p)
        for d in (self.tmpdir, self.plugin_dir):
            if d:
                shutil.rmtree(d, ignore_errors=True)


# -- the runner of the suites over a FailoverBed (testpmd_check, telemetry_check)

class CaseFailed(Exception):
    """A case's check failed: the message says which."""


class Watchdog(Exception):
    """The suite's time limit was reached."""


def need(cond, msg):
    if not cond:
        raise CaseFailed(msg)


def skip_reason(plugin, testpmd):
    """Why a suite over stock testpmd and a tap cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (tap interface, /var/run/dpdk)"
    if find_testpmd(testpmd) is None:
        return "dpdk-testpmd not found"
    if not os.path.isfile(plugin):
        return "plugin %s not built" % plugin
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    return None


def run_cases(cases, chk, bed, time_limit, errors=(SessionError,)):
    """Run the cases (methods of chk, each documented) in order within
    time_limit seconds, printing them as DPDK's app/test does; once set-up
    failed or the main testpmd died, the rest are not run. bed.close() at
    the end. Returns the exit status; the last line is the summary."""
    def on_alarm(signum, frame):
        raise Watchdog()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_alarm)
    signal.alarm(time_limit)
    passed = failed = 0
    broken = None          # once set, the remaining cases cannot run
    try:
        for n, case in enumerate(cases, 1):
            ok = False
            try:
                if broken:
                    raise CaseFailed("not run: %s" % broken)
                case(chk)
                ok = True
            except CaseFailed as e:
                print("    %s" % e)
            except errors as e:
                print("    %s: %s" % (type(e).__name__, e))
                if n == 1 or not (chk.main and chk.main.alive()):
                    broken = "testpmd set-up failed" if n == 1 else "main testpmd died"
            except Watchdog:
                print("    time limit of %d s reached" % time_limit)
                broken = "time limit reached"
            passed, failed = passed + ok, failed + (not ok)
            print(" + TestCase [%2d] : %s %s" % (n, case.__doc__.strip(),
                  "succeeded" if ok else "failed"), flush=True)
    except Watchdog:
        # between two cases: count the rest as failed
        print("    time limit of %d s reached" % time_limit)
        failed += len(cases) - passed - failed
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if failed and bed.main is not None and bed.main.transcript:
            print("    last lines of the main testpmd:")
            print("    | " + bed.main.tail(30).replace("\n", "\n    | "))
        bed.close()
    print("%d passed, %d failed, 0 skipped" % (passed, failed))
    return 0 if failed == 0 else 1
