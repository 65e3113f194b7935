"""A GitHub Actions token no Allow trust statement can admit because its claims would have to disagree: Unsat
without the guesses and the encoding.

A GitHub Actions token's claims agree (``semantics.claims.token_problem``, which the evaluator applies, and
``smt.presence.claim_couplings``, which the reference encodes): ``repository`` is ``OWNER/NAME`` and a ``repo:``
subject is ``repo:OWNER/NAME:...`` for that same repository. A statement with a plain ``StringEquals`` on the
``repository`` claim and a plain ``StringEquals``/``StringLike`` on ``sub`` whose every pattern starts with ``repo:``
and can start with ``repo:R:`` for no repository ``R`` the first lists (:func:`disagreeing_claims`) admits no token.
When every Allow statement of the role's trust policy that covers the action and names the candidate's template is
such a statement, no request of the candidate is allowed (a role is assumed only through an Allow statement of its
trust policy; other conditions, Deny statements, RCPs and constraints only take requests away), and the reference
learns it from z3 (the couplings make the formula unsat; it does not fold).

On condition-heavy-2k the outsider searches of external-path-to-admin (``checks.leanfederated.federated_index``) ask
the GitHub provider's hop into each role whose only statement names two repositories: 27 z3 runs (with their
encodings), the last z3 runs of that search. The answer is the reference's lazy Unsat: its core, when read, is the
reference's for the candidate (``smt.solve._reference_core``), so verdicts and cores are unchanged.

Switch: ``SolverOptions.claims_gate``; tests: tests/smt/test_claims_gate.py (against the reference path).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustgraph.model.condition import Operator, SetQualifier
from trustgraph.model.pattern import Literal, Pattern, variables_of
from trustgraph.model.policy import Effect
from trustgraph.semantics.claims import is_github
from trustgraph.semantics.request import CallerKind
from trustgraph.smt.guess import prefix_possible

if TYPE_CHECKING:
    from trustgraph.model.condition import Condition
    from trustgraph.model.policy import Statement
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.symbolic import Candidate


def disagreeing_claims(st: Statement, host: str) -> bool:
    """True when ``st`` admits no GitHub Actions token of the provider ``host`` (a GitHub host, any case): a plain
    ``StringEquals`` (no IfExists, no set qualifier, no policy variable) on its ``repository`` claim and a plain
    ``StringEquals``/``StringLike`` on its ``sub`` whose every pattern starts with the literal ``repo:`` and
    matches no subject ``repo:R:...`` for any repository ``R`` the first lists (:func:`trustgraph.smt.guess.
    prefix_possible`). False for any other provider."""
    host = host.lower()
    if not is_github(host):
        return False
    repos = [c for c in st.conditions if c.key == f"{host}:repository" and _plain(c, (Operator.STRING_EQUALS,))]
    subs = [c for c in st.conditions if c.key == f"{host}:sub"
            and _plain(c, (Operator.STRING_EQUALS, Operator.STRING_LIKE))]
    for repo in repos:
        for sub in subs:
            if all(p[:1] and _starts_repo(p) and not any(prefix_possible(p, f"repo:{r}:") for r in repo.texts)
                   for p in sub.patterns):
                return True
    return False


def claims_refuted(cand: Candidate, q: HopQuestion) -> bool:
    """Whether every Allow statement of the role's trust policy that covers ``q.action`` and names the candidate's
    template (a symbolic web-identity caller of a GitHub provider) has :func:`disagreeing_claims`: True is a proof
    that no request of the candidate is allowed (see the module docstring)."""
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.principals import statement_principal_match

    template, action, host = cand.template, q.action, cand.provider_host
    if not cand.symbolic or template.kind is not CallerKind.WEB_IDENTITY or host is None or not is_github(host):
        return False
    for st in q.target.role.trust_policy.statements:
        if (st.effect is not Effect.ALLOW or not statement_action_matches(st, action.value)
                or statement_principal_match(st, template, action) is None):
            continue
        if not disagreeing_claims(st, host):
            return False
    return True


def _plain(cond: Condition, operators: tuple[Operator, ...]) -> bool:
    return bool(cond.operator in operators and not cond.if_exists and cond.qualifier is SetQualifier.NONE
                and cond.texts and not any(variables_of(p) for p in cond.patterns))


def _starts_repo(pattern: Pattern) -> bool:
    """Whether every text ``pattern`` matches starts with ``repo:`` (its first element is a literal so starting)."""
    return isinstance(pattern[0], Literal) and pattern[0].text.startswith("repo:")


__all__ = ["claims_refuted", "disagreeing_claims"]
