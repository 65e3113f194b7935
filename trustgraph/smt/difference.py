"""NEW ∧ ¬OLD for one hop: a request the new policies of a role allow and the old ones deny, for the same caller.

This is IAM Access Analyzer's CheckNoNewAccess question (does the new policy grant access the old one did not?)
decided exactly for one assume-role hop, with the caller's side held fixed: the same candidate caller (its principal
keys, organization, MFA and tags symbolic as in :mod:`trustgraph.smt.symbolic`) sends one request, and that request is
allowed against ``new`` and denied against ``old``. The two targets are the same role as two estates see it (its
trust policy, the RCPs of its account); only what differs between them can make the formula satisfiable.

How it is built, following the reference path of :mod:`trustgraph.smt.solve` step by step:

1. Candidates come from the symbolic caller against a role whose trust policy holds the statements of *both*
   policies, so that within a candidate the principal match is fixed for each of them (the split is finer than
   either policy's own).
2. The conditions of both sides are encoded over one environment (one symbolic request); each side's condition atoms
   carry its name (``new|cond|...``, ``old|cond|...``) and are defined by equivalence with their formulas, so the
   negation of the old side is exact.
3. Each side's Boolean structure is read off the concrete evaluator (:func:`~trustgraph.smt.structure.rebuild` and
   :func:`~trustgraph.semantics.evaluate.evaluate_hop`), as for a single hop.
4. z3 decides ``axioms ∧ new`` first (the question a scan asks; no model means no new request, and a model whose
   request OLD denies is the answer), then, when OLD allows that request, ``axioms ∧ new ∧ ¬old``. A model is
   decoded into a caller and a request, and the request is replayed through the evaluator against both targets: it
   must be allowed by ``new`` and not by ``old``; a witness that does not replay is a bug
   (:class:`~trustgraph.errors.ReplayMismatch`), unless an encoded construct was over-approximated, and then the
   answer says so.

Each candidate is answered on its own (:func:`solve_difference` returns one answer per candidate), so a role that
lost the external id of one trusted account and the MFA condition of another reports both. No concrete-first guess
and no cache: the question is asked only for roles whose policies changed.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from trustgraph.errors import ReplayMismatch
from trustgraph.model.policy import Policy, Statement
from trustgraph.model.values import format_date, parse_date
from trustgraph.semantics.request import TAGS_PASSED_KEYS, Action, Caller, CallerKind, Decision, Request, Target
from trustgraph.smt.decide import check_tracked
from trustgraph.smt.encode import block_keys, encode_condition
from trustgraph.smt.env import Env
from trustgraph.smt.presence import (
    HopView,
    claim_couplings,
    question_texts,
    resolver,
    tag_couplings,
    tag_limits,
    tag_value_limits,
    transitive_slot_bound,
)
from trustgraph.smt.results import default_timeout_ms
from trustgraph.smt.slots import small_model_bounds
from trustgraph.smt.structure import MAX_STRUCTURE_BITS, Addr, group_bits, hop_policies, rebuild, relevant
from trustgraph.smt.symbolic import Builder, Candidate, SymbolicCaller, concrete_candidates, symbolic_candidates
from trustgraph.smt.terms import Term, and_, implies, not_, or_, to_z3
from trustgraph.smt.witness import decoded_request
from trustgraph.smt.z3lazy import z3


@dataclass(frozen=True, slots=True)
class NewAccess:
    """A request of ``caller`` that ``new`` allows and ``old`` denies, with both decisions of the evaluator.

    ``approximations`` name encoded constructs the answer rests on (empty: exact); with approximations the replay may
    disagree, and ``confirmed`` then says whether it did not."""

    caller: Caller
    request: Request
    new_decision: Decision
    old_decision: Decision
    approximations: tuple[str, ...] = ()

    @property
    def confirmed(self) -> bool:
        """The evaluator allows the request against NEW and denies it against OLD."""
        return self.new_decision.allowed and not self.old_decision.allowed


@dataclass(frozen=True, slots=True)
class NoNewAccess:
    """No request of the candidate is allowed by NEW and denied by OLD. ``approximations``: constructs of OLD that
    were over-approximated (OLD may deny more than the encoding says, so the proof is not exact)."""

    approximations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Undecided:
    """The solver could not decide (timeout, or a structure too large): never read as "no new access"."""

    reason: str


DifferenceResult = NewAccess | NoNewAccess | Undecided


@dataclass(frozen=True, slots=True)
class CandidateDifference:
    """The answer for one candidate shape of the caller (``label`` as :mod:`trustgraph.smt.symbolic` names it)."""

    label: str
    result: DifferenceResult


def merged_target(new: Target, old: Target) -> Target:
    """``new`` with a trust policy holding the statements of both: candidates split by every principal either names."""
    trust = new.role.trust_policy
    both = Policy(version=trust.version, statements=(*trust.statements, *old.role.trust_policy.statements),
                  location=trust.location)
    return replace(new, role=replace(new.role, trust_policy=both))


def solve_difference(caller: Caller | SymbolicCaller, new: Target, old: Target, action: Action, *,
                     timeout_ms: int | None = None, now_ms: int | None = None,
                     new_first: bool = True, inject_unknown: str | None = None, small_model_slots: bool = True,
                     string_cells: bool = True) -> list[CandidateDifference]:
    """For each candidate of ``caller``: is there a request for ``action`` that ``new`` allows and ``old`` denies?

    ``new`` and ``old`` are the same role (same ARN) in two estates. ``now_ms`` pins aws:CurrentTime (the clock when
    None). ``new_first`` (a switch for tests) asks NEW alone before the conjunction (step 4 of the module docstring).
    ``inject_unknown`` (tests of the timeout path, the analysis' ``SolverOptions.inject_unknown``) makes every
    question that reaches z3 undecided with that reason. ``small_model_slots`` and ``string_cells`` are the fast
    paths of the same names (:class:`~trustgraph.smt.options.SolverOptions`; off, the reference encoding and z3
    alone): the bound of :mod:`trustgraph.smt.slots` over the statements of both sides, and the string variables
    decided by :mod:`trustgraph.smt.strings`.
    """
    if new.role.arn != old.role.arn:
        raise ValueError(f"solve_difference compares one role: {new.role.arn} is not {old.role.arn}")
    timeout = timeout_ms if timeout_ms is not None else default_timeout_ms()
    both = merged_target(new, old)
    if isinstance(caller, SymbolicCaller):
        candidates = symbolic_candidates(caller, both, action)
    else:
        candidates = concrete_candidates(caller, both)
    now_text = format_date(now_ms if now_ms is not None else int(time.time()) * 1000)
    out: list[CandidateDifference] = []
    for cand in candidates:
        result = _solve_candidate(cand, new, old, action, timeout, now_ms, now_text, new_first, inject_unknown,
                                  small_model_slots, string_cells)
        if isinstance(result, NewAccess) and isinstance(caller, SymbolicCaller) and caller.identity_unknown:
            result = replace(result, approximations=(*result.approximations, caller.identity_unknown))
        out.append(CandidateDifference(cand.label, result))
    return out


@dataclass
class _Side:
    """One side's statements, symbolic condition groups, fixed choices and approximations."""

    name: str
    target: Target
    statements: list[tuple[Addr, Statement]]
    choice_base: dict[Addr, bool]
    bits: list[tuple[Addr, Term]]
    approximations: list[str]


def _side_statements(template: Caller, target: Target) -> list[tuple[Addr, Statement, bool]]:
    """The statements of one side's policies with their addresses and whether their policy reads variables."""
    return [((*addr, si), st, policy.variables_enabled) for addr, policy in hop_policies(template, target)
            for si, st in enumerate(policy.statements)]


def _encode_side(name: str, cand: Candidate, target: Target, action: Action, env: Env, view: HopView,
                 tracked: list[tuple[str, Term]], *, slots_set: bool = False) -> _Side:
    template = cand.template
    hop_actions = (action, Action.TAG_SESSION, Action.SET_SOURCE_IDENTITY)
    statements: list[tuple[Addr, Statement]] = []
    variables_of: dict[Addr, bool] = {}
    for addr, st, variables in _side_statements(template, target):
        statements.append((addr, st))
        variables_of[addr] = variables
    if not slots_set:  # the reference bound: two slots per condition on the key
        for _, st in statements:
            for cond_ in st.conditions:
                env.slot_bound[cond_.key] = env.slot_bound.get(cond_.key, 0) + 2
        tag_refs = {k for _, st in statements for k in block_keys(st.conditions) if k.startswith("aws:requesttag/")}
        env.slot_bound["aws:tagkeys"] = env.slot_bound.get("aws:tagkeys", 0) + len(tag_refs) + 1
        transitive_slot_bound(env.slot_bound)  # per side: more slots than needed, never fewer
    before = len(env.approximations)
    choice_base: dict[Addr, bool] = {}
    bits: list[tuple[Addr, Term]] = []
    for addr, st in statements:
        if not st.conditions:
            continue
        if not relevant(st, addr, template, hop_actions, target.role.arn):
            choice_base[addr] = False
            continue
        parts: list[Term] = []
        for j, cond in enumerate(st.conditions):
            t = _ground_condition(env, view, cond, variables_of[addr])
            if t is None:
                t = encode_condition(env, cond)
            if isinstance(t, bool):
                parts.append(t)
                continue
            atom = z3.Bool(f"{name}|cond|{'/'.join(map(str, addr))}/{j}")
            tracked.append((f"{name}: condition {cond} at {cond.location}", atom == t))
            parts.append(atom)
        term = and_(*parts)
        if isinstance(term, bool):
            choice_base[addr] = term
        else:
            bits.append((addr, term))
    approximations = [f"{w} at {loc}" for w, loc in env.approximations[before:]]
    return _Side(name, target, statements, choice_base, bits, approximations)


def _structure(side: _Side, cand: Candidate, action: Action, flags: list[tuple[str, Term]], view: HopView,
               now_text: str) -> Term | None:
    """The side's decision as a formula over its condition atoms and the flags (None: too many groups)."""
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.evaluate import evaluate_hop

    template = cand.template
    hop_actions = (action, Action.TAG_SESSION, Action.SET_SOURCE_IDENTITY)
    groups = group_bits(side.bits, dict(side.statements), template, hop_actions)
    if len(groups) > MAX_STRUCTURE_BITS:
        return None
    free_flags = [(n, t) for n, t in flags if not isinstance(t, bool)]
    allowed: list[Term] = []
    orders = [(True, False)] * len(groups) + [(False, True)] * len(free_flags)
    for values in itertools.product(*orders):
        choice = dict(side.choice_base)
        lits: list[Term] = []
        for (addrs, term), v in zip(groups, values[: len(groups)], strict=True):
            for i, addr in enumerate(addrs):
                choice[addr] = v and i == 0
            lits.append(term if v else not_(term))
        flag_values = {n: t for n, t in flags if isinstance(t, bool)}
        for (n, t), v in zip(free_flags, values[len(groups):], strict=True):
            flag_values[n] = v
            lits.append(t if v else not_(t))
        c2, t2 = rebuild(template, side.target, choice)
        extra: dict[str, tuple[str, ...]] = {}
        if flag_values["tags"]:
            extra["aws:requesttag/tg-structure"] = ("x",)
        if flag_values["srcid"]:
            extra["sts:sourceidentity"] = (view.carried_source_identity or "tg-structure",)
        req = build_request(c2, action, extra, target=t2, now=now_text)
        ctx = dict(req.context)
        if not flag_values["srcid"]:
            ctx.pop("sts:sourceidentity", None)
        d = evaluate_hop(c2, t2, Request(action=action, context=ctx))
        if d.allowed:
            allowed.append(and_(*lits))
            side.approximations.extend(f"{w} at {loc}" for w, loc in d.approximations)
    return or_(*allowed)


def _view(cand: Candidate, target: Target, action: Action, now_ms: int | None, now_text: str,
          builders: dict[str, Builder]) -> HopView:
    from trustgraph.semantics.context import principal_context
    from trustgraph.semantics.keys import origin_of

    template = cand.template
    ground: dict[str, tuple[str, ...]] = dict(principal_context(template, now=now_text))
    ground["aws:resourceaccount"] = (target.role.account,)
    if target.org_known:
        ground["aws:resourceorgid"] = ()
        ground["aws:resourceorgpaths"] = ()
        ground.update(target.resource_org_context())
    if template.kind is CallerKind.ROLE_SESSION and template.source_identity is not None:
        ground["sts:sourceidentity"] = (template.source_identity,)
    for tag_key, tag_value in target.role.tags:
        ground.setdefault(f"aws:resourcetag/{tag_key.lower()}", (tag_value,))
    for k in builders:
        ground.pop(k, None)
    return HopView(action=action, origin=origin_of(template.kind, action), ground=ground,
                   builders=builders,
                   provider_host=cand.provider_host,
                   carried_source_identity=template.source_identity
                   if template.kind is CallerKind.ROLE_SESSION else None,
                   now_ms=now_ms, target_tags=target.role.tags, symbolic_caller=cand.symbolic)


def _solve_candidate(cand: Candidate, new: Target, old: Target, action: Action, timeout: int, now_ms: int | None,
                     now_text: str, new_first: bool, injected: str | None, small_model_slots: bool,
                     string_cells: bool) -> DifferenceResult:
    env = Env(slot_bound=dict(cand.slot_bounds))
    env.scratch["now_ms"] = now_ms if now_ms is not None else parse_date(now_text)
    builders = cand.setup(env) if cand.setup is not None else {}
    # the request's role-side keys (its account, organization, tags) are NEW's: the request is sent to the role as
    # it is after the change; OLD is asked about the same request
    view = _view(cand, new, action, now_ms, now_text, builders)
    env.resolver = resolver(view)
    # a session's inherited transitive tags cannot be passed again with another value (as smt.solve asserts)
    template = cand.template
    for tag_key, tag_value in (template.transitive_tags if template.kind is CallerKind.ROLE_SESSION else ()):
        kv = env.key(f"aws:requesttag/{tag_key.lower()}")
        if kv.pres is not False:
            env.axiom(f"caller: carries the transitive tag {tag_key}={tag_value}, which a chained call cannot change",
                      implies(kv.pres, kv.val == z3.StringVal(tag_value)))
    tracked: list[tuple[str, Term]] = []
    if small_model_slots:  # smt.slots: one member per condition of either side that reads the key
        both_sides = [st for t in (new, old) for _, st, _ in _side_statements(template, t)]
        tag_refs = {k for st in both_sides for k in block_keys(st.conditions) if k.startswith("aws:requesttag/")}
        if template.kind is CallerKind.ROLE_SESSION:  # carried transitive tags are coupled to aws:TagKeys too
            tag_refs |= {f"aws:requesttag/{k.lower()}" for k, _ in template.transitive_tags}
        env.slot_bound.update(small_model_bounds(both_sides, len(tag_refs), env.slot_bound))
        transitive_slot_bound(env.slot_bound)
    sides = [_encode_side(name, cand, target, action, env, view, tracked, slots_set=small_model_slots)
             for name, target in (("new", new), ("old", old))]
    # Passing session tags (or a source identity) is the caller's free choice even where no condition reads them:
    # NEW may allow sts:TagSession / sts:SetSourceIdentity where OLD did not, which is new access. A hop question can
    # fix them absent (passing them never helps reach a role); a difference question cannot.
    env.key("aws:tagkeys")
    env.key("sts:sourceidentity")
    tag_couplings(env)
    tag_limits(env)  # and the limits on the tags' keys and values, which a difference question states at once
    sides_statements = [st for t in (new, old) for _, st, _ in _side_statements(template, t)]
    tag_value_limits(env, question_texts(sides_statements, (), view, template, new, old))
    claim_couplings(env, cand.provider_host)
    tags_term: Term = or_(*(kv.pres for k, kv in env.vars.items()
                            if k.startswith("aws:requesttag/") or k in TAGS_PASSED_KEYS))
    si_var = env.vars.get("sts:sourceidentity")
    si_term: Term = si_var.pres if si_var is not None else bool(view.carried_source_identity)
    flags: list[tuple[str, Term]] = [("tags", tags_term), ("srcid", si_term)]
    decisions: list[Term] = []
    for side in sides:
        d = _structure(side, cand, action, flags, view, now_text)
        if d is None:
            return Undecided(f"{side.name}: more groups of statements with symbolic conditions than the structural "
                             f"expansion handles ({MAX_STRUCTURE_BITS})")
        decisions.append(d)
    new_side, old_side = sides
    formula = and_(decisions[0], not_(decisions[1]))
    if formula is False:
        return NoNewAccess(tuple(old_side.approximations))
    if injected is not None:
        return Undecided(injected)
    grouped: dict[str, list[Term]] = {}
    for name, term in env.axioms:
        grouped.setdefault(name, []).append(term)
    base: list[tuple[str, Term]] = [(name, and_(*terms)) for name, terms in grouped.items()]
    approximations = [*new_side.approximations, *old_side.approximations]
    # first NEW alone (the question a scan asks, cheap for z3): no request at all means no new request; a witness
    # OLD denies is the answer. z3's string theory decides NEW ∧ ¬OLD much more slowly when ¬OLD negates a glob over
    # a concatenation (an organization path is the caller's organization id + "/r-" + ...), so it is asked only when
    # OLD allows NEW's witness.
    if new_first:
        new_tracked = [t for t in tracked if t[0].startswith("new:")]
        res, model, _core, why = check_tracked(_named([*base, *new_tracked, ("new allows", decisions[0])]), timeout,
                                               strings=string_cells)
        if res == z3.unsat:
            return NoNewAccess(tuple(old_side.approximations))
        if res == z3.sat:
            first = _witness(cand, new, old, action, env, model, builders, now_text, view, approximations)
            if first.confirmed:
                return first
    res, model, _core, why = check_tracked(_named([*base, *tracked, ("new allows and old denies", formula)]),
                                           timeout, strings=string_cells)
    if res == z3.unsat:
        return NoNewAccess(tuple(old_side.approximations))
    if res != z3.sat:
        return Undecided(f"z3: {why or 'unknown'}")
    answer = _witness(cand, new, old, action, env, model, builders, now_text, view, approximations)
    if not answer.confirmed and not approximations:
        raise ReplayMismatch(f"new-access witness for {answer.caller.arn} -> {new.role.arn} ({action.value}) "
                             f"replays to new={answer.new_decision.verdict.value}, "
                             f"old={answer.old_decision.verdict.value}; context {dict(answer.request.context)}")
    return answer


def _named(assertions: list[tuple[str, Term]]) -> list[tuple[str, object]]:
    return [(f"t{i}|{name}"[:200], to_z3(term)) for i, (name, term) in enumerate(assertions)]


def _witness(cand: Candidate, new: Target, old: Target, action: Action, env: Env, model: z3.ModelRef,
             builders: dict[str, Builder], now_text: str, view: HopView, approximations: list[str]) -> NewAccess:
    """Decode the model and replay the request against both targets (NEW must allow it: a witness it denies is a
    bug, :class:`~trustgraph.errors.ReplayMismatch`, unless the answer rests on approximations)."""
    from trustgraph.semantics.evaluate import evaluate_hop

    caller, ctx = decoded_request(cand, new, action, env, model, builders, now_text, None, view)
    request = Request(action=action, context=ctx)
    new_d = evaluate_hop(caller, new, request)
    old_d = evaluate_hop(caller, old, request)
    approx = list(dict.fromkeys(approximations))
    for d in (new_d, old_d):
        approx.extend(s for s in (f"{w} at {loc}" for w, loc in d.approximations) if s not in approx)
    if not new_d.allowed and not approximations:
        raise ReplayMismatch(f"witness for {caller.arn} -> {new.role.arn} ({action.value}) replays to "
                             f"{new_d.verdict.value} against NEW: {new_d.reasons}; context {dict(ctx)}")
    return NewAccess(caller, request, new_d, old_d, tuple(approx))


def _ground_condition(env: Env, view: HopView, cond: object, variables: bool) -> bool | None:
    """A condition whose keys are all ground is decided by the concrete evaluator itself (as ``smt.solve`` does)."""
    from trustgraph.semantics.conditions import UndecidableCondition, evaluate_condition

    ctx: dict[str, tuple[str, ...]] = {}
    for k in block_keys((cond,)):  # type: ignore[arg-type]
        kv = env.key(k)
        if not kv.ground:
            return None
        values = view.ground.get(k, ())
        if values:
            ctx[k] = tuple(values)
    try:
        return evaluate_condition(cond, ctx, variables=variables)  # type: ignore[arg-type]
    except UndecidableCondition:
        return None


def differences(answers: Sequence[CandidateDifference]) -> list[NewAccess]:
    """The new-access witnesses among per-candidate answers."""
    return [a.result for a in answers if isinstance(a.result, NewAccess)]


__all__ = ["CandidateDifference", "DifferenceResult", "NewAccess", "NoNewAccess", "Undecided", "differences",
           "merged_target", "solve_difference"]
