"""Build the trust graph: one edge per way a source can obtain a role's credentials.

Edges come from each role's trust policy through an index from principal to sources (never by testing every pair):
a user/role/session ARN or unique id names one node; an account names its exported principals (those whose identity
policies could allow ``sts:AssumeRole`` on the role, a cheap syntactic filter) and, for an account outside the zone,
the symbolic ``account:ID`` and ``external`` sources; ``*`` names everything; federated and service principals name
their own nodes. An edge carries the trust statements (the AST, not z3 terms) that name the source, so the graph pickles
and copies cheaply; whether the hop is satisfiable is decided per query by :mod:`trustgraph.smt`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trustgraph.graph.admin import AdminDecider, effective_caller
from trustgraph.graph.nodes import (
    ALL_PRINCIPALS,
    EXTERNAL,
    MEMBER,
    NodeKind,
    account_node,
    federated_node,
    principals_node,
    service_node,
    short_label,
)
from trustgraph.model.arn import parse_arn, partition_of
from trustgraph.model.bulk import gc_paused, release_free_heap
from trustgraph.model.estate import Estate
from trustgraph.model.location import Location
from trustgraph.model.pattern import arn_matches, variables_of
from trustgraph.model.policy import Effect, Glob, Policy, Statement
from trustgraph.model.principal import Principal, PrincipalKind
from trustgraph.model.zone import Zone
from trustgraph.semantics.actions import globs_cover, statements_for_action
from trustgraph.semantics.request import Action

if TYPE_CHECKING:
    import networkx as nx

_ASSUME = Action.ASSUME_ROLE.value

_EDGE_KIND = {
    Action.ASSUME_ROLE: "assume",
    Action.ASSUME_ROLE_WITH_SAML: "saml",
    Action.ASSUME_ROLE_WITH_WEB_IDENTITY: "web-identity",
}


_FEDERATED_PRINCIPALS = frozenset(
    {PrincipalKind.SAML_PROVIDER, PrincipalKind.OIDC_PROVIDER, PrincipalKind.WEB_IDENTITY}
)


def action_may_match(globs: tuple[Glob, ...] | None, not_globs: tuple[Glob, ...] | None, action: str) -> bool:
    """Whether an Action/NotAction element can match ``action`` (case-insensitive)."""
    if globs is not None:
        return globs_cover(globs, action)
    if not_globs is not None:
        return not globs_cover(not_globs, action)
    return False


def _resource_may_match(glob: Glob, arn: str) -> bool:
    if variables_of(glob.pattern):
        return True  # resolved per request by the evaluator; keep the candidate
    return arn_matches(glob.pattern, arn)


def resource_may_match(st: Statement, arn: str) -> bool:
    """Whether a statement's Resource/NotResource can cover ``arn`` (variables: maybe)."""
    if st.resources is not None:
        return any(_resource_may_match(g, arn) for g in st.resources)
    if st.not_resources is not None:
        return not any(not variables_of(g.pattern) and arn_matches(g.pattern, arn) for g in st.not_resources)
    return True


def identity_may_allow(policies: Iterable[Policy], action: str, resource: str) -> bool:
    """A sound syntactic filter: some identity Allow statement could allow ``action`` on ``resource``."""
    return any(
        st.effect is Effect.ALLOW and resource_may_match(st, resource)
        for p in policies
        for st in statements_for_action(p, action)
    )


@dataclass(frozen=True, slots=True)
class _Source:
    node: str
    same_account_direct: bool  # named specifically in the same account: no identity allow needed


def _principal_action(p: Principal) -> tuple[Action, ...]:
    """The assume actions a trust principal of this form can use."""
    return _PRINCIPAL_ACTION[p.kind]


def _actions_of_kind(kind: PrincipalKind) -> tuple[Action, ...]:
    if kind is PrincipalKind.SAML_PROVIDER:
        return (Action.ASSUME_ROLE_WITH_SAML,)
    if kind in (PrincipalKind.OIDC_PROVIDER, PrincipalKind.WEB_IDENTITY):
        return (Action.ASSUME_ROLE_WITH_WEB_IDENTITY,)
    if kind is PrincipalKind.ANY:
        return (Action.ASSUME_ROLE, Action.ASSUME_ROLE_WITH_SAML, Action.ASSUME_ROLE_WITH_WEB_IDENTITY)
    return (Action.ASSUME_ROLE,)


_PRINCIPAL_ACTION = {kind: _actions_of_kind(kind) for kind in PrincipalKind}
#: principal forms whose sources (:meth:`_Index.sources_for`) depend on the account of the trusting role
_BY_ROLE_ACCOUNT = frozenset(
    {PrincipalKind.ANY, PrincipalKind.USER, PrincipalKind.ROLE, PrincipalKind.ASSUMED_ROLE, PrincipalKind.UNIQUE_ID}
)
#: per principal kind, its actions with their names (``Action.value`` is a descriptor call on each access)
_PRINCIPAL_ACTIONS = {kind: tuple((a, a.value) for a in actions) for kind, actions in _PRINCIPAL_ACTION.items()}
_EDGE_KIND_BY_NAME = {a.value: kind for a, kind in _EDGE_KIND.items()}


class _Index:
    """Lookups from principal forms to graph sources, built once per graph."""

    def __init__(self, estate: Estate, zone: Zone) -> None:
        self.estate = estate
        self.zone = zone
        self.by_account: dict[str, list[str]] = defaultdict(list)
        self.role_by_account_name: dict[tuple[str, str], str] = {}
        for acct in estate.accounts:
            for u in acct.users:
                self.by_account[acct.account_id].append(u.arn)
            for r in acct.roles:
                self.by_account[acct.account_id].append(r.arn)
                self.role_by_account_name[(acct.account_id, r.name)] = r.arn
        self._identity: dict[str, tuple[Policy, ...]] = {}
        self._inside: dict[str, bool] = {}
        self._action_match: dict[tuple[tuple[Glob, ...] | None, tuple[Glob, ...] | None, str], bool] = {}
        self._facts: dict[tuple[str, ...], tuple[bool, bool, frozenset[str]]] = {}
        self._summaries: dict[frozenset[str], str] = {}
        self._sources: dict[tuple[str, str, str, Action], tuple[tuple[str, bool], ...]] = {}
        self._assumers: dict[str, tuple[str, ...]] = {}
        # "*" may match federated callers too (open point docs/semantics.md §8.1): it stands for every known provider
        self.providers: tuple[str, ...] = tuple(
            sorted(
                {
                    p.text
                    for r in estate.role_by_arn.values()
                    for st in r.trust_policy.statements
                    for p in (st.principals or ())
                    if p.kind in _FEDERATED_PRINCIPALS
                }
                | {idp.arn for idp in estate.identity_providers}
            )
        )
        self.outside_accounts: set[str] = {a.account_id for a in estate.accounts if not self.inside(a.account_id)}
        # "*" names every provider, but a provider's node only fits its own action (_action_fits_source)
        self.providers_for: dict[Action, tuple[str, ...]] = {
            action: tuple(p for p in self.providers if _action_fits_source(action, federated_node(p)))
            for action in Action
        }

    def inside(self, account: str) -> bool:
        cached = self._inside.get(account)
        if cached is None:
            cached = self._inside[account] = self.estate.account_inside(self.zone, account)
        return cached

    def identity_policies(self, node: str) -> tuple[Policy, ...]:
        """The identity policies of an exported user or role (a caller's ``identity_policies``), once per node."""
        cached = self._identity.get(node)
        if cached is None:
            from trustgraph.semantics.callers import identity_policies_of_role, identity_policies_of_user

            user = self.estate.user_by_arn.get(node)
            if user is not None:
                cached = identity_policies_of_user(self.estate, user)
            else:
                cached = identity_policies_of_role(self.estate, self.estate.role_by_arn[node])
            self._identity[node] = cached
        return cached

    def action_may_match(self, globs: tuple[Glob, ...] | None, not_globs: tuple[Glob, ...] | None, action: str) -> bool:
        """:func:`action_may_match`, remembered per (Action, NotAction) value (a glob's value is its text): each
        distinct element is matched once per action."""
        key = (globs, not_globs, action)
        hit = self._action_match.get(key)
        if hit is None:
            hit = self._action_match[key] = action_may_match(globs, not_globs, action)
        return hit

    def condition_facts(self, st: Statement) -> tuple[bool, bool, frozenset[str]]:
        """Whether a statement's conditions mention sts:ExternalId and aws:MultiFactorAuthPresent, and the key
        spellings they use (for the edge summary), remembered per tuple of key spellings (all the facts read)."""
        conditions = st.conditions
        if not conditions:
            return _NO_CONDITIONS
        texts = tuple(c.key_text for c in conditions)
        facts = self._facts.get(texts)
        if facts is None:
            facts = self._facts[texts] = (
                mentions([st], "sts:externalid"),
                mentions([st], "aws:multifactorauthpresent"),
                frozenset(texts),
            )
        return facts

    def fitting_sources(self, p: Principal, role_account: str, action: Action) -> tuple[tuple[str, bool], ...]:
        """``(node, same_account_direct)`` of :meth:`sources_for` whose node fits ``action``, remembered per
        principal (its element and text, which determine it) and, for the forms whose sources depend on it (``*``,
        users, roles, sessions, unique ids: same-account grants need no identity allow), role account."""
        key = (p.element.value, p.text, role_account if p.kind in _BY_ROLE_ACCOUNT else "", action)
        hit = self._sources.get(key)
        if hit is not None:
            return hit
        found = tuple(
            (src.node, src.same_account_direct)
            for src in self.sources_for(p, role_account, action)
            if _action_fits_source(action, src.node)
        )
        self._sources[key] = found
        return found

    def summary(self, key_texts: frozenset[str]) -> str:
        """:func:`summary_of`, once per distinct set of condition keys."""
        cached = self._summaries.get(key_texts)
        if cached is None:
            cached = self._summaries[key_texts] = summary_of(key_texts)
        return cached

    def assumers(self, account: str) -> tuple[str, ...]:
        """Principals of an account whose identity policies could allow ``sts:AssumeRole`` on some role: the only
        ones an account or cross-account grant can admit (computed once per account)."""
        cached = self._assumers.get(account)
        if cached is None:
            cached = tuple(
                n
                for n in self.by_account.get(account, ())
                if any(
                    st.effect is Effect.ALLOW
                    for p in self.identity_policies(n)
                    for st in statements_for_action(p, _ASSUME)
                )
            )
            self._assumers[account] = cached
        return cached

    def sources_for(self, p: Principal, role_account: str, action: Action | None = None) -> Iterator[_Source]:
        """Every source node a trust principal can stand for (with ``action``: only the federated nodes that fit
        it, :func:`_action_fits_source`; the other sources are the same)."""
        kind = p.kind
        if kind is PrincipalKind.ANY:
            if role_account in self.by_account:
                yield _Source(principals_node(role_account), True)  # same account: no identity policy needed
            if any(acct != role_account for acct in self.by_account):
                yield _Source(ALL_PRINCIPALS, False)  # other accounts: their identity policies must allow
            yield _Source(EXTERNAL, False)
            for acct in sorted(self.outside_accounts):
                yield _Source(account_node(acct), False)
            for provider in self.providers if action is None else self.providers_for[action]:
                yield _Source(federated_node(provider), False)
        elif kind is PrincipalKind.ACCOUNT:
            acct = p.account or ""
            if self.assumers(acct):
                yield _Source(principals_node(acct), False)
            if not self.inside(acct):
                yield _Source(account_node(acct), False)
                yield _Source(EXTERNAL, False)
        elif kind in (PrincipalKind.USER, PrincipalKind.ROLE, PrincipalKind.ASSUMED_ROLE):
            node = self._resolve_arn(p)
            acct = p.account or ""
            if node is not None:
                yield _Source(node, acct == role_account)
            if not self.inside(acct):
                yield _Source(account_node(acct), False)
                yield _Source(EXTERNAL, False)
        elif kind is PrincipalKind.UNIQUE_ID:
            entity = self.estate.role_by_id.get(p.text) or self.estate.user_by_id.get(p.text)
            if entity is not None:
                yield _Source(entity.arn, entity.account == role_account)
        elif kind is PrincipalKind.SERVICE:
            yield _Source(service_node(p.text), False)
        elif kind in (PrincipalKind.SAML_PROVIDER, PrincipalKind.OIDC_PROVIDER, PrincipalKind.WEB_IDENTITY):
            yield _Source(federated_node(p.text), False)

    def _resolve_arn(self, p: Principal) -> str | None:
        if p.kind is PrincipalKind.ASSUMED_ROLE:
            arn = parse_arn(p.text)
            if arn is None:
                return None
            return self.role_by_account_name.get((arn.account, arn.resource.split("/")[1]))
        if p.kind is PrincipalKind.USER:
            return p.text if p.text in self.estate.user_by_arn else None
        return p.text if p.text in self.estate.role_by_arn else None


def _action_fits_source(action: Action, node: str) -> bool:
    """SAML assertions go with AssumeRoleWithSAML, tokens with AssumeRoleWithWebIdentity, AWS principals and
    services with AssumeRole."""
    if not node.startswith("federated:"):
        return action is Action.ASSUME_ROLE
    if _federated_kind(node.split(":", 1)[1]) is NodeKind.SAML:
        return action is Action.ASSUME_ROLE_WITH_SAML
    return action is Action.ASSUME_ROLE_WITH_WEB_IDENTITY


def _federated_kind(provider: str) -> NodeKind:
    if ":saml-provider/" in provider:
        return NodeKind.SAML
    if ":oidc-provider/" in provider:
        return NodeKind.OIDC
    return NodeKind.WEB_IDENTITY


def mentions(statements: Iterable[Statement], key: str) -> bool:
    return any(c.key == key for st in statements for c in st.conditions)


def _summary(statements: tuple[Statement, ...]) -> str:
    return summary_of({c.key_text for st in statements for c in st.conditions})


def summary_of(key_texts: Iterable[str]) -> str:
    conds = sorted(key_texts)
    return "unconditional" if not conds else "if " + ", ".join(conds)


_NO_CONDITIONS: tuple[bool, bool, frozenset[str]] = (False, False, frozenset())


def _add_symbolic_node(G: nx.MultiDiGraph, node: str, zone: Zone, estate: Estate) -> None:
    if node in G:
        return
    if node == EXTERNAL:
        G.add_node(
            node, kind=NodeKind.EXTERNAL.value, account=None, label="external", inside=False, admin=False, entity=None
        )
    elif node.startswith("account:"):
        acct = node.split(":", 1)[1]
        G.add_node(
            node,
            kind=NodeKind.ACCOUNT.value,
            account=acct,
            label=short_label(node),
            inside=False,
            admin=False,
            entity=None,
        )
    elif node.startswith("federated:"):
        provider = node.split(":", 1)[1]
        trusted = zone.trusted_entries(provider)
        inside = estate.provider_inside(zone, provider)  # named without subjects, or Identity Center of the zone
        arn = parse_arn(provider)
        G.add_node(
            node,
            kind=_federated_kind(provider).value,
            account=arn.account if arn else None,
            label=short_label(node),
            inside=inside,
            admin=False,
            entity=None,
            provider=provider,
            trusted_subjects=tuple(s for tp in trusted if tp.subjects for s in tp.subjects),
        )
    elif node.startswith("service:"):
        G.add_node(
            node,
            kind=NodeKind.SERVICE.value,
            account=None,
            label=short_label(node),
            inside=True,
            admin=False,
            entity=None,
        )


def build_graph(estate: Estate, zone: Zone | None = None) -> nx.MultiDiGraph:
    """The trust graph of the loaded estate under a zone of trust (default: the estate's own zone).

    Nodes carry ``kind``, ``account``, ``label``, ``inside``, ``admin`` (administrator power:
    :mod:`trustgraph.graph.admin`; ``admin_kind`` says ``admin`` or ``admin-equivalent``, ``admin_reason`` why, and
    ``admin_undecided`` that the solver could not decide it, so the kind is a guess)
    and ``entity``; edges carry ``action``,
    ``kind``, ``statements`` (locations), ``trust`` (the Allow statements, as AST), ``needs_external_id``,
    ``needs_mfa``, ``cross_account``, ``identity_required`` (the caller's identity policies must allow the call:
    cross-account, or the trust names only the account) and ``summary``. Edge keys are the action names; hub
    membership edges have key and kind ``member`` (see :mod:`trustgraph.graph.nodes`).

    Examples
    --------
    >>> from trustgraph.ingest.policy_json import policy_from_json
    >>> from trustgraph.model import AccountSnapshot, Estate, Location, Role
    >>> trust = policy_from_json({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ...     "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}]},
    ...     Location("toy.json", "/RoleDetailList/0/AssumeRolePolicyDocument"), kind="trust")
    >>> role = Role(arn="arn:aws:iam::111122223333:role/Vendor", name="Vendor", role_id="AROAEXAMPLEEXAMPLE01",
    ...             account="111122223333", trust_policy=trust)
    >>> G = build_graph(Estate(accounts=(AccountSnapshot(account_id="111122223333", roles=(role,)),)))
    >>> sorted(u for u, _ in G.in_edges(role.arn))
    ['account:444455556666', 'external']
    """
    with gc_paused():  # tens of thousands of nodes and edges, no cycles to collect: see trustgraph.model.bulk
        G = _build_graph(estate, zone)
    release_free_heap()  # the build's indexes and batches are gone: give their pages back (trustgraph.model.bulk)
    return G


def _build_graph(estate: Estate, zone: Zone | None) -> nx.MultiDiGraph:
    import networkx as nx

    zone = zone or estate.default_zone()
    G = nx.MultiDiGraph(zone=zone, estate=estate)
    index = _Index(estate, zone)
    decider = AdminDecider()
    for acct in estate.accounts:
        inside = index.inside(acct.account_id)
        for u in acct.users:
            managed = (*u.managed_policy_arns, *(a for g in u.groups if g in acct.group_by_name
                                                 for a in acct.group_by_name[g].managed_policy_arns))
            status = decider.quick(index.identity_policies(u.arn), True, managed) or \
                decider.status(effective_caller(estate, u.arn))
            G.add_node(u.arn, kind=NodeKind.USER.value, account=acct.account_id, label=u.name, inside=inside,
                       admin=status.powerful, admin_kind=status.level, admin_reason=status.reason,
                       admin_undecided=status.undecided, entity=u)
        for r in acct.roles:
            status = decider.quick(index.identity_policies(r.arn), False, r.managed_policy_arns) or \
                decider.status(effective_caller(estate, r.arn))
            G.add_node(r.arn, kind=NodeKind.ROLE.value, account=acct.account_id, label=r.name, inside=inside,
                       admin=status.powerful, admin_kind=status.level, admin_reason=status.reason,
                       admin_undecided=status.undecided, entity=r,
                       service_linked=r.service_linked)
    edges = _EdgeBatch(G)
    _add_hubs(G, index, edges)
    for role in estate.role_by_arn.values():
        _add_role_edges(G, index, role.arn, edges)
    edges.flush()
    return G


class _EdgeBatch:
    """The edges of the graph being built, added in one ``MultiDiGraph.add_edges_from`` call at the end (keyed
    4-tuples: an edge added twice under one key has its attributes merged, as ``add_edge`` does). Every endpoint is
    a node already when its edge is listed, and nothing reads the edges before they are added, so the graph equals
    the one ``add_edge`` calls would build, in the same insertion order."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.G = G
        self.pending: list[tuple[str, str, str, dict[str, object]]] = []

    def add(self, u: str, v: str, key: str, attrs: dict[str, object]) -> None:
        """List the edge ``u -> v`` under ``key`` with ``attrs``."""
        self.pending.append((u, v, key, attrs))

    #: :meth:`flush` fills the graph's adjacency dicts itself, as ``MultiDiGraph.add_edge`` does (a key dict per
    #: node pair shared by successors and predecessors, the attributes merged into the key's data dict), without
    #: ``add_edges_from``'s per-edge ``add_edge`` call and view lookups (chain-heavy, 20,000 roles: 40,460 edges);
    #: False: ``add_edges_from`` (the reference)
    direct = True

    def flush(self) -> None:
        """Add the listed edges to the graph."""
        import networkx as nx

        G, pending = self.G, self.pending
        self.pending = []
        if not self.direct:
            G.add_edges_from(pending)
            return
        succ, pred = G._succ, G._pred
        for u, v, key, attrs in pending:
            targets = succ.get(u)
            if targets is None or v not in succ:  # not the case (endpoints are nodes first); as add_edge would
                G.add_edge(u, v, key, **attrs)
                continue
            keydict = targets.get(v)
            if keydict is None:
                targets[v] = pred[v][u] = {key: dict(attrs)}
            else:
                data = keydict.get(key)
                if data is None:
                    keydict[key] = dict(attrs)
                else:
                    data.update(attrs)
        nx._clear_cache(G)


def _add_hubs(G: nx.MultiDiGraph, index: _Index, edges: _EdgeBatch) -> None:
    """``principals:ID`` per account with a member edge from each of its principals, and ``principals:*`` with a
    member edge from each account hub (see :mod:`trustgraph.graph.nodes`)."""
    G.add_node(ALL_PRINCIPALS, kind=NodeKind.PRINCIPALS.value, account=None, label=short_label(ALL_PRINCIPALS),
               inside=False, admin=False, entity=None)
    for account, members in index.by_account.items():
        hub = principals_node(account)
        G.add_node(hub, kind=NodeKind.PRINCIPALS.value, account=account, label=short_label(hub),
                   inside=index.inside(account), admin=False, entity=None)
        for member in members:
            edges.add(member, hub, MEMBER, {"kind": MEMBER, "action": None})
        edges.add(hub, ALL_PRINCIPALS, MEMBER, {"kind": MEMBER, "action": None})


def _add_role_edges(G: nx.MultiDiGraph, index: _Index, role_arn: str, edges: _EdgeBatch) -> None:
    estate = index.estate
    role = estate.role_by_arn[role_arn]
    account = role.account
    partition = partition_of(role_arn)
    # keyed by (source node, action name): str keys hash faster than enum members
    grouped: dict[tuple[str, str], list[Statement]] = {}
    direct: dict[tuple[str, str], bool] = {}
    may_match = index.action_may_match
    fitting_sources = index.fitting_sources
    for st in role.trust_policy.statements:
        if st.effect is not Effect.ALLOW:
            continue
        principals = st.principals
        if principals is None and st.not_principals is not None:
            principals = (Principal(element=st.not_principals[0].element, text="*", kind=PrincipalKind.ANY),)
        for p in principals or ():
            if p.partition is not None and p.partition != partition:
                continue  # no principal of another partition can assume the role (docs/semantics.md §1.3.1)
            for action, name in _PRINCIPAL_ACTIONS[p.kind]:
                if not may_match(st.actions, st.not_actions, name):
                    continue
                for node, same_account_direct in fitting_sources(p, account, action):
                    key = (node, name)
                    group = grouped.get(key)
                    if group is None:
                        grouped[key] = [st]
                        direct[key] = same_account_direct
                    else:
                        group.append(st)
                        if same_account_direct:
                            direct[key] = True
    nodes = G.nodes
    for key, statements in grouped.items():
        source, name = key
        identity_required = not direct[key]
        if identity_required and source.startswith("arn:"):
            if not identity_may_allow(index.identity_policies(source), name, role_arn):
                continue
        if source not in nodes:
            _add_symbolic_node(G, source, index.zone, estate)
        # statements equal up to location are one (the first one's location is cited)
        unique = (statements[0],) if len(statements) == 1 else tuple(dict.fromkeys(statements))
        if len(unique) == 1:
            external_id, mfa, key_texts = index.condition_facts(unique[0])
            summary = index.summary(key_texts)
        else:
            facts = [index.condition_facts(st) for st in unique]
            external_id = all(f[0] for f in facts)
            mfa = all(f[1] for f in facts)
            summary = summary_of(frozenset().union(*(f[2] for f in facts)))
        source_account = nodes[source].get("account")
        edges.add(source, role_arn, name, {
            "action": name,
            "kind": "service" if source.startswith("service:") else _EDGE_KIND_BY_NAME[name],
            "statements": (unique[0].location,) if len(unique) == 1 else tuple(st.location for st in unique),
            "trust": unique,
            "needs_external_id": external_id,
            "needs_mfa": mfa,
            "cross_account": source == ALL_PRINCIPALS or (source_account is not None and source_account != account),
            "identity_required": identity_required,
            "summary": summary,
        })


def edge_locations(G: nx.MultiDiGraph, u: str, v: str, key: str) -> tuple[Location, ...]:
    """The trust statements of one edge."""
    return tuple(G.edges[u, v, key]["statements"])
