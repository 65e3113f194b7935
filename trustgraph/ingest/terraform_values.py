"""Values of a Terraform plan: a resource change's ``after`` with its unknowns made explicit, the configuration of a
resource, and what a reference in the configuration points to.

``after_unknown`` has the shape of ``after`` with ``true`` at every leaf known only after apply (an unknown value is
absent from ``after``, or null). :meth:`ResourceChange.value` merges the two: the known value, or an
:class:`~trustgraph.ingest.unknowns.Unknown` located at the resource address and attribute path.

The configuration (``configuration.root_module``, ``module_calls.NAME.module`` for modules) gives each argument as an
expression: ``{"constant_value": ...}`` or ``{"references": ["aws_iam_role.x.arn", "aws_iam_role.x"]}``. A reference
says which resource an unknown value comes from; :class:`PlanIndex` finds that resource among the planned changes so
that, for instance, the ARN of a role the plan creates (known from its name and path) can stand where the plan only
says "unknown". The JSON format lists references, not the expression around them (``"${aws_iam_role.x.arn}/*"`` and
``aws_iam_role.x.arn`` both list ``aws_iam_role.x.arn``), so a reference is used only where the value is exactly one
reference of the planned kind; anything else stays unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trustgraph.ingest.unknowns import Unknown
from trustgraph.model.location import Location

_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceChange:
    """One entry of ``resource_changes``, checked for shape; ``pointer`` is its place in the plan file."""

    address: str
    module: str
    mode: str
    type: str
    name: str
    action: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    after_unknown: Mapping[str, Any] | bool
    pointer: Location

    @property
    def location(self) -> Location:
        """Where findings point: the resource address."""
        return Location(self.address, "")

    def value(self, key: str) -> Any:
        """``after[key]`` with unknown leaves as :class:`Unknown` (see the module docstring)."""
        unknown = self.after_unknown
        if unknown is True:
            return Unknown(self.location.child(key), f"{self.address}.{key}")
        flags = unknown.get(key) if isinstance(unknown, Mapping) else None
        return merge_unknown(self.after.get(key), flags, self.location.child(key), f"{self.address}.{key}")

    def known(self, key: str, side: str = "after") -> Any:
        """``before[key]`` or ``after[key]`` when known (None otherwise)."""
        values = self.before if side == "before" else self.after
        value = values.get(key)
        return None if isinstance(self.value(key) if side == "after" else value, Unknown) else value


def merge_unknown(value: Any, unknown: Any, loc: Location, what: str) -> Any:
    """``value`` with the leaves that ``unknown`` marks ``true`` replaced by :class:`Unknown`."""
    if unknown is True:
        return Unknown(loc, what)
    if isinstance(unknown, Mapping) and unknown:
        base = value if isinstance(value, Mapping) else {}
        keys = list(base) + [k for k in unknown if k not in base]
        return {k: merge_unknown(base.get(k), unknown.get(k), loc.child(k), f"{what}.{k}") for k in keys}
    if isinstance(unknown, list) and unknown:
        base_list = value if isinstance(value, list) else []
        size = max(len(base_list), len(unknown))
        return [merge_unknown(base_list[i] if i < len(base_list) else None, unknown[i] if i < len(unknown) else None,
                              loc.child(i), f"{what}[{i}]") for i in range(size)]
    return value


def _modules(address: str) -> tuple[str, ...]:
    """``module.a["x"].module.b`` -> ``("a", "b")``."""
    parts = _INSTANCE_KEY.sub("", address).split(".")
    return tuple(parts[i + 1] for i in range(0, len(parts) - 1, 2) if parts[i] == "module")


def resource_key(address: str) -> str:
    """An address without instance keys: ``module.a[0].aws_iam_role.x["k"]`` -> ``module.a.aws_iam_role.x``."""
    return _INSTANCE_KEY.sub("", address)


class PlanIndex:
    """Look-ups over one plan: configuration per resource, prior-state values, planned changes by address."""

    def __init__(self, data: Mapping[str, Any], source: str, changes: Sequence[ResourceChange]) -> None:
        self.data = data
        self.source = source
        self.changes = changes
        self.by_address = {rc.address: rc for rc in changes}
        self.by_key: dict[str, list[ResourceChange]] = {}
        for rc in changes:
            self.by_key.setdefault(resource_key(rc.address), []).append(rc)

    # -- configuration ----------------------------------------------------------------------------------------------
    def _module_config(self, modules: tuple[str, ...]) -> Mapping[str, Any] | None:
        config = self.data.get("configuration")
        module = config.get("root_module") if isinstance(config, Mapping) else None
        for name in modules:
            calls = module.get("module_calls") if isinstance(module, Mapping) else None
            call = calls.get(name) if isinstance(calls, Mapping) else None
            module = call.get("module") if isinstance(call, Mapping) else None
        return module if isinstance(module, Mapping) else None

    def expressions(self, rc: ResourceChange) -> Mapping[str, Any]:
        """The configuration expressions of a resource change (empty when the plan has no configuration for it)."""
        module = self._module_config(_modules(rc.module))
        resources = module.get("resources") if module is not None else None
        if not isinstance(resources, list):
            return {}
        local = f"{'data.' if rc.mode == 'data' else ''}{rc.type}.{rc.name}"
        for res in resources:
            if isinstance(res, Mapping) and res.get("address") == local:
                exprs = res.get("expressions")
                return exprs if isinstance(exprs, Mapping) else {}
        return {}

    def configured(self, rc: ResourceChange, key: str) -> bool:
        """True when the configuration sets the argument (or block) ``key`` of the resource."""
        return key in self.expressions(rc)

    def references(self, expression: object) -> tuple[str, ...]:
        """The references an expression lists (empty for a constant)."""
        refs = expression.get("references") if isinstance(expression, Mapping) else None
        return tuple(r for r in refs if isinstance(r, str)) if isinstance(refs, list) else ()

    def referenced(self, rc: ResourceChange, ref: str) -> tuple[ResourceChange | None, str | None]:
        """The planned resource change a reference of ``rc``'s configuration names (same module), and the attribute
        read (``aws_iam_role.x.arn`` -> (the change of aws_iam_role.x, ``arn``)); (None, None) when the reference is
        to a variable, a local, a data source or a resource the plan does not change."""
        parts = ref.split(".")
        if parts[0] in ("var", "local", "module", "each", "count", "path", "terraform", "data") or len(parts) < 2:
            return None, None
        base = f"{parts[0]}.{_INSTANCE_KEY.sub('', parts[1])}"
        key = f"{rc.module}.{base}" if rc.module else base
        found = self.by_key.get(resource_key(key))
        if not found or len(found) != 1:
            return None, None
        return found[0], (parts[2] if len(parts) > 2 else None)

    def data_source(self, rc: ResourceChange, ref: str) -> tuple[ResourceChange | None, Mapping[str, Any] | None]:
        """A ``data.TYPE.NAME`` reference of ``rc``'s configuration: its deferred read among the resource changes,
        or its values in ``prior_state`` (read while planning)."""
        parts = ref.split(".")
        if parts[0] != "data" or len(parts) < 3:
            return None, None
        base = f"data.{parts[1]}.{_INSTANCE_KEY.sub('', parts[2])}"
        key = f"{resource_key(rc.module)}.{base}" if rc.module else base
        found = self.by_key.get(key)
        if found and len(found) == 1:
            return found[0], None
        for address, values in self.prior_resources():
            if resource_key(address) == key:
                return None, values
        return None, None

    def data_expressions(self, data: ResourceChange) -> Mapping[str, Any]:
        """The configuration of a data source's deferred read."""
        return self.expressions(data)

    # -- prior state ------------------------------------------------------------------------------------------------
    def prior_resources(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(address, values) of every resource and data source in ``prior_state``."""
        prior = self.data.get("prior_state")
        values = prior.get("values") if isinstance(prior, Mapping) else None
        stack = [values.get("root_module")] if isinstance(values, Mapping) else []
        while stack:
            module = stack.pop()
            if not isinstance(module, Mapping):
                continue
            for res in module.get("resources") or ():
                if isinstance(res, Mapping) and isinstance(res.get("address"), str) and isinstance(
                        res.get("values"), Mapping):
                    yield res["address"], res["values"]
            children = module.get("child_modules")
            if isinstance(children, list):
                stack.extend(children)

    def caller_identities(self) -> Iterator[tuple[str, str | None, str]]:
        """(account id, caller ARN, address) of every ``data.aws_caller_identity`` in the prior state or read by
        the plan."""
        for address, values in self.prior_resources():
            if ".aws_caller_identity." in f".{resource_key(address)}":
                acct = values.get("account_id")
                if isinstance(acct, str):
                    arn = values.get("arn")
                    yield acct, arn if isinstance(arn, str) else None, address
        for rc in self.changes:
            if rc.mode == "data" and rc.type == "aws_caller_identity":
                acct = rc.after.get("account_id")
                if isinstance(acct, str):
                    arn = rc.after.get("arn")
                    yield acct, arn if isinstance(arn, str) else None, rc.address

    def variable(self, name: str) -> Any:
        """The value of a root module variable, or None."""
        variables = self.data.get("variables")
        entry = variables.get(name) if isinstance(variables, Mapping) else None
        return entry.get("value") if isinstance(entry, Mapping) else None


__all__ = ["PlanIndex", "ResourceChange", "merge_unknown", "resource_key"]
