"""Nothing dropped without a word: a truncated boto3 page without its successors is an error naming the missing
part; a directory walk reads ``*.JSON`` and names every file it leaves out that could be an export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from trustgraph.cli.main import main
from trustgraph.errors import IngestError
from trustgraph.ingest.load import load_estate

from .hostile import BASE, FILE, SAMPLE, base


def test_a_truncated_page_alone_is_refused(tmp_path: Path) -> None:
    page = base()
    page["RoleDetailList"] = page["RoleDetailList"][:3]
    page["IsTruncated"], page["Marker"] = True, "AQoDYXdzEJr"
    (tmp_path / FILE).write_text(json.dumps(page))
    with pytest.raises(IngestError) as info:
        load_estate([tmp_path])
    assert info.value.pointer == "/IsTruncated"
    assert "Marker `AQoDYXdzEJr`" in info.value.message and "111122223333" in info.value.message


def test_truncated_pages_with_their_last_page_load(tmp_path: Path) -> None:
    first, last = base(), base()
    first["RoleDetailList"], last["RoleDetailList"] = BASE["RoleDetailList"][:3], BASE["RoleDetailList"][3:]
    first["UserDetailList"], first["Policies"] = [], []
    first["IsTruncated"], first["Marker"], last["IsTruncated"] = True, "m1", False
    (tmp_path / "pages.json").write_text(json.dumps([first, last]))
    estate = load_estate([tmp_path])
    assert len(estate.accounts[0].roles) == len(BASE["RoleDetailList"])
    (tmp_path / "pages.json").write_text(json.dumps([first, first | {"Marker": "m2"}]))
    with pytest.raises(IngestError) as info:
        load_estate([tmp_path])
    assert info.value.pointer == "/1/IsTruncated"


def test_upper_case_json_is_read_and_dot_directories_are_named(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    shutil.copy(SAMPLE / "gaad-111122223333.json", tmp_path / "sub" / "GAAD-111122223333.JSON")
    shutil.copy(SAMPLE / "gaad-444455556666.json", tmp_path / ".hidden" / "gaad-444455556666.json")
    shutil.copy(SAMPLE / "accounts.json", tmp_path / "accounts.txt")
    (tmp_path / "zone.toml").write_text('[[identity_providers]]\nprovider = "x"\n')
    (tmp_path / "README.md").write_text("# exports\n")
    assert main(["inventory", str(tmp_path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert "arn:aws:iam::111122223333:role/" in out
    assert err.count("\n") == 1 and err.startswith("trustgraph: warning: skipped 2 file(s)")
    assert f"{tmp_path / '.hidden' / 'gaad-444455556666.json'} (under a dot-directory" in err
    assert f"{tmp_path / 'accounts.txt'} (JSON content" in err
    assert "zone.toml" not in err and "README" not in err


def test_each_parsed_file_is_freed_once_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader keeps what it needs of a page (its truncation) and drops the parsed document: holding every file
    until the end tripled its peak memory at 20,000 roles and left that much fragmented heap behind for the scan."""
    import gc
    import weakref

    from trustgraph.ingest import load as load_module

    class Doc(dict):  # type: ignore[type-arg]  # a dict that can be weakly referenced
        pass

    read = load_module.read_json
    seen: list[weakref.ref[Doc]] = []
    alive_at_each_read: list[int] = []

    def tracked(path: object, name: str | None = None) -> object:
        gc.collect()
        alive_at_each_read.append(sum(r() is not None for r in seen))
        data = read(path, name)  # type: ignore[arg-type]
        if isinstance(data, dict) and "RoleDetailList" in data:  # an account export (organizations files are kept)
            data = Doc(data)
            seen.append(weakref.ref(data))
        return data

    monkeypatch.setattr(load_module, "read_json", tracked)
    estate = load_estate([str(load_module.bundled_example_path())])
    assert len(seen) >= 3 and len(estate.accounts) >= 3
    # when a file is read, at most the previous one (still bound to the loop's variable) is alive
    assert max(alive_at_each_read) <= 1, alive_at_each_read
