"""Nothing crashes: any JSON value, and any export with one value replaced, loads or raises IngestError."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from deep_values import json_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustgraph.errors import IngestError
from trustgraph.ingest.gaad import account_from_gaad
from trustgraph.ingest.load import classify
from trustgraph.ingest.organizations import OrgCollector
from trustgraph.ingest.providers import ProviderCollector

from .conftest import SAMPLE

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=12), st.sampled_from(["*", "Allow", "arn:aws:iam::111122223333:role/x", "p-12345678",
                                                     "2024-01-01T00:00:00Z", "%7B%7D", "{}"])),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.sampled_from(["Effect", "Statement", "Arn", "Id", "Type", "x"]),
                                               children, max_size=3)),
    max_leaves=10,
)

_BASE = json.loads((SAMPLE / "gaad-111122223333.json").read_text())


_ALL_PATHS = json_paths(_BASE)[1:]


def _load(data: object, source: str) -> None:
    kind = classify(data)
    if kind == "gaad":
        account_from_gaad(data, source)
    elif kind is not None and isinstance(data, dict):
        collector: OrgCollector | ProviderCollector
        if kind in ("list-open-id-connect-providers", "list-saml-providers", "get-open-id-connect-provider"):
            collector = ProviderCollector()
            collector.add(data, kind, source)
            collector.build()
        else:
            org = OrgCollector()
            org.add(data, kind, source)
            org.build()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_ALL_PATHS), json_values)
def test_export_with_one_value_replaced(path: tuple[Any, ...], value: object) -> None:
    data = copy.deepcopy(_BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    try:
        _load(data, "mutated.json")
    except IngestError as exc:
        assert str(exc).startswith("mutated.json#") and "\n" not in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, st.fixed_dictionaries({}, optional={
    k: json_values for k in ("UserDetailList", "RoleDetailList", "Policies", "Organization", "Accounts", "Policy",
                             "Targets", "Roots", "Parents", "OpenIDConnectProviderList", "SAMLProviderList", "Url",
                             "ClientIDList", "PolicyId", "ChildId")})))
def test_any_json_value(data: object) -> None:
    try:
        _load(data, "any.json")
    except IngestError as exc:
        assert str(exc).startswith("any.json#")


def test_mutation_paths_cover_the_export() -> None:
    assert ("RoleDetailList", 3, "AssumeRolePolicyDocument", "Statement", 0, "Principal", "AWS") in _ALL_PATHS
    assert Path(SAMPLE).is_dir()
