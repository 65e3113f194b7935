"""The command line: --version, errors, and inventory in three formats on the two-account sample."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trustgraph.cli import main as cli_main
from trustgraph.cli.main import main

from .conftest import SAMPLE

A, B = "111122223333", "444455556666"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, "trustgraph 0.1.0\n", "")


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 2 and out == "" and err.startswith("trustgraph: error: a command is required")
    assert err.endswith("(see 'trustgraph --help')\n") and err.count("\n") == 1


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "inventory", "--format", "xml")
    assert code == 2 and "invalid choice: 'xml'" in err


def test_bad_zone_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "inventory", str(SAMPLE), "--zone", "nope")
    assert (code, out, err) == (2, "", "trustgraph: error: --zone `nope`: expected a 12-digit account id or an "
                                       "organization id (o-...)\n")


def test_missing_subcommand_modules_are_skipped() -> None:
    parser = cli_main.build_parser()
    choices = next(a for a in parser._actions if a.dest == "command").choices  # noqa: SLF001
    assert "inventory" in choices
    for name in cli_main.SUBCOMMANDS:
        exists = (Path(cli_main.__file__).parent / f"{name}.py").exists()
        assert (name in choices) == exists


def test_keyboard_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from trustgraph.cli import inventory

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(inventory, "load_inputs", interrupted)
    code, _, err = run(capsys, "inventory", str(SAMPLE))
    assert code == 130 and err == "trustgraph: interrupted\n"


def test_inventory_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "inventory", str(SAMPLE), "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["version"] == 1
    # organizations data loaded: the zone is the organization (A); B, exported but not listed, is outside
    assert doc["zone"]["accounts"] == [] and doc["zone"]["organizations"] == ["o-a1b2c3d4e5"]
    assert doc["zone"]["origin"] == "organizations data" and doc["zone"]["exported_outside"] == [B]
    rows = {r["arn"]: r for r in doc["principals"]}
    assert len(doc["principals"]) == len(rows) == 3 + 18 + 2 + 2 + 2
    assert set(doc["principals"][0]) == {"arn", "kind", "account", "path", "inside", "admin", "groups", "trust",
                                         "statements", "flags", "admin_kind", "admin_reason"}
    bob = rows[f"arn:aws:iam::{A}:user/bob"]
    assert (bob["kind"], bob["groups"], bob["inside"], bob["flags"]) == ("user", ["Developers"], True, [])
    ci = rows[f"arn:aws:iam::{A}:user/service-accounts/ci-bot"]
    assert (ci["path"], ci["groups"], ci["statements"]) == ("/service-accounts/", [], 1)
    assert rows[f"arn:aws:iam::{A}:role/AuditRoleWithExternalId"]["trust"] == (
        "AWS 999988887777:root [+conditions: sts:ExternalId]")
    assert rows[f"arn:aws:iam::{A}:role/CrossAccountOrgGuardedRole"]["trust"] == (
        f"AWS {B}:root, 999988887777:root | Deny AWS * [+conditions: aws:PrincipalOrgID]")
    assert rows[f"arn:aws:iam::{A}:role/GitHubActionsScopedRole"]["trust"] == (
        "Federated token.actions.githubusercontent.com [+conditions: token.actions.githubusercontent.com:aud, "
        "token.actions.githubusercontent.com:sub]")
    assert rows[f"arn:aws:iam::{A}:role/app/AppServerEc2Role"]["trust"] == "Service ec2"
    oidc = rows[f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"]
    assert (oidc["kind"], oidc["inside"], oidc["statements"], oidc["account"]) == ("oidc", False, None, A)
    assert rows[f"arn:aws:iam::{A}:saml-provider/Okta"]["kind"] == "saml"
    assert {r["kind"] for r in doc["principals"]} == {"user", "role", "oidc", "saml"}


def test_inventory_zone_option_marks_outside(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "inventory", str(SAMPLE), "--format", "json", "--zone", A)
    inside = {r["account"]: r["inside"] for r in json.loads(out)["principals"] if r["kind"] in ("user", "role")}
    assert code == 0 and inside == {A: True, B: False}


def test_inventory_zone_file_trusts_a_provider(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    zone = tmp_path / "zone.toml"
    zone.write_text(f'accounts = ["{A}"]\n[[identity_providers]]\nprovider = "*:saml-provider/Okta"\n')
    code, out, _ = run(capsys, "inventory", str(SAMPLE), "--format", "json", "--zone-file", str(zone))
    rows = {r["kind"]: r["inside"] for r in json.loads(out)["principals"] if r["kind"] in ("saml", "oidc")}
    assert code == 0 and rows == {"saml": True, "oidc": False}


def test_inventory_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "inventory", str(SAMPLE), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 27
    assert list(rows[0]) == ["arn", "kind", "account", "path", "inside", "admin", "groups", "trust", "statements",
                            "flags", "admin_kind", "admin_reason"]
    alice = next(r for r in rows if r["arn"].endswith(":user/alice"))
    assert (alice["groups"], alice["inside"], alice["kind"]) == ("Admins", "true", "user")


def test_inventory_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "inventory", str(SAMPLE))
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "27 principals"
    bob = next(line for line in lines if f"arn:aws:iam::{A}:user/bob " in line)
    assert "Developers" in bob and " yes " in bob
    assert any("arn:aws:iam::111122223333:role/StaleTrustRole" in line and "AWS AIDAJQABLZS4A3QDU576Q" in line
               for line in lines)


def test_inventory_flags_unresolved_managed_policy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads((SAMPLE / f"gaad-{A}.json").read_text())
    data["Policies"] = [p for p in data["Policies"] if not p["Arn"].endswith("policy/AdministratorAccess")]
    (tmp_path / "a.json").write_text(json.dumps(data))
    code, out, _ = run(capsys, "inventory", str(tmp_path), "--format", "json")
    flagged = sorted(r["arn"].rsplit(":", 1)[1] for r in json.loads(out)["principals"]
                     if "unresolved-managed-policy" in r["flags"])
    assert code == 0 and flagged == ["role/AdminRole", "role/BreakGlassAdminRole", "role/OktaSamlAdminRole",
                                     "user/alice"]  # alice through group Admins


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "trustgraph", "--version"], capture_output=True, text=True,
                            check=False, cwd=tmp_path, env={**os.environ})
    assert (result.returncode, result.stdout) == (0, "trustgraph 0.1.0\n")


def test_inventory_admin_column(capsys: pytest.CaptureFixture[str]) -> None:
    """alice (Admins group: AdministratorAccess), AdminRole and BreakGlassAdminRole are admins; bob is not."""
    assert main(["inventory", str(SAMPLE), "--format", "json"]) == 0
    rows = {r["arn"]: r["admin"] for r in json.loads(capsys.readouterr().out)["principals"]}
    assert rows[f"arn:aws:iam::{A}:user/alice"] is True
    assert rows[f"arn:aws:iam::{A}:role/BreakGlassAdminRole"] is True
    assert rows[f"arn:aws:iam::{A}:user/bob"] is False
    assert rows[f"arn:aws:iam::{A}:role/DeployRole"] is False


def test_inventory_without_path_runs_on_the_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    from trustgraph.ingest.load import bundled_example_path

    assert bundled_example_path().is_dir()
    code, out, err = run(capsys, "inventory", "--format", "json")
    doc = json.loads(out)
    assert (code, err) == (0, "")
    assert {r["kind"] for r in doc["principals"]} >= {"user", "role"}
    # the bundled example comes with its zone file: the vendor account it also exports is outside
    assert doc["zone"]["source"].endswith("zone.toml")
    assert "210987654321" not in doc["zone"]["accounts"] and doc["zone"]["organizations"] == ["o-exampleorg1"]
