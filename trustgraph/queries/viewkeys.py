"""Which roles a caller's policy tells apart by their ARNs: the roles whose view of the policy
(:meth:`~trustgraph.queries.evalclass.EvaluatedClasses._view`) may differ from every other role's.

A policy's view for a call on a role holds the statements for the action whose Resource may cover the role's ARN
(:func:`trustgraph.graph.build.resource_may_match`). A statement whose Resource is ``*`` or holds a policy variable is
kept for every ARN; a statement whose Resource globs are all literal (no wildcard, no variable) is kept for exactly the
ARNs written there (a literal pattern matches its own text only, :func:`trustgraph.model.pattern.arn_matches`); a
NotResource of literal globs (and globs with variables, which the filter skips) keeps the statement for every ARN but
those. So a policy whose statements are all of these kinds has one view for every ARN it does not name: the view
memos key it on ``""`` for those roles and on the ARN for the named ones (federation-heavy, 20,000 roles: callers
holding an ``sts:AssumeRole`` on one named role besides ``*`` ask ~110,000 (signature, role) pairs whose views, but
for the named role, are one view per signature).

A statement with another wildcard in its Resource (``arn:aws:iam::*:role/app-*``) covers ARNs no list names: such a
policy gets a view per role (None here), as in the reference.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from trustgraph.model.pattern import Literal, Variable

if TYPE_CHECKING:
    from trustgraph.model.policy import Glob, Statement


def literal_text(glob: Glob) -> str | None:
    """The one string a Resource glob matches when its pattern is literal text only (``${*}`` and its kind included,
    as the literal characters they stand for), else None (a wildcard or a variable)."""
    parts = []
    for el in glob.pattern:
        if not isinstance(el, Literal):
            return None
        parts.append(el.text)
    return "".join(parts)


def named_arns(statements: Iterable[Statement], literal: bool = True) -> frozenset[str] | None:
    """The ARNs for which ``resource_may_match`` may answer otherwise than for every ARN outside them, over
    ``statements``: empty when every statement covers every ARN, None when a statement's answer varies with ARNs no
    set names. With ``literal`` False, only statements covering every ARN are recognised (any other gives None: the
    reference for the literal shortcut)."""
    named: set[str] = set()
    for st in statements:
        if st.resources is not None:
            if any(g.text == "*" or any(isinstance(el, Variable) for el in g.pattern) for g in st.resources):
                continue  # kept whatever the ARN
            globs = st.resources
        elif st.not_resources is not None:
            # resource_may_match skips the NotResource globs with variables: only the others can exclude an ARN
            globs = tuple(g for g in st.not_resources if not any(isinstance(el, Variable) for el in g.pattern))
        else:
            continue
        if not literal:
            return None
        for g in globs:
            text = literal_text(g)
            if text is None:
                return None
            named.add(text)
    return frozenset(named)


__all__ = ["literal_text", "named_arns"]
