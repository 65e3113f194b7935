"""The account ids a scan's fresh account must avoid, read in one search over the joined texts, are those each text
holds alone (``checks.context.fresh_account_id``)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.checks.context import _ACCOUNT_RE, fresh_account_id
from trustgraph.model import Estate
from trustgraph.model.zone import Zone

TEXTS = st.lists(st.text(alphabet="0123456789:a\n/", max_size=30), max_size=8)


@settings(max_examples=1500, deadline=None)
@given(texts=TEXTS)
def test_joined_search_finds_the_runs_of_each_text(texts: list[str]) -> None:
    each = {found for text in texts for found in _ACCOUNT_RE.findall(text)}
    assert set(_ACCOUNT_RE.findall("\n".join(texts))) == each


def test_fresh_account_avoids_the_zone() -> None:
    assert fresh_account_id(Estate(), Zone(accounts=frozenset({"987654321098"}))) == "987654321097"
