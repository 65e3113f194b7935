"""One account written as ``aws iam get-account-authorization-details`` prints it (documents decoded).

Roles, users and groups with their ids and creation dates, the instance profiles of the roles that have one, and
``Policies``: the customer managed policies of the account and the AWS managed policies attached in it (only those,
as in a real export), each with its default version and attachment count.
"""

from __future__ import annotations

from trustgraph.synth.documents import ABBREVIATED_READ, AWS_MANAGED_DOCS, Json, allow, doc
from trustgraph.synth.ids import Ids, aws_policy_id
from trustgraph.synth.shapes import Account


def gaad(acct: Account, ids: Ids) -> Json:
    """The export of ``acct`` (ids and dates drawn from ``ids``, in a fixed order)."""
    a = acct.account_id
    attached: dict[str, int] = {}
    roles = []
    for role in acct.roles:
        arn = f"arn:aws:iam::{a}:role{role.path}{role.name}"
        rid = ids.unique("AROA")
        created = ids.stamp()
        tags = [{"Key": k, "Value": v} for k, v in role.tags]
        for p in role.managed:
            attached[p] = attached.get(p, 0) + 1
        profiles = []
        if role.profile:
            profiles.append({
                "Path": role.path, "InstanceProfileName": role.name, "InstanceProfileId": ids.unique("AIPA"),
                "Arn": f"arn:aws:iam::{a}:instance-profile{role.path}{role.name}", "CreateDate": created,
                "Roles": [{"Path": role.path, "RoleName": role.name, "RoleId": rid, "Arn": arn, "CreateDate": created,
                           "AssumeRolePolicyDocument": role.trust, "MaxSessionDuration": role.max_session,
                           "Tags": tags, "RoleLastUsed": {}}],
                "Tags": [],
            })
        roles.append({
            "Path": role.path, "RoleName": role.name, "RoleId": rid, "Arn": arn, "CreateDate": created,
            "AssumeRolePolicyDocument": role.trust, "InstanceProfileList": profiles,
            "RolePolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in role.inline.items()],
            "AttachedManagedPolicies": [{"PolicyName": p.rsplit("/", 1)[1], "PolicyArn": p} for p in role.managed],
            "Tags": tags, "RoleLastUsed": {},
        })
    for entity in acct.groups + acct.users:
        for ref in entity["AttachedManagedPolicies"]:
            attached[ref["PolicyArn"]] = attached.get(ref["PolicyArn"], 0) + 1
    policies = []
    for name, document in acct.customer_policies.items():
        arn = f"arn:aws:iam::{a}:policy/{name}"
        created = ids.stamp()
        policies.append(managed_entry(name, arn, "/", ids.unique("ANPA"), created, document, attached.get(arn, 0)))
    for arn in sorted(p for p in attached if p.startswith("arn:aws:iam::aws:")):
        name = arn.rsplit("/", 1)[1]
        if arn.startswith("arn:aws:iam::aws:policy/aws-service-role/"):
            path, document = "/aws-service-role/", doc(allow(list(ABBREVIATED_READ)))
        else:
            path, document = AWS_MANAGED_DOCS[name]
        policies.append(managed_entry(name, arn, path, aws_policy_id(name), "2016-01-01T00:00:00Z", document,
                                      attached[arn]))
    return {"UserDetailList": acct.users, "GroupDetailList": acct.groups, "RoleDetailList": roles,
            "Policies": policies}


def managed_entry(name: str, arn: str, path: str, pid: str, created: str, document: Json, count: int) -> Json:
    """One ``Policies`` entry: a managed policy with its single (default) version."""
    return {"PolicyName": name, "PolicyId": pid, "Arn": arn, "Path": path, "DefaultVersionId": "v1",
            "AttachmentCount": count, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "CreateDate": created, "UpdateDate": created,
            "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True,
                                   "CreateDate": created}]}
