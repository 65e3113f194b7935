"""The escalation methods' actions a policy may allow, read glob by glob (``Escalations._policy_actions``), held to
the reference, :meth:`trustgraph.graph.admin.AdminDecider.may_allow` asked action by action, on every identity,
group and managed policy of the bundled example, the two-account sample and small organizations of every profile
(random shapes of several seeds among them, whose policies mix Action and NotAction globs)."""

from __future__ import annotations

from pathlib import Path

import pytest

import trustgraph
from trustgraph.graph.escalation import Escalations
from trustgraph.model.policy import Policy
from trustgraph.semantics.request import CallerKind
from trustgraph.synth.profiles import PROFILES

ROOT = Path(__file__).resolve().parents[2]
#: the escalations' clock, pinned: with none, a witness's aws:CurrentTime is read at the call, and the fast and the
#: reference object's calls for one principal can fall on either side of a second
NOW_MS = 1_796_083_200_000  # 2026-12-01T00:00:00Z
ORGS = ["example", "sample", *(f"{p}-1" for p in PROFILES), *(f"random-{s}" for s in (2, 3, 4, 5, 6))]


def _policies(name: str, tmp_path: Path) -> tuple[Escalations, list[Policy]]:
    if name == "example":
        example = ROOT / "datasets" / "example-org"
        tg = trustgraph.load(example, zone_file=str(example / "zone.toml"))
    elif name == "sample":
        tg = trustgraph.load(ROOT / "tests" / "data" / "two-account-sample", zone=["111122223333", "o-a1b2c3d4e5"])
    else:
        from trustgraph.synth import synthesize

        profile, seed = name.rsplit("-", 1)
        synthesize(tmp_path, accounts=3, roles_per_account=20, seed=int(seed), profile=profile)
        tg = trustgraph.load(tmp_path)
    from trustgraph.graph.admin import effective_caller

    estate = tg.estate
    policies: list[Policy] = []
    for arn in [*estate.role_by_arn, *estate.user_by_arn]:
        policies.extend(effective_caller(estate, arn).identity_policies)
    return Escalations(tg.graph, now_ms=NOW_MS), policies


@pytest.mark.parametrize("name", ORGS)
def test_policy_actions_match_may_allow_action_by_action(name: str, tmp_path: Path) -> None:
    esc, policies = _policies(name, tmp_path)
    assert policies
    seen = 0
    for kind in (CallerKind.ROLE_SESSION, CallerKind.IAM_USER):
        wanted = esc._method_actions(kind)
        for policy in policies:
            reference = frozenset(a for a in wanted if esc.decider.may_allow((policy,), a))
            assert esc._policy_actions(policy, kind) == reference, (policy.location, kind)
            seen += bool(reference)
    assert seen > 0


@pytest.mark.parametrize("name", ["example", "sample", "random-2", "random-5"])
def test_prefiltered_globs_match_every_action(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each glob's share of the methods' actions, read through its prefix (``Escalations._may_cover``), equals the
    share read by matching it against every action (``prefiltered_globs`` off), glob by glob."""
    esc, policies = _policies(name, tmp_path)
    reference = Escalations(esc.G, now_ms=NOW_MS)
    monkeypatch.setattr(reference, "prefiltered_globs", False)
    globs = {g.text: g for p in policies for st in p.statements for g in (*(st.actions or ()), *(st.not_actions or ()))}
    extra = ["*", "?ts:*", "STS:Assume*", "iam:*Policy*", "iam:?ut*", "iam", "iam:", "Iam:PassRole", "s3*", "é:*"]
    from trustgraph.model.pattern import parse_pattern
    from trustgraph.model.policy import Glob

    for text in extra:
        globs.setdefault(text, Glob(text, parse_pattern(text, wildcards=True, variables=False)))
    assert len(globs) > len(extra)
    for kind in (CallerKind.ROLE_SESSION, CallerKind.IAM_USER):
        wanted = esc._method_actions(kind)
        for text, g in globs.items():
            assert esc._globs_actions((g,), wanted) == reference._globs_actions((g,), wanted), (text, kind)


@pytest.mark.parametrize("name", ["example", "sample", "mix-1", "random-2", "random-5"])
def test_identity_first_gives_the_edges_and_refusals_of_the_reference(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Escalations.identity_first`` (a principal whose policies allow no method is left before its effective
    caller is built) gives every principal the edges and refusals of the reference, edge by edge; and
    ``effective_identity`` is ``effective_caller``'s kind and identity policies."""
    from trustgraph.graph.admin import effective_caller, effective_identity

    esc, _ = _policies(name, tmp_path)
    reference = Escalations(esc.G, now_ms=NOW_MS)
    monkeypatch.setattr(reference, "identity_first", False)
    estate = esc.estate
    principals = [*estate.role_by_arn, *estate.user_by_arn]
    edges = 0
    for node in principals:
        caller = effective_caller(estate, node)
        kind, policies = effective_identity(estate, node)
        assert kind is caller.kind and policies == caller.identity_policies, node
        assert [p.location for p in policies] == [p.location for p in caller.identity_policies], node
        fast, slow = esc.edges_from(node), reference.edges_from(node)
        assert len(fast) == len(slow), node
        for a, b in zip(fast, slow, strict=True):
            assert (a.source, a.target, a.method, a.calls) == (b.source, b.target, b.method, b.calls), node
        assert esc.refused(node) == reference.refused(node), node
        edges += len(fast)
    assert principals
