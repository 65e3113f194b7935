"""Outside formats to model values: policy documents, account exports, Organizations and provider listings.

Strict at the edge: every structural problem is an :class:`~trustgraph.errors.IngestError` naming the file and the
JSON pointer; valid IAM that the analysis does not model exactly loads with a flag.

The names below are imported on first use, so that importing one submodule (``trustgraph.ingest.gaad``) does not
import all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustgraph._lazy import lazy_getattr

if TYPE_CHECKING:
    from trustgraph.ingest.gaad import account_from_gaad, merge_snapshots
    from trustgraph.ingest.load import bundled_example_path, load_estate, read_json
    from trustgraph.ingest.policy_json import policy_from_json, policy_to_json
    from trustgraph.ingest.zone_file import zone_from_options

_LAZY = {
    "account_from_gaad": "trustgraph.ingest.gaad",
    "merge_snapshots": "trustgraph.ingest.gaad",
    "bundled_example_path": "trustgraph.ingest.load",
    "load_estate": "trustgraph.ingest.load",
    "read_json": "trustgraph.ingest.load",
    "policy_from_json": "trustgraph.ingest.policy_json",
    "policy_to_json": "trustgraph.ingest.policy_json",
    "zone_from_options": "trustgraph.ingest.zone_file",
}

__all__ = [
    "account_from_gaad", "bundled_example_path", "load_estate", "merge_snapshots", "policy_from_json",
    "policy_to_json", "read_json", "zone_from_options",
]


__getattr__ = lazy_getattr("trustgraph.ingest", _LAZY, globals())
