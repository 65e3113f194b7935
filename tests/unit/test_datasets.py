"""``trustgraph.datasets``: the bundled data, found from any working directory (what the notebooks rely on)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import trustgraph.datasets as data

ROOT = Path(__file__).resolve().parents[2]


def test_paths_are_the_bundled_folders() -> None:
    assert data.example_org().resolve() == (ROOT / "datasets" / "example-org").resolve()
    assert data.example_zone_file() == data.example_org() / "zone.toml" and data.example_zone_file().is_file()
    assert data.expected().is_dir()
    assert sorted(p.name for p in data.example_org().glob("gaad-*.json"))


def test_loads_from_another_directory(tmp_path: Path) -> None:
    code = ("import trustgraph, trustgraph.datasets as d; "
            "tg = trustgraph.load(d.example_org(), zone_file=str(d.example_zone_file())); "
            "print(len(tg.estate.accounts))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True)
    assert int(out.stdout) == 4


def test_inventory_statements_are_whole_numbers() -> None:
    import trustgraph

    frame = trustgraph.load(data.example_org(), zone_file=str(data.example_zone_file())).inventory()
    assert str(frame["statements"].dtype) == "Int64"
    principals = frame[frame["kind"].isin(["user", "role"])]
    assert principals["statements"].notna().all() and (principals["statements"] >= 0).all()
    assert frame.loc[~frame["kind"].isin(["user", "role"]), "statements"].isna().all()
