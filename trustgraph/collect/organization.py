"""The AWS Organizations walk: the organization, its accounts, OU paths, and SCPs and RCPs with their targets.

Run from the management account or a delegated administrator. The documents are the CLI outputs the loader reads
(``trustgraph.ingest.organizations``), with the identifying key it asks for added where AWS's output has none:
``list-targets-for-policy`` files carry ``"PolicyId"`` and ``list-parents`` files carry ``"ChildId"``.

The OU tree is walked downwards (``list-organizational-units-for-parent`` and ``list-accounts-for-parent`` from each
root and OU), which costs two paginated calls per root or OU instead of one ``list-parents`` call per account and OU,
and each child's parent is written as the ``list-parents`` output AWS would return for it (``Parents`` holds exactly
one ``{"Id", "Type"}``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from trustgraph.collect.output import ORGANIZATION_DIR

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"


@dataclass(frozen=True)
class MemberAccount:
    """One account of ``list-accounts``: its id, name and state (``ACTIVE``, ``SUSPENDED``...)."""

    account_id: str
    name: str | None
    state: str | None

    @property
    def active(self) -> bool:
        """False for suspended or closed accounts, which cannot be entered (an unknown state counts as active)."""
        return self.state is None or self.state == "ACTIVE"


@dataclass(frozen=True)
class OrganizationSnapshot:
    """What the walk found: the ids the run needs, and the documents to write under ``organization/``."""

    org_id: str
    management_account_id: str | None
    accounts: tuple[MemberAccount, ...]
    documents: dict[str, object] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def _strip(page: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in page.items() if k != "ResponseMetadata"}


def _all(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**params):
        items.extend(page.get(key, []))
    return items


def member_account(raw: dict[str, Any]) -> MemberAccount:
    """A ``list-accounts`` item; ``State`` (the newer field) is preferred to the deprecated ``Status``."""
    state = raw.get("State") or raw.get("Status")
    return MemberAccount(account_id=str(raw["Id"]), name=raw.get("Name"), state=str(state) if state else None)


def collect_organization(client: Any) -> OrganizationSnapshot:
    """Walk the organization with an Organizations client; botocore errors propagate (the caller records them)."""
    from botocore.exceptions import ClientError

    organization = _strip(client.describe_organization())
    org = organization["Organization"]
    documents: dict[str, object] = {"describe-organization.json": organization}
    accounts = _all(client, "list_accounts", "Accounts")
    documents["list-accounts.json"] = {"Accounts": accounts}
    roots = _all(client, "list_roots", "Roots")
    documents["list-roots.json"] = {"Roots": roots}

    pending: deque[tuple[str, str]] = deque((r["Id"], "ROOT") for r in roots)
    ou_count = 0
    while pending:
        parent_id, parent_type = pending.popleft()
        parent = {"ChildId": "", "Parents": [{"Id": parent_id, "Type": parent_type}]}
        for ou in _all(client, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent_id):
            ou_count += 1
            documents[f"parents/parents-{ou['Id']}.json"] = {**parent, "ChildId": ou["Id"]}
            pending.append((ou["Id"], "ORGANIZATIONAL_UNIT"))
        for account in _all(client, "list_accounts_for_parent", "Accounts", ParentId=parent_id):
            documents[f"parents/parents-{account['Id']}.json"] = {**parent, "ChildId": account["Id"]}

    counts = {"accounts": len(accounts), "organizational_units": ou_count}
    notes: list[str] = []
    for policy_type, label in ((SCP, "service_control_policies"), (RCP, "resource_control_policies")):
        try:
            summaries = _all(client, "list_policies", "Policies", Filter=policy_type)
        except ClientError as exc:
            if policy_type == SCP:
                raise
            # RCPs are recent: a partition or endpoint without them must not lose the SCPs. Missing RCPs only
            # widen what the analysis finds reachable.
            error = exc.response.get("Error", {})
            notes.append(f"resource control policies not listed: {error.get('Code')}: {error.get('Message')}")
            continue
        counts[label] = len(summaries)
        for summary in summaries:
            policy_id = summary["Id"]
            documents[f"policies/describe-policy-{policy_id}.json"] = _strip(client.describe_policy(PolicyId=policy_id))
            targets = _all(client, "list_targets_for_policy", "Targets", PolicyId=policy_id)
            documents[f"policies/targets-{policy_id}.json"] = {"PolicyId": policy_id, "Targets": targets}
    return OrganizationSnapshot(
        org_id=org["Id"],
        management_account_id=org.get("MasterAccountId"),
        accounts=tuple(member_account(a) for a in accounts),
        documents=documents,
        counts=counts,
        notes=tuple(notes),
    )


def kept_organization(root: Path) -> OrganizationSnapshot | None:
    """The ids of an organization collected by an earlier run (from its files), or None when they are unreadable."""
    base = root / ORGANIZATION_DIR
    try:
        org = orjson.loads((base / "describe-organization.json").read_bytes())["Organization"]
        accounts = orjson.loads((base / "list-accounts.json").read_bytes())["Accounts"]
        return OrganizationSnapshot(org_id=str(org["Id"]), management_account_id=org.get("MasterAccountId"),
                                    accounts=tuple(member_account(a) for a in accounts))
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
        return None


__all__ = ["RCP", "SCP", "MemberAccount", "OrganizationSnapshot", "collect_organization", "kept_organization",
           "member_account"]
