"""Progress of a collection: a rich progress bar when standard error is a terminal, nothing otherwise."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import IO, Any, Protocol


class Progress(Protocol):
    """What the orchestrator reports: the number of accounts to collect, then each account as it finishes."""

    def __enter__(self) -> Progress: ...

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None: ...

    def start(self, total: int) -> None:
        """Announce ``total`` accounts to collect."""

    def done(self, account_id: str, status: str) -> None:
        """One account finished with ``status`` (``ok`` or ``failed``)."""


class SilentProgress:
    """No output (standard error is not a terminal: logs and pipes get only the summary)."""

    def __enter__(self) -> SilentProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        return None

    def start(self, total: int) -> None:
        return None

    def done(self, account_id: str, status: str) -> None:
        return None


class BarProgress:
    """A rich progress bar on ``stream`` with the count of failures so far."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(),
                                 console=Console(file=stream), transient=True)
        self._task: Any = None
        self._failed = 0

    def __enter__(self) -> BarProgress:
        self._bar.start()
        # until start(): the caller's identity and, with --organization, the organization walk
        self._task = self._bar.add_task("preparing", total=None, failed=0)
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._bar.stop()

    def start(self, total: int) -> None:
        self._bar.update(self._task, description="collecting accounts", total=total, completed=0)

    def done(self, account_id: str, status: str) -> None:
        if status != "ok":
            self._failed += 1
        if self._task is not None:
            self._bar.update(self._task, advance=1, failed=self._failed)


def progress_for(stream: IO[str] | None = None) -> Progress:
    """A bar on ``stream`` (standard error by default) when it is a terminal, else silence."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return BarProgress(stream)
    return SilentProgress()


__all__ = ["BarProgress", "Progress", "SilentProgress", "progress_for"]
