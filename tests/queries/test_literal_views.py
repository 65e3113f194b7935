"""A caller's policy whose Resources are literal ARNs (or cover every ARN) has one view for every role it does not name
(``EvaluatedClasses.literal_views``, ``queries.viewkeys.named_arns``) against the reference (a view per role unless
every statement covers every ARN). Here: which roles a statement's Resources tell apart, and that literal globs match
their own text. The same memoised answers, filed answers, kept leads, searches and scan findings with the switch on and
off are held in ``test_arn_blind_views``, with the ARN-blind views' switch."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_orgs import small_org

from tests.queries.helpers import policy_statements
from tests.queries.test_arn_blind_views import ORGS
from trustgraph.graph.build import resource_may_match
from trustgraph.model.pattern import arn_matches, parse_pattern
from trustgraph.model.policy import Glob
from trustgraph.queries.viewkeys import literal_text, named_arns


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_named_arns_bound_what_resources_tell_apart(name: str, seed: int, tmp_path: Path) -> None:
    """For every policy statement of the organization with a set of named ARNs, ``resource_may_match`` answers for
    every role outside the set as for an ARN of no role, and the named roles are those its literal globs write; the
    shortcut is not vacuous on federation-heavy (some statement names an ARN)."""
    tg = small_org(name, seed, tmp_path)
    roles = list(tg.estate.role_by_arn)
    outside = ["arn:aws:iam::999999999999:role/x", "arn:aws-cn:iam::1:role/a/b", "x", ""]
    statements = policy_statements(tg)
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
