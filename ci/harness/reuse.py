"""reuse -- the key under which a configuration's last complete pass is
reused: a digest of everything its tests depend on, as cmake/run-case.cmake
keys one test's pass (the exact commands and test properties, the content
of every file they name, the steering environment), and with the build
directory every file its compilations and the proofs read (their depfiles)
and the version of every compiler and emulator (cached per binary digest).
Equal digests mean no test would run differently, so ci/matrix.sh may reuse
the configuration's last complete pass.

    python3 -m ci.harness reuse-key [BUILD_DIR] < ctest --show-only=json-v1
"""
import glob
import hashlib
import json
import os
import re
import subprocess
import sys

# The environment that steers a case program, its runner or its emulator:
# the modules it loads (HARNESS_*_MODULE), the sanitizers' options, Check's
# CK_*, QEMU_*, WINE*. In a syntax CMake's regular expressions share:
# cmake/run-case.cmake keys one test's pass on the same names, through
# cmake/harness_tables.cmake (generated: ci/tables.py generate).
STEERING_NAMES = r"HARNESS_[A-Z0-9]+_MODULE|[A-Z]+SAN_OPTIONS|CK_[A-Z_]+|QEMU_[A-Z_]+|WINE[A-Z_]*"
STEERING = re.compile(f"({STEERING_NAMES})$")
CMAKE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "cmake")
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


def main(argv):
    print(reuse_key(sys.stdin.read(), argv[0] if argv else None))
    return 0
