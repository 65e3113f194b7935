"""The concrete-first guesses' candidate values of a condition (``smt.guess._instances``) memoised per condition
content: the same values as made afresh (``_instances_of``) for every condition of the bundled example, the sample
and generated organizations, read twice (the second from the memo) and at another location; conditions equal in
Python but spelled apart (``NumericEquals`` on ``true`` and on ``1``) keep their own values; and
``model.values.parse_ip_range``, memoised per text, parses as ``ipaddress`` does."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from small_orgs import small_org

from trustgraph.ingest.policy_json import conditions_from_json
from trustgraph.model.location import Location
from trustgraph.model.values import parse_ip_range
from trustgraph.smt.guess import _instances, _instances_of


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("condition-heavy", 1),
                                            ("condition-heavy", 2), ("random", 3)])
def test_every_condition_of_an_organization(name: str, seed: int, tmp_path: Path) -> None:
    tg = small_org(name, seed, tmp_path)
    conditions = [c for role in tg.estate.role_by_arn.values() for st in role.trust_policy.statements
                  for c in st.conditions]
    assert conditions or name == "example"
    for c in conditions:
        fresh = tuple(_instances_of(c))
        assert _instances(c) == fresh and _instances(c) == fresh
        assert _instances(c.moved(Location("elsewhere", "/0"))) == fresh


def test_values_equal_in_python_but_spelled_apart() -> None:
    loc = Location("t", "/Condition")
    (as_bool,) = conditions_from_json({"NumericEquals": {"k:x": [True]}}, loc, variables=True)
    (as_int,) = conditions_from_json({"NumericEquals": {"k:x": [1]}}, loc, variables=True)
    assert as_bool == as_int  # Python's True == 1: one key for a memo of the condition alone
    assert _instances(as_bool) == tuple(_instances_of(as_bool)) and _instances(as_int) == tuple(_instances_of(as_int))
    assert _instances(as_bool) != _instances(as_int)


@pytest.mark.parametrize("text", ["10.0.0.0/8", " 10.1.2.3/8", "192.0.2.7", "2001:db8::/32", "2001:db8::1", "nope",
                                  "10.0.0.0/33", ""])
def test_parse_ip_range(text: str) -> None:
    try:
        want: object = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        want = None
    assert parse_ip_range(text) == want and parse_ip_range(text) == want
