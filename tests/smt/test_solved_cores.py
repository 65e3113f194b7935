"""The minimal core of a conjunction the session already found by deletion answered from the session's store
(``smt.decide.core_by_deletion`` with ``solved``, switch ``SolverOptions.solved_cores``) against a deletion pass in a
fresh z3 context each time (the reference): the same core, as this call's names at the same positions, whatever the
assertions are named; other formulas, another order or other settings are other keys; and dead-trust-statement's
findings (whose reasons are these cores) on generated organizations are the same field by field with the switch off,
the store having answered some of them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import z3  # type: ignore[import-untyped]
from twins import twin

from tests.counting import count_calls
from tests.smt.helpers import github_role
from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import select_checks
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.smt import decide
from trustgraph.smt.cache import SolvedFormulas
from trustgraph.smt.decide import core_by_deletion
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession

OFF = SolverOptions().without("solved_cores")


def _unsat_conjunctions() -> list[list[Any]]:
    x, y = z3.Int("sc|x"), z3.Int("sc|y")
    s = z3.String("sc|s")
    p = z3.Bool("sc|p")
    return [
        [x > 3, y == 1, x < 2, p],  # core: the first and the third
        [p, z3.Not(p), x > 1, z3.Implies(p, y > 0)],  # core: the first two
        [z3.InRe(s, z3.Concat(z3.Re("ab"), z3.Star(z3.Re("c")))), p, z3.Length(s) == 1],  # a string: 1st and 3rd
        [z3.PrefixOf(z3.StringVal("xy"), s), x == 2, z3.Length(s) < x, y > x],  # three of four
    ]


def _named(formulas: list[Any], tag: str) -> list[tuple[str, Any]]:
    return [(f"t{i}|{tag} condition at /role/{tag}/{i}", f) for i, f in enumerate(formulas)]


@pytest.mark.parametrize("strings", [False, True])
def test_the_store_gives_the_fresh_core(strings: bool) -> None:
    solved = SolvedFormulas()
    for formulas in _unsat_conjunctions():
        for tag in ("first", "second", "third"):
            names = _named(formulas, tag)
            fresh = core_by_deletion(names, 10_000, strings=strings)
            kept = core_by_deletion(names, 10_000, strings=strings, solved=solved)
            assert kept == fresh  # the names of this call's assertions, at the reference's positions
            assert 0 < len(kept) < len(names)
    assert solved.hits == 2 * len(_unsat_conjunctions()) and len(solved) == len(_unsat_conjunctions())


def test_a_hit_runs_no_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    solved = SolvedFormulas()
    formulas = _unsat_conjunctions()[0]
    first = core_by_deletion(_named(formulas, "a"), 10_000, solved=solved)
    runs = count_calls(monkeypatch, decide, "_preprocessing_solver")
    second = core_by_deletion(_named(formulas, "b"), 10_000, solved=solved)
    assert runs[0] == 0 and [n.replace("|b ", "|a ").replace("/b/", "/a/") for n in second] == first
    core_by_deletion(_named(formulas, "c"), 10_000)  # without the store: one run per assertion
    assert runs[0] == len(formulas)


def test_settings_order_and_other_formulas_are_other_keys() -> None:
    solved = SolvedFormulas()
    x = z3.Int("sc|k")
    core_by_deletion([("t0|a", x > 1), ("t1|b", x < 0)], 10_000, solved=solved)
    core_by_deletion([("t0|a", x > 1), ("t1|b", x < 0)], 20_000, solved=solved)
    core_by_deletion([("t0|a", x > 1), ("t1|b", x < 0)], 10_000, strings=True, solved=solved)
    core_by_deletion([("t0|a", x > 2), ("t1|b", x < 0)], 10_000, solved=solved)
    core_by_deletion([("t0|a", x < 0), ("t1|b", x > 1)], 10_000, solved=solved)  # the order is part of the key
    assert solved.hits == 0 and len(solved) == 5
    # assertions sharing a name: a core's names would not give back its positions
    core_by_deletion([("same", x > 1), ("same", x < 0)], 10_000, solved=solved)
    assert len(solved) == 5


def test_cores_and_answers_are_apart() -> None:
    """A conjunction's answer (``check_tracked``) and its core are kept under different keys in the one store."""
    solved = SolvedFormulas()
    x = z3.Int("sc|apart")
    names = [("t0|a", x > 1), ("t1|b", x < 0), ("t2|c", x == 5)]
    res, _, core, _ = decide.check_tracked(names, 10_000, solved=solved)
    assert res == z3.unsat and core is None  # no core asked for: none computed
    assert core_by_deletion(names, 10_000, solved=solved) == ["t1|b", "t2|c"]  # the first is dropped first
    assert solved.hits == 0 and len(solved) == 2
    assert decide.check_tracked(names, 10_000, solved=solved)[2] is None
    assert core_by_deletion(names, 10_000, solved=solved) == ["t1|b", "t2|c"]
    assert solved.hits == 2


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().solved_cores
    assert SolverOptions().solved_cores


def _dead(tg: TrustGraph, options: SolverOptions, session: SolverSession) -> list[dict[str, Any]]:
    session.options = options
    ctx = ScanContext(twin(tg, session))
    return [finding_to_plain(f) for f in run_checks(ctx, select_checks(["dead-trust-statement"])).findings]


def _same_dead(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> tuple[list[dict[str, Any]], int]:
    """dead-trust-statement's findings with the switch on (and how many cores the store answered), the same field by
    field as with it off (whose store answers none)."""
    hits = [0]
    real = SolvedFormulas.get

    def counted(self: SolvedFormulas, key: Any) -> Any:
        out = real(self, key)
        hits[0] += out is not None and key[0] == "core"
        return out

    monkeypatch.setattr(SolvedFormulas, "get", counted)
    new = _dead(tg, SolverOptions(), SolverSession())
    served, hits[0] = hits[0], 0
    old = _dead(tg, OFF, SolverSession())
    assert hits[0] == 0
    assert new == old
    return new, served


def test_roles_alike_in_several_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same dead statement (its token's repository and subject contradict) in three accounts, each naming its
    own account's provider: one deletion pass, the same reasons in three findings; a live role beside each."""
    for account in ("111111111111", "222222222222", "333333333333"):
        roles = [github_role(account, "deploy-dead", "org/app-1", "repo:org/app-2:*"),
                 github_role(account, "deploy-live", "org/app-1", "repo:org/app-1:*")]
        (tmp_path / f"gaad-{account}.json").write_text(json.dumps(
            {"RoleDetailList": roles, "UserDetailList": [], "GroupDetailList": [], "Policies": []}))
    findings, served = _same_dead(load(tmp_path), monkeypatch)
    dead = [f for f in findings if "can never be satisfied" in f["message"]]
    assert len(dead) == 3 and all("deploy-dead" in f["role"] for f in dead)
    reasons = {re.sub(r"gaad-[0-9]{12}", "gaad-ACCOUNT", f["message"]) for f in dead}  # each in its own file
    assert len(reasons) == 1 and "condition StringEquals token.actions.githubusercontent.com:repository" in dead[0][
        "message"]
    assert served == 2


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 3)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=40, seed=seed, profile=profile)
    _same_dead(load(tmp_path), monkeypatch)
