"""The output folder, the manifest, and the loader's handling of the manifest (no AWS, no moto)."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from trustgraph.collect.manifest import MANIFEST_FORMAT, MANIFEST_NAME, OK, Entry, Manifest, previous_entries
from trustgraph.collect.output import OutputFolder, dump_json
from trustgraph.errors import IngestError
from trustgraph.ingest.load import COLLECT_MANIFEST_FORMAT, classify, load_estate

ROLE_PAGE = {"RoleDetailList": [{
    "RoleName": "r", "RoleId": "AROAEXAMPLE", "Arn": "arn:aws:iam::111122223333:role/r", "Path": "/",
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]},
    "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": [],
    "CreateDate": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)}],
    "UserDetailList": [], "GroupDetailList": [], "Policies": []}


def _manifest() -> Manifest:
    m = Manifest(tool_version="0.1.0", started_at="2026-01-01T00:00:00Z",
                 caller={"account": "111122223333", "arn": "arn:aws:iam::111122223333:user/c", "user_id": "AIDA"})
    m.accounts["111122223333"] = Entry(status=OK, files=("accounts/111122223333/gaad-111122223333.json",),
                                       collected_at="2026-01-01T00:00:01Z", via="caller", counts={"roles": 1})
    return m


def test_the_loader_skips_the_manifest_and_loads_the_exports_beside_it(tmp_path: Path) -> None:
    assert COLLECT_MANIFEST_FORMAT == MANIFEST_FORMAT
    folder = OutputFolder(tmp_path)
    folder.replace_group(folder.account_dir("111122223333"), {"gaad-111122223333.json": ROLE_PAGE})
    _manifest().save(folder)
    assert classify(json.loads((tmp_path / MANIFEST_NAME).read_text())) == "collect-manifest"
    estate = load_estate([tmp_path])
    assert [r.arn for a in estate.accounts for r in a.roles] == ["arn:aws:iam::111122223333:role/r"]
    assert not any(s.endswith(MANIFEST_NAME) for s in estate.sources)


def test_a_json_file_of_unknown_shape_is_still_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "something-else", "accounts": {}}))
    with pytest.raises(IngestError, match="not a recognised export"):
        load_estate([tmp_path / "manifest.json"])


def test_datetimes_are_written_as_iso_8601_with_their_offset() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert json.loads(dump_json({"t": when, "b": b"x"})) == {"t": "2024-01-02T03:04:05+02:00", "b": "x"}


def test_replace_group_swaps_the_whole_folder_and_leaves_nothing_hidden(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    first = folder.replace_group("accounts/111122223333", {"a.json": {"x": 1}, "old.json": {"y": 2}})
    assert first == ["accounts/111122223333/a.json", "accounts/111122223333/old.json"]
    second = folder.replace_group("accounts/111122223333", {"a.json": {"x": 3}})
    assert second == ["accounts/111122223333/a.json"]
    assert sorted(p.name for p in (tmp_path / "accounts").iterdir()) == ["111122223333"]
    assert sorted(p.name for p in (tmp_path / "accounts" / "111122223333").iterdir()) == ["a.json"]
    assert json.loads((tmp_path / "accounts/111122223333/a.json").read_text()) == {"x": 3}


def test_a_previous_entry_is_kept_only_when_ok_and_its_files_are_present(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    files = folder.replace_group("accounts/111122223333", {"gaad-111122223333.json": ROLE_PAGE})
    entry = Entry(status=OK, files=tuple(files))
    assert entry.complete(folder)
    assert not Entry(status="failed", files=tuple(files)).complete(folder)
    assert not Entry(status=OK, files=()).complete(folder)
    (tmp_path / files[0]).unlink()
    assert not entry.complete(folder)


def test_previous_entries_round_trip_and_ignore_foreign_or_broken_manifests(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    assert previous_entries(folder) == (None, {})
    original = _manifest()
    original.save(folder)
    org, accounts = previous_entries(folder)
    assert org is None and accounts == original.accounts
    (tmp_path / MANIFEST_NAME).write_text("{not json")
    assert previous_entries(folder) == (None, {})
    (tmp_path / MANIFEST_NAME).write_text(json.dumps({"format": "other", "accounts": {"1": {"status": "ok"}}}))
    assert previous_entries(folder) == (None, {})


def test_the_collect_package_imports_nothing_of_the_analysis() -> None:
    allowed = {"trustgraph", "trustgraph.errors"}
    package = Path(__file__).resolve().parents[2] / "trustgraph" / "collect"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.startswith("trustgraph"):
                    assert name in allowed or name.startswith("trustgraph.collect"), f"{path.name} imports {name}"
