"""trustgraph: a formal trust-graph analyzer for AWS IAM.

Load account exports, build the graph of who can obtain which role's credentials, and answer reachability questions
with an SMT encoding of the policy conditions. Every "yes" carries a witness request per hop; every "no" is a proof
under the stated zone of trust; "unknown" is reported as such.

The public API is imported lazily so that ``import trustgraph`` stays cheap:

>>> import trustgraph
>>> trustgraph.__version__
'0.1.0'
"""

from __future__ import annotations

from trustgraph._lazy import lazy_getattr

__version__ = "0.1.0"

_LAZY = {
    "load": "trustgraph.api",
    "TrustGraph": "trustgraph.api",
    "ReachResults": "trustgraph.api",
    "QueryOptions": "trustgraph.queries.options",
    "Reach": "trustgraph.queries.results",
    "ReachResult": "trustgraph.queries.results",
    "HopWitness": "trustgraph.queries.results",
    "build_graph": "trustgraph.graph.build",
    "load_estate": "trustgraph.ingest.load",
    "Finding": "trustgraph.checks.finding",
    "Severity": "trustgraph.checks.finding",
    "Zone": "trustgraph.model.zone",
}

__all__ = ["__version__", *sorted(_LAZY)]


__getattr__ = lazy_getattr("trustgraph", _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
