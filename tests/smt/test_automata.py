"""Our own regular languages (``smt.automata``) against the evaluator's glob matcher and z3.

A cell ``x ∈ R1 ∧ x ∉ R2 ∧ ...`` of globs and ARN patterns (the z3 regexes the encoding builds, read back by
``from_z3``) is decided by derivatives: a witness must match exactly the patterns it should (checked with the
evaluator's own matcher, ``model.pattern``), and a cell found empty must be one z3 proves empty.
"""

from __future__ import annotations

import z3
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from trustgraph.model.pattern import arn_matches, matches, parse_pattern
from trustgraph.smt import automata as A
from trustgraph.smt.encode import arn_re, glob_re
from trustgraph.smt.presence import domain_constraint

GLOBS = st.text(alphabet="ab/:*?-", min_size=0, max_size=7)


def _rx(text: str, arn: bool) -> A.Rx:
    p = parse_pattern(text, wildcards=True, variables=False)
    out = A.from_z3(arn_re(p) if arn else glob_re(p))
    assert out is not None
    return out


def _matches(text: str, value: str, arn: bool) -> bool:
    p = parse_pattern(text, wildcards=True, variables=False)
    return arn_matches(p, value) if arn else matches(p, value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cell=st.lists(st.tuples(GLOBS, st.booleans(), st.booleans()), min_size=1, max_size=4))
def test_a_cell_of_globs_is_decided_like_the_evaluator_and_z3(cell: list[tuple[str, bool, bool]]) -> None:
    rx = A.inter(_rx(g, arn) if member else A.comp(_rx(g, arn)) for g, member, arn in cell)
    found = A.witness(rx)
    event("non-empty" if found is not None else "empty")
    if found is not None:
        for g, member, arn in cell:
            assert _matches(g, found, arn) is member, (cell, found)
        return
    x = z3.String("x")
    solver = z3.Solver()
    solver.set("timeout", 20_000)
    for g, member, arn in cell:
        p = parse_pattern(g, wildcards=True, variables=False)
        atom = z3.InRe(x, arn_re(p) if arn else glob_re(p))
        solver.add(atom if member else z3.Not(atom))
    assert solver.check() != z3.sat, cell


def test_a_witness_is_a_shortest_string() -> None:
    assert A.witness(_rx("o-x/r-ab/*", False)) == "o-x/r-ab/"
    two = A.witness(A.inter((_rx("a*", False), A.comp(_rx("a", False)))))
    assert two is not None and len(two) == 2 and two.startswith("a")
    assert A.witness(A.inter((_rx("a*", False), A.comp(_rx("a*", False))))) is None
    role = A.witness(A.inter((_rx("arn:aws:iam::*:role/*", True), A.comp(_rx("*:role/x*", False)))))
    assert role is not None and _matches("arn:aws:iam::*:role/*", role, True)
    assert not _matches("*:role/x*", role, False)


def test_api_limits_read_as_bounded_lengths() -> None:
    x = z3.String("x")
    rule = domain_constraint(r"[\w+=,.@:/-]{2,1224}", x)
    assert rule is not None
    parts = [rule.arg(i) for i in range(rule.num_args())]
    from trustgraph.smt.strings import _atom

    langs = [_atom(p) for p in parts]
    assert all(lang is not None for lang in langs)
    cell = A.inter(lang[1] for lang in langs if lang is not None)
    short = A.witness(cell)
    assert short is not None and len(short) == 2
    assert A.witness(A.inter((cell, A.lit("a")))) is None
    longest = A.witness(A.inter((cell, A.comp(A.loop(A.ALL_CHARS, 0, 1223)))))
    assert longest is not None and len(longest) == 1224
    assert A.witness(A.inter((cell, A.comp(A.loop(A.ALL_CHARS, 0, 1224))))) is None


def test_unknown_constructs_are_left_to_z3() -> None:
    assert A.from_z3(z3.Re(z3.String("y"))) is None
