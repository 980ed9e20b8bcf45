"""cow.py WORKERS [--guest-heap] -- the copy-on-write experiment with a real interpreter:
the parent imports a sizeable part of the standard library (and freezes the
collector's view of it, as pre-forking servers do with gc.freeze()), then
forks WORKERS children that touch None, True, False, small ints and the
interned strings of every module's namespace heavily. Each child reports
its private and shared memory from /proc/self/smaps_rollup.

--guest-heap: under qemu-user 7.2, where /proc/self/smaps is the host's
view of the emulator's process (qemu emulates only /proc/self/maps), and
the whole process's numbers include the emulator's own translation buffer,
which a forked child dirties. Each child then reports only the guest's own
memory: its anonymous mappings (the heap, pymalloc's arenas) and the
interpreter's binary (Debian links libpython into it: the static objects,
None and the small ints among them, are in its data): their Private_Dirty in
the host's smaps, found at the guest addresses the emulated maps gives
plus the offset at which the interpreter's own binary is mapped in both;
the shared column is their Shared_Clean + Shared_Dirty. Each line then
says the private kB before the touch too: python,version,workers,worker,
private_before_kb,private_kb,shared_kb.
Output: one CSV line per worker: python,version,workers,worker,private_kb,shared_kb"""
import gc
import os
import sys

MODULES = ("argparse asyncio collections concurrent.futures csv dataclasses datetime decimal difflib email.parser "
           "fractions http.client inspect ipaddress json logging pathlib pickle pprint random re shlex sqlite3 "
           "statistics string tarfile textwrap threading typing unittest urllib.parse uuid xml.etree.ElementTree "
           "zipfile").split()


def rollup():
    fields = {}
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1])
    return (fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0),
            fields.get("Shared_Clean", 0) + fields.get("Shared_Dirty", 0))


def mappings(path, fields=("Private_Dirty", "Shared_Clean", "Shared_Dirty")):
    """[(start, end, pathname, {field: kB})] of a maps or smaps file."""
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts and "-" in parts[0] and not parts[0].endswith(":"):
                start, end = (int(x, 16) for x in parts[0].split("-"))
                out.append((start, end, parts[5] if len(parts) > 5 else "", {}))
            elif out and parts and parts[0][:-1] in fields:
                out[-1][3][parts[0][:-1]] = int(parts[1])
    return out


def guest_heap():
    """(private dirty, shared) kB of the guest's memory (--guest-heap)."""
    guest, host = mappings("/proc/self/maps"), mappings("/proc/self/smaps")
    exe = os.path.realpath(sys.executable)
    offset = (next(s for s, _, p, _ in host if p == exe) - next(s for s, _, p, _ in guest if p == exe))
    private = shared = 0
    for start, end, path, _ in guest:
        if path not in ("", "[heap]", exe):
            continue
        for h_start, h_end, _, kb in host:
            if h_start >= start + offset and h_end <= end + offset:
                private += kb.get("Private_Dirty", 0)
                shared += kb.get("Shared_Clean", 0) + kb.get("Shared_Dirty", 0)
    return private, shared


def touch():
    names = [k for m in list(sys.modules.values()) for k in getattr(m, "__dict__", {})]
    for _ in range(20):
        held = [None, True, False] * 1000 + list(range(-5, 257)) * 10
        for name in names:
            held.append(name)  # interned identifiers: one reference each
        del held


def main():
    workers = int(sys.argv[1])
    measure = guest_heap if sys.argv[2:] == ["--guest-heap"] else rollup
    for name in MODULES:
        __import__(name)
    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()
    children = []
    for w in range(workers):
        r, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            if measure is guest_heap:
                before, _ = measure()  # what the child copied before it touched anything
                touch()
                private, shared = measure()
                os.write(wfd, f"{before},{private},{shared}".encode())
            else:
                touch()
                private, shared = measure()
                os.write(wfd, f"{private},{shared}".encode())
            os._exit(0)
        os.close(wfd)
        children.append((w, pid, r))
    version = sys.version.split()[0]
    for w, pid, r in children:
        data = os.read(r, 100).decode()
        os.waitpid(pid, 0)
        print(f"python{sys.version_info[0]}.{sys.version_info[1]},{version},{workers},{w},{data}")


if __name__ == "__main__":
    main()
