"""Make the deployable `curbside` package importable when the seed runs as `python -m seed`.

`curbside` lives in `functions/` (the directory the Firebase CLI deploys); pytest and the local stack put it
on `sys.path` themselves, the bare interpreter of `make seed` does not.
"""

import sys
from pathlib import Path

FUNCTIONS_DIR = str(Path(__file__).resolve().parent.parent / "functions")

if FUNCTIONS_DIR not in sys.path:
    sys.path.insert(0, FUNCTIONS_DIR)
