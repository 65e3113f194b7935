"""Report plumbing shared by the commands: -o picks the format from the extension, one-line usage errors, --now and
SOURCE_DATE_EPOCH make outputs byte-identical, statement positions in SARIF, graph counts agree with the picture."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from trustgraph.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"
MINI = str(DATA / "checks" / "mini")
SAMPLE = DATA / "two-account-sample"
ZONE = ["--zone", "111122223333", "--zone", "o-a1b2c3d4e5"]
NOW = ["--now", "2026-11-28T15:00:00Z"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- 3. -o FILE picks the format from the extension ------------------------------------------------------------------
@pytest.mark.parametrize(("name", "check"), [
    ("r.json", lambda t: json.loads(t)["version"] >= 1),
    ("r.sarif", lambda t: json.loads(t)["version"] == "2.1.0"),
    ("r.csv", lambda t: t.startswith("check_id,title,severity")),
    ("r.html", lambda t: t.startswith("<!DOCTYPE html>")),
    ("r.HTM", lambda t: t.startswith("<!DOCTYPE html>")),
    ("r.txt", lambda t: "findings:" in t and not t.lstrip().startswith(("{", "<"))),
])
def test_scan_output_extension_chooses_the_format(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str,
                                                  check: object) -> None:
    target = tmp_path / name
    code, out, err = run(capsys, "scan", MINI, *ZONE, "-o", str(target))
    assert (code, out, err) == (1, "", "")
    assert check(target.read_text(encoding="utf-8"))  # type: ignore[operator]
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left beside it


def test_explicit_format_wins_over_the_extension(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    assert run(capsys, "scan", MINI, *ZONE, "--format", "json", "-o", str(target))[0] == 1
    assert json.loads(target.read_text(encoding="utf-8"))["findings"]


def test_unknown_extension_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "scan", MINI, "-o", str(tmp_path / "r.xml"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "cannot tell the format of" in err and "give --format" in err
    assert not list(tmp_path.iterdir())


def test_query_and_inventory_write_by_extension(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    q = tmp_path / "q.json"
    assert run(capsys, "query", MINI, *ZONE, "--from", "external", "-o", str(q)) == (0, "", "")
    assert "results" in json.loads(q.read_text(encoding="utf-8"))
    inv = tmp_path / "inv.csv"
    assert run(capsys, "inventory", MINI, *ZONE, "-o", str(inv)) == (0, "", "")
    assert inv.read_text(encoding="utf-8").splitlines()[0].startswith("arn,kind,account")
    txt = tmp_path / "inv.txt"
    assert run(capsys, "inventory", MINI, *ZONE, "-o", str(txt)) == (0, "", "")
    assert "principals" in txt.read_text(encoding="utf-8")


# -- 5. usage errors: one line, exit 2, a hint to --help -------------------------------------------------------------
@pytest.mark.parametrize(("args", "message", "command"), [
    (["scan", "--format", "xml"], "argument --format: invalid choice: 'xml'", "scan"),
    (["scan", "--zone"], "argument --zone: expected one argument", "scan"),
    (["scan", "--jobs", "many"], "argument --jobs: expected a number of processes or `auto`", "scan"),
    (["scan", "--timeout-ms", "0"], "argument --timeout-ms: must be at least 1", "scan"),
    (["scan", "--now", "yesterday"], "argument --now: expected an ISO 8601 time", "scan"),
    (["query", "--max-hops", "x"], "argument --max-hops: expected a whole number", "query"),
    (["graph"], "the following arguments are required: -o/--output", "graph"),
    (["graph", "-o", "x.svg", "--max-nodes", "0"], "argument --max-nodes: must be at least 1", "graph"),
    (["inventory", "--bogus"], "unrecognized arguments: --bogus", "inventory"),
    (["synth"], "the following arguments are required: OUT", "synth"),
    (["bench", "--roles", "many"], "argument --roles: expected a whole number", "bench"),
    (["nope"], "argument COMMAND: invalid choice: 'nope'", None),
    ([], "a command is required", None),
])
def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str], args: list[str], message: str,
                                   command: str | None) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    hint = f"(see 'trustgraph {command} --help')" if command else "(see 'trustgraph --help')"
    assert err.count("\n") == 1, err
    assert err.startswith(f"trustgraph: error: {message}") and err.endswith(f"{hint}\n"), err


def test_usage_error_values_are_escaped_and_shortened(capsys: pytest.CaptureFixture[str]) -> None:
    """A hostile or huge argument value cannot forge a second error line or flood the log."""
    code, out, err = run(capsys, "scan", "--format", "x\ntrustgraph: error: forged\x1b[2J")
    assert code == 2 and out == "" and err.count("\n") == 1 and "\x1b" not in err and "\\n" in err
    code, _, err = run(capsys, "query", "--max-hops", "9" * 5000)
    assert code == 2 and err.count("\n") == 1 and len(err) < 1000 and "characters)" in err


# -- 7. --now and SOURCE_DATE_EPOCH pin the time: outputs are byte-identical -----------------------------------------
@pytest.mark.parametrize("fmt", ["json", "sarif", "csv", "html", "table"])
def test_pinned_scans_are_byte_identical(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    first = run(capsys, "scan", MINI, *ZONE, *NOW, "--format", fmt)
    second = run(capsys, "scan", MINI, *ZONE, *NOW, "--format", fmt)
    assert first == second and first[1]


def test_now_sets_the_report_time_and_the_witness_clock(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "scan", MINI, *ZONE, "--now", "2026-11-28T16:00:00+01:00", "--format", "json")
    assert json.loads(out)["generated_at"] == "2026-11-28T15:00:00Z"
    _, out, _ = run(capsys, "query", MINI, *ZONE, "--from", "external", "--now", "1700000000", "--format", "json")
    times = {h["context"]["aws:CurrentTime"] for r in json.loads(out)["results"] for h in r["hops"]
             if "aws:CurrentTime" in h["context"]}
    assert times <= {"2023-11-14T22:13:20Z"}


def test_source_date_epoch_pins_the_time(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _, out, _ = run(capsys, "scan", MINI, *ZONE, "--format", "json")
    assert json.loads(out)["generated_at"] == "2023-11-14T22:13:20Z"
    _, again, _ = run(capsys, "scan", MINI, *ZONE, "--format", "json")
    assert out == again
    _, out, _ = run(capsys, "scan", MINI, *ZONE, *NOW, "--format", "json")  # --now wins
    assert json.loads(out)["generated_at"] == "2026-11-28T15:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    code, out, err = run(capsys, "scan", MINI, *ZONE)
    assert code == 2 and err == "trustgraph: error: SOURCE_DATE_EPOCH must be a whole number of seconds, got 'soon'\n"


def test_svg_is_byte_identical(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    for target in (a, b):
        assert run(capsys, "graph", MINI, *ZONE, "-o", str(target))[0] == 0
    assert a.read_bytes() == b.read_bytes()


# -- 9. the numbers printed are the numbers drawn ---------------------------------------------------------------------
def test_graph_prints_the_pictures_own_counts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    svg = tmp_path / "g.svg"
    code, out, _ = run(capsys, "graph", *ZONE, "-o", str(svg))  # the bundled example: membership edges not drawn
    assert code == 0
    described = out.strip().split(": ", 1)[1]
    assert re.search(r"\d+ nodes, \d+ edges", described)
    assert f"<!-- {described} -->" in svg.read_text(encoding="utf-8")
    data = tmp_path / "g.json"
    _, out, _ = run(capsys, "graph", *ZONE, "-o", str(data))
    graph = json.loads(data.read_text(encoding="utf-8"))
    assert out.strip().endswith(f": {len(graph['nodes'])} nodes, {len(graph['links'])} edges")


# -- 1. SARIF regions at the statement's line and column --------------------------------------------------------------
def test_sarif_regions_point_at_the_statements(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SAMPLE)
    target = tmp_path / "r.sarif"
    assert run(capsys, "scan", ".", *NOW, "-o", str(target))[0] == 1
    results = json.loads(target.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert results
    for result in results:
        loc = result["locations"][0]
        region = loc["physicalLocation"]["region"]
        lines = (SAMPLE / loc["physicalLocation"]["artifactLocation"]["uri"]).read_text(encoding="utf-8").splitlines()
        assert region["startLine"] > 1
        assert lines[region["startLine"] - 1][region["startColumn"] - 1:] == "{"  # the statement object starts here
        assert re.fullmatch(r"/RoleDetailList/\d+/AssumeRolePolicyDocument/Statement/\d+",
                            loc["properties"]["jsonPointer"])
