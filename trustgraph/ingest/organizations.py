"""AWS Organizations CLI outputs to :class:`~trustgraph.model.organization.Organization`.

Files are recognised by their JSON shape, never by name:

=================================  ==============================================================
``describe-organization``          ``{"Organization": {"Id": "o-...", "MasterAccountId": ...}}``
``list-accounts``                  ``{"Accounts": [{"Id": "111122223333", "Arn": ..., ...}]}``
``describe-policy`` (SCP / RCP)    ``{"Policy": {"PolicySummary": {"Id": "p-...", "Type": ...}, "Content": "..."}}``
``list-targets-for-policy``        ``{"Targets": [{"TargetId": ..., "Type": ...}]}``
``list-roots``                     ``{"Roots": [{"Id": "r-...", "Arn": ...}]}``
``list-parents``                   ``{"Parents": [{"Id": "ou-...|r-...", "Type": ...}]}``
=================================  ==============================================================

``list-targets-for-policy`` and ``list-parents`` outputs do not say which policy or child they describe: add a
top-level ``"PolicyId"`` (resp. ``"ChildId"``) key to the file, or put the policy id ``p-...`` (resp. the account id
or ``ou-...`` id) in the file name. The pieces are collected by :class:`OrgCollector` and assembled into one
:class:`Organization` per organization id once every file has been read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from trustgraph.errors import IngestError
from trustgraph.ingest._fields import fail, obj, opt_list, opt_str, req_str, type_name
from trustgraph.ingest.gaad import FLAG_MESSAGES
from trustgraph.ingest.policy_json import PolicyKind, policy_from_json
from trustgraph.model.account import Flag
from trustgraph.model.arn import is_account_id
from trustgraph.model.location import Location
from trustgraph.model.organization import OrgAccount, Organization, OrgPolicy, OrgPolicyType

ORG_KEYS = ("Organization", "Accounts", "Policy", "Targets", "Roots", "Parents")

_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_POLICY_ID_IN_NAME = re.compile(r"(?:^|[^0-9A-Za-z])(p-[0-9A-Za-z_]{8,128})(?![0-9A-Za-z_])")
_OU_ID_IN_NAME = re.compile(r"(?:^|[^0-9a-z])(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})(?![0-9a-z])")
_ACCOUNT_IN_NAME = re.compile(r"(?<![0-9])([0-9]{12})(?![0-9])")
_ORG_IN_ARN = re.compile(r"/(o-[a-z0-9]{10,32})(?:/|$)")


def org_shape(data: object) -> str | None:
    """The Organizations output ``data`` is, by shape (``describe-organization``, ``list-accounts``, ...), or None.

    Examples
    --------
    >>> org_shape({"Targets": []}), org_shape({"Roles": []})
    ('list-targets-for-policy', None)
    """
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("Organization"), dict):
        return "describe-organization"
    if "Accounts" in data:
        return "list-accounts"
    if isinstance(data.get("Policy"), dict) and ("PolicySummary" in data["Policy"] or "Content" in data["Policy"]):
        return "describe-policy"
    if "Targets" in data:
        return "list-targets-for-policy"
    if "Roots" in data:
        return "list-roots"
    if "Parents" in data:
        return "list-parents"
    return None


def _org_of_arn(arn: str | None) -> str | None:
    if arn is None:
        return None
    m = _ORG_IN_ARN.search(arn)
    return m.group(1) if m else None


@dataclass
class _OrgParts:
    org_id: str
    arn: str | None = None
    management: str | None = None
    accounts: dict[str, OrgAccount] = field(default_factory=dict)
    accounts_known: bool = False
    sources: list[str] = field(default_factory=list)


@dataclass
class OrgCollector:
    """Accumulates Organizations files; :meth:`build` assembles them once all are read."""

    orgs: dict[str, _OrgParts] = field(default_factory=dict)
    policies: dict[str, tuple[OrgPolicy, str | None]] = field(default_factory=dict)  # id -> (policy, org id)
    targets: dict[str, tuple[tuple[str, ...], Location]] = field(default_factory=dict)
    parents: dict[str, tuple[str, str]] = field(default_factory=dict)  # child -> (parent id, parent type)
    roots: dict[str, str | None] = field(default_factory=dict)  # root id -> org id
    unattributed: list[str] = field(default_factory=list)  # files that name no organization
    flags: list[Flag] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file added, in order (named by errors about them all)

    @property
    def empty(self) -> bool:
        """True when no Organizations file was added."""
        return not (self.orgs or self.policies or self.targets or self.parents or self.roots)

    def _org(self, org_id: str, source: str) -> _OrgParts:
        parts = self.orgs.setdefault(org_id, _OrgParts(org_id))
        if source not in parts.sources:
            parts.sources.append(source)
        return parts

    def add(self, data: Mapping[str, Any], shape: str, source: str) -> None:
        """Add one file whose shape :func:`org_shape` recognised."""
        root = Location(source, "")
        self.files.append(source)
        getattr(self, "_add_" + shape.replace("-", "_"))(data, root, source)

    def _add_describe_organization(self, data: Mapping[str, Any], root: Location, source: str) -> None:
        loc = root.child("Organization")
        raw = obj(data["Organization"], loc, "the organization")
        org_id = req_str(raw, "Id", loc, "the organization id o-...")
        if not _ORG_ID.match(org_id):
            raise fail(loc.child("Id"), f"expected an organization id o-..., got `{org_id}`")
        parts = self._org(org_id, source)
        parts.arn = opt_str(raw, "Arn", loc, "the organization's ARN")
        mgmt = opt_str(raw, "MasterAccountId", loc, "the management account id")
        if mgmt is not None and not is_account_id(mgmt):
            raise fail(loc.child("MasterAccountId"), f"expected a 12-digit account id, got `{mgmt}`")
        parts.management = mgmt

    def _add_list_accounts(self, data: Mapping[str, Any], root: Location, source: str) -> None:
        items = opt_list(data, "Accounts", root, "the organization's accounts")
        accounts = []
        org_ids = set()
        for i, item in enumerate(items):
            aloc = root.child("Accounts", i)
            item = obj(item, aloc, "an account")
            account_id = req_str(item, "Id", aloc, "the 12-digit account id")
            if not is_account_id(account_id):
                raise fail(aloc.child("Id"), f"expected a 12-digit account id, got `{account_id}`")
            org = _org_of_arn(opt_str(item, "Arn", aloc, "the account's ARN"))
            if org:
                org_ids.add(org)
            accounts.append(OrgAccount(account_id=account_id, name=opt_str(item, "Name", aloc, "the account name"),
                                       status=opt_str(item, "Status", aloc, "the account status")))
        if len(org_ids) > 1:
            raise fail(root.child("Accounts"),
                       f"expected accounts of one organization, got {', '.join(sorted(org_ids))}")
        org_id = org_ids.pop() if org_ids else None
        if org_id is None:
            org_id = self._single_org(source, "accounts")
        parts = self._org(org_id, source)
        for acct in accounts:
            parts.accounts[acct.account_id] = acct
        parts.accounts_known = True

    def _add_describe_policy(self, data: Mapping[str, Any], root: Location, source: str) -> None:
        loc = root.child("Policy")
        raw = obj(data["Policy"], loc, "the policy")
        sloc = loc.child("PolicySummary")
        summary = obj(raw.get("PolicySummary"), sloc, "the policy summary")
        policy_id = req_str(summary, "Id", sloc, "the policy id p-...")
        type_text = req_str(summary, "Type", sloc, "the policy type")
        try:
            ptype = OrgPolicyType(type_text)
        except ValueError:
            raise fail(sloc.child("Type"), f'expected "SERVICE_CONTROL_POLICY" or "RESOURCE_CONTROL_POLICY", got '
                                           f"`{type_text}`") from None
        aws_managed = summary.get("AwsManaged", False)
        if not isinstance(aws_managed, bool):
            raise fail(sloc.child("AwsManaged"), f"expected a boolean, got {type_name(aws_managed)}")
        if "Content" not in raw:
            raise fail(loc, "missing `Content` (expected the policy document as a JSON string)")
        kind: PolicyKind = "scp" if ptype is OrgPolicyType.SCP else "rcp"
        document = policy_from_json(raw["Content"], loc.child("Content"), kind=kind)
        for code, where in document.all_flags():
            self.flags.append(Flag(code=code, message=FLAG_MESSAGES.get(code, code.replace("-", " ")),
                                   location=where, subject=policy_id))
        policy = OrgPolicy(policy_id=policy_id, name=opt_str(summary, "Name", sloc, "the policy name") or policy_id,
                           type=ptype, document=document, aws_managed=aws_managed, location=loc)
        self.policies[policy_id] = (policy, _org_of_arn(opt_str(summary, "Arn", sloc, "the policy ARN")))

    def _add_list_targets_for_policy(self, data: Mapping[str, Any], root: Location, source: str) -> None:
        policy_id = data.get("PolicyId")
        if policy_id is not None and not isinstance(policy_id, str):
            raise fail(root.child("PolicyId"), f"expected the policy id p-... as a string, got {type_name(policy_id)}")
        if policy_id is None:
            m = _POLICY_ID_IN_NAME.search(PurePath(source).stem)
            if m is None:
                raise fail(root, 'cannot tell which policy these targets belong to: add a "PolicyId" key or name the '
                                 "file after the policy id")
            policy_id = m.group(1)
        targets = []
        for i, item in enumerate(opt_list(data, "Targets", root, "the policy's targets")):
            tloc = root.child("Targets", i)
            item = obj(item, tloc, "a policy target")
            targets.append(req_str(item, "TargetId", tloc, "the target id (r-..., ou-... or account id)"))
        previous = self.targets.get(policy_id)
        self.targets[policy_id] = ((*(previous[0] if previous else ()), *targets), root)

    def _add_list_roots(self, data: Mapping[str, Any], root: Location, source: str) -> None:
        for i, item in enumerate(opt_list(data, "Roots", root, "the organization's roots")):
            rloc = root.child("Roots", i)
            item = obj(item, rloc, "a root")
            root_id = req_str(item, "Id", rloc, "the root id r-...")
            org = _org_of_arn(opt_str(item, "Arn", rloc, "the root's ARN"))
            self.roots[root_id] = org
            if org:
                self._org(org, source)

    def _add_list_parents(self, data: Mapping[str, Any], root: Location, source: str) -> None:
        child = data.get("ChildId")
        if child is not None and not isinstance(child, str):
            raise fail(root.child("ChildId"), f"expected the child id as a string, got {type_name(child)}")
        if child is None:
            stem = PurePath(source).stem
            found = [m.group(1) for m in _OU_ID_IN_NAME.finditer(stem)] + _ACCOUNT_IN_NAME.findall(stem)
            if len(found) != 1:
                raise fail(root, 'cannot tell which account or OU these parents belong to: add a "ChildId" key or '
                                 "name the file after the account id or ou- id")
            child = found[0]
        items = opt_list(data, "Parents", root, "the parents")
        if len(items) != 1:
            raise fail(root.child("Parents"), f"expected exactly one parent, got {len(items)}")
        ploc = root.child("Parents", 0)
        item = obj(items[0], ploc, "a parent")
        parent_id = req_str(item, "Id", ploc, "the parent id (r-... or ou-...)")
        parent_type = req_str(item, "Type", ploc, "the parent type (ROOT or ORGANIZATIONAL_UNIT)")
        if parent_type not in ("ROOT", "ORGANIZATIONAL_UNIT"):
            raise fail(ploc.child("Type"), f'expected "ROOT" or "ORGANIZATIONAL_UNIT", got `{parent_type}`')
        self.parents[child] = (parent_id, parent_type)

    def _single_org(self, source: str, what: str) -> str:
        if len(self.orgs) == 1:
            return next(iter(self.orgs))
        self.unattributed.append(source)
        return ""  # resolved in build()

    def _chain(self, account_id: str) -> tuple[str, ...] | None:
        chain: list[str] = []
        node = account_id
        for _ in range(len(self.parents) + 1):
            entry = self.parents.get(node)
            if entry is None:
                return None
            parent_id, parent_type = entry
            chain.append(parent_id)
            if parent_type == "ROOT":
                return tuple(reversed(chain))
            node = parent_id
        return None

    def build(self) -> tuple[tuple[Organization, ...], tuple[Flag, ...]]:
        """Assemble the organizations; raises :class:`IngestError` for pieces that fit no single organization."""
        flags = list(self.flags)
        pending = self.orgs.pop("", None)
        if pending is not None:
            if len(self.orgs) != 1:
                raise IngestError(pending.sources[0], "", "cannot tell which organization these accounts belong to: "
                                                          "load describe-organization output with them")
            target = next(iter(self.orgs.values()))
            target.accounts.update(pending.accounts)
            target.accounts_known = True
            target.sources.extend(s for s in pending.sources if s not in target.sources)
        if not self.orgs:
            if self.empty:
                return (), ()
            first = next(iter(p.location.file for p, _ in self.policies.values()), None)
            fallback = self.files[0] if self.files else "<memory>"
            raise IngestError(first or next(iter(v[1].file for v in self.targets.values()), fallback), "",
                              "organizations data without the organization: load describe-organization output "
                              "with it")
        only = next(iter(self.orgs)) if len(self.orgs) == 1 else None
        policies_by_org: dict[str, list[OrgPolicy]] = {}
        for policy_id, (policy, org) in self.policies.items():
            owner = org or only
            if owner is None or owner not in self.orgs:
                raise IngestError(policy.location.file, "", "cannot tell which organization this policy belongs "
                                                            "to: load one organization's files at a time")
            targets = self.targets.get(policy_id)
            if targets is not None:
                policy = replace(policy, targets=targets[0])
            policies_by_org.setdefault(owner, []).append(policy)
        for policy_id, (_, loc) in self.targets.items():
            if policy_id not in self.policies:
                flags.append(Flag(code="org-targets-without-policy",
                                  message=f"targets of policy `{policy_id}` were loaded but not its describe-policy "
                                          f"output; they are ignored", location=loc, subject=policy_id))
        out = []
        for org_id, parts in self.orgs.items():
            accounts = []
            for acct in parts.accounts.values():
                chain = self._chain(acct.account_id)
                accounts.append(OrgAccount(account_id=acct.account_id, name=acct.name, status=acct.status,
                                           parents=chain or ()))
            policies = tuple(policies_by_org.get(org_id, ()))
            policies_known = bool(policies)
            if policies_known:
                missing = [a.account_id for a in accounts if not a.parents and a.account_id != parts.management]
                if missing:
                    flags.append(Flag(code="org-path-unknown",
                                      message=f"no list-parents chain up to the root for {', '.join(missing)}: "
                                              f"SCPs/RCPs above these accounts are not applied",
                                      location=Location(parts.sources[0], ""), subject=org_id))
            out.append(Organization(
                org_id=org_id,
                arn=parts.arn,
                management_account_id=parts.management,
                accounts=tuple(accounts),
                policies=policies,
                policies_known=policies_known,
                accounts_known=parts.accounts_known,
                sources=tuple(dict.fromkeys([*parts.sources, *(p.location.file for p in policies)])),
            ))
        return tuple(out), tuple(flags)


__all__ = ["ORG_KEYS", "OrgCollector", "org_shape"]
