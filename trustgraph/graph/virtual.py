"""First hops of a source that is not a node of the trust graph, computed without touching the graph.

A query may start from any principal (docs/semantics.md §4): a user, role or role-session ARN of an account nobody
exported, or one session of an exported role. Such a principal has no node, and adding one would change the graph
every later query sees; instead its first hops are listed here, one per (role, action) whose trust policy has an
Allow statement that can name it (its ARN, its session's ARN, its account, ``*``, or a NotPrincipal that leaves it
out), in the shape of the graph's own edge data. Whether a hop is satisfiable is then decided by the solver, as for
every edge; after the first hop the search continues on the graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustgraph.graph.build import action_may_match, mentions, summary_of
from trustgraph.model.arn import parse_arn, partition_of
from trustgraph.model.policy import Effect, Statement
from trustgraph.model.principal import PrincipalKind
from trustgraph.semantics.principals import DIRECT_FORMS, MatchForm, principal_match
from trustgraph.semantics.request import Action, Caller, CallerKind

if TYPE_CHECKING:
    import networkx as nx

_ASSUME = Action.ASSUME_ROLE


def _names_free_session(st: Statement, caller: Caller) -> bool:
    """Whether the statement names a session of the caller's role (any session name: the name is free)."""
    if caller.kind is not CallerKind.ROLE_SESSION or caller.session_name is not None:
        return False
    role_name = caller.arn.rsplit("/", 1)[-1]
    for p in st.principals or ():
        if p.kind is PrincipalKind.ASSUMED_ROLE and p.account == caller.account:
            arn = parse_arn(p.text)
            same_partition = arn is not None and arn.partition == partition_of(caller.arn)
            if same_partition and arn is not None and arn.resource.split("/")[1] == role_name:
                return True
    return False


def _form(st: Statement, caller: Caller) -> MatchForm | None:
    """The most specific form by which an Allow statement names the caller (None: it does not)."""
    if st.principals is None and st.not_principals is not None:
        if any(principal_match(p, caller, _ASSUME) is not None for p in st.not_principals):
            return None
        return MatchForm.NOT_PRINCIPAL
    forms = [f for f in (principal_match(p, caller, _ASSUME) for p in st.principals or ()) if f is not None]
    if _names_free_session(st, caller):
        forms.append(MatchForm.SESSION_ARN)
    if not forms:
        return None
    order = [MatchForm.SESSION_ARN, MatchForm.USER_ARN, MatchForm.UNIQUE_ID, MatchForm.ROLE_ARN, MatchForm.ANY,
             MatchForm.NOT_PRINCIPAL, MatchForm.ACCOUNT]
    return min(forms, key=lambda f: order.index(f) if f in order else len(order))


def principal_edges(G: nx.MultiDiGraph, caller: Caller) -> tuple[tuple[str, dict[str, Any]], ...]:
    """``(role, edge data)`` for every role whose trust policy may let ``caller`` (an IAM user or a role session,
    its session name pinned or free) call sts:AssumeRole, in the graph's edge-data shape (``action``, ``kind``,
    ``statements``, ``trust``, ``needs_external_id``, ``needs_mfa``, ``cross_account``, ``identity_required``,
    ``summary``). Roles of another partition are left out (docs/semantics.md §1.3.1). The graph is not changed."""
    estate = G.graph["estate"]
    partition = partition_of(caller.arn)
    out: list[tuple[str, dict[str, Any]]] = []
    for role in estate.role_by_arn.values():
        if partition_of(role.arn) != partition:
            continue
        statements: list[Statement] = []
        direct = False
        for st in role.trust_policy.statements:
            if st.effect is not Effect.ALLOW or not action_may_match(st.actions, st.not_actions, _ASSUME.value):
                continue
            form = _form(st, caller)
            if form is None:
                continue
            statements.append(st)
            direct = direct or (form in DIRECT_FORMS and caller.account == role.account)
        if not statements:
            continue
        out.append((role.arn, _edge_data(statements, caller.account != role.account, direct)))
    return tuple(out)


def _edge_data(statements: list[Statement], cross_account: bool, direct: bool) -> dict[str, Any]:
    """The graph's edge data for an sts:AssumeRole hop allowed by ``statements`` (see :func:`principal_edges`)."""
    unique = tuple(dict.fromkeys(statements))
    return {
        "action": _ASSUME.value,
        "kind": "assume",
        "statements": tuple(st.location for st in unique),
        "trust": unique,
        "needs_external_id": all(mentions([st], "sts:externalid") for st in unique),
        "needs_mfa": all(mentions([st], "aws:multifactorauthpresent") for st in unique),
        "cross_account": cross_account,
        "identity_required": not direct,
        "summary": summary_of({c.key_text for st in unique for c in st.conditions}),
    }


def _may_name_account(st: Statement, account: str, partition: str) -> bool:
    """Whether an Allow statement may admit some principal of ``account``: it names ``*``, the account, a user, role
    or session of it, or a unique id no export resolves (it may be one of the account's), or it is a NotPrincipal
    statement (whether the principal is left out is the solver's question)."""
    if st.principals is None:
        return st.not_principals is not None
    for p in st.principals:
        if p.kind is PrincipalKind.ANY or p.kind is PrincipalKind.UNIQUE_ID:
            return True
        if p.kind in _ACCOUNT_KINDS and p.account == account and p.partition in (None, partition):
            return True
    return False


_ACCOUNT_KINDS = frozenset({PrincipalKind.ACCOUNT, PrincipalKind.USER, PrincipalKind.ROLE, PrincipalKind.ASSUMED_ROLE})


def account_edges(G: nx.MultiDiGraph, account: str, partition: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """``(role, edge data)`` for every role of ``partition`` whose trust policy may let some principal of ``account``
    (an account the exports do not describe) call sts:AssumeRole: the first hops of ``account:ID`` when the account
    is in the zone but not exported. Each is a cross-account hop that needs the principal's identity side, which is
    unknown; the solver decides the trust side. The graph is not changed."""
    estate = G.graph["estate"]
    out: list[tuple[str, dict[str, Any]]] = []
    for role in estate.role_by_arn.values():
        if partition_of(role.arn) != partition:
            continue
        statements = [st for st in role.trust_policy.statements
                      if st.effect is Effect.ALLOW and action_may_match(st.actions, st.not_actions, _ASSUME.value)
                      and _may_name_account(st, account, partition)]
        if statements:
            out.append((role.arn, _edge_data(statements, account != role.account, False)))
    return tuple(out)


__all__ = ["account_edges", "principal_edges"]
