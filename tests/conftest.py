"""Suite-wide settings.

The solver's default timeout (5 s) is a product default for interactive use. The suite checks what the analysis
decides, on a CI machine whose two cores may be busy, so it gives every solver call a generous budget; timeouts
themselves are tested with injected unknowns (tests/smt, tests/checks/test_unknown.py), never by racing the clock.
"""

from __future__ import annotations

import os

os.environ.setdefault("TRUSTGRAPH_SOLVER_TIMEOUT_MS", "60000")

from hypothesis import HealthCheck, settings  # noqa: E402

#: A loaded machine must not fail a test: hypothesis gets no deadline and no "input generation is slow" health check
#: (the suite asserts what is computed, never how fast); tests that set their own settings inherit this profile.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")
