"""Strings from hostile exports in every table, CSV and XML output: printed as text, never run (issue 12).

Role paths such as ``/[/]/`` and ``/[link=https://evil.example/]/`` are valid IAM paths; a path or tag may hold ESC.
"""

from __future__ import annotations

import csv
import io
import xml.dom.minidom
from pathlib import Path

import pytest

from trustgraph.cli.main import main

from .hostile import base, first_role, with_role_path, write

ZONE = ["--zone", "111122223333"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["inventory", "query"])
def test_markup_in_a_role_path_is_printed_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     command: str) -> None:
    d = with_role_path(tmp_path, "/[/]/")
    code, out, err = run(capsys, command, str(d), *ZONE)
    assert (code, err) == (0, "")
    assert "role/[/]/AdminRole" in out


@pytest.mark.parametrize("command", ["inventory", "query"])
def test_link_markup_is_not_a_link(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    d = with_role_path(tmp_path, "/[link=https://evil.example/]x[/link]/")
    code, out, err = run(capsys, command, str(d), *ZONE)
    assert code == 0
    assert "[link=https://evil.example/]x[/link]" in out
    assert "\x1b]8;" not in out  # the OSC 8 hyperlink sequence


@pytest.mark.parametrize("command", ["inventory", "query", "scan"])
@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_escape_characters_never_reach_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  command: str, fmt: str) -> None:
    d = with_role_path(tmp_path, "/x\x1b[2J\x1b]8;;https://evil.example/\x07/")
    code, out, err = run(capsys, command, str(d), *ZONE, "--format", fmt)
    assert code in (0, 1)
    assert "\x1b" not in out and "\x07" not in out
    if command == "inventory" or (fmt, command) == ("csv", "query"):  # tables fold long ARNs; scan: no finding
        assert "\\x1b[2J" in out


def test_inventory_csv_neutralises_formulas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = base()
    user = doc["UserDetailList"][0]
    user["GroupList"] = ['=HYPERLINK("https://evil.example/","x")', *user.get("GroupList", [])]
    code, out, _ = run(capsys, "inventory", str(write(tmp_path, doc)), "--format", "csv")
    assert code == 0
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert any(c.startswith("'=HYPERLINK") for c in cells)


def test_query_csv_neutralises_formulas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = base()
    user = doc["UserDetailList"][0]
    name = "=1+1"  # a valid IAM user name
    user["Arn"] = user["Arn"].replace(f"user{user.get('Path', '/')}{user['UserName']}", f"user/{name}")
    user["UserName"], user["Path"] = name, "/"
    code, out, _ = run(capsys, "query", str(write(tmp_path, doc)), *ZONE, "--format", "csv")
    assert code == 0
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert any(c.startswith("'=1+1") for c in cells)
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


@pytest.mark.parametrize("ext", ["graphml", "gexf", "svg"])
def test_xml_exports_stay_well_formed(tmp_path: Path, capsys: pytest.CaptureFixture[str], ext: str) -> None:
    d = with_role_path(tmp_path / "in", "/x\x1b\x01\x0b/")
    target = tmp_path / f"graph.{ext}"
    code, _, err = run(capsys, "graph", str(d), *ZONE, "-o", str(target))
    assert (code, err) == (0, "")
    xml.dom.minidom.parse(str(target))  # raises on a character XML forbids


def test_an_error_line_is_one_short_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = base()
    first_role(doc)["AssumeRolePolicyDocument"]["Statement"][0]["Effect"] = (
        "x\ntrustgraph: error: forged\x1b[2J" + "y" * 10_000_000)
    code, out, err = run(capsys, "inventory", str(write(tmp_path, doc)))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("trustgraph: error: ")
    assert "\x1b" not in err and len(err) < 2000
    assert "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0/Effect" in err
