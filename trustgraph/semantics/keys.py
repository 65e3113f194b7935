"""The condition key catalog: value type, cardinality and presence of every key an assume-role hop can carry.

One table (``_TABLE``) holds the facts as data, each row with its source (keys of ``docs/semantics.md`` §9: GKEYS is the
global condition keys page, STSKEYS the IAM/STS keys page, MFA/TAGS/SRCID the pages on MFA, session tags and source
identity; [I] marks an inference, [?] an open point). Both the concrete evaluator (through ``context.py``) and the z3
encoding read presence from here, so what one assumes about an absent key the other assumes too.

Presence is given per :class:`Origin` (who calls with which action):

* ``ALWAYS``     the key is in every request of that origin;
* ``NEVER``      it is in none;
* ``OPTIONAL``   the caller chooses (or the sources are silent: then OPTIONAL is the sound over-approximation and the
  row's ``note`` says so);
* ``SITUATIONAL`` present exactly when the :class:`Rule` named in the entry holds (e.g. aws:PrincipalOrgID iff the
  caller's account is in an organization).

Unknown keys get ``STRING``, single-valued, ``OPTIONAL`` everywhere and ``known=False``: the caller may or may not send
them, with any value, which over-approximates whatever AWS really does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from types import MappingProxyType

from trustgraph.model.condition import Family
from trustgraph.model.pattern import normalize_key
from trustgraph.semantics.request import Action, CallerKind


class Origin(Enum):
    """Who makes the call, with which action: the columns of the presence table (§2.5)."""

    AWS_PRINCIPAL = "aws-principal"  # IAM user or role session calling sts:AssumeRole (signed request)
    SERVICE = "service"  # an AWS service principal calling sts:AssumeRole
    SAML = "saml"  # sts:AssumeRoleWithSAML (unsigned)
    WEB_IDENTITY = "web-identity"  # sts:AssumeRoleWithWebIdentity (unsigned)


def origin_of(kind: CallerKind, action: Action) -> Origin:
    """The presence column for a caller kind and action (companion actions take the column of their caller).

    Examples
    --------
    >>> origin_of(CallerKind.ROLE_SESSION, Action.ASSUME_ROLE).value
    'aws-principal'
    >>> origin_of(CallerKind.WEB_IDENTITY, Action.ASSUME_ROLE_WITH_WEB_IDENTITY).value
    'web-identity'
    """
    if action is Action.ASSUME_ROLE_WITH_SAML or kind is CallerKind.SAML:
        return Origin.SAML
    if action is Action.ASSUME_ROLE_WITH_WEB_IDENTITY or kind is CallerKind.WEB_IDENTITY:
        return Origin.WEB_IDENTITY
    if kind is CallerKind.SERVICE:
        return Origin.SERVICE
    return Origin.AWS_PRINCIPAL


class PresenceKind(Enum):
    """Presence codes of §2.5."""

    ALWAYS = "always"
    NEVER = "never"
    OPTIONAL = "optional"
    SITUATIONAL = "situational"


class Rule(Enum):
    """The rule of a SITUATIONAL key: the key is present exactly when the rule holds.

    ``context.principal_context`` implements the caller-side rules for concrete callers; the SMT encoding must
    encode the same equivalences (``pres_k <-> rule``).
    """

    CALLER_IN_ORG = "caller-in-org"  # aws:PrincipalOrgID/OrgPaths: caller's account is in an organization
    CALLER_HAS_TAG = "caller-has-tag"  # aws:PrincipalTag/k: user/role tag or session tag k (key case-insensitive)
    CALLER_IS_USER = "caller-is-user"  # aws:username: IAM users only
    CALLER_IS_SERVICE = "caller-is-service"  # aws:PrincipalServiceName
    TEMP_CREDS_OR_MFA_PARAMS = "temp-creds-or-mfa-params"  # aws:MultiFactorAuthPresent: role session, or MFA params
    MFA_USED = "mfa-used"  # aws:MultiFactorAuthAge: iff aws:MultiFactorAuthPresent is true
    TEMP_CREDS = "temp-creds"  # aws:TokenIssueTime: caller uses temporary credentials (role session)
    SOURCE_IDENTITY_CARRIED = "source-identity-carried"  # aws:SourceIdentity: caller's session has one
    SOURCE_IDENTITY_SET_OR_CARRIED = "source-identity-set-or-carried"  # sts:SourceIdentity: carried, else chosen
    TAGS_PASSED = "tags-passed"  # aws:TagKeys: iff at least one aws:RequestTag/k is present; values = the tag keys
    NOT_VIA_VPCE = "not-via-vpce"  # aws:SourceIp: absent when the call arrives through a VPC endpoint
    VIA_VPCE = "via-vpce"  # aws:SourceVpc, aws:SourceVpce, aws:VpcSourceIp
    ON_BEHALF_OF_RESOURCE = "on-behalf-of-resource"  # aws:SourceArn/Account/OrgID: service acting for a resource
    CARRIED_FROM_FEDERATION = "carried-from-federation"  # saml:sub..., <oidc>:sub... in a later AssumeRole
    FROM_ASSERTION = "from-assertion"  # saml:* keys: present iff the SAML assertion carries them
    FROM_TOKEN = "from-token"  # <host>:claim keys: present iff the token of that provider carries the claim
    TARGET_HAS_TAG = "target-has-tag"  # aws:ResourceTag/k: the role has tag k (or a transitive tag k replaces it)
    TARGET_IN_ORG = "target-in-org"  # aws:ResourceOrgID/OrgPaths


@dataclass(frozen=True, slots=True)
class Presence:
    """One cell of the presence table."""

    kind: PresenceKind
    rule: Rule | None = None

    def __str__(self) -> str:
        return self.kind.value if self.rule is None else f"{self.kind.value}({self.rule.value})"


ALWAYS = Presence(PresenceKind.ALWAYS)
NEVER = Presence(PresenceKind.NEVER)
OPTIONAL = Presence(PresenceKind.OPTIONAL)


def _s(rule: Rule) -> Presence:
    return Presence(PresenceKind.SITUATIONAL, rule)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What the catalog knows about one condition key.

    Attributes
    ----------
    key
        The canonical (lower-cased) key name, or the catalog entry it matched (``aws:requesttag/*``,
        ``<oidc-host>:sub``, ``saml:*``).
    family
        The value type the request carries (which parser reads request values).
    multivalued
        The request carries a list (ArrayOf...): set operators range over it.
    presence
        One :class:`Presence` per :class:`Origin`, in ``Origin`` declaration order; use :meth:`presence_for`.
    principal_derived
        The value comes from the calling principal (fixed by who calls, not by what the caller sends).
    value_pattern
        A Python regular expression every request value must fullmatch (API limits); None when unconstrained.
    known
        False for keys the catalog does not know (then type STRING, OPTIONAL everywhere).
    source, note
        Where the facts come from, and what is approximate about them.
    """

    key: str
    family: Family
    multivalued: bool
    presence: tuple[Presence, Presence, Presence, Presence]
    principal_derived: bool = False
    value_pattern: str | None = None
    known: bool = True
    source: str = ""
    note: str = ""

    def presence_for(self, origin: Origin) -> Presence:
        """The presence of this key in requests of ``origin``."""
        return self.presence[_ORIGIN_INDEX[origin]]

    def value_ok(self, value: str) -> bool:
        """True when ``value`` respects the key's API limits (always True without a ``value_pattern``)."""
        return self.value_pattern is None or _full_match(self.value_pattern)(value) is not None


@lru_cache(maxsize=64)
def _full_match(pattern: str) -> Callable[[str], re.Match[str] | None]:
    """The compiled ``fullmatch`` of an API-limit pattern (checked on every request value of every evaluation).
    ASCII: ``\\w`` of the STS API reference's patterns (Java's) is ``[a-zA-Z0-9_]``, as ``smt.presence`` states it."""
    return re.compile(pattern, re.ASCII).fullmatch


_ORIGIN_INDEX = {o: i for i, o in enumerate(Origin)}

# API limits (STS API reference, [D STSKEYS]).
EXTERNAL_ID_PATTERN = r"[\w+=,.@:/-]{2,1224}"
ROLE_SESSION_NAME_PATTERN = r"[\w+=,.@-]{2,64}"
SOURCE_IDENTITY_PATTERN = r"[\w+=,.@-]{2,64}"
ACCOUNT_ID_PATTERN = r"[0-9]{12}"

S, M = False, True  # single-/multi-valued, for the table below
A, N, O = ALWAYS, NEVER, OPTIONAL  # noqa: E741

# key: (family, multivalued, presence per Origin (AWS_PRINCIPAL, SERVICE, SAML, WEB_IDENTITY),
#       principal_derived, value_pattern, source, note)
_TABLE: dict[str, tuple[Family, bool, tuple[Presence, Presence, Presence, Presence], bool, str | None, str, str]] = {
    # --- STS request parameters -------------------------------------------------------------------------------
    "sts:externalid": (Family.STRING, S, (O, O, N, N), False, EXTERNAL_ID_PATTERN,
                       "STSKEYS; STS-AR", "only AssumeRole accepts ExternalId; service callers: [?] -> optional"),
    "sts:rolesessionname": (Family.STRING, S, (A, A, O, A), False, ROLE_SESSION_NAME_PATTERN,
                            "STSKEYS", "SAML: [?] -> optional"),
    "sts:sourceidentity": (Family.STRING, S, (_s(Rule.SOURCE_IDENTITY_SET_OR_CARRIED), O, O, O), False,
                           SOURCE_IDENTITY_PATTERN, "SRCID", "carried from the caller's session, else caller-chosen"),
    "sts:transitivetagkeys": (Family.STRING, M, (O, O, O, O), False, None, "STSKEYS", ""),
    "sts:durationseconds": (Family.NUMERIC, S, (O, O, O, O), False, None, "STSKEYS", "[?] caller-chosen"),
    # --- session tags -----------------------------------------------------------------------------------------
    "aws:requesttag/*": (Family.STRING, S, (O, O, O, O), False, None, "GKEYS; TAGS",
                         "tag key after the slash matched case-insensitively"),
    "aws:tagkeys": (Family.STRING, M, (_s(Rule.TAGS_PASSED),) * 4, False, None, "GKEYS", ""),
    # --- principal properties ---------------------------------------------------------------------------------
    "aws:principaltag/*": (Family.STRING, S, (_s(Rule.CALLER_HAS_TAG), O, O, O), True, None, "GKEYS; TAGS",
                           "service/federated: [I]/[?] -> optional"),
    "aws:principalarn": (Family.ARN, S, (A, O, N, N), True, None, "GKEYS",
                         "role ARN with path for sessions; signed requests only, AssumeRoleWith* are unsigned"),
    "aws:principalaccount": (Family.STRING, S, (A, O, O, O), True, ACCOUNT_ID_PATTERN, "GKEYS",
                             "federated/service: [?] -> optional"),
    "aws:principalorgid": (Family.STRING, S, (_s(Rule.CALLER_IN_ORG), N, N, N), True, None, "GKEYS; C DPP", ""),
    "aws:principalorgpaths": (Family.STRING, M, (_s(Rule.CALLER_IN_ORG), N, N, N), True, None, "GKEYS", ""),
    "aws:principaltype": (Family.STRING, S, (A, O, O, O), True, None, "VARS", "federated/service: [?] -> optional"),
    "aws:principalisawsservice": (Family.BOOL, S, (A, A, N, N), True, None, "GKEYS",
                                  "signed requests only; true only for service principals"),
    "aws:principalservicename": (Family.STRING, S, (N, _s(Rule.CALLER_IS_SERVICE), N, N), True, None, "GKEYS", ""),
    "aws:principalservicenameslist": (Family.STRING, M, (N, O, N, N), True, None, "GKEYS", ""),
    "aws:userid": (Family.STRING, S, (A, O, O, O), True, None, "GKEYS; VARS", "federated/service: [?] -> optional"),
    "aws:username": (Family.STRING, S, (_s(Rule.CALLER_IS_USER), N, N, N), True, None, "GKEYS; VARS", ""),
    "aws:multifactorauthpresent": (Family.BOOL, S, (_s(Rule.TEMP_CREDS_OR_MFA_PARAMS), O, N, N), True, None,
                                   "GKEYS; MFA", "value true iff MFA (user MFA params, or a session so obtained)"),
    "aws:multifactorauthage": (Family.NUMERIC, S, (_s(Rule.MFA_USED), O, N, N), True, None, "GKEYS", ""),
    "aws:tokenissuetime": (Family.DATE, S, (_s(Rule.TEMP_CREDS), O, N, N), True, None, "GKEYS; OPS", ""),
    "aws:sourceidentity": (Family.STRING, S, (_s(Rule.SOURCE_IDENTITY_CARRIED), O, N, N), True, None,
                           "GKEYS; SRCID", ""),
    "aws:federatedprovider": (Family.STRING, S, (O, O, O, O), True, None, "GKEYS",
                              "present for sessions that came from an IdP; not tracked -> optional"),
    "aws:ec2instancesourcevpc": (Family.STRING, S, (O, N, N, N), True, None, "GKEYS", "instance-role sessions"),
    "aws:ec2instancesourceprivateipv4": (Family.IP, S, (O, N, N, N), True, None, "GKEYS", "instance-role sessions"),
    "ec2:sourceinstancearn": (Family.ARN, S, (O, N, N, N), True, None, "GKEYS", "instance-role sessions"),
    # --- network ------------------------------------------------------------------------------------------------
    "aws:sourceip": (Family.IP, S, (_s(Rule.NOT_VIA_VPCE), O, _s(Rule.NOT_VIA_VPCE), _s(Rule.NOT_VIA_VPCE)), False,
                     None, "GKEYS; OPS", "service callers: [?] -> optional"),
    "aws:sourcevpc": (Family.STRING, S, (_s(Rule.VIA_VPCE), O, _s(Rule.VIA_VPCE), _s(Rule.VIA_VPCE)), False, None,
                      "GKEYS", ""),
    "aws:sourcevpce": (Family.STRING, S, (_s(Rule.VIA_VPCE), O, _s(Rule.VIA_VPCE), _s(Rule.VIA_VPCE)), False, None,
                       "GKEYS", ""),
    "aws:vpcsourceip": (Family.IP, S, (_s(Rule.VIA_VPCE), O, _s(Rule.VIA_VPCE), _s(Rule.VIA_VPCE)), False, None,
                        "GKEYS", ""),
    "aws:sourcevpcarn": (Family.ARN, S, (_s(Rule.VIA_VPCE), O, _s(Rule.VIA_VPCE), _s(Rule.VIA_VPCE)), False, None,
                         "GKEYS", ""),
    # --- service acting for a resource (cross-service confused deputy) ------------------------------------------
    "aws:sourcearn": (Family.ARN, S, (N, _s(Rule.ON_BEHALF_OF_RESOURCE), N, N), False, None, "GKEYS; CD",
                      "direct calls by AWS principals carry none"),
    "aws:sourceaccount": (Family.STRING, S, (N, _s(Rule.ON_BEHALF_OF_RESOURCE), N, N), False, ACCOUNT_ID_PATTERN,
                          "GKEYS; CD", ""),
    "aws:sourceorgid": (Family.STRING, S, (N, _s(Rule.ON_BEHALF_OF_RESOURCE), N, N), False, None, "GKEYS", ""),
    "aws:sourceorgpaths": (Family.STRING, M, (N, _s(Rule.ON_BEHALF_OF_RESOURCE), N, N), False, None, "GKEYS", ""),
    "aws:sourceowner": (Family.STRING, S, (N, _s(Rule.ON_BEHALF_OF_RESOURCE), N, N), False, ACCOUNT_ID_PATTERN,
                        "GKEYS", ""),
    "aws:calledvia": (Family.STRING, M, (O, O, O, O), False, None, "GKEYS", "absent for direct calls; [?] optional"),
    "aws:calledviafirst": (Family.STRING, S, (O, O, O, O), False, None, "GKEYS", "[?] optional"),
    "aws:calledvialast": (Family.STRING, S, (O, O, O, O), False, None, "GKEYS", "[?] optional"),
    "aws:viaawsservice": (Family.BOOL, S, (A, A, A, A), False, None, "GKEYS", ""),
    # --- request properties -------------------------------------------------------------------------------------
    "aws:currenttime": (Family.DATE, S, (A, A, A, A), False, None, "GKEYS", ""),
    "aws:epochtime": (Family.DATE, S, (A, A, A, A), False, None, "GKEYS", "compared with Date or Numeric ops"),
    "aws:securetransport": (Family.BOOL, S, (A, A, A, A), False, None, "GKEYS", ""),
    "aws:requestedregion": (Family.STRING, S, (A, A, A, A), False, None, "GKEYS", ""),
    "aws:useragent": (Family.STRING, S, (O, O, O, O), False, None, "GKEYS", "caller-controlled"),
    "aws:referer": (Family.STRING, S, (O, O, O, O), False, None, "GKEYS", "caller-controlled"),
    # --- the resource (the role being assumed) ------------------------------------------------------------------
    "aws:resourcetag/*": (Family.STRING, S, (_s(Rule.TARGET_HAS_TAG),) * 4, False, None, "GKEYS; TAGS", ""),
    "aws:resourceaccount": (Family.STRING, S, (A, A, A, A), False, ACCOUNT_ID_PATTERN, "GKEYS", ""),
    "aws:resourceorgid": (Family.STRING, S, (_s(Rule.TARGET_IN_ORG),) * 4, False, None, "GKEYS", ""),
    "aws:resourceorgpaths": (Family.STRING, M, (_s(Rule.TARGET_IN_ORG),) * 4, False, None, "GKEYS", ""),
    # --- SAML (STSKEYS) -----------------------------------------------------------------------------------------
    "saml:namequalifier": (Family.STRING, S, (_s(Rule.CARRIED_FROM_FEDERATION), N, _s(Rule.FROM_ASSERTION), N),
                           False, None, "STSKEYS", "carried into later AssumeRole"),
    "saml:sub": (Family.STRING, S, (_s(Rule.CARRIED_FROM_FEDERATION), N, _s(Rule.FROM_ASSERTION), N), False, None,
                 "STSKEYS", "carried into later AssumeRole"),
    "saml:sub_type": (Family.STRING, S, (_s(Rule.CARRIED_FROM_FEDERATION), N, _s(Rule.FROM_ASSERTION), N), False,
                      None, "STSKEYS", "carried into later AssumeRole"),
    "saml:aud": (Family.STRING, S, (N, N, _s(Rule.FROM_ASSERTION), N), False, None, "STSKEYS",
                 "the assertion's Recipient URL"),
    "saml:iss": (Family.STRING, S, (N, N, _s(Rule.FROM_ASSERTION), N), False, None, "STSKEYS", ""),
    "saml:doc": (Family.STRING, S, (N, N, _s(Rule.FROM_ASSERTION), N), False, None, "STSKEYS",
                 "<account>/<provider-name>"),
    "saml:*": (Family.STRING, M, (N, N, _s(Rule.FROM_ASSERTION), N), False, None, "STSKEYS",
               "other assertion attributes; multi-valued (eduPerson*, ...) treated as lists"),
    # --- OIDC claims: <host>:claim (STSKEYS) --------------------------------------------------------------------
    "<oidc-host>:amr": (Family.STRING, M, (_s(Rule.CARRIED_FROM_FEDERATION), N, N, _s(Rule.FROM_TOKEN)), False,
                        None, "STSKEYS; COG", "Cognito amr is a list"),
    "<oidc-host>:aud": (Family.STRING, S, (_s(Rule.CARRIED_FROM_FEDERATION), N, N, _s(Rule.FROM_TOKEN)), False,
                        None, "STSKEYS; AACHK", "may be multi-valued for some providers [?]"),
    "<oidc-host>:sub": (Family.STRING, S, (_s(Rule.CARRIED_FROM_FEDERATION), N, N, _s(Rule.FROM_TOKEN)), False,
                        None, "STSKEYS", "GitHub always sends sub and aud"),
    "<oidc-host>:id": (Family.STRING, S, (_s(Rule.CARRIED_FROM_FEDERATION), N, N, _s(Rule.FROM_TOKEN)), False,
                       None, "STSKEYS", ""),
    "<oidc-host>:*": (Family.STRING, S, (N, N, N, _s(Rule.FROM_TOKEN)), False, None, "STSKEYS",
                      "other claims (azp, oaud, app_id, user_id, ...)"),
}
del S, M, A, N, O

#: the keys whose request values have API limits (``KeyInfo.value_pattern``), each with its pattern: only rows of
#: exact key names carry one, so a lower-cased context key has limits exactly when it is here (the wildcard rows,
#: ``aws:requesttag/*``, ``saml:*``, ``<oidc-host>:*``, have none: tests/semantics/test_fast_hop.py)
LIMITED_KEYS: Mapping[str, str] = MappingProxyType({k: row[4] for k, row in _TABLE.items() if row[4] is not None})
_LIMIT_CHECKS = tuple((key, _full_match(pattern)) for key, pattern in LIMITED_KEYS.items())


def limits_problem(context: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether a request value of a (lower-cased) context key is outside its key's API limits: the keys with limits
    looked up in ``context`` rather than every key of ``context`` in the catalog."""
    for key, check in _LIMIT_CHECKS:
        values = context.get(key)
        if values:
            for v in values:
                if check(v) is None:
                    return True
    return False


_OIDC_KEY = re.compile(r"^(?P<host>[a-z0-9-]+(\.[a-z0-9-]+)+(/[^:]*)?):(?P<claim>[^:]+)$")
_PREFIXES = ("aws:requesttag/", "aws:principaltag/", "aws:resourcetag/")


def catalog_entry(key: str) -> str | None:
    """The catalog row a (case-insensitive) key name falls under, or None for unknown keys.

    Examples
    --------
    >>> catalog_entry("aws:RequestTag/Team")
    'aws:requesttag/*'
    >>> catalog_entry("token.actions.githubusercontent.com:sub")
    '<oidc-host>:sub'
    >>> catalog_entry("oidc.eks.us-east-1.amazonaws.com/id/ABC:aud")
    '<oidc-host>:aud'
    >>> catalog_entry("saml:edupersonaffiliation")
    'saml:*'
    >>> catalog_entry("ec2:instancetype") is None
    True
    """
    k = normalize_key(key)
    if k in _TABLE:
        return k
    for prefix in _PREFIXES:
        if k.startswith(prefix) and len(k) > len(prefix):
            return prefix + "*"
    if k.startswith("saml:"):
        return "saml:*"
    m = _OIDC_KEY.match(k)
    if m:
        claim = m.group("claim")
        return f"<oidc-host>:{claim}" if f"<oidc-host>:{claim}" in _TABLE else "<oidc-host>:*"
    return None


@lru_cache(maxsize=16_384)
def key_info(key: str) -> KeyInfo:
    """Everything the catalog says about ``key`` (name case-insensitive).

    Unknown keys get a KeyInfo with ``known=False``, type STRING, single-valued and OPTIONAL for every origin.

    Examples
    --------
    >>> key_info("sts:ExternalId").presence_for(Origin.SAML).kind.value
    'never'
    >>> str(key_info("aws:PrincipalOrgID").presence_for(Origin.AWS_PRINCIPAL))
    'situational(caller-in-org)'
    >>> key_info("aws:PrincipalTag/Team").key, key_info("aws:PrincipalTag/Team").principal_derived
    ('aws:principaltag/team', True)
    >>> key_info("foo:bar").known, key_info("foo:bar").family.value
    (False, 'string')
    """
    k = normalize_key(key)
    entry = catalog_entry(k)
    if entry is None:
        return KeyInfo(key=k, family=Family.STRING, multivalued=False, presence=(OPTIONAL,) * 4, known=False,
                       source="", note="unknown key: string, optional (over-approximation)")
    family, multi, presence, principal, pattern, source, note = _TABLE[entry]
    return KeyInfo(key=k, family=family, multivalued=multi, presence=presence, principal_derived=principal,
                   value_pattern=pattern, source=source, note=note)


def is_multivalued(key: str) -> bool:
    """True when the request carries a list for ``key`` (aws:TagKeys, aws:PrincipalOrgPaths, cognito amr, ...)."""
    return key_info(key).multivalued


def presence(key: str, kind: CallerKind, action: Action) -> Presence:
    """The presence of ``key`` in a request by a caller of ``kind`` with ``action``."""
    return key_info(key).presence_for(origin_of(kind, action))


def tag_key_of(key: str) -> str | None:
    """The tag key (lower-cased) of an ``aws:RequestTag/k``, ``aws:PrincipalTag/k`` or ``aws:ResourceTag/k`` key."""
    k = normalize_key(key)
    for prefix in _PREFIXES:
        if k.startswith(prefix) and len(k) > len(prefix):
            return k[len(prefix):]
    return None


#: Keys whose value AWS derives from the calling principal; ``--closed`` queries fix them from the caller.
PRINCIPAL_KEYS: tuple[str, ...] = (
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltag/*",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:userid",
    "aws:username",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:tokenissuetime",
    "aws:sourceidentity",
    "aws:federatedprovider",
    "aws:ec2instancesourcevpc",
    "aws:ec2instancesourceprivateipv4",
    "ec2:sourceinstancearn",
)


def is_principal_key(key: str) -> bool:
    """True for keys derived from the calling principal (see :data:`PRINCIPAL_KEYS`).

    >>> is_principal_key("aws:PrincipalTag/team"), is_principal_key("sts:ExternalId")
    (True, False)
    """
    return key_info(key).principal_derived


def known_entries() -> tuple[str, ...]:
    """Every catalog row name (for documentation and tests)."""
    return tuple(_TABLE)


__all__ = [
    "ACCOUNT_ID_PATTERN", "EXTERNAL_ID_PATTERN", "KeyInfo", "Origin", "PRINCIPAL_KEYS", "Presence",
    "PresenceKind", "ROLE_SESSION_NAME_PATTERN", "Rule", "SOURCE_IDENTITY_PATTERN", "catalog_entry",
    "LIMITED_KEYS", "is_multivalued", "is_principal_key", "key_info", "known_entries", "limits_problem", "origin_of",
    "presence", "tag_key_of",
]
