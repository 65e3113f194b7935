"""Suite-wide settings.

The solver's default timeout (5 s) is a product default for interactive use. The suite checks what the analysis
decides, on a CI machine whose two cores may be busy, so it gives every solver call a generous budget; timeouts
themselves are tested with injected unknowns (tests/smt, tests/checks/test_unknown.py), never by racing the clock.
For the same reason hypothesis's per-example deadline and its "input generation is slow" health check, statements
about the machine's load and not about the code, are off.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

os.environ.setdefault("TRUSTGRAPH_SOLVER_TIMEOUT_MS", "60000")
settings.register_profile("shared-ci", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("shared-ci")
