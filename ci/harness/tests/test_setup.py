"""ci/harness/setup.py with stand-ins for apt-get, dpkg, debootstrap, npm,
cmake and Wine: what it installs, downloads, unpacks and builds, that it
does each once, and that a shortfall is a warning, or an error in CI."""
import io
import os
import shutil
import stat
import subprocess
import tarfile

import pytest

from ci.harness import reuse, setup, tables


def tool(bin_dir, name, body):
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def deb(path, files):
    """A stand-in .deb: a tar of FILES ({"./usr/include/x.h": "text"});
    its name says package_version_arch, as Debian's do."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    path.write_bytes(buf.getvalue())


@pytest.fixture
def fakes(tmp_path, monkeypatch):
    """A bin directory of stand-ins (first on PATH), a cache, and a log of
    every call (calls.log)."""
    bin_dir, repo = tmp_path / "bin", tmp_path / "repo"
    bin_dir.mkdir()
    repo.mkdir()
    log = tmp_path / "calls.log"
    record = f'echo "$(basename "$0") $*" >>"{log}"\n'
    tool(bin_dir, "dpkg-query", record + 'for p; do case $p in -*) ;; missing-*) ;; *) echo "$p install ok installed";; '
         'esac; done\n')
    tool(bin_dir, "apt-get", record + f'''lists= cmd=
for a; do case $a in Dir::State::Lists=*) lists=${{a#*=}};; update|source|download|install) cmd=$a;; esac; done
case $cmd in
  update) for s in bookworm trixie sid; do for arch in amd64 s390x; do
            touch "$lists/x_dists_${{s}}_main_binary-${{arch}}_Packages"; done; done
          echo "W: the mirror does not support architecture hppa"; exit 0;;
  source) mkdir -p check/debian && echo 'project(check)' >check/CMakeLists.txt && echo 'check (0.15.2-2)' \
            >check/debian/changelog && touch check_0.15.2-2.dsc; exit 0;;
  install) exit 0;;
esac
rc=0
for w; do case $w in *=*) ;; *:*/*)
  p=${{w%%:*}}; rest=${{w#*:}}; arch=${{rest%/*}}; suite=${{rest#*/}}
  f=$(ls "{repo}/${{p}}_"*"_${{arch}}.deb" 2>/dev/null | head -n 1)
  if [ -z "$f" ]; then echo "E: Can't find $w"; rc=100; continue; fi
  cp "$f" . ; v=$(basename "$f" | cut -d_ -f2)
  echo "Get:1 http://deb.debian.org/debian $suite/main $arch $p $arch $v [1 kB]";;
esac; done
exit $rc
''')
    tool(bin_dir, "dpkg-deb", record + '''case $1 in
  -f) b=$(basename "$2" .deb); case $3 in Package) echo "${b%%_*}";; Version) echo "$b" | cut -d_ -f2;;
      Architecture) echo "${b##*_}";; esac;;
  --fsys-tarfile) cat "$2";;
esac
''')
    tool(bin_dir, "dpkg-source", record + 'mkdir -p "$4" && cp -r check/. "$4"/ 2>/dev/null || cp -r "$(dirname "$3")/check/." "$4"/\n')
    tool(bin_dir, "eatmydata", record + 'exec "$@"\n')
    tool(bin_dir, "debootstrap", record + 'for a; do r=$p; p=$a; done; mkdir -p "$r/lib64" "$r/usr/bin"\n'
         'printf "#!/bin/sh\\nshift 2; exec \\"\\$@\\"\\n" >"$r/lib64/ld-linux-x86-64.so.2"\n'
         'printf "#!/bin/sh\\necho 6.4.1\\n" >"$r/usr/bin/cbmc"; chmod +x "$r/lib64/ld-linux-x86-64.so.2" "$r/usr/bin/cbmc"\n'
         'mkdir -p "$r/var/lib/dpkg"; printf "Package: rustc\\nStatus: install ok installed\\nVersion: 1.85.1\\n" '
         '>"$r/var/lib/dpkg/status"\n')
    tool(bin_dir, "npm", record + 'for a; do case $p in --prefix) d=$a;; esac; p=$a; done\n'
         'mkdir -p "$d/node_modules/.bin" && touch "$d/node_modules/.bin/action-validator" && '
         'chmod +x "$d/node_modules/.bin/action-validator"\n')
    tool(bin_dir, "cmake", record + 'case "$*" in *--target\\ install*) exit 0;; esac\n'
         'case "$*" in *broken-target*) echo "cc: error"; exit 1;; esac\n')
    for name in ("wineboot", "wineserver", "timeout"):
        tool(bin_dir, name, record + ('shift; exec "$@"\n' if name == "timeout" else 'mkdir -p "$WINEPREFIX" && '
                                      'touch "$WINEPREFIX/system.reg"\n'))
    tool(bin_dir, "wine32-root", record + 'case "$*" in *"wine --version") echo wine-8.0;; esac\n')
    monkeypatch.setattr(setup, "wine32_root_helper", lambda cache: str(bin_dir / "wine32-root"))
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(setup, "is_root", lambda: True)
    return tmp_path


def calls(fakes, name):
    path = fakes / "calls.log"
    return [line for line in (path.read_text().splitlines() if path.exists() else []) if line.startswith(name + " ")]


def test_arguments():
    known = ["a-linux-gnu", "b-linux-gnu"]
    assert setup.parse_args([], known) == (known, True)
    assert setup.parse_args(["--host-only"], known) == ([], True)
    assert setup.parse_args(["--with-host", "b-linux-gnu"], known) == (["b-linux-gnu"], True)
    assert setup.parse_args(["a-linux-gnu"], known) == (["a-linux-gnu"], False)
    with pytest.raises(setup.SetupError, match="unknown target 'no-such' \\(known: a-linux-gnu b-linux-gnu\\)"):
        setup.parse_args(["no-such"], known)
    with pytest.raises(setup.SetupError, match="takes no target"):
        setup.parse_args(["--host-only", "a-linux-gnu"], known)


def test_an_unknown_target_is_refused(capsys):
    assert setup.main(["no-such"]) == 2
    assert "unknown target 'no-such'" in capsys.readouterr().err


def test_a_shortfall_is_an_error_in_ci_and_elsewhere_a_warning(monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(setup.SetupError, match=r"no CBMC root \(CI=true: an error\)"):
        setup.shortfall("no CBMC root")
    monkeypatch.setenv("CI", "")
    setup.shortfall("no CBMC root")
    assert "setup: WARNING: no CBMC root" in capsys.readouterr().out


def test_only_missing_packages_are_installed_and_only_by_root(fakes, monkeypatch, capsys):
    setup.install_packages(["gcc", "cmake"])
    assert "all 2 Debian packages already installed" in capsys.readouterr().out
    assert not calls(fakes, "apt-get")
    setup.install_packages(["gcc", "missing-qemu"])
    assert calls(fakes, "apt-get")[-1].endswith("install -y -qq --no-install-recommends missing-qemu")
    monkeypatch.setattr(setup, "is_root", lambda: False)
    with pytest.raises(setup.SetupError, match="needs root .*install: missing-qemu"):
        setup.install_packages(["gcc", "missing-qemu"])


def test_the_roots_are_made_once(fakes, capsys):
    cache = reuse.cache_dir()
    assert setup.make_cbmc_root(cache)
    assert "Debian 13 root with cbmc 6.4.1 and rustc 1.85.1 made" in capsys.readouterr().out
    assert setup.make_cbmc_root(cache)  # ready: nothing done again
    assert len(calls(fakes, "debootstrap")) == 1
    assert setup.make_i386_root(cache, ["wine32"])
    assert "i386 root with" in capsys.readouterr().out
    assert setup.make_i386_root(cache, ["wine32"])
    assert len(calls(fakes, "debootstrap")) == 2
    assert setup.make_i386_root(cache, ["wine32", "other"])  # another key: made again
    assert len(calls(fakes, "debootstrap")) == 3


def test_the_wine32_root_helper_is_built_once_per_source(tmp_path, monkeypatch, capsys):
    helper = setup.wine32_root_helper(str(tmp_path))
    assert helper and os.access(helper, os.X_OK)
    p = subprocess.run([helper, str(tmp_path / "no-root"), "/bin/true"], capture_output=True, text=True)
    assert p.returncode == 2 and f"no i386 root at {tmp_path / 'no-root'}" in p.stderr
    built = os.stat(helper).st_mtime_ns
    assert setup.wine32_root_helper(str(tmp_path)) == helper and os.stat(helper).st_mtime_ns == built
    broken = tmp_path / "broken.c"
    broken.write_text("int main(void) { return undeclared; }\n")
    monkeypatch.setattr(setup, "WINE32_ROOT_SOURCE", str(broken))
    assert setup.wine32_root_helper(str(tmp_path)) is None  # another source: built again, and it fails
    assert "broken.c FAILED" in capsys.readouterr().out


def test_a_root_that_cannot_be_made_says_why(fakes, monkeypatch, capsys):
    cache = reuse.cache_dir()
    tool(fakes / "bin", "debootstrap", 'echo "E: mirror down"; exit 1\n')
    assert not setup.make_cbmc_root(cache)
    assert not setup.make_i386_root(cache, ["wine32"])
    out = capsys.readouterr().out
    assert "debootstrap of the CBMC root FAILED:" in out and "E: mirror down" in out
    assert "debootstrap of the i386 root FAILED:" in out
    monkeypatch.setattr(setup, "is_root", lambda: False)
    assert not setup.make_cbmc_root(cache)
    assert "needs root" in capsys.readouterr().out


def test_check_source_headers_and_binding_sources_are_fetched_once(fakes, capsys):
    cache, repo = reuse.cache_dir(), fakes / "repo"
    for arch, multiarch in (("amd64", "x86_64-linux-gnu"), ("s390x", "s390x-linux-gnu")):
        deb(repo / f"libpython3.14-dev_3.14.1-1_{arch}.deb", {
            "./usr/include/python3.14/Python.h": "/* Python.h */", "./usr/include/python3.14/pyconfig.h": "dispatch",
            f"./usr/include/{multiarch}/python3.14/pyconfig.h": f"/* {arch} */"})
    deb(repo / "nanobind-dev_2.5.0-1_amd64.deb", {"./usr/share/nanobind/include/nb.h": "x", "./other": "y"})
    src = setup.fetch_check_source(cache)
    assert os.path.isfile(os.path.join(src, "CMakeLists.txt"))
    assert setup.fetch_check_source(cache) == src
    cpython_debs = [("libpython3.14-dev", "amd64", "sid"), ("libpython3.14-dev", "s390x", "sid")]
    binding_debs = [("nanobind-dev", "trixie", "usr/share/nanobind")]
    setup.fetch_cpython_headers(cache, cpython_debs, binding_debs)
    out = capsys.readouterr().out
    assert "CPython headers for 3.14 and binding sources (nanobind-dev_trixie) unpacked" in out
    root = fakes / "cache" / "cpython" / "3.14"
    assert (root / "include" / "Python.h").exists() and not (root / "include" / "pyconfig.h").exists()
    assert (root / "pyconfig" / "s390x-linux-gnu" / "ORIGIN").read_text() == \
        "Debian's libpython3.14-dev 3.14.1-1 (s390x, Debian unstable (sid))\n"
    binding = fakes / "cache" / "bindings" / "nanobind-dev_trixie"
    assert (binding / "usr" / "share" / "nanobind" / "include" / "nb.h").exists() and not (binding / "other").exists()
    assert (binding / "ORIGIN").read_text() == "Debian's nanobind-dev 2.5.0-1 (trixie)\n"
    downloads = len(calls(fakes, "apt-get"))
    setup.fetch_cpython_headers(cache, cpython_debs, binding_debs)
    assert len(calls(fakes, "apt-get")) == downloads  # the same tables: nothing fetched again


def test_a_package_debian_lacks_is_fetched_one_by_one_and_is_a_shortfall(fakes, monkeypatch, capsys):
    cache, repo = reuse.cache_dir(), fakes / "repo"
    deb(repo / "libpython3.14-dev_3.14.1-1_amd64.deb", {"./usr/include/python3.14/Python.h": "x",
                                                        "./usr/include/python3.14/pyconfig.h": "dispatch"})
    wanted = [("libpython3.14-dev", "amd64", "sid"), ("libpython3.14-dev", "s390x", "sid")]
    setup.fetch_cpython_headers(cache, wanted, [])
    out = capsys.readouterr().out
    assert "the combined download failed (E: Can't find libpython3.14-dev:s390x/sid); fetching one by one" in out
    assert "WARNING: libpython3.14-dev:s390x/sid is not in Debian" in out
    monkeypatch.setenv("CI", "true")
    with pytest.raises(setup.SetupError, match="CI=true: an error"):
        setup.fetch_cpython_headers(cache, wanted + [("libpython3.15-dev", "amd64", "sid")], [])
    (repo / "libpython3.14-dev_3.14.1-1_amd64.deb").unlink()
    monkeypatch.setenv("CI", "")
    with pytest.raises(setup.SetupError, match="no CPython headers could be downloaded"):
        setup.fetch_cpython_headers(cache, wanted[:1] + [("libpython3.13-dev", "amd64", "sid")], [])


def test_fetched_suite():
    out = ("Get:1 http://deb.debian.org/debian sid/main amd64 python3-mypy amd64 2.4.0-4 [1 kB]\n"
           "Get:2 http://deb.debian.org/debian trixie/main amd64 python3-mypy amd64 1.15.0-5 [1 kB]\n")
    assert setup.fetched_suite(out, "python3-mypy", "1.15.0-5") == "trixie"
    assert setup.fetched_suite(out, "python3-mypy", "9") is None


def test_check_is_built_once_per_target_and_a_failure_shows_its_log(fakes, capsys):
    cache = reuse.cache_dir()
    src = setup.fetch_check_source(cache)
    assert setup.build_check(cache, src, "s390x-linux-gnu")
    assert "Check built for s390x-linux-gnu" in capsys.readouterr().out
    n = len(calls(fakes, "cmake"))
    assert setup.build_check(cache, src, "s390x-linux-gnu")
    assert len(calls(fakes, "cmake")) == n
    tool(fakes / "bin", "cmake", 'echo "cc: error: no such compiler"; exit 1\n')
    assert not setup.build_check(cache, src, "sparc64-linux-gnu")
    out = capsys.readouterr().out
    assert "building Check for sparc64-linux-gnu FAILED" in out and "cc: error: no such compiler" in out


def test_whole_setup_of_one_target(fakes, monkeypatch, capsys):
    cache = reuse.cache_dir()
    monkeypatch.setattr(setup.tables, "cpython_debs", lambda root: [("libpython3.14-dev", "amd64", "sid")])
    monkeypatch.setattr(setup.tables, "binding_debs", lambda root: [])
    deb(fakes / "repo" / "libpython3.14-dev_3.14.1-1_amd64.deb", {"./usr/include/python3.14/Python.h": "x",
                                                                  "./usr/include/python3.14/pyconfig.h": "d"})
    monkeypatch.setattr(setup.platform, "machine", lambda: "x86_64")
    shims = []  # the Rust shims (test_rustshims.py): for the host's architecture, in the root
    monkeypatch.setattr(setup.rustshims, "make_all", lambda *args: shims.append(args) or {})
    cython = []  # the Cython copies' C (test_cythongen.py): into the cache's bindings
    monkeypatch.setattr(setup.cythongen, "generate_all", lambda *args: cython.append(args[0]) or {})
    assert setup.main(["--with-host", "x86_64-w64-mingw32"]) == 0
    assert [a[3] for a in shims] == [{"amd64": ("x86_64-linux-gnu", "x86_64-linux-gnu")}]
    assert cython and cython[0].endswith(os.path.join("", "bindings"))
    out = capsys.readouterr().out
    assert "Check built for x86_64-w64-mingw32" in out and "Wine prefix created" in out
    assert "Debian 13 root with cbmc" in out
    assert "setup: done in" in out and "(targets: x86_64-w64-mingw32)" in out
    assert os.path.isfile(os.path.join(cache, "npm", ".installed"))
    # Again: everything is there, nothing is made twice.
    n = len((fakes / "calls.log").read_text().splitlines())
    assert setup.main(["--with-host", "x86_64-w64-mingw32"]) == 0
    makers = ("apt-get", "debootstrap", "cmake", "npm", "wineboot", "dpkg-source", "dpkg-deb")
    again = [line for line in (fakes / "calls.log").read_text().splitlines()[n:] if line.split(" ")[0] in makers]
    assert again == []
    # A root that cannot be made: a warning, and in CI an error.
    tool(fakes / "bin", "debootstrap", "exit 1\n")
    shutil.rmtree(os.path.join(cache, "cbmc-root"))
    assert setup.main(["--host-only"]) == 0
    assert "WARNING: no Debian 13 root" in capsys.readouterr().out
    monkeypatch.setenv("CI", "true")
    assert setup.main(["--host-only"]) == 2
    assert "no Debian 13 root" in capsys.readouterr().err


def test_a_background_job_that_raises_is_a_failure_that_says_why(capsys):
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor() as pool:
        def broken():
            raise OSError(28, "No space left on device")
        assert not setup.made(pool.submit(broken), "the CBMC root")
        assert setup.made(pool.submit(lambda: True), "the i386 root")
    assert "making the CBMC root failed: [Errno 28] No space left on device" in capsys.readouterr().out


def test_the_targets_table_says_which_cannot_link_check():
    known = {t["triple"]: t for t in tables.targets(tables.ROOT)}
    assert known["x86_64-pc-windows-msvc"]["check"] == "minicheck"
    assert known["s390x-linux-gnu"]["check"] == "check"
