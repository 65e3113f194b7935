"""One finding per (check, role): merging per-source answers, the order of sources, and what a scan reports.

On a generated organization with IAM Identity Center in every account (``trustgraph synth``), no finding's only
source may be the organization's own Identity Center (it is inside by default), every (check, role) pair appears once,
and the strict view (``identity_center = "outside"``) brings Identity Center's routes back, still one per pair.
"""

from __future__ import annotations

import collections
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.checks.finding import MAX_LISTED_SOURCES, Finding, FindingKind, Severity, SourceReach, source_class
from trustgraph.checks.grouping import group_findings, merge
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness

ROLE = "arn:aws:iam::111122223333:role/Target"
MID = "arn:aws:iam::111122223333:role/Mid"
LOC = Location("a.json", "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0")


def _finding(source: str, hops: int, *, kind: FindingKind = FindingKind.FINDING, message: str = "m",
             severity: Severity = Severity.HIGH, check: str = "external-without-mfa", role: str = ROLE) -> Finding:
    nodes = [source, *([MID] * (hops - 1)), role]
    path = tuple(HopWitness(source=a, target=b, action="sts:AssumeRole", statements=(LOC,))
                 for a, b in zip(nodes, nodes[1:], strict=False)) if hops else ()
    return Finding(check_id=check, severity=severity, role=role, source=source, message=message, remediation="r",
                   path=path, statements=(LOC,), kind=kind)


def test_sources_most_specific_first_each_with_its_shortest_path() -> None:
    merged = merge([_finding("external", 1), _finding("federated:arn:aws:iam::1:saml-provider/X", 1),
                    _finding("account:444455556666", 3), _finding("account:555566667777", 2)],
                   conditions=lambda loc: 2)
    assert [s.source for s in merged.sources] == [
        "account:555566667777", "account:444455556666", "federated:arn:aws:iam::1:saml-provider/X", "external"]
    assert merged.source == "account:555566667777" and len(merged.path) == 2  # the first source's full witness
    first = merged.sources[0]
    assert (first.hops, first.conditions, first.nodes[0], first.nodes[-1]) == (2, 4, "account:555566667777", ROLE)
    assert merged.exposure == (1, 2)  # the easiest way in: one hop (federated or external)
    assert "Also: `account:444455556666`, `federated:arn:aws:iam::1:saml-provider/X`, `external`." in merged.message


def test_merge_keeps_the_highest_severity_and_proven_over_unknown() -> None:
    merged = merge([_finding("account:444455556666", 0, kind=FindingKind.UNKNOWN, severity=Severity.CRITICAL),
                    _finding("account:555566667777", 1)])
    assert merged.kind is FindingKind.FINDING and merged.severity is Severity.CRITICAL
    assert [(s.source, s.kind) for s in merged.sources] == [("account:555566667777", FindingKind.FINDING),
                                                            ("account:444455556666", FindingKind.UNKNOWN)]
    only_unknown = merge([_finding("external", 0, kind=FindingKind.UNKNOWN)])
    assert only_unknown.kind is FindingKind.UNKNOWN and only_unknown.exposure == (99, 99)


def test_document_level_findings_join_their_messages() -> None:
    merged = merge([_finding("-", 0, message="Statement 0 is dead.", check="dead-trust-statement"),
                    _finding("-", 0, message="Statement 2 is dead.", check="dead-trust-statement")])
    assert merged.message == "Statement 0 is dead. Statement 2 is dead." and len(merged.sources) == 1


def test_group_findings_one_per_check_and_role() -> None:
    other = "arn:aws:iam::111122223333:role/Other"
    grouped = group_findings([_finding("external", 1), _finding("account:444455556666", 1),
                              _finding("external", 1, role=other), _finding("external", 1, check="x-check")])
    assert [(f.check_id, f.role, len(f.sources)) for f in grouped] == [
        ("external-without-mfa", ROLE, 2), ("external-without-mfa", other, 1), ("x-check", ROLE, 1)]


def test_an_ungrouped_finding_still_lists_its_source() -> None:
    f = _finding("account:444455556666", 2)
    assert f.sources == () and [s.source for s in f.all_sources] == ["account:444455556666"]
    assert f.all_sources[0].nodes == ("account:444455556666", MID, ROLE)


@pytest.mark.parametrize(("source", "cls"), [
    ("arn:aws:iam::1:role/R", "principal"), ("account:1", "account"), ("federated:x", "federated"),
    ("service:ec2.amazonaws.com", "service"), ("external", "external"), ("*", "public"), ("-", "none")])
def test_source_classes(source: str, cls: str) -> None:
    assert source_class(source) == cls and SourceReach(source=source, source_class=cls).hops == 0


# ------------------------------------------------------------------------------ a generated organization
@pytest.fixture(scope="module")
def synth_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from trustgraph.synth import synthesize

    out = tmp_path_factory.mktemp("synth")
    synthesize(out, accounts=4, roles_per_account=40, seed=3)
    return out


def _scan(path: Path, zone_file: str | None = None) -> tuple[Finding, ...]:
    from trustgraph.api import TrustGraph
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.registry import select_checks
    from trustgraph.checks.runner import scan
    from trustgraph.ingest.load import load_estate
    from trustgraph.ingest.zone_file import zone_from_options

    estate = load_estate([path])
    zone = zone_from_options(estate, [], zone_file, paths=[path])
    return scan(ScanContext(TrustGraph(estate, zone)), select_checks([]))


def _identity_center(source: str) -> bool:
    return source.startswith("federated:") and "saml-provider/AWSSSO_" in source


def test_synth_organization_identity_center_is_inside(synth_org: Path) -> None:
    findings = _scan(synth_org)
    pairs = collections.Counter((f.check_id, f.role) for f in findings)
    assert findings and max(pairs.values()) == 1
    assert not [f for f in findings if all(_identity_center(s.source) for s in f.all_sources)]


def test_synth_organization_strict_view_reports_identity_center_once_per_role(synth_org: Path,
                                                                              tmp_path: Path) -> None:
    from trustgraph.ingest.load import load_estate

    org = load_estate([synth_org]).organizations[0].org_id
    strict = tmp_path / "strict.toml"
    strict.write_text(f'organizations = ["{org}"]\nidentity_center = "outside"\n')
    findings = _scan(synth_org, str(strict))
    pairs = collections.Counter((f.check_id, f.role) for f in findings)
    assert max(pairs.values()) == 1
    via_sso = [f for f in findings if any(_identity_center(s.source) for s in f.all_sources)]
    assert via_sso and {f.check_id for f in via_sso} <= {"external-path-to-admin", "saml-missing-audience"}


def test_sample_lists_every_outside_source_and_strangers_when_the_witness_is_one() -> None:
    """Two-account sample, default zone: a role several outside accounts reach lists each of them once; a role that
    trusts "*" (with a shared ExternalId) also lists `external`, since its replayed witness is a principal of an
    account no policy names."""
    tests = Path(__file__).resolve().parents[1]
    sample = tests / "data" / "two-account-sample"
    from trustgraph.api import TrustGraph
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.registry import select_checks
    from trustgraph.checks.runner import scan
    from trustgraph.ingest.load import load_estate
    from trustgraph.ingest.zone_file import zone_from_options

    estate = load_estate([sample])
    ctx = ScanContext(TrustGraph(estate, zone_from_options(estate, [], None, paths=[sample])))
    by_role = {f.role.rsplit("/", 1)[-1]: f for f in scan(ctx, select_checks(["external-without-mfa"]))}
    wildcard = [(s.source, s.hops) for s in by_role["WildcardExternalIdOnlyRole"].sources]
    assert wildcard[0] == ("account:444455556666", 1) and ("external", 1) in wildcard
    assert {s for s, _ in wildcard} >= {"account:999988887777", "account:555566667777"}
    assert len(wildcard) == len({s for s, _ in wildcard})
    assert [s.source for s in by_role["VendorIntegrationRole"].sources] == ["account:444455556666"]


def test_condition_counts_per_hop_and_the_context_counter_agree_with_the_reference() -> None:
    """On the bundled example's findings of every reach check (their hops ungrouped), :func:`source_reach` with the
    per-hop counts (what :func:`merge` passes) and the scan's :meth:`ScanContext.condition_counter` give the
    reference's :class:`SourceReach`, field by field; a hop met twice is counted from the memo."""
    from trustgraph.api import load
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.grouping import source_reach
    from trustgraph.checks.registry import CHECKS

    ctx = ScanContext(load())
    counter = ctx.condition_counter()
    found = [f for c in CHECKS for f in c.run(ctx) if f.path]
    assert found
    per_hop: dict[int, int] = {}
    seen = 0
    for f in (*found, *found):  # the second time every hop is known
        assert source_reach(f, counter, per_hop) == source_reach(f, ctx.conditions_at)
        seen += 1
    assert per_hop and seen == 2 * len(found)
    assert all(counter(loc) == ctx.conditions_at(loc) for f in found for h in f.path for loc in h.statements)
    assert any(counter(loc) > 0 for f in found for h in f.path for loc in h.statements)


def _cited_reference(findings: list[Finding]) -> tuple[list[tuple[str, tuple[Location, ...]]], tuple[Location, ...]]:
    """Each source's statements (all its answers', in merge order) and the merged finding's, as merge first wrote
    them: every answer's statements collected for every source, listed or not."""
    from trustgraph.checks.grouping import _order, source_reach

    items = sorted([(source_reach(f), f) for f in findings], key=_order)
    cited: dict[str, dict[Location, None]] = {}
    for s, f in items:
        cited.setdefault(s.source, {}).update(dict.fromkeys(f.statements))
    return ([(source, tuple(held)) for source, held in cited.items()],
            tuple(dict.fromkeys(loc for _, f in items for loc in f.statements)))


_LOCS = [Location("a.json", f"/RoleDetailList/{i}/AssumeRolePolicyDocument/Statement/0") for i in range(6)]


@settings(max_examples=60, deadline=None)
@given(answers=st.lists(st.tuples(st.integers(0, 34), st.integers(0, 3), st.booleans(),
                                  st.lists(st.sampled_from(_LOCS), min_size=1, max_size=4)),
                        min_size=1, max_size=45))
def test_listed_sources_cite_every_answer_of_theirs(answers: list[tuple[int, int, bool, list[Location]]]) -> None:
    """Sources with several answers (each citing other statements), more sources than are listed or fewer: each listed
    source cites the statements of all its answers, the merged finding those of every answer, as the reference
    (statements collected for every source) has them; in full and with a tail."""
    from trustgraph.checks.grouping import every_source

    findings = [replace(_finding(f"account:{100000000000 + n}", hops,
                                 kind=FindingKind.UNKNOWN if unknown else FindingKind.FINDING),
                        statements=tuple(dict.fromkeys(locs)))
                for n, hops, unknown, locs in answers]
    cited, statements = _cited_reference(findings)
    merged = merge(findings)
    assert merged.statements == statements
    assert [(s.source, s.statements) for s in merged.sources] == cited[:MAX_LISTED_SOURCES]
    assert len(merged.sources) + (len(merged.tail) if merged.tail else 0) == len(cited)
    with every_source():
        assert [(s.source, s.statements) for s in merge(findings).sources] == cited
