"""A conjunction z3 already decided in the session answered from the session's store
(``smt.cache.SolvedFormulas``, switch ``SolverOptions.solved_formulas``) against a fresh z3 context each time (the
reference): the same result, a model with the same value for every constant, the core's names at the same positions,
whatever the assertions are named; an answer that read the names (the incremental solver's) is not kept; and every
search and scan of the bundled example, the sample and generated organizations is the same field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import z3  # type: ignore[import-untyped]

from trustgraph.api import load
from trustgraph.smt import decide
from trustgraph.smt.cache import SolvedFormulas
from trustgraph.smt.decide import check_tracked
from trustgraph.smt.options import SolverOptions

from .test_renaming import SAMPLE, same_analyses

OFF = SolverOptions().without("solved_formulas")


def _formulas() -> list[list[Any]]:
    x, y = z3.Int("sf|x"), z3.Int("sf|y")
    s = z3.String("sf|s")
    p = z3.Bool("sf|p")
    return [
        [x > 3, y == x + 2, z3.Implies(p, y < 10)],  # sat
        [x > 3, x < 2, y == 1],  # unsat, core: the first two
        [z3.InRe(s, z3.Concat(z3.Re("ab"), z3.Star(z3.Re("c")))), z3.Length(s) == 5, p],  # sat, a string
        [z3.PrefixOf(z3.StringVal("xy"), s), z3.Length(s) < 2],  # unsat
    ]


def _named(formulas: list[Any], tag: str) -> list[tuple[str, Any]]:
    return [(f"t{i}|{tag} condition at /role/{tag}/{i}", f) for i, f in enumerate(formulas)]


def _plain(out: tuple[Any, Any, Any, str], formulas: list[Any], names: list[tuple[str, Any]]) -> Any:
    """A result as comparable values: the verdict, each formula's constants' values in the model, the core as
    positions."""
    res, model, core, why = out
    values = None
    if model is not None:
        consts = sorted({str(c): c for f in formulas for c in _consts(f)}.items())
        values = [(n, str(model.eval(c, model_completion=True))) for n, c in consts]
    at = {n: i for i, (n, _) in enumerate(names)}
    return str(res), values, None if core is None else [at[n] for n in core], why


def _consts(f: Any) -> list[Any]:
    if z3.is_const(f) and f.decl().kind() == z3.Z3_OP_UNINTERPRETED:
        return [f]
    return [c for a in f.children() for c in _consts(a)]


@pytest.mark.parametrize("core", [False, True])
@pytest.mark.parametrize("strings", [False, True])
def test_the_store_gives_the_fresh_answer(core: bool, strings: bool) -> None:
    solved = SolvedFormulas()
    for formulas in _formulas():
        for tag in ("first", "second", "third"):
            names = _named(formulas, tag)
            fresh = check_tracked(names, 10_000, core=core, strings=strings)
            kept = check_tracked(names, 10_000, core=core, strings=strings, solved=solved)
            assert _plain(kept, formulas, names) == _plain(fresh, formulas, names)
            if kept[2] is not None and fresh[2] is not None:
                assert kept[2] == fresh[2]  # the names themselves, of this call's assertions
    assert solved.hits == 2 * len(_formulas()) and len(solved) == len(_formulas())


def test_a_kept_model_is_a_copy() -> None:
    solved = SolvedFormulas()
    x = z3.Int("sf|copy")
    names = [("t0|a", x > 7)]
    first = check_tracked(names, 10_000, solved=solved)
    first[1].eval(z3.Int("sf|other"), model_completion=True)  # completion adds to the model it evaluates
    second = check_tracked(names, 10_000, solved=solved)
    assert second[1] is not first[1] and len(second[1]) == 1 and second[1].eval(x).as_long() > 7


def test_settings_and_other_formulas_are_other_keys() -> None:
    solved = SolvedFormulas()
    x = z3.Int("sf|k")
    check_tracked([("t0|a", x > 1)], 10_000, solved=solved)
    check_tracked([("t0|a", x > 1)], 20_000, solved=solved)
    check_tracked([("t0|a", x > 1)], 10_000, strings=True, solved=solved)
    check_tracked([("t0|a", x > 2)], 10_000, solved=solved)
    check_tracked([("t0|a", x > 1), ("t1|b", x < 9)], 10_000, solved=solved)
    check_tracked([("t0|a", x < 9), ("t1|b", x > 1)], 10_000, solved=solved)  # the order is part of the key
    assert solved.hits == 0 and len(solved) == 6
    # assertions sharing a name: a core's names would not give back its positions
    check_tracked([("same", x > 1), ("same", x < 0)], 10_000, core=True, solved=solved)
    assert len(solved) == 6


def test_an_answer_of_the_incremental_solver_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    real = decide._preprocessing_solver

    def undecided(ctx: Any, timeout: int) -> Any:
        solver = real(ctx, timeout)
        solver.set("rlimit", 1)
        return solver

    monkeypatch.setattr(decide, "_preprocessing_solver", undecided)
    solved = SolvedFormulas()
    x = z3.Int("sf|inc")
    names = [("t0|a", x > 1), ("t1|b", x < 0)]
    out = check_tracked(names, 10_000, solved=solved)
    assert out[0] == z3.unsat and out[2] is None  # its core is the deletion's, found when asked
    out = check_tracked(names, 10_000, core=True, solved=solved)
    assert out[0] == z3.unsat and out[2] == ["t0|a", "t1|b"]  # every deletion trial undecided here: both kept
    assert len(solved) == 0


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().solved_formulas
    assert SolverOptions().solved_formulas


def test_bundled_example_and_sample() -> None:
    same_analyses(load(), off=OFF)
    same_analyses(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]), off=OFF)


@pytest.mark.parametrize(("profile", "seed"), [("random", 3), ("random", 7), ("condition-heavy", 1),
                                               ("vendor-heavy", 1)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.synth import synthesize

    hits = [0]
    real = SolvedFormulas.get

    def counted(self: SolvedFormulas, key: Any) -> Any:
        out = real(self, key)
        hits[0] += out is not None
        return out

    monkeypatch.setattr(SolvedFormulas, "get", counted)
    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    same_analyses(load(tmp_path), scan=profile != "condition-heavy", off=OFF)
    if (profile, seed) == ("random", 7):  # roles alike asked z3 the same conjunction
        assert hits[0] > 0
