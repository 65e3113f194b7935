"""The shape of a ``random`` organization: every proportion the other profiles fix, drawn from the seed.

:func:`draw_shape` turns a seed into a :class:`Shape`: the mixture weights of every role kind the generator knows, how
many of the drawn roles are administrators, account-root (hub) trusts inside the organization, chain lengths and
branching, condition keys per trust statement, federation density (SAML, Identity Center, GitHub, GitLab and other
OIDC issuers with subject pins of every tightness), vendor density and ExternalId share, MFA guards, organization-scoped
conditions, identity-policy sizes, users and groups. The shape depends on the seed only (its own random stream, not the
one that draws the roles), so one seed gives one shape at every size: ``bench --scaling`` compares like with like.

The ranges are wide on purpose (a kind may be absent or dominate; an organization may have no pipeline or a pipeline
of eight stages in every account), but each value stays within what real estates show; nothing here is a census.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

RANDOM_KINDS: tuple[tuple[str, float], ...] = (
    # (kind, prior scale): the weight of a kind is scale x Gamma(0.6), or 0 with probability ABSENT
    ("service", 1.0),
    ("service-linked", 0.5),
    ("cross-account-tooling", 0.5),
    ("same-account-operator", 0.5),
    ("vendor", 0.3),
    ("outside-vendor", 0.5),
    ("github-oidc", 0.4),
    ("gitlab-oidc", 0.3),
    ("other-oidc", 0.3),
    ("saml-federated", 0.3),
    ("identity-center-custom", 0.3),
    ("federated-admin", 0.2),
    ("ci-chained", 0.3),
    ("chained", 0.4),
    ("root-trust", 0.4),
    ("cross-account-chained", 0.4),
    ("org-scoped", 0.3),
    ("cross-service", 0.15),
    ("public", 0.02),
    ("conditioned-operator", 0.2),
    ("conditioned-saml", 0.1),
    ("conditioned-oidc", 0.1),
    ("conditioned-vendor", 0.1),
)
"""Every kind the ``random`` profile may draw, with the scale of its prior weight (kinds that are rare in real estates,
such as public roles, or that the conditions of :mod:`trustgraph.synth.conditions` make expensive, get smaller
scales; ``service`` is always present, so every shape draws something)."""

ABSENT = 0.3
"""Probability that a kind (other than ``service``) is absent from a shape."""

OIDC_ISSUERS = ("github", "gitlab", "terraform", "eks", "circleci")
PIN_TIGHTNESS = ("exact", "project", "owner", "prefix", "none")
"""Subject pins, tightest first: one repository and ref; any ref of a repository; any repository of the owner (with the
slash); the owner as a bare prefix (other owners match too); no ``sub`` condition."""


@dataclass(frozen=True, slots=True)
class Shape:
    """Every drawn proportion of a ``random`` organization (see the module docstring)."""

    seed: int
    weights: tuple[tuple[str, float], ...]
    admin_share: float  # share of administrators among the kinds that may be one
    permission_sets: tuple[int, int]  # Identity Center permission sets per account (least, most)
    pipeline_share: float  # share of accounts holding a chain of stage roles
    stages: tuple[int, int]  # stages of such a chain (least, most)
    branching: int  # roles one chain role may assume (fan-out of drawn chains)
    hub_share: float  # share of in-organization chains and tooling trusts written against the account root
    keys: tuple[int, int]  # condition keys per trust statement of the conditioned kinds (least, most)
    extra_condition_share: float  # share of other drawn roles whose trust gets extra condition keys
    extra_keys: tuple[int, int]  # keys added to those
    deny_share: float  # share of conditioned trusts that add a Deny statement
    oidc_weights: tuple[tuple[str, float], ...]  # which issuer an "other" or generic OIDC role uses
    pin_weights: tuple[tuple[str, float], ...]  # subject-pin tightness of OIDC roles
    federation_baseline: float  # share of accounts with a GitHub and GitLab deployment admin in the baseline
    saml_share: float  # share of accounts with an outside SAML identity provider (Okta, Entra ID)
    vendor_pool: int  # distinct outside vendor accounts
    external_id_share: float  # vendor trusts with an ExternalId
    vacuous_share: float  # of the rest: StringLike "*" or IfExists instead of nothing
    mfa_share: float  # operator trusts and group policies guarded by MFA
    org_paths_share: float  # org-scoped trusts on aws:PrincipalOrgPaths rather than aws:PrincipalOrgID
    policy_statements: tuple[int, int]  # extra statements in a drawn role's identity policy (least, most)
    wildcard_assume_share: float  # drawn roles allowed sts:AssumeRole on a wildcard resource
    users: tuple[int, int]  # IAM users per account (least, most)
    user_assume_share: float  # users whose group may assume roles (by name or wildcard)

    def describe(self) -> str:
        """One line: the heaviest kinds and the other proportions (for the synth summary and the bench record)."""
        top = sorted(self.weights, key=lambda kw: -kw[1])[:6]
        kinds = " ".join(f"{k} {w:.0%}" for k, w in top if w > 0)
        absent = sum(1 for _, w in self.weights if w == 0)
        pins = " ".join(f"{k} {w:.0%}" for k, w in self.pin_weights)
        return (f"shape of seed {self.seed}: kinds {kinds} (+{len(self.weights) - len(top) - absent} more, "
                f"{absent} absent); admins {self.admin_share:.0%}; permission sets {self.permission_sets[0]}-"
                f"{self.permission_sets[1]}; pipelines in {self.pipeline_share:.0%} of accounts, {self.stages[0]}-"
                f"{self.stages[1]} stages; branching {self.branching}; hub trusts {self.hub_share:.0%}; keys "
                f"{self.keys[0]}-{self.keys[1]}, extra keys on {self.extra_condition_share:.0%}; pins {pins}; "
                f"vendors {self.vendor_pool}, ExternalId {self.external_id_share:.0%}; MFA {self.mfa_share:.0%}; "
                f"OrgPaths {self.org_paths_share:.0%}; policy statements {self.policy_statements[0]}-"
                f"{self.policy_statements[1]}; wildcard AssumeRole {self.wildcard_assume_share:.0%}; users "
                f"{self.users[0]}-{self.users[1]}")


def _normalised(pairs: list[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    total = sum(w for _, w in pairs)
    return tuple((k, w / total) for k, w in pairs)


def _span(rng: random.Random, low: int, high: int) -> tuple[int, int]:
    """Two draws in ``[low, high]``, ordered."""
    a, b = rng.randint(low, high), rng.randint(low, high)
    return min(a, b), max(a, b)


def draw_shape(seed: int) -> Shape:
    """The shape of the ``random`` organization of ``seed`` (a function of the seed alone)."""
    rng = random.Random(f"trustgraph-random-shape-{seed}")
    weights = []
    for kind, scale in RANDOM_KINDS:
        absent = kind != "service" and rng.random() < ABSENT
        weights.append((kind, 0.0 if absent else scale * rng.gammavariate(0.6, 1.0) + (0.02 if kind == "service"
                                                                                         else 0.0)))
    oidc = [(k, rng.gammavariate(0.8, 1.0)) for k in OIDC_ISSUERS]
    pins = [(k, rng.gammavariate(0.8, 1.0) * s) for k, s in zip(PIN_TIGHTNESS, (3.0, 1.5, 0.7, 0.4, 0.3),
                                                                    strict=True)]
    low_keys = rng.randint(1, 6)
    return Shape(
        seed=seed,
        weights=_normalised(weights),
        admin_share=round(rng.uniform(0.02, 0.7), 3),
        permission_sets=_span(rng, 1, 6),
        pipeline_share=round(rng.choice((0.0, rng.random(), 1.0)), 3),
        stages=_span(rng, 2, 8),
        branching=rng.randint(1, 6),
        hub_share=round(rng.random(), 3),
        keys=(low_keys, rng.randint(low_keys, 10)),
        extra_condition_share=round(rng.choice((0.0, rng.uniform(0.0, 0.5))), 3),
        extra_keys=_span(rng, 1, 4),
        deny_share=round(rng.uniform(0.0, 0.4), 3),
        oidc_weights=_normalised(oidc),
        pin_weights=_normalised(pins),
        federation_baseline=round(rng.choice((0.0, rng.random(), 1.0)), 3),
        saml_share=round(rng.choice((0.0, rng.random(), 1.0)), 3),
        vendor_pool=rng.choice((6, 30, 100, 400)),
        external_id_share=round(rng.uniform(0.2, 1.0), 3),
        vacuous_share=round(rng.uniform(0.0, 0.4), 3),
        mfa_share=round(rng.random(), 3),
        org_paths_share=round(rng.random(), 3),
        policy_statements=_span(rng, 0, rng.choice((2, 10, 40))),
        wildcard_assume_share=round(rng.choice((0.0, rng.uniform(0.0, 0.05), rng.uniform(0.0, 0.3))), 3),
        users=_span(rng, 0, rng.choice((2, 10, 40))),
        user_assume_share=round(rng.random(), 3),
    )
