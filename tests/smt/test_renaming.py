"""An outsider's hop answered from the answer for a role whose trust policy differs only in the external ids and
outside principals it names (``smt.renaming``, switch ``SolverOptions.renamed_values``) equals the answer the role's
own question gets, field by field: on hypothesis-drawn pairs of policies made from one template with adversarial
values (a value named again elsewhere, in a Deny, a StringLike pattern, a prefix of another, IfExists, ForAnyValue,
NotPrincipal, a condition on the principal, a number, one role's value the other's), and on scans and searches of
every profile at small size."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twins import twin as twin_of

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import select_checks
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import Location
from trustgraph.semantics.request import Action, CallerKind, Target
from trustgraph.smt import solve as solve_module
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.results import KeyConstraint
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import Sat, Unknown, Unsat, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"
A = "555566667777"
B = "888899990000"
NOW = 1_767_225_600_000  # 2026-01-01
OFF = SolverOptions().without("renamed_values")

# pools that collide on purpose: the roles' own accounts, the fresh account, prefixes, a name that is an external id
ACCOUNTS = ["444455556666", "777788889999", "444455556667", A, B, "999999999999", "111122223333"]
NAMES = ["vendor-a", "vendor-b", "vendor-a-x", "tg-role", "R"]
EXTERNAL_IDS = ["ext-1", "ext-2", "ext-1-v2", "444455556666", "vendor-a", "EXT-1", "x"]

# statement pieces over the placeholders {a0} {a1} (accounts), {n0} (a role name), {e0} {e1} (external ids)
PRINCIPALS: list[Any] = [
    {"AWS": "arn:aws:iam::{a0}:root"}, {"AWS": "{a0}"}, {"AWS": "arn:aws:iam::{a0}:role/{n0}"},
    {"AWS": ["arn:aws:iam::{a0}:root", "arn:aws:iam::{a1}:root"]}, {"AWS": "arn:aws:iam::{a1}:role/{n0}"},
    "*", {"AWS": "arn:aws:iam::111122223333:root"},
]
CONDITIONS: list[Any] = [
    {}, {"StringEquals": {"sts:ExternalId": "{e0}"}}, {"StringEquals": {"sts:ExternalId": ["{e0}", "{e1}"]}},
    {"StringEqualsIfExists": {"sts:ExternalId": "{e0}"}}, {"ForAnyValue:StringEquals": {"sts:ExternalId": "{e0}"}},
    {"StringNotEquals": {"sts:ExternalId": "{e1}"}}, {"StringLike": {"sts:ExternalId": "{e0}"}},
    {"StringLike": {"sts:ExternalId": "{e0}*"}}, {"StringEqualsIgnoreCase": {"sts:ExternalId": "{e1}"}},
    {"StringEquals": {"aws:PrincipalAccount": "{a0}"}},
    {"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::{a0}:root"}},
    {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/{n0}*"}},
    {"StringEquals": {"aws:SourceIdentity": "{e0}"}},
    {"NumericLessThan": {"aws:PrincipalAccount": "500000000000"}},
    {"StringEquals": {"sts:ExternalId": "${aws:username}"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
]


@st.composite
def template(draw: st.DrawFn) -> dict[str, Any]:
    statements = []
    for _ in range(draw(st.integers(1, 3))):
        stmt: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Allow", "Deny"])),
                                "Action": "sts:AssumeRole"}
        if draw(st.integers(0, 6)) == 0:
            stmt["NotPrincipal"] = {"AWS": "arn:aws:iam::{a1}:root"}
        else:
            stmt["Principal"] = draw(st.sampled_from(PRINCIPALS[:5] if draw(st.booleans()) else PRINCIPALS))
        cond: dict[str, Any] = {}
        for _ in range(draw(st.integers(0, 2))):
            # the external-id equalities the path abstracts, half the time; any piece the other half
            pieces = CONDITIONS[1:6] if draw(st.booleans()) else CONDITIONS
            for op, body in draw(st.sampled_from(pieces)).items():
                cond.setdefault(op, {}).update(body)
        if cond:
            stmt["Condition"] = cond
        statements.append(stmt)
    return {"Version": "2012-10-17", "Statement": statements}


@st.composite
def values(draw: st.DrawFn) -> dict[str, str]:
    # mostly distinct values (the renamed path's case), sometimes equal ones
    unique = draw(st.booleans()) or draw(st.booleans())
    a0, a1 = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=2, max_size=2, unique=unique))
    e0, e1 = draw(st.lists(st.sampled_from(EXTERNAL_IDS), min_size=2, max_size=2, unique=unique))
    return {"a0": a0, "a1": a1, "n0": draw(st.sampled_from(NAMES)), "e0": e0, "e1": e1}


def _filled(doc: Any, vals: dict[str, str]) -> Any:
    text = json.dumps(doc)
    for name, value in vals.items():
        text = text.replace("{" + name + "}", value)
    return json.loads(text)


def _target(doc: dict[str, Any], account: str, name: str) -> Target:
    policy = policy_from_json(doc, Location(f"{account}-{name}.json", "/Trust"), kind="trust")
    return Target(role=Role(arn=f"arn:aws:iam::{account}:role/{name}", name=name, role_id="AROA" + account,
                            account=account, trust_policy=policy, tags=(("vendor", name),)))


CALLERS = [
    SymbolicCaller(kind=CallerKind.ROLE_SESSION),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A, B})),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({"444455556666", A})),
]
CONSTRAINTS = [(), (KeyConstraint("sts:externalid", "absent"),),
               (KeyConstraint("aws:multifactorauthpresent", "equals", ("true",)),)]


def _same(first: Target, second: Target, caller: SymbolicCaller, constraints: tuple[KeyConstraint, ...]) -> None:
    def both(options: SolverOptions) -> Any:
        session = SolverSession(options)
        solve_hop(caller, first, Action.ASSUME_ROLE, constraints=constraints, now_ms=NOW, session=session)
        return solve_hop(caller, second, Action.ASSUME_ROLE, constraints=constraints, now_ms=NOW, session=session)

    got, want = both(SolverOptions()), both(OFF)
    if isinstance(got, Unknown) or isinstance(want, Unknown):
        return
    assert type(got) is type(want), (got, want)
    if isinstance(got, Sat):
        assert isinstance(want, Sat)
        assert got.caller == want.caller
        assert got.request == want.request
        assert got.decision == want.decision
        assert got.approximations == want.approximations
    else:
        assert isinstance(got, Unsat) and isinstance(want, Unsat)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=template(), one=values(), two=values(), caller=st.sampled_from(CALLERS),
       constraints=st.sampled_from(CONSTRAINTS), accounts=st.sampled_from([(A, B), (A, A), (B, A)]),
       names=st.sampled_from([("vendor-x", "vendor-y"), ("R", "R"), ("vendor-a", "vendor-b")]))
def test_a_renamed_answer_is_the_roles_own(doc: dict[str, Any], one: dict[str, str], two: dict[str, str],
                                          caller: SymbolicCaller, constraints: tuple[KeyConstraint, ...],
                                          accounts: tuple[str, str], names: tuple[str, str]) -> None:
    first = _target(_filled(doc, one), accounts[0], names[0])
    second = _target(_filled(doc, two), accounts[1], names[1])
    _same(first, second, caller, constraints)


@st.composite
def plain_pair(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """A template of the forms the path abstracts only, and two assignments of distinct values: the pairs it
    serves (the adversarial ones above are mostly turned away before the replay)."""
    statements = []
    for _ in range(draw(st.integers(1, 2))):
        stmt: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
                                "Action": "sts:AssumeRole", "Principal": draw(st.sampled_from(PRINCIPALS[:5]))}
        cond: dict[str, Any] = {}
        for piece in draw(st.lists(st.sampled_from([*CONDITIONS[:6], CONDITIONS[-1]]), max_size=2)):
            for op, body in piece.items():
                cond.setdefault(op, {}).update(body)
        if cond:
            stmt["Condition"] = cond
        statements.append(stmt)
    pools = (["444455556666", "777788889999", "123412341234", "432143214321"], ["vendor-a", "vendor-b", "acme"],
             ["ext-1", "ext-2", "zz-9", "q.q@q"])

    def assignment() -> dict[str, str]:
        a0, a1 = draw(st.lists(st.sampled_from(pools[0]), min_size=2, max_size=2, unique=True))
        e0, e1 = draw(st.lists(st.sampled_from(pools[2]), min_size=2, max_size=2, unique=True))
        return {"a0": a0, "a1": a1, "n0": draw(st.sampled_from(pools[1])), "e0": e0, "e1": e1}

    return {"Version": "2012-10-17", "Statement": statements}, assignment(), assignment()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=plain_pair(), caller=st.sampled_from(CALLERS[:2]), constraints=st.sampled_from(CONSTRAINTS))
def test_renamed_answers_of_plain_vendor_policies(pair: tuple[dict[str, Any], dict[str, str], dict[str, str]],
                                                  caller: SymbolicCaller,
                                                  constraints: tuple[KeyConstraint, ...]) -> None:
    doc, one, two = pair
    _same(_target(_filled(doc, one), A, "vendor-x"), _target(_filled(doc, two), B, "vendor-y"), caller, constraints)


def _count_replays(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    served = [0]
    real = solve_module.replayed

    def counted(*args: Any) -> Any:
        out = real(*args)
        served[0] += out is not None
        return out

    monkeypatch.setattr(solve_module, "replayed", counted)
    return served


VENDOR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::{a0}:root"},
                                                  "Action": "sts:AssumeRole",
                                                  "Condition": {"StringEquals": {"sts:ExternalId": "{e0}"}}}]}


def test_vendor_roles_share_one_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The path serves: two vendor roles of two accounts, each with its own vendor and external id."""
    served = _count_replays(monkeypatch)
    first = _target(_filled(VENDOR, {"a0": "444455556666", "e0": "ext-1"}), A, "vendor-x")
    second = _target(_filled(VENDOR, {"a0": "777788889999", "e0": "ext-2"}), B, "vendor-y")
    _same(first, second, CALLERS[1], ())
    assert served[0] == 1
    session = SolverSession()
    solve_hop(CALLERS[1], first, Action.ASSUME_ROLE, now_ms=NOW, session=session)
    got = solve_hop(CALLERS[1], second, Action.ASSUME_ROLE, now_ms=NOW, session=session)
    assert isinstance(got, Sat)
    assert got.request.get("sts:externalid") == ("ext-2",)
    assert got.caller.account == "777788889999"
    assert got.request.get("aws:resourcetag/vendor") == ("vendor-y",)


@pytest.mark.parametrize("cond", [
    {"StringEquals": {"sts:ExternalId": "ext-1", "aws:SourceIdentity": "ext-1"}},  # the value named again
    {"StringLike": {"sts:ExternalId": "ext-1*"}},  # a pattern
    {"StringEquals": {"sts:ExternalId": "ext-1", "aws:PrincipalAccount": "444455556666"}},  # the principal read
    {"NumericLessThan": {"aws:PrincipalAccount": "500000000000"}, "StringEquals": {"sts:ExternalId": "ext-1"}},
])
def test_questions_outside_the_argument_have_no_renamed_form(cond: dict[str, Any]) -> None:
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.renaming import renamed_form
    from trustgraph.smt.sharing import cache_key

    principal = {"AWS": "arn:aws:iam::444455556666:root"}
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal,
                                                   "Action": "sts:AssumeRole", "Condition": cond}]}
    q = HopQuestion(CALLERS[0], _target(doc, A, "R"), Action.ASSUME_ROLE, (), False, NOW)
    session = SolverSession()
    assert renamed_form(q, cache_key(q, session.options.paths_key(), session.facts), session.facts) is None


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().renamed_values
    assert SolverOptions().renamed_values


# ------------------------------------------------------------------------------------------------ whole analyses
def _fresh(tg: TrustGraph, options: SolverOptions, session: SolverSession) -> TrustGraph:
    # one session for both runs (the fast path first): a witness z3 chose depends on what it was asked before
    session.options = options
    return twin_of(tg, session)


def _reach(tg: TrustGraph, options: SolverOptions, session: SolverSession) -> list[Any]:
    from trustgraph.queries.options import QueryOptions

    fresh = _fresh(tg, options, session)
    out = []
    for without in ((), ("sts:ExternalId",)):
        for r in fresh.query("*", None, QueryOptions.make(without=without)):
            out.append((r.source, r.target, r.verdict, r.approximations, tuple(
                (h.source, h.target, h.action, h.caller, h.context, h.statements, h.approximations, h.method)
                for h in r.hops)))
    return out


def _scan(tg: TrustGraph, options: SolverOptions, session: SolverSession) -> list[dict[str, Any]]:
    ctx = ScanContext(_fresh(tg, options, session))
    return [finding_to_plain(f) for f in run_checks(ctx, select_checks(None)).findings]


def same_analyses(tg: TrustGraph, scan: bool = True, off: SolverOptions = OFF) -> None:
    """Every search from every source (with and without sts:ExternalId) and the scan's findings of ``tg`` are the
    same with every fast path on and with the options ``off``, field by field."""
    session = SolverSession()
    new = _reach(tg, SolverOptions(), session)
    old = _reach(tg, off, session)
    assert len(new) == len(old)
    for a, b in zip(new, old, strict=True):
        assert a == b, (a[0], a[1])
    if scan:
        session = SolverSession()
        assert _scan(tg, SolverOptions(), session) == _scan(tg, off, session)


def test_bundled_example() -> None:
    same_analyses(load())


def test_two_account_sample() -> None:
    same_analyses(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]))


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("vendor-heavy", 2),
    ("condition-heavy", 1), ("random", 1), ("random", 2), ("random", 3), ("random", 6),
])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.synth import synthesize

    served = _count_replays(monkeypatch)
    # vendor-heavy at 20 roles per account: enough vendor roles for the renamed answers to serve
    synthesize(tmp_path, accounts=3, roles_per_account=20 if profile == "vendor-heavy" else 12, seed=seed,
               profile=profile)
    same_analyses(load(tmp_path), scan=profile != "condition-heavy")
    if profile == "vendor-heavy":
        assert served[0] > 0
