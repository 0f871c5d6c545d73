"""Benchmarks run against Google's Firestore emulator (never deployed). `python -m bench.dispatch`.

`curbside` lives in `functions/` (the directory the Firebase CLI deploys); the bare interpreter does not
have it on `sys.path`, so the package puts it there, as `seed/_path.py` does for the seed.
"""

import sys
from pathlib import Path

FUNCTIONS_DIR = str(Path(__file__).resolve().parent.parent / "functions")

if FUNCTIONS_DIR not in sys.path:
    sys.path.insert(0, FUNCTIONS_DIR)
