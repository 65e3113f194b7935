"""``parse_pattern``'s shortcuts for texts without a variable or without ``?`` give the general parser's pattern."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.model.pattern import _compiled_arn, _parse, arn_matches, arn_matches_reference, parse_pattern

TEXTS = st.text(alphabet="ab*?$ {}:/,'", max_size=12) | st.builds(
    lambda a, b: f"{a}${{aws:username}}{b}", st.text(alphabet="ab*?$:/", max_size=5),
    st.text(alphabet="ab*?${}", max_size=5))


@settings(max_examples=2000, deadline=None)
@given(text=TEXTS, wildcards=st.booleans(), variables=st.booleans())
def test_shortcuts_parse_as_the_general_parser(text: str, wildcards: bool, variables: bool) -> None:
    assert parse_pattern.__wrapped__(text, wildcards=wildcards, variables=variables) == \
        _parse(text, wildcards, variables)


ARN_TEXTS = st.lists(st.text(alphabet="ab*?:/", max_size=5), min_size=1, max_size=8).map(":".join)
VALUES = st.lists(st.text(alphabet="ab:/", max_size=4), min_size=1, max_size=8).map(":".join)


@settings(max_examples=3000, deadline=None)
@given(text=ARN_TEXTS, value=VALUES, variables=st.booleans())
def test_compiled_arn_matching_answers_as_segment_by_segment_matching(text: str, value: str, variables: bool) -> None:
    pattern = parse_pattern(text, wildcards=True, variables=variables)
    assert arn_matches(pattern, value) is arn_matches_reference(pattern, value)


def test_arn_matching_with_a_variable_left_is_the_reference() -> None:
    pattern = parse_pattern("arn:aws:iam::1:role/${aws:username}", wildcards=True, variables=True)
    assert _compiled_arn(pattern) is None
    assert arn_matches(pattern, "arn:aws:iam::2:role/x") is False  # the reference: no segment past the account
