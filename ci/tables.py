#!/usr/bin/env python3
"""ci/tables.py: python3 -m ci.harness tables (ci/harness/tables.py), kept for its command line."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ci.harness import tables  # noqa: E402

sys.exit(tables.main(sys.argv[1:]))
