"""The zone of trust chosen without options, Identity Center's place in it, and a directory's own zone.toml.

- with organizations data the zone is the organization(s): every account listed, exported or not; an exported
  account the organization does not list is outside, and a note says so;
- without organizations data, the exported accounts;
- an organization whose member list was not loaded keeps the exported accounts inside (it cannot tell);
- IAM Identity Center's SAML providers in zone accounts are inside unless the zone file says
  ``identity_center = "outside"``; other providers stay outside unless named;
- a ``zone.toml`` at the top of a directory given as PATH is the zone when no option is given, for every directory
  alike, and the zone says so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from trustgraph.graph.build import build_graph
from trustgraph.graph.nodes import federated_node
from trustgraph.ingest.load import load_estate
from trustgraph.ingest.zone_file import zone_from_options
from trustgraph.model.zone import ORIGIN_EXPORTED, ORIGIN_ORGANIZATIONS

from .conftest import SAMPLE

A, B = "111122223333", "444455556666"
SSO_A = f"arn:aws:iam::{A}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
SSO_B = f"arn:aws:iam::{B}:saml-provider/AWSSSO_fedcba9876543210_DO_NOT_DELETE"
OKTA_A = f"arn:aws:iam::{A}:saml-provider/Okta"


def test_organizations_data_makes_the_organization_the_zone() -> None:
    estate = load_estate([SAMPLE])
    zone = zone_from_options(estate, [], None, paths=[SAMPLE])
    assert zone.origin == ORIGIN_ORGANIZATIONS and zone.is_default
    assert zone.organizations == {"o-a1b2c3d4e5"} and zone.accounts == frozenset()
    assert zone.inside_accounts == {A} and zone.exported_outside == {B}
    assert not estate.account_inside(zone, B)
    assert any(n.startswith(f"exported account {B} (not listed by organization o-a1b2c3d4e5): outside the zone")
               for n in zone.notes)


def test_without_organizations_data_the_exported_accounts_are_the_zone() -> None:
    estate = load_estate([SAMPLE / f"gaad-{A}.json", SAMPLE / f"gaad-{B}.json"])
    zone = zone_from_options(estate, [], None)
    assert zone.origin == ORIGIN_EXPORTED and zone.accounts == {A, B} and zone.organizations == frozenset()
    assert zone.exported_outside == frozenset() and zone.notes == ()


def test_organization_without_member_list_keeps_exported_accounts_inside() -> None:
    estate = load_estate([SAMPLE / f"gaad-{A}.json", SAMPLE / f"gaad-{B}.json", SAMPLE / "organization.json"])
    zone = estate.default_zone()
    assert zone.origin == ORIGIN_ORGANIZATIONS and zone.organizations == {"o-a1b2c3d4e5"}
    assert zone.accounts == {B}  # A is the management account (a member); B's membership cannot be established
    assert estate.account_inside(zone, A) and estate.account_inside(zone, B)
    assert any("member list (list-accounts) was not loaded" in n for n in zone.notes)


def _with_saml_roles(tmp_path: Path) -> Path:
    """The sample plus roles federated with Identity Center (in A and in B) and with a second provider of A."""
    out = tmp_path / "exports"
    shutil.copytree(SAMPLE, out)
    for account, provider, name, path in ((A, SSO_A, "AWSReservedSSO_Admin_0123456789abcdef",
                                           "/aws-reserved/sso.amazonaws.com/"),
                                          (B, SSO_B, "AWSReservedSSO_Admin_fedcba9876543210",
                                           "/aws-reserved/sso.amazonaws.com/"),
                                          (A, OKTA_A, "OktaSupportRole", "/")):
        gaad = out / f"gaad-{account}.json"
        doc = json.loads(gaad.read_text())
        doc["RoleDetailList"].append({
            "Path": path, "RoleName": name, "RoleId": "AROA" + name.upper()[-17:].replace("_", "X").rjust(17, "X"),
            "Arn": f"arn:aws:iam::{account}:role{path}{name}", "CreateDate": "2024-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Federated": provider},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]},
            "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": [],
        })
        gaad.write_text(json.dumps(doc))
    return out


@pytest.fixture
def saml_exports(tmp_path: Path) -> Path:
    return _with_saml_roles(tmp_path)


def test_identity_center_of_zone_accounts_is_inside_by_default(saml_exports: Path) -> None:
    estate = load_estate([saml_exports])
    zone = zone_from_options(estate, [], None)
    G = build_graph(estate, zone)
    assert zone.identity_center
    assert G.nodes[federated_node(SSO_A)]["inside"] is True  # the organization's workforce
    assert G.nodes[federated_node(SSO_B)]["inside"] is False  # Identity Center of an account outside the zone
    assert G.nodes[federated_node(OKTA_A)]["inside"] is False  # other providers stay outside unless named
    assert any(n.startswith("IAM Identity Center (1 AWSSSO SAML provider(s) of zone accounts) counts as inside")
               for n in zone.notes)


def test_zone_file_key_puts_identity_center_outside(saml_exports: Path, tmp_path: Path) -> None:
    strict = tmp_path / "strict.toml"
    strict.write_text('organizations = ["o-a1b2c3d4e5"]\nidentity_center = "outside"\n')
    estate = load_estate([saml_exports])
    zone = zone_from_options(estate, [], str(strict))
    G = build_graph(estate, zone)
    assert not zone.identity_center and zone.describe()["identity_center"] == "outside"
    assert G.nodes[federated_node(SSO_A)]["inside"] is False
    assert G.nodes[federated_node(OKTA_A)]["inside"] is False
    explicit = tmp_path / "inside.toml"
    explicit.write_text('organizations = ["o-a1b2c3d4e5"]\nidentity_center = "inside"\n')
    assert build_graph(estate, zone_from_options(estate, [], str(explicit))).nodes[federated_node(SSO_A)]["inside"]


def test_identity_center_outside_makes_its_roles_reachable_from_outside(saml_exports: Path, tmp_path: Path) -> None:
    """The strict view turns Identity Center's route into an outsider's: `external` reaches the role it federates."""
    from trustgraph.api import TrustGraph
    from trustgraph.queries.results import Reach

    role = f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
    strict = tmp_path / "strict.toml"
    strict.write_text('organizations = ["o-a1b2c3d4e5"]\nidentity_center = "outside"\n')
    estate = load_estate([saml_exports])
    default = TrustGraph(estate, zone_from_options(estate, [], None)).can_reach("external", role)
    assert default.verdict is Reach.UNREACHABLE
    outside = TrustGraph(estate, zone_from_options(estate, [], str(strict))).can_reach("external", role)
    assert outside.verdict is Reach.REACHABLE and outside.hops[0].source == federated_node(SSO_A)


def test_directory_zone_file_is_picked_up_and_announced(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    shutil.copytree(SAMPLE, exports)
    (exports / "zone.toml").write_text(f'accounts = ["{A}", "{B}"]\n')
    estate = load_estate([exports])
    zone = zone_from_options(estate, [], None, paths=[exports])
    assert zone.origin == "zone file" and zone.found_in_directory and zone.zone_files == (str(exports / "zone.toml"),)
    assert zone.accounts == {A, B} and zone.exported_outside == frozenset()
    assert any("was found in a scanned directory" in n for n in zone.notes)
    # an option replaces it; a file given as PATH (not a directory) has no zone file of its own
    assert zone_from_options(estate, [A], None, paths=[exports]).origin == "--zone"
    assert zone_from_options(estate, [], None, paths=[exports / f"gaad-{A}.json"]).is_default
