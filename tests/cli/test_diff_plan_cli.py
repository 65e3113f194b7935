"""``trustgraph diff OLD --plan PLAN.json``: a plan that opens a role is new access (exit 1), one that changes a
description is not (exit 0); a weakened guard is lost; bad plans and usage are one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from trustgraph.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "two-account-sample"
PLANS = DATA / "terraform"
ACCOUNT = "111122223333"
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "trustgraph" / "schemas" /
                     "diff-report-v2.schema.json").read_text(encoding="utf-8"))


def diff_plan(tmp_path: Path, plan: str, *extra: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "diff.json"
    code = main(["diff", str(SAMPLE), "--plan", str(PLANS / plan), *extra, "--format", "json", "-o", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    return code, report


def test_a_role_trusting_an_outside_root_is_new_access(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = diff_plan(tmp_path, "create-role-trusting-outside-root.json")
    assert code == 1
    role = f"arn:aws:iam::{ACCOUNT}:role/VendorAccessRole"
    ids = {e["id"] for e in report["new"]}
    assert f"external-without-external-id|{role}|account:123456789012" in ids
    (entry,) = [e for e in report["new"] if e["role"] == role and e["check_id"] == "external-without-external-id"]
    assert entry["severity"] == "high" and entry["path"] == ["account:123456789012", role]
    # the location of the statement that lets the outsider in is the resource address
    assert entry["witness"][-1]["statements"] == [{"file": "aws_iam_role.vendor_access",
                                                   "pointer": "/assume_role_policy/Statement/0"}]
    assert report["resolved"] == [] and report["guards_lost"] == []
    assert report["new_inputs"] == [str(SAMPLE), str(PLANS / "create-role-trusting-outside-root.json")]
    err = capsys.readouterr().err
    assert "aws_s3_bucket (1)" in err and len(err.splitlines()) == 1


def test_a_description_change_is_not_new_access(tmp_path: Path) -> None:
    code, report = diff_plan(tmp_path, "description-only.json")
    assert code == 0
    assert report["new"] == [] and report["resolved"] == [] and report["guards_lost"] == []


def test_an_update_dropping_the_external_id_loses_the_guard(tmp_path: Path) -> None:
    code, report = diff_plan(tmp_path, "drop-external-id.json")
    assert code == 1
    audit = f"arn:aws:iam::{ACCOUNT}:role/AuditRoleWithExternalId"
    (guard,) = report["guards_lost"]
    assert guard["role"] == audit and guard["key"] == "sts:ExternalId" and guard["verdict"] == "proven"
    assert guard["replayed"] is True and guard["change"] == "condition" and guard["source"] == "account:999988887777"
    # v2: the NEW statement that lets the witness in, located at the plan's resource address
    assert guard["new_statements"] and all(s.startswith("aws_iam_role.") for s in guard["new_statements"])


def test_unknown_trust_policy_is_reported_approximately_never_dropped(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, report = diff_plan(tmp_path, "unknown-trust-policy.json", "--account", ACCOUNT)
    assert code == 1
    worker = [e for e in report["new"] if "/worker-UnknownUntilApply-" in e["role"]]
    assert worker and {e["check_id"] for e in worker} >= {"public-role"}
    hops = [h for e in worker for h in e["witness"]]
    assert hops and all(h["approximations"] for h in hops if h["target"] == worker[0]["role"])
    assert "unknown until apply" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "words"), [
    (["--plan", str(PLANS / "unsupported-format-version.json")], "unsupported-format-version.json#/format_version"),
    (["--plan", str(PLANS / "unknown-trust-policy.json")], "give --account ID"),
    (["--account", ACCOUNT], "--account goes with --plan"),
    ([str(SAMPLE), "--plan", str(PLANS / "description-only.json")], "not both"),
    ([], "give either NEW or --plan"),
])
def test_bad_plans_and_usage_are_one_line_exit_2(args: list[str], words: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SAMPLE), *args]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and words in err and err.startswith("trustgraph: error: ")
