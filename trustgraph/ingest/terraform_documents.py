"""Policy documents of a Terraform plan: a JSON string attribute, or a ``data.aws_iam_policy_document`` rebuilt.

A document attribute (``assume_role_policy``, ``policy``, ``content``) is a JSON string when known. When it is
unknown until apply, it is often ``data.aws_iam_policy_document.NAME.json`` whose read Terraform deferred because an
input is not known yet (a role ARN the plan creates). The deferred read is among ``resource_changes`` (action
``read``) with its arguments in ``after``, evaluated as far as Terraform could (``after_unknown`` marks the rest), so
the document is rebuilt from its ``statement`` blocks (``sid``, ``effect``, ``actions``, ``not_actions``,
``resources``, ``not_resources``, ``principals``/``not_principals`` with ``type`` and ``identifiers``, ``condition``
with ``test``, ``variable`` and ``values``), in the shape the AWS provider renders (Terraform Registry,
``aws_iam_policy_document``). An unknown element whose configuration expression is exactly one reference to an
entity the plan creates takes that entity's value (a role's ARN from its name and path); what remains unknown stays an
:class:`~trustgraph.ingest.unknowns.Unknown` and is over-approximated (:mod:`trustgraph.ingest.unknowns`).
A document with ``source_policy_documents`` or ``override_policy_documents`` that are not known is unknown as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from trustgraph.ingest.terraform_values import PlanIndex, ResourceChange
from trustgraph.ingest.unknowns import Unknown

#: Resolves an unknown element from its configuration expression (the builder's reference resolution).
Resolver = Callable[[ResourceChange, object, Unknown], object]

_ELEMENTS = {"AWS": "AWS", "Service": "Service", "Federated": "Federated", "CanonicalUser": "CanonicalUser"}


def rebuild_policy_document(index: PlanIndex, data: ResourceChange, resolve: Resolver) -> object:
    """The JSON-like document a deferred ``data.aws_iam_policy_document`` read will render, with :class:`Unknown`
    where it cannot be told (module docstring)."""
    for key in ("source_policy_documents", "override_policy_documents", "source_json", "override_json"):
        value = data.value(key)
        if isinstance(value, Unknown) or value:
            return Unknown(data.location, f"{data.address} ({key} not applied by trustgraph)")
    statements = data.value("statement")
    if isinstance(statements, Unknown):
        return statements
    config = index.expressions(data).get("statement")
    config_blocks = config if isinstance(config, list) else []
    out: list[object] = []
    for i, block in enumerate(statements or []):
        exprs = config_blocks[i] if i < len(config_blocks) and len(config_blocks) == len(statements or []) else {}
        out.append(_statement(block, exprs if isinstance(exprs, Mapping) else {}, data, resolve))
    version = data.value("version")
    doc: dict[str, object] = {"Version": version if isinstance(version, str) and version else "2012-10-17",
                              "Statement": out}
    policy_id = data.value("policy_id")
    if policy_id:
        doc["Id"] = policy_id
    return doc


def _resolved(value: object, expr: object, data: ResourceChange, resolve: Resolver) -> object:
    if isinstance(value, Unknown):
        return resolve(data, expr, value)
    if isinstance(value, list):
        unknown = [v for v in value if isinstance(v, Unknown)]
        if len(unknown) == 1:
            return [resolve(data, expr, v) if isinstance(v, Unknown) else v for v in value]
    return value


def _statement(block: object, exprs: Mapping[str, Any], data: ResourceChange, resolve: Resolver) -> object:
    if isinstance(block, Unknown) or not isinstance(block, Mapping):
        return block
    st: dict[str, object] = {}
    sid = block.get("sid")
    if sid:
        st["Sid"] = sid
    effect = block.get("effect")
    st["Effect"] = effect if effect else "Allow"
    for attr, element in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(block.get(attr), exprs.get(attr), data, resolve)
        if principals is not None:
            st[element] = principals
    for attr, element in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                          ("not_resources", "NotResource")):
        value = _resolved(block.get(attr), exprs.get(attr), data, resolve)
        if isinstance(value, Unknown) or value:
            st[element] = value
    conditions = block.get("condition")
    if isinstance(conditions, Unknown):
        st["Condition"] = conditions
    elif conditions:
        cexprs = exprs.get("condition")
        st["Condition"] = _conditions(conditions, cexprs if isinstance(cexprs, list) else [], data, resolve)
    return st


def _principals(blocks: object, exprs: object, data: ResourceChange, resolve: Resolver) -> object:
    if isinstance(blocks, Unknown):
        return blocks
    if not blocks or not isinstance(blocks, list):
        return None
    config = exprs if isinstance(exprs, list) and len(exprs) == len(blocks) else [{}] * len(blocks)
    out: dict[str, list[object]] = {}
    for block, expr in zip(blocks, config, strict=True):
        if not isinstance(block, Mapping):
            out.setdefault("AWS", []).append(block if isinstance(block, Unknown) else Unknown(data.location))
            continue
        kind = block.get("type")
        ids = _resolved(block.get("identifiers"), expr.get("identifiers") if isinstance(expr, Mapping) else None,
                        data, resolve)
        if kind == "*":
            return "*"
        element = _ELEMENTS.get(kind) if isinstance(kind, str) else None
        if element is None:  # an unknown or unrecognised type: the principal could be anyone
            out.setdefault("AWS", []).append(Unknown(data.location.child("principals"), f"{data.address} principal"))
            continue
        items = ids if isinstance(ids, list) else [ids]
        out.setdefault(element, []).extend(items)
    return out


def _conditions(blocks: list[object], exprs: list[object], data: ResourceChange, resolve: Resolver) -> object:
    out: dict[str, dict[str, object]] = {}
    aligned = len(exprs) == len(blocks)
    for i, block in enumerate(blocks):
        if not isinstance(block, Mapping):
            return Unknown(data.location.child("condition"), f"{data.address} condition")
        test, variable = block.get("test"), block.get("variable")
        if not isinstance(test, str) or not isinstance(variable, str):  # unknown until apply: the whole block is
            return Unknown(data.location.child("condition", i), f"{data.address} condition {i}")
        expr = exprs[i] if aligned else None
        values = _resolved(block.get("values"), expr.get("values") if isinstance(expr, Mapping) else None, data,
                           resolve)
        previous = out.setdefault(test, {}).get(variable)
        if previous is None:
            out[test][variable] = values
        else:  # the provider merges repeated test/variable pairs into one list of values
            merged = (previous if isinstance(previous, list) else [previous]) + (
                values if isinstance(values, list) else [values])
            out[test][variable] = merged
    return out


__all__ = ["Resolver", "rebuild_policy_document"]
