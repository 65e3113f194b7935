"""Hops of concrete callers answered once per class: the callers whose hop into a role the policies cannot tell
apart.

A search asks "may this session assume that role?" once per (state, role): on an organization where many roles may
``sts:AssumeRole`` on a wildcard and many roles trust their account's root (the hub edges ``principals:ID``), that is
one question per (caller, role) pair, thousands of them, most alike: sessions of roles of the same account, each
allowed by the same statement ``Allow sts:AssumeRole on *`` of its own identity policy, calling a role that trusts
the account root. Most are decided by evaluating the one request the caller can make (:mod:`trustgraph.queries.
ground`, which reads only the caller's statements that may apply to the action); the rest go to the solver, and
those are the ones answered here once per class (:meth:`HopClasses.answer`, called by the engine after evaluation
declined).

The **projection** of a concrete caller onto a hop (role, action, constraints) is what the hop's policies can read
of it (:meth:`HopClasses.projection`):

- every field of the caller except its names (ARN, unique id, session name, user name), its principal tags and its
  identity policies, boundary and session policies;
- its names only when a trust statement (or an RCP's) names a principal other than an account
  (``arn:aws:iam::ID:root``, ``ID``) or ``*`` (then principal matching reads the ARN), or has a NotPrincipal, or
  some policy of the hop, or a constraint, reads ``aws:PrincipalArn``, ``aws:userid`` or ``aws:username`` (policy
  variables included);
- its tags only when a key read is ``aws:PrincipalTag/...``;
- of its identity policies, boundary and session policies, the statements that may apply to the call (Action may
  match the action, Resource may match the role: :func:`trustgraph.graph.build.resource_may_match`) as a set per
  kind: the evaluator's verdict on any request is the verdict of those statements (IAM decides a set of statements,
  in no order, and a statement whose Action or Resource does not match takes no part); SCP levels whole;
- and, so that each member's own question would take the same path to the same witness, the keys those policies
  read as a whole, their Versions, and per key the distinct conditions on it in the order they first appear (the
  literals the concrete-first guesses choose from, first accepted first, :mod:`trustgraph.smt.guess`, come from
  them, whatever the action of the statement they sit in; a repeated condition adds only values already offered).

Two callers with the same projection make the same requests up to their principal keys (the ones
:func:`trustgraph.semantics.context.principal_context` writes from the fields left out), and every policy of the hop
gives the same verdict on corresponding requests: it reads none of the keys that differ, and principal matching
reads only the account.

A class's Sat witness is **replayed** for each other member: the witness request with the member's own principal
keys (the session name, ages and organization the witness chose are kept), evaluated by the reference evaluator;
only an ALLOW without approximation is taken (otherwise the member's hop is solved as before). Only witnesses the
concrete-first guesses found are shared (every member's own question would find the same); one z3 chose holds values
picked among many (a session name) that another member's question might pick otherwise.

An Unsat answer the solver gave a member is the verdict of every member with the same projection (less the keys and
conditions of the whole policies, which pick a witness, not a verdict), asked at the same time for the same duration
(:meth:`HopClasses.unsat_key`; with ``share_unsat``): nothing is replayed against the member then, so the key also
holds the caller's tags and names when its SCPs read them (the projection reads the SCPs whole but gathers the keys
that decide whether tags and names matter from the hop's other policies only). The member's answer is a lazy Unsat
whose core, when read, is its own question's, solved then (a search never reads it). random:8 at 2,000 roles: 2,105
of 2,604 Unsat solves of concrete callers were of a class already proved Unsat (3.1 s of solver time at one job),
scan CPU 15.4-16.1 -> 9.2-9.9 s; random:5: 400 of 628 shared (231 with the whole projection), 14.5-16.2 -> 13.0-13.5 s
(interleaved, loaded machine).

Switch: ``SolverOptions.hop_classes`` (off in ``SolverOptions.reference()``); ``tests/queries/test_hop_classes.py``
compares searches and scans with it on and off, field by field. ``HopClasses.share_unsat`` (False: every member's
Unsat hop solved); ``tests/queries/test_shared_unsat.py`` compares the engine's memos (Unsat cores included),
searches and scans with it on and off.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any, ClassVar

from trustgraph.model.policy import VERSION_2012
from trustgraph.semantics.request import Caller, Request, interned_request

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from trustgraph.model.location import Location
    from trustgraph.model.policy import Policy, Statement
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.semantics.request import Action, Target
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.session import SolverSession
    from trustgraph.smt.solve import HopResult, KeyConstraint, Sat, Unsat

#: a principal that principal matching compares with the caller's account only (or with nothing)
ACCOUNT_PRINCIPAL = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12}|\*)$")
#: keys whose value is read off the caller's names
NAME_KEYS = frozenset({"aws:principalarn", "aws:userid", "aws:username"})
#: the caller fields a class leaves out (and gives back per caller)
NAME_FIELDS = ("arn", "unique_id", "session_name", "user_name")
_POLICIES = ("identity_policies", "boundary", "session_policies")
LEFT_OUT = frozenset((*NAME_FIELDS, "tags", *_POLICIES))
#: fields a witness may choose for a concrete caller (a free session name, the ages, an unknown organization)
_CHOSEN = frozenset({"session_name", "mfa_age", "token_age", "org_id", "org_paths"})


def caller_names(caller: Caller) -> tuple[Any, ...]:
    """The caller's names (:data:`NAME_FIELDS`), which a class leaves out and gives back per caller that reads them."""
    return tuple(getattr(caller, n) for n in NAME_FIELDS)


def statement_keys(st: Statement) -> set[str]:
    from trustgraph.model.pattern import variables_of

    keys = set()
    for c in st.conditions:
        keys.add(c.key.lower())
        for p in c.patterns:
            keys.update(v.key.lower() for v in variables_of(p))
    for globs in (st.resources, st.not_resources):
        for g in globs or ():
            keys.update(v.key.lower() for v in variables_of(g.pattern))
    return keys


def trust_statements(target: Target) -> Iterator[Statement]:
    """The statements of ``target``'s trust policy, then of the resource control policies above its account: every
    statement a hop into it is evaluated against besides the caller's own."""
    for policy in (target.role.trust_policy, *(p for lv in target.rcp_levels or () for p in lv)):
        yield from policy.statements


class HopClasses:
    """The answers of concrete callers' hops per class (see the module docstring), owned by one engine."""

    #: True: a hop whose class (under :meth:`unsat_key`, which adds what the caller's SCPs read) already holds a
    #: member the solver proved Unsat is Unsat too, without the solver; its core, when read, is the member's own
    #: question's (:func:`_own_core`). False: every such hop solved (the reference; set on the class, it switches
    #: every engine)
    share_unsat: ClassVar[bool] = True

    def __init__(self) -> None:
        #: (role, action, constraints, closed, projection) -> the Sat answer of the first member asked
        self._answers: dict[tuple[Any, ...], Sat] = {}
        #: (the engine's name for the caller, action) -> (the fields kept, the statements per policy kind whose Action
        #: may match)
        self._base: dict[tuple[Any, Any], tuple[tuple[Any, ...], tuple[tuple[Statement, ...], ...]]] = {}
        #: role ARN -> (its trust policy's keys, whether principal matching may read names)
        self._trust: dict[str, tuple[frozenset[str], bool]] = {}
        self.hits = 0  # hops answered from a class
        #: (policy text, action) -> the keys its statements for the action read (queries.ground.keys_for_action)
        self.narrowed: dict[tuple[str, Action], frozenset[str]] = {}
        #: the requests of the answers replayed here, one per content (:func:`~trustgraph.semantics.request.
        #: interned_request`)
        self._requests: dict[int, Request] = {}
        #: :meth:`unsat_key` of every hop the solver answered Unsat (:attr:`share_unsat`)
        self._unsat: set[tuple[Any, ...]] = set()
        #: id of a caller's SCP levels -> (whether they read principal tags, whether they read names), the levels
        #: kept so that the id stays theirs
        self._scp_reads: dict[int, tuple[bool, bool, Any]] = {}
        self.unsat_hits = 0  # hops answered Unsat from a class

    # ---------------------------------------------------------------------------------------------- projection
    def _caller_base(self, name: Any, caller: Caller, action: Action
                     ) -> tuple[tuple[Any, ...], tuple[tuple[Statement, ...], ...]]:
        key = (name, action)
        hit = self._base.get(key)
        if hit is not None:
            return hit
        from trustgraph.graph.build import action_may_match
        from trustgraph.smt.facts import keys_read

        kept = tuple(getattr(caller, f.name) if f.name != "scp_levels" else _levels_text(caller.scp_levels)
                     for f in fields(Caller) if f.name not in LEFT_OUT)

        def narrowed(policies: tuple[Policy, ...]) -> tuple[Statement, ...]:
            return tuple(st for p in policies for st in p.statements
                         if action_may_match(st.actions, st.not_actions, action.value))

        boundary = (caller.boundary,) if caller.boundary is not None else ()
        # what picks the path the caller's own question takes and the values its witness chooses: the keys every
        # policy reads (decided by evaluation or not, queries.ground) and their conditions in order (the literals
        # the concrete-first guesses choose from, smt.guess), whatever the action of their statements
        whole = (*caller.identity_policies, *boundary, *caller.session_policies)
        by_key: dict[str, dict[Any, None]] = {}
        for p in whole:
            for st in p.statements:
                for c in st.conditions:
                    by_key.setdefault(c.key, {})[c] = None
        path = (tuple(p.version for p in whole), frozenset().union(*(keys_read(p) for p in whole)),
                tuple(sorted((k, tuple(conds)) for k, conds in by_key.items())))
        hit = ((*kept, path),
               (narrowed(caller.identity_policies), narrowed(boundary), narrowed(caller.session_policies)))
        self._base[key] = hit
        return hit

    def _trust_facts(self, target: Target) -> tuple[frozenset[str], bool]:
        role = target.role
        hit = self._trust.get(role.arn)
        if hit is None:
            keys: set[str] = set()
            names = False
            for st in trust_statements(target):
                keys |= statement_keys(st)
                if st.not_principals is not None or any(
                        not ACCOUNT_PRINCIPAL.match(p.text) for p in st.principals or ()):
                    names = True
            hit = self._trust[role.arn] = (frozenset(keys), names)
        return hit

    def projection(self, name: Any, caller: Caller, target: Target, action: Action,
                   constraints: tuple[KeyConstraint, ...]) -> tuple[Any, ...]:
        """What the hop's policies can read of ``caller`` (see the module docstring); ``name`` is the owner's name
        for the caller (the engine's search state), under which its part of the projection is kept."""
        from trustgraph.graph.build import resource_may_match

        kept, per_kind = self._caller_base(name, caller, action)
        arn = target.role.arn
        relevant = tuple(frozenset(st for st in sts if resource_may_match(st, arn)) for sts in per_kind)
        trust_keys, names = self._trust_facts(target)
        keys = set(trust_keys)
        keys.update(c.key.lower() for c in constraints)
        for group in relevant:
            for st in group:
                keys |= statement_keys(st)
        names = names or bool(keys & NAME_KEYS)
        tags = caller.tags if any(k.startswith("aws:principaltag/") for k in keys) else None
        named = caller_names(caller) if names else None
        return (kept, named, tags, relevant, caller.boundary is not None)

    def unsat_key(self, key: tuple[Any, ...], caller: Caller, question: HopQuestion) -> tuple[Any, ...] | None:
        """The class key ``key`` of a hop (:meth:`key`) without what only picks a witness, with what a verdict shared
        without a replay also depends on: the question's time and duration, whether the caller's policies substitute
        variables, and the caller's tags and names when its SCPs read them (a Sat answer shared is evaluated again for
        the member, which reads the SCPs; an Unsat one is not). None (not shared) when the caller's policies mix
        Versions: an Action or Resource glob equals another by its text, while ``${...}`` in it is a variable only
        under 2012-10-17, so the statements kept would not say which of them substitute."""
        substitutes = {p.version == VERSION_2012
                       for p in (*caller.identity_policies, *caller.session_policies,
                                 *((caller.boundary,) if caller.boundary is not None else ()))}
        if len(substitutes) > 1:
            return None
        levels = caller.scp_levels
        reads = self._scp_reads.get(id(levels))
        if reads is None:
            keys: set[str] = set()
            for level in levels or ():
                for p in level:
                    for st in p.statements:
                        keys |= statement_keys(st)
            reads = self._scp_reads[id(levels)] = (any(k.startswith("aws:principaltag/") for k in keys),
                                                   bool(keys & NAME_KEYS), levels)
        # the projection's last caller part (the keys and conditions of every policy, and their Versions) only picks
        # which witness a Sat member's own question finds: the statements that take part in the verdict are kept
        kept, *rest = key[4]
        return (*key[:4], kept[:-1], *rest, question.now_ms, question.duration_seconds, frozenset(substitutes),
                caller.tags if reads[0] else None, caller_names(caller) if reads[1] else None)

    # ---------------------------------------------------------------------------------------------------- answers
    def key(self, name: Any, caller: Caller, target: Target, action: Action, constraints: tuple[KeyConstraint, ...],
            closed: bool) -> tuple[Any, ...]:
        """The class key of a hop of a concrete caller (``name``: see :meth:`projection`)."""
        return (target.role.arn, action, constraints, closed,
                self.projection(name, caller, target, action, constraints))

    def answer(self, engine: ReachabilityEngine, state: State, question: HopQuestion,
               solve: Callable[[HopQuestion, SolverSession], HopResult]) -> HopResult:
        """The answer to a hop the engine could not decide by evaluation: the class's Sat witness replayed for the
        caller when its class has one (and the replay allows), else ``solve(question, session)``, remembered for the
        class when it is a witness found without z3 (see the module docstring). ``state`` is the engine's name
        for the caller."""
        from trustgraph.smt.solve import Sat, Unsat

        caller = question.caller
        key = None
        unsat_key = None
        options = engine.session.options
        if options.hop_classes and isinstance(caller, Caller):
            key = self.key(state, caller, question.target, question.action, question.constraints, question.closed)
            known = self._answers.get(key)
            if known is not None:
                out = _replayed(known, caller, question.target, question.now_ms, self._requests)
                if out is not None:
                    self.hits += 1
                    return out
            if self.share_unsat and options.inject_unknown is None:
                unsat_key = self.unsat_key(key, caller, question)
                if unsat_key is not None and unsat_key in self._unsat:
                    self.unsat_hits += 1
                    return _own_core(question, engine.session, solve)
        engine.solver_calls += 1
        stats = engine.session.stats
        before = (stats.solver_calls, stats.hits)
        result = solve(question, engine.session)
        # a witness z3 chose (or the store kept) holds values z3 picked among many (a session name): another member
        # asked on its own may get others, so only the concrete-first guesses' witnesses (the same for every member)
        # are shared
        if (key is not None and isinstance(result, Sat) and not result.approximations
                and (stats.solver_calls, stats.hits) == before):
            self._answers.setdefault(key, result)
        elif unsat_key is not None and isinstance(result, Unsat):
            self._unsat.add(unsat_key)
        return result


def _own_core(question: HopQuestion, session: SolverSession,
              solve: Callable[[HopQuestion, SolverSession], HopResult]) -> Unsat:
    """The Unsat answer of a member of a class another member of which the solver proved Unsat (the same verdict:
    see the module docstring), its core computed when read by solving the member's own question, as its own answer's
    would be."""
    from trustgraph.smt.session import SessionLink
    from trustgraph.smt.solve import Unsat

    link = SessionLink(session)

    def explain() -> tuple[tuple[str, ...], tuple[Location, ...]]:
        own = solve(question, link())
        if isinstance(own, Unsat):
            return own.core, own.locations
        return ((f"no request satisfies the hop (its class's was proved Unsat; solving it alone gave {own})",), ())
    return Unsat(explain=explain)


def _levels_text(levels: tuple[tuple[Policy, ...], ...] | None) -> Any:
    if levels is None:
        return None
    return tuple(tuple(p.canonical_text() for p in level) for level in levels)


def _replayed(known: Sat, caller: Caller, target: Target, now_ms: int | None, requests: dict[int, Request]
              ) -> Sat | None:
    """The class's Sat witness as ``caller``'s: its own principal keys, the witness's choices kept, replayed."""
    from trustgraph.model.values import format_date
    from trustgraph.semantics.context import principal_context
    from trustgraph.semantics.evaluate import evaluate_hop
    from trustgraph.smt.solve import Sat

    old_caller = known.caller
    chosen: dict[str, Any] = {}
    for f in _CHOSEN:
        value = getattr(old_caller, f)
        if f == "session_name" and caller.session_name is not None:
            continue
        chosen[f] = value
    new_caller = replace(caller, **chosen)
    if any(getattr(new_caller, f.name) != getattr(old_caller, f.name)
           for f in fields(Caller) if f.name not in LEFT_OUT):
        return None  # not the same class after all (a witness choice this module does not know)
    if now_ms is None:
        return None  # the solver reads the clock: nothing to replay against
    now_text = format_date(now_ms)  # the question's time (the witness's aws:CurrentTime is absent when closed)
    ctx = dict(known.request.context)
    for k in principal_context(old_caller, now=now_text):
        ctx.pop(k, None)
    ctx.update(principal_context(new_caller, now=now_text))
    request = interned_request(requests, known.request.action, ctx, known.request.duration_seconds)
    decision = evaluate_hop(new_caller, target, request)
    if not decision.allowed or decision.approximations:
        return None
    return Sat(caller=new_caller, request=request, decision=decision, approximations=())


__all__ = ["ACCOUNT_PRINCIPAL", "LEFT_OUT", "NAME_FIELDS", "NAME_KEYS", "HopClasses", "caller_names",
           "statement_keys"]
