"""Planned changes to one account, and the estate they give when applied to loaded exports (NEW = OLD + changes).

A plan loader (Terraform, CloudFormation) turns each planned resource change into a few :class:`Change` values of
the kinds below and wraps them in an :class:`Overlay`; :func:`apply_overlay` builds the new estate. Model values are
immutable: every changed role, user, group, policy, provider, organization and account snapshot is a new value, the
rest is shared with OLD.

Entities are named as IAM names them inside one account: roles, users and groups by name, managed policies by ARN,
providers by ARN, organizations policies by id (a loader names a policy that does not exist yet by a stand-in id, and
uses the same id in its attachments). Documents are :class:`~trustgraph.model.policy.Policy` values already built by
the loader, with values unknown until apply made explicit (:mod:`trustgraph.ingest.unknowns`); a permissions boundary
or an attached policy whose ARN is unknown is an :class:`~trustgraph.ingest.unknowns.Unknown`, which becomes a stand-in
managed policy allowing everything under the unknown marker (an over-approximation, marked approximate).

Order: the changes are applied in phases, whatever order the loader gives: removals (deletes, detaches, the old
side of an update), then entities (create, update, replace), then exclusive sets (``managed_policy_arns``, the
``*_exclusive`` resources), then additions (attachments, memberships, inline policies). The end state does not
depend on the order in which the provider would run the calls, and where two resources disagree (an exclusive set
and a separate attachment), the addition wins: more access, the sound side.

Every change keeps the location the loader gave it (a resource address, or a template and pointer), which becomes the
location of the entity and its documents, so findings name the resource address.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from trustgraph.ingest.unknowns import UNKNOWN_FLAG, Unknown, unknown_policy
from trustgraph.model.account import AccountSnapshot, Flag, Group, InlinePolicy, ManagedPolicy, Role, Tags, User
from trustgraph.model.estate import Estate
from trustgraph.model.location import MEMORY, Location
from trustgraph.model.organization import IdentityProvider, Organization, OrgPolicy, OrgPolicyType
from trustgraph.model.policy import Policy

OwnerKind = Literal["role", "user", "group"]
Action = Literal["create", "update", "delete", "replace"]

#: Flag code of a note about a planned change (an unsupported resource type, a change that could not be applied).
OVERLAY_NOTE = "planned-change-note"


@dataclass(frozen=True, slots=True)
class Owner:
    """The user, group or role a policy is attached to or embedded in, by name."""

    kind: OwnerKind
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One planned change. ``location`` says where it was declared (resource address, or template and pointer)."""

    location: Location = MEMORY

    @property
    def phase(self) -> int:
        """When it is applied: 0 removals, 1 entities, 2 exclusive sets, 3 additions (module docstring)."""
        return 1


# ----------------------------------------------------------------------------------------------------------------
# Entities (phase 1; deletes phase 0)
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class PutRole(Change):
    """Create a role, or set the attributes of an existing one (inline and attached policies are kept unless other
    changes set them). ``replace`` gives the role a new unique id (deleted and created again)."""

    name: str
    path: str = "/"
    trust_policy: Policy
    boundary: str | Unknown | None = None
    tags: Tags = ()
    max_session_duration: int | None = None
    replace: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PutUser(Change):
    """Create a user or set its attributes (groups, inline and attached policies kept)."""

    name: str
    path: str = "/"
    boundary: str | Unknown | None = None
    tags: Tags = ()
    replace: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PutGroup(Change):
    """Create a group or set its path (members, inline and attached policies kept)."""

    name: str
    path: str = "/"
    replace: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PutManagedPolicy(Change):
    """Create a customer managed policy or set its default version's document."""

    arn: str
    name: str
    path: str = "/"
    document: Policy


@dataclass(frozen=True, slots=True, kw_only=True)
class PutProvider(Change):
    """Create or update an OIDC or SAML identity provider."""

    provider: IdentityProvider


@dataclass(frozen=True, slots=True, kw_only=True)
class PutOrgPolicy(Change):
    """Create or update an SCP or RCP (by policy id, or a loader's stand-in id for one not created yet)."""

    policy_id: str
    name: str
    type: OrgPolicyType
    document: Policy


@dataclass(frozen=True, slots=True, kw_only=True)
class Delete(Change):
    """Delete a role, user or group (by name), a managed policy, provider (by ARN) or organizations policy (by id).
    Deleting a policy detaches it everywhere; deleting a group empties it."""

    kind: Literal["role", "user", "group", "policy", "provider", "org-policy"]
    key: str

    @property
    def phase(self) -> int:
        return 0


# ----------------------------------------------------------------------------------------------------------------
# Relations: removals (phase 0), exclusive sets (phase 2), additions (phase 3)
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class PutInlinePolicy(Change):
    """Embed (or replace) an inline policy in a user, group or role."""

    owner: Owner
    policy_name: str
    document: Policy

    @property
    def phase(self) -> int:
        return 3


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveInlinePolicy(Change):
    """Remove an inline policy."""

    owner: Owner
    policy_name: str

    @property
    def phase(self) -> int:
        return 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SetInlinePolicies(Change):
    """The owner's inline policies are exactly these (``policies``), or exactly those of these names (``names``,
    the ``*_policies_exclusive`` resources: the documents stay as they are)."""

    owner: Owner
    policies: tuple[tuple[str, Policy], ...] | None = None
    names: tuple[str, ...] | None = None

    @property
    def phase(self) -> int:
        return 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Attach(Change):
    """Attach a managed policy (ARN, or unknown until apply) to a user, group or role."""

    owner: Owner
    policy: str | Unknown

    @property
    def phase(self) -> int:
        return 3


@dataclass(frozen=True, slots=True, kw_only=True)
class Detach(Change):
    """Detach a managed policy."""

    owner: Owner
    policy: str

    @property
    def phase(self) -> int:
        return 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SetAttached(Change):
    """The owner's attached managed policies are exactly these."""

    owner: Owner
    policies: tuple[str | Unknown, ...]

    @property
    def phase(self) -> int:
        return 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Membership(Change):
    """Add a user to a group (``add``) or remove it."""

    user: str
    group: str
    add: bool = True

    @property
    def phase(self) -> int:
        return 3 if self.add else 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SetGroupMembers(Change):
    """The group's members are exactly these users (``aws_iam_group_membership``)."""

    group: str
    users: tuple[str, ...]

    @property
    def phase(self) -> int:
        return 2


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgAttachment(Change):
    """Attach an organizations policy to a root, OU or account (``add``), or detach it."""

    policy_id: str
    target: str
    add: bool = True

    @property
    def phase(self) -> int:
        return 3 if self.add else 0


@dataclass(frozen=True, kw_only=True)
class Overlay:
    """Planned changes to one account (``account`` in ``partition``), read from ``source``.

    ``notes`` are one line each: what the loader saw and did not apply (unsupported resource types, reads), never
    silently dropped. ``unknowns`` lists every value unknown until apply that the changes carry (for the notes of a
    report); the analysis sees them through the markers in the documents.
    """

    account: str
    partition: str = "aws"
    source: str
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()
    unknowns: tuple[Unknown, ...] = ()


def unique_id(prefix: str, arn: str, generation: int = 0) -> str:
    """A stand-in unique id (``AROA...``/``AIDA...``/``AGPA...``) for an entity created by the plan: IAM assigns the
    real one at creation. Derived from the ARN (and how many times it was replaced), so runs agree.

    >>> unique_id("AROA", "arn:aws:iam::111122223333:role/x")[:4], len(unique_id("AROA", "arn:aws:iam::1:role/x"))
    ('AROA', 21)
    """
    digest = hashlib.sha256(f"{arn}#{generation}".encode()).hexdigest().upper()
    return prefix + "".join(c if c.isalnum() else "X" for c in digest)[:17]


class _Account:
    """The mutable working copy of one account while an overlay is applied; :meth:`snapshot` freezes it."""

    def __init__(self, snap: AccountSnapshot, overlay: Overlay) -> None:
        self.snap = snap
        self.account = overlay.account
        self.partition = snap.partition if snap.roles or snap.users else overlay.partition
        self.roles = {r.name: r for r in snap.roles}
        self.users = {u.name: u for u in snap.users}
        self.groups = {g.name: g for g in snap.groups}
        self.policies = {p.arn: p for p in snap.policies}
        self.flags: list[Flag] = []
        self.source = overlay.source

    def arn(self, kind: str, path: str, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account}:{kind}{path}{name}"

    def note(self, message: str, location: Location, subject: str | None = None, code: str = OVERLAY_NOTE) -> None:
        self.flags.append(Flag(code=code, message=message, location=location, subject=subject))

    # -- references that may be unknown -----------------------------------------------------------------------------
    def policy_ref(self, ref: str | Unknown, subject: str) -> str:
        """An attached policy or boundary ARN; an unknown one becomes a stand-in policy allowing everything."""
        if isinstance(ref, str):
            return ref
        digest = hashlib.sha256(str(ref.location).encode()).hexdigest()[:12]
        arn = f"arn:{self.partition}:iam::{self.account}:policy/unknown-until-apply/{digest}"
        if arn not in self.policies:
            self.policies[arn] = ManagedPolicy(arn=arn, name=f"unknown-until-apply-{digest}",
                                               path="/unknown-until-apply/", default_version_id="v1",
                                               document=unknown_policy(ref.location, ref.what),
                                               location=ref.location)
        self.note(f"{ref}: analysed as a policy that may allow anything", ref.location, subject, UNKNOWN_FLAG)
        return arn

    # -- entities ---------------------------------------------------------------------------------------------------
    def put_role(self, c: PutRole) -> None:
        old = self.roles.get(c.name)
        arn = self.arn("role", c.path, c.name)
        generation = 1 if c.replace else 0
        role_id = old.role_id if old is not None and not c.replace else unique_id("AROA", arn, generation)
        boundary = self.policy_ref(c.boundary, arn) if c.boundary is not None else None
        base = old if old is not None else Role(arn=arn, name=c.name, role_id=role_id, account=self.account,
                                                trust_policy=c.trust_policy)
        if c.replace:
            base = replace(base, last_used=None, last_used_region=None, create_date=None)
        self.roles[c.name] = replace(
            base, arn=arn, path=c.path, role_id=role_id, trust_policy=c.trust_policy, boundary_arn=boundary,
            tags=c.tags, max_session_duration=c.max_session_duration or base.max_session_duration,
            location=c.location)

    def put_user(self, c: PutUser) -> None:
        old = self.users.get(c.name)
        arn = self.arn("user", c.path, c.name)
        user_id = old.user_id if old is not None and not c.replace else unique_id("AIDA", arn, int(c.replace))
        boundary = self.policy_ref(c.boundary, arn) if c.boundary is not None else None
        base = old if old is not None else User(arn=arn, name=c.name, user_id=user_id, account=self.account)
        self.users[c.name] = replace(base, arn=arn, path=c.path, user_id=user_id, boundary_arn=boundary,
                                     tags=c.tags, location=c.location)

    def put_group(self, c: PutGroup) -> None:
        old = self.groups.get(c.name)
        arn = self.arn("group", c.path, c.name)
        group_id = old.group_id if old is not None and not c.replace else unique_id("AGPA", arn, int(c.replace))
        base = old if old is not None else Group(arn=arn, name=c.name, group_id=group_id, account=self.account)
        self.groups[c.name] = replace(base, arn=arn, path=c.path, group_id=group_id, location=c.location)

    def put_policy(self, c: PutManagedPolicy) -> None:
        old = self.policies.get(c.arn)
        self.policies[c.arn] = ManagedPolicy(
            arn=c.arn, name=c.name, path=c.path, default_version_id=old.default_version_id if old else "v1",
            document=c.document, attachment_count=old.attachment_count if old else None, location=c.location)

    def delete(self, c: Delete) -> None:
        if c.kind == "role":
            self.roles.pop(c.key, None)
        elif c.kind == "user":
            self.users.pop(c.key, None)
        elif c.kind == "group":
            self.groups.pop(c.key, None)
            for name, u in self.users.items():
                if c.key in u.groups:
                    self.users[name] = replace(u, groups=tuple(g for g in u.groups if g != c.key))
        elif c.kind == "policy":
            self.policies.pop(c.key, None)
            for owner in self.owners():
                self.set_attached(owner, tuple(a for a in self.attached(owner) if a != c.key))

    # -- relations --------------------------------------------------------------------------------------------------
    def owners(self) -> list[Owner]:
        return ([Owner("role", n) for n in self.roles] + [Owner("user", n) for n in self.users]
                + [Owner("group", n) for n in self.groups])

    def entity(self, owner: Owner) -> Role | User | Group | None:
        table: dict[str, Role] | dict[str, User] | dict[str, Group] = (
            self.roles if owner.kind == "role" else self.users if owner.kind == "user" else self.groups)
        return table.get(owner.name)

    def _store(self, owner: Owner, value: Role | User | Group) -> None:
        if isinstance(value, Role):
            self.roles[owner.name] = value
        elif isinstance(value, User):
            self.users[owner.name] = value
        else:
            self.groups[owner.name] = value

    def _require(self, owner: Owner, c: Change) -> Role | User | Group | None:
        found = self.entity(owner)
        if found is None:
            self.note(f"{owner.kind} {owner.name} is neither in the exports nor created by the plan: this change "
                      f"to it is not applied", c.location)
        return found

    def attached(self, owner: Owner) -> tuple[str, ...]:
        found = self.entity(owner)
        return found.managed_policy_arns if found is not None else ()

    def set_attached(self, owner: Owner, arns: tuple[str, ...]) -> None:
        found = self.entity(owner)
        if found is not None:
            self._store(owner, replace(found, managed_policy_arns=tuple(dict.fromkeys(arns))))

    def relation(self, c: Change) -> None:
        if isinstance(c, (Attach, Detach, SetAttached)):
            found = self._require(c.owner, c)
            if found is None:
                return
            if isinstance(c, Attach):
                self.set_attached(c.owner, (*found.managed_policy_arns, self.policy_ref(c.policy, found.arn)))
            elif isinstance(c, Detach):
                self.set_attached(c.owner, tuple(a for a in found.managed_policy_arns if a != c.policy))
            else:
                self.set_attached(c.owner, tuple(self.policy_ref(p, found.arn) for p in c.policies))
        elif isinstance(c, (PutInlinePolicy, RemoveInlinePolicy, SetInlinePolicies)):
            found = self._require(c.owner, c)
            if found is None:
                return
            inline = {p.name: p for p in found.inline_policies}
            if isinstance(c, PutInlinePolicy):
                inline[c.policy_name] = InlinePolicy(name=c.policy_name, document=c.document)
            elif isinstance(c, RemoveInlinePolicy):
                inline.pop(c.policy_name, None)
            elif c.policies is not None:
                inline = {n: InlinePolicy(name=n, document=d) for n, d in c.policies}
            elif c.names is not None:
                missing = [n for n in c.names if n not in inline]
                if missing:
                    self.note(f"inline polic{'y' if len(missing) == 1 else 'ies'} {', '.join(missing)} of "
                              f"{found.arn} named by an exclusive list but neither exported nor planned: its "
                              f"document is unknown, analysed as allowing anything", c.location, found.arn)
                    for n in missing:
                        inline[n] = InlinePolicy(name=n, document=unknown_policy(c.location, f"inline policy {n}"))
                inline = {n: p for n, p in inline.items() if n in c.names}
            self._store(c.owner, replace(found, inline_policies=tuple(inline.values())))
        elif isinstance(c, Membership):
            user = self.users.get(c.user)
            if user is None:
                self.note(f"user {c.user} is neither in the exports nor created by the plan: its membership of "
                          f"group {c.group} is not applied", c.location)
                return
            groups = (*user.groups, c.group) if c.add else tuple(g for g in user.groups if g != c.group)
            self.users[c.user] = replace(user, groups=tuple(dict.fromkeys(groups)))
        elif isinstance(c, SetGroupMembers):
            for name, user in list(self.users.items()):
                inside = name in c.users
                groups = tuple(g for g in user.groups if g != c.group) + ((c.group,) if inside else ())
                self.users[name] = replace(user, groups=groups)
            for name in c.users:
                if name not in self.users:
                    self.note(f"user {name} is neither in the exports nor created by the plan: its membership of "
                              f"group {c.group} is not applied", c.location)

    def snapshot(self) -> AccountSnapshot:
        def ordered(old: Iterable[str], new: Iterable[str]) -> list[str]:
            kept = [k for k in old if k in seen]
            return kept + sorted(k for k in new if k not in set(kept))

        seen: set[str] = set(self.roles)
        roles = [self.roles[n] for n in ordered((r.name for r in self.snap.roles), self.roles)]
        seen = set(self.users)
        users = [self.users[n] for n in ordered((u.name for u in self.snap.users), self.users)]
        seen = set(self.groups)
        groups = [self.groups[n] for n in ordered((g.name for g in self.snap.groups), self.groups)]
        seen = set(self.policies)
        policies = [self.policies[a] for a in ordered((p.arn for p in self.snap.policies), self.policies)]
        return AccountSnapshot(account_id=self.account, partition=self.partition, users=tuple(users),
                               groups=tuple(groups), roles=tuple(roles), policies=tuple(policies),
                               instance_profiles=self.snap.instance_profiles,
                               sources=(*self.snap.sources, self.source),
                               flags=(*self.snap.flags, *self.flags))


def _apply_org(orgs: Sequence[Organization], changes: Sequence[Change], acct: _Account) -> tuple[Organization, ...]:
    """The organizations with the SCP/RCP changes applied (to the organization whose management account, or else
    member, the overlay's account is; or the only one loaded). Without organizations data the changes are noted."""
    org_changes = [c for c in changes if isinstance(c, (PutOrgPolicy, OrgAttachment))
                   or (isinstance(c, Delete) and c.kind == "org-policy")]
    if not org_changes:
        return tuple(orgs)
    target = next((o for o in orgs if o.management_account_id == acct.account), None)
    target = target or next((o for o in orgs if o.is_member(acct.account)), None)
    target = target or (orgs[0] if len(orgs) == 1 else None)
    if target is None:
        for c in org_changes:
            acct.note("organizations policy change not applied: no organizations data for the account is loaded "
                      "(SCPs and RCPs of an organization that was not loaded are analysed as permissive)", c.location)
        return tuple(orgs)
    policies = {p.policy_id: p for p in target.policies}
    for c in sorted(org_changes, key=lambda c: c.phase):
        if isinstance(c, Delete):
            policies.pop(c.key, None)
        elif isinstance(c, PutOrgPolicy):
            old = policies.get(c.policy_id)
            policies[c.policy_id] = OrgPolicy(policy_id=c.policy_id, name=c.name, type=c.type, document=c.document,
                                              targets=old.targets if old else (), location=c.location)
        else:
            found = policies.get(c.policy_id)
            if found is None:
                acct.note(f"organizations policy {c.policy_id} is neither loaded nor created by the plan: its "
                          f"attachment to {c.target} is not applied", c.location)
                continue
            targets = (*found.targets, c.target) if c.add else tuple(t for t in found.targets if t != c.target)
            policies[c.policy_id] = replace(found, targets=tuple(dict.fromkeys(targets)))
    if not target.policies_known:  # one planned policy does not make the organization's policies known
        acct.note(f"organizations policy changes recorded, but the SCPs/RCPs of {target.org_id} were not loaded: "
                  f"they stay analysed as permissive", org_changes[0].location)
    changed = replace(target, policies=tuple(policies.values()), sources=(*target.sources, acct.source))
    return tuple(changed if o is target else o for o in orgs)


def _apply_providers(providers: Sequence[IdentityProvider], changes: Sequence[Change]) -> tuple[IdentityProvider, ...]:
    out = {p.arn: p for p in providers}
    for c in sorted(changes, key=lambda c: c.phase):
        if isinstance(c, Delete) and c.kind == "provider":
            out.pop(c.key, None)
        elif isinstance(c, PutProvider):
            out[c.provider.arn] = c.provider
    return tuple(out.values())


def apply_overlay(estate: Estate, overlay: Overlay) -> Estate:
    """The estate after the planned changes (see the module docstring). Pure: ``estate`` is not changed.

    Changes to entities of the account that neither the exports nor the plan contain are not applied and noted in
    the snapshot's flags (code ``planned-change-note``), as are the overlay's own notes; every value unknown until
    apply is a flag ``unknown-until-apply`` too.
    """
    snap = estate.account_by_id.get(overlay.account) or AccountSnapshot(account_id=overlay.account,
                                                                        partition=overlay.partition)
    acct = _Account(snap, overlay)
    where = Location(overlay.source, "")
    for text in overlay.notes:
        acct.note(text, where)
    for u in overlay.unknowns:
        acct.note(str(u), u.location, code=UNKNOWN_FLAG)
    # sorted() is stable: the loader's order within a phase; relations are removed before the entities are deleted
    for c in sorted(overlay.changes, key=lambda c: (c.phase, isinstance(c, Delete))):
        if isinstance(c, PutRole):
            acct.put_role(c)
        elif isinstance(c, PutUser):
            acct.put_user(c)
        elif isinstance(c, PutGroup):
            acct.put_group(c)
        elif isinstance(c, PutManagedPolicy):
            acct.put_policy(c)
        elif isinstance(c, Delete) and c.kind in ("role", "user", "group", "policy"):
            acct.delete(c)
        else:
            acct.relation(c)
    organizations = _apply_org(estate.organizations, overlay.changes, acct)
    new_snap = acct.snapshot()
    accounts = [new_snap if a.account_id == overlay.account else a for a in estate.accounts]
    if overlay.account not in estate.account_by_id:
        accounts = sorted((*accounts, new_snap), key=lambda a: a.account_id)
    return replace(estate, accounts=tuple(accounts), organizations=organizations,
                   identity_providers=_apply_providers(estate.identity_providers, overlay.changes),
                   sources=(*estate.sources, overlay.source))


__all__ = ["OVERLAY_NOTE", "Attach", "Change", "Delete", "Detach", "Membership", "OrgAttachment", "Overlay", "Owner",
           "PutGroup", "PutInlinePolicy", "PutManagedPolicy", "PutOrgPolicy", "PutProvider", "PutRole", "PutUser",
           "RemoveInlinePolicy", "SetAttached", "SetGroupMembers", "SetInlinePolicies", "apply_overlay", "unique_id"]
