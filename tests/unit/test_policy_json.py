"""Policy documents to the model and back: the round-trip property and the spellings IAM accepts."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from strategies_policy import policy_document

from trustgraph.errors import IngestError
from trustgraph.ingest.policy_json import decode_document, parse_operator, policy_from_json, policy_to_json
from trustgraph.model.condition import Operator, SetQualifier
from trustgraph.model.location import Location
from trustgraph.model.principal import PrincipalKind

LOC = Location("p.json", "/doc")


@settings(max_examples=300, deadline=None)
@given(policy_document())
def test_round_trip_json_model_json_model(raw: dict[str, Any]) -> None:
    model = policy_from_json(raw, LOC, kind="trust")
    text = orjson.dumps(policy_to_json(model))
    again = policy_from_json(orjson.loads(text), Location("q.json", ""), kind="trust")
    assert again == model
    assert policy_to_json(again) == policy_to_json(model)
    # flags do not take part in equality: check them separately
    assert [f for f, _ in again.all_flags()] == [f for f, _ in model.all_flags()]


@settings(max_examples=100, deadline=None)
@given(policy_document(trust=False))
def test_url_encoded_document_equals_decoded(raw: dict[str, Any]) -> None:
    encoded = urllib.parse.quote(json.dumps(raw))
    assert policy_from_json(encoded, LOC) == policy_from_json(raw, LOC)


def test_string_and_list_spellings_are_equal() -> None:
    one = policy_from_json({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "*"},
                            "Action": "sts:AssumeRole"}}, LOC, kind="trust")
    many = policy_from_json({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]},
                             "Action": ["sts:AssumeRole"]}]}, LOC, kind="trust")
    assert one == many
    star = policy_from_json({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}, LOC,
                            kind="trust")
    assert star.statements[0].principals[0].kind is PrincipalKind.ANY
    assert one.statements[0].principals[0].kind is PrincipalKind.ANY


def test_condition_values_keep_their_json_type_and_compare_as_text() -> None:
    policy = policy_from_json({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                               "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": True},
                                                                         "NumericLessThan": {"x:n": [1, 2.5]}}}]},
                              LOC, kind="trust")
    bool_cond, num_cond = policy.statements[0].conditions
    assert bool_cond.values == (True,) and bool_cond.texts == ("true",)
    assert num_cond.texts == ("1", "2.5")
    assert bool_cond.key == "aws:multifactorauthpresent" and bool_cond.key_text == "aws:MultiFactorAuthPresent"
    assert str(num_cond.location) == "p.json#/doc/Statement/0/Condition/NumericLessThan/x:n"


@pytest.mark.parametrize(("text", "expected"), [
    ("StringEquals", (SetQualifier.NONE, Operator.STRING_EQUALS, False)),
    ("ForAnyValue:StringLikeIfExists", (SetQualifier.FOR_ANY_VALUE, Operator.STRING_LIKE, True)),
    ("forallvalues:stringnotequals", (SetQualifier.FOR_ALL_VALUES, Operator.STRING_NOT_EQUALS, False)),
    ("ArnLikeIfExists", (SetQualifier.NONE, Operator.ARN_LIKE, True)),
    ("StringEqualsAnyCase", (SetQualifier.NONE, Operator.UNKNOWN, False)),
    ("Sometimes:StringEquals", (SetQualifier.NONE, Operator.UNKNOWN, False)),
])
def test_parse_operator(text: str, expected: tuple[SetQualifier, Operator, bool]) -> None:
    assert parse_operator(text) == expected


def test_variables_only_under_2012_version() -> None:
    def resource_pattern(version: str | None) -> object:
        doc: dict[str, Any] = {"Statement": [{"Effect": "Allow", "Action": "s3:*",
                                              "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}
        if version:
            doc["Version"] = version
        return policy_from_json(doc, LOC).statements[0].resources[0].pattern  # type: ignore[index]

    from trustgraph.model.pattern import Variable

    assert any(isinstance(e, Variable) for e in resource_pattern("2012-10-17"))  # type: ignore[attr-defined]
    assert not any(isinstance(e, Variable) for e in resource_pattern("2008-10-17"))  # type: ignore[attr-defined]
    assert not any(isinstance(e, Variable) for e in resource_pattern(None))  # type: ignore[attr-defined]


@pytest.mark.parametrize(("doc", "message"), [
    ({"Statement": [{"Effect": "Allow", "Principal": "*", "NotPrincipal": "*", "Action": "a"}]},
     "p.json#/doc/Statement/0/NotPrincipal: statement has both Principal and NotPrincipal"),
    ({"Statement": [{"Effect": "Allow", "Principal": {"Users": "x"}, "Action": "a"}]},
     "p.json#/doc/Statement/0/Principal/Users: unknown principal type `Users` (expected AWS, Federated, Service or "
     "CanonicalUser)"),
    ({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": []}]},
     "p.json#/doc/Statement/0/Action: expected at least one action, got an empty list"),
    ({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "a",
                     "Condition": {"StringEquals": {"k": {"nested": 1}}}}]},
     "p.json#/doc/Statement/0/Condition/StringEquals/k: expected a condition value (string, number or boolean), got "
     "an object"),
    ({"Version": "2012-10-17"}, "p.json#/doc: policy document has no Statement"),
    ({"Statement": [], "Extra": 1}, "p.json#/doc/Extra: unknown policy element `Extra`"),
    ({"Statement": [{"Principal": "*", "Action": "a"}]},
     'p.json#/doc/Statement/0: statement has no Effect (expected "Allow" or "Deny")'),
])
def test_structural_errors(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(IngestError) as info:
        policy_from_json(doc, LOC, kind="trust")
    assert str(info.value) == message


def test_decode_document_rejects_non_objects() -> None:
    with pytest.raises(IngestError, match=r"^p\.json#/doc: expected a policy document object, got a list$"):
        decode_document([], LOC)
    assert decode_document('{"Statement": []}', LOC) == {"Statement": []}
