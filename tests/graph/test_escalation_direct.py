"""The escalation edges of a method that is one call on its target (``iam:UpdateAssumeRolePolicy`` on a role,
``iam:CreateAccessKey`` on a user...) looked up in the caller's shared answers target by target
(``Escalations(direct_targets=True)``, :meth:`_CallerCalls.shared_lookup`) against every target's call asked through
``Escalations._solve`` (``direct_targets=False``, the reference): edges with their witnesses, in order, and refusals,
principal by principal, on the organizations of ``test_escalation_switches`` (random seeds where callers hold
``iam:UpdateAssumeRolePolicy`` on ``role/*``, so most edges come from the look-up), also with the shared calls off
(the look-up then finds nothing and every call is asked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.graph.escalation_orgs import NOW_MS, assert_same_edges, load_org
from tests.graph.test_escalation_switches import ORGS
from trustgraph.graph.escalation import Escalations


@pytest.mark.parametrize("shared_calls", [True, False])
@pytest.mark.parametrize("name", ORGS)
def test_direct_targets_give_the_reference_edges_and_refusals(name: str, shared_calls: bool, tmp_path: Path) -> None:
    tg = load_org(name, tmp_path)
    principals = sorted([*tg.estate.user_by_arn, *tg.estate.role_by_arn])
    fast = Escalations(tg.graph, now_ms=NOW_MS)
    reference = Escalations(tg.graph, now_ms=NOW_MS, direct_targets=False)
    assert fast.direct_targets and not reference.direct_targets
    fast.shared_calls = reference.shared_calls = shared_calls
    assert_same_edges(fast, reference, principals)
    direct = sum(1 for node in principals for e in fast.edges_from(node) if e.method.id in ("iam-012", "iam-002"))
    # the look-up answers exactly the calls the reference answers from another target's answer
    assert fast.shared_answers == reference.shared_answers
    if name == "random-2" and shared_calls:  # UpdateAssumeRolePolicy on role/*: most edges from the look-up
        assert direct and fast.shared_answers > 0
