"""``timestamp``'s short way for text ending in ``Z`` (``datetime.fromisoformat`` reading the ``Z`` itself) gives what
the long way gives (the text stripped, ``Z`` replaced by ``+00:00``, parsed, moved to UTC): the same value, or the
same error at the same pointer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustgraph.errors import IngestError
from trustgraph.ingest._fields import _timestamp, timestamp
from trustgraph.model.location import Location

LOC = Location("gaad.json", "/RoleDetailList/0")


def _either(fn: Any, *args: Any) -> tuple[str, object]:
    try:
        return "value", fn(*args)
    except IngestError as exc:
        return "error", str(exc)


def _same(text: str) -> None:
    short = _either(timestamp, {"CreateDate": text}, "CreateDate", LOC)
    long = _either(_timestamp, text, "CreateDate", LOC)
    assert short == long
    if short[0] == "value":
        value = short[1]
        assert isinstance(value, datetime) and value.tzinfo is UTC and value.utcoffset() == timedelta(0)


_moments = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1))


@given(_moments, st.sampled_from(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
                                  "%Y%m%dT%H%M%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
       st.sampled_from(["", " ", "\n"]))
def test_wire_forms_parse_as_the_long_way(moment: datetime, form: str, pad: str) -> None:
    _same(f"{pad}{moment.strftime(form)}Z")
    _same(f"{moment.strftime(form)}+00:00Z")
    _same(f"{moment.strftime(form)}-05:30Z")


@given(st.text(alphabet="0123456789-:T .+Zz", max_size=30))
def test_any_text_ending_in_z_gives_the_same_value_or_error(text: str) -> None:
    _same(text + "Z")


def test_the_short_way_is_taken_and_the_long_way_refuses_alike() -> None:
    value = timestamp({"CreateDate": "2024-03-01T00:15:00Z"}, "CreateDate", LOC)
    assert value == datetime(2024, 3, 1, 0, 15, tzinfo=UTC)
    with pytest.raises(IngestError) as short:
        timestamp({"CreateDate": "2024-13-01T00:15:00Z"}, "CreateDate", LOC)
    assert str(short.value).startswith("gaad.json#/RoleDetailList/0/CreateDate: ")
