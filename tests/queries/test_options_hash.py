"""QueryOptions keeps its hash: that of its fields, as the dataclass's own would be, and made again when unpickled."""

from __future__ import annotations

import copy
import pickle
from dataclasses import fields, replace

import pytest

from trustgraph.queries.options import QueryOptions

MADE = [QueryOptions(), QueryOptions.make(via="all"), QueryOptions.make(without=["sts:ExternalId"], timeout_ms=5),
        QueryOptions.make(not_like={"aws:MultiFactorAuthPresent": ["true"]}, max_hops=3),
        QueryOptions.make(given={"aws:SourceIp": "203.0.113.5"}, closed=True, action="sts:AssumeRoleWithSAML")]


def _compared(o: QueryOptions) -> tuple[object, ...]:
    return tuple(getattr(o, f.name) for f in fields(o) if f.compare)


@pytest.mark.parametrize("options", MADE)
def test_hash_is_that_of_the_compared_fields(options: QueryOptions) -> None:
    assert hash(options) == hash(_compared(options))


@pytest.mark.parametrize("options", MADE)
def test_copies_and_replacements_hash_their_own_fields(options: QueryOptions) -> None:
    for other in (pickle.loads(pickle.dumps(options)), copy.copy(options), copy.deepcopy(options)):
        assert other == options and hash(other) == hash(options)
    moved = replace(options, max_hops=99)
    assert moved != options and hash(moved) == hash(_compared(moved))
    assert {options: 1}[replace(options)] == 1
