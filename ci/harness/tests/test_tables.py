"""ci/harness/tables.py: every table read once, and each bad row named."""
import os
import re
import sys

import pytest

from ci.harness import tables


def test_versions_of_the_tree():
    rows = {r["name"]: r for r in tables.versions(tables.ROOT)}
    assert rows["3.15t"]["kind"] == "ft" and rows["3.15t"]["base"] == "3.15"
    assert rows["legacy"]["kind"] == "legacy" and rows["legacy"]["headers"] == "-"
    assert rows["3.12"]["headers"] == "local"


def test_a_malformed_version_row_is_named_with_its_line(tree):
    path = tree / "harness/versions.txt"
    path.write_text(path.read_text() + "3.16 0x03100000 314\n")
    with pytest.raises(tables.TableError, match=r"versions.txt:\d+: a row is 'version hex expect probe headers'"):
        tables.versions(str(tree))


def test_abi_chains_step_through_each_build_kind():
    chains = tables.abi_chains(tables.ROOT)
    assert ["3.11", "3.12", "3.13", "3.14", "3.15"] in chains
    assert ["3.13t", "3.14t", "3.15t"] in chains
    assert all("legacy" not in c for c in chains)


def test_targets_carry_their_quadrant_and_compilers():
    targets = {t["triple"]: t for t in tables.targets(tables.ROOT)}
    assert targets["s390x-linux-gnu"]["quadrant"] == "64be"
    assert targets["powerpc-linux-gnu"]["quadrant"] == "32be"
    assert "gcc" in targets["s390x-linux-gnu"]["compilers"]
    assert tables.debian_arch(targets["s390x-linux-gnu"]) == "s390x"


def test_a_toolchain_file_naming_another_triple_is_refused(tree):
    path = tree / "toolchains/s390x-linux-gnu.cmake"
    path.write_text(path.read_text().replace("set(HARNESS_TRIPLE s390x-linux-gnu)", "set(HARNESS_TRIPLE s390-linux-gnu)"))
    with pytest.raises(tables.TableError, match="must name the file's own triple"):
        tables.targets(str(tree))


def test_a_toolchain_file_without_its_data_model_is_refused(tree):
    path = tree / "toolchains/s390x-linux-gnu.cmake"
    text = "\n".join(line for line in path.read_text().splitlines() if "HARNESS_DATA_MODEL" not in line)
    path.write_text(text + "\n")
    with pytest.raises(tables.TableError, match="HARNESS_DATA_MODEL"):
        tables.targets(str(tree))


def test_bindings_rows_and_a_short_row(tree):
    rows = tables.bindings(tables.ROOT)
    assert rows and all(set(r) >= {"name", "package", "suite", "ops"} for r in rows)
    path = tree / "harness/bindings/bindings.txt"
    path.write_text(path.read_text() + "half a row\n")
    with pytest.raises(tables.TableError, match=r"bindings.txt:\d+: 3 columns, not 9"):
        tables.bindings(str(tree))


def test_the_binding_tables_refuse_a_bad_row(tmp_path):
    own, div = tmp_path / "own.txt", tmp_path / "div.txt"
    own.write_text("# copy-version ops\nfake-1.0-3.14   try_incref,immortalize\nfake-1.0-3.15  -\n")
    assert tables.binding_own_operations(str(own)) == [["fake-1.0-3.14", "try_incref,immortalize"],
                                                       ["fake-1.0-3.15", "-"]]
    own.write_text("fake-1.0-3.14   try_incref;immortalize\n")
    with pytest.raises(tables.TableError, match="is not a ','-separated list of operations"):
        tables.binding_own_operations(str(own))
    div.write_text("^fake-.*$  immortalize:ob_gc_bits^40  docs/findings.md#x\n")
    assert tables.binding_divergences(str(div))[0][1] == "immortalize:ob_gc_bits^40"
    div.write_text("^fake-.*$  immortalize:ob_gc_bits  docs/findings.md#x\n")
    with pytest.raises(tables.TableError, match="is not operation:field\\^mask"):
        tables.binding_divergences(str(div))
    div.write_text("^fake-(.*$  immortalize:ob_gc_bits^40  docs/findings.md#x\n")
    with pytest.raises(tables.TableError, match="is not a regular expression"):
        tables.binding_divergences(str(div))
    div.write_text("^a$  incref:counting_word=kept@64-bit  x\n^a$  refcnt:Py_REFCNT=0xffffffff  x\n"
                   "^a$  decref:ob_refcnt=whole  x\n^a$  refcnt:ob_refcnt=reads  x\n")
    assert len(tables.binding_divergences(str(div))) == 4
    div.write_text("^a$  incref:counting_word=somehow  x\n")
    with pytest.raises(tables.TableError, match="nor operation:field=kept"):
        tables.binding_divergences(str(div))
    # A '|' joins a row's fields for CMake: no field may have one.
    div.write_text("^a-(1|2)$  incref:counting_word=kept  x\n")
    table = tmp_path / "bindings.txt"
    table.write_text("x-1  x  librust-x-dev  sid  d  Go  x.rs  src/.*  incref=Py_INCREF\n")
    with pytest.raises(tables.TableError, match="lang 'Go' is not C, CXX, Rust or Cython"):
        tables.bindings(None, str(table))
    table.write_text("x-1  x  librust-x-dev  sid  d  Rust  x.rs  src/.*  incref=Py_INCREF\n")
    own.write_text("x-1-3.14  incref\n")
    abi3t = tmp_path / "abi3t.txt"
    abi3t.write_text("x-1  compiles  -\n")
    with pytest.raises(tables.TableError, match=r"HARNESS_BINDING_DIVERGENCE_ROWS: \^a-\(1\|2\)\$: a field with '\|'"):
        tables.binding_cmake(str(table), str(own), str(div), str(abi3t))


def test_the_abi3t_table(tmp_path):
    abi3t = tmp_path / "abi3t.txt"
    abi3t.write_text("# copy result diagnostic\na-1  compiles  -\nb-2  error  b\\.h.*(PyObject_HEAD|incomplete) x\n")
    assert tables.binding_abi3t(str(abi3t)) == [["a-1", "compiles", "-"],
                                                ["b-2", "error", "b\\.h.*(PyObject_HEAD|incomplete) x"]]
    for row, complaint in (("a-1  compiles  it.h", "a copy that compiles has no diagnostic"),
                           ("a-1  maybe  -", "'maybe' is not 'compiles' or 'error'"),
                           ("a-1  error  (x", "is not a regular expression"),
                           ("a-1  error  x;y", "would split it for CMake"),
                           ("a-1  error", "fewer than 3 columns")):
        abi3t.write_text(row + "\n")
        with pytest.raises(tables.TableError, match=re.escape(complaint)):
            tables.binding_abi3t(str(abi3t))


def test_binding_cmake_keeps_backslashes_and_the_rows(capsys):
    t = [os.path.join(tables.ROOT, rel) for rel in tables.BINDING_TABLES]
    text = "\n".join(tables.binding_cmake(*t))
    assert text.count("set(HARNESS_BINDING_") == 4 + 2 * len(tables.binding_abi3t(t[3]))
    assert "set(HARNESS_BINDING_ABI3T_DIAGNOSTIC_mypyc-1.15 [==[mypyc_util\\.h.*(PyLongObject|_longobject)]==])" in text
    assert "[==[^nanobind-.*-3\\.1[45]t$|immortalize:ob_gc_bits^40|" in text
    rows = text.split("set(HARNESS_BINDING_OWN_ROWS")[0].count("[==[")
    assert rows == len(tables.bindings(tables.ROOT))
    assert tables.main(["binding-cmake", *t]) == 0 and capsys.readouterr().out.startswith("set(HARNESS_BINDING_ROWS")
    assert tables.main(["binding-cmake", "/nonexistent", t[1], t[2], t[3]]) == 1
    assert "No such file" in capsys.readouterr().err
    assert tables.main(["binding-cmake", t[0]]) == 1


def test_binding_debs_are_fetched_once_each():
    debs = tables.binding_debs(tables.ROOT)
    assert len(debs) == len(set(debs))


def test_cpython_debs_cover_every_debian_version_and_architecture():
    debs = tables.cpython_debs(tables.ROOT)
    assert ("libpython3.15-dev", "s390x", "sid") in debs
    assert ("libpython3.11-dev", "amd64", "bookworm") in debs
    assert not any(p.startswith("libpython3.12") for p, _, _ in debs)  # 3.12: local headers only


def test_expected_skips_and_a_malformed_row(tree):
    rows = tables.expected_skips(tables.ROOT)
    assert rows and all(count > 0 for count, _, _, _ in rows)
    path = tree / "ci/expected-skips.txt"
    path.write_text(path.read_text() + "many host-gcc why\n")
    with pytest.raises(tables.TableError, match="not 'COUNT CONFIGURATION-REGEX REASON-REGEX'"):
        tables.expected_skips(str(tree))


def test_presets_are_unique_and_include_host_and_cross():
    presets = tables.all_presets(tables.ROOT)
    names = [p["name"] for p in presets]
    assert len(names) == len(set(names))
    assert "host-gcc" in names and "s390x-linux-gnu-gcc" in names
    assert {p["quadrant"] for p in presets} >= {"host", "32le", "32be", "64le", "64be"}


def test_by_design_reasons():
    assert "R_68K_PC16" in tables.by_design(tables.ROOT, "m68k-linux-gnu-clang")
    assert tables.by_design(tables.ROOT, "s390x-linux-gnu-gcc") == ""


def test_the_generated_files_are_current():
    assert tables.check(tables.ROOT) == 0


def test_a_stale_generated_file_fails_the_check(tree, capsys):
    readme = tree / "README.md"
    readme.write_text(readme.read_text().replace("| `host-gcc` |", "| `host-gcc-old` |"))
    assert tables.check(str(tree)) == 1
    assert "README.md is stale" in capsys.readouterr().out
    assert tables.main(["--root", str(tree), "generate"]) == 0
    assert tables.check(str(tree)) == 0


def test_an_expectation_family_cases_expect_h_lacks(tree, capsys):
    path = tree / "harness/versions.txt"
    path.write_text(path.read_text().replace("3.15       0x030F0000  314 ", "3.15       0x030F0000  399 "))
    assert tables.check(str(tree)) == 1
    assert "expect '399' is no family of cases/expect.h" in capsys.readouterr().out


def test_targets_doc_needs_one_row_per_target(tree):
    doc = tree / "docs/targets.md"
    doc.write_text(doc.read_text().replace("| `s390x-linux-gnu` |", "| `s390-linux-gnu` |"))
    problems = tables.targets_doc_problems(str(tree))
    assert any("no row for target s390x-linux-gnu" in p for p in problems)
    assert any("a row for s390-linux-gnu, which has no toolchains" in p for p in problems)


@pytest.mark.parametrize("defines, model", [
    ("#define SIZEOF_VOID_P 4\n#define WORDS_BIGENDIAN 1\n", "32-bit big-endian"),
    ("#define SIZEOF_VOID_P 8\n", "64-bit little-endian"),
    ("#define MS_WINDOWS\n#define SIZEOF_VOID_P 8\n", "Windows"),
    ("#include <stddef.h>\n", None),
])
def test_pyconfig_model(tmp_path, defines, model):
    path = tmp_path / "pyconfig.h"
    path.write_text(defines)
    assert tables.pyconfig_model(str(path)) == model


def test_preset_model():
    assert tables.preset_model(tables.ROOT, "s390x-linux-gnu-gcc") == "64-bit big-endian"
    assert tables.preset_model(tables.ROOT, "x86_64-w64-mingw32-gcc") == "Windows"
    with pytest.raises(tables.TableError, match="unknown preset"):
        tables.preset_model(tables.ROOT, "no-such-preset")


def test_pyconfig_fits(tmp_path, capsys):
    (tmp_path / "pyconfig.h").write_text("#define SIZEOF_VOID_P 4\n#define WORDS_BIGENDIAN 1\n")
    assert tables.main(["pyconfig-fits", str(tmp_path), "powerpc-linux-gnu-gcc"]) == 0
    assert tables.main(["pyconfig-fits", str(tmp_path), "s390x-linux-gnu-gcc"]) == 1
    assert "describes 32-bit big-endian; none of the selected configurations is" in capsys.readouterr().out


@pytest.mark.parametrize("argv, out", [
    (["versions", "kind=ft"], "3.13t\n3.14t\n3.15t\n"),
    (["by-design", "hppa-linux-gnu-clang"], "hppa"),
    (["targets"], "s390x-linux-gnu\n"),
    (["apt", "s390x-linux-gnu"], "s390x"),
    (["abi-chains"], "3.13t 3.14t 3.15t\n"),
    (["matrix-json"], '"preset":"host-gcc"'),
    (["presets"], "s390x-linux-gnu-gcc s390x-linux-gnu gcc 64be"),
    (["cpython-debs"], "libpython3.13-dev s390x trixie"),
    (["binding-debs"], "nanobind-dev"),
    (["i386-root", "i686-linux-gnu"], ""),
])
def test_commands(argv, out, capsys):
    assert tables.main(argv) == 0
    assert out in capsys.readouterr().out


def test_bad_commands(capsys):
    assert tables.main([]) == 2
    assert tables.main(["no-such-command"]) == 2
    assert tables.main(["apt", "no-such-target"]) == 1
    assert "unknown target 'no-such-target'" in capsys.readouterr().err


def test_a_preset_edited_by_hand_is_stale_with_the_diff(tree, capsys):
    presets = tree / "CMakePresets.json"
    presets.write_text(presets.read_text().replace('"displayName": "s390x-linux-gnu, GCC, under QEMU"',
                                                   '"displayName": "edited by hand"'))
    assert tables.check(str(tree)) == 1
    assert '+      "displayName": "s390x-linux-gnu, GCC, under QEMU"' in capsys.readouterr().out


def test_a_target_without_its_docs_row_fails_the_check(tree, capsys):
    doc = tree / "docs/targets.md"
    doc.write_text("".join(line for line in doc.read_text().splitlines(True)
                           if not line.startswith("| `s390x-linux-gnu` |")))
    assert tables.check(str(tree)) == 1
    assert "no row for target s390x-linux-gnu" in capsys.readouterr().out


def test_a_version_row_twice_and_a_free_threaded_row_without_its_gil_row(tree):
    path = tree / "harness/versions.txt"
    text = path.read_text()
    path.write_text(text + "3.14       0x030E0000  314     314    debian:sid\n")
    with pytest.raises(tables.TableError, match=r"versions.txt:\d+: 3.14 has two rows"):
        tables.versions(str(tree))
    path.write_text(text + "3.16t      0x03100000  FT314   315    -\n")
    with pytest.raises(tables.TableError, match="free-threaded 3.16t needs a row for 3.16"):
        tables.versions(str(tree))


def test_the_cmake_tables_hold_the_lists_and_the_table_digest(tree):
    text = tables.cmake_tables(str(tree))
    assert "set(HARNESS_FT_VERSIONS 3.13t 3.14t 3.15t)\n" in text
    assert "set(HARNESS_LOCAL_VERSIONS 3.12)\n" in text
    assert "set(HARNESS_VERSION_HEADERS_3.15t debian:sid)\n" in text
    assert f'set(HARNESS_STEERING_NAMES "{tables.reuse.STEERING_NAMES}")' in text
    digest = tables.table_digest(str(tree), "harness/versions.txt")
    path = tree / "harness/versions.txt"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert tables.table_digest(str(tree), "harness/versions.txt") == digest  # a Windows checkout's CRLF
    path.write_text(path.read_text() + "# a comment\n")
    assert tables.table_digest(str(tree), "harness/versions.txt") != digest


def test_proof_targets_are_the_toolchain_files_that_say_so(tree, capsys):
    assert tables.main(["--root", str(tree), "proof-targets"]) == 0
    listed = capsys.readouterr().out.split()
    assert "s390x-linux-gnu" in listed and "aarch64-linux-gnu" not in listed
    path = tree / "toolchains/s390x-linux-gnu.cmake"
    path.write_text(path.read_text().replace("set(HARNESS_PROOFS ON)", ""))
    assert "s390x-linux-gnu" not in [t["triple"] for t in tables.targets(str(tree)) if t["proofs"]]


def test_host_quadrant(capsys):
    assert tables.main(["host-quadrant"]) == 0
    quadrant = capsys.readouterr().out.strip()
    assert quadrant in ("32le", "32be", "64le", "64be")
    assert quadrant.endswith("le" if sys.byteorder == "little" else "be")
    assert quadrant.startswith("64" if sys.maxsize > 2**32 else "32")
    assert tables.host_model() == f"{quadrant[:2]}-bit {sys.byteorder}-endian"
