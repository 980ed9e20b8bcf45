"""sysroots: Debian's own CPython interpreters, per (architecture, suite).

For every Debian architecture a target here (or the host) matches, and every
suite harness/versions.txt takes a GIL version's headers from, setup unpacks
that suite's interpreters (python3.X-minimal and libpython3.X-stdlib: the
stdlib carries ctypes) with everything their Depends need, resolved from the
package lists the headers' download fetched (.cache/apt-cpython/lists, whose
signatures apt checked), into .cache/sysroots/<arch>-<suite>/. Each .deb is
fetched from the mirror by the index's file name and checked against the
index's SHA-256. A file the mirror no longer serves (a suite's index naming
a version that a security update replaced: trixie's libc6 for s390x) is
taken at unstable's version instead, and the sysroot's READY file says so.

Lists older than the mirror (unstable's files go daily) are fetched again
once. The standard library is byte-compiled, as Debian's postinst would.

A sysroot is made again only when its key changes: the packages, versions
and digests it holds. cases/interpreters/CMakeLists.txt reads its MULTIARCH
and READY files (one line per interpreter: "3.13 3.13.5-2 <command>", with
@SYSROOT@ for the sysroot) and runs each under the target's emulator with
`-L <sysroot>`, or on the host with the sysroot's own loader; a sysroot that
could not be made leaves <arch>-<suite>.FAILED, whose interpreters' tests
are skips saying why. The ports architectures (hppa, m68k, mips, ...) are
not on the mirror: no sysroot, and docs/targets.md says so.
"""
import concurrent.futures
import hashlib
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request

from . import tables

MIRROR = "http://deb.debian.org/debian"
ROOT_PACKAGES = ("python{v}-minimal", "libpython{v}-stdlib")
FALLBACK_SUITE = "sid"
KEY_FORMAT = "sysroot 3"  # bump when the layout of a sysroot changes
HOST_LOADER = "lib64/ld-linux-x86-64.so.2"


class SysrootError(Exception):
    """A sysroot cannot be made: what to say."""


class NotServed(SysrootError):
    """The mirror serves neither the index's version of a package nor
    unstable's: the lists are older than the mirror."""


def index_path(lists_dir, suite, arch):
    """The Packages index apt fetched for SUITE's main on ARCH, or None."""
    for name in sorted(os.listdir(lists_dir)) if os.path.isdir(lists_dir) else ():
        if name.startswith(f"deb.debian.org_debian_dists_{suite}_main_binary-{arch}_Packages"):
            return os.path.join(lists_dir, name)
    return None


def parse_index(text):
    """(packages: name -> fields, provides: virtual name -> the first real
    package providing it) of a Packages index's text."""
    packages, provides = {}, {}
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue  # continuation lines (descriptions) carry nothing needed here
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        name = fields.get("Package")
        if not name:
            continue
        packages.setdefault(name, fields)
        for virtual in fields.get("Provides", "").split(","):
            virtual = virtual.strip().split(" ")[0]
            if virtual:
                provides.setdefault(virtual, name)
    return packages, provides


def read_index(path):
    """parse_index() of an index file as apt keeps it (lz4, xz, gzip or
    plain: apt's own helper reads each)."""
    text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path], stdout=subprocess.PIPE, check=True).stdout
    return parse_index(text.decode("utf-8", "replace"))


def resolve(packages, provides, roots, follow=None):
    """The names of ROOTS and everything their Pre-Depends and Depends need,
    sorted: of alternatives the first the index has (a real package, or one
    providing a virtual name); an architecture qualifier (":any") is
    dropped. A dependency nothing satisfies is an error naming it. FOLLOW,
    if given, says which names to follow: a clause whose first alternative
    it refuses is left out (a crate's registry needs its crates, not the
    Debian packages of the compiler)."""
    wanted, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        if name not in packages:
            raise SysrootError(f"{name} is not in the index")
        wanted.add(name)
        for field in ("Pre-Depends", "Depends"):
            for clause in packages[name].get(field, "").split(","):
                if not clause.strip():
                    continue
                for choice in clause.split("|"):
                    dep = choice.strip().split(" ")[0].split(":")[0]
                    if follow and not follow(dep):
                        break
                    if dep in packages or dep in provides:
                        todo.append(dep if dep in packages else provides[dep])
                        break
                else:
                    raise SysrootError(f"{name}: nothing in the index satisfies '{clause.strip()}'")
    return sorted(wanted)


def plans(root, lists_dir):
    """[(arch, suite, [version...])]: a sysroot per Debian architecture of
    the host and the targets, and per suite harness/versions.txt takes a GIL
    version's headers from, where the mirror's lists hold that pair."""
    suites = {}
    for r in tables.versions(root):
        if r["kind"] == "gil" and r["headers"].startswith("debian:"):
            suites.setdefault(r["headers"].split(":", 1)[1], []).append(r["name"])
    archs = ["amd64"] + sorted({a for a in map(tables.debian_arch, tables.targets(root)) if a and a != "amd64"})
    return [(arch, suite, versions) for arch in archs for suite, versions in sorted(suites.items())
            if index_path(lists_dir, suite, arch)]


def sysroot_dir(cache, arch, suite):
    return os.path.join(cache, "sysroots", f"{arch}-{suite}")


def sysroot_key(stanzas):
    lines = [KEY_FORMAT] + sorted(f"{s['Package']} {s['Version']} {s['Architecture']} {s['SHA256']}" for s in stanzas)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


TRANSIENT_WAITS = (2, 4, 8, 16, 30)  # seconds between attempts: a minute in all


def fetch_deb(stanza, debs_dir, opener=None, sleep=time.sleep):
    """The .deb of an index stanza, in DEBS_DIR (one download for the
    sysroots that share it). None if the mirror does not serve it (HTTP
    404); a digest that differs from the index's is an error. A failure
    that can pass (the name service, a reset connection, HTTP 5xx: one run
    of CI was lost to a DNS blip) is tried again after each of
    TRANSIENT_WAITS before it is an error."""
    path = os.path.join(debs_dir, os.path.basename(stanza["Filename"]))
    if os.path.isfile(path) and _sha256(path) == stanza["SHA256"]:
        return path
    url = f"{MIRROR}/{stanza['Filename']}"
    for wait in (*TRANSIENT_WAITS, None):
        try:
            with (opener or urllib.request.urlopen)(url, timeout=120) as response:
                data = response.read()
            break
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            failure = f"HTTP {e.code}"
            if e.code < 500 and e.code != 429:
                raise SysrootError(f"{stanza['Filename']}: {failure}") from e
        except (urllib.error.URLError, OSError) as e:
            failure = str(e)
        if wait is None:
            raise SysrootError(f"{stanza['Filename']}: {failure} ({len(TRANSIENT_WAITS) + 1} attempts)")
        sleep(wait)
    if hashlib.sha256(data).hexdigest() != stanza["SHA256"]:
        raise SysrootError(f"{stanza['Filename']}: its SHA-256 is not the index's")
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"  # sysroots are made in parallel
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


def fetch_all(stanzas, debs_dir, fallback_index, opener=None):
    """The .debs of STANZAS (8 downloads at a time), and what was replaced:
    a file the mirror does not serve at the index's version is taken at the
    version of FALLBACK_INDEX() (unstable's: the mirror keeps its current
    files), read once if needed."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        fetched = list(pool.map(lambda s: fetch_deb(s, debs_dir, opener), stanzas))
    fallback, debs, replaced = None, [], []
    for stanza, path in zip(stanzas, fetched):
        if path is None:
            fallback = fallback if fallback is not None else fallback_index()
            other = fallback.get(stanza["Package"])
            path = other and fetch_deb(other, debs_dir, opener)
            if not path:
                raise NotServed(f"{stanza['Filename']} is not served, nor is {FALLBACK_SUITE}'s {stanza['Package']}")
            replaced.append(f"{stanza['Package']} {stanza['Version']} -> {other['Version']} ({FALLBACK_SUITE})")
        debs.append(path)
    return debs, replaced


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ready_lines(directory):
    """The interpreters a made sysroot holds, as its READY file lists them:
    [(version, package version, command line with @SYSROOT@ for the
    sysroot's directory)]."""
    try:
        with open(os.path.join(directory, "READY")) as f:
            return [(line.split()[0], line.split()[1], line.split()[2:]) for line in f
                    if line.strip() and not line.startswith("#")]
    except OSError:
        return []


def interpreters(cache, arch):
    """[(version, sysroot directory, READY command)] of every interpreter
    the made sysroots of ARCH hold, by version (run_command() makes the
    command this machine runs)."""
    out = []
    for name in sorted(os.listdir(os.path.join(cache, "sysroots"))) if os.path.isdir(os.path.join(cache, "sysroots")) else ():
        if name.startswith(arch + "-") and not name.endswith(".tmp"):
            out += [(v, os.path.join(cache, "sysroots", name), command)
                    for v, _, command in ready_lines(os.path.join(cache, "sysroots", name))]
    return sorted(out, key=lambda r: [int(x) for x in r[0].split(".")])


def multiarch_of(directory):
    """The multiarch tuple whose libc the sysroot holds (s390x-linux-gnu)."""
    for libdir in ("usr/lib", "lib"):
        for name in sorted(os.listdir(os.path.join(directory, libdir))):
            if os.path.exists(os.path.join(directory, libdir, name, "libc.so.6")):
                return name
    raise SysrootError(f"no libc.so.6 under {directory}/usr/lib/*/")


def interpreter_command(arch, multiarch, version):
    """How to start python<VERSION> of a sysroot, with @SYSROOT@ for its
    directory (the READY file's form; cases/interpreters/CMakeLists.txt
    puts the target's emulator and -L @SYSROOT@ in front where it emulates).
    The host's (amd64) runs with the sysroot's own loader and libraries, as
    the CBMC root's cbmc does."""
    python = f"@SYSROOT@/usr/bin/python{version}"
    if arch != "amd64":
        return [python]
    libs = f"@SYSROOT@/lib/{multiarch}:@SYSROOT@/usr/lib/{multiarch}"
    return [f"@SYSROOT@/{HOST_LOADER}", "--library-path", libs, python]


def run_command(directory, arch, qemu, command):
    """A READY command line, for this machine, in DIRECTORY."""
    command = [c.replace("@SYSROOT@", directory) for c in command]
    return command if arch == "amd64" else [qemu, "-L", directory, *command]


def relocate_links(directory):
    """Makes the unpacked packages a root the emulator's -L (or the host's
    loader) can use: merged /usr's links where the packages do not make them
    (lib -> usr/lib, lib64 -> usr/lib64 or usr/lib), and every absolute
    symbolic link (bookworm's lib64/ld64.so.2 -> /lib/...) made relative, so
    that it resolves inside the sysroot rather than on this machine; and an
    empty ld.so.cache, so that the loader does not take this machine's
    (which sends i386 programs to its /lib32)."""
    for link, target in (("lib", "usr/lib"), ("lib64", "usr/lib64")):
        if not os.path.lexists(os.path.join(directory, link)):
            if not os.path.isdir(os.path.join(directory, target)):
                target = "usr/lib"
            os.symlink(target, os.path.join(directory, link))
    for parent, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = os.path.join(parent, name)
            if os.path.islink(path) and os.readlink(path).startswith("/"):
                target = os.path.join(directory, os.readlink(path).lstrip("/"))
                os.remove(path)
                os.symlink(os.path.relpath(target, parent), path)
    os.makedirs(os.path.join(directory, "etc"), exist_ok=True)
    open(os.path.join(directory, "etc", "ld.so.cache"), "w").close()


def compile_stdlib(cache, directory, arch, qemu, multiarch, version):
    """Byte-compiles the sysroot's standard library of VERSION, as Debian's
    postinst (py3compile) does where the package is installed: unpacked,
    every interpreter's first imports would compile their modules and write
    the .pyc files into the cache, so that a first run's heap (what the
    copy-on-write experiment forks) differs from every later one's. With
    the host's own interpreter of that version where its sysroot is made
    (a .pyc depends on the version, not the architecture: about 1.5 s),
    else the sysroot's own, emulated."""
    native = [run_command(d, "amd64", "", c) for v, d, c in interpreters(cache, "amd64") if v == version]
    command = native[0] if native and arch != "amd64" else run_command(
        directory, arch, qemu, interpreter_command(arch, multiarch, version))
    p = subprocess.run([*command, "-I", "-m", "compileall", "-q", "-d", f"/usr/lib/python{version}",
                        os.path.join(directory, "usr", "lib", f"python{version}")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", timeout=1200)
    if p.returncode:
        raise SysrootError(f"python{version}'s standard library does not byte-compile in the {arch} sysroot: "
                           f"{(p.stdout.strip().splitlines() or ['(no output)'])[-1]}")


def make_sysroot(cache, lists_dir, arch, suite, versions, qemu, log=print):
    """Makes (or keeps) the sysroot of ARCH and SUITE for VERSIONS; returns
    what its READY file lists. Raises SysrootError saying why not."""
    t0 = time.monotonic()
    directory = sysroot_dir(cache, arch, suite)
    packages, provides = read_index(index_path(lists_dir, suite, arch))
    roots = [p.format(v=v) for v in versions for p in ROOT_PACKAGES]
    stanzas = [packages[name] for name in resolve(packages, provides, roots)]
    key = sysroot_key(stanzas)
    try:
        with open(os.path.join(directory, ".key")) as f:
            if f.read().strip() == key and ready_lines(directory):
                return ready_lines(directory)
    except OSError:
        pass
    debs_dir = os.path.join(cache, "sysroots", "debs")
    os.makedirs(debs_dir, exist_ok=True)

    def fallback_index():
        path = index_path(lists_dir, FALLBACK_SUITE, arch)
        if not path:
            raise SysrootError(f"there is no {FALLBACK_SUITE} index for {arch} to fall back on")
        return read_index(path)[0]
    debs, replaced = fetch_all(stanzas, debs_dir, fallback_index)
    tmp = directory + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    for deb in debs:
        if subprocess.run(["dpkg-deb", "-x", deb, tmp], stderr=subprocess.PIPE, text=True).returncode:
            raise SysrootError(f"could not unpack {deb}")
    relocate_links(tmp)
    multiarch = multiarch_of(tmp)
    lines = []
    for v in versions:
        command = interpreter_command(arch, multiarch, v)
        p = subprocess.run([*run_command(tmp, arch, qemu, command), "-I", "-c",
                            "import sys; print('%d.%d' % sys.version_info[:2])"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                           timeout=120)
        if p.returncode or p.stdout.strip() != v:
            raise SysrootError(f"python{v} does not run from the {arch} {suite} sysroot: "
                               f"{(p.stdout.strip().splitlines() or ['(no output)'])[-1]}")
        lines.append(f"{v} {packages[f'python{v}-minimal']['Version']} {' '.join(command)}")
    for v in versions:
        compile_stdlib(cache, tmp, arch, qemu, multiarch, v)
    with open(os.path.join(tmp, "MULTIARCH"), "w") as f:
        f.write(multiarch + "\n")
    with open(os.path.join(tmp, "READY"), "w") as f:
        f.write(f"# Debian {suite}, {arch}: {len(stanzas)} packages resolved from Depends\n")
        f.writelines(f"# replaced: {r}\n" for r in replaced)
        f.writelines(line + "\n" for line in lines)
    with open(os.path.join(tmp, ".key"), "w") as f:
        f.write(key + "\n")
    shutil.rmtree(directory, ignore_errors=True)
    os.rename(tmp, directory)
    log(f"setup: sysroot {arch}-{suite} ({' '.join('python' + v for v in versions)}, {len(stanzas)} packages"
        f"{', ' + str(len(replaced)) + ' from ' + FALLBACK_SUITE if replaced else ''}) made in "
        f"{time.monotonic() - t0:.0f} s")
    return ready_lines(directory)


def make_all(cache, root, machines, log=print, archs=None, refresh=None, workers=3):
    """The sysroots plans() lists (of ARCHS only, if given): {(arch, suite):
    error or None}. MACHINES maps a Debian architecture to (its emulator,
    its multiarch tuple); the host's (amd64) needs no emulator. A sysroot
    that cannot be made leaves <arch>-<suite>.FAILED saying why, for its
    interpreters' tests to be skips that say so (cases/interpreters/).
    REFRESH, if given, fetches the package lists again: called once, when
    the mirror no longer serves what they name, and that sysroot tried
    again. The host's first (the others byte-compile with its
    interpreters), then WORKERS at a time: most of the time is downloads."""
    lists_dir = os.path.join(cache, "apt-cpython", "lists")
    refreshed = threading.Lock()
    refresh_once = [refresh]

    def make(plan):
        arch, suite, versions = plan
        failed = sysroot_dir(cache, arch, suite) + ".FAILED"
        qemu, multiarch = machines.get(arch, ("", ""))
        try:
            try:
                make_sysroot(cache, lists_dir, arch, suite, versions, qemu, log)
            except NotServed as e:
                with refreshed:
                    again, refresh_once[0] = refresh_once[0], None
                    if again:
                        log(f"setup: {e}: fetching the package lists again")
                        again()
                make_sysroot(cache, lists_dir, arch, suite, versions, qemu, log)
            if os.path.exists(failed):
                os.remove(failed)
            return None
        except (SysrootError, OSError, subprocess.SubprocessError) as e:
            with open(failed, "w") as f:
                f.write(f"multiarch {multiarch}\nversions {' '.join(versions)}\n"
                        f"why no {arch} {suite} sysroot: {' '.join(str(e).split())}\n")
            return str(e)

    wanted = [p for p in plans(root, lists_dir) if archs is None or p[0] in archs]
    host = [p for p in wanted if p[0] == "amd64"]
    others = [p for p in wanted if p[0] != "amd64"]
    failures = {(p[0], p[1]): make(p) for p in host}
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        failures.update({(p[0], p[1]): error for p, error in zip(others, pool.map(make, others))})
    # A sysroot is unpacked again only for new versions: its files are not kept.
    shutil.rmtree(os.path.join(cache, "sysroots", "debs"), ignore_errors=True)
    return failures
