"""One solve entry point: is there a request by this caller that gets through this hop?

:func:`solve_hop` answers with :class:`Sat` (a concrete caller and request, replayed through the concrete evaluator
before it is returned), :class:`Unsat` (an unsat core naming the conditions, constraints and facts that block) or
:class:`Unknown` (solver timeout or a structure too large; never reported as unreachable).

How a hop becomes a formula
---------------------------
1. The caller becomes candidates (``smt.symbolic``): a concrete caller is one candidate (one per possible session
   name when its session name is free); a symbolic caller is split by the principals the trust policy names.
   Within a candidate, principal matching is fixed.
2. Every condition of every policy that can matter for the hop (trust, RCPs, the caller's identity policies,
   boundary, session policies, SCPs; statements whose action or principal cannot match are left out) is encoded
   over the symbolic request (``smt.encode``), folding to True/False where the keys are ground.
3. The Boolean structure on top of the conditions (explicit deny first, trust always required, Gate/Limits,
   boundaries, SCP levels, companion actions) is taken from the concrete evaluator itself: for each assignment of
   truth values to the statements whose conditions are still symbolic (and to "session tags passed" / "source
   identity set"), the evaluator decides the hop with those statements' conditions removed (true) or the
   statements removed (false). The hop formula is the disjunction of the allowing assignments. So the encoding
   cannot disagree with the evaluator on the structure, and conditions are checked against it by property tests.
4. Presence/domain axioms, constraints and the hop formula go to z3 with tracked assertions and a timeout.

Where the pieces live: this module holds the reference path (candidates, encoding, structural expansion, the z3
call); ``smt.structure`` the hop's statements and their expansion; ``smt.constraints`` the constraints;
``smt.decide`` the z3 runs and cores; ``smt.witness`` decoding and replay; ``smt.results`` the answer types.

Fast paths, each apart from the reference path and held to it by tests: a hop whose formula folds to a constant is
decided without z3 (when it folds to True and no key is symbolic, the witness is built directly from the ground
values); before anything is encoded, a few concrete requests are tried with the evaluator (``smt.concrete_first``
with ``smt.guess``): the first one it allows is the Sat answer, replayed like a solver witness; an outsider's MFA
twins are skipped when nothing reads MFA (``smt.mfa_twins``); answers are shared through the result cache
(``smt.sharing`` builds the keys, ``smt.cache`` stores).

Unsat answers from z3 carry a lazy core: the minimal core by deletion (one more solver run per assertion) is
computed the first time :attr:`Unsat.core` or :attr:`Unsat.locations` is read, by solving the hop again in core mode.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import z3  # type: ignore[import-untyped]

from trustgraph.model.location import Location
from trustgraph.model.policy import Effect, Statement
from trustgraph.model.values import format_date, parse_date
from trustgraph.semantics.request import Action, Caller, CallerKind, Decision, Request, Target
from trustgraph.smt import cache
from trustgraph.smt.concrete_first import try_concrete_first
from trustgraph.smt.constraints import constraint_term, ground_satisfies
from trustgraph.smt.decide import check_tracked, core_by_deletion
from trustgraph.smt.encode import block_keys, encode_condition
from trustgraph.smt.env import Env
from trustgraph.smt.mfa_twins import reads_mfa
from trustgraph.smt.presence import HopView, claim_couplings, resolver, tag_couplings, unevaluated_claim
from trustgraph.smt.results import (
    DEFAULT_TIMEOUT_MS,
    TIMEOUT_ENV,
    HopResult,
    KeyConstraint,
    Sat,
    Unknown,
    Unsat,
    default_timeout_ms,
    inject_unknown,
    injected_unknown,
)
from trustgraph.smt.sharing import cache_key, cacheable, rematerialize
from trustgraph.smt.structure import MAX_STRUCTURE_BITS, Addr, group_bits, hop_policies, rebuild, relevant
from trustgraph.smt.symbolic import Candidate, SymbolicCaller, concrete_candidates, symbolic_candidates
from trustgraph.smt.terms import Term, and_, implies, not_, or_, to_z3
from trustgraph.smt.witness import witness


def solve_hop(
    caller: Caller | SymbolicCaller,
    target: Target,
    action: Action,
    *,
    constraints: Sequence[KeyConstraint] = (),
    closed: bool = False,
    timeout_ms: int | None = None,
    now_ms: int | None = None,
    duration_seconds: int | None = None,
    fast_path: bool = True,
    use_cache: bool = True,
    concrete_first: bool = True,
) -> HopResult:
    """Is there a request by ``caller`` for ``action`` on ``target`` (satisfying ``constraints``) that is allowed?

    Parameters
    ----------
    caller
        A concrete :class:`Caller` (its policies and facts fixed; its session name free when None) or a
        :class:`SymbolicCaller` (an outsider).
    target, action
        The role and the STS action.
    constraints
        Extra conditions on request keys (see :class:`KeyConstraint`).
    closed
        Every key neither constrained nor derived from the caller is absent.
    timeout_ms
        Per solver call; default :func:`default_timeout_ms`.
    now_ms
        Pins aws:CurrentTime (epoch milliseconds); free when None.
    duration_seconds
        The requested session duration of the witness request.
    fast_path, use_cache
        Switches for tests and benches (both on by default).
    concrete_first
        With the fast path: try a few concrete requests with the evaluator before encoding the hop for z3
        (``smt.guess``); a switch for tests that compare the answers with and without it.
    """
    timeout = timeout_ms if timeout_ms is not None else default_timeout_ms()
    constraints = tuple(constraints)
    key = None
    if use_cache:
        key = cache_key(caller, target, action, constraints, closed, now_ms, duration_seconds,
                         (fast_path, fast_path and concrete_first))
        hit = cache.lookup(key)
        if hit is not None:
            out = rematerialize(hit, target)
            if out is not None:
                return out
    result = _solve(caller, target, action, constraints, closed, timeout, now_ms, duration_seconds, fast_path,
                    concrete_first=concrete_first)
    if key is not None and not isinstance(result, Unknown):
        cache.store(key, cacheable(result, target))
    return result


def _solve(caller: Caller | SymbolicCaller, target: Target, action: Action, constraints: tuple[KeyConstraint, ...],
           closed: bool, timeout: int, now_ms: int | None, duration: int | None, fast_path: bool,
           want_core: bool = False, concrete_first: bool = True) -> HopResult:
    """Solve every candidate of the caller. Unless ``want_core``, an unsat answer whose minimal core needs more
    solver runs comes back with a lazy core: :class:`Unsat` runs this function again with ``want_core`` (every
    candidate is then known unsat, so only the cores are computed) the first time its core is read."""
    if isinstance(caller, SymbolicCaller):
        candidates = symbolic_candidates(caller, target, action)
        if not candidates:
            return Unsat((f"a {caller.kind.value} caller cannot call {action.value}",))
    else:
        candidates = concrete_candidates(caller, target)
    if now_ms is None:
        now_ms_eff = None
        now_text = format_date(int(time.time()) * 1000)
    else:
        now_ms_eff = now_ms
        now_text = format_date(now_ms)
    cores: list[str] = []
    locations: list[Location] = []
    unknown: Unknown | None = None
    lazy = False
    # the candidates with MFA follow all those without; when nothing in the question reads an MFA key, each is its
    # twin without MFA (already answered: not Sat), so they are not asked again
    skip_mfa = any(c.template.mfa for c in candidates) and not reads_mfa(target, constraints, candidates)
    for cand in candidates:
        if skip_mfa and cand.template.mfa:
            continue
        r = _solve_candidate(cand, target, action, constraints, closed, timeout, now_ms_eff, now_text, duration,
                             fast_path, want_core, concrete_first)
        if isinstance(r, Sat):
            if isinstance(caller, SymbolicCaller) and caller.identity_unknown:
                r = Sat(r.caller, r.request, r.decision, (*r.approximations, caller.identity_unknown))
            return r
        if isinstance(r, Unknown):
            unknown = unknown or Unknown(f"{cand.label}: {r.reason}")
            continue
        if not r.core_computed:
            lazy = True
            continue
        prefix = f"[{cand.label}] " if len(candidates) > 1 else ""
        cores.extend(prefix + c for c in r.core)
        locations.extend(loc for loc in r.locations if loc not in locations)
    if unknown is not None:
        return unknown
    if lazy:
        def explain() -> tuple[tuple[str, ...], tuple[Location, ...]]:
            again = _solve(caller, target, action, constraints, closed, timeout, now_ms, duration, fast_path,
                           want_core=True, concrete_first=False)
            if isinstance(again, Unsat):
                return again.core, again.locations
            return ((f"no request satisfies the hop (the solver proved it; recomputing the core gave {again})",),
                    ())
        return Unsat(explain=explain)
    return Unsat(tuple(dict.fromkeys(cores)), tuple(locations))


@dataclass
class _Tracked:
    name: str
    location: Location | None


def _solve_candidate(cand: Candidate, target: Target, action: Action, constraints: tuple[KeyConstraint, ...],
                     closed: bool, timeout: int, now_ms: int | None, now_text: str, duration: int | None,
                     fast_path: bool, want_core: bool = False, concrete_first: bool = True) -> HopResult:
    from trustgraph.semantics.context import build_request, principal_context
    from trustgraph.semantics.keys import key_info, origin_of

    template = cand.template
    ground: dict[str, tuple[str, ...]] = dict(principal_context(template, now=now_text))
    ground["aws:resourceaccount"] = (target.role.account,)
    if target.org_known:
        ground["aws:resourceorgid"] = ()  # absent unless the organization is set below
        ground["aws:resourceorgpaths"] = ()
        ground.update(target.resource_org_context())
    if template.kind is CallerKind.ROLE_SESSION and template.source_identity is not None:
        ground["sts:sourceidentity"] = (template.source_identity,)  # carried along the chain, not changeable
    for tag_key, tag_value in target.role.tags:
        ground.setdefault(f"aws:resourcetag/{tag_key.lower()}", (tag_value,))
    given = frozenset(c.key.lower() for c in constraints)
    if fast_path and concrete_first and not want_core and injected_unknown() is None:
        # before any z3 object is built: guesses read only the keys the caller does not derive, so the view needs
        # neither the candidate's symbolic principal keys nor the decisions on constraints over principal keys
        gground = dict(ground)
        for c in constraints:
            k = c.key.lower()
            if c.op in ("absent", "equals") and not key_info(k).principal_derived:
                gground[k] = tuple(c.values) if c.op == "equals" else ()
        gview = HopView(action=action, origin=origin_of(template.kind, action), ground=gground, closed=closed,
                        given=given, provider_host=cand.provider_host,
                        carried_source_identity=template.source_identity
                        if template.kind is CallerKind.ROLE_SESSION else None,
                        now_ms=now_ms, target_tags=target.role.tags, symbolic_caller=cand.symbolic)
        guessed = try_concrete_first(cand, target, action, constraints, gview, now_text, duration)
        if guessed is not None:
            return guessed
    builders: dict[str, Any] = {}
    env = Env(slot_bound=dict(cand.slot_bounds))
    env.scratch["now_ms"] = now_ms if now_ms is not None else parse_date(now_text)
    if cand.setup is not None:
        builders = cand.setup(env)
        for k in builders:
            ground.pop(k, None)
    # constraints on keys the caller fixes are decided here; on the fast path, equals/absent ground other keys
    z3_constraints: list[KeyConstraint] = []
    for c in constraints:
        k = c.key.lower()
        if k in ground and k not in builders and key_info(k).principal_derived:
            have = ground.get(k)
            if not ground_satisfies(c, have):
                return Unsat((f"constraint {c}: the caller's {k} is {list(have) if have else 'absent'}",))
            continue
        if fast_path and c.op in ("absent", "equals") and k not in builders and not key_info(k).principal_derived:
            problem = unevaluated_claim(cand.provider_host, k) if c.op == "equals" else None
            if problem is not None:
                return Unsat((f"constraint {c}: {problem}",))
            if c.op == "absent":
                ground[k] = ()
            else:
                ground[k] = tuple(c.values)
            continue
        z3_constraints.append(c)
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
    # slot bounds for multi-valued keys (§6.7): occurrences of the key in conditions (both polarities) + constraints
    for _, st in statements:
        for cond_ in st.conditions:
            env.slot_bound[cond_.key] = env.slot_bound.get(cond_.key, 0) + 2
    tag_refs = {k for _, st in statements for k in block_keys(st.conditions) if k.startswith("aws:requesttag/")}
    env.slot_bound["aws:tagkeys"] = env.slot_bound.get("aws:tagkeys", 0) + len(tag_refs) + 1
    for c in z3_constraints:
        if c.op == "equals":
            env.slot_bound[c.key.lower()] = max(env.slot_bound.get(c.key.lower(), 1), len(c.values))

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
    claim_couplings(env, cand.provider_host)
    tags_term: Term = or_(*(kv.pres for k, kv in env.vars.items()
                            if k.startswith("aws:requesttag/") or k == "aws:tagkeys"))
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
        cache.count("structure_evaluations")
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
        cache.count("fast_path")
        assert base_decision is not None
        core = list(base_decision.reasons) or ["no combination of the statements' conditions allows the hop"]
        core += [f"condition {_cond_at(statements, a)} can never hold" for a in cond_locations]
        locs = [st.location for st in base_decision.statements] + list(cond_locations.values())
        return Unsat(tuple(dict.fromkeys(core)), tuple(dict.fromkeys(locs)))

    symbolic_vars = [kv for kv in env.vars.values() if not kv.ground]
    if decision is True and not symbolic_vars and not tracked and not env.axioms:
        cache.count("fast_path")
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
    cache.count("solver_calls")
    injected = injected_unknown()
    if injected is not None:
        return Unknown(injected)
    core_names: list[str] | None
    if want_core:  # the hop is known unsat (an earlier run proved it): only the core is wanted
        res, model, core_names, why = z3.unsat, None, core_by_deletion(assertions, int(timeout)), ""
    else:
        res, model, core_names, why = check_tracked(assertions, int(timeout))
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
    raise AssertionError("a candidate's lazy core is computed by _solve, never read directly")


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


#: The public names other modules import from here (the result types live in ``smt.results``).
__all__ = ["DEFAULT_TIMEOUT_MS", "MAX_STRUCTURE_BITS", "TIMEOUT_ENV", "HopResult", "KeyConstraint", "Sat", "Unknown",
           "Unsat", "check_tracked", "default_timeout_ms", "inject_unknown", "solve_hop"]
