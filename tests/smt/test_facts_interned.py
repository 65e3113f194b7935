"""The facts table keeps equal facts, and equal key and digit sets, as one object (``FactsTable(intern=True)``, the
default): every policy's facts equal the reference's (``compute_facts``, and a table with ``intern=False``), equal
values are shared, and a scan's findings are the same field by field with the switch on and off."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import select_checks
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.location import MEMORY
from trustgraph.smt.facts import FactsTable, compute_facts
from trustgraph.smt.session import SolverSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from small_orgs import small_org  # noqa: E402
from strategies_policy import policy_document  # noqa: E402
from twins import twin  # noqa: E402

SETS = ("condition_keys", "digit_runs", "keys_read")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(policy_document(), st.sampled_from(["trust", "identity"])), min_size=1, max_size=6))
def test_interned_facts_equal_the_reference(docs: list[tuple[dict[str, Any], str]]) -> None:
    interned, plain = FactsTable(), FactsTable(intern=False)
    policies = [policy_from_json(doc, MEMORY, kind=kind) for doc, kind in docs]
    seen: dict[Any, Any] = {}
    for policy in policies:
        got = interned(policy)
        assert got == plain(policy) == compute_facts(policy)
        assert interned(policy) is got  # by text, as before
        for value in (got, *(getattr(got, name) for name in SETS)):
            assert seen.setdefault(value, value) is value  # an equal value met before is that very object


def test_plain_table_keeps_copies() -> None:
    """The switch off is the reference: equal facts of two texts stay two objects (so the test above can tell)."""
    a = policy_from_json({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}, MEMORY, kind="identity")
    b = policy_from_json({"Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}, MEMORY,
                         kind="identity")
    plain, interned = FactsTable(intern=False), FactsTable()
    assert plain(a) == plain(b) and plain(a) is not plain(b)
    assert interned(a) is interned(b)


def _scan(tg: Any, intern: bool) -> tuple[list[Any], FactsTable]:
    session = SolverSession()
    session.facts = FactsTable(intern=intern)
    ctx = ScanContext(twin(tg, session))
    result = run_checks(ctx, select_checks(None), jobs=1)
    return [finding_to_plain(f) for f in result.findings], session.facts


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 3),
                                               ("mix", 1)])
def test_scans_the_same(profile: str, seed: int, tmp_path: Path) -> None:
    tg = small_org(profile, seed, tmp_path)
    fast, table = _scan(tg, True)
    reference, plain = _scan(tg, False)
    assert len(fast) == len(reference)
    for new, old in zip(fast, reference, strict=True):
        assert new == old  # finding by finding, witnesses included
    assert len(table) == len(plain)
    values = list(table._by_text.values())
    assert len({id(v) for v in values}) == len(set(values))  # one object per distinct value
