"""Identity provider listings and OIDC details."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustgraph.errors import IngestError
from trustgraph.ingest.load import load_estate
from trustgraph.model.organization import ProviderType

GH = "token.actions.githubusercontent.com"
GH_A = f"arn:aws:iam::111122223333:oidc-provider/{GH}"
GH_B = f"arn:aws:iam::444455556666:oidc-provider/{GH}"
OKTA = "arn:aws:iam::111122223333:saml-provider/Okta"
DETAIL = {"Url": f"https://{GH}", "ClientIDList": ["sts.amazonaws.com"],
          "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"], "CreateDate": "2024-03-01T00:00:00Z",
          "Tags": []}


def write(path: Path, data: object) -> None:
    path.write_text(json.dumps(data))


def test_listings_and_details(tmp_path: Path) -> None:
    write(tmp_path / "oidc.json", {"OpenIDConnectProviderList": [{"Arn": GH_A}]})
    write(tmp_path / "saml.json", {"SAMLProviderList": [{"Arn": OKTA, "ValidUntil": "2030-01-01T00:00:00Z",
                                                         "CreateDate": "2024-03-01T00:00:00Z"}]})
    write(tmp_path / "github.json", DETAIL)
    providers = {p.arn: p for p in load_estate([tmp_path]).identity_providers}
    assert set(providers) == {GH_A, OKTA}
    gh = providers[GH_A]
    assert (gh.type, gh.url, gh.client_ids, gh.thumbprints) == (
        ProviderType.OIDC, GH, ("sts.amazonaws.com",), ("6938fd4d98bab03faadb97b34396831e3780aea1",))
    assert providers[OKTA].type is ProviderType.SAML


def test_detail_with_an_arn_key_needs_no_listing(tmp_path: Path) -> None:
    write(tmp_path / "github.json", {**DETAIL, "Arn": GH_B})
    [provider] = load_estate([tmp_path]).identity_providers
    assert (provider.arn, provider.client_ids) == (GH_B, ("sts.amazonaws.com",))


def test_detail_ambiguous_between_accounts(tmp_path: Path) -> None:
    write(tmp_path / "oidc.json", {"OpenIDConnectProviderList": [{"Arn": GH_A}, {"Arn": GH_B}]})
    write(tmp_path / "github.json", DETAIL)
    with pytest.raises(IngestError) as info:
        load_estate([tmp_path])
    assert str(info.value) == (f"{tmp_path / 'github.json'}#: cannot tell which provider this is: 2 listed providers "
                               f'with URL `{GH}`; add an "Arn" key or load list-open-id-connect-providers output with '
                               "it")


def test_account_id_in_file_name_disambiguates(tmp_path: Path) -> None:
    write(tmp_path / "oidc.json", {"OpenIDConnectProviderList": [{"Arn": GH_A}, {"Arn": GH_B}]})
    write(tmp_path / "github-444455556666.json", DETAIL)
    providers = {p.arn: p for p in load_estate([tmp_path]).identity_providers}
    assert providers[GH_B].client_ids == ("sts.amazonaws.com",) and providers[GH_A].client_ids == ()


def test_listing_with_a_non_provider_arn(tmp_path: Path) -> None:
    write(tmp_path / "saml.json", {"SAMLProviderList": [{"Arn": GH_A}]})
    with pytest.raises(IngestError, match=r"saml\.json#/SAMLProviderList/0/Arn: expected an IAM SAML provider ARN"):
        load_estate([tmp_path])
