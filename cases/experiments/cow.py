"""cow.py WORKERS -- the copy-on-write experiment with a real interpreter:
the parent imports a sizeable part of the standard library (and freezes the
collector's view of it, as pre-forking servers do with gc.freeze()), then
forks WORKERS children that touch None, True, False, small ints and the
interned strings of every module's namespace heavily. Each child reports
its private and shared memory from /proc/self/smaps_rollup.
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


def touch():
    names = [k for m in list(sys.modules.values()) for k in getattr(m, "__dict__", {})]
    for _ in range(20):
        held = [None, True, False] * 1000 + list(range(-5, 257)) * 10
        for name in names:
            held.append(name)  # interned identifiers: one reference each
        del held


def main():
    workers = int(sys.argv[1])
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
            touch()
            private, shared = rollup()
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
