"""Every format on a report where an outsider reaches admin role A, then admin roles B and C through it
(tests/data/through-admin): ``through_admin`` in the JSON (valid against both schemas, kept by the compaction), the
findings reached through A grouped under A's in the text and HTML reports, a column in the CSV, a property in SARIF."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import run_checks
from trustgraph.render.csv_report import COLUMNS, render_csv
from trustgraph.render.html import render_html
from trustgraph.render.json_report import render_json, report_json, schema
from trustgraph.render.json_tables import expand
from trustgraph.render.sarif import render_sarif
from trustgraph.render.table import render_table
from trustgraph.report.build import build_report
from trustgraph.report.scan_report import ScanReport

DATA = Path(__file__).resolve().parents[1] / "data" / "through-admin"
R = "arn:aws:iam::111122223333:role/"
EPA = "external-path-to-admin"


@pytest.fixture(scope="module")
def report() -> ScanReport:
    import trustgraph
    from trustgraph.checks.context import ScanContext

    ctx = ScanContext(trustgraph.load(DATA, zone=["111122223333", "o-a1b2c3d4e5"]))
    found = run_checks(ctx, CHECKS).findings
    return build_report(found, CHECKS, zone={}, inputs=("x",), now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))


def _v3_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        resources.files("trustgraph").joinpath("schemas/scan-report-v3.schema.json").read_text())
    return loaded


def test_json_carries_through_admin_and_validates(report: ScanReport) -> None:
    doc = json.loads(render_json(report))
    jsonschema.Draft202012Validator(schema()).validate(doc)
    by_role = {f["role"]: f for f in doc["findings"]}
    assert by_role[R + "AdminB"]["through_admin"] == {"role": R + "AdminA", "hop": 2, "check_id": EPA}
    assert by_role[R + "AdminC"]["through_admin"] == {"role": R + "AdminA", "hop": 2, "check_id": EPA}
    assert "through_admin" not in by_role[R + "AdminA"]
    assert doc["summary"]["through_admin"] == 2
    assert "... 7 more hops ..." in by_role[R + "AdminB"]["message"]
    v3 = expand(doc)
    assert v3 == report_json(report)  # the compaction keeps the optional key
    jsonschema.Draft202012Validator(_v3_schema()).validate(json.loads(render_json(report, version=3)))


def test_schema_rejects_a_malformed_through_admin(report: ScanReport) -> None:
    doc = json.loads(render_json(report))
    f = next(f for f in doc["findings"] if "through_admin" in f)
    f["through_admin"] = {"role": R + "AdminA", "hop": 0, "check_id": EPA}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema()).validate(doc)


def test_text_groups_dominated_findings_under_the_root_cause(report: ScanReport) -> None:
    text = render_table(report, width=120)
    headings = [line for line in text.splitlines() if line.startswith("critical  ")]
    assert headings == [f"critical  {EPA}  {R}AdminA"]  # B and C are read under A, not as criticals of their own
    block = text.split(headings[0], 1)[1].split("\n\n", 1)[0]
    assert "also reaches 2 more admin roles through it" in block
    assert f"{R}AdminC (3 hops via AdminA at hop 2)" in block
    assert f"{R}AdminB (11 hops via AdminA at hop 2)" in block
    assert text.count(f"{R}AdminB") == 1
    assert ("3 findings: 3 critical, 0 high, 0 medium, 0 low; 0 unknown; 0 suppressed; "
            "2 critical through another admin role") in text


def test_html_folds_dominated_findings_in_details(report: ScanReport) -> None:
    page = render_html(report, pictures=False)
    a = page.index(f"<code>{R}AdminA</code></dd>")
    details = page.index('<details class="through">')
    assert a < details
    inside = page[details:page.index("</details>\n</section>", details)]  # A is the last finding
    assert "Also reaches 2 more admin roles through it" in inside
    assert f"<code>{R}AdminB</code>" in inside and f"<code>{R}AdminC</code>" in inside
    assert "(+2 admin roles through it: #2-#3)" in page  # the index row of AdminA, which is #1
    assert '<a href="#finding-1"><code>AdminA</code></a>' in page
    assert page.index('id="finding-1"') < details < page.index('id="finding-2"') < page.index('id="finding-3"')
    assert page.count('id="finding-') == 3
    assert "2 critical through another admin role" in page


def test_csv_and_sarif_name_the_dominating_role(report: ScanReport) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert tuple(rows[0]) == COLUMNS and COLUMNS[-1] == "through_admin"
    cells = {r["role"]: r["through_admin"] for r in rows}
    through = f"{R}AdminA (hop 2, {EPA})"
    assert cells == {R + "AdminA": "", R + "AdminC": through, R + "AdminB": through}
    log = json.loads(render_sarif(report))
    props = {r["properties"]["role"]: r["properties"].get("throughAdmin") for r in log["runs"][0]["results"]}
    assert props[R + "AdminA"] is None
    assert props[R + "AdminB"] == {"role": R + "AdminA", "hop": 2, "checkId": EPA}
