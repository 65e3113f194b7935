"""Every fast path at once against the reference path: a default scan and a scan under
:func:`~trustgraph.checks.reference_mode.reference_mode` find the same findings on small synthesized organizations
of every profile.

Compared, finding by finding in the scan's order: every field of the finding (check, severity, role, source,
message, remediation, title, kind, statements, approximations, suppression, the merged sources, tail and
through-admin summary) and of each hop of its path but two: the hop's ``caller`` and ``context`` (with the
contexts of an escalation hop's ``calls``), and in oidc-any-subject's message the token of another owner it quotes
(:data:`WITNESS_IN_MESSAGE`). Those are the witness's values, which the reference takes from z3's
model and the fast paths from the evaluator's concrete-first guesses or a class member's replayed request: both
are replayed ALLOWs, checked here, but of different requests (another session name, another ``sts:ExternalId``).
Everything a reader decides on (which role, from which source, by which hops and statements, found or unknown) is
compared.

Sizes are small because the reference asks z3 every candidate of every hop (~10-40x the default scan's time, up to
~100x on some random seeds): the module takes ~15 s of CPU (~30 s wall on a loaded two-core machine).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustgraph
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding
from trustgraph.checks.reference_mode import reference_context, reference_mode
from trustgraph.checks.registry import select_checks
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.synth import synthesize

#: the analysis time of both scans (aws:CurrentTime), pinned so that a second boundary between them changes nothing
NOW_MS = int(datetime(2026, 12, 1, tzinfo=UTC).timestamp() * 1000)

#: (profile, seed, accounts, roles per account); each scanned both ways in ~0.4-3 s
ORGS = [
    ("mix", 1, 2, 10),
    ("chain-heavy", 5, 2, 20),
    ("federation-heavy", 4, 3, 12),
    ("condition-heavy", 2, 2, 10),
    ("vendor-heavy", 6, 2, 10),
    ("random", 3, 3, 20),
    ("random", 14, 4, 12),
    ("random", 16, 3, 10),
    ("random", 107, 2, 12),
]

WITNESS_VALUES = ("caller", "context")

#: messages that quote a witness value, by check, and the pattern of that value: oidc-any-subject's token of
#: another owner (the fast path's guess ``project_path:group107x/``, z3's ``project_path:group107AB/CDE``)
WITNESS_IN_MESSAGE = {"oidc-any-subject": re.compile(r"(one with \S+ = )`[^`]*`( \(another owner\))")}


def scan(directory: Path, *, reference: bool) -> list[Finding]:
    """The findings of every check on the organization in ``directory``, loaded anew, on one process."""
    if not reference:
        tg = trustgraph.load(directory)
        tg.engine.now_ms = NOW_MS
        return list(run_checks(ScanContext(tg), select_checks(None), jobs=1).findings)
    with reference_mode():
        tg = trustgraph.load(directory)
        tg.engine.now_ms = NOW_MS
        ctx = reference_context(tg)
        assert tg.engine.session.options.is_reference
        return list(run_checks(ctx, select_checks(None), jobs=1).findings)


def skeleton(finding: Finding) -> dict[str, Any]:
    """The finding as plain data without its witness values (:data:`WITNESS_VALUES`)."""
    plain = finding_to_plain(finding)
    if finding.check_id in WITNESS_IN_MESSAGE:
        plain["message"], count = WITNESS_IN_MESSAGE[finding.check_id].subn(r"\1`(witness)`\2", finding.message)
        assert count == 1, finding.message
    plain["path"] = [{**{k: v for k, v in hop.items() if k not in WITNESS_VALUES},
                      "calls": [call[:2] for call in hop["calls"]]} for hop in plain["path"]]
    return plain


def assert_same_findings(directory: Path) -> None:
    """The default scan's findings equal the reference scan's but for witness values, and every witness of both
    replays to an ALLOW."""
    fast = scan(directory, reference=False)
    reference = scan(directory, reference=True)
    assert [(f.check_id, f.role, f.source, f.kind) for f in fast] == \
        [(f.check_id, f.role, f.source, f.kind) for f in reference]
    for new, old in zip(fast, reference, strict=True):
        assert skeleton(new) == skeleton(old)
    for f in (*fast, *reference):
        for hop in f.path:
            if hop.evidence is not None:
                assert hop.replay().allowed, (f.check_id, f.role, hop)


def organization(tmp_path: Path, profile: str, seed: int, accounts: int, roles: int) -> Path:
    folder = tmp_path / f"{profile}-{seed}-{accounts}x{roles}"
    synthesize(folder, accounts=accounts, roles_per_account=roles, seed=seed, profile=profile)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize(("profile", "seed", "accounts", "roles"), ORGS)
def test_every_fast_path_finds_what_the_reference_finds(tmp_path: Path, profile: str, seed: int, accounts: int,
                                                        roles: int) -> None:
    assert_same_findings(organization(tmp_path, profile, seed, accounts, roles))


@pytest.mark.slow
@settings(max_examples=3, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**20), accounts=st.integers(2, 3))
def test_random_organizations_find_what_the_reference_finds(tmp_path: Path, seed: int, accounts: int) -> None:
    """Derandomized: the reference's cost varies a hundredfold between seeds of one size (random:103 at 2 x 11
    roles: 25 s of CPU; most seeds under 1 s), so a drawn seed could spend the suite's budget. Raise
    ``max_examples`` and drop ``derandomize`` to explore."""
    assert_same_findings(organization(tmp_path, "random", seed, accounts, 10))


def test_session_name_agreement_lands_in_the_paths_state(tmp_path: Path) -> None:
    """An outsider account assumes Entry (no condition), whose sessions assume Admin only with MFA: the outside
    findings on Admin are exact both ways. The session-name agreement of the path asks the hop into Entry again
    naming the session the next hop's witness uses; z3 may answer with a caller without MFA, which lands in
    (Entry, no MFA), not the path's (Entry, MFA): the agreement asks again for the path's MFA outcome (found on
    random:18 at 2 x 24 roles, where the reference marked such paths approximate)."""
    from tests.checks.helpers import ALLOW_ALL, A, B, assume_policy, gaad, role, role_arn, stmt, trust, write_estate

    entry = role("Entry", trust(stmt({"AWS": f"arn:aws:iam::{B}:root"})), policies=[assume_policy(role_arn("Admin"))])
    admin = role("Admin", trust(stmt({"AWS": f"arn:aws:iam::{A}:root"},
                                     condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "900"}})),
                 policies=[ALLOW_ALL])
    assert_same_findings(write_estate(tmp_path / "exports", {A: gaad(entry, admin)}))
