"""The zone of trust from command-line options: ``--zone ID`` (repeatable) and ``--zone-file zone.toml``.

A zone file is TOML::

    accounts = ["111122223333", "444455556666"]
    organizations = ["o-a1b2c3d4e5"]

    identity_center = "outside"          # optional; default "inside" (IAM Identity Center of zone accounts)

    [[identity_providers]]
    provider = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    subjects = ["repo:example-org/*"]   # optional: only tokens whose subject matches are ours

``provider`` and ``subjects`` are globs (``*`` any sequence, ``?`` one character). Without ``--zone`` and
``--zone-file``, a ``zone.toml`` at the top of a directory given as PATH is used (every directory alike; announced in
the zone's notes), else the zone is :meth:`Estate.default_zone` (the organizations loaded, or without organizations
data the exported accounts).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trustgraph.errors import IngestError, UsageError
from trustgraph.ingest._fields import parse_errors, type_name
from trustgraph.model.arn import is_account_id
from trustgraph.model.estate import Estate
from trustgraph.model.pattern import Pattern, parse_pattern
from trustgraph.model.zone import TrustedProvider, Zone

ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_KEYS = ("accounts", "organizations", "identity_providers", "identity_center")
_IDENTITY_CENTER = {"inside": True, "outside": False}

#: The file name of a directory's own zone file.
ZONE_FILE_NAME = "zone.toml"
_PROVIDER_KEYS = ("provider", "subjects")


def _glob(text: str) -> Pattern:
    return parse_pattern(text, wildcards=True, variables=False)


def zone_from_ids(ids: Sequence[str]) -> Zone:
    """A zone of the given account ids and organization ids (``--zone``).

    Examples
    --------
    >>> sorted(zone_from_ids(["111122223333", "o-a1b2c3d4e5"]).describe()["organizations"])
    ['o-a1b2c3d4e5']
    """
    accounts, orgs = set(), set()
    for raw in ids:
        text = raw.strip()
        if is_account_id(text):
            accounts.add(text)
        elif ORG_ID.match(text):
            orgs.add(text)
        else:
            raise UsageError(f"--zone `{raw}`: expected a 12-digit account id or an organization id (o-...)")
    return Zone(accounts=frozenset(accounts), organizations=frozenset(orgs), source="--zone", origin="--zone")


def _strings(doc: dict[str, Any], key: str, source: str, pointer: str, what: str) -> list[str]:
    value = doc[key]
    if not isinstance(value, list):
        raise IngestError(source, pointer, f"expected a list of {what}, got {_toml_type(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            hint = " (write account ids as quoted strings)" if isinstance(item, int) and key == "accounts" else ""
            raise IngestError(source, f"{pointer}/{i}", f"expected {what[:-1]} as a string, got "
                                                         f"{_toml_type(item)}{hint}")
    return value


def _toml_type(value: object) -> str:
    return "a table" if isinstance(value, dict) else type_name(value)


def zone_from_toml(path: str) -> Zone:
    """Read a zone file.

    Raises
    ------
    IngestError
        For a missing file, invalid TOML, unknown keys or malformed values, naming the key path as a JSON pointer.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise IngestError(path, "", "no such file or directory") from None
    except OSError as exc:
        raise IngestError(path, "", f"cannot read the zone file: {exc.strerror or exc}") from None
    import tomllib  # only when a zone file is read

    try:
        with parse_errors(path, "TOML"):
            doc = tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise IngestError(path, "", f"invalid TOML: {exc}") from None
    for key in doc:
        if key not in _KEYS:
            raise IngestError(path, f"/{key}", f"unknown key `{key}` (expected accounts, organizations, "
                                               f"identity_center or identity_providers)")
    identity_center = doc.get("identity_center", "inside")
    if not isinstance(identity_center, str) or identity_center not in _IDENTITY_CENTER:
        got = f"`{identity_center}`" if isinstance(identity_center, str) else _toml_type(identity_center)
        raise IngestError(path, "/identity_center", f"expected \"inside\" or \"outside\", got {got}")
    accounts = _strings(doc, "accounts", path, "/accounts", "account ids") if "accounts" in doc else []
    for i, acct in enumerate(accounts):
        if not is_account_id(acct):
            raise IngestError(path, f"/accounts/{i}", f"expected a 12-digit account id, got `{acct}`")
    orgs = _strings(doc, "organizations", path, "/organizations", "organization ids") if "organizations" in doc else []
    for i, org in enumerate(orgs):
        if not ORG_ID.match(org):
            raise IngestError(path, f"/organizations/{i}", f"expected an organization id o-..., got `{org}`")
    providers = []
    raw_providers = doc.get("identity_providers", [])
    if not isinstance(raw_providers, list):
        raise IngestError(path, "/identity_providers", "expected [[identity_providers]] tables, got "
                                                       f"{_toml_type(raw_providers)}")
    for i, entry in enumerate(raw_providers):
        ptr = f"/identity_providers/{i}"
        if not isinstance(entry, dict):
            raise IngestError(path, ptr, f"expected a table with provider and subjects, got {_toml_type(entry)}")
        for key in entry:
            if key not in _PROVIDER_KEYS:
                raise IngestError(path, f"{ptr}/{key}", f"unknown key `{key}` (expected provider or subjects)")
        provider = entry.get("provider")
        if not isinstance(provider, str) or not provider:
            raise IngestError(path, f"{ptr}/provider" if "provider" in entry else ptr,
                              "expected `provider` as a provider ARN glob or built-in IdP name")
        subjects = None
        if "subjects" in entry:
            subjects = tuple(_strings(entry, "subjects", path, f"{ptr}/subjects", "subject globs"))
        providers.append(TrustedProvider(
            provider=provider,
            provider_pattern=_glob(provider),
            subjects=subjects,
            subject_patterns=tuple(_glob(s) for s in subjects) if subjects is not None else None,
        ))
    return Zone(accounts=frozenset(accounts), organizations=frozenset(orgs), identity_providers=tuple(providers),
                identity_center=_IDENTITY_CENTER[identity_center], source=path, origin="zone file", zone_files=(path,))


def directory_zone_files(paths: Sequence[str | os.PathLike[str]]) -> tuple[str, ...]:
    """The ``zone.toml`` at the top of each directory among ``paths`` (files given as PATH have none)."""
    found = []
    for p in paths:
        candidate = Path(os.fspath(p)) / ZONE_FILE_NAME
        if Path(os.fspath(p)).is_dir() and candidate.is_file():
            found.append(str(candidate))
    return tuple(dict.fromkeys(found))


def zone_from_options(estate: Estate, ids: Sequence[str], zone_file: str | Sequence[str] | None, *,
                      paths: Sequence[str | os.PathLike[str]] = ()) -> Zone:
    """The zone the command line asks for, resolved against the estate (:meth:`Estate.resolve_zone`).

    ``--zone`` ids and/or a zone file (their union); with neither, the ``zone.toml`` of each directory in ``paths``
    (their union, announced in the zone's notes), else the default (:meth:`Estate.default_zone`).

    Parameters
    ----------
    estate
        The loaded estate.
    ids
        ``--zone`` values: 12-digit account ids and ``o-`` organization ids.
    zone_file
        The ``--zone-file`` path (or several), or None.
    paths
        The PATHs the estate was loaded from, searched for their own ``zone.toml`` when no option is given.

    Raises
    ------
    UsageError
        For a malformed ``--zone`` value.
    IngestError
        For a malformed zone file.
    """
    found = False
    files: tuple[str, ...] = ()
    if zone_file is not None:
        files = (zone_file,) if isinstance(zone_file, str) else tuple(zone_file)
    elif not ids:
        files = directory_zone_files(paths)
        found = bool(files)
    if not ids and not files:
        return estate.default_zone()
    parts = [zone_from_toml(f) for f in files]
    if ids:
        parts.append(zone_from_ids(ids))
    notes: tuple[str, ...] = ()
    if found:
        notes = tuple(f"zone file {f} was found in a scanned directory; --zone or --zone-file replace it"
                      for f in files)
    zone = Zone(
        accounts=frozenset().union(*(z.accounts for z in parts)),
        organizations=frozenset().union(*(z.organizations for z in parts)),
        identity_providers=tuple(p for z in parts for p in z.identity_providers),
        identity_center=all(z.identity_center for z in parts),
        source=" + ".join(z.source for z in parts),
        origin=" + ".join(dict.fromkeys(z.origin for z in parts)),
        zone_files=files,
        found_in_directory=found,
        notes=notes,
    )
    return estate.resolve_zone(zone)


__all__ = ["ZONE_FILE_NAME", "directory_zone_files", "zone_from_ids", "zone_from_options", "zone_from_toml"]
