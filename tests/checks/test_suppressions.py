"""Suppression entries: parsing, matching (globs), expiry, applied / expired / unused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trustgraph.checks.finding import Finding, Severity
from trustgraph.errors import IngestError
from trustgraph.report.suppressions import apply_suppressions, load_suppressions, parse_suppressions

TODAY = dt.date(2026, 11, 28)


APP = "arn:aws:iam::111122223333:role/App"


def _finding(check: str = "public-role", role: str = APP, source: str = "*") -> Finding:
    return Finding(check_id=check, severity=Severity.CRITICAL, role=role, source=source, message="m", remediation="r")


def _entries(*items: dict[str, object]) -> tuple:  # type: ignore[type-arg]
    return parse_suppressions({"suppressions": list(items)}, "s.yaml")


def test_role_and_source_globs() -> None:
    entries = _entries({"check": "public-role", "role": "arn:aws:iam::111122223333:role/A*", "reason": "r",
                        "source": "*"},
                       {"check": "public-role", "role": "*", "source": "account:4444*", "reason": "r"})
    findings, sup = apply_suppressions([_finding(), _finding(role="arn:aws:iam::111122223333:role/Other"),
                                        _finding(source="account:444455556666",
                                                 role="arn:aws:iam::111122223333:role/Other")], entries, today=TODAY)
    assert [f.suppressed_by is not None for f in findings] == [True, False, True]
    assert findings[0].suppressed_by == "s.yaml#/suppressions/0: r"
    assert [r.matched for r in sup.applied] == [1, 1] and sup.unused == () and sup.expired == ()


def test_source_glob_must_match_every_source_of_a_grouped_finding() -> None:
    """One finding per (check, role) lists every source: accepting one vendor never hides another outsider."""
    from trustgraph.checks.grouping import merge

    vendor = _finding(check="external-without-mfa", source="account:444455556666")
    other = _finding(check="external-without-mfa", source="account:555566667777")
    entries = _entries({"check": "external-without-mfa", "role": APP, "source": "account:4444*", "reason": "vendor"})
    (both,), _ = apply_suppressions([merge([vendor, other])], entries, today=TODAY)
    assert both.suppressed_by is None
    (alone,), _ = apply_suppressions([merge([vendor])], entries, today=TODAY)
    assert alone.suppressed_by == "s.yaml#/suppressions/0: vendor"


def test_check_id_must_match_exactly() -> None:
    entries = _entries({"check": "external-without-mfa", "role": "*", "reason": "r"})
    findings, sup = apply_suppressions([_finding()], entries, today=TODAY)
    assert findings[0].suppressed_by is None
    assert [r.check_id for r in sup.unused] == ["external-without-mfa"]


def test_first_matching_entry_wins() -> None:
    entries = _entries({"check": "public-role", "role": "*", "reason": "first"},
                       {"check": "public-role", "role": "*", "reason": "second"})
    findings, sup = apply_suppressions([_finding()], entries, today=TODAY)
    assert findings[0].suppressed_by is not None and findings[0].suppressed_by.endswith("first")
    assert [r.reason for r in sup.unused] == ["second"]


@pytest.mark.parametrize(("expires", "applies"), [("2026-11-28", True), ("2026-11-27", False), (None, True)])
def test_expiry_is_the_last_day(expires: str | None, applies: bool) -> None:
    item: dict[str, object] = {"check": "public-role", "role": "*", "reason": "r"}
    if expires:
        item["expires"] = expires
    findings, sup = apply_suppressions([_finding()], _entries(item), today=TODAY)
    assert (findings[0].suppressed_by is not None) is applies
    assert len(sup.expired) == (0 if applies else 1)
    if not applies:
        assert sup.expired[0].expires == expires and sup.unused == ()


def test_toml_and_yaml_dates(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text('[[suppressions]]\ncheck = "public-role"\nrole = "*"\nreason = "r"\n'
                                     "expires = 2027-01-31\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("- {check: public-role, role: '*', reason: r, expires: 2027-01-31}\n",
                                     encoding="utf-8")
    for name, pointer in (("s.toml", "/suppressions/0"), ("s.yaml", "/0")):
        [entry] = load_suppressions(tmp_path / name, known_checks=["public-role"])
        assert entry.expires == dt.date(2027, 1, 31)
        assert entry.location == f"{tmp_path / name}#{pointer}"


def test_empty_file_has_no_entries(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("", encoding="utf-8")
    assert load_suppressions(tmp_path / "s.yaml") == ()


@pytest.mark.parametrize(("name", "text", "where"), [
    ("s.json", "{}", "#: expected a .yaml"),
    ("s.yaml", "suppressions:\n  - [1, 2]\n", "#/suppressions/0: expected a suppression as a mapping"),
    ("s.yaml", "other: 1\n", "#/other: unknown top-level key"),
    ("s.yaml", "suppressions:\n - check: public-role\n   role: 3\n   reason: r\n", "#/suppressions/0/role:"),
    ("s.yaml", "suppressions: [\n", "#: expected YAML at line"),
])
def test_bad_files(tmp_path: Path, name: str, text: str, where: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(IngestError) as exc:
        load_suppressions(tmp_path / name, known_checks=["public-role"])
    assert f"{tmp_path / name}{where}" in str(exc.value)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="cannot read the suppressions file"):
        load_suppressions(tmp_path / "missing.yaml")
