"""Deciding the string part of a hop ourselves: string variables that only meet regular expressions.

Most string variables of a hop are *separable*: every atom that mentions one is a membership ``x ∈ R`` of a ground
regular expression (a glob, an ARN pattern, an API limit, a name shape), an equation ``x = "literal"``, a literal
prefix, suffix or infix, or a bound on ``len(x)``, and no atom mentions two of them. Such atoms say nothing about each
other beyond what each variable's own atoms say, so the formula is satisfiable exactly when its *Boolean abstraction*
is, with one fresh Boolean per atom, under the side condition that for every variable the atoms made true and false
describe a non-empty *cell* (``x ∈ R1 ∧ x ∉ R2 ∧ ...``). Variables tied by definitions ``v = "P" ++ o ++ "L" ++ r``
(``r`` used nowhere else: an outsider's organization paths and id, a GitHub subject and repository) form a group,
decided by one search over ``o`` that reads each of its characters into every cell of the group at once. z3 decides
the abstraction (Booleans, numbers, and the strings that are neither); :mod:`trustgraph.smt.automata` decides each
cell and gives a witness string. A cell found empty is excluded by a clause over a minimal subset of its atoms, and z3
is asked again (lazy, counterexample-guided refinement). Each clause is a fact about regular languages, true in every
model of the original formula, so the answers are exact:

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from trustgraph.smt.automata import (
    EMPTY,
    UNIVERSAL,
    Budget,
    Rx,
    cat,
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
from trustgraph.smt.z3lazy import z3

#: Refinement rounds before the question is left to z3.
MAX_ROUNDS = 200



@cache
def _cmp() -> dict[int, str]:
    """The comparison operators by z3 kind (built on first use: importing this module does not import z3)."""
    return {z3.Z3_OP_LE: "<=", z3.Z3_OP_GE: ">=", z3.Z3_OP_LT: "<", z3.Z3_OP_GT: ">", z3.Z3_OP_EQ: "="}

_FLIP = {"<=": ">=", ">=": "<=", "<": ">", ">": "<", "=": "="}


@dataclass
class _Var:
    """A separable string variable and the atoms that constrain it (a docstring of its own also spares ``dataclass``
    the ``inspect.signature`` it would otherwise make one from at import)."""

    term: Any
    atoms: list[tuple[Any, Rx]] = field(default_factory=list)  # (Boolean standing for the atom, its language)


@dataclass
class _Member:
    """``v = P ++ o ++ L ++ r`` (Boolean ``eq``): ``v`` a separable variable, ``r`` a variable used nowhere else."""

    var: _Var
    eq: Any
    prefix: str
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
    if k in (z3.Z3_OP_SEQ_PREFIX, z3.Z3_OP_SEQ_SUFFIX, z3.Z3_OP_SEQ_CONTAINS):
        # prefixof(L, x), suffixof(L, x), contains(x, L): x in L.*, .*L, .*L.*
        text, var = (e.arg(1), e.arg(0)) if k == z3.Z3_OP_SEQ_CONTAINS else (e.arg(0), e.arg(1))
        if _is_string_var(var) and z3.is_string_value(text):
            word = lit(z3_string(text))
            if k == z3.Z3_OP_SEQ_PREFIX:
                return var, cat(word, UNIVERSAL)
            if k == z3.Z3_OP_SEQ_SUFFIX:
                return var, cat(UNIVERSAL, word)
            return var, cat(UNIVERSAL, cat(word, UNIVERSAL))
        return None
    op = _cmp().get(k)
    if op is not None and e.num_args() == 2:
        a, b = e.arg(0), e.arg(1)
        if z3.is_int_value(a) and _is_len(b):
            a, b, op = b, a, _FLIP[op]
        if _is_len(a) and z3.is_int_value(b):
            return a.arg(0), length_rx(op, b.as_long())
    return None


def _definition(e: Any) -> tuple[Any, Any, str, str, Any] | None:
    """``(v, o, P, L, r)`` when ``e`` is ``v = "P" ++ o ++ "L" ++ r`` over three string variables (``P`` may be
    empty: an organization path is its organization id, ``/r-`` and the rest; a GitHub subject ``repo:``, the
    repository, ``:`` and the rest)."""
    if not (z3.is_app(e) and e.decl().kind() == z3.Z3_OP_EQ and e.num_args() == 2):
        return None
    v, c = e.arg(0), e.arg(1)
    if not _is_string_var(v):
        v, c = c, v
    if not (_is_string_var(v) and z3.is_app(c) and c.decl().kind() == z3.Z3_OP_SEQ_CONCAT):
        return None
    parts = _leaves(c)
    head = ""
    while parts and z3.is_string_value(parts[0]):
        head += z3_string(parts[0])
        parts = parts[1:]
    if len(parts) < 3 or not (_is_string_var(parts[0]) and _is_string_var(parts[-1])):
        return None
    if not all(z3.is_string_value(p) for p in parts[1:-1]):
        return None
    o, r = parts[0], parts[-1]
    ids = {v.get_id(), o.get_id(), r.get_id()}
    return (v, o, head, "".join(z3_string(p) for p in parts[1:-1]), r) if len(ids) == 3 else None


def _leaves(c: Any) -> list[Any]:
    """The operands of a (nested) string concatenation, left to right."""
    if z3.is_app(c) and c.decl().kind() == z3.Z3_OP_SEQ_CONCAT:
        return [leaf for i in range(c.num_args()) for leaf in _leaves(c.arg(i))]
    return [c]


def _is_len(e: Any) -> bool:
    return z3.is_app(e) and e.decl().kind() == z3.Z3_OP_SEQ_LENGTH and _is_string_var(e.arg(0))


@cache
def _atom_kinds() -> frozenset[int]:
    """Kinds of application that may be an atom or a definition (the walk wraps only these into Python terms)."""
    return frozenset({z3.Z3_OP_SEQ_IN_RE, z3.Z3_OP_EQ, z3.Z3_OP_SEQ_PREFIX, z3.Z3_OP_SEQ_SUFFIX,
                      z3.Z3_OP_SEQ_CONTAINS, *_cmp()})


def abstract(assertions: Sequence[Any]) -> Abstraction | None:
    """The abstraction of ``assertions`` (None when no string variable is separable).

    The walk reads the terms through z3's C interface and builds Python terms only for candidate atoms: a hop's
    assertions have hundreds of nodes, and a Python wrapper per node cost more than the decision itself."""
    if not assertions:
        return None
    ctx = assertions[0].ctx
    ref = ctx.ref()
    zc, to_expr_ref, atom_kinds = z3.z3core, z3.z3._to_expr_ref, _atom_kinds()
    found: dict[int, tuple[Any, list[tuple[Any, Rx]]]] = {}  # var id -> (var, [(atom, language)])
    defs: dict[int, tuple[Any, Any, str, str, Any, Any]] = {}  # v id -> (v, o, P, L, r, atom)
    uses: dict[int, int] = {}  # var id -> occurrences outside atoms (and definitions, per variable role)
    seen: set[int] = set()
    stack = [a.as_ast() for a in assertions]
    while stack:
        a = stack.pop()
        aid = zc.Z3_get_ast_id(ref, a)
        if aid in seen:
            continue
        seen.add(aid)
        ast_kind = zc.Z3_get_ast_kind(ref, a)
        if ast_kind == z3.Z3_QUANTIFIER_AST:
            return None  # not in hop formulas; left to z3
        if ast_kind != z3.Z3_APP_AST:
            continue
        decl = zc.Z3_get_app_decl(ref, a)
        kind = zc.Z3_get_decl_kind(ref, decl)
        n = zc.Z3_get_app_num_args(ref, a)
        if kind in atom_kinds:
            e = to_expr_ref(a, ctx)
            hit = _atom(e)
            if hit is not None:
                var, rx = hit
                found.setdefault(var.get_id(), (var, []))[1].append((e, rx))
                continue
            d = _definition(e)
            if d is not None and d[0].get_id() not in defs:
                defs[d[0].get_id()] = (*d, e)
                found.setdefault(d[0].get_id(), (d[0], []))
                found.setdefault(d[1].get_id(), (d[1], []))
                uses[d[4].get_id()] = uses.get(d[4].get_id(), 0) + 1
                continue
        elif kind == z3.Z3_OP_UNINTERPRETED and n == 0:
            if zc.Z3_is_string_sort(ref, zc.Z3_get_sort(ref, a)):
                uses[aid] = uses.get(aid, 0) + 2  # a use no atom or definition accounts for
            continue
        stack.extend(zc.Z3_get_app_arg(ref, a, i) for i in range(n))
    # a definition is usable when its rest is used nowhere else, neither side is used outside atoms and its variable
    # heads no definition; an unusable one ties its variables (and may make another definition on the same head
    # unusable: until nothing changes)
    usable = dict(defs)
    heads = {d[1].get_id() for d in defs.values()}
    changed = True
    while changed:
        changed = False
        for vid, (v, o, _, _, r, _) in list(usable.items()):
            if (uses.get(r.get_id(), 0) == 1 and r.get_id() not in found and not uses.get(vid)
                    and not uses.get(o.get_id()) and o.get_id() not in defs and vid not in heads):
                continue
            del usable[vid]
            for t in (v, o, r):
                uses[t.get_id()] = uses.get(t.get_id(), 0) + 2
            changed = True
    heads_of: dict[int, list[int]] = {}
    for vid, (_, o, _, _, _, _) in usable.items():
        heads_of.setdefault(o.get_id(), []).append(vid)
    sources: list[Any] = []
    targets: list[Any] = []

    def fresh() -> Any:
        b = z3.Bool(f"strings|{len(targets)}", ctx)
        targets.append(b)
        return b

    def unit(var: Any, atoms: list[tuple[Any, Rx]]) -> _Var:
        out = _Var(var)
        for atom, rx in atoms:
            sources.append(atom)
            out.atoms.append((fresh(), rx))
        return out

    grouped = {vid for members in heads_of.values() for vid in members} | set(heads_of)
    singles = [unit(var, atoms) for vid, (var, atoms) in found.items()
               if vid not in grouped and vid not in defs and not uses.get(vid)]
    groups: list[_Group] = []
    for oid, members in heads_of.items():
        group = _Group(unit(*found[oid]))
        for vid in members:
            v, _, prefix, infix, r, atom = defs[vid]
            sources.append(atom)
            eq = fresh()
            group.members.append(_Member(unit(v, found[vid][1]), eq, prefix, infix, r))
        groups.append(group)
    if not singles and not groups:
        return None
    return Abstraction(singles, groups, [_substitute(a, sources, targets) for a in assertions])


def _substitute(term: Any, sources: list[Any], targets: list[Any]) -> Any:
    """``term`` with every source replaced by its target, in one call of z3's C interface."""
    if not sources:
        return term
    n, zc = len(sources), z3.z3core
    src = (zc.Ast * n)(*(s.as_ast() for s in sources))
    dst = (zc.Ast * n)(*(t.as_ast() for t in targets))
    return z3.z3._to_expr_ref(zc.Z3_substitute(term.ctx_ref(), term.as_ast(), n, src, dst), term.ctx)


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

    def joint(self, head: Cell, members: tuple[tuple[str, str, Cell], ...]) -> tuple[str, tuple[str, ...]] | None:
        """Strings ``o`` in ``head`` and ``w_i`` with ``P_i + o + L_i + w_i`` in member cell ``i`` (None: there are
        none).

        Breadth first over ``o``, reading each character into the head and every member at once; at a nullable
        head state, every member's state read past ``L_i`` must still hold a string."""
        key = ("joint", head, members)
        if key in self.memo:
            return self.memo[key]  # type: ignore[no-any-return]
        start = (_cell_rx(head), *(derive_text(_cell_rx(c), prefix) for prefix, _, c in members))
        infixes = [infix for _, infix, _ in members]
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


def decide(assertions: Sequence[Any], timeout: int, *, into: Any = None,
           moved: Sequence[Any] | None = None) -> tuple[Any, Any] | None:
    """``(z3.sat, model)`` or ``(z3.unsat, None)`` for the conjunction of ``assertions``, decided through the
    abstraction (see the module docstring); None when it does not apply or cannot decide (ask z3 as before).

    ``into``: the z3 context the solvers run in (default: the assertions' own), with ``moved`` the assertions copied
    into it in their order (:func:`trustgraph.smt.decide.check_tracked` passes the context it made for the question,
    so that the model does not depend on what earlier questions left in a shared context). The abstraction is read on
    ``assertions`` themselves (reading changes nothing z3 decides, and the regular expressions read are memoised by
    term there); the model is in ``into``."""
    abstraction = abstract(assertions)
    if abstraction is None:
        return None
    ctx = into if into is not None else assertions[0].ctx
    if moved is None:
        moved = [a if a.ctx == ctx else a.translate(ctx) for a in assertions]

    def here(t: Any) -> Any:
        return t if t.ctx == ctx else t.translate(ctx)

    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", timeout)
    solver.add([here(a) for a in abstraction.abstract])
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
                return bool(z3.is_true(model.eval(here(b), model_completion=True)))

            fixed: list[tuple[Any, str]] = []
            blocked = False
            for var in abstraction.singles:
                lits = [(b, rx, truth(b)) for b, rx in var.atoms]
                found = cells.witness(frozenset((rx, m) for _, rx, m in lits))
                if found is None:
                    core = cells.conflict(lits, lambda t: cells.witness(frozenset((rx, m) for _, rx, m in t)) is None)
                    solver.add(here(z3.Or([_literal(b, m) for b, _, m in core])))
                    blocked = True
                else:
                    fixed.append((var.term, found))
            for group in abstraction.groups:
                blocked |= not _group(group, truth, cells, lambda clause: solver.add(here(clause)), fixed)
            if not blocked:
                return _model(moved, [(here(term), text) for term, text in fixed], timeout, ctx)
    except Budget:
        return None
    return None


def _group(group: _Group, truth: Any, cells: _Cells, block: Callable[[Any], object],
           fixed: list[tuple[Any, str]]) -> bool:
    """Check one group under the abstraction's model: True with its witnesses added to ``fixed``, or False with a
    clause excluding the conflict given to ``block``."""
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
            block(z3.Or([_literal(b, x) for b, _, x in core]))
            return False
        fixed.append((m.var.term, alone))

    def solve(items: list[tuple[str, Any, Any]]) -> tuple[str, tuple[str, ...]] | None:
        head_cell = frozenset((rx, x) for kind, _, (b, rx, x) in items if kind == "head")
        members = tuple((m.prefix, m.infix,
                         frozenset((rx, x) for kind, mm, (b, rx, x) in items if kind == "member" and mm is m))
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
        block(z3.Or(clause))
        return False
    head_text, rests = found
    fixed.append((group.head.term, head_text))
    for (m, _), rest in zip(tied, rests, strict=True):
        fixed.append((m.var.term, m.prefix + head_text + m.infix + rest))
        fixed.append((m.rest, rest))
    return True


def _model(assertions: Sequence[Any], fixed: list[tuple[Any, str]], timeout: int, ctx: Any) -> tuple[Any, Any] | None:
    """A z3 model of the original assertions (in ``ctx``) with each separable variable fixed to its witness."""
    values = [(term, z3.StringVal(text, ctx) if "\\" not in text else str_val(text).translate(ctx))
              for term, text in fixed]
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", timeout)
    # the witnesses substituted (every membership of theirs folds to a constant), and kept as equations for the model
    solver.add(*(z3.simplify(z3.substitute(a, *values)) if values else a for a in assertions))
    for term, value in values:
        solver.add(term == value)
    if solver.check() == z3.sat:
        return z3.sat, solver.model()
    return None  # cannot happen for an exact abstraction; the caller asks z3 instead


__all__ = ["MAX_ROUNDS", "Abstraction", "abstract", "decide"]
