"""Execute every notebook top to bottom on the bundled data (nbclient, kernel python3) and check its key outputs:
the cells tagged ``check-...`` print verdicts and counts that must be the story's answers, not merely run.

The notebooks are committed without outputs; ``build_notebooks.py`` writes them from their cell sources.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01-getting-started.ipynb", "02-confused-deputy.ipynb", "03-federation.ipynb",
         "04-organization-review.ipynb"]


@cache
def executed(name: str) -> nbformat.NotebookNode:
    """The notebook after running every cell (once per test session), in a fresh directory outside the checkout: the
    notebooks find the bundled data through ``trustgraph.datasets``, wherever they run."""
    import tempfile

    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": tempfile.mkdtemp(prefix="tg-notebook-")}}).execute()
    return nb


def printed(nb: nbformat.NotebookNode, tag: str) -> str:
    """Everything the cell tagged ``tag`` wrote to stdout."""
    cells = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag}"
    return "".join(o.get("text", "") for o in cells[0].outputs if o.output_type == "stream" and o.name == "stdout")


def rows(text: str) -> dict[str, list[str]]:
    """A printed table: first column (up to two spaces) -> the remaining whitespace-separated words."""
    out = {}
    for line in text.splitlines():
        parts = re.split(r"\s{2,}", line.strip())
        if len(parts) > 1:
            out[parts[0]] = parts[1:]
    return out


def test_notebooks_are_committed_without_outputs() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, name
        assert sum(c.cell_type == "markdown" for c in nb.cells) >= 4, f"{name} needs its narrative"


def test_notebooks_match_their_builder() -> None:
    from .build_notebooks import NOTEBOOK_CELLS, build

    for name in NOTEBOOK_CELLS:
        committed = nbformat.read(NOTEBOOKS / name, as_version=4)
        assert [c.source for c in committed.cells] == [c.source for c in build(name).cells], name


def test_notebooks_import_only_the_public_api() -> None:
    allowed = {"trustgraph", "trustgraph.datasets", "trustgraph.plot", "trustgraph.synth",
               "trustgraph.ingest.policy_json", "trustgraph.model.location"}
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        used = set(re.findall(r"^(?:from|import)\s+(trustgraph[\w.]*)", source, re.M))
        assert used <= allowed, (name, used - allowed)


def _no_errors(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.output_type != "error", (cell.source[:80], o.get("ename"), o.get("evalue"))
            assert not (o.output_type == "stream" and o.name == "stderr" and "Traceback" in o.text)


def _images(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_01_getting_started() -> None:
    nb = executed(NAMES[0])
    _no_errors(nb)
    import trustgraph

    data = ROOT / "datasets" / "example-org"
    G = trustgraph.load(data, zone_file=str(data / "zone.toml")).graph
    principals = [d for _, d in G.nodes(data=True) if d["kind"] in ("user", "role")]
    expected = (f"{len(principals)} users and roles in {len({d['account'] for d in principals})} accounts, "
                f"{sum(d['admin'] for d in principals)} admins")
    assert printed(nb, "check-inventory").strip() == expected
    assert expected.endswith("in 4 accounts, 5 admins")
    outside = printed(nb, "check-outside-admin")
    assert "account:333344445555 -> PlatformAdminRole in 3 hops" in outside
    assert "external -> PlatformAdminRole in 3 hops" in outside
    assert "AWSSSO" not in outside and "admin-bob" not in outside   # trusted providers and users are inside
    assert printed(nb, "check-chain").strip() == "reachable in 3 hops"
    assert _images(nb) >= 3
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert "PartnerOpsRole" in html and "witness" in html


@pytest.mark.slow
def test_02_confused_deputy() -> None:
    nb = executed(NAMES[1])
    _no_errors(nb)
    attack = printed(nb, "check-attack").splitlines()
    assert attack == ["reachable", "sts:ExternalId in the witness request: ec-customer-2-tenant"]
    assert printed(nb, "check-guarded").splitlines() == [
        "customer #2's ID: unreachable", "no external ID: unreachable", "customer #1's ID: reachable"]
    proof = printed(nb, "check-proof").splitlines()
    assert proof[0] == "unreachable"
    assert "StringEquals sts:ExternalId" in proof[1] and "ec-7f3c9a1e2b-prod" in proof[1]
    assert printed(nb, "check-proof-account").strip() == "unreachable"
    table = rows(printed(nb, "check-vacuous"))
    assert table["StringEquals (right)"] == ["unreachable", "unreachable", "unreachable"]
    assert table["StringEqualsIfExists"] == ["reachable", "unreachable", "reachable"]
    assert table['StringLike "*"'] == ["unreachable", "reachable", "reachable"]
    findings = printed(nb, "check-findings")
    assert re.search(r"high\s+external-without-external-id\s+ExampleCorpLegacyIfExistsRole", findings)
    assert re.search(r"medium\s+vacuous-condition\s+ExampleCorpLegacyIfExistsRole", findings)
    assert re.search(r"medium\s+vacuous-condition\s+ExampleCorpMonitoringWildcardIdRole", findings)
    assert re.search(r"high\s+external-without-external-id\s+ExampleCorpIntegrationRole", findings)
    assert "external-without-external-id   ExampleCorpMonitoringWildcardIdRole" not in findings
    assert _images(nb) >= 1


@pytest.mark.slow
def test_03_federation() -> None:
    nb = executed(NAMES[2])
    _no_errors(nb)
    table = rows(printed(nb, "check-github"))
    assert table["pinned (repo and branch)"] == ["reachable", "unreachable", "unreachable"]
    assert table["prefix wildcard repo:example-org*"] == ["reachable", "reachable", "unreachable"]
    assert table["unpinned (aud only)"] == ["reachable", "reachable", "reachable"]
    assert printed(nb, "check-saml").splitlines() == [
        "CorpIdpSupportRole: assertion for another service provider -> unreachable",
        "CorpIdpAnalystNoAudRole: assertion for another service provider -> reachable"]
    assert printed(nb, "check-cognito").splitlines() == [
        "CognitoAppUserRole: user of another identity pool -> unreachable",
        "CognitoLegacyNoAudRole: user of another identity pool -> reachable"]
    zone = printed(nb, "check-zone")
    still = re.search(r"still reached through a federated provider: (.*)", zone)
    gone = re.search(r"no longer reachable from outside: (.*)", zone)
    assert still is not None and gone is not None
    federated = set(still.group(1).split(", "))
    assert {"GitHubActionsOrgPrefixRole", "GitHubActionsUnpinnedRole", "LegacyOktaNoAudRole", "CognitoAppUserRole",
            "CognitoLegacyNoAudRole"} <= federated
    no_longer = set(gone.group(1).split(", "))
    assert {"GitHubActionsAppMainRole", "CorpIdpSupportRole", "CorpIdpAnalystNoAudRole",
            "AWSReservedSSO_AdministratorAccess_3f1b2c4d5e6a7b8c"} <= no_longer
    assert not no_longer & federated
    assert not no_longer & {"PlatformAdminRole", "DevReadOnlyRole", "PartnerOpsRole"}  # AWS outsiders still get in
    assert _images(nb) >= 1


@pytest.mark.slow
def test_04_organization_review() -> None:
    nb = executed(NAMES[3])
    _no_errors(nb)
    assert printed(nb, "check-load").strip() == "240 roles in 6 accounts"
    count = re.fullmatch(r"(\d+) findings\n", printed(nb, "check-findings"))
    assert count is not None and int(count.group(1)) > 20
    blast = printed(nb, "check-blast")
    m = re.search(r"(\d+) roles reachable from outside through (\d+) entry points", blast)
    assert m is not None and int(m.group(1)) >= int(m.group(2)) > 0
    worst = re.search(r"worst entry point: (arn:aws:iam::\d{12}:role/\S+)", blast)
    assert worst is not None
    radius = re.search(r"blast radius: (\d+) roles, (\d+) of them admin", blast)
    assert radius is not None and int(radius.group(1)) >= int(radius.group(2))
    # the bar chart, the blast-radius picture and the aggregated organization
    assert _images(nb) >= 3
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert "critical" in html and "<table" in html
