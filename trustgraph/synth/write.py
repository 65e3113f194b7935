""":func:`synthesize`: draw an organization of a profile and write its files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from trustgraph.errors import UsageError
from trustgraph.synth.documents import Json
from trustgraph.synth.gaad import gaad
from trustgraph.synth.organizations import org_files, provider_files
from trustgraph.synth.profiles import DEFAULT_PROFILE, PROFILES

MAX_ACCOUNTS = 10_000
MAX_ROLES_PER_ACCOUNT = 5_000  # IAM's hard quota on roles per account


@dataclass(frozen=True, slots=True)
class SynthSummary:
    """What :func:`synthesize` wrote."""

    out_dir: str
    seed: int
    org_id: str
    accounts: int
    roles: int
    users: int
    groups: int
    files: int
    bytes: int
    roles_by_kind: tuple[tuple[str, int], ...]
    profile: str = DEFAULT_PROFILE
    shape: str | None = None  # the drawn shape of a profile that draws one (``random``)

    def describe(self) -> str:
        """One line for the command line (the profile is named unless it is the default)."""
        kinds = ", ".join(f"{k} {n}" for k, n in self.roles_by_kind)
        profile = "" if self.profile == DEFAULT_PROFILE else f", profile {self.profile}"
        return (f"wrote {self.files} files ({self.bytes / 1e6:.1f} MB) to {self.out_dir}: organization "
                f"{self.org_id}, {self.accounts} accounts, {self.roles} roles ({kinds}), {self.users} users in "
                f"{self.groups} groups, seed {self.seed}{profile}" + (f"; {self.shape}" if self.shape else ""))


def synthesize(out_dir: str | os.PathLike[str], *, accounts: int, roles_per_account: int, seed: int,
               profile: str = DEFAULT_PROFILE) -> SynthSummary:
    """Write a generated organization to ``out_dir`` (created if needed; files of the same names are replaced).

    Parameters
    ----------
    out_dir
        Destination directory.
    accounts
        Number of accounts in the organization (the first is the management account), 1 to 10,000.
    roles_per_account
        Exact number of roles written per account, 1 to 5,000 (IAM's quota).
    seed
        Everything is derived from it: the same arguments give the same bytes.
    profile
        The shape of the organization, a name of :data:`trustgraph.synth.profiles.PROFILES` (default ``mix``).

    Returns
    -------
    SynthSummary
        Counts of what was written.

    Raises
    ------
    UsageError
        For counts out of range, an unknown profile, when ``out_dir`` exists and is not a directory, or when it holds
        JSON files this call would not overwrite (a previous organization of another shape or seed: loading the
        directory would mix them). Re-running the same arguments into the same directory is fine.
    """
    import orjson

    if not 1 <= accounts <= MAX_ACCOUNTS:
        raise UsageError(f"--accounts must be between 1 and {MAX_ACCOUNTS}, got {accounts}")
    if not 1 <= roles_per_account <= MAX_ROLES_PER_ACCOUNT:
        raise UsageError(f"--roles-per-account must be between 1 and {MAX_ROLES_PER_ACCOUNT}, got "
                         f"{roles_per_account}")
    if profile not in PROFILES:
        raise UsageError(f"--profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    builder = PROFILES[profile].builder(accounts, roles_per_account, seed)
    built = builder.build()
    files: dict[str, Json] = {}
    for acct in built:
        files[f"gaad-{acct.account_id}.json"] = gaad(acct, builder.ids)
    files.update(org_files(builder, built))
    files.update(provider_files(builder, built))
    stray = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")
                   if p.relative_to(out).as_posix() not in files)
    if stray:
        raise UsageError(f"{out}: holds other JSON files ({stray[0]}{' and more' if len(stray) > 1 else ''}) that "
                         f"would be loaded with the generated organization: choose an empty directory")
    options = orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    total = 0
    for name, data in files.items():
        payload = orjson.dumps(data, option=options)
        (out / name).write_bytes(payload)
        total += len(payload)
    return SynthSummary(
        out_dir=os.fspath(out), seed=seed, org_id=builder.org_id, accounts=accounts,
        roles=sum(len(a.roles) for a in built), users=sum(len(a.users) for a in built),
        groups=sum(len(a.groups) for a in built), files=len(files), bytes=total,
        roles_by_kind=tuple(sorted(builder.kind_counts.items())), profile=profile, shape=builder.shape_line(),
    )
