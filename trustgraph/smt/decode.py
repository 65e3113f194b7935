"""From a z3 model to a concrete request: typed values back to the text AWS would send.

Strings as they are; reals as decimals; dates as ISO-8601 (aws:EpochTime as epoch seconds); booleans as
``true``/``false``; IP addresses in their usual notation. The result is a request context the concrete evaluator
reads with the same parsers (``trustgraph.model.values``), so a witness means the same thing to both.
"""

from __future__ import annotations

import ipaddress
from fractions import Fraction
from typing import Any

from trustgraph.model.values import format_date, format_number
from trustgraph.smt.env import Env, KeyVar, Kind, z3_string
from trustgraph.smt.z3lazy import z3


def _is_true(model: z3.ModelRef, t: Any) -> bool:
    if isinstance(t, bool):
        return t
    return bool(z3.is_true(model.eval(t, model_completion=True)))


def value_text(model: z3.ModelRef, kind: Kind, term: Any, key: str = "") -> str:
    """The text of one symbolic value under ``model``."""
    if kind is Kind.STRING:
        return z3_string(model.eval(term, model_completion=True))
    if kind is Kind.BOOL:
        return "true" if _is_true(model, term) else "false"
    if kind is Kind.NUMERIC:
        v = model.eval(term, model_completion=True)
        frac = Fraction(v.numerator_as_long(), v.denominator_as_long())
        return format_number(frac)
    if kind is Kind.DATE:
        ms = model.eval(term, model_completion=True).as_long()
        if key == "aws:epochtime":
            return str(ms // 1000)
        return format_date(ms)
    is_v6, a4, a6 = term
    if _is_true(model, is_v6):
        return str(ipaddress.IPv6Address(model.eval(a6, model_completion=True).as_long()))
    return str(ipaddress.IPv4Address(model.eval(a4, model_completion=True).as_long()))


def key_values(model: z3.ModelRef, kv: KeyVar) -> tuple[str, ...] | None:
    """The values of a key under ``model`` (None when absent)."""
    if not _is_true(model, kv.pres):
        return None
    if kv.multi:
        vals = tuple(value_text(model, kv.kind, v, kv.key) for u, v in kv.slots if _is_true(model, u))
        return vals or None
    return (value_text(model, kv.kind, kv.val, kv.key),)


def request_overrides(model: z3.ModelRef, env: Env, skip: set[str]) -> dict[str, tuple[str, ...] | None]:
    """Every non-skipped key of the environment with its model values (None: absent)."""
    out: dict[str, tuple[str, ...] | None] = {}
    for key, kv in env.vars.items():
        if key in skip:
            continue
        out[key] = key_values(model, kv)
    return out
