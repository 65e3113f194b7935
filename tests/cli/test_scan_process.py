"""What the ``scan`` command does around the checks: the loaded estate is kept out of the cyclic garbage
collector's walks while the checks run and while the report is built and written."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from trustgraph.cli import scan
from trustgraph.cli.main import main

SAMPLE = str(Path(__file__).resolve().parents[1] / "data" / "two-account-sample")


def test_the_report_is_written_with_the_loaded_objects_frozen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[int] = []
    write = scan._write  # noqa: SLF001

    def watched(report: Any, fmt: str, args: Any) -> None:
        seen.append(gc.get_freeze_count())
        write(report, fmt, args)

    monkeypatch.setattr(scan, "_write", watched)
    out = tmp_path / "report.json"
    assert main(["scan", SAMPLE, "--jobs", "1", "-o", str(out)]) in (0, 1)
    # what the scan holds (its estate and graph released before the merge) was frozen while the report was written
    assert len(seen) == 1 and seen[0] > 0
    assert gc.get_freeze_count() == 0  # and handed back to the collector afterwards
    assert out.read_text(encoding="utf-8").startswith("{")
