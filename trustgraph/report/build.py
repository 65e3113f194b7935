"""Building the report of a run: findings with suppressions applied, the checks that ran, the zone, the inputs and
the time of the run, in one :class:`~trustgraph.report.scan_report.ScanReport`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from trustgraph.checks.base import BaseCheck
from trustgraph.checks.finding import Finding
from trustgraph.report.scan_report import ScanReport
from trustgraph.report.suppressions import Suppression, apply_suppressions


def build_report(findings: Iterable[Finding], checks: Iterable[BaseCheck], *, zone: Mapping[str, Any],
                 inputs: tuple[str, ...], entries: Iterable[Suppression] = (), today: dt.date | None = None,
                 generated_at: str | None = None, now: dt.datetime | None = None) -> ScanReport:
    """The :class:`ScanReport` of a run: ``findings`` of ``checks`` with the suppression ``entries`` applied.

    ``now`` (an aware datetime, the analysis time) gives ``generated_at`` and the day suppressions expire against,
    unless those are passed; None reads the clock.
    """
    from trustgraph import __version__

    if now is None:
        now = dt.datetime.now(dt.UTC)
    marked, suppressions = apply_suppressions(findings, entries, today=today or now.astimezone(dt.UTC).date())
    if generated_at is None:
        generated_at = now.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ScanReport(findings=marked, zone=zone, inputs=inputs, tool_version=__version__,
                      generated_at=generated_at, checks_run=tuple(c.info() for c in checks),
                      suppressions=suppressions)


__all__ = ["build_report"]
