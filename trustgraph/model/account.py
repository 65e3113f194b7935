"""A snapshot of one AWS account's IAM, as ``get-account-authorization-details`` describes it.

Entities refer to managed policies by ARN; :class:`AccountSnapshot` resolves them. A managed policy attached but absent
from the export (AWS managed policies are often omitted) stays a reference and is reported as unresolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from trustgraph.model.location import MEMORY, Location
from trustgraph.model.policy import Policy

Tags = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class InlinePolicy:
    """A policy embedded in a user, group or role."""

    name: str
    document: Policy


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedPolicy:
    """A managed policy with its default version's document (None when the export lacks it)."""

    arn: str
    name: str
    path: str = "/"
    default_version_id: str | None = None
    document: Policy | None = None
    attachment_count: int | None = None
    location: Location = field(default=MEMORY, compare=False)

    @property
    def aws_managed(self) -> bool:
        """True for policies owned by AWS (``arn:aws:iam::aws:policy/...``)."""
        return self.arn.split(":")[4:5] == ["aws"]


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """An IAM user."""

    arn: str
    name: str
    user_id: str
    account: str
    path: str = "/"
    groups: tuple[str, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    boundary_arn: str | None = None
    tags: Tags = ()
    create_date: datetime | None = None
    location: Location = field(default=MEMORY, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """An IAM group; its policies apply to its members."""

    arn: str
    name: str
    group_id: str
    account: str
    path: str = "/"
    inline_policies: tuple[InlinePolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    location: Location = field(default=MEMORY, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    """An IAM role: a trust policy (who may assume it) and permission policies (what its sessions may do)."""

    arn: str
    name: str
    role_id: str
    account: str
    path: str = "/"
    trust_policy: Policy
    inline_policies: tuple[InlinePolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    boundary_arn: str | None = None
    tags: Tags = ()
    instance_profile_arns: tuple[str, ...] = ()
    last_used: datetime | None = None
    last_used_region: str | None = None
    create_date: datetime | None = None
    max_session_duration: int | None = None
    location: Location = field(default=MEMORY, compare=False)

    @property
    def service_linked(self) -> bool:
        """Service-linked roles live under ``/aws-service-role/``; SCPs and RCPs do not apply to them."""
        return self.path.startswith("/aws-service-role/")


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceProfile:
    """An EC2 instance profile and the roles it carries."""

    arn: str
    name: str
    path: str = "/"
    role_arns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Flag:
    """Something loaded but worth reporting: an unresolved policy, a document IAM would reject, ..."""

    code: str
    message: str
    location: Location
    subject: str | None = None  # ARN of the principal or policy it concerns


@dataclass(frozen=True, kw_only=True)
class AccountSnapshot:
    """Everything one export says about one account. Lookups by ARN are built once, on first use."""

    account_id: str
    partition: str = "aws"
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    policies: tuple[ManagedPolicy, ...] = ()
    instance_profiles: tuple[InstanceProfile, ...] = ()
    sources: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = field(default=(), compare=False)

    @cached_property
    def policy_by_arn(self) -> dict[str, ManagedPolicy]:
        """Managed policies of the export by ARN."""
        return {p.arn: p for p in self.policies}

    @cached_property
    def group_by_name(self) -> dict[str, Group]:
        """Groups by name (users list their groups by name)."""
        return {g.name: g for g in self.groups}

    @cached_property
    def role_by_arn(self) -> dict[str, Role]:
        """Roles by ARN."""
        return {r.arn: r for r in self.roles}

    @cached_property
    def user_by_arn(self) -> dict[str, User]:
        """Users by ARN."""
        return {u.arn: u for u in self.users}

    def managed_documents(self, arns: tuple[str, ...]) -> tuple[Policy, ...]:
        """The documents of the given managed policies that the export resolves (unresolved ones are skipped
        here and reported through ``flags``)."""
        out = []
        for arn in arns:
            mp = self.policy_by_arn.get(arn)
            if mp is not None and mp.document is not None:
                out.append(mp.document)
        return tuple(out)

    def boundary_document(self, arn: str | None) -> Policy | None:
        """The permissions boundary document, or None when there is no boundary or it is unresolved."""
        if arn is None:
            return None
        mp = self.policy_by_arn.get(arn)
        return mp.document if mp is not None else None
