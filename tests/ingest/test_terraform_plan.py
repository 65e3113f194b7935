"""``terraform show -json`` plans to overlay changes: actions, modules, unknown values, rebuilt policy documents, the
account, and bad input (one line naming the file and JSON pointer)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from trustgraph import TrustGraph
from trustgraph.errors import IngestError
from trustgraph.ingest.load import load_estate
from trustgraph.ingest.overlay import Attach, Delete, PutInlinePolicy, PutRole, RemoveInlinePolicy, apply_overlay
from trustgraph.ingest.terraform_plan import overlay_from_plan
from trustgraph.ingest.unknowns import is_marker
from trustgraph.model.condition import Operator
from trustgraph.model.estate import Estate
from trustgraph.model.organization import IdentityProvider, ProviderType
from trustgraph.model.principal import PrincipalKind
from trustgraph.queries.results import Reach

DATA = Path(__file__).resolve().parents[1] / "data"
PLANS = DATA / "terraform"
SAMPLE = DATA / "two-account-sample"
ACCOUNT = "111122223333"


@pytest.fixture(scope="module")
def old() -> Estate:
    return load_estate([SAMPLE])


def roles(changes: tuple[Any, ...]) -> dict[str, PutRole]:
    return {c.name: c for c in changes if isinstance(c, PutRole)}


def test_create_a_role_and_its_attachment_account_from_caller_identity() -> None:
    overlay = overlay_from_plan(PLANS / "create-role-trusting-outside-root.json")
    assert overlay.account == ACCOUNT and overlay.partition == "aws"
    role = roles(overlay.changes)["VendorAccessRole"]
    assert str(role.location) == "aws_iam_role.vendor_access#"
    (st,) = role.trust_policy.statements
    assert [p.text for p in st.principals or ()] == ["arn:aws:iam::123456789012:root"] and st.conditions == ()
    assert role.tags == (("team", "integrations"),)
    (attach,) = [c for c in overlay.changes if isinstance(c, Attach)]
    assert attach.owner.name == "VendorAccessRole" and attach.policy == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    assert overlay.notes == ("1 planned change(s) of resource types trustgraph does not analyse: aws_s3_bucket (1)",)


def test_a_description_change_changes_no_document(old: Estate) -> None:
    overlay = overlay_from_plan(PLANS / "description-only.json")  # account from the role's ARN
    assert overlay.account == ACCOUNT
    new = apply_overlay(old, overlay)
    arn = f"arn:aws:iam::{ACCOUNT}:role/AuditRoleWithExternalId"
    assert new.role_by_arn[arn].trust_policy == old.role_by_arn[arn].trust_policy
    assert new.role_by_arn[arn].role_id == old.role_by_arn[arn].role_id
    assert new.role_by_arn[arn].managed_policy_arns == old.role_by_arn[arn].managed_policy_arns


def test_an_update_that_drops_the_external_id(old: Estate) -> None:
    new = apply_overlay(old, overlay_from_plan(PLANS / "drop-external-id.json"))
    arn = f"arn:aws:iam::{ACCOUNT}:role/AuditRoleWithExternalId"
    assert new.role_by_arn[arn].trust_policy.statements[0].conditions == ()
    answer = TrustGraph(new).can_reach("account:999988887777", arn, without=["sts:ExternalId"])
    assert answer.verdict is Reach.REACHABLE and not answer.approximate
    before = TrustGraph(old).can_reach("account:999988887777", arn, without=["sts:ExternalId"])
    assert before.verdict is Reach.UNREACHABLE


def test_replace_and_delete(old: Estate) -> None:
    overlay = overlay_from_plan(PLANS / "replace-and-delete.json")
    deletes = {c.key for c in overlay.changes if isinstance(c, Delete)}
    assert deletes == {"ContractorRole", "VendorIntegrationRole"}  # AdminRole is replaced under the same name
    assert roles(overlay.changes)["AdminRole"].replace
    assert [c.policy_name for c in overlay.changes if isinstance(c, RemoveInlinePolicy)] == ["AssumeDeploy"]
    new = apply_overlay(old, overlay)
    assert {"ContractorRole", "VendorIntegrationRole"}.isdisjoint(r.name for r in new.account_by_id[ACCOUNT].roles)
    admin = f"arn:aws:iam::{ACCOUNT}:role/AdminRole"
    assert new.role_by_arn[admin].role_id != old.role_by_arn[admin].role_id
    assert new.role_by_arn[admin].managed_policy_arns == old.role_by_arn[admin].managed_policy_arns
    v2 = new.role_by_arn[f"arn:aws:iam::{ACCOUNT}:role/ContractorRoleV2"]
    assert TrustGraph(new).can_reach("account:555566667777", v2.arn).verdict is Reach.REACHABLE
    # removing the inline policy of the deleted role is not reported as a change to a missing role
    assert not [f for f in new.account_by_id[ACCOUNT].flags if "VendorIntegrationRole" in f.message]


def test_a_policy_document_data_source_rebuilt_in_a_module(old: Estate) -> None:
    overlay = overlay_from_plan(PLANS / "module-policy-document.json")
    assert overlay.account == ACCOUNT  # caller identity read inside the module
    deploy = roles(overlay.changes)["ci-deploy"]
    assert str(deploy.location) == "module.ci.aws_iam_role.deploy#"
    broker, vendor = deploy.trust_policy.statements
    # the principal referenced aws_iam_role.broker.arn, a role the plan creates: its ARN, exactly
    assert [p.text for p in broker.principals or ()] == [f"arn:aws:iam::{ACCOUNT}:role/ci/ci-broker"]
    assert broker.conditions == () and broker.sid == "Broker"
    # the external id is a random password: the key stays required, its value is the marker
    assert {c.operator for c in vendor.conditions} == {Operator.NULL, Operator.UNKNOWN}
    assert any(is_marker(c) for c in vendor.conditions)
    (inline,) = [c for c in overlay.changes if isinstance(c, PutInlinePolicy)]
    assert inline.owner.name == "ci-deploy"  # role = aws_iam_role.deploy.id, unknown in the plan, resolved
    assert any("random_password (1)" in n for n in overlay.notes)
    new = apply_overlay(old, overlay)
    tg = TrustGraph(new)
    arn = f"arn:aws:iam::{ACCOUNT}:role/ci/ci-deploy"
    assert tg.can_reach("account:123456789012", arn, without=["sts:ExternalId"]).verdict is Reach.UNREACHABLE
    with_id = tg.can_reach("account:123456789012", arn)
    assert with_id.verdict is Reach.REACHABLE and with_id.approximate
    from_broker = tg.can_reach(f"arn:aws:iam::{ACCOUNT}:role/ci/ci-broker", arn)
    assert from_broker.verdict is Reach.REACHABLE and not from_broker.approximate


def test_an_unknown_trust_policy_and_name_need_the_account_and_are_approximate(old: Estate) -> None:
    plan = PLANS / "unknown-trust-policy.json"
    with pytest.raises(IngestError) as exc:
        overlay_from_plan(plan)
    assert "give --account ID" in str(exc.value) and "\n" not in str(exc.value)
    overlay = overlay_from_plan(plan, account=ACCOUNT)
    (worker,) = roles(overlay.changes).values()
    assert worker.name.startswith("worker-UnknownUntilApply-")  # name_prefix: a stand-in name
    assert str(worker.location) == "module.app.aws_iam_role.worker[0]#"
    assert any(is_marker(c) for st in worker.trust_policy.statements for c in st.conditions)
    (attach,) = [c for c in overlay.changes if isinstance(c, Attach)]
    assert attach.owner.name == worker.name  # role = aws_iam_role.worker[0].name, same stand-in
    new = apply_overlay(old, overlay)
    arn = f"arn:aws:iam::{ACCOUNT}:role/{worker.name}"
    answer = TrustGraph(new).can_reach("external", arn, without=["sts:ExternalId"])
    assert answer.verdict is Reach.REACHABLE and answer.approximate
    assert [p.kind for p in worker.trust_policy.statements[0].principals or ()] == [PrincipalKind.ANY]


def test_account_option_must_agree_with_the_plan() -> None:
    with pytest.raises(IngestError, match="not --account 444455556666"):
        overlay_from_plan(PLANS / "description-only.json", account="444455556666")
    with pytest.raises(IngestError, match="12-digit"):
        overlay_from_plan(PLANS / "description-only.json", account="12")


def test_unsupported_format_version() -> None:
    with pytest.raises(IngestError) as exc:
        overlay_from_plan(PLANS / "unsupported-format-version.json")
    assert exc.value.pointer == "/format_version" and "format 1.x" in exc.value.message


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def base_plan() -> dict[str, Any]:
    return json.loads((PLANS / "create-role-trusting-outside-root.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("edit", "pointer", "words"), [
    (lambda d: d.update(format_version="2.0"), "/format_version", "format 1.x"),
    (lambda d: d.pop("format_version"), "", "no `format_version`"),
    (lambda d: d.update(resource_changes={}), "/resource_changes", "a list"),
    (lambda d: d["resource_changes"][0]["change"].update(actions="create"), "/resource_changes/0/change/actions",
     "list of strings"),
    (lambda d: d["resource_changes"][1]["change"].update(actions=["create", "create"]),
     "/resource_changes/1/change/actions", "unknown actions"),
    (lambda d: d["resource_changes"][0].pop("type"), "/resource_changes/0/type", "as a string"),
    (lambda d: d["resource_changes"][0]["change"].update(after=None), "/resource_changes/0/change/after",
     "needs `after`"),
    (lambda d: d["resource_changes"][0]["change"]["after"].update(assume_role_policy="{\"Statement\": 3}"),
     "/resource_changes/0/change/after/assume_role_policy", "aws_iam_role.vendor_access.assume_role_policy"),
    (lambda d: d.pop("resource_changes") and d.pop("planned_values"), "", "a Terraform state, not a plan"),
])
def test_bad_plans_name_the_file_and_pointer(tmp_path: Path, edit: Any, pointer: str, words: str) -> None:
    data = base_plan()
    edit(data)
    plan = write(tmp_path, data)
    with pytest.raises(IngestError) as exc:
        overlay_from_plan(plan)
    assert exc.value.source == str(plan) and exc.value.pointer == pointer, str(exc.value)
    assert words in exc.value.message and "\n" not in str(exc.value)


def test_no_op_read_and_forget_change_nothing(tmp_path: Path) -> None:
    data = base_plan()
    for rc, action in zip(data["resource_changes"], (["no-op"], ["forget"], ["read"]), strict=True):
        rc["change"]["actions"] = action
        rc["change"]["before"] = rc["change"]["after"]
    overlay = overlay_from_plan(write(tmp_path, data))
    assert overlay.changes == ()
    assert any("forget" in n and "aws_iam_role_policy_attachment.vendor_read" in n for n in overlay.notes)


def test_users_groups_memberships_providers_and_scps(old: Estate) -> None:
    overlay = overlay_from_plan(PLANS / "identities-providers-scp.json", account=ACCOUNT)
    okta = IdentityProvider(arn=f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta", type=ProviderType.SAML)
    new = apply_overlay(replace(old, identity_providers=(okta,)), overlay)
    snap = new.account_by_id[ACCOUNT]
    carol = new.user_by_arn[f"arn:aws:iam::{ACCOUNT}:user/people/carol"]
    assert carol.boundary_arn == f"arn:aws:iam::{ACCOUNT}:policy/DeveloperBoundary"
    assert carol.groups == ("Ops",) and carol.user_id.startswith("AIDA")
    # policy_arn = aws_iam_policy.ops_read.arn, unknown in the plan: the ARN from the policy's path and name
    assert carol.managed_policy_arns == (f"arn:aws:iam::{ACCOUNT}:policy/ops/OpsRead",)
    assert snap.policy_by_arn[f"arn:aws:iam::{ACCOUNT}:policy/ops/OpsRead"].location.file == "aws_iam_policy.ops_read"
    bob = new.user_by_arn[f"arn:aws:iam::{ACCOUNT}:user/bob"]
    assert "Developers" not in bob.groups and "Ops" in bob.groups
    assert "Ops" in new.user_by_arn[f"arn:aws:iam::{ACCOUNT}:user/alice"].groups
    ops = snap.group_by_name["Ops"]
    assert [p.name for p in ops.inline_policies] == ["assume-admin"]
    lam = new.role_by_arn[f"arn:aws:iam::{ACCOUNT}:role/LambdaExecRole"]
    assert lam.managed_policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess",) and lam.inline_policies == ()
    arns = {p.arn for p in new.identity_providers}
    assert f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com" in arns
    assert f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta" not in arns
    (org,) = new.organizations
    (scp,) = [p for p in org.policies if p.name == "DenyLeave"]
    assert scp.targets == (ACCOUNT,) and scp.location.file == "aws_organizations_policy.deny_leave"
    # the organization's other policies were not loaded: one planned SCP does not make them known (else the
    # missing FullAWSAccess would deny everything)
    assert not org.policies_known and any("were not loaded" in f.message for f in snap.flags)
