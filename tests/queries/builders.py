"""Small in-memory estates for reachability tests, written as GAAD-shaped dicts so they go through ingestion."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trustgraph.api import TrustGraph
from trustgraph.ingest.gaad import account_from_gaad
from trustgraph.model import Estate, OrgAccount, Organization, Zone

V = "2012-10-17"


def trust(*statements: Mapping[str, Any]) -> dict[str, Any]:
    """A trust policy document."""
    return {"Version": V, "Statement": [dict(s) for s in statements]}


def allow_aws(principal: str | list[str], condition: Mapping[str, Any] | None = None,
              actions: str | list[str] = "sts:AssumeRole") -> dict[str, Any]:
    """An Allow statement for AWS principals."""
    st: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}
    if condition:
        st["Condition"] = dict(condition)
    return st


def assume_policy(*resources: str) -> dict[str, Any]:
    """An identity policy allowing sts:AssumeRole on the given role ARNs."""
    return {"PolicyName": "assume", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(resources)}]}}


def role(account: str, name: str, trust_doc: Mapping[str, Any], *, inline: Iterable[Mapping[str, Any]] = (),
         admin: bool = False) -> dict[str, Any]:
    """A RoleDetailList entry."""
    return {
        "Path": "/", "RoleName": name, "RoleId": "AROA" + (name.upper() + "X" * 16)[:16].replace("-", "X"),
        "Arn": f"arn:aws:iam::{account}:role/{name}", "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": dict(trust_doc), "InstanceProfileList": [],
        "RolePolicyList": list(inline),
        "AttachedManagedPolicies": ([{"PolicyName": "AdministratorAccess",
                                      "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]
                                    if admin else []),
        "Tags": [], "RoleLastUsed": {},
    }


def user(account: str, name: str, *, inline: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A UserDetailList entry."""
    return {"Path": "/", "UserName": name, "UserId": "AIDA" + (name.upper() + "X" * 16)[:16].replace("-", "X"),
            "Arn": f"arn:aws:iam::{account}:user/{name}", "CreateDate": "2024-01-01T00:00:00Z",
            "UserPolicyList": list(inline), "GroupList": [], "AttachedManagedPolicies": []}


ADMIN_POLICY = {"PolicyName": "AdministratorAccess", "PolicyId": "ANPAADMINADMINADMIN1",
                "Arn": "arn:aws:iam::aws:policy/AdministratorAccess", "Path": "/", "DefaultVersionId": "v1",
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": {
                    "Version": V, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}


def account(account_id: str, *, roles: Iterable[Mapping[str, Any]] = (), users: Iterable[Mapping[str, Any]] = ()
            ) -> Any:
    """An AccountSnapshot through the real GAAD ingestion."""
    roles = list(roles)
    doc = {"UserDetailList": list(users), "GroupDetailList": [], "RoleDetailList": roles,
           "Policies": [ADMIN_POLICY] if any(r["AttachedManagedPolicies"] for r in roles) else []}
    return account_from_gaad(doc, f"{account_id}.json")


def graph(*accounts: Any, orgs: Mapping[str, Iterable[str]] | None = None, zone: Zone | None = None) -> TrustGraph:
    """A TrustGraph over snapshots; ``orgs`` maps an organization id to its member accounts (first = management)."""
    organizations = tuple(
        Organization(org_id=org_id, management_account_id=list(members)[0],
                     accounts=tuple(OrgAccount(account_id=a) for a in members), accounts_known=True)
        for org_id, members in (orgs or {}).items()
    )
    estate = Estate(accounts=tuple(accounts), organizations=organizations)
    return TrustGraph(estate, zone)


#: The datasets the equivalence tests compare old and new query paths on.
DATASETS = ("example-org", "two-account-sample")


def dataset_graph(name: str) -> TrustGraph:
    """The trust graph of a dataset: the bundled example under its zone file, or the two-account test sample under
    the zone of its account and organization."""
    from pathlib import Path

    from trustgraph.api import load

    if name == "example-org":
        return load()
    sample = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"
    return load(sample, zone=["111122223333", "o-a1b2c3d4e5"])
