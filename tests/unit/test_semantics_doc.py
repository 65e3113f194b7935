"""docs/semantics.md is the document the code cites: every ``docs/semantics.md §N`` reference names a section that
exists, and no module cites a design document outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "semantics.md"
CITE = re.compile(r"docs/semantics\.md (§[0-9]+(?:\.[0-9]+)*(?:-§[0-9]+(?:\.[0-9]+)*)?)")


def _sections() -> set[str]:
    out: set[str] = set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^#{2,4} ([0-9]+(?:\.[0-9]+)*)\.? ", line)
        if m:
            out.add(m.group(1))
    for line in DOC.read_text(encoding="utf-8").splitlines():  # numbered items of §8 are cited as §8.N
        m = re.match(r"^([0-9]+)\. ", line)
        if m:
            out.add(f"8.{m.group(1)}")
    return out


def _sources() -> list[Path]:
    return [p for d in ("trustgraph", "tests") for p in (ROOT / d).rglob("*.py")]


def test_every_cited_section_exists() -> None:
    sections = _sections()
    assert {"1.2", "1.3", "1.3.1", "2.5", "4.2", "4.3", "5", "6.7", "8.1"} <= sections
    cited: list[tuple[str, str]] = []
    for path in _sources():
        for m in CITE.finditer(path.read_text(encoding="utf-8")):
            for part in m.group(1).split("-"):
                cited.append((path.name, part.lstrip("§")))
    assert cited, "the code cites docs/semantics.md"
    missing = [(f, s) for f, s in cited if s not in sections]
    assert not missing, missing


def test_no_reference_outside_the_repository() -> None:
    bad = [p.name for p in _sources() if re.search(r"/work/shared|design/semantics\.md|semantics brief",
                                                    p.read_text(encoding="utf-8"))
           and p.name != "test_semantics_doc.py"]
    assert not bad, bad
