"""``parse_pattern``'s shortcuts for texts without a variable or without ``?`` give the general parser's pattern."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.model.pattern import _parse, parse_pattern

TEXTS = st.text(alphabet="ab*?$ {}:/,'", max_size=12) | st.builds(
    lambda a, b: f"{a}${{aws:username}}{b}", st.text(alphabet="ab*?$:/", max_size=5),
    st.text(alphabet="ab*?${}", max_size=5))


@settings(max_examples=2000, deadline=None)
@given(text=TEXTS, wildcards=st.booleans(), variables=st.booleans())
def test_shortcuts_parse_as_the_general_parser(text: str, wildcards: bool, variables: bool) -> None:
    assert parse_pattern.__wrapped__(text, wildcards=wildcards, variables=variables) == \
        _parse(text, wildcards, variables)
