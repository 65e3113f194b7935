"""Suppressions: accepted findings, each with a mandatory reason and an optional expiry date.

A suppressions file is YAML (``.yaml``/``.yml``) or TOML (``.toml``)::

    # YAML                                        # TOML
    suppressions:                                 [[suppressions]]
      - check: external-without-external-id       check = "external-without-external-id"
        role: "arn:aws:iam::111122223333:role/V*" role = "arn:aws:iam::111122223333:role/V*"
        source: "account:444455556666"            source = "account:444455556666"
        reason: "contract 42: vendor has no id"   reason = "contract 42: vendor has no id"
        expires: 2027-01-31                       expires = 2027-01-31

(a YAML file may also be the bare list). ``role`` and ``source`` are globs (``*`` spans anything, ``?`` one
character); ``source`` omitted matches any source. ``expires`` is the last day the entry applies. A finding that an
entry matches is marked (:attr:`Finding.suppressed_by` = the entry's location) and does not count for ``--fail-on``;
expired entries do not apply and are reported, as are entries that matched nothing. Malformed files raise
:class:`~trustgraph.errors.IngestError` with the file and the JSON pointer of the bad value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from trustgraph.checks.finding import Finding
from trustgraph.errors import IngestError
from trustgraph.ingest._fields import parse_errors, show_json
from trustgraph.model.pattern import matches, parse_pattern
from trustgraph.report.scan_report import SuppressionRecord, Suppressions

_KEYS = ("check", "role", "source", "reason", "expires")


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression:
    """One entry of a suppressions file."""

    check_id: str
    role: str
    reason: str
    source: str | None = None
    expires: dt.date | None = None
    location: str = ""

    def expired(self, today: dt.date) -> bool:
        """True after the expiry date."""
        return self.expires is not None and today > self.expires

    def matches(self, finding: Finding) -> bool:
        """Whether this entry covers a finding (check id exactly, role and source as globs). A finding lists every
        source that gets in; an entry with a source covers it only when the glob matches every one of them, so that
        accepting one vendor never hides another outsider's way into the same role."""
        if finding.check_id != self.check_id or not _glob(self.role, finding.role):
            return False
        return self.source is None or all(_glob(self.source, s.source) for s in finding.all_sources)

    def record(self, matched: int = 0) -> SuppressionRecord:
        """The report's view of the entry."""
        return SuppressionRecord(check_id=self.check_id, role=self.role, reason=self.reason, source=self.source,
                                 expires=self.expires.isoformat() if self.expires else None,
                                 location=self.location, matched=matched)


def _glob(pattern: str, value: str) -> bool:
    return matches(parse_pattern(pattern, wildcards=True, variables=False), value)


def load_suppressions(path: str | Path, *, known_checks: Iterable[str] | None = None) -> tuple[Suppression, ...]:
    """Read a YAML or TOML suppressions file.

    Raises
    ------
    IngestError
        When the file cannot be read or parsed, or an entry is malformed (unknown key, missing or empty ``check``,
        ``role`` or ``reason``, a check id not in ``known_checks``, an ``expires`` that is not a date).
    """
    file = str(path)
    p = Path(path)
    try:
        data_bytes = p.read_bytes()
    except OSError as exc:
        raise IngestError(file, "", f"cannot read the suppressions file ({exc.strerror or exc})") from None
    suffix = p.suffix.lower()
    data: Any
    if suffix not in (".toml", ".yaml", ".yml"):
        raise IngestError(file, "", "expected a .yaml, .yml or .toml suppressions file")
    with parse_errors(file, "TOML" if suffix == ".toml" else "YAML"):
        text = data_bytes.decode("utf-8")
        if suffix == ".toml":
            import tomllib

            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise IngestError(file, "", f"expected TOML: {exc}") from None
        else:
            import yaml

            try:
                data = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
                raise IngestError(file, "", f"expected YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    return parse_suppressions(data, file, known_checks=known_checks)


def _loader() -> type:
    """yaml's SafeLoader without implicit timestamps: ``expires: 2027-13-45`` stays text, so the entry's own check
    reports it with its pointer instead of yaml failing without one."""
    import yaml

    class _Loader(yaml.SafeLoader):  # type: ignore[misc]
        pass

    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return _Loader


def parse_suppressions(data: Any, file: str = "<memory>", *,
                       known_checks: Iterable[str] | None = None) -> tuple[Suppression, ...]:
    """Entries from a decoded document (``{"suppressions": [...]}`` or, for YAML, a bare list).

    >>> parse_suppressions({"suppressions": [{"check": "public-role", "role": "*", "reason": "demo"}]})[0].location
    '<memory>#/suppressions/0'
    """
    known = set(known_checks) if known_checks is not None else None
    prefix = "/suppressions"
    if data is None:
        return ()
    if isinstance(data, Mapping):
        unknown = [k for k in data if k != "suppressions"]
        if unknown:
            raise IngestError(file, f"/{unknown[0]}", f"unknown top-level key `{unknown[0]}` (expected suppressions)")
        entries = data.get("suppressions", [])
    elif isinstance(data, list):
        entries, prefix = data, ""
    else:
        raise IngestError(file, "", "expected a mapping with a `suppressions` list")
    if not isinstance(entries, list):
        raise IngestError(file, prefix, "expected a list of suppressions")
    out = []
    for i, raw in enumerate(entries):
        pointer = f"{prefix}/{i}"
        if not isinstance(raw, Mapping):
            raise IngestError(file, pointer, "expected a suppression as a mapping (check, role, reason, ...)")
        extra = [k for k in raw if k not in _KEYS]
        if extra:
            raise IngestError(file, f"{pointer}/{extra[0]}",
                              f"unknown key `{extra[0]}` (expected {', '.join(_KEYS)})")
        check = _required(raw, "check", file, pointer)
        if known is not None and check not in known:
            raise IngestError(file, f"{pointer}/check", f"unknown check id `{check}`")
        role = _required(raw, "role", file, pointer)
        reason = _required(raw, "reason", file, pointer)
        source = raw.get("source")
        if source is not None and (not isinstance(source, str) or not source.strip()):
            raise IngestError(file, f"{pointer}/source", "expected the source as a non-empty string")
        out.append(Suppression(check_id=check, role=role, reason=reason.strip(), source=source,
                               expires=_date(raw.get("expires"), file, f"{pointer}/expires"),
                               location=f"{file}#{pointer}"))
    return tuple(out)


def _required(raw: Mapping[str, Any], key: str, file: str, pointer: str) -> str:
    if key not in raw:
        raise IngestError(file, pointer, f"missing `{key}` (mandatory)")
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise IngestError(file, f"{pointer}/{key}", f"expected `{key}` as a non-empty string")
    return value


def _date(value: Any, file: str, pointer: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    shown = f"`{value}`" if isinstance(value, str) else show_json(value)
    raise IngestError(file, pointer, f"expected a date YYYY-MM-DD, got {shown}")


def apply_suppressions(
    findings: Iterable[Finding], entries: Iterable[Suppression], *, today: dt.date | None = None
) -> tuple[tuple[Finding, ...], Suppressions]:
    """Mark the findings that an entry in force matches (the first such entry wins) and sort the entries into
    applied, expired and unused.

    Returns the findings (in the given order) and the :class:`~trustgraph.report.scan_report.Suppressions` summary.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    entries = tuple(entries)
    active = [e for e in entries if not e.expired(today)]
    counts = {e.location: 0 for e in entries}
    out = []
    for f in findings:
        hit = next((e for e in active if e.matches(f)), None)
        if hit is not None:
            counts[hit.location] += 1
            f = replace(f, suppressed_by=f"{hit.location}: {hit.reason}")
        out.append(f)
    applied = tuple(e.record(counts[e.location]) for e in active if counts[e.location])
    expired = tuple(e.record(0) for e in entries if e.expired(today))
    unused = tuple(e.record(0) for e in active if not counts[e.location])
    return tuple(out), Suppressions(applied=applied, expired=expired, unused=unused)


__all__ = ["Suppression", "apply_suppressions", "load_suppressions", "parse_suppressions"]
