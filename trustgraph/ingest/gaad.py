"""``aws iam get-account-authorization-details`` output to :class:`~trustgraph.model.account.AccountSnapshot`.

Every shape seen in practice loads to the same model:

* AWS CLI v1/v2 output (policy documents decoded into objects) and the raw API shape (documents as URL-encoded JSON
  strings; :func:`~trustgraph.ingest.policy_json.decode_document` decodes both);
* boto3 pages: a JSON list of page objects in one file, or one page per file (the loader merges pages of the same
  account with :func:`merge_snapshots`);
* timestamps as wire strings, ISO-8601 with an offset, ``str(datetime)`` or epoch numbers;
* permissions boundaries typed ``Policy`` (live IAM) or ``PermissionsBoundaryPolicy`` (some SDKs and mocks).

Managed policies attached but absent from ``Policies`` (AWS managed policies are often omitted with
``--filter``) stay references and get one ``unresolved-managed-policy`` flag per policy per account. Flags raised
while parsing policy documents become :class:`~trustgraph.model.account.Flag` values whose subject is the ARN of the
principal (inline and trust policies) or of the managed policy that carries the document.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from trustgraph.errors import IngestError
from trustgraph.ingest._fields import fail, obj, opt_int, opt_list, opt_str, req_str, str_list, timestamp, type_name
from trustgraph.ingest.policy_json import PolicyInterner, PolicyKind, policy_from_json
from trustgraph.model.account import (
    AccountSnapshot,
    Flag,
    Group,
    InlinePolicy,
    InstanceProfile,
    ManagedPolicy,
    Role,
    Tags,
    User,
)
from trustgraph.model.arn import PARTITIONS, is_account_id, parse_arn
from trustgraph.model.location import Location, new_location
from trustgraph.model.policy import Policy

#: Top-level keys that identify a get-account-authorization-details document (or one boto3 page of it).
GAAD_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")

UNRESOLVED = "unresolved-managed-policy"

#: One-line explanations of the flag codes the policy parser raises; unknown codes fall back to the code itself.
FLAG_MESSAGES = {
    "not-principal-in-trust-policy": "NotPrincipal in a trust policy (IAM rejects it)",
    "missing-principal": "trust policy statement without Principal (IAM rejects it)",
    "principal-in-identity-policy": "Principal in an identity policy (IAM rejects it)",
    "partial-wildcard-principal": "principal with a partial wildcard (IAM rejects it; it matches nobody)",
    "unrecognized-principal": "principal that is not a recognised ARN, account id or provider (matches nobody)",
    "unrecognized-service-principal": "service principal that is not of the form NAME.amazonaws.com",
    "duplicate-condition-key": "condition keys that differ only in case under one operator (IAM rejects it)",
    "unknown-condition-operator": "unknown condition operator (analysed as possibly true in an Allow, possibly "
    "false in a Deny)",
    "invalid-null-operator": "Null operator with IfExists or a set qualifier (IAM rejects it)",
    "invalid-condition-value": "condition value that does not parse for its operator",
}

_BOUNDARY_TYPES = ("Policy", "PermissionsBoundaryPolicy")

#: Flag code of a page whose managed policies lack PolicyName (derived from their ARNs); the CLI warns once per load.
DERIVED_POLICY_NAME = "derived-policy-name"


_intern = sys.intern


def _path(raw: Mapping[str, Any], loc: Location, what: str) -> str:
    """An entity's ``Path`` (default ``/``), interned: a few paths (``/``, ``/service-role/``) recur on every entity."""
    return _intern(opt_str(raw, "Path", loc, what) or "/")


def _below(loc: Location, suffix: str) -> Location:
    """``loc.child(...)`` for tokens that need no escaping, given as their pointer ``suffix`` (``/Key/0``): the same
    interned pointer, without ``child``'s loop over the tokens (several per role)."""
    return new_location(loc.file, _intern(loc.pointer + suffix))


def is_gaad_page(data: object) -> bool:
    """True when ``data`` looks like get-account-authorization-details output or one boto3 page of it."""
    return isinstance(data, dict) and any(k in data for k in GAAD_KEYS)


def _flag_message(code: str) -> str:
    return FLAG_MESSAGES.get(code, code.replace("-", " "))


_AWS_OWNED = tuple(f"arn:{p}:iam::aws:" for p in PARTITIONS)


class _AccountTracker:
    """Checks that every ARN of one export names the same account and partition.

    Once the account is known, an ARN that starts with ``arn:PARTITION:iam::ACCOUNT:`` passes without being parsed;
    the location of an ARN is computed only for a message (or for the first ARN, which later messages cite).
    """

    def __init__(self) -> None:
        self.account: str | None = None
        self.partition: str | None = None
        self.first: Location | None = None
        self._prefix: str | None = None

    def see(self, arn_text: str, what: str, parent: Location, *tokens: str | int, allow_aws: bool = False) -> None:
        """Check the ARN found at ``parent.child(*tokens)``."""
        prefix = self._prefix
        if prefix is not None and arn_text.startswith(prefix):
            return
        if allow_aws and arn_text.startswith(_AWS_OWNED):
            return
        loc = parent.child(*tokens)
        arn = parse_arn(arn_text)
        if arn is None or arn.service != "iam":
            raise fail(loc, f"expected {what} as an IAM ARN (arn:aws:iam::ACCOUNT:...), got `{arn_text}`")
        if allow_aws and arn.account == "aws":
            return
        if not is_account_id(arn.account):
            raise fail(loc, f"expected {what} with a 12-digit account id, got `{arn_text}`")
        if self.account is None:
            self.account, self.partition, self.first = arn.account, arn.partition, loc
            self._prefix = f"arn:{arn.partition}:iam::{arn.account}:"
            return
        if arn.account != self.account or arn.partition != self.partition:
            raise fail(
                loc,
                f"expected an ARN of account {self.account} in partition {self.partition} (as at "
                f"{self.first.pointer if self.first else ''}), got `{arn_text}`: one export describes one account",
            )


class _PageReader:
    """Reads one page (a whole CLI export is one page) into model values.

    Locations of fields are computed only where a value keeps one (documents, entities) or for an error message.
    """

    def __init__(self, loc: Location, tracker: _AccountTracker, interner: PolicyInterner | None = None) -> None:
        self.loc = loc
        self.tracker = tracker
        self.interner = interner
        self.flags: list[Flag] = []
        self.profiles: dict[str, InstanceProfile] = {}
        self.derived_names: list[Location] = []  # managed policies whose PolicyName came from the ARN

    # -- documents ---------------------------------------------------------------------------------------------
    def _policy(self, raw: object, loc: Location, kind: PolicyKind, subject: str) -> Policy:
        if self.interner is not None:
            policy = self.interner.policy(raw, loc, kind)
        else:
            policy = policy_from_json(raw, loc, kind=kind)
        for code, where in policy.all_flags():
            self.flags.append(Flag(code=code, message=_flag_message(code), location=where, subject=subject))
        return policy

    def _inline(self, raw: Mapping[str, Any], key: str, loc: Location, subject: str) -> tuple[InlinePolicy, ...]:
        items = opt_list(raw, key, loc, "inline policies")
        if not items:
            return ()
        out = []
        for i, item in enumerate(items):
            name = item.get("PolicyName") if isinstance(item, dict) else None
            if name.__class__ is not str or not name or "PolicyDocument" not in item:
                iloc = loc.child(key, i)  # something is missing or malformed: the checks below raise
                item = obj(item, iloc, "an inline policy")
                name = req_str(item, "PolicyName", iloc, "the inline policy's name")
                raise fail(iloc, "missing `PolicyDocument` (expected the inline policy's document)")
            doc = self._policy(item["PolicyDocument"], _below(loc, f"/{key}/{i}/PolicyDocument"), "identity", subject)
            out.append(InlinePolicy(name=_intern(name), document=doc))  # names recur across roles: one string each
        return tuple(out)

    def _attached(self, raw: Mapping[str, Any], loc: Location) -> tuple[str, ...]:
        items = opt_list(raw, "AttachedManagedPolicies", loc, "attached managed policies")
        if not items:
            return ()
        out = []
        see = self.tracker.see
        for i, item in enumerate(items):
            if item.__class__ is dict and (arn := item.get("PolicyArn")).__class__ is str and arn:
                see(arn, "a managed policy ARN", loc, "AttachedManagedPolicies", i, "PolicyArn", allow_aws=True)
                out.append(_intern(arn))
                continue
            aloc = loc.child("AttachedManagedPolicies", i)
            item = obj(item, aloc, "an attached managed policy")
            arn = req_str(item, "PolicyArn", aloc, "the managed policy's ARN")
            see(arn, "a managed policy ARN", aloc, "PolicyArn", allow_aws=True)
            out.append(arn)
        return tuple(out)

    def _boundary(self, raw: Mapping[str, Any], loc: Location) -> str | None:
        value = raw.get("PermissionsBoundary")
        if value is None or value == {}:
            return None
        bloc = loc.child("PermissionsBoundary")
        value = obj(value, bloc, "a permissions boundary")
        btype = value.get("PermissionsBoundaryType", "Policy")
        if btype not in _BOUNDARY_TYPES:
            raise fail(bloc.child("PermissionsBoundaryType"),
                       f'expected "Policy" or "PermissionsBoundaryPolicy", got `{btype}`')
        arn = req_str(value, "PermissionsBoundaryArn", bloc, "the boundary policy's ARN")
        self.tracker.see(arn, "a boundary policy ARN", bloc, "PermissionsBoundaryArn", allow_aws=True)
        return arn

    def _tags(self, raw: Mapping[str, Any], loc: Location) -> Tags:
        items = opt_list(raw, "Tags", loc, "tags")
        if not items:
            return ()
        out = []
        for i, item in enumerate(items):
            if item.__class__ is dict and (key := item.get("Key")).__class__ is str and key:
                value = item.get("Value", "")
                if value.__class__ is str:
                    out.append((key, value))
                    continue
            tloc = loc.child("Tags", i)
            item = obj(item, tloc, "a tag")
            key = req_str(item, "Key", tloc, "the tag key")
            value = item.get("Value", "")
            if not isinstance(value, str):
                raise fail(tloc.child("Value"), f"expected the tag value as a string, got {type_name(value)}")
            out.append((key, value))
        return tuple(out)

    def _arn(self, raw: Mapping[str, Any], loc: Location, what: str) -> str:
        arn = req_str(raw, "Arn", loc, f"the {what}'s ARN")
        self.tracker.see(arn, f"the {what}'s ARN", loc, "Arn")
        return arn

    def _account(self) -> str:
        """The account of the entity whose ARN was just seen (``see`` checked it is the tracked account)."""
        return self.tracker.account or ""

    # -- entities ----------------------------------------------------------------------------------------------
    def user(self, raw: object, loc: Location) -> User:
        raw = obj(raw, loc, "a user")
        arn = self._arn(raw, loc, "user")
        attached = self._attached(raw, loc)
        boundary = self._boundary(raw, loc)
        return User(
            arn=arn,
            name=req_str(raw, "UserName", loc, "the user's name"),
            user_id=req_str(raw, "UserId", loc, "the user's unique id"),
            account=self._account(),
            path=_path(raw, loc, "the user's path"),
            groups=str_list(raw, "GroupList", loc, "group name"),
            inline_policies=self._inline(raw, "UserPolicyList", loc, arn),
            managed_policy_arns=attached,
            boundary_arn=boundary,
            tags=self._tags(raw, loc),
            create_date=timestamp(raw, "CreateDate", loc),
            location=loc,
        )

    def group(self, raw: object, loc: Location) -> Group:
        raw = obj(raw, loc, "a group")
        arn = self._arn(raw, loc, "group")
        attached = self._attached(raw, loc)
        timestamp(raw, "CreateDate", loc)  # validated, not kept: Group has no create_date
        return Group(
            arn=arn,
            name=req_str(raw, "GroupName", loc, "the group's name"),
            group_id=req_str(raw, "GroupId", loc, "the group's unique id"),
            account=self._account(),
            path=_path(raw, loc, "the group's path"),
            inline_policies=self._inline(raw, "GroupPolicyList", loc, arn),
            managed_policy_arns=attached,
            location=loc,
        )

    def role(self, raw: object, loc: Location) -> Role:
        raw = obj(raw, loc, "a role")
        arn = self._arn(raw, loc, "role")
        if "AssumeRolePolicyDocument" not in raw:
            raise fail(loc, "missing `AssumeRolePolicyDocument` (expected the role's trust policy)")
        trust = self._policy(raw["AssumeRolePolicyDocument"], _below(loc, "/AssumeRolePolicyDocument"), "trust", arn)
        attached = self._attached(raw, loc)
        boundary = self._boundary(raw, loc)
        profiles = []
        for i, item in enumerate(opt_list(raw, "InstanceProfileList", loc, "instance profiles")):
            profiles.append(self._profile(item, loc.child("InstanceProfileList", i)))
        last_used = raw.get("RoleLastUsed") or {}
        lloc = loc.child("RoleLastUsed") if last_used else loc
        last_used = obj(last_used, lloc, "the role's last use")
        return Role(
            arn=arn,
            name=req_str(raw, "RoleName", loc, "the role's name"),
            role_id=req_str(raw, "RoleId", loc, "the role's unique id"),
            account=self._account(),
            path=_path(raw, loc, "the role's path"),
            trust_policy=trust,
            inline_policies=self._inline(raw, "RolePolicyList", loc, arn),
            managed_policy_arns=attached,
            boundary_arn=boundary,
            tags=self._tags(raw, loc),
            instance_profile_arns=tuple(profiles),
            last_used=timestamp(last_used, "LastUsedDate", lloc) if last_used else None,
            last_used_region=opt_str(last_used, "Region", lloc, "the region of the role's last use") if last_used
            else None,
            create_date=timestamp(raw, "CreateDate", loc),
            max_session_duration=opt_int(raw, "MaxSessionDuration", loc, "the maximum session duration"),
            location=loc,
        )

    def _profile(self, raw: object, loc: Location) -> str:
        raw = obj(raw, loc, "an instance profile")
        arn = req_str(raw, "Arn", loc, "the instance profile's ARN")
        self.tracker.see(arn, "the instance profile's ARN", loc, "Arn")
        role_arns = []
        for i, item in enumerate(opt_list(raw, "Roles", loc, "the instance profile's roles")):
            rloc = loc.child("Roles", i)
            role_arns.append(req_str(obj(item, rloc, "a role"), "Arn", rloc, "the role's ARN"))
        if arn not in self.profiles:
            self.profiles[arn] = InstanceProfile(
                arn=arn,
                name=req_str(raw, "InstanceProfileName", loc, "the instance profile's name"),
                path=_path(raw, loc, "the instance profile's path"),
                role_arns=tuple(role_arns),
            )
        return arn

    def managed_policy(self, raw: object, loc: Location) -> ManagedPolicy:
        raw = obj(raw, loc, "a managed policy")
        arn = req_str(raw, "Arn", loc, "the managed policy's ARN")
        self.tracker.see(arn, "the managed policy's ARN", loc, "Arn", allow_aws=True)
        default_id = opt_str(raw, "DefaultVersionId", loc, "the default version id")
        versions = opt_list(raw, "PolicyVersionList", loc, "policy versions")
        chosen: tuple[Mapping[str, Any], int] | None = None
        for i, item in enumerate(versions):
            if not isinstance(item, dict):
                obj(item, loc.child("PolicyVersionList", i), "a policy version")  # raises
            version_id = item.get("VersionId")
            if version_id is not None and not isinstance(version_id, str):
                opt_str(item, "VersionId", loc.child("PolicyVersionList", i), "the version id")  # raises
            is_default = item.get("IsDefaultVersion")
            if is_default is not None and not isinstance(is_default, bool):
                raise fail(loc.child("PolicyVersionList", i, "IsDefaultVersion"),
                           f"expected a boolean, got {type_name(is_default)}")
            if (default_id is not None and version_id == default_id) or (default_id is None and is_default):
                chosen = (item, i)
        document = None
        if chosen is not None:
            item, index = chosen
            if "Document" not in item:
                raise fail(loc.child("PolicyVersionList", index),
                           "missing `Document` (expected the default version's policy document)")
            document = self._policy(item["Document"], _below(loc, f"/PolicyVersionList/{index}/Document"),
                                    "identity", arn)
        else:
            what = f"default version `{default_id}`" if default_id else "a default version"
            self.flags.append(Flag(code="managed-policy-document-missing",
                                   message=f"the export lists no {what} of this managed policy; its permissions "
                                           f"are unknown", location=loc, subject=arn))
        if "PolicyName" in raw:
            name = req_str(raw, "PolicyName", loc, "the managed policy's name")
        else:  # moto and LocalStack leave it out: it is the last part of the ARN (policy/PATH/NAME)
            name = arn.rsplit("/", 1)[-1]
            self.derived_names.append(loc)
        return ManagedPolicy(
            arn=arn,
            name=name,
            path=_path(raw, loc, "the managed policy's path"),
            default_version_id=default_id,
            document=document,
            attachment_count=opt_int(raw, "AttachmentCount", loc, "the attachment count"),
            location=loc,
        )


def _entries(page: Mapping[str, Any], key: str, loc: Location, what: str) -> Iterator[tuple[object, Location]]:
    """Each item of the page's list ``key`` with its location ``loc.child(key, i)``, built from the list's pointer and
    the index (the key is a plain name and an index needs no escaping: the same interned pointer ``child`` gives, at
    a third of its cost; one per entity, 26,000 at 20,000 roles)."""
    file, base, intern = loc.file, f"{loc.pointer}/{key}/", _intern
    for i, raw in enumerate(opt_list(page, key, loc, what)):
        yield raw, new_location(file, intern(f"{base}{i}"))


def _page_snapshot(
    page: object, loc: Location, tracker: _AccountTracker, interner: PolicyInterner | None = None
) -> AccountSnapshot:
    """One page to a snapshot whose ``unresolved-managed-policy`` flags are not computed yet."""
    if not isinstance(page, dict):
        raise fail(loc, f"expected a get-account-authorization-details page object, got {type_name(page)}")
    if not is_gaad_page(page):
        raise fail(loc, "expected a get-account-authorization-details page (with UserDetailList, GroupDetailList, "
                        "RoleDetailList or Policies)")
    reader = _PageReader(loc, tracker, interner)
    users = [reader.user(raw, at) for raw, at in _entries(page, "UserDetailList", loc, "users")]
    groups = [reader.group(raw, at) for raw, at in _entries(page, "GroupDetailList", loc, "groups")]
    roles = [reader.role(raw, at) for raw, at in _entries(page, "RoleDetailList", loc, "roles")]
    policies = [reader.managed_policy(raw, at) for raw, at in _entries(page, "Policies", loc, "managed policies")]
    if reader.derived_names:
        count = len(reader.derived_names)
        reader.flags.append(Flag(code=DERIVED_POLICY_NAME,
                                 message=f"{count} managed polic{'y has' if count == 1 else 'ies have'} no PolicyName "
                                         f"(as moto and LocalStack export them): derived from the ARN",
                                 location=reader.derived_names[0], subject=loc.file))
    return AccountSnapshot(
        account_id=tracker.account or "",
        partition=tracker.partition or "aws",
        users=tuple(users),
        groups=tuple(groups),
        roles=tuple(roles),
        policies=tuple(policies),
        instance_profiles=tuple(reader.profiles.values()),
        sources=(loc.file,),
        flags=tuple(reader.flags),
    )


_FILE_ACCOUNT = re.compile(r"(?<![0-9])([0-9]{12})(?![0-9])")


def account_from_file_name(source: str) -> str | None:
    """The one 12-digit account id in a file's name, if it has exactly one (``gaad-111122223333.json``)."""
    found = set(_FILE_ACCOUNT.findall(PurePath(source).name))
    return found.pop() if len(found) == 1 else None


def pages_from_gaad(
    data: object, source: str, interner: PolicyInterner | None = None
) -> tuple[AccountSnapshot, ...]:
    """The pages of one file as partial snapshots (one for a CLI export, one per element for a list of pages).

    A page that names no account (e.g. a last boto3 page holding only AWS managed policies) gets the account of the
    other pages of the file, else the 12-digit id in the file name, else ``account_id == ""`` (the loader then
    assigns it to the only account loaded, or reports it). An ``interner`` shared by the files of one load parses
    each distinct policy document once (see :class:`~trustgraph.ingest.policy_json.PolicyInterner`).
    """
    root = Location(source, "")
    tracker = _AccountTracker()
    if isinstance(data, list):
        if not data:
            raise fail(root, "expected a get-account-authorization-details object or a list of its pages, got an "
                             "empty list")
        snaps = [_page_snapshot(page, root.child(i), tracker, interner) for i, page in enumerate(data)]
    elif isinstance(data, dict):
        snaps = [_page_snapshot(data, root, tracker, interner)]
    else:
        raise fail(root, f"expected a get-account-authorization-details object, got {type_name(data)}")
    account = tracker.account or account_from_file_name(source) or ""
    partition = tracker.partition or "aws"
    return tuple(replace(s, account_id=account, partition=partition) for s in snaps)


def _unresolved_flags(snapshot: AccountSnapshot) -> tuple[Flag, ...]:
    """One flag per managed policy attached (or used as a boundary) but absent from the export."""
    known = snapshot.policy_by_arn
    users: dict[str, list[str]] = {}
    first: dict[str, Location] = {}

    def note(policy_arn: str, subject: str, loc: Location) -> None:
        if policy_arn in known:
            return
        users.setdefault(policy_arn, [])
        if subject not in users[policy_arn]:
            users[policy_arn].append(subject)
        first.setdefault(policy_arn, loc)

    entities: Iterable[User | Group | Role] = (*snapshot.users, *snapshot.groups, *snapshot.roles)
    for entity in entities:
        for policy_arn in entity.managed_policy_arns:
            note(policy_arn, entity.arn, entity.location)
        boundary = getattr(entity, "boundary_arn", None)
        if boundary is not None:
            note(boundary, entity.arn, entity.location)
    out = []
    for policy_arn, subjects in users.items():
        owner = "AWS managed policy" if policy_arn.split(":")[4:5] == ["aws"] else "managed policy"
        out.append(Flag(
            code=UNRESOLVED,
            message=f"{owner} `{policy_arn}` is attached to {', '.join(subjects)} but absent from the export's "
                    f"Policies; its permissions are unknown",
            location=first[policy_arn],
            subject=policy_arn,
        ))
    return tuple(out)


def merge_snapshots(snapshots: Sequence[AccountSnapshot]) -> AccountSnapshot:
    """Merge pages (or repeated exports) of one account into one snapshot and compute its unresolved flags.

    Entities are deduplicated by ARN; the same ARN described differently by two pages is an error, since that
    means two exports of different dates were mixed.

    Raises
    ------
    IngestError
        When the snapshots name different accounts or disagree about an entity.
    """
    if not snapshots:
        raise ValueError("merge_snapshots needs at least one snapshot")
    account = snapshots[0].account_id
    for snap in snapshots[1:]:
        if snap.account_id != account:
            raise IngestError(snap.sources[0] if snap.sources else "<memory>", "",
                              f"expected pages of account {account}, got account {snap.account_id}")

    def dedupe(items: Iterable[Any]) -> tuple[Any, ...]:
        seen: dict[str, Any] = {}
        for item in items:
            prev = seen.get(item.arn)
            if prev is None:
                seen[item.arn] = item
            elif prev != item:
                loc = getattr(item, "location", None)
                where = getattr(prev, "location", None)
                raise IngestError(loc.file if loc else "<memory>", loc.pointer if loc else "",
                                  f"`{item.arn}` is described differently at {where}: two exports of different "
                                  f"dates? load only one of them")
        return tuple(seen.values())

    merged = AccountSnapshot(
        account_id=account,
        partition=snapshots[0].partition,
        users=dedupe(u for s in snapshots for u in s.users),
        groups=dedupe(g for s in snapshots for g in s.groups),
        roles=dedupe(r for s in snapshots for r in s.roles),
        policies=dedupe(p for s in snapshots for p in s.policies),
        instance_profiles=dedupe(p for s in snapshots for p in s.instance_profiles),
        sources=tuple(dict.fromkeys(src for s in snapshots for src in s.sources)),
        flags=tuple({(f.code, f.subject, f.location.pointer, f.message): f for s in reversed(snapshots)
                     for f in reversed(s.flags) if f.code != UNRESOLVED}.values())[::-1],
    )
    return replace(merged, flags=merged.flags + _unresolved_flags(merged))


def account_from_gaad(data: object, source: str) -> AccountSnapshot:
    """One get-account-authorization-details document (a CLI export or a list of boto3 pages) to a snapshot.

    Parameters
    ----------
    data
        The decoded JSON value of the file.
    source
        The file name used in locations and error messages.

    Raises
    ------
    IngestError
        For any structural problem, naming ``source`` and the JSON pointer, or when the export names no account.

    Examples
    --------
    >>> snap = account_from_gaad({"RoleDetailList": [{"RoleName": "R", "RoleId": "AROAEXAMPLE000000001",
    ...     "Arn": "arn:aws:iam::111122223333:role/R", "AssumeRolePolicyDocument":
    ...     "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C"
    ...     "%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole"
    ...     "%22%7D%5D%7D"}]}, "x.json")
    >>> snap.account_id, snap.roles[0].trust_policy.statements[0].principals[0].text
    ('111122223333', 'ec2.amazonaws.com')
    """
    pages = pages_from_gaad(data, source)
    if not pages[0].account_id:
        raise IngestError(source, "", "cannot tell which account this export describes: it names no user, group, "
                                      "role or customer managed policy, and the file name has no 12-digit account id")
    return merge_snapshots(pages)


__all__ = [
    "DERIVED_POLICY_NAME", "FLAG_MESSAGES", "GAAD_KEYS", "UNRESOLVED", "account_from_file_name", "account_from_gaad",
    "is_gaad_page", "merge_snapshots", "pages_from_gaad",
]
