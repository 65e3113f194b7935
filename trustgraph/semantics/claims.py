"""Which token claims AWS STS evaluates for each well-known OIDC issuer, and which claims of one token agree
(docs/semantics.md §2.6).

AWS STS does not put every claim of a web identity token into the request context: only the claims the IAM User
Guide lists as condition keys for web identity federation ("IAM and AWS STS condition context keys", section
"Available keys for AWS OIDC federation": ``aud``, ``sub``, ``amr``, ``oaud``, ``azp``, ``app_id``, ``id``,
``user_id``) and, since the STS update of January 2026 ("AWS STS supports validation of identity provider specific
claims", aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims), a list of
provider-specific claims for GitHub, Google, CircleCI and Oracle Cloud Infrastructure. GitHub's own guide says it
plainly: "Support for custom claims for OIDC is unavailable in AWS" (docs.github.com, "Configuring OpenID Connect in
Amazon Web Services"). A condition on any other claim reads an absent key.

:func:`claim_status` says, for a provider host and a claim, whether the claim is **evaluated** (a token may carry it:
the caller chooses presence and value, within what the issuer signs), **not evaluated** (always absent from the
request) or **uncertain** (the sources do not settle it: treated as evaluated, the sound side, and marked approximate).

:func:`token_problem` is the other half: claims of one GitHub Actions token are not independent. GitHub documents
``repository`` as ``OWNER/NAME``, ``repository_owner`` as the owner, and the default subject as
``repo:OWNER/NAME:...`` ("OpenID Connect reference", docs.github.com); a request whose claims disagree is not a token
GitHub signs, so the evaluator refuses it and the z3 encoding asserts the same agreement (``smt.presence``). Across
tokens, ``repository_id`` determines the repository and ``repository_owner_id`` the owner (GitHub: "immutable ids");
that is used by the checks that compare two tokens (``checks.oidc_any_subject``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

GITHUB_HOST = "token.actions.githubusercontent.com"


class ClaimStatus(Enum):
    """Whether AWS STS puts a claim of a token into the request context."""

    EVALUATED = "evaluated"
    NOT_EVALUATED = "not-evaluated"
    UNCERTAIN = "uncertain"


#: Claims the IAM User Guide lists for web identity federation, for every provider.
DOCUMENTED_CLAIMS = frozenset({"aud", "sub", "amr", "oaud", "azp", "app_id", "id", "user_id"})

#: GitHub claims STS evaluates since January 2026 (the AWS announcement above, as its list is reproduced by
#: classmethod.jp and cageyv.dev, February 2026).
GITHUB_CLAIMS = frozenset({"actor", "actor_id", "job_workflow_ref", "repository", "repository_id", "workflow", "ref",
                           "environment", "enterprise_id"})

#: GitHub claims the announcement's list as reproduced does not name but the issue and GitHub's hardening guide rely
#: on (``repository_owner``, ``repository_owner_id``): treated as evaluated (sound) and marked approximate.
GITHUB_UNCERTAIN = frozenset({"repository_owner", "repository_owner_id"})

#: Providers whose provider-specific claims were added in January 2026 without a list we could confirm: every claim
#: of theirs beyond the documented ones is uncertain.
OPEN_PROVIDERS = ("accounts.google.com", "oidc.circleci.com/", "oraclecloud.com")

#: Claims reported to work but not documented (re:Post, "How to access nested attributes in custom OIDC token
#: claims": ``email``).
REPORTED_CLAIMS = frozenset({"email"})


def host_of(provider: str) -> str:
    """The host prefix of a provider's claim keys: the part of an OIDC provider ARN after ``oidc-provider/``, or a
    built-in web identity provider's name, lower-cased (``token.actions.githubusercontent.com``)."""
    host = provider.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in provider else provider
    return host.lower()


def request_problem(provider: str, context: Mapping[str, tuple[str, ...]]) -> str | None:
    """Why a web identity request with ``context`` cannot reach STS from ``provider``'s tokens, or None: it carries a
    claim STS does not evaluate (STS never puts one in the context), or its GitHub claims disagree
    (:func:`token_problem`)."""
    host = host_of(provider)
    for key in context:
        if key.startswith(host + ":") and ":" not in key[len(host) + 1:]:
            claim = key[len(host) + 1:]
            if claim_status(host, claim) is ClaimStatus.NOT_EVALUATED:
                return f"AWS STS does not evaluate the {claim} claim of {host} tokens: {key} is never in the request"
    return token_problem(host, context)


def uncertain_note(host: str, claim: str) -> str:
    """The approximation note of an uncertain claim (the evaluator and the z3 encoding mark it alike)."""
    return f"whether AWS STS evaluates the {claim} claim of {host} tokens is not documented: assumed it does"


def uncertain_claims(provider: str, context: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The approximation notes of the uncertain claims a web identity request of ``provider`` carries."""
    host = host_of(provider)
    out = []
    for key in context:
        if key.startswith(host + ":") and ":" not in key[len(host) + 1:]:
            claim = key[len(host) + 1:]
            if claim_status(host, claim) is ClaimStatus.UNCERTAIN:
                out.append(uncertain_note(host, claim))
    return tuple(out)


def is_github(host: str) -> bool:
    """GitHub Actions' issuer, public (``token.actions.githubusercontent.com``) or an enterprise's
    (``token.actions.githubusercontent.com/ENTERPRISE``)."""
    h = host.lower()
    return h == GITHUB_HOST or h.startswith(GITHUB_HOST + "/")


def claim_status(host: str, claim: str) -> ClaimStatus:
    """Whether AWS STS evaluates ``claim`` of tokens from the provider ``host`` (see the module docstring).

    Examples
    --------
    >>> claim_status("token.actions.githubusercontent.com", "repository_id").value
    'evaluated'
    >>> claim_status("token.actions.githubusercontent.com", "run_id").value
    'not-evaluated'
    >>> claim_status("token.actions.githubusercontent.com", "repository_owner_id").value
    'uncertain'
    >>> claim_status("gitlab.com", "namespace_path").value
    'not-evaluated'
    >>> claim_status("oidc.eks.us-east-1.amazonaws.com/id/ABC", "sub").value
    'evaluated'
    """
    c = claim.lower()
    h = host.lower()
    if c in DOCUMENTED_CLAIMS:
        return ClaimStatus.EVALUATED
    if is_github(h):
        if c in GITHUB_CLAIMS:
            return ClaimStatus.EVALUATED
        if c in GITHUB_UNCERTAIN:
            return ClaimStatus.UNCERTAIN
    if c in REPORTED_CLAIMS or any(h == p or h.startswith(p) or h.endswith(p) for p in OPEN_PROVIDERS):
        return ClaimStatus.UNCERTAIN
    return ClaimStatus.NOT_EVALUATED


def _claim(context: Mapping[str, tuple[str, ...]], host: str, claim: str) -> str | None:
    values = context.get(f"{host}:{claim}")
    return values[0] if values else None


def token_problem(host: str, context: Mapping[str, tuple[str, ...]]) -> str | None:
    """Why the claims of one GitHub Actions token in ``context`` (lower-cased keys) cannot come from GitHub, or None.

    ``repository`` is ``OWNER/NAME``; ``repository_owner`` is its ``OWNER``; a subject in the default format
    ``repo:OWNER/NAME:...`` names the same repository (customised subjects, which do not start with ``repo:``, are
    not tied).

    Examples
    --------
    >>> h = "token.actions.githubusercontent.com"
    >>> token_problem(h, {f"{h}:sub": ("repo:acme/app:ref:refs/heads/main",), f"{h}:repository": ("acme/app",)})
    >>> token_problem(h, {f"{h}:sub": ("repo:evil/x:ref:refs/heads/main",), f"{h}:repository": ("acme/app",)})
    "GitHub's sub 'repo:evil/x:ref:refs/heads/main' names another repository than repository 'acme/app'"
    """
    h = host.lower()
    if not is_github(h):
        return None
    sub = _claim(context, h, "sub")
    repo = _claim(context, h, "repository")
    owner = _claim(context, h, "repository_owner")
    if repo is not None and (repo.count("/") != 1 or repo.startswith("/") or repo.endswith("/")):
        return f"GitHub's repository claim {repo!r} is not OWNER/NAME"
    if repo is not None and owner is not None and repo.split("/", 1)[0] != owner:
        return f"GitHub's repository {repo!r} is not owned by repository_owner {owner!r}"
    if sub is not None and sub.startswith("repo:"):
        if repo is not None and not sub.startswith(f"repo:{repo}:"):
            return f"GitHub's sub {sub!r} names another repository than repository {repo!r}"
        if owner is not None and not sub.startswith(f"repo:{owner}/"):
            return f"GitHub's sub {sub!r} names another owner than repository_owner {owner!r}"
    return None


__all__ = ["ClaimStatus", "GITHUB_HOST", "claim_status", "host_of", "is_github", "request_problem", "token_problem",
           "uncertain_claims", "uncertain_note"]
