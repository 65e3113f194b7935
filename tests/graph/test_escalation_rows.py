"""The escalation edges' look-up of a caller's whole tuple of Resource/NotResource matches by the number of its
statements' probes (``Escalations.row_matches``) against looking up each statement alone (its reference, with
``shared_matches`` on): edges with their witnesses and refusals principal by principal on the organizations of
``test_escalation_switches`` (random seeds where callers hold ``iam:UpdateAssumeRolePolicy`` on ``role/*``), and the
tuples themselves on crafted statements read by several callers in both orders, ``$`` texts (never numbered) among
them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.graph.escalation_orgs import NOW_MS, edges_of, load_org
from tests.graph.test_escalation_switches import ELEMENTS, ORGS, RESOURCES, _policy
from trustgraph.graph.escalation import Escalations, _CallerCalls


@pytest.mark.parametrize("name", ORGS)
def test_rows_give_the_reference_edges_and_refusals(name: str, tmp_path: Path) -> None:
    tg = load_org(name, tmp_path)
    principals = sorted([*tg.estate.user_by_arn, *tg.estate.role_by_arn])
    fast = Escalations(tg.graph, now_ms=NOW_MS)
    reference = Escalations(tg.graph, now_ms=NOW_MS)
    reference.row_matches = False
    assert fast.row_matches and fast.shared_matches and reference.shared_matches
    for node in principals:
        assert edges_of(fast, node) == edges_of(reference, node), node
        assert fast.refused(node) == reference.refused(node), node
    assert not reference._row_matched
    if name == "random-2":  # iam:UpdateAssumeRolePolicy on role/*: one row per statements, read for many roles
        assert fast._row_matched and len(fast._probe_rows) < len(principals)
        assert fast.shared_answers == reference.shared_answers > 0


@pytest.mark.parametrize("version", ["2012-10-17", "2008-10-17"])
def test_rows_read_each_statement_as_the_reference(version: str) -> None:
    """Callers holding the same statements share one row; a row read by one caller answers another's resource as
    :func:`statement_resource_matches` does; statements with ``$`` texts are never numbered."""
    import trustgraph
    from trustgraph.ingest.policy_json import policy_from_json
    from trustgraph.model.location import MEMORY
    from trustgraph.semantics.actions import statement_resource_matches

    tg = trustgraph.load()
    sets = [
        tuple(replace(st, resources=()) if el == {"Resource": "EMPTY"} else st for el in chosen
              for st in policy_from_json(_policy(version, [{"Effect": "Allow", "Action": "iam:x", **el}]),
                                         MEMORY).statements)
        for chosen in (ELEMENTS[:6], ELEMENTS[6:], ELEMENTS[::-1], ELEMENTS[:6])]
    for order in (sets, sets[::-1]):
        esc = Escalations(tg.graph, now_ms=NOW_MS)
        for statements in order:
            caller = _CallerCalls(esc, None, True)  # type: ignore[arg-type]  # _matches reads no caller
            for resource in RESOURCES:
                got = caller._matches("iam:x", statements, resource)
                want = tuple(statement_resource_matches(st, resource, {}, variables=False) for st in statements)
                assert got == want, (version, resource)
        assert len(esc._probe_rows) == 1  # ELEMENTS[:6] twice, one number; the others hold `$` texts
        assert esc._row_matched
