"""The inputs and output of one assume-role hop: who calls, which role, with what request, and the decision.

These values are the contract between the concrete evaluator (``trustgraph.semantics``), the z3 encoding
(``trustgraph.smt``, whose witnesses decode into a :class:`Caller` and a :class:`Request`) and the graph layer.
"""

from __future__ import annotations

import sys
from collections.abc import ItemsView, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any, ClassVar

from trustgraph.model.account import Role, Tags
from trustgraph.model.location import Location
from trustgraph.model.policy import Policy, Statement


class Action(Enum):
    """The STS actions a hop can be, and the permission-only companions it may need."""

    #: members are singletons compared by identity, so they are hashed by identity, in C: Enum's own ``__hash__`` is a
    #: Python call, made millions of times for the memo keys of a large search (each key holds the hop's action)
    __hash__ = object.__hash__

    ASSUME_ROLE = "sts:AssumeRole"
    ASSUME_ROLE_WITH_SAML = "sts:AssumeRoleWithSAML"
    ASSUME_ROLE_WITH_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
    TAG_SESSION = "sts:TagSession"
    SET_SOURCE_IDENTITY = "sts:SetSourceIdentity"


#: the (lower-cased) keys other than ``aws:RequestTag/k`` whose presence means session tags are passed (sts:TagSession
#: is then required): ``sts:TransitiveTagKeys`` names keys of passed tags (IAM User Guide, "Pass session tags in AWS
#: STS"), so passing it is passing tags; the symbolic encodings and gates read the same set (smt.reference, ...)
TAGS_PASSED_KEYS = frozenset({"aws:tagkeys", "sts:transitivetagkeys"})


def untagged_transitive_key(context: Mapping[str, tuple[str, ...]]) -> str | None:
    """The first value of ``sts:TransitiveTagKeys`` in ``context`` that is not the key of a session tag passed in the
    same request (a present ``aws:RequestTag/KEY``, compared without case), or None.

    STS refuses such a call: every key set as transitive must be one of the request's own session tags (AWS STS
    answers ``InvalidParameterValue``, "The specified transitive tag key must be included in the requested tags";
    docs/semantics.md §1.6). The transitive tags a calling session inherited are not the request's tags: naming
    their keys again does not pass them."""
    for key in context.get("sts:transitivetagkeys") or ():
        if not context.get(f"aws:requesttag/{key.lower()}"):
            return key
    return None

ASSUME_ACTIONS = (Action.ASSUME_ROLE, Action.ASSUME_ROLE_WITH_SAML, Action.ASSUME_ROLE_WITH_WEB_IDENTITY)


class CallerKind(Enum):
    """What kind of principal makes the call."""

    __hash__ = object.__hash__  # as Action's

    IAM_USER = "user"  # long-term access keys (or GetSessionToken credentials)
    ROLE_SESSION = "role-session"  # temporary credentials of an assumed role
    SAML = "saml"  # holder of a SAML assertion from a provider
    WEB_IDENTITY = "web-identity"  # holder of an OIDC token (IAM OIDC provider or built-in web IdP)
    SERVICE = "service"  # an AWS service principal
    ROOT = "root"  # an account's root user: cannot assume roles
    FEDERATED_USER = "federated-user"  # GetFederationToken session: cannot call STS AssumeRole*


@dataclass(frozen=True, slots=True)
class OrgUnknown:
    """The organization membership of a caller that no loaded organizations data fixes (docs/semantics.md §5).

    ``excluded`` are the organizations it cannot belong to (the zone's, for an outsider; loaded organizations whose
    member list does not name it). ``chosen`` is True for an outsider, whose organization is its own choice (answers
    stay exact), False for a zone account without organizations data (membership unknown: answers that read it are
    approximate). A concrete :class:`Caller` still carries one choice (``org_id``, ``org_paths``: by default none);
    the solver treats the membership as symbolic and decodes the choice a witness needs.
    """

    excluded: frozenset[str] = frozenset()
    chosen: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    """A concrete principal making one call, with everything that decides its side of the hop.

    Attributes
    ----------
    kind
        The caller's kind.
    arn
        User ARN; the **role** ARN (with path) for a role session; provider ARN or built-in IdP name for federated
        callers; the service principal name for services.
    account
        The caller's account id (None for federated and service callers).
    unique_id
        AIDA... of a user, AROA... of a role; matched against unique-id principals in trust policies.
    session_name
        The role session name of a role session (its session ARN is
        ``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``).
    identity_policies
        Every identity policy in force (inline, managed, group policies for users).
    boundary
        The permissions boundary, if any. ``boundary_unresolved`` is True when one is attached but its document is
        not in the export (then the boundary is treated as allowing, and results are approximate).
    session_policies
        Session policies of a role session (they limit what the session may do next).
    scp_levels
        SCPs in force, one tuple per level (root, OUs, account); each level must allow. None when the caller's
        account is in no loaded organization or SCPs are not loaded (then nothing is restricted by SCPs).
    org_id, org_paths
        aws:PrincipalOrgID / aws:PrincipalOrgPaths values; None / () when the account is in no organization.
    org_unknown
        Set when no loaded organizations data fixes the caller's membership (:class:`OrgUnknown`); None when it does.
    tags
        Principal tags (user or role tags, plus session tags for a session).
    mfa
        For a role session: whether it was obtained by an IAM user presenting MFA (it then carries
        aws:MultiFactorAuthPresent = true). Ignored for other kinds.
    source_identity
        A role session's source identity, which persists along a chain.
    mfa_age
        With ``mfa``: the seconds since the MFA authentication (aws:MultiFactorAuthAge), any value from 0 to the
        lifetime of the credentials that carry it (``semantics.context.credential_lifetime``).
    token_age
        For temporary credentials (a role session): the seconds since they were issued, so that aws:TokenIssueTime
        is ``now - token_age``; from 0 to their lifetime.
    session_limit
        For a role session: the role's maximum session duration (None: unknown, at most 12 hours).
    """

    kind: CallerKind
    arn: str
    account: str | None = None
    unique_id: str | None = None
    session_name: str | None = None
    user_name: str | None = None
    identity_policies: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    boundary_unresolved: bool = False
    session_policies: tuple[Policy, ...] = ()
    scp_levels: tuple[tuple[Policy, ...], ...] | None = None
    org_id: str | None = None
    org_paths: tuple[str, ...] = ()
    org_unknown: OrgUnknown | None = None
    tags: Tags = ()
    mfa: bool = False
    source_identity: str | None = None
    transitive_tags: Tags = ()
    mfa_age: int = 0
    token_age: int = 0
    session_limit: int | None = None

    @property
    def session_arn(self) -> str | None:
        """``arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION`` for a role session."""
        if self.kind is not CallerKind.ROLE_SESSION or self.session_name is None:
            return None
        partition = self.arn.split(":")[1]
        name = self.arn.rsplit("/", 1)[-1]
        return f"arn:{partition}:sts::{self.account}:assumed-role/{name}/{self.session_name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """The role being assumed, with the RCPs of its account (one tuple per level; None when unknown/none) and the
    organization of its account when loaded organizations data fixes it (``org_known``: then ``org_id`` None means
    no organization): aws:ResourceOrgID / aws:ResourceOrgPaths. Unknown membership leaves both keys free
    (docs/semantics.md §5)."""

    role: Role
    rcp_levels: tuple[tuple[Policy, ...], ...] | None = None
    org_known: bool = False
    org_id: str | None = None
    org_paths: tuple[str, ...] = ()

    def resource_org_context(self) -> dict[str, tuple[str, ...]]:
        """aws:ResourceOrgID / aws:ResourceOrgPaths of the role when its organization is known (else empty)."""
        if not self.org_known or self.org_id is None:
            return {}
        ctx: dict[str, tuple[str, ...]] = {_RESOURCEORGID: (self.org_id,)}
        if self.org_paths:
            ctx[_RESOURCEORGPATHS] = tuple(self.org_paths)
        return ctx


_intern = sys.intern
#: the keys :meth:`Target.resource_org_context` writes, interned as :class:`Request` keeps them
_RESOURCEORGID, _RESOURCEORGPATHS = _intern("aws:resourceorgid"), _intern("aws:resourceorgpaths")


def _freeze(context: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    # the lower-cased keys are interned: a scan keeps tens of thousands of request contexts (the engine's memo),
    # each with the same dozen keys (at 20,000 roles, 200,000 copies of ``aws:principalarn`` and the like)
    if context.__class__ is PackedContext:  # read-only already, its keys lower-cased and interned
        return context
    return MappingProxyType({_intern(k.lower()): tuple(v) for k, v in context.items()})


class PackedContext(Mapping[str, tuple[str, ...]]):
    """A read-only request context as its values in one tuple, with the keys' positions shared by every context
    of the same keys in the same order (:func:`packed_context`): equal to, and read as, the mapping of the same items
    (:class:`Request` keeps it as it is). The requests the hop classes carry over to each caller
    (:func:`interned_request` with ``schemas``) differ in a few values of the same ~20 keys: at 20,000 roles of the
    vendor-heavy profile ~62,000 of them, each context a dictionary and its proxy (~630 bytes) before, ~240 here."""

    __slots__ = ("_index", "_values")

    #: False: :func:`packed_context` lower-cases and interns every key of every context it packs (the reference);
    #: True: a context whose keys (as given, in order) were packed before is looked up by them (set on the class)
    raw_keys: ClassVar[bool] = True

    def __init__(self, index: Mapping[str, int], values: tuple[tuple[str, ...], ...]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._values[self._index[key]]

    def get(self, key: str, default: Any = None) -> Any:
        at = self._index.get(key)
        return default if at is None else self._values[at]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._values)

    def items(self) -> ItemsView[str, tuple[str, ...]]:
        return _PackedItems(self)

    def __repr__(self) -> str:
        return f"mappingproxy({dict(self.items())!r})"  # as the proxy of the same items shows


class _PackedItems(ItemsView[str, tuple[str, ...]]):
    """The items of a :class:`PackedContext`, in order, iterated without a look-up per key."""

    __slots__ = ()
    _mapping: PackedContext

    def __iter__(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        packed = self._mapping
        return zip(packed._index, packed._values, strict=True)


def packed_context(schemas: dict[tuple[str, ...], Mapping[str, int]], context: Mapping[str, tuple[str, ...]]
                   ) -> Mapping[str, tuple[str, ...]]:
    """``context`` as :class:`Request` keeps it, packed (:class:`PackedContext`) with the keys' positions of
    ``schemas`` (one per keys in order, made and kept there when new); as :class:`Request` freezes it when two keys
    are the same lower-cased."""
    if PackedContext.raw_keys:
        # the keys as given, looked up first: a schema is also kept under each spelling of its keys it was made from
        # (lower-casing and interning them again gives the same schema), so a context of known keys costs a tuple
        raw = tuple(context)
        index = schemas.get(raw)
        if index is None:
            keys = tuple([_intern(k.lower()) for k in raw])
            index = schemas.get(keys)
            if index is None:
                if len(set(keys)) != len(keys):
                    return _freeze(context)
                index = schemas[keys] = MappingProxyType({k: n for n, k in enumerate(keys)})
            schemas[raw] = index
        return PackedContext(index, tuple(map(tuple, context.values())))
    keys = tuple(_intern(k.lower()) for k in context)
    index = schemas.get(keys)
    if index is None:
        if len(set(keys)) != len(keys):
            return _freeze(context)
        index = schemas[keys] = MappingProxyType({k: n for n, k in enumerate(keys)})
    return PackedContext(index, tuple(tuple(v) for v in context.values()))


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """One STS call: the action and its request context.

    ``context`` maps lower-cased condition keys to their values; a single-valued key has a one-element tuple, an
    absent key is simply not in the mapping. It is the full context AWS would evaluate, principal keys
    (aws:PrincipalArn, aws:PrincipalAccount, ...) included. ``duration_seconds`` is the requested session duration
    (chained sessions are limited to one hour).
    """

    action: Action
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    duration_seconds: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "context", _freeze(self.context))

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle support (the context is a read-only mapping proxy, which does not pickle itself)."""
        return (_make_request, (self.action, dict(self.context), self.duration_seconds))

    def get(self, key: str) -> tuple[str, ...] | None:
        """The values of a key (case-insensitive), or None when absent."""
        return self.context.get(key.lower())

    @property
    def tags_passed(self) -> bool:
        """Session tags are passed (the trust policy must then allow sts:TagSession): an ``aws:RequestTag/k``,
        ``aws:TagKeys`` or ``sts:TransitiveTagKeys`` (the keys of passed session tags made transitive) is present."""
        ctx = self.context
        return any(k in ctx for k in TAGS_PASSED_KEYS) or any(k.startswith("aws:requesttag/") for k in ctx)

    @property
    def untagged_transitive_key(self) -> str | None:
        """The first ``sts:TransitiveTagKeys`` value naming no session tag of this request
        (:func:`untagged_transitive_key`; STS refuses the call), or None."""
        return untagged_transitive_key(self.context)

    @property
    def source_identity_set(self) -> bool:
        """A source identity is set or carried (sts:SetSourceIdentity is then required)."""
        return "sts:sourceidentity" in self.context


def interned_request(pool: dict[int, Request], action: Action, context: Mapping[str, tuple[str, ...]],
                     duration_seconds: int | None = None,
                     schemas: dict[tuple[str, ...], Mapping[str, int]] | None = None) -> Request:
    """``Request(action=action, context=context, duration_seconds=duration_seconds)``, or the request of ``pool``
    equal to it with its context in the same order (kept by the hash of that content; a request whose hash is taken
    by another content is made and not kept). A scan's engine keeps ~180,000 answers at 20,000 roles, most of whose
    requests repeat (one caller's calls into the many roles of an account hub): each content is kept once. With
    ``schemas``, a request made has its context packed (:func:`packed_context`)."""
    items = tuple(context.items())
    h = hash((action, duration_seconds, items))
    kept = pool.get(h)
    if (kept is not None and kept.action is action and kept.duration_seconds == duration_seconds
            and tuple(kept.context.items()) == items):
        return kept
    if schemas is not None:
        context = packed_context(schemas, context)
    made = Request(action=action, context=context, duration_seconds=duration_seconds)
    if kept is None:
        pool[h] = made
    return made


def frozen_request(action: Action, context: dict[str, tuple[str, ...]], duration_seconds: int | None = None) -> Request:
    """``Request(action=action, context=context, duration_seconds=duration_seconds)`` for a ``context`` whose keys are
    lower-cased and interned already and whose values are tuples, handed over by its maker (nothing else holds it):
    wrapped read-only as :class:`Request` freezes it, without walking it again
    (:class:`~trustgraph.semantics.context.RequestBuilding`)."""
    made = object.__new__(Request)
    object.__setattr__(made, "action", action)
    object.__setattr__(made, "context", MappingProxyType(context))
    object.__setattr__(made, "duration_seconds", duration_seconds)
    return made


def _make_request(action: Action, context: dict[str, tuple[str, ...]], duration_seconds: int | None) -> Request:
    return Request(action=action, context=context, duration_seconds=duration_seconds)


class Verdict(Enum):
    """The outcome of a hop."""

    ALLOW = "allow"
    IMPLICIT_DENY = "implicit-deny"
    EXPLICIT_DENY = "explicit-deny"


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The decision and what decided it.

    ``statements`` are the statements responsible (the allowing trust and identity statements for ALLOW, the denying
    ones for EXPLICIT_DENY); ``reasons`` say in words what was missing for IMPLICIT_DENY (e.g. "no trust statement
    matches", "identity policy does not allow sts:AssumeRole"); ``approximations`` name the constructs the decision
    over-approximates, with their locations.
    """

    verdict: Verdict
    statements: tuple[Statement, ...] = ()
    reasons: tuple[str, ...] = ()
    approximations: tuple[tuple[str, Location], ...] = ()

    @property
    def allowed(self) -> bool:
        """True for ALLOW."""
        return self.verdict is Verdict.ALLOW
