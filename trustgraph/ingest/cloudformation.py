"""A CloudFormation template as planned changes to one account (:class:`~trustgraph.ingest.overlay.Overlay`).

``trustgraph diff OLD --cloudformation TEMPLATE`` judges a stack before it is deployed: NEW is OLD with the template's
IAM resources created or updated. The template is read by :mod:`~trustgraph.ingest.cfn_template` (JSON or YAML, short
tags, positions) and its intrinsic functions evaluated by :mod:`~trustgraph.ingest.cfn_intrinsics` (parameters from
their defaults and ``--parameters``, pseudo parameters from the account, conditions).

Resource types read (AWS CloudFormation Template Reference, "AWS Identity and Access Management" and "AWS
Organizations"): ``AWS::IAM::Role``, ``User``, ``Group``, ``ManagedPolicy``, ``Policy``, ``RolePolicy``,
``UserPolicy``, ``GroupPolicy``, ``UserToGroupAddition``, ``OIDCProvider``, ``SAMLProvider`` and
``AWS::Organizations::Policy`` (SCPs and RCPs). Other types are counted in one note.

A role's ``Ref`` is its name and its ``Fn::GetAtt .Arn`` its ARN (path included), computed from the same properties
as the role itself, so a trust policy naming ``!GetAtt OtherRole.Arn`` names the graph node of that role. A role,
user, group, managed policy or SAML provider without a name gets CloudFormation's generated-name shape,
``STACK-LOGICALID-SUFFIX`` (the suffix is random at creation: a fixed stand-in here, and a note says so); when OLD
holds a name of that shape for the same stack and logical id, the resource is that existing entity.

A template says what the stack's resources are after deployment, not what they were before; so inline policies and
managed policy attachments a template gives an existing entity are added to the ones it has (an attachment the
previous version of the template had and this one dropped is not known to be removed: more access, the sound side),
and its trust policy, path and permissions boundary are replaced.

Values the template does not determine become :class:`~trustgraph.ingest.unknowns.Unknown` at their template
pointer; the policies holding them over-approximate (:func:`~trustgraph.ingest.unknowns.policy_with_unknowns`).
Locations are the template file and the pointer of what the author wrote (through ``Fn::If`` branches and removed
``AWS::NoValue`` items), which the report turns into lines.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from trustgraph.errors import IngestError
from trustgraph.ingest.cfn_intrinsics import NO_VALUE, Resolver, StackContext, Unresolved, contains_unresolved
from trustgraph.ingest.cfn_template import Template, load_template, parse_document, read_text
from trustgraph.ingest.overlay import (
    Attach,
    Change,
    Membership,
    OrgAttachment,
    Overlay,
    Owner,
    OwnerKind,
    PutGroup,
    PutInlinePolicy,
    PutManagedPolicy,
    PutOrgPolicy,
    PutProvider,
    PutRole,
    PutUser,
)
from trustgraph.ingest.policy_json import PolicyKind
from trustgraph.ingest.unknowns import Unknown, is_marker, policy_with_unknowns
from trustgraph.model.estate import Estate
from trustgraph.model.location import Location, escape_pointer_token
from trustgraph.model.organization import IdentityProvider, OrgPolicyType, ProviderType
from trustgraph.model.policy import Policy

#: Name length limits of the generated names (IAM quotas: roles and users 64, groups and policies 128).
_NAME_LIMIT = {"AWS::IAM::Role": 64, "AWS::IAM::User": 64, "AWS::IAM::Group": 128, "AWS::IAM::ManagedPolicy": 128,
               "AWS::IAM::SAMLProvider": 128}
#: The property holding each type's name.
_NAME_PROPERTY = {"AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName",
                  "AWS::IAM::ManagedPolicy": "ManagedPolicyName", "AWS::IAM::SAMLProvider": "Name"}
_ARN_KIND = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user", "AWS::IAM::Group": "group",
             "AWS::IAM::ManagedPolicy": "policy"}
#: The list properties naming a policy's users, groups and roles (AWS::IAM::Policy, AWS::IAM::ManagedPolicy).
_OWNER_LISTS: tuple[tuple[OwnerKind, str], ...] = (("role", "Roles"), ("user", "Users"), ("group", "Groups"))
#: The inline policy resource types and the kind of their one owner.
_INLINE_OWNER: Mapping[str, OwnerKind] = {"AWS::IAM::RolePolicy": "role", "AWS::IAM::UserPolicy": "user",
                                          "AWS::IAM::GroupPolicy": "group"}
_POLICY_TYPES = {"SERVICE_CONTROL_POLICY": OrgPolicyType.SCP, "RESOURCE_CONTROL_POLICY": OrgPolicyType.RCP}
READ_TYPES = frozenset({
    "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy",
    "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy", "AWS::IAM::UserToGroupAddition",
    "AWS::IAM::OIDCProvider", "AWS::IAM::SAMLProvider", "AWS::Organizations::Policy",
})
PROCESSED_HINT = ("pass the processed template instead (aws cloudformation get-template --stack-name STACK "
                  "--template-stage Processed)")
_STACK_NAME = re.compile(r"^[A-Za-z][-A-Za-z0-9]{0,127}$")


def stack_name_from_file(path: str) -> str:
    """A stack name for a template file when none is given: its stem with characters a stack name cannot hold
    replaced (``iam-role.yaml`` -> ``iam-role``).

    >>> stack_name_from_file("dir/my_stack.template.yaml")
    'my-stack'
    """
    name = Path(path).name
    while True:
        stem = re.sub(r"\.(ya?ml|json|template|txt)$", "", name, flags=re.IGNORECASE)
        if stem == name:
            break
        name = stem
    name = re.sub(r"[^-A-Za-z0-9]+", "-", name).strip("-")[:120]
    return name if name[:1].isalpha() else f"stack-{name}" if name else "stack"


def read_parameters(path: str) -> tuple[dict[str, str | None], dict[str, str]]:
    """A parameters file: the AWS CLI's ``[{"ParameterKey": K, "ParameterValue": V}]`` (``"UsePreviousValue":
    true`` gives None: the stack's previous value, unknown here), a plain ``{K: V}`` object, or a CodePipeline
    template configuration ``{"Parameters": {K: V}}``; JSON or YAML. Returns the values and the pointer of each.

    Raises
    ------
    IngestError
        Naming the file and the pointer of the first malformed entry.
    """
    value, _, _ = parse_document(read_text(path, path), path)
    out: dict[str, str | None] = {}
    at: dict[str, str] = {}
    if isinstance(value, dict) and set(value) <= {"Parameters", "Tags", "StackPolicy"} and \
            isinstance(value.get("Parameters"), dict):
        value = value["Parameters"]
        base = "/Parameters"
    else:
        base = ""
    if isinstance(value, dict):
        for key, v in value.items():
            if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                raise IngestError(path, f"{base}/{escape_pointer_token(key)}",
                                  "expected the parameter's value as a string")
            out[key] = str(v)
            at[key] = f"{base}/{escape_pointer_token(key)}"
        return out, at
    if not isinstance(value, list):
        raise IngestError(path, "", 'expected [{"ParameterKey": ..., "ParameterValue": ...}] or {KEY: VALUE}')
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("ParameterKey"), str):
            raise IngestError(path, f"/{i}", 'expected {"ParameterKey": ..., "ParameterValue": ...}')
        key = item["ParameterKey"]
        at[key] = f"/{i}"
        if item.get("UsePreviousValue") is True:
            out[key] = None
            continue
        v = item.get("ParameterValue")
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise IngestError(path, f"/{i}/ParameterValue", "expected the parameter's value as a string")
        out[key] = str(v)
    return out, at


@dataclass(frozen=True, slots=True)
class _Resource:
    logical_id: str
    type: str
    body: Mapping[str, Any]

    @property
    def pointer(self) -> str:
        return f"/Resources/{escape_pointer_token(self.logical_id)}"

    def properties(self) -> Mapping[str, Any]:
        props = self.body.get("Properties") or {}
        return props if isinstance(props, dict) else {}


class _Stack:
    """One template under one stack context: names, ARNs and references of its resources, and its changes."""

    def __init__(self, template: Template, context: StackContext, old: Estate | None) -> None:
        self.template = template
        self.file = template.file
        self.context = context
        self.old = old
        self.resources = self._resources()
        self.resolver = Resolver(template.file, template.body, context, self._reference)
        self.notes: list[str] = []
        self.unknowns: list[Unknown] = []
        self._names: dict[str, object] = {}
        self._resolving: set[tuple[str, str]] = set()

    # -- structure ----------------------------------------------------------------------------------------------
    def _resources(self) -> dict[str, _Resource]:
        body = self.template.body
        if "Transform" in body and body["Transform"] not in (None, [], ""):
            shown = body["Transform"] if isinstance(body["Transform"], str) else "..."
            raise IngestError(self.file, "/Transform", f"the template declares the transform `{shown}`: "
                                                       f"{PROCESSED_HINT}")
        raw = body.get("Resources")
        if not isinstance(raw, dict) or not raw:
            raise IngestError(self.file, "/Resources" if "Resources" in body else "",
                              "expected a Resources object with at least one resource")
        out: dict[str, _Resource] = {}
        for logical_id, resource in raw.items():
            pointer = f"/Resources/{escape_pointer_token(logical_id)}"
            if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
                raise IngestError(self.file, pointer, "expected a resource object with a Type")
            props = resource.get("Properties")
            if props is not None and not isinstance(props, dict):
                raise IngestError(self.file, f"{pointer}/Properties", "expected Properties as an object")
            out[logical_id] = _Resource(logical_id, resource["Type"], resource)
        _refuse_transform(body, "", self.file)
        return out

    def loc(self, pointer: str) -> Location:
        return Location(self.file, pointer)

    def prop(self, res: _Resource, name: str) -> object:
        """A property, resolved (NO_VALUE when absent or removed)."""
        props = res.properties()
        if name not in props:
            return NO_VALUE
        return self.resolver.resolve(props[name], f"{res.pointer}/Properties/{escape_pointer_token(name)}")

    def unknown(self, value: Unresolved, what: str) -> Unknown:
        found = Unknown(self.loc(value.pointer), f"{what}, {value.why},")
        self.unknowns.append(found)
        return found

    def string(self, res: _Resource, name: str, what: str, default: str | None = None) -> str | Unknown | None:
        value = self.prop(res, name)
        if value is NO_VALUE or value is None:
            return default
        if isinstance(value, Unresolved):
            return self.unknown(value, what)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise IngestError(self.file, f"{res.pointer}/Properties/{escape_pointer_token(name)}",
                              f"expected {what} as a string")
        return str(value)

    # -- names and references -----------------------------------------------------------------------------------
    def name(self, res: _Resource) -> str:
        """The resource's physical name: its name property, else the generated-name shape (module docstring). A name
        that is unknown gets a stand-in of the same shape."""
        if res.logical_id in self._names:
            found = self._names[res.logical_id]
            assert isinstance(found, str)
            return found
        given = self._own_string(res, _NAME_PROPERTY[res.type], "the name")
        if isinstance(given, str):
            name = given
        else:
            name = self._generated(res)
            why = "is unknown until deploy" if isinstance(given, Unknown) else "is not given"
            self.notes.append(f"{res.type} {res.logical_id} ({self.file}:{res.pointer}): its "
                              f"{_NAME_PROPERTY[res.type]} {why}; CloudFormation generates it, analysed as `{name}`")
        self._names[res.logical_id] = name
        return name

    def _generated(self, res: _Resource) -> str:
        stack = self.context.stack_name
        prefix = f"{stack}-{res.logical_id}-"
        existing = self._existing_generated(res, prefix)
        if existing is not None:
            return existing
        digest = hashlib.sha256(f"{stack}/{res.logical_id}".encode()).hexdigest().upper()
        suffix = "".join(c for c in digest if c.isalnum())[:12]
        limit = _NAME_LIMIT.get(res.type, 64) - len(suffix) - 1
        return f"{prefix[:-1][:limit]}-{suffix}"

    def _existing_generated(self, res: _Resource, prefix: str) -> str | None:
        """The name of an entity OLD holds that CloudFormation generated for this stack and logical id."""
        if self.old is None or res.type not in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
            return None
        snap = self.old.account_by_id.get(self.context.account)
        if snap is None:
            return None
        shape = re.compile(re.escape(prefix) + r"[A-Za-z0-9]{12,13}$")
        entities = snap.roles if res.type == "AWS::IAM::Role" else snap.users if res.type == "AWS::IAM::User" \
            else snap.groups
        found = sorted(e.name for e in entities if shape.match(e.name))
        return found[0] if len(found) == 1 else None

    def _own_string(self, res: _Resource, name: str, what: str, default: str | None = None) -> str | Unknown | None:
        """A string property that the resource's own name or ARN is made of. A property that refers to that name or
        ARN (``RoleName: !Ref Self``, ``Path: !Sub "${Self.Arn}"``) is a circular dependency CloudFormation refuses;
        it is refused here too, instead of recursing without end."""
        key = (res.logical_id, name)
        if key in self._resolving:
            raise IngestError(self.file, res.pointer, f"{what} of `{res.logical_id}` depends on itself")
        self._resolving.add(key)
        try:
            return self.string(res, name, what, default)
        finally:
            self._resolving.discard(key)

    def path(self, res: _Resource) -> str:
        value = self._own_string(res, "Path", "the path", "/")
        if isinstance(value, Unknown) or value is None:
            if isinstance(value, Unknown):
                self.notes.append(f"{res.logical_id}: {value}; analysed with path /")
            return "/"
        return value

    def arn(self, res: _Resource) -> str:
        ctx = self.context
        if res.type == "AWS::IAM::OIDCProvider":
            url = self._own_string(res, "Url", "the provider URL")
            if not isinstance(url, str):
                return f"arn:{ctx.partition}:iam::{ctx.account}:oidc-provider/{self._generated(res)}"
            return f"arn:{ctx.partition}:iam::{ctx.account}:oidc-provider/{url.removeprefix('https://')}"
        if res.type == "AWS::IAM::SAMLProvider":
            return f"arn:{ctx.partition}:iam::{ctx.account}:saml-provider/{self.name(res)}"
        kind = _ARN_KIND[res.type]
        return f"arn:{ctx.partition}:iam::{ctx.account}:{kind}{self.path(res)}{self.name(res)}"

    def _reference(self, logical_id: str, attribute: str | None, pointer: str) -> object:
        """``Ref`` (attribute None) or ``Fn::GetAtt`` of a resource, as CloudFormation returns them."""
        res = self.resources[logical_id]
        t = res.type
        if attribute is None:
            if t in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
                return self.name(res)
            if t in ("AWS::IAM::ManagedPolicy", "AWS::IAM::OIDCProvider", "AWS::IAM::SAMLProvider"):
                return self.arn(res)
            if t == "AWS::Organizations::Policy":
                return self.org_policy_id(res)
        elif attribute == "Arn" and t in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group",
                                          "AWS::IAM::OIDCProvider", "AWS::IAM::SAMLProvider"):
            return self.arn(res)
        elif attribute == "PolicyArn" and t == "AWS::IAM::ManagedPolicy":
            return self.arn(res)
        elif attribute == "Id" and t == "AWS::Organizations::Policy":
            return self.org_policy_id(res)
        what = f"Ref {logical_id}" if attribute is None else f"{logical_id}.{attribute}"
        return Unresolved(f"{what} of a {t} (assigned at deploy)", pointer)

    def org_policy_id(self, res: _Resource) -> str:
        digest = hashlib.sha256(f"{self.context.stack_name}/{res.logical_id}".encode()).hexdigest()[:10]
        return f"p-cfn{digest}"

    # -- documents ----------------------------------------------------------------------------------------------
    def document(self, res: _Resource, value: object, pointer: str, kind: PolicyKind) -> Policy:
        """A policy document property (an object, or a JSON string) as a :class:`Policy` whose locations are the
        template pointers the author wrote."""
        if value is NO_VALUE:
            name = pointer.rsplit("/", 1)[-1]
            raise IngestError(self.file, res.pointer, f"{res.type} without {name} (expected a policy document)")
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise IngestError(self.file, self.resolver.origin(pointer),
                                  f"expected a policy document, got a string that is not JSON ({exc.msg})") from None
        raw = self._unknowns(value, "in a policy document")
        try:
            policy = policy_with_unknowns(raw, self.loc(pointer), kind=kind)
        except IngestError as exc:
            if exc.source != self.file:
                raise
            raise IngestError(self.file, self.resolver.origin(exc.pointer), exc.message) from None
        return _relocated(policy, self.resolver)

    def _unknowns(self, value: object, what: str) -> object:
        """``value`` with each :class:`Unresolved` replaced by an :class:`Unknown` (and listed)."""
        if isinstance(value, Unresolved):
            return self.unknown(value, what)
        if isinstance(value, dict):
            return {k: self._unknowns(v, what) for k, v in value.items()}
        if isinstance(value, list):
            return [self._unknowns(v, what) for v in value]
        return value

    def names(self, res: _Resource, prop: str, what: str) -> list[str]:
        """A list of names (``Roles``, ``Users``, ``Groups``); unknown entries are noted, not applied."""
        value = self.prop(res, prop)
        if value is NO_VALUE or value is None:
            return []
        pointer = f"{res.pointer}/Properties/{prop}"
        if isinstance(value, Unresolved):
            self.notes.append(f"{res.logical_id}: {self.unknown(value, f'the {what} list')}; not applied")
            return []
        if not isinstance(value, list):
            raise IngestError(self.file, pointer, f"expected {prop} as a list of {what} names")
        out = []
        for i, item in enumerate(value):
            if isinstance(item, Unresolved):
                self.notes.append(f"{res.logical_id}: {self.unknown(item, f'a {what} name')}; not applied to it")
            elif isinstance(item, str):
                out.append(item.rsplit("/", 1)[-1] if item.startswith("arn:") else item)
            else:
                raise IngestError(self.file, f"{pointer}/{i}", f"expected a {what} name as a string")
        return out

    def policy_arns(self, res: _Resource, prop: str) -> list[str | Unknown]:
        value = self.prop(res, prop)
        if value is NO_VALUE or value is None:
            return []
        if isinstance(value, Unresolved):
            return [self.unknown(value, "the managed policy ARNs")]
        if not isinstance(value, list):
            raise IngestError(self.file, f"{res.pointer}/Properties/{prop}", "expected a list of policy ARNs")
        out: list[str | Unknown] = []
        for i, item in enumerate(value):
            if isinstance(item, Unresolved):
                out.append(self.unknown(item, "a managed policy ARN"))
            elif isinstance(item, str):
                out.append(item)
            else:
                raise IngestError(self.file, f"{res.pointer}/Properties/{prop}/{i}", "expected a policy ARN")
        return out

    def inline_policies(self, res: _Resource, owner: Owner) -> list[Change]:
        value = self.prop(res, "Policies")
        pointer = f"{res.pointer}/Properties/Policies"
        if value is NO_VALUE or value is None:
            return []
        if isinstance(value, Unresolved):
            unknown = self.unknown(value, "the inline policies")
            return [PutInlinePolicy(owner=owner, policy_name="unknown-until-deploy",
                                    document=policy_with_unknowns(unknown, unknown.location, kind="identity"),
                                    location=self.loc(self.resolver.origin(pointer)))]
        if not isinstance(value, list):
            raise IngestError(self.file, pointer, "expected Policies as a list of {PolicyName, PolicyDocument}")
        out: list[Change] = []
        for i, item in enumerate(value):
            at = f"{pointer}/{i}"
            if isinstance(item, Unresolved):
                unknown = self.unknown(item, "an inline policy")
                out.append(PutInlinePolicy(owner=owner, policy_name=f"unknown-until-deploy-{i}",
                                           document=policy_with_unknowns(unknown, unknown.location, kind="identity"),
                                           location=unknown.location))
                continue
            if not isinstance(item, dict) or "PolicyDocument" not in item:
                raise IngestError(self.file, self.resolver.origin(at), "expected {PolicyName, PolicyDocument}")
            name = item.get("PolicyName")
            if isinstance(name, Unresolved) or not isinstance(name, str):
                name = f"unknown-until-deploy-{i}"
            out.append(PutInlinePolicy(owner=owner, policy_name=name,
                                       document=self.document(res, item["PolicyDocument"], f"{at}/PolicyDocument",
                                                              "identity"),
                                       location=self.loc(self.resolver.origin(at))))
        return out

    def tags(self, res: _Resource) -> tuple[tuple[str, str], ...]:
        value = self.prop(res, "Tags")
        if not isinstance(value, list):
            if isinstance(value, Unresolved):
                self.notes.append(f"{res.logical_id}: {self.unknown(value, 'the tags')}; analysed without tags")
            return ()
        out = []
        for item in value:
            if isinstance(item, dict) and isinstance(item.get("Key"), str) and isinstance(item.get("Value"), str):
                out.append((item["Key"], item["Value"]))
            elif isinstance(item, dict) and contains_unresolved(item):
                self.notes.append(f"{res.logical_id}: a tag is unknown until deploy; analysed without it")
        return tuple(out)

    # -- changes ------------------------------------------------------------------------------------------------
    def changes(self) -> list[Change]:
        out: list[Change] = []
        others: Counter[str] = Counter()
        for res in self.resources.values():
            if res.type not in READ_TYPES:
                others[res.type] += 1
                continue
            if "Condition" in res.body:
                truth = self.resolver.condition(res.body["Condition"], f"{res.pointer}/Condition")
                if truth is False:
                    continue
                if isinstance(truth, Unresolved):
                    self.notes.append(f"{res.logical_id} is created only if condition `{res.body['Condition']}` "
                                      f"holds, which is unknown ({truth.why}): analysed as created")
            out.extend(self._changes_of(res))
        if others:
            listed = ", ".join(f"{t} ({n})" for t, n in sorted(others.items()))
            self.notes.append(f"{sum(others.values())} resource(s) of types that grant no IAM access by themselves "
                              f"were not analysed: {listed}")
        return out

    def _changes_of(self, res: _Resource) -> list[Change]:
        t = res.type
        loc = self.loc(res.pointer)
        props = f"{res.pointer}/Properties"
        if t == "AWS::IAM::Role":
            owner = Owner("role", self.name(res))
            doc = self.prop(res, "AssumeRolePolicyDocument")
            if doc is NO_VALUE:
                raise IngestError(self.file, res.pointer, "AWS::IAM::Role without AssumeRolePolicyDocument")
            duration = self.prop(res, "MaxSessionDuration")
            path = self.path(res)
            out: list[Change] = [PutRole(
                name=owner.name, path=path, replace=self._replaced(owner, path),
                trust_policy=self.document(res, doc, f"{props}/AssumeRolePolicyDocument", "trust"),
                boundary=self.string(res, "PermissionsBoundary", "the permissions boundary"), tags=self.tags(res),
                max_session_duration=int(duration) if isinstance(duration, (int, str)) and str(duration).isdigit()
                else None, location=loc)]
            out += self.inline_policies(res, owner)
            out += [Attach(owner=owner, policy=a, location=loc) for a in self.policy_arns(res, "ManagedPolicyArns")]
            return out
        if t == "AWS::IAM::User":
            owner = Owner("user", self.name(res))
            path = self.path(res)
            out = [PutUser(name=owner.name, path=path, replace=self._replaced(owner, path), tags=self.tags(res),
                           location=loc,
                           boundary=self.string(res, "PermissionsBoundary", "the permissions boundary"))]
            out += self.inline_policies(res, owner)
            out += [Attach(owner=owner, policy=a, location=loc) for a in self.policy_arns(res, "ManagedPolicyArns")]
            out += [Membership(user=owner.name, group=g, location=loc) for g in self.names(res, "Groups", "group")]
            return out
        if t == "AWS::IAM::Group":
            owner = Owner("group", self.name(res))
            path = self.path(res)
            out = [PutGroup(name=owner.name, path=path, replace=self._replaced(owner, path), location=loc)]
            out += self.inline_policies(res, owner)
            out += [Attach(owner=owner, policy=a, location=loc) for a in self.policy_arns(res, "ManagedPolicyArns")]
            return out
        if t == "AWS::IAM::ManagedPolicy":
            arn = self.arn(res)
            doc = self.prop(res, "PolicyDocument")
            out = [PutManagedPolicy(arn=arn, name=self.name(res), path=self.path(res), location=loc,
                                    document=self.document(res, doc, f"{props}/PolicyDocument", "identity"))]
            return out + self._attachments(res, arn, loc)
        if t in ("AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy"):
            return self._inline_resource(res, loc)
        if t == "AWS::IAM::UserToGroupAddition":
            group = self.string(res, "GroupName", "the group name")
            if not isinstance(group, str):
                self.notes.append(f"{res.logical_id}: the group name is unknown until deploy; not applied")
                return []
            return [Membership(user=u, group=group, location=loc) for u in self.names(res, "Users", "user")]
        if t in ("AWS::IAM::OIDCProvider", "AWS::IAM::SAMLProvider"):
            return [self._provider(res, loc)]
        return self._org_policy(res, loc)

    def _replaced(self, owner: Owner, path: str) -> bool:
        """True when OLD holds the entity under another path: a new path means a new entity (AWS::IAM::Role, User
        and Group: "Path ... Update requires: Replacement"), with a new unique id."""
        snap = self.old.account_by_id.get(self.context.account) if self.old is not None else None
        if snap is None:
            return False
        entities = snap.roles if owner.kind == "role" else snap.users if owner.kind == "user" else snap.groups
        return any(e.name == owner.name and e.path != path for e in entities)

    def _attachments(self, res: _Resource, arn: str, loc: Location) -> list[Change]:
        return [Attach(owner=Owner(kind, name), policy=arn, location=loc)
                for kind, prop in _OWNER_LISTS for name in self.names(res, prop, kind)]

    def _inline_resource(self, res: _Resource, loc: Location) -> list[Change]:
        props = f"{res.pointer}/Properties"
        name = self.string(res, "PolicyName", "the policy name")
        policy_name = name if isinstance(name, str) else f"unknown-until-deploy-{res.logical_id}"
        doc = self.prop(res, "PolicyDocument")
        if doc is NO_VALUE:
            raise IngestError(self.file, res.pointer, f"{res.type} without PolicyDocument")
        document = self.document(res, doc, f"{props}/PolicyDocument", "identity")
        owners: list[Owner] = []
        if res.type == "AWS::IAM::Policy":
            owners = [Owner(kind, n) for kind, prop in _OWNER_LISTS for n in self.names(res, prop, kind)]
        else:
            kind = _INLINE_OWNER[res.type]
            prop = {"role": "RoleName", "user": "UserName", "group": "GroupName"}[kind]
            owner = self.string(res, prop, f"the {kind} name")
            if isinstance(owner, str):
                owners = [Owner(kind, owner.rsplit("/", 1)[-1])]
            else:
                self.notes.append(f"{res.logical_id}: the {kind} name is unknown until deploy; not applied")
        return [PutInlinePolicy(owner=o, policy_name=policy_name, document=document, location=loc) for o in owners]

    def _provider(self, res: _Resource, loc: Location) -> Change:
        arn = self.arn(res)
        if res.type == "AWS::IAM::SAMLProvider":
            return PutProvider(provider=IdentityProvider(arn=arn, type=ProviderType.SAML, location=loc), location=loc)

        def texts(prop: str) -> tuple[str, ...]:
            value = self.prop(res, prop)
            return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

        url = arn.split(":oidc-provider/", 1)[1]
        return PutProvider(provider=IdentityProvider(arn=arn, type=ProviderType.OIDC, url=url,
                                                     client_ids=texts("ClientIdList"),
                                                     thumbprints=texts("ThumbprintList"), location=loc),
                           location=loc)

    def _org_policy(self, res: _Resource, loc: Location) -> list[Change]:
        ptype = self.string(res, "Type", "the policy type")
        kind = _POLICY_TYPES.get(ptype) if isinstance(ptype, str) else None
        if kind is None:
            self.notes.append(f"{res.logical_id}: AWS::Organizations::Policy of type {ptype}: not an SCP or RCP, "
                              f"not analysed")
            return []
        content = self.prop(res, "Content")
        policy_id = self.org_policy_id(res)
        name = self.string(res, "Name", "the policy name")
        out: list[Change] = [PutOrgPolicy(
            policy_id=policy_id, name=name if isinstance(name, str) else res.logical_id, type=kind, location=loc,
            document=self.document(res, content, f"{res.pointer}/Properties/Content",
                                   "scp" if kind is OrgPolicyType.SCP else "rcp"))]
        targets = self.prop(res, "TargetIds")
        for i, target in enumerate(targets if isinstance(targets, list) else []):
            if isinstance(target, str):
                out.append(OrgAttachment(policy_id=policy_id, target=target, location=loc))
            else:
                self.notes.append(f"{res.logical_id}: target {i} is unknown until deploy; not attached")
        return out


def _refuse_transform(value: object, pointer: str, file: str) -> None:
    """Refuse an ``Fn::Transform`` (``AWS::Include`` and macros) anywhere: the template is not processed."""
    stack: list[tuple[object, str]] = [(value, pointer)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, dict):
            if "Fn::Transform" in item:
                raise IngestError(file, f"{at}/Fn::Transform", f"the template uses Fn::Transform: {PROCESSED_HINT}")
            stack.extend((v, f"{at}/{escape_pointer_token(k)}") for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{at}/{i}") for i, v in enumerate(item))


def _relocated(policy: Policy, resolver: Resolver) -> Policy:
    """``policy`` with its locations moved from pointers into the resolved document to the template pointers that
    produced them (markers already point at the template)."""
    def move(loc: Location) -> Location:
        return Location(loc.file, resolver.origin(loc.pointer))

    statements = tuple(
        replace(st, location=move(st.location),
                conditions=tuple(c if is_marker(c) else replace(c, location=move(c.location))
                                 for c in st.conditions))
        for st in policy.statements)
    return replace(policy, statements=statements, location=move(policy.location))


def load_cloudformation(template_path: str, *, account: str, partition: str = "aws",
                        parameters_file: str | None = None, stack_name: str | None = None,
                        region: str | None = None, old: Estate | None = None) -> Overlay:
    """The template's IAM resources as an :class:`Overlay` on ``account`` (see the module docstring).

    Raises
    ------
    IngestError
        For a template or parameters file that is malformed, declares an unprocessed transform, or that
        CloudFormation itself would refuse (a reference to nothing, a missing mapping key, a value outside a
        parameter's AllowedValues), naming the file and the pointer.
    """
    template = load_template(template_path)
    given, pointers = read_parameters(parameters_file) if parameters_file else ({}, {})
    name = stack_name or stack_name_from_file(template_path)
    if not _STACK_NAME.match(name):
        raise IngestError(template_path, "", f"`{name}` is not a stack name (a letter, then letters, digits and "
                                             f"hyphens, at most 128)")
    context = StackContext(account=account, partition=partition, region=region, stack_name=name,
                           parameters=given, parameters_file=parameters_file, parameter_pointers=pointers)
    stack = _Stack(template, context, old)
    changes = stack.changes()
    notes = list(dict.fromkeys(stack.notes))
    generated = any("CloudFormation generates it" in n for n in notes)
    if stack_name is None and (generated or "AWS::StackName" in str(template.body.get("Resources"))):
        notes.append(f"AWS::StackName taken as `{name}` (the template's file name; pass --stack-name)")
    return Overlay(account=account, partition=partition, source=template.file, changes=tuple(changes),
                   notes=tuple(notes), unknowns=tuple(dict.fromkeys(stack.unknowns)))


__all__ = ["PROCESSED_HINT", "READ_TYPES", "load_cloudformation", "read_parameters", "stack_name_from_file"]
