#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""meson install puts the PMD where DPDK's own PMDs are, as DPDK names them.

    install_check.py BUILD_DIR SOURCE_DIR

Installs BUILD_DIR into a staging root (meson install --destdir, a private
folder in the home directory, not in the build dir: EAL refuses plugins below
a world-writable folder, and a clone may be under /tmp) and checks, against what the
installed libdpdk says (pkg-config, the files of its libraries), not against
the paths the build derived:

- the PMD is in the driver directory of the installed DPDK (the directory of
  its own librte_net_null.so.23, which is the DPDK_PLUGIN_PATH its EAL loads
  without -d), named librte_net_failover.so.<ABI> with the soname
  librte_net_failover.so.<ABI major>, and linked from libdpdk's libdir as
  DPDK links its PMDs;
- it exports only the functions of rte_pmd_failover.h, in the EXPERIMENTAL
  version node (the header marks each __rte_experimental), plus the version
  nodes DPDK's own PMDs define;
- the header is in the directory of rte_ethdev.h; a program using it builds
  and links with the .pc file's Cflags and Libs, runs against the staged
  library, and does not build without ALLOW_EXPERIMENTAL_API;
- pkg-config reads the .pc file: Cflags, Libs and its pmddir variable;
- dpdk-pmdinfo.py lists net_failover and every devarg of the driver's
  RTE_PMD_REGISTER_PARAM_STRING;
- stock dpdk-testpmd given the staged driver directory with -d (the whole
  directory, as EAL reads its own: the .so and .so.<ABI> there are one file)
  probes net_failover0 over two net_null ports.

Exit 0 when every check passed, 1 otherwise.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

FAILED = []


def check(cond, what, detail=""):
    print("%s: %s" % ("ok" if cond else "FAIL", what), flush=True)
    if not cond:
        if detail:
            print("    " + str(detail).strip().replace("\n", "\n    "))
        FAILED.append(what)
    return cond


def run(argv, env=None, **kw):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, env=env, **kw)
    return p.returncode, p.stdout


def pkgconfig(*args, path=None):
    # As written: pkg-config drops -L/-I of its system dirs by default.
    env = dict(os.environ, PKG_CONFIG_ALLOW_SYSTEM_LIBS="1",
               PKG_CONFIG_ALLOW_SYSTEM_CFLAGS="1")
    if path:
        env["PKG_CONFIG_PATH"] = path
    rc, out = run(["pkg-config"] + list(args), env=env)
    if rc != 0:
        raise SystemExit("pkg-config %s: %s" % (" ".join(args), out))
    return out.strip()


def dynamic(path):
    """(soname, NEEDED list) from readelf -d."""
    _, out = run(["readelf", "-d", path])
    soname = re.findall(r"\(SONAME\).*\[(.*)\]", out)
    return (soname[0] if soname else None), re.findall(r"\(NEEDED\).*\[(.*)\]", out)


def exports(path):
    _, out = run(["nm", "-D", "--defined-only", path])
    return sorted(line.split()[-1] for line in out.splitlines() if line.strip())


def main():
    build, src = (os.path.abspath(a) for a in sys.argv[1:3])
    stage = tempfile.mkdtemp(prefix=".fo-install-stage-", dir=os.path.expanduser("~"))

    # What the installed DPDK says, independently of the build's derivation.
    libdir = pkgconfig("--variable=libdir", "libdpdk")
    includedir = pkgconfig("--variable=includedir", "libdpdk")
    pcdir = pkgconfig("--variable=pcfiledir", "libdpdk")
    eal = os.path.realpath(os.path.join(libdir, "librte_eal.so"))
    abi = re.fullmatch(r"librte_eal\.so\.(\d+\.\d+)", os.path.basename(eal)).group(1)
    major = abi.split(".")[0]
    null_pmd = os.path.realpath(os.path.join(libdir, "librte_net_null.so." + major))
    pmd_dir = os.path.dirname(null_pmd)
    with open(eal, "rb") as f:
        plugin_path = re.findall(rb"DPDK_PLUGIN_PATH=([^\0]+)\0", f.read())
    check([p.decode() for p in plugin_path] == [pmd_dir],
          "the driver dir of libdpdk (%s) is the one its EAL loads" % pmd_dir, plugin_path)

    meson = os.environ.get("MESON", "meson")
    rc, out = run([meson, "install", "-C", build, "--destdir", stage,
                   "--no-rebuild", "--quiet"])
    if not check(rc == 0, "meson install --destdir %s" % stage, out):
        return 1
    installed = sorted(os.path.relpath(os.path.join(d, f), stage)
                       for d, _, fs in os.walk(stage) for f in fs)
    print("    installed:\n      /" + "\n      /".join(installed))

    # The PMD, its name, soname and links.
    sd = stage + pmd_dir
    real = os.path.join(sd, "librte_net_failover.so." + abi)
    check(os.path.isfile(real) and not os.path.islink(real),
          "the PMD is %s" % os.path.join(pmd_dir, os.path.basename(real)),
          glob.glob(sd + "/*"))
    soname, needed = dynamic(real)
    check(soname == "librte_net_failover.so." + major,
          "soname librte_net_failover.so.%s" % major, soname)
    for link in ("librte_net_failover.so." + major, "librte_net_failover.so"):
        for d in (sd, stage + libdir):
            p = os.path.join(d, link)
            check(os.path.islink(p) and os.path.realpath(p) == real,
                  "%s -> the PMD" % os.path.join(d[len(stage):], link),
                  os.path.realpath(p))
    check(all(n.startswith(("librte_", "libc.", "libbsd.", "libnuma.", "libm."))
              or n == "ld-linux-x86-64.so.2" for n in needed),
          "NEEDED: DPDK libraries and libc only (%s)" % " ".join(needed), needed)

    # Exports: the public API, experimental, and DPDK's version nodes.
    with open(os.path.join(src, "drivers/net/failover/rte_pmd_failover.h")) as f:
        header = f.read()
    api = sorted(re.findall(r"__rte_experimental\s+\w+\s+\**(rte_pmd_failover_\w+)\(", header))
    got = exports(real)
    want = sorted(["DPDK_%s" % major, "EXPERIMENTAL"] + ["%s@@EXPERIMENTAL" % a for a in api])
    check(len(api) == 3 and got == want,
          "exports %s" % " ".join(got), "want %s" % " ".join(want))
    ref = exports(null_pmd)
    check(set(ref) <= set(got), "DPDK's own net_null exports (%s) included" % " ".join(ref), ref)

    # The header where DPDK's are.
    hdr = stage + os.path.join(includedir, "rte_pmd_failover.h")
    check(os.path.exists(os.path.join(includedir, "rte_ethdev.h")) and os.path.isfile(hdr),
          "the header is %s/rte_pmd_failover.h (beside rte_ethdev.h)" % includedir)

    # pkg-config.
    spc = stage + pcdir
    name = "librte_net_failover"
    check(os.path.isfile(os.path.join(spc, name + ".pc")), "%s/%s.pc" % (pcdir, name))
    cflags = pkgconfig("--cflags", name, path=spc).split()
    libs = pkgconfig("--libs", name, path=spc).split()
    check("-I" + includedir in cflags, "Cflags has -I%s" % includedir, cflags)
    check("-L" + libdir in libs and "-lrte_net_failover" in libs,
          "Libs has -L%s -lrte_net_failover" % libdir, libs)
    pmddir_var = pkgconfig("--variable=pmddir", name, path=spc)
    check(pmddir_var == pmd_dir, "pmddir=%s" % pmddir_var)
    print("    pkg-config --cflags: %s" % " ".join(c for c in cflags if "dpdk" in c))
    print("    pkg-config --libs: %s ..." % " ".join(libs[:3]))

    # A program over the staged header and library.
    cc = os.environ.get("CC", "cc").split()
    with tempfile.TemporaryDirectory(dir=build) as tmp:
        prog = os.path.join(tmp, "api.c")
        with open(prog, "w") as f:
            f.write("#include <errno.h>\n#include <rte_pmd_failover.h>\n"
                    "int main(void)\n{\n\treturn rte_pmd_failover_active_path(0) "
                    "== -ENODEV ? 0 : 1;\n}\n")
        inc = ["-I" + stage + includedir]
        rc, out = run(cc + ["-Werror", "-c", prog, "-o", prog + ".o"] + inc + cflags)
        check(rc != 0 and re.search(r"experimental|stable ABI", out) is not None,
              "without ALLOW_EXPERIMENTAL_API the API does not build", out)
        rc, out = run(cc + ["-Werror", "-DALLOW_EXPERIMENTAL_API", prog, "-o",
                            prog + ".exe"] + inc + cflags + ["-L" + stage + libdir] + libs)
        if check(rc == 0, "a program builds with the .pc file's Cflags and Libs", out):
            _, needed = dynamic(prog + ".exe")
            check("librte_net_failover.so." + major in needed,
                  "it needs librte_net_failover.so.%s" % major, needed)
            env = dict(os.environ, LD_LIBRARY_PATH=stage + libdir)
            rc, out = run([prog + ".exe"], env=env)
            check(rc == 0, "it runs against the staged library "
                  "(rte_pmd_failover_active_path(0) = -ENODEV)", out)

    # The PMD info string.
    pmdinfo = shutil.which("dpdk-pmdinfo.py") or "/usr/bin/dpdk-pmdinfo.py"
    rc, out = run([pmdinfo, real])
    print("    dpdk-pmdinfo.py: " + out.strip().replace("\n", "\n    "))
    with open(os.path.join(src, "drivers/net/failover/failover_ethdev.c")) as f:
        block = re.search(r"RTE_PMD_REGISTER_PARAM_STRING\(net_failover,(.*?)\);",
                          f.read(), re.S).group(1)
    keys = re.findall(r"(\w+)=", block)
    try:
        info = json.loads(out) if rc == 0 else []
    except ValueError:
        info = []
    drv = [d for d in info if d.get("name") == "net_failover"]
    check(len(drv) == 1, "dpdk-pmdinfo.py lists net_failover", out)
    params = drv[0].get("params", "") if drv else ""
    check(keys and [k for k in keys if k + "=" not in params] == [],
          "its params list every devarg (%s)" % " ".join(keys), params)

    # Stock testpmd over the staged driver directory.
    testpmd = shutil.which("dpdk-testpmd")
    if check(testpmd is not None, "dpdk-testpmd found"):
        argv = ["timeout", "60", testpmd, "--no-huge", "-m", "512", "--no-pci",
                "--file-prefix", "fo-install-%d" % os.getpid(), "-d", sd,
                "--vdev", "net_null0", "--vdev", "net_null1",
                "--vdev", "net_failover0,primary=net_null0,standby=net_null1",
                "--", "-i", "--total-num-mbufs=2048"]
        rc, out = run(argv, input="show port info 2\nquit\n")
        drivers = re.findall(r"Driver name: (\S+)", out)
        check(rc == 0 and "net_failover" in drivers and "Bye" in out,
              "dpdk-testpmd -d <stage>%s probes net_failover0 (drivers: %s)"
              % (pmd_dir, " ".join(drivers)), out)
        check(not re.search(r"already registered|Error", out),
              "no driver registered twice, no error", out)
        # EAL leaves its runtime folder behind
        shutil.rmtree("/var/run/dpdk/fo-install-%d" % os.getpid(), ignore_errors=True)

    shutil.rmtree(stage, ignore_errors=True)
    print("%d checks failed" % len(FAILED) if FAILED else "all checks passed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
