"""The progress bar is drawn only on a terminal."""

from __future__ import annotations

import io

from trustgraph.collect.progress import BarProgress, SilentProgress, progress_for


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_on_a_terminal_and_nothing_on_a_pipe() -> None:
    terminal = _Terminal()
    shown = progress_for(terminal)
    assert isinstance(shown, BarProgress)
    with shown:
        shown.start(2)
        shown.done("111122223333", "ok")
        shown.done("444455556666", "failed")
    assert "1 failed" in terminal.getvalue()
    pipe = io.StringIO()
    assert isinstance(progress_for(pipe), SilentProgress)
    assert pipe.getvalue() == ""
