"""The trust gate (``smt.trust_gate``) held to the reference path: a candidate no Allow trust statement can name is
Unsat with the reference's own core and locations, and skipping its guesses changes no answer."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.smt.helpers import NOW_MS, A, B, allow, deny, root, session, target, user
from tests.smt.test_question import CALLERS, questions
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import KeyConstraint, Sat, Unsat
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import answer, reference_answer
from trustgraph.smt.symbolic import SymbolicCaller, symbolic_candidates
from trustgraph.smt.trust_gate import trust_admits

VENDOR = "649251065028"
#: the AWS outsider of a scan: any principal of an account no policy names (the vendor has a node of its own)
OUTSIDER = SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A, VENDOR}))
GATE_ONLY = SolverOptions(
    cache=False, concrete_first=False, mfa_twins=False, ground_constraints=False, evaluation=False,
    derived_answers=False, hop_classes=False, fixed_refutation=False, small_model_slots=False, string_cells=False,
    trust_gate=True)


def _vendor_role(external_id: str, principal: Any = None) -> Any:
    return target(allow(principal or {"AWS": f"arn:aws:iam::{VENDOR}:role/siem-vendor-integration"},
                        {"StringEquals": {"sts:ExternalId": external_id}}))


def _q(caller: Any, tgt: Any, *constraints: KeyConstraint) -> HopQuestion:
    return HopQuestion(caller, tgt, Action.ASSUME_ROLE, tuple(constraints), False, NOW_MS, timeout_ms=20_000)


def _same(fast: object, ref: object) -> None:
    """The same answer: type, and for Unsat the same core and locations, for Sat the same witness."""
    assert type(fast) is type(ref), (fast, ref)
    if isinstance(fast, Unsat):
        assert isinstance(ref, Unsat)
        assert (fast.core, fast.locations) == (ref.core, ref.locations)
    elif isinstance(fast, Sat):
        assert fast == ref


def test_an_outsider_into_a_vendor_role_is_refuted_without_guess_or_encoding() -> None:
    q = _q(OUTSIDER, _vendor_role("siem-001-40d7549b38df"))
    _same(answer(q, SolverSession(GATE_ONLY)), reference_answer(q))
    fast_session = SolverSession()
    fast = answer(q, fast_session)
    assert isinstance(fast, Unsat) and "no trust statement" in fast.core[0]
    stats = fast_session.cache_stats()
    assert stats["trust_gate"] >= 1 and stats["guess_evaluations"] == 0 and stats["structure_evaluations"] == 0
    off = SolverSession(SolverOptions().without("trust_gate"))
    _same(answer(q, off), fast)  # every other fast path on, the gate off: the same answer
    assert off.cache_stats()["trust_gate"] == 0 and off.cache_stats()["structure_evaluations"] > 0


def test_the_gate_keeps_out_of_candidates_the_trust_policy_names() -> None:
    """The vendor's own principal (a named candidate) is admitted: the gate does not decide it, the reference does
    (Sat with the external id)."""
    tgt = _vendor_role("x-1")
    sc = SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A}))
    cands = symbolic_candidates(sc, tgt, Action.ASSUME_ROLE)
    admitted = [c for c in cands if trust_admits(c, _q(sc, tgt))]
    assert admitted and len(admitted) < len(cands)
    q = _q(sc, tgt)
    fast, ref = answer(q, SolverSession(GATE_ONLY)), reference_answer(q)
    assert isinstance(fast, Sat) and isinstance(ref, Sat)
    assert fast.request.context.get("sts:externalid") == ("x-1",)


def test_with_constraints_or_conditioned_statements_the_reference_encodes_but_guesses_are_skipped() -> None:
    """A constraint (or a relevant conditioned Deny) leaves the Unsat to the reference encoding: same answer, no
    guess evaluated for the refuted candidate."""
    deny_all = deny("*", {"Bool": {"aws:SecureTransport": "false"}})
    for q in (_q(user(B), _vendor_role("e-1"), KeyConstraint("sts:ExternalId", "absent")),
              _q(user(B), target(allow(root(VENDOR)), deny_all)),
              _q(session(B, source_identity="alice"), _vendor_role("e-2")),
              _q(session(B, transitive_tags=(("team", "x"),)), _vendor_role("e-3"))):
        s = SolverSession(SolverOptions().without("cache"))
        fast, ref = answer(q, s), reference_answer(q)
        _same(fast, ref)
        assert s.cache_stats()["guess_evaluations"] == 0


def test_a_carried_source_identity_is_refuted_with_the_reference_reasons() -> None:
    q = _q(session(B, source_identity="alice"), target(allow(root(VENDOR))))
    s = SolverSession(GATE_ONLY)
    _same(answer(q, s), reference_answer(q))
    assert s.cache_stats()["trust_gate"] == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_the_gate_gives_the_reference_answer_on_generated_questions(q: HopQuestion) -> None:
    ref = reference_answer(q)
    fast = answer(q, SolverSession(GATE_ONLY))
    if isinstance(ref, Sat) and ref.approximate:
        return
    _same(fast, ref)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_a_refused_candidate_has_no_allowed_guess(q: HopQuestion) -> None:
    """Skipping the guesses of a refused candidate loses nothing: with every fast path on, the answer is the one with
    the gate off (the guesses tried), core and witness alike."""
    on = answer(q, SolverSession(SolverOptions().without("cache")))
    off = answer(q, SolverSession(SolverOptions().without("cache", "trust_gate")))
    if any(isinstance(a, Sat) and a.approximate for a in (on, off)):
        return
    _same(on, off)


def test_generated_callers_include_refused_candidates() -> None:
    """The generated questions above reach the gate: a role trusting one account refuses the other callers."""
    tgt = target(allow(root(VENDOR)))
    refused = 0
    for caller in CALLERS:
        if isinstance(caller, SymbolicCaller):
            cands = symbolic_candidates(caller, tgt, Action.ASSUME_ROLE)
            refused += sum(not trust_admits(c, _q(caller, tgt)) for c in cands)
    assert refused > 0


def _deferral_off(options: SolverOptions) -> SolverOptions:
    return options.without("defer_refuted")


def test_refuted_candidates_before_a_sat_one_are_not_solved() -> None:
    """An outsider into a vendor role: the candidates the trust policy does not name come first and are never Sat;
    with defer_refuted the named one's Sat is found without refuting them, the same witness as without."""
    sc = SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A}))
    q = _q(sc, _vendor_role("x-2"))
    on_session = SolverSession(SolverOptions().without("cache"))
    off_session = SolverSession(_deferral_off(SolverOptions().without("cache")))
    on, off = answer(q, on_session), answer(q, off_session)
    assert isinstance(on, Sat)
    _same(on, off)
    assert on_session.cache_stats()["trust_gate"] == 0 < off_session.cache_stats()["trust_gate"]


def test_without_a_sat_candidate_every_refuted_one_is_solved_in_order() -> None:
    """No candidate is Sat: the refuted candidates' answers come back in the candidates' order (core and locations
    as without deferral), with and without constraints, for the reference's Unsat and the gate's alike."""
    sc = SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A}))
    for q in (_q(sc, _vendor_role("x-3"), KeyConstraint("sts:ExternalId", "absent")),
              _q(sc, target(allow(root(VENDOR), {"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
                 KeyConstraint("aws:MultiFactorAuthPresent", "absent")),
              _q(OUTSIDER, _vendor_role("x-4"))):
        for base in (SolverOptions().without("cache"), GATE_ONLY):
            on = answer(q, SolverSession(base))
            off = answer(q, SolverSession(_deferral_off(base)))
            assert isinstance(on, Unsat)
            _same(on, off)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_deferring_refuted_candidates_changes_no_answer(q: HopQuestion) -> None:
    """With every other fast path on (and with the gate alone), deferring the refuted candidates gives the answer
    without deferral: the same witness, or the same core and locations."""
    for base in (SolverOptions().without("cache"), GATE_ONLY.without("trust_gate"), GATE_ONLY):
        on = answer(q, SolverSession(base))
        off = answer(q, SolverSession(_deferral_off(base)))
        if any(isinstance(a, Sat) and a.approximate for a in (on, off)):
            continue
        _same(on, off)


def test_the_reference_options_do_not_defer() -> None:
    assert not SolverOptions.reference().defer_refuted and SolverOptions().defer_refuted
