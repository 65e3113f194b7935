"""The canonical text of a policy (:func:`trustgraph.model.policy.canonical_json`): the orjson encoding (``fast``,
the default) gives exactly the reference's characters (``json.dumps`` with compact separators), for every document
the loader accepts, including the ones whose strings need escapes (quotes, backslashes, control characters, DEL,
non-ASCII), float and very large integer condition values, and an organization's documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies_policy import policy_document

import trustgraph.model.policy as policy_module
from trustgraph.ingest.load import load_estate
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.location import Location
from trustgraph.model.policy import Policy, canonical_json
from trustgraph.synth import synthesize

_AT = Location("t.json", "/doc")


def _texts(policy: Policy) -> tuple[str, str]:
    return (canonical_json(policy.version, policy.id, policy.statements, fast=True),
            canonical_json(policy.version, policy.id, policy.statements, fast=False))


@settings(max_examples=300, deadline=None)
@given(policy_document(trust=True), st.sampled_from(["trust", "identity", "resource"]))
def test_fast_text_is_the_reference_text(doc: dict[str, Any], kind: Any) -> None:
    policy = policy_from_json(doc, _AT, kind=kind)
    fast, reference = _texts(policy)
    assert fast == reference
    assert policy.canonical_text() == reference


_ODD_STRINGS = ['quo"te', "back\\slash", "tab\there", "nl\n", "bell\x07", "del\x7f", "é", "日本", "\u2028",
                "float", "", "emoji\U0001f600", "slash/"]


@pytest.mark.parametrize("text", _ODD_STRINGS)
def test_strings_that_need_escapes(text: str) -> None:
    doc = {"Version": "2012-10-17", "Id": text, "Statement": [{
        "Sid": "s", "Effect": "Allow", "Action": [text or "s3:*", "s3:Get*"], "Resource": text or "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": [text, "x"]}}}]}
    fast, reference = _texts(policy_from_json(doc, _AT))
    assert fast == reference


@pytest.mark.parametrize("value", [1.5, 1e16, 1e-7, 0.1, -0.0, 3, 2**63, 2**64 + 1, -(2**70), True, False])
def test_numbers_and_booleans(value: object) -> None:
    doc = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                                  "Condition": {"NumericLessThan": {"s3:max-keys": value}}}}
    fast, reference = _texts(policy_from_json(doc, _AT))
    assert fast == reference


def test_plain_document_skips_json_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    """The switch switches: a plain document's fast text is orjson's (json.dumps not called); the reference calls
    it."""
    doc = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
    policy = policy_from_json(doc, _AT)
    calls: list[object] = []
    real = json.dumps

    def counting(value: object, **kwargs: Any) -> str:
        calls.append(value)
        return real(value, **kwargs)

    monkeypatch.setattr(policy_module.json, "dumps", counting)
    fast = canonical_json(policy.version, policy.id, policy.statements)
    assert calls == []
    reference = canonical_json(policy.version, policy.id, policy.statements, fast=False)
    assert len(calls) == 1
    assert fast == reference


@pytest.mark.parametrize("profile", ["random", "condition-heavy", "mix"])
def test_organization_documents(tmp_path: Any, profile: str) -> None:
    synthesize(tmp_path, accounts=3, roles_per_account=40, seed=5, profile=profile)
    estate = load_estate([tmp_path])
    documents = [p for a in estate.accounts for p in (
        *(r.trust_policy for r in a.roles),
        *(ip.document for e in (*a.roles, *a.users, *a.groups) for ip in e.inline_policies),
        *(mp.document for mp in a.policies))]
    assert len(documents) > 100
    for policy in documents:
        fast, reference = _texts(policy)
        assert fast == reference
