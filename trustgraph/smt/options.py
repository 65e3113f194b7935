"""Which fast paths and caches an analysis may use: one value, :class:`SolverOptions`, the only switch.

Every fast path gives the reference path's answer faster (tests/smt hold each one to it); tests and benches turn them
off to compare. ``SolverOptions.reference()`` turns every one off: then each hop question is answered by
:func:`trustgraph.smt.solve.reference_answer` alone (encode, solve, decode, core), and a search solves every hop it
asks. The options travel with the analysis that owns the caches (:class:`trustgraph.smt.session.SolverSession`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class SolverOptions:
    """Switches of the fast paths and caches (all on by default).

    Attributes
    ----------
    cache
        Share answers between questions through the session's result store (``smt.sharing``, ``smt.cache``); also
        the account-free key.
    concrete_first
        Try a few concrete requests with the evaluator before encoding a hop (``smt.concrete_first``, ``smt.guess``).
    mfa_twins
        Skip an outsider's candidate shapes with MFA when nothing in the hop reads MFA (``smt.mfa_twins``).
    ground_constraints
        Turn ``equals``/``absent`` constraints on caller-chosen keys into ground request values instead of z3
        assertions (``smt.reference``).
    renamed_values
        With ``cache``: share an outsider's Sat witness between roles whose trust policies differ only in the
        external ids and outside principals they name, renamed and replayed (``smt.renaming``).
    evaluation
        Decide a concrete caller's fully determined request by evaluating it (``queries.ground``).
    derived_answers
        Answer a hop from the answer to the same hop under other constraints (``ReachabilityEngine.decide``).
    hop_classes
        Answer a concrete caller's hop from the answer of another caller the hop's policies cannot tell apart (a Sat
        witness replayed for the caller; ``queries.hopclass``).
    fixed_refutation
        Answer Unsat a hop whose every trust statement naming the caller has a condition on keys the caller cannot
        choose that is false on its values (``queries.fixed``), without the solver.
    small_model_slots
        Give a multi-valued key ``max(1, n)`` slots for the ``n`` conditions that read it, the bound
        ``smt.slots`` proves complete, instead of the reference's two per condition (``smt.reference``).
    trust_gate
        Answer Unsat a candidate that no Allow statement of the role's trust policy can name (conditions aside)
        without the concrete-first guesses, and without the encoding when the reference would read nothing else
        (``smt.trust_gate``).
    trust_gate_deferred
        With ``trust_gate``, answer such a candidate Unsat without the encoding whatever it reads (constraints,
        conditioned statements) when no core is wanted and the structural expansion stays within its limit
        (``smt.trust_gate.within_bits``); its core, when asked for, is the reference's.
    org_gate
        Answer Unsat, without the guesses and z3, an outsider candidate whose every admitting Allow trust statement
        requires an organization it is excluded from (``smt.trust_gate.org_refuted``); its core, when asked for,
        is the reference's.
    ground_gate
        Answer Unsat, without the guesses and the encoding, a candidate whose every admitting Allow trust statement
        has a condition the reference folds to False on the keys it grounds (``smt.trust_gate.ground_refuted``); its
        core, when asked for, is the reference's.
    ground_deny_gate
        Answer Unsat, without the guesses and the encoding, a candidate that a Deny trust statement naming it applies
        to whatever the request: every condition of the statement folds to True on the keys the reference grounds
        (``smt.trust_gate.ground_denied``); its core, when asked for, is the reference's.
    absent_gate
        Answer Unsat, without the guesses and z3, a candidate whose requests never carry a principal-derived key that
        an ``equals`` constraint requires (an IAM user without MFA asked for ``aws:MultiFactorAuthPresent`` true:
        ``smt.absent_gate``); its core, when asked for, is the reference's.
    principal_gate
        Answer Unsat, without the guesses and the full encoding, an outsider candidate whose every admitting Allow
        trust statement has a condition on its principal keys alone that no request of the candidate meets, or that
        a Deny trust statement whose conditions on those keys every request meets applies to
        (``smt.principal_gate``); its core, when asked for, is the reference's.
    principal_gate_members
        With ``principal_gate``: a condition the candidate's template (a concrete member of its class) meets, or
        fails for a Deny, is not refuted, without z3 (``smt.principal_gate``); the gate's answers are the same.
    principal_gate_renamed
        With ``principal_gate``: a small problem of a candidate of one account is answered from z3's proved answer to
        the same problem for another account when the two are the same up to the account ids, which appear nowhere
        else in them (``smt.principal_gate.renamed_key``); an undecided answer is never reused. The gate's answers
        are the same.
    formula_texts
        With ``principal_gate_renamed``: the text of each z3 formula a small problem's form spells is kept in the
        session, by the formula (``smt.formula_texts.FormulaTexts``), instead of printed by z3 again for every
        condition and candidate that brings it back. The same forms.
    defer_refuted
        Solve the candidates the trust gate rules out (never Sat) after the others, and only when none of those is
        Sat: a Sat answer is the first Sat candidate's in the caller's order either way, and an Unsat or Unknown
        answer is assembled from every candidate's in that order, so only the refuted candidates' evaluations before
        a Sat one are saved (``smt.solve``).
    string_cells
        Decide the string variables of a hop that only meet regular expressions (globs, ARN patterns, API limits,
        an outsider's organization id and paths) with our own automata and z3 on the Boolean rest
        (``smt.strings``), instead of z3's sequence solver.
    solved_formulas
        Answer a conjunction z3 already decided in the session (the same formulas, in the same order) from the
        session's store (:class:`~trustgraph.smt.cache.SolvedFormulas`) instead of a fresh z3 context: the same
        answer, model and core (``smt.decide.check_tracked``).
    shared_views
        Make a candidate's view of its keys (``smt.trust_gate.candidate_view``) once for the gates that read it in
        turn (``smt.trust_gate.SharedView``) instead of once per gate: the same value for each.
    solved_cores
        Answer the minimal core of an Unsat conjunction whose core the session already found by deletion (the same
        formulas, in the same order) from the same store, as this question's names at the same positions, instead of
        one z3 run per assertion (``smt.decide.core_by_deletion``): dead-trust-statement's reasons for roles alike.
    guided_cores
        Find a minimal core by the same deletion pass, in the same order, skipping the trials an unsat core of an
        incremental solver (z3's assumption core, found again after each assertion dropped) already decides: some
        k + 1 trials for a core of k assertions instead of one per assertion (``smt.decide.core_by_deletion``):
        dead-trust-statement's reasons. The same core unless a skipped trial would have reached z3's resource limit.
    lazy_liveness
        vacuous-condition asks "does a caller of the class get in under the statement alone" (its question 2, and
        dead-trust-statement's question) only when the answer itself is read: the solver's witness a finding
        renders, or a class with no Sat answer yet that shows it live; a Sat answer to another question of the
        statement (key absent, key present) shows the class live, and its request is the one the evaluator's
        counterexample tries start from (``checks.vacuous_condition``). The same verdicts and witnesses.
    implied_conditions
        vacuous-condition's question 3 is answered Unsat without z3 for a condition of the statement that every
        request of any AWS principal the statement without it allows meets (``checks.vacuous_condition.
        implied_condition``): ``StringEquals aws:PrincipalAccount`` listing the account of every principal, and
        ``StringEquals aws:PrincipalOrgID`` next to ``ForAnyValue:StringLike aws:PrincipalOrgPaths`` patterns that all
        start with an organization it lists. The same verdicts and witnesses.
    dead_claims
        vacuous-condition asks the statement's own question before question 1 for a GitHub Actions class whose
        ``repository`` and ``repo:`` ``sub`` conditions name different repositories (``checks.vacuous_condition.
        claims_disagree``): its Unsat answer shows the class not live, and question 1 is not asked. The same
        verdicts (only the order of the questions changes).
    refuted_claims
        The statement's own question (``checks.base.statement_alone``, asked by vacuous-condition and
        dead-trust-statement) for a GitHub Actions class whose ``repository`` and ``repo:`` ``sub`` conditions name
        different repositories (``checks.base.claims_disagree``) is answered Unsat without z3
        (:func:`trustgraph.smt.solve.proved_unsat`); its core, when read, is the solver's. The same verdicts and cores.
    claims_gate
        A symbolic GitHub Actions caller whose every admitting Allow trust statement names a repository its ``repo:``
        ``sub`` patterns cannot name (``smt.claims_gate.claims_refuted``: the token's claims agree) is Unsat without
        the guesses and the encoding; its core, when read, is the reference's. The same verdicts and cores.
    multi_value_variants
        vacuous-condition's counterexample tries for question 3 (``checks.exact.other_value_admitted``) also change a
        multi-valued string key the caller chooses (``checks.exact.caller_chooses_set``: a multi-valued SAML
        attribute; not sts:TransitiveTagKeys, whose values must be keys of passed tags) to a set of one value that
        makes the condition false; an evaluator ALLOW is a counterexample, so the solver's question 3 is Sat too (it
        is not asked). The same verdicts and witnesses.
    principal_arn_variants
        vacuous-condition's counterexample tries for question 3 (``checks.variants.variant_admitted``) also move a
        role session of the class of any AWS principal to a role (of its own account, else of a fresh one) whose ARN
        makes an ``aws:PrincipalArn`` condition false; an evaluator ALLOW is a counterexample inside the solver's
        model of the class, so the solver's question 3 is Sat too (it is not asked). The same verdicts and witnesses.
    tag_key_variants
        vacuous-condition's counterexample tries for question 3 (``checks.variants.variant_admitted``) also change the
        session tags an AWS principal passes with sts:AssumeRole for a condition on aws:TagKeys or
        sts:TransitiveTagKeys (the keys it lists renamed, or one more tag passed: ``checks.variants.
        _tag_key_variants``); an evaluator ALLOW is a counterexample inside the solver's model of the hop, so the
        solver's question 3 is Sat too (it is not asked). The same verdicts and witnesses.
    inject_unknown
        Tests of the timeout path: every question that reaches z3 is answered Unknown with this reason, and no
        concrete-first guess is tried (None: off).
    """

    cache: bool = True
    concrete_first: bool = True
    mfa_twins: bool = True
    ground_constraints: bool = True
    renamed_values: bool = True
    evaluation: bool = True
    derived_answers: bool = True
    hop_classes: bool = True
    fixed_refutation: bool = True
    small_model_slots: bool = True
    string_cells: bool = True
    trust_gate: bool = True
    trust_gate_deferred: bool = True
    org_gate: bool = True
    ground_gate: bool = True
    ground_deny_gate: bool = True
    absent_gate: bool = True
    principal_gate: bool = True
    principal_gate_members: bool = True
    principal_gate_renamed: bool = True
    formula_texts: bool = True
    defer_refuted: bool = True
    solved_formulas: bool = True
    solved_cores: bool = True
    guided_cores: bool = True
    shared_views: bool = True
    lazy_liveness: bool = True
    implied_conditions: bool = True
    dead_claims: bool = True
    refuted_claims: bool = True
    claims_gate: bool = True
    multi_value_variants: bool = True
    principal_arn_variants: bool = True
    tag_key_variants: bool = True
    inject_unknown: str | None = None

    @classmethod
    def reference(cls, *, inject_unknown: str | None = None) -> SolverOptions:
        """Every fast path and cache off: the reference path only."""
        return cls(cache=False, renamed_values=False, concrete_first=False, mfa_twins=False,
                   ground_constraints=False, evaluation=False, derived_answers=False, hop_classes=False,
                   fixed_refutation=False, small_model_slots=False, string_cells=False, trust_gate=False,
                   trust_gate_deferred=False,
                   org_gate=False, ground_gate=False, ground_deny_gate=False, absent_gate=False, principal_gate=False,
                   principal_gate_members=False, principal_gate_renamed=False, formula_texts=False,
                   defer_refuted=False, solved_formulas=False, solved_cores=False, guided_cores=False,
                   shared_views=False, lazy_liveness=False, implied_conditions=False, dead_claims=False,
                   refuted_claims=False, claims_gate=False,
                   multi_value_variants=False, principal_arn_variants=False, tag_key_variants=False,
                   inject_unknown=inject_unknown)

    def without(self, *names: str) -> SolverOptions:
        """These options with the named switches off (``options.without("cache", "concrete_first")``)."""
        off: dict[str, Any] = dict.fromkeys(names, False)
        return replace(self, **off)

    @cached_property
    def is_reference(self) -> bool:
        """True when no fast path and no cache is on (the options are immutable: read once, asked per question)."""
        return not any(getattr(self, f.name) for f in fields(self) if f.name != "inject_unknown")

    def paths_key(self) -> tuple[bool, ...]:
        """The switches that may change which witness a Sat answer carries: answers found with different ones are
        kept apart in the result store."""
        return (self.concrete_first, self.mfa_twins, self.ground_constraints, self.small_model_slots,
                self.string_cells)


__all__ = ["SolverOptions"]
