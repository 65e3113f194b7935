"""Principal matching (docs/semantics.md §1.3): does a policy principal name this caller for this action, and how?

The *form* that matched matters: the same-account Gate/Limits rule of §1.2 depends on whether the trust policy named
the caller's own ARN, its role, its session, its unique id, ``*`` or only its account. The z3 encoding records the
same form as an enum.

Rules
-----
* ``*`` / ``{"AWS": "*"}`` (ANY) matches every IAM user, role session and service principal, and — over-approximation
  of the open point §8.1 — SAML and web-identity callers too (:func:`any_matches_federated_is_approximate`).
* Account (``arn:aws:iam::A:root`` or ``"A"``) matches IAM users and role sessions of A (not the root user, which
  cannot assume roles at all) in the partition of the ARN (a bare id: any partition; the evaluator refuses callers
  of another partition than the role before matching, docs/semantics.md §1.3.1).
* A principal ARN never names a caller of another partition (user, role and session ARNs compare whole, partition
  included).
* User ARN matches that user exactly (case-sensitive, path included); role ARN matches the sessions of that role
  (ARN with path, as IAM stores it); assumed-role session ARN matches that exact session.
* Unique ids (AIDA.../AROA...) match the user/role with that id, never by name: a deleted-and-recreated principal
  does not match.
* Federated SAML provider ARN matches SAML callers of that provider; OIDC provider ARN or built-in IdP name matches
  web-identity callers of that provider. Service names match that service principal.
* Action agreement: AWS principals only with sts:AssumeRole, federated principals only with their own
  AssumeRoleWith* action; each also with the companion actions sts:TagSession and sts:SetSourceIdentity.
* Canonical users, federated-user ARNs and INVALID principals (partial wildcards, unrecognised text) match nothing.
* NotPrincipal (which IAM rejects in trust policies) matches every caller none of its entries names, with form
  NOT_PRINCIPAL.
"""

from __future__ import annotations

from enum import Enum

from trustgraph.model.arn import partition_of
from trustgraph.model.policy import Statement
from trustgraph.model.principal import Principal, PrincipalKind
from trustgraph.semantics.request import Action, Caller, CallerKind


class MatchForm(Enum):
    """How a trust statement named the caller."""

    ANY = "any"
    ACCOUNT = "account"
    USER_ARN = "user-arn"
    ROLE_ARN = "role-arn"
    SESSION_ARN = "session-arn"
    UNIQUE_ID = "unique-id"
    SERVICE = "service"
    FEDERATED = "federated"
    NOT_PRINCIPAL = "not-principal"


COMPANIONS = frozenset({Action.TAG_SESSION, Action.SET_SOURCE_IDENTITY})
AWS_CALLERS = frozenset({CallerKind.IAM_USER, CallerKind.ROLE_SESSION})
FEDERATED_CALLERS = frozenset({CallerKind.SAML, CallerKind.WEB_IDENTITY})


#: the assume action each kind of caller can call (root and GetFederationToken sessions: none)
_OWN_ACTION: dict[CallerKind, Action] = {
    CallerKind.IAM_USER: Action.ASSUME_ROLE,
    CallerKind.ROLE_SESSION: Action.ASSUME_ROLE,
    CallerKind.SERVICE: Action.ASSUME_ROLE,
    CallerKind.SAML: Action.ASSUME_ROLE_WITH_SAML,
    CallerKind.WEB_IDENTITY: Action.ASSUME_ROLE_WITH_WEB_IDENTITY,
}


def own_action(kind: CallerKind) -> Action | None:
    """The assume action a caller of ``kind`` can call (None for root and GetFederationToken sessions)."""
    return _OWN_ACTION.get(kind)


def action_fits(kind: CallerKind, action: Action) -> bool:
    """True when a caller of ``kind`` may be named for ``action`` (its own assume action or a companion)."""
    own = _OWN_ACTION.get(kind)
    return own is not None and (action is own or action is Action.TAG_SESSION or action is Action.SET_SOURCE_IDENTITY)


def principal_match(p: Principal, caller: Caller, action: Action) -> MatchForm | None:
    """The form by which ``p`` names ``caller`` for ``action``, or None when it does not.

    Examples
    --------
    >>> from trustgraph.model.principal import PrincipalElement, classify_principal
    >>> dev = Caller(kind=CallerKind.ROLE_SESSION, arn="arn:aws:iam::111111111111:role/Dev",
    ...              account="111111111111", session_name="s1")
    >>> p = classify_principal(PrincipalElement.AWS, "arn:aws:iam::111111111111:root")
    >>> principal_match(p, dev, Action.ASSUME_ROLE)
    <MatchForm.ACCOUNT: 'account'>
    >>> principal_match(p, dev, Action.ASSUME_ROLE_WITH_SAML) is None
    True
    """
    if not action_fits(caller.kind, action):
        return None
    kind = p.kind
    ck = caller.kind
    if kind is PrincipalKind.ANY:
        return MatchForm.ANY
    if kind is PrincipalKind.SERVICE:
        return MatchForm.SERVICE if ck is CallerKind.SERVICE and caller.arn == p.text else None
    if kind is PrincipalKind.SAML_PROVIDER:
        return MatchForm.FEDERATED if ck is CallerKind.SAML and caller.arn == p.text else None
    if kind in (PrincipalKind.OIDC_PROVIDER, PrincipalKind.WEB_IDENTITY):
        return MatchForm.FEDERATED if ck is CallerKind.WEB_IDENTITY and caller.arn == p.text else None
    if ck not in AWS_CALLERS:
        return None
    if kind is PrincipalKind.ACCOUNT:
        if p.account != caller.account:
            return None
        return MatchForm.ACCOUNT if p.partition is None or p.partition == caller_partition(caller) else None
    if kind is PrincipalKind.USER:
        return MatchForm.USER_ARN if ck is CallerKind.IAM_USER and caller.arn == p.text else None
    if kind is PrincipalKind.ROLE:
        return MatchForm.ROLE_ARN if ck is CallerKind.ROLE_SESSION and caller.arn == p.text else None
    if kind is PrincipalKind.ASSUMED_ROLE:
        return MatchForm.SESSION_ARN if caller.session_arn is not None and caller.session_arn == p.text else None
    if kind is PrincipalKind.UNIQUE_ID:
        if caller.unique_id is None or caller.unique_id != p.text:
            return None
        if (p.text.startswith("AROA") and ck is CallerKind.ROLE_SESSION) or (
            p.text.startswith("AIDA") and ck is CallerKind.IAM_USER
        ):
            return MatchForm.UNIQUE_ID
        return None
    return None  # canonical users, federated-user ARNs, invalid principals


def caller_partition(caller: Caller) -> str | None:
    """The partition of the caller's ARN (user, role, root or federated-user ARN, or provider ARN); None for
    services and built-in web identity providers, which have none."""
    return partition_of(caller.arn)


def principal_matches(p: Principal, caller: Caller, action: Action) -> bool:
    """True when ``p`` names ``caller`` for ``action``."""
    return principal_match(p, caller, action) is not None


def statement_principal_match(st: Statement, caller: Caller, action: Action) -> MatchForm | None:
    """The form by which a statement's Principal/NotPrincipal names the caller; None when it does not (or has
    neither element). With several matching entries the most specific form is returned (the order of
    :data:`_SPECIFICITY`), which is the one the Gate/Limits rule is most favourable for."""
    if st.principals is not None:
        best: MatchForm | None = None
        rank = len(_SPECIFICITY)
        for p in st.principals:
            form = principal_match(p, caller, action)
            if form is not None and _RANK_BY_NAME[form._name_] < rank:  # a str's hash, not Enum.__hash__
                best, rank = form, _RANK_BY_NAME[form._name_]
        return best
    if st.not_principals is not None:
        if not action_fits(caller.kind, action):
            return None
        if any(principal_match(p, caller, action) is not None for p in st.not_principals):
            return None
        return MatchForm.NOT_PRINCIPAL
    return None


_SPECIFICITY = [
    MatchForm.SESSION_ARN, MatchForm.USER_ARN, MatchForm.UNIQUE_ID, MatchForm.ROLE_ARN, MatchForm.ANY,
    MatchForm.NOT_PRINCIPAL, MatchForm.SERVICE, MatchForm.FEDERATED, MatchForm.ACCOUNT,
]
_RANK = {form: i for i, form in enumerate(_SPECIFICITY)}
_RANK_BY_NAME = {form.name: i for form, i in _RANK.items()}


def any_matches_federated_is_approximate(form: MatchForm, caller: Caller) -> bool:
    """True when ``*`` matched a SAML/web-identity caller: §8.1 [?], an over-approximation to report."""
    return form is MatchForm.ANY and caller.kind in FEDERATED_CALLERS


#: Forms that name the caller itself (not only its account): with the same account no identity Allow is needed.
DIRECT_FORMS = frozenset({MatchForm.ANY, MatchForm.USER_ARN, MatchForm.ROLE_ARN, MatchForm.SESSION_ARN,
                          MatchForm.UNIQUE_ID, MatchForm.NOT_PRINCIPAL})

__all__ = [
    "AWS_CALLERS", "COMPANIONS", "DIRECT_FORMS", "FEDERATED_CALLERS", "MatchForm", "action_fits",
    "any_matches_federated_is_approximate", "caller_partition", "own_action", "principal_match", "principal_matches",
    "statement_principal_match",
]
