"""The loader's constructors of frozen values without their dataclass ``__init__`` (``new_location``, ``new_glob``)
give the values ``__init__`` gives: equal, same hash and repr, every slot set, still frozen."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustgraph.model.location import Location, new_location
from trustgraph.model.pattern import parse_pattern
from trustgraph.model.policy import Glob, new_glob


@given(st.text(max_size=12), st.text(max_size=30))
def test_new_location_is_the_dataclass_value(file: str, pointer: str) -> None:
    built, reference = new_location(file, pointer), Location(file, pointer)
    assert type(built) is Location
    assert built == reference and hash(built) == hash(reference) and repr(built) == repr(reference)
    assert (built.file, built.pointer) == (file, pointer) and str(built) == str(reference)
    assert built.child("a", 3) == reference.child("a", 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.pointer = "x"  # type: ignore[misc]


@given(st.text(alphabet="ab*?$/{}:", max_size=12), st.booleans())
def test_new_glob_is_the_dataclass_value(text: str, variables: bool) -> None:
    pattern = parse_pattern(text, wildcards=True, variables=variables)
    built, reference = new_glob(text, pattern), Glob(text, pattern)
    assert type(built) is Glob
    assert built == reference and hash(built) == hash(reference) and repr(built) == repr(reference)
    assert built.text == text and built.pattern == pattern
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.text = "x"  # type: ignore[misc]
