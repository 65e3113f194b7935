"""The package list in pyproject.toml covers every package folder, and the bundled example ships with it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_listed_packages_are_the_package_folders() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "trustgraph").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert set(config["packages"]) == folders | {"trustgraph.datasets"}
    assert config["package-dir"]["trustgraph.datasets"] == "datasets"
    assert (ROOT / "datasets" / "__init__.py").is_file()


def test_bundled_example_has_its_zone_file() -> None:
    from trustgraph.ingest.load import bundled_example_path

    example = bundled_example_path()
    assert (example / "zone.toml").is_file()
    assert sum(1 for p in example.iterdir() if p.name.startswith("gaad-")) == 4
