"""The local stack: Google's emulators, our functions server, and stand-ins for paid vendors (never deployed).

The doubles speak the gateway types of the functions' own code (`curbside.gateways`), so the functions
source directory is importable wherever the stack is.
"""

import sys
from pathlib import Path

_FUNCTIONS = str(Path(__file__).resolve().parent.parent / "functions")
if _FUNCTIONS not in sys.path:
    sys.path.append(_FUNCTIONS)
