"""Regular languages of our own: the z3 regular expressions the encoding builds (globs, ARN patterns, API limits,
outsiders' name shapes), decided by Brzozowski derivatives instead of z3's sequence solver.

A *cell* is a Boolean combination of memberships of one string: ``x ∈ R1 ∧ x ∉ R2 ∧ ...``. Whether some string lies
in it, and which one, is decided exactly by exploring the derivatives of ``R1 ∩ ¬R2 ∩ ...`` breadth first
(:func:`witness`): a regular expression denotes a non-empty language exactly when some sequence of derivatives
reaches a nullable one, and the derivatives of a regular expression are finitely many up to associativity,
commutativity and idempotence of union and intersection (Brzozowski 1964), which the smart constructors below apply.
Characters are handled as intervals of code points: the alphabet is cut into the blocks no interval of the expression
separates, and one character stands for each block.

Regular expressions are immutable tuples (hashable, memoised): ``("empty",)``, ``("eps",)``, ``("cls", intervals)``,
``("cat", a, b)``, ``("or", frozenset)``, ``("and", frozenset)``, ``("not", a)``, ``("star", a)``,
``("loop", a, lo, hi)``. :func:`from_z3` reads a z3 regular expression into one (None for a construct it does not
know: the caller then leaves the question to z3).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from trustgraph.smt.env import z3_string
from trustgraph.smt.z3lazy import z3

Rx = tuple[Any, ...]

#: The largest character z3's strings hold (its default Unicode range).
MAX_CHAR = 0x2FFFF

EMPTY: Rx = ("empty",)
EPS: Rx = ("eps",)
ALL_CHARS: Rx = ("cls", ((0, MAX_CHAR),))


class Budget(Exception):
    """The exploration visited more states than it was allowed: the question is left to z3."""


# -- smart constructors -------------------------------------------------------------------------------------------


def cls(intervals: Iterable[tuple[int, int]]) -> Rx:
    """One character from the union of the intervals (merged; no interval: the empty language)."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(i for i in intervals if i[0] <= i[1]):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return ("cls", tuple(merged)) if merged else EMPTY


def lit(text: str) -> Rx:
    """Exactly ``text``."""
    out = EPS
    for ch in reversed(text):
        out = cat(("cls", ((ord(ch), ord(ch)),)), out)
    return out


UNIVERSAL: Rx = ("not", EMPTY)


def cat(a: Rx, b: Rx) -> Rx:
    if a == EMPTY or b == EMPTY:
        return EMPTY
    if a == EPS:
        return b
    if b == EPS:
        return a
    if a[0] == "cat":
        return cat(a[1], cat(a[2], b))
    if a == UNIVERSAL and b == UNIVERSAL:
        return UNIVERSAL
    return ("cat", a, b)


def union(parts: Iterable[Rx]) -> Rx:
    items: set[Rx] = set()
    for p in parts:
        if p[0] == "or":
            items.update(p[1])
        elif p != EMPTY:
            items.add(p)
    if UNIVERSAL in items:
        return UNIVERSAL
    if not items:
        return EMPTY
    if len(items) == 1:
        return next(iter(items))
    return ("or", frozenset(items))


def inter(parts: Iterable[Rx]) -> Rx:
    items: set[Rx] = set()
    for p in parts:
        if p[0] == "and":
            items.update(p[1])
        elif p == EMPTY:
            return EMPTY
        elif p != UNIVERSAL:
            items.add(p)
    if not items:
        return UNIVERSAL
    if len(items) == 1:
        return next(iter(items))
    if EPS in items:
        return EPS if all(nullable(p) for p in items) else EMPTY
    return ("and", frozenset(items))


def comp(a: Rx) -> Rx:
    if a[0] == "not":
        return a[1]  # type: ignore[no-any-return]
    return ("not", a)


def star(a: Rx) -> Rx:
    if a in (EMPTY, EPS):
        return EPS
    if a[0] == "star":
        return a
    if a == ALL_CHARS:
        return UNIVERSAL
    return ("star", a)


def loop(a: Rx, lo: int, hi: int | None) -> Rx:
    """``a`` repeated ``lo`` to ``hi`` times (``hi`` None: unbounded)."""
    if hi is not None and (hi < lo or hi < 0):
        return EMPTY
    if hi == 0:
        return EPS
    if lo == 0 and hi is None:
        return star(a)
    if a in (EMPTY, EPS):
        return EPS if lo == 0 or a == EPS else EMPTY
    if lo == 1 and hi == 1:
        return a
    return ("loop", a, lo, hi)


# -- derivatives ----------------------------------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def nullable(r: Rx) -> bool:
    """The empty string is in the language of ``r``."""
    tag = r[0]
    if tag in ("eps", "star"):
        return True
    if tag in ("empty", "cls"):
        return False
    if tag == "cat":
        return nullable(r[1]) and nullable(r[2])
    if tag == "or":
        return any(nullable(p) for p in r[1])
    if tag == "and":
        return all(nullable(p) for p in r[1])
    if tag == "not":
        return not nullable(r[1])
    return r[2] == 0 or nullable(r[1])  # loop


@lru_cache(maxsize=400_000)
def derivative(r: Rx, ch: int) -> Rx:
    """The strings ``s`` such that ``chr(ch) + s`` is in the language of ``r``."""
    tag = r[0]
    if tag in ("empty", "eps"):
        return EMPTY
    if tag == "cls":
        return EPS if any(lo <= ch <= hi for lo, hi in r[1]) else EMPTY
    if tag == "cat":
        head = cat(derivative(r[1], ch), r[2])
        return union((head, derivative(r[2], ch))) if nullable(r[1]) else head
    if tag == "or":
        return union(derivative(p, ch) for p in r[1])
    if tag == "and":
        return inter(derivative(p, ch) for p in r[1])
    if tag == "not":
        return comp(derivative(r[1], ch))
    if tag == "star":
        return cat(derivative(r[1], ch), r)
    a, lo, hi = r[1], r[2], r[3]
    return cat(derivative(a, ch), loop(a, max(lo - 1, 0), None if hi is None else hi - 1))


def _classes(r: Rx, out: set[tuple[tuple[int, int], ...]]) -> None:
    tag = r[0]
    if tag == "cls":
        out.add(r[1])
    elif tag in ("cat",):
        _classes(r[1], out)
        _classes(r[2], out)
    elif tag in ("or", "and"):
        for p in r[1]:
            _classes(p, out)
    elif tag in ("not", "star", "loop"):
        _classes(r[1], out)


def derive_text(r: Rx, text: str) -> Rx:
    """The strings ``s`` such that ``text + s`` is in the language of ``r``."""
    for ch in text:
        r = derivative(r, ord(ch))
        if r == EMPTY:
            break
    return r


def representatives(*rs: Rx) -> list[int]:
    """One character per block of the alphabet that no character interval of the expressions ``rs`` separates (a
    readable one where the block has one: ``x``, ``a`` or ``0``, else the first printable)."""
    classes: set[tuple[tuple[int, int], ...]] = set()
    for r in rs:
        _classes(r, classes)
    cuts = {0, MAX_CHAR + 1}
    for intervals in classes:
        for lo, hi in intervals:
            cuts.add(lo)
            cuts.add(hi + 1)
    bounds = sorted(cuts)
    reps: list[int] = []
    for lo, nxt in zip(bounds, bounds[1:], strict=False):
        hi = nxt - 1
        reps.append(_readable(lo, hi))
    return reps


def _readable(lo: int, hi: int) -> int:
    for ch in (ord("x"), ord("a"), ord("0")):
        if lo <= ch <= hi:
            return ch
    if hi >= 0x21 and lo <= 0x7E:
        return max(lo, 0x21)
    return lo


def witness(r: Rx, budget: int = 20_000) -> str | None:
    """A shortest string in the language of ``r``, or None when it is empty (:class:`Budget` beyond ``budget``
    states)."""
    if r == EMPTY:
        return None
    reps = representatives(r)
    parent: dict[Rx, tuple[Rx, int] | None] = {r: None}
    todo: deque[Rx] = deque([r])
    while todo:
        state = todo.popleft()
        if nullable(state):
            chars: list[str] = []
            cur: Rx | None = state
            while cur is not None and parent[cur] is not None:
                prev, ch = parent[cur]  # type: ignore[misc]
                chars.append(chr(ch))
                cur = prev
            return "".join(reversed(chars))
        for ch in reps:
            nxt = derivative(state, ch)
            if nxt == EMPTY or nxt in parent:
                continue
            parent[nxt] = (state, ch)
            if len(parent) > budget:
                raise Budget(f"more than {budget} derivative states")
            todo.append(nxt)
    return None


# -- from z3 --------------------------------------------------------------------------------------------------------

#: z3 regex terms read so far, by AST id, with the term itself: holding it keeps z3 from giving its id to another
#: term (ids of freed terms are reused).
_CACHE: dict[int, tuple[Any, Rx | None]] = {}


def from_z3(e: Any) -> Rx | None:
    """The regular expression a ground z3 regex term denotes (None: a construct not read here)."""
    key = e.get_id()
    hit = _CACHE.get(key)
    if hit is not None and hit[0].eq(e):
        return hit[1]
    out = _read(e)
    if len(_CACHE) > 100_000:
        _CACHE.clear()
    _CACHE[key] = (e, out)
    return out


def _read(e: Any) -> Rx | None:
    k = e.decl().kind()
    args = [e.arg(i) for i in range(e.num_args())]
    if k == z3.Z3_OP_SEQ_TO_RE:
        s = z3.simplify(args[0])
        if not z3.is_string_value(s):
            return None
        return lit(z3_string(s))
    if k == z3.Z3_OP_RE_RANGE:
        lo, hi = (z3.simplify(a) for a in args)
        if not (z3.is_string_value(lo) and z3.is_string_value(hi)):
            return None
        a, b = z3_string(lo), z3_string(hi)
        if len(a) != 1 or len(b) != 1:
            return EMPTY
        return cls([(ord(a), ord(b))])
    if k == z3.Z3_OP_RE_FULL_CHAR_SET:
        return ALL_CHARS
    if k == z3.Z3_OP_RE_FULL_SET:
        return UNIVERSAL
    if k == z3.Z3_OP_RE_EMPTY_SET:
        return EMPTY
    subs = [from_z3(a) for a in args]
    if any(s is None for s in subs):
        return None
    parts: list[Rx] = subs  # type: ignore[assignment]
    if k == z3.Z3_OP_RE_CONCAT:
        out = EPS
        for p in reversed(parts):
            out = cat(p, out)
        return out
    if k == z3.Z3_OP_RE_UNION:
        return union(parts)
    if k == z3.Z3_OP_RE_INTERSECT:
        return inter(parts)
    if k == z3.Z3_OP_RE_COMPLEMENT:
        return comp(parts[0])
    if k == z3.Z3_OP_RE_STAR:
        return star(parts[0])
    if k == z3.Z3_OP_RE_PLUS:
        return cat(parts[0], star(parts[0]))
    if k == z3.Z3_OP_RE_OPTION:
        return union((EPS, parts[0]))
    if k == z3.Z3_OP_RE_DIFF:
        return inter((parts[0], comp(parts[1])))
    if k == z3.Z3_OP_RE_LOOP:
        params = e.decl().params()
        if len(params) == 2:
            return loop(parts[0], int(params[0]), int(params[1]))
        if len(params) == 1:
            return loop(parts[0], int(params[0]), None)
        return None
    return None


def length_rx(op: str, n: int) -> Rx:
    """The strings whose length ``len`` satisfies ``len OP n`` (``op`` one of ``<= >= < > =``)."""
    if op == "<":
        op, n = "<=", n - 1
    if op == ">":
        op, n = ">=", n + 1
    if op == "=":
        return loop(ALL_CHARS, n, n) if n >= 0 else EMPTY
    if op == "<=":
        return loop(ALL_CHARS, 0, n) if n >= 0 else EMPTY
    return loop(ALL_CHARS, max(n, 0), None) if n > 0 else UNIVERSAL


__all__ = ["ALL_CHARS", "EMPTY", "EPS", "UNIVERSAL", "Budget", "cat", "cls", "comp", "derivative", "derive_text",
           "from_z3", "inter", "length_rx", "lit", "loop", "nullable", "representatives", "star", "union", "witness"]
