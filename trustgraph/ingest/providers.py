"""IAM identity provider listings to :class:`~trustgraph.model.organization.IdentityProvider`.

Recognised by shape:

* ``aws iam list-open-id-connect-providers``: ``{"OpenIDConnectProviderList": [{"Arn": ...}]}``;
* ``aws iam get-open-id-connect-provider``: ``{"Url": ..., "ClientIDList": [...], "ThumbprintList": [...]}``. The
  output does not name the provider: add an ``"Arn"`` key to the file, or load it with a listing in which exactly one
  provider has that URL (a 12-digit account id in the file name narrows the listing to that account);
* ``aws iam list-saml-providers``: ``{"SAMLProviderList": [{"Arn": ..., "ValidUntil": ...}]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from trustgraph.ingest._fields import fail, obj, opt_list, opt_str, req_str, str_list
from trustgraph.ingest.gaad import account_from_file_name
from trustgraph.model.arn import parse_arn
from trustgraph.model.location import Location
from trustgraph.model.organization import IdentityProvider, ProviderType


def provider_shape(data: object) -> str | None:
    """Which identity-provider output ``data`` is, by shape, or None.

    Examples
    --------
    >>> provider_shape({"Url": "token.actions.githubusercontent.com", "ClientIDList": ["sts.amazonaws.com"]})
    'get-open-id-connect-provider'
    """
    if not isinstance(data, dict):
        return None
    if "OpenIDConnectProviderList" in data:
        return "list-open-id-connect-providers"
    if "SAMLProviderList" in data:
        return "list-saml-providers"
    if "Url" in data and ("ClientIDList" in data or "ThumbprintList" in data):
        return "get-open-id-connect-provider"
    return None


def _url_key(url: str) -> str:
    """An OIDC provider URL as it appears in the provider ARN: without scheme and trailing slash."""
    text = url.strip()
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            text = text[len(scheme):]
    return text.rstrip("/")


def _provider_arn(arn: str, loc: Location, kind: ProviderType) -> str:
    parsed = parse_arn(arn)
    prefix = "oidc-provider/" if kind is ProviderType.OIDC else "saml-provider/"
    if parsed is None or parsed.service != "iam" or not parsed.resource.startswith(prefix):
        raise fail(loc, f"expected an IAM {kind.value.upper()} provider ARN (arn:aws:iam::ACCOUNT:{prefix}...), got "
                        f"`{arn}`")
    return arn


@dataclass
class ProviderCollector:
    """Accumulates provider listings and OIDC details; :meth:`build` associates details with listed ARNs."""

    providers: dict[str, IdentityProvider] = field(default_factory=dict)
    details: list[tuple[Mapping[str, Any], Location]] = field(default_factory=list)

    def add(self, data: Mapping[str, Any], shape: str, source: str) -> None:
        """Add one file whose shape :func:`provider_shape` recognised."""
        root = Location(source, "")
        if shape == "get-open-id-connect-provider":
            self.details.append((data, root))
            return
        key, kind = (("OpenIDConnectProviderList", ProviderType.OIDC) if shape == "list-open-id-connect-providers"
                     else ("SAMLProviderList", ProviderType.SAML))
        for i, item in enumerate(opt_list(data, key, root, "identity providers")):
            ploc = root.child(key, i)
            item = obj(item, ploc, "an identity provider")
            arn = _provider_arn(req_str(item, "Arn", ploc, "the provider's ARN"), ploc.child("Arn"), kind)
            url = arn.split(":oidc-provider/", 1)[1] if kind is ProviderType.OIDC else None
            self.providers.setdefault(arn, IdentityProvider(arn=arn, type=kind, url=url, location=ploc))

    def _detail(self, data: Mapping[str, Any], root: Location) -> IdentityProvider:
        url = req_str(data, "Url", root, "the provider URL")
        client_ids = str_list(data, "ClientIDList", root, "client id")
        thumbprints = str_list(data, "ThumbprintList", root, "thumbprint")
        arn = opt_str(data, "Arn", root, "the provider's ARN")
        if arn is not None:
            arn = _provider_arn(arn, root.child("Arn"), ProviderType.OIDC)
        else:
            key = _url_key(url)
            candidates = [p.arn for p in self.providers.values()
                          if p.type is ProviderType.OIDC and p.arn.split(":oidc-provider/", 1)[1] == key]
            account = account_from_file_name(root.file)
            if len(candidates) > 1 and account is not None:
                candidates = [a for a in candidates if a.split(":")[4] == account]
            if len(candidates) != 1:
                found = "no listed provider" if not candidates else f"{len(candidates)} listed providers"
                raise fail(root, f"cannot tell which provider this is: {found} with URL `{key}`; add an \"Arn\" key "
                                 "or load list-open-id-connect-providers output with it")
            arn = candidates[0]
        previous = self.providers.get(arn)
        base = previous or IdentityProvider(arn=arn, type=ProviderType.OIDC, location=root)
        return replace(base, url=_url_key(url), client_ids=client_ids, thumbprints=thumbprints)

    def build(self) -> tuple[IdentityProvider, ...]:
        """Every provider, with OIDC details merged in; raises ``IngestError`` for details it cannot associate."""
        for data, root in self.details:
            provider = self._detail(data, root)
            self.providers[provider.arn] = provider
        return tuple(self.providers.values())


__all__ = ["ProviderCollector", "provider_shape"]
