"""The policies of one hop as addressable statements, and the evaluator-driven structural
expansion's building blocks: which statements can matter (:func:`relevant`), which are interchangeable
(:func:`group_bits`), and the hop with chosen statements' conditions removed or the statements dropped
(:func:`rebuild`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from trustgraph.model.pattern import Variable
from trustgraph.model.policy import Policy, Statement
from trustgraph.semantics.actions import statement_action_matches
from trustgraph.semantics.principals import statement_principal_match
from trustgraph.semantics.request import Action, Caller, Target
from trustgraph.smt.terms import Term, or_

MAX_STRUCTURE_BITS = 12


Addr = tuple[Any, ...]


def hop_policies(caller: Caller, target: Target) -> list[tuple[Addr, Policy]]:
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


def rebuild(caller: Caller, target: Target, choice: dict[Addr, bool]) -> tuple[Caller, Target]:
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


def relevant(st: Statement, addr: Addr, caller: Caller, actions: Sequence[Action],
              resource: str | None = None) -> bool:
    """False when the statement cannot apply to this hop whatever the request (action or principal mismatch)."""
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
    from trustgraph.semantics.actions import statement_resource_matches

    globs = (st.resources or ()) + (st.not_resources or ())
    if any(isinstance(el, Variable) for g in globs for el in g.pattern):
        return True
    return statement_resource_matches(st, resource, {}, variables=False)


def group_bits(bits: list[tuple[Addr, Term]], by_addr: dict[Addr, Statement], caller: Caller,
                actions: Sequence[Action]) -> list[tuple[list[Addr], Term]]:
    """Group statements the evaluator cannot tell apart, so each group is one bit of the structural expansion.

    Two statements are interchangeable for the decision when they sit in the same policy kind (the same SCP/RCP
    level), have the same effect, cover the same hop actions and (trust policies) name the caller in the same form
    for each action, and their Resource has no policy variable: the evaluator ORs such statements (the verdict
    depends on whether one of them applies). A vendor role with one ExternalId statement per customer is then one
    bit, not one per customer.
    """
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


__all__ = ["MAX_STRUCTURE_BITS", "Addr", "group_bits", "hop_policies", "rebuild", "relevant"]
