"""The README's usage blocks are the command-line contract: every option of every command is in them, nothing in
them is missing from the parsers, required and optional are shown as the parsers treat them, and listed choices
are the parsers' choices."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from trustgraph.cli.main import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


@dataclass
class Mention:
    option: str
    optional: bool  # inside [...]
    value: str  # the word after the option, e.g. "table|json|csv"


def usage_blocks() -> dict[str, str]:
    """``trustgraph COMMAND ...`` usage lines from the README's code blocks (continuation lines joined, ``#``
    comments and ``$`` example lines left out), by command."""
    text = README.read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        current: str | None = None
        for line in block.splitlines():
            line = line.split("  #", 1)[0].rstrip()
            m = re.match(r"trustgraph (\w+)(?= |$)(.*)", line)
            if m and m.group(1) in build_parser().commands:
                current = m.group(1)
                if current in out:
                    raise AssertionError(f"two usage lines for {current}")
                out[current] = m.group(2)
            elif current is not None and line.startswith(" ") and line.strip().startswith(("[", "-")):
                out[current] += " " + line.strip()
            else:
                current = None
    return out


def mentions(usage: str) -> list[Mention]:
    found = []
    depth = 0
    for token in re.findall(r"\[|\]|[^\s\[\]]+", usage):
        if token == "[":
            depth += 1
        elif token == "]":
            depth -= 1
        elif token.startswith("-"):
            found.append(Mention(token, depth > 0, ""))
        elif found and not found[-1].value and token != "..." and not token.startswith("..."):
            found[-1].value = token
    assert depth == 0, f"unbalanced brackets in {usage!r}"
    return found


def options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.option_strings and not isinstance(a, argparse._HelpAction)]


COMMANDS = sorted(build_parser().commands)


def test_every_command_has_a_usage_block() -> None:
    assert sorted(usage_blocks()) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_block_matches_the_parser(command: str) -> None:
    parser = build_parser().commands[command]
    usage = usage_blocks()[command]
    said = {m.option: m for m in mentions(usage)}
    for action in options(parser):
        names = [o for o in action.option_strings if o in said]
        assert names, f"README's `trustgraph {command}` usage does not show {'/'.join(action.option_strings)}"
        mention = said[names[0]]
        assert mention.optional == (not action.required), (
            f"`trustgraph {command}` {names[0]}: README shows it {'optional' if mention.optional else 'required'}")
        if action.choices is not None and "|" in mention.value:
            assert mention.value.split("|") == list(action.choices), (command, names[0])
    known = {o for a in options(parser) for o in a.option_strings}
    assert set(said) <= known, f"README's `trustgraph {command}` shows options the parser lacks: {set(said) - known}"
    for action in parser._actions:
        if not action.option_strings and action.metavar:  # positionals: PATH..., OUT
            assert str(action.metavar) in usage, (command, action.metavar)


def test_every_option_is_explained_in_the_readme() -> None:
    """Options beyond the usage line are described in prose or a table somewhere in the README."""
    text = README.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    spans = re.findall(r"`([^`\n]+)`", prose)

    def explained(option: str) -> bool:
        return any(re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", span) for span in spans)

    missing = sorted({f"{c} {'/'.join(a.option_strings)}" for c in COMMANDS for a in options(build_parser().commands[c])
                      if not any(explained(o) for o in a.option_strings)})
    assert not missing, f"options never explained outside the usage blocks: {missing}"
