"""The fast answers of the reverse search (``GraphQueries.fast_answers``: the usual source's tail, its start state's
step over decided hops landing in a state whose tail is built, put together in one loop by
:meth:`ReversePaths._one_step_tail`) against the quick pass without them (``fast_answers = False``): the same answers
field by field (witnesses, their requests, session-name agreements and notes, approximations, order) and the same
hop questions asked in the same order, on the small organizations of ``tests/small_orgs.py``, random organizations
and built estates whose session names are agreed (renamed, and refused: a note)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org

from tests.queries.engines import compare_engines, twins
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph
from trustgraph.queries.reverse import ReversePaths

from .builders import account, allow_aws, graph, role, trust, user


def _compared(org: str, tg: TrustGraph) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under each of :data:`engines.OPTIONS` by two
    engines that share one solver session, the fast one first, and the same hop questions asked in the same order
    (:func:`engines.compare_engines`: every field, the notes included); returns how many answers there were, how
    many tails the fast loop put together and how many of those asked a session-name agreement (the comparison must
    cover them)."""
    from trustgraph.queries import reverse

    counts = {"fast": 0, "agreements": 0}
    original_tail, original_agreement = ReversePaths._one_step_tail, reverse.session_agreement

    def counted_tail(self: ReversePaths, start: Any) -> Any:
        tail = original_tail(self, start)
        counts["fast"] += tail is not None
        return tail

    def counted_agreement(*args: Any) -> Any:
        counts["agreements"] += 1
        return original_agreement(*args)

    fast, slow = twins(tg)
    slow.fast_answers = False
    fast.ordered_tails = False  # the loop as the answers take it (tails built first: test_ordered_tails.py)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ReversePaths, "_one_step_tail", counted_tail)
        mp.setattr(reverse, "session_agreement", counted_agreement)
        compared = compare_engines(org, {"fast": fast, "quick pass": slow}, same_questions=True)
    return {"answers": compared.answers, **counts}


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("mix", 1), ("chain-heavy", 1),
                                            ("chain-heavy", 2), ("federation-heavy", 1), ("vendor-heavy", 1)])
def test_fast_answers_on_small_organizations(name: str, seed: int, tmp_path: Path) -> None:
    counts = _compared(f"{name} seed {seed}", small_org(name, seed, tmp_path))
    assert counts["answers"] > 0
    if name == "chain-heavy":  # chains of role sessions: the loop is taken
        assert counts["fast"] > 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_answers_on_random_organizations(seed: int, tmp_path: Path) -> None:
    assert _compared(f"random seed {seed}", synthesized(tmp_path, "random", seed, 20))["answers"] > 0


def _named_first_hops(restricted: bool) -> TrustGraph:
    """Sources S0..S5 (every role of the account may call Mid, which trusts the account root) share the rest of their
    path Mid -> Fin -> Target, where Fin trusts only the session ``Mid/ops``: each source's own hop into Mid is asked
    again naming that session (the agreement the fast loop asks). With ``restricted`` Mid admits only sessions named
    ``batch``: the renamed hop is refused and the hop into Fin is noted approximate."""
    a = "111111111111"
    everything = {"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    named = {"StringEquals": {"sts:RoleSessionName": "batch"}} if restricted else None
    roles = [role(a, f"S{i}", trust(allow_aws(f"arn:aws:iam::{a}:user/nobody")), inline=[everything])
             for i in range(6)]
    roles += [role(a, "Mid", trust(allow_aws(f"arn:aws:iam::{a}:root", named)), inline=[everything]),
              role(a, "Fin", trust(allow_aws(f"arn:aws:sts::{a}:assumed-role/Mid/ops")), inline=[everything]),
              role(a, "Target", trust(allow_aws(f"arn:aws:iam::{a}:role/Fin")))]
    from trustgraph.ingest.zone_file import zone_from_ids

    return graph(account(a, roles=roles), zone=zone_from_ids([a]))


def _users_with_and_without_mfa() -> TrustGraph:
    """Users U0..U2 (a source with two start states: with MFA and without) may call Direct only with MFA and Long1
    either way; Direct -> Target and Long1 -> Long2 -> Target, so each user's nearest start state is the one with
    MFA (2 hops) and the other is one hop farther (3 hops). Target trusts Direct and Long2 under an unknown condition
    operator: every answer into Target rests on an over-approximated hop, so the answers carry approximations."""
    a = "111111111111"

    def arn(name: str) -> str:
        return f"arn:aws:iam::{a}:role/{name}"

    everything = {"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    users = [f"arn:aws:iam::{a}:user/U{i}" for i in range(3)]
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    unknown = {"StringFooBar": {"aws:SourceIp": "203.0.113.9"}}  # assumed to hold: over-approximated
    roles = [role(a, "Direct", trust(allow_aws(users, mfa)), inline=[everything]),
             role(a, "Long1", trust(allow_aws(users)), inline=[everything]),
             role(a, "Long2", trust(allow_aws(arn("Long1"))), inline=[everything]),
             role(a, "Target", trust(allow_aws([arn("Direct"), arn("Long2")], unknown)))]
    from trustgraph.ingest.zone_file import zone_from_ids

    return graph(account(a, roles=roles, users=[user(a, f"U{i}", inline=[everything]) for i in range(3)]),
                 zone=zone_from_ids([a]))


#: The estates built in memory that the reverse search's fast-path tests compare on: the first four are
#: tests/queries/test_reverse.py's, the last three this module's (:func:`_named_first_hops`,
#: :func:`_users_with_and_without_mfa`).
BUILT = ("hub", "mfa", "named", "restricted", "named-first", "restricted-first", "mfa-users")


def built(shape: str) -> TrustGraph:
    """The built estate ``shape`` of :data:`BUILT`: hub members and ties, the other MFA outcome of a hop, session names
    agreed on a shared path (renamed, ``named``, and refused, ``restricted``: the later hop noted) and on each
    source's own first hop (``named-first``, ``restricted-first``), and users with two start states at different
    distances whose answers carry approximations (``mfa-users``)."""
    from .test_reverse import _hub_and_ties, _mfa_outcomes, _named_sessions

    if shape.endswith("-first"):
        return _named_first_hops(shape == "restricted-first")
    if shape == "mfa-users":
        return _users_with_and_without_mfa()
    return {"hub": _hub_and_ties, "mfa": _mfa_outcomes, "named": lambda: _named_sessions(False),
            "restricted": lambda: _named_sessions(True)}[shape]()[0]


@pytest.mark.parametrize("shape", BUILT)
def test_fast_answers_on_built_estates(shape: str) -> None:
    """Hub members and ties, the other MFA outcome of a hop, session names agreed on a shared path and on each
    source's own first hop (renamed, and refused: the later hop noted)."""
    tg = built(shape)
    counts = _compared(f"built {shape}", tg)
    assert counts["answers"] > 0
    if shape.endswith("-first"):  # the loop asks the agreement the next hop's session name needs
        assert counts["fast"] > 0 and counts["agreements"] > 0, counts
        found = {r.source.rsplit("/", 1)[-1]: r for r in tg.who_can_reach(f"arn:aws:iam::{'1' * 12}:role/Target")}
        for i in range(6):
            hops = found[f"S{i}"].hops
            assert [h.target.rsplit("/", 1)[-1] for h in hops] == ["Mid", "Fin", "Target"]
            assert (hops[0].context.get("sts:RoleSessionName") == ("ops",)) is (shape == "named-first")
            assert bool(hops[1].approximations) is (shape == "restricted-first")


def test_the_switch_reaches_the_reverse_search() -> None:
    """``fast_answers = False`` gives the quick pass without the loop; True (the default) with it."""
    tg = small_org("example", 0, Path("."))
    assert tg.fast_answers is True
    tg.fast_answers = False
    role = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")[0]
    closure_paths: list[ReversePaths] = []
    original = ReversePaths.__init__

    def kept(self: ReversePaths, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        closure_paths.append(self)

    ReversePaths.__init__ = kept  # type: ignore[method-assign]
    try:
        tg.who_can_reach(role)
        tg.fast_answers = True
        tg.who_can_reach(role)
    finally:
        ReversePaths.__init__ = original  # type: ignore[method-assign]
    assert [p.fast for p in closure_paths] == [False, True]
