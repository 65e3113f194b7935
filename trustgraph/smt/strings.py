"""Deciding the string part of a hop ourselves: string variables that only meet regular expressions.

Most string variables of a hop are *separable*: every atom that mentions one is a membership ``x ∈ R`` of a ground
regular expression (a glob, an ARN pattern, an API limit, a name shape), an equation ``x = "literal"`` or a bound on
``len(x)``, and no atom mentions two of them. Such atoms say nothing about each other beyond what each variable's own
atoms say, so the formula is satisfiable exactly when its *Boolean abstraction* is, with one fresh Boolean per atom,
under the side condition that for every variable the atoms made true and false describe a non-empty *cell*
(``x ∈ R1 ∧ x ∉ R2 ∧ ...``). z3 decides the abstraction (Booleans, numbers, and the strings that are not separable,
such as an organization path built by concatenation); :mod:`trustgraph.smt.automata` decides each cell and gives a
witness string. A cell found empty is excluded by a clause over a minimal subset of its atoms, and z3 is asked again
(lazy, counterexample-guided refinement). Each clause is a fact about regular languages, true in every model of the
original formula, so the answers are exact:

- Unsat of the abstraction plus clauses: the formula is unsat.
- Sat with every cell non-empty: the formula is sat; the witnesses are fixed as equations and z3 solves the original
  assertions with them (every membership then folds), which gives the model the decoder reads and the evaluator
  replays.

Nothing here answers Unknown: when a variable's regex cannot be read, the refinement loop or an automaton exceeds
its budget, or z3 cannot decide the abstraction, :func:`decide` returns None and the caller asks z3 the original
question as before (and a timeout there stays Unknown).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import z3  # type: ignore[import-untyped]

from trustgraph.smt.automata import (
    EMPTY,
    Budget,
    Rx,
    comp,
    derivative,
    derive_text,
    from_z3,
    inter,
    length_rx,
    lit,
    nullable,
    representatives,
    witness,
)
from trustgraph.smt.env import str_val, z3_string

#: Refinement rounds before the question is left to z3.
MAX_ROUNDS = 200

_CMP = {z3.Z3_OP_LE: "<=", z3.Z3_OP_GE: ">=", z3.Z3_OP_LT: "<", z3.Z3_OP_GT: ">", z3.Z3_OP_EQ: "="}
_FLIP = {"<=": ">=", ">=": "<=", "<": ">", ">": "<", "=": "="}


@dataclass
class _Var:
    term: Any
    atoms: list[tuple[Any, Rx]] = field(default_factory=list)  # (Boolean standing for the atom, its language)


@dataclass
class _Member:
    """``v = o ++ L ++ r`` (Boolean ``eq``): ``v`` a separable variable, ``r`` a variable used nowhere else."""

    var: _Var
    eq: Any
    infix: str
    rest: Any


@dataclass
class _Group:
    """A separable variable ``o`` and the variables defined as ``o``, a literal and a free rest (an outsider's
    organization id and its organization paths: ``smt.symbolic.org_builders``)."""

    head: _Var
    members: list[_Member] = field(default_factory=list)


@dataclass
class Abstraction:
    """The separable string variables of some assertions (alone or in groups), and the assertions with every atom
    replaced by its Boolean."""

    singles: list[_Var]
    groups: list[_Group]
    abstract: list[Any]


def _is_string_var(e: Any) -> bool:
    return bool(z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED and z3.is_string(e))


def _atom(e: Any) -> tuple[Any, Rx] | None:
    """``(variable, language)`` when ``e`` is a membership, a literal equation or a length bound of one string
    variable; None otherwise."""
    if not z3.is_bool(e) or not z3.is_app(e):
        return None
    k = e.decl().kind()
    if k == z3.Z3_OP_SEQ_IN_RE and _is_string_var(e.arg(0)):
        rx = from_z3(e.arg(1))
        return None if rx is None else (e.arg(0), rx)
    if k == z3.Z3_OP_EQ and e.num_args() == 2:
        a, b = e.arg(0), e.arg(1)
        if _is_string_var(b) and z3.is_string_value(a):
            a, b = b, a
        if _is_string_var(a) and z3.is_string_value(b):
            return a, lit(z3_string(b))
    if k in _CMP and e.num_args() == 2:
        a, b = e.arg(0), e.arg(1)
        op = _CMP[k]
        if z3.is_int_value(a) and _is_len(b):
            a, b, op = b, a, _FLIP[op]
        if _is_len(a) and z3.is_int_value(b):
            return a.arg(0), length_rx(op, b.as_long())
    return None


def _definition(e: Any) -> tuple[Any, Any, str, Any] | None:
    """``(v, o, L, r)`` when ``e`` is ``v = o ++ "L" ++ r`` over three string variables."""
    if not (z3.is_app(e) and e.decl().kind() == z3.Z3_OP_EQ and e.num_args() == 2):
        return None
    v, c = e.arg(0), e.arg(1)
    if not _is_string_var(v):
        v, c = c, v
    if not (_is_string_var(v) and z3.is_app(c) and c.decl().kind() == z3.Z3_OP_SEQ_CONCAT):
        return None
    parts = _leaves(c)
    if len(parts) < 3 or not (_is_string_var(parts[0]) and _is_string_var(parts[-1])):
        return None
    if not all(z3.is_string_value(p) for p in parts[1:-1]):
        return None
    o, r = parts[0], parts[-1]
    ids = {v.get_id(), o.get_id(), r.get_id()}
    return (v, o, "".join(z3_string(p) for p in parts[1:-1]), r) if len(ids) == 3 else None


def _leaves(c: Any) -> list[Any]:
    """The operands of a (nested) string concatenation, left to right."""
    if z3.is_app(c) and c.decl().kind() == z3.Z3_OP_SEQ_CONCAT:
        return [leaf for i in range(c.num_args()) for leaf in _leaves(c.arg(i))]
    return [c]


def _is_len(e: Any) -> bool:
    return z3.is_app(e) and e.decl().kind() == z3.Z3_OP_SEQ_LENGTH and _is_string_var(e.arg(0))


def abstract(assertions: Sequence[Any]) -> Abstraction | None:
    """The abstraction of ``assertions`` (None when no string variable is separable)."""
    found: dict[int, tuple[Any, list[Any]]] = {}  # var id -> (var, atom terms)
    defs: dict[int, tuple[Any, Any, str, Any, Any]] = {}  # v id -> (v, o, L, r, atom)
    uses: dict[int, int] = {}  # var id -> occurrences outside atoms (and definitions, per variable role)
    seen: set[int] = set()

    def walk(e: Any) -> None:
        eid = e.get_id()
        if eid in seen:
            return
        seen.add(eid)
        hit = _atom(e)
        if hit is not None:
            var, _ = hit
            found.setdefault(var.get_id(), (var, []))[1].append(e)
            return
        d = _definition(e)
        if d is not None and d[0].get_id() not in defs:
            defs[d[0].get_id()] = (*d, e)
            found.setdefault(d[0].get_id(), (d[0], []))
            found.setdefault(d[1].get_id(), (d[1], []))
            uses[d[3].get_id()] = uses.get(d[3].get_id(), 0) + 1
            return
        if _is_string_var(e):
            uses[eid] = uses.get(eid, 0) + 2  # a use no atom or definition accounts for
            return
        if z3.is_app(e):
            for i in range(e.num_args()):
                walk(e.arg(i))
        elif z3.is_quantifier(e):
            walk(e.body())

    for a in assertions:
        walk(a)
    # a definition is usable when its rest is used nowhere else and neither side is used outside atoms; an unusable
    # one ties its variables (and may make another definition on the same head unusable: until nothing changes)
    usable = dict(defs)
    changed = True
    while changed:
        changed = False
        for vid, (v, o, _, r, _) in list(usable.items()):
            if (uses.get(r.get_id(), 0) == 1 and r.get_id() not in found and not uses.get(vid)
                    and not uses.get(o.get_id()) and o.get_id() not in defs):
                continue
            del usable[vid]
            for t in (v, o, r):
                uses[t.get_id()] = uses.get(t.get_id(), 0) + 2
            changed = True
    heads_of: dict[int, list[int]] = {}
    for vid, (_, o, _, _, _) in usable.items():
        heads_of.setdefault(o.get_id(), []).append(vid)
    pairs: list[tuple[Any, Any]] = []

    def unit(var: Any, atoms: list[Any]) -> _Var:
        out = _Var(var)
        for atom in dict.fromkeys(atoms):
            hit = _atom(atom)
            assert hit is not None
            b = z3.Bool(f"strings|{len(pairs)}")
            pairs.append((atom, b))
            out.atoms.append((b, hit[1]))
        return out

    grouped = {vid for members in heads_of.values() for vid in members} | set(heads_of)
    singles = [unit(var, atoms) for vid, (var, atoms) in found.items()
               if vid not in grouped and vid not in defs and not uses.get(vid)]
    groups: list[_Group] = []
    for oid, members in heads_of.items():
        group = _Group(unit(found[oid][0], found[oid][1]))
        for vid in members:
            v, _, infix, r, atom = defs[vid]
            eq = z3.Bool(f"strings|{len(pairs)}")
            pairs.append((atom, eq))
            group.members.append(_Member(unit(v, found[vid][1]), eq, infix, r))
        groups.append(group)
    if not singles and not groups:
        return None
    return Abstraction(singles, groups, [z3.substitute(a, *pairs) for a in assertions] if pairs else list(assertions))


Cell = frozenset[tuple[Rx, bool]]


def _cell_rx(cell: Cell) -> Rx:
    return inter(rx if member else comp(rx) for rx, member in cell)


class _Cells:
    """Non-emptiness of cells and groups, memoised: a cell is a frozenset of (language, member?) pairs."""

    def __init__(self) -> None:
        self.memo: dict[Any, Any] = {}

    def witness(self, cell: Cell) -> str | None:
        if cell not in self.memo:
            self.memo[cell] = witness(_cell_rx(cell))
        return self.memo[cell]  # type: ignore[no-any-return]

    def joint(self, head: Cell, members: tuple[tuple[str, Cell], ...]) -> tuple[str, tuple[str, ...]] | None:
        """Strings ``o`` in ``head`` and ``w_i`` with ``o + L_i + w_i`` in member cell ``i`` (None: there are none).

        Breadth first over ``o``, reading each character into the head and every member at once; at a nullable
        head state, every member's state read past ``L_i`` must still hold a string."""
        key = ("joint", head, members)
        if key in self.memo:
            return self.memo[key]  # type: ignore[no-any-return]
        start = (_cell_rx(head), *(_cell_rx(c) for _, c in members))
        infixes = [infix for infix, _ in members]
        reps = representatives(*start)
        parent: dict[tuple[Rx, ...], tuple[tuple[Rx, ...], int] | None] = {start: None}
        todo: deque[tuple[Rx, ...]] = deque([start])
        out = None
        while todo:
            state = todo.popleft()
            if nullable(state[0]):
                rests = [witness(derive_text(s, infix)) for s, infix in zip(state[1:], infixes, strict=True)]
                if all(w is not None for w in rests):
                    chars: list[str] = []
                    cur: tuple[Rx, ...] | None = state
                    while cur is not None and parent[cur] is not None:
                        prev, ch = parent[cur]  # type: ignore[misc]
                        chars.append(chr(ch))
                        cur = prev
                    out = ("".join(reversed(chars)), tuple(w for w in rests if w is not None))
                    break
            for ch in reps:
                nxt = tuple(derivative(s, ch) for s in state)
                if EMPTY in nxt or nxt in parent:
                    continue
                parent[nxt] = (state, ch)
                if len(parent) > JOINT_BUDGET:
                    raise Budget(f"more than {JOINT_BUDGET} joint states")
                todo.append(nxt)
        self.memo[key] = out
        return out

    def conflict(self, items: list[Any], empty: Any) -> list[Any]:
        """A subset of ``items`` for which ``empty`` still holds and from which no item can be left out."""
        core = list(items)
        for item in list(items):
            trial = [x for x in core if x != item]
            if trial and empty(trial):
                core = trial
        return core


#: States the joint search of a group may visit.
JOINT_BUDGET = 20_000


def _literal(b: Any, member: bool) -> Any:
    return z3.Not(b) if member else b


def decide(assertions: Sequence[Any], timeout: int) -> tuple[Any, Any] | None:
    """``(z3.sat, model)`` or ``(z3.unsat, None)`` for the conjunction of ``assertions``, decided through the
    abstraction (see the module docstring); None when it does not apply or cannot decide (ask z3 as before)."""
    abstraction = abstract(assertions)
    if abstraction is None:
        return None
    solver = z3.Solver()
    solver.set("timeout", timeout)
    solver.add(abstraction.abstract)
    cells = _Cells()
    try:
        for _ in range(MAX_ROUNDS):
            res = solver.check()
            if res == z3.unsat:
                return z3.unsat, None
            if res != z3.sat:
                return None
            model = solver.model()

            def truth(b: Any, model: Any = model) -> bool:
                return bool(z3.is_true(model.eval(b, model_completion=True)))

            fixed: list[tuple[Any, str]] = []
            blocked = False
            for var in abstraction.singles:
                lits = [(b, rx, truth(b)) for b, rx in var.atoms]
                found = cells.witness(frozenset((rx, m) for _, rx, m in lits))
                if found is None:
                    core = cells.conflict(lits, lambda t: cells.witness(frozenset((rx, m) for _, rx, m in t)) is None)
                    solver.add(z3.Or([_literal(b, m) for b, _, m in core]))
                    blocked = True
                else:
                    fixed.append((var.term, found))
            for group in abstraction.groups:
                blocked |= not _group(group, truth, cells, solver, fixed)
            if not blocked:
                return _model(assertions, fixed, timeout)
    except Budget:
        return None
    return None


def _group(group: _Group, truth: Any, cells: _Cells, solver: Any, fixed: list[tuple[Any, str]]) -> bool:
    """Check one group under the abstraction's model: True with its witnesses added to ``fixed``, or False with a
    clause excluding the conflict added to ``solver``."""
    head = [(b, rx, truth(b)) for b, rx in group.head.atoms]
    tied: list[tuple[_Member, list[tuple[Any, Rx, bool]]]] = []
    for m in group.members:
        lits = [(b, rx, truth(b)) for b, rx in m.var.atoms]
        if truth(m.eq):
            tied.append((m, lits))
            continue
        alone = cells.witness(frozenset((rx, x) for _, rx, x in lits))  # not tied to the head: a cell of its own
        if alone is None:
            core = cells.conflict(lits, lambda t: cells.witness(frozenset((rx, x) for _, rx, x in t)) is None)
            solver.add(z3.Or([_literal(b, x) for b, _, x in core]))
            return False
        fixed.append((m.var.term, alone))

    def solve(items: list[tuple[str, Any, Any]]) -> tuple[str, tuple[str, ...]] | None:
        head_cell = frozenset((rx, x) for kind, _, (b, rx, x) in items if kind == "head")
        members = tuple((m.infix, frozenset((rx, x) for kind, mm, (b, rx, x) in items if kind == "member" and mm is m))
                        for m, _ in tied)
        return cells.joint(head_cell, members)

    items: list[tuple[str, Any, Any]] = [("head", None, lit_) for lit_ in head]
    for m, lits in tied:
        items.extend(("member", m, lit_) for lit_ in lits)
    found = solve(items)
    if found is None:
        core = cells.conflict(items, lambda t: solve(t) is None)
        eqs = {id(mm): mm.eq for _, mm, _ in core if mm is not None}
        clause = [_literal(b, x) for _, _, (b, _, x) in core] + [z3.Not(eq) for eq in eqs.values()]
        solver.add(z3.Or(clause))
        return False
    head_text, rests = found
    fixed.append((group.head.term, head_text))
    for (m, _), rest in zip(tied, rests, strict=True):
        fixed.append((m.var.term, head_text + m.infix + rest))
        fixed.append((m.rest, rest))
    return True


def _model(assertions: Sequence[Any], fixed: list[tuple[Any, str]], timeout: int) -> tuple[Any, Any] | None:
    """A z3 model of the original assertions with each separable variable fixed to its witness."""
    values = [(term, str_val(text)) for term, text in fixed]
    solver = z3.Solver()
    solver.set("timeout", timeout)
    # the witnesses substituted (every membership of theirs folds to a constant), and kept as equations for the model
    solver.add(*(z3.simplify(z3.substitute(a, *values)) if values else a for a in assertions))
    for term, value in values:
        solver.add(term == value)
    if solver.check() == z3.sat:
        return z3.sat, solver.model()
    return None  # cannot happen for an exact abstraction; the caller asks z3 instead


__all__ = ["MAX_ROUNDS", "Abstraction", "abstract", "decide"]
