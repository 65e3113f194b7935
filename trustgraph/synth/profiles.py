"""The organization shapes ``trustgraph synth --profile NAME`` can draw, and what each promises.

Each profile keeps the landing-zone baseline of :mod:`trustgraph.synth.core` and changes what is drawn around it.
Profiles are stress shapes for the bench, one property each pushed far; they do not replace organizations nobody
generated.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustgraph.synth.chains import ChainBuilder
from trustgraph.synth.conditions import ConditionBuilder
from trustgraph.synth.core import BuilderCore
from trustgraph.synth.federation import FederationBuilder
from trustgraph.synth.mix import MixBuilder
from trustgraph.synth.random_profile import RandomBuilder
from trustgraph.synth.vendors import VendorBuilder


@dataclass(frozen=True, slots=True)
class Profile:
    """A named organization shape: the builder that draws it and one line saying what it stresses."""

    name: str
    builder: type[BuilderCore]
    summary: str


DEFAULT_PROFILE = "mix"

PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("mix", MixBuilder, "the landing-zone baseline and a realistic mix of role kinds (the default)"),
    Profile("federation-heavy", FederationBuilder,
            "Identity Center, GitHub and GitLab OIDC in every account; many administrator roles behind them"),
    Profile("chain-heavy", ChainBuilder,
            "role chains of 4-7 stages per account (up to 14 hops across account pairs), account-root trusts "
            "inside the organization"),
    Profile("vendor-heavy", VendorBuilder,
            "up to 400 outside vendor accounts, external ids on most trusts, none or vacuous on the rest"),
    Profile("condition-heavy", ConditionBuilder,
            "4-8 condition keys per trust statement: IfExists, ForAnyValue/ForAllValues, Null, IP and date "
            "operators, Deny statements"),
    Profile("random", RandomBuilder,
            "a shape drawn from the seed: weights of every role kind, administrators, hub trusts, chain lengths and "
            "branching, condition keys, federation and vendor density, ExternalId and MFA shares, org-scoped "
            "conditions, policy sizes, users (the same shape at every size)"),
)}
"""Every profile by name, the default first."""
