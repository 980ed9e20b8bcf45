"""drive.py MODULE -- run by each real interpreter on the machine (cases/
CMakeLists.txt): import the abi3 extension built with 3.11's headers
(legacy_abi3.c) and drive unbalanced legacy increments on None and the small
int 1 from it, reading the raw ob_refcnt back through the extension.
Expectations per version from the fact sheet (sections 2 and 4), reported
in the format cmake/run-case.cmake judges."""
import importlib.machinery
import importlib.util
import sys

checks = []
SKIP_EXIT = 77  # a skip, with nothing registered (cmake/run-case.cmake)


def check(what, got, want):
    checks.append((what, got, want))


def load(path):
    loader = importlib.machinery.ExtensionFileLoader("legacy_abi3", path)
    spec = importlib.util.spec_from_file_location("legacy_abi3", path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def main():
    ext = load(sys.argv[1])
    v = sys.version_info[:2]
    name = f"python{v[0]}.{v[1]} ({sys.version.split()[0]})"
    if sys.maxsize < 2**32:
        print(f"harness-skip: {name} is a 32-bit build; the expectations here are the 64-bit ones")
        return SKIP_EXIT
    objects = (("None", None), ("1", 1))
    # Registered before any runs, as the case programs do: a branch that
    # stops early then shows as fewer checks than registered.
    planned = 2 if v <= (3, 11) else 6 if v <= (3, 13) else 4
    print(f"harness: interpreter {name}, extension built with 3.11 headers (abi3): "
          f"{planned * len(objects)} checks registered", flush=True)
    for label, obj in objects:
        # raw: the whole ob_refcnt, read by 3.11's inline Py_REFCNT in the
        # extension; every read has the same shape, so temporaries cancel.
        if v <= (3, 11):
            # Mortal: legacy increfs count one for one, and balance restores.
            r0 = ext.refcnt(obj)
            ext.incref(obj, 1000)
            r1 = ext.refcnt(obj)
            check(f"{label}: 1000 legacy increfs add 1000 to a mortal count", r1 - r0, 1000)
            ext.decref(obj, 1000)
            r2 = ext.refcnt(obj)
            check(f"{label}: 1000 legacy decrefs restore it", r2 - r0, 0)
        elif v <= (3, 13):
            # Immortal at 2**32 - 1 (fact sheet section 2).
            r0 = ext.refcnt(obj)
            check(f"{label}: immortal, ob_refcnt 2**32 - 1", r0, 2**32 - 1)
            # One legacy incref makes it 2**32, a mortal count (gh-125174);
            # the interpreter's own decref of the call's argument then lands
            # on a mortal object and brings it back (fact sheet section 4:
            # new-header operations restore 3.12/3.13 64-bit immortals).
            ext.incref(obj, 1)
            r1 = ext.refcnt(obj)
            check(f"{label}: one legacy incref, undone by the interpreter's decref of the argument", r1, 2**32 - 1)
            # Five stay beyond the interpreter's one or two: de-immortalised.
            ext.incref(obj, 5)
            r2 = ext.refcnt(obj)
            check(f"{label}: five legacy increfs leave the immortal range (gh-125174)", r2 >= 2**32, True)
            held = [obj] * 10
            r3 = ext.refcnt(obj)
            check(f"{label}: de-immortalised, so the interpreter's references count", r3 > r2, True)
            del held
            # Legacy decrefs bring the low half negative again (immortal), and
            # the interpreter's increfs then saturate it back to 2**32 - 1.
            ext.decref(obj, 8)
            r4 = ext.refcnt(obj)
            check(f"{label}: legacy decrefs make it immortal again", (r4 & 0xFFFFFFFF) >= 2**31, True)
            for _ in range(100):
                held = [obj]
            del held
            r5 = ext.refcnt(obj)
            check(f"{label}: the interpreter's increfs saturate it at 2**32 - 1", r5, 2**32 - 1)
        else:
            # 3.14+: the whole word of a static immortal is 3 << 30 with the
            # static and immortal flags in ob_flags (fact sheet section 2);
            # legacy increfs show in the count but leave it immortal, and the
            # interpreter's references do not count.
            r0 = ext.refcnt(obj)
            check(f"{label}: static immortal word", r0, (3 << 30) | (5 << 48))
            ext.incref(obj, 1000)
            r1 = ext.refcnt(obj)
            check(f"{label}: 1000 legacy increfs show in the count", r1 - r0, 1000)
            held = [obj] * 10
            r2 = ext.refcnt(obj)
            check(f"{label}: still immortal: the interpreter's references do not count", r2, r1)
            del held
            ext.decref(obj, 1000)
            check(f"{label}: balanced again", ext.refcnt(obj), r0)
    failures = [c for c in checks if c[1] != c[2]]
    for what, got, want in checks:
        print(f"harness: {name}: {what}: {got}" + ("" if got == want else f", expected {want}"))
    for what, got, want in failures:
        print(f"drive.py:0:F:{name}:{what}:0: got {got}, expected {want}")
    ran = len(checks)
    print(f"{100 * (ran - len(failures)) // ran}%: Checks: {ran}, Failures: {len(failures)}, Errors: 0")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
