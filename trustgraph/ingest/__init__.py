"""Outside formats to model values: policy documents, account exports, Organizations and provider listings.

Strict at the edge: every structural problem is an :class:`~trustgraph.errors.IngestError` naming the file and the
JSON pointer; valid IAM that the analysis does not model exactly loads with a flag.
"""

from __future__ import annotations

from trustgraph.ingest.gaad import account_from_gaad, merge_snapshots
from trustgraph.ingest.load import bundled_example_path, load_estate, read_json
from trustgraph.ingest.policy_json import policy_from_json, policy_to_json
from trustgraph.ingest.zone_file import zone_from_options

__all__ = [
    "account_from_gaad", "bundled_example_path", "load_estate", "merge_snapshots", "policy_from_json",
    "policy_to_json", "read_json", "zone_from_options",
]
