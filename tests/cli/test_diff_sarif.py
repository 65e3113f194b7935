"""``trustgraph diff --format sarif``: valid SARIF 2.1.0 (the official schema), baselineState new / unchanged / absent,
lost guards located at the NEW trust statement (line and column in NEW's file), stable fingerprints."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from trustgraph.cli.main import main
from trustgraph.report.positions import json_pointer_positions

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "two-account-sample"
AUDIT = "arn:aws:iam::111122223333:role/AuditRoleWithExternalId"
SARIF = jsonschema.Draft4Validator(json.loads((DATA / "sarif-2.1.0.schema.json").read_text(encoding="utf-8")))
NOW = "2026-11-28T15:00:00Z"


@pytest.fixture(scope="module")
def weakened(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with AuditRoleWithExternalId's ExternalId condition dropped (a pretty-printed export)."""
    copy = tmp_path_factory.mktemp("sarif") / "no-external-id"
    shutil.copytree(SAMPLE, copy)
    gaad = copy / "gaad-111122223333.json"
    doc = json.loads(gaad.read_text(encoding="utf-8"))
    (role,) = [r for r in doc["RoleDetailList"] if r["Arn"] == AUDIT]
    del role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    gaad.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return copy


def _sarif(out: Path, old: Path, new: Path) -> tuple[int, dict[str, Any]]:
    code = main(["diff", str(old), str(new), "--format", "sarif", "--now", NOW, "-o", str(out)])
    log = json.loads(out.read_text(encoding="utf-8"))
    SARIF.validate(log)
    return code, log


def test_new_unchanged_and_guard_lost(tmp_path: Path, weakened: Path) -> None:
    code, log = _sarif(tmp_path / "d.sarif", SAMPLE, weakened)
    assert code == 1
    (run,) = log["runs"]
    results = run["results"]
    states = [r["baselineState"] for r in results]
    summary = run["properties"]["summary"]
    assert states.count("new") == summary["new"] + summary["guardsLost"] == 3
    assert states.count("unchanged") == summary["unchanged"] > 10 and "absent" not in states
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)
    (guard,) = [r for r in results if r["ruleId"] == "guard-lost"]
    assert guard["level"] == "error" and guard["properties"]["guard"] == "external id"
    assert guard["properties"]["role"] == AUDIT and "sts:ExternalId" in guard["message"]["text"]
    loc = guard["locations"][0]
    pointer = loc["properties"]["jsonPointer"]
    assert pointer.endswith("/AssumeRolePolicyDocument/Statement/0")
    assert loc["properties"]["file"].startswith(str(weakened))
    # the region is where the statement object starts in NEW's file as written
    text = (weakened / "gaad-111122223333.json").read_text(encoding="utf-8")
    line, column = json_pointer_positions(text)[pointer]
    assert loc["physicalLocation"]["region"] == {"startLine": line, "startColumn": column}
    assert line > 1
    new = [r for r in results if r["baselineState"] == "new" and r["ruleId"] != "guard-lost"]
    assert {r["properties"]["id"] for r in new} >= {f"external-without-external-id|{AUDIT}|account:999988887777"}


def test_resolved_findings_are_absent_and_located_in_old(tmp_path: Path, weakened: Path) -> None:
    code, log = _sarif(tmp_path / "r.sarif", weakened, SAMPLE)
    assert code == 0
    results = log["runs"][0]["results"]
    absent = [r for r in results if r["baselineState"] == "absent"]
    assert {r["properties"]["id"] for r in absent} >= {f"external-without-external-id|{AUDIT}|account:999988887777"}
    assert all(r["locations"][0]["properties"]["file"].startswith(str(weakened)) for r in absent
               if "properties" in r["locations"][0])
    assert not [r for r in results if r["baselineState"] == "new"]


def test_an_estate_against_itself_is_all_unchanged_and_fingerprints_are_stable(tmp_path: Path) -> None:
    code, first = _sarif(tmp_path / "a.sarif", SAMPLE, SAMPLE)
    _, second = _sarif(tmp_path / "b.sarif", SAMPLE, SAMPLE)
    assert code == 0
    results = first["runs"][0]["results"]
    assert results and {r["baselineState"] for r in results} == {"unchanged"}
    prints = [r["partialFingerprints"]["trustgraph-diff/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    assert prints == [r["partialFingerprints"]["trustgraph-diff/v1"] for r in second["runs"][0]["results"]]
    # Everything is identical, the witnesses included: a second run in the same process gets the same answer to the
    # same question (each z3 question is decided in a context of its own: smt.decide.fresh_context)
    assert first == second
