"""SARIF 2.1.0 output validates against the official schema and maps checks, severities and locations as documented.

``tests/data/sarif-2.1.0.schema.json`` is the SARIF 2.1.0 JSON schema (JSON Schema draft-04) as released for the final
standard under the name ``sarif-2.1.0-rtm.5`` (the copy SchemaStore serves; taken byte for byte from the schemas that
Microsoft's ``@microsoft/jest-sarif`` package ships). A spot check of the last definitions (toolComponent ...
webResponse) against oasis-tcs/sarif-spec ``Documents/CommitteeSpecifications/2.1.0/sarif-schema-2.1.0.json`` found
the same constraints except a regex typo in ``toolComponent.language`` that the OASIS copy fixes (a field this tool
never writes).
It is committed so that the tests run offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustgraph.checks.finding import Finding, Severity
from trustgraph.model.location import Location
from trustgraph.render.positions import Position, json_pointer_lines, statement_positions
from trustgraph.render.report import ScanReport
from trustgraph.render.sarif import (
    artifact_uri,
    fingerprint,
    render_sarif,
    report_locations,
    rule_name,
    statement_lines,
)

from .fixtures import EXPORT_A, EXPORT_B, HOSTILE, IMG, make_report
from .strategies import reports

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "sarif-2.1.0.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)


def _log(report: ScanReport) -> dict:
    return json.loads(render_sarif(report, base_dir="/work/repo"))


def _expanded(report: ScanReport) -> dict:
    """The log with its results' witness properties in full (:func:`expand_sarif`)."""
    from trustgraph.render.sarif_tables import expand_sarif

    return expand_sarif(_log(report))


def _results_by_role(log: dict) -> dict[str, dict]:
    return {r["properties"]["role"]: r for r in log["runs"][0]["results"]}


def test_shipped_schema_is_the_sarif_2_1_0_schema() -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]
    assert "result" in SCHEMA["definitions"] and "reportingDescriptor" in SCHEMA["definitions"]


def test_validates_against_official_schema(report: ScanReport) -> None:
    log = _log(report)
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert log["version"] == "2.1.0"


def test_schema_catches_a_broken_log(report: ScanReport) -> None:
    log = _log(report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not VALIDATOR.is_valid(log)


def test_rules_are_the_checks_run(report: ScanReport) -> None:
    rules = _log(report)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.id for c in report.checks_run]
    by_id = {r["id"]: r for r in rules}
    ext = by_id["external-without-external-id"]
    assert ext["name"] == "ExternalWithoutExternalId"
    assert ext["shortDescription"]["text"] == "Outsider reaches the role without sts:ExternalId"
    assert ext["help"]["text"].startswith("Require sts:ExternalId")
    assert "Confused deputy" in ext["fullDescription"]["text"]
    levels = {i: (r["defaultConfiguration"]["level"], r["properties"]["security-severity"]) for i, r in by_id.items()}
    assert levels == {
        "external-without-external-id": ("error", "7.0"),
        "external-path-to-admin": ("error", "9.0"),
        "oidc-any-subject": ("error", "9.0"),
        "external-without-mfa": ("warning", "5.0"),
        "saml-missing-audience": ("note", "3.0"),
    }


def test_results_reference_rules_and_levels(report: ScanReport) -> None:
    log = _log(report)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    results = log["runs"][0]["results"]
    assert len(results) == len(report.findings)
    for res, finding in zip(results, report.ordered, strict=True):
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == finding.check_id
        assert res["level"] == {"critical": "error", "high": "error", "medium": "warning", "low": "note"}[
            finding.severity.value]
        assert res["kind"] == "fail"


def _chain(log: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in log["runs"][0]["results"] if r["ruleId"] == "external-path-to-admin")


def test_locations_are_export_file_and_pointer(report: ScanReport) -> None:
    chain = _chain(_log(report))
    loc = chain["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "exports/account-b%20%3Cb%3E.json"
    assert unquote(loc["physicalLocation"]["artifactLocation"]["uri"]) == EXPORT_B
    assert loc["physicalLocation"]["region"] == {"startLine": 1}
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"
    assert loc["properties"]["jsonPointer"] == "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"
    related = chain["relatedLocations"]
    assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in related] == [EXPORT_A]
    flow = chain["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(flow) == 2
    assert flow[1]["location"]["logicalLocations"][0]["fullyQualifiedName"].endswith("/Statement/1")
    assert "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0" in chain["message"]["text"]


def test_every_uri_is_a_clean_uri_reference(report: ScanReport) -> None:
    text = render_sarif(report, base_dir="/work/repo")
    uris = [v for k, v in _walk(json.loads(text)) if k == "uri"]
    assert uris
    for uri in uris:
        assert not any(c in uri for c in ' <>"{}|\\^`'), uri
        urlsplit(uri)


def test_artifact_uri_relative_and_absolute(tmp_path: Path) -> None:
    inside = tmp_path / "exports" / "a.json"
    assert artifact_uri(str(inside), str(tmp_path)) == "exports/a.json"
    assert artifact_uri("/elsewhere/a b.json", str(tmp_path)) == "file:///elsewhere/a%20b.json"
    assert artifact_uri("../up.json", str(tmp_path)).startswith("file:///")
    assert artifact_uri("x/y.json", str(tmp_path)) == "x/y.json"


def test_artifact_uri_of_a_name_the_system_refuses(tmp_path: Path) -> None:
    # an embedded NUL byte (a name given through the API) cannot be resolved on disk: it is resolved lexically,
    # and the report renders instead of raising (hypothesis found this through test_any_report_validates)
    assert artifact_uri("/\x00", str(tmp_path)) == "file:///%00"
    assert artifact_uri(str(tmp_path / "a\x00b.json"), str(tmp_path)) == "a%00b.json"
    assert artifact_uri("../x\x00.json", str(tmp_path)) == (tmp_path.parent / "x\x00.json").as_uri()
    log = json.loads(render_sarif(ScanReport(findings=(), inputs=("/\x00",)), base_dir=str(tmp_path)))
    VALIDATOR.validate(log)


def test_unknown_is_a_failing_result_marked_unknown(report: ScanReport) -> None:
    res = _results_by_role(_log(report))["arn:aws:iam::111122223333:role/VendorIntegrationRole"]
    assert res["kind"] == "fail" and res["level"] == "error"
    assert res["properties"]["kind"] == "unknown"
    assert res["message"]["text"].startswith("Unknown: ")


def test_suppressed_finding_carries_suppression(report: ScanReport) -> None:
    log = _log(report)
    res = _results_by_role(log)["arn:aws:iam::111122223333:role/AcceptedRisk"]
    assert res["suppressions"] == [{"kind": "external", "status": "accepted",
                                    "justification": report.suppressed[0].suppressed_by}]
    assert sum(1 for r in log["runs"][0]["results"] if "suppressions" in r) == 1


def test_fingerprints_stable_and_distinct(report: ScanReport) -> None:
    prints = [r["partialFingerprints"]["trustgraph/v2"] for r in _log(report)["runs"][0]["results"]]
    assert len(set(prints)) == len(prints)
    assert prints == [r["partialFingerprints"]["trustgraph/v2"] for r in _log(make_report())["runs"][0]["results"]]
    f = report.ordered[0]
    reworded = Finding(check_id=f.check_id, severity=f.severity, role=f.role, source=f.source,
                       message="other words", remediation="x")
    assert fingerprint(reworded) == fingerprint(f)
    # one result per (check, role): another source getting in does not make it a new alert
    assert fingerprint(Finding(check_id=f.check_id, severity=f.severity, role=f.role, source="external",
                               message="m", remediation="x")) == fingerprint(f)


def test_approximate_in_properties(report: ScanReport) -> None:
    chain = _chain(_expanded(report))
    assert chain["properties"]["approximate"] is True
    assert chain["properties"]["approximations"] == ["aws:SourceIp: CIDR over-approximated"]
    finding = next(f for f in report.ordered if f.check_id == "external-path-to-admin")
    assert [h["target"] for h in chain["properties"]["path"]] == [h.target for h in finding.path]


def test_sources_grouped_in_one_result(report: ScanReport) -> None:
    chain = _chain(_expanded(report))
    assert [s["source"] for s in chain["properties"]["sources"]] == ["account:444455556666", f"federated:{IMG}"]
    assert chain["properties"]["sourcesTotal"] == 2
    assert f"Sources: account:444455556666, federated:{IMG}." in chain["message"]["text"]


def test_hostile_strings_are_data(report: ScanReport) -> None:
    text = render_sarif(report, base_dir="/work/repo")
    strings = [v for _, v in _walk(json.loads(text)) if isinstance(v, str)]
    for s in HOSTILE:
        assert any(s in v for v in strings)


def test_finding_without_statements_falls_back_to_first_input() -> None:
    f = Finding(check_id="public-role", severity=Severity.CRITICAL, role="arn:aws:iam::1:role/R", source="*",
                message="m", remediation="r")
    log = json.loads(render_sarif(ScanReport(findings=(f,), inputs=("in.json",)), base_dir="/w"))
    VALIDATOR.validate(log)
    loc = log["runs"][0]["results"][0]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "in.json"
    log = json.loads(render_sarif(ScanReport(findings=(f,)), base_dir="/w"))
    VALIDATOR.validate(log)
    assert log["runs"][0]["results"][0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == f.role


@pytest.mark.parametrize(("check_id", "name"), [("public-role", "PublicRole"), ("oidc-any-subject", "OidcAnySubject")])
def test_rule_name(check_id: str, name: str) -> None:
    assert rule_name(check_id) == name


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(reports)
def test_any_report_validates(r: ScanReport) -> None:
    from trustgraph.render.sarif import sarif_log
    from trustgraph.render.sarif_tables import expand_sarif

    log = json.loads(render_sarif(r, base_dir="/work/repo"))
    VALIDATOR.validate(log)
    assert len(log["runs"][0]["results"]) == len(r.findings)
    assert expand_sarif(log) == json.loads(json.dumps(sarif_log(r, base_dir="/work/repo")))


def _walk(node: object, key: str = ""):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)
    else:
        yield key, node


GAAD = """{
  "RoleDetailList": [
    {
      "RoleName": "A",
      "AssumeRolePolicyDocument": {
        "Statement": [
          {"Effect": "Allow"},
          {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"}
          }
        ]
      }
    },
    {"RoleName": "B", "AssumeRolePolicyDocument": "%7B%22Statement%22%3A%5B%5D%7D"}
  ]
}
"""


def test_statement_lines_resolve_pointers(tmp_path: Path) -> None:
    export = tmp_path / "gaad.json"
    export.write_text(GAAD, encoding="utf-8")
    f = str(export)
    first = Location(f, "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0")
    second = Location(f, "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/1")
    encoded = Location(f, "/RoleDetailList/1/AssumeRolePolicyDocument/Statement/0")  # inside a URL-encoded string
    missing = Location(str(tmp_path / "absent.json"), "/x")
    lines = statement_lines([first, second, encoded, missing])
    assert lines == {first: 7, second: 8, encoded: 15}
    finding = Finding(check_id="public-role", severity=Severity.CRITICAL, role="arn:aws:iam::1:role/A",
                      source="*", message="m", remediation="r", statements=(second, first))
    report = ScanReport(findings=(finding,), inputs=(f,))
    log = json.loads(render_sarif(report, base_dir=str(tmp_path), lines=statement_lines(report_locations(report))))
    VALIDATOR.validate(log)
    result = log["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "gaad.json"},
                                                          "region": {"startLine": 8}}
    assert result["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 7}
    # with the report's own positions: line and column of the statement object's "{"
    located = report.with_positions()
    assert located.positions == statement_positions([first, second])
    log = json.loads(render_sarif(located, base_dir=str(tmp_path)))
    VALIDATOR.validate(log)
    result = log["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 8, "startColumn": 11}
    assert result["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 11}
    assert statement_positions([encoded])[encoded] == Position(15, 51)  # the URL-encoded document string


def test_json_pointer_lines_rejects_non_json() -> None:
    for bad in ("{", '{"a" 1}', "[1 2]", "{} x", "nope"):
        with pytest.raises(ValueError):
            json_pointer_lines(bad)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


def _pointers(value: object, prefix: str = "") -> list[str]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _pointers(v, prefix + "/" + k.replace("~", "~0").replace("/", "~1"))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _pointers(v, f"{prefix}/{i}")
    return out


@settings(max_examples=80)
@given(json_values)
def test_json_pointer_lines_properties(value: object) -> None:
    pointers = _pointers(value)
    compact = json_pointer_lines(json.dumps(value))
    assert set(compact) == set(pointers) and set(compact.values()) <= {1}
    indented = json_pointer_lines(json.dumps(value, indent=1))
    assert set(indented) == set(pointers)
    # one value per line when indented: lines strictly increase in document order
    order = [indented[p] for p in pointers]
    assert order == sorted(order) and len(set(order)) == len(order)


def test_one_result_per_line(report: ScanReport) -> None:
    """The layout: indented, except each result compact on a line of its own; the document is :func:`sarif_log`'s
    with the witness properties compacted, and :func:`expand_sarif` gives :func:`sarif_log`'s back."""
    from trustgraph.render.sarif import sarif_log
    from trustgraph.render.sarif_tables import compact_sarif, expand_sarif

    text = render_sarif(report, base_dir="/work/repo")
    full = json.loads(json.dumps(sarif_log(report, base_dir="/work/repo")))
    assert json.loads(text) == json.loads(json.dumps(compact_sarif(full)))
    assert expand_sarif(json.loads(text)) == full
    lines = [line for line in text.splitlines() if line.startswith('        {"ruleId"')]
    assert [json.loads(line.rstrip(","))["properties"]["role"] for line in lines] == [f.role for f in report.ordered]
    assert text.endswith("}\n")
    empty = json.loads(render_sarif(ScanReport(), base_dir="/w"))
    assert empty["runs"][0]["results"] == [] and expand_sarif(empty)["runs"][0]["properties"]["summary"]["total"] == 0


def test_witness_properties_written_once(report: ScanReport) -> None:
    """A hop, location or node cited by several results is one entry of ``runs[0].properties.tables``."""
    log = _log(report)
    tables = log["runs"][0]["properties"]["tables"]
    results = log["runs"][0]["results"]
    assert all(isinstance(i, int) for r in results for i in r["properties"]["path"] + r["properties"]["statements"])
    assert len({json.dumps(h, sort_keys=True) for h in tables["hops"]}) == len(tables["hops"])
    assert len({(loc["file"], loc["pointer"]) for loc in tables["locations"]}) == len(tables["locations"])
    assert len(set(tables["nodes"])) == len(tables["nodes"])
