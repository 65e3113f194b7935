"""Policy documents (JSON values) to :class:`~trustgraph.model.policy.Policy` and back.

The only place that knows a policy element may be a string or a list, that ``"Principal": "*"`` and
``{"AWS": "*"}`` are the same, or that a condition value may be a JSON boolean. Structural problems raise
:class:`~trustgraph.errors.IngestError` naming the file and JSON pointer; valid-looking documents that IAM itself would
reject (partial-wildcard principals, NotPrincipal in a trust policy, condition keys that differ only in case, unknown
operators) load with a flag, so later checks can report them and nothing is dropped silently.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Literal

import orjson

from trustgraph.errors import IngestError
from trustgraph.ingest._fields import parse_errors, show_json
from trustgraph.ingest.duplicates import duplicate_error, find_duplicate, parse_with_pairs
from trustgraph.model.condition import (
    OPERATORS_BY_NAME,
    Condition,
    Family,
    Operator,
    Scalar,
    SetQualifier,
)
from trustgraph.model.location import Location, new_location
from trustgraph.model.pattern import Pattern, normalize_key, parse_pattern
from trustgraph.model.policy import Effect, Glob, Policy, Statement, new_glob, new_statement
from trustgraph.model.principal import Principal, PrincipalElement, classify_principal
from trustgraph.model.values import valid_value

PolicyKind = Literal["trust", "identity", "boundary", "scp", "rcp", "resource"]

_STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
_ELEMENTS = {e.value: e for e in PrincipalElement if e is not PrincipalElement.STAR}
_EFFECTS = {e.value: e for e in Effect}


def _fail(loc: Location, message: str) -> IngestError:
    return IngestError(loc.file, loc.pointer, message)


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def decode_document(raw: object, loc: Location) -> Mapping[str, Any]:
    """A policy document as the export holds it: an object (AWS CLI, boto3) or a URL-encoded JSON string (raw API).

    Examples
    --------
    >>> decode_document('%7B%22Version%22%3A%222012-10-17%22%7D', Location("f.json", "/x"))["Version"]
    '2012-10-17'
    """
    if isinstance(raw, str):
        text = raw
        if text.lstrip().startswith("%7B") or "%22" in text[:64]:
            text = urllib.parse.unquote(text)
        try:
            with parse_errors(loc.file, "JSON in the URL-encoded policy document", loc.pointer):
                raw, duplicated = parse_with_pairs(text)
                duplicate = find_duplicate(raw, duplicated)
        except json.JSONDecodeError as exc:
            raise _fail(loc, f"expected a policy document (JSON object or URL-encoded JSON), got a string that does "
                             f"not parse: {exc.msg[:1].lower()}{exc.msg[1:]} at character {exc.pos}") from None
        if duplicate is not None:
            raise duplicate_error(loc.file, loc.pointer + duplicate[0], duplicate[1])
    if not isinstance(raw, dict):
        raise _fail(loc, f"expected a policy document object, got {_type_name(raw)}")
    return raw


def _string_list(raw: object, loc: Location, what: str) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list) and raw:
        for i, item in enumerate(raw):
            if not isinstance(item, str):
                raise _fail(loc.child(i), f"expected {what} as a string, got {_type_name(item)}")
        return tuple(raw)
    if isinstance(raw, list):
        raise _fail(loc, f"expected at least one {what}, got an empty list")
    raise _fail(loc, f"expected {what} as a string or a list of strings, got {_type_name(raw)}")


def principals_from_json(raw: object, loc: Location) -> tuple[Principal, ...]:
    """A Principal/NotPrincipal element: ``"*"`` or an object of AWS/Federated/Service/CanonicalUser lists."""
    if raw == "*":
        return (classify_principal(PrincipalElement.STAR, "*"),)
    if not isinstance(raw, dict):
        raise _fail(loc, f'expected "*" or an object with AWS, Federated, Service or CanonicalUser, got '
                         f"{_type_name(raw)}")
    if not raw:
        raise _fail(loc, "expected at least one principal, got an empty object")
    out: list[Principal] = []
    for key, value in raw.items():
        element = _ELEMENTS.get(key)
        if element is None:
            raise _fail(loc.child(key), f"unknown principal type `{key}` (expected AWS, Federated, Service or "
                                        f"CanonicalUser)")
        for text in _string_list(value, loc.child(key), "principal"):
            out.append(classify_principal(element, text))
    return tuple(out)


def _globs(raw: object, loc: Location, what: str, *, variables: bool) -> tuple[Glob, ...]:
    return _glob_tuple(_string_list(raw, loc, what), variables)


@lru_cache(maxsize=65536)
def _glob_tuple(texts: tuple[str, ...], variables: bool) -> tuple[Glob, ...]:
    """The globs of an Action/Resource element, built once per distinct element (the same few action lists recur
    across thousands of documents; globs are immutable values, so documents share them)."""
    return tuple(new_glob(t, parse_pattern(t, wildcards=True, variables=variables)) for t in texts)


def _globs_at(raw: object, parent: Location, key: str, what: str, variables: bool) -> tuple[Glob, ...]:
    """``_globs(raw, parent.child(key), ...)``, the location computed only when the element is malformed."""
    if raw.__class__ is str:
        return _glob_tuple((raw,), variables)
    if raw.__class__ is list and raw and all(t.__class__ is str for t in raw):
        return _glob_tuple(tuple(raw), variables)
    return _globs(raw, parent.child(key), what, variables=variables)  # raises the precise error


_classify = lru_cache(maxsize=65536)(classify_principal)


def principals_at(raw: object, parent: Location, key: str) -> tuple[Principal, ...]:
    """``principals_from_json(raw, parent.child(key))`` for the well-formed shapes without computing the location;
    anything else goes to :func:`principals_from_json`, which raises the precise error."""
    if raw.__class__ is dict and raw:
        out: list[Principal] = []
        for name, value in raw.items():
            element = _ELEMENTS.get(name)
            if element is None:
                break
            if value.__class__ is str:
                out.append(_classify(element, value))
            elif value.__class__ is list and value and all(t.__class__ is str for t in value):
                out.extend(_classify(element, t) for t in value)
            else:
                break
        else:
            return tuple(out)
    return principals_from_json(raw, parent.child(key))


def _scalar_values(raw: object, loc: Location) -> tuple[Scalar, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise _fail(loc, "expected at least one condition value, got an empty list")
    for i, item in enumerate(items):
        if isinstance(item, (dict, list)) or item is None:
            where = loc.child(i) if isinstance(raw, list) else loc
            raise _fail(where, f"expected a condition value (string, number or boolean), got {_type_name(item)}")
    return tuple(items)


def parse_operator(text: str) -> tuple[SetQualifier, Operator, bool]:
    """Split ``ForAnyValue:StringNotEqualsIfExists`` into qualifier, operator and IfExists (operators are matched
    case-insensitively, as IAM does on save)."""
    qualifier = SetQualifier.NONE
    rest = text
    if ":" in text:
        prefix, rest = text.split(":", 1)
        for q in (SetQualifier.FOR_ANY_VALUE, SetQualifier.FOR_ALL_VALUES):
            if prefix.lower() == q.value.lower():
                qualifier = q
                break
        else:
            return SetQualifier.NONE, Operator.UNKNOWN, False
    if_exists = rest.lower().endswith("ifexists")
    base = rest[: -len("IfExists")] if if_exists else rest
    op = OPERATORS_BY_NAME.get(base.lower())
    if op is None:
        return qualifier, Operator.UNKNOWN, if_exists
    return qualifier, op, if_exists


def _value_flags(op: Operator, texts: tuple[str, ...]) -> tuple[str, ...]:
    if op.family in (Family.STRING, Family.ARN, Family.UNKNOWN):
        return ()
    if all(valid_value(op.family, t) for t in texts):
        return ()
    return ("invalid-condition-value",)


def conditions_from_json(raw: object, loc: Location, *, variables: bool) -> tuple[Condition, ...]:
    """A Condition block: ``{operator: {key: value | [values]}}``."""
    if not isinstance(raw, dict):
        raise _fail(loc, f"expected a condition block object, got {_type_name(raw)}")
    out: list[Condition] = []
    for op_text, block in raw.items():
        op_loc = loc.child(op_text)
        if not isinstance(block, dict):
            raise _fail(op_loc, f"expected an object of condition keys under `{op_text}`, got {_type_name(block)}")
        qualifier, op, if_exists = parse_operator(op_text)
        seen: dict[str, str] = {}
        for key_text, value in block.items():
            key_loc = op_loc.child(key_text)
            values = _scalar_values(value, key_loc)
            flags: list[str] = []
            key = normalize_key(key_text)
            if key in seen:
                flags.append("duplicate-condition-key")
            seen[key] = key_text
            if op is Operator.UNKNOWN:
                flags.append("unknown-condition-operator")
            if op is Operator.NULL and (if_exists or qualifier is not SetQualifier.NONE):
                flags.append("invalid-null-operator")
            texts = tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in values)
            flags.extend(_value_flags(op, texts))
            patterns: tuple[Pattern, ...] = ()
            if op.family in (Family.STRING, Family.ARN):
                patterns = tuple(
                    parse_pattern(t, wildcards=op.wildcards, variables=variables) for t in texts
                )
            out.append(
                Condition(
                    operator=op,
                    operator_text=op_text,
                    qualifier=qualifier,
                    if_exists=if_exists,
                    key=key,
                    key_text=key_text,
                    values=values,
                    patterns=patterns,
                    location=key_loc,
                    flags=tuple(flags),
                )
            )
    return tuple(out)


def _pair(raw: dict[str, Any], loc: Location, name: str, not_name: str) -> str | None:
    """Which of ``name`` and ``not_name`` the statement has (None: neither); both is an error."""
    if name in raw:
        if not_name in raw:
            raise _fail(loc.child(not_name), f"statement has both {name} and {not_name}")
        return name
    return not_name if not_name in raw else None


def statement_from_json(raw: object, loc: Location, *, kind: PolicyKind, variables: bool) -> Statement:
    """One statement object."""
    if not isinstance(raw, dict):
        raise _fail(loc, f"expected a statement object, got {_type_name(raw)}")
    if not _STATEMENT_KEYS.issuperset(raw):
        unknown = [k for k in raw if k not in _STATEMENT_KEYS]
        raise _fail(loc.child(unknown[0]), f"unknown statement element `{unknown[0]}`")
    effect_raw = raw.get("Effect")
    if effect_raw not in ("Allow", "Deny"):
        if "Effect" not in raw:
            raise _fail(loc, "statement has no Effect (expected \"Allow\" or \"Deny\")")
        raise _fail(loc.child("Effect"), f'expected "Allow" or "Deny", got {show_json(effect_raw)}')
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise _fail(loc.child("Sid"), f"expected Sid as a string, got {_type_name(sid)}")
    flags: list[str] = []
    principal_key = _pair(raw, loc, "Principal", "NotPrincipal")
    action_key = _pair(raw, loc, "Action", "NotAction")
    resource_key = _pair(raw, loc, "Resource", "NotResource")
    if action_key is None:
        raise _fail(loc, "statement has neither Action nor NotAction")
    principals = not_principals = None
    if principal_key == "Principal":
        principals = principals_at(raw["Principal"], loc, "Principal")
    elif principal_key == "NotPrincipal":
        not_principals = principals_at(raw["NotPrincipal"], loc, "NotPrincipal")
        if kind == "trust":
            flags.append("not-principal-in-trust-policy")
    if kind == "trust" and principal_key is None:
        flags.append("missing-principal")
    if kind in ("identity", "boundary", "scp") and principal_key is not None:
        flags.append("principal-in-identity-policy")
    for p in (*(principals or ()), *(not_principals or ())):
        if p.flags:
            flags.extend(f for f in p.flags if f not in flags)
    actions = _globs_at(raw[action_key], loc, action_key, "action", False)
    resources = None
    if resource_key is not None:
        resources = _globs_at(raw[resource_key], loc, resource_key, "resource", variables)
    conditions: tuple[Condition, ...] = ()
    if "Condition" in raw:
        conditions = conditions_from_json(raw["Condition"], loc.child("Condition"), variables=variables)
    return Statement(
        sid=sid,
        effect=_EFFECTS[effect_raw],
        principals=principals,
        not_principals=not_principals,
        actions=actions if action_key == "Action" else None,
        not_actions=actions if action_key == "NotAction" else None,
        resources=resources if resource_key == "Resource" else None,
        not_resources=resources if resource_key == "NotResource" else None,
        conditions=conditions,
        location=loc,
        flags=tuple(flags),
    )


#: the two Version texts, one string each (a document's own copy would be kept per policy)
_VERSIONS: dict[Any, str] = {v: v for v in ("2012-10-17", "2008-10-17")}


#: a statement parser: ``(raw, loc, kind, variables) -> Statement``, raising as :func:`statement_from_json` does
StatementParse = Callable[[object, Location, PolicyKind, bool], Statement]


def policy_from_json(raw: object, loc: Location, *, kind: PolicyKind = "identity",
                     statement: StatementParse | None = None) -> Policy:
    """A whole policy document (already decoded, or URL-encoded JSON text).

    ``statement`` parses each statement in place of :func:`statement_from_json` (the loader's
    :class:`~trustgraph.ingest.statements.StatementParser`, which gives the same values and errors).

    Examples
    --------
    >>> p = policy_from_json({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*",
    ...     "Action": "sts:AssumeRole"}}, Location("f.json", "/doc"), kind="trust")
    >>> p.statements[0].principals[0].kind.value, str(p.statements[0].location)
    ('any', 'f.json#/doc/Statement')
    """
    doc = decode_document(raw, loc)
    version = doc.get("Version")
    if version is not None and version not in ("2012-10-17", "2008-10-17"):
        raise _fail(loc.child("Version"), f'expected Version "2012-10-17" or "2008-10-17", got {show_json(version)}')
    policy_id = doc.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise _fail(loc.child("Id"), f"expected Id as a string, got {_type_name(policy_id)}")
    if "Statement" not in doc:
        raise _fail(loc, "policy document has no Statement")
    raw_statements = doc["Statement"]
    variables = version == "2012-10-17"
    statements: tuple[Statement, ...]
    if isinstance(raw_statements, dict):
        if statement is None:
            statements = (statement_from_json(raw_statements, loc.child("Statement"), kind=kind,
                                              variables=variables),)
        else:
            statements = (statement(raw_statements, loc.child("Statement"), kind, variables),)
    elif isinstance(raw_statements, list):
        file, base = loc.file, loc.child("Statement").pointer + "/"  # loc.child("Statement", i), built directly
        intern = sys.intern
        if statement is None:
            statements = tuple(
                statement_from_json(s, new_location(file, intern(f"{base}{i}")), kind=kind, variables=variables)
                for i, s in enumerate(raw_statements)
            )
        else:
            statements = tuple(statement(s, new_location(file, intern(f"{base}{i}")), kind, variables)
                               for i, s in enumerate(raw_statements))
    else:
        raise _fail(loc.child("Statement"), f"expected Statement as an object or a list, got "
                                            f"{_type_name(raw_statements)}")
    unknown = [k for k in doc if k not in ("Version", "Id", "Statement")]
    if unknown:
        raise _fail(loc.child(unknown[0]), f"unknown policy element `{unknown[0]}`")
    return Policy(version=_VERSIONS.get(version, version), id=policy_id, statements=statements, location=loc)


def relocate_policy(policy: Policy, loc: Location) -> Policy:
    """The same policy as if it had been parsed at ``loc``: every location (policy, statements, conditions) moved
    from below ``policy.location`` to below ``loc``; everything else (principals, globs, patterns, values, flags) is
    shared, being immutable.

    ``policy_from_json(raw, loc2)`` equals ``relocate_policy(policy_from_json(raw, loc1), loc2)`` field for field,
    locations included: a location's pointer is its parent's pointer plus a suffix that depends only on ``raw``.

    Examples
    --------
    >>> p = policy_from_json({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, Location("a", "/x"))
    >>> str(relocate_policy(p, Location("b", "/y/0")).statements[0].location)
    'b#/y/0/Statement'
    """
    old = policy.location
    if old is loc:
        return policy
    file, base, cut = loc.file, loc.pointer, len(old.pointer)  # a pointer below ``old``: base + its suffix
    intern = sys.intern  # pointers recur across files: one string each (trustgraph.model.location.Location.child)
    statements = tuple(
        new_statement(
            st.sid, st.effect, st.principals, st.not_principals, st.actions, st.not_actions, st.resources,
            st.not_resources,
            tuple(c.moved(new_location(file, intern(base + c.location.pointer[cut:]))) for c in st.conditions)
            if st.conditions else (),
            new_location(file, intern(base + st.location.pointer[cut:])),
            st.flags,
        )
        for st in policy.statements
    )
    return policy.moved(statements, loc)


class PolicyInterner:
    """Parses each distinct policy document once per load; later occurrences are relocated copies.

    AWS managed policies and common trust policies repeat thousands of times in an organization's exports. Two
    occurrences whose JSON is byte-identical (same keys in the same order, same values; or the same URL-encoded
    text) and of the same kind parse to the same policy up to locations, so the first occurrence is parsed by
    :func:`policy_from_json` (which raises exactly as before when the document is invalid) and each later one is
    :func:`relocate_policy` of it: its own locations, shared immutable parts. An interner lives for one load.
    """

    __slots__ = ("_parsed", "_statement")

    def __init__(self, statement: StatementParse | None = None) -> None:
        self._parsed: dict[tuple[str, bool, str], Policy] = {}  # (kind, given as text, JSON text) -> first parse
        self._statement = statement  # the statement parser of the first occurrences (None: statement_from_json)

    def policy(self, raw: object, loc: Location, kind: PolicyKind = "identity") -> Policy:
        """``policy_from_json(raw, loc, kind=kind)``, parsed once per distinct document."""
        if isinstance(raw, str):
            key = (kind, True, raw)
        else:
            try:
                # decoded to a str of exactly its length: orjson's bytes keep a 4 KiB buffer each
                key = (kind, False, orjson.dumps(raw).decode())
            except (TypeError, orjson.JSONEncodeError):  # not plain JSON data: parse it without sharing
                return policy_from_json(raw, loc, kind=kind, statement=self._statement)
        template = self._parsed.get(key)
        if template is None:
            policy = policy_from_json(raw, loc, kind=kind, statement=self._statement)
            self._parsed[key] = policy
            return policy
        return relocate_policy(template, loc)

    def __len__(self) -> int:
        return len(self._parsed)


def _principals_to_json(principals: tuple[Principal, ...]) -> object:
    if len(principals) == 1 and principals[0].element is PrincipalElement.STAR:
        return "*"
    out: dict[str, list[str]] = {}
    for p in principals:
        element = "AWS" if p.element is PrincipalElement.STAR else p.element.value
        out.setdefault(element, []).append(p.text)
    return out


def statement_to_json(st: Statement) -> dict[str, object]:
    """One statement back to its JSON form (lists everywhere, so the result re-parses to an equal statement)."""
    out: dict[str, object] = {}
    if st.sid is not None:
        out["Sid"] = st.sid
    out["Effect"] = st.effect.value
    if st.principals is not None:
        out["Principal"] = _principals_to_json(st.principals)
    if st.not_principals is not None:
        out["NotPrincipal"] = _principals_to_json(st.not_principals)
    for name, globs in (("Action", st.actions), ("NotAction", st.not_actions), ("Resource", st.resources),
                        ("NotResource", st.not_resources)):
        if globs is not None:
            out[name] = [g.text for g in globs]
    if st.conditions:
        block: dict[str, dict[str, list[Scalar]]] = {}
        for c in st.conditions:
            block.setdefault(c.operator_text, {})[c.key_text] = list(c.values)
        out["Condition"] = block
    return out


def policy_to_json(policy: Policy) -> dict[str, object]:
    """A policy back to a JSON-ready document."""
    out: dict[str, object] = {}
    if policy.version is not None:
        out["Version"] = policy.version
    if policy.id is not None:
        out["Id"] = policy.id
    out["Statement"] = [statement_to_json(s) for s in policy.statements]
    return out


__all__ = [
    "PolicyInterner", "PolicyKind", "StatementParse", "conditions_from_json", "decode_document", "parse_operator",
    "policy_from_json", "policy_to_json", "principals_at", "principals_from_json", "relocate_policy",
    "statement_from_json",
    "statement_to_json",
]
