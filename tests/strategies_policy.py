"""Hypothesis strategies for raw IAM policy documents (JSON values as exports hold them).

The documents are valid for :func:`trustgraph.ingest.policy_json.policy_from_json`: every element in each of its
accepted spellings (string or list, ``"*"`` or ``{"AWS": "*"}``, statement object or list), conditions with
qualifiers, ``IfExists``, unknown operators, and scalar values of every JSON type.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Text that exercises wildcards, variables and their escapes, ARN colons and non-ASCII letters.
_ALPHABET = st.sampled_from(list("abcXYZ019:/-_.*?$") + ["${*}", "${?}", "${$}", "${aws:username}", "é", " "])
policy_text = st.lists(_ALPHABET, min_size=0, max_size=8).map("".join)

_ARNS = [
    "arn:aws:iam::111122223333:root", "111122223333", "arn:aws:iam::444455556666:role/path/R",
    "arn:aws:iam::444455556666:user/u", "arn:aws:sts::111122223333:assumed-role/R/s", "AROAEXAMPLEEXAMPLE01",
    "arn:aws:iam::*:root", "arn:aws-cn:iam::111122223333:role/R", "*", "not-an-arn",
]
_FEDERATED = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
              "arn:aws:iam::111122223333:saml-provider/Okta", "accounts.google.com", "cognito-identity.amazonaws.com"]
_SERVICES = ["ec2.amazonaws.com", "lambda.amazonaws.com", "ec2", "*"]


def one_or_many(values: st.SearchStrategy[str]) -> st.SearchStrategy[str | list[str]]:
    """A string, or a non-empty list of strings: both spellings IAM accepts."""
    return st.one_of(values, st.lists(values, min_size=1, max_size=3))


principal_block = st.one_of(
    st.just("*"),
    st.fixed_dictionaries({}, optional={
        "AWS": one_or_many(st.sampled_from(_ARNS)),
        "Federated": one_or_many(st.sampled_from(_FEDERATED)),
        "Service": one_or_many(st.sampled_from(_SERVICES)),
        "CanonicalUser": one_or_many(st.just("79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be")),
    }).filter(bool),
)

_OPERATORS = [
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringLike", "StringNotLike", "ArnLike",
    "ArnNotEquals", "NumericLessThan", "DateGreaterThan", "Bool", "IpAddress", "NotIpAddress", "Null",
    "BinaryEquals", "StringEqualsAnyCase",
]
operator_text = st.builds(
    lambda q, op, ie: q + op + ("IfExists" if ie and op != "Null" else ""),
    st.sampled_from(["", "ForAnyValue:", "ForAllValues:"]), st.sampled_from(_OPERATORS), st.booleans(),
)
condition_key = st.sampled_from([
    "sts:ExternalId", "STS:externalid", "aws:PrincipalOrgID", "aws:MultiFactorAuthPresent", "aws:SourceIp",
    "aws:CurrentTime", "token.actions.githubusercontent.com:sub", "aws:PrincipalTag/team", "saml:aud",
])
scalar = st.one_of(policy_text, st.booleans(), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=False, allow_infinity=False, width=32))
condition_values = st.one_of(scalar, st.lists(scalar, min_size=1, max_size=3))
condition_block = st.dictionaries(
    operator_text, st.dictionaries(condition_key, condition_values, min_size=1, max_size=3), min_size=1, max_size=3
)


@st.composite
def statement(draw: st.DrawFn, *, trust: bool = True) -> dict[str, Any]:
    """One statement object."""
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["Sid"] = draw(st.text(alphabet="abcXYZ019", max_size=6))
    out["Effect"] = draw(st.sampled_from(["Allow", "Deny"]))
    which = draw(st.sampled_from(["Principal", "NotPrincipal", None] if trust else [None]))
    if which is not None:
        out[which] = draw(principal_block)
    out[draw(st.sampled_from(["Action", "NotAction"]))] = draw(one_or_many(
        st.one_of(st.sampled_from(["sts:AssumeRole", "sts:*", "sts:AssumeRoleWith*", "*", "s3:Get?bject"]),
                  policy_text)))
    resource = draw(st.sampled_from(["Resource", "NotResource", None]))
    if resource is not None:
        out[resource] = draw(one_or_many(policy_text))
    if draw(st.booleans()):
        out["Condition"] = draw(condition_block)
    return out


@st.composite
def policy_document(draw: st.DrawFn, *, trust: bool = True) -> dict[str, Any]:
    """A whole policy document, Statement as an object or a list."""
    out: dict[str, Any] = {}
    version = draw(st.sampled_from(["2012-10-17", "2008-10-17", None]))
    if version is not None:
        out["Version"] = version
    if draw(st.booleans()):
        out["Id"] = draw(st.text(alphabet="abc-019", max_size=8))
    statements = draw(st.lists(statement(trust=trust), min_size=0, max_size=4))
    out["Statement"] = statements[0] if len(statements) == 1 and draw(st.booleans()) else statements
    return out
