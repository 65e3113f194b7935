"""``trustgraph scan``: exit codes, --fail-on, --check, formats, -o, --jobs, suppressions (applied, expired, unused)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from trustgraph.cli.main import main
from trustgraph.render.json_report import schema
from trustgraph.render.json_tables import expand

DATA = Path(__file__).resolve().parents[1] / "data"
MINI = str(DATA / "checks" / "mini")
SAMPLE = str(DATA / "two-account-sample")
ZONE = ["--zone", "111122223333", "--zone", "o-a1b2c3d4e5"]
VENDOR = "arn:aws:iam::111122223333:role/VendorRole"


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["scan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """The exit code and the report, validated against the schema of what is written (version 4) and expanded to
    the version 3 document (:func:`~trustgraph.render.json_tables.expand`) that the assertions read."""
    code, out, err = scan(capsys, *args, "--format", "json")
    assert err == ""
    written = json.loads(out)
    jsonschema.validate(written, schema())
    return code, expand(written)


# -- exit codes and --fail-on -------------------------------------------------------------------------------------
def test_high_finding_fails_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = scan_json(capsys, MINI, *ZONE)
    assert code == 1
    assert report["summary"]["highest_severity"] == "high"


@pytest.mark.parametrize(("fail_on", "code"), [("critical", 0), ("high", 1), ("medium", 1), ("low", 1)])
def test_fail_on_threshold(capsys: pytest.CaptureFixture[str], fail_on: str, code: int) -> None:
    assert scan(capsys, MINI, *ZONE, "--fail-on", fail_on)[0] == code


def test_only_low_findings_pass_at_medium(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = scan_json(capsys, MINI, *ZONE, "--check", "saml-missing-audience", "--fail-on", "medium")
    assert code == 0
    assert {f["check_id"] for f in report["findings"]} == {"saml-missing-audience"}
    assert [c["id"] for c in report["tool"]["checks"]] == ["saml-missing-audience"]


def test_check_filter_is_repeatable(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = scan_json(capsys, MINI, *ZONE, "--check", "service-confused-deputy", "--check", "external-without-mfa")
    assert {f["check_id"] for f in report["findings"]} == {"service-confused-deputy", "external-without-mfa"}


def test_unknown_check_id_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = scan(capsys, MINI, "--check", "no-such-check")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown check id `no-such-check`" in err


def test_missing_input_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = scan(capsys, str(tmp_path / "nope.json"))
    assert code == 2 and err.startswith("trustgraph: error:") and "Traceback" not in err


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_bad_jobs_is_exit_2(capsys: pytest.CaptureFixture[str], jobs: str) -> None:
    code, out, err = scan(capsys, MINI, "--jobs", jobs)
    assert code == 2 and out == ""
    assert err == f"trustgraph: error: argument --jobs: must be at least 1, got {jobs} (see 'trustgraph scan --help')\n"


def test_jobs_not_a_number_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = scan(capsys, MINI, "--jobs", "many")
    assert code == 2 and out == ""
    assert err == ("trustgraph: error: argument --jobs: expected a number of processes or `auto`, got 'many' "
                   "(see 'trustgraph scan --help')\n")


def test_jobs_auto_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    code_auto, auto = scan_json(capsys, MINI, *ZONE, "--jobs", "auto")
    code_one, one = scan_json(capsys, MINI, *ZONE, "--jobs", "1")
    assert code_auto == code_one == 1
    def keys(report: dict[str, Any]) -> list[tuple[str, str]]:
        return [(f["check_id"], f["role"]) for f in report["findings"]]

    assert keys(auto) == keys(one)


# -- output --------------------------------------------------------------------------------------------------------
def test_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    code, out, _ = scan(capsys, MINI, *ZONE, "--format", "sarif", "-o", str(target))
    assert code == 1 and out == ""
    sarif = json.loads(target.read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"external-without-external-id"}


@pytest.mark.parametrize("fmt", ["table", "csv", "html"])
def test_every_format_names_the_findings(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, _ = scan(capsys, MINI, *ZONE, "--format", fmt)
    assert code == 1
    assert "VendorRole" in out and "saml-missing-audience" in out


def test_no_path_scans_the_bundled_example_under_its_zone(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = scan_json(capsys, "--check", "public-role", "--check", "external-without-external-id")
    assert code == 1
    assert report["zone"]["source"].endswith("zone.toml")
    public = {f["role"].rsplit("/", 1)[-1] for f in report["findings"] if f["check_id"] == "public-role"}
    assert public == {"PublicDebugRole", "ReportsForAllValuesOrgRole"}
    # the vendor's exported account is outside that zone: its confused-deputy role is found
    assert any(f["role"] == "arn:aws:iam::100000000003:role/ExampleCorpIntegrationRole"
               for f in report["findings"] if f["check_id"] == "external-without-external-id")


def test_bundled_example_same_with_and_without_its_path(capsys: pytest.CaptureFixture[str]) -> None:
    """`trustgraph scan` and `trustgraph scan datasets/example-org` read the same zone.toml (the directory's own,
    announced) and give the same findings."""
    example = str(Path(__file__).resolve().parents[2] / "datasets" / "example-org")
    _, without = scan_json(capsys)
    _, with_path = scan_json(capsys, example)

    def answers(report: dict[str, Any]) -> list[tuple[Any, ...]]:  # file names differ with the installed location
        return [(f["check_id"], f["role"], f["severity"], f["kind"], [(s["source"], s["path"]) for s in f["sources"]],
                 [Path(s["file"]).name + s["pointer"] for s in f["statements"]]) for f in report["findings"]]

    assert answers(without) == answers(with_path) and len(answers(without)) > 20
    assert without["summary"] == with_path["summary"]
    for report in (without, with_path):
        assert report["zone"]["origin"] == "zone file" and report["zone"]["found_in_directory"] is True
        assert any("was found in a scanned directory" in n for n in report["zone"]["notes"])


def test_sample_without_zone_options_reports_the_partner_chain(capsys: pytest.CaptureFixture[str]) -> None:
    """Organizations data loaded: the organization is the zone, the partner account 444455556666 is outside, and the
    chain 444455556666 -> VendorIntegrationRole -> DeployRole -> BreakGlassAdminRole is critical."""
    code, report = scan_json(capsys, SAMPLE)
    assert code == 1
    assert report["zone"]["origin"] == "organizations data" and report["zone"]["exported_outside"] == ["444455556666"]
    chain = [f for f in report["findings"] if f["check_id"] == "external-path-to-admin"
             and f["role"] == "arn:aws:iam::111122223333:role/BreakGlassAdminRole"]
    assert len(chain) == 1 and chain[0]["severity"] == "critical"
    assert [h["target"].rsplit("/", 1)[-1] for h in chain[0]["path"]] == [
        "VendorIntegrationRole", "DeployRole", "BreakGlassAdminRole"]
    assert chain[0]["path"][0]["source"] == "account:444455556666"
    _, table, _ = scan(capsys, SAMPLE)
    zone = " ".join(table.split("\n\n", 1)[0].split())  # the zone paragraph, wrapped to the terminal's width
    assert zone.startswith("zone of trust: organization o-a1b2c3d4e5 (1 account inside); IAM Identity "
                           "Center inside [default: organizations data]")
    assert "exported account 444455556666 (not listed by organization o-a1b2c3d4e5): outside" in zone


# -- --jobs ----------------------------------------------------------------------------------------------------------
#: the analysis time pinned: without it, witness context values that no condition constrains default to the wall clock
#: of the solver call, and the report carries the time of the run
NOW = ("--now", "2026-12-01T00:00:00Z")


def test_jobs_give_identical_results(capsys: pytest.CaptureFixture[str]) -> None:
    """The whole report, witness contexts and messages included: a hop's witness is the answer to its own question,
    whichever process asks it and whatever it asked before (``smt.decide.fresh_context``)."""
    code1, one = scan_json(capsys, SAMPLE, *ZONE, *NOW, "--jobs", "1")
    code3, three = scan_json(capsys, SAMPLE, *ZONE, *NOW, "--jobs", "3")
    assert code1 == code3 == 1
    assert one == three
    assert len(one["findings"]) > 5


def test_jobs_identical_on_a_fresh_solver_cache(capsys: pytest.CaptureFixture[str]) -> None:
    # every scan owns its solver session: the workers fork from a parent whose session is its own and empty
    _, one = scan_json(capsys, MINI, *ZONE, *NOW, "--jobs", "1")
    _, two = scan_json(capsys, MINI, *ZONE, *NOW, "--jobs", "2")
    assert one == two


# -- suppressions ------------------------------------------------------------------------------------------------
def _write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_yaml_suppression_applies_and_reports_unused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sup = _write(tmp_path, "s.yaml", """
suppressions:
  - check: external-without-external-id
    role: "arn:aws:iam::111122223333:role/Vendor*"
    source: "account:444455556666"
    reason: vendor contract 42 has no external id yet
    expires: 2999-12-31
  - check: public-role
    role: "*"
    reason: nothing public expected
""")
    code, report = scan_json(capsys, MINI, *ZONE, "--suppressions", sup)
    assert code == 0  # the only high finding is suppressed
    [suppressed] = [f for f in report["findings"] if f["suppressed_by"]]
    assert suppressed["check_id"] == "external-without-external-id" and suppressed["role"] == VENDOR
    assert "vendor contract 42" in suppressed["suppressed_by"]
    assert "s.yaml#/suppressions/0" in suppressed["suppressed_by"]
    assert report["summary"]["suppressed"] == 1 and report["summary"]["highest_severity"] == "medium"
    assert [s["matched"] for s in report["suppressions"]["applied"]] == [1]
    assert [s["check_id"] for s in report["suppressions"]["unused"]] == ["public-role"]
    assert report["suppressions"]["expired"] == []


def test_expired_suppression_does_not_apply(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sup = _write(tmp_path, "s.toml", """
[[suppressions]]
check = "external-without-external-id"
role = "arn:aws:iam::111122223333:role/VendorRole"
reason = "accepted until the vendor migrates"
expires = 2020-01-01
""")
    code, report = scan_json(capsys, MINI, *ZONE, "--suppressions", sup)
    assert code == 1
    assert all(f["suppressed_by"] is None for f in report["findings"])
    [expired] = report["suppressions"]["expired"]
    assert expired["expires"] == "2020-01-01" and expired["location"].endswith("s.toml#/suppressions/0")
    assert report["suppressions"]["unused"] == []


def test_source_must_match(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sup = _write(tmp_path, "s.yml", """
- check: external-without-external-id
  role: "*"
  source: "account:999999999999"
  reason: another vendor
""")
    code, report = scan_json(capsys, MINI, *ZONE, "--suppressions", sup)
    assert code == 1 and report["summary"]["suppressed"] == 0
    assert len(report["suppressions"]["unused"]) == 1


@pytest.mark.parametrize(("text", "pointer", "words"), [
    ("suppressions:\n  - check: public-role\n    role: '*'\n", "/suppressions/0", "missing `reason`"),
    ("suppressions:\n  - check: public-role\n    role: '*'\n    reason: ''\n", "/suppressions/0/reason", "non-empty"),
    ("suppressions:\n  - check: nope\n    role: '*'\n    reason: x\n", "/suppressions/0/check", "unknown check id"),
    ("suppressions:\n  - check: public-role\n    role: '*'\n    reason: x\n    expires: soon\n",
     "/suppressions/0/expires", "expected a date"),
    ("suppressions:\n  - check: public-role\n    role: '*'\n    reason: x\n    owner: me\n",
     "/suppressions/0/owner", "unknown key"),
    ("suppressions: {a: 1}\n", "/suppressions", "expected a list"),
])
def test_bad_suppressions_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, pointer: str,
                               words: str) -> None:
    sup = _write(tmp_path, "bad.yaml", text)
    code, out, err = scan(capsys, MINI, *ZONE, "--suppressions", sup)
    assert code == 2 and out == ""
    assert f"bad.yaml#{pointer}:" in err and words in err


def test_unparsable_suppressions_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sup = _write(tmp_path, "bad.toml", "[[suppressions]\ncheck =")
    code, _, err = scan(capsys, MINI, "--suppressions", sup)
    assert code == 2 and "bad.toml#:" in err and "expected TOML" in err


# -- progress --------------------------------------------------------------------------------------------------------
def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from trustgraph.cli.scan import _progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with _progress(10) as update:
        assert update is None
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    with _progress(10) as update:
        assert callable(update)
        update(5, 10)


def test_list_checks(capsys: pytest.CaptureFixture[str]) -> None:
    from trustgraph.checks.registry import check_ids

    code, out, err = scan(capsys, "--list-checks")
    assert code == 0 and err == ""
    assert [line.split()[0] for line in out.splitlines()] == list(check_ids())
    assert out.splitlines()[2].split()[1] == "critical"  # public-role

