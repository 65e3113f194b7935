"""Hostile variants of the two-account sample's account export, written into a temporary directory.

Each helper edits the first role of ``gaad-111122223333.json`` (the reproductions of issue 12) and returns the
directory to load. Strings are inserted into the JSON text where Python's ``json`` cannot build the document
(nesting deeper than its recursion limit, integers over 4,300 digits).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "two-account-sample"
BASE: dict[str, Any] = json.loads((SAMPLE / "gaad-111122223333.json").read_text())
FILE = "gaad-111122223333.json"


def base() -> dict[str, Any]:
    """A fresh copy of the sample account export."""
    return copy.deepcopy(BASE)


def first_role(doc: dict[str, Any]) -> dict[str, Any]:
    role: dict[str, Any] = doc["RoleDetailList"][0]
    return role


def write(tmp: Path, doc: dict[str, Any] | str, placeholder: str | None = None, raw: str | None = None) -> Path:
    """Write ``doc`` as the account export in ``tmp``; ``"placeholder"`` strings replaced by ``raw`` JSON text."""
    text = doc if isinstance(doc, str) else json.dumps(doc)
    if placeholder is not None and raw is not None:
        assert json.dumps(placeholder) in text
        text = text.replace(json.dumps(placeholder), raw)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / FILE).write_text(text, encoding="utf-8")
    return tmp


def with_role_path(tmp: Path, path: str) -> Path:
    """The sample whose first role has IAM path ``path`` (and the matching ARN)."""
    doc = base()
    role = first_role(doc)
    old = role["Path"]
    role["Path"] = path
    role["Arn"] = role["Arn"].replace(f":role{old}", f":role{path}", 1)
    return write(tmp, doc)
