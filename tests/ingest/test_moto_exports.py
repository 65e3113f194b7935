"""Exports written by moto or LocalStack leave out ``Policies[].PolicyName``: the name is derived from the ARN (the
last part of ``policy/PATH/NAME``), the load says so once, and the model equals the full export's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustgraph.cli.main import main
from trustgraph.ingest.gaad import DERIVED_POLICY_NAME
from trustgraph.ingest.load import load_estate, load_warnings

from .conftest import SAMPLE

A, B = "111122223333", "444455556666"


def _without_policy_names(src: Path, dst: Path) -> int:
    data = json.loads(src.read_text())
    for p in data["Policies"]:
        del p["PolicyName"]
    dst.write_text(json.dumps(data))
    return len(data["Policies"])


def test_missing_policy_names_are_derived_from_the_arn(tmp_path: Path) -> None:
    n = _without_policy_names(SAMPLE / f"gaad-{A}.json", tmp_path / f"gaad-{A}.json")
    moto = load_estate([tmp_path / f"gaad-{A}.json"])
    full = load_estate([SAMPLE / f"gaad-{A}.json"])
    assert [p.name for p in moto.accounts[0].policies] == [p.name for p in full.accounts[0].policies]
    assert moto.accounts[0].policies == full.accounts[0].policies
    flags = [f for f in moto.all_flags() if f.code == DERIVED_POLICY_NAME]
    assert len(flags) == 1 and flags[0].message.startswith(f"{n} managed policies have no PolicyName")
    assert flags[0].location.pointer == "/Policies/0"
    assert not [f for f in full.all_flags() if f.code == DERIVED_POLICY_NAME]
    assert load_warnings(full) == ()


def test_the_cli_warns_once_per_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    n = sum(_without_policy_names(SAMPLE / f"gaad-{acct}.json", tmp_path / f"gaad-{acct}.json") for acct in (A, B))
    code = main(["inventory", str(tmp_path), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["principals"]
    warnings = [line for line in err.splitlines() if line.startswith("trustgraph: warning:")]
    assert len(warnings) == 1, err
    assert f"{n} managed policies in 2 files without PolicyName" in warnings[0]


def test_a_policy_name_of_the_wrong_type_is_still_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads((SAMPLE / f"gaad-{A}.json").read_text())
    data["Policies"][0]["PolicyName"] = 7
    (tmp_path / "x.json").write_text(json.dumps(data))
    assert main(["inventory", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "/Policies/0/PolicyName" in err and err.count("\n") == 1
