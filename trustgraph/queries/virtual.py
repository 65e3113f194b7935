"""Sources that are principals but not graph nodes: a session of an exported role, a user, role or role session
of an account nobody exported (docs/semantics.md §4.2-§4.3), and ``account:ID`` for an account no trust policy
names or no export describes.

:func:`principal_source` resolves such an ARN, and :func:`account_source` such an account, into a
:class:`VirtualSource`: the caller standing for it (concrete for a session of an exported role; symbolic when its
identity side is unknown) and its first hops (:mod:`trustgraph.graph.virtual`). The reachability engine starts a
search from it without adding anything to the graph, so one query never changes what the graph's holder, or the next
query, sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trustgraph.errors import UsageError
from trustgraph.graph.nodes import EXTERNAL, NodeKind, account_node, short_label
from trustgraph.model.arn import is_account_id, parse_arn
from trustgraph.semantics.request import Caller, CallerKind

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.smt.symbolic import SymbolicCaller


@dataclass(frozen=True)
class VirtualSource:
    """A source principal with no node in the graph.

    ``node`` is the ARN as given, or ``account:ID`` (the search's start and the answer's source); ``kind`` is
    ``user``, ``role`` (a role session) or ``account`` (any principal of the account); ``caller`` the concrete or
    symbolic caller of its first hop; ``edges`` its first hops as ``(role, edge data)``; ``inside`` whether its
    account is in the zone.
    """

    node: str
    kind: str
    account: str
    inside: bool
    caller: Caller | SymbolicCaller
    edges: tuple[tuple[str, dict[str, Any]], ...] = field(default=(), compare=False)

    @property
    def attrs(self) -> dict[str, Any]:
        """Node attributes as the graph's nodes carry them."""
        return {"kind": self.kind, "account": self.account, "label": short_label(self.node),
                "inside": self.inside, "admin": False, "entity": None, "virtual": True}

    @property
    def symbolic(self) -> bool:
        """True when the caller is symbolic (its identity side unknown)."""
        return not isinstance(self.caller, Caller)


def principal_source(G: nx.MultiDiGraph, spec: str) -> VirtualSource | None:
    """The virtual source for a user/role/role-session ARN that is not a graph node; None when ``spec`` is not such
    an ARN or is an exported user or role (a node).

    Raises
    ------
    UsageError
        For a principal of an exported account that the export does not contain, and for malformed session ARNs.
    """
    arn = parse_arn(spec)
    if arn is None:
        return None
    session: str | None = None
    if arn.service == "sts" and arn.resource.startswith("assumed-role/"):
        parts = arn.resource.split("/")
        if len(parts) != 3 or not parts[1] or not parts[2]:
            raise UsageError(f"`{spec}` is not a role session: expected arn:PARTITION:sts::ACCOUNT:assumed-role/"
                             f"ROLE/SESSION")
        from trustgraph.semantics.keys import key_info

        if not key_info("sts:rolesessionname").value_ok(parts[2]):
            raise UsageError(f"`{spec}`: `{parts[2]}` is not a role session name (2-64 characters of letters, "
                             f"digits and _+=,.@-)")
        role_name, session = parts[1], parts[2]
        kind = NodeKind.ROLE.value
        principal_arn = f"arn:{arn.partition}:iam::{arn.account}:role/{role_name}"
    elif arn.service == "iam" and arn.resource.startswith(("user/", "role/")) and len(arn.resource) > 5:
        kind = NodeKind.USER.value if arn.resource.startswith("user/") else NodeKind.ROLE.value
        role_name = arn.resource_name
        principal_arn = spec
    else:
        return None
    if not is_account_id(arn.account):
        raise UsageError(f"`{spec}` does not name an account: expected a 12-digit account id")
    estate = G.graph["estate"]
    zone = G.graph["zone"]
    inside = estate.account_inside(zone, arn.account)
    snapshot = estate.account_by_id.get(arn.account)
    if snapshot is not None and snapshot.partition == arn.partition:
        return _exported(G, spec, snapshot, kind, role_name, session, inside)
    from trustgraph.graph.virtual import principal_edges
    from trustgraph.smt.symbolic import SymbolicCaller

    caller_kind = CallerKind.IAM_USER if kind == NodeKind.USER.value else CallerKind.ROLE_SESSION
    unknown = None
    if inside:
        unknown = (f"identity policies of {spec} are unknown (account {arn.account} is in the zone but was not "
                   f"exported): assumed to allow")
    symbolic = SymbolicCaller(
        kind=caller_kind, account=arn.account, arn=principal_arn, session_name=session,
        aws_kinds=frozenset({caller_kind}), excluded_orgs=frozenset() if inside else frozenset(zone.organizations),
        identity_unknown=unknown,
    )
    template = Caller(kind=caller_kind, arn=principal_arn, account=arn.account, session_name=session)
    return VirtualSource(spec, kind, arn.account, inside, symbolic, principal_edges(G, template))


def account_source(G: nx.MultiDiGraph, account: str, partition: str = "aws") -> VirtualSource:
    """``account:ID`` (any principal of the account) for an account that has no node: an outside account no trust
    policy names, or an account of the zone that was not exported (the caller must check that it has no node).

    Outside the zone the account is the outsider's to shape (its identity side attacker-controlled), and only the
    trust statements that name ``*`` can admit it: its first hops are the ``external`` node's hops by such
    statements, exactly as a graph node for the account would have them. Inside the zone its principals' identity
    policies are unknown: taken to allow, and every answer through them is marked approximate (never "unreachable"
    by assumption); its first hops are every trust statement that may name a principal of the account
    (:func:`trustgraph.graph.virtual.account_edges`)."""
    from trustgraph.model.principal import PrincipalKind
    from trustgraph.smt.symbolic import SymbolicCaller

    node = account_node(account)
    zone = G.graph["zone"]
    if G.graph["estate"].account_inside(zone, account):
        from trustgraph.graph.virtual import account_edges

        unknown = (f"identity policies of the principals of account {account} are unknown (the account is in the "
                   f"zone but was not exported): assumed to allow")
        caller = SymbolicCaller(kind=CallerKind.ROLE_SESSION, account=account, identity_unknown=unknown)
        return VirtualSource(node, NodeKind.ACCOUNT.value, account, True, caller, account_edges(G, account, partition))
    edges: list[tuple[str, dict[str, Any]]] = []
    if EXTERNAL in G:
        for _, role, data in G.out_edges(EXTERNAL, data=True):
            if any(p.kind is PrincipalKind.ANY for st in data["trust"] for p in (st.principals or ())):
                edges.append((role, data))
    caller = SymbolicCaller(kind=CallerKind.ROLE_SESSION, account=account,
                            excluded_orgs=frozenset(zone.organizations))
    return VirtualSource(node, NodeKind.ACCOUNT.value, account, False, caller, tuple(edges))


def _exported(G: nx.MultiDiGraph, spec: str, snapshot: Any, kind: str, role_name: str, session: str | None,
              inside: bool) -> VirtualSource | None:
    """A principal of an exported account: its node, a session of one of its roles, or an error."""
    if session is None:
        if spec in G and G.nodes[spec]["kind"] == kind:
            return None  # an exported user or role: the graph's own node
        raise UsageError(f"`{spec}` is not in the export of account {snapshot.account_id}, which lists that "
                         f"account's users and roles (a typo, or a principal deleted since the export?)")
    role = next((r for r in snapshot.roles if r.name == role_name), None)
    if role is None:
        raise UsageError(f"`{spec}`: account {snapshot.account_id} is exported but has no role `{role_name}` (a typo, "
                         f"or a role deleted since the export?)")
    from trustgraph.graph.virtual import principal_edges
    from trustgraph.semantics.callers import caller_for_role_session

    caller = caller_for_role_session(G.graph["estate"], role, session_name=session, zone=G.graph["zone"])
    return VirtualSource(spec, kind, snapshot.account_id, inside, caller, principal_edges(G, caller))


__all__ = ["VirtualSource", "account_source", "principal_source"]
