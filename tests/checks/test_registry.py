"""The catalog: stable ids, complete metadata, selection by id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trustgraph.checks.base import BaseCheck, Check
from trustgraph.checks.finding import Severity
from trustgraph.checks.registry import CHECKS, CHECKS_BY_ID, check_ids, select_checks
from trustgraph.errors import UsageError

#: The ids are a contract (suppression files, SARIF rule ids, dashboards): this list changes only by appending.
CONTRACT = {
    "external-without-external-id": Severity.HIGH,
    "external-without-mfa": Severity.MEDIUM,
    "public-role": Severity.CRITICAL,
    "oidc-any-subject": Severity.CRITICAL,
    "saml-missing-audience": Severity.LOW,
    "service-confused-deputy": Severity.MEDIUM,
    "vacuous-condition": Severity.MEDIUM,
    "dead-trust-statement": Severity.LOW,
    "external-path-to-admin": Severity.CRITICAL,
    "invalid-trust-policy": Severity.MEDIUM,
    "privilege-escalation": Severity.CRITICAL,
}


def test_ids_and_base_severities_are_the_contract() -> None:
    assert {c.id: c.severity for c in CHECKS} == CONTRACT
    assert list(CHECKS_BY_ID) == list(check_ids())


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_metadata_is_ticket_ready(check: BaseCheck) -> None:
    assert isinstance(check, Check)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", check.id)
    for text in (check.title, check.severity_rule, check.rationale, check.remediation):
        assert text and text == text.strip()
    assert len(check.rationale) > 200 and len(check.remediation) > 100
    info = check.info()
    assert (info.id, info.severity, info.remediation) == (check.id, check.severity, check.remediation)


def test_selection_keeps_catalog_order() -> None:
    assert [c.id for c in select_checks(["invalid-trust-policy", "public-role"])] == ["public-role",
                                                                                     "invalid-trust-policy"]
    assert select_checks([]) == CHECKS and select_checks(None) == CHECKS


def test_unknown_id_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown check id `public_role`"):
        select_checks(["public_role"])


def test_auto_jobs_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from trustgraph.checks.runner import AUTO_JOBS_MIN_ROLES, auto_jobs

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert auto_jobs(AUTO_JOBS_MIN_ROLES - 1) == 1
    assert auto_jobs(AUTO_JOBS_MIN_ROLES) == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    assert auto_jobs(100_000) == 8


def test_prepare_runs_once_in_the_parent_before_the_roles(tmp_path: Path) -> None:
    """A check's prepare sees the whole context once, before run sees any role."""
    from trustgraph.checks.base import BaseCheck
    from trustgraph.checks.runner import run_checks

    from .helpers import gaad, load_context, role, stmt, trust, write_estate

    events: list[tuple[str, tuple[str, ...]]] = []

    class Recording(BaseCheck):
        id = "recording"

        def prepare(self, ctx: Any) -> None:
            events.append(("prepare", ctx.roles))

        def run(self, ctx: Any) -> Iterator[Any]:
            events.append(("run", ctx.roles))
            return iter(())

    doc = trust(stmt({"AWS": "arn:aws:iam::444455556666:root"}))
    ctx = load_context(write_estate(tmp_path, {"111122223333": gaad(role("a", doc), role("b", doc))}))
    run_checks(ctx, (Recording(),), jobs=1)
    assert events[0] == ("prepare", ctx.roles) and len(ctx.roles) == 2
    assert [e for e, _ in events[1:]] == ["run", "run"]


def test_shared_work_is_prepared_least_constrained_first() -> None:
    from trustgraph.checks.runner import prepare_all

    order: list[str] = []

    class Ranked(BaseCheck):
        def __init__(self, name: str, rank: int) -> None:
            self.name = name
            self.prepare_rank = rank  # type: ignore[misc]

        def prepare(self, ctx: Any) -> None:
            order.append(self.name)

    prepare_all(None, [Ranked("b", 2), Ranked("a", 0), Ranked("c", 2), Ranked("d", 1)])  # type: ignore[arg-type]
    assert order == ["a", "d", "b", "c"]
    ranks = {c.id: c.prepare_rank for c in CHECKS}
    assert ranks["external-path-to-admin"] < ranks["external-without-mfa"] < ranks["external-without-external-id"]
