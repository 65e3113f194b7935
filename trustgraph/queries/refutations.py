"""The fixed-value refutation test (:mod:`trustgraph.queries.fixed`) answered per trust-policy content and per caller
state, not per role: the engine's :meth:`~trustgraph.queries.engine.ReachabilityEngine.fixed_refutes` with
``trust_refutations`` on.

:func:`~trustgraph.queries.fixed.fixed_refutes` reads of the hop's role only its trust policy (its statements, their
Version) and, through the request it evaluates the fixed-key conditions on, the role's account, tags and organization
(``aws:ResourceAccount``, ``aws:ResourceTag/*``, ``aws:ResourceOrgID``, ``aws:ResourceOrgPaths``); of the caller what
:meth:`~trustgraph.queries.evalclass.EvaluatedClasses.refutation_key` keeps (its layout, whether it is in the role's
account, and its names, tags, account and organization paths where the trust policy reads them). So the verdict is one
per *trust id* (the trust policy's canonical text, its Version's variables, and the role's resource facts only when a
condition of the trust policy reads an ``aws:Resource*`` key) and caller part, whatever the role: random organizations
repeat a few hundred trust texts over thousands of roles (random-5 at 2,000 roles: 230 texts; the 137,858 hops a
scan tests fall into 13,578 refutation keys of the role, and into 2,686 keys of the trust id, in 2,179 state rows).

Per caller state (and action) a row holds the verdicts by (trust id, same account): a hop costs a role lookup, a
small-integer key and one dictionary read, where the per-role key cost a hop tuple, the caller, the layout, the trust
facts and a key tuple of eight fields (random-5 at 2,000 roles: ~8% of the scan's CPU in ``fixed_refutes`` besides
the tests themselves). The hops of one state come one after the other (a state's expansion is decided hop by hop), so
the row of the state asked last is kept at hand.

Exact: a row's verdict is the one a shared key gives, and a shared key holds everything the test reads of role and
caller (``tests/queries/test_trust_refutations.py`` compares each hop's verdict with the hop's own test, and scans
with the switch off).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustgraph.model.pattern import variables_of
from trustgraph.queries.evalclass import ACCOUNT, NAMES, PATHS, TAGS, statements_facts
from trustgraph.queries.hopclass import caller_names
from trustgraph.semantics.request import Caller

if TYPE_CHECKING:
    from trustgraph.model.policy import Policy
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.semantics.request import Action, Target


def reads_resource(policy: Policy) -> bool:
    """Whether a condition of ``policy`` reads an ``aws:Resource*`` key (as its key or a policy variable of a value):
    the keys :func:`~trustgraph.semantics.context.build_request` fills from the target role."""
    for st in policy.statements:
        for c in st.conditions:
            if c.key.lower().startswith("aws:resource"):
                return True
            for p in c.patterns:
                if any(v.key.lower().startswith("aws:resource") for v in variables_of(p)):
                    return True
    return False


class TrustRefutations:
    """The engine's refutation verdicts per trust id and caller part (see the module docstring). It holds no
    reference to its engine (each call is given it): the engine owns it, and an engine must die without a collection
    (``tests/queries/test_engine_cycles.py``)."""

    def __init__(self) -> None:
        #: role ARN -> (its trust id, its account, what of the caller its trust policy reads)
        self._roles: dict[str, tuple[int, str, int]] = {}
        #: (trust text, variables, resource facts or None) -> trust id
        self._trust_ids: dict[tuple[Any, ...], int] = {}
        #: (caller state, action) -> (2 * trust id + same account -> verdict, the caller or None when not concrete)
        self._rows: dict[tuple[Any, Any], tuple[dict[int, bool], Caller | None]] = {}
        self._last: tuple[Any, Any, dict[int, bool], Caller | None] | None = None
        #: (trust id, action, caller layout, same account, the caller's fields the trust reads) -> verdict
        self._shared: dict[tuple[Any, ...], bool] = {}
        self.tests = 0  # queries.fixed tests made

    def refutes(self, engine: ReachabilityEngine, state: State, role: str, action: Action) -> bool:
        """:func:`~trustgraph.queries.fixed.fixed_refutes` of the hop's caller (False when it is not concrete)."""
        last = self._last
        if last is not None and last[0] is state and last[1] is action:
            row, caller = last[2], last[3]
        else:
            entry = self._rows.get((state, action))
            if entry is None:
                found = engine.caller(*state)
                entry = self._rows[(state, action)] = ({}, found if isinstance(found, Caller) else None)
            row, caller = entry
            self._last = (state, action, row, caller)
        if caller is None:
            return False
        info = self._roles.get(role)
        if info is None:
            info = self._role(engine, role)
        slot = 2 * info[0] + (caller.account == info[1])
        hit = row.get(slot)
        if hit is None:
            hit = row[slot] = self._verdict(engine, state, caller, role, action, info)
        return hit

    def _role(self, engine: ReachabilityEngine, role: str) -> tuple[int, str, int]:
        target = engine.target(role)
        trust = target.role.trust_policy
        facts = None
        if reads_resource(trust):
            facts = (target.role.account, target.role.tags, target.org_known, target.org_id, target.org_paths)
        content = (trust.canonical_text(), trust.variables_enabled, facts)
        trust_id = self._trust_ids.setdefault(content, len(self._trust_ids))
        info = self._roles[role] = (trust_id, target.role.account, statements_facts(trust.statements)[1])
        return info

    def _verdict(self, engine: ReachabilityEngine, state: State, caller: Caller, role: str, action: Action,
                 info: tuple[int, str, int]) -> bool:
        evaluated = engine.evaluated
        layout = evaluated._layouts.get((state, action)) or evaluated._layout(state, caller, action)
        reads = info[2]
        key = (info[0], action, layout[0], caller.account == info[1],
               caller_names(caller) if reads & NAMES else None,
               caller.tags if reads & TAGS else None,
               caller.account if reads & ACCOUNT else None,
               caller.org_paths if reads & PATHS else None)
        hit = self._shared.get(key)
        if hit is None:
            from trustgraph.queries.fixed import fixed_refutes

            target: Target = engine.target(role)
            self.tests += 1
            hit = self._shared[key] = fixed_refutes(caller, target, action, engine.now_ms)
        return hit


__all__ = ["TrustRefutations", "reads_resource"]
