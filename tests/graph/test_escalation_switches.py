"""The escalation edges' fast path of this round against its reference, principal by principal (edges with their
witnesses, and refusals): the Resource/NotResource matches that key the answers shared between targets looked up by
the element's texts for every caller (``Escalations.shared_matches``), on the bundled example, the two-account
sample, the privilege-escalation fixtures and small organizations of every profile (random seeds where callers hold
``iam:UpdateAssumeRolePolicy`` on ``role/*``); and the texts' look-up on crafted statements that differ only where a
look-up by text could confuse them: an empty Resource (built in memory: the loader refuses one) against none, a
Resource against a NotResource of the same texts, texts with ``$`` under both policy versions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import trustgraph
from tests.graph.escalation_orgs import NOW_MS, assert_same_edges, load_org
from trustgraph.graph.escalation import Escalations, _CallerCalls
from trustgraph.synth.profiles import PROFILES

ORGS = ["example", "sample", "privesc", *(f"{p}-1" for p in PROFILES), *(f"random-{s}" for s in (2, 3, 6))]


@pytest.mark.parametrize("name", ORGS)
def test_switches_give_the_reference_edges_and_refusals(name: str, tmp_path: Path) -> None:
    tg = load_org(name, tmp_path)
    principals = sorted([*tg.estate.user_by_arn, *tg.estate.role_by_arn])
    fast = Escalations(tg.graph, now_ms=NOW_MS)
    reference = Escalations(tg.graph, now_ms=NOW_MS)
    reference.shared_matches = False
    assert fast.shared_matches
    edges = assert_same_edges(fast, reference, principals)
    assert principals
    if name in ("privesc", "random-2"):
        assert edges > 0
    if name == "random-2":  # iam:UpdateAssumeRolePolicy on role/*: answers shared, the elements looked up by text
        assert fast.shared_answers > 0 and fast._matched
        assert reference.shared_answers == fast.shared_answers and not reference._matched


def _policy(version: str, statements: list[dict[str, object]]) -> dict[str, object]:
    return {"Version": version, "Statement": statements}


RESOURCES = [
    "arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/b/c", "arn:aws:iam::222222222222:role/a",
    "arn:aws:iam::111111111111:user/a", "arn:aws:iam::111111111111:role/${aws:username}", "*",
    "arn:aws:iam::111111111111:role/$", "arn:aws:iam::111111111111:role/a*b",
]
ELEMENTS: list[dict[str, object]] = [
    {"Resource": "EMPTY"}, {}, {"Resource": ["arn:aws:iam::111111111111:role/*"]},
    {"NotResource": ["arn:aws:iam::111111111111:role/*"]}, {"Resource": "*"}, {"NotResource": "*"},
    {"Resource": ["arn:aws:iam::111111111111:role/${*}"]}, {"Resource": ["arn:aws:iam::111111111111:role/${$}"]},
    {"Resource": ["arn:aws:iam::111111111111:role/a${*}b"]}, {"NotResource": ["arn:aws:iam::111111111111:role/${*}"]},
    {"Resource": ["arn:aws:iam::*:role/a", "arn:aws:iam::111111111111:user/*"]},
]


@pytest.mark.parametrize("version", ["2012-10-17", "2008-10-17"])
def test_texts_look_up_matches_each_statement(version: str) -> None:
    """One memo for every statement (as for every caller of an estate): each statement's answers read through it
    equal :func:`statement_resource_matches`'s, resource by resource, whichever statement asked first."""
    from trustgraph.ingest.policy_json import policy_from_json
    from trustgraph.model.location import MEMORY
    from trustgraph.semantics.actions import statement_resource_matches

    tg = trustgraph.load()
    for order in (ELEMENTS, ELEMENTS[::-1]):
        for other in ("2012-10-17", "2008-10-17"):  # the memo warmed by the other version's statements first
            esc = Escalations(tg.graph, now_ms=NOW_MS)
            caller = _CallerCalls(esc, None, True)  # type: ignore[arg-type]  # _matches reads no caller
            for v in (other, version):
                statements = tuple(
                    replace(st, resources=()) if el == {"Resource": "EMPTY"} else st for el in order
                    for st in policy_from_json(_policy(v, [{"Effect": "Allow", "Action": "iam:x", **el}]),
                                               MEMORY).statements)
                caller._probes.clear()
                for resource in RESOURCES:
                    got = caller._matches("iam:x", statements, resource)
                    want = tuple(statement_resource_matches(st, resource, {}, variables=False) for st in statements)
                    assert got == want, (v, resource)
            assert esc._matched
