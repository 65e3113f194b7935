"""A candidate whose principal keys alone decide the trust policy against it: Unsat without the guesses and the
full encoding.

An outsider candidate of :mod:`trustgraph.smt.symbolic` (a principal of a named or fresh account) keeps its principal
keys symbolic (``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:userid``, ``aws:username``: the candidate's
builders), so the reference cannot fold a condition on them (``smt.reference._ground_condition`` folds only ground
keys) and pays the concrete-first guesses, the encoding of every condition of the hop and a z3 run to learn what one
condition already says. Two shapes are common in condition-heavy estates:

- an Allow statement naming an account's root with ``ArnLike aws:PrincipalArn arn:aws:iam::*:role/ops-*``: no IAM
  user of any account has such an ARN, so the statement never admits the account's IAM users (the user candidates
  come first in the caller's order, before the role sessions, so every question on the statement paid this);
- vacuous-condition's question 3 for a condition the principal implies (Principal ``arn:aws:iam::B:root`` with
  ``StringEquals aws:PrincipalAccount B``): the question's Deny statement "the condition holds" holds for every
  request of a principal of B, so every request is denied.

:func:`principal_refuted` decides those conditions one at a time: a condition whose keys are all such builder keys is
encoded by the reference's own encoder (:func:`~trustgraph.smt.encode.encode_condition`, the same builders, the same
axioms) in an environment of its own, and z3 is asked whether the condition (for an Allow) or its negation (for a
Deny) can hold with the axioms the encoding added. An unsatisfiable answer is a fact about every request of the
candidate, so it holds in the reference's formula too (its assertions include these axioms and the condition's
tracked term): an Allow statement with such a condition is False in every model (its group's bit, when True,
needs the term), a Deny statement whose every condition is valid applies to every request (an explicit Deny matching
the principal and the action denies, whatever else the hop holds). When every Allow statement of the trust policy
that names the candidate for the action has a refuted condition, or one such Deny statement applies, every
evaluation of the reference's structural expansion denies or is unsatisfiable: the reference answers Unsat (or, when
its z3 run times out, Unknown: the small problems here are a condition and its key's axioms, decided in milliseconds,
and the test declines whenever one of them is not proved unsatisfiable). It declines, as
:func:`~trustgraph.smt.trust_gate.ground_refuted` does, when the hop has more statements with conditions than the
structural expansion takes (the reference answers Unknown) and when a constraint alone proves the answer (the
reference says why).

The small problems repeat (every question on one statement asks the same candidates about the same conditions): they
are decided through the session's store of solved conjunctions (:class:`~trustgraph.smt.cache.SolvedFormulas`, keyed
by the formulas, which z3 shares), so a condition costs one z3 run per candidate shape.

Most small problems are satisfiable (the gate declines): a role session against ``ArnLike aws:PrincipalArn
...:role/ops-*`` as a Deny's negation (the condition fails for a session of another role), a session of a named
account against ``StringEquals aws:PrincipalAccount``. With ``members`` (``SolverOptions.principal_gate_members``),
the candidate's template, a concrete member of the class the candidate stands for (its principal keys the ground
context's), is asked first: when the evaluator finds the condition holding (or failing, for a Deny) on its values,
the small problem is satisfiable and z3 is not run. The test only declines; proving stays with z3, so the gate's
answers are the same either way (tests/smt/test_principal_gate.py compares them).

With ``renamed`` (``SolverOptions.principal_gate_renamed``), a small problem of a candidate of one named account
(a generic outsider of account A, ``smt.symbolic._generic``) is also decided from the answer z3 gave the same
problem for another account B (:func:`renamed_key`): condition-heavy estates ask one ``ArnLike aws:PrincipalArn
arn:aws:iam::*:role/ops-*`` of the user and role-session candidates of every account, and the problems differ only
in the account's literal. The argument: the problem's only assertions are the candidate's ARN axioms (``caller:arn``,
``caller:unique-id``, ``caller:session-name``) and the goal, A occurs once in the problem (the account literal of
the ARN's expression) and B once in its own, and the problems are the same text with A and B replaced by one
placeholder; every value of the condition is either without a wildcard (an equality with a literal, in which neither
A nor B occurs) or without a digit (no literal character of a glob can be matched against a digit of the account;
no policy variable). Then the map replacing A by B at the account's place in an ARN (both twelve digits, so every
position is kept) maps the candidate's ARNs for A one to one onto those for B, a glob without digits matches an
ARN exactly when it matches its image (each character of A is matched by a wildcard, which matches B's too), an
equality with a literal holds of neither (the literal contains neither account), and the named ARNs, ids and
sessions the axioms exclude contain neither: the two problems are satisfiable together. Only answers z3 proved
(sat or unsat) are kept; an undecided one (its budget reached) is not, and is asked again (the gate then declines,
never answering "never" from it). The store is the session's (``SolverSession.renamed_nevers``).

Its answer is a :class:`~trustgraph.smt.trust_gate.DeferredCore`: the reference's core for that candidate, computed
when read. Switch: ``SolverOptions.principal_gate``; tests: tests/smt/test_principal_gate.py (against the reference
path).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from trustgraph.model.policy import Effect
from trustgraph.smt.encode import block_keys
from trustgraph.smt.formula_texts import FormulaTexts, sexpr
from trustgraph.smt.structure import MAX_STRUCTURE_BITS, hop_policies
from trustgraph.smt.z3lazy import z3

if TYPE_CHECKING:
    from trustgraph.model.condition import Condition
    from trustgraph.smt.cache import SolvedFormulas
    from trustgraph.smt.env import Env
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.reference import Clock
    from trustgraph.smt.symbolic import Candidate
    from trustgraph.smt.trust_gate import SharedView

#: the principal keys an outsider candidate builds and nothing else writes: single-valued, always present, their
#: value a function of the candidate's principal alone
PRINCIPAL_KEYS = frozenset({"aws:principalarn", "aws:principalaccount", "aws:userid", "aws:username"})

#: z3's budget for one small problem (milliseconds; an undecided one only makes the test decline)
SMALL_TIMEOUT_MS = 2_000


def principal_refuted(cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], clock: Clock,
                      ground_constraints: bool, solved: SolvedFormulas | None, *, strings: bool = False,
                      members: bool = False, shared: SharedView | None = None,
                      renamed: dict[Any, bool] | None = None, texts: FormulaTexts | None = None) -> bool:
    """Whether the reference answers Unsat for ``cand`` because of conditions on its principal keys alone (see the
    module docstring). ``ground`` is the candidate's ground context (``smt.solve._ground_context``, not changed
    here); ``clock`` the question's time; ``ground_constraints`` the option the reference is asked with; ``solved``
    the session's solved conjunctions (None: each small problem is decided afresh); ``strings`` the
    ``string_cells`` option, passed to :func:`~trustgraph.smt.decide.check_tracked`; ``members``: a condition the
    candidate's template meets (for an Allow) or fails (for a Deny) is not refuted, without z3 (see the module
    docstring); ``shared``: the candidate's view the other gates read before (``smt.trust_gate.SharedView``; None:
    made here), whose environment this gate adds to, so it reads it last; ``renamed``: the session's answers to small
    problems by their form up to the candidate's account (:func:`renamed_key`; None: not shared); ``texts``: the
    session's texts of z3 formulas (``smt.formula_texts.FormulaTexts``, the ``formula_texts`` fast path; None: each
    form spells its formulas afresh)."""
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.principals import statement_principal_match
    from trustgraph.smt.structure import relevant

    if not cand.symbolic or cand.setup is None:
        return False
    template, target, action = cand.template, q.target, q.action
    trust = target.role.trust_policy
    admitting = []
    denying = []
    for si, st in enumerate(trust.statements):
        if not statement_action_matches(st, action.value) or statement_principal_match(st, template, action) is None:
            continue
        if st.effect is Effect.ALLOW:
            admitting.append(st)
        elif st.conditions and relevant(st, ("trust", si), template, (action,), target.role.arn):
            denying.append(st)
    if not admitting:
        return False  # the trust gate's case (smt.trust_gate.trust_admits), not this one
    candidates_allow = all(st.conditions and any(_principal_only(c) for c in st.conditions) for st in admitting)
    candidates_deny = [st for st in denying if all(_principal_only(c) for c in st.conditions)]
    if not candidates_allow and not candidates_deny:
        return False
    if sum(1 for _, p in hop_policies(template, target) for st in p.statements if st.conditions) > MAX_STRUCTURE_BITS:
        return False  # the reference may answer Unknown: it decides
    env = _environment(cand, q, ground, clock, ground_constraints, shared)
    if env is None:
        return False
    member = ground if members else None
    variables = trust.variables_enabled
    shared_by = (renamed, template.account, texts) if renamed is not None and template.account is not None else None
    for st in candidates_deny:
        if all(_never(env, c, negated=True, solved=solved, strings=strings, member=member, variables=variables,
                      renamed=shared_by)
               for c in st.conditions):
            return True
    return candidates_allow and all(
        any(_never(env, c, negated=False, solved=solved, strings=strings, member=member, variables=variables,
                   renamed=shared_by)
            for c in st.conditions)
        for st in admitting)


def _principal_only(cond: Condition) -> bool:
    """Whether every key ``cond`` reads is one of :data:`PRINCIPAL_KEYS`."""
    keys = block_keys((cond,))
    return bool(keys) and all(k in PRINCIPAL_KEYS for k in keys)


def _environment(cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], clock: Clock,
                 ground_constraints: bool, shared: SharedView | None = None) -> Env | None:
    """An environment with the reference's key builders for the candidate (its symbolic principal keys and the
    presence rules of the hop, ``smt.presence.resolver``), or None when a constraint alone proves the answer."""
    from trustgraph.smt.presence import resolver
    from trustgraph.smt.trust_gate import candidate_view

    assert cand.setup is not None
    viewed = shared() if shared is not None else candidate_view(cand, q, ground, clock, ground_constraints)
    if viewed is None:
        return None
    env, view = viewed
    assert env is not None
    if not all(k in view.builders for k in PRINCIPAL_KEYS - {"aws:username"}):
        return None  # not an outsider of smt.symbolic._generic: its keys are not all built here
    env.resolver = resolver(view)
    return env


def _never(env: Env, cond: Condition, *, negated: bool, solved: SolvedFormulas | None, strings: bool,
           member: dict[str, tuple[str, ...]] | None = None, variables: bool = True,
           renamed: tuple[dict[Any, bool], str, FormulaTexts | None] | None = None) -> bool:
    """Whether no request of the candidate makes ``cond`` hold (``negated``: fail), proved by z3 on the condition's
    term as the reference encodes it and the axioms its keys bring; False when z3 does not prove it (or the encoding
    over-approximates: an oracle may take either value). ``member``: the ground context of the candidate's
    template; when the evaluator (policy variables read per ``variables``) makes ``cond`` hold (``negated``: fail)
    on its principal keys, a member of the class does it and False is answered without z3. ``renamed``: the
    session's store of answers by :func:`renamed_key`, the candidate's account and the session's formula texts."""
    from trustgraph.smt.decide import check_tracked
    from trustgraph.smt.encode import encode_condition
    from trustgraph.smt.terms import not_, to_z3

    if not _principal_only(cond):
        return False
    if member is not None and _member_meets(cond, member, variables, not negated):
        return False
    approximations = len(env.approximations)
    term = encode_condition(env, cond)
    if len(env.approximations) != approximations or env.oracles:
        return False
    goal = not_(term) if negated else term
    if goal is False:
        return True
    if goal is True:
        return False
    # every axiom the environment holds (the ones this condition's keys added and those before: all facts about the
    # candidate), then the goal
    assertions = [(f"a{i}|{name}", to_z3(t)) for i, (name, t) in enumerate(env.axioms)]
    assertions.append(("goal", to_z3(goal)))
    key = None if renamed is None else renamed_key(assertions, cond, renamed[1], negated, strings, texts=renamed[2])
    if key is not None:
        assert renamed is not None
        known = renamed[0].get(key)
        if known is not None:
            return known
    res, _, _, _ = check_tracked(assertions, SMALL_TIMEOUT_MS, strings=strings, solved=solved)
    if key is not None and res in (z3.sat, z3.unsat):
        assert renamed is not None
        renamed[0][key] = bool(res == z3.unsat)  # proved answers only: an undecided run is asked again
    return bool(res == z3.unsat)


#: the candidate's own axioms (``smt.symbolic._generic``): the only ones a renamed small problem may hold
_OWN_AXIOMS = frozenset({"caller:arn", "caller:unique-id", "caller:session-name"})
_ACCOUNT = re.compile(r"^\d{12}$")
_DIGIT = re.compile(r"\d")
_PLACE = "<trustgraph-account>"


def renamed_key(assertions: list[tuple[str, Any]], cond: Condition, account: str | None, negated: bool,
                strings: bool, *, texts: FormulaTexts | None = None) -> tuple[Any, ...] | None:
    """The form of a small problem up to the candidate's ``account`` (see the module docstring): its assertions'
    text with the account's one occurrence replaced by a placeholder; None when the argument does not cover it (an
    axiom that is not the candidate's own, the account absent, named twice or in the condition, a value of the
    condition with both a wildcard and a digit, or a policy variable). ``texts``: the formulas' texts are read from
    there (``smt.formula_texts.FormulaTexts``) instead of spelled by z3 each time: the same text."""
    from trustgraph.model.pattern import Literal

    if account is None or not _ACCOUNT.match(account):
        return None
    if any(name.split("|", 1)[-1] not in _OWN_AXIOMS for name, _ in assertions[:-1]):
        return None
    for text, pattern in zip(cond.texts, cond.patterns, strict=False):
        if "$" in text or account in text:
            return None
        if not all(isinstance(el, Literal) for el in pattern) and _DIGIT.search(text):
            return None
    if len(cond.patterns) != len(cond.texts):
        return None
    spell = texts.text if texts is not None else sexpr
    text = "\n".join(f"{name}={spell(f)}" for name, f in assertions)
    if text.count(account) != 1 or _PLACE in text:
        return None
    return ("principal-never/v1", text.replace(account, _PLACE), negated, strings, SMALL_TIMEOUT_MS)


def _member_meets(cond: Condition, member: dict[str, tuple[str, ...]], variables: bool, holds: bool) -> bool:
    """Whether the evaluator's answer for ``cond`` on the principal keys of ``member`` (a ground context) is
    ``holds``; False when the evaluator cannot decide it."""
    from trustgraph.semantics.conditions import UndecidableCondition
    from trustgraph.semantics.evaluate import condition_evaluator

    ctx = {k: member[k] for k in block_keys((cond,)) if member.get(k)}
    try:
        return condition_evaluator()(cond, ctx, variables=variables) is holds
    except UndecidableCondition:
        return False


__all__ = ["PRINCIPAL_KEYS", "principal_refuted", "renamed_key"]
