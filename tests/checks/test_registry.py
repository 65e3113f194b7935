"""The catalog: stable ids, complete metadata, selection by id."""

from __future__ import annotations

import re

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
