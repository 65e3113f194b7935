"""End to end against moto's server: collect an organization of three accounts, then load and scan what was written
and compare it with what the fixture created; resumption, failures and the command line."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from tests.collect.conftest import MANAGEMENT, Built, Call, Recorder
from trustgraph.cli.main import main
from trustgraph.collect.manifest import MANIFEST_NAME
from trustgraph.collect.run import CollectOptions, CollectSummary, OrganizationUnreadable, collect
from trustgraph.collect.session import SessionOptions, Sessions
from trustgraph.ingest.load import load_estate
from trustgraph.model.organization import OrgPolicyType, ProviderType


def _collect(url: str, out: Path, recorder: Recorder, *, max_attempts: int = 3, **options: object) -> CollectSummary:
    sessions = Sessions(SessionOptions(endpoint_url=url, max_attempts=max_attempts), session=recorder.session())
    return collect(out, CollectOptions(**options), sessions)  # type: ignore[arg-type]


def _manifest(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / MANIFEST_NAME).read_text())
    return data


def _run_cli(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        code = main(list(argv))
    return code, stdout.getvalue(), stderr.getvalue()


def test_organization_loads_with_every_role_ou_path_scp_rcp_and_the_organization_as_zone(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    out = tmp_path / "org"
    summary = _collect(aws, out, recorder, organization=True)
    assert {o.account_id: o.status for o in summary.outcomes} == dict.fromkeys(organization.accounts, "ok")
    assert summary.organization_id == organization.org_id

    estate = load_estate([out])
    by_account = {a.account_id: a for a in estate.accounts}
    assert set(by_account) == set(organization.accounts)
    for account_id in organization.accounts:
        snapshot = by_account[account_id]
        assert {r.arn for r in snapshot.roles} == organization.roles[account_id]
        assert {u.arn for u in snapshot.users} == organization.users[account_id]
        assert {g.arn for g in snapshot.groups} == organization.groups[account_id]
    alice = next(u for u in by_account[MANAGEMENT].users if u.arn.endswith(":user/alice"))
    assert alice.groups == ("admins",)

    (org,) = estate.organizations
    assert org.org_id == organization.org_id and org.management_account_id == MANAGEMENT
    assert org.accounts_known and org.policies_known
    paths = {a.account_id: a.parents for a in org.accounts}
    root, ous = organization.root_id, organization.ous
    assert paths == {MANAGEMENT: (root,), organization.members["prod"]: (root, ous["workloads"], ous["prod"]),
                     organization.members["sandbox"]: (root, ous["sandbox"])}
    policies = {p.policy_id: p for p in org.policies}
    assert policies[organization.scp_id].type is OrgPolicyType.SCP
    assert policies[organization.scp_id].targets == (ous["workloads"],)
    assert policies[organization.rcp_id].type is OrgPolicyType.RCP
    assert policies[organization.rcp_id].targets == (ous["prod"],)
    assert "aws:PrincipalOrgID" in json.dumps(
        json.loads((out / "organization" / "policies" / f"describe-policy-{organization.rcp_id}.json").read_text()))
    assert estate.default_zone().organizations == frozenset({organization.org_id})
    assert not [f for f in estate.flags if f.code.startswith("org-")]

    providers = {p.arn: p for p in estate.identity_providers}
    assert providers[organization.oidc_arn].type is ProviderType.OIDC
    assert providers[organization.oidc_arn].client_ids == ("sts.amazonaws.com",)
    assert providers[organization.saml_arn].type is ProviderType.SAML
    saml = json.loads((out / "accounts" / MANAGEMENT / f"saml-providers-{MANAGEMENT}.json").read_text())
    assert saml["SAMLProviderList"][0]["SAMLMetadataDocument"].startswith('<?xml version="1.0"?><EntityDescriptor')

    manifest = _manifest(out)
    assert manifest["format"] == "trustgraph-collect-manifest"
    assert manifest["caller"]["account"] == MANAGEMENT  # type: ignore[index]
    accounts = manifest["accounts"]
    assert isinstance(accounts, dict)
    for account_id in organization.accounts:
        entry = accounts[account_id]
        assert entry["status"] == "ok" and entry["error"] is None
        assert all((out / f).is_file() for f in entry["files"])
        assert entry["counts"]["roles"] == len(organization.roles[account_id])
    assert accounts[organization.members["prod"]]["via"] == (
        f"arn:aws:iam::{organization.members['prod']}:role/OrganizationAccountAccessRole")
    assert accounts[MANAGEMENT]["via"] == "caller"


def test_scan_reads_the_collected_folder_unchanged(organization: Built, aws: str, tmp_path: Path) -> None:
    out = tmp_path / "org"
    code, stdout, stderr = _run_cli("collect", str(out), "--organization", "--endpoint-url", aws, "--jobs", "2")
    assert (code, stderr) == (0, "")
    assert "3 accounts collected, 0 kept, 0 failed, 0 skipped" in stdout
    assert f"next: trustgraph scan {out}" in stdout
    code, stdout, stderr = _run_cli("scan", str(out), "--format", "json")
    assert code in (0, 1), stderr
    report = json.loads(stdout)
    assert report["zone"]["organizations"] == [organization.org_id]


def test_second_run_without_refresh_collects_nothing_and_refresh_collects_again(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    out = tmp_path / "org"
    _collect(aws, out, recorder, organization=True)
    files = {p: p.stat().st_mtime_ns for p in out.rglob("*.json") if p.name != MANIFEST_NAME}
    recorder.calls.clear()

    again = _collect(aws, out, recorder, organization=True)
    assert [o.status for o in again.outcomes] == ["kept"] * 3 and again.organization_status == "kept"
    assert recorder.actions() == ["sts:GetCallerIdentity"]
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.json") if p.name != MANIFEST_NAME} == files

    recorder.calls.clear()
    refreshed = _collect(aws, out, recorder, organization=True, refresh=True)
    assert [o.status for o in refreshed.outcomes] == ["ok"] * 3 and refreshed.organization_status == "ok"
    assert recorder.actions().count("iam:GetAccountAuthorizationDetails") == 3


def test_a_kept_account_whose_files_are_gone_is_collected_again(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    out = tmp_path / "org"
    _collect(aws, out, recorder, organization=True)
    sandbox = organization.members["sandbox"]
    (out / "accounts" / sandbox / f"gaad-{sandbox}.json").unlink()
    again = _collect(aws, out, recorder, organization=True)
    assert {o.account_id: o.status for o in again.outcomes} == {
        MANAGEMENT: "kept", organization.members["prod"]: "kept", sandbox: "ok"}
    assert (out / "accounts" / sandbox / f"gaad-{sandbox}.json").is_file()


def _deny_assume_into(account_id: str):  # type: ignore[no-untyped-def]
    def fault(call: Call, keys: dict[str, str]) -> tuple[int, str, str] | None:
        if call.action == "sts:AssumeRole" and f":{account_id}:" in call.params.get("RoleArn", [""])[0]:
            return 403, "AccessDenied", (f"User: arn:aws:iam::{MANAGEMENT}:user/moto is not authorized to perform: "
                                         f"sts:AssumeRole on resource: arn:aws:iam::{account_id}:role/"
                                         "OrganizationAccountAccessRole")
        return None
    return fault


def test_a_member_whose_role_cannot_be_assumed_is_reported_and_the_rest_loads(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    prod, sandbox = organization.members["prod"], organization.members["sandbox"]
    recorder.faults.append(_deny_assume_into(sandbox))
    out = tmp_path / "org"
    summary = _collect(aws, out, recorder, organization=True)
    outcomes = {o.account_id: o for o in summary.outcomes}
    assert {k: o.status for k, o in outcomes.items()} == {MANAGEMENT: "ok", prod: "ok", sandbox: "failed"}
    error = outcomes[sandbox].error
    assert error is not None and (error.code, error.operation) == ("AccessDenied", "AssumeRole")

    entry = _manifest(out)["accounts"][sandbox]  # type: ignore[index]
    assert entry["status"] == "failed" and entry["files"] == []
    assert entry["error"]["code"] == "AccessDenied" and "sts:AssumeRole" in entry["error"]["message"]

    estate = load_estate([out])
    assert {a.account_id for a in estate.accounts} == {MANAGEMENT, prod}
    (org,) = estate.organizations
    assert sandbox in org.account_by_id  # still a known member: its principals are inside the zone

    # resumable: the next run (the role fixed) collects only the failed account
    recorder.faults.clear()
    recorder.calls.clear()
    again = _collect(aws, out, recorder, organization=True)
    assert {o.account_id: o.status for o in again.outcomes} == {MANAGEMENT: "kept", prod: "kept", sandbox: "ok"}
    assert recorder.actions().count("iam:GetAccountAuthorizationDetails") == 1
    assert {r.arn for a in load_estate([out]).accounts if a.account_id == sandbox for r in a.roles} == \
        organization.roles[sandbox]


def test_the_summary_and_exit_code_report_the_failed_account(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = organization.members["sandbox"]
    recorder.faults.append(_deny_assume_into(sandbox))
    hooked = recorder.session()
    monkeypatch.setattr("boto3.Session", lambda **_: hooked)
    code, stdout, _ = _run_cli("collect", str(tmp_path / "org"), "--organization", "--endpoint-url", aws)
    assert code == 1
    assert "2 accounts collected, 0 kept, 1 failed, 0 skipped" in stdout
    assert f"  failed {sandbox} (sandbox): AccessDenied: User: arn:aws:iam::{MANAGEMENT}:user/moto is not " \
           f"authorized to perform: sts:AssumeRole" in stdout
    assert "[AssumeRole]" in stdout


def test_throttling_that_outlasts_the_retries_fails_only_that_account(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    prod = organization.members["prod"]

    def throttle(call: Call, keys: dict[str, str]) -> tuple[int, str, str] | None:
        if call.action == "iam:GetAccountAuthorizationDetails" and call.account(keys) == prod:
            return 400, "Throttling", "Rate exceeded"
        return None

    recorder.faults.append(throttle)
    summary = _collect(aws, tmp_path / "org", recorder, organization=True, max_attempts=2)
    outcomes = {o.account_id: o for o in summary.outcomes}
    assert outcomes[prod].status == "failed"
    assert outcomes[prod].error is not None and outcomes[prod].error.code == "Throttling"
    assert [o.status for k, o in outcomes.items() if k != prod] == ["ok", "ok"]
    # botocore retried before giving up: two attempts (max_attempts=2) in the throttled account
    assert recorder.actions(prod).count("iam:GetAccountAuthorizationDetails") == 2


def test_a_throttled_call_that_recovers_is_retried_transparently(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    seen: list[str] = []

    def throttle_once(call: Call, keys: dict[str, str]) -> tuple[int, str, str] | None:
        if call.action == "organizations:ListAccounts" and not seen:
            seen.append(call.action)
            return 400, "TooManyRequestsException", "AWS Organizations can't complete your request"
        return None

    recorder.faults.append(throttle_once)
    summary = _collect(aws, tmp_path / "org", recorder, organization=True)
    assert summary.organization_status == "ok" and len(summary.with_status("ok")) == 3
    assert recorder.actions().count("organizations:ListAccounts") == 2


def test_a_suspended_account_is_skipped_not_entered(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    import boto3

    sandbox = organization.members["sandbox"]
    boto3.client("organizations", endpoint_url=aws, region_name="us-east-1").close_account(AccountId=sandbox)
    out = tmp_path / "org"
    summary = _collect(aws, out, recorder, organization=True)
    assert {o.account_id: o.status for o in summary.outcomes}[sandbox] == "skipped"
    assert not [c for c in recorder.calls if f":{sandbox}:" in c.params.get("RoleArn", [""])[0]]
    assert _manifest(out)["accounts"][sandbox]["note"] == "account state SUSPENDED: not collected"  # type: ignore[index]
    assert len(load_estate([out]).accounts) == 2


def test_an_unreadable_organization_is_one_error_line_and_recorded(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    recorder.faults.append(lambda call, keys: (400, "AccessDeniedException", "You don't have permissions to access "
                                                                             "this resource.")
                           if call.action == "organizations:DescribeOrganization" else None)
    out = tmp_path / "org"
    with pytest.raises(OrganizationUnreadable, match="AccessDeniedException: You don't have permissions"):
        _collect(aws, out, recorder, organization=True)
    assert _manifest(out)["organization"]["status"] == "failed"  # type: ignore[index]
    assert "iam:GetAccountAuthorizationDetails" not in recorder.actions()


def test_one_account_without_organization_is_the_callers(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    out = tmp_path / "one"
    summary = _collect(aws, out, recorder)
    assert [(o.account_id, o.status) for o in summary.outcomes] == [(MANAGEMENT, "ok")]
    assert not [a for a in recorder.actions() if a.startswith(("organizations:", "sts:AssumeRole"))]
    estate = load_estate([out])
    assert [a.account_id for a in estate.accounts] == [MANAGEMENT] and estate.organizations == ()
    assert estate.default_zone().accounts == frozenset({MANAGEMENT})


def test_accounts_option_limits_the_organization_and_rejects_strangers(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    prod = organization.members["prod"]
    summary = _collect(aws, tmp_path / "org", recorder, organization=True, accounts=(prod,))
    assert [(o.account_id, o.status) for o in summary.outcomes] == [(prod, "ok")]
    code, _, stderr = _run_cli("collect", str(tmp_path / "x"), "--organization", "--endpoint-url", aws,
                               "--accounts", "999999999999")
    assert code == 2
    assert stderr == (f"trustgraph: error: --accounts names accounts that are not in organization "
                      f"{organization.org_id}: 999999999999\n")


def test_no_credentials_is_one_error_line(aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, stdout, stderr = _run_cli("collect", str(tmp_path / "none"), "--endpoint-url", aws)
    assert (code, stdout) == (2, "")
    assert stderr == ("trustgraph: error: cannot identify the caller (sts get-caller-identity): NoCredentialsError: "
                      "Unable to locate credentials\n")


def test_named_accounts_without_organization_are_entered_by_the_role(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    prod = organization.members["prod"]
    out = tmp_path / "two"
    summary = _collect(aws, out, recorder, accounts=(MANAGEMENT, prod), role_name="OrganizationAccountAccessRole")
    assert {o.account_id: o.status for o in summary.outcomes} == {MANAGEMENT: "ok", prod: "ok"}
    assert not [a for a in recorder.actions() if a.startswith("organizations:")]
    estate = load_estate([out])
    assert {a.account_id: {r.arn for r in a.roles} for a in estate.accounts} == {
        MANAGEMENT: organization.roles[MANAGEMENT], prod: organization.roles[prod]}


def test_a_refresh_that_fails_keeps_the_previous_files_and_says_so(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    sandbox = organization.members["sandbox"]
    out = tmp_path / "org"
    _collect(aws, out, recorder, organization=True)
    before = _manifest(out)["accounts"][sandbox]  # type: ignore[index]
    recorder.faults.append(_deny_assume_into(sandbox))
    summary = _collect(aws, out, recorder, organization=True, refresh=True)
    outcome = next(o for o in summary.outcomes if o.account_id == sandbox)
    assert outcome.status == "failed" and outcome.note == f"the files collected at {before['collected_at']} are kept"
    entry = _manifest(out)["accounts"][sandbox]  # type: ignore[index]
    assert entry["status"] == "failed" and entry["files"] == before["files"]
    assert entry["collected_at"] == before["collected_at"] and entry["error"]["code"] == "AccessDenied"
    assert all((out / f).is_file() for f in entry["files"])
