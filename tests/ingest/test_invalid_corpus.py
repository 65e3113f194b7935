"""Every file of tests/data/invalid gets its precise one-line error, from the library and from the CLI (exit 2);
every file of tests/data/iam_rejects loads and carries its flag."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from trustgraph.cli.main import main
from trustgraph.errors import IngestError
from trustgraph.ingest.load import load_estate

from .conftest import DATA

INVALID = DATA / "invalid"
REJECTS = DATA / "iam_rejects"
NOT_RECOGNISED = ("not a recognised export: expected get-account-authorization-details, organizations or "
                  "identity-provider output")
ROLE0 = "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"

EXPECTED = {
    "bad-timestamp.json": "bad-timestamp.json#/RoleDetailList/0/CreateDate: expected a timestamp (ISO-8601 text or "
                          "epoch seconds), got `last tuesday`",
    "blank.json": "blank.json#: empty file (expected a JSON export)",
    "boundary-type.json": "boundary-type.json#/RoleDetailList/0/PermissionsBoundary/PermissionsBoundaryType: "
                          'expected "Policy" or "PermissionsBoundaryPolicy", got `Group`',
    "condition-list.json": "condition-list.json#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0/Condition: "
                           "expected a condition block object, got a list",
    "effect-permit.json": f'effect-permit.json#{ROLE0}/Effect: expected "Allow" or "Deny", got "Permit"',
    "empty.json": "empty.json#: empty file (expected a JSON export)",
    "gzip-compressed.json": "gzip-compressed.json#: binary data, not JSON (NUL byte at offset 3)",
    "latin1.json": "latin1.json#: not UTF-8 text: invalid byte 0xe9 at offset 496 (expected a JSON export)",
    "list-roles-output.json": f"list-roles-output.json#: {NOT_RECOGNISED} (top-level keys: `Roles`)",
    "mixed-accounts.json": "mixed-accounts.json#/RoleDetailList/1/Arn: expected an ARN of account 111122223333 in "
                           "partition aws (as at /RoleDetailList/0/Arn), got `arn:aws:iam::444455556666:role/B`: one "
                           "export describes one account",
    "nan-value.json": "nan-value.json#: unsupported JSON: NaN/Infinity, an integer beyond 64 bits or nesting deeper "
                      "than 1024 levels",
    "no-entities.json": "no-entities.json#: cannot tell which account this export describes: it names no user, "
                        "group, role or customer managed policy, and the file name has no 12-digit account id",
    "oidc-detail-unlisted.json": "oidc-detail-unlisted.json#: cannot tell which provider this is: no listed provider "
                                 "with URL `token.actions.githubusercontent.com`; add an \"Arn\" key or load "
                                 "list-open-id-connect-providers output with it",
    "pages-with-number.json": "pages-with-number.json#/1: expected a get-account-authorization-details page object, "
                              "got a number",
    "principal-typo.json": f"principal-typo.json#{ROLE0}/Principals: unknown statement element `Principals`",
    "role-arn-not-iam.json": "role-arn-not-iam.json#/RoleDetailList/0/Arn: expected the role's ARN as an IAM ARN "
                             "(arn:aws:iam::ACCOUNT:...), got `arn:aws:s3:::bucket`",
    "role-without-trust.json": "role-without-trust.json#/RoleDetailList/0: missing `AssumeRolePolicyDocument` "
                               "(expected the role's trust policy)",
    "scp-bad-type.json": "scp-bad-type.json#/Policy/PolicySummary/Type: expected \"SERVICE_CONTROL_POLICY\" or "
                         "\"RESOURCE_CONTROL_POLICY\", got `TAG_POLICY`",
    "scp-content-not-json.json": "scp-content-not-json.json#/Policy/Content: expected a policy document (JSON object "
                                 "or URL-encoded JSON), got a string that does not parse: expecting ',' delimiter at "
                                 "character 57",
    "statement-not-object.json": f"statement-not-object.json#{ROLE0}: expected a statement object, got a string",
    "statement-without-action.json": f"statement-without-action.json#{ROLE0}: statement has neither Action nor "
                                     "NotAction",
    "tags-not-list.json": "tags-not-list.json#/RoleDetailList/0/Tags: expected tags as a list, got an object",
    "targets-unnamed.json": 'targets-unnamed.json#: cannot tell which policy these targets belong to: add a '
                            '"PolicyId" key or name the file after the policy id',
    "top-level-numbers.json": f"top-level-numbers.json#: {NOT_RECOGNISED} (got a list whose items are not "
                              "get-account-authorization-details pages)",
    "top-level-string.json": f"top-level-string.json#: {NOT_RECOGNISED} (got a string)",
    "trailing-data.json": "trailing-data.json#: invalid JSON at line 104 column 1: extra data",
    "truncated.json": "truncated.json#: truncated JSON: the document ends at line 50 column 18 before it is "
                      "complete",
    "url-encoded-truncated.json": "url-encoded-truncated.json#/RoleDetailList/0/AssumeRolePolicyDocument: expected a "
                                  "policy document (JSON object or URL-encoded JSON), got a string that does not "
                                  "parse: expecting ':' delimiter at character 46",
    "user-groups-not-strings.json": "user-groups-not-strings.json#/UserDetailList/0/GroupList/0: expected a group "
                                    "name as a string, got an object",
    "version-typo.json": 'version-typo.json#/RoleDetailList/0/AssumeRolePolicyDocument/Version: expected Version '
                         '"2012-10-17" or "2008-10-17", got "2012-10-18"',
}


def test_the_table_covers_the_whole_corpus() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in INVALID.iterdir())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_file_gets_its_exact_error(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    with pytest.raises(IngestError) as info:
        load_estate([name])
    assert str(info.value) == EXPECTED[name]
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_prints_one_line_and_exits_2(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(INVALID)
    assert main(["inventory", name]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"trustgraph: error: {EXPECTED[name]}\n"


def test_directory_with_one_bad_file_fails_on_it(tmp_path: Path) -> None:
    good = (DATA / "two-account-sample" / "gaad-111122223333.json").read_bytes()
    (tmp_path / "a.json").write_bytes(good)
    (tmp_path / "b.json").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("ignored")
    with pytest.raises(IngestError) as info:
        load_estate([tmp_path])
    assert str(info.value) == f"{tmp_path / 'b.json'}#: empty file (expected a JSON export)"


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"#: no such file or directory$"):
        load_estate([tmp_path / "nope.json"])
    with pytest.raises(IngestError, match=r"#: no \*\.json files in this directory$"):
        load_estate([tmp_path])


def test_fifty_megabytes_of_garbage_get_a_precise_error(tmp_path: Path) -> None:
    """A large file of pseudo-random printable garbage: the error names the first bad position."""
    path = tmp_path / "garbage.json"
    line = b"qz#!@%^&*()_+=-lorem ipsum garbage 0123456789 ~`|\\<>?/.,;:[]{}\n"
    with path.open("wb") as f:
        chunk = line * (1024 * 1024 // len(line) + 1)
        for _ in range(50):
            f.write(chunk)
    assert path.stat().st_size >= 50 * 1024 * 1024
    with pytest.raises(IngestError) as info:
        load_estate([path])
    assert str(info.value) == f"{path}#: invalid JSON at line 1 column 1: expecting value"


def test_fifty_megabytes_of_random_bytes(tmp_path: Path) -> None:
    import random

    path = tmp_path / "random.json"
    rng = random.Random(7)
    path.write_bytes(b"{" + rng.randbytes(50 * 1024 * 1024))
    with pytest.raises(IngestError) as info:
        load_estate([path])
    message = str(info.value)
    assert message.startswith(f"{path}#: ")
    assert message.endswith("(expected a JSON export)") or "binary data, not JSON (NUL byte at offset" in message


REJECT_FLAGS = {
    "condition-keys-differ-in-case.json": ("duplicate-condition-key", "CaseKeys",
                                           f"{ROLE0}/Condition/StringEquals/STS:EXTERNALID"),
    "invalid-numeric-value.json": ("invalid-condition-value", "BadNumber",
                                   f"{ROLE0}/Condition/NumericLessThan/sts:DurationSeconds"),
    "missing-principal.json": ("missing-principal", "NoPrincipal", ROLE0),
    "not-principal-in-trust.json": ("not-principal-in-trust-policy", "NotPrincipalTrust", ROLE0),
    "null-if-exists.json": ("invalid-null-operator", "NullIfExists", f"{ROLE0}/Condition/NullIfExists/sts:ExternalId"),
    "partial-wildcard-principal.json": ("partial-wildcard-principal", "PartialWildcard", ROLE0),
    "principal-in-identity-policy.json": ("principal-in-identity-policy", "IdentityPrincipal",
                                          "/RoleDetailList/0/RolePolicyList/0/PolicyDocument/Statement/0"),
    "service-principal-without-domain.json": ("unrecognized-service-principal", "ShortService", ROLE0),
    "unknown-operator.json": ("unknown-condition-operator", "UnknownOp",
                              f"{ROLE0}/Condition/StringEqualsAnyCase/sts:ExternalId"),
}


def test_reject_table_covers_the_whole_corpus() -> None:
    assert sorted(REJECT_FLAGS) == sorted(p.name for p in REJECTS.iterdir())


@pytest.mark.parametrize("name", sorted(REJECT_FLAGS))
def test_iam_reject_loads_with_its_flag(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REJECTS)
    estate = load_estate([name])
    code, role_name, pointer = REJECT_FLAGS[name]
    [flag] = estate.all_flags()
    assert (flag.code, flag.subject, str(flag.location)) == (
        code, f"arn:aws:iam::111122223333:role/{role_name}", f"{name}#{pointer}")
    assert estate.accounts[0].roles[0].name == role_name  # loaded, not dropped


def test_iam_rejects_show_in_inventory_flags(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["inventory", os.fspath(REJECTS), "--format", "json"]) == 0
    rows = {r["arn"].rsplit("/", 1)[1]: r["flags"] for r in json.loads(capsys.readouterr().out)["principals"]
            if r["kind"] == "role"}
    assert rows == {role: [code] for code, role, _ in REJECT_FLAGS.values()}
