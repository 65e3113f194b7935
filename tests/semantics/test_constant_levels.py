"""``HopEvaluation.constant_levels``: an SCP or RCP level whose part of every decision is the same (``FullAWSAccess``,
``RCPFullAWSAccess``, a Deny of other actions) taken from the caller's memo instead of scanned, against the
reference walk and the fast walk without a memo: identical decisions field by field (statements by identity and
location) on generated hops whose levels mix constant policies with conditioned, principal-naming and
resource-naming ones (hypothesis; one memo across the examples, so that a level's entry serves other hops), and on
every hop evaluation the scans of small generated organizations make (recorded, then replayed on one memo)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.semantics.test_fast_hop import _reference
from tests.semantics.test_statement_index import _hop, _plain, _policy, _record_scan
from tests.smt.helpers import NOW_MS
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.location import Location
from trustgraph.model.policy import Policy
from trustgraph.model.values import format_date
from trustgraph.semantics import evaluate
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import HopEvaluation
from trustgraph.semantics.request import Action, Caller, OrgUnknown, Target

NOW = format_date(NOW_MS)
CONSTANT = [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
    {"Effect": "Deny", "Action": "sts:*", "Resource": "*"},
    {"Effect": "Allow", "Action": "*", "Principal": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:*", "Principal": "*", "Resource": "*",
     "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}},
    {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/Admin"},
    {"Effect": "Deny", "Action": "sts:AssumeRole", "NotResource": "arn:aws:iam::*:role/R"},
    {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": "*", "Resource": "*"},
]
_POLICIES: dict[tuple[int, ...], Policy] = {}


def _known(picks: tuple[int, ...]) -> Policy:
    """One policy object per statements picked (levels share them, as an organization's documents are shared)."""
    hit = _POLICIES.get(picks)
    if hit is None:
        hit = _POLICIES[picks] = policy_from_json({"Version": "2012-10-17", "Statement": [CONSTANT[i] for i in picks]},
                                                  Location(f"org-{picks}.json", "/Content"), kind="identity")
    return hit


@st.composite
def _levels(draw: Any, name: str) -> tuple[tuple[Policy, ...], ...] | None:
    if draw(st.integers(0, 4)) == 0:
        return None
    out = []
    for i in range(draw(st.integers(0, 3))):
        level = []
        for j in range(draw(st.integers(0, 2))):
            if draw(st.integers(0, 3)):
                picks = tuple(draw(st.lists(st.integers(0, len(CONSTANT) - 1), min_size=1, max_size=3)))
                level.append(_known(picks))
            else:
                level.append(_policy(draw, f"{name}{i}-{j}", trust=False, max_size=3))
        out.append(tuple(level))
    return tuple(out)


_MEMO: dict[tuple[Any, ...], tuple[Any, ...]] = {}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hop=_hop(), scps=_levels("scp"), rcps=_levels("rcp"),
       org=st.sampled_from([None, OrgUnknown(chosen=False), OrgUnknown(chosen=True)]),
       action=st.sampled_from([Action.ASSUME_ROLE, Action.ASSUME_ROLE, Action.ASSUME_ROLE_WITH_SAML]))
def test_constant_levels_decide_alike(hop: tuple[Caller, Target, dict[str, str]], scps: Any, rcps: Any,
                                      org: OrgUnknown | None, action: Action) -> None:
    caller, target, extra = hop
    caller = replace(caller, scp_levels=scps, org_unknown=org)
    target = replace(target, rcp_levels=rcps)
    request = build_request(caller, action, extra, target=target, now=NOW)
    assert HopEvaluation.fast and HopEvaluation.constant_levels
    expected = _plain(_reference(caller, target, request))
    assert _plain(evaluate.evaluate_hop(caller, target, request)) == expected
    for _ in range(2):  # the memo filled, then read
        assert _plain(evaluate.evaluate_hop(caller, target, request, _MEMO)) == expected, (scps, rcps)


@pytest.mark.parametrize(("profile", "seed"), [("chain-heavy", 1), ("mix", 1), ("federation-heavy", 2),
                                               ("random", 2), ("random", 5)])
def test_scan_hops_decide_alike(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.api import load
    from trustgraph.synth.write import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=15, seed=seed, profile=profile)
    seen = _record_scan(load(tmp_path), monkeypatch)
    assert seen
    memo: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    constant = 0
    for caller, target, request, decision in seen:
        expected = _plain(_reference(caller, target, request))
        assert _plain(decision) == expected
        assert _plain(evaluate.evaluate_hop(caller, target, request, memo)) == expected, (caller.arn,
                                                                                          target.role.arn)
        constant += sum(1 for v in memo.values() if v[1] is not None)
    if profile == "chain-heavy":
        assert constant  # the organization's FullAWSAccess levels are taken from the memo
