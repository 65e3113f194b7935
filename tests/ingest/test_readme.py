"""The README's Quick start holds exactly the two commands CI and users rely on."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_start_commands() -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, re.DOTALL)
    assert [b.strip() for b in blocks[:2]] == ["pip install . && trustgraph scan",
                                               "pip install -e '.[dev]' && python -m pytest"]


def test_ci_runs_the_readme_test_command_and_fails_on_no_tests() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert script.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in script
    assert "pip install -e '.[dev]'" in script and "python -m pytest" in script
    assert re.search(r'"\$status" -eq 5', script)
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111
