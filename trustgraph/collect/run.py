"""The collection run: plan the accounts, keep what an earlier run collected, collect the rest concurrently.

One account (the caller's, or those named), or with ``organization`` every account of the caller's organization:
the caller's own account with its own credentials, every other one by assuming ``role_name`` in it. A failure in one
account (access denied, a role that is missing or does not trust the caller, throttling that outlasts the retries)
is recorded in the manifest and the summary and never stops the others. Suspended or closed accounts are skipped.
The manifest is saved after every account, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace

from trustgraph import __version__
from trustgraph.collect.account import WrongAccount, collect_account
from trustgraph.collect.manifest import FAILED, OK, SKIPPED, Entry, Manifest, now_text, previous_entries
from trustgraph.collect.organization import (
    MemberAccount,
    OrganizationSnapshot,
    collect_organization,
    kept_organization,
)
from trustgraph.collect.output import ORGANIZATION_DIR, OutputFolder
from trustgraph.collect.progress import Progress, SilentProgress
from trustgraph.collect.session import AwsCallError, CallerIdentity, Sessions, as_call_error, role_arn
from trustgraph.errors import TrustgraphError, UsageError

DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"
DEFAULT_JOBS = 8

KEPT = "kept"


class OrganizationUnreadable(TrustgraphError):
    """The organization could not be read (``--organization`` then has nothing to walk)."""


@dataclass(frozen=True)
class CollectOptions:
    """What to collect: ``--organization``, ``--accounts``, ``--role-name``, ``--jobs``, ``--refresh``."""

    organization: bool = False
    accounts: tuple[str, ...] = ()
    role_name: str = DEFAULT_ROLE_NAME
    jobs: int = DEFAULT_JOBS
    refresh: bool = False


@dataclass(frozen=True)
class AccountOutcome:
    """What this run did with one account: ``ok`` (collected), ``kept``, ``failed`` or ``skipped``."""

    account_id: str
    status: str
    name: str | None = None
    error: AwsCallError | None = None
    note: str | None = None


@dataclass(frozen=True)
class CollectSummary:
    """The outcome of a run, for the command's summary and exit code."""

    out: str
    caller: CallerIdentity
    organization_id: str | None
    organization_status: str | None  # ok (collected), kept, or None without --organization
    outcomes: tuple[AccountOutcome, ...]
    notes: tuple[str, ...] = ()

    def with_status(self, status: str) -> tuple[AccountOutcome, ...]:
        """The accounts that ended with ``status``."""
        return tuple(o for o in self.outcomes if o.status == status)


def _validate_accounts(accounts: Sequence[str]) -> tuple[str, ...]:
    bad = [a for a in accounts if not (len(a) == 12 and a.isdigit())]
    if bad:
        raise UsageError(f"--accounts expects 12-digit account ids, got {', '.join(repr(b) for b in bad)}")
    return tuple(dict.fromkeys(accounts))


class _Run:
    """The state of one run: the manifest it updates and the folder it writes."""

    def __init__(self, folder: OutputFolder, options: CollectOptions, sessions: Sessions, caller: CallerIdentity,
                 progress: Progress) -> None:
        self.folder = folder
        self.options = options
        self.sessions = sessions
        self.caller = caller
        self.progress = progress
        self.lock = threading.Lock()
        previous_org, previous_accounts = previous_entries(folder)
        self.previous_accounts = previous_accounts
        self.manifest = Manifest(
            tool_version=__version__, started_at=now_text(), caller=caller.to_json(),
            options={"organization": options.organization, "accounts": list(options.accounts),
                     "role_name": options.role_name, "region": sessions.region,
                     "endpoint_url": sessions.options.endpoint_url, "jobs": options.jobs, "refresh": options.refresh},
            organization=previous_org, accounts=dict(previous_accounts),
        )

    def organization(self) -> tuple[OrganizationSnapshot, str]:
        previous = self.manifest.organization
        if not self.options.refresh and previous is not None and previous.complete(self.folder):
            kept = kept_organization(self.folder.root)
            if kept is not None:
                return kept, KEPT
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            snapshot = collect_organization(self.sessions.shared("organizations"))
        except (BotoCoreError, ClientError) as exc:  # recorded in the manifest, then reported as one line
            error = as_call_error(exc)
            self.manifest.organization = Entry(status=FAILED, error=error.to_json(),
                                               files=previous.files if previous else ())
            self.manifest.save(self.folder)
            raise OrganizationUnreadable(f"cannot read the organization (run from its management account or a "
                                         f"delegated administrator): {error}") from None
        files = self.folder.replace_group(ORGANIZATION_DIR, snapshot.documents)
        self.manifest.organization = Entry(status=OK, files=tuple(files), collected_at=now_text(),
                                           via="caller", name=snapshot.org_id, counts=snapshot.counts,
                                           note="; ".join(snapshot.notes) or None)
        self.manifest.save(self.folder)
        return snapshot, OK

    def plan(self, snapshot: OrganizationSnapshot | None) -> list[MemberAccount]:
        if snapshot is None:
            wanted = self.options.accounts or (self.caller.account,)
            return [MemberAccount(account_id=a, name=None, state=None) for a in wanted]
        members = {m.account_id: m for m in snapshot.accounts}
        if not self.options.accounts:
            return list(members.values())
        unknown = [a for a in self.options.accounts if a not in members]
        if unknown:
            raise UsageError(f"--accounts names accounts that are not in organization {snapshot.org_id}: "
                             f"{', '.join(unknown)}")
        return [members[a] for a in self.options.accounts]

    def collect_one(self, member: MemberAccount) -> AccountOutcome:
        account_id = member.account_id
        previous = self.previous_accounts.get(account_id)
        try:
            if account_id == self.caller.account:
                iam, via = self.sessions.client("iam"), "caller"
            else:
                via = role_arn(self.caller.partition, account_id, self.options.role_name)
                iam = self.sessions.client("iam", self.sessions.assume(via))
            export = collect_account(iam, account_id)
        except Exception as exc:  # noqa: BLE001 - one account's failure never stops the others
            error = AwsCallError("WrongAccount", str(exc)) if isinstance(exc, WrongAccount) else as_call_error(exc)
            entry = Entry(status=FAILED, error=error.to_json(), name=member.name)
            if previous is not None and previous.files:
                entry = replace(entry, files=previous.files, collected_at=previous.collected_at,
                                note=f"the files collected at {previous.collected_at} are kept")
            note = entry.note
            self._record(account_id, entry)
            return AccountOutcome(account_id, FAILED, member.name, error, note)
        files = self.folder.replace_group(self.folder.account_dir(account_id), export.documents)
        self._record(account_id, Entry(status=OK, files=tuple(files), collected_at=now_text(), via=via,
                                       name=member.name, counts=export.counts))
        return AccountOutcome(account_id, OK, member.name)

    def _record(self, account_id: str, entry: Entry) -> None:
        with self.lock:
            self.manifest.accounts[account_id] = entry
            self.manifest.save(self.folder)
            self.progress.done(account_id, entry.status)

    def run(self) -> CollectSummary:
        snapshot, org_status = (self.organization() if self.options.organization else (None, None))
        outcomes: list[AccountOutcome] = []
        todo: list[MemberAccount] = []
        for member in self.plan(snapshot):
            previous = self.previous_accounts.get(member.account_id)
            if not member.active:
                note = f"account state {member.state}: not collected"
                self.manifest.accounts[member.account_id] = Entry(
                    status=SKIPPED, name=member.name, note=note,
                    files=previous.files if previous is not None else ())
                outcomes.append(AccountOutcome(member.account_id, SKIPPED, member.name, note=note))
            elif not self.options.refresh and previous is not None and previous.complete(self.folder):
                outcomes.append(AccountOutcome(member.account_id, KEPT, member.name or previous.name))
            else:
                todo.append(member)
        self.manifest.save(self.folder)
        self.progress.start(len(todo))
        with ThreadPoolExecutor(max_workers=max(1, self.options.jobs), thread_name_prefix="collect") as pool:
            futures: list[Future[AccountOutcome]] = [pool.submit(self.collect_one, m) for m in todo]
            try:
                for future in as_completed(futures):
                    outcomes.append(future.result())
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        self.manifest.finished_at = now_text()
        self.manifest.save(self.folder)
        notes = self.manifest.organization.note if self.options.organization and self.manifest.organization else None
        return CollectSummary(
            out=os.fspath(self.folder.root), caller=self.caller,
            organization_id=snapshot.org_id if snapshot is not None else None, organization_status=org_status,
            outcomes=tuple(sorted(outcomes, key=lambda o: o.account_id)), notes=(notes,) if notes else (),
        )


def collect(out: str | os.PathLike[str], options: CollectOptions, sessions: Sessions,
            progress: Progress | None = None) -> CollectSummary:
    """Collect into the folder ``out`` (created when missing) and return what happened.

    Raises
    ------
    UsageError
        For bad options, or when the caller cannot be identified (no or refused credentials).
    OrganizationUnreadable
        With ``organization`` when the organization cannot be read (recorded in the manifest first).
    """
    options = CollectOptions(organization=options.organization, accounts=_validate_accounts(options.accounts),
                             role_name=options.role_name, jobs=options.jobs, refresh=options.refresh)
    if options.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {options.jobs}")
    folder = OutputFolder(out)
    if folder.root.exists() and not folder.root.is_dir():
        raise UsageError(f"{os.fspath(out)}: exists and is not a directory")
    folder.root.mkdir(parents=True, exist_ok=True)
    caller = sessions.caller_identity()
    with progress if progress is not None else SilentProgress() as shown:
        return _Run(folder, options, sessions, caller, shown).run()


__all__ = ["DEFAULT_JOBS", "DEFAULT_ROLE_NAME", "KEPT", "AccountOutcome", "CollectOptions", "CollectSummary",
           "OrganizationUnreadable", "collect"]
