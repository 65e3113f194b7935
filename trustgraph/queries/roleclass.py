"""Target roles a hop's evaluation cannot tell apart: one class of hops for several roles
(``EvaluatedClasses.role_classes``).

A class key of :mod:`trustgraph.queries.evalclass` holds the target role's ARN, so the ~70 caller states of a random
organization that ask about each role fill one class per role: random-5 at 2,000 roles keeps 7,235 classes, which
fall into 297 once the ARN is left out, and the first member of each (one per role, mostly) is evaluated through the
engine's general path (~90 us a hop against ~20 us for a hop its class answers).

What the evaluation reads of the role (:func:`~trustgraph.semantics.evaluate.evaluate_hop`, :func:`~trustgraph.
queries.ground.decide_by_evaluation`, :func:`~trustgraph.semantics.context.build_request`): its trust policy, the RCP
levels above its account, its account, tags and organization (the request's ``aws:Resource*`` keys), whether it is
service-linked, the partition of its ARN, its maximum session duration (a request's DurationSeconds is
checked against it), and the ARN itself only where a statement's Resource or NotResource is
matched against it. So two roles are alike (:meth:`RoleClasses.of`: one *role class*) when those are equal (the
trust policy by canonical text and Version, the RCP levels by identity) and every trust and RCP statement covers
every ARN without a policy variable (:func:`arn_blind`); a hop then reads its ARN only through the caller's statements
(the views of :mod:`~trustgraph.queries.evalclass`, by content: equal views scan equal statements, and a statement
whose Resource/NotResource holds no policy variable matches exactly when ``resource_may_match`` says it may,
:func:`resources_fixed`) and the SCPs (all ARN-blind, :func:`arn_blind`). When all of that holds the class key holds
the role class instead of the ARN; a class's answer then names the first member's trust statements, which another
role's member replaces by its own at the same positions (the trust statements are given as one more kind of the
hop's statements, :meth:`RoleClasses.of`; the RCPs' statements are the same objects for every role of a class).

random-5 at 2,000 roles: 7,235 classes -> 1,987 (a role class holds the account, tags and trust text: 297 would be
left without any role part), hops evaluated 8,602 -> 3,313, hops through the engine's general path 18,810 -> 13,599;
scan CPU 12.7-13.6 -> 11.5-12.1 s (interleaved, loaded machine), peak PSS 273 -> 250-262 MB.

Switch: ``EvaluatedClasses.role_classes`` (False: the ARN in every key, the reference);
``tests/queries/test_role_classes.py`` compares who_can_reach, the searches, the engine's memos and the scans with it
on and off and every class answer with the member's own evaluation (its trust statements its target's own objects).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from trustgraph.model.policy import Statement
    from trustgraph.semantics.request import Caller, Target


def arn_blind(st: Statement) -> bool:
    """Whether ``st`` applies to every resource ARN alike: no Resource/NotResource, or a Resource ``*``."""
    if st.resources is None:
        return st.not_resources is None
    return any(g.text == "*" for g in st.resources)


def resources_fixed(statements: Iterable[Statement]) -> bool:
    """Whether no Resource/NotResource glob of ``statements`` holds a policy variable (then a statement kept by
    ``resource_may_match`` for an ARN matches it, and one left out does not)."""
    from trustgraph.model.pattern import variables_of

    return not any(variables_of(g.pattern) for st in statements for globs in (st.resources, st.not_resources)
                   for g in globs or ())


#: the trust statements of a role as one more kind of a hop's statement lists (one policy)
_Extra = tuple[tuple[tuple["Statement", ...]]]


class RoleClasses:
    """The role class of each target role (see the module docstring), owned by an :class:`EvaluatedClasses`."""

    def __init__(self) -> None:
        #: role ARN -> (its role class id, None when its trust policy or RCPs read the ARN; its trust statements as
        #: one more kind of the hop's statements (one policy); the ids of its RCPs' statements)
        self._roles: dict[str, tuple[int | None, _Extra, frozenset[int]]] = {}
        self._ids: dict[tuple[Any, ...], int] = {}
        #: the RCP levels objects named by identity in the role classes (kept: an id stays its own)
        self._levels: dict[int, Any] = {}
        #: caller layout id -> whether its SCPs apply alike to every ARN; view content id -> whether its statements'
        #: Resources hold no policy variable; a hop's view numbers -> whether all of theirs hold none
        self._scp_blind: dict[int, bool] = {}
        self._view_fixed: dict[int, bool] = {}
        self._numbers_fixed: dict[Any, bool] = {}

    def note_layout(self, layout_id: int, caller: Caller) -> None:
        """Keep whether the SCPs of the callers of layout ``layout_id`` (``caller`` one of them) are ARN-blind."""
        if layout_id not in self._scp_blind:
            self._scp_blind[layout_id] = all(arn_blind(st) for level in caller.scp_levels or () for p in level
                                             for st in p.statements)

    def note_view(self, content_id: int, scanned: tuple[Statement, ...]) -> None:
        """Keep whether the statements a view of content ``content_id`` scans have fixed Resources."""
        if content_id not in self._view_fixed:
            self._view_fixed[content_id] = resources_fixed(scanned)

    def part(self, target: Target, layout_id: int, numbers: tuple[tuple[int, ...], ...]
             ) -> tuple[str | int, tuple[tuple[tuple[Statement, ...], ...], ...]]:
        """What a class key holds of the hop's role (its role class, or its ARN when the hop may read the ARN:
        the role's trust policy or RCPs, the caller's SCPs, or a Resource with a policy variable in the statements
        its views scan, ``numbers``) and the hop's statement lists' extra kind (the trust statements, or none)."""
        role_class, extra, _ = self.of(target)
        if role_class is None or not self._scp_blind[layout_id]:
            return target.role.arn, ()
        fixed = self._numbers_fixed.get(numbers)
        if fixed is None:
            fixed = self._numbers_fixed[numbers] = all(self._view_fixed[n] for pk in numbers for n in pk)
        return (role_class, extra) if fixed else (target.role.arn, ())

    def own(self, target: Target) -> frozenset[int]:
        """The ids of the RCPs' statements of ``target``: the target's own statements a class answer names as they
        are when its key holds a role class (the same objects for every role of the class)."""
        return self.of(target)[2]

    def of(self, target: Target) -> tuple[int | None, _Extra, frozenset[int]]:
        """The role class of ``target`` (None: its ARN is part of its hops' keys), its trust statements as a list of
        the hop's statements, and the ids of the RCPs' statements (the target's own statements of a class answer
        that are the same objects for every role of the class)."""
        role = target.role
        hit = self._roles.get(role.arn)
        if hit is not None:
            return hit
        trust = role.trust_policy
        levels = target.rcp_levels
        rcp = tuple(st for level in levels or () for p in level for st in p.statements)
        blind = all(arn_blind(st) for st in trust.statements) and all(arn_blind(st) for st in rcp)
        class_id = None
        if blind:
            if levels is not None:
                self._levels.setdefault(id(levels), levels)
            content = (trust.canonical_text(), trust.variables_enabled, None if levels is None else id(levels),
                       role.account, role.tags, target.org_known, target.org_id, target.org_paths,
                       role.service_linked, role.arn.split(":", 2)[1], role.max_session_duration)
            class_id = self._ids.setdefault(content, len(self._ids))
        hit = self._roles[role.arn] = (class_id, ((trust.statements,),), frozenset(id(st) for st in rcp))
        return hit


__all__ = ["RoleClasses", "arn_blind", "resources_fixed"]
