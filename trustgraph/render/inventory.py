"""The inventory view: one row per principal, rendered as a terminal table, JSON or CSV.

Rows are built by one function, :func:`inventory_rows`, into :class:`InventoryRow` values; the columns of every
format are the dataclass's fields in order, so adding a field adds a column everywhere.

JSON shape (stable, ``version`` 1)::

    {"version": 1,
     "zone": {"accounts": [...], "organizations": [...], "identity_providers": [...], "source": "default"},
     "principals": [{"arn": str, "kind": "user"|"role"|"saml"|"oidc"|"web-identity", "account": str,
                     "path": str, "inside": bool, "groups": [str], "trust": str, "statements": int | null,
                     "flags": [str]}, ...]}
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, fields, replace
from typing import IO

import orjson

from trustgraph.ingest.gaad import UNRESOLVED
from trustgraph.model.account import AccountSnapshot, Role, User
from trustgraph.model.arn import parse_arn
from trustgraph.model.estate import Estate
from trustgraph.model.organization import ProviderType
from trustgraph.model.policy import Effect, Policy, Statement
from trustgraph.model.principal import Principal, PrincipalElement, PrincipalKind
from trustgraph.model.zone import Zone
from trustgraph.safe_text import csv_cell, rich_text

JSON_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryRow:
    """One principal.

    Attributes
    ----------
    arn
        The user or role ARN, the provider ARN, or the built-in web identity provider's name.
    kind
        ``user``, ``role``, ``saml``, ``oidc`` or ``web-identity`` (the graph's node kinds).
    account
        The owning account id ("" for built-in web identity providers).
    path
        The IAM path ("" for providers).
    inside
        True when the principal counts as inside the zone of trust.
    admin
        True when it holds administrator power (``admin_kind``): its effective identity permissions allow every
        action on every resource, or it can grant itself anything (see :mod:`trustgraph.graph.admin`).
    groups
        The user's group names.
    trust
        For roles, a one-line summary of the trust policy.
    statements
        Statements in the principal's permission policies (a user's include its groups'); None for providers.
    flags
        Flag codes concerning the principal, its groups or the policies attached to it.
    admin_kind, admin_reason
        ``admin`` (every action on every resource) or ``admin-equivalent`` (it can grant itself anything), and
        why in words; empty when ``admin`` is False.
    """

    arn: str
    kind: str
    account: str
    path: str
    inside: bool
    admin: bool = False
    groups: tuple[str, ...] = ()
    trust: str = ""
    statements: int | None = None
    flags: tuple[str, ...] = ()
    admin_kind: str = ""
    admin_reason: str = ""


COLUMNS = tuple(f.name for f in fields(InventoryRow))


def _short_principal(p: Principal) -> str:
    if p.kind is PrincipalKind.ANY:
        return "*"
    if p.kind is PrincipalKind.SERVICE and p.text.endswith(".amazonaws.com"):
        return p.text[: -len(".amazonaws.com")]
    if p.kind in (PrincipalKind.OIDC_PROVIDER, PrincipalKind.SAML_PROVIDER):
        return p.provider_name if p.kind is PrincipalKind.OIDC_PROVIDER else "saml-provider/" + p.provider_name
    arn = parse_arn(p.text)
    if arn is not None and p.kind in (PrincipalKind.ACCOUNT, PrincipalKind.USER, PrincipalKind.ROLE,
                                      PrincipalKind.ASSUMED_ROLE, PrincipalKind.FEDERATED_USER):
        return f"{arn.account}:{arn.resource}"
    return p.text


def _principal_groups(principals: tuple[Principal, ...]) -> str:
    by_element: dict[str, list[str]] = {}
    for p in principals:
        element = "AWS" if p.element is PrincipalElement.STAR else p.element.value
        by_element.setdefault(element, []).append(_short_principal(p))
    return "; ".join(f"{element} {', '.join(names)}" for element, names in by_element.items())


def _statement_summary(st: Statement) -> str:
    parts = []
    if st.principals is not None:
        parts.append(_principal_groups(st.principals))
    elif st.not_principals is not None:
        parts.append("NotPrincipal " + _principal_groups(st.not_principals))
    else:
        parts.append("no principal")
    text = ("Deny " if st.effect is Effect.DENY else "") + "; ".join(parts)
    if st.conditions:
        keys = list(dict.fromkeys(c.key_text for c in st.conditions))
        text += f" [+conditions: {', '.join(keys)}]"
    return text


def trust_summary(policy: Policy) -> str:
    """A one-line summary of a trust policy, statement by statement (`` | `` between statements).

    Examples
    --------
    >>> from trustgraph.ingest.policy_json import policy_from_json
    >>> from trustgraph.model.location import MEMORY
    >>> trust_summary(policy_from_json({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ...     "Principal": {"AWS": "arn:aws:iam::444455556666:root", "Service": "ec2.amazonaws.com"},
    ...     "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}]}, MEMORY,
    ...     kind="trust"))
    'AWS 444455556666:root; Service ec2 [+conditions: sts:ExternalId]'
    """
    return " | ".join(_statement_summary(st) for st in policy.statements)


def _statement_count(snap: AccountSnapshot, inline: tuple[Policy, ...], managed: tuple[str, ...]) -> int:
    return sum(len(p.statements) for p in (*inline, *snap.managed_documents(managed)))


def _subject_flags(snap: AccountSnapshot, subjects: set[str], managed: tuple[str, ...]) -> tuple[str, ...]:
    codes = {f.code for f in snap.flags if f.subject in subjects and f.code != UNRESOLVED}
    if any(arn not in snap.policy_by_arn for arn in managed):
        codes.add(UNRESOLVED)
    return tuple(sorted(codes))


def _user_row(estate: Estate, zone: Zone, snap: AccountSnapshot, user: User) -> InventoryRow:
    groups = [snap.group_by_name[g] for g in user.groups if g in snap.group_by_name]
    inline = (*(p.document for p in user.inline_policies),
              *(p.document for g in groups for p in g.inline_policies))
    managed = (*user.managed_policy_arns, *(a for g in groups for a in g.managed_policy_arns))
    attached = (*managed, *((user.boundary_arn,) if user.boundary_arn else ()))
    subjects = {user.arn, *(g.arn for g in groups), *attached}
    flags = set(_subject_flags(snap, subjects, attached))
    if len(groups) != len(user.groups):
        flags.add("unknown-group")
    return InventoryRow(
        arn=user.arn, kind="user", account=user.account, path=user.path,
        inside=estate.account_inside(zone, user.account), groups=user.groups,
        statements=_statement_count(snap, inline, managed), flags=tuple(sorted(flags)),
    )


def _role_row(estate: Estate, zone: Zone, snap: AccountSnapshot, role: Role) -> InventoryRow:
    attached = (*role.managed_policy_arns, *((role.boundary_arn,) if role.boundary_arn else ()))
    return InventoryRow(
        arn=role.arn, kind="role", account=role.account, path=role.path,
        inside=estate.account_inside(zone, role.account), trust=trust_summary(role.trust_policy),
        statements=_statement_count(snap, tuple(p.document for p in role.inline_policies), role.managed_policy_arns),
        flags=_subject_flags(snap, {role.arn, *attached}, attached),
    )


_PROVIDER_KIND = {
    PrincipalKind.SAML_PROVIDER: "saml",
    PrincipalKind.OIDC_PROVIDER: "oidc",
    PrincipalKind.WEB_IDENTITY: "web-identity",
}


def _provider_rows(estate: Estate, zone: Zone) -> list[InventoryRow]:
    found: dict[str, tuple[str, str, set[str]]] = {}  # name -> (kind, account, flags)
    for provider in estate.identity_providers:
        arn = parse_arn(provider.arn)
        provider_kind = "saml" if provider.type is ProviderType.SAML else "oidc"
        found.setdefault(provider.arn, (provider_kind, arn.account if arn else "", set()))
    for snap in estate.accounts:
        for role in snap.roles:
            for st in role.trust_policy.statements:
                for p in (*(st.principals or ()), *(st.not_principals or ())):
                    kind = _PROVIDER_KIND.get(p.kind)
                    if kind is None:
                        continue
                    entry = found.setdefault(p.text, (kind, p.account or "", set()))
                    if p.kind is not PrincipalKind.WEB_IDENTITY and estate.identity_providers and not any(
                        ip.arn == p.text for ip in estate.identity_providers
                    ):
                        entry[2].add("provider-not-listed")
    rows = []
    for name, (kind, account, flags) in found.items():
        trusted = zone.trusted_entries(name)
        inside = estate.provider_inside(zone, name)
        if trusted and not inside:
            flags.add("zone-trusts-listed-subjects-only")
        rows.append(InventoryRow(arn=name, kind=kind, account=account, path="", inside=inside or bool(trusted),
                                 flags=tuple(sorted(flags))))
    return rows


def inventory_rows(estate: Estate, zone: Zone) -> tuple[InventoryRow, ...]:
    """One row per user, role and federated provider of the estate, in account order then users, roles,
    providers.

    Federated providers come from the identity-provider listings and from ``Federated`` principals of trust
    policies; a provider named in a trust policy but absent from loaded listings is flagged
    ``provider-not-listed`` (only when listings were loaded).
    """
    rows: list[InventoryRow] = []
    for snap in estate.accounts:
        rows.extend(_user_row(estate, zone, snap, u) for u in snap.users)
        rows.extend(_role_row(estate, zone, snap, r) for r in snap.roles)
    rows.extend(_provider_rows(estate, zone))
    from trustgraph.graph.admin import admin_statuses

    admins = admin_statuses(estate)
    return tuple(replace(r, admin=True, admin_kind=admins[r.arn].level, admin_reason=admins[r.arn].reason)
                 if r.arn in admins else r for r in rows)


def row_to_json(row: InventoryRow) -> dict[str, object]:
    """A row as a JSON-ready dict (tuples become lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(row).items()}


def render_json(rows: tuple[InventoryRow, ...], zone: Zone) -> str:
    """The documented JSON shape, indented, with a final newline."""
    doc = {"version": JSON_VERSION, "zone": zone.describe(), "principals": [row_to_json(r) for r in rows]}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"


def _cell(value: object) -> str:
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def render_csv(rows: tuple[InventoryRow, ...]) -> str:
    """CSV with a header row; list cells are ``;``-separated, booleans ``true``/``false``; every cell through
    :func:`~trustgraph.safe_text.csv_cell` (no formula prefixes, control characters escaped)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(_cell(getattr(row, c))) for c in COLUMNS])
    return out.getvalue()


def render_table(rows: tuple[InventoryRow, ...], file: IO[str], zone: Zone | None = None) -> None:
    """The zone's lines (when given), then a rich table on ``file``; wide and uncoloured when ``file`` is not a
    terminal. Cells are :class:`rich.text.Text` (markup in a role path is printed, not interpreted) with control
    characters escaped."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    is_tty = hasattr(file, "isatty") and file.isatty()
    console = Console(file=file, width=None if is_tty else 400, no_color=not is_tty, highlight=False,
                      soft_wrap=False, markup=False, emoji=False)
    if zone is not None:
        from trustgraph.render.table import clean
        from trustgraph.render.zone_text import zone_lines

        for line in zone_lines(zone.describe()):
            console.print(Text(clean(line)))
    table = Table(show_lines=False, header_style="bold")
    for name in COLUMNS:
        table.add_column(name, overflow="fold", no_wrap=name in ("arn", "kind", "account", "inside"))
    for row in rows:
        table.add_row(*(Text("yes" if getattr(row, c) else "no") if c in ("inside", "admin")
                        else rich_text(_cell(getattr(row, c))) for c in COLUMNS))
    console.print(table)
    console.print(Text(f"{len(rows)} principals"))
