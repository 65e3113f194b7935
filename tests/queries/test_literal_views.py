"""A caller's policy whose Resources are literal ARNs (or cover every ARN) has one view for every role it does not name
(``EvaluatedClasses.literal_views``, ``queries.viewkeys.named_arns``) against the reference (a view per role unless
every statement covers every ARN): the engine must hold the same memoised answers, filed answers and kept leads, the
outsider searches and the mixed (privilege-escalation) searches the same states, paths and undecided hops, and a scan
the same findings; the named roles keep views of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.test_arn_blind_views import ORGS, _mixed
from tests.queries.test_class_moves import _engine_state, _scan, _searched
from trustgraph.api import TrustGraph
from trustgraph.graph.build import resource_may_match
from trustgraph.model.pattern import arn_matches, parse_pattern
from trustgraph.model.policy import Glob
from trustgraph.queries.evalclass import EvaluatedClasses
from trustgraph.queries.viewkeys import literal_text, named_arns


def _literal_engine(tg: TrustGraph, literal: bool) -> TrustGraph:
    tg.engine.evaluated.literal_views = literal
    return tg


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_literal_views_equal_the_per_role_views(name: str, seed: int, tmp_path: Path) -> None:
    """Same outsider searches, mixed searches and engine memos with one view per literal policy for the roles it
    does not name as with a view per role; on some shapes the shortcut is taken (fewer views kept)."""
    tg = small_org(name, seed, tmp_path)
    fast_tg = _literal_engine(twin(tg), True)
    slow_tg = _literal_engine(twin(tg), False)
    fast, fast_engine, _, _ = _searched(fast_tg, True, True)
    slow, slow_engine, _, _ = _searched(slow_tg, True, True)
    assert fast == slow
    assert _mixed(fast_tg) == _mixed(slow_tg)
    assert _engine_state(fast_engine) == _engine_state(slow_engine)
    fast_views, slow_views = fast_engine.evaluated.view_keys(), slow_engine.evaluated.view_keys()
    assert all(arn == "" for _, _, arn in fast_views if arn not in {a for _, _, a in slow_views})
    if (name, seed) in (("example", 0), ("sample", 0), ("random", 3), ("random", 5)):
        assert len(fast_views) < len(slow_views)


@pytest.mark.parametrize(("name", "seed"), [("federation-heavy", 1), ("random", 2)])
def test_scans_equal_with_per_role_views(name: str, seed: int, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check's findings, witnesses included, with the shortcut on and off (fresh engines)."""
    tg = small_org(name, seed, tmp_path)
    fast = _scan(twin(tg))
    monkeypatch.setattr(EvaluatedClasses, "literal_views", False)
    slow = _scan(twin(tg))
    assert fast and fast == slow


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_named_arns_bound_what_resources_tell_apart(name: str, seed: int, tmp_path: Path) -> None:
    """For every policy statement of the organization with a set of named ARNs, ``resource_may_match`` answers for
    every role outside the set as for an ARN of no role, and the named roles are those its literal globs write; the
    shortcut is not vacuous on federation-heavy (some statement names an ARN)."""
    tg = small_org(name, seed, tmp_path)
    roles = list(tg.estate.role_by_arn)
    outside = ["arn:aws:iam::999999999999:role/x", "arn:aws-cn:iam::1:role/a/b", "x", ""]
    statements = [st for caller in tg.estate.role_by_arn.values()
                  for p in caller.inline_policies for st in p.document.statements]
    statements += [st for snap in tg.estate.accounts for mp in snap.policies if mp.document is not None
                   for st in mp.document.statements]
    named_some = False
    for st in statements:
        named = named_arns([st])
        if named is None:
            continue
        named_some = named_some or bool(named)
        default = resource_may_match(st, outside[0])
        for arn in roles + outside:
            if arn not in named:
                assert resource_may_match(st, arn) == default, (st.location, arn)
        assert named_arns([st], literal=False) in (None, frozenset())
    if name == "federation-heavy":
        assert named_some


@pytest.mark.parametrize("text", ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::1:role/a:b:c", "abc", "",
                                  "arn:aws:iam::1:role/${*}x", "arn:aws:iam::1:role/${?}", "a:b:c:d:e"])
def test_a_literal_pattern_matches_its_text_only(text: str) -> None:
    """The claim :func:`named_arns` rests on: a glob without wildcard or variable matches (``arn_matches``) exactly
    the string :func:`literal_text` gives."""
    pattern = parse_pattern(text, wildcards=True, variables=True)
    literal = literal_text(Glob(text=text, pattern=pattern))
    assert literal is not None
    values = [literal, literal + "x", literal[:-1], literal.upper(), literal.lower(), "x" + literal,
              literal.replace(":", "/"), text, "*", "arn:aws:iam::111122223333:role/b"]
    for value in values:
        assert arn_matches(pattern, value) == (value == literal), (text, value)


def test_wildcards_and_variables_are_not_literal() -> None:
    for text in ["arn:aws:iam::*:role/a", "arn:aws:iam::1:role/a?", "arn:aws:iam::1:role/${aws:username}"]:
        assert literal_text(Glob(text=text, pattern=parse_pattern(text, wildcards=True, variables=True))) is None
