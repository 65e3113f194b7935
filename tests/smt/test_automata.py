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


def _glob(text: str) -> z3.ReRef:
    return glob_re(parse_pattern(text, wildcards=True, variables=False))


def test_groups_and_literal_atoms_are_decided_like_z3() -> None:
    """``smt.strings``: a subject built from a literal, the repository and a rest (GitHub's ``repo:OWNER/NAME:...``),
    an organization path from its organization id, prefix/suffix/infix atoms, each against z3 (small enough here)."""
    from trustgraph.smt.strings import decide

    repo, sub, rest, org, path, prest = z3.Strings("repo sub rest org path prest")
    github = [sub == z3.Concat(z3.StringVal("repo:"), repo, z3.StringVal(":"), rest)]
    orgs = [path == z3.Concat(org, z3.StringVal("/r-"), prest), z3.InRe(org, z3.Concat(z3.Re("o-"), z3.Plus(
        z3.Range("a", "z"))))]
    cases = [
        github + [z3.InRe(sub, _glob("repo:acme/*")), z3.InRe(repo, _glob("acme/app"))],
        github + [z3.InRe(sub, _glob("repo:acme/*")), repo == z3.StringVal("other/app")],
        github + [z3.InRe(sub, _glob("repo:*:ref:refs/heads/main")), z3.Not(z3.InRe(repo, _glob("a*")))],
        github + [z3.PrefixOf(z3.StringVal("repo:b"), sub), z3.SuffixOf(z3.StringVal("prod"), sub),
                  z3.Contains(repo, z3.StringVal("/x"))],
        github + [z3.PrefixOf(z3.StringVal("repo:b"), sub), z3.InRe(repo, _glob("a*"))],
        orgs + [z3.Not(z3.InRe(path, _glob("o-abc/r-*"))), org == z3.StringVal("o-abc")],
        orgs + [z3.InRe(path, _glob("o-abc/r-x/*")), z3.Not(z3.InRe(org, _glob("o-a*")))],
        orgs + [z3.InRe(path, _glob("*/ou-1/*")), z3.Length(org) <= 3],
        orgs + [z3.Not(z3.InRe(path, _glob("o-abc/*"))), z3.InRe(org, _glob("o-ab?"))],
    ]
    for assertions in cases:
        decided = decide(assertions, 20_000)
        assert decided is not None, assertions
        solver = z3.Solver()
        solver.set("timeout", 20_000)
        solver.add(*assertions)
        expected = solver.check()
        assert expected != z3.unknown
        assert decided[0] == expected, assertions
        if decided[0] == z3.sat:
            assert all(z3.is_true(decided[1].eval(a, model_completion=True)) for a in assertions)
