"""AWS Organizations files recognised by shape, with the PolicyId/ChildId conventions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from trustgraph.errors import IngestError
from trustgraph.ingest.load import load_estate
from trustgraph.model.organization import OrgPolicyType

from .conftest import SAMPLE

ORG = "o-a1b2c3d4e5"
MGMT, MEMBER = "111122223333", "222233334444"
ROOT, OU = "r-ab12", "ou-ab12-cdef5678"


def scp(policy_id: str, name: str, content: dict[str, Any], *, kind: str = "SERVICE_CONTROL_POLICY",
        aws_managed: bool = False) -> dict[str, Any]:
    owner = "aws" if aws_managed else MGMT
    arn = (f"arn:aws:organizations::{owner}:policy/{kind.lower()}/{policy_id}" if aws_managed
           else f"arn:aws:organizations::{MGMT}:policy/{ORG}/{kind.lower()}/{policy_id}")
    return {"Policy": {"PolicySummary": {"Id": policy_id, "Arn": arn, "Name": name, "Description": "",
                                         "Type": kind, "AwsManaged": aws_managed},
                       "Content": json.dumps(content)}}


FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DENY_LEAVE = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                                                      "Resource": "*"}]}


def write(path: Path, data: object) -> None:
    path.write_text(json.dumps(data))


@pytest.fixture
def org_dir(tmp_path: Path) -> Path:
    shutil.copy(SAMPLE / "gaad-111122223333.json", tmp_path / "gaad.json")
    write(tmp_path / "describe-organization.json",
          {"Organization": {"Id": ORG, "Arn": f"arn:aws:organizations::{MGMT}:organization/{ORG}",
                            "MasterAccountId": MGMT, "FeatureSet": "ALL"}})
    write(tmp_path / "list-accounts.json", {"Accounts": [
        {"Id": a, "Arn": f"arn:aws:organizations::{MGMT}:account/{ORG}/{a}", "Name": n, "Status": "ACTIVE"}
        for a, n in ((MGMT, "management"), (MEMBER, "workloads"))]})
    write(tmp_path / "list-roots.json", {"Roots": [
        {"Id": ROOT, "Arn": f"arn:aws:organizations::{MGMT}:root/{ORG}/{ROOT}", "Name": "Root", "PolicyTypes": []}]})
    write(tmp_path / "scp-full.json", scp("p-FullAWSAccess", "FullAWSAccess", FULL, aws_managed=True))
    write(tmp_path / "targets-p-FullAWSAccess.json", {"Targets": [
        {"TargetId": ROOT, "Arn": "x", "Name": "Root", "Type": "ROOT"}]})
    write(tmp_path / "scp-deny.json", scp("p-denyleave1", "DenyLeave", DENY_LEAVE))
    write(tmp_path / "targets-deny.json", {"PolicyId": "p-denyleave1", "Targets": [
        {"TargetId": OU, "Arn": "x", "Name": "Workloads", "Type": "ORGANIZATIONAL_UNIT"}]})
    write(tmp_path / "rcp-full.json", scp("p-RCPFullAWSAccess", "RCPFullAWSAccess", FULL,
                                          kind="RESOURCE_CONTROL_POLICY", aws_managed=True))
    write(tmp_path / f"parents-{MEMBER}.json", {"Parents": [{"Id": OU, "Type": "ORGANIZATIONAL_UNIT"}]})
    write(tmp_path / "parents-of-ou.json", {"ChildId": OU, "Parents": [{"Id": ROOT, "Type": "ROOT"}]})
    write(tmp_path / f"parents-{MGMT}.json", {"Parents": [{"Id": ROOT, "Type": "ROOT"}]})
    return tmp_path


def test_organization_assembles_from_every_file(org_dir: Path) -> None:
    estate = load_estate([org_dir])
    [org] = estate.organizations
    assert (org.org_id, org.management_account_id, org.accounts_known, org.policies_known) == (ORG, MGMT, True, True)
    assert org.account_by_id[MEMBER].parents == (ROOT, OU)
    assert org.org_paths(MEMBER) == (f"{ORG}/{ROOT}/{OU}/",)
    policies = {p.policy_id: p for p in org.policies}
    assert policies["p-FullAWSAccess"].targets == (ROOT,) and policies["p-FullAWSAccess"].aws_managed
    assert policies["p-denyleave1"].targets == (OU,)
    assert policies["p-RCPFullAWSAccess"].type is OrgPolicyType.RCP
    assert policies["p-RCPFullAWSAccess"].targets == ()
    levels = org.policies_for(MEMBER, OrgPolicyType.SCP)
    assert [[p.name for p in level] for level in levels] == [["FullAWSAccess"], ["DenyLeave"], []]
    assert org.policies_for(MGMT, OrgPolicyType.SCP) == ()
    for account in (MEMBER, MGMT, "999999999999"):  # one value per (account, kind), the documents of policies_for
        for kind in OrgPolicyType:
            documents = org.documents_for(account, kind)
            assert documents == tuple(tuple(p.document for p in level) for level in org.policies_for(account, kind))
            assert org.documents_for(account, kind) is documents
        assert org.org_paths(account) is org.org_paths(account)
    assert org.org_paths("999999999999") == ()
    assert estate.flags == ()
    # FullAWSAccess is loaded as written: one Allow of everything
    full = policies["p-FullAWSAccess"].document
    assert [(s.effect.value, [g.text for g in s.actions or ()]) for s in full.statements] == [("Allow", ["*"])]
    assert str(full.location) == f"{org_dir / 'scp-full.json'}#/Policy/Content"


def test_default_zone_includes_the_organization_members(org_dir: Path) -> None:
    estate = load_estate([org_dir])
    zone = estate.default_zone()
    assert zone.organizations == {ORG}
    assert estate.account_inside(zone, MEMBER) and not estate.account_inside(zone, "999988887777")


def test_only_describe_organization_leaves_members_unknown(tmp_path: Path) -> None:
    shutil.copy(SAMPLE / "organization.json", tmp_path)
    [org] = load_estate([tmp_path]).organizations
    assert (org.accounts_known, org.policies_known) == (False, False)
    assert org.is_member(MGMT) is True and org.is_member(MEMBER) is None


def test_list_accounts_before_describe_organization(tmp_path: Path) -> None:
    # sorted order puts "a-accounts.json" first: the org id then comes from the account ARNs
    shutil.copy(SAMPLE / "accounts.json", tmp_path / "a-accounts.json")
    shutil.copy(SAMPLE / "organization.json", tmp_path / "z-organization.json")
    [org] = load_estate([tmp_path]).organizations
    assert org.accounts_known and [a.account_id for a in org.accounts] == [MGMT]


def test_targets_without_policy_id_are_an_error(org_dir: Path) -> None:
    data = json.loads((org_dir / "targets-deny.json").read_text())
    del data["PolicyId"]
    write(org_dir / "targets-deny.json", data)
    with pytest.raises(IngestError) as info:
        load_estate([org_dir])
    assert str(info.value) == (f"{org_dir / 'targets-deny.json'}#: cannot tell which policy these targets belong to: "
                               'add a "PolicyId" key or name the file after the policy id')


def test_parents_without_child_are_an_error(org_dir: Path) -> None:
    write(org_dir / "parents-x.json", {"Parents": [{"Id": ROOT, "Type": "ROOT"}]})
    with pytest.raises(IngestError, match=r"parents-x\.json#: cannot tell which account or OU these parents belong "
                                          r'to: add a "ChildId" key'):
        load_estate([org_dir])


def test_missing_parent_chain_is_flagged(org_dir: Path) -> None:
    (org_dir / "parents-of-ou.json").unlink()
    estate = load_estate([org_dir])
    assert estate.organizations[0].account_by_id[MEMBER].parents == ()
    assert [(f.code, f.subject) for f in estate.flags] == [("org-path-unknown", ORG)]


def test_targets_of_an_unloaded_policy_are_flagged(org_dir: Path) -> None:
    (org_dir / "scp-deny.json").unlink()
    estate = load_estate([org_dir])
    assert [(f.code, f.subject) for f in estate.flags] == [("org-targets-without-policy", "p-denyleave1")]


def test_scp_content_flags_are_kept(org_dir: Path) -> None:
    write(org_dir / "scp-deny.json", scp("p-denyleave1", "DenyLeave", {
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                                                "Condition": {"StringEqualsAnyCase": {"aws:PrincipalTag/x": "y"}}}]}))
    estate = load_estate([org_dir])
    assert [(f.code, f.subject) for f in estate.flags] == [("unknown-condition-operator", "p-denyleave1")]


def test_organizations_data_without_the_organization(tmp_path: Path) -> None:
    write(tmp_path / "scp.json", {"Policy": {"PolicySummary": {"Id": "p-FullAWSAccess", "Name": "FullAWSAccess",
                                                               "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": True},
                                             "Content": json.dumps(FULL)}})
    with pytest.raises(IngestError, match=r"organizations data without the organization: load describe-organization"):
        load_estate([tmp_path])
