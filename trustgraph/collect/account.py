"""One account's exports: authorization details and identity providers, as the documents the loader reads.

* ``get-account-authorization-details``: every page, every entity filter, merged into one document exactly as the
  AWS CLI prints it (the lists concatenated; ``IsTruncated`` and ``Marker`` dropped);
* ``list-open-id-connect-providers``, and ``get-open-id-connect-provider`` for each provider with the ``"Arn"`` key
  the loader needs to tell which provider the output describes;
* ``list-saml-providers``, each item completed with its ``get-saml-provider`` output (``SAMLMetadataDocument``
  and the rest), so the metadata is kept in a file the loader recognises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Every entity type get-account-authorization-details can return (the CLI's ``--filter`` values).
GAAD_FILTERS = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
GAAD_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


class WrongAccount(Exception):
    """The credentials reached another account than the one being collected."""


@dataclass(frozen=True)
class AccountExport:
    """The documents of one account (file name -> JSON document) and how many of each thing they hold."""

    documents: dict[str, object]
    counts: dict[str, int] = field(default_factory=dict)


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def authorization_details(iam: Any) -> dict[str, list[Any]]:
    """``get-account-authorization-details`` over every page and filter, merged like the AWS CLI merges it."""
    merged: dict[str, list[Any]] = {key: [] for key in GAAD_LISTS}
    paginator = iam.get_paginator("get_account_authorization_details")
    for page in paginator.paginate(Filter=list(GAAD_FILTERS)):
        for key in GAAD_LISTS:
            merged[key].extend(page.get(key, []))
    return merged


def _check_account(details: dict[str, list[Any]], account_id: str) -> None:
    marker = f":{account_id}:"
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
        for item in details[key]:
            arn = str(item.get("Arn", ""))
            if marker not in arn:
                raise WrongAccount(f"the credentials for account {account_id} returned `{arn}`")


def collect_account(iam: Any, account_id: str) -> AccountExport:
    """The exports of ``account_id`` read with ``iam`` (a client whose credentials act in that account).

    botocore errors propagate (the caller records them); :class:`WrongAccount` when the details name another
    account.
    """
    details = authorization_details(iam)
    _check_account(details, account_id)
    documents: dict[str, object] = {f"gaad-{account_id}.json": details}

    oidc = _strip(iam.list_open_id_connect_providers())
    oidc.setdefault("OpenIDConnectProviderList", [])
    documents[f"oidc-providers-{account_id}.json"] = oidc
    for index, item in enumerate(oidc["OpenIDConnectProviderList"]):
        arn = item["Arn"]
        detail = _strip(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn))
        documents[f"oidc-provider-{index + 1}-{account_id}.json"] = {"Arn": arn, **detail}

    saml = _strip(iam.list_saml_providers())
    items = []
    for item in saml.get("SAMLProviderList", []):
        detail = _strip(iam.get_saml_provider(SAMLProviderArn=item["Arn"]))
        items.append({**detail, **item})
    documents[f"saml-providers-{account_id}.json"] = {**saml, "SAMLProviderList": items}

    counts = {
        "users": len(details["UserDetailList"]),
        "groups": len(details["GroupDetailList"]),
        "roles": len(details["RoleDetailList"]),
        "policies": len(details["Policies"]),
        "oidc_providers": len(oidc["OpenIDConnectProviderList"]),
        "saml_providers": len(items),
    }
    return AccountExport(documents=documents, counts=counts)


__all__ = ["GAAD_FILTERS", "GAAD_LISTS", "AccountExport", "WrongAccount", "authorization_details", "collect_account"]
