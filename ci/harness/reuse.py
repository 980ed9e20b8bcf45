"""reuse -- every cache key, in one place:

- reuse_key(): the key under which a configuration's last complete pass is
  reused: a digest of everything its tests depend on, as cmake/run-case.cmake
  keys one test's pass (the exact commands and test properties, the content
  of every file they name, the steering environment, STEERING_NAMES), and
  with the build directory every file its compilations and the proofs read
  (their depfiles) and the version of every compiler and emulator (cached
  per binary digest). Equal digests mean no test would run differently, so
  ci/matrix.sh may reuse the configuration's last complete pass;
- configure_key(): when a configuration is configured again (what it finds
  on the machine, machine_findings(), and its target's packages);
- audit_key(): when the ABI audit's last passing reports are reused;
- check_build_key(), downloads_key(), debootstrap_key(): when setup builds
  Check for a target, downloads CPython's headers and the binding sources,
  makes a root, again.

    python3 -m ci.harness reuse-key [BUILD_DIR] < ctest --show-only=json-v1
"""
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

# The environment that steers a case program, its runner or its emulator:
# the modules it loads (HARNESS_*_MODULE), the sanitizers' options, Check's
# CK_*, QEMU_*, WINE*. In a syntax CMake's regular expressions share:
# cmake/run-case.cmake keys one test's pass on the same names, through
# cmake/harness_tables.cmake (generated: ci/tables.py generate).
STEERING_NAMES = r"HARNESS_[A-Z0-9]+_MODULE|[A-Z]+SAN_OPTIONS|CK_[A-Z_]+|QEMU_[A-Z_]+|WINE[A-Z_]*"
STEERING = re.compile(f"({STEERING_NAMES})$")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CMAKE_DIR = os.path.join(ROOT, "cmake")
GENERATED_TABLES = os.path.join(CMAKE_DIR, "harness_tables.cmake")
# What every runner includes, though no test's command names it.
RUNNERS_INCLUDE = (GENERATED_TABLES, os.path.join(CMAKE_DIR, "verdict.cmake"))


# The tools whose version decides a result though their launcher may not
# change with it (Wine's libraries, a compiler driver's cc1): asked for
# --version, cached per binary digest.
TOOL = re.compile(r"(cc|c\+\+|gcc|g\+\+|clang|clang\+\+|clang-cl|[a-z0-9_]+-(linux|w64)-[a-z0-9_-]*(gcc|g\+\+)"
                  r"|qemu-[a-z0-9_]+|wine|wine64)(-[0-9.]+)?")


def tool_version(path, digest, cache):
    """The first line of `path --version`, cached by the binary's digest."""
    if digest not in cache:
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        cache[digest] = (out.strip().splitlines() or ["(no version)"])[0]
    return cache[digest]


def depfile_inputs(build_dir):
    """What the build's and the last run's compilations read: every object's
    dependencies in Ninja's log (the hygiene and must-not-compile cases
    compile at test time), and the proofs' (cmake/run-proof.cmake writes
    one .deps per proof input, from the preprocessed source's line markers)."""
    paths = set()
    try:
        out = subprocess.run(["ninja", "-C", build_dir, "-t", "deps"], capture_output=True, text=True,
                             timeout=120).stdout
        for line in out.splitlines():
            if line.startswith("    "):
                path = line.strip()
                paths.add(path if os.path.isabs(path) else os.path.join(build_dir, path))
    except (OSError, subprocess.SubprocessError):
        pass
    for deps in glob.glob(os.path.join(build_dir, "cases", "proofs", "i", "*.deps")):
        with open(deps, errors="replace") as f:
            paths.update(line.strip() for line in f if line.strip())
    return paths


def reuse_key(text, build_dir=None):
    """See the module's doc: the digest, or '' when the tests cannot be read.
    With the build directory, also every file its compilations read (their
    depfiles) and the version of every compiler and emulator involved."""
    try:
        tests = json.loads(text)["tests"]
    except (ValueError, KeyError, TypeError):
        return ""
    digest, hashed = hashlib.sha256(), {}

    def add_file(path):
        if path in hashed or not os.path.isabs(path) or not os.path.isfile(path):
            return
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        hashed[path] = h.hexdigest()

    digest.update(json.dumps(tests, sort_keys=True).encode())
    for path in RUNNERS_INCLUDE:  # the steering names, the versions; the verdict line
        add_file(path)
    for t in tests:
        for arg in t.get("command", []):
            for part in re.sub(r"^-D[A-Z_]+=", "", arg).split(";"):
                add_file(part)
        for prop in t.get("properties", []):
            if prop.get("name") == "ENVIRONMENT":
                for pair in prop.get("value", []):
                    add_file(pair.split("=", 1)[-1])
    tools = {p for p in hashed if TOOL.fullmatch(os.path.basename(p))}
    if build_dir:
        for path in depfile_inputs(build_dir):
            add_file(path)
        try:
            with open(os.path.join(build_dir, "CMakeCache.txt"), errors="replace") as f:
                for m in re.finditer(r"^CMAKE_(C|CXX)_COMPILER:[A-Z]+=(/\S+)$", f.read(), re.M):
                    add_file(m.group(2))
                    tools.add(m.group(2))
        except OSError:
            pass
    for path in sorted(hashed):
        digest.update(f"{path}={hashed[path]}\n".encode())
    # Versions, cached per binary digest beside the build directories.
    cache_file = os.path.join(os.path.dirname(os.path.abspath(build_dir)) if build_dir else ".",
                              ".harness-tool-versions.json")
    try:
        with open(cache_file) as f:
            versions = json.load(f)
    except (OSError, ValueError):
        versions = {}
    known = len(versions)
    for path in sorted(tools):
        digest.update(f"{path} --version: {tool_version(path, hashed[path], versions)}\n".encode())
    if len(versions) != known:
        try:
            with open(cache_file, "w") as f:
                json.dump(versions, f, indent=0, sort_keys=True)
        except OSError:
            pass
    for name in sorted(n for n in os.environ if STEERING.match(n)):
        digest.update(f"{name}={os.environ[name]}\n".encode())
    return digest.hexdigest()


def cache_dir():
    """Where setup keeps what it fetched and built: $HARNESS_CACHE, default .cache/ in the tree."""
    path = os.path.abspath(os.environ.get("HARNESS_CACHE") or os.path.join(ROOT, ".cache"))
    os.makedirs(path, exist_ok=True)
    return path


def _output(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_findings():
    """What configuring finds on this machine beyond the tree (CPython's
    headers fetched, Debian's interpreters in the sysroots, installs and
    interpreters, emulators and compilers,
    their packages' versions, the kernel), as one digest: a configuration
    whose digest changed is configured again, so that no finding outlives
    its cause."""
    from . import tables  # (tables and report import this module)
    from .report import read_text
    parts = [read_text(os.path.join(cache_dir(), "cpython", ".fetched"))]
    # Debian's interpreters (cases/interpreters/): which sysroots, of which packages, and which failed.
    parts += [f"{path}: {read_text(path)}" for pattern in ("*/.key", "*.FAILED")
              for path in sorted(glob.glob(os.path.join(cache_dir(), "sysroots", pattern)))]
    parts += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*")))
    for v in (r["name"] for r in tables.versions(ROOT) if r["kind"] == "gil"):
        parts += [shutil.which(f"python{v}") or "", shutil.which(f"python{v}-config") or ""]
    parts += [shutil.which(t) or "" for t in ("wine", "wineserver", "clang", "clang-cl-14", "qemu-s390x")]
    parts.append(os.uname().release)
    parts.append(_output("dpkg-query", "-W", "-f=${Package} ${Version}\n", "qemu-user", "wine64", "wine", "gcc",
                         "clang", "libc6"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def target_packages(target):
    """The installed versions of a target's packages (its toolchain file's
    harness-apt line)."""
    from . import tables
    if target == "host":
        return ""
    apt = next((t["apt"] for t in tables.targets(ROOT) if t["triple"] == target), [])
    return _output("dpkg-query", "-W", "-f=${Package} ${Version}\n", *apt) if apt else ""


def configure_key(findings, args, packages, pyconfigs):
    """What a configuration's configure read beyond the tree: the machine's
    findings, its arguments (your own headers), its target's packages, the
    pyconfig.h given. (Stripped, as the stamp is read back.)"""
    return "\n".join([findings, *args, packages, hashlib.sha256(pyconfigs.encode()).hexdigest()]).strip()


def audit_key(build_root, reports, audited):
    """The ABI audit of exactly these inputs: every audited configuration's
    probes, abi/ with its baselines, the audit's code and tables,
    libabigail's version."""
    h = hashlib.sha256()
    h.update("\n".join([build_root, reports, *audited]).encode())
    h.update(_output("abidw", "--version").encode())
    files = []
    for top in ["abi", "ci/abi-audit.sh", "ci/harness/audit.py", "ci/tables.py", "ci/harness/tables.py",
                "harness/versions.txt", *(os.path.join(build_root, p, "abi") for p in audited)]:
        top = os.path.join(ROOT, top)
        if os.path.isfile(top):
            files.append(top)
        for d, _, names in os.walk(top):
            files += [os.path.join(d, n) for n in names]
    for path in sorted(files):
        with open(path, "rb") as f:
            h.update(f"{path}={hashlib.sha256(f.read()).hexdigest()}\n".encode())
    return h.hexdigest()


def check_build_key(src, target):
    """Check built for TARGET: its source's version and the toolchain files."""
    h = hashlib.sha256()
    for path in [os.path.join(src, "debian", "changelog"), os.path.join(ROOT, "toolchains", f"{target}.cmake"),
                 *sorted(glob.glob(os.path.join(ROOT, "toolchains", "common", "*.cmake")))]:
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def downloads_key(cpython_debs, binding_debs):
    """CPython's headers and the binding sources: the packages the tables name."""
    return hashlib.sha256("".join(" ".join(d) + "\n" for d in [*cpython_debs, *binding_debs]).encode()).hexdigest()


def debootstrap_key(suite, arch, packages):
    """A root made by debootstrap: its suite, architecture and packages."""
    return f"debootstrap {suite} {arch} minbase: {' '.join(packages)}"


def main(argv):
    print(reuse_key(sys.stdin.read(), argv[0] if argv else None))
    return 0
