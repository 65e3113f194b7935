"""`trustgraph query --from` with principals nobody exported (the done-when of issue 13 item 1) and the errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.queries.builders import allow_aws, role, trust
from trustgraph.cli.main import main

A = "111122223333"
VENDOR_ROLE = "arn:aws:iam::777788889999:role/VendorRole"
TARGET = f"arn:aws:iam::{A}:role/VendorAccess"


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    doc = {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
        role(A, "VendorAccess", trust(allow_aws(VENDOR_ROLE, {"StringEquals": {"sts:ExternalId": "tenant-42"}})))]}
    (tmp_path / f"gaad-{A}.json").write_text(json.dumps(doc))
    return tmp_path


def test_query_from_a_role_of_an_account_that_is_not_exported(estate: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", str(estate), "--from", VENDOR_ROLE, "--to", TARGET, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    [result] = json.loads(out)["results"]
    assert result["verdict"] == "reachable"
    [hop] = result["hops"]
    assert hop["caller"].startswith("arn:aws:sts::777788889999:assumed-role/VendorRole/")
    session = hop["caller"].rsplit("/", 1)[-1]
    assert hop["context"]["aws:userid"].endswith(":" + session)
    assert hop["context"]["sts:ExternalId"] == "tenant-42"


def test_query_from_one_session(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = "arn:aws:sts::777788889999:assumed-role/VendorRole/nightly"
    assert main(["query", str(estate), "--from", source, "--to", TARGET, "--format", "json"]) == 0
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert result["verdict"] == "reachable" and result["hops"][0]["caller"] == source


def test_a_principal_the_export_of_its_account_lacks_is_one_line_exit_2(estate: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", str(estate), "--from", f"arn:aws:iam::{A}:user/nobody", "--to", TARGET])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "is not in the export of account 111122223333" in err


def test_query_from_an_account_of_the_zone_that_is_not_exported(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`--from account:ID` of a zone account without an export: its principals, identity side unknown (approximate)."""
    partner = "999988887777"
    doc = {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
        role(A, "PartnerAccess", trust(allow_aws(f"arn:aws:iam::{partner}:root")))]}
    (tmp_path / f"gaad-{A}.json").write_text(json.dumps(doc))
    target = f"arn:aws:iam::{A}:role/PartnerAccess"
    code = main(["query", str(tmp_path), "--zone", A, "--zone", partner, "--from", f"account:{partner}",
                 "--to", target, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    [result] = json.loads(out)["results"]
    assert result["verdict"] == "reachable" and result["approximate"]
    assert result["hops"][0]["caller"].split(":")[4] == partner
    # the same account outside the zone: an outsider, exact
    assert main(["query", str(tmp_path), "--zone", A, "--from", f"account:{partner}", "--to", target,
                 "--format", "json"]) == 0
    [outside] = json.loads(capsys.readouterr().out)["results"]
    assert outside["verdict"] == "reachable" and not outside["approximate"]


def test_the_table_gives_each_path_its_own_line_with_no_escaped_newline(estate: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", str(estate), "--from", VENDOR_ROLE, "--to", TARGET]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "\\n" not in "\n".join(lines)
    header = lines.index(f"{VENDOR_ROLE} -> {TARGET}")
    assert lines[header - 1] == "" and lines[header + 1].startswith("  1. ")
