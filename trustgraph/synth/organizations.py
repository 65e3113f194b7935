"""The organization-wide files: AWS Organizations outputs and the identity-provider listings of every account.

``describe-organization``, ``list-accounts``, ``list-roots``, ``list-parents`` (with a ``"ChildId"`` key per account
and OU), ``describe-policy`` and ``list-targets-for-policy`` (with a ``"PolicyId"`` key) for the SCPs and RCPs, and
``list-saml-providers`` / ``list-open-id-connect-providers`` per account.
"""

from __future__ import annotations

import json

from trustgraph.synth.catalog import OUS
from trustgraph.synth.core import BuilderCore
from trustgraph.synth.documents import Json, allow, doc
from trustgraph.synth.shapes import Account


def org_files(b: BuilderCore, accounts: list[Account]) -> dict[str, Json]:
    """The AWS Organizations outputs, by file name (SCPs and RCPs: AWS's full-access ones and one of each kind)."""
    m = b.mgmt
    org = b.org_id
    root_arn = f"arn:aws:organizations::{m}:root/{org}/{b.root_id}"
    files: dict[str, Json] = {
        "org-describe-organization.json": {"Organization": {
            "Id": org, "Arn": f"arn:aws:organizations::{m}:organization/{org}", "FeatureSet": "ALL",
            "MasterAccountArn": f"arn:aws:organizations::{m}:account/{org}/{m}", "MasterAccountId": m,
            "MasterAccountEmail": "aws-management@example.com",
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}},
        "org-list-accounts.json": {"Accounts": [
            {"Id": acct.account_id, "Arn": f"arn:aws:organizations::{m}:account/{org}/{acct.account_id}",
             "Email": f"aws+{acct.name}@example.com", "Name": acct.name, "Status": "ACTIVE",
             "JoinedMethod": "INVITED" if acct.account_id == m else "CREATED",
             "JoinedTimestamp": b.ids.epoch.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00")}
            for acct in accounts]},
        "org-list-roots.json": {"Roots": [{"Id": b.root_id, "Arn": root_arn, "Name": "Root", "PolicyTypes": [
            {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
            {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"}]}]},
    }
    used_ous = [ou for ou in OUS if any(acct.ou == ou for acct in accounts)]
    for ou in used_ous:
        files[f"org-list-parents-{b.ou_ids[ou]}.json"] = {"ChildId": b.ou_ids[ou],
                                                         "Parents": [{"Id": b.root_id, "Type": "ROOT"}]}
    for acct in accounts:
        parent = ({"Id": b.ou_ids[acct.ou], "Type": "ORGANIZATIONAL_UNIT"} if acct.ou
                  else {"Id": b.root_id, "Type": "ROOT"})
        files[f"org-list-parents-{acct.account_id}.json"] = {"ChildId": acct.account_id, "Parents": [parent]}
    everywhere = [{"TargetId": b.root_id, "Arn": root_arn, "Name": "Root", "Type": "ROOT"}]
    everywhere += [{"TargetId": b.ou_ids[ou], "Arn": f"arn:aws:organizations::{m}:ou/{org}/{b.ou_ids[ou]}",
                    "Name": ou, "Type": "ORGANIZATIONAL_UNIT"} for ou in used_ous]
    everywhere += [{"TargetId": acct.account_id, "Arn": f"arn:aws:organizations::{m}:account/{org}/{acct.account_id}",
                    "Name": acct.name, "Type": "ACCOUNT"} for acct in accounts]
    scp_id, rcp_id = f"p-{b.ids.hex(8)}", f"p-{b.ids.hex(8)}"
    policies = [
        ("p-FullAWSAccess", "FullAWSAccess", "SERVICE_CONTROL_POLICY", True,
         doc(allow("*")), everywhere),
        ("p-RCPFullAWSAccess", "RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY", True,
         doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}), everywhere),
        (scp_id, "DenyLeaveOrganization", "SERVICE_CONTROL_POLICY", False,
         doc({"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}), everywhere[:1]),
        (rcp_id, "EnforceS3SecureTransport", "RESOURCE_CONTROL_POLICY", False,
         doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
               "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}), everywhere[:1]),
    ]
    for pid, name, ptype, managed, content, targets in policies:
        folder = ptype.lower()
        arn = (f"arn:aws:organizations::aws:policy/{folder}/{pid}" if managed
               else f"arn:aws:organizations::{m}:policy/{org}/{folder}/{pid}")
        files[f"org-describe-policy-{pid}.json"] = {"Policy": {
            "PolicySummary": {"Id": pid, "Arn": arn, "Name": name, "Description": name, "Type": ptype,
                              "AwsManaged": managed},
            "Content": json.dumps(content, separators=(",", ":"), sort_keys=True)}}
        files[f"org-list-targets-for-policy-{pid}.json"] = {"PolicyId": pid, "Targets": targets}
    return files


def provider_files(b: BuilderCore, accounts: list[Account]) -> dict[str, Json]:
    """The SAML provider listing of every account and the OIDC provider listing of those that have one."""
    files: dict[str, Json] = {}
    created = b.ids.epoch.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    for acct in accounts:
        files[f"iam-list-saml-providers-{acct.account_id}.json"] = {"SAMLProviderList": [
            {"Arn": arn, "ValidUntil": "2125-01-01T00:00:00+00:00", "CreateDate": created}
            for arn in acct.saml_providers]}
        if acct.oidc_providers:
            files[f"iam-list-open-id-connect-providers-{acct.account_id}.json"] = {
                "OpenIDConnectProviderList": [{"Arn": arn} for arn in acct.oidc_providers]}
    return files
