"""Suite-wide settings.

The solver's default timeout (5 s) is a product default for interactive use. The suite checks what the analysis
decides, on a CI machine whose two cores may be busy, so it gives every solver call a generous budget; timeouts
themselves are tested with injected unknowns (tests/smt, tests/checks/test_unknown.py), never by racing the clock.
"""

from __future__ import annotations

import os

os.environ.setdefault("TRUSTGRAPH_SOLVER_TIMEOUT_MS", "60000")
