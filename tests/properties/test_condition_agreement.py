"""Property (a): for random conditions and random concrete contexts, the concrete evaluator and the z3 formula
evaluated under that context agree (the context is substituted into the encoding and simplified to a constant)."""

from __future__ import annotations

from typing import Any

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.properties.strategies import conditions, contexts
from trustgraph.model.condition import Condition
from trustgraph.semantics.conditions import evaluate_condition
from trustgraph.smt.encode import encode_block, encode_condition
from trustgraph.smt.env import Env, constant


def substitution(env: Env, ctx: dict[str, tuple[str, ...]]) -> list[tuple[Any, Any]]:
    """Pairs (symbolic term, constant) that put ``ctx`` into the environment's variables."""
    pairs: list[tuple[Any, Any]] = []

    def put(sym: Any, text: str | None) -> None:
        if text is None:
            return
        c = constant(kv.kind, text)
        assert c is not None, (kv.key, text)
        if isinstance(sym, tuple):
            pairs.extend(zip(sym, c, strict=True))
        else:
            pairs.append((sym, c))

    for key, kv in env.vars.items():
        values = ctx.get(key, ())
        if kv.multi:
            assert len(kv.slots) >= len(values)
            for i, (used, val) in enumerate(kv.slots):
                pairs.append((used, z3.BoolVal(i < len(values))))
                put(val, values[i] if i < len(values) else None)
        else:
            pairs.append((kv.pres, z3.BoolVal(bool(values))))
            put(kv.val, values[0] if values else None)
    return pairs


def z3_value(term: Any, env: Env, ctx: dict[str, tuple[str, ...]]) -> bool:
    if isinstance(term, bool):
        return term
    out = z3.simplify(z3.substitute(term, *substitution(env, ctx)))
    # remaining free values belong to absent keys and must not matter: try two completions
    s = z3.Solver()
    s.add(out != z3.BoolVal(True))
    always_true = s.check() == z3.unsat
    s = z3.Solver()
    s.add(out != z3.BoolVal(False))
    always_false = s.check() == z3.unsat
    assert always_true or always_false, f"formula depends on values of absent keys: {out}"
    return always_true


def fresh_env() -> Env:
    return Env(slot_bound={"aws:tagkeys": 3, "aws:principalorgpaths": 3})


@settings(max_examples=1000, deadline=None)
@given(cond=conditions(), ctx=contexts())
def test_one_condition_agrees(cond: Condition, ctx: dict[str, tuple[str, ...]]) -> None:
    env = fresh_env()
    term = encode_condition(env, cond)
    assert not env.oracles, env.approximations  # the strategy only draws constructs modelled exactly
    assert z3_value(term, env, ctx) == evaluate_condition(cond, ctx, variables=True), (str(cond), ctx)


@settings(max_examples=300, deadline=None)
@given(block=st.lists(conditions(), min_size=1, max_size=4), ctx=contexts())
def test_condition_blocks_agree(block: list[Condition], ctx: dict[str, tuple[str, ...]]) -> None:
    env = fresh_env()
    term = encode_block(env, block)
    expected = all(evaluate_condition(c, ctx, variables=True) for c in block)
    assert z3_value(term, env, ctx) == expected, ([str(c) for c in block], ctx)
