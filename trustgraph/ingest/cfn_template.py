"""CloudFormation template text (JSON or YAML) to plain values, with the line and column of every value.

A template is read the way CloudFormation reads it: a document whose first character (after a byte-order mark and
white space) is ``{`` is JSON (ECMA-404, with duplicate keys refused as in every other input); anything else is YAML
1.1 with CloudFormation's exceptions (AWS CloudFormation User Guide, "Template formats": no binary, omap, pairs,
set or timestamp tags, no aliases, no hash merges). So ``Version: 2012-10-17`` stays the string it is in every
policy document, never a date.

YAML short tags become the long form CloudFormation defines for them (``!Ref X`` is ``{"Ref": "X"}``, ``!Sub s`` is
``{"Fn::Sub": s}``, ``!GetAtt R.Arn`` is ``{"Fn::GetAtt": ["R", "Arn"]}``, split at the first dot as for nested
stacks' ``Outputs.Name``), so the rest of the code reads one shape. An unknown tag is an error at its place.

Positions: :attr:`Template.positions` maps the JSON pointer of every value of a YAML template (the long form's
pointers, ``/Resources/R/Properties/X/Fn::If/1``) to its 1-based line and column; a mapping entry's pointer gets
the position of its *key* (the line a reader looks for: ``RoleName:``). JSON templates leave the table empty: the
report layer finds JSON pointers in JSON text by itself, as for exports (:mod:`trustgraph.report.positions`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trustgraph.errors import IngestError
from trustgraph.ingest._fields import parse_errors, type_name
from trustgraph.ingest.duplicates import duplicate_error, find_duplicate, parse_with_pairs
from trustgraph.ingest.load import describe_json_error
from trustgraph.model.location import escape_pointer_token

#: YAML short tags and the long form each stands for (AWS CloudFormation User Guide, "Intrinsic function
#: reference": each function's "Short form" syntax).
SHORT_TAGS: Mapping[str, str] = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{name: f"Fn::{name}" for name in (
        "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub",
        "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString", "ForEach")},
}

_UNSUPPORTED_TAGS = {f"tag:yaml.org,2002:{t}": t for t in ("binary", "omap", "pairs", "set")}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"

Position = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template: its file name as given, its body (plain JSON values, long-form intrinsics), its format,
    and for YAML the position of every value by JSON pointer (see the module docstring)."""

    file: str
    body: Mapping[str, Any]
    format: str  # "json" or "yaml"
    positions: Mapping[str, Position] = field(default_factory=dict, compare=False)

    def line(self, pointer: str) -> int | None:
        """The line of ``pointer``, or of its longest prefix with a known position (None for JSON templates)."""
        while True:
            pos = self.positions.get(pointer)
            if pos is not None:
                return pos[0]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def read_text(path: str | Path, name: str) -> str:
    """The text of a template or parameters file: UTF-8 (a byte-order mark allowed) or UTF-16 with a mark.

    Raises
    ------
    IngestError
        When the file is missing, unreadable, empty or not text.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise IngestError(name, "", "no such file or directory") from None
    except IsADirectoryError:
        raise IngestError(name, "", "is a directory, expected a template file") from None
    except OSError as exc:
        raise IngestError(name, "", f"cannot read the file: {exc.strerror or exc}") from None
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(name, "", f"not UTF-8 text: invalid byte 0x{data[exc.start]:02x} at offset "
                                    f"{exc.start}") from None
    if "\x00" in text:
        raise IngestError(name, "", f"binary data, not a template (NUL character at offset {text.index(chr(0))})")
    if not text.strip():
        raise IngestError(name, "", "empty file (expected a JSON or YAML document)")
    return text


def parse_document(text: str, name: str) -> tuple[object, str, dict[str, Position]]:
    """Parse JSON or YAML text as CloudFormation does: (value, ``"json"``/``"yaml"``, positions of a YAML value).

    Raises
    ------
    IngestError
        For a syntax error (with line and column), a duplicate key, an unknown tag or a YAML feature CloudFormation
        does not support.
    """
    if text.lstrip().startswith("{"):
        return _parse_json(text, name), "json", {}
    value, positions = _parse_yaml(text, name)
    return value, "yaml", positions


def load_template(path: str | Path, name: str | None = None) -> Template:
    """Read and parse a template file (see the module docstring); the top level must be an object.

    Raises
    ------
    IngestError
        For any problem, naming the file, and the pointer or the line.
    """
    shown = name if name is not None else str(path)
    value, fmt, positions = parse_document(read_text(path, shown), shown)
    if not isinstance(value, dict):
        raise IngestError(shown, "", f"expected a template object (with Resources), got {type_name(value)}")
    return Template(file=shown, body=value, format=fmt, positions=positions)


def _parse_json(text: str, name: str) -> object:
    try:
        with parse_errors(name, "JSON"):
            value, duplicated = parse_with_pairs(text)
    except json.JSONDecodeError as exc:
        raise IngestError(name, "", describe_json_error(text, exc)) from None
    duplicate = find_duplicate(value, duplicated)
    if duplicate is not None:
        raise duplicate_error(name, duplicate[0], duplicate[1])
    return value


def _loader_class() -> type[Any]:
    loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


def _parse_yaml(text: str, name: str) -> tuple[object, dict[str, Position]]:
    try:
        with parse_errors(name, "YAML"):
            loader = _loader_class()(text)
            try:
                root = loader.get_single_node()
            finally:
                loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "malformed"
        raise IngestError(name, "", f"invalid YAML{where}: {problem}") from None
    except yaml.YAMLError as exc:
        raise IngestError(name, "", f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else 'malformed'}") \
            from None
    if root is None:
        raise IngestError(name, "", "empty document (expected a template)")
    builder = _Builder(name)
    return builder.value(root, ""), builder.positions


class _Builder:
    """Walks a composed YAML node tree into plain values, recording positions and refusing what CloudFormation
    refuses. Each node object is visited once: a node met again is an alias."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.positions: dict[str, Position] = {}
        self._seen: set[int] = set()
        self._scalars = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node, pointer: str, message: str) -> IngestError:
        mark = node.start_mark
        return IngestError(self.name, pointer, f"{message} (line {mark.line + 1} column {mark.column + 1})")

    def value(self, node: yaml.Node, pointer: str, *, at: Position | None = None) -> object:
        if id(node) in self._seen:
            raise self.fail(node, pointer, "YAML alias: CloudFormation does not support aliases (write the value "
                                           "out)")
        self._seen.add(id(node))
        self.positions[pointer] = at or (node.start_mark.line + 1, node.start_mark.column + 1)
        tag = node.tag or ""
        if tag.startswith("!") and not tag.startswith("!!"):
            return self._short_form(node, pointer, tag[1:])
        if tag in _UNSUPPORTED_TAGS:
            raise self.fail(node, pointer, f"YAML tag !!{_UNSUPPORTED_TAGS[tag]}: CloudFormation does not support it")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, pointer)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, f"{pointer}/{i}") for i, item in enumerate(node.value)]
        return self._scalar(node, pointer)

    def _scalar(self, node: yaml.Node, pointer: str) -> object:
        if node.tag == _TIMESTAMP:
            return str(node.value)  # no timestamp type in CloudFormation: a date-like scalar is its text
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, pointer, "unexpected YAML node")
        try:
            value = self._scalars.construct_object(node)
        except yaml.YAMLError as exc:
            raise self.fail(node, pointer, f"unreadable value: {getattr(exc, 'problem', None) or exc}") from None
        if isinstance(value, float) and value != value:  # .nan
            return str(node.value)
        return value

    def _mapping(self, node: yaml.MappingNode, pointer: str) -> dict[str, object]:
        out: dict[str, object] = {}
        first: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise self.fail(key_node, pointer, "YAML merge key `<<`: CloudFormation does not support hash "
                                                   "merges")
            if not isinstance(key_node, yaml.ScalarNode) or (key_node.tag or "").startswith("!"):
                raise self.fail(key_node, pointer, "expected a plain key (a string), got a collection or a tagged "
                                                   "value")
            key = str(key_node.value)
            child = f"{pointer}/{escape_pointer_token(key)}"
            if key in first:
                line = first[key].start_mark.line + 1
                raise self.fail(key_node, child, f"duplicate key `{key}` (first at line {line}): which one "
                                                 f"CloudFormation keeps is undefined; delete one")
            first[key] = key_node
            out[key] = self.value(value_node, child,
                                  at=(key_node.start_mark.line + 1, key_node.start_mark.column + 1))
        return out

    def _short_form(self, node: yaml.Node, pointer: str, tag: str) -> dict[str, object]:
        function = SHORT_TAGS.get(tag)
        if function is None:
            raise self.fail(node, pointer, f"unknown tag `!{tag}` (expected a CloudFormation short form such as "
                                           f"!Ref, !Sub, !GetAtt)")
        inner = f"{pointer}/{escape_pointer_token(function)}"
        here = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.positions[inner] = here
        if function == "Fn::GetAtt" and isinstance(node, yaml.ScalarNode):
            text = str(node.value)
            if "." not in text:
                raise self.fail(node, inner, f"expected !GetAtt RESOURCE.ATTRIBUTE, got `{text}`")
            parts = text.split(".", 1)
            self.positions[f"{inner}/0"] = self.positions[f"{inner}/1"] = here
            return {function: parts}
        if isinstance(node, yaml.ScalarNode):
            return {function: str(node.value)}  # a short form's scalar argument is a string (a name, a template)
        if isinstance(node, yaml.SequenceNode):
            return {function: [self.value(item, f"{inner}/{i}") for i, item in enumerate(node.value)]}
        assert isinstance(node, yaml.MappingNode)
        return {function: self._mapping(node, inner)}


def yaml_positions(text: str) -> dict[str, Position]:
    """The position of every JSON pointer of a YAML template's text (see the module docstring); ``{}`` when the text
    does not parse. For the report layer, which re-reads cited files after the analysis."""
    try:
        return _parse_yaml(text, "<template>")[1]
    except IngestError:
        return {}


__all__ = ["SHORT_TAGS", "Position", "Template", "load_template", "parse_document", "read_text", "yaml_positions"]
