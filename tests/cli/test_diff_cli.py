"""``trustgraph diff OLD NEW``: an estate against itself, against a copy whose ExternalId guard was dropped (and the
reverse), formats, --fail-on, bad input; finding ids compared per (check, role, source)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from trustgraph.checks.finding import Finding, Severity, SourceReach
from trustgraph.cli.main import main
from trustgraph.report.diff import compare_findings

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "two-account-sample"
AUDIT = "arn:aws:iam::111122223333:role/AuditRoleWithExternalId"
SCHEMAS = Path(__file__).resolve().parents[2] / "trustgraph" / "schemas"
SCHEMA = json.loads((SCHEMAS / "diff-report-v2.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _without_external_id(root: Path) -> Path:
    """A copy of the sample whose AuditRoleWithExternalId trusts account 999988887777 with no condition."""
    copy = root / "no-external-id"
    shutil.copytree(SAMPLE, copy)
    gaad = copy / "gaad-111122223333.json"
    doc = json.loads(gaad.read_text(encoding="utf-8"))
    (role,) = [r for r in doc["RoleDetailList"] if r["Arn"] == AUDIT]
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "a1b2c3-unique-external-id"}}
    del statement["Condition"]
    gaad.write_text(json.dumps(doc), encoding="utf-8")
    return copy


def _diff(out: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["diff", *args, "--format", "json", "-o", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    VALIDATOR.validate(report)
    return code, report


@pytest.fixture(scope="module")
def weakened(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _without_external_id(tmp_path_factory.mktemp("diff"))


@pytest.fixture(scope="module")
def dropped(tmp_path_factory: pytest.TempPathFactory, weakened: Path) -> tuple[int, dict[str, Any]]:
    return _diff(tmp_path_factory.mktemp("out") / "d.json", str(SAMPLE), str(weakened))


def test_an_estate_against_itself_has_nothing_new(tmp_path: Path) -> None:
    code, report = _diff(tmp_path / "same.json", str(SAMPLE), str(SAMPLE))
    assert code == 0
    assert report["new"] == [] and report["resolved"] == [] and report["guards_lost"] == []
    assert report["unchanged"] > 10
    assert report["version"] == 2 and report["zone_from"] == "new"
    assert report["old"] == [str(SAMPLE)] and report["new_inputs"] == [str(SAMPLE)]


def test_dropping_the_external_id_is_new_access_with_the_lost_guard(dropped: tuple[int, dict[str, Any]]) -> None:
    code, report = dropped
    assert code == 1
    ids = {e["id"] for e in report["new"]}
    assert f"external-without-external-id|{AUDIT}|account:999988887777" in ids
    (entry,) = [e for e in report["new"] if e["role"] == AUDIT]
    assert entry["path"] == ["account:999988887777", AUDIT] and entry["severity"] == "high"
    assert entry["witness"] and entry["witness"][-1]["target"] == AUDIT
    assert "sts:ExternalId" not in entry["witness"][-1]["context"]
    assert report["resolved"] == []
    (guard,) = report["guards_lost"]
    assert guard["role"] == AUDIT and guard["key"] == "sts:ExternalId" and guard["guard"] == "external id"
    assert guard["verdict"] == "proven" and guard["replayed"] is True
    hop = guard["witness"][-1]
    assert hop["target"] == AUDIT and hop["context"]["aws:PrincipalAccount"] == "999988887777"
    assert "sts:ExternalId" not in hop["context"]
    assert guard["change"] == "condition" and guard["source"] == "account:999988887777"
    assert guard["old_decision"] == "implicit-deny" and guard["old_statements"] and guard["new_statements"]


def test_now_pins_both_estates_and_every_witness(tmp_path: Path, weakened: Path) -> None:
    code, report = _diff(tmp_path / "now.json", str(SAMPLE), str(weakened), "--now", "2026-11-28T15:00:00Z",
                         "--via", "all")
    assert code == 1 and report["analysis_time"] == "2026-11-28T15:00:00Z"
    (guard,) = report["guards_lost"]
    assert guard["witness"][0]["context"]["aws:CurrentTime"] == "2026-11-28T15:00:00Z"
    assert all(h["context"].get("aws:CurrentTime", "2026-11-28T15:00:00Z") == "2026-11-28T15:00:00Z"
               for e in report["new"] for h in e["witness"])


def test_both_schema_versions_ship() -> None:
    for version in (1, 2):
        schema = json.loads((SCHEMAS / f"diff-report-v{version}.schema.json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["properties"]["version"] == {"const": version}


def test_the_reverse_diff_resolves_the_finding_and_loses_no_guard(tmp_path: Path, weakened: Path) -> None:
    code, report = _diff(tmp_path / "r.json", str(weakened), str(SAMPLE))
    assert code == 0
    assert report["new"] == [] and report["guards_lost"] == []
    assert f"external-without-external-id|{AUDIT}|account:999988887777" in {e["id"] for e in report["resolved"]}


def test_fail_on_critical_ignores_high_news(tmp_path: Path, weakened: Path) -> None:
    code = main(["diff", str(SAMPLE), str(weakened), "--fail-on", "critical", "-o", str(tmp_path / "t.txt")])
    assert code == 0
    text = (tmp_path / "t.txt").read_text(encoding="utf-8")
    assert "zone computed from NEW" in text and "GUARDS LOST" in text and AUDIT in text


def test_markdown_for_a_pull_request(tmp_path: Path, weakened: Path) -> None:
    out = tmp_path / "pr.md"
    assert main(["diff", str(SAMPLE), str(weakened), "--format", "markdown", "-o", str(out), "--zone",
                 "o-a1b2c3d4e5"]) == 1
    text = out.read_text(encoding="utf-8")
    assert text.startswith("### trustgraph diff") and "#### Guards lost" in text and "zone from the options" in text
    assert f"| high | external-without-external-id | `{AUDIT}` | `account:999988887777` |" in text
    assert f"| `{AUDIT}` | `account:999988887777` | external id (`sts:ExternalId`) | condition | proven |" in text


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SAMPLE), str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("trustgraph: error:") and "missing" in err


def _finding(*sources: str) -> Finding:
    return Finding(check_id="external-without-mfa", severity=Severity.MEDIUM, role=AUDIT, source=sources[0],
                   message="m", remediation="r",
                   sources=tuple(SourceReach(source=s, source_class="account") for s in sources))


def test_a_finding_that_gains_a_source_is_one_new_entry() -> None:
    new, resolved, unchanged = compare_findings([_finding("account:1")], [_finding("account:1", "account:2")])
    assert [e.id for e in new] == [f"external-without-mfa|{AUDIT}|account:2"]
    assert resolved == () and unchanged == 1
    new, resolved, unchanged = compare_findings([_finding("account:1", "account:2")], [_finding("account:2")])
    assert new == () and [e.source for e in resolved] == ["account:1"] and unchanged == 1
