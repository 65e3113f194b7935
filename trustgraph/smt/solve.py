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

Fast path: a hop whose formula folds to a constant is decided without z3; when it folds to True and no key is
symbolic, the witness is built directly from the ground values. Before anything is encoded, a few concrete requests
are tried with the evaluator (``smt.guess``, "concrete first"): the first one it allows is the Sat answer, replayed
like a solver witness; only when none is does the hop reach z3. Results are cached (``smt.cache``).

Unsat answers from z3 carry a lazy core: the minimal core by deletion (one more solver run per assertion) is
computed the first time :attr:`Unsat.core` or :attr:`Unsat.locations` is read, by solving the hop again in core mode.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

import z3  # type: ignore[import-untyped]

from trustgraph.errors import ReplayMismatch
from trustgraph.model.condition import Family
from trustgraph.model.location import Location
from trustgraph.model.pattern import AnyChar, Star, Variable, parse_pattern
from trustgraph.model.pattern import Literal as PatternLiteral
from trustgraph.model.policy import Effect, Policy, Statement
from trustgraph.model.values import format_date, parse_date
from trustgraph.semantics.request import Action, Caller, CallerKind, Decision, Request, Target
from trustgraph.smt import cache
from trustgraph.smt.decode import key_values
from trustgraph.smt.encode import block_keys, encode_condition, glob_re
from trustgraph.smt.env import Env, constant
from trustgraph.smt.presence import HopView, claim_couplings, resolver, tag_couplings, unevaluated_claim
from trustgraph.smt.symbolic import Candidate, SymbolicCaller, concrete_candidates, symbolic_candidates
from trustgraph.smt.terms import Term, and_, not_, or_, to_z3

DEFAULT_TIMEOUT_MS = 5000
MAX_STRUCTURE_BITS = 12
TIMEOUT_ENV = "TRUSTGRAPH_SOLVER_TIMEOUT_MS"


def default_timeout_ms() -> int:
    """The solver timeout: ``TRUSTGRAPH_SOLVER_TIMEOUT_MS`` when set, else :data:`DEFAULT_TIMEOUT_MS`."""
    raw = os.environ.get(TIMEOUT_ENV)
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            pass
    return DEFAULT_TIMEOUT_MS


# -- results ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyConstraint:
    """An extra condition on the request.

    ``absent``: the key is absent. ``equals``: the key is present with exactly these values (a multi-valued key:
    this list). ``not-like``: when present, the key matches none of these globs (e.g. trusted IdP subjects).
    """

    key: str
    op: Literal["absent", "equals", "not-like"]
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        vals = ", ".join(repr(v) for v in self.values)
        return f"{self.key} {self.op}" + (f" [{vals}]" if self.values else "")


@dataclass(frozen=True)
class Sat:
    """A request that gets through: the caller and request (replayed to ALLOW unless approximate) and the
    over-approximations the answer rests on (empty: exact)."""

    caller: Caller
    request: Request
    decision: Decision
    approximations: tuple[str, ...] = ()


class Unsat:
    """No request gets through. ``core`` names what blocks (conditions, constraints, caller facts); ``locations``
    are the policy places involved.

    The core may be computed lazily: a solver proof of unsatisfiability is cheap, a minimal core (one more solver
    run per assertion) is not, and most callers only ask whether a hop is open. ``explain`` is then a function
    returning ``(core, locations)``, run once, the first time ``core`` or ``locations`` is read (or the object is
    compared, hashed or pickled). Immutable like the other results.
    """

    __slots__ = ("_core", "_locations", "_explain")

    _core: tuple[str, ...] | None
    _locations: tuple[Location, ...] | None
    _explain: Callable[[], tuple[tuple[str, ...], tuple[Location, ...]]] | None

    def __init__(self, core: tuple[str, ...] = (), locations: tuple[Location, ...] = (), *,
                 explain: Callable[[], tuple[tuple[str, ...], tuple[Location, ...]]] | None = None) -> None:
        object.__setattr__(self, "_explain", explain)
        object.__setattr__(self, "_core", None if explain is not None else tuple(core))
        object.__setattr__(self, "_locations", None if explain is not None else tuple(locations))

    def _force(self) -> None:
        if self._explain is not None:
            core, locations = self._explain()
            object.__setattr__(self, "_core", tuple(core))
            object.__setattr__(self, "_locations", tuple(locations))
            object.__setattr__(self, "_explain", None)

    @property
    def core(self) -> tuple[str, ...]:
        """What blocks, in words (computed on first read when lazy)."""
        self._force()
        assert self._core is not None
        return self._core

    @property
    def locations(self) -> tuple[Location, ...]:
        """The policy places involved (computed on first read when lazy)."""
        self._force()
        assert self._locations is not None
        return self._locations

    @property
    def core_computed(self) -> bool:
        """False while the core is still to be computed (it is computed on first read)."""
        return self._explain is None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Unsat is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Unsat):
            return NotImplemented
        return (self.core, self.locations) == (other.core, other.locations)

    def __hash__(self) -> int:
        return hash((self.core, self.locations))

    def __repr__(self) -> str:
        if self._explain is not None:
            return "Unsat(<core not computed yet>)"
        return f"Unsat(core={self._core!r}, locations={self._locations!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Unsat, (self.core, self.locations))


@dataclass(frozen=True)
class Unknown:
    """The solver could not decide (timeout, incompleteness, structure too large): never "unreachable"."""

    reason: str


HopResult = Sat | Unsat | Unknown

_INJECTED: list[str] = []


@contextmanager
def inject_unknown(reason: str = "timeout (injected)") -> Iterator[None]:
    """Make every solver call inside the block return unknown with ``reason`` (tests of the timeout path). The
    concrete-first guesses are skipped inside the block, so every question the fast path cannot fold reaches the
    (injected) solver."""
    _INJECTED.append(reason)
    try:
        yield
    finally:
        _INJECTED.pop()


# -- policies of a hop as addressable statements ---------------------------------------------------------------

Addr = tuple[Any, ...]


def _policies(caller: Caller, target: Target) -> list[tuple[Addr, Policy]]:
    out: list[tuple[Addr, Policy]] = [(("trust",), target.role.trust_policy)]
    for lv, level in enumerate(target.rcp_levels or ()):
        out.extend((("rcp", lv, i), p) for i, p in enumerate(level))
    out.extend((("identity", i), p) for i, p in enumerate(caller.identity_policies))
    if caller.boundary is not None:
        out.append((("boundary",), caller.boundary))
    out.extend((("session", i), p) for i, p in enumerate(caller.session_policies))
    for lv, level in enumerate(caller.scp_levels or ()):
        out.extend((("scp", lv, i), p) for i, p in enumerate(level))
    return out


def _rebuild(caller: Caller, target: Target, choice: dict[Addr, bool]) -> tuple[Caller, Target]:
    """Caller and target with chosen statements' conditions removed (True) or the statements dropped (False)."""

    def fix(addr: Addr, policy: Policy) -> Policy:
        sts: list[Statement] = []
        changed = False
        for si, st in enumerate(policy.statements):
            c = choice.get((*addr, si))
            if c is None:
                sts.append(st)
            elif c:
                sts.append(replace(st, conditions=()))
                changed = True
            else:
                changed = True
        return replace(policy, statements=tuple(sts)) if changed else policy

    role = replace(target.role, trust_policy=fix(("trust",), target.role.trust_policy))
    rcps = None
    if target.rcp_levels is not None:
        rcps = tuple(tuple(fix(("rcp", lv, i), p) for i, p in enumerate(level))
                     for lv, level in enumerate(target.rcp_levels))
    new_target = replace(target, role=role, rcp_levels=rcps)
    scps = None
    if caller.scp_levels is not None:
        scps = tuple(tuple(fix(("scp", lv, i), p) for i, p in enumerate(level))
                     for lv, level in enumerate(caller.scp_levels))
    new_caller = replace(
        caller,
        identity_policies=tuple(fix(("identity", i), p) for i, p in enumerate(caller.identity_policies)),
        boundary=fix(("boundary",), caller.boundary) if caller.boundary is not None else None,
        session_policies=tuple(fix(("session", i), p) for i, p in enumerate(caller.session_policies)),
        scp_levels=scps,
    )
    return new_caller, new_target


def _relevant(st: Statement, addr: Addr, caller: Caller, actions: Sequence[Action],
              resource: str | None = None) -> bool:
    """False when the statement cannot apply to this hop whatever the request (action or principal mismatch)."""
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.principals import statement_principal_match

    for a in actions:
        if not statement_action_matches(st, a.value):
            continue
        if addr[0] in ("trust",) and statement_principal_match(st, caller, a) is None:
            continue
        if resource is not None and not _resource_may_match(st, resource):
            continue
        return True
    return False


def _resource_may_match(st: Statement, resource: str) -> bool:
    """False only when the statement's (variable-free) Resource/NotResource certainly excludes ``resource``."""
    from trustgraph.model.pattern import Variable
    from trustgraph.semantics.actions import statement_resource_matches

    globs = (st.resources or ()) + (st.not_resources or ())
    if any(isinstance(el, Variable) for g in globs for el in g.pattern):
        return True
    return statement_resource_matches(st, resource, {}, variables=False)


# -- the entry point -------------------------------------------------------------------------------------------


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
        key = _cache_key(caller, target, action, constraints, closed, now_ms, duration_seconds,
                         (fast_path, fast_path and concrete_first))
        hit = cache.lookup(key)
        if hit is not None:
            out = _rematerialize(hit, target)
            if out is not None:
                return out
    result = _solve(caller, target, action, constraints, closed, timeout, now_ms, duration_seconds, fast_path,
                    concrete_first=concrete_first)
    if key is not None and not isinstance(result, Unknown):
        cache.store(key, _cacheable(result, target))
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
    skip_mfa = any(c.template.mfa for c in candidates) and not _reads_mfa(target, constraints, candidates)
    for cand in candidates:
        if skip_mfa and cand.template.mfa:
            continue
        r = _solve_candidate(cand, target, action, constraints, closed, timeout, now_ms_eff, now_text, duration,
                             fast_path, want_core, concrete_first)
        if isinstance(r, Sat):
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


_MFA_KEYS = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})
_READS_MFA: dict[int, tuple[Policy, bool]] = {}


def _policy_reads_mfa(policy: Policy) -> bool:
    """True when a condition of ``policy`` reads an MFA key, directly or through a policy variable (in a condition
    value or a Resource); the only ways the evaluator lets a caller's MFA change a decision."""
    cached = _READS_MFA.get(id(policy))
    if cached is not None and cached[0] is policy:
        return cached[1]
    reads = False
    for st in policy.statements:
        patterns = [g.pattern for g in (st.resources or ()) + (st.not_resources or ())]
        for cond in st.conditions:
            if cond.key in _MFA_KEYS:
                reads = True
            patterns.extend(cond.patterns)
        if reads or any(isinstance(el, Variable) and el.key in _MFA_KEYS for pat in patterns for el in pat):
            reads = True
            break
    _READS_MFA[id(policy)] = (policy, reads)
    return reads


def _reads_mfa(target: Target, constraints: tuple[KeyConstraint, ...], candidates: Sequence[Candidate]) -> bool:
    """Whether the answer of a hop may depend on the caller's MFA: a constraint on an MFA key, or a policy of the hop
    (trust policy, RCPs, every candidate's identity, boundary, session policies and SCPs) that reads one."""
    if any(c.key.lower() in _MFA_KEYS for c in constraints):
        return True
    policies: list[Policy] = [target.role.trust_policy, *(p for lv in target.rcp_levels or () for p in lv)]
    for cand in candidates:
        t = cand.template
        policies += [*t.identity_policies, *t.session_policies, *(p for lv in t.scp_levels or () for p in lv)]
        if t.boundary is not None:
            policies.append(t.boundary)
    return any(_policy_reads_mfa(p) for p in policies)


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
    if template.kind is CallerKind.ROLE_SESSION and template.source_identity is not None:
        ground["sts:sourceidentity"] = (template.source_identity,)  # carried along the chain, not changeable
    for tag_key, tag_value in target.role.tags:
        ground.setdefault(f"aws:resourcetag/{tag_key.lower()}", (tag_value,))
    given = frozenset(c.key.lower() for c in constraints)
    if fast_path and concrete_first and not want_core and not _INJECTED:
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
        guessed = _concrete_first(cand, target, action, constraints, gview, now_text, duration)
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
            if not _ground_satisfies(c, have):
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
    for addr, policy in _policies(template, target):
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
    tracked: list[tuple[_Tracked, Term]] = []
    for c in z3_constraints:
        tracked.append((_Tracked(f"constraint {c}", None), _constraint_term(env, c)))

    # conditions
    choice_base: dict[Addr, bool] = {}
    bits: list[tuple[Addr, Term]] = []
    cond_locations: dict[Addr, Location] = {}
    for addr, st in statements:
        if not st.conditions:
            continue
        if not _relevant(st, addr, template, hop_actions, target.role.arn):
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
    groups = _group_bits(bits, dict(statements), template, hop_actions)
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
        c2, t2 = _rebuild(template, target, choice)
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
        return _witness(cand, target, action, env, None, builders, now_text, duration, approximations, view)

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
    if _INJECTED:
        return Unknown(_INJECTED[-1])
    core_names: list[str] | None
    if want_core:  # the hop is known unsat (an earlier run proved it): only the core is wanted
        res, model, core_names, why = z3.unsat, None, core_by_deletion(assertions, int(timeout)), ""
    else:
        res, model, core_names, why = check_tracked(assertions, int(timeout))
    if res == z3.sat:
        return _witness(cand, target, action, env, model, builders, now_text, duration, approximations, view)
    if res == z3.unsat:
        if core_names is None:
            return Unsat(explain=_NOT_HERE)
        infos = [trackers[n] for n in core_names if n in trackers]
        return Unsat(tuple(dict.fromkeys(i.name for i in infos)),
                     tuple(dict.fromkeys(i.location for i in infos if i.location is not None)))
    return Unknown(f"z3: {why or 'unknown'}")


# -- deciding the tracked assertions ---------------------------------------------------------------------------

_PREPROCESS: Any = None
_PREPROCESS_CTX: Any = None


def _preprocess_context() -> Any:
    """The z3 context of the preprocessing solver: its own, so that what it creates (terms, tactic state) does not
    change how the incremental solver of the main context, which takes over on hard questions, searches."""
    global _PREPROCESS_CTX
    if _PREPROCESS_CTX is None:
        _PREPROCESS_CTX = z3.Context()
    return _PREPROCESS_CTX

#: z3 resource units the preprocessing solver may spend on one question before the incremental solver takes over (a
#: deterministic budget, unlike a wall-clock one: the same question takes the same path on every machine). Questions
#: that preprocessing settles cost a few hundred units; 100,000 is tens of milliseconds of a hard regex search.
PREPROCESS_RLIMIT = 100_000


def _preprocessing_solver(timeout: int) -> Any:
    """A solver that simplifies, propagates values and eliminates variables defined by equations before the SMT
    core runs. Every tracked assertion of a hop is asserted as a fact here, so an equation such as
    ``v|token...:sub = "repo:org/app:ref:refs/heads/main"`` (a StringEquals condition) substitutes the literal into
    the regular-expression memberships of the other conditions, which then fold to constants: questions that take
    the incremental solver (assertions tracked by assumption literals, which block this preprocessing) hundreds of
    milliseconds take about one here."""
    global _PREPROCESS
    if _PREPROCESS is None:
        _PREPROCESS = z3.Then("simplify", "propagate-values", "solve-eqs", "smt", ctx=_preprocess_context())
    solver = _PREPROCESS.solver()
    solver.set("timeout", timeout)
    solver.set("rlimit", PREPROCESS_RLIMIT)
    return solver


def _not_here() -> tuple[tuple[str, ...], tuple[Location, ...]]:
    raise AssertionError("a candidate's lazy core is computed by _solve, never read directly")


_NOT_HERE = _not_here


def check_tracked(assertions: Sequence[tuple[str, Any]], timeout: int, *,
                  core: bool = False) -> tuple[Any, Any, list[str] | None, str]:
    """Decide the conjunction of named z3 assertions.

    Returns ``(result, model, core, reason)``: the z3 result (sat, unsat or unknown), a model when sat, the names of
    an unsat core when unsat (a minimal one: no assertion of it can be left out), and the reason when unknown.
    Unless ``core`` is True the minimal core is not computed when it would cost more solver runs: the core is then
    None (:func:`core_by_deletion` computes it later, from the same assertions).

    The conjunction is decided by a preprocessing solver (:func:`_preprocessing_solver`); the core is found by
    deletion with the same solver (each assertion is dropped in turn and kept out when the rest is still unsat; an
    undecided trial keeps it in, so the core is always unsat). When the preprocessing solver cannot decide within
    :data:`PREPROCESS_RLIMIT`, the incremental solver with assumption-tracked assertions (z3's own unsat core)
    answers instead, with the whole timeout.
    """
    fast = _preprocessing_solver(timeout)
    ctx = _preprocess_context()
    moved = [f.translate(ctx) for _, f in assertions]
    fast.add(moved)
    res = fast.check()
    if res == z3.sat:
        return z3.sat, fast.model().translate(z3.main_ctx()), [], ""
    if res == z3.unsat:
        if not core:
            return z3.unsat, None, None, ""
        return z3.unsat, None, _deletion_core([(n, f) for (n, _), f in zip(assertions, moved, strict=True)],
                                              timeout), ""
    solver = z3.Solver()
    solver.set("timeout", timeout)
    for name, f in assertions:
        solver.assert_and_track(f, z3.Bool(name))
    res = solver.check()
    if res == z3.sat:
        return res, solver.model(), [], ""
    if res == z3.unsat:
        return res, None, [str(b) for b in solver.unsat_core()], ""
    return res, None, [], solver.reason_unknown()


def core_by_deletion(assertions: Sequence[tuple[str, Any]], timeout: int) -> list[str]:
    """A minimal unsat core of named assertions whose conjunction is known to be unsat (see :func:`check_tracked`)."""
    ctx = _preprocess_context()
    return _deletion_core([(n, f.translate(ctx)) for n, f in assertions], timeout)


def _deletion_core(assertions: Sequence[tuple[str, Any]], timeout: int) -> list[str]:
    keep = list(range(len(assertions)))
    for i in range(len(assertions)):
        trial = [j for j in keep if j != i]
        solver = _preprocessing_solver(timeout)
        solver.add([assertions[j][1] for j in trial])
        if solver.check() == z3.unsat:
            keep = trial
    return [assertions[j][0] for j in keep]


def _group_bits(bits: list[tuple[Addr, Term]], by_addr: dict[Addr, Statement], caller: Caller,
                actions: Sequence[Action]) -> list[tuple[list[Addr], Term]]:
    """Group statements the evaluator cannot tell apart, so each group is one bit of the structural expansion.

    Two statements are interchangeable for the decision when they sit in the same policy kind (the same SCP/RCP
    level), have the same effect, cover the same hop actions and (trust policies) name the caller in the same form
    for each action, and their Resource has no policy variable: the evaluator ORs such statements (the verdict
    depends on whether one of them applies). A vendor role with one ExternalId statement per customer is then one
    bit, not one per customer.
    """
    from trustgraph.model.pattern import Variable
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.principals import statement_principal_match

    groups: dict[Any, tuple[list[Addr], list[Term]]] = {}
    for addr, term in bits:
        st = by_addr[addr]
        globs = (st.resources or ()) + (st.not_resources or ())
        if any(isinstance(el, Variable) for g in globs for el in g.pattern):
            key: Any = ("single", addr)
        else:
            kind = addr[:2] if addr[0] in ("scp", "rcp") else addr[:1]
            cover = tuple(statement_action_matches(st, a.value) for a in actions)
            forms = tuple(statement_principal_match(st, caller, a) for a in actions) if addr[0] == "trust" else ()
            resources = tuple(g.text for g in st.resources or ()), tuple(g.text for g in st.not_resources or ())
            key = (kind, st.effect, cover, forms, resources)
        addrs, terms = groups.setdefault(key, ([], []))
        addrs.append(addr)
        terms.append(term)
    return [(addrs, or_(*terms)) for addrs, terms in groups.values()]


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


def _ground_satisfies(c: KeyConstraint, have: tuple[str, ...] | None) -> bool:
    from trustgraph.model.pattern import matches

    present = bool(have)
    if c.op == "absent":
        return not present
    if c.op == "equals":
        return present and tuple(have or ()) == tuple(c.values)
    return not present or not any(
        matches(parse_pattern(g, wildcards=True, variables=False), v) for g in c.values for v in (have or ()))


def _constraint_term(env: Env, c: KeyConstraint) -> Term:
    kv = env.key(c.key.lower())
    if c.op == "absent":
        return not_(kv.pres)
    if c.op == "not-like":
        if kv.kind.value != "string" or not c.values:
            return True
        rx = _globs_re(tuple(c.values))
        return and_(*(or_(not_(u), z3.Not(z3.InRe(v, rx))) for u, v in kv.members()))
    consts = [constant(kv.kind, t) for t in c.values]
    if any(x is None for x in consts) or not consts:
        return False
    if not kv.multi:
        if len(consts) != 1:
            return False
        return and_(kv.pres, _eq(kv.kind, kv.val, consts[0]))
    members = kv.members()
    if len(members) < len(consts):
        return False
    parts: list[Term] = []
    for i, (u, v) in enumerate(members):
        if i < len(consts):
            parts.append(and_(u, _eq(kv.kind, v, consts[i])))
        else:
            parts.append(not_(u))
    return and_(*parts)


@lru_cache(maxsize=4_096)
def _globs_re(globs: tuple[str, ...]) -> z3.ReRef:
    """The union of some StringLike globs as one z3 regex (a value is unlike all of them exactly when it is not in
    the union); memoised, since a scan puts the same list (e.g. one glob per zone account) on thousands of hops."""
    regexes = [glob_re(parse_pattern(g, wildcards=True, variables=False)) for g in globs]
    return regexes[0] if len(regexes) == 1 else z3.Union(*regexes)


def _eq(kind: Any, a: Any, b: Any) -> Term:
    if isinstance(a, tuple):
        return and_(a[0] == b[0], z3.If(b[0], a[2] == b[2], a[1] == b[1]))
    return a == b


def _base_context(caller: Caller, action: Action, target: Target, duration: int | None, now_text: str,
                  view: HopView) -> dict[str, tuple[str, ...]]:
    """The request ``caller`` sends when it chooses nothing, with ``closed`` applied and the ground keys set: what a
    solver witness or a concrete-first guess starts from."""
    from trustgraph.semantics.context import build_request

    base = build_request(caller, action, {}, target=target, duration_seconds=duration, now=now_text)
    ctx: dict[str, tuple[str, ...]] = dict(base.context)
    if view.closed:
        for key in list(ctx):
            if key in view.given or _key_info(key).principal_derived or key == "aws:resourceaccount" \
                    or key.startswith("aws:resourcetag/") \
                    or (key == "sts:sourceidentity" and view.carried_source_identity is not None):
                continue
            ctx.pop(key)
    for key, values in view.ground.items():
        if _key_info(key).principal_derived or key == "aws:resourceaccount":
            continue
        if values:
            ctx[key] = tuple(values)
        else:
            ctx.pop(key, None)
    return ctx


def _key_info(key: str) -> Any:
    from trustgraph.semantics.keys import key_info

    return key_info(key)


def _replay(caller: Caller, target: Target, action: Action, ctx: dict[str, tuple[str, ...]], duration: int | None,
            approximations: Sequence[str]) -> tuple[Request, Decision, list[str]]:
    """Evaluate a witness request; the approximations of the answer (``approximations`` and the evaluator's)."""
    from trustgraph.semantics.evaluate import evaluate_hop

    request = Request(action=action, context=ctx, duration_seconds=duration)
    decision = evaluate_hop(caller, target, request)
    approx = list(approximations)
    for w, loc in decision.approximations:
        s = f"{w} at {loc}"
        if s not in approx:
            approx.append(s)
    return request, decision, approx


def _witness(cand: Candidate, target: Target, action: Action, env: Env, model: z3.ModelRef | None,
             builders: dict[str, Any], now_text: str, duration: int | None, approximations: list[str],
             view: HopView) -> HopResult:
    """Decode a model (None: everything ground) into a caller and a request, and replay it."""
    if model is None:
        model = z3.Model()
    caller = cand.decode(model, env) if cand.decode is not None else cand.template
    ctx = _base_context(caller, action, target, duration, now_text, view)
    for key, kv in env.vars.items():
        if key in builders or _key_info(key).principal_derived:
            continue
        vals = key_values(model, kv)
        if vals is None:
            ctx.pop(key, None)
        else:
            ctx[key] = vals
    _fix_tags(ctx, "aws:tagkeys" in env.vars)
    request, decision, approx = _replay(caller, target, action, ctx, duration, approximations)
    if not decision.allowed:
        if approx:
            approx.append(f"witness not confirmed by the concrete evaluator ({decision.verdict.value}: "
                          f"{'; '.join(decision.reasons) or 'explicit deny'})")
            return Sat(caller, request, decision, tuple(approx))
        raise ReplayMismatch(f"witness for {caller.arn} -> {target.role.arn} ({action.value}) replays to "
                             f"{decision.verdict.value}: {decision.reasons}; context {dict(ctx)}")
    return Sat(caller, request, decision, tuple(approx))


def _concrete_first(cand: Candidate, target: Target, action: Action, constraints: tuple[KeyConstraint, ...],
                    view: HopView, now_text: str, duration: int | None) -> Sat | None:
    """A Sat answer from a guessed request (``smt.guess``) that the evaluator allows, or None (ask the solver).

    The caller is the candidate's template (a concrete caller, or one concrete member of an outsider class); every
    guess respects the hop's presence rules and the constraints, and is replayed like a solver witness."""
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.principals import statement_principal_match
    from trustgraph.smt.guess import guesses

    trust = target.role.trust_policy
    for template in _templates(cand, target):
        trust_allows = [st for st in trust.statements
                        if st.effect is Effect.ALLOW and statement_action_matches(st, action.value)
                        and statement_principal_match(st, template, action) is not None]
        if not trust_allows:
            return None
        policies = [p for _, p in _policies(template, target)]
        full = build_request(template, action, {}, target=target, duration_seconds=duration, now=now_text).context
        clock = {k: full[k] for k in ("aws:currenttime", "aws:epochtime") if k in full}
        base = _base_context(template, action, target, duration, now_text, view)
        denies = [st for p in policies for st in p.statements
                  if st.effect is Effect.DENY and st.conditions and statement_action_matches(st, action.value)
                  and (p is not trust or statement_principal_match(st, template, action) is not None)]
        for assignment in guesses(view, policies, trust_allows, trust.variables_enabled, constraints, base, clock,
                                  denies):
            ctx = dict(base)
            for key, values in assignment.items():
                if values is None:
                    ctx.pop(key, None)
                else:
                    ctx[key] = values
            _fix_tags(ctx, "aws:tagkeys" in assignment)
            if not all(_ground_satisfies(c, ctx.get(c.key.lower())) for c in constraints):
                continue
            cache.count("guess_evaluations")
            request, decision, approx = _replay(template, target, action, ctx, duration, ())
            if decision.allowed:
                cache.count("guess_hits")
                cache.count("fast_path")  # decided without z3
                return Sat(template, request, decision, tuple(approx))
    return None


_ORG_ID = re.compile(r"o-[a-z0-9-]+")


def _templates(cand: Candidate, target: Target) -> list[Caller]:
    """The callers a guess may be made for: the candidate's template, and for an outsider that may belong to an
    organization, the template in each organization (at most two) an aws:PrincipalOrgID condition of the trust
    policy names and in an organization none names (never an excluded one; only when a condition reads
    aws:PrincipalOrgID and none reads aws:PrincipalOrgPaths, which an organization member would carry)."""
    out = [cand.template]
    if cand.excluded_orgs is None:
        return out
    names: list[str] = []
    read = False
    for st in target.role.trust_policy.statements:
        for c in st.conditions:
            if c.key == "aws:principalorgpaths":
                return out
            if c.key == "aws:principalorgid":
                read = True
                if c.operator.family is Family.STRING:
                    names.extend(t for t in c.texts if _ORG_ID.fullmatch(t))
    if not read:
        return out
    fresh = next(f"o-trustgraph{i}" for i in range(len(names) + 1) if f"o-trustgraph{i}" not in names)
    orgs = [o for o in dict.fromkeys(names) if o not in cand.excluded_orgs][:2]
    if fresh not in cand.excluded_orgs:
        orgs.append(fresh)
    out.extend(replace(cand.template, org_id=org) for org in orgs)
    return out


def _fix_tags(ctx: dict[str, tuple[str, ...]], tagkeys_chosen: bool) -> None:
    """aws:TagKeys and aws:RequestTag/k agree: every listed key has a tag, every tag is listed (``tagkeys_chosen``:
    the request's aws:TagKeys was chosen with the tags, by the solver or a guess)."""
    tags = [k for k in ctx if k.startswith("aws:requesttag/")]
    if tagkeys_chosen:
        listed = ctx.get("aws:tagkeys", ())
        for name in listed:
            k = "aws:requesttag/" + name.lower()
            if k not in ctx:
                ctx[k] = ("tg",)
        return
    if tags:
        ctx["aws:tagkeys"] = tuple(k.split("/", 1)[1] for k in tags)
    else:
        ctx.pop("aws:tagkeys", None)


# -- cache glue ------------------------------------------------------------------------------------------------


def _cache_key(caller: Caller | SymbolicCaller, target: Target, action: Action,
               constraints: tuple[KeyConstraint, ...], closed: bool, now_ms: int | None, duration: int | None,
               fast_path: Any) -> Any:
    role = target.role
    trust = cache.canonical_policy(role.trust_policy)
    levels = cache.canonical_levels(target.rcp_levels)
    names_role = (isinstance(caller, Caller) and _caller_names_resources(caller)) or _names_resources(target)
    account: Any = role.account
    if (isinstance(caller, SymbolicCaller) and not names_role
            and _account_free(caller, target, trust, levels, constraints, now_ms)):
        account = ("account-free", role.account in caller.excluded_accounts, role.account == caller.account)
    return (
        "hop/v1",
        trust,
        account,
        role.arn if names_role else None,
        role.service_linked,
        role.tags,
        role.max_session_duration,
        levels,
        _caller_key(caller),
        action,
        constraints,
        closed,
        now_ms,
        duration,
        fast_path,
    )


def _names_resources(target: Target) -> bool:
    """True when the role's trust policy or an RCP has a Resource other than ``*`` (then the role's ARN matters)."""
    return any(_resource_specific(p) for p in (target.role.trust_policy,
                                                *(p for lv in target.rcp_levels or () for p in lv)))


def _resource_specific(policy: Policy) -> bool:
    return any(st.not_resources is not None or (st.resources is not None and any(g.text != "*" for g in st.resources))
               for st in policy.statements)


#: Keys whose date conditions read the pinned clock (the same for every role): not request-chosen values.
_CLOCK_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})
_DIGIT = re.compile(r"[0-9]")
_ACCOUNT_BLIND: dict[int, tuple[Policy, bool]] = {}


def _account_blind(policy: Policy) -> bool:
    """True when no part of ``policy`` can tell one 12-digit account id from another that it does not name: every
    pattern with a wildcard has digit-free literal text (a wildcard is the only thing that can match an account id's
    digits without naming them), and no condition reads a value as a number, a date (other than the pinned clock) or
    binary data (an account id inside a request value would be read as part of it)."""
    cached = _ACCOUNT_BLIND.get(id(policy))
    if cached is not None and cached[0] is policy:
        return cached[1]
    blind = True
    for st in policy.statements:
        texts = [p.text for p in (st.principals or ()) + (st.not_principals or ())]
        texts += [g.text for g in (st.resources or ()) + (st.not_resources or ())]
        if any(("*" in t or "?" in t) and t != "*" and _DIGIT.search(t) for t in texts):
            blind = False
            break
        for cond in st.conditions:
            family = cond.operator.family
            if family in (Family.NUMERIC, Family.BINARY, Family.UNKNOWN) or (
                    family is Family.DATE and cond.key not in _CLOCK_KEYS):
                blind = False
            elif any(any(isinstance(el, (Star, AnyChar)) for el in pat)
                     and any(isinstance(el, PatternLiteral) and _DIGIT.search(el.text) for el in pat)
                     for pat in cond.patterns):
                blind = False
        if not blind:
            break
    _ACCOUNT_BLIND[id(policy)] = (policy, blind)
    return blind


def _account_free(caller: SymbolicCaller, target: Target, trust: str, levels: Any,
                  constraints: tuple[KeyConstraint, ...], now_ms: int | None) -> bool:
    """Whether the answer for ``target`` is the answer for the same role in any other account the question does not
    name, so that the cache may key it without the account (only its relation to the symbolic caller's fixed and
    excluded accounts).

    The argument: let A be the role's account and A' another 12-digit id, neither written in the trust policy, the
    RCPs, the constraints, the symbolic caller's provider, the tags or the pinned time, and each in the same relation
    to the symbolic caller (both or neither among its excluded accounts, both or neither its fixed account: the key
    records the relation), so that swapping A and A' leaves the caller class as it is. Swapping A and A' in every
    request value maps the requests of the question for A one to one onto those for A' (aws:ResourceAccount,
    same-account callers and their ARNs move with it), and leaves every condition's verdict unchanged when the
    policies are account-blind (:func:`_account_blind`): literal comparisons cannot see the swap (the literals name
    neither id), wildcards match digits whatever they are, and no value is read as a number or a date. Concrete
    callers are never keyed this way (their own account may equal A). A Sat hit is still replayed against the new
    role; an Unsat hit is the same proof, with its locations moved to the new role's policy.
    """
    account = target.role.account
    if any(account in text for text in (trust, repr(levels), repr(constraints), caller.provider or "",
                                        repr(target.role.tags), str(now_ms))):
        return False
    policies = (target.role.trust_policy, *(p for lv in target.rcp_levels or () for p in lv))
    if not all(_account_blind(p) for p in policies):
        return False
    return not any(c.op == "not-like" and any(("*" in v or "?" in v) and _DIGIT.search(v) for v in c.values)
                   for c in constraints)


def _caller_names_resources(caller: Caller) -> bool:
    """True when some policy of the caller has a Resource other than ``*`` (then the role's ARN matters)."""
    policies = [*caller.identity_policies, *caller.session_policies, *(p for lv in caller.scp_levels or () for p in lv)]
    if caller.boundary is not None:
        policies.append(caller.boundary)
    for p in policies:
        for st in p.statements:
            if st.not_resources is not None:
                return True
            if st.resources is not None and any(g.text != "*" for g in st.resources):
                return True
    return False


def _caller_key(caller: Caller | SymbolicCaller) -> Any:
    if isinstance(caller, SymbolicCaller):
        return caller
    return (
        caller.kind, caller.arn, caller.account, caller.unique_id, caller.session_name, caller.user_name,
        tuple(cache.canonical_policy(p) for p in caller.identity_policies), cache.canonical_policy(caller.boundary),
        caller.boundary_unresolved, tuple(cache.canonical_policy(p) for p in caller.session_policies),
        cache.canonical_levels(caller.scp_levels), caller.org_id, caller.org_paths, caller.tags, caller.mfa,
        caller.source_identity, caller.transitive_tags,
    )


def _cacheable(result: HopResult, target: Target) -> Any:
    if isinstance(result, Sat):
        return ("sat", result.caller, result.request, result.approximations, target.role.account)
    assert isinstance(result, Unsat)
    return ("unsat", result, target.role.trust_policy)


def _rematerialize(hit: Any, target: Target) -> HopResult | None:
    from trustgraph.semantics.evaluate import evaluate_hop

    if hit[0] == "sat":
        _, caller, request, approx, old_account = hit
        ctx = dict(request.context)
        new_account = target.role.account
        if old_account != new_account:  # an account-free entry (see _account_free): the witness moves with the role
            caller = _moved_caller(caller, old_account, new_account)
            ctx = {k: tuple(v.replace(old_account, new_account) for v in vs) for k, vs in ctx.items()}
        ctx["aws:resourceaccount"] = (new_account,)
        request = Request(action=request.action, context=ctx, duration_seconds=request.duration_seconds)
        decision = evaluate_hop(caller, target, request)
        if not decision.allowed and not approx:
            return None  # not the same question after all: solve afresh
        return Sat(caller, request, decision, approx)
    _, unsat, old_trust = hit
    return _relocate(unsat, old_trust, target.role.trust_policy)


def _moved_caller(caller: Caller, old: str, new: str) -> Caller:
    """The caller with account ``old`` written as ``new`` in its identifying strings (its policies are the symbolic
    candidate's own and name no account of the question)."""
    def move(text: str | None) -> str | None:
        return None if text is None else text.replace(old, new)

    return replace(caller, arn=move(caller.arn) or caller.arn, account=move(caller.account) or caller.account,
                   session_name=move(caller.session_name), user_name=move(caller.user_name))


def _relocate(unsat: Unsat, old: Policy, new: Policy) -> Unsat:
    """The cached core with the old role's trust-policy locations replaced by the new role's (lazily when the
    cached core is not computed yet)."""
    if old.location == new.location:
        return unsat
    if not unsat.core_computed:
        def explain() -> tuple[tuple[str, ...], tuple[Location, ...]]:
            unsat.core  # noqa: B018 - computes the cached answer's core first
            moved = _relocate(unsat, old, new)
            return moved.core, moved.locations
        return Unsat(explain=explain)
    old_file, new_file = str(old.location), str(new.location)
    core = tuple(c.replace(old_file, new_file) for c in unsat.core)
    locs = tuple(Location(new.location.file, new.location.pointer + loc.pointer[len(old.location.pointer):])
                 if loc.file == old.location.file and loc.pointer.startswith(old.location.pointer) else loc
                 for loc in unsat.locations)
    return Unsat(core, locs)


__all__ = ["DEFAULT_TIMEOUT_MS", "HopResult", "KeyConstraint", "Sat", "TIMEOUT_ENV", "Unknown", "Unsat",
           "check_tracked", "default_timeout_ms", "inject_unknown", "solve_hop"]
