"""One account's collection with botocore's Stubber (no server): pages merged, providers completed, wrong account
refused."""

from __future__ import annotations

import pytest

boto3 = pytest.importorskip("boto3", reason="the collect extra (boto3) is not installed")
from botocore.stub import Stubber  # noqa: E402

from trustgraph.collect.account import GAAD_FILTERS, WrongAccount, collect_account  # noqa: E402

ACCOUNT = "111122223333"
METADATA = "<EntityDescriptor>" + "A" * 1000 + "</EntityDescriptor>"


def _role(account: str, name: str) -> dict[str, object]:
    return {"RoleName": name, "RoleId": "AROAEXAMPLEEXAMPLE01", "Arn": f"arn:aws:iam::{account}:role/{name}",
            "Path": "/", "AssumeRolePolicyDocument": "%7B%7D"}


def _iam() -> tuple[object, Stubber]:
    client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing", endpoint_url="http://127.0.0.1:9")
    return client, Stubber(client)


def test_pages_are_merged_and_providers_completed() -> None:
    iam, stub = _iam()
    filters = {"Filter": list(GAAD_FILTERS)}
    stub.add_response("get_account_authorization_details", {
        "RoleDetailList": [_role(ACCOUNT, "a")], "IsTruncated": True, "Marker": "m1"}, filters)
    stub.add_response("get_account_authorization_details", {
        "RoleDetailList": [_role(ACCOUNT, "b")], "UserDetailList": [], "IsTruncated": False},
        {**filters, "Marker": "m1"})
    oidc = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    saml = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"
    stub.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": [{"Arn": oidc}]}, {})
    stub.add_response("get_open_id_connect_provider", {"Url": "token.actions.githubusercontent.com",
                                                        "ClientIDList": ["sts.amazonaws.com"]},
                      {"OpenIDConnectProviderArn": oidc})
    stub.add_response("list_saml_providers", {"SAMLProviderList": [{"Arn": saml}]}, {})
    stub.add_response("get_saml_provider", {"SAMLMetadataDocument": METADATA}, {"SAMLProviderArn": saml})
    with stub:
        export = collect_account(iam, ACCOUNT)
    stub.assert_no_pending_responses()
    gaad = export.documents[f"gaad-{ACCOUNT}.json"]
    assert [r["RoleName"] for r in gaad["RoleDetailList"]] == ["a", "b"]  # type: ignore[index]
    assert set(gaad) == {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}  # type: ignore[arg-type]
    assert export.documents[f"oidc-provider-1-{ACCOUNT}.json"] == {
        "Arn": oidc, "Url": "token.actions.githubusercontent.com", "ClientIDList": ["sts.amazonaws.com"]}
    assert export.documents[f"saml-providers-{ACCOUNT}.json"] == {
        "SAMLProviderList": [{"Arn": saml, "SAMLMetadataDocument": METADATA}]}
    assert export.counts == {"users": 0, "groups": 0, "roles": 2, "policies": 0, "oidc_providers": 1,
                             "saml_providers": 1}


def test_details_of_another_account_are_refused() -> None:
    iam, stub = _iam()
    stub.add_response("get_account_authorization_details", {"RoleDetailList": [_role("444455556666", "a")]},
                      {"Filter": list(GAAD_FILTERS)})
    with stub, pytest.raises(WrongAccount, match="for account 111122223333 returned `arn:aws:iam::444455556666"):
        collect_account(iam, ACCOUNT)
