"""rustshims: binding libraries' Rust copies of the refcount code (PyO3's
pyo3-ffi), built once per (architecture, CPython version) as objects that
the case programs link as implementations (harness/bindings/bindings.cmake).

Rust comes from Debian only. The Debian 13 root that setup makes (it holds
CBMC too) has rustc and cargo; each architecture's standard library is that
release's libstd-rust-dev for it, at exactly the root's rustc version,
unpacked into the root's rustlib. A copy's crate and everything its
Depends need (librust-*-dev, resolved from the package lists the headers'
download fetched) are unpacked as a directory registry: `cargo --offline`
builds from nothing else.

Per (copy, architecture, version) a shim crate (harness/bindings/<shim>)
exports each operation `extern "C"` under the implementation's own names.
Its pyo3-ffi is configured by PyO3's own pyo3-build-config, from a config
file (PYO3_CONFIG_FILE) naming the version and, for a free-threaded one,
the Py_GIL_DISABLED build flag: the cfgs are PyO3's, never set here. The
static library is cut down to what the exported functions reach (ld -r
--gc-sections, by the target's binutils) and every other symbol made local,
so that the copies of Rust's standard library in different shims do not
meet in one program.

Which operations are the copy's own, per version, is read off the objects:
an operation whose code calls libpython's function for that operation
(_Py_IncRef where Py_INCREF is not inlined: free-threaded, limited API) is
CPython's, not the copy's. A version the copy's build script refuses (newer
than it supports) has no code of its own; any other failure is an error
naming the package and the architecture.

Written to .cache/rust-shims/<copy>/<multiarch>/: <version>.o and
<version>.own (its own operations, one line) or <version>.none (why none),
ORIGIN and .key; <multiarch>.FAILED (why it could not be built: configure
names it as an error) or <multiarch>.NONE (an architecture Debian 13
builds no Rust for: a skip) beside it; .unchanged, the inputs of the last
complete run, at the top.
"""
import concurrent.futures
import glob
import hashlib
import os
import re
import shutil
import subprocess
import time

from . import sysroots, tables

KEY_FORMAT = "rust-shims 1"  # bump when what a shim holds changes
# libpython's functions that ARE an operation: a shim whose operation calls
# one has none of its own for it.
DELEGATES = {"incref": ("_Py_IncRef", "Py_IncRef"), "decref": ("_Py_DecRef", "Py_DecRef"),
             "refcnt": ("Py_REFCNT", "_Py_REFCNT")}
# What a build script says of a version it does not support (pyo3-ffi's
# build.rs): that version has no code of the copy's own, not an error.
UNSUPPORTED = re.compile(r"(newer|lower) than PyO3's (maximum|minimum) supported version|"
                         r"built with the GIL disabled, which is not (yet )?supported")
ROOT_RUST_PACKAGES = ("rustc", "cargo", "libc6-dev")
# Undefined symbols of a shim that every link of a C program resolves: the
# linker's own (GOT, ppc64's TOC) and ARM EHABI's personality routines,
# which the unwind tables name (libgcc).
LINKER_PROVIDED = re.compile(r"_GLOBAL_OFFSET_TABLE_|\.TOC\.|__aeabi_unwind_cpp_pr[0-2]")
# What every shim exports besides its operations: the size of its PyObject
# (the adapter compares it with the real header's).
ALWAYS_EXPORTED = ("object_size",)


class RustError(Exception):
    """A shim cannot be built: what to say (names the package and target)."""


def rust_rows(root, table=None):
    """The Rust rows of the binding table, with the crate each names
    (Debian's librust-<crate>-dev)."""
    out = []
    for b in tables.bindings(root, table):
        if b["lang"] == "Rust":
            m = re.fullmatch(r"librust-([a-z0-9-]+)-dev", b["package"])
            if not m:
                raise RustError(f"{b['name']}: {b['package']} is not a librust-<crate>-dev package")
            out.append(dict(b, crate=m.group(1)))
    return out


def crate_closure(packages, provides, root_package):
    """The librust-* packages ROOT_PACKAGE needs (sysroots.resolve, which
    raises SysrootError naming what is missing): the crates of its
    registry. Other dependencies (Debian's rustc, libpython) are not
    crates: the root provides the compiler."""
    return sysroots.resolve(packages, provides, [root_package], follow=lambda name: name.startswith("librust-"))


def root_package_version(rust_root, package):
    """The version of PACKAGE installed in the root (its dpkg status), or None."""
    try:
        with open(os.path.join(rust_root, "var", "lib", "dpkg", "status")) as f:
            stanzas = f.read().split("\n\n")
    except OSError:
        return None
    for stanza in stanzas:
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and line[0] != " ")
        if fields.get("Package") == package and fields.get("Status", "").endswith(" installed"):
            return fields["Version"]
    return None


def config_file(version, pointer_width):
    """pyo3-build-config's config file for a harness version ("3.14t")."""
    free_threaded = version.endswith("t")
    v = version.rstrip("t")
    return (f"implementation=CPython\nversion={v}\nshared=true\nabi3=false\nlib_name=python{version}\n"
            f"pointer_width={pointer_width}\nbuild_flags={'Py_GIL_DISABLED' if free_threaded else ''}\n"
            "suppress_build_script_link_lines=true\n")


def symbol_prefix(name, version):
    """The C names of an implementation's shim functions start with this
    (cmake's string(MAKE_C_IDENTIFIER) of harness_<name>-<version>, and _)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"harness_{name}-{version}") + "_"


def in_root(rust_root, argv, env, log):
    """ARGV run in the Debian 13 root, a plain chroot: rustc and cargo find
    their sysroot without /proc, so nothing is mounted (which a container
    without mount privilege, GitHub's, could not): (exit code, output)."""
    command = ["chroot", rust_root, "env", "-i", "HOME=/tmp", "PATH=/usr/bin:/bin",
               *[f"{k}={v}" for k, v in env.items()], *argv]
    p = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    with open(log, "a") as f:
        f.write(f"$ {' '.join(argv)}\n{p.stdout}\n")
    return p.returncode, p.stdout


def undefined_symbols(obj):
    """The undefined global symbols of an ELF object (readelf reads every
    architecture's)."""
    p = subprocess.run(["readelf", "-s", "-W", obj], stdout=subprocess.PIPE, text=True, check=True)
    return {f[7] for f in (line.split() for line in p.stdout.splitlines())
            if len(f) >= 8 and f[6] == "UND" and f[4] in ("GLOBAL", "WEAK")}


def cut(binutils, archive, prefix, ops, out, scratch):
    """ARCHIVE (the shim's static library) as one object OUT holding only
    what the exported PREFIX<op> functions reach, every other symbol local;
    returns the operations that are the copy's own (call no DELEGATES)."""
    ld, objcopy = f"{binutils}-ld", f"{binutils}-objcopy"
    for tool in (ld, objcopy):
        if not shutil.which(tool):
            raise RustError(f"no {tool} (the target's binutils) to cut the shim with")

    def gc(roots, path):
        args = [ld, "-r", "-S", "--gc-sections", *[a for op in roots for a in ("-u", prefix + op)],
                "--whole-archive", archive, "-o", path]
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        if p.returncode:
            raise RustError(f"{ld} -r of {archive} failed: {p.stdout.strip()[-300:]}")
    own = []
    for op in ops:
        one = os.path.join(scratch, f"{op}.o")
        gc([op], one)
        if not undefined_symbols(one) & set(DELEGATES.get(op, ())):
            own.append(op)
    # Only the own operations: one that calls libpython's would need it.
    exported = [*own, *ALWAYS_EXPORTED]
    gc(exported, out + ".tmp")
    keep = os.path.join(scratch, "keep")
    with open(keep, "w") as f:
        f.writelines(prefix + name + "\n" for name in exported)
    # libpython's _Py_Dealloc, under this implementation's own name: the
    # adapter (binding_rust.c) records it in the active runtime.
    p = subprocess.run([objcopy, f"--keep-global-symbols={keep}", "--strip-unneeded", "--remove-section=.llvmbc",
                        "--remove-section=.llvmcmd", "--remove-section=.comment",
                        f"--redefine-sym=_Py_Dealloc={prefix}_Py_Dealloc", out + ".tmp", out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    os.remove(out + ".tmp")
    if p.returncode:
        raise RustError(f"{objcopy} of the shim failed: {p.stdout.strip()[-300:]}")
    unexpected = {s for s in undefined_symbols(out) - {f"{prefix}_Py_Dealloc"} if not LINKER_PROVIDED.fullmatch(s)}
    if unexpected:
        raise RustError(f"the shim's own operations call {', '.join(sorted(unexpected))}, which the harness does "
                        "not provide (binding_rust.c defines _Py_Dealloc only)")
    return own


class Builder:
    """The shims of the Rust rows for the architectures given, in the root."""

    def __init__(self, cache, root, rust_root, lists_dir, log=print):
        self.cache, self.root, self.rust_root, self.lists_dir, self.log = cache, root, rust_root, lists_dir, log
        self.work = os.path.join(rust_root, "harness-rust")  # the builds' directory, inside the root
        self.logfile = os.path.join(cache, "rust-shims.log")

    def index(self, suite, arch):
        path = sysroots.index_path(self.lists_dir, suite, arch)
        if not path:
            raise RustError(f"no {suite} package list for {arch} (the headers' download fetches it)")
        return sysroots.read_index(path)

    def registry(self, row):
        """The row's crate closure, unpacked as a directory registry inside
        the root: (its path in the root, the crate's version, key lines)."""
        packages, provides = self.index(row["suite"], "amd64")
        names = crate_closure(packages, provides, row["package"])
        stanzas = [packages[n] for n in names]
        key = sysroots.sysroot_key(stanzas)
        where = os.path.join(self.work, f"registry-{row['package']}-{row['suite']}")
        if not _key_is(where, key):
            debs = os.path.join(self.cache, "rust-debs")
            os.makedirs(debs, exist_ok=True)
            paths, _ = sysroots.fetch_all(stanzas, debs, lambda: {})
            shutil.rmtree(where, ignore_errors=True)
            tmp = where + ".tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(tmp)
            for deb in paths:
                if subprocess.run(["dpkg-deb", "-x", deb, tmp]).returncode:
                    raise RustError(f"could not unpack {deb}")
            os.rename(tmp, where)
            _write_key(where, key)
        crates = os.path.join(where, "usr", "share", "cargo", "registry")
        found = glob.glob(os.path.join(crates, f"{row['crate']}-[0-9]*"))
        if len(found) != 1:
            raise RustError(f"{row['package']} ({row['suite']}): no single {row['crate']} crate in it "
                            f"({len(found)} found)")
        crate_dir = found[0]
        sources = [p for p in glob.glob(os.path.join(crate_dir, "src", "**", "*.rs"), recursive=True)
                   if re.search(row["own"], os.path.relpath(p, crate_dir))]
        if not sources:
            raise RustError(f"{row['package']} ({row['suite']}): no source matching '{row['own']}' in "
                            f"{os.path.basename(crate_dir)}")
        version = os.path.basename(crate_dir)[len(row["crate"]) + 1:]
        return "/" + os.path.relpath(crates, self.rust_root), version, [key]

    def standard_library(self, arch):
        """libstd-rust-dev for ARCH at the root's rustc version, in the
        root's rustlib: the Rust target triple, and a key line."""
        rustc = root_package_version(self.rust_root, "rustc")
        if not rustc:
            raise RustError("the Debian 13 root has no rustc")
        packages, _ = self.index("trixie", arch)
        stanza = packages.get("libstd-rust-dev")
        if not stanza:
            raise RustError(f"libstd-rust-dev: Debian 13 has none for {arch}")
        if stanza["Version"] != rustc:
            raise RustError(f"libstd-rust-dev for {arch}: Debian 13 serves {stanza['Version']}, the root's rustc "
                            f"is {rustc} (a point release since the root was made: remove "
                            f"{self.rust_root} and run ci/setup.sh again)")
        stamp = os.path.join(self.work, f"libstd-{arch}")
        key = f"{stanza['Package']} {stanza['Version']} {stanza['SHA256']}"
        if not _key_is(stamp, key):
            debs = os.path.join(self.cache, "rust-debs")
            os.makedirs(debs, exist_ok=True)
            deb = sysroots.fetch_deb(stanza, debs)
            if not deb:
                raise RustError(f"libstd-rust-dev {stanza['Version']} for {arch}: the mirror does not serve it")
            if subprocess.run(["dpkg-deb", "-x", deb, self.rust_root]).returncode:
                raise RustError(f"could not unpack {deb}")
            listing = subprocess.run(["dpkg-deb", "-c", deb], stdout=subprocess.PIPE, text=True, check=True).stdout
            triples = sorted(set(re.findall(r"usr/lib/rustlib/([^/\s]+)/lib/", listing)))
            if len(triples) != 1:
                raise RustError(f"libstd-rust-dev for {arch}: not one Rust target in it ({triples})")
            os.makedirs(stamp, exist_ok=True)
            with open(os.path.join(stamp, "TRIPLE"), "w") as f:
                f.write(triples[0] + "\n")
            _write_key(stamp, key)
        with open(os.path.join(stamp, "TRIPLE")) as f:
            return f.read().strip(), key

    def build(self, row, arch, multiarch, binutils, versions, shim_source, out_root=None, configured_as=None):
        """The shims of ROW for ARCH: {version: own ops or None}, in
        OUT_ROOT (the cache's rust-shims by default). CONFIGURED_AS maps a
        version to the one its config file names instead: the self-test's
        deliberately misconfigured copy (ci/integration.py)."""
        configured_as = configured_as or {}
        t0 = time.monotonic()
        registry, crate_version, reg_key = self.registry(row)
        triple, std_key = self.standard_library(arch)
        shim_digest = _file_digest(shim_source)
        out_dir = os.path.join(out_root or os.path.join(self.cache, "rust-shims"), row["name"], multiarch)
        key = "\n".join([KEY_FORMAT, row["name"], row["ops"], triple, binutils, *reg_key, std_key, shim_digest,
                         *versions, *(f"{v} configured as {c}" for v, c in sorted(configured_as.items()))])
        if _key_is(out_dir, key):
            return _read_results(out_dir, versions)
        project = os.path.join(self.work, f"{row['name']}-{arch}")
        shutil.rmtree(project, ignore_errors=True)
        os.makedirs(os.path.join(project, "src"))
        os.makedirs(os.path.join(project, ".cargo"))
        shutil.copy(shim_source, os.path.join(project, "src", "lib.rs"))
        with open(os.path.join(project, "Cargo.toml"), "w") as f:
            f.write(f'[package]\nname = "harness_shim"\nversion = "0.0.0"\nedition = "2021"\n\n'
                    f'[lib]\ncrate-type = ["staticlib"]\npath = "src/lib.rs"\n\n'
                    f'[dependencies]\n{row["crate"]} = "={crate_version}"\n\n'
                    f'[profile.release]\npanic = "abort"\nopt-level = 2\ndebug = false\n')
        with open(os.path.join(project, ".cargo", "config.toml"), "w") as f:
            f.write(f'[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "{registry}"\n\n'
                    '[net]\noffline = true\n')
        inside = "/" + os.path.relpath(project, self.rust_root)
        rc, cfg = in_root(self.rust_root, ["rustc", "--print", "cfg", "--target", triple], {}, self.logfile)
        width = re.search(r'target_pointer_width="(\d+)"', cfg)
        if rc or not width:
            raise RustError(f"rustc does not know the target {triple} ({arch}): {cfg.strip()[-200:]}")
        tmp = out_dir + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        results = {}
        try:
            self._build_versions(row, arch, triple, binutils, versions, project, inside, width.group(1), tmp,
                                 crate_version, results, configured_as)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        with open(os.path.join(tmp, "ORIGIN"), "w") as f:
            f.write(f"{row['crate']} {crate_version} (Debian {row['suite']}'s {row['package']}), "
                    f"built by rustc {root_package_version(self.rust_root, 'rustc')} for {triple}\n")
        _write_key(tmp, key)
        shutil.rmtree(out_dir, ignore_errors=True)
        os.rename(tmp, out_dir)
        shutil.rmtree(project, ignore_errors=True)
        built = sum(1 for v in results.values() if v is not None)
        self.log(f"setup: {row['name']} shims for {arch} ({built} of {len(versions)} versions) made in "
                 f"{time.monotonic() - t0:.0f} s")
        return results

    def _build_versions(self, row, arch, triple, binutils, versions, project, inside, width, tmp, crate_version,
                        results, configured_as):
        ops = [op.split("=")[0] for op in row["ops"].split(",")]
        for version in versions:
            with open(os.path.join(project, "pyo3.cfg"), "w") as f:
                f.write(config_file(configured_as.get(version, version), width))
            prefix = symbol_prefix(row["name"], version)
            rc, out = in_root(self.rust_root, ["sh", "-c", f"cd {inside} && cargo build --release --offline "
                                               f"--target {triple}"],
                              {"PYO3_CONFIG_FILE": f"{inside}/pyo3.cfg", "HARNESS_SHIM_PREFIX": prefix},
                              self.logfile)
            if rc:
                refused = UNSUPPORTED.search(out)
                if not refused:
                    said = [line.strip() for line in out.splitlines() if "error" in line][:2] or out.splitlines()[-2:]
                    raise RustError(f"{row['package']} {crate_version} ({row['name']}) does not build for {arch} "
                                    f"({triple}), CPython {version}: {' | '.join(said)} (log: {self.logfile})")
                why = next(line for line in out.splitlines() if refused.group(0) in line).strip()
                why = re.sub(r"^(error|warning):\s*", "", why)
                with open(os.path.join(tmp, f"{version}.none"), "w") as f:
                    f.write(f"{row['crate']} {crate_version}'s build script refuses CPython {version}: {why}\n")
                results[version] = None
                continue
            archive = os.path.join(project, "target", triple, "release", "libharness_shim.a")
            scratch = os.path.join(project, "cut")
            os.makedirs(scratch, exist_ok=True)
            own = cut(binutils, archive, prefix, ops, os.path.join(tmp, f"{version}.o"), scratch)
            with open(os.path.join(tmp, f"{version}.own"), "w") as f:
                f.write(" ".join(own) + "\n")
            results[version] = own


def _key_is(directory, key, name=".key"):
    try:
        with open(os.path.join(directory, name)) as f:
            return f.read() == key + "\n"
    except OSError:
        return False


def _write_key(directory, key, name=".key"):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "w") as f:
        f.write(key + "\n")


def _file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _read_results(out_dir, versions):
    results = {}
    for v in versions:
        own = os.path.join(out_dir, f"{v}.own")
        results[v] = open(own).read().split() if os.path.isfile(own) else None
    return results


def make_all(cache, root, rust_root, machines, log=print, workers=2):
    """The shims of every Rust row for every architecture in MACHINES
    (Debian architecture -> (multiarch, binutils prefix)) that Debian 13
    serves a libstd-rust-dev for: {(row name, arch): error or None}. An
    error is also left as <copy>/<multiarch>.FAILED, which configure turns
    into an error naming it (a shim that should exist and does not is never
    a silent drop)."""
    lists_dir = os.path.join(cache, "apt-cpython", "lists")
    # Nothing changed since the last complete run (the package lists, the
    # table, the shims' sources, the root's rustc, the architectures): done,
    # without reading the lists again (a few seconds each).
    quick = os.path.join(cache, "rust-shims", ".unchanged")
    inputs = [KEY_FORMAT, repr(sorted(machines.items())), str(root_package_version(rust_root, "rustc"))]
    for path in sorted(glob.glob(os.path.join(lists_dir, "*_Packages*"))) + [
            os.path.join(root, tables.BINDINGS), *glob.glob(os.path.join(root, "harness", "bindings", "*.rs")),
            os.path.join(root, "harness", "versions.txt"), os.path.abspath(__file__)]:
        st = os.stat(path)
        inputs.append(f"{os.path.relpath(path, cache) if path.startswith(cache) else path} {st.st_size} "
                      f"{st.st_mtime_ns if path.startswith(cache) else _file_digest(path)}")
    unchanged = hashlib.sha256("\n".join(inputs).encode()).hexdigest()
    made = all(os.path.exists(os.path.join(cache, "rust-shims", row["name"], multiarch, ".key")) or
               os.path.exists(os.path.join(cache, "rust-shims", row["name"], multiarch + ".NONE"))
               for row in rust_rows(root) for multiarch, _ in machines.values())
    if made and _key_is(os.path.dirname(quick), unchanged, ".unchanged"):
        return {}
    builder = Builder(cache, root, rust_root, lists_dir, log)
    open(builder.logfile, "w").close()
    versions = [r["name"] for r in tables.versions(root) if r["kind"] in ("gil", "ft")]
    rows = rust_rows(root)
    debian13 = sorted(re.sub(r".*_binary-([a-z0-9]+)_Packages.*", r"\1", p)
                      for p in glob.glob(os.path.join(lists_dir, "*_dists_trixie_main_binary-*_Packages*")))
    served = [a for a in sorted(machines) if a in debian13]
    jobs = [(row, arch, *machines[arch]) for row in rows for arch in served]
    # An architecture Debian 13 builds no Rust for (the ports ones, which the
    # mirror does not serve, and mipsel, which Debian 13 dropped): its
    # configurations' copies are skips that say so.
    for row in rows:
        for arch, (multiarch, _) in machines.items():
            if arch not in served:
                os.makedirs(os.path.join(cache, "rust-shims", row["name"]), exist_ok=True)
                with open(os.path.join(cache, "rust-shims", row["name"], multiarch + ".NONE"), "w") as f:
                    f.write(f"Debian 13 has no Rust standard library for {arch} here (libstd-rust-dev: the mirror "
                            f"serves Debian 13 for {', '.join(served)})\n")
    # The registries and standard libraries first, one at a time (downloads
    # into shared directories), then the builds WORKERS at a time.
    early = {}
    for what, make in [*((row["name"], lambda r=row: builder.registry(r)) for row in rows),
                       *((arch, lambda a=arch: builder.standard_library(a)) for arch in sorted({j[1] for j in jobs}))]:
        try:
            make()
        except (RustError, sysroots.SysrootError, OSError, subprocess.SubprocessError) as e:
            early[what] = e

    def one(job):
        row, arch, multiarch, binutils = job
        failed = os.path.join(cache, "rust-shims", row["name"], multiarch + ".FAILED")
        try:
            for what in (row["name"], arch):
                if what in early:
                    raise early[what]
            builder.build(row, arch, multiarch, binutils, versions,
                          os.path.join(root, "harness", "bindings", row["header"]))
            if os.path.exists(failed):
                os.remove(failed)
            return None
        except (RustError, sysroots.SysrootError, OSError, subprocess.SubprocessError) as e:
            os.makedirs(os.path.dirname(failed), exist_ok=True)
            with open(failed, "w") as f:
                f.write(" ".join(str(e).split()) + "\n")
            return str(e)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        errors = dict(zip([(j[0]["name"], j[1]) for j in jobs], pool.map(one, jobs)))
    shutil.rmtree(os.path.join(cache, "rust-debs"), ignore_errors=True)
    if not any(errors.values()) and not any(early.values()):
        _write_key(os.path.dirname(quick), unchanged, ".unchanged")
    return errors
