"""Values known only after a planned change is applied, and policy documents that contain them.

A Terraform plan or a CloudFormation template often holds values nobody knows before apply: the ARN of a role the
same change creates, a random external id, a document rendered from a data source whose inputs are not known yet.
They are never dropped. An :class:`Unknown` marks such a value where the loader found it; :func:`policy_with_unknowns`
turns a policy document holding some into a :class:`~trustgraph.model.policy.Policy` that **over-approximates** every
value the unknowns could take, and marks each place where it does so:

* the unknown part of a statement is replaced by its widest value (a principal by ``"*"``, an action or resource by
  ``"*"``, a condition by the presence of its key when the operator requires it) and the statement gets one more
  condition, the *marker*: an operator the evaluator cannot decide (``Operator.UNKNOWN``, flag
  ``unknown-until-apply``). The evaluator assumes an undecidable Allow applies and an undecidable Deny does not, and
  records the approximation with the marker's location; the z3 encoding makes it a free Boolean (an oracle) and
  records the same approximation. So an answer that depends on an unknown is approximate, never "unreachable".
* a principal list with an unknown entry is split: the statement keeps its known principals (decided exactly) and a
  copy names ``"*"`` with the marker (the unknown principal, whoever it turns out to be).
* a whole document unknown is :func:`unknown_policy`: one Allow of every action to ``"*"`` with the marker.

See docs/semantics.md §10 for what this means for the answers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from trustgraph.ingest.policy_json import PolicyKind, parse_operator, policy_from_json
from trustgraph.model.condition import Condition, Operator, SetQualifier
from trustgraph.model.location import Location
from trustgraph.model.pattern import parse_pattern
from trustgraph.model.policy import Effect, Glob, Policy, Statement
from trustgraph.model.principal import PrincipalElement, classify_principal

#: Flag of a statement or policy that stands in for values unknown until apply, and of its marker condition.
UNKNOWN_FLAG = "unknown-until-apply"

#: The condition key of the marker (a name no request carries; the evaluator never reads it).
MARKER_KEY = "trustgraph:unknownuntilapply"


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value known only after apply.

    ``location`` says where the loader found it (a resource address and attribute path, or a template pointer);
    ``what`` names it in words for notes (``the trust policy``, ``a principal``).
    """

    location: Location
    what: str = "a value"

    def __str__(self) -> str:
        return f"{self.what} unknown until apply ({self.location})"


def marker(location: Location, what: str) -> Condition:
    """The condition that stands for ``what``, unknown until apply (see the module docstring)."""
    return Condition(operator=Operator.UNKNOWN, operator_text="UnknownUntilApply", key=MARKER_KEY,
                     key_text=MARKER_KEY, values=(what,), location=location, flags=(UNKNOWN_FLAG,))


def is_marker(cond: Condition) -> bool:
    """True for a condition made by :func:`marker`."""
    return cond.operator is Operator.UNKNOWN and UNKNOWN_FLAG in cond.flags


def unknown_policy(location: Location, what: str = "the policy document") -> Policy:
    """A document unknown until apply: ``Allow "*"`` of every action on every resource to every principal, under the
    marker. It over-approximates any trust, identity, boundary or control policy the document could be."""
    star = Glob("*", parse_pattern("*", wildcards=True, variables=False))
    everyone = classify_principal(PrincipalElement.STAR, "*")
    st = Statement(effect=Effect.ALLOW, principals=(everyone,), actions=(star,), resources=(star,),
                   conditions=(marker(location, what),), location=location, flags=(UNKNOWN_FLAG,))
    return Policy(statements=(st,), location=location, flags=(UNKNOWN_FLAG,))


_NOT_NAME = re.compile(r"[^\w+=,.@-]")


def stand_in_name(prefix: str, location: Location) -> str:
    """A name for an entity whose name is unknown until apply (``name_prefix``, a generated name): ``prefix``, then
    a fixed word and a short hash of where it was declared, so every reference to the same declaration agrees and
    no real name collides by chance. Only IAM name characters are used.

    >>> stand_in_name("ci-", Location("aws_iam_role.x", "")).startswith("ci-UnknownUntilApply-")
    True
    """
    digest = hashlib.sha256(str(location).encode()).hexdigest()[:8]
    return f"{_NOT_NAME.sub('-', prefix)}UnknownUntilApply-{digest}"


def contains_unknown(raw: object) -> bool:
    """True when an :class:`Unknown` occurs anywhere in a JSON-like value."""
    if isinstance(raw, Unknown):
        return True
    if isinstance(raw, Mapping):
        return any(contains_unknown(v) for v in raw.values())
    if isinstance(raw, (list, tuple)):
        return any(contains_unknown(v) for v in raw)
    return False


def policy_with_unknowns(raw: object, location: Location, *, kind: PolicyKind) -> Policy:
    """A policy document (JSON-like, with :class:`Unknown` values anywhere) as a :class:`Policy` that
    over-approximates every value the unknowns could take (module docstring). Without unknowns this is
    :func:`~trustgraph.ingest.policy_json.policy_from_json`.

    Raises
    ------
    IngestError
        For a document that is malformed in its known parts, at ``location`` and the pointer inside the document.
    """
    if isinstance(raw, Unknown):
        return unknown_policy(raw.location, raw.what)
    if not contains_unknown(raw):
        return policy_from_json(raw, location, kind=kind)
    if not isinstance(raw, Mapping):
        return policy_from_json(raw, location, kind=kind)  # raises the usual error
    doc = dict(raw)
    if isinstance(doc.get("Version"), Unknown):  # it decides whether ${...} are variables in every statement
        return unknown_policy(doc["Version"].location, "the policy's version")
    if isinstance(doc.get("Id"), Unknown):
        del doc["Id"]
    statements = doc.get("Statement")
    if isinstance(statements, Unknown):
        return unknown_policy(statements.location, "the policy's statements")
    single = isinstance(statements, Mapping)
    items = [statements] if single else list(statements) if isinstance(statements, list) else None
    if items is None:
        return policy_from_json(doc, location, kind=kind)
    cleaned: list[object] = []
    wanted: list[tuple[int, tuple[Condition, ...]]] = []  # (index in cleaned, markers)
    for i, st in enumerate(items):
        st_loc = location.child("Statement") if single else location.child("Statement", i)
        for clean, markers in _clean_statement(st, st_loc):
            if markers:
                wanted.append((len(cleaned), markers))
            cleaned.append(clean)
    doc["Statement"] = cleaned
    policy = policy_from_json(doc, location, kind=kind)
    parsed = list(policy.statements)
    for index, markers in wanted:
        st = parsed[index]
        parsed[index] = replace(st, conditions=st.conditions + markers, flags=(*st.flags, UNKNOWN_FLAG))
    return replace(policy, statements=tuple(parsed), flags=(*policy.flags, UNKNOWN_FLAG))


_STAR_STATEMENT: Mapping[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "*"}


def _clean_statement(raw: object, loc: Location) -> list[tuple[object, tuple[Condition, ...]]]:
    """The statement(s) standing in for one raw statement, each with the markers to add (none when it is known)."""
    if isinstance(raw, Unknown):
        return [(dict(_STAR_STATEMENT), (marker(raw.location, raw.what),))]
    if not isinstance(raw, Mapping) or not contains_unknown(raw):
        return [(raw, ())]
    st = dict(raw)
    markers: list[Condition] = []
    if isinstance(st.get("Effect"), Unknown):
        star = dict(_STAR_STATEMENT)
        if "Principal" not in st and "NotPrincipal" not in st:
            del star["Principal"]
        return [(star, (marker(st["Effect"].location, "the statement's effect"),))]
    if isinstance(st.get("Sid"), Unknown):
        del st["Sid"]
    for key in ("Action", "Resource"):
        _widen_globs(st, key, loc, markers)
    if "Condition" in st:
        st["Condition"] = _clean_conditions(st["Condition"], loc.child("Condition"), markers)
    out: list[tuple[object, tuple[Condition, ...]]] = []
    if "NotPrincipal" in st and contains_unknown(st["NotPrincipal"]):
        # NotPrincipal excludes its entries: an unknown entry could exclude anyone, so an Allow keeps the known ones
        # (matching more callers) under a marker; a Deny gets the marker and so is assumed not to apply.
        known = _known_principals(st.pop("NotPrincipal"))
        if known is None:  # nobody known to be excluded: everyone may match
            st["Principal"] = "*"
        else:
            st["NotPrincipal"] = known
        markers.append(marker(loc.child("NotPrincipal"), "a principal"))
    if "Principal" in st and contains_unknown(st["Principal"]):
        known = _known_principals(st["Principal"])
        copy = dict(st)
        copy["Principal"] = "*"
        if known:
            st["Principal"] = known
            out.append((st, tuple(markers)))
        out.append((copy, (*markers, marker(loc.child("Principal"), "a principal"))))
        return out
    return [(st, tuple(markers))]


def _widen_globs(st: dict[str, Any], key: str, loc: Location, markers: list[Condition]) -> None:
    """``Action``/``Resource`` with an unknown entry become ``"*"``; ``NotAction``/``NotResource`` lose the entry
    (excluding less matches more); either way the statement gets a marker."""
    for name in (key, f"Not{key}"):
        if name not in st or not contains_unknown(st[name]):
            continue
        value = st[name]
        known = [v for v in (value if isinstance(value, list) else [value]) if not isinstance(v, Unknown)]
        if name == key or not known:
            st.pop(name)
            st[key] = "*"
        else:
            st[name] = known
        markers.append(marker(loc.child(name), f"an {key.lower()}"))


def _known_principals(raw: object) -> object:
    """The entries of a Principal element that are known (``None`` when none is)."""
    if isinstance(raw, Unknown) or raw is None:
        return None
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, Mapping):
        return raw
    out: dict[str, object] = {}
    for element, values in raw.items():
        if isinstance(values, Unknown):
            continue
        if isinstance(values, list):
            kept = [v for v in values if not isinstance(v, Unknown)]
            if kept:
                out[element] = kept
        else:
            out[element] = values
    return out or None


def _clean_conditions(raw: object, loc: Location, markers: list[Condition]) -> object:
    """The known part of a Condition block; each condition with an unknown value becomes what it implies for sure
    (the known values of a negated operator; the presence of the key under a positive operator that is false when
    the key is absent) plus a marker."""
    if isinstance(raw, Unknown):
        markers.append(marker(raw.location, "the statement's conditions"))
        return {}
    if not isinstance(raw, Mapping):
        return raw
    out: dict[str, Any] = {}
    for op_text, block in raw.items():
        if isinstance(block, Unknown):
            markers.append(marker(loc.child(op_text), f"a {op_text} condition"))
            continue
        if not isinstance(block, Mapping):
            out[op_text] = block
            continue
        kept: dict[str, Any] = {}
        for key, values in block.items():
            if not contains_unknown(values):
                kept[key] = values
                continue
            markers.append(marker(loc.child(op_text, key), f"a value of {op_text} {key}"))
            known = [v for v in (values if isinstance(values, list) else [values]) if not isinstance(v, Unknown)]
            qualifier, operator, if_exists = _operator(op_text)
            if operator is None:
                continue
            if operator.negated and known and qualifier is not SetQualifier.FOR_ALL_VALUES:
                kept[key] = known  # NOR over more values implies NOR over the known ones
            elif (not operator.negated and operator is not Operator.NULL and not if_exists
                  and qualifier is not SetQualifier.FOR_ALL_VALUES):
                out.setdefault("Null", {})[key] = "false"  # the key must be present, whatever the value
        if kept:
            out.setdefault(op_text, {}).update(kept)
    return out


def _operator(text: str) -> tuple[SetQualifier, Operator | None, bool]:
    qualifier, op, if_exists = parse_operator(text)
    return qualifier, (None if op is Operator.UNKNOWN else op), if_exists


__all__ = ["MARKER_KEY", "UNKNOWN_FLAG", "Unknown", "contains_unknown", "is_marker", "marker", "policy_with_unknowns",
           "stand_in_name", "unknown_policy"]
