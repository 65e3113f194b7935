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

Where the pieces live: the question is a value (``smt.question``); :func:`reference_answer` is the reference path
(candidates, then per candidate ``smt.reference``: encoding, structural expansion, the z3 call, decoding);
``smt.structure`` the hop's statements and their expansion; ``smt.constraints`` the constraints; ``smt.decide`` the
z3 runs and cores; ``smt.witness`` decoding and replay; ``smt.results`` the answer types.

:func:`answer` is the dispatcher: it tries the fast paths that :class:`~trustgraph.smt.options.SolverOptions` allows
and falls back to the reference path. Each fast path lives apart and is held to the reference by tests: a shared
answer from the result store (``smt.sharing`` builds the keys, ``smt.cache`` stores; a hit is replayed or
re-located), a few concrete requests tried with the evaluator before anything is encoded (``smt.concrete_first``
with ``smt.guess``), an outsider's MFA twins skipped when nothing reads MFA (``smt.mfa_twins``), and constraints
grounded instead of asserted. With every switch off (``SolverOptions.reference()``) :func:`answer` is
:func:`reference_answer`.

Unsat answers from z3 may carry a lazy core: the minimal core by deletion (one more solver run per assertion) is
computed when :meth:`Unsat.explained` is called or :attr:`Unsat.core` / :attr:`Unsat.locations` is read (an explicit
request for the reason), by solving the hop again in core mode; never by comparing, hashing or printing an answer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from trustgraph.model.location import Location
from trustgraph.model.values import format_date
from trustgraph.semantics.request import Action, Caller, CallerKind, Target
from trustgraph.smt.absent_gate import absent_refuted
from trustgraph.smt.claims_gate import claims_refuted
from trustgraph.smt.concrete_first import arn_templates, try_concrete_first
from trustgraph.smt.mfa_twins import reads_mfa
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.presence import HopView
from trustgraph.smt.principal_gate import principal_refuted
from trustgraph.smt.question import HopAnswer, HopQuestion
from trustgraph.smt.reference import Clock, encode_and_solve, groundable
from trustgraph.smt.renaming import renamed_form, replayed, storable
from trustgraph.smt.results import (
    DEFAULT_TIMEOUT_MS,
    TIMEOUT_ENV,
    HopResult,
    KeyConstraint,
    Sat,
    Unknown,
    Unsat,
    default_timeout_ms,
)
from trustgraph.smt.session import SessionLink, SolverSession
from trustgraph.smt.sharing import cache_key, cacheable, rematerialize
from trustgraph.smt.structure import MAX_STRUCTURE_BITS
from trustgraph.smt.symbolic import Candidate, SymbolicCaller, concrete_candidates, symbolic_candidates
from trustgraph.smt.trust_gate import (
    DeferredCore,
    SharedView,
    ground_denied,
    ground_refuted,
    org_refuted,
    refuted,
    trust_admits,
    within_bits,
)


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
    session: SolverSession | None = None,
) -> HopResult:
    """:func:`answer` for the question made of these arguments (see :class:`HopQuestion` for their meaning), in
    ``session`` (its caches and options; None: a session of its own, so nothing is shared with other calls)."""
    question = HopQuestion(caller, target, action, tuple(constraints), closed, now_ms, duration_seconds, timeout_ms)
    return answer(question, session if session is not None else SolverSession())


#: marks the store key of an answer asked with ``arn_guesses`` (:func:`answer`)
_ARN_GUESSES = "arn-guesses"


def answer(question: HopQuestion, session: SolverSession, *, arn_guesses: bool = False) -> HopAnswer:
    """The dispatcher: the answer to ``question`` by the fast paths the session's options allow, falling back to the
    reference path (:func:`reference_answer` when every switch is off). Unknown answers are never stored.

    ``arn_guesses``: when the concrete-first guesses of an outsider candidate fail, try them again for the template
    renamed after the trust policy's aws:PrincipalArn patterns (``smt.concrete_first.arn_templates``) before z3.
    Only vacuous-condition's questions ask for it: those whose witnesses it renders (its question 1, and the
    statement's own question, ``checks.base.statement_alone``, whose Sat answers only its every-value findings print)
    and its question 3, whose answer only decides a verdict (a Sat is a Sat whichever witness it carries), so no other
    answer changes. Stored apart from the answers asked without it (its store key is marked), so that an answer
    does not depend on which way the question was asked first, nor a report on how the roles were split between
    processes; such a witness is never stored as another role's image."""
    options = session.options
    if options.is_reference:
        return reference_answer(question, session)
    key = None
    renamed = None
    if options.cache:
        plain_key = cache_key(question, options.paths_key(), session.facts)
        key = (_ARN_GUESSES, plain_key) if arn_guesses else plain_key
        hit = session.store.lookup(key)
        if hit is not None:
            out = rematerialize(hit, question.target)
            if out is not None:
                return out
        if options.renamed_values:  # an image of another role's answer (smt.renaming)
            renamed = renamed_form(question, plain_key, session.facts)
            if renamed is not None:
                entry = session.store.lookup(renamed.key)
                if entry is not None:
                    moved = replayed(entry, renamed, question.target)
                    if moved is not None:
                        return moved
    z3_runs, guessed = session.stats.solver_calls, session.stats.guess_hits
    result = _solve(question, session, options, arn_guesses=arn_guesses)
    if key is not None and not isinstance(result, Unknown):
        session.store.store(key, cacheable(result, question.target))
    # only a witness the concrete-first guesses found (no z3 run) is the image of the other roles' (smt.renaming)
    if (renamed is not None and not arn_guesses and isinstance(result, Sat) and not result.approximations
            and session.stats.solver_calls == z3_runs and session.stats.guess_hits > guessed):
        session.store.store(renamed.key, storable(renamed, result))
    return result


def proved_unsat(question: HopQuestion, session: SolverSession) -> Unsat:
    """ The answer to ``question``, which the caller proved Unsat by a rule of its own (``checks.base.
    claims_disagree``), without z3: the Unsat answer :func:`answer` gives when z3 decides without computing the core,
    whose core, when read, is computed as that answer's is (every candidate solved again in core mode), so the same
    core and locations. Not kept in the session's store (a question asked again is answered by :func:`answer`: the
    same verdict)."""
    link = SessionLink(session)
    options = session.options

    def explain() -> tuple[tuple[str, ...], tuple[Location, ...]]:
        again = _solve(question, link(), options.without("concrete_first"), want_core=True)
        if isinstance(again, Unsat):
            return again.core, again.locations
        return ((f"no request satisfies the hop (proved without the solver; recomputing the core gave {again})",), ())
    return Unsat(explain=explain)


def reference_answer(question: HopQuestion, session: SolverSession | None = None) -> HopAnswer:
    """The answer to ``question`` by the reference path only: every candidate of the caller encoded and solved
    (``smt.reference``), no guess, no shared answer, no candidate skipped, whatever the session's switches say
    (only its ``inject_unknown`` and counters are used)."""
    session = session if session is not None else SolverSession()
    return _solve(question, session, SolverOptions.reference(inject_unknown=session.options.inject_unknown))


def _solve(q: HopQuestion, session: SolverSession, options: SolverOptions, want_core: bool = False, *,
           arn_guesses: bool = False) -> HopResult:
    """Solve every candidate of the caller. Unless ``want_core``, an unsat answer whose minimal core needs more
    solver runs comes back with a lazy core: :class:`Unsat` runs this function again with ``want_core`` (every
    candidate is then known unsat, so only the cores are computed) when its core is asked for."""
    caller, target, action = q.caller, q.target, q.action
    if isinstance(caller, SymbolicCaller):
        # made once per shape of the question in the session (smt.session.CandidateMemo); the reference makes them
        candidates = (session.candidates(caller, target, action) if not options.is_reference
                      else symbolic_candidates(caller, target, action))
        if not candidates:
            return Unsat((f"a {caller.kind.value} caller cannot call {action.value}",))
    else:
        candidates = concrete_candidates(caller, target)
    clock = Clock(q.now_ms, format_date(q.now_ms if q.now_ms is not None else int(time.time()) * 1000))
    # an outsider's candidates with MFA follow all those without; when nothing in the question reads an MFA key,
    # each is its twin without MFA (already answered: not Sat), so they are not asked again. A concrete caller that
    # carries MFA has no twin without it: its candidates are always asked
    skip_mfa = (options.mfa_twins and isinstance(caller, SymbolicCaller)
                and any(c.template.mfa for c in candidates) and any(not c.template.mfa for c in candidates)
                and not reads_mfa(target, q.constraints, candidates, session.facts))
    asked = [c for c in candidates if not (skip_mfa and c.template.mfa)]
    # a candidate the trust gate rules out is never Sat (smt.trust_gate): with defer_refuted it is solved only when
    # no other candidate is Sat, and its answer takes its place in the candidates' order
    answers: list[HopResult | None] = [None] * len(asked)
    for i, cand in enumerate(asked):
        if options.defer_refuted and len(asked) > 1 and not trust_admits(cand, q):
            continue
        r = answers[i] = _solve_candidate(cand, q, clock, session, options, want_core, arn_guesses)
        if isinstance(r, Sat):
            if isinstance(caller, SymbolicCaller) and caller.identity_unknown:
                r = Sat(r.caller, r.request, r.decision, (*r.approximations, caller.identity_unknown))
            return r
    pieces: list[tuple[str, Unsat]] = []  # each candidate's Unsat, in order, with its label when there are several
    unknown: Unknown | None = None
    lazy = deferred = False
    for cand, known in zip(asked, answers, strict=True):
        r = known if known is not None else _solve_candidate(cand, q, clock, session, options, want_core,
                                                             arn_guesses)
        if isinstance(r, Sat):  # a refuted candidate is never Sat (smt.trust_gate): the reference path decides
            return _solve(q, session, options.without("defer_refuted"), want_core, arn_guesses=arn_guesses)
        if isinstance(r, Unknown):
            unknown = unknown or Unknown(f"{cand.label}: {r.reason}")
            continue
        if isinstance(r, DeferredCore):  # its core is the reference's for this candidate: read when asked
            deferred = True
        elif not r.core_computed:
            lazy = True
            continue
        pieces.append((f"[{cand.label}] " if len(candidates) > 1 else "", r))
    if unknown is not None:
        return unknown
    if lazy:
        link = SessionLink(session)

        def explain() -> tuple[tuple[str, ...], tuple[Location, ...]]:
            again = _solve(q, link(), options.without("concrete_first"), want_core=True)
            if isinstance(again, Unsat):
                return again.core, again.locations
            return ((f"no request satisfies the hop (the solver proved it; recomputing the core gave {again})",),
                    ())
        return Unsat(explain=explain)
    if deferred:
        return Unsat(explain=lambda: _joined(pieces))
    return Unsat(*_joined(pieces))


def _joined(pieces: list[tuple[str, Unsat]]) -> tuple[tuple[str, ...], tuple[Location, ...]]:
    """The candidates' cores in their order (each with its prefix) and their locations, each once."""
    cores: list[str] = []
    locations: list[Location] = []
    for prefix, r in pieces:
        cores.extend(prefix + c for c in r.core)
        locations.extend(loc for loc in r.locations if loc not in locations)
    return tuple(dict.fromkeys(cores)), tuple(locations)


def _solve_candidate(cand: Candidate, q: HopQuestion, clock: Clock, session: SolverSession, options: SolverOptions,
                     want_core: bool, arn_guesses: bool = False) -> HopResult:
    """One candidate: the trust gate's Unsat (``smt.trust_gate``), else the concrete-first guesses when allowed, else
    (or when none is allowed) the reference path."""
    # a candidate no Allow trust statement can name is Unsat: no guess can be allowed, and when the reference would
    # encode nothing its one evaluation is made here (smt.trust_gate)
    gated = options.trust_gate and not trust_admits(cand, q)
    if gated:
        refutation = refuted(cand, q, clock, session.stats)
        if refutation is not None:
            return refutation
        if options.trust_gate_deferred and not want_core and options.inject_unknown is None and within_bits(cand, q):
            # no statement names the candidate, so the reference's every evaluation denies and it folds to Unsat;
            # its core, when asked for, is the reference's (smt.trust_gate.within_bits)
            session.stats.count("trust_gate")
            link = SessionLink(session)
            return DeferredCore(explain=lambda: _reference_core(cand, q, clock, link(), options))
    # the fast paths below stand aside for a gated candidate, a wanted core and injected Unknowns
    fast = not gated and not want_core and options.inject_unknown is None
    if fast and ((options.org_gate and org_refuted(cand, q)) or (options.claims_gate and claims_refuted(cand, q))):
        # proved without z3; the core, when asked for, comes from the reference (smt.trust_gate.org_refuted,
        # smt.claims_gate.claims_refuted)
        session.stats.count("fast_path")
        link = SessionLink(session)
        return Unsat(explain=lambda: _reference_core(cand, q, clock, link(), options))
    ground = _ground_context(cand, q, clock)
    # the gates below read one view of the candidate's keys, made once (smt.trust_gate.SharedView)
    shared = SharedView(cand, q, ground, clock, options.ground_constraints) if fast and options.shared_views else None
    if fast and ((options.ground_gate and ground_refuted(cand, q, ground, clock, options.ground_constraints, shared))
                 or (options.ground_deny_gate and ground_denied(cand, q, ground, clock, options.ground_constraints,
                                                                shared))
                 or (options.absent_gate and absent_refuted(cand, q, ground, clock))):
        # the reference's Unsat without the guesses and the encoding: an admitting statement's condition folds to
        # False on the ground keys, or a Deny's every condition to True (smt.trust_gate), or a constraint requires
        # a key no request of the candidate carries (smt.absent_gate); the core, when asked for, is the reference's
        session.stats.count("fast_path")
        link = SessionLink(session)
        return DeferredCore(explain=lambda: _reference_core(cand, q, clock, link(), options))
    # the template's guesses come before the principal gate: a guess the evaluator allows is a request of the
    # candidate that gets through, so the gate (a proof that none does) cannot refute a candidate a guess answers,
    # and either order gives the same answer; on condition-heavy-2k ~2,170 of the gate's ~2,500 tests declined,
    # ~2,160 of those candidates then answered by the guess, against ~330 refuted ones whose guesses now come first
    # (most of them skipped at once: smt.concrete_first._principal_refused)
    if fast and options.concrete_first:
        guessed = _guess(cand, q, ground, clock, session)
        if guessed is not None:
            return guessed
    if fast and options.principal_gate and principal_refuted(
            cand, q, ground, clock, options.ground_constraints,
            session.formulas if options.solved_formulas else None, strings=options.string_cells,
            members=options.principal_gate_members, shared=shared,
            renamed=session.renamed_nevers if options.principal_gate_renamed else None,
            texts=session.formula_texts if options.formula_texts else None):
        # conditions on its principal keys alone refuse it (smt.principal_gate); the core, when asked for, is the
        # reference's
        session.stats.count("fast_path")
        link = SessionLink(session)
        return DeferredCore(explain=lambda: _reference_core(cand, q, clock, link(), options))
    if fast and options.concrete_first:
        for template in arn_templates(cand, q.target) if arn_guesses else ():
            renamed = replace(cand, template=template)
            guessed = _guess(renamed, q, _ground_context(renamed, q, clock), clock, session)
            if guessed is not None:
                return guessed
    return encode_and_solve(cand, q, ground, clock, session.stats, ground_constraints=options.ground_constraints,
                            want_core=want_core, injected=options.inject_unknown,
                            small_model_slots=options.small_model_slots, string_cells=options.string_cells,
                            solved=session.formulas if options.solved_formulas else None,
                            cores=session.formulas if options.solved_cores else None,
                            guided_cores=options.guided_cores)


def _reference_core(cand: Candidate, q: HopQuestion, clock: Clock, session: SolverSession,
                    options: SolverOptions) -> tuple[tuple[str, ...], tuple[Location, ...]]:
    """The core of a candidate :func:`~trustgraph.smt.trust_gate.org_refuted` ruled out, as the reference finds it."""
    again = _solve_candidate(cand, q, clock, session, options, want_core=True)
    if isinstance(again, Unsat):
        return again.core, again.locations
    return ((f"no request satisfies the hop (proved without the solver; the solver gave {again})",), ())


def _ground_context(cand: Candidate, q: HopQuestion, clock: Clock) -> dict[str, tuple[str, ...]]:
    """The request keys the candidate's template and the role fix: principal keys, the role's account, organization
    and tags, a carried source identity."""
    from trustgraph.semantics.context import principal_context

    template, target = cand.template, q.target
    ground: dict[str, tuple[str, ...]] = dict(principal_context(template, now=clock.text))
    ground["aws:resourceaccount"] = (target.role.account,)
    if target.org_known:
        ground["aws:resourceorgid"] = ()  # absent unless the organization is set below
        ground["aws:resourceorgpaths"] = ()
        ground.update(target.resource_org_context())
    if template.kind is CallerKind.ROLE_SESSION and template.source_identity is not None:
        ground["sts:sourceidentity"] = (template.source_identity,)  # carried along the chain, not changeable
    for tag_key, tag_value in target.role.tags:
        ground.setdefault(f"aws:resourcetag/{tag_key.lower()}", (tag_value,))
    return ground


def _guess(cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], clock: Clock,
           session: SolverSession) -> Sat | None:
    """The concrete-first fast path for one candidate (``smt.concrete_first``), before any z3 object is built:
    guesses read only the keys the caller does not derive, so the view needs neither the candidate's symbolic
    principal keys nor the decisions on constraints over principal keys."""
    from trustgraph.semantics.keys import key_info, origin_of

    template = cand.template
    gground = dict(ground)
    for c in q.constraints:
        k = c.key.lower()
        if (c.op in ("absent", "equals") and not key_info(k).principal_derived
                and groundable(c, template.kind, q.action)):
            gground[k] = tuple(c.values) if c.op == "equals" else ()
    gview = HopView(action=q.action, origin=origin_of(template.kind, q.action), ground=gground, closed=q.closed,
                    given=frozenset(c.key.lower() for c in q.constraints), provider_host=cand.provider_host,
                    carried_source_identity=template.source_identity
                    if template.kind is CallerKind.ROLE_SESSION else None,
                    now_ms=clock.now_ms, target_tags=q.target.role.tags, symbolic_caller=cand.symbolic)
    return try_concrete_first(cand, q.target, q.action, q.constraints, gview, clock.text, q.duration_seconds,
                              session.facts, session.stats)


#: The public names other modules import from here (the result types live in ``smt.results``).
__all__ = ["DEFAULT_TIMEOUT_MS", "MAX_STRUCTURE_BITS", "TIMEOUT_ENV", "HopAnswer", "HopQuestion", "HopResult",
           "KeyConstraint", "Sat", "SolverOptions", "SolverSession", "Unknown", "Unsat", "answer", "proved_unsat",
           "default_timeout_ms", "reference_answer", "solve_hop"]
