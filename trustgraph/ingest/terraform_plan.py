"""``terraform show -json PLANFILE`` (JSON output format 1.x) to an :class:`~trustgraph.ingest.overlay.Overlay`.

What is read (HashiCorp, "JSON Output Format"): ``format_version`` (major version 1; any other is refused, as the
format's own rules ask), ``resource_changes`` (each with ``address``, ``module_address``, ``mode``, ``type``,
``name`` and ``change``: ``actions``, ``before``, ``after``, ``after_unknown``), ``prior_state`` (the account from
``data.aws_caller_identity``, documents of data sources read while planning), ``configuration`` (the expressions of
a resource: which planned resource an unknown value comes from, and the blocks of a
``data.aws_iam_policy_document``) and ``variables``.

Actions: ``create``, ``update``, ``delete``, ``["delete", "create"]`` and ``["create", "delete"]`` (replace);
``no-op``, ``read`` and ``forget`` change nothing in IAM. ``after_unknown`` marks what is known only after apply:
such values become :class:`~trustgraph.ingest.unknowns.Unknown` (never dropped), or are rebuilt where the plan says
what they will be (see :mod:`trustgraph.ingest.terraform_values`). Resource types other than the IAM and
Organizations types of :data:`~trustgraph.ingest.terraform_iam.SUPPORTED` are counted in one note line.

Every error is one line naming the plan file and the JSON pointer; locations of the changes (and so of findings) are
resource addresses, ``module.net.aws_iam_role.ci``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from trustgraph.errors import IngestError
from trustgraph.ingest._fields import fail, show_json, type_name
from trustgraph.ingest.overlay import Overlay
from trustgraph.ingest.terraform_iam import SUPPORTED, ChangeBuilder
from trustgraph.ingest.terraform_values import PlanIndex, ResourceChange
from trustgraph.model.arn import is_account_id, parse_arn
from trustgraph.model.location import Location

#: The actions lists of ``resource_changes[].change.actions`` and what they mean here.
ACTIONS: Mapping[tuple[str, ...], str] = {
    ("no-op",): "no-op", ("read",): "read", ("forget",): "forget",
    ("create",): "create", ("update",): "update", ("delete",): "delete",
    ("delete", "create"): "replace", ("create", "delete"): "replace",
}


def overlay_from_plan(path: str | os.PathLike[str], *, account: str | None = None) -> Overlay:
    """The changes a saved Terraform plan makes to one account.

    Parameters
    ----------
    path
        The output of ``terraform show -json PLANFILE``.
    account
        The account the plan applies to (``--account``); by default the plan's ``data.aws_caller_identity`` or the
        account of the ARNs it changes.

    Raises
    ------
    IngestError
        For a file that is not a plan of format 1.x, a malformed part of it, or a plan whose account cannot be told.
    """
    from trustgraph.ingest.load import read_json

    name = os.fspath(path)
    data = read_json(path, name)
    root = Location(name, "")
    _check_format(data, root)
    assert isinstance(data, dict)
    raw_changes = data.get("resource_changes", [])
    if not isinstance(raw_changes, list):
        raise fail(root.child("resource_changes"), f"expected a list of resource changes, got {type_name(raw_changes)}")
    changes = [_resource_change(rc, root.child("resource_changes", i)) for i, rc in enumerate(raw_changes)]
    index = PlanIndex(data, name, changes)
    acct, partition = _account(index, changes, account, name)
    builder = ChangeBuilder(index, acct, partition)
    unsupported: dict[str, int] = {}
    forgotten: list[str] = []
    for rc in changes:
        if rc.mode != "managed" or rc.action in ("no-op", "read"):
            continue
        if rc.action == "forget":
            forgotten.append(rc.address)
            continue
        if rc.type not in SUPPORTED:
            unsupported[rc.type] = unsupported.get(rc.type, 0) + 1
            continue
        builder.add(rc)
    notes = list(builder.notes)
    if unsupported:
        listed = ", ".join(f"{t} ({n})" for t, n in sorted(unsupported.items()))
        notes.append(f"{sum(unsupported.values())} planned change(s) of resource types trustgraph does not analyse: "
                     f"{listed}")
    if forgotten:
        notes.append(f"{len(forgotten)} resource(s) removed from the Terraform state without being destroyed "
                     f"(forget): {', '.join(forgotten)}; they stay in IAM as they are")
    return Overlay(account=acct, partition=partition, source=name, changes=tuple(builder.changes),
                   notes=tuple(notes), unknowns=tuple(builder.unknowns))


def _check_format(data: object, root: Location) -> None:
    if not isinstance(data, dict):
        raise fail(root, f"expected the JSON object of `terraform show -json PLANFILE`, got {type_name(data)}")
    version = data.get("format_version")
    if version is None:
        raise fail(root, "not a Terraform plan: no `format_version` (expected the output of `terraform show -json "
                         "PLANFILE`)")
    if not isinstance(version, str) or version.split(".", 1)[0] != "1":
        raise fail(root.child("format_version"), f"unsupported Terraform JSON format_version {show_json(version)}: "
                                                 f"trustgraph reads format 1.x (`terraform show -json` of Terraform "
                                                 f"1.0 or later)")
    if "resource_changes" not in data and "planned_values" not in data:
        raise fail(root, "a Terraform state, not a plan: save a plan with `terraform plan -out=PLANFILE` and give "
                         "the output of `terraform show -json PLANFILE`")


def _resource_change(raw: object, loc: Location) -> ResourceChange:
    if not isinstance(raw, dict):
        raise fail(loc, f"expected a resource change object, got {type_name(raw)}")
    fields: dict[str, str] = {}
    for key in ("address", "mode", "type", "name"):
        value = raw.get(key)
        if not isinstance(value, str):
            raise fail(loc.child(key), f"expected `{key}` as a string, got {type_name(value)}")
        fields[key] = value
    module = raw.get("module_address", "")
    if not isinstance(module, str):
        raise fail(loc.child("module_address"), f"expected `module_address` as a string, got {type_name(module)}")
    change = raw.get("change")
    if not isinstance(change, dict):
        raise fail(loc.child("change"), f"expected `change` as an object, got {type_name(change)}")
    actions = change.get("actions")
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise fail(loc.child("change", "actions"), f"expected `actions` as a list of strings, got "
                                                    f"{show_json(actions)}")
    action = ACTIONS.get(tuple(actions))
    if action is None:
        raise fail(loc.child("change", "actions"), f"unknown actions {show_json(actions)} (expected one of "
                                                    f"no-op, read, forget, create, update, delete, [delete, create], "
                                                    f"[create, delete])")
    for key in ("before", "after"):
        value = change.get(key)
        if value is not None and not isinstance(value, dict):
            raise fail(loc.child("change", key), f"expected `{key}` as an object or null, got {type_name(value)}")
    unknown = change.get("after_unknown", {})
    if unknown is None:
        unknown = {}
    if not isinstance(unknown, (dict, bool)):
        raise fail(loc.child("change", "after_unknown"), f"expected `after_unknown` as an object, got "
                                                          f"{type_name(unknown)}")
    if action in ("create", "update", "replace") and not isinstance(change.get("after"), dict) and unknown is not True:
        raise fail(loc.child("change", "after"), f"a {action} needs `after` as an object")
    if action in ("update", "delete", "replace") and not isinstance(change.get("before"), dict):
        raise fail(loc.child("change", "before"), f"a {action} needs `before` as an object")
    return ResourceChange(address=fields["address"], module=module, mode=fields["mode"], type=fields["type"],
                          name=fields["name"], action=action, before=change.get("before") or {},
                          after=change.get("after") or {}, after_unknown=unknown, pointer=loc)


def _account(index: PlanIndex, changes: list[ResourceChange], given: str | None,
             source: str) -> tuple[str, str]:
    """The account and partition the plan applies to (module docstring); errors are one line, exit 2."""
    seen: dict[str, str] = {}  # account -> where it was found
    partition = "aws"
    for acct, arn, where in index.caller_identities():
        seen.setdefault(acct, where)
        parsed = parse_arn(arn) if arn else None
        partition = parsed.partition if parsed else partition
    for rc in changes:
        if rc.mode != "managed" or rc.type not in SUPPORTED:
            continue
        for side, values in (("before", rc.before), ("after", rc.after)):
            arn = values.get("arn") if isinstance(values, Mapping) else None
            parsed = parse_arn(arn) if isinstance(arn, str) else None
            if parsed is not None and is_account_id(parsed.account):
                seen.setdefault(parsed.account, f"{rc.address} ({side} arn)")
                partition = parsed.partition
    if given is not None:
        if not is_account_id(given):
            raise IngestError(source, "", f"--account expects a 12-digit account id, got `{given}`")
        others = {a: w for a, w in seen.items() if a != given}
        if others:
            a, w = next(iter(others.items()))
            raise IngestError(source, "", f"the plan names account {a} ({w}), not --account {given}")
        return given, partition
    if not seen:
        raise IngestError(source, "", "cannot tell which account the plan applies to: it reads no "
                                      "data.aws_caller_identity and changes no resource with a known ARN; "
                                      "give --account ID")
    if len(seen) > 1:
        listed = ", ".join(f"{a} ({w})" for a, w in sorted(seen.items()))
        raise IngestError(source, "", f"the plan changes several accounts ({listed}): trustgraph applies a plan to "
                                      f"one account")
    return next(iter(seen)), partition


def plan_like(data: object) -> bool:
    """True when a JSON value looks like ``terraform show -json`` output (for messages that suggest --plan)."""
    return isinstance(data, dict) and "format_version" in data and ("resource_changes" in data
                                                                    or "planned_values" in data)


__all__ = ["ACTIONS", "overlay_from_plan", "plan_like"]
