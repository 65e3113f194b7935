"""The CSV report parses back to the same rows, one per finding, with formula cells neutralized."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, given, settings

from trustgraph.render.csv_report import COLUMNS, csv_rows, neutralize, render_csv
from trustgraph.render.report import ScanReport

from .fixtures import HOSTILE, IMG, JS_URL, SCRIPT
from .strategies import reports


def _parse(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_parses_back_to_the_same_rows(report: ScanReport) -> None:
    header, rows = _parse(render_csv(report))
    assert header == list(COLUMNS)
    assert rows == csv_rows(report)
    assert len(rows) == len(report.findings)


def test_path_and_contexts(report: ScanReport) -> None:
    _, rows = _parse(render_csv(report))
    chain = next(r for r in rows if r["check_id"] == "external-path-to-admin")
    assert chain["path"] == (f"account:444455556666 -> arn:aws:iam::444455556666:role/Bridge -> "
                             f"arn:aws:iam::111122223333:role/x{SCRIPT}")
    assert chain["actions"] == "sts:AssumeRole -> sts:AssumeRole"
    contexts = json.loads(chain["contexts"])
    assert contexts[0]["aws:PrincipalTag/team"] == SCRIPT
    assert contexts[1]["aws:RequestTag/x"] == [IMG, JS_URL]
    assert '", "' not in chain["contexts"] and '": ' not in chain["contexts"]  # compact separators
    assert chain["approximate"] == "true"
    assert chain["statements"].split("; ")[0] == (
        "exports/account-b <b>.json#/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0")
    assert chain["sources"] == f"account:444455556666; federated:{IMG}"  # every source, most specific first


def test_hostile_strings_kept(report: ScanReport) -> None:
    text = render_csv(report)
    _, rows = _parse(text)
    cells = "\n".join(v for row in rows for v in row.values())
    for s in HOSTILE:
        assert s in cells


def test_formula_cells_neutralized(report: ScanReport) -> None:
    _, rows = _parse(render_csv(report))
    saml = next(r for r in rows if r["check_id"] == "saml-missing-audience")
    assert saml["message"].startswith("'=HYPERLINK")
    assert neutralize("-") == "-"
    assert neutralize("+1") == "'+1" and neutralize("@SUM(A1)") == "'@SUM(A1)" and neutralize("arn:x") == "arn:x"


def test_suppressed_row_marked(report: ScanReport) -> None:
    _, rows = _parse(render_csv(report))
    marked = [r for r in rows if r["suppressed_by"]]
    assert [r["role"].rsplit("/", 1)[-1] for r in marked] == ["AcceptedRisk"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # the machine is shared
@given(reports)
def test_any_report_round_trips(r: ScanReport) -> None:
    header, rows = _parse(render_csv(r))
    assert header == list(COLUMNS)
    assert rows == csv_rows(r)
