"""Hops decided by evaluation, answered once per class of concrete callers the hop's policies cannot tell apart.

A role trusted by its whole organization (``Principal: *`` with ``aws:PrincipalOrgID``) or by an account's root is
a hub: every member whose identity policy may allow the call is one hop into it, and :func:`trustgraph.queries.
ground.decide_by_evaluation` evaluates each of them, although most members look alike to the policies (roles of one
account with the same ``Allow sts:AssumeRole on *``). A who_can_reach on such a role asks hundreds of them.

The **layout** of a caller for an action (:meth:`EvaluatedClasses._layout`, once per (caller, action)) is what the
evaluator reads of it apart from its names and tags: every field of :class:`~trustgraph.semantics.request.Caller`
except its names (ARN, unique id, user name), tags and policies, the partition of its ARN, its session name, and,
per identity policy, boundary and session policy, in order, and each SCP level, the policy's canonical text (equal
texts: the same statements in the same order; the evaluator scans those whose Action may match the action,
:func:`trustgraph.semantics.actions.statements_for_action`). A hop's class is the target, action, constraints,
closed flag, analysis time and layout, plus the caller's names when a policy of the hop may read them (a trust or
RCP principal other than an account or ``*``, a NotPrincipal, or a key ``aws:PrincipalArn``, ``aws:userid``,
``aws:username``, directly or as a policy variable, in the trust policy, the RCPs, the scanned statements, the SCPs
or the constraints) and its tags when a key ``aws:PrincipalTag/...`` is read.

Two callers of one class make requests that differ only in the principal keys written from their names and tags
(:func:`trustgraph.semantics.context.principal_context`), which no policy of the hop reads, and the evaluator walks
the same statements (by content, position for position) with the same outcome each. So when the first member asked
gets an ALLOW without approximation (the only answers shared), another member's decision is that one with each
statement of the first member's policies replaced by the member's own at the same position (the trust policy's are
the target's, the same), and its request is the first member's with the member's own principal keys: exactly what
evaluating the member gives (an approximation message may name the caller, so approximate answers are not shared;
denials name the caller in their reasons and are evaluated per member). The cost of a member is then a dictionary
lookup, its request and a tuple of statements instead of an evaluation.

Switch: ``SolverOptions.hop_classes`` (with :mod:`trustgraph.queries.hopclass`; off in ``SolverOptions.reference()``);
``tests/queries/test_eval_classes.py`` compares every answer a class gives with the member's own evaluation and
who_can_reach with it on and off, field by field; ``tests/queries/test_hop_classes.py`` the searches and scans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from trustgraph.queries.hopclass import _ACCOUNT_PRINCIPAL, _LEFT_OUT, _NAME_KEYS, _NAMES, _statement_keys
from trustgraph.semantics.request import Caller, CallerKind

if TYPE_CHECKING:
    from trustgraph.model.policy import Policy, Statement
    from trustgraph.queries.candidates import State
    from trustgraph.semantics.request import Action, Target
    from trustgraph.smt.question import HopQuestion

#: a layout: (its id, whether the caller's scanned policies or SCPs read its names, its tags, the scanned statements
#: per policy kind and policy, the caller as an evaluation names it: a role session of a free name gets the default)
_Lists = tuple[tuple[tuple["Statement", ...], ...], ...]
_Layout = tuple[int, bool, bool, _Lists, Caller]


def _reads(keys: set[str]) -> tuple[bool, bool]:
    return bool(keys & _NAME_KEYS), any(k.startswith("aws:principaltag/") for k in keys)


class EvaluatedClasses:
    """The evaluated Sat answers of concrete callers' hops per class (see the module docstring), owned by an engine."""

    def __init__(self) -> None:
        #: (caller state, action) -> its layout
        self._layouts: dict[tuple[Any, Any], _Layout] = {}
        #: layout content -> its id (the content is hashed once per caller and action)
        self._ids: dict[tuple[Any, ...], int] = {}
        #: (policy text, action or None) -> whether its scanned statements read names, tags
        self._policy_reads: dict[tuple[str, Action | None], tuple[bool, bool]] = {}
        #: role ARN -> (its trust policy's and RCPs' statements, whether they read names, tags)
        self._trust: dict[str, tuple[frozenset[int], bool, bool]] = {}
        #: class -> the first member's Sat answer and where its decision's statements sit
        self._known: dict[tuple[Any, ...], tuple[Any, tuple[tuple[int, int, int] | None, ...]]] = {}
        self.hits = 0  # hops answered from a class

    def _layout(self, state: State, caller: Caller, action: Action) -> _Layout:
        key = (state, action)
        hit = self._layouts.get(key)
        if hit is not None:
            return hit
        from trustgraph.semantics.actions import statements_for_action
        from trustgraph.semantics.context import DEFAULT_SESSION_NAME

        boundary = (caller.boundary,) if caller.boundary is not None else ()
        kinds = (caller.identity_policies, boundary, caller.session_policies)
        # a policy by its canonical text (equal texts: equal statements, position for position; the text is kept on
        # the policy and its hash on the text, so a caller's layout costs no walk over its statements' contents)
        texts = tuple(tuple(p.canonical_text() for p in ps) for ps in kinds)
        scps = tuple(tuple(p.canonical_text() for p in level) for level in caller.scp_levels or ())
        names = tags = False
        for ps in kinds:
            for p in ps:
                n, t = self._reads_of(p, action)
                names, tags = names or n, tags or t
        for level in caller.scp_levels or ():
            for p in level:
                n, t = self._reads_of(p, None)
                names, tags = names or n, tags or t
        kept = tuple(getattr(caller, f.name) for f in fields(Caller)
                     if f.name not in _LEFT_OUT and f.name != "scp_levels")
        content = (kept, caller.scp_levels is None, scps, caller.arn.split(":", 2)[1], caller.session_name, texts)
        layout_id = self._ids.setdefault(content, len(self._ids))
        lists = tuple(tuple(statements_for_action(p, action.value) for p in ps) for ps in kinds)
        named = caller
        if caller.kind is CallerKind.ROLE_SESSION and caller.session_name is None:
            named = replace(caller, session_name=DEFAULT_SESSION_NAME)  # as decide_by_evaluation names it
        hit = self._layouts[key] = (layout_id, names, tags, lists, named)
        return hit

    def _reads_of(self, policy: Policy, action: Action | None) -> tuple[bool, bool]:
        """Whether the statements of ``policy`` the evaluator scans for ``action`` (None: all) read the caller's
        names, its tags (per policy text)."""
        key = (policy.canonical_text(), action)
        hit = self._policy_reads.get(key)
        if hit is None:
            from trustgraph.semantics.actions import statements_for_action

            keys: set[str] = set()
            for st in policy.statements if action is None else statements_for_action(policy, action.value):
                keys |= _statement_keys(st)
            hit = self._policy_reads[key] = _reads(keys)
        return hit

    def _trust_facts(self, target: Target) -> tuple[frozenset[int], bool, bool]:
        role = target.role
        hit = self._trust.get(role.arn)
        if hit is None:
            keys: set[str] = set()
            names = False
            own: set[int] = set()
            for policy in (role.trust_policy, *(p for lv in target.rcp_levels or () for p in lv)):
                for st in policy.statements:
                    own.add(id(st))
                    keys |= _statement_keys(st)
                    if st.not_principals is not None or any(
                            not _ACCOUNT_PRINCIPAL.match(p.text) for p in st.principals or ()):
                        names = True
            read_names, tags = _reads(keys)
            hit = self._trust[role.arn] = (frozenset(own), names or read_names, tags)
        return hit

    def decide(self, state: State, question: HopQuestion, evaluate: Callable[[], Any]) -> Any:
        """The answer ``evaluate()`` (:func:`~trustgraph.queries.ground.decide_by_evaluation` of ``question``, asked
        by the engine for its caller state ``state``) gives: the class's answer made the caller's when its class has
        one, else ``evaluate()``, kept for the class when it is an ALLOW without approximation."""
        from trustgraph.smt.solve import Sat

        caller = question.caller
        if not isinstance(caller, Caller) or question.now_ms is None:  # no pinned time: the request reads the clock
            return evaluate()
        layout = self._layout(state, caller, question.action)
        own, trust_names, trust_tags = self._trust_facts(question.target)
        ckeys = {c.key.lower() for c in question.constraints}
        c_names, c_tags = _reads(ckeys)
        names = trust_names or layout[1] or c_names
        tags = trust_tags or layout[2] or c_tags
        key = (question.target.role.arn, question.action, question.constraints, question.closed, question.now_ms,
               layout[0], tuple(getattr(caller, n) for n in _NAMES) if names else None,
               caller.tags if tags else None)
        known = self._known.get(key)
        if known is not None:
            self.hits += 1
            return _transplanted(known[0], known[1], layout[4], layout[3], question.now_ms)
        result = evaluate()
        if isinstance(result, Sat) and not result.approximations and not result.decision.approximations:
            positions = _positions(result, layout[3], own)
            if positions is not None:
                self._known[key] = (result, positions)
        return result


def _positions(known: Any, lists: _Lists, own: frozenset[int]) -> tuple[tuple[int, int, int] | None, ...] | None:
    """Where each statement of a Sat answer's decision sits: None for the target's own (trust, RCP), else (policy kind,
    policy, statement) in the caller's scanned statements; None when one is in neither."""
    out: list[tuple[int, int, int] | None] = []
    for st in known.decision.statements:
        if id(st) in own:
            out.append(None)
            continue
        found = next(((k, i, j) for k, per_policy in enumerate(lists) for i, sts in enumerate(per_policy)
                      for j, s in enumerate(sts) if s is st), None)
        if found is None:
            return None
        out.append(found)
    return tuple(out)


def _transplanted(known: Any, positions: tuple[tuple[int, int, int] | None, ...], named: Caller, lists: _Lists,
                  now_ms: int) -> Any:
    """The class's Sat answer as the caller's (``named``: the caller as the evaluation names it): the first member's
    request with the caller's principal keys, its decision with the caller's statements at the same positions."""
    from trustgraph.model.values import format_date
    from trustgraph.semantics.context import principal_context
    from trustgraph.semantics.request import Decision, Request
    from trustgraph.smt.solve import Sat

    decision = known.decision
    statements = tuple(decision.statements[n] if at is None else lists[at[0]][at[1]][at[2]]
                       for n, at in enumerate(positions))
    now = format_date(now_ms)
    old = principal_context(known.caller, now=now)
    ctx = dict(principal_context(named, now=now))
    for k, v in known.request.context.items():
        if k not in old:
            ctx[k] = v
    request = Request(action=known.request.action, context=ctx, duration_seconds=known.request.duration_seconds)
    return Sat(caller=named, request=request, approximations=(),
               decision=Decision(verdict=decision.verdict, statements=statements, reasons=decision.reasons,
                                 approximations=decision.approximations))


__all__ = ["EvaluatedClasses"]
