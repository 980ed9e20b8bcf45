"""setup: install what the chosen targets need and build Check for them.

    python3 -m ci.harness setup [TRIPLE...]        default: every target in toolchains/, and the host
    python3 -m ci.harness setup --host-only        only what the host presets need
    python3 -m ci.harness setup --with-host TRIPLE...   these targets and what the host presets need

(ci/setup.sh runs it, after installing python3 on a bare Debian.)
Idempotent: installs only missing Debian packages, fetches Check's source
once (Debian's `check` source package, through a private apt configuration
that leaves the system's sources alone) and builds it once per target into
the cache ($HARNESS_CACHE, default .cache/ in the repo). The host presets
use Debian's binary `check` package. In CI (CI=true) every shortfall that
would cost skips is an error.
"""
import concurrent.futures
import glob
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import time

from . import cythongen, reuse, rustshims, sysroots, tables

ROOT = tables.ROOT
# Host tools: compilers for the host presets (g++ for the header hygiene
# cases' C++), the build system, Check for the host, dpkg-dev to unpack
# source packages, qemu-user for foreign CPUs, Python with YAML for the
# checks of the reports and the CI workflow, pytest and coverage for the
# unit tests of ci/harness, valgrind and gnuplot for ci/results.sh,
# libabigail for the ABI audit, debootstrap and eatmydata for the proofs'
# CBMC root (and the i386 root), and the unit tests' check of the scripts,
# shellcheck.
HOST_PACKAGES = ("cmake ninja-build make pkg-config gcc g++ libc6-dev clang lld llvm debootstrap eatmydata "
                 "check libsubunit-dev dpkg-dev xz-utils qemu-user python3 python3-yaml python3-pytest "
                 "python3-coverage valgrind gnuplot-nox abigail-tools shellcheck clang-format").split()
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
MIRROR = "http://deb.debian.org/debian"
ACTION_VALIDATOR = "0.6.0"  # npm's @action-validator/cli: the CI workflow against GitHub's schema
SUITE_NAMES = {"bookworm": "Debian 12 (bookworm)", "trixie": "Debian 13 (trixie)", "sid": "Debian unstable (sid)"}
WINE32_ROOT_SOURCE = os.path.join(ROOT, "toolchains", "common", "wine32-root.c")  # runs a command in the i386 root
NO_NETWORK_WINE = {"WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml="}  # headless; no Mono or Gecko


class SetupError(Exception):
    """Setup cannot go on: what to say (exit 2)."""


def say(*lines):
    for line in lines:
        print(line, flush=True)


def shortfall(what):
    """Something the matrix can do without, at the price of skips (the CBMC
    root, the i386 root, a binding's package): a warning, but an error in CI
    (CI=true), where every skip it would cause is a broken setup, not a choice."""
    if os.environ.get("CI") == "true":
        raise SetupError(f"setup: {what} (CI=true: an error)")
    say(f"setup: WARNING: {what}")


def is_root():
    return os.geteuid() == 0


def run(cmd, log=None, **kw):
    """A command's exit status; its output to LOG (a path, appended) or dropped."""
    if log is None:
        return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw).returncode
    with open(log, "a") as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, **kw).returncode


def output(cmd, **kw):
    """(exit status, stdout and stderr together)."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", **kw)
    return p.returncode, p.stdout


def tail(path, n):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()[-n:]
    except OSError:
        return []


def parse_args(argv, known):
    """(targets, whether the host presets' own needs are wanted)."""
    if argv[:1] == ["--host-only"]:
        if len(argv) > 1:
            raise SetupError("setup: --host-only takes no target")
        return [], True
    with_host = argv[:1] == ["--with-host"]
    targets = argv[1:] if with_host else list(argv)
    for t in targets:
        if t not in known:
            raise SetupError(f"unknown target '{t}' (known: {' '.join(known)})")
    return (targets or list(known)), with_host or not argv


# ---- Debian packages --------------------------------------------------------

def missing_packages(packages):
    """Those of PACKAGES that dpkg does not have installed."""
    _, out = output(["dpkg-query", "-W", "-f=${Package} ${Status}\n", *packages])
    installed = {line.split()[0] for line in out.splitlines() if line.endswith(" install ok installed")}
    return [p for p in dict.fromkeys(packages) if p not in installed]


def install_packages(packages):
    missing = missing_packages(packages)
    if not missing:
        say(f"setup: all {len(set(packages))} Debian packages already installed")
        return
    say(f"setup: installing {len(missing)} Debian packages: {' '.join(missing)}")
    if not is_root():
        raise SetupError(f"setup: installing packages needs root (run as root, or install: {' '.join(missing)})")
    t0 = time.monotonic()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if run(["apt-get", "update", "-qq"]) or run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                                                   *missing], env=env):
        raise SetupError(f"setup: apt-get could not install {' '.join(missing)}")
    say(f"setup: packages installed in {time.monotonic() - t0:.0f} s")


# ---- roots made by debootstrap (in the background) --------------------------

def _ready(root, key):
    try:
        with open(os.path.join(root, ".key")) as f:
            return os.path.isfile(os.path.join(root, ".ready")) and f.read().strip() == key
    except OSError:
        return False


def _debootstrap(cache, name, shown, arch, suite, include, log):
    """A minbase root in CACHE/NAME.tmp: whether debootstrap made it."""
    root = os.path.join(cache, name)
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(root + ".tmp", ignore_errors=True)
    open(log, "w").close()
    if run(["eatmydata", "debootstrap", f"--arch={arch}", "--variant=minbase", f"--include={','.join(include)}",
            suite, root + ".tmp", MIRROR], log):
        say(f"setup: debootstrap of the {shown} FAILED:", *tail(log, 5))
        return False
    return True


def wine32_root_helper(cache):
    """toolchains/common/wine32-root.c built with the host's compiler, in the
    cache (its path), once per version of its source; None if it does not
    build. The toolchain files run Wine through it (windows.cmake)."""
    out_dir = os.path.join(cache, "wine32-root")
    helper, stamp = os.path.join(out_dir, "wine32-root"), os.path.join(out_dir, "source.sha256")
    command = ["cc", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", helper + ".tmp", WINE32_ROOT_SOURCE]
    with open(WINE32_ROOT_SOURCE, "rb") as f:
        digest = hashlib.sha256(f.read() + " ".join(command).encode()).hexdigest()
    try:
        with open(stamp) as f:
            if f.read().strip() == digest and os.access(helper, os.X_OK):
                return helper
    except OSError:
        pass
    os.makedirs(out_dir, exist_ok=True)
    rc, out = output(command)
    if rc != 0:
        say(f"setup: building {WINE32_ROOT_SOURCE} FAILED:", *out.splitlines()[-10:])
        return None
    os.replace(helper + ".tmp", helper)
    with open(stamp, "w") as f:
        f.write(digest + "\n")
    return helper


def make_i386_root(cache, packages):
    """32-bit Windows programs need wine32. Debian installs it through i386
    multiarch, which this machine's mirror cannot serve (its stale i386
    security index breaks apt-get update, so i386 is never added to this
    system). An i386 Debian 12 root made by debootstrap (main, no security
    suite) holds it instead, in the cache; toolchains/common/wine32-root.c
    runs Wine inside it."""
    root, log, t0 = os.path.join(cache, "i386-root"), os.path.join(cache, "i386-root.log"), time.monotonic()
    key = reuse.debootstrap_key("bookworm", "i386", packages)
    helper = wine32_root_helper(cache)
    if not helper:
        return False
    if _ready(root, key):
        return True
    if not is_root():
        say("setup: making the i386 root needs root (debootstrap, mount, chroot)")
        return False
    if not _debootstrap(cache, "i386-root", "i386 root", "i386", "bookworm", packages, log):
        return False
    os.rename(root + ".tmp", root)
    with open(os.path.join(root, ".key"), "w") as f:
        f.write(key + "\n")
    in_root = [helper, root, "/usr/bin/env", "HOME=/root",
               "WINEPREFIX=/root/wine32", "WINEDEBUG=-all"]
    if run(["timeout", "600", *in_root, "WINEDLLOVERRIDES=mscoree,mshtml=", "wineboot", "--init"], log):
        say(f"setup: creating the i386 root's Wine prefix FAILED (see {log})")
        return False
    run(["timeout", "120", *in_root, "wineserver", "--wait"])
    rc, version = output([*in_root, "wine", "--version"])
    version = version.strip() if rc == 0 else ""
    if not version:
        say(f"setup: Wine does not run in the i386 root (see {log})")
        return False
    with open(os.path.join(root, ".ready"), "w") as f:
        f.write(f"{version} (wine32, i386 Debian 12 root)\n")
    say(f"setup: i386 root with {version} made in {time.monotonic() - t0:.0f} s")
    return True


def make_cbmc_root(cache):
    """The Debian 13 root (debootstrap, cached): CBMC, which is in Debian 13
    only (cases/proofs/ runs it with the root's own loader and libraries:
    no chroot), and Debian 13's Rust, which builds the binding libraries'
    Rust copies (ci/harness/rustshims.py, in a chroot)."""
    root, log, t0 = os.path.join(cache, "cbmc-root"), os.path.join(cache, "cbmc-root.log"), time.monotonic()
    packages = ["cbmc", *rustshims.ROOT_RUST_PACKAGES]
    key = reuse.debootstrap_key("trixie", "amd64", packages)
    if _ready(root, key):
        return True
    if not is_root():
        say("setup: making the CBMC root needs root (debootstrap)")
        return False
    if not _debootstrap(cache, "cbmc-root", "CBMC root", "amd64", "trixie", packages, log):
        return False
    tmp = root + ".tmp"
    libs = f"{tmp}/lib/x86_64-linux-gnu:{tmp}/usr/lib/x86_64-linux-gnu:{tmp}/usr/lib"
    p = subprocess.run([f"{tmp}/lib64/ld-linux-x86-64.so.2", "--library-path", libs, f"{tmp}/usr/bin/cbmc",
                        "--version"], stdout=subprocess.PIPE, stderr=open(log, "a"), text=True)
    if p.returncode:
        say(f"setup: CBMC does not run from its root (see {log})")
        return False
    rustc = rustshims.root_package_version(tmp, "rustc")
    if not rustc:
        say(f"setup: the Debian 13 root has no rustc installed (see {log})")
        return False
    os.rename(tmp, root)
    version = p.stdout.strip()
    with open(os.path.join(root, ".key"), "w") as f:
        f.write(key + "\n")
    with open(os.path.join(root, ".ready"), "w") as f:
        f.write(f"cbmc {version} (Debian 13 root)\n")
    say(f"setup: Debian 13 root with cbmc {version} and rustc {rustc} made in {time.monotonic() - t0:.0f} s")
    return True


# ---- downloads through a private apt configuration --------------------------

def apt_options(apt_dir, *extra):
    """apt-get's options for a configuration of its own in APT_DIR, which
    leaves the system's sources and lists alone."""
    for d in ("lists/partial", "archives/partial"):
        os.makedirs(os.path.join(apt_dir, d), exist_ok=True)
    return ["-o", f"Dir::Etc::sourcelist={apt_dir}/sources.list", "-o", "Dir::Etc::sourceparts=/dev/null",
            "-o", f"Dir::State::Lists={apt_dir}/lists", "-o", f"Dir::Cache={apt_dir}", "-o",
            "APT::Sandbox::User=root", *extra]


def fetch_check_source(cache):
    """Debian's check source package, unpacked in CACHE/src/check."""
    src = os.path.join(cache, "src", "check")
    if os.path.isfile(os.path.join(src, "CMakeLists.txt")):
        return src
    say("setup: fetching Debian's check source package")
    t0, apt_dir = time.monotonic(), os.path.join(cache, "apt")
    opts = apt_options(apt_dir)
    with open(os.path.join(apt_dir, "sources.list"), "w") as f:
        f.write(f"deb-src [signed-by={KEYRING}] {MIRROR} bookworm main\n")
    dl = os.path.join(cache, "src", "dl")
    shutil.rmtree(dl, ignore_errors=True)
    os.makedirs(dl)
    if run(["apt-get", *opts, "update", "-qq"]) or run(["apt-get", *opts, "source", "--download-only", "-qq", "check"],
                                                        cwd=dl):
        raise SetupError("setup: could not download Debian's check source package")
    dsc = sorted(glob.glob(os.path.join(dl, "check_*.dsc")))
    if not dsc:
        raise SetupError("setup: could not download Debian's check source package")
    shutil.rmtree(src + ".tmp", ignore_errors=True)
    if run(["dpkg-source", "--no-check", "-x", dsc[0], src + ".tmp"]):
        raise SetupError(f"setup: could not unpack {dsc[0]}")
    os.rename(src + ".tmp", src)
    say(f"setup: {os.path.basename(dsc[0])[:-4]} unpacked in {time.monotonic() - t0:.0f} s")
    return src


def fetched_suite(apt_output, package, version):
    """The suite apt fetched PACKAGE's VERSION from ("Get:3 http://...
    trixie/main amd64 python3-mypy amd64 1.15.0-5 [...]"), or None."""
    for line in apt_output.splitlines():
        f = line.split()
        if len(f) >= 7 and f[0].startswith("Get:") and f[4] == package and f[6] == version:
            return f[2].split("/")[0]
    return None


def _deb_field(deb, field):
    return subprocess.run(["dpkg-deb", "-f", deb, field], stdout=subprocess.PIPE, text=True, check=True).stdout.strip()


def _untar(deb, dest, *members):
    """DEB's files (those matching MEMBERS) into DEST."""
    os.makedirs(dest, exist_ok=True)
    data = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    rc = subprocess.run(["tar", "-x", "-C", dest, "--wildcards", *members], stdin=data.stdout).returncode
    data.stdout.close()
    if data.wait() or rc:
        raise SetupError(f"setup: could not unpack {deb}")


def update_cpython_lists(cache, cpython_debs):
    """apt-get update of the private configuration for CPython's packages
    (every suite and architecture of CPYTHON_DEBS); its options."""
    apt_dir = os.path.join(cache, "apt-cpython")
    archs = ",".join(sorted({a for _, a, _ in cpython_debs}))
    opts = apt_options(apt_dir, "-o", "Acquire::Languages=none", "-o", f"APT::Architectures={archs}")
    with open(os.path.join(apt_dir, "sources.list"), "w") as f:
        f.writelines(f"deb [arch={archs} signed-by={KEYRING}] {MIRROR} {s} main\n"
                     for s in sorted({s for _, _, s in cpython_debs}))
    rc, out = output(["apt-get", *opts, "update", "-qq"])
    sys.stderr.write("".join(line + "\n" for line in out.splitlines() if "support architecture" not in line))
    if rc:
        raise SetupError("setup: apt-get update for CPython's packages FAILED")
    return opts


def fetch_cpython_headers(cache, cpython_debs, binding_debs):
    """libpython3.X-dev for every Debian architecture a target here matches,
    one download through a private apt configuration (parsing several suites
    and architectures is slow, so it happens once and the unpacked result is
    cached). Unpacked as cpython/<version>/include (the headers, without
    Debian's pyconfig.h dispatcher) and cpython/<version>/pyconfig/<multiarch>/
    (each architecture's own pyconfig.h and where it came from). Debian
    builds a suite's packages for each architecture it releases, known from
    the Packages indices the update fetched. The binding libraries' sources
    (harness/bindings/bindings.txt) come in the same download, unpacked as
    bindings/<package>_<suite>/<dir>, with an ORIGIN file naming the package
    and its version."""
    root, broot, apt_dir = (os.path.join(cache, d) for d in ("cpython", "bindings", "apt-cpython"))
    t0 = time.monotonic()
    key = reuse.downloads_key(cpython_debs, binding_debs)
    try:
        with open(os.path.join(root, ".fetched")) as f:
            if f.read().strip() == key:
                return
    except OSError:
        pass
    archs = ",".join(sorted({a for _, a, _ in cpython_debs}))
    say(f"setup: fetching CPython's headers (Debian {' '.join(sorted({s for _, _, s in cpython_debs}))}, for {archs}: "
        "one download)")
    opts = update_cpython_lists(cache, cpython_debs)
    wanted = [f"{package}:{arch}/{suite}" for package, arch, suite in cpython_debs
              if glob.glob(os.path.join(apt_dir, "lists", f"*_dists_{suite}_main_binary-{arch}_Packages*"))]
    wanted += [f"{package}:amd64/{suite}" for package, suite, _ in binding_debs]
    dl = os.path.join(cache, "cpython-debs")
    shutil.rmtree(dl, ignore_errors=True)
    os.makedirs(dl)
    # One call normally. Should Debian stop building one of them for an
    # architecture, the call fails as a whole: then each is fetched alone
    # (slow, but rare), and a target whose package is missing derives its
    # pyconfig.h from its compiler instead.
    rc, out = output(["apt-get", *opts, "download", *wanted], cwd=dl)
    if rc:
        first = next((line for line in out.splitlines() if line.startswith("E:")), "")
        say(f"setup: the combined download failed ({first}); fetching one by one")
        out = ""
        for w in wanted:
            rc, one = output(["apt-get", *opts, "download", w], cwd=dl)
            out += one
            if rc:
                shortfall(f"{w} is not in Debian: targets needing it derive their pyconfig.h, bindings needing it "
                          "are skips")
    if not glob.glob(os.path.join(dl, "libpython3.*_amd64.deb")):
        raise SetupError("setup: no CPython headers could be downloaded\n" + "\n".join(out.splitlines()[-5:]))
    for d in (root + ".tmp", broot + ".tmp"):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    for deb in sorted(glob.glob(os.path.join(dl, "*.deb"))):
        package, version, arch = (_deb_field(deb, f) for f in ("Package", "Version", "Architecture"))
        if not package.startswith("libpython"):
            # A binding's package: its suite is the one apt fetched this version from.
            suite = fetched_suite(out, package, version)
            into = next((d for p, s, d in binding_debs if p == package and s == suite), None)
            if into is None:
                raise SetupError(f"setup: {package} {version}: from which suite? (not in apt's output)")
            dest = os.path.join(broot + ".tmp", f"{package}_{suite}")
            _untar(deb, dest, f"./{into}")
            with open(os.path.join(dest, "ORIGIN"), "w") as f:
                f.write(f"Debian's {package} {version} ({suite})\n")
            continue
        x = package.removeprefix("libpython").removesuffix("-dev")
        suite = next(s for p, _, s in cpython_debs if p == package)
        unpacked = os.path.join(dl, "x")
        shutil.rmtree(unpacked, ignore_errors=True)
        _untar(deb, unpacked, "./usr/include/*")
        if arch == "amd64":
            shutil.copytree(os.path.join(unpacked, "usr", "include", f"python{x}"),
                            os.path.join(root + ".tmp", x, "include"), symlinks=True)
            # Debian's dispatcher: the harness pairs each target with its own pyconfig.h.
            os.remove(os.path.join(root + ".tmp", x, "include", "pyconfig.h"))
        for pc in sorted(glob.glob(os.path.join(unpacked, "usr", "include", "*", f"python{x}", "pyconfig.h"))):
            multiarch = os.path.basename(os.path.dirname(os.path.dirname(pc)))
            dest = os.path.join(root + ".tmp", x, "pyconfig", multiarch)
            os.makedirs(dest)
            shutil.copy(pc, dest)
            with open(os.path.join(dest, "ORIGIN"), "w") as f:
                f.write(f"Debian's {package} {version} ({arch}, {SUITE_NAMES.get(suite, suite)})\n")
    shutil.rmtree(dl)
    for d in (root, broot):
        shutil.rmtree(d, ignore_errors=True)
        os.rename(d + ".tmp", d)
    with open(os.path.join(root, ".fetched"), "w") as f:
        f.write(key + "\n")
    say(f"setup: CPython headers for {' '.join(sorted(n for n in os.listdir(root) if n[0] != '.'))} and binding sources "
        f"({' '.join(sorted(os.listdir(broot)))}) unpacked in {time.monotonic() - t0:.0f} s")


def install_action_validator(cache):
    """The CI workflow's validator (the unit tests check matrix.yml with it)."""
    stamp = os.path.join(cache, "npm", ".installed")
    if os.path.isfile(stamp) and open(stamp).read().strip() == ACTION_VALIDATOR:
        return
    t0 = time.monotonic()
    if not shutil.which("npm"):
        if not is_root():
            raise SetupError("setup: the workflow validator needs npm (install Debian's npm)")
        if run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "npm"],
               env=dict(os.environ, DEBIAN_FRONTEND="noninteractive")):
            raise SetupError("setup: npm could not be installed")
    prefix = os.path.join(cache, "npm")
    shutil.rmtree(prefix, ignore_errors=True)
    if (run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", prefix,
             f"@action-validator/cli@{ACTION_VALIDATOR}"])
            or not os.access(os.path.join(prefix, "node_modules", ".bin", "action-validator"), os.X_OK)):
        raise SetupError(f"setup: npm could not install @action-validator/cli@{ACTION_VALIDATOR}")
    with open(stamp, "w") as f:
        f.write(ACTION_VALIDATOR + "\n")
    say(f"setup: @action-validator/cli {ACTION_VALIDATOR} installed in {time.monotonic() - t0:.0f} s")


# ---- Check per target (built once with the target's GCC, reused by Clang) ----

def build_check(cache, src, target):
    prefix = os.path.join(cache, "check", target)
    stamp, key = os.path.join(prefix, ".built-from"), reuse.check_build_key(src, target)
    if os.path.isfile(stamp) and open(stamp).read().strip() == key:
        return True
    t0 = time.monotonic()
    bdir, log = os.path.join(cache, "build", f"check-{target}"), os.path.join(cache, "build", f"check-{target}.log")
    for d in (bdir, prefix):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(bdir)
    open(log, "w").close()
    if (run(["cmake", "-S", src, "-B", bdir, "-G", "Ninja",
             f"-DCMAKE_TOOLCHAIN_FILE={ROOT}/toolchains/{target}.cmake", "-DHARNESS_COMPILER=gcc",
             f"-DHARNESS_CACHE_DIR={cache}", "-DBUILD_TESTING=OFF", "-DCMAKE_BUILD_TYPE=Release",
             f"-DCMAKE_INSTALL_PREFIX={prefix}"], log)
            or run(["cmake", "--build", bdir, "--target", "install"], log)):
        say(f"setup: building Check for {target} FAILED (log: {log})", *tail(log, 20))
        return False
    os.makedirs(prefix, exist_ok=True)
    with open(stamp, "w") as f:
        f.write(key + "\n")
    shutil.rmtree(bdir)
    say(f"setup: Check built for {target} in {time.monotonic() - t0:.0f} s")
    return True


def make_wine_prefix(cache):
    """A Wine prefix for the Windows targets that run."""
    prefix = os.path.join(cache, "wine")
    if os.path.isfile(os.path.join(prefix, "system.reg")):
        return
    t0 = time.monotonic()
    env = dict(os.environ, WINEPREFIX=prefix, **NO_NETWORK_WINE)
    if run(["timeout", "600", "wineboot", "--init"], env=env):
        raise SetupError("setup: creating the Wine prefix failed")
    run(["timeout", "120", "wineserver", "--wait"], env=env)
    say(f"setup: Wine prefix created in {time.monotonic() - t0:.0f} s")


def made(job, what):
    """Whether a background job succeeded; one that raised says why."""
    try:
        return job.result()
    except (OSError, subprocess.SubprocessError, rustshims.RustError, sysroots.SysrootError) as e:
        say(f"setup: making {what} failed: {e}")
        return False


def setup(argv):
    started = time.monotonic()
    known = {t["triple"]: t for t in tables.targets(ROOT)}
    targets, setup_host = parse_args(argv, list(known))
    install_packages(HOST_PACKAGES + [p for t in targets for p in known[t]["apt"]])
    cache = reuse.cache_dir()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2 + (os.cpu_count() or 1)) as pool:
        # The roots are made in the background while the rest (mostly downloads) runs.
        i386_packages = sorted({p for t in targets for p in known[t]["i386_root"]})
        i386_root = (pool.submit(make_i386_root, cache, i386_packages)
                     if i386_packages and not os.path.exists("/usr/lib/wine/wine") else None)
        # The proofs' root: for the host presets, and a target whose toolchain file runs proofs.
        need_cbmc = setup_host or any(known[t]["proofs"] for t in targets)
        # The Debian 13 root: CBMC for the proofs, Rust for the Rust binding copies of every Linux target.
        linux = {tables.debian_arch(known[t]): (known[t]["multiarch"], t) for t in targets if tables.debian_arch(known[t])}
        if setup_host:
            linux["amd64"] = ("x86_64-linux-gnu", "x86_64-linux-gnu")
        cbmc_root = (pool.submit(make_cbmc_root, cache) if platform.machine() == "x86_64" and (need_cbmc or linux)
                     else None)
        src = fetch_check_source(cache) if targets else None
        fetch_cpython_headers(cache, tables.cpython_debs(ROOT), tables.binding_debs(ROOT))
        # The Cython copies' C, by Cython itself (about a second each, when their package or module changed).
        for name, error in sorted(cythongen.generate_all(os.path.join(cache, "bindings"), ROOT, say).items()):
            if error:
                shortfall(f"{name}: no C from Cython (configure names it as an error)")
        # Debian's interpreters per architecture (the interpreter family), from the lists just fetched.
        archs = {tables.debian_arch(known[t]) for t in targets} | ({"amd64"} if setup_host else set())
        machines = {tables.debian_arch(known[t]): (known[t]["qemu"], known[t]["multiarch"]) for t in targets}
        machines["amd64"] = ("", "x86_64-linux-gnu")
        def refresh():  # lists older than the mirror's files (unstable moves daily): fetched again, once
            try:
                update_cpython_lists(cache, tables.cpython_debs(ROOT))
            except SetupError as e:
                raise sysroots.SysrootError(str(e)) from e
        interpreters = pool.submit(sysroots.make_all, cache, ROOT, machines, say, archs - {None}, refresh)
        # The Rust copies' shims, in the root once it is made (the lists are fetched by now).
        rust = (pool.submit(lambda: made(cbmc_root, "the Debian 13 root")
                            and rustshims.make_all(cache, ROOT, os.path.join(cache, "cbmc-root"), linux, say))
                if cbmc_root and linux else None)
        install_action_validator(cache)
        # Targets that cannot link Check run the cases on cases/minicheck.
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as builders:
            built = list(builders.map(lambda t: build_check(cache, src, t),
                                      [t for t in targets if known[t]["check"] != "minicheck"]))
        if not all(built):
            raise SetupError("setup: Check could not be built for every target")
        if any("wine64" in known[t]["apt"] for t in targets):
            make_wine_prefix(cache)
        # Without it the 32-bit Windows configurations still build and audit,
        # and each of their tests is a skip that says why (toolchains/common/windows.cmake).
        if i386_root and not made(i386_root, "the i386 root"):
            shortfall(f"no i386 root with wine32 (see {cache}/i386-root.log): the 32-bit Windows tests will be skips")
        made_sysroots = made(interpreters, "the interpreters' sysroots")
        if made_sysroots is False:
            shortfall("no interpreter sysroots: the interpreter family's tests will be skips")
        for (arch, suite), error in sorted((made_sysroots or {}).items()):
            if error:
                shortfall(f"no {arch} {suite} sysroot ({error}): its interpreters' tests will be skips")
        if cbmc_root and not made(cbmc_root, "the CBMC root"):
            shortfall(f"no Debian 13 root (see {cache}/cbmc-root.log): the proofs will be skips, and the Rust "
                      "binding copies configure errors")
        made_shims = made(rust, "the Rust copies' shims") if rust else {}
        for (name, arch), error in sorted((made_shims or {}).items()):
            if error:
                shortfall(f"{name} for {arch}: {error} (configure names it as an error)")
    say(f"setup: done in {time.monotonic() - started:.0f} s (targets: {' '.join(targets) or 'host only'})")
    return 0


def main(argv):
    try:
        return setup(argv)
    except SetupError as e:
        print(e, file=sys.stderr)
        return 2
    except (tables.TableError, OSError) as e:
        print(f"setup: {e}", file=sys.stderr)
        return 2
