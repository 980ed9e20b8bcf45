"""python3 -m ci.harness COMMAND ARGS...: see ci/harness/__init__.py."""
import sys

from . import audit, merge, profile, report, reuse, run, setup, tables

COMMANDS = {"tables": tables.main, "report": report.main, "reuse-key": reuse.main, "profile": profile.main,
            "run": run.main, "merge": merge.main, "audit": audit.main,
            "setup": setup.main}


def main(argv):
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip() + "\ncommands: " + ", ".join(COMMANDS), file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
