"""What the fast paths need to know about one policy, computed once per policy content (:class:`PolicyFacts`), and
the table that holds them for an analysis (:class:`FactsTable`, keyed by the policy's canonical text, owned by a
:class:`~trustgraph.smt.session.SolverSession` and freed with it).

Each fact is a pure function of the policy's model, defined next to the fast path that reads it: the keys its
conditions read and whether the encoding models every condition exactly (``smt.guess``), whether it reads an MFA
key (``smt.mfa_twins``), whether it can tell one account id from another it does not name and which account ids it
writes, and whether it names resources (``smt.sharing``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from threading import Lock

from trustgraph.model.policy import Policy, Statement

#: A run of digits long enough to hold an account id (12 digits).
_DIGIT_RUN = re.compile(r"[0-9]{12,}")


@dataclass(frozen=True)
class PolicyFacts:
    """Facts of one policy.

    Attributes
    ----------
    condition_keys
        The keys its conditions read.
    exact
        Every condition is one the encoding models without an over-approximation.
    reads_mfa
        A condition reads an MFA key, directly or through a policy variable.
    account_blind
        It cannot tell one 12-digit account id from another it does not name (:func:`smt.sharing.account_blind`).
    digit_runs
        Every run of 12 or more digits in its literal texts (principals, actions, resources, condition keys and
        values): an account id it writes is in one of them.
    names_resources
        A statement has a Resource other than ``*`` or a NotResource (then the role's ARN matters).
    keys_read
        Every key it reads: condition keys and the keys of policy variables in condition values and Resources.
    """

    condition_keys: frozenset[str]
    exact: bool
    reads_mfa: bool
    account_blind: bool
    digit_runs: frozenset[str]
    names_resources: bool
    keys_read: frozenset[str]

    def writes_account(self, account: str) -> bool:
        """Whether ``account`` appears in a literal text of the policy."""
        return any(account in run for run in self.digit_runs)


def digit_runs(texts: Iterable[str]) -> frozenset[str]:
    """The runs of 12 or more digits in ``texts``."""
    return frozenset(run for text in texts for run in _DIGIT_RUN.findall(text))


def literal_texts(policy: Policy) -> Iterable[str]:
    """Every text the policy writes that evaluation compares with request values or names."""
    for st in policy.statements:
        for ps in (st.principals, st.not_principals):
            yield from (p.text for p in ps or ())
        for globs in (st.actions, st.not_actions, st.resources, st.not_resources):
            yield from (g.text for g in globs or ())
        for c in st.conditions:
            yield c.key_text
            yield from c.texts


def keys_read(policy: Policy, statements: Iterable[Statement] | None = None) -> frozenset[str]:
    """Every key ``policy`` reads (or only ``statements`` of it, when given): condition keys and the keys of policy
    variables (in condition values and Resources)."""
    from trustgraph.model.pattern import variables_of

    keys: set[str] = set()
    for st in policy.statements if statements is None else statements:
        for c in st.conditions:
            keys.add(c.key)
            for p in c.patterns:
                keys.update(v.key for v in variables_of(p))
        for globs in (st.resources, st.not_resources):
            for g in globs or ():
                keys.update(v.key for v in variables_of(g.pattern))
    return frozenset(keys)


def compute_facts(policy: Policy) -> PolicyFacts:
    """The facts of ``policy`` (a pure function of its model)."""
    from trustgraph.smt.guess import condition_exact
    from trustgraph.smt.mfa_twins import policy_reads_mfa
    from trustgraph.smt.sharing import account_blind, resource_specific

    keys = frozenset(c.key for st in policy.statements for c in st.conditions)
    exact = all(condition_exact(c) for st in policy.statements for c in st.conditions)
    return PolicyFacts(condition_keys=keys, exact=exact, reads_mfa=policy_reads_mfa(policy),
                       account_blind=account_blind(policy), digit_runs=digit_runs(literal_texts(policy)),
                       names_resources=resource_specific(policy), keys_read=keys_read(policy))


class FactsTable:
    """:class:`PolicyFacts` by policy content: a policy's facts are computed the first time the analysis meets a
    policy with its text, and shared by every equal policy (the same managed policy attached to a thousand roles,
    the same trust policy in every account)."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._by_text: dict[str, PolicyFacts] = {}

    def __len__(self) -> int:
        return len(self._by_text)

    def __call__(self, policy: Policy) -> PolicyFacts:
        text = policy.canonical_text()
        facts = self._by_text.get(text)
        if facts is None:
            facts = compute_facts(policy)
            with self._lock:
                self._by_text[text] = facts
        return facts


__all__ = ["FactsTable", "PolicyFacts", "compute_facts", "digit_runs", "keys_read", "literal_texts"]
