"""The loader: file discovery, encodings, classification by shape."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from trustgraph.ingest.load import classify, iter_json_files, load_estate

from .conftest import SAMPLE

A = "111122223333"


@pytest.mark.parametrize(("encoding", "prefix"), [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                                  ("utf-16-be", b"\xfe\xff")])
def test_byte_order_marks_are_accepted(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = (SAMPLE / f"gaad-{A}.json").read_text()
    (tmp_path / "bom.json").write_bytes(prefix + text.encode(encoding))
    [snap] = load_estate([tmp_path / "bom.json"]).accounts
    [plain] = load_estate([SAMPLE / f"gaad-{A}.json"]).accounts
    assert snap.roles == plain.roles and snap.users == plain.users


def test_directory_search_is_recursive_and_skips_hidden_and_other_files(tmp_path: Path) -> None:
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    shutil.copy(SAMPLE / f"gaad-{A}.json", tmp_path / "nested" / "deeper" / "a.json")
    (tmp_path / ".git" / "broken.json").write_text("{")
    (tmp_path / "README.md").write_text("# not json")
    (tmp_path / "zone.toml").write_text("accounts = []")
    names = [name for _, name in iter_json_files([tmp_path])]
    assert names == [str(tmp_path / "nested" / "deeper" / "a.json")]
    assert [a.account_id for a in load_estate([tmp_path]).accounts] == [A]


def test_duplicate_copies_under_other_names_do_not_duplicate_flags(tmp_path: Path) -> None:
    data = json.loads((SAMPLE / f"gaad-{A}.json").read_text())
    data["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["NotPrincipal"] = (
        data["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0].pop("Principal"))
    for name in ("one.json", "two.json"):
        (tmp_path / name).write_text(json.dumps(data))
    [snap] = load_estate([tmp_path]).accounts
    assert [f.code for f in snap.flags] == ["not-principal-in-trust-policy"]
    assert snap.sources == (str(tmp_path / "one.json"), str(tmp_path / "two.json"))


@pytest.mark.parametrize(("data", "kind"), [
    ({"UserDetailList": []}, "gaad"),
    ([{"RoleDetailList": []}, {"Policies": []}], "gaad"),
    ({"Organization": {"Id": "o-a1b2c3d4e5"}}, "describe-organization"),
    ({"Accounts": []}, "list-accounts"),
    ({"Policy": {"PolicySummary": {}, "Content": "{}"}}, "describe-policy"),
    ({"Targets": [], "PolicyId": "p-12345678"}, "list-targets-for-policy"),
    ({"Roots": []}, "list-roots"),
    ({"Parents": [], "ChildId": A}, "list-parents"),
    ({"OpenIDConnectProviderList": []}, "list-open-id-connect-providers"),
    ({"SAMLProviderList": []}, "list-saml-providers"),
    ({"Url": "x", "ClientIDList": []}, "get-open-id-connect-provider"),
    ({"Roles": []}, None),
    ({"Policy": "not-an-object"}, None),
    ([], None),
    ("text", None),
])
def test_classify_by_shape(data: object, kind: str | None) -> None:
    assert classify(data) == kind
