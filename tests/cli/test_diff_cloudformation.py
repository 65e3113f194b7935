"""``trustgraph diff OLD --cloudformation TEMPLATE``: a template that opens a role to an outside account is new access
(exit 1), one that only changes a description is not (exit 0); bad input is one line naming the file and location
(exit 2); the account comes from --account or OLD's only account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from trustgraph.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"
CFN = DATA / "cloudformation"
OLD = CFN / "old"
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "trustgraph" / "schemas" /
                     "diff-report-v2.schema.json").read_text(encoding="utf-8"))


def _diff(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "report.json"
    code = main(["diff", *args, "--format", "json", "-o", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    return code, report


def test_a_role_trusting_an_outside_accounts_root_is_new_access(tmp_path: Path) -> None:
    code, report = _diff(tmp_path, str(OLD), "--cloudformation", str(CFN / "outside-root.yaml"))
    assert code == 1
    new = {(e["check_id"], e["role"], e["source"]) for e in report["new"]}
    assert ("external-without-external-id", "arn:aws:iam::111122223333:role/PartnerRole",
            "account:444455556666") in new
    assert report["resolved"] == [] and report["guards_lost"] == []
    assert report["new_inputs"] == [str(OLD), str(CFN / "outside-root.yaml")]


def test_a_description_only_change_is_nothing_new(tmp_path: Path) -> None:
    code, report = _diff(tmp_path, str(OLD), "--cloudformation", str(CFN / "description-only.yaml"))
    assert code == 0
    assert report["new"] == [] and report["resolved"] == [] and report["guards_lost"] == []
    assert report["unchanged"] >= 1


def test_parameters_decide_the_guard(tmp_path: Path) -> None:
    code, report = _diff(tmp_path, str(OLD), "--cloudformation", str(CFN / "conditions.json"))
    assert code == 1 and any(e["role"].endswith(":role/vendor-test") and
                             e["check_id"] == "external-without-external-id" for e in report["new"])
    code, report = _diff(tmp_path, str(OLD), "--cloudformation", str(CFN / "conditions.json"),
                         "--parameters", str(CFN / "parameters-live.json"))
    assert code == 0  # the live stage requires the external id: only the medium MFA finding is new
    assert {e["check_id"] for e in report["new"]} == {"external-without-mfa"}


def test_notes_name_what_was_not_analysed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _diff(tmp_path, str(OLD), "--cloudformation", str(CFN / "short-tags.yaml"))
    err = capsys.readouterr().err
    assert "trustgraph: warning: 3 resource(s) of types that grant no IAM access by themselves" in err
    assert "Fn::ImportValue (exported by another stack)" in err and "approximate" in err


@pytest.mark.parametrize(("template", "expected"), [
    ("transform.yaml", "transform.yaml#/Transform: the template declares the transform "
                       "`AWS::Serverless-2016-10-31`: pass the processed template instead (aws cloudformation "
                       "get-template --stack-name STACK --template-stage Processed)"),
    ("invalid/duplicate-key.yaml", "duplicate-key.yaml#/Resources/R/Type: duplicate key `Type` (first at line 3)"),
    ("invalid/syntax.yaml", "syntax.yaml#: invalid YAML at line 6 column 1"),
    ("missing.yaml", "missing.yaml#: no such file or directory"),
])
def test_bad_templates_are_one_line_exit_2(template: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(OLD), "--cloudformation", str(CFN / template)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("trustgraph: error: ") and expected in err


@pytest.mark.parametrize(("args", "expected"), [
    ([str(DATA / "two-account-sample"), "--cloudformation", str(CFN / "outside-root.yaml")],
     "OLD holds 2 accounts (111122223333, 444455556666): name the account the template deploys to with --account"),
    ([str(OLD), str(OLD), "--cloudformation", str(CFN / "outside-root.yaml")], "not both"),
    ([str(OLD)], "give either NEW or --plan PLAN or --cloudformation TEMPLATE"),
    ([str(OLD), str(OLD), "--parameters", str(CFN / "parameters-map.json")],
     "--parameters and --stack-name go with --cloudformation"),
    ([str(OLD), "--cloudformation", str(CFN / "outside-root.yaml"), "--account", "12"],
     "argument --account: expected a 12-digit account id"),
])
def test_usage_errors(args: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and "(see 'trustgraph diff --help')" in err


def test_account_given_for_an_estate_of_two(tmp_path: Path) -> None:
    code, report = _diff(tmp_path, str(DATA / "two-account-sample"), "--cloudformation",
                         str(CFN / "outside-root.yaml"), "--account", "111122223333")
    assert code == 1
    assert any(e["role"] == "arn:aws:iam::111122223333:role/PartnerRole" for e in report["new"])


def test_the_terminal_names_the_template_line(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    assert main(["diff", str(OLD), "--cloudformation", str(CFN / "outside-root.yaml"), "-o", str(out)]) == 1
    text = out.read_text(encoding="utf-8")
    # line 15 of the template is the statement `- Effect: Allow` that trusts the partner account's root
    assert f"    where {CFN / 'outside-root.yaml'}:15\n" in text
    assert (CFN / "outside-root.yaml").read_text(encoding="utf-8").splitlines()[14].strip() == "- Effect: Allow"


def test_sarif_regions_are_template_lines(tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    assert main(["diff", str(OLD), "--cloudformation", str(CFN / "outside-root.yaml"), "--format", "sarif",
                 "-o", str(out)]) == 1
    results = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"]
    regions = {(loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
               for r in results for loc in r.get("locations", [])}
    assert any(uri.endswith("outside-root.yaml") and line == 15 for uri, line in regions)
