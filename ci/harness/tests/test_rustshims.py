"""ci/harness/rustshims.py: the crates' closure, the config files, what an
object says is the copy's own, and the builder's paths (a cargo that
builds, one that refuses a version, one that fails), with the host's gcc and
binutils standing in for Rust's."""
import os
import subprocess

import pytest

from ci.harness import rustshims, sysroots, tables

INDEX = """Package: librust-pyo3-ffi-dev
Version: 0.28.2-1
Depends: librust-libc-0.2+default-dev (>= 0.2.62), librust-pyo3-build-config-0.28+resolve-config-dev, dh-cargo
Filename: pool/main/r/rust-pyo3-ffi/librust-pyo3-ffi-dev_0.28.2-1_amd64.deb

Package: librust-libc-dev
Version: 0.2.186-1
Provides: librust-libc-0.2+default-dev (= 0.2.186-1)
Filename: pool/main/r/rust-libc/librust-libc-dev_0.2.186-1_amd64.deb

Package: librust-pyo3-build-config-dev
Version: 0.28.2-1
Provides: librust-pyo3-build-config-0.28+resolve-config-dev (= 0.28.2-1)
Depends: librust-target-lexicon-dev | librust-nowhere-dev, libpython3-dev
Filename: pool/main/r/rust-pyo3-build-config/librust-pyo3-build-config-dev_0.28.2-1_amd64.deb

Package: librust-target-lexicon-dev
Version: 0.13.5-1
Filename: pool/main/r/rust-target-lexicon/librust-target-lexicon-dev_0.13.5-1_amd64.deb
"""


def test_the_registry_is_the_librust_closure_only():
    packages, provides = sysroots.parse_index(INDEX)
    assert rustshims.crate_closure(packages, provides, "librust-pyo3-ffi-dev") == [
        "librust-libc-dev", "librust-pyo3-build-config-dev", "librust-pyo3-ffi-dev", "librust-target-lexicon-dev"]
    packages["librust-libc-dev"]["Depends"] = "librust-gone-dev (>= 1)"
    with pytest.raises(sysroots.SysrootError, match="librust-libc-dev: nothing in the index satisfies 'librust-gone"):
        rustshims.crate_closure(packages, provides, "librust-pyo3-ffi-dev")
    with pytest.raises(sysroots.SysrootError, match="librust-nope-dev is not in the index"):
        rustshims.crate_closure(packages, provides, "librust-nope-dev")


def test_rows_configs_and_names():
    rows = rustshims.rust_rows(tables.ROOT)
    assert [(r["name"], r["crate"], r["suite"]) for r in rows] == [("pyo3-0.22", "pyo3-ffi", "trixie"),
                                                                   ("pyo3-0.28", "pyo3-ffi", "sid")]
    assert "version=3.14\n" in rustshims.config_file("3.14t", 64)
    assert "build_flags=Py_GIL_DISABLED\n" in rustshims.config_file("3.14t", 64)
    assert "build_flags=\n" in rustshims.config_file("3.13", 32) and "pointer_width=32\n" in rustshims.config_file(
        "3.13", 32)
    assert rustshims.symbol_prefix("pyo3-0.28", "3.14t") == "harness_pyo3_0_28_3_14t_"
    refusals = ["error: the configured Python interpreter version (3.15) is newer than PyO3's maximum supported "
                "version (3.13)", "  error: the Python interpreter was built with the GIL disabled, which is not yet "
                "supported by PyO3"]
    assert all(rustshims.UNSUPPORTED.search(r) for r in refusals)
    assert not rustshims.UNSUPPORTED.search("error[E0425]: cannot find value `x` in this scope")


def test_a_bad_rust_row_is_an_error(tmp_path):
    table = tmp_path / "bindings.txt"
    table.write_text("x-1  x  libfoo  sid  usr/share/cargo/registry  Rust  pyo3_shim.rs  src/.*  incref=Py_INCREF\n")
    with pytest.raises(rustshims.RustError, match="libfoo is not a librust-<crate>-dev package"):
        rustshims.rust_rows(tables.ROOT, str(table))


def test_the_root_s_package_versions(tmp_path):
    assert rustshims.root_package_version(str(tmp_path), "rustc") is None
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    (tmp_path / "var/lib/dpkg/status").write_text(
        "Package: cargo\nStatus: deinstall ok config-files\nVersion: 1\n\n"
        "Package: rustc\nStatus: install ok installed\nVersion: 1.85.1+dfsg1-1\nDescription: x\n continued: y\n")
    assert rustshims.root_package_version(str(tmp_path), "rustc") == "1.85.1+dfsg1-1"
    assert rustshims.root_package_version(str(tmp_path), "cargo") is None


SHIM_C = """
void _Py_IncRef(void *);
void _Py_Dealloc(void *);
void {p}incref(void *o) {{ _Py_IncRef(o); }}
void {p}decref(void *o) {{ if (!--*(long *)o) _Py_Dealloc(o); }}
long {p}refcnt(void *o) {{ return *(long *)o; }}
void {p}init_static(void *o) {{ *(long *)o = 1; }}
unsigned long {p}object_size(void) {{ return 16; }}
int helper_of_the_standard_library(void) {{ return 7; }}
"""


def static_library(directory, prefix, extra=""):
    """A static library like a shim's, from C: incref delegates to
    libpython's _Py_IncRef, the others are the copy's own."""
    src = os.path.join(directory, "shim.c")
    with open(src, "w") as f:
        f.write(SHIM_C.format(p=prefix) + extra)
    obj, lib = os.path.join(directory, "shim.o"), os.path.join(directory, "libharness_shim.a")
    subprocess.run(["gcc", "-c", "-O1", "-ffunction-sections", "-fPIC", "-o", obj, src], check=True)
    subprocess.run(["ar", "rcs", lib, obj], check=True)
    return lib


def defined_globals(obj):
    out = subprocess.run(["readelf", "-s", "-W", obj], stdout=subprocess.PIPE, text=True, check=True).stdout
    return sorted(f[7] for f in (line.split() for line in out.splitlines())
                  if len(f) >= 8 and f[4] == "GLOBAL" and f[6] != "UND")


def test_the_object_keeps_only_the_copy_s_own_operations(tmp_path):
    p = "harness_x_3_14_"
    lib = static_library(str(tmp_path), p)
    out = str(tmp_path / "3.14.o")
    own = rustshims.cut("x86_64-linux-gnu", lib, p, ["incref", "decref", "refcnt", "init_static"], out,
                        str(tmp_path))
    assert own == ["decref", "refcnt", "init_static"]  # incref calls _Py_IncRef: CPython's
    assert defined_globals(out) == [p + "decref", p + "init_static", p + "object_size", p + "refcnt"]
    assert rustshims.undefined_symbols(out) == {p + "_Py_Dealloc"}
    # An own operation that calls something the harness does not provide.
    bad = tmp_path / "bad"
    bad.mkdir()
    lib = static_library(str(bad), p, "int PyLong_AsLong(void *);\n"
                         f"long {p}refcnt2(void *o) {{ return PyLong_AsLong(o); }}\n")
    with pytest.raises(rustshims.RustError, match="own operations call PyLong_AsLong"):
        rustshims.cut("x86_64-linux-gnu", lib, p, ["refcnt2"], str(bad / "o.o"), str(bad))
    with pytest.raises(rustshims.RustError, match="no nowhere-linux-gnu-ld"):
        rustshims.cut("nowhere-linux-gnu", lib, p, ["refcnt"], out, str(tmp_path))


def make_deb(path, package, version, files):
    root = path.parent / (path.name + ".d")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_text(f"Package: {package}\nVersion: {version}\nArchitecture: amd64\n"
                                         "Maintainer: x <x@example.org>\nDescription: x\n")
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(path)], check=True,
                   stdout=subprocess.DEVNULL)
    return str(path)


@pytest.fixture
def builder(tmp_path, monkeypatch):
    """A Builder whose root runs nothing: in_root stands in for rustc and
    cargo (what each call does is in builder.cargo), the index and the
    downloads are stand-ins serving two .debs."""
    cache, root = tmp_path / "cache", tmp_path / "root"
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text("Package: rustc\nStatus: install ok installed\nVersion: 1.85.1\n")
    debs = tmp_path / "debs"
    debs.mkdir()
    crate = make_deb(debs / "librust-pyo3-ffi-dev_0.28.2-1_amd64.deb", "librust-pyo3-ffi-dev", "0.28.2-1",
                     {"usr/share/cargo/registry/pyo3-ffi-0.28.2/src/refcount.rs": "// Py_INCREF\n"})
    std = make_deb(debs / "libstd-rust-dev_1.85.1_amd64.deb", "libstd-rust-dev", "1.85.1",
                   {"usr/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd.rlib": "std"})
    packages = {"librust-pyo3-ffi-dev": {"Package": "librust-pyo3-ffi-dev", "Version": "0.28.2-1", "Architecture":
                                         "amd64", "SHA256": "1", "Filename": "x"},
                "libstd-rust-dev": {"Package": "libstd-rust-dev", "Version": "1.85.1", "Architecture": "amd64",
                                    "SHA256": "2", "Filename": "y"}}
    b = rustshims.Builder(str(cache), tables.ROOT, str(root), str(tmp_path / "lists"), log=lambda *a: None)
    os.makedirs(cache, exist_ok=True)
    monkeypatch.setattr(b, "index", lambda suite, arch: (packages, {}))
    monkeypatch.setattr(rustshims.sysroots, "fetch_all", lambda stanzas, d, fallback: ([crate], []))
    monkeypatch.setattr(rustshims.sysroots, "fetch_deb", lambda stanza, d: std)
    b.cargo = {}  # version -> "build" | "refuse" | "fail"
    b.calls = []

    def in_root(rust_root, argv, env, log):
        b.calls.append(argv)
        if argv[0] == "rustc":
            return 0, 'target_arch="x86_64"\ntarget_pointer_width="64"\n'
        config = open(os.path.join(rust_root, env["PYO3_CONFIG_FILE"].lstrip("/"))).read()
        version = config.split("\nversion=")[1].split("\n")[0] + ("t" if "=Py_GIL_DISABLED" in config else "")
        what = b.cargo.get(version, "build")
        if what == "refuse":
            return 101, (f"  error: the configured Python interpreter version ({version}) is newer than PyO3's "
                         "maximum supported version (3.13)\n")
        if what == "fail":
            return 101, "error[E0425]: cannot find value `x` in this scope\nerror: could not compile `pyo3-ffi`\n"
        project = os.path.join(rust_root, argv[2].split("cd ")[1].split(" &&")[0].lstrip("/"))
        release = os.path.join(project, "target", "x86_64-unknown-linux-gnu", "release")
        os.makedirs(release, exist_ok=True)
        static_library(release, env["HARNESS_SHIM_PREFIX"])
        return 0, "Finished"
    monkeypatch.setattr(rustshims, "in_root", in_root)
    return b


def test_the_builder_makes_a_shim_per_version_and_keeps_it(builder, tmp_path):
    row = rustshims.rust_rows(tables.ROOT)[1]
    builder.cargo = {"3.15": "refuse"}
    shim = os.path.join(tables.ROOT, "harness", "bindings", row["header"])
    results = builder.build(row, "amd64", "x86_64-linux-gnu", "x86_64-linux-gnu", ["3.14", "3.15"], shim)
    assert results == {"3.14": ["decref", "refcnt", "init_static"], "3.15": None}
    out = tmp_path / "cache" / "rust-shims" / "pyo3-0.28" / "x86_64-linux-gnu"
    assert (out / "3.14.own").read_text() == "decref refcnt init_static\n" and (out / "3.14.o").is_file()
    assert "refuses CPython 3.15: the configured Python interpreter version (3.15)" in (out / "3.15.none").read_text()
    assert "pyo3-ffi 0.28.2 (Debian sid's librust-pyo3-ffi-dev), built by rustc 1.85.1 for x86_64-unknown-linux-gnu" \
        in (out / "ORIGIN").read_text()
    assert (tmp_path / "root/usr/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd.rlib").is_file()
    n = len(builder.calls)
    assert builder.build(row, "amd64", "x86_64-linux-gnu", "x86_64-linux-gnu", ["3.14", "3.15"], shim) == results
    assert len(builder.calls) == n  # the same key: nothing built again


def test_a_build_that_fails_is_an_error_naming_package_and_target(builder, tmp_path):
    row = rustshims.rust_rows(tables.ROOT)[1]
    builder.cargo = {"3.13": "fail"}
    shim = os.path.join(tables.ROOT, "harness", "bindings", row["header"])
    with pytest.raises(rustshims.RustError, match=r"librust-pyo3-ffi-dev 0.28.2 \(pyo3-0.28\) does not build for "
                       r"amd64 \(x86_64-unknown-linux-gnu\), CPython 3.13: error\[E0425\]"):
        builder.build(row, "amd64", "x86_64-linux-gnu", "x86_64-linux-gnu", ["3.13"], shim)
    assert not (tmp_path / "cache" / "rust-shims" / "pyo3-0.28" / "x86_64-linux-gnu.tmp").exists()


def test_a_standard_library_of_another_version_is_refused(builder, tmp_path):
    (tmp_path / "root/var/lib/dpkg/status").write_text("Package: rustc\nStatus: install ok installed\nVersion: 1.84\n")
    with pytest.raises(rustshims.RustError, match="libstd-rust-dev for s390x: Debian 13 serves 1.85.1, the root's "
                       "rustc is 1.84"):
        builder.standard_library("s390x")


def test_make_all_leaves_failures_and_unserved_architectures_for_configure(builder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    lists = cache / "apt-cpython" / "lists"
    lists.mkdir(parents=True)
    (lists / "deb.debian.org_debian_dists_trixie_main_binary-amd64_Packages.lz4").write_text("")
    monkeypatch.setattr(rustshims, "Builder", lambda *a, **k: builder)
    builder.cargo = {"3.11": "fail"}
    errors = rustshims.make_all(str(cache), tables.ROOT, str(tmp_path / "root"),
                                {"amd64": ("x86_64-linux-gnu", "x86_64-linux-gnu"),
                                 "mips": ("mips-linux-gnu", "mips-linux-gnu")})
    assert sorted(errors) == [("pyo3-0.22", "amd64"), ("pyo3-0.28", "amd64")]
    assert all("CPython 3.11: error[E0425]" in e for e in errors.values())
    shims = cache / "rust-shims"
    assert "CPython 3.11" in (shims / "pyo3-0.28" / "x86_64-linux-gnu.FAILED").read_text()
    assert "Debian 13 has no Rust standard library for mips here" in (shims / "pyo3-0.22" / "mips-linux-gnu.NONE"
                                                                       ).read_text()


def test_make_all_does_nothing_when_nothing_changed(builder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    lists = cache / "apt-cpython" / "lists"
    lists.mkdir(parents=True)
    (lists / "deb.debian.org_debian_dists_trixie_main_binary-amd64_Packages.lz4").write_text("")
    monkeypatch.setattr(rustshims, "Builder", lambda *a, **k: builder)
    machines = {"amd64": ("x86_64-linux-gnu", "x86_64-linux-gnu")}
    assert set(rustshims.make_all(str(cache), tables.ROOT, str(tmp_path / "root"), machines).values()) == {None}
    n = len(builder.calls)
    assert rustshims.make_all(str(cache), tables.ROOT, str(tmp_path / "root"), machines) == {}
    assert len(builder.calls) == n  # not even rustc asked
    # A shim gone from the cache: looked at again (and made again).
    import shutil
    shutil.rmtree(cache / "rust-shims" / "pyo3-0.28" / "x86_64-linux-gnu")
    assert set(rustshims.make_all(str(cache), tables.ROOT, str(tmp_path / "root"), machines).values()) == {None}
    assert (cache / "rust-shims" / "pyo3-0.28" / "x86_64-linux-gnu" / "3.14.o").is_file()
