"""Wildcard patterns and policy variables: parsing, escapes, substitution, matching (glob and ARN)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.model.pattern import (
    ANY_CHAR,
    STAR,
    Literal,
    Pattern,
    Variable,
    arn_matches,
    ascii_lower,
    has_wildcard,
    matches,
    normalize_key,
    parse_pattern,
    pattern_to_text,
    substitute,
    variables_of,
)


def glob(text: str) -> Pattern:
    return parse_pattern(text, wildcards=True, variables=False)


@pytest.mark.parametrize(("text", "expected"), [
    ("", ()),
    ("abc", (Literal("abc"),)),
    ("a*b?c", (Literal("a"), STAR, Literal("b"), ANY_CHAR, Literal("c"))),
    ("**", (STAR, STAR)),
    ("${*}${?}${$}", (Literal("*?$"),)),
    ("a${*}b*", (Literal("a*b"), STAR)),
    ("${aws:username}", (Variable("aws:username", "aws:username"),)),
    ("${AWS:UserName}", (Variable("aws:username", "AWS:UserName"),)),
    ("${aws:PrincipalTag/team, 'none'}", (Variable("aws:principaltag/team", "aws:PrincipalTag/team", "none"),)),
    ("home/${ aws:username }/*", (Literal("home/"), Variable("aws:username", "aws:username"), Literal("/"), STAR)),
    ("$ {not} ${", (Literal("$ {not} ${"),)),
])
def test_parse_with_wildcards_and_variables(text: str, expected: Pattern) -> None:
    assert parse_pattern(text, wildcards=True, variables=True) == expected


def test_without_wildcards_stars_are_literal() -> None:
    assert parse_pattern("a*b?", wildcards=False, variables=True) == (Literal("a*b?"),)
    assert parse_pattern("a${*}", wildcards=False, variables=True) == (Literal("a*"),)


def test_without_variables_everything_is_text() -> None:
    assert parse_pattern("${*}x*", wildcards=True, variables=False) == (Literal("${"), STAR, Literal("}x"), STAR)


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    ("", "", True),
    ("", "a", False),
    ("*", "", True),
    ("*", "anything/at:all", True),
    ("a*", "a", True),
    ("a*c", "abbbc", True),
    ("a*c", "abbbd", False),
    ("?", "", False),
    ("?", "é", True),
    ("a?c", "abc", True),
    ("a?c", "ac", False),
    ("*a*a*a", "aaaa", True),
    ("*ab*ab", "abXab", True),
    ("*ab*ab", "abXa", False),
    ("repo:acme/*", "repo:acme-evil/x", False),
    ("repo:acme*", "repo:acme-evil/x", True),
    ("Case", "case", False),
])
def test_glob_matching(pattern: str, value: str, expected: bool) -> None:
    assert matches(glob(pattern), value) is expected


def test_ignore_case_folds_ascii_only() -> None:
    assert matches(glob("ABC*"), "abcdef", ignore_case=True)
    assert not matches(glob("É"), "é", ignore_case=True)
    assert ascii_lower("ÀbC") == "Àbc"


def test_escaped_wildcards_match_only_themselves() -> None:
    p = parse_pattern("a${*}b${?}", wildcards=True, variables=True)
    assert matches(p, "a*b?")
    assert not matches(p, "axb?") and not matches(p, "a*bx")


def test_matches_refuses_unsubstituted_variables() -> None:
    with pytest.raises(ValueError, match="substitute"):
        matches(parse_pattern("${aws:username}", wildcards=True, variables=True), "bob")


def test_substitute_variables() -> None:
    p = parse_pattern("home/${aws:username}/${aws:PrincipalTag/team, 'x'}/*", wildcards=True, variables=True)
    values = {"aws:username": "b*b"}
    done = substitute(p, values.get)
    assert done is not None
    assert matches(done, "home/b*b/x/file")
    assert not matches(done, "home/bob/x/file")  # a substituted value is literal text, never a wildcard
    assert substitute(parse_pattern("${aws:userid}", wildcards=True, variables=True), values.get) is None
    assert substitute(glob("a*"), values.get) == glob("a*")


def test_helpers() -> None:
    p = parse_pattern("a*${aws:username}", wildcards=True, variables=True)
    assert has_wildcard(p) and not has_wildcard(glob("abc"))
    assert variables_of(p) == (Variable("aws:username", "aws:username"),)
    assert normalize_key("AWS:PrincipalOrgID") == "aws:principalorgid"


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    ("arn:aws:iam::*:role/ci-*", "arn:aws:iam::444455556666:role/ci-runner", True),
    ("arn:aws:iam::*:role/ci-*", "arn:aws:iam::444455556666:role/path/ci-runner", False),
    ("arn:aws:iam::*:role/*", "arn:aws:iam::444455556666:role/path/ci-runner", True),
    ("arn:aws:iam::*", "arn:aws:iam::444455556666:role/x", True),  # fewer segments: plain glob (documented rule)
    ("*", "arn:aws:iam::444455556666:role/x", True),
    ("arn:aws:s3:*:111122223333:finance/*",
     "arn:aws:s3:us-east-2:999999999999:store/abc:111122223333:finance/doc", False),  # * never spans a colon
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c", True),  # the resource part may hold colons
    ("arn:aws:iam::111122223333:role/R", "arn:aws:iam::111122223333:role/r", False),
    ("arn:aws:iam::111122223333:role/R", "not:an:arn", False),
])
def test_arn_matching(pattern: str, value: str, expected: bool) -> None:
    assert arn_matches(glob(pattern), value) is expected


_TEXT = st.lists(st.sampled_from(list("ab:/*?$é") + ["${*}", "${?}", "${$}", "${aws:username}",
                                                       "${aws:PrincipalTag/t, 'd'}"]), max_size=10).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_pattern_to_text_round_trips(text: str) -> None:
    p = parse_pattern(text, wildcards=True, variables=True)
    assert parse_pattern(pattern_to_text(p), wildcards=True, variables=True) == p


def _regex(p: Pattern) -> re.Pattern[str]:
    parts = []
    for el in p:
        if isinstance(el, Literal):
            parts.append(re.escape(el.text))
        elif el is STAR:
            parts.append(".*")
        else:
            parts.append(".")
    return re.compile("".join(parts), re.DOTALL)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab*?", max_size=8), st.text(alphabet="ab\n", max_size=10))
def test_glob_matcher_agrees_with_a_regex(pattern: str, value: str) -> None:
    p = glob(pattern)
    assert matches(p, value) is bool(_regex(p).fullmatch(value))
