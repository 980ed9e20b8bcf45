#!/usr/bin/env python3
"""ci/report.py: python3 -m ci.harness report (ci/harness/report.py), kept for its command line."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ci.harness import report  # noqa: E402

sys.exit(report.main(sys.argv[1:]))
