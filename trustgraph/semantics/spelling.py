"""AWS's own spelling of condition keys, for showing witness contexts (keys are compared lower-cased)."""

from __future__ import annotations

_CANONICAL = (
    "aws:CalledVia", "aws:CurrentTime", "aws:EpochTime", "aws:FederatedProvider", "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
    "aws:PrincipalType", "aws:RequestedRegion", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths",
    "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp",
    "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce", "aws:TagKeys", "aws:TokenIssueTime",
    "aws:userid", "aws:username", "aws:ViaAWSService", "aws:VpcSourceIp", "sts:ExternalId", "sts:RoleSessionName",
    "sts:SourceIdentity", "sts:TransitiveTagKeys", "saml:aud", "saml:iss", "saml:sub", "saml:sub_type",
    "saml:namequalifier", "saml:doc",
)
_BY_LOWER = {k.lower(): k for k in _CANONICAL}
_PREFIXES = {"aws:requesttag/": "aws:RequestTag/", "aws:principaltag/": "aws:PrincipalTag/",
             "aws:resourcetag/": "aws:ResourceTag/"}


def display_key(key: str) -> str:
    """AWS's spelling of a lower-cased key (``sts:externalid`` -> ``sts:ExternalId``); unknown keys unchanged.

    Examples
    --------
    >>> display_key("aws:principalorgid"), display_key("aws:principaltag/team"), display_key("x:y")
    ('aws:PrincipalOrgID', 'aws:PrincipalTag/team', 'x:y')
    """
    cached = _SPELLED.get(key)
    if cached is not None:
        return cached
    spelled_key = _spell(key)
    if len(_SPELLED) < 100_000:  # witnesses repeat a few dozen keys; the bound only guards against odd inputs
        _SPELLED[key] = spelled_key
    return spelled_key


_SPELLED: dict[str, str] = {}


def _spell(key: str) -> str:
    low = key.lower()
    if low in _BY_LOWER:
        return _BY_LOWER[low]
    for prefix, spelled in _PREFIXES.items():
        if low.startswith(prefix):
            return spelled + key[len(prefix):]
    return key
