"""The concrete-first guesses make a key's candidate values as they try them (``smt.guess._options``, the hop's
literals per key through ``smt.guess._LazyLiterals``): the value :func:`~trustgraph.smt.guess._choose` picks is the
one the eager enumeration picks (:func:`_eager_choose` below, the previous code: every candidate built first, then
tried in order), for every key of every Allow trust statement of the bundled example, the sample and generated
organizations, with the key required or optional, with a base value or none, with and without constraints on it, and
with Deny conditions to avoid; the lazy literals of a key are the eager table's entry for it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org

from trustgraph.model.condition import Condition
from trustgraph.model.policy import Effect
from trustgraph.semantics.keys import key_info
from trustgraph.smt.constraints import ground_satisfies
from trustgraph.smt.env import Kind
from trustgraph.smt.guess import (
    _choose,
    _fresh,
    _fresh_in,
    _glob_witness,
    _instances,
    _LazyLiterals,
    _literals,
    _options,
)
from trustgraph.smt.presence import KeyMode, Mode, catalog_facts
from trustgraph.smt.results import KeyConstraint


def _eager_choose(key: str, mode: KeyMode, conds: list[Condition], literals: Sequence[str],
                  base: tuple[str, ...] | None, constraints: Sequence[Any], ctx: dict[str, tuple[str, ...]],
                  variables: bool, avoid: Sequence[Condition] = ()) -> tuple[bool, tuple[str, ...] | None]:
    """The candidate values built in full before any is tried (the code before ``_options``)."""
    from trustgraph.semantics.evaluate import condition_evaluator

    evaluate_one = condition_evaluator()
    from trustgraph.semantics.conditions import UndecidableCondition

    info = key_info(key)
    facts = catalog_facts(key)
    options: list[tuple[str, ...] | None] = []
    if base is not None:
        options.append(base)
    if not mode.required:
        options.append(None)
    texts: list[str] = []
    for c in conds:
        texts.extend(_instances(c))
    wit = _glob_witness(conds, constraints)
    if wit is not None:
        texts.insert(0, wit)
    texts.extend(literals)
    for c in constraints:
        if c.op == "equals":
            options.append(tuple(c.values))
    texts.extend(_fresh(facts.kind))
    if info.value_pattern is not None:
        texts.extend(_fresh_in(info.value_pattern))
    seen: set[str] = set()
    for t in texts:
        if t not in seen:
            seen.add(t)
            options.append((t,))
    tried: list[tuple[str, ...] | None] = []
    fallback: list[tuple[str, ...] | None] = []
    for v in options:
        if v in tried:
            continue
        tried.append(v)
        if v is None and mode.required:
            continue
        if v is not None and not all(info.value_ok(x) for x in v):
            continue
        if not all(ground_satisfies(c, v) for c in constraints):
            continue
        if conds or avoid:
            trial = dict(ctx)
            if v is None:
                trial.pop(key, None)
            else:
                trial[key] = v
            try:
                if not all(evaluate_one(c, trial, variables=variables) for c in conds):
                    continue
                if any(evaluate_one(c, trial, variables=variables) for c in avoid):
                    fallback.append(v)
                    continue
            except UndecidableCondition:
                continue
        return True, v
    if fallback:
        return True, fallback[0]
    return False, None


def _constraint_sets(key: str, conds: list[Condition]) -> list[tuple[KeyConstraint, ...]]:
    """No constraint, an ``equals`` on a value a condition names, a ``not-like`` on every value, and both."""
    named = next((t for c in conds for t in _instances(c) if t), "tg-value")
    return [(), (KeyConstraint(key, "equals", (named,)),), (KeyConstraint(key, "not-like", ("*",)),),
            (KeyConstraint(key, "not-like", (named[:1] + "*",)), KeyConstraint(key, "equals", ("other",)))]


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("condition-heavy", 1),
                                            ("condition-heavy", 2), ("vendor-heavy", 1), ("random", 3)])
def test_lazy_choice_is_the_eager_one(name: str, seed: int, tmp_path: Path) -> None:
    tg = small_org(name, seed, tmp_path)
    asked = differ = 0
    for role in tg.estate.role_by_arn.values():
        policy = role.trust_policy
        variables = policy.variables_enabled
        denies = [c for st in policy.statements if st.effect is Effect.DENY for c in st.conditions]
        keys = {c.key for st in policy.statements for c in st.conditions}
        eager_literals = _literals([policy], keys)
        lazy = _LazyLiterals([policy])
        for key in sorted(keys):
            assert tuple(lazy(key)()) == tuple(eager_literals.get(key, ()))
        for st in policy.statements:
            if st.effect is not Effect.ALLOW:
                continue
            for key in sorted({c.key for c in st.conditions}):
                conds = [c for c in st.conditions if c.key == key]
                avoid = [c for c in denies if c.key == key]
                kinds = {catalog_facts(key).kind}
                bases: list[tuple[str, ...] | None] = [None, ("tg-base",)] if Kind.STRING in kinds else [None]
                for required in (False, True):
                    mode = KeyMode(Mode.FREE, required=required)
                    for base in bases:
                        for constraints in _constraint_sets(key, conds):
                            asked += 1
                            got = _choose(key, mode, conds, lazy(key), base, constraints, {}, variables,
                                          ground_satisfies, avoid)
                            want = _eager_choose(key, mode, conds, eager_literals.get(key, ()), base, constraints,
                                                 {}, variables, avoid)
                            assert got == want, (role.arn, key, required, base, constraints)
                            differ += got[1] != base
    assert asked or name == "example"
    assert differ or name == "example"  # values past the base were chosen, not only the first candidate


def test_options_are_made_in_order_and_only_when_read() -> None:
    """The literals are asked only once the values before them are refused, and the candidates come in the
    documented order: base, absence, the constraints' values, then each text once."""
    from trustgraph.ingest.policy_json import conditions_from_json
    from trustgraph.model.location import Location

    (cond,) = conditions_from_json({"StringEquals": {"sts:ExternalId": ["abc"]}}, Location("t", "/C"), variables=True)
    calls: list[str] = []

    def literals() -> Sequence[str]:
        calls.append("read")
        return ("abc", "lit")

    gen = _options("sts:externalid", KeyMode(Mode.FREE), [cond], literals, ("b",),
                   (KeyConstraint("sts:externalid", "equals", ("e",)),))
    assert [next(gen), next(gen), next(gen), next(gen)] == [("b",), None, ("e",), ("abc",)]
    assert calls == []
    assert next(gen) == ("lit",) and calls == ["read"]  # "abc" came from the condition: not again
    assert _choose("sts:externalid", KeyMode(Mode.FREE), [cond], literals, None, (), {}, True, ground_satisfies) \
        == (True, ("abc",))
    assert calls == ["read"]  # the condition's own value was accepted before the literals were needed
