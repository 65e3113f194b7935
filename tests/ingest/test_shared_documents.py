"""Policy documents parsed once per load (PolicyInterner) give exactly the values of parsing every occurrence:
same fields, and each occurrence's own locations (nothing located is shared between occurrences)."""

from __future__ import annotations

import json
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from deep_values import deep
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies_policy import policy_document

from trustgraph.errors import IngestError
from trustgraph.ingest.load import load_estate
from trustgraph.ingest.policy_json import PolicyInterner, policy_from_json, relocate_policy
from trustgraph.model.location import Location
from trustgraph.synth import synthesize

from .conftest import DATA, SAMPLE

_LOCATIONS = [Location("a.json", ""), Location("a.json", "/RoleDetailList/0/AssumeRolePolicyDocument"),
              Location("dir/b~c.json", "/0/Policies/12/PolicyVersionList/1/Document")]


@settings(max_examples=150, deadline=None)
@given(doc=policy_document(), kind=st.sampled_from(["trust", "identity"]),
       first=st.sampled_from(_LOCATIONS), second=st.sampled_from(_LOCATIONS))
def test_relocated_policy_equals_a_fresh_parse(doc: dict[str, Any], kind: Any, first: Location,
                                               second: Location) -> None:
    fresh = policy_from_json(doc, second, kind=kind)
    moved = relocate_policy(policy_from_json(doc, first, kind=kind), second)
    assert deep(moved) == deep(fresh)


@settings(max_examples=100, deadline=None)
@given(doc=policy_document(), kind=st.sampled_from(["trust", "identity"]))
def test_interner_gives_each_occurrence_its_own_locations(doc: dict[str, Any], kind: Any) -> None:
    interner = PolicyInterner()
    first = interner.policy(doc, _LOCATIONS[1], kind)
    second = interner.policy(json.loads(json.dumps(doc)), _LOCATIONS[2], kind)
    assert len(interner) == 1
    assert deep(first) == deep(policy_from_json(doc, _LOCATIONS[1], kind=kind))
    assert deep(second) == deep(policy_from_json(doc, _LOCATIONS[2], kind=kind))
    for a, b in zip(first.statements, second.statements, strict=True):
        assert a.location.file == "a.json" and b.location.file == "dir/b~c.json"
        assert [c.location.file for c in b.conditions] == ["dir/b~c.json"] * len(b.conditions)


def test_kind_is_part_of_the_key() -> None:
    """The same text as a trust policy and as an identity policy raises different flags."""
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*"},
                                                  {"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    interner = PolicyInterner()
    trust = interner.policy(doc, _LOCATIONS[0], "trust")
    identity = interner.policy(doc, _LOCATIONS[1], "identity")
    assert [st.flags for st in trust.statements] == [(), ("missing-principal",)]
    assert [st.flags for st in identity.statements] == [("principal-in-identity-policy",), ()]


def test_key_order_and_number_types_are_not_merged() -> None:
    """Only byte-identical JSON is shared: reordered conditions or 1 vs 1.0 parse on their own."""
    a = {"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"NumericEquals": {"k": 1, "j": "2"}}}}
    b = {"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"NumericEquals": {"j": "2", "k": 1}}}}
    c = {"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"NumericEquals": {"k": 1.0, "j": "2"}}}}
    interner = PolicyInterner()
    for doc in (a, b, c):
        assert deep(interner.policy(doc, _LOCATIONS[1])) == deep(policy_from_json(doc, _LOCATIONS[1]))
    assert len(interner) == 3


def test_an_invalid_document_raises_at_each_occurrence() -> None:
    doc = {"Statement": [{"Effect": "Permit", "Action": "*"}]}
    interner = PolicyInterner()
    for loc in _LOCATIONS[1:]:
        with pytest.raises(IngestError) as info:
            interner.policy(doc, loc)
        assert str(info.value) == f'{loc}/Statement/0/Effect: expected "Allow" or "Deny", got "Permit"'


def _repeating_export(tmp_path: Path) -> Path:
    """Two accounts whose roles repeat trust, inline and managed documents (one URL-encoded, keys needing
    pointer escapes), each document also appearing under another kind."""
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::"
             "999988887777:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {
                 "aws:PrincipalTag/team~x": "ops", "sts:ExternalId": ["a", "b"]}, "Bool": {
                 "aws:MultiFactorAuthPresent": True}}}]}
    identity = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Resource": "*"}]}
    encoded = urllib.parse.quote(json.dumps(identity))
    root = tmp_path / "exports"
    root.mkdir()
    for account in ("111122223333", "444455556666"):
        roles = [{"RoleName": f"R{i}", "RoleId": f"AROAEXAMPLE{account}{i:02d}", "Path": "/",
                  "Arn": f"arn:aws:iam::{account}:role/R{i}", "AssumeRolePolicyDocument": trust if i % 3 else encoded,
                  "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": identity if i % 2 else trust}],
                  "AttachedManagedPolicies": [{"PolicyName": "M", "PolicyArn": f"arn:aws:iam::{account}:policy/M"}]}
                 for i in range(6)]
        policies = [{"PolicyName": "M", "Arn": f"arn:aws:iam::{account}:policy/M", "DefaultVersionId": "v2",
                     "PolicyVersionList": [{"VersionId": "v1", "Document": trust},
                                           {"VersionId": "v2", "Document": encoded}]}]
        (root / f"gaad-{account}.json").write_text(json.dumps({"RoleDetailList": roles, "Policies": policies}))
    return root


@pytest.mark.parametrize("which", ["repeating", "sample", "checks", "iam_rejects", "example-org", "generated"])
def test_shared_load_equals_the_reference_load(which: str, tmp_path: Path) -> None:
    if which == "generated":  # AWS managed policies and trust policies repeated across accounts, as in the field
        synthesize(tmp_path / "org", accounts=4, roles_per_account=40, seed=5)
    paths = {
        "generated": tmp_path / "org",
        "repeating": _repeating_export(tmp_path),
        "sample": SAMPLE,
        "checks": DATA / "checks",
        "iam_rejects": DATA / "iam_rejects",
        "example-org": Path(__file__).resolve().parents[2] / "datasets" / "example-org",
    }
    path = paths[which]
    if which == "iam_rejects":  # files of different accounts that cannot all load together: one at a time
        files = sorted(path.glob("*.json"))
    else:
        files = [path]
    assert files
    for f in files:
        assert deep(load_estate([f])) == deep(load_estate([f], share_documents=False))


def test_repeated_documents_keep_their_own_locations(tmp_path: Path) -> None:
    estate = load_estate([_repeating_export(tmp_path)])
    seen: set[str] = set()
    for account in estate.accounts:
        for i, role in enumerate(account.roles):
            base = f"{account.sources[0]}#/RoleDetailList/{i}"
            assert str(role.trust_policy.location) == f"{base}/AssumeRolePolicyDocument"
            for st_ in role.trust_policy.statements:
                assert str(st_.location).startswith(f"{base}/AssumeRolePolicyDocument/Statement")
                assert all(str(c.location).startswith(str(st_.location) + "/Condition/") for c in st_.conditions)
                seen.update(str(c.location) for c in st_.conditions)
            doc = role.inline_policies[0].document
            assert all(str(s.location).startswith(f"{base}/RolePolicyList/0/PolicyDocument/") for s in doc.statements)
    # the escaped key of every occurrence is there, once per role whose trust policy is not URL-encoded
    assert sum("/StringEquals/aws:PrincipalTag~1team~0x" in loc for loc in seen) == 2 * 4
    flags = [f for a in estate.accounts for f in a.flags]
    assert len({str(f.location) for f in flags}) == len(flags)


def test_invalid_corpus_unchanged_without_sharing(tmp_path: Path) -> None:
    """Bad input raises the same error with and without sharing (the shared path parses the first occurrence)."""
    for f in sorted((DATA / "invalid").glob("*.json")):
        copy = tmp_path / f.name
        shutil.copy(f, copy)
        errors = []
        for share in (True, False):
            try:
                load_estate([copy], share_documents=share)
                errors.append(None)
            except IngestError as exc:
                errors.append(str(exc))
        assert errors[0] == errors[1], f.name


@pytest.mark.parametrize("profile", ["mix", "federation-heavy", "chain-heavy", "vendor-heavy", "condition-heavy"])
def test_shared_load_equals_the_reference_load_on_every_profile(profile: str, tmp_path: Path) -> None:
    """Every shape of generated organization: the same values, locations and canonical texts (shared by the moved
    copies of a repeated document, computed afresh by the reference load)."""
    synthesize(tmp_path / "org", accounts=3, roles_per_account=20, seed=3, profile=profile)
    shared, reference = load_estate([tmp_path / "org"]), load_estate([tmp_path / "org"], share_documents=False)
    assert deep(shared) == deep(reference)
