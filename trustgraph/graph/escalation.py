"""Privilege-escalation edges: ways beyond sts:AssumeRole* for an exported user or role to obtain another
principal's power, each decided on the caller's effective identity permissions with a witness request per call.

The methods are the data of :mod:`trustgraph.graph.methods`. For a caller P of account A (its effective caller:
identity and group policies, boundary, SCPs), an edge exists when every call of a method is allowed
(:func:`trustgraph.smt.permissions.solve_permission`, each witness replayed by the evaluator) for some target:

* ``role`` targets: roles of A (not service-linked); PassRole methods and the existing-resource methods only to
  roles whose trust policy admits the method's service (the graph's ``service:NAME`` edge into the role); the
  SSM methods only to roles with an instance profile;
* ``user`` targets: the other users of A;
* ``admin``: the node ``admin:A`` (administrator of A): policies written on itself, on a group it is in, on a
  customer managed policy it holds (CreatePolicyVersion), joining a group whose policies are an administrator's,
  or removing its permissions boundary when its policies without it are an administrator's. When P has a
  boundary, the methods that add a policy also need the boundary's removal (the boundary would still limit it).

IAM calls act on the caller's own account only, so every edge stays inside one account. Edges are computed on
first use per caller and remembered (a scan that never asks for them pays nothing); the Action elements of
policies are indexed once (:class:`~trustgraph.graph.admin.AdminDecider`) so callers whose policies cannot allow a
method's first action skip it without any solver call.

Within one caller, its policies are narrowed to an action once (not once per target), and a call on a target is
answered from the call on another target when the two resources are matched by the same Resource/NotResource
elements of the caller's (narrowed) statements and the first answer was allowed by the concrete evaluation (the
request that chooses nothing): the evaluator reads the resource only through those matches, so the second call has
the same verdict, statements, context and approximations, with its own resource (:class:`_CallerCalls`; only
statements without policy variables in their resources, else every call is asked). ``Escalations.shared_calls =
False`` asks every call (the reference, ``tests/checks/test_escalation_fast_paths.py``). Those matches are looked
up by the element's texts and the resource for every caller of the estate (``Escalations.shared_matches``; the
callers of an account that hold the same ``role/*`` element match it against the same roles; against its reference in
``tests/graph/test_escalation_switches.py``), and a caller's whole tuple of matches by the number of its statements'
probes and the resource when no element holds ``$`` (``Escalations.row_matches``: one look-up per target instead
of one per statement; random profile, 2,000 roles: the edges of the principals the check reads 0.47 -> 0.42 s of CPU;
``tests/graph/test_escalation_rows.py``). A method that is one call on its target without fixed keys
(UpdateAssumeRolePolicy on a role, CreateAccessKey on a user) looks each target up in those shared answers directly
and builds its edge from the answer found, without formatting the call or going through the per-call loop
(``Escalations(direct_targets=False)`` asks every target through it: ``tests/graph/test_escalation_direct.py``).

Cost: O(P x M x T) calls for P principals, M methods their policies may allow and T targets per method (the roles or
users of the account): a principal allowed ``iam:UpdateAssumeRolePolicy`` on ``role/*`` asks one call per role of its
account. Each is a concrete evaluation (z3 only when that refuses) or, with the sharing above, a look-up of the
statements' resource matches: at 500 roles (random profile, seed 2) 11,686 calls, of which 8,697
UpdateAssumeRolePolicy; at 2,000 roles (random profile, seed 1) 16,897 edges, 15,698 of them UpdateAssumeRolePolicy
from 162 callers, each a look-up of one element's match and a copy of a shared answer. Which methods a principal's
policies may allow is read once per policy content, glob by glob (O(G) look-ups for a policy of G Action globs, each
glob's share of the methods' actions remembered by its text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from trustgraph.graph.admin import AdminDecider, effective_caller, effective_identity
from trustgraph.graph.methods import METHODS, Call, Method
from trustgraph.model.estate import Estate
from trustgraph.model.pattern import Variable
from trustgraph.model.policy import Effect, Glob, Policy, Statement
from trustgraph.semantics.request import Caller, CallerKind

if TYPE_CHECKING:
    from collections.abc import Mapping

    import networkx as nx

    from trustgraph.smt.permissions import PermissionResult, PermissionSat

ADMIN_PREFIX = "admin:"
#: the name of the policy fact "which methods' actions may an Allow statement of it allow" (:meth:`Escalations.
#: _policy_actions`)
_ACTIONS_FACT = "escalation-method-actions"
_TARGET_FIELDS = ("{target}", "{group}", "{policy}")


class _Undecided(str):
    """Why a method's call is undecided (the solver gave no answer): neither an edge nor a refusal
    (:meth:`Escalations.undecided`)."""

    __slots__ = ()


def _names_target(call: Call) -> bool:
    """Whether a call's resource or fixed keys depend on the edge's target."""
    texts = (call.resource, *(v for _, v in call.fixed))
    return any(f in t for t in texts for f in _TARGET_FIELDS)


def _probe(st: Statement) -> tuple[tuple[str, ...], int] | None:
    """What a statement's Resource/NotResource match reads of it when no glob text holds ``$``: the texts, and 1 for
    a Resource, 2 for a NotResource, 0 for neither (every resource matches); None when a text holds ``$``."""
    if st.resources is not None:
        globs, mode = st.resources, 1
    elif st.not_resources is not None:
        globs, mode = st.not_resources, 2
    else:
        return (), 0
    texts = tuple(g.text for g in globs)
    return None if any("$" in t for t in texts) else (texts, mode)


def admin_node(account: str) -> str:
    """The node standing for administrator power over an account."""
    return ADMIN_PREFIX + account


@dataclass(frozen=True, slots=True, eq=False)
class EscalationEdge:
    """One escalation: ``source`` obtains ``target``'s power (a user or role ARN, or ``admin:ACCOUNT``) by
    ``method``; :attr:`calls` are the replayed witnesses, one per call of the method.

    ``witnesses`` holds them, or, for a method that is one call on the target answered as another target's call was
    (:attr:`Escalations.lean_witnesses`), that shared answer, whose witness on this target is the same request on
    the target's name, built when read (most edges are never on a path reported: random profile, 20,000 roles,
    188,742 of 201,257 edges, ~25 MB of witnesses kept for nothing). Edges are equal when their :attr:`calls` are."""

    source: str
    target: str
    method: Method
    witnesses: tuple[PermissionSat, ...] | PermissionSat

    @property
    def calls(self) -> tuple[PermissionSat, ...]:
        """The replayed witnesses, one per call of the method."""
        w = self.witnesses
        if isinstance(w, tuple):
            return w
        from trustgraph.smt.permissions import PermissionSat

        return (PermissionSat(w.caller, w.action, self.target, w.context, w.decision, w.approximations),)

    def _key(self) -> tuple[object, ...]:
        return self.source, self.target, self.method, self.calls

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EscalationEdge):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def actions(self) -> tuple[str, ...]:
        """The actions called, in order."""
        return tuple(c.action for c in self.calls)

    @property
    def approximations(self) -> tuple[str, ...]:
        """What the edge rests on beyond the export (the method's own caveat and the witnesses')."""
        out = [f"{self.method.id}: {self.method.approximate} (possible, not proved)"] if self.method.approximate \
            else []
        for c in self.calls:
            out.extend(c.approximations)
        return tuple(dict.fromkeys(out))


class _CallerCalls:
    """One caller's calls while its edges are computed: its policies narrowed to each action once, and the answers
    shared between resources matched alike (see the module docstring). ``share`` False: every call is asked."""

    def __init__(self, escalations: Escalations, caller: Caller, share: bool) -> None:
        self.escalations = escalations
        self.caller = caller
        self.share = share
        self._narrowed: dict[str, Caller] = {}
        self._statements: dict[str, tuple[Statement, ...] | None] = {}
        self._answers: dict[tuple[object, ...], PermissionSat] = {}
        self._with_mfa: dict[bool, Caller] = {}
        #: action -> the statements' probes (:func:`_probe`) and their row number (None: a probe is None, or
        #: :attr:`Escalations.row_matches` is off)
        self._probes: dict[str, tuple[tuple[tuple[tuple[str, ...], int] | None, ...], int | None]] = {}

    def narrowed(self, action: str) -> Caller:
        """The caller with only the statements that can apply to ``action`` (AdminDecider.narrowed), once."""
        if not self.share:
            return self.escalations.decider.narrowed(self.caller, action)
        hit = self._narrowed.get(action)
        if hit is None:
            hit = self._narrowed[action] = self.escalations.decider.narrowed(self.caller, action)
        return hit

    def as_shape(self, mfa: bool) -> Caller:
        """The whole caller with the MFA of a witness's shape (one object per MFA value, equal to a new one)."""
        if not self.share:
            return replace(self.caller, mfa=mfa)
        hit = self._with_mfa.get(mfa)
        if hit is None:
            hit = self._with_mfa[mfa] = replace(self.caller, mfa=mfa)
        return hit

    def _resource_statements(self, action: str) -> tuple[Statement, ...] | None:
        """Every statement the evaluator reads for ``action`` (identity, boundary, session policies, SCPs of the
        narrowed caller), or None when one has a policy variable in its Resource/NotResource (its match then
        depends on the request)."""
        if action in self._statements:
            return self._statements[action]
        c = self.narrowed(action)
        policies = [*c.identity_policies, *((c.boundary,) if c.boundary is not None else ()), *c.session_policies,
                    *(p for level in c.scp_levels or () for p in level)]
        out: tuple[Statement, ...] | None = tuple(st for p in policies for st in p.statements)
        for st in out or ():
            globs = st.resources if st.resources is not None else st.not_resources or ()
            if any(isinstance(el, Variable) for g in globs for el in g.pattern):
                out = None
                break
        self._statements[action] = out
        return out

    def solve(self, action: str, resource: str, fixed: Mapping[str, tuple[str, ...]], now_ms: int | None
              ) -> PermissionResult:
        """solve_permission for the narrowed caller, shared between resources matched alike; an allowed answer names
        the whole caller (:meth:`as_shape`: the statements left out never apply to this action)."""
        from trustgraph.smt.permissions import PermissionSat, solve_permission

        narrow = self.narrowed(action)
        statements = self._resource_statements(action) if self.share else None
        if statements is None:
            result = solve_permission(narrow, action, resource, fixed=fixed, now_ms=now_ms)
            return replace(result, caller=self.as_shape(result.caller.mfa)) if isinstance(result, PermissionSat) \
                else result
        key = (action, tuple(sorted(fixed.items())), self._matches(action, statements, resource))
        hit = self._answers.get(key)
        if hit is not None:
            self.escalations.shared_answers += 1
            # the answer of the resource matched alike, with this resource (``replace``, without its field walk)
            return PermissionSat(hit.caller, hit.action, resource, hit.context, hit.decision, hit.approximations)
        result = solve_permission(narrow, action, resource, fixed=fixed, now_ms=now_ms)
        if isinstance(result, PermissionSat):
            concrete = result.decision.allowed and self._concrete(result, fixed, now_ms)
            result = replace(result, caller=self.as_shape(result.caller.mfa))
            if concrete:
                self._answers[key] = result
        return result

    def shared_lookup(self, action: str, copy: bool = True) -> Callable[[str], PermissionSat | None] | None:
        """For a call of ``action`` without fixed keys, the function giving :meth:`solve`'s answer on a resource
        when it is a shared one (a resource matched like one answered before), else None (then :meth:`solve` asks):
        the same key and copy as :meth:`solve`'s, without formatting the call or building its keys, the caller's
        statements and row read once per method, not once per target (:attr:`Escalations.direct_targets`). None
        when nothing is shared for ``action`` (no sharing, or a statement's match depends on the request). With
        ``copy`` False the function gives the shared answer itself (its resource another target's: the caller names
        the resource, :attr:`EscalationEdge.witnesses`)."""
        from trustgraph.smt.permissions import PermissionSat

        if not self.share:
            return None
        statements = self._resource_statements(action)
        if statements is None:
            return None
        escalations = self.escalations
        answers = self._answers
        matches = self._matches
        row = self._probed(action, statements)[1] if escalations.shared_matches else None
        row_matched = escalations._row_matched

        def lookup(resource: str) -> PermissionSat | None:
            matched = row_matched.get((row, resource)) if row is not None else None
            hit = answers.get((action, (), matched if matched is not None else matches(action, statements, resource)))
            if hit is None:
                return None
            escalations.shared_answers += 1
            if not copy:
                return hit
            return PermissionSat(hit.caller, hit.action, resource, hit.context, hit.decision, hit.approximations)

        return lookup

    def _probed(self, action: str, statements: tuple[Statement, ...]
                ) -> tuple[tuple[tuple[tuple[str, ...], int] | None, ...], int | None]:
        """The statements' probes for ``action`` (:func:`_probe`) and their row number, once per action."""
        probed = self._probes.get(action)
        if probed is None:
            escalations = self.escalations
            probes = tuple(_probe(st) for st in statements)
            row = escalations._probe_rows.setdefault(probes, len(escalations._probe_rows)) \
                if escalations.row_matches and None not in probes else None
            probed = self._probes[action] = (probes, row)
        return probed

    def _matches(self, action: str, statements: tuple[Statement, ...], resource: str) -> tuple[bool, ...]:
        """Whether each statement's Resource/NotResource covers ``resource`` (:func:`statement_resource_matches`
        without variables: the statements hold none). With :attr:`Escalations.shared_matches` each element without
        ``$`` is looked up by its texts and the resource, for every caller of the estate (the callers of an account
        holding ``role/*`` on UpdateAssumeRolePolicy match the same element against the same roles: random profile,
        2,000 roles, 15,698 of 16,897 edges); an element with ``$`` (which its policy's version may read as a
        variable or as text) is matched every time."""
        from trustgraph.semantics.actions import statement_resource_matches

        escalations = self.escalations
        if not escalations.shared_matches:
            return tuple(statement_resource_matches(st, resource, {}, variables=False) for st in statements)
        probes, row = self._probed(action, statements)
        if row is not None:  # every element looked up by its texts: the whole tuple by the row's number
            hit_row = escalations._row_matched.get((row, resource))
            if hit_row is None:
                hit_row = escalations._row_matched[(row, resource)] = self._each_matched(statements, probes, resource)
            return hit_row
        return self._each_matched(statements, probes, resource)

    def _each_matched(self, statements: tuple[Statement, ...], probes: tuple[tuple[tuple[str, ...], int] | None, ...],
                      resource: str) -> tuple[bool, ...]:
        """:meth:`_matches` element by element, each element without ``$`` looked up by its texts."""
        from trustgraph.semantics.actions import statement_resource_matches

        memo = self.escalations._matched
        out = []
        for st, probe in zip(statements, probes, strict=True):
            if probe is None:
                out.append(statement_resource_matches(st, resource, {}, variables=False))
                continue
            k = (probe, resource)
            hit = memo.get(k)
            if hit is None:
                hit = memo[k] = statement_resource_matches(st, resource, {}, variables=False)
            out.append(hit)
        return tuple(out)

    @staticmethod
    def _concrete(result: PermissionSat, fixed: Mapping[str, tuple[str, ...]], now_ms: int | None) -> bool:
        """Whether an allowed witness is the request that chooses nothing of its shape (the concrete evaluation's:
        solve_permission asks z3 only when that request is refused for every shape, and a z3 witness with that
        context would replay to the same refusal)."""
        from trustgraph.model.values import format_date
        from trustgraph.semantics.permissions import permission_context

        lowered = {k.lower(): tuple(v) for k, v in fixed.items()}
        now = None if now_ms is None else format_date(now_ms)
        return dict(result.context) == permission_context(result.caller, lowered, now=now)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A method's calls split for :meth:`Escalations._compute`: ``fixed`` (asked once per caller), ``named`` (asked
    per target) and, for each call in the method's order, which of the two holds its witness and where."""

    fixed: tuple[Call, ...]
    named: tuple[Call, ...]
    order: tuple[tuple[bool, int], ...]

    @property
    def direct(self) -> bool:
        """Whether the method is one call on the target itself, without fixed keys: its witnesses are that call's
        answer alone, on the target's name (:attr:`Escalations.direct_targets`)."""
        return not self.fixed and len(self.named) == 1 and self.named[0].resource == "{target}" \
            and not self.named[0].fixed

    def witnesses(self, common: tuple[PermissionSat, ...], rest: tuple[PermissionSat, ...]
                  ) -> tuple[PermissionSat, ...]:
        """The calls' witnesses in the method's order."""
        if not self.fixed:
            return rest
        return tuple(common[i] if fixed else rest[i] for fixed, i in self.order)


class Escalations:
    """The escalation edges of an estate under its graph, computed per caller on first use."""

    #: False: every glob is matched against every wanted action (the reference of :meth:`_may_cover`)
    prefiltered_globs = True
    #: False: every principal's effective caller is built before its methods are read (the reference of the
    #: early return in :meth:`_compute` for a principal whose policies allow no method)
    identity_first = True
    #: False: each statement's Resource/NotResource is matched against every target's ARN (the reference of the
    #: texts' answers shared between callers, :meth:`_CallerCalls._matches`)
    shared_matches = True
    #: False: with :attr:`shared_matches`, each statement of a caller's narrowed statements is looked up alone against
    #: a target (the reference of the whole tuple looked up by its probes' number, :meth:`_CallerCalls._matches`)
    row_matches = True
    #: False: the methods' actions a policy may allow are remembered by the policy's canonical text
    #: (:meth:`_policy_actions`, the reference); True: on the policy itself, as a fact of its content
    #: (:meth:`Policy.fact`, shared by its moved copies), so the canonical text is not built for it: random profile,
    #: 20,000 roles, 20,803 identity policies whose texts (67 MB, ~3.4 KB each) nothing else read in the escalation
    #: edges' computation (``tests/graph/test_escalation_policy_facts.py``)
    actions_on_policy = True
    #: False: an edge found by :attr:`direct_targets`' look-up keeps its witness (the reference); True: it keeps the
    #: shared answer it was found from, its witness built when read (:class:`EscalationEdge`): random profile, 20,000
    #: roles, 188,742 edges, ~25 MB (``tests/graph/test_escalation_lean_witnesses.py``)
    lean_witnesses = True

    def __init__(self, G: nx.MultiDiGraph, *, now_ms: int | None = None,
                 decider: AdminDecider | None = None, direct_targets: bool = True) -> None:
        #: True: a method whose only call names the target (``{target}``, no fixed keys, e.g. UpdateAssumeRolePolicy
        #: on a role) looks each target up in the caller's shared answers first (:meth:`_CallerCalls.shared_lookup`) and
        #: builds its edge from the answer found; False: every target's call goes through :meth:`_solve` (the
        #: reference, ``tests/graph/test_escalation_direct.py``)
        self.direct_targets = direct_targets
        self.G = G
        self.estate: Estate = G.graph["estate"]
        self.now_ms = now_ms
        self.decider = decider or AdminDecider(now_ms=now_ms)
        self._edges: dict[str, tuple[EscalationEdge, ...]] = {}
        self._refused: dict[str, list[str]] = {}
        self._undecided: dict[str, list[str]] = {}
        self._possible: dict[tuple[object, ...], tuple[tuple[Method, tuple[Call, ...]], ...]] = {}
        self._actions: dict[tuple[str, CallerKind], frozenset[str]] = {}
        self._wanted: dict[CallerKind, frozenset[str]] = {}
        self._calls_of_kind: dict[CallerKind, tuple[tuple[Method, tuple[Call, ...]], ...]] = {}
        self._glob_actions: dict[tuple[str, frozenset[str]], frozenset[str]] = {}
        self._by_service: dict[frozenset[str], dict[str, tuple[tuple[str, str], ...]]] = {}
        self._plans: dict[tuple[object, ...], _Plan] = {}
        self._matched: dict[tuple[tuple[tuple[str, ...], int], str], bool] = {}
        #: the statements' probes of a (caller, action) numbered once per distinct tuple (:attr:`row_matches`), and
        #: the matches of a numbered tuple against a resource
        self._probe_rows: dict[tuple[tuple[tuple[str, ...], int] | None, ...], int] = {}
        self._row_matched: dict[tuple[int, str], tuple[bool, ...]] = {}
        #: False: every call of every target is asked (the reference of the sharing in :class:`_CallerCalls`)
        self.shared_calls = True
        self.shared_answers = 0  # calls answered from another target's answer

    # ------------------------------------------------------------------------------------------------ queries
    def edges_from(self, node: str) -> tuple[EscalationEdge, ...]:
        """Every escalation edge out of an exported user or role (none for other nodes)."""
        hit = self._edges.get(node)
        if hit is None:
            if node in self.estate.user_by_arn or node in self.estate.role_by_arn:
                hit = tuple(self._compute(node))
            else:
                hit = ()
            self._edges[node] = hit
        return hit

    def refused(self, node: str) -> list[str]:
        """Why the administrator methods whose first action some statement allows were refused for ``node``."""
        self.edges_from(node)
        return self._refused.get(node, [])

    def undecided(self, node: str) -> list[str]:
        """The methods of ``node`` whose permission question the solver left undecided, whatever their target
        (``node -> target: method: why``; ``node: method: why`` when a call that names no target is undecided): no
        edge, and not a refusal either, so a mixed search counts them among its undecided hops."""
        self.edges_from(node)
        return self._undecided.get(node, [])

    # ------------------------------------------------------------------------------------------------ compute
    def _compute(self, node: str) -> Iterable[EscalationEdge]:
        if self.identity_first:
            kind, policies = effective_identity(self.estate, node)
            if not self._methods_for(kind, policies):
                return  # no method's every call is allowed by an Action element: no edge, nothing refused
        caller = effective_caller(self.estate, node)
        account = caller.account or ""
        snap = self.estate.account_by_id.get(account)
        if snap is None:
            return
        partition = node.split(":")[1]
        base = {"account": account, "partition": partition, "self": node}
        bounded = caller.boundary is not None or caller.boundary_unresolved
        asked = _CallerCalls(self, caller, self.shared_calls)
        for method, method_calls in self._possible_methods(caller):
            plan = self._plan(method, method_calls, caller.kind if method.target == "admin" and bounded
                              and method.via != "boundary" else None)
            # the calls that do not depend on the target are asked once for every target
            common = self._solve(asked, plan.fixed, base) if plan.fixed else ()
            if isinstance(common, _Undecided):
                self._undecided.setdefault(node, []).append(f"{node}: {method.id} ({method.name}): {common}")
                continue
            if isinstance(common, str):
                if method.target == "admin":
                    self._refused.setdefault(node, []).append(f"{method.id} ({method.name}): {common}")
                continue
            lean = self.lean_witnesses
            lookup = asked.shared_lookup(plan.named[0].action, copy=not lean) \
                if self.direct_targets and plan.direct else None
            for target, extra in self._targets(method, caller, node):
                if lookup is not None:
                    sat = lookup(target)
                    if sat is not None:
                        yield EscalationEdge(node, target, method, sat if lean else (sat,))
                        continue
                rest = self._solve(asked, plan.named, {**base, **extra})
                if isinstance(rest, _Undecided):
                    self._undecided.setdefault(node, []).append(
                        f"{node} -> {target}: {method.id} ({method.name}): {rest}")
                    continue
                if isinstance(rest, str):
                    if method.target == "admin":
                        self._refused.setdefault(node, []).append(f"{method.id} ({method.name}): {rest}")
                    continue
                yield EscalationEdge(node, target, method, plan.witnesses(common, rest))

    def _plan(self, method: Method, calls: tuple[Call, ...], delete_boundary: CallerKind | None) -> _Plan:
        """A method's calls for one caller kind (the boundary's deletion last for a bounded caller of kind
        ``delete_boundary``), split into those that do not name the target and those that do, once per method."""
        key = (method.id, calls, delete_boundary)
        hit = self._plans.get(key)
        if hit is None:
            every = list(calls)
            if delete_boundary is not None:
                every.append(Call(self._action_for("iam:DeleteUserPermissionsBoundary", delete_boundary), "{self}"))
            fixed: list[Call] = []
            named: list[Call] = []
            order: list[tuple[bool, int]] = []
            for c in every:
                side = named if _names_target(c) else fixed
                order.append((side is fixed, len(side)))
                side.append(c)
            hit = self._plans[key] = _Plan(tuple(fixed), tuple(named), tuple(order))
        return hit

    def _possible_methods(self, caller: Caller) -> tuple[tuple[Method, tuple[Call, ...]], ...]:
        """The methods some Allow statement of the caller's identity policies may allow every call of (Action and
        NotAction only: conditions, resources, boundaries and SCPs are the solver's), each with its calls for this
        caller kind (:meth:`_methods_for`)."""
        return self._methods_for(caller.kind, caller.identity_policies)

    def _methods_for(self, kind: CallerKind, policies: tuple[Policy, ...]
                     ) -> tuple[tuple[Method, tuple[Call, ...]], ...]:
        """:meth:`_possible_methods` of a caller of ``kind`` with identity policies ``policies``. Each policy's
        coverage of the methods' actions is read once per policy content (:meth:`_policy_actions`), so a principal
        costs a union of sets and one subset test per method. A call's action depends on the caller's kind only
        (:meth:`_action_for`), which is all of the caller :meth:`_call` reads here."""
        allowed: frozenset[str] = frozenset().union(*(self._policy_actions(p, kind) for p in policies))
        key = (kind, allowed)
        hit = self._possible.get(key)
        if hit is None:
            hit = self._possible[key] = tuple((method, calls) for method, calls in self._kind_calls(kind)
                                              if all(c.action in allowed for c in calls))
        return hit

    def _kind_calls(self, kind: CallerKind) -> tuple[tuple[Method, tuple[Call, ...]], ...]:
        """Every method with its calls as a caller of ``kind`` makes them (:meth:`_action_for`), built once per kind
        (not once per distinct set of allowed actions: random profile, 2,000 roles, ~2,000 such sets)."""
        hit = self._calls_of_kind.get(kind)
        if hit is None:
            hit = self._calls_of_kind[kind] = tuple(
                (method, tuple(Call(self._action_for(c.action, kind), c.resource, c.fixed) for c in method.calls))
                for method in METHODS)
        return hit

    def _policy_actions(self, policy: Policy, kind: CallerKind) -> frozenset[str]:
        """The actions of the methods' calls (for a caller of ``kind``) that an Allow statement of ``policy`` may
        allow (:meth:`AdminDecider.may_allow`: its Action covers the action, or its NotAction does not), remembered
        per policy content: on the policy as a fact (:meth:`Policy.fact`, shared by its moved copies) with
        :attr:`actions_on_policy`, else by its canonical text (built here for every principal's policies: at 20,000
        roles, random profile, 67 MB of texts, most of them read by nothing else). Read statement by statement,
        each Action glob's share of the methods' actions remembered by the glob's text (:meth:`_glob_actions`): one
        pass over the policy's globs instead of one per action (a policy of S statements with G globs each costs
        O(S x G) look-ups, not O(A x S x G) matches for the A actions; ``tests/graph/test_escalation_actions.py``
        holds it to :meth:`AdminDecider.may_allow`)."""
        if self.actions_on_policy:
            return policy.fact((_ACTIONS_FACT, kind), self._read_fact)
        key = (policy.canonical_text(), kind)
        hit = self._actions.get(key)
        if hit is None:
            hit = self._actions[key] = self._read_actions(policy, kind)
        return hit

    def _read_fact(self, policy: Policy, key: tuple[str, CallerKind]) -> frozenset[str]:
        """:meth:`_read_actions` as a policy fact (:meth:`Policy.fact`, :attr:`actions_on_policy`): it reads the
        statements' effects and Action/NotAction globs only, the same for every :class:`Escalations`."""
        return self._read_actions(policy, key[1])

    def _read_actions(self, policy: Policy, kind: CallerKind) -> frozenset[str]:
        """:meth:`_policy_actions` read from the policy's statements."""
        wanted = self._method_actions(kind)
        shares = self._glob_actions
        covered: set[str] = set()
        for st in policy.statements:
            if st.effect is not Effect.ALLOW:
                continue
            if st.actions is not None:
                for g in st.actions:  # _globs_actions inlined: most globs' shares are known, and most are empty
                    share = shares.get((g.text, wanted))
                    if share is None:
                        share = frozenset(self._globs_actions((g,), wanted))
                    if share:
                        covered |= share
            elif st.not_actions is not None:
                covered |= wanted - self._globs_actions(st.not_actions, wanted)
            if len(covered) == len(wanted):
                break
        return frozenset(covered)

    def _method_actions(self, kind: CallerKind) -> frozenset[str]:
        """The actions of every method's calls as a caller of ``kind`` calls them."""
        hit = self._wanted.get(kind)
        if hit is None:
            hit = self._wanted[kind] = frozenset(self._action_for(c.action, kind) for m in METHODS for c in m.calls)
        return hit

    def _globs_actions(self, globs: tuple[Glob, ...], wanted: frozenset[str]) -> set[str]:
        """The actions of ``wanted`` one of ``globs`` covers (:func:`~trustgraph.semantics.actions.globs_cover`),
        each glob's share remembered by its text. With :attr:`prefiltered_globs` a glob is matched only against the
        actions that begin with its text up to its first wildcard, case-insensitively (:meth:`_may_cover`): a glob
        matches from the start of the action, so no other action can match it; an organization whose policies list
        thousands of actions (the two-account sample: ~11,000 texts, 400,000 matches, 0.9 s of CPU) then costs a
        look-up per glob."""
        from trustgraph.semantics.actions import globs_cover

        out: set[str] = set()
        for g in globs:
            k = (g.text, wanted)
            hit = self._glob_actions.get(k)
            if hit is None:
                tried = self._may_cover(g.text, wanted) if self.prefiltered_globs else wanted
                hit = self._glob_actions[k] = frozenset(a for a in tried if globs_cover((g,), a))
            out |= hit
        return out

    def _may_cover(self, text: str, wanted: frozenset[str]) -> Iterable[str]:
        """The actions of ``wanted`` an Action glob written ``text`` may match: those whose ASCII-lower-cased name
        begins with the glob's ASCII-lower-cased text up to its first ``*`` or ``?`` (an Action glob has no policy
        variables: :func:`~trustgraph.semantics.actions.globs_cover`), found through the actions' service prefixes
        when that text names one."""
        from trustgraph.model.pattern import ascii_lower

        by_service = self._by_service.get(wanted)
        if by_service is None:
            grouped: dict[str, list[tuple[str, str]]] = {}
            for a in sorted(wanted):
                low = ascii_lower(a)
                grouped.setdefault(low.split(":", 1)[0] if ":" in low else "", []).append((low, a))
            by_service = self._by_service[wanted] = {k: tuple(v) for k, v in grouped.items()}
        cut = min((i for i in (text.find("*"), text.find("?")) if i >= 0), default=len(text))
        prefix = ascii_lower(text[:cut])
        if ":" in prefix:
            pairs: Iterable[tuple[str, str]] = by_service.get(prefix.split(":", 1)[0], ())
        else:
            pairs = (p for group in by_service.values() for p in group)
        return [a for low, a in pairs if low.startswith(prefix)]

    def _targets(self, method: Method, caller: Caller, node: str) -> Iterable[tuple[str, dict[str, str]]]:
        estate = self.estate
        account = caller.account or ""
        snap = estate.account_by_id[account]
        user = caller.kind is CallerKind.IAM_USER
        if method.target == "user":
            for u in snap.users:
                if u.arn != node:
                    yield u.arn, {"target": u.arn}
            return
        if method.target == "role":
            for r in snap.roles:
                if r.arn == node or r.service_linked:
                    continue
                if method.service is not None:
                    service = f"service:{method.service}"
                    if service not in self.G or not self.G.has_edge(service, r.arn):
                        continue
                    if method.id.startswith("ssm-") and not r.instance_profile_arns:
                        continue
                yield r.arn, {"target": r.arn}
            return
        admin = admin_node(account)
        if method.via == "self":
            if (method.id in ("iam-007", "iam-008")) == user:
                yield admin, {}
        elif method.via == "group" and user:
            for g in estate.user_by_arn[node].groups:
                group = snap.group_by_name.get(g)
                if group is not None:
                    yield admin, {"group": group.arn}
        elif method.via == "other-group" and user:
            mine = set(estate.user_by_arn[node].groups)
            for group in snap.groups:
                if group.name in mine:
                    continue
                policies = (*(p.document for p in group.inline_policies),
                            *snap.managed_documents(group.managed_policy_arns))
                joined = replace(caller, identity_policies=caller.identity_policies + policies)
                if self.decider.status(joined).powerful:
                    yield admin, {"group": group.arn}
        elif method.via == "policy":
            for arn in self._held_policies(node):
                mp = snap.policy_by_arn.get(arn)
                if mp is not None and not mp.aws_managed:
                    yield admin, {"policy": arn}
        elif method.via == "boundary":
            if caller.boundary is None and not caller.boundary_unresolved:
                return
            unbounded = replace(caller, boundary=None, boundary_unresolved=False)
            if self.decider.status(unbounded).powerful:
                yield admin, {}

    def _held_policies(self, node: str) -> tuple[str, ...]:
        estate = self.estate
        user = estate.user_by_arn.get(node)
        if user is None:
            return estate.role_by_arn[node].managed_policy_arns
        snap = estate.account_by_id[user.account]
        groups = [snap.group_by_name[g] for g in user.groups if g in snap.group_by_name]
        return tuple(dict.fromkeys((*user.managed_policy_arns, *(a for g in groups for a in g.managed_policy_arns))))

    @staticmethod
    def _action_for(action: str, kind: CallerKind) -> str:
        """A method's action as a caller of ``kind`` calls it (a boundary is deleted on the caller's own kind)."""
        if action == "iam:DeleteUserPermissionsBoundary":
            return ("iam:DeleteUserPermissionsBoundary" if kind is CallerKind.IAM_USER
                    else "iam:DeleteRolePermissionsBoundary")
        return action

    def _solve(self, asked: _CallerCalls, calls: tuple[Call, ...], values: dict[str, str]
               ) -> tuple[PermissionSat, ...] | str:
        """Every call allowed (the witnesses), or why the first refused one is refused (an :class:`_Undecided` when
        the solver could not decide it)."""
        from trustgraph.smt.permissions import PermissionSat, PermissionUnknown

        out: list[PermissionSat] = []
        for call in calls:
            resource = call.resource.format(**values)
            fixed = {k: (v.format(**values),) for k, v in call.fixed} if call.fixed else {}
            result = asked.solve(call.action, resource, fixed, self.now_ms)
            if isinstance(result, PermissionSat):
                out.append(result)
                continue
            if isinstance(result, PermissionUnknown):
                return _Undecided(f"{call.action} on {resource} undecided: {result.reason}")
            return f"{call.action} on {resource} refused: {'; '.join(result.reasons)}"
        return tuple(out)


__all__ = ["ADMIN_PREFIX", "EscalationEdge", "Escalations", "admin_node"]
