"""Every parse edge gives one line ``trustgraph: error: FILE#/POINTER: ...`` and exit 2 (issue 12's reproductions):
integers over 4,300 digits, nesting past the recursion limit (in the file, in a URL-encoded policy document, in
the value a message shows), zone TOML, suppressions YAML/TOML with invalid dates, Latin-1 text, deep nesting."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from trustgraph.cli.main import main

from .hostile import base, first_role, write

HUGE = "9" * 5000


def run_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 2, err
    assert err.startswith("trustgraph: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and len(err) < 2000
    return err


def test_integer_over_4300_digits_in_an_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = base()
    first_role(doc)["MaxSessionDuration"] = "placeholder"
    err = run_error(capsys, "inventory", str(write(tmp_path, doc, "placeholder", HUGE)))
    assert "gaad-111122223333.json#" in err and "4300 digits" in err


def test_integer_over_4300_digits_in_a_url_encoded_policy(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    doc = base()
    text = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},'
            '"Action":"sts:AssumeRole","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":' + HUGE + '}}}]}')
    first_role(doc)["AssumeRolePolicyDocument"] = urllib.parse.quote(text)
    err = run_error(capsys, "inventory", str(write(tmp_path, doc)))
    assert "#/RoleDetailList/0/AssumeRolePolicyDocument: " in err and "4300 digits" in err


def test_url_encoded_policy_nested_thousands_of_levels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = base()
    first_role(doc)["AssumeRolePolicyDocument"] = urllib.parse.quote('{"a":' * 3000 + "1" + "}" * 3000)
    err = run_error(capsys, "inventory", str(write(tmp_path, doc)))
    assert "#/RoleDetailList/0/AssumeRolePolicyDocument: " in err and "nested too deeply" in err


def test_effect_nested_1000_levels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = base()
    first_role(doc)["AssumeRolePolicyDocument"]["Statement"][0]["Effect"] = "placeholder"
    err = run_error(capsys, "inventory", str(write(tmp_path, doc, "placeholder", "[" * 1000 + '"Allow"' + "]" * 1000)))
    assert "#/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0/Effect: expected" in err


def test_file_nested_past_every_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    err = run_error(capsys, "inventory", str(tmp_path / "deep.json"))
    assert "deep.json#: " in err


@pytest.mark.parametrize(("text", "expected"), [
    ("accounts = [" + HUGE + "]\n", "4300 digits"),
    ("accounts = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ("accounts = [\"111122223333\"]\n# caf\xe9\n", "not UTF-8"),
])
def test_zone_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str) -> None:
    zone = tmp_path / "zone.toml"
    zone.write_bytes(text.encode("latin-1"))
    err = run_error(capsys, "inventory", "--zone-file", str(zone))
    assert "zone.toml#" in err and expected in err


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("s.yaml", '- check: public-role\n  role: "*"\n  reason: x\n  expires: 2027-13-45\n',
     "s.yaml#/0/expires: expected a date YYYY-MM-DD, got `2027-13-45`"),
    ("s.yaml", '- check: public-role\n  role: "*"\n  reason: caf\xe9\n', "s.yaml#: not UTF-8"),
    ("s.yaml", "- " + "[" * 5000 + "]" * 5000 + "\n", "s.yaml#: unsupported YAML: nested too deeply"),
    ("s.toml", "suppressions = " + "[" * 3000 + "]" * 3000 + "\n", "s.toml#: unsupported TOML: nested too deeply"),
    ("s.toml", '[[suppressions]]\ncheck = "public-role"\nrole = "*"\nreason = "x"\nexpires = 2027-13-45\n',
     "s.toml#: expected TOML"),
])
def test_suppressions_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str,
                           expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    err = run_error(capsys, "scan", "--suppressions", str(path), "--check", "public-role")
    assert expected in err


def test_given_value_with_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    err = run_error(capsys, "query", "--given", "\x1b[2J\nforged")
    assert "\\x1b[2J\\nforged" in err


@pytest.mark.parametrize("value", ["[" + HUGE + "]", "[" * 5000])
def test_given_json_list_past_the_parser(capsys: pytest.CaptureFixture[str], value: str) -> None:
    err = run_error(capsys, "query", "--given", f"k={value}")
    assert "--given k: the value is not a JSON list" in err
