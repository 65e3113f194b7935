"""The values a Condition and an Operator answer from tables made once, against what they are defined as."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest

from trustgraph.model.condition import (
    _FAMILY,
    _NEGATED,
    _WILDCARD_OPS,
    Condition,
    Operator,
    scalar_to_text,
)
from trustgraph.model.location import Location
from trustgraph.model.values import format_date, parse_date
from trustgraph.semantics.principals import _RANK, _RANK_BY_NAME


@pytest.mark.parametrize("op", list(Operator))
def test_operator_properties_follow_their_tables(op: Operator) -> None:
    assert op.family is _FAMILY[op]
    assert op.negated is (op in _NEGATED)
    assert op.wildcards is (op in _WILDCARD_OPS)


def test_principal_ranks_by_name_are_the_ranks() -> None:
    assert {form.name: rank for form, rank in _RANK.items()} == _RANK_BY_NAME


def _cond(values: tuple[object, ...]) -> Condition:
    return Condition(operator=Operator.STRING_EQUALS, operator_text="StringEquals", key="aws:k", key_text="aws:K",
                     values=values)  # type: ignore[arg-type]


@pytest.mark.parametrize("values", [(), ("a",), ("a", "b"), (True, False), (3600, "x"), (1.5,), (0,)])
def test_condition_texts_are_the_values_as_aws_compares_them(values: tuple[object, ...]) -> None:
    c = _cond(values)
    assert c.texts == tuple(scalar_to_text(v) for v in values)  # type: ignore[arg-type]
    assert all(type(t) is str for t in c.texts)


def test_condition_texts_take_no_part_in_equality_nor_in_repr_and_survive_pickle_and_replace() -> None:
    c = _cond(("a", 1))
    assert c == _cond(("a", 1)) and hash(c) == hash(_cond(("a", 1)))
    assert "texts" not in repr(c)
    back = pickle.loads(pickle.dumps(c))
    assert back == c and back.texts == ("a", "1")
    moved = replace(c, values=(True,), location=Location("f", "/x"))
    assert moved.texts == ("true",)
    assert str(moved) == "StringEquals aws:K ['true']"


@pytest.mark.parametrize("ms", [0, 1, 999, 1000, 1_795_000_000_000, 1_795_000_000_123])
def test_format_date_remembered_is_the_formatting(ms: int) -> None:
    assert format_date(ms) == format_date.__wrapped__(ms)


@pytest.mark.parametrize("text", ["2026-12-01T00:00:00Z", " 2026-12-01T00:00:00z ", "2026-12-01", "1795000000",
                                  "-5", "2026-12-01T01:02:03.456+02:00", "not a date", ""])
def test_parse_date_remembered_is_the_parsing(text: str) -> None:
    assert parse_date(text) == parse_date.__wrapped__(text)
