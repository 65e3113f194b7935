"""Writes gaad-123456789012.json: one account whose users are the privilege-escalation fixtures (true positives,
traps that must stay negative, and false-negative traps). Run it from this folder to regenerate the export:
``python build_fixtures.py``; tests/graph/test_escalation.py lists the expected answer of each user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

A = "123456789012"
ARN = f"arn:aws:iam::{A}"
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal: dict[str, Any]) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


SELF = f"{ARN}:user/${{aws:username}}"

#: user name -> (inline policies, groups, managed policy names, boundary policy name)
USERS: dict[str, tuple[list[dict[str, Any]], list[str], list[str], str | None]] = {
    # true positives
    "tp-putuserpolicy-self": ([doc(allow("iam:PutUserPolicy", SELF))], [], [], None),
    "tp-attachuserpolicy-self": ([doc(allow("iam:AttachUserPolicy", SELF))], [], [], None),
    "tp-putgrouppolicy": ([doc(allow("iam:PutGroupPolicy", f"{ARN}:group/devs"))], ["devs"], [], None),
    "tp-attachgrouppolicy": ([doc(allow("iam:AttachGroupPolicy", f"{ARN}:group/devs"))], ["devs"], [], None),
    "tp-addusertogroup": ([doc(allow("iam:AddUserToGroup", f"{ARN}:group/admins"))], [], [], None),
    "tp-createpolicyversion-own": ([doc(allow("iam:CreatePolicyVersion", f"{ARN}:policy/team-*"))], [],
                                   ["team-tools"], None),
    "tp-createaccesskey": ([doc(allow("iam:CreateAccessKey", f"{ARN}:user/admin-*"))], [], [], None),
    "tp-createloginprofile": ([doc(allow("iam:CreateLoginProfile", f"{ARN}:user/admin-alice"))], [], [], None),
    "tp-updateloginprofile": ([doc(allow("iam:UpdateLoginProfile", f"{ARN}:user/admin-alice"))], [], [], None),
    "tp-updateassumerolepolicy": ([doc(allow("iam:UpdateAssumeRolePolicy", f"{ARN}:role/AdminRole"))], [], [],
                                  None),
    "tp-passrole-lambda": ([doc(allow("iam:PassRole", f"{ARN}:role/LambdaAdmin"),
                                allow(["lambda:CreateFunction", "lambda:InvokeFunction"]))], [], [], None),
    "tp-passrole-ec2": ([doc(allow("iam:PassRole", "*", Condition={
        "StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}), allow("ec2:RunInstances"))], [], [], None),
    "tp-passrole-split": ([doc(allow("iam:PassRole", f"{ARN}:role/LambdaAdmin")),
                           doc(allow(["lambda:CreateFunction", "lambda:InvokeFunction"]))], [], [], None),
    "tp-notaction-still-allows-put": ([doc({"Effect": "Allow", "NotAction": ["s3:*", "ec2:*"],
                                            "Resource": SELF})], [], [], None),
    "tp-condition-every-session": ([doc(allow("iam:PutUserPolicy", SELF, Condition={
        "StringLike": {"aws:PrincipalArn": f"{ARN}:user/*"}}))], [], [], None),
    "tp-mixed": ([doc(allow("sts:AssumeRole", f"{ARN}:role/StepRole"))], [], [], None),
    "tp-boundary-removal": ([doc(allow("*"))], [], [], "s3-and-unbound"),
    # traps that must stay negative
    "neg-allow-deny-one-policy": ([doc(allow("iam:PutUserPolicy", SELF), deny("iam:PutUserPolicy"))], [], [],
                                  None),
    "neg-allow-deny-two-policies": ([doc(allow("iam:PutUserPolicy", SELF)), doc(deny("iam:Put*"))], [], [], None),
    "neg-deny-iam-star": ([doc(allow(["iam:*", "s3:*"])), doc(deny("iam:*"))], [], [], None),
    "neg-policy-nobody-holds": ([doc(allow("iam:CreatePolicyVersion", f"{ARN}:policy/orphan"))], [], [], None),
    "neg-condition-cannot-meet": ([doc(allow("iam:PutUserPolicy", SELF, Condition={
        "StringEquals": {"aws:PrincipalArn": f"{ARN}:user/someone-else"}}))], [], [], None),
    "neg-passrole-wrong-service": ([doc(allow("iam:PassRole", "*", Condition={
        "StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"]))], [], [], None),
    "neg-keys-of-a-plain-user": ([doc(allow("iam:CreateAccessKey", f"{ARN}:user/plain-bob"))], [], [], None),
}

ADMIN_USERS = {"admin-alice": ([], ["admins"], [], None), "plain-bob": ([doc(allow("s3:GetObject"))], [], [], None)}

ROLES: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {
    "AdminRole": (trust({"AWS": f"{ARN}:user/admin-alice"}), [ADMIN_DOC]),
    "LambdaAdmin": (trust({"Service": "lambda.amazonaws.com"}), [ADMIN_DOC]),
    "Ec2Admin": (trust({"Service": "ec2.amazonaws.com"}), [ADMIN_DOC]),
    "StepRole": (trust({"AWS": f"{ARN}:user/tp-mixed"}),
                 [doc(allow("iam:PutRolePolicy", f"{ARN}:role/StepRole"))]),
    # an outsider's way in: a vendor account may assume it, and it may rewrite its own policy
    "VendorEntry": (doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "v-1"}}}),
                    [doc(allow("iam:PutRolePolicy", f"{ARN}:role/VendorEntry"))]),
}

MANAGED = {
    "team-tools": doc(allow("s3:ListAllMyBuckets")),
    "orphan": doc(allow("s3:ListAllMyBuckets")),
    "s3-and-unbound": doc(allow("s3:*"), allow("iam:DeleteUserPermissionsBoundary", SELF)),
}


def _user(name: str, spec: tuple[list[dict[str, Any]], list[str], list[str], str | None], i: int) -> dict[str, Any]:
    inline, groups, managed, boundary = spec
    out: dict[str, Any] = {
        "Path": "/", "UserName": name, "UserId": f"AIDA{i:016d}", "Arn": f"{ARN}:user/{name}",
        "UserPolicyList": [{"PolicyName": f"p{j}", "PolicyDocument": d} for j, d in enumerate(inline)],
        "GroupList": groups,
        "AttachedManagedPolicies": [{"PolicyName": m, "PolicyArn": f"{ARN}:policy/{m}"} for m in managed],
    }
    if boundary:
        out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                      "PermissionsBoundaryArn": f"{ARN}:policy/{boundary}"}
    return out


def build() -> dict[str, Any]:
    users = [_user(n, s, i) for i, (n, s) in enumerate({**USERS, **ADMIN_USERS}.items())]
    roles = [{"Path": "/", "RoleName": n, "RoleId": f"AROA{i:016d}", "Arn": f"{ARN}:role/{n}",
              "AssumeRolePolicyDocument": t, "RolePolicyList": [{"PolicyName": f"p{j}", "PolicyDocument": d}
                                                                for j, d in enumerate(ps)],
              "AttachedManagedPolicies": [], "InstanceProfileList": []}
             for i, (n, (t, ps)) in enumerate(ROLES.items())]
    groups = [
        {"Path": "/", "GroupName": "devs", "GroupId": "AGPA0000000000000001", "Arn": f"{ARN}:group/devs",
         "GroupPolicyList": [], "AttachedManagedPolicies": []},
        {"Path": "/", "GroupName": "admins", "GroupId": "AGPA0000000000000002", "Arn": f"{ARN}:group/admins",
         "GroupPolicyList": [{"PolicyName": "all", "PolicyDocument": ADMIN_DOC}], "AttachedManagedPolicies": []},
    ]
    policies = [{"PolicyName": n, "PolicyId": f"ANPA{i:016d}", "Arn": f"{ARN}:policy/{n}", "Path": "/",
                 "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": True,
                 "PolicyVersionList": [{"Document": d, "VersionId": "v1", "IsDefaultVersion": True}]}
                for i, (n, d) in enumerate(MANAGED.items())]
    return {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}


if __name__ == "__main__":
    out = Path(__file__).with_name(f"gaad-{A}.json")
    out.write_text(json.dumps(build(), indent=1) + "\n")
