"""Principals as they appear in a policy's ``Principal`` element, classified once at ingestion.

One frozen value per entry of the element: ``{"AWS": [a, b], "Service": s}`` gives three principals. The ``kind``
decides how the evaluator matches a caller (see ``trustgraph.semantics.principals``); ``flags`` record forms that IAM
would reject (partial wildcards, unparseable ARNs) so that checks can report them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from trustgraph.model.arn import is_account_id, parse_arn

#: Built-in web identity providers named by host instead of an IAM OIDC provider ARN.
BUILTIN_WEB_IDPS = frozenset(
    {"cognito-identity.amazonaws.com", "accounts.google.com", "www.amazon.com", "graph.facebook.com"}
)

_UNIQUE_ID = re.compile(r"^(AROA|AIDA|AGPA|AIPA|ANPA|ANVA|ASIA|AKIA)[A-Z0-9]{12,}$")
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$")


class PrincipalKind(Enum):
    """The form of a policy principal."""

    ANY = "any"  # "*" or {"AWS": "*"}
    ACCOUNT = "account"  # arn:aws:iam::A:root or bare "A"
    USER = "user"
    ROLE = "role"
    ASSUMED_ROLE = "assumed-role"  # arn:aws:sts::A:assumed-role/R/S
    FEDERATED_USER = "federated-user"  # arn:aws:sts::A:federated-user/N
    UNIQUE_ID = "unique-id"  # AROA.../AIDA... left behind by a deleted principal
    SERVICE = "service"
    SAML_PROVIDER = "saml-provider"
    OIDC_PROVIDER = "oidc-provider"
    WEB_IDENTITY = "web-identity"  # built-in: cognito-identity.amazonaws.com, accounts.google.com, ...
    CANONICAL_USER = "canonical-user"
    INVALID = "invalid"  # partial wildcard or unrecognised text: kept, flagged, matches nothing


class PrincipalElement(Enum):
    """The key of the Principal element a value was listed under."""

    STAR = "*"
    AWS = "AWS"
    FEDERATED = "Federated"
    SERVICE = "Service"
    CANONICAL_USER = "CanonicalUser"


@dataclass(frozen=True, slots=True)
class Principal:
    """One principal named by a policy.

    Attributes
    ----------
    element
        The key it was listed under (``AWS``, ``Federated``, ...; ``*`` for the bare string ``"*"``).
    text
        The value exactly as written.
    kind
        Its classified form.
    account
        The account id for account, user, role, session and provider ARNs; None otherwise.
    partition
        ``aws``, ``aws-cn`` or ``aws-us-gov`` for ARNs; None otherwise.
    flags
        Flag codes for forms IAM would reject (``partial-wildcard-principal``, ``unrecognized-principal``).
    """

    element: PrincipalElement
    text: str
    kind: PrincipalKind
    account: str | None = None
    partition: str | None = None
    flags: tuple[str, ...] = ()

    @property
    def provider_name(self) -> str:
        """For federated principals, the provider host/name used in condition keys (``token.actions...com``)."""
        if self.kind is PrincipalKind.OIDC_PROVIDER:
            return self.text.split(":oidc-provider/", 1)[1]
        if self.kind is PrincipalKind.SAML_PROVIDER:
            return self.text.split(":saml-provider/", 1)[1]
        return self.text

    def __str__(self) -> str:
        return self.text if self.element is PrincipalElement.STAR else f"{self.element.value}:{self.text}"


def classify_principal(element: PrincipalElement, text: str) -> Principal:
    """Classify one principal value listed under ``element``.

    Examples
    --------
    >>> classify_principal(PrincipalElement.AWS, "111122223333").kind
    <PrincipalKind.ACCOUNT: 'account'>
    >>> classify_principal(PrincipalElement.AWS, "arn:aws:iam::*:root").flags
    ('partial-wildcard-principal',)
    >>> classify_principal(PrincipalElement.FEDERATED, "accounts.google.com").kind
    <PrincipalKind.WEB_IDENTITY: 'web-identity'>
    """
    if element is PrincipalElement.STAR or (element is PrincipalElement.AWS and text == "*"):
        return Principal(element, text, PrincipalKind.ANY)
    if element is PrincipalElement.SERVICE:
        if text == "*" or "*" in text or "?" in text:
            return Principal(element, text, PrincipalKind.INVALID, flags=("partial-wildcard-principal",))
        if not _SERVICE.match(text):
            return Principal(element, text, PrincipalKind.SERVICE, flags=("unrecognized-service-principal",))
        return Principal(element, text, PrincipalKind.SERVICE)
    if element is PrincipalElement.CANONICAL_USER:
        return Principal(element, text, PrincipalKind.CANONICAL_USER)
    if "*" in text or "?" in text:
        return Principal(element, text, PrincipalKind.INVALID, flags=("partial-wildcard-principal",))
    if element is PrincipalElement.FEDERATED:
        if text in BUILTIN_WEB_IDPS:
            return Principal(element, text, PrincipalKind.WEB_IDENTITY)
        arn = parse_arn(text)
        if arn is not None and arn.service == "iam" and arn.resource.startswith("saml-provider/"):
            return Principal(element, text, PrincipalKind.SAML_PROVIDER, arn.account, arn.partition)
        if arn is not None and arn.service == "iam" and arn.resource.startswith("oidc-provider/"):
            return Principal(element, text, PrincipalKind.OIDC_PROVIDER, arn.account, arn.partition)
        return Principal(element, text, PrincipalKind.INVALID, flags=("unrecognized-principal",))
    # element is AWS
    if is_account_id(text):
        return Principal(element, text, PrincipalKind.ACCOUNT, text, None)
    if _UNIQUE_ID.match(text):
        return Principal(element, text, PrincipalKind.UNIQUE_ID)
    arn = parse_arn(text)
    if arn is None:
        return Principal(element, text, PrincipalKind.INVALID, flags=("unrecognized-principal",))
    if arn.service == "iam" and arn.resource == "root":
        return Principal(element, text, PrincipalKind.ACCOUNT, arn.account, arn.partition)
    if arn.service == "iam" and arn.resource.startswith("user/"):
        return Principal(element, text, PrincipalKind.USER, arn.account, arn.partition)
    if arn.service == "iam" and arn.resource.startswith("role/"):
        return Principal(element, text, PrincipalKind.ROLE, arn.account, arn.partition)
    if arn.service == "sts" and arn.resource.startswith("assumed-role/") and arn.resource.count("/") == 2:
        return Principal(element, text, PrincipalKind.ASSUMED_ROLE, arn.account, arn.partition)
    if arn.service == "sts" and arn.resource.startswith("federated-user/"):
        return Principal(element, text, PrincipalKind.FEDERATED_USER, arn.account, arn.partition)
    return Principal(element, text, PrincipalKind.INVALID, arn.account, arn.partition, ("unrecognized-principal",))
