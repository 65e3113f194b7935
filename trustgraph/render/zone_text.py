"""The zone of trust in words: the lines every table output starts with.

Every report says which zone its answers are relative to (a "no" is a proof only under that zone): what is inside
(organizations, accounts, trusted identity providers, IAM Identity Center), where that came from (the default from
organizations data or from the exported accounts, ``--zone``, a zone file given or found in a scanned directory), and
the zone's notes (exported accounts left outside, a member list not loaded). The input is the JSON-ready description
(:meth:`trustgraph.model.zone.Zone.describe`), so the same lines come out of a report read back from JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _some(values: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def zone_origin(zone: Mapping[str, Any]) -> str:
    """Where the zone came from, in words: ``default: organizations data``, ``--zone``, ``zone file F`` ..."""
    origin = str(zone.get("origin") or zone.get("source") or "default")
    if zone.get("default"):
        return f"default: {origin}"
    files = [str(f) for f in zone.get("zone_files") or ()]
    if files:
        return origin.replace("zone file", "zone file " + ", ".join(files), 1)
    return origin


def zone_summary(zone: Mapping[str, Any]) -> str:
    """What is inside, in one phrase: ``organization o-a1b2c3d4e5 (1 account); Identity Center inside``."""
    parts = []
    orgs = [str(o) for o in zone.get("organizations") or ()]
    accounts = [str(a) for a in zone.get("accounts") or ()]
    inside = zone.get("inside_accounts") or ()
    if orgs:
        noun = "organization" if len(orgs) == 1 else "organizations"
        parts.append(f"{noun} {_some(orgs)}" + (f" ({len(inside)} account{'s' if len(inside) != 1 else ''} "
                                                 "inside)" if inside else ""))
    if accounts:
        parts.append(f"account{'s' if len(accounts) != 1 else ''} {_some(accounts)}")
    providers = zone.get("identity_providers") or ()
    if providers:
        parts.append(f"{len(providers)} trusted identity provider{'s' if len(providers) != 1 else ''}")
    if zone.get("identity_center"):
        parts.append(f"IAM Identity Center {zone['identity_center']}")
    return "; ".join(parts) or "nothing (every principal is outside)"


def zone_lines(zone: Mapping[str, Any]) -> list[str]:
    """The zone's header: ``zone of trust: WHAT [ORIGIN]`` then one line per note (indented)."""
    lines = [f"zone of trust: {zone_summary(zone)} [{zone_origin(zone)}]"]
    lines += [f"  {note}" for note in zone.get("notes") or ()]
    return lines


__all__ = ["zone_lines", "zone_origin", "zone_summary"]
