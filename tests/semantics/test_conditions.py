"""Unit tests of condition evaluation: every operator family, absence rules, set operators, variables."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.ingest.policy_json import conditions_from_json
from trustgraph.model.condition import Condition
from trustgraph.model.location import Location
from trustgraph.semantics.conditions import (
    UndecidableCondition,
    evaluate_condition,
    evaluate_conditions,
    undecidable_conditions,
)

LOC = Location("test.json", "/Condition")


def conds(block: dict[str, Any], *, variables: bool = True) -> tuple[Condition, ...]:
    return conditions_from_json(block, LOC, variables=variables)


def ev(block: dict[str, Any], context: dict[str, Any], *, variables: bool = True) -> bool:
    ctx = {k.lower(): (v,) if isinstance(v, str) else tuple(v) for k, v in context.items()}
    return evaluate_conditions(conds(block, variables=variables), ctx, variables=variables)


# --- the peer mistakes of the "Done when" -----------------------------------------------------------------
def test_string_not_equals_on_absent_key_is_true_so_a_deny_fires() -> None:
    assert ev({"StringNotEquals": {"aws:PrincipalOrgID": "o-mine"}}, {}) is True


def test_for_any_value_string_not_equals_on_absent_org_id_is_false() -> None:
    assert ev({"ForAnyValue:StringNotEquals": {"aws:PrincipalOrgID": "o-mine"}}, {}) is False


def test_for_all_values_on_absent_key_admits() -> None:
    assert ev({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-mine"}}, {}) is True


def test_bool_if_exists_mfa_true_admits_long_term_keys() -> None:
    assert ev({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, {}) is True
    assert ev({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {}) is False


def test_string_like_star_requires_presence() -> None:
    assert ev({"StringLike": {"sts:ExternalId": "*"}}, {}) is False
    assert ev({"StringLike": {"sts:ExternalId": "*"}}, {"sts:ExternalId": "anything"}) is True


def test_string_equals_if_exists_admits_absence() -> None:
    assert ev({"StringEqualsIfExists": {"sts:ExternalId": "12345"}}, {}) is True
    assert ev({"StringEqualsIfExists": {"sts:ExternalId": "12345"}}, {"sts:ExternalId": "1"}) is False


def test_glob_prefix_without_slash_admits_lookalike_org() -> None:
    block = {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme*"}}
    assert ev(block, {"token.actions.githubusercontent.com:sub": "repo:acme-evil/x:ref:refs/heads/main"}) is True
    block = {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}
    assert ev(block, {"token.actions.githubusercontent.com:sub": "repo:acme-evil/x:ref:refs/heads/main"}) is False


# --- strings ------------------------------------------------------------------------------------------------------
def test_string_equals_is_case_sensitive_and_key_names_are_not() -> None:
    assert ev({"StringEquals": {"STS:EXTERNALID": "abc"}}, {"sts:externalid": "abc"}) is True
    assert ev({"StringEquals": {"sts:ExternalId": "abc"}}, {"sts:externalid": "ABC"}) is False


def test_ignore_case_folds_ascii_only() -> None:
    assert ev({"StringEqualsIgnoreCase": {"k:k": "AbC"}}, {"k:k": "aBc"}) is True
    assert ev({"StringNotEqualsIgnoreCase": {"k:k": "AbC"}}, {"k:k": "abc"}) is False
    assert ev({"StringEqualsIgnoreCase": {"k:k": "É"}}, {"k:k": "é"}) is False


def test_values_of_one_key_or_and_negated_values_nor() -> None:
    assert ev({"StringEquals": {"k:k": ["a", "b"]}}, {"k:k": "b"}) is True
    assert ev({"StringNotEquals": {"k:k": ["a", "b"]}}, {"k:k": "b"}) is False
    assert ev({"StringNotEquals": {"k:k": ["a", "b"]}}, {"k:k": "c"}) is True


def test_keys_and_operators_and() -> None:
    block = {"StringEquals": {"a:aud": "X", "a:sub": "Y"}}
    assert ev(block, {"a:aud": "X", "a:sub": "Z"}) is False
    assert ev(block, {"a:aud": "X", "a:sub": "Y"}) is True
    assert ev({"StringEquals": {"a:aud": "X"}, "StringLike": {"a:sub": "Y*"}}, {"a:aud": "X", "a:sub": "Yz"})


def test_string_like_question_mark_is_exactly_one_character() -> None:
    assert ev({"StringLike": {"k:k": "ci-?"}}, {"k:k": "ci-1"}) is True
    assert ev({"StringLike": {"k:k": "ci-?"}}, {"k:k": "ci-12"}) is False
    assert ev({"StringLike": {"k:k": "ci-?"}}, {"k:k": "ci-"}) is False


def test_string_equals_treats_wildcards_literally() -> None:
    assert ev({"StringEquals": {"k:k": "a*"}}, {"k:k": "abc"}) is False
    assert ev({"StringEquals": {"k:k": "a*"}}, {"k:k": "a*"}) is True


def test_string_not_like_on_absent_key_is_true() -> None:
    assert ev({"StringNotLike": {"k:k": "*"}}, {}) is True
    assert ev({"StringNotLike": {"k:k": "*"}}, {"k:k": "x"}) is False


def test_literal_wildcard_escapes() -> None:
    assert ev({"StringLike": {"k:k": "a${*}"}}, {"k:k": "a*"}) is True
    assert ev({"StringLike": {"k:k": "a${*}"}}, {"k:k": "ab"}) is False


def test_json_scalars_compare_as_their_text() -> None:
    assert ev({"StringEquals": {"k:k": True}}, {"k:k": "true"}) is True
    assert ev({"NumericEquals": {"k:k": 3600}}, {"k:k": "3600.0"}) is True


# --- ARNs ---------------------------------------------------------------------------------------------------------
def test_arn_like_is_segment_wise_but_string_like_is_not() -> None:
    value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    assert ev({"ArnLike": {"aws:SourceArn": pattern}}, {"aws:SourceArn": value}) is False
    assert ev({"StringLike": {"aws:SourceArn": pattern}}, {"aws:SourceArn": value}) is True


def test_arn_equals_allows_wildcards_and_star_spans_slashes_in_resource() -> None:
    pat = "arn:aws:iam::111111111111:role/*"
    assert ev({"ArnEquals": {"aws:PrincipalArn": pat}}, {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/a/b"})
    assert not ev({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/AWSReservedSSO_*"}},
                  {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/"
                                       "AWSReservedSSO_Admin_ab12"})


def test_arn_not_like_on_absent_key_and_on_a_non_arn() -> None:
    assert ev({"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::b"}}, {}) is True
    assert ev({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"}}, {"aws:SourceArn": "not-an-arn"}) is False
    assert ev({"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::b"}}, {"aws:SourceArn": "not-an-arn"}) is True


def test_arn_is_case_sensitive() -> None:
    assert not ev({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Dev"}},
                  {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/dev"})


# --- numbers, dates, booleans, binary, IP ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "policy", "request_value", "expected"),
    [
        ("NumericEquals", "1.5", "1.50", True),
        ("NumericNotEquals", "1.5", "1.50", False),
        ("NumericLessThan", "3600", "3599.999", True),
        ("NumericLessThan", "3600", "3600", False),
        ("NumericLessThanEquals", "3600", "3600", True),
        ("NumericGreaterThan", "0.1", "0.2", True),
        ("NumericGreaterThanEquals", "10", "9", False),
        ("NumericEquals", "1e3", "1000", True),
    ],
)
def test_numeric_operators_are_exact(op: str, policy: str, request_value: str, expected: bool) -> None:
    assert ev({op: {"aws:MultiFactorAuthAge": policy}}, {"aws:MultiFactorAuthAge": request_value}) is expected


def test_numeric_on_absent_key() -> None:
    assert ev({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {}) is False
    assert ev({"NumericNotEquals": {"aws:MultiFactorAuthAge": "3600"}}, {}) is True


@pytest.mark.parametrize(
    ("op", "policy", "request_value", "expected"),
    [
        ("DateLessThan", "2020-01-01T00:00:00Z", "2026-11-28T00:00:00Z", False),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", "2026-11-28T00:00:00Z", True),
        ("DateEquals", "1577836800", "2020-01-01T00:00:00Z", True),
        ("DateEquals", "2020-01-01T01:00:00+01:00", "2020-01-01T00:00:00Z", True),
        ("DateNotEquals", "2020-01-01", "2020-01-01T00:00:00Z", False),
        ("DateLessThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00.000Z", True),
        ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59.999Z", False),
    ],
)
def test_date_operators_compare_epoch_milliseconds(op: str, policy: str, request_value: str, expected: bool) -> None:
    assert ev({op: {"aws:CurrentTime": policy}}, {"aws:CurrentTime": request_value}) is expected


def test_bool_is_case_insensitive() -> None:
    assert ev({"Bool": {"aws:SecureTransport": "TRUE"}}, {"aws:SecureTransport": "true"}) is True
    assert ev({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "False"}) is False
    assert ev({"Bool": {"aws:SecureTransport": False}}, {"aws:SecureTransport": "false"}) is True


def test_binary_equals_compares_decoded_bytes() -> None:
    assert ev({"BinaryEquals": {"k:k": "QmluYXJ5"}}, {"k:k": "QmluYXJ5"}) is True
    assert ev({"BinaryEquals": {"k:k": "QmluYXJ5"}}, {"k:k": "QmluYXJz"}) is False


def test_ip_address_cidr_and_bare_address() -> None:
    assert ev({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.77"}) is True
    assert ev({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.114.1"}) is False
    assert ev({"IpAddress": {"aws:SourceIp": "203.0.113.5"}}, {"aws:SourceIp": "203.0.113.5"}) is True
    assert ev({"IpAddress": {"aws:SourceIp": "203.0.113.5"}}, {"aws:SourceIp": "203.0.113.6"}) is False
    assert ev({"IpAddress": {"aws:SourceIp": "203.0.113.5/24"}}, {"aws:SourceIp": "203.0.113.200"}) is True


def test_ip_v6_and_families_never_cross() -> None:
    assert ev({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8:1::5"}) is True
    assert ev({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {"aws:SourceIp": "2001:db8::1"}) is False
    assert ev({"NotIpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {"aws:SourceIp": "2001:db8::1"}) is True
    assert ev({"IpAddress": {"aws:SourceIp": "::/0"}}, {"aws:SourceIp": "10.0.0.1"}) is False


def test_not_ip_address_on_absent_key_is_true() -> None:
    assert ev({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {}) is True
    assert ev({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {}) is False


# --- unparseable values (documented rule) -----------------------------------------------------------------------------
def test_unparseable_policy_value_matches_nothing() -> None:
    assert ev({"NumericEquals": {"k:k": "abc"}}, {"k:k": "1"}) is False
    assert ev({"NumericNotEquals": {"k:k": "abc"}}, {"k:k": "1"}) is True
    assert ev({"IpAddress": {"aws:SourceIp": "300.1.1.1/8"}}, {"aws:SourceIp": "10.0.0.1"}) is False
    assert ev({"Bool": {"k:k": "yes"}}, {"k:k": "true"}) is False
    assert ev({"NumericEquals": {"k:k": ["abc", "1"]}}, {"k:k": "1"}) is True


def test_unparseable_request_value_matches_no_policy_value() -> None:
    assert ev({"NumericLessThan": {"k:k": "10"}}, {"k:k": "five"}) is False
    assert ev({"NumericNotEquals": {"k:k": "10"}}, {"k:k": "five"}) is True
    assert ev({"DateGreaterThan": {"k:k": "2020-01-01"}}, {"k:k": "yesterday"}) is False
    assert ev({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {"aws:SourceIp": "vpce"}) is False


# --- IfExists, Null -------------------------------------------------------------------------------------------------
def test_if_exists_is_plain_operator_when_present() -> None:
    for value, expected in (("12345", True), ("x", False)):
        assert ev({"StringEqualsIfExists": {"sts:ExternalId": "12345"}}, {"sts:ExternalId": value}) is expected
    assert ev({"StringNotEqualsIfExists": {"sts:ExternalId": "12345"}}, {}) is True
    assert ev({"StringNotEqualsIfExists": {"sts:ExternalId": "12345"}}, {"sts:ExternalId": "12345"}) is False


def test_null() -> None:
    assert ev({"Null": {"sts:ExternalId": "true"}}, {}) is True
    assert ev({"Null": {"sts:ExternalId": "true"}}, {"sts:ExternalId": "ab"}) is False
    assert ev({"Null": {"sts:ExternalId": "false"}}, {}) is False
    assert ev({"Null": {"sts:ExternalId": "false"}}, {"sts:ExternalId": "ab"}) is True
    assert ev({"Null": {"sts:ExternalId": ["true", "false"]}}, {}) is True
    assert ev({"Null": {"sts:ExternalId": "maybe"}}, {}) is False


def test_empty_value_list_counts_as_absent() -> None:
    assert ev({"Null": {"aws:TagKeys": "true"}}, {"aws:TagKeys": []}) is True
    assert ev({"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": []}) is False


# --- set operators ------------------------------------------------------------------------------------------------
def test_for_any_value_and_for_all_values_over_lists() -> None:
    tags = {"aws:TagKeys": ["team", "env"]}
    assert ev({"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}, tags) is True
    assert ev({"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}, tags) is False
    assert ev({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "x"]}}, tags) is True
    assert ev({"ForAnyValue:StringNotEquals": {"aws:TagKeys": "team"}}, tags) is True
    assert ev({"ForAllValues:StringNotEquals": {"aws:TagKeys": "team"}}, tags) is False
    assert ev({"ForAllValues:StringNotLike": {"aws:TagKeys": "x*"}}, {}) is True


def test_single_valued_key_under_set_operator_is_a_singleton() -> None:
    key = "token.actions.githubusercontent.com:sub"
    block = {"ForAllValues:StringLike": {key: "repo:acme/app:*"}}
    assert ev(block, {key: "repo:x/y:ref:refs/heads/main"}) is False
    assert ev(block, {key: "repo:acme/app:ref:refs/heads/main"}) is True
    assert ev(block, {}) is True


def test_for_any_value_if_exists_is_true_when_absent() -> None:
    assert ev({"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"}}, {}) is True
    assert ev({"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["b"]}) is False


def test_plain_operator_on_a_multivalued_request() -> None:
    ctx = {"aws:PrincipalOrgPaths": ["o-x/r-1/ou-1/", "o-x/r-1/ou-2/"]}
    assert ev({"StringLike": {"aws:PrincipalOrgPaths": "o-x/r-1/ou-2/*"}}, ctx) is True
    assert ev({"StringNotLike": {"aws:PrincipalOrgPaths": "o-x/r-1/ou-2/*"}}, ctx) is False


# --- policy variables -----------------------------------------------------------------------------------------------
def test_variable_resolves_from_the_request() -> None:
    block = {"StringLike": {"sts:RoleSessionName": "${aws:username}"}}
    assert ev(block, {"sts:RoleSessionName": "alice", "aws:username": "alice"}) is True
    assert ev(block, {"sts:RoleSessionName": "bob", "aws:username": "alice"}) is False


def test_unresolvable_variable_matches_nothing() -> None:
    assert ev({"StringLike": {"sts:RoleSessionName": "${aws:username}"}}, {"sts:RoleSessionName": "alice"}) is False
    assert ev({"StringNotLike": {"sts:RoleSessionName": "${aws:username}"}}, {"sts:RoleSessionName": "x"}) is True


def test_variable_default_value() -> None:
    block = {"StringEquals": {"k:k": "home/${aws:username, 'nobody'}"}}
    assert ev(block, {"k:k": "home/nobody"}) is True
    assert ev(block, {"k:k": "home/alice", "aws:username": "alice"}) is True


def test_variables_are_literal_without_version_2012() -> None:
    block = {"StringEquals": {"k:k": "${aws:username}"}}
    assert ev(block, {"k:k": "alice", "aws:username": "alice"}, variables=False) is False
    assert ev(block, {"k:k": "${aws:username}", "aws:username": "alice"}, variables=False) is True


def test_substituted_wildcards_are_literal() -> None:
    block = {"StringLike": {"k:k": "${aws:username}"}}
    assert ev(block, {"k:k": "anything", "aws:username": "*"}) is False
    assert ev(block, {"k:k": "*", "aws:username": "*"}) is True


def test_variable_in_arn_condition() -> None:
    block = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/*"}}
    ctx = {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/x", "aws:PrincipalAccount": "111111111111"}
    assert ev(block, ctx) is True
    assert ev(block, {**ctx, "aws:PrincipalAccount": "222222222222"}) is False


# --- undecidable ----------------------------------------------------------------------------------------------------
def test_unknown_operator_is_undecidable() -> None:
    (c,) = conds({"StringFooBar": {"k:k": "x"}})
    with pytest.raises(UndecidableCondition) as info:
        evaluate_condition(c, {}, variables=True)
    assert "StringFooBar" in info.value.reason
    assert str(info.value.location) == "test.json#/Condition/StringFooBar/k:k"
    assert undecidable_conditions((c,)) == (c,)


def test_false_condition_decides_a_block_with_an_undecidable_one() -> None:
    block = conds({"StringFooBar": {"k:k": "x"}, "StringEquals": {"a:a": "y"}})
    assert evaluate_conditions(block, {"a:a": ("z",)}, variables=True) is False
    with pytest.raises(UndecidableCondition):
        evaluate_conditions(block, {"a:a": ("y",)}, variables=True)


def test_null_with_if_exists_is_undecidable() -> None:
    (c,) = conds({"NullIfExists": {"k:k": "true"}})
    with pytest.raises(UndecidableCondition):
        evaluate_condition(c, {}, variables=True)


# --- properties -----------------------------------------------------------------------------------------------------
_VALUES = st.text(alphabet="ab*?", min_size=0, max_size=4)
_OPS = st.sampled_from(["StringEquals", "StringLike", "StringEqualsIgnoreCase"])
_NEG = {"StringEquals": "StringNotEquals", "StringLike": "StringNotLike",
        "StringEqualsIgnoreCase": "StringNotEqualsIgnoreCase"}


@given(_OPS, st.lists(_VALUES, min_size=1, max_size=3), st.one_of(st.none(), st.text(alphabet="abAB*", max_size=4)))
def test_negated_operator_is_complement_only_when_present(op: str, values: list[str], request: str | None) -> None:
    ctx = {} if request is None else {"k:k": request}
    pos = ev({op: {"k:k": values}}, ctx)
    neg = ev({_NEG[op]: {"k:k": values}}, ctx)
    if request is None:
        assert (pos, neg) == (False, True)
    else:
        assert neg == (not pos)
    assert ev({op + "IfExists": {"k:k": values}}, ctx) == (pos if request is not None else True)


@given(_OPS, st.lists(_VALUES, min_size=1, max_size=3), st.lists(st.text(alphabet="ab", max_size=3), max_size=3))
def test_set_operators_relate_as_quantifiers(op: str, values: list[str], request: list[str]) -> None:
    ctx = {"k:k": request}
    any_ = ev({f"ForAnyValue:{op}": {"k:k": values}}, ctx)
    all_neg = ev({f"ForAllValues:{_NEG[op]}": {"k:k": values}}, ctx)
    assert any_ == (not all_neg)
    if not request:
        assert (any_, all_neg) == (False, True)


_ALL_OPS = st.sampled_from([
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
    "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateGreaterThan", "Bool", "BinaryEquals", "IpAddress",
    "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
])
_TEXT = st.one_of(
    st.sampled_from(["1", "1.5", "-2", "2020-01-01T00:00:00Z", "1577836800", "true", "False", "QmluYXJ5",
                     "10.0.0.0/8", "10.1.2.3", "::1", "arn:aws:iam::1:role/x", "arn:aws:iam::*:role/*", "${k:v}",
                     "${k:v, 'd'}", "*", "?", ""]),
    st.text(max_size=6),
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["", "ForAnyValue:", "ForAllValues:"]), _ALL_OPS, st.booleans(),
       st.lists(_TEXT, min_size=1, max_size=3), st.one_of(st.none(), st.lists(_TEXT, max_size=3)),
       st.one_of(st.none(), _TEXT), st.booleans())
def test_every_operator_decides_any_input(qualifier: str, op: str, if_exists: bool, values: list[str],
                                          request: list[str] | None, var: str | None, variables: bool) -> None:
    if op == "Null" and (qualifier or if_exists):
        return
    name = qualifier + op + ("IfExists" if if_exists and op != "Null" else "")
    ctx: dict[str, tuple[str, ...]] = {}
    if request is not None:
        ctx["k:k"] = tuple(request)
    if var is not None:
        ctx["k:v"] = (var,)
    (c,) = conds({name: {"k:k": values}}, variables=variables)
    result = evaluate_condition(c, ctx, variables=variables)
    assert isinstance(result, bool)
    if not request and not qualifier and op != "Null":
        # absent key: positive false (true with IfExists), negated true
        assert result == (c.operator.negated or if_exists)
