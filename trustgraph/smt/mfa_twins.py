"""The MFA-twins shortcut: an outsider's candidate shapes with MFA follow those without, and when
nothing in a hop reads an MFA key each is its twin without MFA (already answered: not Sat), so :func:`reads_mfa`
tells the solve loop whether they need asking at all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from trustgraph.model.pattern import Variable
from trustgraph.model.policy import Policy
from trustgraph.semantics.request import Target
from trustgraph.smt.results import KeyConstraint
from trustgraph.smt.symbolic import Candidate

if TYPE_CHECKING:
    from trustgraph.smt.facts import FactsTable

_MFA_KEYS = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})


def policy_reads_mfa(policy: Policy) -> bool:
    """True when a condition of ``policy`` reads an MFA key, directly or through a policy variable (in a condition
    value or a Resource); the only ways the evaluator lets a caller's MFA change a decision. A pure function of the
    policy: the session's facts table (``smt.facts``) keeps its answer per policy content."""
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
    return reads


def reads_mfa(target: Target, constraints: tuple[KeyConstraint, ...], candidates: Sequence[Candidate],
              facts: FactsTable) -> bool:
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
    return any(facts(p).reads_mfa for p in policies)


__all__ = ["policy_reads_mfa", "reads_mfa"]
