"""The reference path of one hop: encode the candidate's question for z3, solve it, decode the model, find the core.

:func:`encode_and_solve` is the whole answer for one candidate shape of the caller once the ground part of its
request is known (``smt.solve`` builds it): every condition that can matter is encoded (``smt.encode``) or folded by
the concrete evaluator when all its keys are ground, the Boolean structure on top is read off the evaluator
(``smt.structure``), and z3 decides (``smt.decide``). A Sat model is decoded and replayed (``smt.witness``). An Unsat
answer carries a minimal core when it costs no more solver runs, and otherwise says so (``core_computed`` False): the
caller (``smt.solve``) decides when the core is computed, with ``want_core``.

No shortcut lives here except folding (a condition over ground keys is decided by the evaluator itself, a formula that
folds to True/False needs no z3: both are the evaluator's own answer). ``ground_constraints`` (the one switch this
function takes) turns ``equals``/``absent`` constraints on caller-chosen keys into ground values instead of z3
assertions; both encodings say the same (tests/smt hold them to each other).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trustgraph.model.location import Location
from trustgraph.model.policy import Effect, Statement
from trustgraph.model.values import parse_date
from trustgraph.semantics.request import TAGS_PASSED_KEYS, Action, CallerKind, Decision, Request
from trustgraph.smt.constraints import constraint_term, ground_satisfies
from trustgraph.smt.decide import check_tracked, core_by_deletion
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
    tags_outside_limits,
    transitive_slot_bound,
    unevaluated_claim,
)
from trustgraph.smt.results import HopResult, KeyConstraint, Unknown, Unsat
from trustgraph.smt.slots import small_model_bounds
from trustgraph.smt.structure import MAX_STRUCTURE_BITS, Addr, group_bits, hop_policies, rebuild, relevant
from trustgraph.smt.symbolic import Candidate
from trustgraph.smt.terms import Term, and_, implies, not_, or_, to_z3
from trustgraph.smt.witness import witness
from trustgraph.smt.z3lazy import z3

if TYPE_CHECKING:
    from trustgraph.smt.cache import SolvedFormulas, SolverStats
    from trustgraph.smt.question import HopQuestion


@dataclass(frozen=True)
class Clock:
    """The analysis time of one question: ``now_ms`` as asked (None: free) and the text every request carries."""

    now_ms: int | None
    text: str


@dataclass
class _Tracked:
    name: str
    location: Location | None


def groundable(c: KeyConstraint, kind: CallerKind, action: Action) -> bool:
    """Whether an ``equals``/``absent`` constraint may be taken as the key's ground value: not when it contradicts the
    key's presence (``absent`` on a key every such request carries, ``equals`` on one none carries); z3 then decides
    it against the presence axioms, as the reference does."""
    from trustgraph.semantics.keys import PresenceKind, presence

    kind_of = presence(c.key.lower(), kind, action).kind
    return not ((c.op == "absent" and kind_of is PresenceKind.ALWAYS)
                or (c.op == "equals" and kind_of is PresenceKind.NEVER))


def pin_constraints(cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], builders: dict[str, Any],
                    *, ground_constraints: bool) -> list[KeyConstraint] | Unsat:
    """The question's constraints the caller's fixed keys decide, and (``ground_constraints``) the ``equals``/``absent``
    ones on other keys grounded into ``ground`` (changed here); the constraints left for z3, or the Unsat a
    constraint proves. ``ground`` holds the candidate's ground keys without its ``builders``' (symbolic principal
    keys)."""
    from trustgraph.semantics.keys import key_info

    z3_constraints: list[KeyConstraint] = []
    pinned: dict[str, tuple[str, ...]] = {}  # the keys grounded from constraints here, and their values
    for c in q.constraints:
        k = c.key.lower()
        if k in ground and k not in builders and key_info(k).principal_derived:
            have = ground.get(k)
            if not ground_satisfies(c, have):
                return Unsat((f"constraint {c}: the caller's {k} is {list(have) if have else 'absent'}",))
            continue
        if (ground_constraints and c.op in ("absent", "equals") and k not in builders
                and not key_info(k).principal_derived and groundable(c, cand.template.kind, q.action)):
            problem = unevaluated_claim(cand.provider_host, k) if c.op == "equals" else None
            if problem is not None:
                return Unsat((f"constraint {c}: {problem}",))
            value: tuple[str, ...] = () if c.op == "absent" else tuple(c.values)
            if k in pinned and pinned[k] != value:  # two constraints pin the key differently: no request meets both
                return Unsat((f"constraint {c}: contradicts another constraint on {k}",))
            ground[k] = pinned[k] = value
            continue
        z3_constraints.append(c)
    return z3_constraints


def encode_and_solve(cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], clock: Clock,
                     stats: SolverStats, *, ground_constraints: bool, want_core: bool,
                     injected: str | None = None, small_model_slots: bool = False,
                     string_cells: bool = False, solved: SolvedFormulas | None = None,
                     cores: SolvedFormulas | None = None, guided_cores: bool = False) -> HopResult:
    """The answer for one candidate by encoding and z3 (see the module docstring). ``ground`` holds the request keys
    the candidate and the role fix (it is extended here); ``stats`` counts the work; ``injected`` (tests of the
    timeout path) replaces the z3 run by an Unknown with that reason; ``small_model_slots`` gives multi-valued keys
    the slots :func:`~trustgraph.smt.slots.small_model_bounds` proves enough instead of two per condition;
    ``string_cells`` decides string variables that only meet regular expressions with our own automata
    (:mod:`trustgraph.smt.strings`) before z3's sequence solver; ``solved``: the session's z3 answers by formulas
    (:func:`~trustgraph.smt.decide.check_tracked`); ``cores``: the session's cores by formulas, for ``want_core``
    (:func:`~trustgraph.smt.decide.core_by_deletion`); ``guided_cores``: that core's deletion pass skips the trials
    an assumption core decides."""
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.keys import origin_of

    target, action, constraints, closed = q.target, q.action, q.constraints, q.closed
    duration, now_ms, now_text, timeout = q.duration_seconds, clock.now_ms, clock.text, q.timeout
    template = cand.template
    given = frozenset(c.key.lower() for c in constraints)
    builders: dict[str, Any] = {}
    env = Env(slot_bound=dict(cand.slot_bounds))
    env.scratch["now_ms"] = now_ms if now_ms is not None else parse_date(now_text)
    if cand.setup is not None:
        builders = cand.setup(env)
        for k in builders:
            ground.pop(k, None)
    left = pin_constraints(cand, q, ground, builders, ground_constraints=ground_constraints)
    if isinstance(left, Unsat):
        return left
    z3_constraints = left
    view = HopView(action=action, origin=origin_of(template.kind, action), ground=ground, builders=builders,
                   closed=closed, given=given, provider_host=cand.provider_host,
                   carried_source_identity=template.source_identity
                   if template.kind is CallerKind.ROLE_SESSION else None,
                   now_ms=now_ms, target_tags=target.role.tags, symbolic_caller=cand.symbolic)
    env.resolver = resolver(view)
    hop_actions = (action, Action.TAG_SESSION, Action.SET_SOURCE_IDENTITY)
    statements = []
    variables_of: dict[Addr, bool] = {}
    for addr, policy in hop_policies(template, target):
        for si, st in enumerate(policy.statements):
            statements.append(((*addr, si), st))
            variables_of[(*addr, si)] = policy.variables_enabled
    tag_refs = {k for _, st in statements for k in block_keys(st.conditions) if k.startswith("aws:requesttag/")}
    if small_model_slots:
        # every aws:RequestTag/k in the symbolic request is coupled to aws:TagKeys: those the conditions read, those
        # a constraint names and the transitive tags a session carries
        coupled = tag_refs | {c.key.lower() for c in constraints if c.key.lower().startswith("aws:requesttag/")}
        if template.kind is CallerKind.ROLE_SESSION:
            coupled |= {f"aws:requesttag/{k.lower()}" for k, _ in template.transitive_tags}
        env.slot_bound.update(small_model_bounds([st for _, st in statements], len(coupled), env.slot_bound))
    else:
        # slot bounds for multi-valued keys (§6.7): occurrences of the key in conditions (both polarities)
        for _, st in statements:
            for cond_ in st.conditions:
                env.slot_bound[cond_.key] = env.slot_bound.get(cond_.key, 0) + 2
        env.slot_bound["aws:tagkeys"] = env.slot_bound.get("aws:tagkeys", 0) + len(tag_refs) + 1
    for c in z3_constraints:
        if c.op == "equals":
            env.slot_bound[c.key.lower()] = max(env.slot_bound.get(c.key.lower(), 1), len(c.values))
    transitive_slot_bound(env.slot_bound)

    # constraints (every constrained key enters the environment, ground or symbolic)
    for c in constraints:
        env.key(c.key.lower())
    # a session's inherited transitive tags cannot be passed again with another value (semantics.carried)
    for tag_key, tag_value in (template.transitive_tags if template.kind is CallerKind.ROLE_SESSION else ()):
        kv = env.key(f"aws:requesttag/{tag_key.lower()}")
        if kv.pres is not False:
            env.axiom(f"caller: carries the transitive tag {tag_key}={tag_value}, which a chained call cannot change",
                      implies(kv.pres, kv.val == z3.StringVal(tag_value)))
    tracked: list[tuple[_Tracked, Term]] = []
    for c in z3_constraints:
        tracked.append((_Tracked(f"constraint {c}", None), constraint_term(env, c)))

    # conditions
    choice_base: dict[Addr, bool] = {}
    bits: list[tuple[Addr, Term]] = []
    cond_locations: dict[Addr, Location] = {}
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
                if t is False:
                    cond_locations[(*addr, j)] = cond.location
                continue
            atom = z3.Bool(f"cond|{'/'.join(map(str, addr))}/{j}")
            tracked.append((_Tracked(f"condition {cond} at {cond.location}", cond.location), atom == t))
            parts.append(atom)
        term = and_(*parts)
        if isinstance(term, bool):
            choice_base[addr] = term
        else:
            bits.append((addr, term))
    tag_couplings(env)
    tag_limits(env)
    claim_couplings(env, cand.provider_host)
    tags_term: Term = or_(*(kv.pres for k, kv in env.vars.items()
                            if k.startswith("aws:requesttag/") or k in TAGS_PASSED_KEYS))
    si_var = env.vars.get("sts:sourceidentity")
    si_term: Term = si_var.pres if si_var is not None else bool(view.carried_source_identity)
    groups = group_bits(bits, dict(statements), template, hop_actions)
    if len(groups) > MAX_STRUCTURE_BITS:
        return Unknown(f"{len(groups)} groups of statements with symbolic conditions exceed the structural "
                       f"expansion limit ({MAX_STRUCTURE_BITS})")

    # structure from the evaluator
    from trustgraph.semantics.evaluate import evaluate_hop

    flags: list[tuple[str, Term]] = [("tags", tags_term), ("srcid", si_term)]
    free_flags = [(n, t) for n, t in flags if not isinstance(t, bool)]
    allowed_terms: list[Term] = []
    base_decision: Decision | None = None
    struct_approx: list[str] = []
    orders = [(True, False)] * len(groups) + [(False, True)] * len(free_flags)
    for values in itertools.product(*orders):
        choice = dict(choice_base)
        lits: list[Term] = []
        for (addrs, term), v in zip(groups, values[: len(groups)], strict=True):
            # interchangeable statements: the first stands for the group, the others are dropped
            for i, addr in enumerate(addrs):
                choice[addr] = v and i == 0
            lits.append(term if v else not_(term))
        flag_values = {n: t for n, t in flags if isinstance(t, bool)}
        for (n, t), v in zip(free_flags, values[len(groups):], strict=True):
            flag_values[n] = v
            lits.append(t if v else not_(t))
        c2, t2 = rebuild(template, target, choice)
        extra: dict[str, tuple[str, ...]] = {}
        if flag_values["tags"]:
            extra["aws:requesttag/tg-structure"] = ("x",)
        if flag_values["srcid"]:
            extra["sts:sourceidentity"] = (view.carried_source_identity or "tg-structure",)
        req = build_request(c2, action, extra, target=t2, duration_seconds=duration, now=now_text)
        ctx = dict(req.context)
        if not flag_values["srcid"]:
            ctx.pop("sts:sourceidentity", None)
        d = evaluate_hop(c2, t2, Request(action=action, context=ctx, duration_seconds=duration))
        stats.count("structure_evaluations")
        if base_decision is None:
            base_decision = d
        if d.allowed:
            allowed_terms.append(and_(*lits))
            for what, loc in d.approximations:
                s = f"{what} at {loc}"
                if s not in struct_approx:
                    struct_approx.append(s)
    decision = or_(*allowed_terms)
    approximations = [f"{w} at {loc}" for w, loc in env.approximations] + struct_approx

    if decision is False:
        stats.count("fast_path")
        assert base_decision is not None
        core = list(base_decision.reasons) or ["no combination of the statements' conditions allows the hop"]
        core += [f"condition {_cond_at(statements, a)} can never hold" for a in cond_locations]
        locs = [st.location for st in base_decision.statements] + list(cond_locations.values())
        return Unsat(tuple(dict.fromkeys(core)), tuple(dict.fromkeys(locs)))

    symbolic_vars = [kv for kv in env.vars.values() if not kv.ground]
    if decision is True and not symbolic_vars and not tracked and not env.axioms:
        stats.count("fast_path")
        return witness(cand, target, action, env, None, builders, now_text, duration, approximations, view)

    # z3
    trackers: dict[str, _Tracked] = {}
    assertions: list[tuple[str, Any]] = []

    def track(info: _Tracked, term: Term) -> None:
        name = f"t{len(trackers)}|{info.name}"[:200]
        trackers[name] = info
        assertions.append((name, to_z3(term)))

    grouped: dict[str, list[Term]] = {}
    for name, term in env.axioms:
        grouped.setdefault(name, []).append(term)
    for name, terms in grouped.items():
        track(_Tracked(name, None), and_(*terms))
    for info, term in tracked:
        track(info, term)
    trust_locs = [st.location for addr, st in statements if addr[0] == "trust" and st.effect is Effect.ALLOW]
    track(_Tracked("decision: the hop's policies allow only under the conditions listed",
                   trust_locs[0] if trust_locs else None), decision)
    stats.count("solver_calls")
    if injected is not None:
        return Unknown(injected)
    core_names: list[str] | None
    def add_tag_limits() -> None:
        texts = question_texts([st for _, st in statements], constraints, view, template, target)
        for name, term in tag_value_limits(env, texts):
            track(_Tracked(name, None), term)

    if want_core:  # the hop is known unsat (an earlier run proved it): only the core is wanted
        add_tag_limits()  # the tags' limits may be what makes it unsat
        res, model, core_names, why = (z3.unsat, None, core_by_deletion(assertions, int(timeout),
                                                                          strings=string_cells, solved=cores,
                                                                          guided=guided_cores), "")
    else:
        res, model, core_names, why = check_tracked(assertions, int(timeout), strings=string_cells, solved=solved)
    if res == z3.sat and model is not None and tags_outside_limits(env, model):
        add_tag_limits()  # a tag of the model breaks its limits (STS refuses it): ask again with them
        res, model, core_names, why = check_tracked(assertions, int(timeout), strings=string_cells, solved=solved)
    if res == z3.sat:
        return witness(cand, target, action, env, model, builders, now_text, duration, approximations, view)
    if res == z3.unsat:
        if core_names is None:
            return Unsat(explain=_NOT_HERE)
        infos = [trackers[n] for n in core_names if n in trackers]
        return Unsat(tuple(dict.fromkeys(i.name for i in infos)),
                     tuple(dict.fromkeys(i.location for i in infos if i.location is not None)))
    return Unknown(f"z3: {why or 'unknown'}")


def _not_here() -> tuple[tuple[str, ...], tuple[Location, ...]]:
    raise AssertionError("a candidate's missing core is computed by smt.solve with want_core, never read directly")


_NOT_HERE = _not_here


def _ground_condition(env: Env, view: HopView, cond: Any, variables: bool) -> bool | None:
    """Fast path: a condition whose keys are all ground is decided by the concrete evaluator itself."""
    from trustgraph.semantics.conditions import UndecidableCondition, evaluate_condition

    ctx: dict[str, tuple[str, ...]] = {}
    for k in block_keys((cond,)):
        kv = env.key(k)
        if not kv.ground:
            return None
        values = view.ground.get(k, ())
        if values:
            ctx[k] = tuple(values)
    try:
        return evaluate_condition(cond, ctx, variables=variables)
    except UndecidableCondition:
        return None


def _cond_at(statements: list[tuple[Addr, Statement]], addr: Addr) -> str:
    for a, st in statements:
        if a == addr[:-1]:
            c = st.conditions[addr[-1]]
            return f"{c} at {c.location}"
    return str(addr)



__all__ = ["Clock", "encode_and_solve", "groundable", "pin_constraints"]
