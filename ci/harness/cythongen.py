"""Cython's generated C for the Cython binding copies (harness/bindings/
bindings.txt, lang Cython; docs/implementations.md, "Cython copies").

Cython's reference-count helpers are sectioned templates in its Utility/
files that do not compile as they are: Cython itself, as Debian's cython3
ships it (unpacked by setup with the other binding packages), compiles the
row's .pyx (harness/bindings/) into <bindings>/<package>_<suite>/
harness-generated/<stem>.c, once per package version and source. It runs
on this Python: Cython's compiled modules are built for Debian's Pythons,
and its pure-Python ones, which it falls back on, run on 3.8 and later.

Every module Cython generates begins with its module setup code (the
configuration macros, CYTHON_COMPILING_IN_CPYTHON among them, and helpers
such as __Pyx_PySequence_ListKeepNew), up to its first "Code section"
marker, with its last section ("end", the #endif that closes the setup
code's #if): that text, as generated, is also written on its own as
<stem>_setup.h, which the adapter compiles per CPython version and build
(harness/bindings/binding_cython.c). The rest of the module refers to
libpython throughout and is not compiled."""
import hashlib
import os
import subprocess
import sys

from . import tables

GENERATED = "harness-generated"
SECTION = "/* #### Code section: "
END_SECTION = "/* #### Code section: end ### */"


class CythonError(Exception):
    pass


def cython_rows(root):
    return [r for r in tables.bindings(root) if r["lang"] == "Cython"]


def outputs(bindings_root, row):
    """(directory, generated module, setup header) of a row."""
    out = os.path.join(bindings_root, f"{row['package']}_{row['suite']}", GENERATED)
    stem = os.path.splitext(os.path.basename(row["header"]))[0]
    return out, os.path.join(out, f"{stem}.c"), os.path.join(out, f"{stem}_setup.h")


def setup_code(text, shown):
    """The module setup code of Cython's output TEXT, up to its first code
    section, and its last section, "end", which closes the conditional the
    setup code opens (#ifndef Py_PYTHON_H ... #else ... #endif): both
    markers must be there."""
    at, end = text.find(SECTION), text.rfind(END_SECTION)
    if at < 0 or end < at:
        raise CythonError(f"{shown}: Cython's output has no '{SECTION.strip()}' markers (or no "
                          f"'{END_SECTION.strip()}'): its layout changed")
    return text[:at] + text[end:]


def generate(bindings_root, root, row, python=sys.executable, run=subprocess.run):
    """Cython's C for ROW, made unless made already for this package,
    source and generator (the key file); the setup header's path. A CythonError names the
    package and says why."""
    what = f"{row['name']} (Debian {row['suite']}'s {row['package']})"
    package_dir = os.path.join(bindings_root, f"{row['package']}_{row['suite']}")
    packages = os.path.join(package_dir, row["dir"])
    if not os.path.isdir(os.path.join(packages, "Cython")):
        raise CythonError(f"{what}: no Cython in {packages} (ci/setup.sh unpacks it with CPython's headers)")
    pyx = os.path.join(root, "harness", "bindings", row["header"])
    out, module, header = outputs(bindings_root, row)
    with open(pyx, "rb") as f:
        source = f.read()
    with open(os.path.join(package_dir, "ORIGIN"), "rb") as f:
        origin = f.read()
    with open(__file__, "rb") as f:  # how the setup code is cut is part of what was made
        this = f.read()
    key = hashlib.sha256(source + b"\0" + origin + b"\0" + this).hexdigest()
    key_file = os.path.join(out, ".key")
    if (os.path.isfile(module) and os.path.isfile(header) and os.path.isfile(key_file)
            and open(key_file).read().strip() == key):
        return header
    os.makedirs(out, exist_ok=True)
    for stale in (key_file, module, header):
        if os.path.exists(stale):
            os.remove(stale)
    env = dict(os.environ, PYTHONPATH=packages, PYTHONDONTWRITEBYTECODE="1")
    done = run([python, "-c", "import sys; from Cython.Compiler.Main import main; sys.argv[0] = 'cython'; "
                "main(command_line=1)", "-3", "-o", module, pyx], env=env, capture_output=True, text=True)
    if done.returncode != 0 or not os.path.isfile(module):
        said = "\n  ".join((done.stderr or done.stdout or "").strip().splitlines()[-5:])
        raise CythonError(f"{what}: Cython did not compile {row['header']} (exit {done.returncode}):\n  {said}")
    with open(module) as f:
        text = f.read()
    with open(header, "w") as f:
        f.write(f"/* {os.path.basename(header)}: the module setup code of {os.path.basename(module)}, as "
                f"{origin.decode().strip()} generated it (ci/harness/cythongen.py). The harness's one line:\n"
                " * it declares utility functions static whose definitions are in the sections not taken. */\n"
                "#pragma GCC diagnostic ignored \"-Wunused-function\"\n")
        f.write(setup_code(text, module))
    with open(key_file, "w") as f:
        f.write(key + "\n")
    return header


def generate_all(bindings_root, root, say, python=sys.executable, run=subprocess.run):
    """Each Cython row's C: {name: error or None}."""
    results = {}
    for row in cython_rows(root):
        try:
            generate(bindings_root, root, row, python, run)
            results[row["name"]] = None
        except (CythonError, OSError) as e:
            results[row["name"]] = str(e)
            say(f"setup: {e}")
    return results
