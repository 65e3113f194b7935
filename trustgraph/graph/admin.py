"""Which principals hold administrator power, decided on their effective identity permissions.

* **admin**: the effective permissions (identity policies, its groups' policies, permissions boundary) allow every
  action on every resource under some request the principal can send: UNSAT of "some action and resource are not
  allowed" (:func:`trustgraph.smt.permissions.covers_everything`). SCPs, when loaded, are a ceiling every
  principal of the account shares: an administrator may do everything its account's SCPs allow (a Deny of
  organizations:LeaveOrganization in an SCP does not make every AdministratorAccess holder a non-administrator);
  the reason says so. The escalation methods themselves are decided with the SCPs.
* **admin-equivalent**: not that, but it can grant itself anything: every IAM action on every resource is allowed,
  or it may write or attach a policy on itself (``iam:PutUserPolicy``/``AttachUserPolicy`` for a user,
  ``iam:PutRolePolicy``/``AttachRolePolicy`` for a role, the attach with ``iam:PolicyARN`` AdministratorAccess) and,
  when it has a permissions boundary, also remove that boundary.

:func:`is_admin` is the old syntactic test (an unconditional Allow of ``*`` on ``*``, no Deny, a boundary that does
the same); it is kept as a fast path: when it holds, the solver would say "admin" (tests hold the two together;
SCPs are a ceiling, so they do not enter it). AdministratorAccess and IAMFullAccess attached but missing from the
export count with their AWS-defined content. A solver answer that is neither yes nor no counts as admin, marked
approximate and ``undecided`` (the sound side for severity; the privilege-escalation check reports such a principal
as Unknown rather than skipping it as an administrator).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from trustgraph.model.account import AccountSnapshot
from trustgraph.model.estate import Estate
from trustgraph.model.pattern import Star, variables_of
from trustgraph.model.policy import Effect, Glob, Policy, Statement
from trustgraph.semantics.actions import globs_cover, statement_action_matches, statements_for_action
from trustgraph.semantics.request import Caller, CallerKind

ADMINISTRATOR_ACCESS_ARNS = frozenset(
    f"arn:{p}:iam::aws:policy/AdministratorAccess" for p in ("aws", "aws-cn", "aws-us-gov")
)


def _is_everything(globs: tuple[Glob, ...] | None) -> bool:
    if globs is None:
        return False
    for g in globs:  # ``g.pattern == (Star(),)`` without dataclass equality: one element, a Star
        pattern = g.pattern
        if len(pattern) == 1 and pattern[0].__class__ is Star:
            return True
    return False


def _allows_everything(st: Statement) -> bool:
    return (
        st.effect is Effect.ALLOW
        and not st.conditions
        and _is_everything(st.actions)
        and (st.resources is None or _is_everything(st.resources))
        and st.not_resources is None
    )


def policies_allow_everything(policies: Iterable[Policy]) -> bool:
    """True when some statement allows ``*`` on ``*`` unconditionally and no Deny statement exists."""
    statements = [st for p in policies for st in p.statements]
    if any(st.effect is Effect.DENY for st in statements):
        return False
    return any(_allows_everything(st) for st in statements)


def is_admin(
    identity_policies: Iterable[Policy],
    boundary: Policy | None,
    *,
    managed_policy_arns: Iterable[str] = (),
    boundary_unresolved: bool = False,
) -> bool:
    """True when the identity policies (after denies and boundary) allow every action on every resource.

    Examples
    --------
    >>> from trustgraph.ingest.policy_json import policy_from_json
    >>> from trustgraph.model.location import MEMORY
    >>> admin = policy_from_json({"Version": "2012-10-17", "Statement": [
    ...     {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, MEMORY)
    >>> is_admin([admin], None)
    True
    >>> is_admin([], None, managed_policy_arns=["arn:aws:iam::aws:policy/AdministratorAccess"])
    True
    """
    has_admin_reference = any(a in ADMINISTRATOR_ACCESS_ARNS for a in managed_policy_arns)
    everything = False  # one pass: any Deny decides; else some statement must allow everything (or the reference)
    deny = Effect.DENY
    for p in identity_policies:
        for st in p.statements:
            if st.effect is deny:
                return False
            if not everything and _allows_everything(st):
                everything = True
    if not (has_admin_reference or everything):
        return False
    if boundary_unresolved:
        return True  # the boundary's content is unknown: may be admin (the sound side for severity)
    return boundary is None or policies_allow_everything([boundary])


@dataclass(frozen=True, slots=True)
class AdminStatus:
    """``level`` is ``admin``, ``admin-equivalent`` or ``""`` (neither); ``reason`` says why in words.
    ``undecided``: the solver could not answer the question (a timeout), so the level is the sound guess for
    severity, not a fact: whoever asks "is it already an administrator?" must say Unknown, never skip it."""

    level: str
    reason: str = ""
    approximate: bool = False
    undecided: bool = False

    @property
    def powerful(self) -> bool:
        """Administrator power either way (the graph's ``admin`` attribute)."""
        return bool(self.level)


NOT_ADMIN = AdminStatus("")

#: the actions :meth:`AdminDecider.quick` asks about for a user and for a role (an every-action probe, an IAM probe,
#: the self-management actions of :func:`_self_management`)
USER_PROBES = ("zzprobe:ZzProbe", "iam:ZzProbe", "iam:PutUserPolicy", "iam:AttachUserPolicy")
ROLE_PROBES = ("zzprobe:ZzProbe", "iam:ZzProbe", "iam:PutRolePolicy", "iam:AttachRolePolicy")

#: AWS managed policies whose content AWS fixes, used when an export attaches them without their document
KNOWN_MANAGED = {
    "AdministratorAccess": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                                     "Resource": "*"}]},
    "IAMFullAccess": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
        "iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization",
        "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy",
        "organizations:ListChildren", "organizations:ListParents", "organizations:ListPoliciesForTarget",
        "organizations:ListRoots", "organizations:ListPolicies", "organizations:ListTargetsForPolicy"],
        "Resource": "*"}]},
}


@lru_cache(maxsize=16)
def _known_document(arn: str) -> Policy | None:
    from trustgraph.ingest.policy_json import policy_from_json
    from trustgraph.model.location import Location

    parts = arn.split(":")
    if len(parts) != 6 or parts[4] != "aws" or not parts[5].startswith("policy/"):
        return None
    doc = KNOWN_MANAGED.get(parts[5].rsplit("/", 1)[-1])
    if doc is None:
        return None
    return policy_from_json(doc, Location(f"<AWS managed policy {arn}>", ""))


def known_unresolved(snapshot: AccountSnapshot | None, arns: Iterable[str]) -> tuple[Policy, ...]:
    """The AWS-defined documents of attached AWS managed policies the export does not resolve."""
    out = []
    for arn in arns:
        if snapshot is not None and arn in snapshot.policy_by_arn and snapshot.policy_by_arn[arn].document:
            continue
        doc = _known_document(arn)
        if doc is not None:
            out.append(doc)
    return tuple(out)


def _unresolved_managed(estate: Estate, arn: str) -> tuple[Policy, ...]:
    """The AWS-defined content of the known AWS managed policies attached to an exported user (or its groups) or role
    but missing from the export (:func:`known_unresolved`)."""
    user = estate.user_by_arn.get(arn)
    if user is not None:
        snap = estate.account_by_id.get(user.account)
        groups = [snap.group_by_name[g] for g in user.groups if g in snap.group_by_name] if snap is not None else []
        managed = user.managed_policy_arns + tuple(a for g in groups for a in g.managed_policy_arns)
        return known_unresolved(snap, managed)
    role = estate.role_by_arn[arn]
    return known_unresolved(estate.account_by_id.get(role.account), role.managed_policy_arns)


def effective_identity(estate: Estate, arn: str) -> tuple[CallerKind, tuple[Policy, ...]]:
    """The kind and identity policies of :func:`effective_caller`'s caller for an exported user or role, without
    building the caller (no boundary, organization or tags read): what decides which escalation methods its
    policies may allow (``tests/graph/test_escalation_actions.py`` holds the two equal)."""
    from trustgraph.semantics.callers import identity_policies_of_role, identity_policies_of_user

    user = estate.user_by_arn.get(arn)
    if user is not None:
        return CallerKind.IAM_USER, identity_policies_of_user(estate, user) + _unresolved_managed(estate, arn)
    own = identity_policies_of_role(estate, estate.role_by_arn[arn])
    return CallerKind.ROLE_SESSION, own + _unresolved_managed(estate, arn)


def effective_caller(estate: Estate, arn: str) -> Caller:
    """The caller whose effective identity permissions decide what an exported user or role may do: its identity
    policies (groups' included, plus the AWS-defined content of attached known AWS managed policies missing from
    the export), boundary and SCP levels; a role as a session without session policies."""
    from trustgraph.semantics.callers import caller_for_role_session, caller_for_user

    user = estate.user_by_arn.get(arn)
    caller = (caller_for_user(estate, user) if user is not None
              else caller_for_role_session(estate, estate.role_by_arn[arn]))
    extra = _unresolved_managed(estate, arn)
    if extra:
        caller = replace(caller, identity_policies=caller.identity_policies + extra)
    return caller


def _self_management(caller: Caller) -> tuple[tuple[str, dict[str, tuple[str, ...]]], ...]:
    """The calls by which a principal grants itself anything: (action, fixed request keys)."""
    admin_policy = f"arn:{caller.arn.split(':')[1]}:iam::aws:policy/AdministratorAccess"
    if caller.kind is CallerKind.IAM_USER:
        return (("iam:PutUserPolicy", {}), ("iam:AttachUserPolicy", {"iam:policyarn": (admin_policy,)}))
    return (("iam:PutRolePolicy", {}), ("iam:AttachRolePolicy", {"iam:policyarn": (admin_policy,)}))


def _reads_principal(st: Statement) -> bool:
    """Whether a statement's conditions or resource variables read a key the principal determines."""
    from trustgraph.semantics.keys import key_info

    keys = [c.key for c in st.conditions]
    keys += [el.key for c in st.conditions for p in c.patterns for el in variables_of(p)]
    keys += [el.key for g in (st.resources or st.not_resources or ()) for el in variables_of(g.pattern)]
    return any(key_info(k).principal_derived or k.startswith("aws:principaltag/") for k in keys)


class AdminDecider:
    """Decides :class:`AdminStatus` for many principals, remembering what distinct policy sets share: which
    statements' Action/NotAction covers an action once per policy content (the policy's statement index, kept on
    the policy), narrowed policies once per policy content (its canonical text), and the solver's every-action
    questions once per (caller kind, policy contents), unless a statement reads the principal (conditions, policy
    variables), which makes the answer the principal's own. The decider's memos are freed with it."""

    #: :meth:`may_allow` reads each policy's statement positions for the action (one table per policy content,
    #: :meth:`~trustgraph.model.policy.Policy.positions`) instead of the copy's own tuple of statements
    #: (:func:`~trustgraph.semantics.actions.statements_for_action`, the reference): the probe actions of
    #: :meth:`quick`, asked of every principal, then build no per-copy tuples (chain-heavy, 20,000 roles: 83,600
    #: probes, most on moved copies of repeated documents)
    shared_positions = True

    def __init__(self, *, now_ms: int | None = None, probe_texts: bool = True) -> None:
        self.now_ms = now_ms
        #: True: :meth:`quick` reads one answer per policy content for all its probe actions (:meth:`_probed`: one
        #: walk of the Allow statements, each Action text answered once per decider for the probes), kept on the
        #: policy; False: :meth:`may_allow` per probe action, a walk per policy content and action (the reference,
        #: which ``tests/graph/test_admin_probe_texts.py`` compares it with). On ``synth --profile random --seed 1``
        #: at 2,000 roles, ~2,700 distinct policy contents of ~9 statements each: four walks became one.
        self.probe_texts = probe_texts
        self._answers: dict[tuple[object, ...], object] = {}
        self._policies: dict[tuple[str, str], Policy | None] = {}
        #: probe actions -> Action text -> whether the text covers one of them
        self._text_probes: dict[tuple[str, ...], dict[str, bool]] = {}

    def may_allow(self, policies: Iterable[Policy], action: str) -> bool:
        """Some Allow statement's Action/NotAction covers ``action`` (conditions and resources aside); from each
        policy's statement index (:func:`~trustgraph.semantics.actions.statements_for_action`: one walk per policy
        content and action, shared with the evaluator)."""
        allow = Effect.ALLOW
        if not self.shared_positions:
            for p in policies:
                for st in statements_for_action(p, action):
                    if st.effect is allow:
                        return True
            return False
        keep = statement_action_matches
        for p in policies:
            at = p.positions(action, keep)
            if at:
                statements = p.statements
                for i in at:
                    if statements[i].effect is allow:
                        return True
        return False

    @staticmethod
    def _narrow_policy(policy: Policy, action: str) -> Policy | None:
        """The statements of ``policy`` whose Action/NotAction covers ``action`` (None when all do)."""
        keep = statements_for_action(policy, action)
        if keep is policy.statements:
            return None
        return replace(policy, statements=keep)

    def narrowed(self, caller: Caller, action: str) -> Caller:
        """The caller with only the statements that can apply to ``action`` (identity, boundary, session and SCP
        policies): every decision about ``action`` is the same, and large policies are not scanned again (each
        policy is narrowed once per content and action)."""

        def narrow_all(policies: tuple[Policy, ...]) -> tuple[Policy, ...]:
            out = []
            for p in policies:
                pkey = (p.canonical_text(), action)
                if pkey not in self._policies:
                    self._policies[pkey] = self._narrow_policy(p, action)
                narrowed = self._policies[pkey]
                out.append(p if narrowed is None else narrowed)
            return tuple(out)

        changes: dict[str, object] = {"identity_policies": narrow_all(caller.identity_policies)}
        if caller.boundary is not None:
            changes["boundary"] = narrow_all((caller.boundary,))[0]
        if caller.session_policies:
            changes["session_policies"] = narrow_all(caller.session_policies)
        if caller.scp_levels is not None:
            changes["scp_levels"] = tuple(narrow_all(level) for level in caller.scp_levels)
        return replace(caller, **changes)  # type: ignore[arg-type]

    def _key(self, caller: Caller, scope: str) -> tuple[object, ...]:
        sets: list[tuple[Policy, ...]] = [caller.identity_policies]
        if caller.boundary is not None:
            sets.append((caller.boundary,))
        for level in caller.scp_levels or ():
            sets.append(level)
        personal = False
        shape: list[object] = []
        for policies in sets:
            for p in policies:
                if not personal and any(_reads_principal(st) for st in p.statements):
                    personal = True
                shape.append(p.canonical_text())
            shape.append("#")
        who: object = (caller.arn, caller.tags, caller.org_id) if personal else None
        return (scope, caller.kind, caller.boundary_unresolved, caller.scp_levels is None,
                ":role/aws-service-role/" in caller.arn, who, tuple(shape))

    def _covers(self, caller: Caller, scope: str) -> object:
        from trustgraph.smt.permissions import covers_everything, iam_actions_shape

        key = self._key(caller, scope)
        hit = self._answers.get(key)
        if hit is None:
            shape = iam_actions_shape() if scope == "iam" else None
            hit = self._answers[key] = covers_everything(caller, action_shape=shape, now_ms=self.now_ms)
        return hit

    def quick(self, identity_policies: tuple[Policy, ...], user: bool,
              managed_arns: Iterable[str] = ()) -> AdminStatus | None:
        """NOT_ADMIN when no Allow statement of the identity policies can cover any action :meth:`status` asks
        about (an every-action probe, an IAM probe, the self-management actions), else None (ask :meth:`status`).
        Most principals are decided here, before any caller is built. ``managed_arns`` are the attached managed
        policies (a known AWS managed policy missing from the export is not in ``identity_policies``)."""
        if any(_known_document(a) is not None for a in managed_arns):
            return None
        actions = USER_PROBES if user else ROLE_PROBES
        if self.probe_texts:
            probed = self._probed
            for p in identity_policies:
                if p.fact(actions, probed):
                    return None
            return NOT_ADMIN
        if any(self.may_allow(identity_policies, a) for a in actions):
            return None
        return NOT_ADMIN

    def _probed(self, policy: Policy, actions: tuple[str, ...]) -> bool:
        """Whether some Allow statement of ``policy`` covers one of ``actions`` (:meth:`may_allow` of one of them):
        an Action element when one of its texts covers one (each text's answer remembered, organizations repeat a
        small vocabulary of Action texts), a NotAction element when it leaves one out. A pure function of the
        policy's content and ``actions``, kept per content by :meth:`~trustgraph.model.policy.Policy.fact`."""
        texts = self._text_probes.get(actions)
        if texts is None:
            texts = self._text_probes[actions] = {}
        allow = Effect.ALLOW
        for st in policy.statements:
            if st.effect is not allow:
                continue
            globs = st.actions
            if globs is not None:
                for g in globs:
                    text = g.text
                    hit = texts.get(text)
                    if hit is None:
                        hit = texts[text] = any(globs_cover((g,), a) for a in actions)
                    if hit:
                        return True
            elif st.not_actions is not None and any(not globs_cover(st.not_actions, a) for a in actions):
                return True
        return False

    def status(self, caller: Caller) -> AdminStatus:
        """Decide :class:`AdminStatus` for a caller built by :func:`effective_caller` (module docstring)."""
        policies = caller.identity_policies
        within = " within what its account's SCPs allow" if caller.scp_levels is not None else ""
        ceiling = replace(caller, scp_levels=None)  # SCPs bound every principal of the account alike
        if is_admin(policies, caller.boundary, boundary_unresolved=caller.boundary_unresolved):
            return AdminStatus("admin", "allows every action on every resource (an unconditional Allow of * on *, "
                                        f"no Deny){within}", caller.boundary_unresolved)
        if self.may_allow(policies, "zzprobe:ZzProbe"):
            from trustgraph.smt.permissions import AdminAnswer  # imported when a question is asked (smt.z3lazy)

            answer = self._covers(ceiling, "*")
            assert isinstance(answer, AdminAnswer)
            if answer.verdict == "yes":
                return AdminStatus("admin", f"allows every action on every resource{within} (proved by the "
                                            "solver)", bool(answer.approximations))
            if answer.verdict == "unknown":
                return AdminStatus("admin", f"undecided ({'; '.join(answer.reasons)}): treated as administrator",
                                   True, undecided=True)
        if self.may_allow(policies, "iam:ZzProbe"):
            from trustgraph.smt.permissions import AdminAnswer

            answer = self._covers(ceiling, "iam")
            assert isinstance(answer, AdminAnswer)
            if answer.verdict == "yes":
                return AdminStatus("admin-equivalent", f"allows every IAM action on every resource{within} (it "
                                                       "can grant itself any permission)", bool(answer.approximations))
        me = caller.arn
        for action, fixed in _self_management(caller):
            if not self.may_allow(policies, action):
                continue
            from trustgraph.smt.permissions import PermissionSat, PermissionUnknown, solve_permission

            result = solve_permission(caller, action, me, fixed=fixed, now_ms=self.now_ms)
            if isinstance(result, PermissionUnknown):
                return AdminStatus("admin-equivalent", f"{action} on itself undecided ({result.reason}): treated "
                                                       "as administrator", True, undecided=True)
            if not isinstance(result, PermissionSat):
                continue
            if caller.boundary is not None or caller.boundary_unresolved:
                delete = ("iam:DeleteUserPermissionsBoundary" if caller.kind is CallerKind.IAM_USER
                          else "iam:DeleteRolePermissionsBoundary")
                removed = solve_permission(caller, delete, me, now_ms=self.now_ms)
                if not isinstance(removed, PermissionSat):
                    continue
                action = f"{action} and {delete}"
            return AdminStatus("admin-equivalent", f"may call {action} on itself (it can grant itself any "
                                                   "permission)", bool(result.approximations))
        return NOT_ADMIN


def admin_status(caller: Caller, *, now_ms: int | None = None) -> AdminStatus:
    """:meth:`AdminDecider.status` with a decider of its own (one question)."""
    return AdminDecider(now_ms=now_ms).status(caller)


def principal_admin_status(estate: Estate, arn: str, *, decider: AdminDecider | None = None) -> AdminStatus:
    """The :class:`AdminStatus` of the exported user or role ``arn``."""
    return (decider or AdminDecider()).status(effective_caller(estate, arn))


def principal_is_admin(estate: Estate, arn: str, identity_policies: tuple[Policy, ...] | None = None) -> bool:
    """Whether the exported user or role ``arn`` holds administrator power (admin or admin-equivalent).

    ``identity_policies`` is accepted for the graph builder's call and not needed: the effective caller is built
    here (with the content of known AWS managed policies missing from the export)."""
    return principal_admin_status(estate, arn).powerful


def admin_statuses(estate: Estate) -> dict[str, AdminStatus]:
    """Every exported user and role with administrator power, with its status."""
    out: dict[str, AdminStatus] = {}
    decider = AdminDecider()
    for arn in (*estate.user_by_arn, *estate.role_by_arn):
        status = principal_admin_status(estate, arn, decider=decider)
        if status.powerful:
            out[arn] = status
    return out


def admin_arns(estate: Estate) -> frozenset[str]:
    """Every administrator (or admin-equivalent principal) among the exported users and roles."""
    return frozenset(admin_statuses(estate))
