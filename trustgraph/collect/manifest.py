"""``manifest.json``: what a collection did, and what a later run may keep.

The manifest records the tool version, the start and end of the last run, the caller, the options, and one entry per
account (and one for the organization) with its status (``ok``, ``failed``, ``skipped``), the error, the time of
collection and the files written. A run without ``--refresh`` keeps a group whose entry is ``ok`` and whose files are
all present. The loader recognises the manifest by its ``format`` field and skips it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from trustgraph.collect.output import OutputFolder, dump_json, write_file_atomic

MANIFEST_NAME = "manifest.json"
#: The value of the manifest's ``format`` field; ``trustgraph.ingest.load`` skips JSON files that carry it.
MANIFEST_FORMAT = "trustgraph-collect-manifest"
MANIFEST_VERSION = 1

OK = "ok"
FAILED = "failed"
SKIPPED = "skipped"


def now_text() -> str:
    """The current UTC time, ISO-8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Entry:
    """The collection state of one account or of the organization."""

    status: str
    files: tuple[str, ...] = ()
    collected_at: str | None = None
    error: Mapping[str, str | None] | None = None
    via: str | None = None
    name: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The manifest object of this entry."""
        out: dict[str, Any] = {"status": self.status, "collected_at": self.collected_at, "files": list(self.files)}
        for key in ("name", "via", "note"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.counts:
            out["counts"] = dict(self.counts)
        out["error"] = dict(self.error) if self.error is not None else None
        return out

    @classmethod
    def from_json(cls, raw: object) -> Entry | None:
        """The entry of a previous manifest, or None when it is not one (the group is then collected again)."""
        if not isinstance(raw, dict) or not isinstance(raw.get("status"), str):
            return None
        files = raw.get("files")
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            return None
        counts = raw.get("counts")
        return cls(status=raw["status"], files=tuple(files), collected_at=_opt_str(raw.get("collected_at")),
                   error=raw.get("error") if isinstance(raw.get("error"), dict) else None,
                   via=_opt_str(raw.get("via")), name=_opt_str(raw.get("name")),
                   counts={k: v for k, v in counts.items() if isinstance(v, int)} if isinstance(counts, dict) else {},
                   note=_opt_str(raw.get("note")))

    def complete(self, folder: OutputFolder) -> bool:
        """True when the group was collected and every file it lists is present."""
        return self.status == OK and bool(self.files) and all(folder.exists(f) for f in self.files)


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass
class Manifest:
    """The manifest of one output folder; the orchestrator updates it after each group and saves it."""

    tool_version: str
    started_at: str
    caller: Mapping[str, str] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    organization: Entry | None = None
    accounts: dict[str, Entry] = field(default_factory=dict)
    finished_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The manifest document."""
        return {
            "format": MANIFEST_FORMAT,
            "format_version": MANIFEST_VERSION,
            "tool": {"name": "trustgraph", "version": self.tool_version},
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "caller": dict(self.caller) if self.caller is not None else None,
            "options": dict(self.options),
            "organization": self.organization.to_json() if self.organization is not None else None,
            "accounts": {k: v.to_json() for k, v in sorted(self.accounts.items())},
        }

    def save(self, folder: OutputFolder) -> None:
        """Write ``manifest.json`` atomically."""
        write_file_atomic(folder.root / MANIFEST_NAME, dump_json(self.to_json()))


def previous_entries(folder: OutputFolder) -> tuple[Entry | None, dict[str, Entry]]:
    """The organization and account entries of the manifest already in ``folder`` (none when there is no readable
    manifest: everything is then collected)."""
    path = folder.root / MANIFEST_NAME
    try:
        raw = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None, {}
    if not isinstance(raw, dict) or raw.get("format") != MANIFEST_FORMAT:
        return None, {}
    accounts = raw.get("accounts")
    found: dict[str, Entry] = {}
    if isinstance(accounts, dict):
        for account_id, value in accounts.items():
            entry = Entry.from_json(value)
            if entry is not None:
                found[str(account_id)] = entry
    return Entry.from_json(raw.get("organization")), found


__all__ = ["FAILED", "MANIFEST_FORMAT", "MANIFEST_NAME", "MANIFEST_VERSION", "OK", "SKIPPED", "Entry", "Manifest",
           "now_text", "previous_entries"]
