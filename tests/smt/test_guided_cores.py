"""The guided deletion pass (``smt.decide.core_by_deletion`` with ``guided``, switch ``SolverOptions.guided_cores``)
against the reference's deletion pass, one z3 run per assertion: the same core, name for name, on hand-made and
generated conjunctions (among them ones with two disjoint cores, where the order of the pass decides which one is
kept), with fewer preprocessing runs; and dead-trust-statement's findings (whose reasons are these cores) on
generated organizations and generated trust statements, the same field by field with the switch off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import z3  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies_policy import condition_block
from twins import twin

from tests.counting import count_calls
from tests.smt.helpers import github_role
from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import select_checks
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.smt import decide
from trustgraph.smt.decide import core_by_deletion
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession

OFF = SolverOptions().without("guided_cores")

_X, _Y = z3.Int("gc|x"), z3.Int("gc|y")
_S = z3.String("gc|s")
_P, _Q = z3.Bool("gc|p"), z3.Bool("gc|q")

#: atoms the generated conjunctions draw from: contradicting pairs on each variable, and some that touch nothing else
_ATOMS = [
    _X > 3, _X < 2, _X == 5, _X >= 0, _Y == 1, _Y > _X, _Y < 0, _P, z3.Not(_P), _Q, z3.Not(_Q),
    z3.Implies(_P, _Q), z3.Or(_P, _X > 10), z3.PrefixOf(z3.StringVal("ab"), _S), z3.Length(_S) < 2,
    z3.InRe(_S, z3.Concat(z3.Re("a"), z3.Star(z3.Re("b")))), _S == z3.StringVal("ba"), z3.Length(_S) == _X,
]


def _named(formulas: list[Any]) -> list[tuple[str, Any]]:
    return [(f"t{i}|condition at /gc/{i}", f) for i, f in enumerate(formulas)]


def _unsat(formulas: list[Any]) -> bool:
    solver = z3.Solver()
    solver.add(formulas)
    return bool(solver.check() == z3.unsat)


@pytest.mark.parametrize("strings", [False, True])
def test_two_disjoint_cores_keep_the_reference_one(strings: bool) -> None:
    """p, not p, q, not q: the reference drops p first (q, not q stay unsat) and keeps the later core; an assumption
    core of the whole conjunction may be the earlier one, so a pass over it alone would keep that one instead."""
    names = _named([_P, z3.Not(_P), _Q, z3.Not(_Q)])
    reference = core_by_deletion(names, 10_000, strings=strings)
    assert reference == [names[2][0], names[3][0]]
    assert core_by_deletion(names, 10_000, strings=strings, guided=True) == reference


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(st.sampled_from(range(len(_ATOMS))), min_size=2, max_size=9).map(lambda ix: [_ATOMS[i] for i in ix])
       .filter(_unsat), st.booleans())
def test_generated_conjunctions(formulas: list[Any], strings: bool) -> None:
    names = _named(formulas)
    reference = core_by_deletion(names, 10_000, strings=strings)
    assert core_by_deletion(names, 10_000, strings=strings, guided=True) == reference


def test_fewer_preprocessing_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A core of two among twelve assertions: the reference tries each (twelve runs), the guided pass only the two
    of the core and the one after which nothing is left to try."""
    formulas = [_Y >= i for i in range(5)] + [_X > 3] + [_Y <= 100 + i for i in range(5)] + [_X < 2]
    runs = count_calls(monkeypatch, decide, "_preprocessing_solver")
    names = _named(formulas)
    reference = core_by_deletion(names, 10_000)
    assert runs[0] == len(formulas) and reference == [names[5][0], names[11][0]]
    runs[0] = 0
    assert core_by_deletion(names, 10_000, guided=True) == reference
    assert 0 < runs[0] <= 3


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().guided_cores
    assert SolverOptions().guided_cores


def _dead(tg: TrustGraph, options: SolverOptions) -> list[dict[str, Any]]:
    session = SolverSession()
    session.options = options
    ctx = ScanContext(twin(tg, session))
    return [finding_to_plain(f) for f in run_checks(ctx, select_checks(["dead-trust-statement"])).findings]


def _same_dead(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> tuple[list[dict[str, Any]], int]:
    """dead-trust-statement's findings with the switch on, the same field by field as with it off; and how many
    guided passes ran with it on."""
    passes = count_calls(monkeypatch, decide, "_guided_deletion")
    new = _dead(tg, SolverOptions())
    guided, passes[0] = passes[0], 0
    old = _dead(tg, OFF)
    assert passes[0] == 0
    assert new == old
    return new, guided


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 3)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=40, seed=seed, profile=profile)
    _same_dead(load(tmp_path), monkeypatch)


def test_dead_github_statement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token whose repository and subject contradict (the dead statements of condition-heavy organizations): the
    guided pass gives its reason."""
    roles = [github_role("111111111111", "deploy-dead", "org/app-1", "repo:org/app-2:*")]
    (tmp_path / "gaad-111111111111.json").write_text(json.dumps(
        {"RoleDetailList": roles, "UserDetailList": [], "GroupDetailList": [], "Policies": []}))
    findings, guided = _same_dead(load(tmp_path), monkeypatch)
    assert guided >= 1 and len(findings) == 1
    assert "condition StringEquals token.actions.githubusercontent.com:repository" in findings[0]["message"]


def _with_contradiction(block: dict[str, Any], key: str | None) -> dict[str, Any]:
    """``block`` with, for ``key``, a pair of conditions no value meets (most such statements are dead)."""
    if key is None:
        return block
    out = {op: dict(keys) for op, keys in block.items()}
    out.setdefault("StringEquals", {})[key] = "a"
    out.setdefault("StringNotEquals", {})[key] = "a"
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(conditions=st.lists(st.builds(_with_contradiction, condition_block,
                                     st.none() | st.sampled_from(["sts:ExternalId", "aws:PrincipalTag/team",
                                                                  "token.actions.githubusercontent.com:sub"])),
                           min_size=1, max_size=2),
       principal=st.sampled_from([{"AWS": "arn:aws:iam::222222222222:root"}, {"AWS": "*"},
                                  {"Federated": "arn:aws:iam::111111111111:oidc-provider/"
                                                "token.actions.githubusercontent.com"}]))
def test_generated_trust_statements(conditions: list[dict[str, Any]], principal: dict[str, Any],
                                    tmp_path_factory: pytest.TempPathFactory,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Roles whose trust statements carry generated conditions, some with a pair that contradicts: the same findings."""
    folder = tmp_path_factory.mktemp("guided")
    action = "sts:AssumeRoleWithWebIdentity" if "Federated" in principal else "sts:AssumeRole"
    roles = [{
        "Arn": f"arn:aws:iam::111111111111:role/r{i}", "RoleName": f"r{i}", "Path": "/",
        "RoleId": f"AROA11111111111111R{i:02d}", "Tags": [],
        "AttachedManagedPolicies": [], "RolePolicyList": [], "InstanceProfileList": [],
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": action, "Condition": condition}]},
    } for i, condition in enumerate(conditions)]
    (folder / "gaad-111111111111.json").write_text(json.dumps(
        {"RoleDetailList": roles, "UserDetailList": [], "GroupDetailList": [], "Policies": []}))
    _same_dead(load(folder), monkeypatch)
