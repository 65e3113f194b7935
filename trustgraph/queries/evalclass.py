"""Hops decided by evaluation, answered once per class of concrete callers the hop's policies cannot tell apart.

A role trusted by its whole organization (``Principal: *`` with ``aws:PrincipalOrgID``) or by an account's root is
a hub: every member whose identity policy may allow the call is one hop into it, and :func:`trustgraph.queries.
ground.decide_by_evaluation` evaluates each of them, although most members look alike to the policies (roles of one
account with the same ``Allow sts:AssumeRole on *``). A who_can_reach on such a role asks hundreds of them.

The **layout** of a caller for an action (:meth:`EvaluatedClasses._layout`, once per (caller, action)) is what the
evaluator reads of it apart from its names, tags and policies: every field of
:class:`~trustgraph.semantics.request.Caller` except its names (ARN, unique id, user name), tags, account,
organization paths and policies, the partition of its ARN, its session name, the number of its policies of each kind
and the text of each SCP level. Its identity policies, boundary and session policies are read per hop
(:meth:`EvaluatedClasses._view`, once per policy text, action and role): each policy's Version, the keys
:func:`~trustgraph.queries.ground.keys_for_action` reads off it, and, in order and by content, the statements the
evaluator scans for the action (:func:`trustgraph.semantics.actions.statements_for_action`) whose Resource may cover
the role (:func:`trustgraph.graph.build.resource_may_match`: the others are skipped before their conditions are
read). A hop's class is the target, action, constraints, closed flag, analysis time, layout and policy views, plus
the caller's names when a policy of the hop may read them (a trust or RCP principal other than an account or ``*``,
a NotPrincipal, or a key ``aws:PrincipalArn``, ``aws:userid``, ``aws:username``, directly or as a policy variable,
in the trust policy, the RCPs, the scanned statements, the SCPs or the constraints), its tags when a key
``aws:PrincipalTag/...`` is read, its account when ``aws:PrincipalAccount`` is read or a principal other than ``*``
is matched, its organization paths when ``aws:PrincipalOrgPaths`` is read, and always whether it is in the role's
account (the Gate's direct grants).

Two callers of one class make requests that differ only in the principal keys written from their names and tags
(:func:`trustgraph.semantics.context.principal_context`), which no policy of the hop reads, and the evaluator walks
the same statements (by content, position for position) with the same outcome each. So when the first member asked
gets an ALLOW without approximation (the only answers shared), another member's decision is that one with each
statement of the first member's policies replaced by the member's own at the same position (the trust policy's are
the target's, the same), and its request is the first member's with the member's own principal keys: exactly what
evaluating the member gives (an approximation message may name the caller, so approximate answers are not shared;
denials name the caller in their reasons and are evaluated per member). The cost of a member is then a dictionary
lookup, its request and a tuple of statements instead of an evaluation.

Cost of a member's class key: the parts that do not depend on the member are looked up, not recomputed: the views of
its policies per (their texts, action, role) (:meth:`EvaluatedClasses._views_of`: members with the same policies
share them; a policy whose statements for the action all cover every ARN, and a signature of only such policies,
once for every role: ``arn_blind_views``, False: per role, the reference), what the constraints read per
constraints, and its statements at the views' positions per (member,
action, positions); the engine asks :meth:`EvaluatedClasses.class_answer` first for a hop no other answer decides, so
a member of a known class skips the question, the refutation tests and the solver dispatch. The class's answer is
carried over with the caller's request made once per (caller, the class's choices: its request's items that are not
principal keys) rather than once per hop (``lean_carry``; False: item by item, the reference): a caller's hops into the
roles of a hub mostly make the same request. The parts of a carried-over answer that repeat are shared
(``shared_parts``; False: each answer its own, the reference): a caller whose statements at the class's positions are
the first member's own objects (a managed policy is one object for every role attaching it) gets the first member's
decision itself (equal field by field to the one made), and the principal keys' values that repeat across callers
(type, account, organization, tags, token time: all but the ARN and user id) are one tuple per content. At 2,000
roles of the vendor-heavy profile, after the shared searches: 3,559 decisions for 6,865 Sat answers (6,865 before) and
21,610 one-item value tuples in the request contexts (25,408 before).

A class key is computed only when its class may hold a second hop (``deferred_keys``; False: every hop's key when
asked, the reference): a key holds the role's ARN, the action, constraints, closed flag and time (and the caller's
names when the role's trust policy or RCPs read them), so a hop that is the first of that part asked cannot meet a
class; its answer is kept with it and filed under its full key, computed then, when another hop of the part comes
(:meth:`EvaluatedClasses._deferred`). chain-heavy, 20,000 roles: the parent's federated search asks 12,775 hops of
8,808 states, each its own class; 7,526 keys computed in the scan instead of 25,550.

Memory of what is kept per hop (20,000 roles): the views memos are nested per (action, policy text or signature) then
role, each view and each role's views one tuple per content (``compact_views``; False: flat, a tuple each, the
reference): federation-heavy asks ~110,000 (signature, role) pairs whose policies name resources, ~70 MB of tuples
before. A carried-over answer that does not share the class's decision makes it when first read
(``lazy_decisions``, :mod:`trustgraph.queries.lazydecision`; False: at once, the reference): a search reads the
verdict and request of an answer, the light witnesses of the checks its statements (found again without keeping a
decision), and only a full witness its decision: vendor-heavy ~160,000 answers, federation-heavy ~210,000,
a Decision and a tuple of statements less each (~100 bytes).

Switch: ``SolverOptions.hop_classes`` (with :mod:`trustgraph.queries.hopclass`; off in ``SolverOptions.reference()``);
``tests/queries/test_eval_classes.py`` compares every answer a class gives with the member's own evaluation and
who_can_reach with it on and off, field by field; ``tests/queries/test_hop_classes.py`` the searches and scans;
``tests/queries/test_compact_views.py`` and ``tests/queries/test_lazy_decisions.py`` the memory layouts against
their references, ``tests/queries/test_deferred_keys.py`` the deferred keys. A key holds the role's class instead of
its ARN when nothing of the hop reads the ARN (``role_classes``, :mod:`trustgraph.queries.roleclass`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from trustgraph.queries.hopclass import (
    ACCOUNT_PRINCIPAL,
    LEFT_OUT,
    NAME_KEYS,
    caller_names,
    statement_keys,
    trust_statements,
)
from trustgraph.semantics.request import Caller, CallerKind, Request, interned_request
from trustgraph.smt.results import Sat

if TYPE_CHECKING:
    from trustgraph.model.policy import Policy, Statement
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.options import QueryOptions
    from trustgraph.semantics.request import Action, Target
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.solve import KeyConstraint

#: a layout: (its id, whether the caller's scanned policies or SCPs read its names, its tags, the scanned statements
#: per policy kind and policy, the caller as an evaluation names it: a role session of a free name gets the default)
_Lists = tuple[tuple[tuple["Statement", ...], ...], ...]
_Layout = tuple[int, int, tuple[tuple["Policy", ...], ...], Caller]
#: a caller's policy as one hop's evaluation reads it: its number, the statements scanned, what of the caller they read
_View = tuple[int, tuple[int, ...], int]

#: what of a caller the policies of a hop may read beyond its layout (bits of an int): its names, its tags, its
#: account (aws:PrincipalAccount, or a principal naming an account), its organization paths
NAMES, TAGS, ACCOUNT, PATHS = 1, 2, 4, 8
#: the caller fields the layout leaves out beyond hopclass's (given back to the class key when read)
_READ_FIELDS = frozenset({"account", "org_paths"})
#: the principal keys whose values name one caller (left out of ``EvaluatedClasses._values``: they do not repeat)
_OWN_KEYS = frozenset({"aws:principalarn", "aws:userid"})


def _covers_every_arn(st: Statement) -> bool:
    """Whether ``graph.build.resource_may_match(st, arn)`` holds for every ARN: no Resource/NotResource, or a
    Resource element ``*`` or one with a policy variable (kept whatever the ARN). Such a statement is scanned for
    every role, so a policy of only such statements has the same view (:meth:`EvaluatedClasses._view`) for all."""
    if st.resources is None:
        return st.not_resources is None
    from trustgraph.model.pattern import variables_of

    return any(g.text == "*" or variables_of(g.pattern) for g in st.resources)


def _reads(keys: set[str]) -> int:
    out = NAMES if keys & NAME_KEYS else 0
    if any(k.startswith("aws:principaltag/") for k in keys):
        out |= TAGS
    if "aws:principalaccount" in keys:
        out |= ACCOUNT
    if "aws:principalorgpaths" in keys:
        out |= PATHS
    return out


def statements_facts(statements: Iterable[Statement]) -> tuple[frozenset[int], int]:
    """The ids of ``statements`` and what of a caller they read: their keys (:func:`_reads`), their NotPrincipal
    (names and account) and their principals other than ``*`` (the account, or names too)."""
    keys: set[str] = set()
    reads = 0
    own: set[int] = set()
    for st in statements:
        own.add(id(st))
        keys |= statement_keys(st)
        if st.not_principals is not None:
            reads |= NAMES | ACCOUNT
        for p in st.principals or ():
            if p.text != "*":  # principal matching compares the caller's account, or more
                reads |= ACCOUNT if ACCOUNT_PRINCIPAL.match(p.text) else NAMES | ACCOUNT
    return frozenset(own), reads | _reads(keys)


class EvaluatedClasses:
    """The evaluated Sat answers of concrete callers' hops per class (see the module docstring), owned by an engine."""

    #: False: every carried-over answer's request is built item by item (:func:`_transplanted`, the reference; set
    #: on the class, it switches every engine)
    lean_carry = True
    #: False: a view per (policy text, action, role) even when the policy's statements for the action cover every
    #: ARN (the reference for :func:`_covers_every_arn`'s shortcut; set on the class, it switches every engine)
    arn_blind_views = True
    #: False: only a policy whose statements cover every ARN has one view for several roles (the reference); True:
    #: also a policy whose Resources are otherwise literal ARNs, one view for every role it does not name
    #: (:func:`~trustgraph.queries.viewkeys.named_arns`; set on the class, it switches every engine)
    literal_views = True
    #: False: every carried-over answer gets a decision of its own and its caller's principal keys values of their
    #: own (the reference); True: an answer whose caller's statements are the class's first member's (a managed
    #: policy: one object for every role attaching it) shares that member's decision, and the principal keys values
    #: that repeat across callers (type, account, organization, tags, token time) are one tuple per content
    #: (:func:`_carried_over`, :meth:`EvaluatedClasses._principal`; set on the class, it switches every engine)
    shared_parts = True
    #: False: a carried-over request made with ``lean_carry`` keeps its context as a dictionary (the reference); True:
    #: packed, its keys' positions shared by the requests of the same keys (:func:`~trustgraph.semantics.request.
    #: packed_context`; set on the class, it switches every engine)
    packed_contexts = True
    #: False: the views memos (:meth:`_view`, :meth:`_views_of`) flat, keyed by (policy text or signature, action,
    #: role ARN), each entry a tuple of its own (the reference); True: nested per (action, policy text or signature)
    #: then role ARN, each view and each role's views one tuple per content (federation-heavy, 20,000 roles: ~110,000
    #: (signature, role) pairs whose views take a few hundred contents; ~70 MB less; set on the class, it switches
    #: every engine)
    compact_views = True
    #: False: a carried-over answer that does not share its class's decision gets its decision made at once (the
    #: reference); True: made when first read (:mod:`trustgraph.queries.lazydecision`: a search reads the verdict
    #: and the request, only a witness reads the decision; vendor-heavy, 20,000 roles: ~160,000 answers, a Decision
    #: and a tuple of statements less each; set on the class, it switches every engine)
    lazy_decisions = True
    #: False: every hop's class key computed when it is asked (the reference); True: a hop into a role whose trust
    #: policy or RCPs read the caller's names (:meth:`_deferred`) is first keyed on its part of the key that holds
    #: those names, and its full key is computed only once a second hop of that part arrives (set on the class, it
    #: switches every engine)
    deferred_keys = True
    #: False: each role's trust facts (:meth:`_trust_facts`) walk the RCPs' statements afresh (the reference); True:
    #: the RCPs' part is computed once per levels object (set on the class, it switches every engine;
    #: tests/queries/test_hop_keys.py)
    shared_levels = True
    #: False: a class key holds the target role's ARN (the reference); True: its role class when nothing of the hop
    #: reads the ARN (:mod:`trustgraph.queries.roleclass`; set on the class, it switches every engine)
    role_classes = True

    def __init__(self) -> None:
        from trustgraph.queries.roleclass import RoleClasses

        self._role_classes = RoleClasses()
        #: (caller state, action) -> its layout
        self._layouts: dict[tuple[Any, Any], _Layout] = {}
        #: layout content -> its id (the content is hashed once per caller and action)
        self._ids: dict[tuple[Any, ...], int] = {}
        #: (policy text, action or None) -> whether its scanned statements read names, tags
        self._policy_reads: dict[tuple[str, Action | None], int] = {}
        #: (policy text, action, role ARN) -> the policy as an evaluation reads it (:meth:`_view`)
        self._views: dict[tuple[str, Action, str], _View] = {}
        #: ``compact_views``: action -> policy text -> role ARN -> view; action -> signature id -> role ARN -> the
        #: views of the signature; a view's content, a role's views' content -> that tuple (one per content)
        self._nested_views: dict[Action, dict[str, dict[str, _View]]] = {}
        self._nested_role_views: dict[Action, dict[int, dict[str, Any]]] = {}
        self._view_contents: dict[Any, Any] = {}
        #: (policy text, action) -> the ARNs its statements for the action tell apart from all others, None: every
        #: ARN (:meth:`_named`)
        self._arn_blind: dict[tuple[str, Action], frozenset[str] | None] = {}
        #: (policy text, action) -> the keys its statements for the action read (``keys_for_action``'s memo)
        self._action_keys: dict[tuple[str, Action], frozenset[str]] = {}
        self._contents: dict[tuple[Any, ...], int] = {}
        #: role ARN -> (its trust policy's and RCPs' statements, what of the caller they read)
        self._trust: dict[str, tuple[frozenset[int], int]] = {}
        #: id of an account's RCP levels -> (those levels, their statements' ids, what of the caller they read)
        self._rcp_facts: dict[int, tuple[Any, frozenset[int], int]] = {}
        #: class -> the first member's Sat answer and where its decision's statements sit
        self._known: dict[tuple[Any, ...], tuple[Any, tuple[tuple[int, int, int] | None, ...]]] = {}
        self.hits = 0  # hops answered from a class
        #: the last hop's class (:meth:`_class_of`), keyed by what it was computed from
        self._pending: tuple[tuple[Any, ...], tuple[tuple[Any, ...], _Lists, Caller]] | None = None
        #: analysis time -> its text; (caller state and action, or the id of a class's answer; time) -> (the caller,
        #: its principal keys at that time)
        self._now: dict[int, str] = {}
        #: (caller state, action) -> the id of its policies' texts per kind (a signature); (that id, action, role
        #: ARN) -> the views of those policies (:meth:`_views_of`); constraints -> what of the caller they read
        self._signatures: dict[tuple[Any, Any], int] = {}
        self._sig_ids: dict[tuple[tuple[str, ...], ...], int] = {}
        #: (signature id, action) -> the ARNs its policies tell apart (:meth:`_named`; None: every ARN)
        self._sig_blind: dict[tuple[int, Action], frozenset[str] | None] = {}
        self._role_views: dict[tuple[int, Action, str],
                               tuple[tuple[tuple[_View, ...], ...], tuple[Any, ...], tuple[Any, ...], int]] = {}
        #: (caller state, action, positions) -> the caller's statements at those positions (:meth:`_class_of`)
        self._lists: dict[tuple[Any, ...], _Lists] = {}
        self._constraint_reads: dict[tuple[KeyConstraint, ...], int] = {}
        self._principals: dict[tuple[Any, ...], tuple[Caller, dict[str, tuple[str, ...]]]] = {}
        #: the requests of the answers made here, one per content (:func:`_transplanted`)
        self._requests: dict[int, Request] = {}
        self._schemas: dict[tuple[str, ...], Mapping[str, int]] = {}  # keys in order -> positions (packed_contexts)
        #: (id of a class's answer, time) -> (the answer, the number of its choices, its choices: action, duration and
        #: the request's items that are not its caller's principal keys); choices content -> its number; (action,
        #: time, choices number) -> caller state -> its request with those choices (:meth:`_transplanted`; the caller
        #: is the state's layout's, one per (state, action): no key tuple nor pair per request, ~8 MB at 20,000 roles
        #: of the vendor-heavy profile)
        self._choices: dict[tuple[int, str], tuple[Any, int, tuple[Any, ...]]] = {}
        self._choice_ids: dict[tuple[Any, ...], int] = {}
        self._own_requests: dict[tuple[Any, ...], dict[Any, Request]] = {}
        #: a principal key's value -> that value, one tuple per content (``shared_parts``; the values of the keys
        #: naming one caller, its ARN and user id, are left out: they do not repeat across callers)
        self._values: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.shared_decisions = 0  # carried-over answers that share their class's decision (``shared_parts``)
        #: the last hop :meth:`answer_of_class` found no class answer for (None once a class gets one)
        self._missed: tuple[Any, ...] | None = None
        self._made: tuple[Any, Any, Any] | None = None  # (Sat, CarriedSat, carried_decision), see _transplanted
        #: ``deferred_keys``: (role ARN, action, constraints, closed, time, the caller's names) -> the first hop of
        #: that part of a class key, its full key not computed yet: [its caller state, caller, target, its Sat
        #: answer to file once keyed or None], or None once keyed (:meth:`_deferred`)
        self._firsts: dict[tuple[Any, ...], list[Any] | None] = {}

    def _layout(self, state: State, caller: Caller, action: Action) -> _Layout:
        key = (state, action)
        hit = self._layouts.get(key)
        if hit is not None:
            return hit
        from trustgraph.semantics.context import DEFAULT_SESSION_NAME

        boundary = (caller.boundary,) if caller.boundary is not None else ()
        kinds = (caller.identity_policies, boundary, caller.session_policies)
        scps = tuple(tuple(p.canonical_text() for p in level) for level in caller.scp_levels or ())
        reads = 0
        for level in caller.scp_levels or ():
            for p in level:
                reads |= self._reads_of(p, None)
        kept = tuple(getattr(caller, f.name) for f in fields(Caller)
                     if f.name not in LEFT_OUT and f.name not in _READ_FIELDS and f.name != "scp_levels")
        content = (kept, caller.scp_levels is None, scps, caller.arn.split(":", 2)[1], caller.session_name,
                   tuple(len(ps) for ps in kinds))
        layout_id = self._ids.setdefault(content, len(self._ids))
        self._role_classes.note_layout(layout_id, caller)
        named = caller
        if caller.kind is CallerKind.ROLE_SESSION and caller.session_name is None:
            named = replace(caller, session_name=DEFAULT_SESSION_NAME)  # as decide_by_evaluation names it
        hit = self._layouts[key] = (layout_id, reads, kinds, named)
        return hit

    def _view(self, policy: Policy, action: Action, arn: str) -> _View:
        """A caller's policy as the evaluation of a call of ``action`` on the role ``arn`` reads it: its Version, the
        statements the evaluator scans whose Resource may cover the role (by content, in order: the others are
        skipped before their conditions are read) and the keys decide_by_evaluation reads off it
        (:func:`~trustgraph.queries.ground.keys_for_action`), as a number; the positions of those statements among
        the scanned ones (the same in every policy of that text; the statements themselves are each policy's own);
        what of the caller they read. Per (policy text, action, role): equal texts, equal contents, hashed once."""
        text = policy.canonical_text()
        # a policy whose statements for the action cover every ARN reads the same of every role: one view for all
        named = self._named(policy, action)
        role_key = _view_role(named, arn)
        compact = self.compact_views
        per_role: dict[str, _View] = {}
        if compact:
            per_text = self._nested_views.setdefault(action, {})
            per_role = per_text.setdefault(text, per_role)
            hit = per_role.get(role_key)
        else:
            key = (text, action, role_key)
            hit = self._views.get(key)
        if hit is None:
            from trustgraph.graph.build import resource_may_match
            from trustgraph.queries.ground import keys_for_action
            from trustgraph.semantics.actions import statements_for_action

            listed = statements_for_action(policy, action.value)
            at = tuple(j for j, st in enumerate(listed) if resource_may_match(st, arn))
            scanned = tuple(listed[j] for j in at)
            # the keys the call reads do not depend on the role: once per (policy text, action)
            read = keys_for_action(policy, action, self._action_keys)
            keys = {k.lower() for k in read}
            for st in scanned:
                keys |= statement_keys(st)
            content = (policy.version, scanned, read)
            hit = (self._contents.setdefault(content, len(self._contents)), at, _reads(keys))
            self._role_classes.note_view(hit[0], scanned)
            if compact:
                hit = per_role[role_key] = self._view_contents.setdefault(hit, hit)
            else:
                self._views[key] = hit
        return hit

    def view_keys(self) -> list[tuple[str, Action, str]]:
        """The (policy text, action, role ARN or "" for every role) of the views kept (:meth:`_view`), flat or
        nested."""
        if not self.compact_views:
            return list(self._views)
        return [(text, action, arn) for action, per_text in self._nested_views.items()
                for text, per_role in per_text.items() for arn in per_role]

    def _role_views_get(self, sig: int | None, action: Action, arn: str) -> Any:
        """The views of signature ``sig`` for a call of ``action`` on the role ``arn`` when kept, else None."""
        if sig is None:
            return None
        if not self.compact_views:
            return self._role_views.get(self._role_key(sig, action, arn))
        per_sig = self._nested_role_views.get(action)
        per_role = None if per_sig is None else per_sig.get(sig)
        if per_role is None:
            return None
        named = self._sig_blind.get((sig, action))
        return per_role.get(_view_role(named, arn))

    def _named(self, policy: Policy, action: Action) -> frozenset[str] | None:
        """The ARNs whose view of ``policy`` for ``action`` may differ from the one view of every other role
        (:func:`~trustgraph.queries.viewkeys.named_arns`: empty when its statements cover every ARN,
        :func:`_covers_every_arn`), None when the view is per role (always under ``arn_blind_views = False``), per
        policy text."""
        if not self.arn_blind_views:
            return None
        key = (policy.canonical_text(), action)
        if key in self._arn_blind:
            return self._arn_blind[key]
        from trustgraph.queries.viewkeys import named_arns
        from trustgraph.semantics.actions import statements_for_action

        hit = self._arn_blind[key] = named_arns(statements_for_action(policy, action.value), self.literal_views)
        return hit

    def _role_key(self, sig: int, action: Action, arn: str) -> tuple[int, Action, str]:
        """The key of a signature's views for a call on the role ``arn``: without the role when every policy of the
        signature tells it apart from no other (:meth:`_named`)."""
        named = self._sig_blind.get((sig, action))
        return (sig, action, _view_role(named, arn))

    def _views_of(self, state: State, layout: _Layout, action: Action, arn: str) -> Any:
        """The views (:meth:`_view`) of the caller's policies per kind for a call of ``action`` on the role ``arn``,
        their numbers and their statements' positions per kind, and what of the caller they read. A view is a
        function of the policy's text, so the callers whose policies have the same texts (kind by kind, in order)
        share them: computed once per such signature and role, not once per caller (a role trusted by a whole
        organization is asked by every role of it, most with the same few policies)."""
        sig = self._signatures.get((state, action))
        if sig is None:
            texts = tuple(tuple(p.canonical_text() for p in ps) for ps in layout[2])
            sig = self._signatures[(state, action)] = self._sig_ids.setdefault(texts, len(self._sig_ids))
        if (sig, action) not in self._sig_blind:
            union: frozenset[str] | None = frozenset()
            for ps in layout[2]:
                for p in ps:
                    named = self._named(p, action)
                    union = None if union is None or named is None else union | named
            self._sig_blind[(sig, action)] = union
        hit = self._role_views_get(sig, action, arn)
        if hit is None:
            views = tuple(tuple(self._view(p, action, arn) for p in ps) for ps in layout[2])
            reads = 0
            for per_kind in views:
                for view in per_kind:
                    reads |= view[2]
            hit = (views, tuple(tuple(v[0] for v in pk) for pk in views),
                   tuple(tuple(v[1] for v in pk) for pk in views), reads)
            if self.compact_views:
                hit = self._view_contents.setdefault(hit, hit)
                named = self._sig_blind.get((sig, action))
                role_key = _view_role(named, arn)
                self._nested_role_views.setdefault(action, {}).setdefault(sig, {})[role_key] = hit
            else:
                self._role_views[self._role_key(sig, action, arn)] = hit
        return hit

    def _reads_of(self, policy: Policy, action: Action | None) -> int:
        """What of the caller the statements of ``policy`` the evaluator scans for ``action`` (None: all) read
        (:data:`NAMES` ...; per policy text)."""
        key = (policy.canonical_text(), action)
        hit = self._policy_reads.get(key)
        if hit is None:
            from trustgraph.semantics.actions import statements_for_action

            keys: set[str] = set()
            for st in policy.statements if action is None else statements_for_action(policy, action.value):
                keys |= statement_keys(st)
            hit = self._policy_reads[key] = _reads(keys)
        return hit

    def _trust_facts(self, target: Target) -> tuple[frozenset[int], int]:
        """The statements a hop into ``target`` is evaluated against besides the caller's own (its trust policy's and
        the RCPs' above its account), by identity, and what of the caller they read (:data:`NAMES` ...); per role.
        With :attr:`shared_levels` the RCPs' part is computed once per levels object (one per account, shared by
        every target of the account) and added to each role's trust policy's part."""
        role = target.role
        hit = self._trust.get(role.arn)
        if hit is None:
            if EvaluatedClasses.shared_levels:
                own, reads = statements_facts(role.trust_policy.statements)
                levels = target.rcp_levels
                if levels:
                    known = self._rcp_facts.get(id(levels))
                    if known is None or known[0] is not levels:
                        known = self._rcp_facts[id(levels)] = (levels, *statements_facts(
                            st for level in levels for p in level for st in p.statements))
                    own, reads = own | known[1], reads | known[2]
                hit = self._trust[role.arn] = (own, reads)
            else:
                hit = self._trust[role.arn] = statements_facts(trust_statements(target))
        return hit

    def _class_of(self, state: State, question: HopQuestion) -> tuple[tuple[Any, ...], _Lists, Caller]:
        """The class key of a concrete caller's hop, the caller's own statements at the views' positions and the
        caller as an evaluation names it (the question asked last is kept: :meth:`known_sat` then :meth:`decide`
        compute it once)."""
        caller = question.caller
        role = question.target.role
        ask = (state, role.arn, question.action, question.constraints, question.closed, question.now_ms)
        pending = self._pending
        if pending is not None and pending[0] == ask:
            return pending[1]
        assert isinstance(caller, Caller)
        found = self._class_key(state, caller, question.target, question.action, question.constraints,
                                question.closed, question.now_ms)
        self._pending = (ask, found)
        return found

    def _class_key(self, state: State, caller: Caller, target: Target, action: Action,
                   constraints: tuple[KeyConstraint, ...], closed: bool, now_ms: int | None
                   ) -> tuple[tuple[Any, ...], _Lists, Caller]:
        """:meth:`_class_of` of the hop's parts (what the question would hold): every part but the caller's own
        fields read per role is looked up (layout per caller, views per policy texts and role, lists per caller and
        positions), so a member of a known class costs a few lookups and a tuple."""
        role = target.role
        arn = role.arn
        # each part looked up first where it is kept, computed on a miss
        layout = self._layouts.get((state, action)) or self._layout(state, caller, action)
        trust_reads = (self._trust.get(arn) or self._trust_facts(target))[1]
        constraint_reads = self._constraint_reads.get(constraints)
        if constraint_reads is None:
            constraint_reads = self._constraint_reads[constraints] = _reads({c.key.lower() for c in constraints})
        sig = self._signatures.get((state, action))
        role_views = self._role_views_get(sig, action, arn)
        views, numbers, positions, view_reads = role_views or self._views_of(state, layout, action, arn)
        reads = trust_reads | layout[1] | constraint_reads | view_reads
        # the role's class instead of its ARN when nothing of the hop reads the ARN (role_classes): the role's
        # trust statements are then one more kind of the hop's statements (a class answer names them by position)
        role_part, extra = self._role_classes.part(target, layout[0], numbers) if self.role_classes else (arn, ())
        key = (role_part, action, constraints, closed, now_ms, layout[0], numbers,
               caller.account == role.account,  # the Gate: a direct grant in the role's own account
               caller_names(caller) if reads & NAMES else None,
               caller.tags if reads & TAGS else None,
               caller.account if reads & ACCOUNT else None,
               caller.org_paths if reads & PATHS else None)
        # the caller's own statements at the views' positions (per caller, action and positions: the same for every
        # role whose views scan the same statements)
        lists = self._lists.get((state, action, positions))
        if lists is None:
            from trustgraph.semantics.actions import statements_for_action

            lists = self._lists[(state, action, positions)] = tuple(
                tuple(tuple(statements_for_action(p, action.value)[j] for j in view[1])
                      for p, view in zip(ps, per_kind, strict=True))
                for ps, per_kind in zip(layout[2], views, strict=True))
        return key, (lists + extra if extra else lists), layout[3]

    def _own(self, key: tuple[Any, ...], target: Target) -> frozenset[int]:
        """The ids of the target's statements a class answer of ``key`` names as they are (:func:`_positions`)."""
        return self._role_classes.own(target) if key[0].__class__ is int else self._trust_facts(target)[0]

    def refutation_key(self, state: State, caller: Caller, target: Target, action: Action) -> tuple[Any, ...]:
        """The key under which :func:`~trustgraph.queries.fixed.fixed_refutes` answers alike for every caller of the
        hop's role and action (the engine's ``class_refutations``): the caller's layout (:meth:`_layout`: every field
        but its names, tags, account, organization paths and policies, the SCP texts), whether it is in the role's
        account, and its names, tags, account and organization paths where the role's trust policy or RCPs read them
        (:meth:`_trust_facts`: a principal other than ``*``, a NotPrincipal, or a condition key or policy variable).

        ``fixed_refutes`` reads of the caller only its principal match against the trust policy's Allow statements
        (its account, or its names too, for a principal other than ``*``; its kind), the trust conditions' values in
        its request (principal keys: names, account, kind, organization, tags, MFA, token time, source identity) and
        its kind, session name, organization membership and carried values: two callers of one key agree on each.
        Coarser than the class key (:meth:`_class_key`: no policy views, constraints): random-5 at 2,000 roles, the
        64,390 refutation tests of the federated searches fall into 13,578 keys."""
        layout = self._layouts.get((state, action)) or self._layout(state, caller, action)
        role = target.role
        reads = (self._trust.get(role.arn) or self._trust_facts(target))[1]
        return (role.arn, action, layout[0], caller.account == role.account,
                caller_names(caller) if reads & NAMES else None,
                caller.tags if reads & TAGS else None,
                caller.account if reads & ACCOUNT else None,
                caller.org_paths if reads & PATHS else None)

    def known_sat(self, engine: ReachabilityEngine, state: State, role: str, action: Action, options: QueryOptions,
                  extra: tuple[KeyConstraint, ...]) -> bool:
        """Whether the engine's hop (``state`` into ``role``) is answered by :meth:`decide` from its class, a Sat
        answer, without evaluating: the engine then skips the tests that only ever refute (:mod:`trustgraph.queries.
        fixed`), which a Sat hop never meets, and asks the hop (:meth:`ReachabilityEngine.solve`)."""
        opts = engine.session.options
        if not (opts.evaluation and opts.hop_classes) or not isinstance(engine.caller(*state), Caller):
            return False
        question = engine.question(state, role, action, options, extra)
        if question.now_ms is None:
            return False
        caller = question.caller
        assert isinstance(caller, Caller)
        if self._deferred(state, caller, question.target, question.action, question.constraints, question.closed,
                          question.now_ms) is not None:
            return False
        return self._class_of(state, question)[0] in self._known

    def class_answer(self, engine: ReachabilityEngine, state: State, role: str, action: Action,
                     options: QueryOptions, extra: tuple[KeyConstraint, ...]) -> Any | None:
        """The answer :meth:`decide` gives the engine's hop when its class has one (the class's answer made the
        caller's), else None (nothing is evaluated): what the engine's :meth:`~ReachabilityEngine.decide` returns for
        a hop whose class is known and that no answer under other constraints answers, without its other steps."""
        opts = engine.session.options
        caller = engine.caller(*state)
        if not (opts.evaluation and opts.hop_classes) or not isinstance(caller, Caller):
            return None
        return self.answer_of_class(state, caller, engine.target(role), action, engine.hop_constraints(options, extra),
                                    options.closed, engine.now_ms)

    def answer_of_class(self, state: State, caller: Caller, target: Target, action: Action,
                        constraints: tuple[KeyConstraint, ...], closed: bool, now_ms: int) -> Any | None:
        """:meth:`class_answer` of the hop's parts (the engine's switches already read, the caller concrete)."""
        asked = (state, target, action, constraints, closed, now_ms)
        if asked == self._missed:  # asked again at once (queries.classmoves, then the engine's path): still no answer
            return None
        if self._deferred(state, caller, target, action, constraints, closed, now_ms) is not None:
            self._missed = asked
            return None
        key, lists, named = self._class_key(state, caller, target, action, constraints, closed, now_ms)
        known = self._known.get(key)
        if known is None:
            self._missed = asked
            return None
        self.hits += 1
        return self._transplanted(known, state, action, named, lists, now_ms)

    def decide(self, state: State, question: HopQuestion, evaluate: Callable[[], Any]) -> Any:
        """The answer ``evaluate()`` (:func:`~trustgraph.queries.ground.decide_by_evaluation` of ``question``, asked
        by the engine for its caller state ``state``) gives: the class's answer made the caller's when its class has
        one, else ``evaluate()``, kept for the class when it is an ALLOW without approximation."""
        caller = question.caller
        if not isinstance(caller, Caller) or question.now_ms is None:  # no pinned time: the request reads the clock
            return evaluate()
        first = self._deferred(state, caller, question.target, question.action, question.constraints,
                               question.closed, question.now_ms)
        if first is not None:  # the only hop of its class so far: its answer kept to file once a second one comes
            result = evaluate()
            if isinstance(result, Sat) and not result.approximations and not result.decision.approximations:
                first[3] = result
                self._missed = None
            return result
        key, lists, named = self._class_of(state, question)
        known = self._known.get(key)
        if known is not None:
            self.hits += 1
            return self._transplanted(known, state, question.action, named, lists, question.now_ms)
        result = evaluate()
        if isinstance(result, Sat) and not result.approximations and not result.decision.approximations:
            positions = _positions(result, lists, self._own(key, question.target))
            if positions is not None:
                self._known[key] = (result, positions)
                self._missed = None
        return result

    def _deferred(self, state: State, caller: Caller, target: Target, action: Action,
                  constraints: tuple[KeyConstraint, ...], closed: bool, now_ms: int) -> list[Any] | None:
        """With ``deferred_keys``, the entry of the hop's part of a class key when no other hop of that part was asked
        (the hop's class then has no answer but its own: its full key is not computed), else None (the full key is
        to be computed, as in the reference).

        When the role's trust policy or RCPs read the caller's names (:meth:`_trust_facts`), the class key holds the
        role's ARN, the action, constraints, closed flag, time and the caller's names, so two hops of one class have
        those equal (the part kept here). The first hop of such a part is kept with its answer when it is one a class
        files (:meth:`decide`); when another hop of the part arrives (another caller state, or the same one once its
        answer is kept), the first one's full key is computed from what was kept and its answer filed under it
        (:meth:`_file_first`), so the later hop finds the class exactly as when every key is computed at once."""
        if not self.deferred_keys:
            return None
        arn = target.role.arn
        names = None
        if (self._trust.get(arn) or self._trust_facts(target))[1] & NAMES:
            names = caller_names(caller)
        # a key holds the role's class or its ARN: the class (when it has one) is a coarser part
        role_part = self._role_classes.of(target)[0] if self.role_classes else None
        part = (arn if role_part is None else role_part, action, constraints, closed, now_ms, names)
        firsts = self._firsts
        if part not in firsts:
            first = firsts[part] = [state, caller, target, None]
            return first
        entry = firsts[part]
        if entry is None:
            return None
        if entry[3] is None and entry[0] == state and entry[2].role.arn == arn:  # the same hop again: still alone
            return entry
        firsts[part] = None
        self._file_first(entry, action, constraints, closed, now_ms)
        return None

    def _file_first(self, entry: list[Any], action: Action, constraints: tuple[KeyConstraint, ...], closed: bool,
                    now_ms: int) -> None:
        """The first hop of a part (:meth:`_deferred`) keyed, its kept answer filed under its class as :meth:`decide`
        files it."""
        state, caller, target, result = entry
        key, lists, _ = self._class_key(state, caller, target, action, constraints, closed, now_ms)
        if result is not None and key not in self._known:  # (with role classes another role's hop may have filed it)
            positions = _positions(result, lists, self._own(key, target))
            if positions is not None:
                self._known[key] = (result, positions)

    def _transplanted(self, known: tuple[Any, tuple[tuple[int, int, int] | None, ...]], state: State,
                      action: Action, named: Caller, lists: _Lists, now_ms: int) -> Any:
        """:func:`_transplanted` with the principal keys of the class's first member and of the caller (``state``)
        computed once per analysis time (they read only the caller and the time)."""
        now = self._now.get(now_ms)
        if now is None:
            from trustgraph.model.values import format_date

            now = self._now[now_ms] = format_date(now_ms)
        answer = known[0]
        if not self.lean_carry:
            first = self._principal((id(answer),), answer.caller, now)
            own = self._principal((state, action), named, now)
            return _transplanted(answer, known[1], named, lists, now, first, own, self._requests)
        # the class's choices (its request's items that are not the first member's principal keys) once per answer,
        # numbered by content; the caller's request once per (caller, choices): a caller's hops into the many roles
        # of a hub mostly make the same request
        choices = self._choices.get((id(answer), now))
        if choices is None or choices[0] is not answer:
            first = self._principal((id(answer),), answer.caller, now)
            items = (answer.request.action, answer.request.duration_seconds,
                     tuple((k, v) for k, v in answer.request.context.items() if k not in first))
            number = self._choice_ids.setdefault(items, len(self._choice_ids))
            choices = self._choices[(id(answer), now)] = (answer, number, items)
        # the caller (``named``) is the layout's of (state, action), made once (:meth:`_layout`): the request is
        # determined by (action, time, choices, state)
        per_state = self._own_requests.get((action, now, choices[1]))
        if per_state is None:
            per_state = self._own_requests[(action, now, choices[1])] = {}
        request = per_state.get(state)
        if request is None:
            ctx = dict(self._principal((state, action), named, now))
            ctx.update(choices[2][2])  # item by item, in order: a key already there keeps its place
            request = per_state[state] = interned_request(self._requests, choices[2][0], ctx, choices[2][1],
                                                          self._schemas if self.packed_contexts else None)
        made = self._made
        if made is None:  # the answer types, imported when the first answer is carried over (then kept)
            from trustgraph.queries.lazydecision import CarriedSat, carried_decision
            from trustgraph.smt.solve import Sat

            made = self._made = (Sat, CarriedSat, carried_decision)
        carried, shared = _carried_over(answer, known[1], named, lists, request, self.shared_parts,
                                        known if self.lazy_decisions else None, made)
        self.shared_decisions += shared
        return carried

    def _principal(self, key: tuple[Any, ...], caller: Caller, now: str) -> dict[str, tuple[str, ...]]:
        hit = self._principals.get((*key, now))
        if hit is None or hit[0] is not caller:
            from trustgraph.semantics.context import principal_context

            ctx = principal_context(caller, now=now)
            if self.shared_parts:  # the values that repeat across callers, one tuple per content
                values = self._values
                for k, v in ctx.items():
                    if k not in _OWN_KEYS:
                        ctx[k] = values.setdefault(v, v)
            hit = self._principals[(*key, now)] = (caller, ctx)
        return hit[1]


def _positions(known: Any, lists: _Lists, own: frozenset[int]) -> tuple[tuple[int, int, int] | None, ...] | None:
    """Where each statement of a Sat answer's decision sits: None for the target's own (trust, RCP), else (policy kind,
    policy, statement) in the caller's scanned statements; None when one is in neither."""
    out: list[tuple[int, int, int] | None] = []
    for st in known.decision.statements:
        if id(st) in own:
            out.append(None)
            continue
        found = next(((k, i, j) for k, per_policy in enumerate(lists) for i, sts in enumerate(per_policy)
                      for j, s in enumerate(sts) if s is st), None)
        if found is None:
            return None
        out.append(found)
    return tuple(out)


def _view_role(named: frozenset[str] | None, arn: str) -> str:
    """The role key of a view memo for a call on ``arn``: ``""`` (one view for every such role) when the policies tell
    ``arn`` apart from no other (``named``, :meth:`EvaluatedClasses._named`), else the ARN itself."""
    return "" if named is not None and arn not in named else arn


def _carried_over(known: Any, positions: tuple[tuple[int, int, int] | None, ...], named: Caller, lists: _Lists,
                  request: Request, share: bool = False,
                  lazy: tuple[Any, tuple[tuple[int, int, int] | None, ...]] | None = None,
                  made: tuple[Any, Any, Any] | None = None) -> tuple[Any, bool]:
    """The Sat answer :func:`_transplanted` makes, given the caller's request (made as it makes it). With ``share``,
    when the caller's statements at the positions are the first member's own objects (the same managed policy), the
    answer's decision is the first member's decision itself: equal field by field to the one made, a Decision and a
    tuple of statements less per hop (at 20,000 roles of the vendor-heavy profile the engine keeps ~190,000 Sat
    answers, most carried over from a class). With ``lazy`` (the class's entry: ``known`` and ``positions``), an
    answer that does not share the decision is a :class:`~trustgraph.queries.lazydecision.CarriedSat`: its decision
    is made when first read. Also whether the answer shares the decision. ``made``: (Sat, CarriedSat,
    carried_decision) when the caller has them (else imported here)."""
    if made is None:
        from trustgraph.queries.lazydecision import CarriedSat, carried_decision
        from trustgraph.smt.solve import Sat

        made = (Sat, CarriedSat, carried_decision)
    sat, carried_sat, carried_decision_of = made
    decision = known.decision
    kept = decision.statements
    if share:
        for n, at in enumerate(positions):  # a loop, not all() over a generator: once per carried-over answer
            if at is not None and lists[at[0]][at[1]][at[2]] is not kept[n]:
                break
        else:
            return sat(caller=named, request=request, approximations=(), decision=decision), True
    if lazy is not None:
        return carried_sat(named, request, lazy, lists), False
    return sat(caller=named, request=request, approximations=(),
               decision=carried_decision_of(decision, positions, lists)), False


def _transplanted(known: Any, positions: tuple[tuple[int, int, int] | None, ...], named: Caller, lists: _Lists,
                  now: str, old: dict[str, tuple[str, ...]], own: dict[str, tuple[str, ...]],
                  requests: dict[int, Request]) -> Any:
    """The class's Sat answer as the caller's (``named``: the caller as the evaluation names it): the first member's
    request with the caller's principal keys (``own``; ``old``: the first member's, both at the analysis time
    ``now``), its decision with the caller's statements at the same positions.

    The request is taken from ``requests`` when one of the same content (action, duration, context items in order)
    was made before, else made and kept there: a caller's hops into the many roles of a hub are mostly the same
    request (its principal keys and the class's choices), and the engine keeps every answer (at 20,000 roles of the
    vendor-heavy profile ~180,000 of them, each context a dictionary of a dozen keys)."""
    from trustgraph.semantics.request import Decision
    from trustgraph.smt.solve import Sat

    decision = known.decision
    statements = tuple(decision.statements[n] if at is None else lists[at[0]][at[1]][at[2]]
                       for n, at in enumerate(positions))
    ctx = dict(own)
    for k, v in known.request.context.items():
        if k not in old:
            ctx[k] = v
    request = interned_request(requests, known.request.action, ctx, known.request.duration_seconds)
    return Sat(caller=named, request=request, approximations=(),
               decision=Decision(verdict=decision.verdict, statements=statements, reasons=decision.reasons,
                                 approximations=decision.approximations))


__all__ = ["EvaluatedClasses"]
