"""The catalog: every check, in report order, in one tuple (one module per check, sqlglot ``RULES`` style).

Check ids are a contract (suppression files, ``--check``, SARIF rule ids and dashboards depend on them): never rename
one; retire a check by removing it and keeping its id unused.
"""

from __future__ import annotations

from collections.abc import Iterable

from trustgraph.checks import (
    dead_trust_statement,
    external_path_to_admin,
    external_without_external_id,
    external_without_mfa,
    invalid_trust_policy,
    oidc_any_subject,
    privilege_escalation,
    public_role,
    saml_missing_audience,
    service_confused_deputy,
    vacuous_condition,
)
from trustgraph.checks.base import BaseCheck
from trustgraph.errors import UsageError

#: Every check, in catalog order.
CHECKS: tuple[BaseCheck, ...] = (
    external_without_external_id.CHECK,
    external_without_mfa.CHECK,
    public_role.CHECK,
    oidc_any_subject.CHECK,
    saml_missing_audience.CHECK,
    service_confused_deputy.CHECK,
    vacuous_condition.CHECK,
    dead_trust_statement.CHECK,
    external_path_to_admin.CHECK,
    invalid_trust_policy.CHECK,
    privilege_escalation.CHECK,
)

#: Checks by id.
CHECKS_BY_ID: dict[str, BaseCheck] = {c.id: c for c in CHECKS}


def check_ids() -> tuple[str, ...]:
    """Every check id, in catalog order."""
    return tuple(c.id for c in CHECKS)


def select_checks(ids: Iterable[str] | None = None) -> tuple[BaseCheck, ...]:
    """The checks named by ``ids`` in catalog order (None or empty: all of them).

    Raises
    ------
    UsageError
        For an id that is not in the catalog.

    Examples
    --------
    >>> [c.id for c in select_checks(["public-role", "external-without-mfa"])]
    ['external-without-mfa', 'public-role']
    """
    wanted = list(ids or ())
    if not wanted:
        return CHECKS
    unknown = [i for i in wanted if i not in CHECKS_BY_ID]
    if unknown:
        raise UsageError(f"unknown check id `{unknown[0]}` (known: {', '.join(check_ids())})")
    chosen = set(wanted)
    return tuple(c for c in CHECKS if c.id in chosen)
