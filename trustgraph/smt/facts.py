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
from dataclasses import dataclass, replace
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
    the same trust policy in every account).

    ``intern`` (on by default; the switch for tests): equal facts are kept as one object, and so are equal key and
    digit sets (:meth:`_interned`). The table grows with the distinct policy texts an analysis meets, which at 20,000
    roles is mostly the synthetic single-statement policies of the statement checks (vacuous-condition's questions:
    one per condition and role) whose facts repeat: condition-heavy-2k's 1,236 entries hold 889 distinct facts and
    406 distinct key sets, each entry's sets a fresh copy without it. A fact is an immutable value read, never
    compared by identity, so an equal object in its place changes no answer (``tests/smt/test_facts_interned.py``).
    """

    def __init__(self, *, intern: bool = True) -> None:
        self._lock = Lock()
        self._by_text: dict[str, PolicyFacts] = {}
        self.intern = intern
        #: one object per distinct value: facts, and the frozensets they hold
        self._same_facts: dict[PolicyFacts, PolicyFacts] = {}
        self._same_sets: dict[frozenset[str], frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self._by_text)

    def __call__(self, policy: Policy) -> PolicyFacts:
        text = policy.canonical_text()
        facts = self._by_text.get(text)
        if facts is None:
            facts = compute_facts(policy)
            with self._lock:
                if self.intern:
                    facts = self._interned(facts)
                self._by_text[text] = facts
        return facts

    def _interned(self, facts: PolicyFacts) -> PolicyFacts:
        """``facts`` as the object already kept for an equal value, its sets likewise (called under the lock)."""
        kept = self._same_facts.get(facts)
        if kept is not None:
            return kept
        sets = self._same_sets
        facts = replace(facts, condition_keys=sets.setdefault(facts.condition_keys, facts.condition_keys),
                        digit_runs=sets.setdefault(facts.digit_runs, facts.digit_runs),
                        keys_read=sets.setdefault(facts.keys_read, facts.keys_read))
        self._same_facts[facts] = facts
        return facts


__all__ = ["FactsTable", "PolicyFacts", "compute_facts", "digit_runs", "keys_read", "literal_texts"]
