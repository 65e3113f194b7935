"""CloudFormation's intrinsic functions, condition functions, parameters and pseudo parameters, evaluated.

The semantics follow the AWS CloudFormation Template Reference ("Intrinsic function reference", "Pseudo
parameters reference", "Parameters", "Conditions"): ``Ref``, ``Fn::GetAtt`` (``["R", "Attr"]``; the YAML form
``R.Attr`` is split by the reader), ``Fn::Sub`` (a string, or ``[string, {name: value}]``; ``${!x}`` is the literal
``${x}``; ``${R.Attr}`` is a GetAtt), ``Fn::Join``, ``Fn::If`` with the ``Conditions`` section (``Fn::Equals``,
``Fn::And``, ``Fn::Or``, ``Fn::Not``, ``Condition``), ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap``,
``Fn::Base64``; ``Ref AWS::NoValue`` removes the property or list item that holds it.

What a template does not determine is never dropped nor guessed: it becomes an :class:`Unresolved` value that says
why (a parameter without value, ``Fn::ImportValue``, ``Fn::GetAZs``, an attribute CloudFormation learns at deploy
time, an ``AWS::SSM::Parameter::Value`` parameter, a dynamic reference ``{{resolve:...}}``) and where. A function
whose inputs are unresolved is unresolved too, except where the answer does not depend on them: an ``Fn::If`` whose
two branches agree, an ``Fn::FindInMap`` whose candidate values agree, ``Fn::And`` with a false operand.

Every resolved value remembers where it came from: :meth:`Resolver.origin` maps a pointer into the resolved value
(``/Resources/R/Properties/Policies/0``) to the template pointer of the text that produced it
(``/Resources/R/Properties/Policies/1/Fn::If/1`` when an ``AWS::NoValue`` removed item 0), so locations point at
what the author wrote.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trustgraph.errors import IngestError
from trustgraph.model.location import escape_pointer_token

#: Partition -> the value of ``AWS::URLSuffix`` (Pseudo parameters reference).
URL_SUFFIX = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn", "aws-us-gov": "amazonaws.com"}

#: Functions of the ``AWS::LanguageExtensions`` transform: a template using them needs processing first.
LANGUAGE_EXTENSIONS = frozenset({"Fn::Length", "Fn::ToJsonString", "Fn::ForEach"})


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A value this template does not determine: ``why`` in words, ``pointer`` where in the template."""

    why: str
    pointer: str


class _NoValue:
    """``Ref AWS::NoValue``: the property or list item is removed."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()

#: Three-valued truth of a condition: True, False, or an :class:`Unresolved` saying why it is unknown.
Truth = bool | Unresolved

#: ``(logical id, attribute or None for Ref, pointer of the reference)`` -> the value; supplied by the caller that
#: knows resource types (:mod:`trustgraph.ingest.cloudformation`).
ResourceRefs = Callable[[str, str | None, str], object]


@dataclass(frozen=True, slots=True)
class StackContext:
    """What the deployment decides: the account, partition, region (None: unknown) and stack name, and the
    parameter values given (``--parameters``); ``None`` as a given value means "the stack's previous value"
    (``UsePreviousValue``), unknown here."""

    account: str
    partition: str = "aws"
    region: str | None = None
    stack_name: str = "stack"
    parameters: Mapping[str, str | None] = field(default_factory=dict)
    parameters_file: str | None = None
    parameter_pointers: Mapping[str, str] = field(default_factory=dict)  # where each value is in that file


def contains_unresolved(value: object) -> bool:
    """True when an :class:`Unresolved` occurs anywhere in a resolved value."""
    if isinstance(value, Unresolved):
        return True
    if isinstance(value, dict):
        return any(contains_unresolved(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unresolved(v) for v in value)
    return False


_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


class Resolver:
    """Evaluates the intrinsic functions of one template (see the module docstring).

    ``refs`` answers ``Ref``/``Fn::GetAtt`` of resources; parameters, pseudo parameters, mappings and conditions are
    the resolver's own. Errors a deployment would also hit (a missing mapping key, a reference to nothing, an index
    out of range, a cycle of conditions) are :class:`IngestError` at the template pointer.
    """

    def __init__(self, file: str, body: Mapping[str, Any], context: StackContext, refs: ResourceRefs) -> None:
        self.file = file
        self.body = body
        self.context = context
        self.refs = refs
        self.parameters = self._parameters()
        self._conditions: dict[str, Truth] = {}
        self._evaluating: list[str] = []
        self._origins: dict[str, str] = {}

    # -- errors and origins -------------------------------------------------------------------------------------
    def fail(self, pointer: str, message: str) -> IngestError:
        """An :class:`IngestError` at a template pointer."""
        return IngestError(self.file, pointer, message)

    def origin(self, pointer: str) -> str:
        """The template pointer that produced the resolved value at ``pointer`` (see the module docstring)."""
        rest = ""
        while True:
            found = self._origins.get(pointer)
            if found is not None:
                return found + rest
            if not pointer:
                return rest
            pointer, _, tail = pointer.rpartition("/")
            rest = f"/{tail}{rest}"

    # -- parameters ---------------------------------------------------------------------------------------------
    def _parameters(self) -> dict[str, object]:
        declared = self.body.get("Parameters") or {}
        if not isinstance(declared, dict):
            raise self.fail("/Parameters", "expected an object of parameter declarations")
        given = self.context.parameters
        where = self.context.parameters_file or self.file
        for name in given:
            if name not in declared:
                raise IngestError(where, self._given_at(name),
                                  f"parameter `{name}` is not declared in the template's Parameters")
        out: dict[str, object] = {}
        for name, decl in declared.items():
            pointer = f"/Parameters/{escape_pointer_token(name)}"
            if not isinstance(decl, dict) or not isinstance(decl.get("Type"), str):
                raise self.fail(pointer, "expected a parameter declaration with a Type")
            ptype: str = decl["Type"]
            if name in given:
                raw: object = given[name]
                if raw is None:
                    out[name] = Unresolved(f"parameter `{name}` (the stack's previous value)", pointer)
                    continue
                source_pointer, source = self._given_at(name), where
            elif "Default" in decl:
                raw, source_pointer, source = decl["Default"], f"{pointer}/Default", self.file
            else:
                out[name] = Unresolved(f"parameter `{name}` (no default, no value given)", pointer)
                continue
            if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
                raise IngestError(source, source_pointer, f"expected the value of parameter `{name}` as a string")
            text = str(raw)
            allowed = decl.get("AllowedValues")
            if isinstance(allowed, list) and allowed and text not in [str(a) for a in allowed]:
                raise IngestError(source, source_pointer, f"value `{text}` of parameter `{name}` is not one of its "
                                                          f"AllowedValues")
            if ptype.startswith("AWS::SSM::Parameter::Value<"):
                out[name] = Unresolved(f"parameter `{name}` (read from SSM parameter `{text}` at deploy)",
                                       pointer)
            elif ptype == "CommaDelimitedList" or ptype.startswith("List<"):
                out[name] = [part.strip() for part in text.split(",")]
            else:
                out[name] = text
        return out

    def _given_at(self, name: str) -> str:
        return self.context.parameter_pointers.get(name, f"/{escape_pointer_token(name)}")

    def _pseudo(self, name: str, pointer: str) -> object:
        ctx = self.context
        if name == "AWS::AccountId":
            return ctx.account
        if name == "AWS::Partition":
            return ctx.partition
        if name == "AWS::URLSuffix":
            return URL_SUFFIX.get(ctx.partition, "amazonaws.com")
        if name == "AWS::StackName":
            return ctx.stack_name
        if name == "AWS::Region":
            return ctx.region if ctx.region else Unresolved("AWS::Region (chosen at deploy)",
                                                            pointer)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in ("AWS::StackId", "AWS::NotificationARNs"):
            return Unresolved(f"{name} (assigned at deploy)", pointer)
        raise self.fail(pointer, f"unknown pseudo parameter `{name}`")

    # -- references ---------------------------------------------------------------------------------------------
    def ref(self, name: object, pointer: str) -> object:
        """``Ref name``: a parameter, a pseudo parameter or a resource."""
        if not isinstance(name, str):
            raise self.fail(pointer, "expected Ref to name a parameter or a resource (a string)")
        if name.startswith("AWS::"):
            return self._pseudo(name, pointer)
        if name in self.parameters:
            value = self.parameters[name]
            return Unresolved(value.why, pointer) if isinstance(value, Unresolved) else value
        if name in self._resources():
            return self.refs(name, None, pointer)
        raise self.fail(pointer, f"Ref to `{name}`, which is neither a parameter nor a resource of the template")

    def get_att(self, args: object, pointer: str) -> object:
        """``Fn::GetAtt [resource, attribute]``."""
        if isinstance(args, str) and "." in args:
            args = args.split(".", 1)
        if not isinstance(args, list) or len(args) != 2 or not isinstance(args[0], str):
            raise self.fail(pointer, "expected Fn::GetAtt [RESOURCE, ATTRIBUTE]")
        attribute = self.resolve(args[1], f"{pointer}/1")
        if isinstance(attribute, Unresolved):
            return attribute
        if not isinstance(attribute, str):
            raise self.fail(f"{pointer}/1", "expected the attribute name as a string")
        if args[0] not in self._resources():
            raise self.fail(f"{pointer}/0", f"Fn::GetAtt of `{args[0]}`, which is not a resource of the template")
        return self.refs(args[0], attribute, pointer)

    def _resources(self) -> Mapping[str, Any]:
        resources = self.body.get("Resources")
        return resources if isinstance(resources, dict) else {}

    # -- conditions ---------------------------------------------------------------------------------------------
    def condition(self, name: object, pointer: str) -> Truth:
        """The truth of a named condition of the ``Conditions`` section."""
        if not isinstance(name, str):
            raise self.fail(pointer, "expected a condition name (a string)")
        if name in self._conditions:
            return self._conditions[name]
        declared = self.body.get("Conditions") or {}
        if not isinstance(declared, dict) or name not in declared:
            raise self.fail(pointer, f"condition `{name}` is not declared in the template's Conditions")
        if name in self._evaluating:
            raise self.fail(pointer, f"conditions refer to each other in a cycle: {' -> '.join(self._evaluating)}")
        self._evaluating.append(name)
        try:
            value = self.truth(declared[name], f"/Conditions/{escape_pointer_token(name)}")
        finally:
            self._evaluating.pop()
        self._conditions[name] = value
        return value

    def truth(self, expr: object, pointer: str) -> Truth:
        """A condition function's value (Kleene's three-valued logic for And, Or and Not)."""
        if not isinstance(expr, dict) or len(expr) != 1:
            if isinstance(expr, bool):
                return expr
            raise self.fail(pointer, "expected a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, "
                                     "Condition)")
        (fn, args), = expr.items()
        at = f"{pointer}/{escape_pointer_token(fn)}"
        if fn == "Condition":
            return self.condition(args, at)
        if fn == "Fn::Equals":
            if not isinstance(args, list) or len(args) != 2:
                raise self.fail(at, "expected Fn::Equals [VALUE, VALUE]")
            a, b = (self.resolve(v, f"{at}/{i}") for i, v in enumerate(args))
            if contains_unresolved(a) or contains_unresolved(b):
                why = next((x.why for x in (a, b) if isinstance(x, Unresolved)), "a value with an unknown part")
                return Unresolved(f"Fn::Equals over {why}", at)
            return _text(a) == _text(b)
        if fn in ("Fn::And", "Fn::Or"):
            if not isinstance(args, list) or not 2 <= len(args) <= 10:
                raise self.fail(at, f"expected {fn} with 2 to 10 conditions")
            values = [self.truth(v, f"{at}/{i}") for i, v in enumerate(args)]
            decisive: bool = fn == "Fn::Or"
            if decisive in values:
                return decisive
            unknown = [v for v in values if isinstance(v, Unresolved)]
            return unknown[0] if unknown else not decisive
        if fn == "Fn::Not":
            if not isinstance(args, list) or len(args) != 1:
                raise self.fail(at, "expected Fn::Not [CONDITION]")
            value = self.truth(args[0], f"{at}/0")
            return value if isinstance(value, Unresolved) else not value
        raise self.fail(at, f"expected a condition function, got `{fn}`")

    # -- values -------------------------------------------------------------------------------------------------
    def resolve(self, value: object, pointer: str, out: str | None = None) -> object:
        """The value with every intrinsic function evaluated: plain JSON values, :class:`Unresolved` where the
        template does not decide, ``NO_VALUE`` for ``AWS::NoValue``. ``out`` is the pointer the result will have in
        the resolved document (default: ``pointer``); the origin of every value below it is recorded."""
        out = pointer if out is None else out
        self._origins[out] = pointer  # the innermost producer wins: a later item replaces one AWS::NoValue removed
        if isinstance(value, dict):
            if len(value) == 1:
                (key, args), = value.items()
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self._function(key, args, f"{pointer}/{escape_pointer_token(key)}", out)
            result: dict[str, object] = {}
            for k, v in value.items():
                token = escape_pointer_token(k)
                item = self.resolve(v, f"{pointer}/{token}", f"{out}/{token}")
                if item is not NO_VALUE:
                    result[k] = item
            return result
        if isinstance(value, list):
            items: list[object] = []
            for i, v in enumerate(value):
                item = self.resolve(v, f"{pointer}/{i}", f"{out}/{len(items)}")
                if item is not NO_VALUE:
                    items.append(item)
            return items
        if isinstance(value, str) and "{{resolve:" in value:
            return Unresolved("a dynamic reference {{resolve:...}} (read at deploy)", pointer)
        return value

    def _function(self, fn: str, args: object, at: str, out: str) -> object:
        self._origins[out] = at
        if fn == "Ref":
            return self.ref(args, at)
        if fn == "Fn::GetAtt":
            return self.get_att(args, at)
        if fn == "Fn::If":
            if not isinstance(args, list) or len(args) != 3:
                raise self.fail(at, "expected Fn::If [CONDITION, VALUE_IF_TRUE, VALUE_IF_FALSE]")
            truth = self.condition(args[0], f"{at}/0")
            if isinstance(truth, Unresolved):
                yes = self.resolve(args[1], f"{at}/1", out)
                no = self.resolve(args[2], f"{at}/2", out)
                self._origins[out] = at
                return yes if yes == no else Unresolved(f"Fn::If on condition `{args[0]}`, itself over {truth.why}", at)
            branch = 1 if truth else 2
            return self.resolve(args[branch], f"{at}/{branch}", out)
        if fn == "Fn::Sub":
            return self._sub(args, at)
        if fn == "Fn::Join":
            return self._join(args, at)
        if fn == "Fn::Select":
            return self._select(args, at)
        if fn == "Fn::Split":
            return self._split(args, at)
        if fn == "Fn::FindInMap":
            return self._find_in_map(args, at)
        if fn == "Fn::Base64":
            text = self.resolve(args, at)
            if isinstance(text, Unresolved) or contains_unresolved(text):
                return Unresolved("Fn::Base64 over an unknown value", at)
            return base64.b64encode(_text(text, self, at).encode()).decode()
        if fn == "Fn::ImportValue":
            return Unresolved("Fn::ImportValue (exported by another stack)", at)
        if fn == "Fn::GetAZs":
            return Unresolved("Fn::GetAZs (the region's availability zones)", at)
        if fn == "Fn::Cidr":
            return Unresolved("Fn::Cidr (address blocks are not evaluated)", at)
        if fn == "Fn::Transform" or fn in LANGUAGE_EXTENSIONS:
            raise self.fail(at, f"{fn} needs a transform: pass the processed template (aws cloudformation "
                                f"get-template --template-stage Processed)")
        raise self.fail(at, f"unknown intrinsic function `{fn}`")

    def _string(self, value: object, pointer: str) -> str | Unresolved:
        resolved = self.resolve(value, pointer)
        if isinstance(resolved, Unresolved):
            return resolved
        if contains_unresolved(resolved):
            return Unresolved("a value with an unknown part", pointer)
        return _text(resolved, self, pointer)

    def _sub(self, args: object, at: str) -> object:
        variables: dict[str, object] = {}
        if isinstance(args, list):
            if len(args) != 2 or not isinstance(args[0], str) or not isinstance(args[1], dict):
                raise self.fail(at, "expected Fn::Sub STRING or Fn::Sub [STRING, {NAME: VALUE}]")
            text = args[0]
            for name, v in args[1].items():
                variables[name] = self.resolve(v, f"{at}/1/{escape_pointer_token(name)}")
            where = f"{at}/0"
        elif isinstance(args, str):
            text, where = args, at
        else:
            raise self.fail(at, "expected Fn::Sub STRING or Fn::Sub [STRING, {NAME: VALUE}]")
        pieces: list[str] = []
        unknown: Unresolved | None = None
        last = 0
        for m in _SUB_VAR.finditer(text):
            pieces.append(text[last:m.start()])
            last = m.end()
            name = m.group(1)
            if name.startswith("!"):
                pieces.append("${" + name[1:] + "}")
                continue
            name = name.strip()
            if name in variables:
                value = variables[name]
            elif "." in name and not name.startswith("AWS::"):
                value = self.get_att(name.split(".", 1), where)
            else:
                value = self.ref(name, where)
            if isinstance(value, Unresolved) or contains_unresolved(value):
                unknown = unknown or (value if isinstance(value, Unresolved) else Unresolved(f"${{{name}}}", where))
                continue
            if value is NO_VALUE or isinstance(value, (list, dict)):
                raise self.fail(where, f"Fn::Sub variable `{name}` is not a string")
            pieces.append(_text(value, self, where))
        pieces.append(text[last:])
        if unknown is not None:
            return Unresolved(f"Fn::Sub over {unknown.why}", at)
        result = "".join(pieces)
        if "{{resolve:" in result:
            return Unresolved("a dynamic reference {{resolve:...}} (read at deploy)", at)
        return result

    def _list(self, value: object, pointer: str) -> list[object] | Unresolved:
        resolved = self.resolve(value, pointer)
        if isinstance(resolved, Unresolved):
            return resolved
        if not isinstance(resolved, list):
            raise self.fail(pointer, "expected a list")
        return resolved

    def _join(self, args: object, at: str) -> object:
        if not isinstance(args, list) or len(args) != 2:
            raise self.fail(at, "expected Fn::Join [DELIMITER, [VALUES]]")
        delimiter = self._string(args[0], f"{at}/0")
        items = self._list(args[1], f"{at}/1")
        if isinstance(delimiter, Unresolved):
            return delimiter
        if isinstance(items, Unresolved):
            return Unresolved(f"Fn::Join over {items.why}", at)
        texts: list[str] = []
        for i, item in enumerate(items):
            if isinstance(item, Unresolved) or contains_unresolved(item):
                why = item.why if isinstance(item, Unresolved) else "a value with an unknown part"
                return Unresolved(f"Fn::Join over {why}", at)
            texts.append(_text(item, self, f"{at}/1/{i}"))
        return delimiter.join(texts)

    def _select(self, args: object, at: str) -> object:
        if not isinstance(args, list) or len(args) != 2:
            raise self.fail(at, "expected Fn::Select [INDEX, [VALUES]]")
        index = self.resolve(args[0], f"{at}/0")
        items = self._list(args[1], f"{at}/1")
        if isinstance(index, Unresolved):
            return index
        if isinstance(items, Unresolved):
            return Unresolved(f"Fn::Select over {items.why}", at)
        if isinstance(index, bool) or not (isinstance(index, int) or (isinstance(index, str) and index.isdigit())):
            raise self.fail(f"{at}/0", "expected Fn::Select's index as a whole number")
        position = int(index)
        if position >= len(items):
            raise self.fail(f"{at}/0", f"Fn::Select index {position} is out of range (the list has {len(items)} "
                                       f"values)")
        return items[position]

    def _split(self, args: object, at: str) -> object:
        if not isinstance(args, list) or len(args) != 2:
            raise self.fail(at, "expected Fn::Split [DELIMITER, STRING]")
        delimiter = self._string(args[0], f"{at}/0")
        text = self._string(args[1], f"{at}/1")
        if isinstance(delimiter, Unresolved):
            return delimiter
        if isinstance(text, Unresolved):
            return Unresolved(f"Fn::Split over {text.why}", at)
        if not delimiter:
            raise self.fail(f"{at}/0", "expected a non-empty delimiter")
        return text.split(delimiter)

    def _find_in_map(self, args: object, at: str) -> object:
        if not isinstance(args, list) or len(args) != 3:
            raise self.fail(at, "expected Fn::FindInMap [MAP, TOP_LEVEL_KEY, SECOND_LEVEL_KEY]")
        keys = [self._string(a, f"{at}/{i}") for i, a in enumerate(args)]
        mappings = self.body.get("Mappings") or {}
        if isinstance(keys[0], Unresolved):
            return keys[0]
        if not isinstance(mappings, dict) or keys[0] not in mappings or not isinstance(mappings[keys[0]], dict):
            raise self.fail(f"{at}/0", f"mapping `{keys[0]}` is not declared in the template's Mappings")
        table: Mapping[str, Any] = mappings[keys[0]]
        base = f"/Mappings/{escape_pointer_token(keys[0])}"
        tops = list(table) if isinstance(keys[1], Unresolved) else [keys[1]]
        candidates: list[object] = []
        for top in tops:
            if top not in table or not isinstance(table[top], dict):
                raise self.fail(f"{at}/1", f"mapping `{keys[0]}` has no key `{top}`")
            row: Mapping[str, Any] = table[top]
            seconds = list(row) if isinstance(keys[2], Unresolved) else [keys[2]]
            for second in seconds:
                if second not in row:
                    if isinstance(keys[1], Unresolved) or isinstance(keys[2], Unresolved):
                        continue
                    raise self.fail(f"{at}/2", f"mapping `{keys[0]}` has no key `{second}` under `{top}`")
                candidates.append(self.resolve(row[second], f"{base}/{escape_pointer_token(top)}/"
                                                            f"{escape_pointer_token(second)}"))
        if candidates and all(c == candidates[0] for c in candidates):
            return candidates[0]
        why = next(k for k in keys if isinstance(k, Unresolved))
        assert isinstance(why, Unresolved)
        return Unresolved(f"Fn::FindInMap over {why.why}", at)


def _text(value: object, resolver: Resolver | None = None, pointer: str = "") -> str:
    """A scalar as CloudFormation turns it into a string (booleans lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if resolver is not None:
        raise resolver.fail(pointer, f"expected a string, got {'a list' if isinstance(value, list) else 'an object'}")
    return str(value)


__all__ = ["LANGUAGE_EXTENSIONS", "NO_VALUE", "URL_SUFFIX", "ResourceRefs", "Resolver", "StackContext", "Truth",
           "Unresolved", "contains_unresolved"]
