"""``python -m trustgraph``: the same command line as the ``trustgraph`` console script."""

from __future__ import annotations

import sys

from trustgraph.cli.main import main

sys.exit(main())
