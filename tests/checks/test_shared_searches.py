"""The reach checks answered from shared forward searches give the findings of the per-pair reference
(``ScanContext(per_pair=True)``: a look-up per outside account and role, a backward closure per admin role for the
federated sources of external-path-to-admin), field by field: on the bundled example, the two-account sample,
generated organizations of several seeds, and with undecided hops (where the shared searches hand the question back
to the reference)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from twins import twin as twin_of

from tests.queries.engines import make_undecided, undecided
from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import CHECKS_BY_ID
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.smt.session import SolverSession

REACH_CHECKS = tuple(CHECKS_BY_ID[c] for c in (
    "external-without-external-id", "external-without-mfa", "public-role", "external-path-to-admin"))
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"


def _findings(tg: TrustGraph, per_pair: bool, patch: Callable[[TrustGraph], None] | None = None,
              via: str = "assume", session: SolverSession | None = None) -> list[dict[str, Any]]:
    fresh = twin_of(tg, session)
    if patch is not None:
        patch(fresh)
    ctx = ScanContext(fresh, per_pair=per_pair, via=via)
    return [finding_to_plain(f) for f in run_checks(ctx, REACH_CHECKS).findings]


def _same(tg: TrustGraph, patch: Callable[[TrustGraph], None] | None = None, via: str = "assume") -> int:
    # one solver session for both: the two algorithms read the same hop answers (which of several valid witnesses a
    # hop gets depends on the order questions are asked in, so each on its own session may pick another one)
    session = SolverSession()
    shared = _findings(tg, False, patch, via, session)
    reference = _findings(tg, True, patch, via, session)
    assert [(f["check_id"], f["role"]) for f in shared] == [(f["check_id"], f["role"]) for f in reference]
    for new, old in zip(shared, reference, strict=True):
        assert new == old, (new["check_id"], new["role"])
    return len(shared)


@pytest.mark.parametrize("via", ["assume", "all"])
def test_bundled_example(via: str) -> None:
    assert _same(load(), via=via) > 0


def test_two_account_sample() -> None:
    assert _same(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"])) > 0


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_generated_organizations(seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=4, roles_per_account=30, seed=seed)
    tg = load(tmp_path)
    assert _same(tg) > 0
    if seed == 1:  # a GitHub provider outside the zone reaches an admin role in three hops
        federated = [s for f in _findings(tg, False) if f["check_id"] == "external-path-to-admin"
                     for s in f["sources"] if s.source_class == "federated" and len(s.nodes) == 4]
        assert federated


@pytest.mark.parametrize("every", [2, 3, 5])
def test_undecided_hops(every: int) -> None:
    tg = load()
    assert _same(tg, undecided(every)) > 0
    unknown = [f for f in _findings(tg, False, undecided(every)) if f["kind"].value == "unknown"]
    assert unknown


def test_undecided_federated_hops_are_handed_to_the_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """In a generated organization whose GitHub provider reaches an admin role, undecided hops make some
    federated answers unknown in the forward searches: those are asked again by the backward closure (the
    reference), and the findings are the reference's."""
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=4, roles_per_account=30, seed=1)
    tg = load(tmp_path)
    asked: list[tuple[Any, ...]] = []
    reach_to = ScanContext.reach_to

    def counting(self: ScanContext, *args: Any, **kwargs: Any) -> Any:
        if not self.per_pair:
            asked.append(args)
        return reach_to(self, *args, **kwargs)

    monkeypatch.setattr(ScanContext, "reach_to", counting)
    assert _same(tg, undecided(7)) > 0
    assert asked


PROFILES = ("mix", "federation-heavy", "chain-heavy", "vendor-heavy", "condition-heavy")


@pytest.mark.parametrize(("profile", "seed"), [
    (profile, seed) for profile in PROFILES
    # chain-heavy's seeds 1 and 2 name no outsider at this size (nothing to compare)
    for seed in ((3, 4) if profile == "chain-heavy" else (1, 3))])
def test_every_profile(profile: str, seed: int, tmp_path: Path) -> None:
    """A small organization of each ``synth`` profile: the shared searches (the outside accounts', the federated
    providers' and the outsider's, expanding each state once for all of them) give the reference's findings."""
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=seed, profile=profile)
    assert _same(load(tmp_path)) > 0


@pytest.mark.parametrize(("profile", "seed", "every"), [
    ("vendor-heavy", 1, 0), ("vendor-heavy", 1, 3), ("federation-heavy", 1, 0), ("mix", 1, 0), ("random", 2, 0)])
def test_shared_searches_equal_the_reference_search(profile: str, seed: int, every: int, tmp_path: Path) -> None:
    """Every outside account's and outsider's search, replayed from the shared expansions, is the engine's own
    search from that source: same states in the same order, parents, paths (each hop's witness built when the path
    is read), depths and undecided hops (with ``every``: the hops into every ``every``-th role undecided)."""
    from trustgraph.queries.shared import SharedSearches
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=seed, profile=profile)
    tg = load(tmp_path)
    if every:
        make_undecided(tg, every)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    sources = [(n, False) for n in ctx.outside_account_nodes] + [(m, True) for m in ctx.outsider_members()]
    assert len(sources) > (10 if profile == "vendor-heavy" else 1)
    visited = 0
    undecided = 0
    for options in (ctx.options(), ctx.options(without=("sts:ExternalId",)),
                    ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]})):
        for source, outside_only in sources:
            new = shared.search(source, options, outside_only=outside_only)
            old = tg.engine.search(source, options, outside_only=outside_only)
            # the shared outcome builds each hop's witness when a path is read: every path equals the reference's
            assert [(s, v.parent, new.path_to(s), v.depth) for s, v in new.visits.items()] == [
                (s, v.parent, old.path_to(s), v.depth) for s, v in old.visits.items()]
            assert new.first == old.first and new.unknown_edges == old.unknown_edges
            visited += len(new.visits)
            undecided += len(new.unknown_edges)
    assert shared.expanded < visited  # a state reached by several sources is expanded once
    assert bool(undecided) == bool(every)


def _small_org(profile: str, seed: int, tmp_path: Path) -> TrustGraph:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=seed, profile=profile)
    return load(tmp_path)


def _cited_orgs() -> list[Any]:
    return [pytest.param("example", None, id="example"), pytest.param("sample", None, id="sample")] + [
        pytest.param(profile, seed, id=f"{profile}-{seed}")
        for profile, seed in (("mix", 1), ("federation-heavy", 1), ("chain-heavy", 3), ("vendor-heavy", 1),
                              ("vendor-heavy", 3), ("condition-heavy", 1), ("random", 1), ("random", 2))]


@pytest.mark.parametrize(("org", "seed"), _cited_orgs())
def test_answers_for_cited_targets_only(org: str, seed: int | None, tmp_path: Path) -> None:
    """``reach_each(..., targets=T)`` (the answers external-path-to-admin reads: those for the admin roles; and for
    every other role, to cover roles that are not admins) gives, for each source and each role of T, the answer the
    per-source reference gives (``query(source, None)``, or ``query("external", None, per_member=True,
    members=[source])`` for an outsider), field by field, and no answer for a role outside T."""
    if org == "example":
        tg = load()
    elif org == "sample":
        tg = load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"])
    else:
        assert seed is not None
        tg = _small_org(org, seed, tmp_path)
    ctx = ScanContext(tg)
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    admins = ctx.admin_roles()
    assert admins == frozenset(r for r in roles if tg.graph.nodes[r].get("admin"))
    sources = [(n, False) for n in ctx.outside_account_nodes] + [(m, True) for m in ctx.outsider_members()]
    compared = 0
    for cited in (admins, frozenset(roles[1::2])):
        session = SolverSession()
        fast, reference = twin_of(tg, session), twin_of(tg, session)
        for options in (ctx.options(), ctx.options(without=("sts:ExternalId",)),
                        ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]})):
            for outside_only in (False, True):
                chosen = [s for s, o in sources if o is outside_only]
                answers = fast.reach_each(chosen, options, outside_only=outside_only, targets=cited)
                for source in chosen:
                    if outside_only:
                        full = reference.query("external", None, options, per_member=True, members=[source])
                    else:
                        full = reference.query(source, None, options)
                    expected = [r for r in full if r.target in cited and r.target != source]
                    assert list(answers[source]) == expected, source
                    compared += len(expected)
    assert compared > 0
