"""The generator's working values: a role and an account before they are written as an export."""

from __future__ import annotations

from dataclasses import dataclass, field

from trustgraph.synth.documents import Json


@dataclass
class Role:
    """A role being drawn (mutable: a later role may add to an earlier one's inline policies, as chains do)."""

    name: str
    path: str
    trust: Json
    kind: str
    inline: dict[str, Json]
    managed: list[str]  # policy ARNs
    profile: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    max_session: int = 3600


@dataclass
class Account:
    """An account being drawn."""

    account_id: str
    name: str
    ou: str | None
    roles: list[Role]
    users: list[Json]
    groups: list[Json]
    customer_policies: dict[str, Json]
    saml_providers: list[str]
    oidc_providers: list[str]
    extra: dict[str, list[str]] = field(default_factory=dict)  # per-profile bookkeeping (e.g. chain stages)
