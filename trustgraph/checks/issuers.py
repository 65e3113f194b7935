"""Multi-tenant OIDC issuers and the format of their claims: the one table ``oidc-any-subject`` reads.

A multi-tenant issuer signs tokens for identities of many owners (every GitHub organization, every GitLab.com group,
every Terraform Cloud organization, every Cognito identity pool, every Google OAuth client). A role that trusts such an
issuer is safe only when its conditions pin the *owner*: the part of a claim that only the role's owner controls. The
check asks the solver for one admitted token whose owner claim is in the issuer's format (:attr:`Issuer.format_glob`,
ANDed onto the Allow statements), reads the owner from its owner claim with :attr:`Issuer.owner_regex`, and
asks again for a token whose owner claim is *not like* :meth:`Issuer.owner_glob` of that owner; a second witness means
identities of another owner get in.

Each row says where its claim format comes from. Issuers whose URL already names the tenant (CircleCI's
``oidc.circleci.com/org/ORG_ID``, Bitbucket's ``api.bitbucket.org/2.0/workspaces/WORKSPACE/...``) are listed with
``tenant_in_issuer=True``: the provider ARN pins the owner, so no condition can admit another owner's identity and the
check does not fire for them (they are kept here so the decision is visible, not forgotten).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trustgraph.model.pattern import matches, parse_pattern


@dataclass(frozen=True, slots=True, kw_only=True)
class Issuer:
    """One multi-tenant issuer.

    Attributes
    ----------
    name
        Human name for messages.
    host
        The provider host as IAM writes it (an OIDC provider ARN's resource after ``oidc-provider/``, or a built-in
        web IdP name); a glob (``*`` spans anything) for issuers whose URL carries the tenant.
    owner_claim
        The claim whose value identifies the owner (``sub`` for CI systems, ``aud`` for Cognito and Google).
    owner_template
        The glob of every owner claim value that belongs to one owner, ``{owner}`` standing for the owner.
    owner_regex
        A regular expression whose first group extracts the owner from an owner-claim value.
    format_glob, empty_owner_glob
        A StringLike glob every owner-claim value the issuer really signs matches (``repo:*/*``), and one that
        values with an empty owner match (``repo:/*``; ``""`` when the owner is the whole value): the first witness is
        asked among values like the first and unlike the second, so that its owner can be read.
    tenant_in_issuer
        True when the issuer URL names the tenant (never fires, see the module docstring).
    owner_determined_by
        Claims whose value determines the owner across tokens (immutable ids): two tokens of different owners never
        share a value of one of them.
    source
        Where the claim format is documented.
    """

    name: str
    host: str
    owner_claim: str
    owner_template: str
    owner_regex: str
    format_glob: str
    empty_owner_glob: str | None = None
    tenant_in_issuer: bool = False
    owner_determined_by: tuple[str, ...] = ()
    source: str = ""

    def owner_key(self, provider_host: str) -> str:
        """The condition key holding the owner claim (``token.actions.githubusercontent.com:sub``)."""
        return f"{provider_host}:{self.owner_claim}"

    def owner_of(self, value: str) -> str | None:
        """The owner of an owner-claim value, or None when the value is not in the issuer's format.

        >>> ISSUERS[0].owner_of("repo:acme/app:ref:refs/heads/main")
        'acme'
        >>> ISSUERS[0].owner_of("garbage") is None
        True
        """
        m = re.match(self.owner_regex, value)
        return m.group(1) if m else None

    def owner_glob(self, owner: str) -> str:
        """Every owner-claim value of ``owner``, as a StringLike glob (``repo:acme/*``).

        Wildcard characters in the owner are kept literal by the solver's glob only if they are not there: owners
        extracted by :attr:`owner_regex` never contain ``*`` or ``?``.
        """
        return self.owner_template.replace("{owner}", owner)

    def names(self, provider_host: str) -> bool:
        """True when this row describes the provider with that host."""
        return matches(parse_pattern(self.host, wildcards=True, variables=False), provider_host)


#: The table. Order matters only for display.
ISSUERS: tuple[Issuer, ...] = (
    Issuer(
        name="GitHub Actions",
        host="token.actions.githubusercontent.com",
        owner_claim="sub",
        owner_template="repo:{owner}/*",
        owner_regex=r"^repo:([^/*?]+)/",
        format_glob="repo:*/*",
        empty_owner_glob="repo:/*",
        owner_determined_by=("repository_id", "repository_owner_id"),
        source="GitHub docs, 'About security hardening with OpenID Connect' (subject claim "
               "repo:ORG-NAME/REPO-NAME:...); AWS IAM docs 'Configuring a role for GitHub OIDC identity provider'",
    ),
    Issuer(
        name="GitHub Actions (enterprise issuer)",
        host="token.actions.githubusercontent.com/*",
        owner_claim="sub",
        owner_template="repo:{owner}/*",
        owner_regex=r"^repo:([^/*?]+)/",
        format_glob="repo:*/*",
        empty_owner_glob="repo:/*",
        owner_determined_by=("repository_id", "repository_owner_id"),
        source="GitHub docs, 'Switching to a unique token URL' (enterprise issuer; subject format unchanged, "
               "every organization of the enterprise is an owner)",
    ),
    Issuer(
        name="GitLab.com",
        host="gitlab.com",
        owner_claim="sub",
        owner_template="project_path:{owner}/*",
        owner_regex=r"^project_path:([^/*?]+)/",
        format_glob="project_path:*/*",
        empty_owner_glob="project_path:/*",
        source="GitLab docs, 'OpenID Connect (OIDC) Authentication Using ID Tokens' (sub = "
               "project_path:GROUP/PROJECT:ref_type:TYPE:ref:REF)",
    ),
    Issuer(
        name="HCP Terraform (Terraform Cloud)",
        host="app.terraform.io",
        owner_claim="sub",
        owner_template="organization:{owner}:*",
        owner_regex=r"^organization:([^:*?]+):",
        format_glob="organization:*:*",
        empty_owner_glob="organization::*",
        source="HashiCorp docs, 'Workload identity' (sub = organization:ORG:project:PROJECT:workspace:WS:run_phase:"
               "PHASE)",
    ),
    Issuer(
        name="Bitbucket Pipelines",
        host="api.bitbucket.org/2.0/workspaces/*/pipelines-config/identity/oidc",
        owner_claim="aud",
        owner_template="{owner}",
        owner_regex=r"^(.+)$",
        format_glob="*",
        empty_owner_glob="",
        tenant_in_issuer=True,
        source="Atlassian docs, 'Integrate Pipelines with resource servers using OIDC' (issuer per workspace; "
               "aud = ari:cloud:bitbucket::workspace/WORKSPACE_UUID)",
    ),
    Issuer(
        name="CircleCI",
        host="oidc.circleci.com/org/*",
        owner_claim="aud",
        owner_template="{owner}",
        owner_regex=r"^(.+)$",
        format_glob="*",
        empty_owner_glob="",
        tenant_in_issuer=True,
        source="CircleCI docs, 'Using OpenID Connect tokens in jobs' (issuer oidc.circleci.com/org/ORG_ID; sub = "
               "org/ORG_ID/project/PROJECT_ID/user/USER_ID)",
    ),
    Issuer(
        name="Google",
        host="accounts.google.com",
        owner_claim="aud",
        owner_template="{owner}",
        owner_regex=r"^(.+)$",
        format_glob="*",
        empty_owner_glob="",
        source="AWS IAM docs, 'Available keys for AWS web identity federation' (accounts.google.com:aud = the "
               "OAuth client id); Google Identity docs (ID token aud)",
    ),
    Issuer(
        name="Amazon Cognito identity pools",
        host="cognito-identity.amazonaws.com",
        owner_claim="aud",
        owner_template="{owner}",
        owner_regex=r"^(.+)$",
        format_glob="*",
        empty_owner_glob="",
        source="Amazon Cognito docs, 'IAM roles' (trust policies must pin cognito-identity.amazonaws.com:aud to the "
               "identity pool id, else users of any pool can assume the role); STS AssumeRoleWithWebIdentity "
               "RoleArn note",
    ),
)


def issuer_for(provider_host: str) -> Issuer | None:
    """The row describing a provider host, or None for providers that are not multi-tenant issuers."""
    for issuer in ISSUERS:
        if issuer.names(provider_host):
            return issuer
    return None
